package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// storedParticipant is what a store returns for p.
func storedParticipant(p *parley.Participant) *parley.Participant {
	w := *p
	w.JoinedAt, w.LeftAt, w.TimerAt, w.IdleAt = ms(p.JoinedAt), ms(p.LeftAt), ms(p.TimerAt), ms(p.IdleAt)
	return &w
}

// insertParticipants stores participants in one Update.
func insertParticipants(t testing.TB, s parley.Store, ps ...*parley.Participant) {
	t.Helper()
	update(t, s, func(tx parley.Tx) error {
		for _, p := range ps {
			if err := tx.InsertParticipant(t.Context(), p); err != nil {
				return err
			}
		}
		return nil
	})
}

func testParticipantRoundTrip(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetParticipant(ctx, "p-1")
	wantNotFound(t, "GetParticipant of a missing participant", err, "PARTICIPANT")
	_, err = s.ParticipantByToken(ctx, []byte("hash-p-1"))
	wantNotFound(t, "ParticipantByToken of a missing token", err, "PARTICIPANT")

	seedContact(t, s, "i-1", "c-1")
	p1 := newParticipant("p-1", "c-1", parley.RoleCustomer)
	p2 := newParticipant("p-2", "c-1", parley.RoleAgent)
	p2.Connected = false
	p2.State = parley.ParticipantLeft
	p2.LeftAt = base.Add(time.Hour + 777*time.Microsecond)
	p2.TokenHash = []byte{0, 1, 2, 0xff, 0} // binary, with NUL bytes
	p2.TokenSealed = []byte{0, 0xfe, 7, 0}  // p1 has none, as participants stored before sealed tokens
	insertParticipants(t, s, p1, p2)

	for _, want := range []*parley.Participant{p1, p2} {
		got, err := s.GetParticipant(ctx, want.ID)
		must(t, "GetParticipant", err)
		diff(t, "GetParticipant "+want.ID, storedParticipant(want), got)
		got, err = s.ParticipantByToken(ctx, want.TokenHash)
		must(t, "ParticipantByToken", err)
		diff(t, "ParticipantByToken "+want.ID, storedParticipant(want), got)
	}
	_, err = s.ParticipantByToken(ctx, []byte{0, 1, 2, 0xff})
	wantNotFound(t, "ParticipantByToken of a prefix of a hash", err, "PARTICIPANT")
}

func testParticipantDuplicate(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedContact(t, s, "i-1", "c-1")
	p1 := newParticipant("p-1", "c-1", parley.RoleCustomer)
	insertParticipants(t, s, p1)

	sameID := newParticipant("p-1", "c-1", parley.RoleAgent)
	sameID.TokenHash = []byte("another hash")
	err := s.Update(ctx, func(tx parley.Tx) error { return tx.InsertParticipant(ctx, sameID) })
	wantCode(t, "InsertParticipant of an existing id", err, parley.ECONFLICT)

	sameHash := newParticipant("p-2", "c-1", parley.RoleAgent)
	sameHash.TokenHash = p1.TokenHash
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.InsertParticipant(ctx, sameHash) })
	wantCode(t, "InsertParticipant of an existing token hash", err, parley.ECONFLICT)
	_, err = s.GetParticipant(ctx, "p-2")
	wantNotFound(t, "GetParticipant of a participant whose insert conflicted", err, "PARTICIPANT")

	got, err := s.GetParticipant(ctx, "p-1")
	must(t, "GetParticipant", err)
	diff(t, "participant after conflicting inserts", storedParticipant(p1), got)
}

func testParticipantList(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedContact(t, s, "i-1", "c-1")
	seedContact(t, s, "i-1", "c-2")
	// Inserted out of join order.
	late := newParticipant("p-late", "c-1", parley.RoleAgent)
	late.JoinedAt = base.Add(time.Minute)
	early := newParticipant("p-early", "c-1", parley.RoleCustomer)
	early.JoinedAt = base.Add(-time.Minute)
	mid := newParticipant("p-mid", "c-1", parley.RoleSystem)
	other := newParticipant("p-other", "c-2", parley.RoleCustomer)
	insertParticipants(t, s, late, other)
	insertParticipants(t, s, early, mid)

	got, err := s.ListParticipants(ctx, "c-1")
	must(t, "ListParticipants", err)
	diff(t, "ListParticipants", []*parley.Participant{
		storedParticipant(early), storedParticipant(mid), storedParticipant(late),
	}, got)
	got, err = s.ListParticipants(ctx, "c-missing")
	must(t, "ListParticipants", err)
	diff(t, "ListParticipants of a missing contact", []*parley.Participant(nil), got)
}

func testParticipantUpdate(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedContact(t, s, "i-1", "c-1")
	p := newParticipant("p-1", "c-1", parley.RoleCustomer)
	p.Connected = false
	p.TokenSealed = []byte("sealed-p-1") // UpdateParticipant keeps it
	q := newParticipant("p-2", "c-1", parley.RoleAgent)
	insertParticipants(t, s, p, q)

	u := *p
	u.State = parley.ParticipantLeft
	u.Connected = true
	u.DisplayName = "Renamed"
	u.LeftAt = base.Add(90 * time.Second)
	update(t, s, func(tx parley.Tx) error { return tx.UpdateParticipant(ctx, &u) })
	got, err := s.GetParticipant(ctx, "p-1")
	must(t, "GetParticipant", err)
	diff(t, "participant after UpdateParticipant", storedParticipant(&u), got)
	got, err = s.GetParticipant(ctx, "p-2")
	must(t, "GetParticipant", err)
	diff(t, "another participant after UpdateParticipant", storedParticipant(q), got)

	missing := newParticipant("p-missing", "c-1", parley.RoleAgent)
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.UpdateParticipant(ctx, missing) })
	wantNotFound(t, "UpdateParticipant of a missing participant", err, "PARTICIPANT")
}

func testConnection(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedContact(t, s, "i-1", "c-1")
	insertParticipants(t, s, newParticipant("p-1", "c-1", parley.RoleCustomer),
		newParticipant("p-2", "c-1", parley.RoleAgent))

	_, err := s.Connection(ctx, []byte("conn-a"))
	if !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Connection of a missing token: got %v, want ENOTFOUND", err)
	}
	a := &parley.Connection{TokenHash: []byte("conn-a"), ParticipantID: "p-1", ExpiresAt: base.Add(24 * time.Hour)}
	b := &parley.Connection{TokenHash: []byte("conn-b"), ParticipantID: "p-1", ExpiresAt: base.Add(-time.Hour)}
	c := &parley.Connection{TokenHash: []byte{0, 0xfe, 0}, ParticipantID: "p-2", ExpiresAt: base}
	update(t, s, func(tx parley.Tx) error {
		for _, cn := range []*parley.Connection{a, b, c} {
			if err := tx.InsertConnection(ctx, cn); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []*parley.Connection{a, b, c} {
		got, err := s.Connection(ctx, want.TokenHash)
		must(t, "Connection", err)
		w := *want
		w.ExpiresAt = ms(want.ExpiresAt)
		diff(t, "Connection "+string(want.TokenHash), &w, got)
	}

	dup := &parley.Connection{TokenHash: []byte("conn-a"), ParticipantID: "p-2", ExpiresAt: base}
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.InsertConnection(ctx, dup) })
	wantCode(t, "InsertConnection of an existing hash", err, parley.ECONFLICT)

	// DeleteConnections revokes every token of one participant, and only of that one.
	update(t, s, func(tx parley.Tx) error { return tx.DeleteConnections(ctx, "p-1") })
	for _, h := range [][]byte{a.TokenHash, b.TokenHash} {
		_, err := s.Connection(ctx, h)
		if !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("Connection %q after DeleteConnections: got %v, want ENOTFOUND", h, err)
		}
	}
	if _, err := s.Connection(ctx, c.TokenHash); err != nil {
		t.Errorf("Connection of another participant after DeleteConnections: %v", err)
	}
	// Deleting when there is nothing to delete is not an error.
	update(t, s, func(tx parley.Tx) error { return tx.DeleteConnections(ctx, "p-1") })
}
