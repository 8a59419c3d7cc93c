package chat

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// authCache remembers, for a few seconds, whom a ConnectionToken authenticated: the connection's expiry, the
// participant and the chain's active contact as the store had them. Every SendMessage, SendEvent and
// GetTranscript authenticates, and without the cache that is three store reads each — a quarter of the
// server's CPU under chat load (docs/benchmarks.md).
//
// Revocation stays immediate for everything the service itself changes: a participant's token stops working
// when the participant leaves or the chat ends, and both publish an EVENT item (participant.left, chat.ended,
// transfers, joins), which drops every entry of that chain before any later request is served from the cache
// (publish runs after the commit, so a request that raced the change may still pass the cached check; the
// writes then fail their in-transaction re-check, see stillActive). Anything else — a change made to the store
// behind the service's back, another node's change in a shared database — is seen within the TTL.
//
// Entries are keyed by the token's SHA-256, as in the store; the cache never holds a token. It is safe for
// concurrent use; lookups copy the cached participant and contact, so callers may modify what they get.
type authCache struct {
	ttl time.Duration

	mu        sync.Mutex
	entries   map[[sha256.Size]byte]*authEntry
	byChain   map[string][][sha256.Size]byte // entries of a chain, for invalidation (may name deleted ones)
	lastSweep time.Time
}

type authEntry struct {
	connExpiry time.Time // the ConnectionToken's expiry
	until      time.Time // the entry's own expiry
	p          parley.Participant
	c          parley.Contact
}

// authCacheMax bounds the entries; past it, a fill first sweeps expired ones, and if that is not enough the
// cache starts over (a cold cache costs store reads, never correctness).
const authCacheMax = 1 << 17

func newAuthCache(ttl time.Duration) *authCache {
	if ttl <= 0 {
		return nil
	}
	return &authCache{ttl: ttl, entries: make(map[[sha256.Size]byte]*authEntry),
		byChain: make(map[string][][sha256.Size]byte)}
}

// get returns a copy of the cached caller for a token hash, if there is a live entry.
func (a *authCache) get(key [sha256.Size]byte, now time.Time) (*Caller, time.Time, bool) {
	if a == nil {
		return nil, time.Time{}, false
	}
	a.mu.Lock()
	e := a.entries[key]
	if e == nil || !now.Before(e.until) {
		a.mu.Unlock()
		return nil, time.Time{}, false
	}
	p, c, exp := e.p, e.c, e.connExpiry
	a.mu.Unlock()
	return &Caller{Participant: &p, Contact: &c}, exp, true
}

// put caches what the store said about a token.
func (a *authCache) put(key [sha256.Size]byte, connExpiry time.Time, c *Caller, now time.Time) {
	if a == nil {
		return
	}
	e := &authEntry{connExpiry: connExpiry, until: now.Add(a.ttl), p: *c.Participant, c: *c.Contact}
	chain := c.Contact.InitialContactID
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.entries) >= authCacheMax || now.Sub(a.lastSweep) > 4*a.ttl {
		a.sweepLocked(now)
	}
	a.entries[key] = e
	a.byChain[chain] = append(a.byChain[chain], key)
}

// sweepLocked drops expired entries and rebuilds the chain index; if the cache is still full it starts over.
func (a *authCache) sweepLocked(now time.Time) {
	a.lastSweep = now
	for k, e := range a.entries {
		if !now.Before(e.until) {
			delete(a.entries, k)
		}
	}
	if len(a.entries) >= authCacheMax {
		clear(a.entries)
	}
	clear(a.byChain)
	for k, e := range a.entries {
		chain := e.c.InitialContactID
		a.byChain[chain] = append(a.byChain[chain], k)
	}
}

// invalidate drops every entry of a chain.
func (a *authCache) invalidate(chainID string) {
	if a == nil {
		return
	}
	a.mu.Lock()
	for _, k := range a.byChain[chainID] {
		delete(a.entries, k)
	}
	delete(a.byChain, chainID)
	a.mu.Unlock()
}

// changesMembership reports whether publishing it must drop the cached callers of its chain: every event
// except typing, which is the only event participants send at chat speed. Receipts are MESSAGEMETADATA items.
func changesMembership(it *parley.Item) bool {
	return it.Type == parley.ItemEvent && it.ContentType != parley.EventTyping
}
