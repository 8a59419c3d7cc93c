package transcripts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/lease"
)

// Lease names: each duty is held by one node at a time.
const (
	ExportLease    = "transcripts"
	RetentionLease = "retention"
)

// batch is how many contacts or chains one store call returns.
const batch = 100

// commitLag bounds how long after its EndedAt a contact's end is committed: the exporter looks again that far back
// for contacts that ended while it was looking.
const commitLag = time.Minute

// Options are what the Exporter and the Sweeper share. The zero value of each field means its default.
type Options struct {
	// NodeID owns the lease (default: "transcripts").
	NodeID string
	// Clock tells the time (default the system clock).
	Clock parley.Clock
	// Log receives failures (default: discarded).
	Log *slog.Logger
	// Interval is how often Run looks for work (default 10 seconds for the exporter, 1 minute for the sweeper).
	Interval time.Duration
	// LeaseTTL is the lease's lifetime (default lease.DefaultTTL).
	LeaseTTL time.Duration
}

func (o *Options) defaults(interval time.Duration) {
	if o.NodeID == "" {
		o.NodeID = "transcripts"
	}
	if o.Clock == nil {
		o.Clock = parley.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Interval <= 0 {
		o.Interval = interval
	}
}

// archiveOf returns the store's parley.Archive ability.
func archiveOf(store parley.Store) (parley.Archive, error) {
	a, ok := store.(parley.Archive)
	if !ok {
		return nil, errors.New("transcripts: the store cannot track exports and retention (no parley.Archive)")
	}
	return a, nil
}

// runLeased calls work every interval while holder holds its lease, until ctx ends; then it releases the lease.
func runLeased(ctx context.Context, holder *lease.Holder, interval time.Duration, log *slog.Logger, what string, work func(context.Context) error) {
	defer holder.Release(context.WithoutCancel(ctx))
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if holder.Try(ctx) {
			if err := work(ctx); err != nil && ctx.Err() == nil {
				log.Error(what, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Exporter writes the transcript of every ended contact to a Destination, once.
type Exporter struct {
	store   parley.Store
	archive parley.Archive
	dest    Destination
	prefix  string
	opts    Options

	mu sync.Mutex // one pass at a time; guards since
	// since is the EndedAt before which every ended contact has been exported, as far as this process knows
	// (zero at start: the first pass looks at every ended contact).
	since time.Time
}

// NewExporter returns an exporter of store's ended contacts to dest, under prefix (empty: Connect's
// connect/<instance alias>/ChatTranscripts). The store must be a parley.Archive.
func NewExporter(store parley.Store, dest Destination, prefix string, opts Options) (*Exporter, error) {
	a, err := archiveOf(store)
	if err != nil {
		return nil, err
	}
	opts.defaults(10 * time.Second)
	return &Exporter{store: store, archive: a, dest: dest, prefix: prefix, opts: opts}, nil
}

// Run exports ended contacts every Interval while this node holds the "transcripts" lease, until ctx ends. A
// failed export is tried again at the next turn.
func (e *Exporter) Run(ctx context.Context) {
	holder := lease.New(e.store, ExportLease, e.opts.NodeID, e.opts.Clock, e.opts.LeaseTTL, e.opts.Log, nil)
	runLeased(ctx, holder, e.opts.Interval, e.opts.Log, "transcript export", func(ctx context.Context) error {
		_, err := e.ExportPending(ctx)
		return err
	})
}

// ExportPending exports the transcripts of the ended contacts not yet exported, earliest ended first, and
// returns how many it exported. A contact that fails does not hold up the others of its batch; the pass stops
// after that batch, and the next call tries the failed ones again.
func (e *Exporter) ExportPending(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for {
		start := e.opts.Clock.Now()
		cs, err := e.archive.PendingExports(ctx, e.since, batch)
		if err != nil {
			return n, err
		}
		var first error
		for _, c := range cs {
			if err := e.export(ctx, c); err != nil {
				if first == nil {
					first = fmt.Errorf("export the transcript of contact %s: %w", c.ID, err)
					e.since = c.EndedAt
				}
				continue
			}
			n++
		}
		if first != nil {
			return n, first
		}
		if len(cs) < batch {
			if s := start.Add(-commitLag); s.After(e.since) {
				e.since = s
			}
			return n, nil
		}
	}
}

// export writes one contact's transcript and marks it exported.
func (e *Exporter) export(ctx context.Context, c *parley.Contact) error {
	if c.Channel == parley.ChannelChat {
		in, err := e.store.GetInstance(ctx, c.InstanceID)
		if err != nil {
			return err
		}
		doc, err := Build(ctx, e.store, c)
		if err != nil {
			return err
		}
		body, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		prefix := e.prefix
		if prefix == "" {
			prefix = DefaultPrefix(in.Alias)
		}
		if err := e.dest.Put(ctx, Key(prefix, c.ID, c.InitiatedAt), body); err != nil {
			return err
		}
	}
	return e.archive.MarkExported(ctx, c.ID, e.opts.Clock.Now())
}
