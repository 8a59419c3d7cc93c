package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// testDueFlows: DueFlows lists the active contacts whose flow timer is due, earliest first, apart from DueAt.
func testDueFlows(t *testing.T, s parley.Store) {
	ctx := t.Context()
	now := base
	mk := func(id string, state parley.ContactState, wake time.Time) *parley.Contact {
		c := newContact(id, "i-1")
		c.State, c.FlowWakeAt = state, wake
		c.DueAt = now.Add(time.Hour) // the contact's own timer is not the flow's
		return c
	}
	contacts := []*parley.Contact{
		mk("c-1", parley.ContactActive, now.Add(-10*time.Second)),
		mk("c-2", parley.ContactActive, now.Add(-20*time.Second)),
		mk("c-3", parley.ContactActive, now.Truncate(time.Millisecond)), // due exactly now: included
		mk("c-4", parley.ContactActive, now.Add(time.Second)),           // not yet
		mk("c-5", parley.ContactActive, time.Time{}),                    // no flow timer
		mk("c-6", parley.ContactEnded, now.Add(-30*time.Second)),        // ended
	}
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, newInstance("i-1")); err != nil {
			return err
		}
		for _, c := range contacts {
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(cs []*parley.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	got, err := s.DueFlows(ctx, now, 10)
	must(t, "DueFlows", err)
	diff(t, "DueFlows ids", []string{"c-2", "c-1", "c-3"}, ids(got))
	got, err = s.DueFlows(ctx, now, 1)
	must(t, "DueFlows", err)
	diff(t, "DueFlows with limit 1", []string{"c-2"}, ids(got))
	got, err = s.DueContacts(ctx, now, 10)
	must(t, "DueContacts", err)
	diff(t, "DueContacts (flow timers are not contact timers)", []string(nil), ids(got))

	// Clearing a flow timer takes the contact off the list.
	c2 := *contacts[1]
	c2.FlowWakeAt = time.Time{}
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &c2) })
	got, err = s.DueFlows(ctx, now, 0)
	must(t, "DueFlows", err)
	diff(t, "DueFlows after clearing c-2's timer", []string{"c-1", "c-3"}, ids(got))
}

// testFlowLog: records append in order per contact, each at its contact's next Seq, and read back whole.
func testFlowLog(t *testing.T, s parley.Store) {
	ctx := t.Context()
	rec := func(contact, id string, at time.Time) parley.FlowRecord {
		return parley.FlowRecord{ContactID: contact, Time: at, FlowID: "f-1", Identifier: id, Type: "MessageParticipant",
			Result: "r", Error: "NoMatchingError", Detail: "why", Branch: "NextAction", Next: "n"}
	}
	first := []parley.FlowRecord{rec("c-1", "a", base), rec("c-1", "b", base.Add(time.Millisecond)), rec("c-2", "x", base)}
	update(t, s, func(tx parley.Tx) error { return tx.AppendFlowLog(ctx, first) })
	if first[0].Seq != 1 || first[1].Seq != 2 || first[2].Seq != 1 {
		t.Errorf("AppendFlowLog assigned Seq %d, %d, %d; want 1, 2 (c-1) and 1 (c-2)", first[0].Seq, first[1].Seq, first[2].Seq)
	}
	more := []parley.FlowRecord{rec("c-1", "c", base.Add(2*time.Millisecond))}
	update(t, s, func(tx parley.Tx) error { return tx.AppendFlowLog(ctx, more) })
	got, err := s.ListFlowLog(ctx, "c-1")
	must(t, "ListFlowLog", err)
	want := []parley.FlowRecord{first[0], first[1], more[0]}
	for i := range want {
		want[i].Time = ms(want[i].Time)
	}
	diff(t, "ListFlowLog c-1", want, got)
	got, err = s.ListFlowLog(ctx, "c-none")
	must(t, "ListFlowLog", err)
	if len(got) != 0 {
		t.Errorf("ListFlowLog of a contact without a log: %v", got)
	}
}
