package streaming

import (
	"sync"

	"github.com/parley-chat/parley"
)

// itemCacheSize bounds the recently committed items kept for delivery: about ten seconds of a busy server's
// streamed items. A miss reads the store.
const itemCacheSize = 1 << 15

// itemCache keeps the items of streamed chains as they are committed, so that the worker delivers them without
// reading each back from the store. Items are keyed by Id and Seq (an item updated later, such as an
// attachment's status, is streamed again under a new Seq). The oldest go first once it is full.
type itemCache struct {
	mu   sync.Mutex
	byID map[itemKey]*parley.Item
	ring []itemKey // insertion order; next overwrites the oldest
	next int
}

type itemKey struct {
	id  string
	seq int64
}

func (c *itemCache) put(it *parley.Item) {
	k := itemKey{it.ID, it.Seq}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID, c.ring = make(map[itemKey]*parley.Item, itemCacheSize), make([]itemKey, itemCacheSize)
	}
	if _, ok := c.byID[k]; ok {
		return
	}
	if old := c.ring[c.next]; old.id != "" {
		delete(c.byID, old)
	}
	c.ring[c.next] = k
	c.next = (c.next + 1) % itemCacheSize
	c.byID[k] = it
}

func (c *itemCache) get(id string, seq int64) *parley.Item {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[itemKey{id, seq}]
}
