package client_test

import (
	"slices"
	"testing"
	"testing/synctest"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

// TestEventRouting: items reach the event ChatJS would route them to (websocket-protocol.md §6), including the
// events parley does not emit yet (idle, returned, autodisconnection); items of other contacts are dropped as
// ChatJS drops them; receipts this participant sent are not echoed back; ConnectParticipant is sent when asked.
func TestEventRouting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, r := fakeSession(t, f, client.Options{ConnectParticipant: true})
		defer s.Close()
		if cpcs := f.cpcCalls(); !cpcs[0].connectParticipant {
			t.Fatal("CreateParticipantConnection without ConnectParticipant")
		}
		const ev = "application/vnd.amazonaws.connect.event."
		receipt := func(read bool, reader string) *wire.MessageMetadata {
			rc := wire.Receipt{DeliveredTimestamp: "2026-01-01T00:00:00.000Z", RecipientParticipantID: reader}
			if read {
				rc.ReadTimestamp = rc.DeliveredTimestamp
			}
			return &wire.MessageMetadata{MessageID: "item-1", Receipts: []wire.Receipt{rc}}
		}
		items := []struct {
			it   wire.Item
			want string // event type; "" for none
		}{
			{wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "hi", ParticipantID: "agent"}, "message"},
			{wire.Item{Type: "EVENT", ContentType: ev + "typing", ParticipantID: "agent"}, "typing"},
			{wire.Item{Type: "MESSAGEMETADATA", ContentType: ev + "message.metadata", MessageMetadata: receipt(true, "agent")}, "readReceipt"},
			{wire.Item{Type: "MESSAGEMETADATA", ContentType: ev + "message.metadata", MessageMetadata: receipt(false, "agent")}, "deliveredReceipt"},
			{wire.Item{Type: "MESSAGEMETADATA", ContentType: ev + "message.metadata", MessageMetadata: receipt(true, "me")}, ""},
			{wire.Item{Type: "MESSAGEMETADATA", ContentType: ev + "message.metadata", MessageMetadata: &wire.MessageMetadata{}}, ""},
			{wire.Item{Type: "EVENT", ContentType: ev + "participant.idle", ParticipantID: "agent"}, "participantIdle"},
			{wire.Item{Type: "EVENT", ContentType: ev + "participant.returned", ParticipantID: "agent"}, "participantReturned"},
			{wire.Item{Type: "EVENT", ContentType: ev + "participant.autodisconnection", ParticipantID: "agent"}, "autoDisconnection"},
			{wire.Item{Type: "EVENT", ContentType: ev + "participant.joined", ParticipantID: "agent"}, "message"},
			{wire.Item{Type: "EVENT", ContentType: ev + "transfer.succeeded"}, "message"},
			{wire.Item{Type: "ATTACHMENT", Attachments: []wire.AttachmentItem{{AttachmentName: "a.txt", Status: "APPROVED"}}}, "message"},
			{wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "not ours", ContactID: "contact-2", InitialContactID: "contact-2"}, ""},
			{wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "after a transfer", ContactID: "contact-3", InitialContactID: "contact-1"}, "message"},
			{wire.Item{Type: "EVENT", ContentType: ev + "chat.ended"}, "message"},
		}
		var want []string
		var ids []string
		for _, c := range items {
			it := f.add(c.it)
			if c.want != "" {
				want = append(want, c.want)
				ids = append(ids, it.ID)
			}
		}
		want = append(want, "ended")
		synctest.Wait()
		evs := r.events()[1:] // after connectionEstablished
		if got := types(evs); !slices.Equal(got, want) {
			t.Fatalf("events = %v\nwant %v", got, want)
		}
		for i, id := range ids {
			if evs[i].Item.ID != id {
				t.Fatalf("event %d has item %s, want %s", i, evs[i].Item.ID, id)
			}
		}
		if end := evs[len(evs)-1]; end.Item.ID != ids[len(ids)-1] || end.Err != nil {
			t.Fatalf("ended event = %+v", end)
		}
		s.Close()
	})
}

// TestAttachmentStatusChange: a scanned attachment arrives IN_PROGRESS, then again with the same Id and its final
// status; the session delivers both (the second replaces the first), and a repeated push of the same status once.
func TestAttachmentStatusChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, r := fakeSession(t, f, client.Options{})
		defer s.Close()
		att := func(status string) []wire.AttachmentItem {
			return []wire.AttachmentItem{{AttachmentID: "att-1", AttachmentName: "a.png", Status: status}}
		}
		first := f.add(wire.Item{Type: "ATTACHMENT", ParticipantID: "agent", Attachments: att("IN_PROGRESS")})
		rev := first
		rev.Attachments = att("APPROVED")
		f.push(rev)
		f.push(rev)
		synctest.Wait()
		var got []string
		for _, e := range r.events() {
			if e.Type == client.EventMessage {
				got = append(got, e.Item.ID+" "+e.Item.Attachments[0].Status)
			}
		}
		if want := []string{first.ID + " IN_PROGRESS", first.ID + " APPROVED"}; !slices.Equal(got, want) {
			t.Fatalf("messages = %v, want %v", got, want)
		}
	})
}
