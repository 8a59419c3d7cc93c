package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// maxBatch bounds how many Updates share one transaction, which bounds the latency the first caller of a batch
// pays for the others.
const maxBatch = 256

// Request states. A request moves from pending to running (the writer claimed it) or to canceled (its caller
// gave up first), never both: whoever wins the compare-and-swap decides whether fn runs.
const (
	pending int32 = iota
	running
	canceled
)

// request is one Update waiting for, or being served by, the writer goroutine.
type request struct {
	fn    func(parley.Tx) error
	state atomic.Int32
	done  chan result // buffered: the writer never blocks on a caller
}

// result is what the writer reports to an Update.
type result struct {
	err      error
	panicked bool
	panicVal any
	stack    []byte // where fn panicked: the caller re-panics on another goroutine, without this stack
}

// failed reports whether fn returned an error or panicked.
func (r result) failed() bool { return r.err != nil || r.panicked }

// Stats counts the work of the writer goroutine since Open.
type Stats struct {
	// Batches is the number of transactions the writer ran for Updates.
	Batches int64
	// Updates is the number of fns it ran; Updates/Batches is the mean group-commit batch size.
	Updates int64
	// TokenLoads is the number of chains whose ClientTokens were read (on a reader) into the writer's cache.
	TokenLoads int64
}

// Stats returns the writer's counters.
func (s *Store) Stats() Stats {
	return Stats{Batches: s.batches.Load(), Updates: s.updates.Load(), TokenLoads: s.tokenLoads.Load()}
}

// Update runs fn in a read-write transaction and commits if fn returns nil; otherwise fn's writes are rolled
// back and Update returns fn's error. fn runs on the writer goroutine together with the fns of other
// concurrent Updates, each in its own savepoint of one shared transaction (see the package doc for the
// contract). A panic in fn rolls back fn's writes and is re-raised in the caller's goroutine.
func (s *Store) Update(ctx context.Context, fn func(tx parley.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.update(ctx, fn)
		var cold *errColdTokens
		if attempt >= 3 || !errors.As(err, &cold) {
			return err
		}
		if err := s.warmTokens(ctx, cold.chain); err != nil {
			return err
		}
	}
}

// warmTokens gives the writer's cache the ClientToken hashes of a chain: they are read on a reader, where the
// read of a long chat delays nobody else, and only the items appended since (a primary key range) are read on
// the writer.
func (s *Store) warmTokens(ctx context.Context, chain string) error {
	type pair struct {
		hash uint64
		seq  int64
	}
	rs, err := queryAll(ctx, s.reader.q, func(sc rows.Scanner) (pair, error) {
		var p, tok string
		var seq int64
		err := sc.Scan(&p, &tok, &seq)
		return pair{s.cache.tokenHash(p, tok), seq}, err // the hash's seed never changes: no lock needed
	}, `SELECT participant_id, client_token, seq FROM items WHERE chain_id = ? AND client_token != ''`, chain)
	if err != nil {
		return err
	}
	hs := make(map[uint64]struct{}, len(rs))
	var upTo int64
	for _, r := range rs {
		hs[r.hash] = struct{}{}
		upTo = max(upTo, r.seq)
	}
	s.tokenLoads.Add(1)
	return s.update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		if _, ok := t.c.tokens[chain]; ok {
			return nil // another caller warmed it first
		}
		delta, err := queryAll(ctx, t.q, func(sc rows.Scanner) (uint64, error) {
			var p, tok string
			err := sc.Scan(&p, &tok)
			return t.c.tokenHash(p, tok), err
		}, `SELECT participant_id, client_token FROM items WHERE chain_id = ? AND seq > ? AND client_token != ''`, chain, upTo)
		if err != nil {
			return err
		}
		for _, h := range delta {
			hs[h] = struct{}{}
		}
		t.c.putTokens(chain, hs)
		return nil
	})
}

// update is one attempt of Update.
func (s *Store) update(ctx context.Context, fn func(tx parley.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{fn: fn, done: make(chan result, 1)}
	if err := s.enqueue(ctx, r); err != nil {
		return err
	}
	var res result
	select {
	case res = <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(pending, canceled) {
			return ctx.Err() // fn will never run
		}
		// fn is running or done: its fate is the batch's commit, which does not wait on anything outside the
		// store, so wait for it rather than report a failure for work that may be committed.
		res = <-r.done
	}
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// enqueue hands r to the writer goroutine.
func (s *Store) enqueue(ctx context.Context, r *request) error {
	// The read lock keeps Close from closing reqs while a send is in progress; the writer drains reqs until it
	// is closed, so a blocked send always completes.
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	select {
	case s.reqs <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the writer goroutine: it serves batches of requests until Close closes reqs and the queue is empty.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*request, 0, maxBatch)
	for first := range s.reqs {
		batch = append(batch[:0], first)
	collect:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break collect
				}
				batch = append(batch, r)
			default:
				break collect
			}
		}
		s.runBatch(batch)
		clear(batch) // drop references to finished requests
	}
}

// runBatch runs the fns of batch in one transaction and reports to every caller.
func (s *Store) runBatch(batch []*request) {
	// Claim the requests whose callers are still waiting; the others are dropped unrun.
	live := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(pending, running) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	s.batches.Add(1)
	s.updates.Add(int64(len(live)))
	results := make([]result, len(live))
	if err := s.runTx(live, results); err != nil {
		s.log.Error("sqlite: transaction failed", "updates", len(live), "err", err)
		for i := range results {
			// A caller whose fn failed keeps its own error: nothing of its fn was committed either way.
			if !results[i].failed() {
				results[i].err = err
			}
		}
	}
	for i, r := range live {
		if results[i].panicked {
			s.log.Error("sqlite: Update fn panicked", "panic", results[i].panicVal, "stack", string(results[i].stack))
		}
		r.done <- results[i]
	}
}

// runTx runs each request's fn in one BEGIN IMMEDIATE transaction, recording fn's outcome in results. It
// returns an error if the transaction as a whole failed (nothing was committed).
//
// With more than one request each fn runs inside a SAVEPOINT, released on success and rolled back on failure,
// so a failing fn discards only its own writes. A lone request needs no savepoint: its failure rolls back the
// transaction.
func (s *Store) runTx(live []*request, results []result) (err error) {
	ctx := context.Background() // the writer's statements must not be interrupted, see the package doc
	if _, err := s.wstmts.exec(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			// The transaction may already be gone (SQLite rolls back by itself after some errors), so the
			// rollback's own error says nothing new.
			s.wstmts.exec(ctx, "ROLLBACK")
			s.cache.rollback(0)
		}
	}()

	t := &tx{reader: reader{q: s.wstmts}, c: s.cache}
	if len(live) == 1 {
		results[0] = call(live[0].fn, t)
		if results[0].failed() {
			s.cache.rollback(0)
			if _, err := s.wstmts.exec(ctx, "ROLLBACK"); err != nil {
				return fmt.Errorf("sqlite: rollback: %w", err)
			}
			return nil
		}
	} else {
		for i, r := range live {
			if _, err := s.wstmts.exec(ctx, "SAVEPOINT fn"); err != nil {
				return fmt.Errorf("sqlite: savepoint: %w", err)
			}
			mark := s.cache.mark()
			results[i] = call(r.fn, t)
			if results[i].failed() {
				s.cache.rollback(mark)
				if _, err := s.wstmts.exec(ctx, "ROLLBACK TO fn"); err != nil {
					return fmt.Errorf("sqlite: rollback to savepoint: %w", err)
				}
			}
			if _, err := s.wstmts.exec(ctx, "RELEASE fn"); err != nil {
				return fmt.Errorf("sqlite: release savepoint: %w", err)
			}
		}
	}
	if _, err := s.wstmts.exec(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	s.cache.commit()
	return nil
}

// call runs fn, turning a panic into a result the caller re-raises.
func call(fn func(parley.Tx) error, t parley.Tx) (res result) {
	defer func() {
		if v := recover(); v != nil {
			res = result{panicked: true, panicVal: v, stack: debug.Stack()}
		}
	}()
	return result{err: fn(t)}
}
