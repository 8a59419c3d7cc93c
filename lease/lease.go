// Package lease keeps a node's claim on a duty that only one node may do at a time: making routing offers,
// firing contact timers, and later running flow steps and delivering the streaming outbox
// (docs/decisions/0007-events-and-claims.md). The claim is a lease in the Store (parley.Leases), so it is
// exactly as shared as the data the duty acts on: one process with SQLite, every node with Postgres.
//
// A Holder tries to take its lease, renews it well before it expires, and tells its owner when it gains or loses
// it. A holder that cannot reach the store gives the duty up once its lease would have expired, so two nodes
// never both believe they hold it for longer than the clock skew between them.
//
// Concurrency: Holder's methods are safe for concurrent use. Run owns one goroutine until its ctx ends; the
// change callback runs on that goroutine (or on the caller of Try or Release), one call at a time, in order; it
// may call Held but not Try or Release.
package lease

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// DefaultTTL is how long a lease lasts unless renewed. A node that dies leaves its duty undone for at most this
// long.
const DefaultTTL = 15 * time.Second

// Holder claims one named lease for one owner.
type Holder struct {
	leases parley.Leases
	name   string
	owner  string
	clock  parley.Clock
	ttl    time.Duration
	log    *slog.Logger
	change func(held bool)

	turn sync.Mutex // serializes attempts, releases and the change callback

	mu    sync.Mutex // guards held and until
	held  bool
	until time.Time // of our lease while held
}

// New returns a holder of the lease name for owner (a node id that is unique and stable for the process's life).
// change is told every gain (true) and loss (false), in order; nil ignores them. ttl <= 0 means DefaultTTL.
func New(leases parley.Leases, name, owner string, clock parley.Clock, ttl time.Duration, log *slog.Logger, change func(held bool)) *Holder {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if clock == nil {
		clock = parley.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if change == nil {
		change = func(bool) {}
	}
	return &Holder{leases: leases, name: name, owner: owner, clock: clock, ttl: ttl, log: log, change: change}
}

// Held reports whether the holder holds its lease now.
func (h *Holder) Held() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held && h.clock.Now().Before(h.until)
}

// Try makes one attempt to take or renew the lease and reports whether the holder holds it afterwards. A store
// error counts as not holding once the lease it had has run out.
func (h *Holder) Try(ctx context.Context) bool {
	h.turn.Lock()
	defer h.turn.Unlock()
	now := h.clock.Now()
	// A store that hangs must not keep a holder believing it leads past its lease: the attempt is bounded.
	ctx, cancel := context.WithTimeout(ctx, h.ttl/3)
	defer cancel()
	holder, until, err := h.leases.AcquireLease(ctx, h.name, h.owner, now, now.Add(h.ttl))
	held := err == nil && holder == h.owner
	h.mu.Lock()
	if err != nil {
		h.log.Warn("lease: acquire failed", "lease", h.name, "err", err)
		held = h.held && h.clock.Now().Before(h.until) // keep what is still ours; the next attempt decides
	} else if held {
		h.until = until
	}
	h.mu.Unlock()
	h.set(held)
	return held
}

// set records the new state and tells the owner of a change. Callers hold turn.
func (h *Holder) set(held bool) {
	h.mu.Lock()
	was := h.held
	h.held = held
	h.mu.Unlock()
	if held == was {
		return
	}
	if held {
		h.log.Info("lease: gained", "lease", h.name, "owner", h.owner)
	} else {
		h.log.Info("lease: lost", "lease", h.name, "owner", h.owner)
	}
	h.change(held)
}

// Run tries at once, then every third of the TTL, until ctx ends; then it releases the lease if it holds it, so
// another node can take the duty over at once.
func (h *Holder) Run(ctx context.Context) {
	t := time.NewTicker(h.ttl / 3)
	defer t.Stop()
	for {
		h.Try(ctx)
		select {
		case <-ctx.Done():
			h.Release(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

// Release gives the lease up (if held) and tells the owner.
func (h *Holder) Release(ctx context.Context) {
	h.turn.Lock()
	defer h.turn.Unlock()
	h.mu.Lock()
	held := h.held
	h.mu.Unlock()
	if !held {
		return
	}
	if err := h.leases.ReleaseLease(ctx, h.name, h.owner); err != nil {
		h.log.Warn("lease: release failed", "lease", h.name, "err", err)
	}
	h.set(false)
}
