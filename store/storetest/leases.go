package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// testLeaseExclusive walks one lease through its life: taken when free, refused to another owner while held,
// renewed by its owner, taken over once expired, freed by release.
func testLeaseExclusive(t *testing.T, s parley.Store) {
	ctx := t.Context()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	acquire := func(owner string, now time.Time, ttl time.Duration) (string, time.Time) {
		t.Helper()
		holder, until, err := s.AcquireLease(ctx, "routing", owner, now, now.Add(ttl))
		if err != nil {
			t.Fatalf("AcquireLease(%s): %v", owner, err)
		}
		return holder, until
	}
	if holder, until := acquire("a", t0, 10*time.Second); holder != "a" || !until.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("free lease: holder %q until %v, want a until %v", holder, until, t0.Add(10*time.Second))
	}
	if holder, until := acquire("b", t0.Add(5*time.Second), 10*time.Second); holder != "a" || !until.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("held lease taken by b: holder %q until %v, want a until %v", holder, until, t0.Add(10*time.Second))
	}
	if holder, until := acquire("a", t0.Add(8*time.Second), 10*time.Second); holder != "a" || !until.Equal(t0.Add(18*time.Second)) {
		t.Fatalf("renewal: holder %q until %v, want a until %v", holder, until, t0.Add(18*time.Second))
	}
	if holder, _ := acquire("b", t0.Add(17*time.Second), 10*time.Second); holder != "a" {
		t.Fatalf("renewed lease taken by b before it expired: holder %q", holder)
	}
	if holder, _ := acquire("b", t0.Add(18*time.Second), 10*time.Second); holder != "b" {
		t.Fatalf("expired lease not taken over: holder %q, want b", holder)
	}
	if holder, _ := acquire("other-duty-owner", t0, time.Second); holder != "b" {
		t.Fatalf("lease changed hands early: holder %q", holder)
	}
	if err := s.ReleaseLease(ctx, "routing", "a"); err != nil {
		t.Fatalf("ReleaseLease by a non-holder: %v", err)
	}
	if holder, _ := acquire("a", t0.Add(19*time.Second), 10*time.Second); holder != "b" {
		t.Fatalf("a non-holder's release freed the lease: holder %q", holder)
	}
	if err := s.ReleaseLease(ctx, "routing", "b"); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	if holder, _ := acquire("a", t0.Add(19*time.Second), 10*time.Second); holder != "a" {
		t.Fatalf("released lease: holder %q, want a", holder)
	}
	// Leases are independent of each other.
	holder, _, err := s.AcquireLease(ctx, "timers", "b", t0.Add(19*time.Second), t0.Add(29*time.Second))
	if err != nil || holder != "b" {
		t.Fatalf("a second lease: holder %q, err %v; want b", holder, err)
	}
}

// testLeaseConcurrent: many owners race for one free lease; exactly one wins and all agree who.
func testLeaseConcurrent(t *testing.T, s parley.Store) {
	ctx := t.Context()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	const n = 16
	holders := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, _, err := s.AcquireLease(ctx, "outbox", fmt.Sprintf("node-%d", i), now, now.Add(time.Minute))
			if err != nil {
				t.Errorf("AcquireLease: %v", err)
			}
			holders[i] = h
		}()
	}
	wg.Wait()
	winners := 0
	for i, h := range holders {
		if h != holders[0] {
			t.Errorf("owners disagree on the holder: %q and %q", holders[0], h)
		}
		if h == fmt.Sprintf("node-%d", i) {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d owners won the lease, want 1 (holders %v)", winners, holders)
	}
}
