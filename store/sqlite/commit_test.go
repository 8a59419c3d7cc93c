package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
)

// openInternal opens a store on a new file under t.TempDir.
func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// TestGroupCommitIsolation checks that in a batch the failing fns lose only their own writes: many Updates are
// queued behind a blocked one so that they share one transaction.
func TestGroupCommitIsolation(t *testing.T) {
	s := openInternal(t)
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()

	started, release := make(chan struct{}), make(chan struct{})
	blockerDone := make(chan error, 1)
	go func() {
		blockerDone <- s.Update(ctx, func(tx parley.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started

	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx parley.Tx) error {
				it := &parley.Item{ChainID: "c", ID: fmt.Sprintf("item-%d", i), ClientToken: "tok", ParticipantID: "p"}
				if i%2 == 1 {
					// Every odd fn conflicts with whichever item took the token first, or fails outright.
					it.ParticipantID = "q"
				}
				if err := tx.AppendItem(ctx, it); err != nil {
					return err
				}
				if i%4 == 0 && i > 0 {
					return fmt.Errorf("fn %d fails", i)
				}
				return nil
			})
		}()
	}
	// Wait until all n are queued behind the blocker, so that they form one batch when it is released.
	for len(s.reqs) < n {
		runtime.Gosched()
	}
	before := s.Stats()
	close(release)
	wg.Wait()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocking Update: %v", err)
	}
	if got, want := s.Stats(), (Stats{Batches: before.Batches + 1, Updates: before.Updates + n}); got != want {
		t.Errorf("Stats after the queued Updates: got %+v, want %+v (one batch of %d)", got, want, n)
	}

	// Participant p (even i) and q (odd i) each have one successful item with the token, except that fns with
	// i%4 == 0 (i > 0) roll back their own item and so do not hold the token.
	var okP, okQ int
	for i, err := range errs {
		switch {
		case err == nil && i%2 == 0:
			okP++
		case err == nil:
			okQ++
		case i%4 == 0 && i > 0 && err.Error() == fmt.Sprintf("fn %d fails", i):
		case parley.IsCode(err, parley.ECONFLICT):
		default:
			t.Errorf("Update %d: unexpected error %v", i, err)
		}
	}
	if okP != 1 || okQ != 1 {
		t.Errorf("successful Updates: %d for p and %d for q, want 1 each", okP, okQ)
	}
	items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Seq != 1 || items[1].Seq != 2 {
		t.Errorf("items: got %d (%+v), want Seqs 1 and 2", len(items), items)
	}
}

// TestCanceledWhileQueued checks that an Update whose context ends while it waits behind a long batch returns
// the context's error and never runs its fn.
func TestCanceledWhileQueued(t *testing.T) {
	s := openInternal(t)
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()

	started, release := make(chan struct{}), make(chan struct{})
	blockerDone := make(chan error, 1)
	go func() {
		blockerDone <- s.Update(ctx, func(tx parley.Tx) error {
			close(started)
			<-release
			return tx.AppendItem(ctx, &parley.Item{ChainID: "c", ID: "blocker"})
		})
	}()
	<-started

	qctx, cancel := context.WithCancel(ctx)
	ran := make(chan struct{}, 1)
	queuedDone := make(chan error, 1)
	go func() {
		queuedDone <- s.Update(qctx, func(tx parley.Tx) error {
			ran <- struct{}{}
			return tx.AppendItem(ctx, &parley.Item{ChainID: "c", ID: "canceled"})
		})
	}()
	for len(s.reqs) < 1 { // queued behind the blocker
		runtime.Gosched()
	}
	cancel()
	if err := <-queuedDone; !errors.Is(err, context.Canceled) {
		t.Errorf("queued Update after cancel: got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocking Update: %v", err)
	}
	select {
	case <-ran:
		t.Errorf("the canceled Update's fn ran")
	default:
	}
	if _, err := s.GetItem(ctx, "canceled"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("GetItem of the canceled Update's item: got %v, want ENOTFOUND", err)
	}
	if n, err := s.LastSeq(ctx, "c"); err != nil || n != 1 {
		t.Errorf("LastSeq: got %d, %v, want 1", n, err)
	}
}

// TestSchemaVersion checks that Open records the schema version, leaves it alone on reopening, and refuses a
// database written by a newer program.
func TestSchemaVersion(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	version := func(s *Store) int {
		t.Helper()
		var v int
		if err := s.readDB.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v); err != nil {
			t.Fatalf("read schema_version: %v", err)
		}
		return v
	}
	for range 2 {
		s, err := Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if got := version(s); got != len(ms) {
			t.Errorf("schema version: got %d, want %d", got, len(ms))
		}
		s.Close()
	}

	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Update(ctx, func(ptx parley.Tx) error {
		_, err := ptx.(*tx).q.exec(ctx, "UPDATE schema_version SET version = 99")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, path, nil); err == nil {
		s.Close()
		t.Errorf("Open of a database with a newer schema: got nil error")
	}
}
