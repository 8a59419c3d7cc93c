package chat

import (
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// WireItem converts an item to its wire shape. Items pushed on the WebSocket (socket true) carry ContactId and
// InitialContactId, which ChatJS requires; transcript items carry ContactId only (the response carries the
// InitialContactId).
func WireItem(it *parley.Item, socket bool) wire.Item {
	w := wire.Item{
		AbsoluteTime:    wire.FormatTime(it.Time),
		Content:         it.Content,
		ContentType:     it.ContentType,
		ID:              it.ID,
		Type:            string(it.Type),
		ParticipantID:   it.ParticipantID,
		DisplayName:     it.DisplayName,
		ParticipantRole: string(it.Role),
		ContactID:       it.ContactID,
	}
	if socket {
		w.InitialContactID = it.ChainID
	}
	if it.Revises != "" {
		// A revision goes out as the item it revises (an attachment's status after a scan).
		w.ID = it.Revises
	}
	for _, a := range it.Attachments {
		w.Attachments = append(w.Attachments, wire.AttachmentItem{
			ContentType: a.ContentType, AttachmentID: a.ID, AttachmentName: a.Name, Status: a.Status,
		})
	}
	switch {
	case it.Receipt != nil:
		w.MessageMetadata = &wire.MessageMetadata{
			MessageID: it.Receipt.MessageID,
			Receipts:  []wire.Receipt{wireReceipt(*it.Receipt)},
		}
	case len(it.Receipts) > 0:
		md := &wire.MessageMetadata{MessageID: it.ID}
		for _, r := range it.Receipts {
			md.Receipts = append(md.Receipts, wireReceipt(r))
		}
		w.MessageMetadata = md
	}
	return w
}

func wireReceipt(r parley.Receipt) wire.Receipt {
	w := wire.Receipt{RecipientParticipantID: r.Recipient}
	if !r.DeliveredAt.IsZero() {
		w.DeliveredTimestamp = wire.FormatTime(r.DeliveredAt)
	}
	if !r.ReadAt.IsZero() {
		w.ReadTimestamp = wire.FormatTime(r.ReadAt)
	}
	return w
}

// WireHistory converts a page of History to the agent API's ContactTranscriptResponse.
func WireHistory(p *TranscriptPage) *wire.ContactTranscriptResponse {
	out := &wire.ContactTranscriptResponse{InitialContactID: p.InitialContactID, NextToken: p.NextToken,
		Transcript: make([]wire.Item, 0, len(p.Items))}
	for _, it := range p.Items {
		out.Transcript = append(out.Transcript, WireItem(it, false))
	}
	return out
}
