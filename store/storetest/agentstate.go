package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// Tests of the routing state of agents that outlives the routing node: Missed records and after-contact work.

// seedAgentState stores instances i-1 and i-2, users u-1 and u-2 of i-1 and u-3 of i-2, and ended contacts c-1
// and c-2 of i-1 and c-3 of i-2.
func seedAgentState(t *testing.T, s parley.Store) {
	t.Helper()
	seedInstances(t, s, "i-1", "i-2")
	putAll(t, s, putUser, newUser("u-1", "i-1", "ada"), newUser("u-2", "i-1", "bob"), newUser("u-3", "i-2", "ada"))
	var cs []*parley.Contact
	for _, id := range []string{"c-1", "c-2", "c-3"} {
		c := newContact(id, "i-1")
		if id == "c-3" {
			c.InstanceID = "i-2"
		}
		c.State, c.EndedAt = parley.ContactEnded, base.Add(time.Minute)
		cs = append(cs, c)
	}
	putAll(t, s, func(tx parley.Tx, c *parley.Contact) error { return tx.InsertContact(t.Context(), c) }, cs...)
}

// storedMissed and storedACW are what a store returns for m and w.
func storedMissed(m *parley.AgentMissed) *parley.AgentMissed {
	c := *m
	c.StatusSince, c.MissedAt = ms(m.StatusSince), ms(m.MissedAt)
	return &c
}

func storedACW(w *parley.AfterContactWork) *parley.AfterContactWork {
	c := *w
	c.EndedAt, c.Until = ms(w.EndedAt), ms(w.Until)
	return &c
}

func testAgentsMissed(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedAgentState(t, s)
	list := func(instanceID string, want ...*parley.AgentMissed) {
		t.Helper()
		got, err := s.ListAgentsMissed(ctx, instanceID)
		must(t, "ListAgentsMissed", err)
		var stored []*parley.AgentMissed
		for _, m := range want {
			stored = append(stored, storedMissed(m))
		}
		diff(t, "ListAgentsMissed "+instanceID, stored, got)
	}
	put := func(tx parley.Tx, m *parley.AgentMissed) error { return tx.PutAgentMissed(ctx, m) }
	list("i-1")

	m2 := &parley.AgentMissed{UserID: "u-2", StatusID: "st-available", StatusSince: base, MissedAt: base.Add(time.Second)}
	m1 := &parley.AgentMissed{UserID: "u-1", StatusID: "st-available", StatusSince: base.Add(time.Minute),
		MissedAt: base.Add(2 * time.Minute)}
	m3 := &parley.AgentMissed{UserID: "u-3", StatusID: "st-other", StatusSince: base, MissedAt: base}
	putAll(t, s, put, m2, m1, m3)
	list("i-1", m1, m2) // by user id
	list("i-2", m3)
	list("i-9")

	// Put replaces.
	m1b := &parley.AgentMissed{UserID: "u-1", StatusID: "st-custom", StatusSince: base.Add(time.Hour),
		MissedAt: base.Add(2 * time.Hour)}
	putAll(t, s, put, m1b)
	list("i-1", m1b, m2)

	update(t, s, func(tx parley.Tx) error { return tx.DeleteAgentMissed(ctx, "u-2") })
	list("i-1", m1b)
	update(t, s, func(tx parley.Tx) error { return tx.DeleteAgentMissed(ctx, "u-2") }) // missing: not an error
	update(t, s, func(tx parley.Tx) error { return tx.DeleteAgentMissed(ctx, "u-9") })
	list("i-1", m1b)
	list("i-2", m3)

	// A rolled-back put leaves nothing.
	err := s.Update(ctx, func(tx parley.Tx) error {
		if err := tx.PutAgentMissed(ctx, m2); err != nil {
			return err
		}
		got, err := tx.ListAgentsMissed(ctx, "i-1")
		if err != nil {
			return err
		}
		if len(got) != 2 {
			return fmt.Errorf("ListAgentsMissed in the transaction that put one: %d records, want 2", len(got))
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update whose fn failed: %v, want fn's error", err)
	}
	list("i-1", m1b)
}

func testAfterContactWork(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedAgentState(t, s)
	list := func(instanceID string, want ...*parley.AfterContactWork) {
		t.Helper()
		got, err := s.ListAfterContactWork(ctx, instanceID)
		must(t, "ListAfterContactWork", err)
		var stored []*parley.AfterContactWork
		for _, w := range want {
			stored = append(stored, storedACW(w))
		}
		diff(t, "ListAfterContactWork "+instanceID, stored, got)
	}
	put := func(tx parley.Tx, w *parley.AfterContactWork) error { return tx.PutAfterContactWork(ctx, w) }
	list("i-1")

	w1 := &parley.AfterContactWork{ContactID: "c-1", UserID: "u-1", ParticipantID: "p-1", EndedAt: base.Add(time.Minute),
		EndReason: "AGENT_DISCONNECT", Until: base.Add(3 * time.Minute)}
	w2 := &parley.AfterContactWork{ContactID: "c-2", UserID: "u-1", ParticipantID: "p-2", EndedAt: base,
		EndReason: "CUSTOMER_DISCONNECT"} // no limit: Until stays zero
	w3 := &parley.AfterContactWork{ContactID: "c-3", UserID: "u-3", ParticipantID: "p-3", EndedAt: base}
	putAll(t, s, put, w1, w2, w3)
	list("i-1", w2, w1) // by EndedAt
	list("i-2", w3)
	list("i-9")

	// Put replaces (by contact).
	w1b := *w1
	w1b.UserID, w1b.EndedAt, w1b.EndReason, w1b.Until = "u-2", base.Add(-time.Minute), "TRANSFERRED", time.Time{}
	putAll(t, s, put, &w1b)
	list("i-1", &w1b, w2)

	update(t, s, func(tx parley.Tx) error { return tx.DeleteAfterContactWork(ctx, "c-1") })
	list("i-1", w2)
	update(t, s, func(tx parley.Tx) error { return tx.DeleteAfterContactWork(ctx, "c-1") }) // missing: not an error
	list("i-1", w2)
	list("i-2", w3)
}

// testAgentStateOwners: a user's Missed record and after-contact work go with the user, and after-contact work
// with its contact when the retention sweep purges its chain: nothing is left to restore.
func testAgentStateOwners(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedAgentState(t, s)
	putAll(t, s, func(tx parley.Tx, m *parley.AgentMissed) error { return tx.PutAgentMissed(ctx, m) },
		&parley.AgentMissed{UserID: "u-1", StatusID: "st", StatusSince: base, MissedAt: base},
		&parley.AgentMissed{UserID: "u-2", StatusID: "st", StatusSince: base, MissedAt: base})
	putAll(t, s, func(tx parley.Tx, w *parley.AfterContactWork) error { return tx.PutAfterContactWork(ctx, w) },
		&parley.AfterContactWork{ContactID: "c-1", UserID: "u-1", EndedAt: base},
		&parley.AfterContactWork{ContactID: "c-2", UserID: "u-2", EndedAt: base.Add(time.Second)})

	update(t, s, func(tx parley.Tx) error { return tx.DeleteUser(ctx, "u-1") })
	missed, err := s.ListAgentsMissed(ctx, "i-1")
	must(t, "ListAgentsMissed", err)
	if len(missed) != 1 || missed[0].UserID != "u-2" {
		t.Errorf("Missed records after deleting u-1: %+v, want u-2's only", missed)
	}
	acw, err := s.ListAfterContactWork(ctx, "i-1")
	must(t, "ListAfterContactWork", err)
	if len(acw) != 1 || acw[0].ContactID != "c-2" {
		t.Errorf("after-contact work after deleting u-1: %+v, want c-2's only", acw)
	}

	a, ok := s.(parley.Archive)
	if !ok {
		return
	}
	must(t, "PurgeChain", a.PurgeChain(ctx, "c-2"))
	acw, err = s.ListAfterContactWork(ctx, "i-1")
	must(t, "ListAfterContactWork", err)
	diff(t, "after-contact work after purging its contact", []*parley.AfterContactWork(nil), acw)
}
