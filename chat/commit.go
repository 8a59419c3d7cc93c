package chat

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/internal/durhist"
)

// Change collects what one state change of the chat core produced, inside its transaction: the items it
// appended and the domain events it emitted, in order. Every state change goes through Service.commit, which
// runs the observers' Committing inside the same transaction and, once committed, publishes the items and
// events on the Bus and tells the observers' Committed.
type Change struct {
	tx     parley.Tx
	Items  []*parley.Item
	Events []*parley.Event
	// first runs after the commit and before anyone hears of the change (see beforePublish).
	first []func()
	// buf backs Items for the common change of one or two items (a message; a start with its first message).
	buf [2]*parley.Item
	// flowWaits is set by a customer's message to a contact whose flow waits (for input, or the customer's
	// return): the flow must hear of it (flowrun.go).
	flowWaits bool
	// hidden holds, by item Id, the content of a customer's answer to a view that was stored without its data
	// (views.go): the flow hears the answer as the customer sent it; nothing else does.
	hidden map[string]string
}

// beforePublish queues f to run once the change has committed, before it is published: work that must be done
// before anyone can act on the change (the bytes of a rejected attachment go before the client hears REJECTED).
func (ch *Change) beforePublish(f func()) { ch.first = append(ch.first, f) }

// Append stores an item (the store assigns its Seq) and records it for publishing.
func (ch *Change) Append(ctx context.Context, it *parley.Item) error {
	if err := ch.tx.AppendItem(ctx, it); err != nil {
		return err
	}
	ch.Items = append(ch.Items, it)
	return nil
}

// Emit records a domain event about c (a snapshot is taken now) to publish after the commit.
func (ch *Change) Emit(kind parley.EventKind, c *parley.Contact, at time.Time) *parley.Event {
	ev := &parley.Event{Kind: kind, InstanceID: c.InstanceID, Time: at, Contact: snapshot(c)}
	ch.Events = append(ch.Events, ev)
	return ev
}

// Observer is told about every change the chat core commits.
type Observer interface {
	// Committing runs inside the change's transaction, after the change and before the commit: what it writes
	// commits or rolls back with the change (the streaming outbox writes its rows here). An error rolls the
	// change back and is returned to the caller. It may run more than once for one change (the store retries).
	Committing(ctx context.Context, tx parley.Tx, ch *Change) error
	// Committed runs after the commit and after the change was published, on the goroutine that made it (or that
	// led its batch, batch.go), in commit order for one chain (the flow runner hears customer messages here). It
	// must not block.
	Committed(ch *Change)
}

// Observe adds an observer of every committed change. Call it before serving.
func (s *Service) Observe(o Observer) { s.observers = append(s.observers, o) }

// commit runs fn in one store transaction with a Change to record what it produced, runs the observers inside
// the same transaction, and, once committed, publishes the items and events and tells the observers. It returns
// the committed change; on error nothing of it was committed or published.
func (s *Service) commit(ctx context.Context, fn func(tx parley.Tx, ch *Change) error) (*Change, error) {
	ch := &Change{}
	ch.Items = ch.buf[:0]
	start := time.Now()
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		ch.tx, ch.Items, ch.Events, ch.first, ch.flowWaits, ch.hidden = tx, ch.Items[:0], ch.Events[:0], ch.first[:0], false, nil
		if err := fn(tx, ch); err != nil {
			return err
		}
		return s.committing(ctx, tx, ch)
	})
	s.commits.Observe(time.Since(start))
	ch.tx = nil
	if err != nil {
		return nil, err
	}
	s.committed(ch)
	return ch, nil
}

// committing runs the observers' Committing for a change inside its transaction (commit's, or a batch's).
func (s *Service) committing(ctx context.Context, tx parley.Tx, ch *Change) error {
	for _, o := range s.observers {
		if err := o.Committing(ctx, tx, ch); err != nil {
			return err
		}
	}
	return nil
}

// committed does what follows a change's commit: its beforePublish work, the bus, the observers' Committed.
func (s *Service) committed(ch *Change) {
	for _, f := range ch.first {
		f()
	}
	s.publish(ch)
	for _, o := range s.observers {
		o.Committed(ch)
	}
}

// CommitLatency is the store's latency for the changes of the chat core, from the start of Update to its return
// (a group commit's wait included), successful or not; for an append that went in a batch (batch.go), from its
// arrival in the queue to its batch's outcome.
func (s *Service) CommitLatency() durhist.Snapshot { return s.commits.Snapshot() }

// publish rings the bus for a committed change: its items, then its events. A failure only delays delivery
// (subscribers fill item gaps from the store on the next item, clients resume from the transcript, and the
// routing service rebuilds from the store when it takes over), so it is logged, not returned.
func (s *Service) publish(ch *Change) {
	for _, it := range ch.Items {
		if changesMembership(it) {
			s.auth.invalidate(it.ChainID)
		}
		if err := s.bus.Publish(context.Background(), it); err != nil {
			s.log.Warn("bus publish failed", "contact_id", it.ContactID, "seq", it.Seq, "err", err)
		}
	}
	for _, ev := range ch.Events {
		if err := s.bus.PublishEvent(context.Background(), ev); err != nil {
			s.log.Warn("bus publish failed", "event", ev.Kind, "err", err)
		}
	}
}

// snapshot copies a contact for an event, so that the event never shares memory with the store or the caller.
func snapshot(c *parley.Contact) *parley.Contact {
	cp := *c
	cp.Attributes = maps.Clone(c.Attributes)
	cp.SegmentAttributes = slices.Clone(c.SegmentAttributes)
	cp.SupportedContentTypes = slices.Clone(c.SupportedContentTypes)
	return &cp
}
