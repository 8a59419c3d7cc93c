package streaming

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/lease"
)

// maxErrorLen bounds the last error kept on an entry.
const maxErrorLen = 1000

// storeRetry is how long a stream waits after a store error before its next turn.
const storeRetry = time.Second

// dispatcher hands streams with work to the workers: each stream to at most one worker at a time (per-stream
// order), a stream rung while a worker has it gets another turn after, and a stream waiting for a retry is
// rung by a timer.
type dispatcher struct {
	mu     sync.Mutex
	ready  []string            // streams to hand out, in the order they were rung
	queued map[string]bool     // in ready
	busy   map[string]bool     // a worker has it
	soon   map[string]bool     // rung by new entries: ready at the next linger tick
	again  map[string]bool     // rung while busy
	timers map[string]*retryAt // next retry per stream
	closed bool                // Run returned: no more timers

	kick    chan struct{} // something is ready
	scan    chan struct{} // look for work in the store
	leading atomic.Bool   // this process holds the "outbox" lease
}

type retryAt struct {
	at time.Time
	t  *time.Timer
}

func (d *dispatcher) init() {
	d.queued, d.busy, d.again, d.timers = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]*retryAt{}
	d.soon = map[string]bool{}
	d.kick, d.scan = make(chan struct{}, 1), make(chan struct{}, 1)
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// poke says that a stream may have entries to deliver. It never blocks.
func (d *dispatcher) poke(id string) {
	d.mu.Lock()
	switch {
	case d.busy[id]:
		d.again[id] = true
	case !d.queued[id]:
		d.queued[id] = true
		d.ready = append(d.ready, id)
	}
	d.mu.Unlock()
	signal(d.kick)
}

// pokeSoon is poke at the next linger tick (see Config.Linger).
func (d *dispatcher) pokeSoon(id string) {
	d.mu.Lock()
	d.soon[id] = true
	d.mu.Unlock()
}

// release pokes the streams rung since the last tick.
func (d *dispatcher) release() {
	d.mu.Lock()
	soon := d.soon
	if len(soon) == 0 {
		d.mu.Unlock()
		return
	}
	d.soon = map[string]bool{}
	d.mu.Unlock()
	for id := range soon {
		d.poke(id)
	}
}

// scanSoon asks Run to look for work in the store.
func (d *dispatcher) scanSoon() { signal(d.scan) }

// next takes the first ready stream and marks it busy.
func (d *dispatcher) next() (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ready) == 0 {
		return "", false
	}
	id := d.ready[0]
	d.ready[0] = ""
	d.ready = d.ready[1:]
	delete(d.queued, id)
	d.busy[id] = true
	return id, true
}

// done ends a stream's turn; the stream goes back to the ready list if it was rung meanwhile or has more.
func (d *dispatcher) done(id string, more bool) {
	d.mu.Lock()
	delete(d.busy, id)
	again := d.again[id]
	delete(d.again, id)
	d.mu.Unlock()
	if again || more {
		d.poke(id)
	}
}

// retry rings a stream at at (keeping an earlier ring already set).
func (d *dispatcher) retry(id string, at time.Time, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if r, ok := d.timers[id]; ok {
		if !r.at.After(at) {
			return
		}
		r.t.Stop()
	}
	r := &retryAt{at: at}
	r.t = time.AfterFunc(at.Sub(now), func() {
		d.mu.Lock()
		if d.timers[id] == r {
			delete(d.timers, id)
		}
		d.mu.Unlock()
		d.poke(id)
	})
	d.timers[id] = r
}

// stop cancels the retry timers.
func (d *dispatcher) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for id, r := range d.timers {
		r.t.Stop()
		delete(d.timers, id)
	}
}

// Run delivers the outbox while this process holds the "outbox" lease, until ctx ends; it returns once every
// goroutine it started has stopped (a delivery in flight is given up, and done again later). Without an
// endpoint it only waits: the entries stay in the outbox.
func (s *Service) Run(ctx context.Context) {
	if s.endpoint == nil {
		s.log.Warn("streaming: no endpoint configured: streamed items wait in the outbox")
		<-ctx.Done()
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	holder := lease.New(s.store, LeaseName, s.cfg.NodeID, s.clock, s.cfg.LeaseTTL, s.log, func(held bool) {
		s.d.leading.Store(held)
		if held {
			s.d.scanSoon()
		}
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		holder.Run(ctx)
	}()
	work := make(chan string)
	for range s.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				s.d.done(id, s.turn(ctx, id))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runDeletes(ctx)
	}()
	defer func() {
		close(work)
		cancel()
		wg.Wait()
		s.flushDeletes(context.Background()) // what the last turns delivered
		s.d.stop()
		s.d.leading.Store(false)
	}()

	ticker := time.NewTicker(s.cfg.ScanInterval)
	defer ticker.Stop()
	var lingerC <-chan time.Time
	if s.cfg.Linger > 0 {
		linger := time.NewTicker(s.cfg.Linger)
		defer linger.Stop()
		lingerC = linger.C
	}
	for {
		for s.d.leading.Load() {
			id, ok := s.d.next()
			if !ok {
				break
			}
			select {
			case work <- id:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.d.kick:
		case <-lingerC:
			s.d.release()
		case <-s.d.scan:
			s.scan(ctx)
		case <-ticker.C:
			s.scan(ctx)
		}
	}
}

// scan rings every stream with pending entries.
func (s *Service) scan(ctx context.Context) {
	if !s.d.leading.Load() {
		return
	}
	ids, err := s.store.OutboxStreams(ctx, 0)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: outbox scan", "err", err)
		}
		return
	}
	for _, id := range ids {
		s.d.poke(id)
	}
}

// turn delivers the due entries of one stream in Seq order, up to Config.Batch of them, and reports whether
// more may be waiting. It stops at the first entry that is not due or fails (and rings the stream again when
// that entry is due), so entry n+1 never goes before entry n; a dead-lettered entry no longer holds the stream.
func (s *Service) turn(ctx context.Context, id string) (more bool) {
	wm := s.del.watermark(id)
	es, err := s.store.ListOutbox(ctx, parley.OutboxQuery{StreamID: id, Limit: s.cfg.Batch})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: read outbox", "streaming_id", id, "err", err)
			s.d.retry(id, s.clock.Now().Add(storeRetry), s.clock.Now())
		}
		return false
	}
	full := len(es) == s.cfg.Batch
	for len(es) > 0 && es[0].Seq <= wm { // delivered; the delete is pending
		es = es[1:]
	}
	if len(es) == 0 {
		if full { // a page of entries whose delete is pending: look again once they are gone
			now := s.clock.Now()
			s.d.retry(id, now.Add(2*deleteEvery), now)
		}
		return false
	}
	st, err := s.store.GetStream(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: read stream", "streaming_id", id, "err", err)
			s.d.retry(id, s.clock.Now().Add(storeRetry), s.clock.Now())
		}
		return false
	}
	contacts := map[string]*parley.Contact{}
	// Delivered entries are deleted in batches by runDeletes; until then the stream skips them.
	var delivered []*parley.OutboxEntry
	defer func() { s.del.add(delivered) }()
	batcher, _ := s.endpoint.(BatchEndpoint)
	for i := 0; i < len(es); {
		if !s.d.leading.Load() || ctx.Err() != nil {
			return false
		}
		now := s.clock.Now()
		if es[i].NextAt.After(now) {
			s.d.retry(id, es[i].NextAt, now)
			return false
		}
		// The due entries from i, up to MaxBatch of them when the endpoint takes batches.
		j := i + 1
		for batcher != nil && j < len(es) && j-i < MaxBatch && !es[j].NextAt.After(now) {
			j++
		}
		ds, derr, storeErr := s.load(ctx, es[i:j], contacts)
		if storeErr != nil || ctx.Err() != nil {
			// Not the endpoint's fault (or shutting down): the entries stay as they are.
			if ctx.Err() == nil {
				s.log.Error("streaming: read item", "streaming_id", id, "seq", es[i].Seq, "err", storeErr)
				s.d.retry(id, now.Add(storeRetry), now)
			}
			return false
		}
		n := 0
		if len(ds) > 0 {
			dctx, cancel := context.WithTimeout(ctx, s.cfg.DeliverTimeout)
			if batcher != nil && len(ds) > 1 {
				n, derr = batcher.DeliverBatch(dctx, st.EndpointARN, st.ID, ds)
			} else if derr = s.endpoint.Deliver(dctx, st.EndpointARN, st.ID, ds[0].Contact, ds[0].Item); derr == nil {
				n = 1
			}
			cancel()
			if ctx.Err() != nil {
				return false
			}
		}
		if n < len(ds) && derr == nil {
			derr = errors.New("streaming: the endpoint took only part of the batch and gave no error")
		}
		delivered = append(delivered, es[i:i+n]...)
		i += n
		if n == len(ds) && (derr == nil || len(ds) > 0) {
			continue // all delivered (an entry load stopped at is read again next round)
		}
		// es[i] failed: derr is the endpoint's answer, or why its item cannot be read.
		if stop := s.failed(ctx, st, es[i], derr); stop {
			return false
		}
		i++ // dead-lettered: it no longer holds up the stream
	}
	return full
}

// load reads the items and contacts of entries, in order. It stops at the first entry whose item or contact
// is gone: ds holds the entries before it and derr is a permanent error for it. storeErr is a failure to read
// that is nobody's answer yet.
func (s *Service) load(ctx context.Context, es []*parley.OutboxEntry, contacts map[string]*parley.Contact) (ds []Delivery, derr, storeErr error) {
	for _, e := range es {
		it := s.items.get(e.ItemID, e.Seq)
		if it == nil {
			var err error
			it, err = s.store.GetItem(ctx, e.ItemID)
			if parley.IsCode(err, parley.ENOTFOUND) {
				return ds, Permanent(err), nil
			}
			if err != nil {
				return nil, nil, err
			}
		}
		c, ok := contacts[it.ContactID]
		if !ok {
			var err error
			c, err = s.store.GetContact(ctx, it.ContactID)
			if parley.IsCode(err, parley.ENOTFOUND) {
				return ds, Permanent(err), nil
			}
			if err != nil {
				return nil, nil, err
			}
			contacts[it.ContactID] = c
		}
		ds = append(ds, Delivery{Contact: c, Item: it})
	}
	return ds, nil, nil
}

// failed records a failed delivery of e: retried later with backoff, or dead-lettered when derr is permanent or
// e has run out of attempts or age. stop reports that the stream must wait (the entry will be retried, or the
// store could not record the failure).
func (s *Service) failed(ctx context.Context, st *parley.Stream, e *parley.OutboxEntry, derr error) (stop bool) {
	wctx := context.WithoutCancel(ctx)
	now := s.clock.Now()
	e.Attempts++
	e.LastError = derr.Error()
	if len(e.LastError) > maxErrorLen {
		e.LastError = e.LastError[:maxErrorLen]
	}
	dead := IsPermanent(derr) || (s.cfg.MaxAttempts > 0 && e.Attempts >= s.cfg.MaxAttempts) ||
		(s.cfg.MaxAge > 0 && now.Sub(e.CreatedAt) >= s.cfg.MaxAge)
	if dead {
		e.Dead = true
	} else {
		e.NextAt = now.Add(s.backoff(e.Attempts))
	}
	if err := s.store.Update(wctx, func(tx parley.Tx) error { return tx.UpdateOutbox(wctx, e) }); err != nil {
		s.log.Error("streaming: record failed delivery", "streaming_id", st.ID, "seq", e.Seq, "err", err)
		s.d.retry(st.ID, now.Add(storeRetry), now)
		return true
	}
	if dead {
		s.dead.Add(1)
		s.log.Warn("streaming: entry dead-lettered", "streaming_id", st.ID, "contact_id", e.ChainID, "seq", e.Seq,
			"attempts", e.Attempts, "endpoint", st.EndpointARN, "err", derr)
		return false
	}
	s.retried.Add(1)
	s.log.Debug("streaming: delivery failed, will retry", "streaming_id", st.ID, "contact_id", e.ChainID,
		"seq", e.Seq, "attempts", e.Attempts, "next", e.NextAt, "err", derr)
	s.d.retry(st.ID, e.NextAt, now)
	return true
}

// backoff is the wait before the retry that follows failed attempt n (1, 2, ...): RetryBase doubled n-1 times,
// at most RetryCap, drawn between half and all of it.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < n && d < s.cfg.RetryCap; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryCap)
	return d/2 + rand.N(d/2+1)
}
