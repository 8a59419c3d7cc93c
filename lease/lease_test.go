package lease_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/lease"
	"github.com/parley-chat/parley/store/sqlite"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openStore(t *testing.T) parley.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// recorder remembers the changes a holder reports.
type recorder struct {
	mu      sync.Mutex
	changes []bool
}

func (r *recorder) change(held bool) { r.mu.Lock(); r.changes = append(r.changes, held); r.mu.Unlock() }
func (r *recorder) got() []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bool(nil), r.changes...)
}

// TestTakeOver: two nodes share a store; only one holds the duty; when it stops renewing, the other takes over
// once the lease has expired, and not before; a release hands it over at once.
func TestTakeOver(t *testing.T) {
	st := openStore(t)
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	ra, rb := &recorder{}, &recorder{}
	a := lease.New(st, "routing", "node-a", clk, 15*time.Second, nil, ra.change)
	b := lease.New(st, "routing", "node-b", clk, 15*time.Second, nil, rb.change)
	ctx := t.Context()
	if !a.Try(ctx) || b.Try(ctx) {
		t.Fatalf("first attempts: a held %v, b held %v; want only a", a.Held(), b.Held())
	}
	clk.add(10 * time.Second)
	if !a.Try(ctx) { // renews until 25 s
		t.Fatal("a could not renew its lease")
	}
	clk.add(10 * time.Second) // 20 s: a's renewed lease runs to 25 s
	if b.Try(ctx) {
		t.Fatal("b took a lease a had renewed")
	}
	clk.add(5 * time.Second) // 25 s: a stopped renewing
	if a.Held() {
		t.Error("a believes it holds a lease that has run out")
	}
	if !b.Try(ctx) {
		t.Fatal("b did not take over an expired lease")
	}
	if a.Try(ctx) {
		t.Fatal("a took the lease back from b")
	}
	b.Release(ctx)
	if !a.Try(ctx) {
		t.Fatal("a did not take a released lease at once")
	}
	// a lost the lease by expiry (its Try at 25 s found b) and gained it again after b's release.
	if got, want := ra.got(), []bool{true, false, true}; !slices.Equal(got, want) {
		t.Errorf("a's changes = %v, want %v", got, want)
	}
	if got, want := rb.got(), []bool{true, false}; !slices.Equal(got, want) {
		t.Errorf("b's changes = %v, want %v", got, want)
	}
	if !a.Held() {
		t.Error("a does not hold the lease it took")
	}
}

// TestRunReleases: Run holds the lease while its ctx lives and releases it when the ctx ends.
func TestRunReleases(t *testing.T) {
	st := openStore(t)
	r := &recorder{}
	h := lease.New(st, "timers", "node-a", nil, time.Minute, nil, r.change)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !h.Held() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !h.Held() {
		t.Fatal("Run did not take a free lease")
	}
	cancel()
	<-done
	if h.Held() {
		t.Error("the lease is still held after Run returned")
	}
	now := time.Now()
	holder, _, err := st.AcquireLease(t.Context(), "timers", "node-b", now, now.Add(time.Minute))
	if err != nil || holder != "node-b" {
		t.Errorf("after Run: another node got holder %q, err %v; want the lease free", holder, err)
	}
}

// hangingLeases grants the lease once, then hangs every later call until its context ends, as a store whose
// connection stalled.
type hangingLeases struct {
	parley.Leases
	calls int
}

func (h *hangingLeases) AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (string, time.Time, error) {
	if h.calls++; h.calls == 1 {
		return owner, until, nil
	}
	<-ctx.Done()
	return "", time.Time{}, ctx.Err()
}

// TestHangingStore: a renewal against a store that hangs returns (the attempt is bounded by a third of the TTL),
// and once the lease has run out the holder no longer believes it leads.
func TestHangingStore(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := &recorder{}
	h := lease.New(&hangingLeases{}, "timers", "node-a", clk, 300*time.Millisecond, nil, r.change)
	if !h.Try(t.Context()) {
		t.Fatal("first Try did not take the lease")
	}
	clk.add(time.Second) // past the lease's end
	done := make(chan bool)
	go func() { done <- h.Try(context.Background()) }()
	select {
	case held := <-done:
		if held || h.Held() {
			t.Error("still holding a lease that ran out while the store hung")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Try against a hanging store did not return")
	}
	if got := r.got(); !slices.Equal(got, []bool{true, false}) {
		t.Errorf("changes %v, want gained then lost", got)
	}
}
