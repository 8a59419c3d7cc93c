// Package bustest is the conformance suite every parley.Bus implementation runs (bus/local always, bus/nats when
// a server is reachable). Call Run from a test of the implementation's package.
//
// The suite pins down what the gateway relies on:
//
//   - Subscribe is effective when it returns: an item published afterwards reaches fn.
//   - Every subscriber of a chain receives every item published on it, exactly once; subscribers of other
//     chains receive none of them.
//   - Items arrive with all their fields (a bus that serializes must round-trip them).
//   - After unsubscribe returns, items published afterwards do not reach fn; unsubscribe is idempotent and may
//     be called from inside fn.
//   - Publish, Subscribe and unsubscribe are safe for concurrent use (run the suite with -race).
//   - Every event subscriber receives every domain event once, in the order one publisher published them, with
//     all its fields; unsubscribe (idempotent, callable inside fn) stops delivery.
//
// Delivery may be asynchronous and may reorder items of a chain; the suite only waits for deliveries (with a
// deadline), it never asserts timing. The suite's own helpers are safe for concurrent use.
package bustest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// waitLimit bounds how long the suite waits for a delivery before it reports it missing. It is a deadline for
// a failure message, not a speed assertion: a correct bus delivers in microseconds.
const waitLimit = 10 * time.Second

// Run runs the conformance suite. newBus returns a fresh, empty bus for each subtest; Run closes it.
func Run(t *testing.T, newBus func(t *testing.T) parley.Bus) {
	t.Helper()
	open := func(t *testing.T) parley.Bus {
		t.Helper()
		b := newBus(t)
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	t.Run("DeliversToAllSubscribersOfChain", func(t *testing.T) { testDeliversToAll(t, open(t)) })
	t.Run("NotToOtherChains", func(t *testing.T) { testNotOtherChains(t, open(t)) })
	t.Run("FieldsRoundTrip", func(t *testing.T) { testFields(t, open(t)) })
	t.Run("UnsubscribeStopsDelivery", func(t *testing.T) { testUnsubscribe(t, open(t)) })
	t.Run("UnsubscribeInsideCallback", func(t *testing.T) { testUnsubscribeInside(t, open(t)) })
	t.Run("ConcurrentPublishSubscribe", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("Events/DeliveredInOrder", func(t *testing.T) { testEventsInOrder(t, open(t)) })
	t.Run("Events/FieldsRoundTrip", func(t *testing.T) { testEventFields(t, open(t)) })
	t.Run("Events/Unsubscribe", func(t *testing.T) { testEventsUnsubscribe(t, open(t)) })
}

// recorder collects the items one subscriber receives.
type recorder struct {
	mu    sync.Mutex
	items []*parley.Item
	seen  map[string]int // item id → times received
	wake  chan struct{}  // closed and replaced on every delivery
}

func newRecorder() *recorder {
	return &recorder{seen: make(map[string]int), wake: make(chan struct{})}
}

func (r *recorder) fn(it *parley.Item) {
	r.mu.Lock()
	r.items = append(r.items, it)
	r.seen[it.ID]++
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// waitFor waits until cond holds over the recorder's state, or fails after waitLimit.
func (r *recorder) waitFor(t *testing.T, what string, cond func(seen map[string]int) bool) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond(r.seen)
		wake := r.wake
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("waiting for %s: gave up after %v; received %v", what, waitLimit, r.seen)
		}
	}
}

func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[id]
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}

func item(chain string, seq int64) *parley.Item {
	return &parley.Item{
		ChainID:     chain,
		ContactID:   chain,
		Seq:         seq,
		ID:          fmt.Sprintf("%s-item-%d", chain, seq),
		Type:        parley.ItemMessage,
		ContentType: "text/plain",
		Content:     fmt.Sprintf("message %d", seq),
		Role:        parley.RoleCustomer,
		Time:        time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
	}
}

func publish(t *testing.T, b parley.Bus, it *parley.Item) {
	t.Helper()
	if err := b.Publish(context.Background(), it); err != nil {
		t.Fatalf("Publish(%s): %v", it.ID, err)
	}
}

func hasAll(ids ...string) func(map[string]int) bool {
	return func(seen map[string]int) bool {
		for _, id := range ids {
			if seen[id] == 0 {
				return false
			}
		}
		return true
	}
}

func testDeliversToAll(t *testing.T, b parley.Bus) {
	const n = 20
	recs := []*recorder{newRecorder(), newRecorder(), newRecorder()}
	for _, r := range recs {
		unsub := b.Subscribe("chain-a", r.fn)
		t.Cleanup(unsub)
	}
	var ids []string
	for seq := int64(1); seq <= n; seq++ {
		it := item("chain-a", seq)
		ids = append(ids, it.ID)
		publish(t, b, it)
	}
	for i, r := range recs {
		r.waitFor(t, fmt.Sprintf("subscriber %d to receive %d items", i, n), hasAll(ids...))
	}
	// Publish a last item and wait for it, so that duplicates of the earlier ones would have arrived.
	last := item("chain-a", n+1)
	publish(t, b, last)
	for i, r := range recs {
		r.waitFor(t, "the last item", hasAll(last.ID))
		for _, id := range ids {
			if got := r.count(id); got != 1 {
				t.Errorf("subscriber %d received %s %d times, want 1", i, id, got)
			}
		}
	}
}

func testNotOtherChains(t *testing.T, b parley.Bus) {
	a, other := newRecorder(), newRecorder()
	t.Cleanup(b.Subscribe("chain-a", a.fn))
	t.Cleanup(b.Subscribe("chain-b", other.fn))
	for seq := int64(1); seq <= 5; seq++ {
		publish(t, b, item("chain-a", seq))
	}
	// A marker on chain-b, published after chain-a's items: once it arrives, any misrouted chain-a item
	// would have arrived too.
	marker := item("chain-b", 1)
	publish(t, b, marker)
	other.waitFor(t, "the chain-b marker", hasAll(marker.ID))
	a.waitFor(t, "chain-a's items", hasAll("chain-a-item-5"))
	if got := other.total(); got != 1 {
		t.Errorf("chain-b subscriber received %d items, want only its marker: %v", got, other.seen)
	}
	if got := a.count(marker.ID); got != 0 {
		t.Errorf("chain-a subscriber received chain-b's marker")
	}
}

func testFields(t *testing.T, b parley.Bus) {
	r := newRecorder()
	t.Cleanup(b.Subscribe("chain-f", r.fn))
	want := &parley.Item{
		ChainID: "chain-f", ContactID: "contact-2", Seq: 42, ID: "item-42", Type: parley.ItemAttachment,
		ContentType: "application/pdf", Content: "", ParticipantID: "p-1", DisplayName: "Ann",
		Role: parley.RoleAgent, Time: time.Date(2026, 5, 6, 7, 8, 9, 123_000_000, time.UTC),
		ClientToken: "tok", Recipient: "p-2", Transient: true,
		Attachments: []parley.Attachment{{ID: "att-1", Name: "a.pdf", ContentType: "application/pdf", Status: "APPROVED"}},
		Receipt: &parley.Receipt{MessageID: "item-1", MessageSeq: 1, Recipient: "p-2",
			DeliveredAt: time.Date(2026, 5, 6, 7, 8, 10, 0, time.UTC)},
	}
	publish(t, b, want)
	r.waitFor(t, "the item", hasAll(want.ID))
	r.mu.Lock()
	got := *r.items[0]
	r.mu.Unlock()
	if !got.Time.Equal(want.Time) {
		t.Errorf("Time = %v, want %v", got.Time, want.Time)
	}
	if got.Receipt == nil || !got.Receipt.DeliveredAt.Equal(want.Receipt.DeliveredAt) {
		t.Errorf("Receipt = %+v, want %+v", got.Receipt, want.Receipt)
	}
	// Times compared above; compare the rest structurally.
	w := *want
	w.Time, got.Time = time.Time{}, time.Time{}
	if got.Receipt != nil {
		gr, wr := *got.Receipt, *w.Receipt
		gr.DeliveredAt, wr.DeliveredAt = time.Time{}, time.Time{}
		got.Receipt, w.Receipt = &gr, &wr
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("item changed in transit:\n got %+v\nwant %+v", got, w)
	}
}

func testUnsubscribe(t *testing.T, b parley.Bus) {
	gone, stays := newRecorder(), newRecorder()
	unsub := b.Subscribe("chain-u", gone.fn)
	t.Cleanup(b.Subscribe("chain-u", stays.fn))
	first := item("chain-u", 1)
	publish(t, b, first)
	gone.waitFor(t, "the first item", hasAll(first.ID))
	stays.waitFor(t, "the first item", hasAll(first.ID))

	unsub()
	unsub() // idempotent
	for seq := int64(2); seq <= 4; seq++ {
		publish(t, b, item("chain-u", seq))
	}
	stays.waitFor(t, "items published after the other's unsubscribe", hasAll("chain-u-item-4"))
	if got := gone.total(); got != 1 {
		t.Errorf("unsubscribed subscriber received %d items, want only the one before unsubscribe: %v", got, gone.seen)
	}
}

func testUnsubscribeInside(t *testing.T, b parley.Bus) {
	var (
		mu    sync.Mutex
		unsub func()
		calls int
	)
	stays := newRecorder()
	t.Cleanup(b.Subscribe("chain-i", stays.fn))
	unsubscribed := make(chan struct{}, 1)
	mu.Lock()
	unsub = b.Subscribe("chain-i", func(*parley.Item) {
		mu.Lock()
		calls++
		u := unsub
		mu.Unlock()
		u() // must not deadlock
		select {
		case unsubscribed <- struct{}{}:
		default:
		}
	})
	mu.Unlock()
	publish(t, b, item("chain-i", 1))
	stays.waitFor(t, "the first item", hasAll("chain-i-item-1"))
	select {
	case <-unsubscribed:
	case <-time.After(waitLimit):
		t.Fatalf("the callback did not return from unsubscribe within %v (deadlock?)", waitLimit)
	}
	publish(t, b, item("chain-i", 2))
	stays.waitFor(t, "the second item", hasAll("chain-i-item-2"))
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("self-unsubscribing callback ran %d times, want 1", calls)
	}
}

func testConcurrent(t *testing.T, b parley.Bus) {
	const (
		chains     = 8
		perChain   = 100
		publishers = 4
		churners   = 4
	)
	// One long-lived subscriber per chain, subscribed before anything is published: it must see every item.
	recs := make([]*recorder, chains)
	for c := range recs {
		recs[c] = newRecorder()
		t.Cleanup(b.Subscribe(fmt.Sprintf("chain-%d", c), recs[c].fn))
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	for w := range churners {
		churn.Add(1)
		go func() {
			defer churn.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				unsub := b.Subscribe(fmt.Sprintf("chain-%d", (w+i)%chains), func(*parley.Item) {})
				unsub()
			}
		}()
	}
	var pubs sync.WaitGroup
	errs := make(chan error, publishers)
	for p := range publishers {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			// Publisher p publishes the items whose seq ≡ p (mod publishers), so items of a chain are
			// published concurrently and out of order.
			for seq := int64(1 + p); seq <= perChain; seq += publishers {
				for c := range chains {
					if err := b.Publish(context.Background(), item(fmt.Sprintf("chain-%d", c), seq)); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	pubs.Wait()
	close(stop)
	churn.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Publish: %v", err)
	}
	for c, r := range recs {
		chain := fmt.Sprintf("chain-%d", c)
		var ids []string
		for seq := int64(1); seq <= perChain; seq++ {
			ids = append(ids, fmt.Sprintf("%s-item-%d", chain, seq))
		}
		r.waitFor(t, chain+"'s items", hasAll(ids...))
		if got := r.total(); got != perChain {
			t.Errorf("%s subscriber received %d items, want %d (no duplicates, nothing from other chains)", chain, got, perChain)
		}
	}
}
