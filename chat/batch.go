package chat

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley"
)

// Group commit of participants' messages and events on a store that can append many in one transaction
// (parley.BatchAppender, the Postgres store): each request's transaction would cost it about six round trips to
// the database, and the database the same statements again for every message; a batch costs four round trips
// and five or six statements, whatever its size (docs/decisions/0010-batched-appends.md).
//
// Requests are spread over shards by chain, and each shard runs one batch at a time: batches that run at once
// share no chain, so none waits for another's row locks (batches of random chats would, nearly always), and a
// chain's appends go in batches one after the other. A request that finds its shard idle leads a batch of its
// own at once; the others wait in the shard's queue, and when a batch is done its leader hands the queue (up to
// maxBatch requests) to the first request in it, which leads the next batch. No timer: under light load a
// request goes alone, as fast as through commit; under load batches grow by themselves to what arrived while
// the previous one ran.
//
// A batch keeps every promise of commit: the observers' Committing runs for each request's change inside the
// batch's transaction, and once it committed the leader publishes each change and tells the observers'
// Committed, in the batch's order (which is Seq order within a chain). A request the batch cannot take as it
// is — its participant was idle (participant.returned goes first), a ClientToken retry, a chat at its item cap,
// an observer's error, any failure of the batch — goes through commit on its own, which says what happened.
const (
	// batchShards bounds the batches that run at once, each on a connection of the store's pool. On 2 cores
	// shared with Postgres, 100 chats as fast as acknowledged: 1 shard 7,800 msg/s, 2 shards 8,000–9,000,
	// 4 shards 7,500, 8 shards 6,400 (fewer, bigger batches cost Postgres less; one alone leaves it idle).
	batchShards = 2
	maxBatch    = 256
)

// batcher groups appendIdempotent's appends into batches for a parley.BatchAppender. It is safe for concurrent
// use.
type batcher struct {
	s      *Service
	store  parley.BatchAppender
	shards [batchShards]batchShard

	batches, appends atomic.Int64
}

// batchShard is the queue of the chains whose hash falls on it.
type batchShard struct {
	mu      sync.Mutex
	queue   []*batchReq
	running bool // a batch of the shard runs
}

// batchReq is one request's append in a batch.
type batchReq struct {
	ctx context.Context
	a   parley.BatchAppend
	ch  Change // the request's change: its item once the batch built it
	err error  // the outcome, set before wake
	// wake receives, once, nil when the request is done, or the batch the request is to lead.
	wake chan []*batchReq
}

// newBatcher returns a batcher for s when its store can append in batches, nil otherwise.
func newBatcher(s *Service) *batcher {
	ba, ok := s.store.(parley.BatchAppender)
	if !ok {
		return nil
	}
	return &batcher{s: s, store: ba}
}

// BatchStats returns how many batches of appends the service committed and how many appends they carried (both
// 0 on a store without batches).
func (s *Service) BatchStats() (batches, appends int64) {
	if s.batch == nil {
		return 0, 0
	}
	return s.batch.batches.Load(), s.batch.appends.Load()
}

// append stores the item build makes for the caller, as appendIdempotent's transaction does, in a batch. It
// returns parley.ErrNotBatched when the request must go through commit instead.
func (b *batcher) append(ctx context.Context, c *Caller, token string, build func(time.Time) *parley.Item) (*parley.Item, error) {
	start := time.Now()
	r := &batchReq{ctx: ctx, wake: make(chan []*batchReq, 1)}
	r.a = parley.BatchAppend{ChainID: c.Contact.InitialContactID, ParticipantID: c.Participant.ID,
		Build: func(contact *parley.Contact, p *parley.Participant) (*parley.Item, *parley.Participant, error) {
			// As stillActive: a chain that moved on (a transfer) takes the items in its new contact.
			if contact.ID != c.Contact.ID && contact.Active() {
				c.Contact = contact
			}
			if err := (&Caller{Participant: p, Contact: contact}).active(); err != nil {
				return nil, nil, err
			}
			r.ch.flowWaits = c.Participant.Role == parley.RoleCustomer && waiting(contact.FlowState)
			it := build(b.s.now())
			it.ClientToken = token
			r.ch.hidden = nil
			if r.ch.flowWaits {
				hideViewAnswer(&r.ch, contact, it)
			}
			if it.Type != parley.ItemMessage {
				return it, nil, nil
			}
			changed, returned := b.s.resetTimer(contact, p, it.Time)
			switch {
			case returned:
				return nil, nil, parley.ErrNotBatched // participant.returned goes before the message
			case changed:
				return it, p, nil
			}
			return it, nil, nil
		}}

	sh := &b.shards[shardOf(r.a.ChainID)]
	sh.mu.Lock()
	if !sh.running {
		sh.running = true
		sh.mu.Unlock()
		b.lead(sh, []*batchReq{r})
	} else {
		sh.queue = append(sh.queue, r)
		sh.mu.Unlock()
		if batch := <-r.wake; batch != nil {
			b.lead(sh, batch)
		}
	}
	if errors.Is(r.err, parley.ErrNotBatched) {
		return nil, r.err // commit observes the latency
	}
	b.s.commits.Observe(time.Since(start))
	if r.err != nil {
		return nil, r.err
	}
	return r.a.Item, nil
}

// shardOf returns the shard of a chain (FNV-1a of its id).
func shardOf(chain string) int {
	h := uint32(2166136261)
	for i := 0; i < len(chain); i++ {
		h = (h ^ uint32(chain[i])) * 16777619
	}
	return int(h % batchShards)
}

// lead runs a batch of sh, whose first request is the caller's, then hands the shard's queue to the next leader
// (or leaves the shard idle) and wakes the batch's other requests. It does so even if the batch panics (the
// panic goes on up the leader's request): the shard must not stop, nor the other requests wait for ever.
func (b *batcher) lead(sh *batchShard, batch []*batchReq) {
	defer b.handOff(sh, batch)
	b.run(batch)
}

// handOff ends a batch of sh: see lead.
func (b *batcher) handOff(sh *batchShard, batch []*batchReq) {
	sh.mu.Lock()
	var next []*batchReq
	if n := min(len(sh.queue), maxBatch); n > 0 {
		next = sh.queue[:n:n]
		if sh.queue = sh.queue[n:]; len(sh.queue) == 0 {
			sh.queue = nil
		}
	} else {
		sh.running = false
	}
	sh.mu.Unlock()
	if next != nil {
		next[0].wake <- next
	}
	for _, r := range batch[1:] {
		r.wake <- nil
	}
}

// run stores a batch and does what follows each change's commit, setting each request's outcome. Until the
// batch's outcome is known, a request's is ErrNotBatched: if Build or Committing panics, the others go on
// through commit.
func (b *batcher) run(batch []*batchReq) {
	appends := make([]*parley.BatchAppend, 0, len(batch))
	live := batch[:0:0]
	for _, r := range batch {
		r.err = parley.ErrNotBatched
		if err := r.ctx.Err(); err != nil {
			r.err = err // as Update: a request whose ctx ended before its transaction ran stores nothing
			continue
		}
		appends, live = append(appends, &r.a), append(live, r)
	}
	if len(live) == 0 {
		return
	}
	s := b.s
	ctx := context.WithoutCancel(live[0].ctx) // the batch is everyone's: no one request's end cancels it
	err := b.store.AppendBatch(ctx, &parley.Batch{Appends: appends, MaxSeq: int64(max(s.cfg.MaxChatItems, 0)),
		Committing: func(ctx context.Context, tx parley.Tx) error {
			for _, r := range live {
				if r.a.Item == nil {
					continue
				}
				ch := &r.ch
				ch.tx, ch.Items, ch.Events, ch.first = tx, append(ch.buf[:0], r.a.Item), nil, nil
				err := s.committing(ctx, tx, ch)
				ch.tx = nil
				if err != nil {
					return err
				}
			}
			return nil
		}})
	if err != nil {
		if !errors.Is(err, parley.ErrNotBatched) {
			s.log.Debug("append batch failed: its requests go one by one", "appends", len(live), "err", err)
		}
		return // every request goes through commit
	}
	b.batches.Add(1)
	b.appends.Add(int64(len(live)))
	for _, r := range live {
		r.err = r.a.Err
	}
	for _, r := range live {
		if r.err == nil {
			s.committed(&r.ch)
		}
	}
}
