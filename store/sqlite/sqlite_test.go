package sqlite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/store/storetest"
)

// open opens a store on a new file under t.TempDir.
func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) parley.Store { return open(t) })
}

// TestOneProcess checks that a database file open in one Store cannot be opened again until that Store closes:
// the writer's cache is only right while it is the file's only writer.
func TestOneProcess(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s2, err := sqlite.Open(ctx, path, nil); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("second Open of the same file: got %v, want an error saying it is in use", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	in := &parley.Instance{ID: "i-1", Alias: "a", CreatedAt: time.UnixMilli(1700000000123)}
	c := &parley.Contact{ID: "c-1", InstanceID: "i-1", InitialContactID: "c-1", State: parley.ContactActive,
		Attributes: map[string]string{"k": "v"}}
	items := []*parley.Item{
		{ChainID: "c-1", ContactID: "c-1", ID: "m-1", Type: parley.ItemMessage, Content: "one", ParticipantID: "p-1",
			ClientToken: "message:one"},
		{ChainID: "c-1", ContactID: "c-1", ID: "m-2", Type: parley.ItemMessage, Content: "two"},
	}
	err = s.Update(ctx, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, in); err != nil {
			return err
		}
		if err := tx.InsertContact(ctx, c); err != nil {
			return err
		}
		for _, it := range items {
			if err := tx.AppendItem(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	err = s.Update(ctx, func(tx parley.Tx) error { return nil })
	if err == nil {
		t.Errorf("Update after Close: got nil error")
	}

	// Reopening the file is idempotent: the schema is not re-applied, the data is there, and appends go on from
	// the stored sequence.
	for round := range 2 {
		s, err = sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("reopen %d: %v", round, err)
		}
		got, err := s.GetContact(ctx, "c-1")
		if err != nil {
			t.Fatalf("GetContact after reopening: %v", err)
		}
		if got.Attributes["k"] != "v" {
			t.Errorf("contact attributes after reopening: got %v", got.Attributes)
		}
		if gotIn, err := s.GetInstance(ctx, "i-1"); err != nil || !gotIn.CreatedAt.Equal(in.CreatedAt) {
			t.Errorf("GetInstance after reopening: %+v, %v", gotIn, err)
		}
		// A retry of a stored request is refused after a restart too (by the index items_client_token).
		retry := &parley.Item{ChainID: "c-1", ContactID: "c-1", ID: fmt.Sprintf("retry-%d", round),
			ParticipantID: "p-1", ClientToken: "message:one"}
		err = s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, retry) })
		if !parley.IsCode(err, parley.ECONFLICT) {
			t.Errorf("AppendItem with a stored ClientToken after reopening: got %v, want ECONFLICT", err)
		}
		it := &parley.Item{ChainID: "c-1", ContactID: "c-1", ID: fmt.Sprintf("after-reopen-%d", round)}
		if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
			t.Fatalf("AppendItem after reopening: %v", err)
		}
		if want := int64(3 + round); it.Seq != want {
			t.Errorf("Seq after reopening: got %d, want %d", it.Seq, want)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "x.db?mode=ro")} {
		if s, err := sqlite.Open(t.Context(), path, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error", path)
		}
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "parley.db")
	if s, err := sqlite.Open(t.Context(), path, nil); err == nil {
		s.Close()
		t.Errorf("Open in a missing directory: got nil error")
	}
}

// TestPanicInUpdate checks that a panic in fn reaches the caller, rolls back fn's writes, and leaves the store
// usable, also when other Updates share the transaction.
func TestPanicInUpdate(t *testing.T) {
	s := open(t)
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()

	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the panic value \"boom\"", v)
			}
		}()
		s.Update(ctx, func(tx parley.Tx) error {
			if err := tx.AppendItem(ctx, &parley.Item{ChainID: "c", ID: "panicked"}); err != nil {
				return err
			}
			panic("boom")
		})
		t.Errorf("Update returned after its fn panicked")
	}()
	if _, err := s.GetItem(ctx, "panicked"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("GetItem of the panicking fn's item: got %v, want ENOTFOUND", err)
	}
	it := &parley.Item{ChainID: "c", ID: "after"}
	if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
		t.Fatalf("Update after a panic: %v", err)
	}
	if it.Seq != 1 {
		t.Errorf("Seq after a panic: got %d, want 1", it.Seq)
	}
}

// TestOpenClearsLeases: a lease left by a process that is gone (it never released it) is free at the next Open,
// not only once it runs out: the lock file proves its holder is dead.
func TestOpenClearsLeases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	ctx := t.Context()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if holder, _, err := s.AcquireLease(ctx, "outbox", "dead-node", now, now.Add(time.Hour)); err != nil || holder != "dead-node" {
		t.Fatalf("AcquireLease: %q, %v", holder, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if holder, _, err := s.AcquireLease(ctx, "outbox", "new-node", now, now.Add(time.Hour)); err != nil || holder != "new-node" {
		t.Errorf("after reopening, AcquireLease gives the lease to %q (%v), want new-node", holder, err)
	}
}
