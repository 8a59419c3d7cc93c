package streaming

import (
	"context"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// saveEvery is how often the cursors of the streams that delivered are saved, all streams together in one
// write; saveBatch saves sooner once that many streams wait.
const (
	saveEvery = 20 * time.Millisecond
	saveBatch = 256
)

// cursors saves the streams' cursors after delivery, in batches. Until a stream's cursor is saved, the worker
// reads its delivered position from here, so a delivered item is not delivered again meanwhile; a crash before
// the save delivers those items again, which at-least-once allows.
type cursors struct {
	mu      sync.Mutex
	pending map[string]int64 // stream → delivered Seq not yet saved
	saving  map[string]int64 // the batch being written
	kick    chan struct{}
}

func (cs *cursors) init() {
	cs.pending, cs.saving, cs.kick = map[string]int64{}, map[string]int64{}, make(chan struct{}, 1)
}

// add records that a stream is done up to seq.
func (cs *cursors) add(stream string, seq int64) {
	cs.mu.Lock()
	if seq > cs.pending[stream] {
		cs.pending[stream] = seq
	}
	n := len(cs.pending)
	cs.mu.Unlock()
	if n >= saveBatch {
		signal(cs.kick)
	}
}

// get returns the stream's position not yet saved (0: none). Only the stream's own turn (one at a time)
// raises it, and it is dropped only after the store has it: a turn that reads it before it reads the store
// sees the position in one or the other.
func (cs *cursors) get(stream string) int64 {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return max(cs.pending[stream], cs.saving[stream])
}

// runSaves saves the cursors every saveEvery (or at once when many wait) until ctx ends, then once more.
func (s *Service) runSaves(ctx context.Context) {
	t := time.NewTicker(saveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.saveCursors(context.WithoutCancel(ctx))
			return
		case <-t.C:
		case <-s.cur.kick:
		}
		s.saveCursors(ctx)
	}
}

// saveCursors writes the pending cursors in one transaction; on failure they stay pending.
func (s *Service) saveCursors(ctx context.Context) {
	cs := &s.cur
	cs.mu.Lock()
	if len(cs.pending) == 0 {
		cs.mu.Unlock()
		return
	}
	batch := cs.pending
	cs.pending, cs.saving = cs.saving, batch
	cs.mu.Unlock()
	err := s.store.Update(ctx, func(tx parley.Tx) error { return tx.AdvanceStreams(ctx, batch) })
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("streaming: save cursors", "streams", len(batch), "err", err)
		}
		for id, seq := range batch {
			if seq > cs.pending[id] {
				cs.pending[id] = seq
			}
		}
	}
	clear(batch)
}
