package streaming

import (
	"context"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// deleteEvery is how often delivered entries are deleted, all streams together in one write; deleteBatch
// deletes sooner once that many wait.
const (
	deleteEvery = 20 * time.Millisecond
	deleteBatch = 1024
)

// deleter deletes delivered entries in batches. Until an entry's row is gone, the stream's watermark (its
// highest delivered Seq; delivery is in Seq order) keeps the worker from delivering it again. A crash before the
// delete delivers those entries again, which at-least-once allows.
type deleter struct {
	mu      sync.Mutex
	pending []*parley.OutboxEntry
	wm      map[string]int64 // stream → highest delivered Seq not known deleted
	kick    chan struct{}
}

func (dl *deleter) init() {
	dl.wm, dl.kick = map[string]int64{}, make(chan struct{}, 1)
}

// add records delivered entries of one stream (in Seq order).
func (dl *deleter) add(es []*parley.OutboxEntry) {
	if len(es) == 0 {
		return
	}
	dl.mu.Lock()
	dl.pending = append(dl.pending, es...)
	last := es[len(es)-1]
	if last.Seq > dl.wm[last.StreamID] {
		dl.wm[last.StreamID] = last.Seq
	}
	n := len(dl.pending)
	dl.mu.Unlock()
	if n >= deleteBatch {
		signal(dl.kick)
	}
}

// watermark returns the stream's highest delivered Seq whose delete may still be pending (-1: none). A turn
// reads it before it reads the outbox: only the stream's own turn (one at a time) raises it, so entries the
// outbox read returns at or below it were delivered, whether or not their rows were deleted meanwhile.
func (dl *deleter) watermark(stream string) int64 {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if wm, ok := dl.wm[stream]; ok {
		return wm
	}
	return -1
}

// run deletes pending entries every deleteEvery (or at once when a batch is full) until ctx ends, then once
// more.
func (s *Service) runDeletes(ctx context.Context) {
	t := time.NewTicker(deleteEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flushDeletes(context.WithoutCancel(ctx))
			return
		case <-t.C:
		case <-s.del.kick:
		}
		s.flushDeletes(ctx)
	}
}

// flushDeletes deletes the pending entries in one write; on failure they stay pending (and their streams'
// watermarks keep them from being delivered again meanwhile).
func (s *Service) flushDeletes(ctx context.Context) {
	dl := &s.del
	dl.mu.Lock()
	batch := dl.pending
	dl.pending = nil
	dl.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		for _, e := range batch {
			if err := tx.DeleteOutbox(ctx, e.StreamID, e.Seq); err != nil {
				return err
			}
		}
		return nil
	})
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: delete delivered entries", "count", len(batch), "err", err)
		}
		dl.pending = append(batch, dl.pending...)
		return
	}
	s.delivered.Add(int64(len(batch)))
	// A stream none of whose delivered entries still wait no longer needs its watermark.
	waiting := map[string]bool{}
	for _, e := range dl.pending {
		waiting[e.StreamID] = true
	}
	for _, e := range batch {
		if !waiting[e.StreamID] {
			delete(dl.wm, e.StreamID)
		}
	}
}
