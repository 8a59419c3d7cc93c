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
	soon   map[string]bool     // rung by new items: ready at the next linger tick
	again  map[string]bool     // rung while busy
	check  map[string]bool     // found by a scan: read the store, whatever the item cache says
	fresh  map[string]bool     // rung from the bus: read the stream's row from the store (another node may have stopped it)
	replay map[string]bool     // may have replayed entries
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
	d.soon, d.check, d.fresh, d.replay = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
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

// pokeStore is poke for a stream the store says has work: its next turn reads the store (for items another
// node committed, which this process's item cache does not know of), and its replayed entries when replays is
// set.
func (d *dispatcher) pokeStore(id string, replays bool) {
	d.mu.Lock()
	d.check[id] = true
	if replays {
		d.replay[id] = true
	}
	d.mu.Unlock()
	d.poke(id)
}

// flags takes the stream's check and fresh flags and reads its replay flag (a turn clears that one once the
// stream has no replayed entry left).
func (d *dispatcher) flags(id string) (check, fresh, replays bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	check, fresh, replays = d.check[id], d.fresh[id], d.replay[id]
	delete(d.check, id)
	delete(d.fresh, id)
	return check, fresh, replays
}

// replaysDone clears the stream's replay flag.
func (d *dispatcher) replaysDone(id string) {
	d.mu.Lock()
	delete(d.replay, id)
	d.mu.Unlock()
}

// pokeSoon is poke at the next linger tick (see Config.Linger).
func (d *dispatcher) pokeSoon(id string) {
	d.mu.Lock()
	d.soon[id] = true
	d.mu.Unlock()
}

// pokeFresh is poke for a stream whose chain had an item committed on another node, which the item cache now
// holds (Service.heard): its next turn reads the stream's row from the store, the items from the cache. soon
// rings it at the next linger tick rather than at once.
func (d *dispatcher) pokeFresh(id string, soon bool) {
	d.mu.Lock()
	d.fresh[id] = true
	if soon {
		d.soon[id] = true
	}
	d.mu.Unlock()
	if !soon {
		d.poke(id)
	}
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
		s.streams.clear()
		if held {
			s.d.scanSoon()
		} else {
			s.unfollowAll()
		}
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		holder.Run(ctx)
	}()
	if s.bus != nil {
		defer s.bus.SubscribeEvents(s.streamStarted)()
	}
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
		s.runSaves(ctx)
	}()
	defer func() {
		close(work)
		cancel()
		wg.Wait()
		s.saveCursors(context.Background()) // what the last turns delivered
		s.d.stop()
		s.d.leading.Store(false)
		s.unfollowAll()
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

// scan rings every stream the store says has work: items after its cursor, or replayed entries.
func (s *Service) scan(ctx context.Context) {
	if !s.d.leading.Load() {
		return
	}
	behind, err := s.store.StreamsBehind(ctx, 0)
	var replays []string
	if err == nil {
		replays, err = s.store.OutboxStreams(ctx, 0)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: outbox scan", "err", err)
		}
		return
	}
	for _, id := range replays {
		s.d.pokeStore(id, true)
	}
	for _, id := range behind {
		s.d.pokeStore(id, false)
	}
}

// turn delivers one stream's due work, in Seq order: its replayed entries, then the items after its cursor, up
// to Config.Batch of them, and reports whether more may be waiting. It stops at the first item that is not due
// or fails (and rings the stream again when that item is due), so item n+1 never goes before item n; a
// dead-lettered item no longer holds up the stream.
func (s *Service) turn(ctx context.Context, id string) (more bool) {
	check, fresh, replays := s.d.flags(id)
	// The unsaved position first: it is dropped only once the store has it, so reading it before the store
	// never misses both.
	unsaved := s.cur.get(id)
	st, err := s.stream(ctx, id, check || fresh)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return false
	}
	if err != nil {
		s.storeFailed(ctx, id, "read stream", err)
		return false
	}
	if st.Active() {
		s.follow(st.ChainID, id)
	}
	if replays {
		if stop := s.replays(ctx, st); stop {
			return false
		}
	}
	st.Cursor = max(st.Cursor, unsaved)
	// The kept row must not fall behind what was delivered once the unsaved position is gone.
	s.streams.update(id, func(c *parley.Stream) { c.Cursor = max(c.Cursor, st.Cursor) })
	if st.Done() {
		s.unfollow(st.ChainID, id)
		return false
	}
	now := s.clock.Now()
	if attempts, next, _ := st.Failing(st.FailingSeq); attempts > 0 && next.After(now) {
		s.d.retry(id, next, now)
		return false
	}
	items, err := s.backlog(ctx, st, check)
	if err != nil {
		s.storeFailed(ctx, id, "read items", err)
		return false
	}
	full := len(items) == s.cfg.Batch
	// Cursors are saved in batches by runSaves; until then the stream's turns read them from s.cur.
	done := st.Cursor
	defer func() {
		if done > st.Cursor {
			s.cur.add(id, done)
			s.streams.update(id, func(c *parley.Stream) { c.Cursor = max(c.Cursor, done) })
			s.items.pass(st.ChainID, id, s.chainStreams(st.ChainID), done)
		}
		if !st.Active() && done >= st.LastSeq {
			s.unfollow(st.ChainID, id) // its last item is out: no turn may come to see it done
		}
	}()
	batcher, _ := s.endpoint.(BatchEndpoint)
	for len(items) > 0 {
		if !s.d.leading.Load() || ctx.Err() != nil {
			return false
		}
		// Items for one participant only are not streamed: the cursor passes them.
		for len(items) > 0 && items[0].Recipient != "" {
			done, items = items[0].Seq, items[1:]
		}
		if len(items) == 0 {
			break
		}
		// The next items, up to MaxBatch of them when the endpoint takes batches.
		j := 1
		for batcher != nil && j < len(items) && j < MaxBatch && items[j].Recipient == "" {
			j++
		}
		ds, derr, storeErr := s.load(ctx, items[:j])
		if storeErr != nil || ctx.Err() != nil {
			// Not the endpoint's fault (or shutting down): the items wait.
			if ctx.Err() == nil {
				s.storeFailed(ctx, id, "read contact", storeErr)
			}
			return false
		}
		n, derr := s.deliver(ctx, st, batcher, ds, derr)
		if ctx.Err() != nil {
			return false
		}
		if n > 0 {
			done = items[n-1].Seq
			s.delivered.Add(int64(n))
		}
		items = items[n:]
		if derr == nil {
			continue
		}
		// items[0] failed: derr is the endpoint's answer, or why its contact cannot be read.
		if stop := s.failed(ctx, st, items[0], derr); stop {
			return false
		}
		done, items = items[0].Seq, items[1:] // dead-lettered: it no longer holds up the stream
	}
	return full
}

// stream returns the row of stream id: the one read within streamFresh unless check is set, else from the
// store.
func (s *Service) stream(ctx context.Context, id string, check bool) (*parley.Stream, error) {
	now := s.clock.Now()
	if !check {
		if st, ok := s.streams.get(id, now.Add(-streamFresh)); ok {
			return st, nil
		}
	}
	gen := s.streams.generation()
	st, err := s.store.GetStream(ctx, id)
	if err != nil {
		return nil, err
	}
	s.streams.put(st, now, gen)
	return st, nil
}

// backlog returns the items of st's chain after its cursor (up to its LastSeq once stopped), at most
// Config.Batch: from the item cache when it holds them all, from the store otherwise or when check is set.
func (s *Service) backlog(ctx context.Context, st *parley.Stream, check bool) ([]*parley.Item, error) {
	var upto int64
	if !st.Active() {
		upto = st.LastSeq
	}
	items, complete := s.items.run(st.ChainID, st.Cursor, upto, s.cfg.Batch)
	if len(items) == s.cfg.Batch || (complete && !check) {
		return items, nil
	}
	after := st.Cursor + int64(len(items))
	q := parley.ItemQuery{ChainID: st.ChainID, AfterSeq: after, Limit: s.cfg.Batch - len(items)}
	if upto > 0 {
		q.BeforeSeq = upto + 1
	}
	s.storeReads.Add(1)
	more, err := s.store.ListItems(ctx, q)
	if err != nil {
		return nil, err
	}
	return append(items, more...), nil
}

// deliver gives ds to the endpoint, in one call when there are several, and returns how many of them, from
// the first, it took; err is why ds[n] was not delivered. derr, the reason load stopped before the item after
// ds, is returned as is when ds is empty.
func (s *Service) deliver(ctx context.Context, st *parley.Stream, batcher BatchEndpoint, ds []Delivery, derr error) (int, error) {
	if len(ds) == 0 {
		return 0, derr
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DeliverTimeout)
	defer cancel()
	var n int
	var err error
	if batcher != nil && len(ds) > 1 {
		n, err = batcher.DeliverBatch(dctx, st.EndpointARN, st.ID, ds)
	} else if err = s.endpoint.Deliver(dctx, st.EndpointARN, st.ID, ds[0].Contact, ds[0].Item); err == nil {
		n = 1
	}
	if n < len(ds) && err == nil {
		err = errors.New("streaming: the endpoint took only part of the batch and gave no error")
	}
	return n, err
}

// replays delivers the stream's due replayed entries in Seq order and reports whether the stream must wait (an
// entry is not due, failed, or the store failed). A delivered entry is deleted.
func (s *Service) replays(ctx context.Context, st *parley.Stream) (stop bool) {
	es, err := s.store.ListOutbox(ctx, parley.OutboxQuery{StreamID: st.ID})
	if err != nil {
		s.storeFailed(ctx, st.ID, "read outbox", err)
		return true
	}
	if len(es) == 0 {
		s.d.replaysDone(st.ID)
		return false
	}
	wctx := context.WithoutCancel(ctx)
	for _, e := range es {
		if !s.d.leading.Load() || ctx.Err() != nil {
			return true
		}
		now := s.clock.Now()
		if e.NextAt.After(now) {
			s.d.retry(st.ID, e.NextAt, now)
			return true
		}
		it, err := s.store.GetItem(ctx, e.ItemID)
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			s.storeFailed(ctx, st.ID, "read item", err)
			return true
		}
		var derr error
		if err == nil {
			var ds []Delivery
			ds, derr, err = s.load(ctx, []*parley.Item{it})
			if err != nil {
				s.storeFailed(ctx, st.ID, "read contact", err)
				return true
			}
			_, derr = s.deliver(ctx, st, nil, ds, derr)
			if ctx.Err() != nil {
				return true
			}
		} else {
			derr = Permanent(err)
		}
		if derr == nil {
			s.delivered.Add(1)
			if err := s.store.Update(wctx, func(tx parley.Tx) error { return tx.DeleteOutbox(wctx, e.StreamID, e.Seq) }); err != nil {
				s.storeFailed(ctx, st.ID, "delete delivered entry", err)
				return true
			}
			continue
		}
		if stop := s.failedEntry(ctx, st, e, derr); stop {
			return true
		}
	}
	return false
}

// load finds the contacts of items, in order. It stops at the first item whose contact is gone: ds holds the
// items before it and derr is a permanent error for it. storeErr is a failure to read that is nobody's answer
// yet.
func (s *Service) load(ctx context.Context, items []*parley.Item) (ds []Delivery, derr, storeErr error) {
	for _, it := range items {
		c := s.contacts.get(it.ContactID)
		if c == nil {
			var err error
			c, err = s.store.GetContact(ctx, it.ContactID)
			if parley.IsCode(err, parley.ENOTFOUND) {
				return ds, Permanent(err), nil
			}
			if err != nil {
				return nil, nil, err
			}
			s.contacts.put(c)
		}
		ds = append(ds, Delivery{Contact: c, Item: it})
	}
	return ds, nil, nil
}

// storeFailed logs a failed store call of a stream's turn and rings the stream again a little later.
func (s *Service) storeFailed(ctx context.Context, id, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	s.log.Error("streaming: "+what, "streaming_id", id, "err", err)
	now := s.clock.Now()
	s.d.retry(id, now.Add(storeRetry), now)
}

// failed records a failed delivery of it, the item after st's cursor: retried later with backoff (the stream
// waits), or dead-lettered (an outbox entry, and the cursor passes it) when derr is permanent or the item has
// run out of attempts or age. stop reports that the stream must wait (the item will be retried, or the store
// could not record the failure).
func (s *Service) failed(ctx context.Context, st *parley.Stream, it *parley.Item, derr error) (stop bool) {
	attempts, _, _ := st.Failing(it.Seq)
	e := &parley.OutboxEntry{StreamID: st.ID, Seq: it.Seq, ChainID: it.ChainID, ItemID: it.ID, CreatedAt: it.Time,
		Attempts: attempts}
	e.Dead = s.judge(e, derr)
	wctx := context.WithoutCancel(ctx)
	fail := &parley.Stream{ID: st.ID, ChainID: st.ChainID, FailingSeq: e.Seq, Attempts: e.Attempts, NextAt: e.NextAt,
		LastError: e.LastError}
	err := s.store.Update(wctx, func(tx parley.Tx) error {
		if !e.Dead {
			return tx.FailStream(wctx, fail)
		}
		if err := tx.InsertOutbox(wctx, []*parley.OutboxEntry{e}); err != nil && !parley.IsCode(err, parley.ECONFLICT) {
			return err
		}
		return tx.AdvanceStreams(wctx, map[string]int64{st.ID: e.Seq})
	})
	if err == nil && !e.Dead {
		s.streams.update(st.ID, func(c *parley.Stream) {
			c.FailingSeq, c.Attempts, c.NextAt, c.LastError = fail.FailingSeq, fail.Attempts, fail.NextAt, fail.LastError
		})
	}
	return s.recorded(st, e, derr, err)
}

// failedEntry records a failed delivery of a replayed entry: retried later with backoff, or dead again.
func (s *Service) failedEntry(ctx context.Context, st *parley.Stream, e *parley.OutboxEntry, derr error) (stop bool) {
	e.Dead = s.judge(e, derr)
	wctx := context.WithoutCancel(ctx)
	err := s.store.Update(wctx, func(tx parley.Tx) error { return tx.UpdateOutbox(wctx, e) })
	return s.recorded(st, e, derr, err)
}

// judge counts a failed attempt of e and decides whether it is dead: derr is permanent, or e has run out of
// attempts or age. A live e gets its next attempt's time.
func (s *Service) judge(e *parley.OutboxEntry, derr error) (dead bool) {
	now := s.clock.Now()
	e.Attempts++
	e.LastError = derr.Error()
	if len(e.LastError) > maxErrorLen {
		e.LastError = e.LastError[:maxErrorLen]
	}
	e.NextAt = now
	dead = IsPermanent(derr) || (s.cfg.MaxAttempts > 0 && e.Attempts >= s.cfg.MaxAttempts) ||
		(s.cfg.MaxAge > 0 && now.Sub(e.CreatedAt) >= s.cfg.MaxAge)
	if !dead {
		e.NextAt = now.Add(s.backoff(e.Attempts))
	}
	return dead
}

// recorded finishes a failure whose record was written (err nil) or not: it counts it, logs it, and rings the
// stream for the retry. stop reports that the stream must wait.
func (s *Service) recorded(st *parley.Stream, e *parley.OutboxEntry, derr, err error) (stop bool) {
	now := s.clock.Now()
	if err != nil {
		s.log.Error("streaming: record failed delivery", "streaming_id", st.ID, "seq", e.Seq, "err", err)
		s.d.retry(st.ID, now.Add(storeRetry), now)
		return true
	}
	if !e.Dead {
		s.retried.Add(1)
		s.log.Debug("streaming: delivery failed, will retry", "streaming_id", st.ID, "contact_id", e.ChainID,
			"seq", e.Seq, "attempts", e.Attempts, "next", e.NextAt, "err", derr)
		s.d.retry(st.ID, e.NextAt, now)
		return true
	}
	s.dead.Add(1)
	s.log.Warn("streaming: item dead-lettered", "streaming_id", st.ID, "contact_id", e.ChainID, "seq", e.Seq,
		"attempts", e.Attempts, "endpoint", st.EndpointARN, "err", derr)
	return false
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
