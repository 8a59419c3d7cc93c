package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

func newStream(id, chainID, token string) *parley.Stream {
	return &parley.Stream{ID: id, InstanceID: "i-1", ChainID: chainID, ContactID: chainID,
		EndpointARN: "arn:aws:sns:us-west-2:000000000000:topic-" + id, ClientToken: token, StartedAt: base}
}

func storedStream(st *parley.Stream) *parley.Stream {
	c := *st
	c.StartedAt, c.StoppedAt, c.NextAt = ms(st.StartedAt), ms(st.StoppedAt), ms(st.NextAt)
	return &c
}

func newEntry(streamID, chainID string, seq int64) *parley.OutboxEntry {
	return &parley.OutboxEntry{StreamID: streamID, Seq: seq, ChainID: chainID, ItemID: "item-" + chainID,
		CreatedAt: base, NextAt: base}
}

func storedEntry(e *parley.OutboxEntry) *parley.OutboxEntry {
	c := *e
	c.CreatedAt, c.NextAt = ms(e.CreatedAt), ms(e.NextAt)
	return &c
}

// testStreams: streams round-trip, are unique by id and by (chain, ClientToken), list per chain in start order
// (active ones only when asked), and stop once.
func testStreams(t *testing.T, s parley.Store) {
	ctx := t.Context()
	a, b, other := newStream("s-a", "c-1", "tok-a"), newStream("s-b", "c-1", "tok-b"), newStream("s-o", "c-2", "tok-a")
	b.StartedAt, b.Cursor = base.Add(time.Second), 3
	b.FailingSeq, b.Attempts, b.NextAt, b.LastError = 4, 2, base.Add(time.Minute), "503"
	update(t, s, func(tx parley.Tx) error {
		for _, st := range []*parley.Stream{a, b, other} { // the same token on another chain is fine
			if err := tx.InsertStream(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.GetStream(ctx, "s-a")
	must(t, "GetStream", err)
	diff(t, "GetStream", storedStream(a), got)
	got, err = s.StreamByClientToken(ctx, "c-1", "tok-b")
	must(t, "StreamByClientToken", err)
	diff(t, "StreamByClientToken", storedStream(b), got)
	_, err = s.GetStream(ctx, "s-none")
	wantNotFound(t, "GetStream of a missing stream", err, "STREAM")
	_, err = s.StreamByClientToken(ctx, "c-2", "tok-b")
	wantNotFound(t, "StreamByClientToken of another chain's token", err, "STREAM")

	err = s.Update(ctx, func(tx parley.Tx) error { return tx.InsertStream(ctx, newStream("s-a", "c-9", "tok-z")) })
	wantCode(t, "InsertStream with an existing id", err, parley.ECONFLICT)
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.InsertStream(ctx, newStream("s-c", "c-1", "tok-a")) })
	wantCode(t, "InsertStream with a chain's used ClientToken", err, parley.ECONFLICT)

	list, err := s.ListStreams(ctx, "c-1", true)
	must(t, "ListStreams", err)
	diff(t, "ListStreams active", []*parley.Stream{storedStream(a), storedStream(b)}, list)

	stop := base.Add(time.Minute)
	update(t, s, func(tx parley.Tx) error { return tx.StopStream(ctx, "s-a", stop, 4) })
	update(t, s, func(tx parley.Tx) error { return tx.StopStream(ctx, "s-a", stop.Add(time.Hour), 9) }) // keeps the first
	a.StoppedAt, a.LastSeq = stop, 4
	list, err = s.ListStreams(ctx, "c-1", true)
	must(t, "ListStreams", err)
	diff(t, "ListStreams active after stop", []*parley.Stream{storedStream(b)}, list)
	list, err = s.ListStreams(ctx, "c-1", false)
	must(t, "ListStreams", err)
	diff(t, "ListStreams all after stop", []*parley.Stream{storedStream(a), storedStream(b)}, list)
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.StopStream(ctx, "s-none", stop, 0) })
	wantNotFound(t, "StopStream of a missing stream", err, "STREAM")
}

// testOutbox: entries round-trip in (stream, Seq) order, are unique per (stream, Seq), count, update, go dead,
// replay (by stream or instance) and delete; a rolled-back item's entries vanish with it.
func testOutbox(t *testing.T, s parley.Store) {
	ctx := t.Context()
	s1, s2 := newStream("s-1", "c-1", "t1"), newStream("s-2", "c-2", "t2")
	s2.InstanceID = "i-2"
	e := []*parley.OutboxEntry{newEntry("s-1", "c-1", 2), newEntry("s-1", "c-1", 1), newEntry("s-2", "c-2", 7)}
	e[0].NextAt = base.Add(1500 * time.Microsecond)
	update(t, s, func(tx parley.Tx) error {
		for _, st := range []*parley.Stream{s1, s2} {
			if err := tx.InsertStream(ctx, st); err != nil {
				return err
			}
		}
		return tx.InsertOutbox(ctx, e)
	})
	got, err := s.ListOutbox(ctx, parley.OutboxQuery{})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox all pending", []*parley.OutboxEntry{storedEntry(e[1]), storedEntry(e[0]), storedEntry(e[2])}, got)
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{StreamID: "s-1", Limit: 1})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox of s-1, limit 1", []*parley.OutboxEntry{storedEntry(e[1])}, got)
	ids, err := s.OutboxStreams(ctx, 0)
	must(t, "OutboxStreams", err)
	diff(t, "OutboxStreams", []string{"s-1", "s-2"}, ids)

	err = s.Update(ctx, func(tx parley.Tx) error {
		return tx.InsertOutbox(ctx, []*parley.OutboxEntry{newEntry("s-1", "c-1", 1)})
	})
	wantCode(t, "InsertOutbox of an existing (stream, Seq)", err, parley.ECONFLICT)

	// A failed attempt, then dead.
	e[1].Attempts, e[1].NextAt, e[1].LastError = 1, base.Add(time.Second), "boom"
	update(t, s, func(tx parley.Tx) error { return tx.UpdateOutbox(ctx, e[1]) })
	e[2].Attempts, e[2].LastError, e[2].Dead = 5, "gone", true
	update(t, s, func(tx parley.Tx) error { return tx.UpdateOutbox(ctx, e[2]) })
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.UpdateOutbox(ctx, newEntry("s-1", "c-1", 99)) })
	wantNotFound(t, "UpdateOutbox of a missing entry", err, "OUTBOX")
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{StreamID: "s-1"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox of s-1 after a failure", []*parley.OutboxEntry{storedEntry(e[1]), storedEntry(e[0])}, got)
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{Dead: true, InstanceID: "i-2"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox dead of i-2", []*parley.OutboxEntry{storedEntry(e[2])}, got)
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{Dead: true, InstanceID: "i-1"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox dead of i-1", []*parley.OutboxEntry(nil), got)
	ids, err = s.OutboxStreams(ctx, 0)
	must(t, "OutboxStreams", err)
	diff(t, "OutboxStreams without the dead stream", []string{"s-1"}, ids)
	pending, dead, err := s.CountOutbox(ctx)
	must(t, "CountOutbox", err)
	if pending != 2 || dead != 1 {
		t.Errorf("CountOutbox = %d pending, %d dead; want 2, 1", pending, dead)
	}

	// Replay of another instance changes nothing; replay of i-2 makes the entry pending, due at the given time.
	var n int
	update(t, s, func(tx parley.Tx) (err error) {
		n, err = tx.ReplayOutbox(ctx, parley.OutboxQuery{InstanceID: "i-1"}, base)
		return err
	})
	if n != 0 {
		t.Errorf("ReplayOutbox of i-1 replayed %d entries, want 0", n)
	}
	at := base.Add(time.Hour)
	update(t, s, func(tx parley.Tx) (err error) {
		n, err = tx.ReplayOutbox(ctx, parley.OutboxQuery{InstanceID: "i-2"}, at)
		return err
	})
	if n != 1 {
		t.Errorf("ReplayOutbox of i-2 replayed %d entries, want 1", n)
	}
	e[2].Dead, e[2].Attempts, e[2].NextAt = false, 0, at
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{StreamID: "s-2"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox of s-2 after replay", []*parley.OutboxEntry{storedEntry(e[2])}, got)

	// Delivered entries are deleted; deleting twice is fine.
	for range 2 {
		update(t, s, func(tx parley.Tx) error { return tx.DeleteOutbox(ctx, "s-1", 1) })
	}
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{StreamID: "s-1"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox of s-1 after delete", []*parley.OutboxEntry{storedEntry(e[0])}, got)

	// Entries written by a transaction that fails are not kept.
	err = s.Update(ctx, func(tx parley.Tx) error {
		if err := tx.InsertOutbox(ctx, []*parley.OutboxEntry{newEntry("s-1", "c-1", 50)}); err != nil {
			return err
		}
		return parley.Errorf(parley.EREQUEST, "rolled back")
	})
	wantCode(t, "failing Update", err, parley.EREQUEST)
	got, err = s.ListOutbox(ctx, parley.OutboxQuery{StreamID: "s-1"})
	must(t, "ListOutbox", err)
	diff(t, "ListOutbox of s-1 after a rollback", []*parley.OutboxEntry{storedEntry(e[0])}, got)
}

// testStreamsInTx: a transaction's ListStreams sees the streams committed before it and its own writes, and
// nothing of a rolled-back transaction, whatever the store remembers between transactions.
func testStreamsInTx(t *testing.T, s parley.Store) {
	ctx := t.Context()
	active := func(what string, want ...string) {
		t.Helper()
		var got []string
		update(t, s, func(tx parley.Tx) error {
			got = nil
			sts, err := tx.ListStreams(ctx, "c-1", true)
			for _, st := range sts {
				got = append(got, st.ID)
			}
			return err
		})
		diff(t, what, want, got)
	}
	active("no streams yet")
	update(t, s, func(tx parley.Tx) error { return tx.InsertStream(ctx, newStream("s-a", "c-1", "t-a")) })
	active("after an insert", "s-a")
	err := s.Update(ctx, func(tx parley.Tx) error {
		if err := tx.InsertStream(ctx, newStream("s-b", "c-1", "t-b")); err != nil {
			return err
		}
		sts, err := tx.ListStreams(ctx, "c-1", true)
		if err != nil {
			return err
		}
		if len(sts) != 2 {
			return parley.Errorf(parley.EINTERNAL, "own insert not seen: %d streams", len(sts))
		}
		return parley.Errorf(parley.EREQUEST, "rolled back")
	})
	wantCode(t, "rolled-back insert", err, parley.EREQUEST)
	active("after a rolled-back insert", "s-a")
	update(t, s, func(tx parley.Tx) error {
		if err := tx.StopStream(ctx, "s-a", base, 0); err != nil {
			return err
		}
		sts, err := tx.ListStreams(ctx, "c-1", true)
		if err == nil && len(sts) != 0 {
			return parley.Errorf(parley.EINTERNAL, "own stop not seen: %d streams", len(sts))
		}
		return err
	})
	active("after a stop")
	sts, err := s.ListStreams(ctx, "c-1", true)
	must(t, "ListStreams", err)
	diff(t, "ListStreams from the store after a stop", []*parley.Stream(nil), sts)
}

// testStreamCursor: the items of a stream's chain after its Cursor are its backlog (only those up to LastSeq
// once it stopped); AdvanceStreams moves cursors forward only, FailStream records a failing item, and a
// transaction sees its own cursor moves and nothing of a rolled-back one.
func testStreamCursor(t *testing.T, s parley.Store) {
	ctx := t.Context()
	behind := func(what string, want ...string) {
		t.Helper()
		ids, err := s.StreamsBehind(ctx, 0)
		must(t, "StreamsBehind", err)
		diff(t, what, want, ids)
	}
	backlog := func(what string, want int64) {
		t.Helper()
		pending, _, err := s.CountOutbox(ctx)
		must(t, "CountOutbox", err)
		if pending != want {
			t.Errorf("%s: CountOutbox pending = %d, want %d", what, pending, want)
		}
	}
	cursor := func(id string, want int64) *parley.Stream {
		t.Helper()
		st, err := s.GetStream(ctx, id)
		must(t, "GetStream", err)
		if st.Cursor != want {
			t.Errorf("stream %s: Cursor = %d, want %d", id, st.Cursor, want)
		}
		return st
	}
	var items []*parley.Item
	for i := range 3 {
		items = append(items, newItem("c-1", fmt.Sprintf("c1-%d", i)))
	}
	appendItems(t, s, items...)
	a, b := newStream("s-a", "c-1", "t-a"), newStream("s-b", "c-1", "t-b")
	b.Cursor = 3 // started after the chain's third item
	update(t, s, func(tx parley.Tx) error {
		if err := tx.InsertStream(ctx, a); err != nil {
			return err
		}
		return tx.InsertStream(ctx, b)
	})
	behind("a new stream with a cursor at 0", "s-a")
	backlog("three items behind one stream", 3)

	// One item for everyone and one addressed to a participant: both put b behind; only one counts.
	more, private := newItem("c-1", "c1-3"), newItem("c-1", "c1-4")
	private.Recipient = "p-1"
	appendItems(t, s, more, private)
	behind("both streams behind", "s-a", "s-b")
	backlog("a private item does not count", 4+1)

	advance := func(cursors map[string]int64) {
		t.Helper()
		update(t, s, func(tx parley.Tx) error { return tx.AdvanceStreams(ctx, cursors) })
	}
	advance(map[string]int64{"s-a": 2})
	advance(map[string]int64{"s-a": 1}) // never back
	cursor("s-a", 2)
	advance(map[string]int64{"s-b": 5, "s-none": 1}) // a missing stream is skipped
	behind("b caught up", "s-a")
	backlog("a has two left", 2)
	advance(map[string]int64{"s-a": 1, "s-b": 4}) // both back: neither moves
	cursor("s-a", 2)
	cursor("s-b", 5)
	advance(nil)

	// Stopped at Seq 4: the private item 5 is not a's to deliver.
	update(t, s, func(tx parley.Tx) error { return tx.StopStream(ctx, "s-a", base, 4) })
	appendItems(t, s, newItem("c-1", "c1-5"))
	behind("a stopped, b behind again", "s-a", "s-b")
	advance(map[string]int64{"s-a": 4})
	if st := cursor("s-a", 4); !st.Done() {
		t.Errorf("stream stopped at 4 with its cursor at 4: Done() = false")
	}
	behind("a done", "s-b")

	// A failing item is recorded on the stream; it describes that item only while it is after the cursor.
	fail := &parley.Stream{ID: "s-b", ChainID: "c-1", FailingSeq: 6, Attempts: 3, NextAt: base.Add(time.Second),
		LastError: "503"}
	update(t, s, func(tx parley.Tx) error { return tx.FailStream(ctx, fail) })
	st := cursor("s-b", 5)
	if n, next, msg := st.Failing(6); n != 3 || !next.Equal(ms(fail.NextAt)) || msg != "503" {
		t.Errorf("Failing(6) = %d, %v, %q; want 3, %v, 503", n, next, msg, ms(fail.NextAt))
	}
	if n, _, _ := st.Failing(7); n != 0 {
		t.Errorf("Failing(7) = %d attempts, want 0 (another item's failures)", n)
	}
	err := s.Update(ctx, func(tx parley.Tx) error { return tx.FailStream(ctx, &parley.Stream{ID: "s-none"}) })
	wantNotFound(t, "FailStream of a missing stream", err, "STREAM")

	// Inside a transaction: ListStreams sees its own moves; a rolled-back move is gone.
	err = s.Update(ctx, func(tx parley.Tx) error {
		if _, err := tx.ListStreams(ctx, "c-1", true); err != nil { // a store may cache them now
			return err
		}
		if err := tx.AdvanceStreams(ctx, map[string]int64{"s-b": 6}); err != nil {
			return err
		}
		sts, err := tx.ListStreams(ctx, "c-1", true)
		if err != nil {
			return err
		}
		if len(sts) != 1 || sts[0].Cursor != 6 {
			return parley.Errorf(parley.EINTERNAL, "own cursor move not seen: %+v", sts)
		}
		return parley.Errorf(parley.EREQUEST, "rolled back")
	})
	wantCode(t, "rolled-back AdvanceStreams", err, parley.EREQUEST)
	cursor("s-b", 5)
	update(t, s, func(tx parley.Tx) error {
		sts, err := tx.ListStreams(ctx, "c-1", true)
		if err == nil && (len(sts) != 1 || sts[0].Cursor != 5) {
			return parley.Errorf(parley.EINTERNAL, "a rolled-back cursor move seen: %+v", sts)
		}
		return err
	})
}
