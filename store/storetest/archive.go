package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// archive returns s as a parley.Archive, skipping the test if it is not one.
func archive(t *testing.T, s parley.Store) parley.Archive {
	t.Helper()
	a, ok := s.(parley.Archive)
	if !ok {
		t.Skip("the store is not a parley.Archive")
	}
	return a
}

// seedChain stores a chain of contacts (ids[0] the initial one), each ended at its entry of ended (zero: still
// active), with a participant, a connection and an item each.
func seedChain(t *testing.T, s parley.Store, ended []time.Time, ids ...string) {
	t.Helper()
	ctx := t.Context()
	for i, id := range ids {
		c := newContact(id, "inst-archive")
		c.InitialContactID = ids[0]
		if !ended[i].IsZero() {
			c.State, c.EndedAt = parley.ContactEnded, ended[i]
		}
		p := newParticipant("p-"+id, id, parley.RoleCustomer)
		p.ChainID = ids[0]
		it := newItem(ids[0], "item-"+id)
		it.ContactID, it.ParticipantID = id, p.ID
		update(t, s, func(tx parley.Tx) error {
			if _, err := tx.GetInstance(ctx, c.InstanceID); parley.IsCode(err, parley.ENOTFOUND) {
				if err := tx.PutInstance(ctx, newInstance(c.InstanceID)); err != nil {
					return err
				}
			}
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
			if err := tx.InsertParticipant(ctx, p); err != nil {
				return err
			}
			if err := tx.InsertConnection(ctx, &parley.Connection{TokenHash: []byte("conn-" + id), ParticipantID: p.ID,
				ExpiresAt: base.Add(time.Hour)}); err != nil {
				return err
			}
			if err := tx.InsertFile(ctx, newFile("f-"+id, c, p.ID)); err != nil {
				return err
			}
			return tx.AppendItem(ctx, it)
		})
	}
}

func contactIDs(cs []*parley.Contact) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func testArchiveExports(t *testing.T, s parley.Store) {
	a := archive(t, s)
	ctx := t.Context()
	seedChain(t, s, []time.Time{base.Add(time.Minute), base.Add(3 * time.Minute)}, "a1", "a2")
	seedChain(t, s, []time.Time{base.Add(2 * time.Minute), {}}, "b1", "b2")

	got, err := a.PendingExports(ctx, time.Time{}, 10)
	must(t, "PendingExports", err)
	diff(t, "PendingExports", []string{"a1", "b1", "a2"}, contactIDs(got))
	got, err = a.PendingExports(ctx, base.Add(2*time.Minute), 10)
	must(t, "PendingExports since", err)
	diff(t, "PendingExports since", []string{"b1", "a2"}, contactIDs(got))
	got, err = a.PendingExports(ctx, time.Time{}, 1)
	must(t, "PendingExports limit", err)
	diff(t, "PendingExports limit", []string{"a1"}, contactIDs(got))

	must(t, "MarkExported", a.MarkExported(ctx, "a1", base))
	must(t, "MarkExported again", a.MarkExported(ctx, "a1", base))
	got, err = a.PendingExports(ctx, time.Time{}, 10)
	must(t, "PendingExports after mark", err)
	diff(t, "PendingExports after mark", []string{"b1", "a2"}, contactIDs(got))
}

func testArchivePurge(t *testing.T, s parley.Store) {
	a := archive(t, s)
	ctx := t.Context()
	seedChain(t, s, []time.Time{base.Add(time.Minute), base.Add(3 * time.Minute)}, "a1", "a2")
	seedChain(t, s, []time.Time{base.Add(2 * time.Minute), {}}, "b1", "b2") // still active
	seedChain(t, s, []time.Time{base.Add(2 * time.Minute)}, "c1")
	for i := range 3 {
		it := newItem("a1", "more-"+string(rune('a'+i)))
		it.ParticipantID = "p-a1"
		appendItems(t, s, it)
	}

	expired := func(before time.Time, exportedOnly bool, want ...string) {
		t.Helper()
		got, err := a.ExpiredChains(ctx, before, exportedOnly, 10)
		must(t, "ExpiredChains", err)
		diff(t, "ExpiredChains", want, got)
	}
	expired(base.Add(2*time.Minute), false)
	expired(base.Add(3*time.Minute), false, "c1")
	expired(time.Now().Add(24*time.Hour), false, "c1", "a1")
	expired(time.Now().Add(24*time.Hour), true)
	must(t, "MarkExported", a.MarkExported(ctx, "a1", base))
	expired(time.Now().Add(24*time.Hour), true)
	must(t, "MarkExported", a.MarkExported(ctx, "a2", base))
	expired(time.Now().Add(24*time.Hour), true, "a1")

	st := newStream("s-a1", "a1", "tok-s")
	st.ContactID = "a1"
	update(t, s, func(tx parley.Tx) error {
		if err := tx.InsertStream(ctx, st); err != nil {
			return err
		}
		return tx.InsertOutbox(ctx, []*parley.OutboxEntry{newEntry(st.ID, "a1", 1)}) // a dead letter, say
	})

	must(t, "PurgeChain", a.PurgeChain(ctx, "a1"))
	_, err := s.GetStream(ctx, "s-a1")
	wantNotFound(t, "GetStream of a purged chain's stream", err, "STREAM")
	for _, id := range []string{"a1", "a2"} {
		_, err := s.GetContact(ctx, id)
		wantNotFound(t, "GetContact of a purged contact", err, "CONTACT")
		_, err = s.GetParticipant(ctx, "p-"+id)
		wantNotFound(t, "GetParticipant of a purged participant", err, "PARTICIPANT")
		_, err = s.GetFile(ctx, "f-"+id)
		wantNotFound(t, "GetFile of a purged attachment", err, "ATTACHMENT")
		_, err = s.Connection(ctx, []byte("conn-"+id))
		wantCode(t, "Connection of a purged participant", err, parley.ENOTFOUND)
	}
	expired(time.Now().Add(24*time.Hour), false, "c1")
	purges, err := a.Purges(ctx, 10)
	must(t, "Purges", err)
	diff(t, "Purges", []parley.Purge{{ChainID: "a1", FileIDs: []string{"f-a1", "f-a2"}}}, purges)

	for _, want := range []int{2, 2, 1, 0} {
		n, err := a.PurgeItems(ctx, "a1", 2)
		must(t, "PurgeItems", err)
		if n != want {
			t.Fatalf("PurgeItems: deleted %d, want %d", n, want)
		}
	}
	items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "a1"})
	must(t, "ListItems", err)
	if len(items) != 0 {
		t.Errorf("ListItems of a purged chain: got %d items", len(items))
	}
	purges, err = a.Purges(ctx, 10)
	must(t, "Purges after PurgeItems", err)
	diff(t, "Purges after PurgeItems", []parley.Purge(nil), purges)

	// The other chains are untouched.
	for _, id := range []string{"b1", "b2", "c1"} {
		_, err := s.GetContact(ctx, id)
		must(t, "GetContact of a kept contact", err)
	}
	items, err = s.ListItems(ctx, parley.ItemQuery{ChainID: "b1"})
	must(t, "ListItems of a kept chain", err)
	if len(items) != 2 {
		t.Errorf("ListItems of a kept chain: got %d items, want 2", len(items))
	}
}

func testArchiveIdempotent(t *testing.T, s parley.Store) {
	a := archive(t, s)
	ctx := t.Context()
	for _, tok := range []string{"t1", "t2", "t3"} {
		update(t, s, func(tx parley.Tx) error { return tx.PutIdempotent(ctx, "scope", tok, []byte(tok)) })
	}
	n, err := a.DeleteIdempotent(ctx, time.Now().Add(-time.Hour), 10)
	must(t, "DeleteIdempotent of none", err)
	if n != 0 {
		t.Errorf("DeleteIdempotent before the records: deleted %d, want 0", n)
	}
	later := time.Now().Add(time.Hour)
	for _, want := range []int{2, 1, 0} {
		n, err := a.DeleteIdempotent(ctx, later, 2)
		must(t, "DeleteIdempotent", err)
		if n != want {
			t.Errorf("DeleteIdempotent: deleted %d, want %d", n, want)
		}
	}
	_, err = s.Idempotent(ctx, "scope", "t1")
	wantCode(t, "Idempotent after DeleteIdempotent", err, parley.ENOTFOUND)
}
