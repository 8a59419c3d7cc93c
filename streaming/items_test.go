package streaming

import (
	"testing"

	"github.com/parley-chat/parley"
)

// len returns the number of items held.
func (c *itemCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// TestItemCachePass: an item leaves the cache once every active stream of its chain has delivered it, and not
// before; a stream the cache does not know as active drops nothing; other chains keep theirs.
func TestItemCachePass(t *testing.T) {
	var c itemCache
	for seq := int64(1); seq <= 5; seq++ {
		c.put(&parley.Item{ChainID: "a", Seq: seq})
		c.put(&parley.Item{ChainID: "b", Seq: seq})
	}
	held := func(chain string, after int64) int {
		items, _ := c.run(chain, after, 0, 100)
		return len(items)
	}

	c.pass("a", "s1", []string{"s1"}, 3)
	if n := held("a", 3); n != 2 || c.len() != 7 {
		t.Fatalf("one stream passed 3: a holds %d after 3, %d in all; want 2 and 7", n, c.len())
	}
	if items, complete := c.run("a", 0, 0, 100); len(items) != 0 || complete {
		t.Fatalf("run from a passed item: %d items, complete %v; want none, not complete (the store has them)", len(items), complete)
	}

	// Two streams: items stay until the slower one has them.
	c.pass("b", "s2", []string{"s2", "s3"}, 4)
	if c.len() != 7 {
		t.Fatalf("one of two streams passed: %d items held, want 7", c.len())
	}
	c.pass("b", "s3", []string{"s2", "s3"}, 2)
	if n := held("b", 2); n != 3 || c.len() != 5 {
		t.Fatalf("both streams passed 2: b holds %d after 2, %d in all; want 3 and 5", n, c.len())
	}
	c.pass("b", "s3", []string{"s2", "s3"}, 5)
	if n := held("b", 4); n != 1 {
		t.Fatalf("streams at 4 and 5: b holds %d after 4, want 1", n)
	}
	// A stream that stopped (no longer among the chain's active ones) drops nothing.
	c.pass("b", "s9", []string{"s2", "s3"}, 5)
	c.pass("a", "s9", nil, 5)
	if c.len() != 3 {
		t.Fatalf("an unknown stream passed: %d items held, want 3", c.len())
	}

	// A slot whose item was passed is reused without losing the items still held.
	for seq := int64(6); seq < itemCacheSize+6; seq++ {
		c.put(&parley.Item{ChainID: "a", Seq: seq})
		c.pass("a", "s1", []string{"s1"}, seq-1)
	}
	if n := held("a", itemCacheSize+4); n != 1 {
		t.Fatalf("after a full ring: a holds %d after its last passed, want 1", n)
	}
	if c.len() > 4 {
		t.Fatalf("after a full ring of passed items: %d held, want at most 4", c.len())
	}
}
