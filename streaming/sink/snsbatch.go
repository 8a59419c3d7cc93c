package sink

import (
	"context"
	"slices"
	"sync"
)

// Coalescing: the streaming core delivers each stream on its own worker, and a chat's stream rarely has more
// than one or two items waiting at once (a chat sends a message every few seconds), so PublishBatch per
// stream would mostly carry one entry, and the SDK's cost per request (its middleware stack, SigV4, the query
// encoding, HTTP) is paid per item. Topics, though, are usually shared by many chats (one per instance or per
// integration). So the workers' calls for one topic join: a call that arrives while the topic already has
// partialInFlight requests in flight waits and goes out with the calls that arrived meanwhile, in one
// PublishBatch of up to maxBatchEntries entries and maxBatchBytes. A full batch never waits, and a topic with
// fewer than partialInFlight requests in flight sends at once: nothing is delayed under light load.
//
// Each stream's items stay in order: a call holds one stream's consecutive items and goes out in order, in
// one request or, when they do not fit, in consecutive requests, each after the one before it answered; a
// stream has at most one call at a time (the core never delivers one stream concurrently).

// maxBatchEntries is how many entries SNS takes in one PublishBatch.
const maxBatchEntries = 10

// maxBatchBytes is SNS's bound on a PublishBatch: the messages and their attributes together (256 KiB).
const maxBatchBytes = 256 << 10

// partialInFlight is how many requests with room left a topic may have in flight; the calls that arrive
// meanwhile wait for one of them to answer and go out together.
const partialInFlight = 2

// snsCall is one caller's consecutive notifications of one stream.
type snsCall struct {
	msgs  []rendered
	taken int           // entries handed to requests so far
	acked int           // entries SNS took, from the first
	busy  bool          // a part of it is in flight
	done  bool          // finished: acked and err are its answer
	err   error         // why msgs[acked] was not published
	wake  chan struct{} // 1-buffered: may send now, or finished
}

// part is the slice msgs[from:to] of a call in one request.
type part struct {
	c        *snsCall
	from, to int
}

// topicQueue coalesces the calls for one topic.
type topicQueue struct {
	mu       sync.Mutex
	waiting  []*snsCall // calls with entries not yet handed to a request, in arrival order
	inflight int
}

// queue returns the topic's queue, made once.
func (s *SNS) queue(arn string) *topicQueue {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[arn]
	if !ok {
		q = &topicQueue{}
		s.queues[arn] = q
	}
	return q
}

// size is what an entry counts towards maxBatchBytes.
func (m *rendered) size() int {
	n := len(m.message)
	for _, kv := range m.attrs.list() {
		n += len(kv[0]) + len("String") + len(kv[1])
	}
	return n
}

// publishBatch publishes msgs, consecutive notifications of one stream, to the topic in order, together with
// other streams' calls for the topic, and returns how many of them, from the first, SNS took; when fewer than
// all, err is why the next one was not published. A call whose ctx ends returns ctx.Err(); its entries already
// in flight may still be published (at least once).
func (s *SNS) publishBatch(ctx context.Context, t Topic, msgs []rendered) (int, error) {
	q := s.queue(t.ARN)
	c := &snsCall{msgs: msgs, wake: make(chan struct{}, 1)}
	q.mu.Lock()
	q.waiting = append(q.waiting, c)
	for {
		if c.done {
			q.mu.Unlock()
			return c.acked, c.err
		}
		if q.canSend() {
			// This goroutine sends the next request, which may hold other callers' entries (and not yet its own,
			// when the calls before it fill a request); it loops until its own call is answered. The request runs
			// under this caller's ctx: they all share the worker's ctx and the same DeliverTimeout.
			parts := q.take()
			q.inflight++
			q.mu.Unlock()
			errs, whole := s.send(ctx, t, parts)
			q.mu.Lock()
			q.inflight--
			q.finish(parts, errs, whole)
			q.kick()
			continue
		}
		q.mu.Unlock()
		select {
		case <-c.wake:
		case <-ctx.Done():
			q.mu.Lock()
			if !c.done {
				q.remove(c)
				c.done, c.err = true, ctx.Err()
				q.kick()
			}
			q.mu.Unlock()
			return c.acked, c.err
		}
		q.mu.Lock()
	}
}

// canSend reports whether a request may go now: entries are waiting, and either the topic has room for
// another partial request, or a full one is ready.
func (q *topicQueue) canSend() bool {
	entries, bytes := 0, 0
	for _, c := range q.waiting {
		if c.busy {
			continue
		}
		for i := c.taken; i < len(c.msgs); i++ {
			entries++
			bytes += c.msgs[i].size()
		}
	}
	if entries == 0 {
		return false
	}
	return q.inflight < partialInFlight || entries >= maxBatchEntries || bytes >= maxBatchBytes
}

// take hands the waiting entries to one request, in arrival order: whole calls while they fit, then the first
// entries of the next call that fit (at least one entry). A call with a part in flight waits for its answer.
func (q *topicQueue) take() []part {
	var parts []part
	entries, bytes := 0, 0
	for _, c := range q.waiting {
		if c.busy {
			continue
		}
		to := c.taken
		for to < len(c.msgs) && entries < maxBatchEntries {
			sz := c.msgs[to].size()
			if entries > 0 && bytes+sz > maxBatchBytes {
				break
			}
			entries, bytes, to = entries+1, bytes+sz, to+1
		}
		if to == c.taken {
			break
		}
		parts = append(parts, part{c: c, from: c.taken, to: to})
		c.taken, c.busy = to, true
		if entries == maxBatchEntries || to < len(c.msgs) {
			break
		}
	}
	q.waiting = slices.DeleteFunc(q.waiting, func(c *snsCall) bool { return c.taken == len(c.msgs) })
	return parts
}

// finish records a request's answer: whole is the request's error (nothing published), errs the error of each
// entry SNS refused (nil for the published ones), in the order of parts.
func (q *topicQueue) finish(parts []part, errs []error, whole error) {
	i := 0
	for _, p := range parts {
		c := p.c
		c.busy = false
		failed, ferr := -1, whole
		for j := p.from; j < p.to; j, i = j+1, i+1 {
			if failed < 0 && (whole != nil || errs[i] != nil) {
				failed = j
				if whole == nil {
					ferr = errs[i]
				}
			}
		}
		if c.done {
			continue // its caller left (ctx)
		}
		switch {
		case failed >= 0:
			c.acked, c.done, c.err = failed, true, ferr
		case p.to == len(c.msgs):
			c.acked, c.done = p.to, true
		default:
			c.acked = p.to // the rest waits for another request
		}
		if c.done {
			q.remove(c)
			select {
			case c.wake <- struct{}{}:
			default:
			}
		}
	}
}

// remove takes c off the waiting list.
func (q *topicQueue) remove(c *snsCall) {
	q.waiting = slices.DeleteFunc(q.waiting, func(w *snsCall) bool { return w == c })
}

// kick wakes the first waiting caller when a request may go, so that somebody sends it.
func (q *topicQueue) kick() {
	if !q.canSend() {
		return
	}
	for _, c := range q.waiting {
		if !c.busy {
			select {
			case c.wake <- struct{}{}:
			default:
			}
			return
		}
	}
}
