package streaming

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// itemCacheSize bounds the recently committed items kept for delivery: about five seconds of streamed items
// at 13,000 a second, as many as one SQLite node commits (1 << 15 held two: a receiver that fell behind
// briefly made the worker read the store). A miss reads the store.
const itemCacheSize = 1 << 16

// itemCache keeps the items of streamed chains as they are committed, so that the worker delivers them without
// reading them back from the store, and the newest Seq committed on each such chain (its tail), so that the
// worker knows when the cache holds everything after a stream's cursor. Only committed items go in (Committed
// puts them), so a (chain, Seq) names one item for good. An item leaves once every active stream of its chain
// has delivered it (pass), so that while the endpoints keep up the cache holds only the items in flight and the
// garbage collector has little to scan; the oldest go first once it is full.
type itemCache struct {
	mu     sync.Mutex
	items  map[itemKey]*parley.Item
	ring   []itemKey // insertion order; next overwrites the oldest (or a slot whose item was passed)
	next   int
	tails  map[string]int64            // chain → newest Seq put
	passed map[string]map[string]int64 // chain → stream → Seq delivered, for chains with several streams
}

type itemKey struct {
	chain string
	seq   int64
}

func (c *itemCache) put(it *parley.Item) {
	k := itemKey{it.ChainID, it.Seq}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items, c.ring, c.tails = make(map[itemKey]*parley.Item, itemCacheSize), make([]itemKey, itemCacheSize), map[string]int64{}
	}
	if it.Seq > c.tails[it.ChainID] {
		c.tails[it.ChainID] = it.Seq
	}
	if _, ok := c.items[k]; ok {
		return
	}
	if old := c.ring[c.next]; old.chain != "" {
		delete(c.items, old)
	}
	c.ring[c.next] = k
	c.next = (c.next + 1) % itemCacheSize
	c.items[k] = it
}

// run returns the cached items of chain after Seq after, consecutive, at most limit of them and none after
// upto (0: no bound), and whether they are all the chain has there as far as this process knows: the run
// reached the chain's tail (or upto).
func (c *itemCache) run(chain string, after, upto int64, limit int) (items []*parley.Item, complete bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := after
	for len(items) < limit && (upto == 0 || seq < upto) {
		it := c.items[itemKey{chain, seq + 1}]
		if it == nil {
			break
		}
		items = append(items, it)
		seq++
	}
	if upto > 0 && seq >= upto {
		return items, true
	}
	tail, known := c.tails[chain]
	return items, known && seq >= tail
}

// pass records that stream delivered its chain's items up to seq, and drops the items that every stream of
// streams (the chain's active streams) has delivered. A stream not among them (stopped, or started after the
// chain's last commit) drops nothing. A dropped item that is wanted again (a stream that fell back, another
// node's lease) is read from the store.
func (c *itemCache) pass(chain, stream string, streams []string, seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(streams) != 1 || streams[0] != stream {
		if !slices.Contains(streams, stream) {
			return
		}
		if c.passed == nil {
			c.passed = map[string]map[string]int64{}
		}
		at := c.passed[chain]
		if at == nil {
			at = map[string]int64{}
			c.passed[chain] = at
		}
		at[stream] = max(at[stream], seq)
		maps.DeleteFunc(at, func(id string, _ int64) bool { return !slices.Contains(streams, id) })
		for _, id := range streams {
			v, ok := at[id]
			if !ok {
				return
			}
			seq = min(seq, v)
		}
	}
	// The chain's cached items are consecutive up to its newest: drop from seq down to the first one missing.
	for ; seq > 0; seq-- {
		k := itemKey{chain, seq}
		if _, ok := c.items[k]; !ok {
			return
		}
		delete(c.items, k)
	}
}

// forget drops the tail of a chain whose streams all stopped; its items age out.
func (c *itemCache) forget(chain string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tails, chain)
	delete(c.passed, chain)
}

// knows reports whether an item at or after seq was committed on chain by this process.
func (c *itemCache) knows(chain string, seq int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tails[chain] >= seq
}

// contactCacheSize bounds the contacts kept for delivery; the cache starts over when it is full.
const contactCacheSize = 4096

// contactCache keeps the contacts of the items delivered lately, so that a stream's turn does not read its
// contact again. A delivery uses a contact's ids (ContactId, InitialContactId, InstanceId), which never change;
// the rest of a cached contact is a snapshot from when it was read.
type contactCache struct {
	mu   sync.Mutex
	byID map[string]*parley.Contact
}

func (c *contactCache) get(id string) *parley.Contact {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id]
}

func (c *contactCache) put(ct *parley.Contact) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil || len(c.byID) >= contactCacheSize {
		c.byID = make(map[string]*parley.Contact)
	}
	c.byID[ct.ID] = ct
}

// streamFresh is how long the worker trusts a stream row it read: its delivery state (cursor, failures) is the
// worker's own while it holds the lease, and a stop made by this process drops it at once, so the age only
// bounds how late a stop made on another node is seen.
const streamFresh = time.Second

// streamCache keeps the stream rows the worker read, so that a busy stream's turns (one each linger tick) do not
// read their row every time.
type streamCache struct {
	mu  sync.Mutex
	m   map[string]cachedStream
	gen uint64 // counts drops and clears: a row read before one is not kept
}

type cachedStream struct {
	st   parley.Stream
	read time.Time
}

// get returns a copy of the stream's row read at or after since, if there is one.
func (c *streamCache) get(id string, since time.Time) (*parley.Stream, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.m[id]
	if !ok || cs.read.Before(since) {
		return nil, false
	}
	st := cs.st
	return &st, true
}

// generation returns the count of drops and clears so far; take it before reading a row to put.
func (c *streamCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps a copy of a stream row read at read, unless a drop or clear came after gen (the row may predate a
// stop).
func (c *streamCache) put(st *parley.Stream, read time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil {
		c.m = map[string]cachedStream{}
	}
	c.m[st.ID] = cachedStream{st: *st, read: read}
}

// update applies what the worker itself wrote (a cursor moved, a failure recorded) to the kept copy, if any.
func (c *streamCache) update(id string, f func(*parley.Stream)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs, ok := c.m[id]; ok {
		f(&cs.st)
		c.m[id] = cs
	}
}

// drop forgets the streams' rows (they stopped); clear forgets every row (the lease changed hands).
func (c *streamCache) drop(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		delete(c.m, id)
	}
}

func (c *streamCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}
