// Package local is the in-process parley.Bus: a doorbell that rings the subscribers of a chain inside one
// process. It is the default bus (single node, SQLite); bus/nats replaces it when parley runs on several nodes.
//
// Concurrency contract. All methods are safe for concurrent use. Publish calls every subscriber of the item's
// chain synchronously, on the publisher's goroutine, one after the other, so subscribers must not block: a
// subscriber that needs to do I/O hands the item to its own goroutine (the gateway puts it in a bounded socket
// queue). Subscribers of one Publish all receive the same *parley.Item, a copy owned by the bus, and must treat
// it as read-only; they may keep it. Publish calls for different chains, and concurrent Publish calls for the
// same chain, run subscribers concurrently, in whatever order the publishers run.
//
// Subscriptions live in 64 shards chosen by a hash of the chain id. Each shard keeps, per chain, an immutable
// slice of subscribers that Subscribe and unsubscribe replace under the shard's write lock; Publish only takes
// the read lock long enough to load that slice and calls the subscribers with no lock held. So a subscriber may
// call Subscribe or unsubscribe (its own or another's) from inside its callback without deadlocking, and a slow
// subscriber never holds up Subscribe on the same shard.
//
// Subscribe is effective when it returns: every Publish that starts afterwards reaches the new subscriber.
// After unsubscribe returns, no Publish that starts afterwards calls fn; a Publish already running may still
// call it once (the gateway tolerates that; see bus/bustest).
//
// Domain events follow the same rules with one subscriber list for the whole bus: PublishEvent calls every
// event subscriber synchronously, on the publisher's goroutine, with the publisher's *parley.Event, which they
// must treat as read-only.
package local

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/parley-chat/parley"
)

var (
	_ parley.Bus          = (*Bus)(nil)
	_ parley.InProcessBus = (*Bus)(nil)
)

const shardCount = 64 // a power of two

// Bus is the in-process bus. The zero value is not usable; call New.
type Bus struct {
	seed   maphash.Seed
	closed atomic.Bool
	shards [shardCount]shard

	evMu sync.Mutex
	// evSubs is replaced, never modified in place, so PublishEvent ranges over a loaded slice with no lock.
	evSubs atomic.Pointer[[]*eventSubscriber]
}

type eventSubscriber struct {
	fn   func(*parley.Event)
	dead atomic.Bool
}

type shard struct {
	mu sync.RWMutex
	// subs maps a chain id to its subscribers. The slices are never modified in place: Subscribe and
	// unsubscribe install a new slice, so Publish can range over a loaded slice with no lock held.
	subs map[string][]*subscriber
	_    [32]byte // keep neighbouring shards' locks off one cache line
}

type subscriber struct {
	fn   func(*parley.Item)
	dead atomic.Bool // set by unsubscribe; narrows the window in which a running Publish still calls fn
}

// New returns an empty bus.
func New() *Bus {
	b := &Bus{seed: maphash.MakeSeed()}
	for i := range b.shards {
		b.shards[i].subs = make(map[string][]*subscriber)
	}
	return b
}

func (b *Bus) shard(chainID string) *shard {
	return &b.shards[maphash.String(b.seed, chainID)&(shardCount-1)]
}

// Publish calls every subscriber of it.ChainID with a read-only copy of it, synchronously. It returns an EINTERNAL
// error after Close. ctx is not used: delivery never blocks (subscribers must not block).
func (b *Bus) Publish(_ context.Context, it *parley.Item) error {
	if it == nil {
		return parley.Errorf(parley.EINVALID, "publish: nil item")
	}
	if b.closed.Load() {
		return parley.Errorf(parley.EINTERNAL, "publish: bus closed")
	}
	s := b.shard(it.ChainID)
	s.mu.RLock()
	subs := s.subs[it.ChainID]
	s.mu.RUnlock()
	if len(subs) == 0 {
		return nil
	}
	cp := it.Clone()
	for _, sub := range subs {
		if sub.dead.Load() || b.closed.Load() {
			continue
		}
		sub.fn(cp)
	}
	return nil
}

// Subscribe registers fn for the items of chainID. The subscription is effective when Subscribe returns. The
// returned function removes it; it is idempotent and may be called from inside fn. After Close, Subscribe
// registers nothing and returns a no-op.
func (b *Bus) Subscribe(chainID string, fn func(*parley.Item)) (unsubscribe func()) {
	if fn == nil {
		panic("local.Bus.Subscribe: nil fn")
	}
	if b.closed.Load() {
		return func() {}
	}
	sub := &subscriber{fn: fn}
	s := b.shard(chainID)
	s.mu.Lock()
	old := s.subs[chainID]
	next := make([]*subscriber, len(old), len(old)+1)
	copy(next, old)
	s.subs[chainID] = append(next, sub)
	s.mu.Unlock()
	return func() {
		if sub.dead.Swap(true) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		old := s.subs[chainID]
		if len(old) == 1 && old[0] == sub {
			delete(s.subs, chainID)
			return
		}
		next := make([]*subscriber, 0, len(old))
		for _, x := range old {
			if x != sub {
				next = append(next, x)
			}
		}
		s.subs[chainID] = next
	}
}

// InProcess implements parley.InProcessBus: every subscriber is in this process.
func (b *Bus) InProcess() bool { return true }

// PublishEvent calls every event subscriber with ev, synchronously. It returns an EINTERNAL error after Close.
func (b *Bus) PublishEvent(_ context.Context, ev *parley.Event) error {
	if ev == nil {
		return parley.Errorf(parley.EINVALID, "publish: nil event")
	}
	if b.closed.Load() {
		return parley.Errorf(parley.EINTERNAL, "publish: bus closed")
	}
	subs := b.evSubs.Load()
	if subs == nil {
		return nil
	}
	for _, sub := range *subs {
		if sub.dead.Load() || b.closed.Load() {
			continue
		}
		sub.fn(ev)
	}
	return nil
}

// SubscribeEvents registers fn for every domain event published from now on. The returned function removes it;
// it is idempotent and may be called from inside fn. After Close it registers nothing.
func (b *Bus) SubscribeEvents(fn func(*parley.Event)) (unsubscribe func()) {
	if fn == nil {
		panic("local.Bus.SubscribeEvents: nil fn")
	}
	if b.closed.Load() {
		return func() {}
	}
	sub := &eventSubscriber{fn: fn}
	b.evMu.Lock()
	var next []*eventSubscriber
	if old := b.evSubs.Load(); old != nil {
		next = append(next, *old...)
	}
	next = append(next, sub)
	b.evSubs.Store(&next)
	b.evMu.Unlock()
	return func() {
		if sub.dead.Swap(true) {
			return
		}
		b.evMu.Lock()
		defer b.evMu.Unlock()
		var next []*eventSubscriber
		for _, x := range *b.evSubs.Load() {
			if x != sub {
				next = append(next, x)
			}
		}
		b.evSubs.Store(&next)
	}
}

// Subscriptions returns the number of live subscriptions, for tests and metrics.
func (b *Bus) Subscriptions() int {
	n := 0
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.RLock()
		for _, subs := range s.subs {
			n += len(subs)
		}
		s.mu.RUnlock()
	}
	return n
}

// Close stops delivery: Publish calls that start afterwards fail and call no subscriber. It is idempotent.
func (b *Bus) Close() error {
	b.closed.Store(true)
	return nil
}
