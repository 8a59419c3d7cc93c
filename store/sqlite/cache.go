package sqlite

import (
	"bytes"
	"hash/maphash"
	"maps"
	"slices"

	"github.com/parley-chat/parley"
)

// cacheCap bounds each map of the writer's cache. Past it, a random entry makes room: a miss costs one indexed
// read, so the bound only needs to cover the chats that are busy at the same time.
const cacheCap = 1 << 16

// tokenCap bounds the ClientToken hashes the cache holds over all chains.
const tokenCap = 1 << 20

// cache holds what nearly every write transaction reads: the newest contact of each chain, participants by id,
// the last Seq of each chain and its active streams (the streaming outbox's observer asks on every change). Appending a chat message needs all three (the chat must still be active and
// the sender still in it, and the item needs the next Seq); reading them through SQL was about half of the
// writer's work per message. It also holds, per chain, hashes of the (participant, ClientToken) pairs of its
// items, which stand in for an index (see AppendItem).
//
// The cache belongs to the writer goroutine: only transactions read or change it, one at a time, so it needs no
// lock. It is filled only from what SQL returned (never from values being written), and every write to a cached
// row drops the entry, so an entry always equals what SQL would return inside the transaction. Entries filled or
// filled by a transaction are recorded in a journal: when a savepoint or the whole transaction rolls back, the
// entries it filled are dropped, because they may hold its rolled-back writes (a dropped entry needs no
// journal: a missing entry is always safe). This is sound only while the
// writer connection is the database's only writer, which the store's lock file ensures (see Open).
type cache struct {
	chainContact map[string]*parley.Contact     // chain id → newest contact of the chain
	contactChain map[string]string              // contact id → its chain, for the contacts in chainContact
	participants map[string]*parley.Participant // by id
	seqs         map[string]int64               // chain id → Seq of its newest item
	tokens       map[string]map[uint64]struct{} // chain id → tokenHash of each of its items' ClientTokens
	streams      map[string][]*parley.Stream    // chain id → its active streams (often none)
	nTokens      int                            // hashes in tokens
	seed         maphash.Seed
	journal      []cacheKey // entries filled since the transaction began
}

type cacheKind uint8

const (
	chainKey cacheKind = iota
	participantKey
	seqKey
	tokensKey
	streamsKey
)

type cacheKey struct {
	kind cacheKind
	id   string
}

func newCache() *cache {
	return &cache{
		chainContact: make(map[string]*parley.Contact),
		contactChain: make(map[string]string),
		participants: make(map[string]*parley.Participant),
		seqs:         make(map[string]int64),
		tokens:       make(map[string]map[uint64]struct{}),
		streams:      make(map[string][]*parley.Stream),
		seed:         maphash.MakeSeed(),
	}
}

// contact returns a copy of the newest contact of chain, if cached.
func (c *cache) contact(chain string) (*parley.Contact, bool) {
	v, ok := c.chainContact[chain]
	if !ok {
		return nil, false
	}
	return cloneContact(v), true
}

// putContact caches v, read from SQL, as the newest contact of chain. The cache keeps its own copy.
func (c *cache) putContact(chain string, v *parley.Contact) {
	if old, ok := c.chainContact[chain]; ok {
		delete(c.contactChain, old.ID)
	} else if len(c.chainContact) >= cacheCap {
		for k := range c.chainContact { // map iteration starts at a random entry
			c.forgetChain(k)
			break
		}
	}
	c.chainContact[chain] = cloneContact(v)
	c.contactChain[v.ID] = chain
	c.journal = append(c.journal, cacheKey{chainKey, chain})
}

// forgetChain deletes chain's entry, without journaling (a missing entry is always safe).
func (c *cache) forgetChain(chain string) {
	if v, ok := c.chainContact[chain]; ok {
		delete(c.contactChain, v.ID)
		delete(c.chainContact, chain)
	}
}

// dropContact forgets the chain of a contact that is being written, and chain itself (a new contact becomes its
// chain's newest).
func (c *cache) dropContact(contactID, chain string) {
	if old, ok := c.contactChain[contactID]; ok {
		c.forgetChain(old)
	}
	c.forgetChain(chain)
}

// participant returns a copy of a cached participant.
func (c *cache) participant(id string) (*parley.Participant, bool) {
	v, ok := c.participants[id]
	if !ok {
		return nil, false
	}
	return cloneParticipant(v), true
}

// putParticipant caches v, read from SQL. The cache keeps its own copy.
func (c *cache) putParticipant(v *parley.Participant) {
	if _, ok := c.participants[v.ID]; !ok {
		makeRoom(c.participants)
	}
	c.participants[v.ID] = cloneParticipant(v)
	c.journal = append(c.journal, cacheKey{participantKey, v.ID})
}

func (c *cache) dropParticipant(id string) { delete(c.participants, id) }

// seq returns the last Seq of chain, if cached.
func (c *cache) seq(chain string) (int64, bool) {
	v, ok := c.seqs[chain]
	return v, ok
}

// putSeq records the Seq of chain's newest item: one read from SQL, or one just appended.
func (c *cache) putSeq(chain string, seq int64) {
	if _, ok := c.seqs[chain]; !ok {
		makeRoom(c.seqs)
	}
	c.seqs[chain] = seq
	c.journal = append(c.journal, cacheKey{seqKey, chain})
}

// tokenHash is the hash of a (participant, ClientToken) pair.
func (c *cache) tokenHash(participantID, token string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(participantID)
	h.WriteByte(0)
	h.WriteString(token)
	return h.Sum64()
}

// putTokens caches the token hashes of a chain, read from SQL, making room by dropping other chains' hashes.
func (c *cache) putTokens(chain string, hs map[uint64]struct{}) {
	c.dropTokens(chain)
	for c.nTokens+len(hs) > tokenCap && len(c.tokens) > 0 {
		for k := range c.tokens { // map iteration starts at a random entry
			c.dropTokens(k)
			break
		}
	}
	c.tokens[chain] = hs
	c.nTokens += len(hs)
	c.journal = append(c.journal, cacheKey{tokensKey, chain})
}

// addToken records the token hash of an item just appended to a chain whose hashes are cached.
func (c *cache) addToken(chain string, h uint64) {
	hs, ok := c.tokens[chain]
	if !ok {
		return
	}
	if _, dup := hs[h]; !dup {
		hs[h] = struct{}{}
		c.nTokens++
	}
	c.journal = append(c.journal, cacheKey{tokensKey, chain})
}

func (c *cache) dropTokens(chain string) {
	c.nTokens -= len(c.tokens[chain])
	delete(c.tokens, chain)
}

// activeStreams returns copies of the active streams of chain, if cached.
func (c *cache) activeStreams(chain string) ([]*parley.Stream, bool) {
	v, ok := c.streams[chain]
	if !ok {
		return nil, false
	}
	out := make([]*parley.Stream, len(v))
	for i, st := range v {
		cp := *st
		out[i] = &cp
	}
	return out, true
}

// putStreams caches the active streams of chain, read from SQL (none is worth caching: it is the common case).
func (c *cache) putStreams(chain string, v []*parley.Stream) {
	if _, ok := c.streams[chain]; !ok {
		makeRoom(c.streams)
	}
	cp := make([]*parley.Stream, len(v))
	for i, st := range v {
		s := *st
		cp[i] = &s
	}
	c.streams[chain] = cp
	c.journal = append(c.journal, cacheKey{streamsKey, chain})
}

// patchStream applies a change of a stream's delivery state to its cached copy, if chain's streams are cached.
// A rollback drops the chain's entry.
func (c *cache) patchStream(chain, id string, f func(*parley.Stream)) {
	for _, st := range c.streams[chain] {
		if st.ID == id {
			f(st)
			c.journal = append(c.journal, cacheKey{streamsKey, chain})
		}
	}
}

// dropStreams forgets the streams of chain (a stream was added to it).
func (c *cache) dropStreams(chain string) { delete(c.streams, chain) }

// dropAllStreams forgets every chain's streams (a stream stopped; stops are rare).
func (c *cache) dropAllStreams() { clear(c.streams) }

// mark returns the journal position to roll back to.
func (c *cache) mark() int { return len(c.journal) }

// rollback drops every entry filled since mark.
func (c *cache) rollback(mark int) {
	for _, k := range c.journal[mark:] {
		switch k.kind {
		case chainKey:
			c.forgetChain(k.id)
		case participantKey:
			delete(c.participants, k.id)
		case seqKey:
			delete(c.seqs, k.id)
		case tokensKey:
			c.dropTokens(k.id)
		case streamsKey:
			delete(c.streams, k.id)
		}
	}
	c.journal = c.journal[:mark]
}

// commit forgets the journal: the transaction's entries are now what the database holds.
func (c *cache) commit() {
	clear(c.journal)
	c.journal = c.journal[:0]
}

// makeRoom deletes a random entry of m when it is full.
func makeRoom[V any](m map[string]V) {
	if len(m) < cacheCap {
		return
	}
	for k := range m { // map iteration starts at a random entry
		delete(m, k)
		return
	}
}

func cloneContact(v *parley.Contact) *parley.Contact {
	c := *v
	c.Attributes = maps.Clone(v.Attributes)
	c.SegmentAttributes = bytes.Clone(v.SegmentAttributes)
	c.SupportedContentTypes = slices.Clone(v.SupportedContentTypes)
	c.FlowState = bytes.Clone(v.FlowState)
	return &c
}

func cloneParticipant(v *parley.Participant) *parley.Participant {
	p := *v
	p.TokenHash = bytes.Clone(v.TokenHash)
	p.TokenSealed = bytes.Clone(v.TokenSealed)
	return &p
}
