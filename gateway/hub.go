package gateway

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley"
)

const hubShards = 64 // a power of two

// hub maps chains to the sockets subscribed to them, in 64 shards by a hash of the chain id. A chain has one bus
// subscription while at least one socket of this node is subscribed to it.
type hub struct {
	g      *Gateway
	seed   maphash.Seed
	shards [hubShards]hubShard
}

type hubShard struct {
	mu     sync.Mutex
	chains map[string]*chainSubs
	_      [48]byte // keep neighbouring shards' locks off one cache line
}

// chainSubs is one chain's sockets on this node. The bus callback reads conns without a lock: the slice is
// never modified in place, add and remove install a new one under the shard lock.
type chainSubs struct {
	id    string
	hub   *hub
	conns atomic.Pointer[[]*conn]
	unsub func() // guarded by the shard lock
}

func (h *hub) init(g *Gateway) {
	h.g = g
	h.seed = maphash.MakeSeed()
	for i := range h.shards {
		h.shards[i].chains = make(map[string]*chainSubs)
	}
}

func (h *hub) shard(chainID string) *hubShard {
	return &h.shards[maphash.String(h.seed, chainID)&(hubShards-1)]
}

// add registers c for its chain. When add returns, every item the bus publishes afterwards reaches c (if c
// accepts items). The first socket of a chain subscribes the chain on the bus; that happens under the shard
// lock, so a concurrent remove of the chain's last socket cannot unsubscribe the new subscription.
func (h *hub) add(c *conn) {
	id := c.id.ChainID
	s := h.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chains[id]; cs != nil {
		old := *cs.conns.Load()
		next := make([]*conn, len(old), len(old)+1)
		copy(next, old)
		next = append(next, c)
		cs.conns.Store(&next)
		return
	}
	cs := &chainSubs{id: id, hub: h}
	cs.conns.Store(&[]*conn{c})
	s.chains[id] = cs
	cs.unsub = h.g.bus.Subscribe(id, cs.onItem)
}

// remove unregisters c. The last socket of a chain unsubscribes the chain from the bus (outside the shard
// lock; a callback still running for the old subscription finds no sockets).
func (h *hub) remove(c *conn) {
	id := c.id.ChainID
	s := h.shard(id)
	s.mu.Lock()
	cs := s.chains[id]
	if cs == nil {
		s.mu.Unlock()
		return
	}
	old := *cs.conns.Load()
	next := make([]*conn, 0, len(old))
	for _, x := range old {
		if x != c {
			next = append(next, x)
		}
	}
	cs.conns.Store(&next)
	var unsub func()
	if len(next) == 0 {
		delete(s.chains, id)
		unsub = cs.unsub
	}
	s.mu.Unlock()
	if unsub != nil {
		unsub()
	}
}

// chains returns the number of chains with a bus subscription.
func (h *hub) chains() int {
	n := 0
	for i := range h.shards {
		s := &h.shards[i]
		s.mu.Lock()
		n += len(s.chains)
		s.mu.Unlock()
	}
	return n
}

// onItem is the bus callback of one chain. It encodes the item once and hands the same bytes to every socket's
// queue; it never blocks (a socket whose queue is full is closed instead).
func (cs *chainSubs) onItem(it *parley.Item) {
	conns := *cs.conns.Load()
	if len(conns) == 0 {
		return
	}
	frame, err := chatFrame(it)
	if err != nil {
		// The sockets see a gap at the next item and read this one from the backend.
		cs.hub.g.log.Error("gateway: encode item", "contact_id", it.ContactID, "item_id", it.ID, "err", err)
		return
	}
	if it.Revises == "" { // a revision keeps its item's time
		cs.hub.g.busLag.Observe(time.Since(it.Time))
	}
	e := &encItem{seq: it.Seq, recipient: it.Recipient, frame: frame, ends: itemEnds(it)}
	for _, c := range conns {
		c.pushItem(e)
	}
}
