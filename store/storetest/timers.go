package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// testParticipantTimers: a contact keeps its participant timers and a participant its timer and idle times
// (inserted and updated); DueParticipants lists the JOINED participants whose timer is due, earliest first.
func testParticipantTimers(t *testing.T, s parley.Store) {
	ctx := t.Context()
	now := base
	c := newContact("c-1", "i-1")
	c.Timers = parley.ParticipantTimers{CustomerIdle: 10, CustomerDisconnect: parley.TimerUnset, AgentIdle: 480}
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, newInstance("i-1")); err != nil {
			return err
		}
		return tx.InsertContact(ctx, c)
	})
	got, err := s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	diff(t, "contact's timers after insert", c.Timers, got.Timers)
	u := *storedContact(c)
	u.Timers = parley.ParticipantTimers{AgentDisconnect: 2}
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &u) })
	got, err = s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	diff(t, "contact's timers after update", u.Timers, got.Timers)

	mk := func(id string, state parley.ParticipantState, at time.Time) *parley.Participant {
		p := newParticipant(id, "c-1", parley.RoleCustomer)
		p.State, p.TimerAt = state, at
		return p
	}
	ps := []*parley.Participant{
		mk("p-1", parley.ParticipantJoined, now.Add(-10*time.Second)),
		mk("p-2", parley.ParticipantJoined, now.Add(-20*time.Second)),
		mk("p-3", parley.ParticipantJoined, now.Truncate(time.Millisecond)), // due exactly now: included
		mk("p-4", parley.ParticipantJoined, now.Add(time.Second)),           // not yet
		mk("p-5", parley.ParticipantJoined, time.Time{}),                    // no timer
		mk("p-6", parley.ParticipantLeft, now.Add(-30*time.Second)),         // left
	}
	ps[0].IdleAt = now.Add(-time.Minute + 3*time.Microsecond)
	insertParticipants(t, s, ps...)
	p1, err := s.GetParticipant(ctx, "p-1")
	must(t, "GetParticipant", err)
	diff(t, "participant with timers", storedParticipant(ps[0]), p1)

	ids := func(ps []*parley.Participant) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	due, err := s.DueParticipants(ctx, now, 10)
	must(t, "DueParticipants", err)
	diff(t, "DueParticipants ids", []string{"p-2", "p-1", "p-3"}, ids(due))
	due, err = s.DueParticipants(ctx, now, 1)
	must(t, "DueParticipants", err)
	diff(t, "DueParticipants with limit 1", []string{"p-2"}, ids(due))

	// Updating a participant's timer moves it; clearing it takes it off the list.
	p2 := *storedParticipant(ps[1])
	p2.TimerAt, p2.IdleAt = time.Time{}, now.Add(-5*time.Second)
	p1 = storedParticipant(ps[0])
	p1.TimerAt, p1.IdleAt = now.Add(-40*time.Second), time.Time{}
	update(t, s, func(tx parley.Tx) error {
		if err := tx.UpdateParticipant(ctx, &p2); err != nil {
			return err
		}
		return tx.UpdateParticipant(ctx, p1)
	})
	got2, err := s.GetParticipant(ctx, "p-2")
	must(t, "GetParticipant", err)
	diff(t, "participant after update", storedParticipant(&p2), got2)
	due, err = s.DueParticipants(ctx, now, 0)
	must(t, "DueParticipants", err)
	diff(t, "DueParticipants after updates", []string{"p-1", "p-3"}, ids(due))
}

// testContactData: a contact keeps its queue priority and time adjustment, and the data a flow sets (name,
// description, language, customer id), inserted and updated.
func testContactData(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := newContact("c-1", "i-1")
	c.QueuePriority, c.QueueTimeAdjustment = 1, 90*time.Second
	c.Name, c.Description, c.LanguageCode = "Order 42", "late delivery", "de_DE"
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, newInstance("i-1")); err != nil {
			return err
		}
		return tx.InsertContact(ctx, c)
	})
	got, err := s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	if got.QueuePriority != 1 || got.QueueTimeAdjustment != 90*time.Second || got.Name != c.Name ||
		got.Description != c.Description || got.LanguageCode != c.LanguageCode {
		t.Errorf("after insert: %+v", got)
	}
	u := *storedContact(c)
	u.QueuePriority, u.QueueTimeAdjustment = 3, -1500*time.Millisecond
	u.Name, u.Description, u.LanguageCode, u.CustomerID = "Order 43", "", "fr_FR", "cust-9"
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &u) })
	got, err = s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	if got.QueuePriority != 3 || got.QueueTimeAdjustment != -1500*time.Millisecond || got.Name != "Order 43" ||
		got.Description != "" || got.LanguageCode != "fr_FR" || got.CustomerID != "cust-9" {
		t.Errorf("after update: %+v", got)
	}
}
