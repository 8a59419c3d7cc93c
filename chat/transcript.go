package chat

import (
	"context"
	"sort"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// GetTranscript returns one page of the caller's chain transcript: messages, attachments and events, without
// typing, acknowledgements, receipt metadata, or items addressed to other participants. Messages carry the
// receipts other participants sent for them.
//
// Paging follows the Participant Service: the scan starts at StartPosition (an item Id, a time, or the N-th most
// recent item) or, without one, at the newest item scanning BACKWARD (oldest, scanning FORWARD); ScanDirection
// defaults to FORWARD when a StartPosition is given. SortOrder orders the items within the page (default
// DESCENDING). NextToken continues the scan; it is bound to the chain. Errors: EACCESS (left, ended, or a
// ContactId of another chain), EINVALID (bad NextToken, unknown start Id).
func (s *Service) GetTranscript(ctx context.Context, c *Caller, q TranscriptQuery) (*TranscriptPage, error) {
	if err := c.active(); err != nil {
		return nil, err
	}
	chain := c.Contact.InitialContactID
	if q.ContactID != "" && q.ContactID != c.Contact.ID {
		other, err := s.store.GetContact(ctx, q.ContactID)
		if err != nil || other.InitialContactID != chain {
			return nil, parley.Errorf(parley.EACCESS, "ContactId %s is not part of this chat", q.ContactID)
		}
	}
	size := q.MaxResults
	if size <= 0 {
		size = wire.DefaultPageSize
	}
	base := parley.ItemQuery{ChainID: chain, Transcript: true, Viewer: c.Participant.ID, Limit: size + 1}
	hasStart := q.StartID != "" || !q.StartTime.IsZero() || q.HasMostRecent
	forward := q.ScanDirection == wire.ScanForward || (q.ScanDirection == "" && hasStart)

	iq := base
	switch {
	case q.NextToken != "":
		fwd, bound, err := s.parsePageToken(chain, q.NextToken)
		if err != nil {
			return nil, err
		}
		forward = fwd
		if forward {
			iq.AfterSeq = bound
		} else {
			iq.BeforeSeq = bound
		}
	case q.StartID != "":
		it, err := s.store.GetItem(ctx, q.StartID)
		if err != nil || it.ChainID != chain {
			return nil, parley.Invalid("StartPosition.Id", "StartPosition.Id %q is not an item of this chat", q.StartID)
		}
		if forward {
			iq.AfterSeq = it.Seq - 1
		} else {
			iq.BeforeSeq = it.Seq + 1
		}
	case !q.StartTime.IsZero():
		iq.SinceTime = q.StartTime
	case q.HasMostRecent:
		// Start at the MostRecent-th item back from the newest (0 is the newest).
		newest, err := s.store.ListItems(ctx, parley.ItemQuery{ChainID: chain, Transcript: true,
			Viewer: c.Participant.ID, Descending: true, Limit: q.MostRecent + 1})
		if err != nil {
			return nil, err
		}
		if len(newest) > 0 {
			start := newest[len(newest)-1].Seq
			if forward {
				iq.AfterSeq = start - 1
			} else {
				iq.BeforeSeq = start + 1
			}
		}
	}
	iq.Descending = !forward

	items, err := s.store.ListItems(ctx, iq)
	if err != nil {
		return nil, err
	}
	page := &TranscriptPage{InitialContactID: chain}
	if len(items) > size {
		items = items[:size]
		page.NextToken = s.pageToken(chain, forward, items[len(items)-1].Seq)
	}
	if err := s.attachReceipts(ctx, chain, items); err != nil {
		return nil, err
	}
	asc := q.SortOrder == wire.SortAscending
	sort.Slice(items, func(i, j int) bool {
		if asc {
			return items[i].Seq < items[j].Seq
		}
		return items[i].Seq > items[j].Seq
	})
	page.Items = items
	return page, nil
}

// attachReceipts fills Receipts on the messages of a page. A receipt for message M by participant R covers M and
// every earlier message not sent by R; a read also counts as delivered. Each recipient's earliest times win.
func (s *Service) attachReceipts(ctx context.Context, chain string, items []*parley.Item) error {
	minSeq := int64(-1)
	for _, it := range items {
		if (it.Type == parley.ItemMessage || it.Type == parley.ItemAttachment) && (minSeq < 0 || it.Seq < minSeq) {
			minSeq = it.Seq
		}
	}
	if minSeq < 0 {
		return nil
	}
	receipts, err := s.store.ListReceipts(ctx, chain, minSeq)
	if err != nil || len(receipts) == 0 {
		return err
	}
	for _, it := range items {
		if it.Type != parley.ItemMessage && it.Type != parley.ItemAttachment {
			continue
		}
		var out []parley.Receipt
		index := map[string]int{}
		for _, r := range receipts {
			if r.MessageSeq < it.Seq || r.Recipient == it.ParticipantID {
				continue
			}
			i, ok := index[r.Recipient]
			if !ok {
				i = len(out)
				index[r.Recipient] = i
				out = append(out, parley.Receipt{MessageID: it.ID, MessageSeq: it.Seq, Recipient: r.Recipient})
			}
			at := r.ReadAt
			if at.IsZero() {
				at = r.DeliveredAt
			} else if out[i].ReadAt.IsZero() || at.Before(out[i].ReadAt) {
				out[i].ReadAt = at
			}
			if out[i].DeliveredAt.IsZero() || at.Before(out[i].DeliveredAt) {
				out[i].DeliveredAt = at
			}
		}
		it.Receipts = out
	}
	return nil
}
