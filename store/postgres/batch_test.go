package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/postgres"
)

// openSmall opens a store on dsn with a small pool (the test database's connections are shared).
func openSmall(tb testing.TB, dsn string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), withParam(tb, dsn, "pool_max_conns", "4"), nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// seedChains stores an instance and, for each of n chains "c-<i>", an active contact and the participants
// "p-<i>-a" and "p-<i>-b".
func seedChains(t *testing.T, s parley.Store, n int) {
	t.Helper()
	ctx := t.Context()
	mustUpdate(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, &parley.Instance{ID: "i-1"}); err != nil {
			return err
		}
		for i := range n {
			c := fmt.Sprintf("c-%d", i)
			if err := tx.InsertContact(ctx, &parley.Contact{ID: c, InstanceID: "i-1", InitialContactID: c,
				State: parley.ContactActive, InitiatedAt: time.UnixMilli(1000)}); err != nil {
				return err
			}
			for _, p := range []string{c + "-a", c + "-b"} {
				if err := tx.InsertParticipant(ctx, &parley.Participant{ID: "p-" + p[2:], ContactID: c, ChainID: c,
					State: parley.ParticipantJoined}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// message returns a BatchAppend of a message from participant to chain whose Build refuses an ended contact
// (EACCESS) and stores the participant with TimerAt set when timer is not zero.
func message(chain, participant, id, token string, timer time.Time) *parley.BatchAppend {
	return &parley.BatchAppend{ChainID: chain, ParticipantID: participant,
		Build: func(c *parley.Contact, p *parley.Participant) (*parley.Item, *parley.Participant, error) {
			if !c.Active() {
				return nil, nil, parley.Errorf(parley.EACCESS, "the chat has ended")
			}
			it := &parley.Item{ChainID: chain, ContactID: c.ID, ID: id, Type: parley.ItemMessage, Content: id,
				ParticipantID: p.ID, ClientToken: token, Time: time.UnixMilli(2000)}
			if timer.IsZero() {
				return it, nil, nil
			}
			p.TimerAt = timer
			return it, p, nil
		}}
}

// TestAppendBatch stores several items in each of several chains in one batch: each chain's Seqs follow on
// from what it held, in the batch's order; the participants Build changed are stored; Committing runs in the
// transaction, with the items and their Seqs, and sees the chains' active streams; a second batch goes on where
// the first ended; a batch that would pass MaxSeq stores nothing.
func TestAppendBatch(t *testing.T) {
	t.Parallel()
	s := openSmall(t, testDSN(t))
	ctx := t.Context()
	const chains = 5
	seedChains(t, s, chains)
	mustUpdate(t, s, func(tx parley.Tx) error {
		if err := tx.AppendItem(ctx, &parley.Item{ChainID: "c-0", ContactID: "c-0", ID: "first", Type: parley.ItemEvent}); err != nil {
			return err
		}
		return tx.InsertStream(ctx, &parley.Stream{ID: "s-1", InstanceID: "i-1", ChainID: "c-1", ContactID: "c-1",
			EndpointARN: "arn:aws:sns:us-west-2:000000000000:t", StartedAt: time.UnixMilli(1000)})
	})
	timer := time.UnixMilli(90_000)
	var appends []*parley.BatchAppend
	for round := range 3 {
		for i := range chains {
			for _, who := range []string{"a", "b"} {
				var at time.Time
				if who == "a" && round == 2 {
					at = timer
				}
				id := fmt.Sprintf("m-%d-%s-%d", i, who, round)
				appends = append(appends, message(fmt.Sprintf("c-%d", i), fmt.Sprintf("p-%d-%s", i, who), id, "message:"+id, at))
			}
		}
	}
	var streamsSeen map[string]int
	b := &parley.Batch{Appends: appends, Committing: func(ctx2 context.Context, tx parley.Tx) error {
		streamsSeen = map[string]int{}
		for _, a := range appends {
			if a.Item == nil || a.Item.Seq == 0 || a.Err != nil {
				t.Errorf("in Committing, append %s: item %+v, err %v; want its item with its Seq", a.ParticipantID, a.Item, a.Err)
			}
		}
		for i := range chains {
			c := fmt.Sprintf("c-%d", i)
			st, err := tx.ListStreams(ctx2, c, true)
			if err != nil {
				return err
			}
			streamsSeen[c] = len(st)
		}
		return tx.PutIdempotent(ctx2, "batch", "marker", nil)
	}}
	if err := s.AppendBatch(ctx, b); err != nil {
		t.Fatalf("AppendBatch: %v", err)
	}
	next := map[string]int64{"c-0": 2}
	for _, a := range appends {
		if a.Err != nil || a.Item == nil {
			t.Fatalf("append %s: item %v, err %v", a.ParticipantID, a.Item, a.Err)
		}
		if next[a.ChainID] == 0 {
			next[a.ChainID] = 1
		}
		if a.Item.Seq != next[a.ChainID] {
			t.Errorf("item %s: Seq %d, want %d", a.Item.ID, a.Item.Seq, next[a.ChainID])
		}
		next[a.ChainID]++
		got, err := s.GetItem(ctx, a.Item.ID)
		if err != nil || got.Seq != a.Item.Seq || got.ClientToken != a.Item.ClientToken {
			t.Errorf("stored item %s: %+v, %v", a.Item.ID, got, err)
		}
	}
	if streamsSeen["c-1"] != 1 || streamsSeen["c-2"] != 0 {
		t.Errorf("Committing saw active streams %v, want 1 on c-1 only", streamsSeen)
	}
	if _, err := s.Idempotent(ctx, "batch", "marker"); err != nil {
		t.Errorf("Committing's write did not commit: %v", err)
	}
	for i := range chains {
		p, err := s.GetParticipant(ctx, fmt.Sprintf("p-%d-a", i))
		if err != nil || !p.TimerAt.Equal(timer) || p.State != parley.ParticipantJoined {
			t.Errorf("participant p-%d-a: %+v, %v; want TimerAt %v", i, p, err, timer)
		}
	}

	more := message("c-0", "p-0-b", "more", "", time.Time{})
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: []*parley.BatchAppend{more}}); err != nil || more.Err != nil {
		t.Fatalf("second AppendBatch: %v, %v", err, more.Err)
	}
	if more.Item.Seq != 8 {
		t.Errorf("the second batch's item: Seq %d, want 8", more.Item.Seq)
	}

	// A batch that would pass MaxSeq stores nothing.
	full := []*parley.BatchAppend{message("c-2", "p-2-a", "over-1", "", time.Time{}),
		message("c-3", "p-3-a", "over-2", "", time.Time{})}
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: full, MaxSeq: 6}); !errors.Is(err, parley.ErrNotBatched) {
		t.Fatalf("AppendBatch past MaxSeq: %v, want ErrNotBatched", err)
	}
	for _, id := range []string{"over-1", "over-2"} {
		if _, err := s.GetItem(ctx, id); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("item %s of a batch past MaxSeq: %v, want ENOTFOUND", id, err)
		}
	}
	if last, err := s.LastSeq(ctx, "c-2"); err != nil || last != 6 {
		t.Errorf("LastSeq of c-2 after the refused batch: %d, %v; want 6", last, err)
	}
}

// TestAppendBatchConflict: an item whose ClientToken its participant used already makes the whole batch store
// nothing (ErrNotBatched: the caller stores each append on its own, where the retry finds its first item); the
// chains' Seqs are given back.
func TestAppendBatchConflict(t *testing.T) {
	t.Parallel()
	s := openSmall(t, testDSN(t))
	ctx := t.Context()
	seedChains(t, s, 2)
	first := message("c-0", "p-0-a", "first", "message:tok", time.Time{})
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: []*parley.BatchAppend{first}}); err != nil || first.Err != nil {
		t.Fatalf("AppendBatch: %v, %v", err, first.Err)
	}
	appends := []*parley.BatchAppend{
		message("c-1", "p-1-a", "other", "message:tok", time.Time{}), // the same token, another participant
		message("c-0", "p-0-a", "retry", "message:tok", time.Time{}),
	}
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: appends}); !errors.Is(err, parley.ErrNotBatched) {
		t.Fatalf("AppendBatch with a used ClientToken: %v, want ErrNotBatched", err)
	}
	for _, id := range []string{"other", "retry"} {
		if _, err := s.GetItem(ctx, id); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("item %s of the refused batch: %v, want ENOTFOUND", id, err)
		}
	}
	for chain, want := range map[string]int64{"c-0": 1, "c-1": 0} {
		if last, err := s.LastSeq(ctx, chain); err != nil || last != want {
			t.Errorf("LastSeq(%s) after the refused batch: %d, %v; want %d", chain, last, err, want)
		}
	}
	again := message("c-1", "p-1-a", "other", "message:tok", time.Time{})
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: []*parley.BatchAppend{again}}); err != nil || again.Item.Seq != 1 {
		t.Errorf("the other append on its own: %v, Seq %v", err, again.Item)
	}
}

// TestAppendBatchEnded: an append to an ended chat (Build's error), to a chain without contacts and from a
// participant who does not exist fail alone; the batch's other appends are stored.
func TestAppendBatchEnded(t *testing.T) {
	t.Parallel()
	s := openSmall(t, testDSN(t))
	ctx := t.Context()
	seedChains(t, s, 2)
	mustUpdate(t, s, func(tx parley.Tx) error {
		c, err := tx.GetContact(ctx, "c-1")
		if err != nil {
			return err
		}
		c.State, c.EndedAt = parley.ContactEnded, time.UnixMilli(1500)
		return tx.UpdateContact(ctx, c)
	})
	ok := message("c-0", "p-0-a", "ok", "message:1", time.Time{})
	ended := message("c-1", "p-1-a", "ended", "message:2", time.Time{})
	noChain := message("c-9", "p-0-a", "nochain", "message:3", time.Time{})
	noParticipant := message("c-0", "p-9", "nobody", "message:4", time.Time{})
	if err := s.AppendBatch(ctx, &parley.Batch{Appends: []*parley.BatchAppend{ended, ok, noChain, noParticipant}}); err != nil {
		t.Fatalf("AppendBatch: %v", err)
	}
	if ok.Err != nil || ok.Item == nil || ok.Item.Seq != 1 {
		t.Errorf("append to the active chat: %+v, %v; want Seq 1", ok.Item, ok.Err)
	}
	for _, c := range []struct {
		a    *parley.BatchAppend
		code parley.Code
	}{{ended, parley.EACCESS}, {noChain, parley.ENOTFOUND}, {noParticipant, parley.ENOTFOUND}} {
		if c.a.Item != nil || !parley.IsCode(c.a.Err, c.code) {
			t.Errorf("append %s: item %v, err %v; want %s", c.a.ParticipantID, c.a.Item, c.a.Err, c.code)
		}
	}
	if last, err := s.LastSeq(ctx, "c-1"); err != nil || last != 0 {
		t.Errorf("LastSeq of the ended chat: %d, %v; want 0", last, err)
	}
}

// TestAppendBatchConcurrent runs batches from two stores (two nodes) at once, each batch on the same chains in
// a shuffled order with several items per chain, while plain Updates append too: nothing deadlocks for good
// (every batch commits), and each chain's Seqs come out dense, every item once.
func TestAppendBatchConcurrent(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	nodes := [2]*postgres.Store{openSmall(t, dsn), openSmall(t, dsn)}
	ctx := t.Context()
	const chains, writers, batches, perChain = 6, 4, 15, 2
	seedChains(t, nodes[0], chains)
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := map[string][]int64{}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := nodes[w%2]
			for n := range batches {
				var appends []*parley.BatchAppend
				for _, i := range rand.Perm(chains) {
					for k := range perChain {
						id := fmt.Sprintf("w%d-b%d-c%d-%d", w, n, i, k)
						appends = append(appends, message(fmt.Sprintf("c-%d", i), fmt.Sprintf("p-%d-a", i), id, "message:"+id,
							time.UnixMilli(int64(1000*(n+1)))))
					}
				}
				if err := s.AppendBatch(ctx, &parley.Batch{Appends: appends}); err != nil {
					t.Errorf("AppendBatch: %v", err)
					return
				}
				one := &parley.Item{ChainID: "c-0", ContactID: "c-0", ID: fmt.Sprintf("w%d-u%d", w, n), Type: parley.ItemEvent}
				if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, one) }); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
				mu.Lock()
				for _, a := range appends {
					if a.Err != nil {
						t.Errorf("append %s: %v", a.ChainID, a.Err)
						continue
					}
					stored[a.ChainID] = append(stored[a.ChainID], a.Item.Seq)
				}
				stored["c-0"] = append(stored["c-0"], one.Seq)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range chains {
		c := fmt.Sprintf("c-%d", i)
		want := writers * batches * perChain
		if i == 0 {
			want += writers * batches
		}
		items, err := nodes[1].ListItems(ctx, parley.ItemQuery{ChainID: c})
		if err != nil {
			t.Fatalf("ListItems: %v", err)
		}
		if len(items) != want || len(stored[c]) != want {
			t.Errorf("chain %s holds %d items (%d reported stored), want %d", c, len(items), len(stored[c]), want)
		}
		for k, it := range items {
			if it.Seq != int64(k+1) {
				t.Fatalf("chain %s: item %d has Seq %d (a gap or a duplicate)", c, k, it.Seq)
			}
		}
	}
}
