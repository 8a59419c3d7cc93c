package chat

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// GetTranscript returns one page of the caller's chain transcript: messages, attachments and events, without
// typing, acknowledgements, receipt metadata, or items addressed to other participants. Messages carry the
// receipts other participants sent for them. A persistent chat's transcript begins with its past sessions'
// items (persistent.go), oldest first, with their own Ids and ContactIds.
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
	segs := []segment{{chain: chain}}
	if c.Contact.ContinuedFromContactID != "" {
		var err error
		if segs, err = s.segments(ctx, c.Contact); err != nil {
			return nil, err
		}
	}
	own := len(segs) - 1
	base := parley.ItemQuery{Transcript: true, Viewer: c.Participant.ID}
	hasStart := q.StartID != "" || !q.StartTime.IsZero() || q.HasMostRecent
	forward := q.ScanDirection == wire.ScanForward || (q.ScanDirection == "" && hasStart)

	// The scan starts in segment k after (forward) or before (backward) Seq bound; 0: the segment's start or end.
	k, bound := own, int64(0)
	if forward {
		k = 0
	}
	switch {
	case q.NextToken != "":
		fwd, b, back, err := s.parsePageToken(chain, q.NextToken)
		if err != nil || back > own {
			return nil, parley.Invalid("NextToken", "NextToken is not a token from this transcript")
		}
		forward, k, bound = fwd, own-back, b
	case q.StartID != "":
		it, err := s.store.GetItem(ctx, q.StartID)
		k = slices.IndexFunc(segs, func(sg segment) bool {
			return err == nil && sg.chain == it.ChainID && (sg.upTo == 0 || it.Seq <= sg.upTo)
		})
		if k < 0 {
			return nil, parley.Invalid("StartPosition.Id", "StartPosition.Id %q is not an item of this chat", q.StartID)
		}
		if bound = it.Seq - 1; !forward {
			bound = it.Seq + 1
		}
	case !q.StartTime.IsZero():
		base.SinceTime = q.StartTime
	case q.HasMostRecent:
		// Start at the MostRecent-th item back from the newest (0 is the newest).
		newest, at, err := scan(ctx, s.store, segs, base, false, own, 0, q.MostRecent+1)
		if err != nil {
			return nil, err
		}
		if n := len(newest); n > 0 {
			k = at[n-1]
			if bound = newest[n-1].Seq - 1; !forward {
				bound = newest[n-1].Seq + 1
			}
		}
	}

	items, at, err := scan(ctx, s.store, segs, base, forward, k, bound, size+1)
	if err != nil {
		return nil, err
	}
	page := &TranscriptPage{InitialContactID: chain}
	if len(items) > size {
		items, at = items[:size], at[:size]
		page.NextToken = s.pageToken(chain, forward, items[len(items)-1].Seq, own-at[len(at)-1])
	}
	for i := range segs {
		var of []*parley.Item
		for j, it := range items {
			if at[j] == i {
				of = append(of, it)
			}
		}
		if err := s.attachReceipts(ctx, segs[i].chain, of); err != nil {
			return nil, err
		}
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	asc := q.SortOrder == wire.SortAscending
	sort.Slice(order, func(a, b int) bool {
		x, y := order[a], order[b]
		before := at[x] < at[y] || (at[x] == at[y] && items[x].Seq < items[y].Seq)
		if asc {
			return before
		}
		return !before
	})
	page.Items = make([]*parley.Item, len(items))
	for i, x := range order {
		page.Items[i] = items[x]
	}
	return page, nil
}

// scan reads up to limit transcript items from segment k on, after (forward) or before (backward) Seq bound (0:
// from the segment's start or end), crossing into the next (forward) or previous (backward) segment as each
// runs out, from r. It returns the items in scan order and the segment of each.
func scan(ctx context.Context, r parley.Reader, segs []segment, base parley.ItemQuery, forward bool, k int, bound int64,
	limit int) ([]*parley.Item, []int, error) {
	var items []*parley.Item
	var at []int
	for k >= 0 && k < len(segs) && len(items) < limit {
		iq := base
		iq.ChainID, iq.Limit, iq.Descending = segs[k].chain, limit-len(items), !forward
		end := segs[k].upTo
		if forward {
			iq.AfterSeq = bound
			if end > 0 {
				iq.BeforeSeq = end + 1
			}
		} else {
			iq.BeforeSeq = bound
			if end > 0 && (bound == 0 || bound > end+1) {
				iq.BeforeSeq = end + 1
			}
		}
		got, err := r.ListItems(ctx, iq)
		if err != nil {
			return nil, nil, err
		}
		for _, it := range got {
			items, at = append(items, it), append(at, k)
		}
		if forward {
			k++
		} else {
			k--
		}
		bound = 0
	}
	return items, at, nil
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

// History reads a page of the transcript of a chat as its operators read it (the agent API's transcript, `parley
// transcript`): every transcript item of the chain of contact c (any contact of it), oldest first, beginning with
// the past sessions the chat continues (persistent chat) — the segments GetTranscript reads for the chat's
// participants, with the past items' own Ids and ContactIds — but without a participant's view (whispers
// included) and without receipts. after is "" for the first page, or the NextToken of the page before; the
// page's NextToken is "" after the last page, and its InitialContactID c's chain. size is at least 1. Errors:
// EINVALID (NextToken) for a token that is not one of this transcript's.
func History(ctx context.Context, r parley.Reader, c *parley.Contact, after string, size int) (*TranscriptPage, error) {
	return history(ctx, r, nil, c, after, size)
}

// History is the package's History, remembering where past sessions end as GetTranscript does.
func (s *Service) History(ctx context.Context, c *parley.Contact, after string, size int) (*TranscriptPage, error) {
	return history(ctx, s.store, &s.pastEnds, c, after, size)
}

// A History token is the Seq to continue after in the chat's own chain ("123"), or in the past session that many
// sessions back ("123~2"): counted from the chat's own chain, it stays right when
// CreatePersistentContactAssociation puts history before it.
func history(ctx context.Context, r parley.Reader, ends *sync.Map, c *parley.Contact, after string, size int) (*TranscriptPage, error) {
	newest, err := r.ActiveContact(ctx, c.InitialContactID) // the chain's newest contact knows what it continues
	if err != nil {
		return nil, err
	}
	segs, err := segmentsOf(ctx, r, newest, ends)
	if err != nil {
		return nil, err
	}
	own, k, bound := len(segs)-1, 0, int64(0)
	if after != "" {
		fwd, b, back, ok := parseSegmentBody("F" + after)
		if !ok || !fwd || back > own || b < 0 {
			return nil, parley.Invalid("NextToken", "NextToken is not a token of this transcript")
		}
		k, bound = own-back, b
	}
	items, at, err := scan(ctx, r, segs, parley.ItemQuery{Transcript: true}, true, k, bound, size+1)
	if err != nil {
		return nil, err
	}
	page := &TranscriptPage{InitialContactID: c.InitialContactID, Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.NextToken = segmentBody("F", items[size-1].Seq, own-at[size-1])[1:]
	}
	return page, nil
}
