// Package nats is the parley.Bus for several nodes: it rings the subscribers of a chain on every node through a
// NATS server (core NATS; JetStream is not needed). Like bus/local it is a doorbell, not a store (DESIGN §3.1):
// the store has every item before it is published, and a subscriber that sees a gap in Seq reads the store.
//
// Subjects. Items of a chain go to "<prefix>.item.<token>", where the token is the chain id itself when it is a
// UUID-like id and a hash of it otherwise (see token); domain events go to "<prefix>.event". Several clusters
// can share one NATS server with different prefixes. A node subscribes only to the chains its own subscribers
// ask for, so it receives only what its sockets need.
//
// Concurrency contract. All methods are safe for concurrent use. The local subscribers of a chain share one NATS
// subscription, created by the first of them and removed with the last: 20,000 sockets on 10,000 chains cost
// 10,000 NATS subscriptions. Each NATS subscription has its own delivery goroutine in the NATS client (about
// 4 KiB of stack and heap per chain while idle), which decodes a message once and calls that chain's
// subscribers one after the other with the same *parley.Item; they must treat it as read-only and must not
// block, as with bus/local. A subscriber that blocks anyway delays only the subscribers of its own chain on this
// node: other chains keep their own goroutines. If a chain's subscription falls 1,024 messages or 4 MiB behind,
// the NATS client drops that chain's messages (a "slow consumer", logged); its subscribers see a gap in Seq and
// read the store. Items of a chain published from one node arrive in the order published; items published from
// different nodes arrive in any order.
//
// Subscribe is effective when it returns: the first subscriber of a chain subscribes and waits for the server's
// answer to a PING (a flush) before returning, and later subscribers of the chain wait for that too. After
// unsubscribe returns, no message that arrives afterwards calls fn; a delivery already running may call it once
// more. unsubscribe is idempotent and may be called from inside fn. While the server is unreachable Subscribe
// does not wait: the client sends the subscription when it reconnects.
//
// Events have one NATS subscription per node, shared in the same way by every event subscriber, so the events of
// one publisher (one Bus) arrive in the order published.
//
// Own publications. The connection is made with NoEcho: the server never sends a node what the node itself
// published, and Publish and PublishEvent hand it to this node's own subscribers in process instead, saving the
// round trip through the server and a decode (an item goes as a copy, an event is decoded once from the bytes
// sent). Only this Bus's own connection is affected: another Bus, even in the same process, is another node and
// hears everything through the server. The local subscribers of a key (a chain, or the events) have a local
// queue, drained by a goroutine that runs only while the queue is not empty, so Publish never calls a subscriber
// and never waits for one. The queue is FIFO with one drainer, so a node's own items of a chain (and its own
// events) reach its subscribers in the order published; relative to what other nodes publish they arrive in any
// order, as before. It has the pending limits of the key's NATS subscription (1,024 messages or 4 MiB for a
// chain): a subscriber that blocks stalls only its own key's local queue, and what goes beyond the limit is
// dropped and logged ("slow consumer"); its subscribers see a gap in Seq and read the store. Local delivery does
// not depend on the server: during an outage a node's own sockets still hear its own publications.
//
// Outages. Publish never waits for subscribers: the NATS client buffers the message and a flusher goroutine
// writes it. While the server is unreachable the client reconnects forever and buffers up to 1 MiB of messages;
// beyond that Publish fails at once (what was buffered is sent after the reconnect, late; the gateway skips what
// it has already read from the store by Seq). A write to a server that stopped reading fails after two seconds and the
// client reconnects, so Publish never blocks for long. After a reconnect the client restores every
// subscription by itself, but items published while this node was disconnected never reach it: a socket
// notices them at its next item, as a gap in Seq that the gateway reads from the store, or when its client
// resumes from the transcript. Options.OnReconnect tells the owner that a reconnect happened, so it can read
// what its sockets missed without waiting for a next item. Healthy and Status report the connection for
// /healthz.
package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	neturl "net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parley-chat/parley"
)

var _ parley.Bus = (*Bus)(nil)

const (
	// DefaultPrefix is the subject prefix when Options.Prefix is empty.
	DefaultPrefix = "parley"

	// flushTimeout bounds how long Subscribe waits for the server to confirm a new subscription. When it
	// passes, the subscription is still in place and becomes effective when the server answers.
	flushTimeout = 5 * time.Second
	// writeTimeout bounds a write to the server's socket (a flush of the client's buffer, which Publish may do
	// when the buffer is full): a server that stops reading makes the client reconnect instead of blocking
	// publishers.
	writeTimeout = 2 * time.Second
	// reconnectBuffer is how much the client buffers while disconnected; beyond it Publish fails at once.
	reconnectBuffer = 1 << 20
	reconnectWait   = time.Second
	// pingInterval and maxPingsOut detect a server that vanished without closing the connection.
	pingInterval = 10 * time.Second
	maxPingsOut  = 2
	// drainTimeout bounds Close.
	drainTimeout = 5 * time.Second

	// A chain subscription's pending limits: far above what a subscriber that does not block ever queues, and
	// small enough that 10,000 chains cannot pin much memory behind a stuck subscriber.
	chainPendingMsgs  = 1024
	chainPendingBytes = 4 << 20
)

// Options configures a Bus. The zero value works.
type Options struct {
	// Prefix is the first part of every subject (one or more dot-separated tokens, no wildcards), so several
	// clusters can share one NATS server. Default DefaultPrefix.
	Prefix string
	// Log receives connection changes and delivery problems. Default slog.Default().
	Log *slog.Logger
	// Name is the connection's name in the server's monitoring. Default "parley".
	Name string
	// OnReconnect, if set, is called after the connection to the server is re-established and the
	// subscriptions are restored. Items published while the node was disconnected did not reach it; the owner
	// may read them from the store now instead of waiting for the next item of each chain. It runs on the NATS
	// client's callback goroutine and must not block for long.
	OnReconnect func()
	// ClientOptions are more options for the NATS client (TLS, credentials, nkeys: whatever the server
	// requires), applied after the bus's own. They must not replace the bus's connection handlers.
	ClientOptions []natsgo.Option
}

// Bus is the NATS bus. The zero value is not usable; call New.
type Bus struct {
	nc     *natsgo.Conn
	log    *slog.Logger
	prefix string
	closed atomic.Bool
	// gone is closed when the connection is closed for good (after Close drained it).
	gone chan struct{}

	items  *registry[parley.Item]
	events *registry[parley.Event]

	// drainers counts the running local-queue drainers, which Close waits for. dmu orders starting one against
	// Close: a drainer starts only under dmu while the bus is open, and Close sets closed under dmu.
	dmu      sync.Mutex
	drainers sync.WaitGroup
}

// New connects to the NATS server(s) at url (a comma-separated list is allowed). It waits for the first
// connection until ctx is done, retrying meanwhile; after that, the client reconnects by itself forever. It
// returns an EINVALID error if opts.Prefix is not a literal subject.
func New(ctx context.Context, url string, opts Options) (*Bus, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if !validPrefix(opts.Prefix) {
		return nil, parley.Invalid("Prefix", "bus/nats: prefix %q is not a NATS subject without wildcards", opts.Prefix)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Name == "" {
		opts.Name = "parley"
	}
	b := &Bus{log: opts.Log, prefix: opts.Prefix, gone: make(chan struct{})}
	b.items = newRegistry[parley.Item](b, chainPendingMsgs, chainPendingBytes)
	b.events = newRegistry[parley.Event](b, natsgo.DefaultSubPendingMsgsLimit, natsgo.DefaultSubPendingBytesLimit)

	connected := make(chan struct{})
	var once sync.Once
	nopts := []natsgo.Option{
		natsgo.Name(opts.Name),
		natsgo.RetryOnFailedConnect(true),
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(reconnectWait),
		natsgo.ReconnectBufSize(reconnectBuffer),
		natsgo.FlusherTimeout(writeTimeout),
		natsgo.PingInterval(pingInterval),
		natsgo.MaxPingsOutstanding(maxPingsOut),
		natsgo.DrainTimeout(drainTimeout),
		// This node's own publications reach its subscribers through the local queues (see the package doc).
		natsgo.NoEcho(),
		natsgo.ConnectHandler(func(nc *natsgo.Conn) {
			once.Do(func() { close(connected) })
			b.log.Info("bus/nats: connected", "url", nc.ConnectedUrlRedacted())
		}),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if !b.closed.Load() {
				b.log.Warn("bus/nats: disconnected; reconnecting", "err", err)
			}
		}),
		natsgo.ReconnectHandler(func(nc *natsgo.Conn) {
			b.log.Info("bus/nats: reconnected", "url", nc.ConnectedUrlRedacted())
			if opts.OnReconnect != nil {
				opts.OnReconnect()
			}
		}),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(b.gone) }),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
			if sub != nil {
				// The client reports a slow consumer once per episode, not once per dropped message.
				b.log.Warn("bus/nats: subscription error; its subscribers read the gap from the store",
					"subject", sub.Subject, "err", err)
				return
			}
			b.log.Warn("bus/nats: connection error", "err", err)
		}),
	}
	nc, err := natsgo.Connect(url, append(nopts, opts.ClientOptions...)...)
	if err != nil {
		return nil, parley.Internal(fmt.Errorf("bus/nats: connect %s: %w", redact(url), err))
	}
	b.nc = nc
	select {
	case <-connected:
		return b, nil
	case <-ctx.Done():
		b.closed.Store(true)
		nc.Close()
		return nil, parley.Internal(fmt.Errorf("bus/nats: connect %s: %w", redact(url), ctx.Err()))
	}
}

// redact hides the passwords of a comma-separated list of server URLs, for errors.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if u, err := neturl.Parse(strings.TrimSpace(p)); err == nil {
			parts[i] = u.Redacted()
		} else {
			parts[i] = "(unparsable URL)"
		}
	}
	return strings.Join(parts, ",")
}

func (b *Bus) itemSubject(chainID string) string { return b.prefix + ".item." + token(chainID) }

func (b *Bus) eventSubject() string { return b.prefix + ".event" }

// Publish sends it to the subscribers of its chain on every node: through the server to the other nodes, and
// through the chain's local queue to this node's own (a copy of it, so the caller may reuse it). It does not wait
// for them; it returns an EINTERNAL error if the bus is closed, if the encoded item exceeds the server's
// max_payload (1 MiB by default), or if the server is unreachable and the reconnect buffer is full (the store has
// the item: other nodes' subscribers will read it from there; this node's own have it queued all the same). ctx
// is not used: Publish never blocks for long.
func (b *Bus) Publish(_ context.Context, it *parley.Item) error {
	if it == nil {
		return parley.Errorf(parley.EINVALID, "publish: nil item")
	}
	if b.closed.Load() {
		return parley.Errorf(parley.EINTERNAL, "publish: bus closed")
	}
	data, err := json.Marshal(it)
	if err != nil {
		return parley.Internal(fmt.Errorf("bus/nats: encode item %s: %w", it.ID, err))
	}
	if g := b.items.local(it.ChainID); g != nil {
		g.enqueue(localMsg[parley.Item]{v: it.Clone(), size: len(data)})
	}
	if err := b.nc.Publish(b.itemSubject(it.ChainID), data); err != nil {
		return parley.Internal(fmt.Errorf("bus/nats: publish item %s of chain %s: %w", it.ID, it.ChainID, err))
	}
	return nil
}

// Subscribe registers fn for the items of chainID, on this node. It is effective when it returns, unless the
// server is unreachable at the time: then the client subscribes when it reconnects. The returned function
// removes fn; it is idempotent and may be called from inside fn. After Close, Subscribe registers nothing and
// returns a no-op.
func (b *Bus) Subscribe(chainID string, fn func(*parley.Item)) (unsubscribe func()) {
	if fn == nil {
		panic("nats.Bus.Subscribe: nil fn")
	}
	return b.items.subscribe(chainID, b.itemSubject(chainID), fn)
}

// PublishEvent sends ev to every event subscriber on every node, under the same rules as Publish. ev.Value
// must be nil (EINVALID otherwise): this bus is not in-process, so payloads travel in ev.Data.
func (b *Bus) PublishEvent(_ context.Context, ev *parley.Event) error {
	if ev == nil {
		return parley.Errorf(parley.EINVALID, "publish: nil event")
	}
	if ev.Value != nil {
		return parley.Errorf(parley.EINVALID, "publish: event %s has a Value; a networked bus carries Data", ev.Kind)
	}
	if b.closed.Load() {
		return parley.Errorf(parley.EINTERNAL, "publish: bus closed")
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return parley.Internal(fmt.Errorf("bus/nats: encode event %s: %w", ev.Kind, err))
	}
	if g := b.events.local(""); g != nil {
		// Decoded by the drainer, as a NATS delivery is: the subscribers get their own copy of the contact or
		// user the event carries, which the publisher may change once PublishEvent returns.
		g.enqueue(localMsg[parley.Event]{data: data, size: len(data)})
	}
	if err := b.nc.Publish(b.eventSubject(), data); err != nil {
		return parley.Internal(fmt.Errorf("bus/nats: publish event %s: %w", ev.Kind, err))
	}
	return nil
}

// SubscribeEvents registers fn for every domain event published from now on, by any node. The returned
// function removes it; it is idempotent and may be called from inside fn. After Close it registers nothing.
func (b *Bus) SubscribeEvents(fn func(*parley.Event)) (unsubscribe func()) {
	if fn == nil {
		panic("nats.Bus.SubscribeEvents: nil fn")
	}
	return b.events.subscribe("", b.eventSubject(), fn)
}

// Healthy returns nil while the bus is connected to a server, and an error saying why not otherwise (for
// /healthz: a disconnected node still serves requests, but its sockets miss other nodes' items until it
// reconnects).
func (b *Bus) Healthy() error {
	if st := b.nc.Status(); st != natsgo.CONNECTED {
		return fmt.Errorf("bus/nats: %s", st)
	}
	return nil
}

// Status returns the connection's state: CONNECTED, RECONNECTING, CONNECTING, DRAINING_SUBS, DRAINING_PUBS or
// CLOSED.
func (b *Bus) Status() string { return b.nc.Status().String() }

// Chains returns the number of chains this node subscribes to (its NATS subscriptions for items).
func (b *Bus) Chains() int { return b.items.topics() }

// Subscriptions returns the number of local item subscribers, for tests and metrics.
func (b *Bus) Subscriptions() int { return b.items.subscribers() }

// Close stops delivery to local subscribers at once, then drains the connection: messages this node published
// reach the server before the connection closes. It waits for that, and for the local queues' drainers to end,
// at most a few seconds each, and is idempotent.
func (b *Bus) Close() error {
	// Under dmu: no drainer starts from now on; the running ones call no subscriber any more and end with their
	// queue.
	b.dmu.Lock()
	already := b.closed.Swap(true)
	b.dmu.Unlock()
	if already {
		<-b.gone
		return nil
	}
	waitDrainers := make(chan struct{})
	go func() {
		b.drainers.Wait()
		close(waitDrainers)
	}()
	err := b.nc.Drain()
	if errors.Is(err, natsgo.ErrConnectionReconnecting) || errors.Is(err, natsgo.ErrConnectionClosed) {
		// Nothing to drain: Drain closed the connection (or it was closed already).
		err = nil
	}
	timer := time.NewTimer(drainTimeout + time.Second)
	defer timer.Stop()
	select {
	case <-b.gone:
	case <-timer.C:
		b.nc.Close()
		<-b.gone
	}
	select {
	case <-waitDrainers:
	case <-time.After(drainTimeout):
		// A subscriber broke its contract and blocks; its drainer ends when it returns.
		b.log.Warn("bus/nats: close: a local subscriber is still blocked")
	}
	if err != nil {
		return parley.Internal(fmt.Errorf("bus/nats: close: %w", err))
	}
	return nil
}

const shardCount = 64 // a power of two

// registry keeps the local subscribers of each key (a chain id, or "" for events), each key's group sharing one
// NATS subscription. It is sharded by a hash of the key, like bus/local, so that subscribing on one chain does
// not contend with the others.
//
// Lock order: shard lock → group lock, and the group lock is taken under the shard lock only by the subscriber
// that creates the group (so it never waits there). Every wait for a group lock, and the network round trip
// made under it, happens with no shard lock held. No lock is held while subscribers are called.
type registry[T any] struct {
	b         *Bus
	seed      maphash.Seed
	pendMsgs  int
	pendBytes int
	shards    [shardCount]regShard[T]
}

type regShard[T any] struct {
	mu     sync.Mutex
	groups map[string]*group[T]
	_      [40]byte // keep neighbouring shards' locks off one cache line
}

// group is one key's local subscribers and their NATS subscription. A group is in its shard's map exactly while
// it has subscribers: the last unsubscribe removes it, and a later Subscribe makes a new one.
type group[T any] struct {
	r *registry[T]
	// subs is replaced under the shard lock, never modified in place, so deliver ranges over a loaded slice
	// with no lock held (and a subscriber may unsubscribe from inside its callback).
	subs atomic.Pointer[[]*subscriber[T]]
	// mu is held while the NATS subscription is made, so that later subscribers can wait until it is effective,
	// and the last unsubscribe removes the subscription only once it exists.
	mu   sync.Mutex
	nsub *natsgo.Subscription // guarded by mu

	// The local queue: this node's own publications for the key, waiting for the drainer (see the package doc).
	lmu       sync.Mutex
	pending   []localMsg[T] // guarded by lmu
	pendBytes int           // guarded by lmu
	draining  bool          // guarded by lmu: a drainer runs and will take what is pending
	dropping  bool          // guarded by lmu: over the limit since the last drain (logged once)
}

// localMsg is one of this node's own publications in a local queue: the value itself (an item's copy) or the
// bytes to decode it from (an event), and its encoded size for the pending limit.
type localMsg[T any] struct {
	v    *T
	data []byte
	size int
}

type subscriber[T any] struct {
	fn   func(*T)
	dead atomic.Bool // set by unsubscribe; narrows the window in which a running delivery still calls fn
}

func newRegistry[T any](b *Bus, pendMsgs, pendBytes int) *registry[T] {
	r := &registry[T]{b: b, seed: maphash.MakeSeed(), pendMsgs: pendMsgs, pendBytes: pendBytes}
	for i := range r.shards {
		r.shards[i].groups = make(map[string]*group[T])
	}
	return r
}

func (r *registry[T]) shard(key string) *regShard[T] {
	return &r.shards[maphash.String(r.seed, key)&(shardCount-1)]
}

func (r *registry[T]) subscribe(key, subject string, fn func(*T)) (unsubscribe func()) {
	if r.b.closed.Load() {
		return func() {}
	}
	sub := &subscriber[T]{fn: fn}
	s := r.shard(key)
	s.mu.Lock()
	g := s.groups[key]
	first := g == nil
	if first {
		g = &group[T]{r: r}
		g.subs.Store(&[]*subscriber[T]{})
		// Held until the NATS subscription is effective; taken before the group is visible, so that every
		// later subscriber of the key waits for it.
		g.mu.Lock()
		s.groups[key] = g
	}
	old := *g.subs.Load()
	next := make([]*subscriber[T], len(old), len(old)+1)
	copy(next, old)
	next = append(next, sub)
	g.subs.Store(&next)
	s.mu.Unlock()

	if first {
		// The network round trip happens with only this group's lock held: other keys of the shard go on.
		g.nsub = r.natsSubscribe(subject, g.deliver)
		g.mu.Unlock()
	} else {
		g.mu.Lock() // wait until the first subscriber's NATS subscription is effective
		g.mu.Unlock()
	}

	return func() {
		if sub.dead.Swap(true) {
			return
		}
		s.mu.Lock()
		old := *g.subs.Load()
		next := make([]*subscriber[T], 0, len(old))
		for _, x := range old {
			if x != sub {
				next = append(next, x)
			}
		}
		g.subs.Store(&next)
		last := len(next) == 0
		if last {
			delete(s.groups, key)
		}
		s.mu.Unlock()
		if !last {
			return
		}
		// A new subscriber of key makes a new group with its own NATS subscription; until this one is gone,
		// both may receive a message, but this group has no subscribers left to call.
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.nsub != nil {
			if err := g.nsub.Unsubscribe(); err != nil && !errors.Is(err, natsgo.ErrConnectionClosed) &&
				!errors.Is(err, natsgo.ErrConnectionDraining) && !errors.Is(err, natsgo.ErrBadSubscription) {
				r.b.log.Warn("bus/nats: unsubscribe", "subject", g.nsub.Subject, "err", err)
			}
		}
	}
}

// natsSubscribe subscribes to subject and, if the connection is up, waits for the server to confirm. It returns
// nil only if the connection is closed (the bus is closing): the group then stays without a subscription until
// its subscribers leave.
func (r *registry[T]) natsSubscribe(subject string, handler natsgo.MsgHandler) *natsgo.Subscription {
	nsub, err := r.b.nc.Subscribe(subject, handler)
	if err != nil {
		if !r.b.closed.Load() {
			r.b.log.Error("bus/nats: subscribe", "subject", subject, "err", err)
		}
		return nil
	}
	if err := nsub.SetPendingLimits(r.pendMsgs, r.pendBytes); err != nil {
		r.b.log.Warn("bus/nats: set pending limits", "subject", subject, "err", err)
	}
	// While disconnected there is nothing to wait for: the client sends the subscription when it reconnects,
	// and waiting here would only hold up the caller (the gateway subscribes under a lock).
	if r.b.nc.IsConnected() {
		if err := r.b.nc.FlushTimeout(flushTimeout); err != nil && !r.b.closed.Load() {
			r.b.log.Warn("bus/nats: subscribe not confirmed yet", "subject", subject, "err", err)
		}
	}
	return nsub
}

// deliver runs on the NATS subscription's goroutine: it decodes the message once and calls every subscriber.
func (g *group[T]) deliver(m *natsgo.Msg) { g.call(nil, m.Data, m.Subject) }

// call hands v (or, if v is nil, the value decoded from data) to every live subscriber of the group.
func (g *group[T]) call(v *T, data []byte, subject string) {
	b := g.r.b
	subs := *g.subs.Load()
	if len(subs) == 0 || b.closed.Load() {
		return
	}
	if v == nil {
		v = new(T)
		if err := json.Unmarshal(data, v); err != nil {
			b.log.Error("bus/nats: decode message; dropped", "subject", subject, "err", err)
			return
		}
	}
	for _, sub := range subs {
		if sub.dead.Load() || b.closed.Load() {
			continue
		}
		sub.fn(v)
	}
}

// local returns the group of key's local subscribers, or nil if this node has none.
func (r *registry[T]) local(key string) *group[T] {
	s := r.shard(key)
	s.mu.Lock()
	g := s.groups[key]
	s.mu.Unlock()
	return g
}

// enqueue adds one of this node's own publications to the group's local queue, and starts a drainer if none
// runs. It never waits for a subscriber. Beyond the pending limits the message is dropped, as the NATS client
// drops a slow consumer's.
func (g *group[T]) enqueue(m localMsg[T]) {
	r := g.r
	g.lmu.Lock()
	if len(g.pending) >= r.pendMsgs || g.pendBytes+m.size > r.pendBytes {
		first := !g.dropping
		g.dropping = true
		g.lmu.Unlock()
		if first {
			r.b.log.Warn("bus/nats: slow consumer on the local queue; its subscribers read the gap from the store",
				"pending", r.pendMsgs)
		}
		return
	}
	g.pending = append(g.pending, m)
	g.pendBytes += m.size
	if g.draining {
		g.lmu.Unlock()
		return
	}
	g.draining = true
	g.lmu.Unlock()

	b := r.b
	b.dmu.Lock()
	if b.closed.Load() {
		b.dmu.Unlock()
		return // the queue is never drained again: the bus delivers nothing after Close
	}
	b.drainers.Add(1)
	b.dmu.Unlock()
	go g.drain()
}

// drain delivers the local queue in order until it is empty. One drainer runs per group at a time.
func (g *group[T]) drain() {
	defer g.r.b.drainers.Done()
	var batch []localMsg[T]
	for {
		g.lmu.Lock()
		if len(g.pending) == 0 {
			g.draining = false
			g.lmu.Unlock()
			return
		}
		// Swap the buffers: the next publications go to the one this batch used.
		batch, g.pending = g.pending, batch[:0]
		g.pendBytes = 0
		g.dropping = false
		g.lmu.Unlock()
		for i := range batch {
			g.call(batch[i].v, batch[i].data, "")
			batch[i] = localMsg[T]{} // let the item go
		}
	}
}

func (r *registry[T]) topics() int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += len(s.groups)
		s.mu.Unlock()
	}
	return n
}

func (r *registry[T]) subscribers() int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, g := range s.groups {
			n += len(*g.subs.Load())
		}
		s.mu.Unlock()
	}
	return n
}
