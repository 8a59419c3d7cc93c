package agents

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/routing"
)

// Routing across nodes (docs/decisions/0007-events-and-claims.md). Every node runs a Service on the same store
// and bus. The node that holds the "routing" lease is the leader: it alone applies the domain events routing
// acts on, keeps the engine, makes offers and runs their timers. Whatever it tells an agent goes out on the bus
// as a notice, and every node hands notices to the streams of that agent it has open. A node that is not the
// leader forwards its agents' actions (accept, reject, clear, end, transfer, and the first state of a new
// stream) to the leader on the bus and waits for the answer; it asks the leader for the views built from the
// routing state the same way (reads.go). When the leader goes, another node takes the lease and rebuilds the
// state from the store, as a restart does.

// routingLease names the lease of the routing duty.
const routingLease = "routing"

// leadership is the lease holder's callback: gaining the lease rebuilds the routing state from the store,
// losing it drops the state (the new leader rebuilds its own).
func (s *Service) leadership(held bool) {
	if !held {
		s.locked(func(time.Time) { s.stepDown() })
		s.log.Info("routing: stepped down", "node_id", s.cfg.NodeID)
		return
	}
	if err := s.rebuild(context.Background()); err != nil {
		// Stay a follower; the next attempt to hold the lease (Lead, or the renewal loop) tries again.
		s.log.Error("routing: take over", "node_id", s.cfg.NodeID, "err", err)
		s.locked(func(time.Time) { s.stepDown() })
		return
	}
	s.log.Info("routing: leading", "node_id", s.cfg.NodeID)
}

// Lead makes one attempt to take or renew the routing lease and reports whether this node leads afterwards.
// The renewal loop calls it; tests with a fake clock call it to hand routing over.
func (s *Service) Lead(ctx context.Context) bool {
	s.lease.Try(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leader
}

// keepLease renews the routing lease until ctx ends, then releases it.
func (s *Service) keepLease(ctx context.Context) {
	t := time.NewTicker(s.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.lease.Release(context.WithoutCancel(ctx))
			return
		case <-t.C:
			s.Lead(ctx)
		}
	}
}

// stepDown forgets the routing state. Callers hold the lock.
func (s *Service) stepDown() {
	s.leader = false
	s.engine = routing.New(routing.Config{OfferTimeout: s.cfg.OfferTimeout})
	s.agents, s.work = map[string]*agent{}, map[string]*work{}
	if s.timer != nil {
		s.timer.Stop()
	}
}

// rebuild makes this node the leader with the routing state read from the store: every agent whose status is
// routable, with its Missed state; every agent's after-contact work; every active contact that is connected to
// an agent or waits in a queue. What holds a slot (after-contact work, connections) is put back before the
// waiting contacts are queued, so that no contact is offered into a slot that is not free.
func (s *Service) rebuild(ctx context.Context) error {
	s.locked(func(time.Time) { s.stepDown(); s.leader = true })
	instances, err := s.store.ListInstances(ctx)
	if err != nil {
		return err
	}
	for _, in := range instances {
		if err := s.rebuildInstance(ctx, in.ID); err != nil {
			return err
		}
	}
	s.locked(func(now time.Time) {
		s.dispatch(now)
		for userID := range s.subs {
			s.notifyState(userID) // streams opened while no one led get their state
		}
	})
	return nil
}

// rebuildInstance reads the routing state of one instance (rebuild).
func (s *Service) rebuildInstance(ctx context.Context, instanceID string) error {
	missed, err := s.store.ListAgentsMissed(ctx, instanceID)
	if err != nil {
		return err
	}
	missedBy := map[string]*parley.AgentMissed{}
	for _, m := range missed {
		missedBy[m.UserID] = m
	}
	users, err := s.store.ListUsers(ctx, instanceID)
	if err != nil {
		return err
	}
	for _, u := range users {
		a, err := s.loadAgent(ctx, u)
		if err != nil {
			return err
		}
		a.missed = stillMissed(missedBy[u.ID], u)
		s.locked(func(now time.Time) { s.setAgent(a, now) })
	}
	acw, err := s.store.ListAfterContactWork(ctx, instanceID)
	if err != nil {
		return err
	}
	for _, r := range acw {
		c, err := s.store.GetContact(ctx, r.ContactID)
		if err != nil {
			s.log.Warn("rebuild: after-contact work on an unreadable contact", "contact_id", r.ContactID,
				"user_id", r.UserID, "err", err)
			continue
		}
		s.locked(func(now time.Time) { s.restoreACW(c, r, now) })
	}
	contacts, err := s.store.ListActiveContacts(ctx, instanceID)
	if err != nil {
		return err
	}
	for _, c := range contacts {
		if c.AgentID == "" {
			continue
		}
		pid, token, err := s.chat.AgentParticipant(ctx, c.ID, c.AgentID)
		if err != nil {
			s.log.Warn("rebuild: the agent's ParticipantToken is not available to its workspace",
				"contact_id", c.ID, "user_id", c.AgentID, "err", err)
			pid, token = "", ""
		}
		s.locked(func(now time.Time) { s.restore(c, pid, token, now) })
	}
	for _, c := range contacts {
		if c.AgentID == "" && c.QueueID != "" && !c.EnqueuedAt.IsZero() { // in its queue, not only a flow's working queue
			s.contactQueued(c)
		}
	}
	return nil
}

// leading reports whether this node routes. Callers hold the lock.
func (s *Service) leading() bool { return s.leader && !s.closed }

// isLeader reports whether this node routes; actions on other nodes are forwarded to the one that does.
func (s *Service) isLeader() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading()
}

// notice is the bus form of what the leader tells an agent: the stream event itself, and the one stream it is
// meant for, if it is meant for one.
type notice struct {
	Event  Event  `json:"event"`
	Stream string `json:"stream,omitempty"`
}

// publishNotice sends an event for userID to its streams (or to the one named stream) on every node, through
// the bus. On a bus that delivers in process only, the notice travels as a value (no encoding).
func (s *Service) publishNotice(userID, stream string, ev Event) {
	pe := &parley.Event{Kind: parley.EventAgentNotice, UserID: userID, Time: s.now()}
	if ib, ok := s.bus.(parley.InProcessBus); ok && ib.InProcess() {
		pe.Value = notice{Event: ev, Stream: stream}
	} else {
		data, err := json.Marshal(notice{Event: ev, Stream: stream})
		if err != nil {
			s.log.Error("agent notice: encode", "user_id", userID, "err", err)
			return
		}
		pe.Data = data
	}
	if err := s.bus.PublishEvent(context.Background(), pe); err != nil {
		s.log.Warn("agent notice: publish", "user_id", userID, "err", err)
	}
}

// deliver hands a notice from the bus to this node's streams of the user (none open here: nothing to decode). A
// stream that has not heard a state yet skips everything before one.
func (s *Service) deliver(ev *parley.Event) {
	s.mu.Lock()
	open := len(s.subs[ev.UserID]) > 0
	s.mu.Unlock()
	if !open {
		return
	}
	n, ok := ev.Value.(notice)
	if !ok {
		if err := json.Unmarshal(ev.Data, &n); err != nil {
			s.log.Error("agent notice: decode", "user_id", ev.UserID, "err", err)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs[ev.UserID] {
		if n.Stream != "" && n.Stream != sub.id {
			continue
		}
		if !sub.open {
			if n.Event.Kind != EventState {
				continue
			}
			sub.open = true
		}
		select {
		case sub.C <- n.Event:
		default:
			delete(s.subs[ev.UserID], sub)
			sub.close()
		}
	}
}

// Actions a node forwards to the leader.
const (
	actAccept   = "accept"
	actReject   = "reject"
	actClear    = "clear"
	actEnd      = "end"
	actTransfer = "transfer"
	actSync     = "sync" // send the agent's state and open offers to a stream opened on a follower
	// actRead (reads.go) asks for a read view.
)

// action is the bus form of a forwarded action and of its answer (Reply set).
type action struct {
	ID        string          `json:"id"`
	Node      string          `json:"node"`
	Act       string          `json:"act"`
	UserID    string          `json:"user"`
	ContactID string          `json:"contact,omitempty"`
	Target    *TransferTarget `json:"target,omitempty"`
	Read      string          `json:"read,omitempty"`   // the view of an actRead
	Arg       string          `json:"arg,omitempty"`    // the instance or queue of an actRead
	Stream    string          `json:"stream,omitempty"` // the new stream an actSync is for

	Reply   bool         `json:"reply,omitempty"`
	Code    parley.Code  `json:"code,omitempty"`
	Message string       `json:"message,omitempty"`
	Field   string       `json:"field,omitempty"`
	Kind    string       `json:"resource,omitempty"`
	Contact *ContactView `json:"view,omitempty"`
	Result  string       `json:"result,omitempty"`
	// Data is the view an actRead asked for, encoded.
	Data json.RawMessage `json:"data,omitempty"`
}

// forward sends an action to the leader and waits for its answer, until ctx ends or ForwardTimeout passes.
func (s *Service) forward(ctx context.Context, a action) (*action, error) {
	a.ID, a.Node = newRequestID(), s.cfg.NodeID
	reply := make(chan *action, 1)
	s.pmu.Lock()
	s.pending[a.ID] = reply
	s.pmu.Unlock()
	defer func() {
		s.pmu.Lock()
		delete(s.pending, a.ID)
		s.pmu.Unlock()
	}()
	if err := s.publishAction(&a); err != nil {
		return nil, err
	}
	timeout := time.NewTimer(s.cfg.ForwardTimeout)
	defer timeout.Stop()
	select {
	case r := <-reply:
		if r.Code != "" {
			return r, &parley.Error{Code: r.Code, Message: r.Message, Field: r.Field, Resource: r.Kind}
		}
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timeout.C:
		return nil, parley.Errorf(parley.EINTERNAL, "the routing node did not answer within %v", s.cfg.ForwardTimeout)
	}
}

func (s *Service) publishAction(a *action) error {
	data, err := json.Marshal(a)
	if err != nil {
		return parley.Internal(err)
	}
	return s.bus.PublishEvent(context.Background(), &parley.Event{Kind: parley.EventAgentAction, UserID: a.UserID,
		Time: s.now(), Data: data})
}

// onAction handles an action from the bus: an answer for this node's pending request, or, on the leader, an
// action to carry out. It is carried out on a goroutine of its own, because the in-process bus calls subscribers
// on the publisher's goroutine, which is waiting for the answer.
func (s *Service) onAction(ev *parley.Event) {
	var a action
	if err := json.Unmarshal(ev.Data, &a); err != nil {
		s.log.Error("agent action: decode", "user_id", ev.UserID, "err", err)
		return
	}
	if a.Reply {
		if a.Node != s.cfg.NodeID {
			return
		}
		s.pmu.Lock()
		reply := s.pending[a.ID]
		s.pmu.Unlock()
		if reply != nil {
			reply <- &a
		}
		return
	}
	s.mu.Lock()
	lead := s.leading()
	if lead {
		s.running.Add(1)
	}
	s.mu.Unlock()
	if !lead {
		return
	}
	go func() {
		defer s.running.Done()
		s.carryOut(&a)
	}()
}

// carryOut does a forwarded action on the leader and publishes its answer.
func (s *Service) carryOut(a *action) {
	ctx := context.Background()
	r := &action{ID: a.ID, Node: a.Node, Act: a.Act, UserID: a.UserID, ContactID: a.ContactID, Reply: true}
	var err error
	if a.Act == actRead {
		r.Data, err = s.readLocal(ctx, a) // a view of the whole routing state names no user
	} else {
		err = s.act(ctx, a, r)
	}
	if err != nil {
		var pe *parley.Error
		if !errors.As(err, &pe) {
			pe = parley.Internal(err)
			s.log.Error("agent action", "act", a.Act, "user_id", a.UserID, "err", err)
		}
		r.Code, r.Message, r.Field, r.Kind = pe.Code, pe.Message, pe.Field, pe.Resource
	}
	if err := s.publishAction(r); err != nil {
		s.log.Warn("agent action: answer", "act", a.Act, "err", err)
	}
}

// act does an agent's forwarded action on the leader, filling the answer r.
func (s *Service) act(ctx context.Context, a, r *action) error {
	u, err := s.store.GetUser(ctx, a.UserID)
	if err != nil {
		return err
	}
	switch a.Act {
	case actAccept:
		r.Contact, err = s.Accept(ctx, u, a.ContactID)
	case actReject:
		err = s.Reject(ctx, u, a.ContactID)
	case actClear:
		err = s.Clear(ctx, u, a.ContactID)
	case actEnd:
		err = s.End(ctx, u, a.ContactID)
	case actTransfer:
		if a.Target == nil {
			a.Target = &TransferTarget{}
		}
		r.Result, err = s.Transfer(ctx, u, a.ContactID, *a.Target)
	case actSync:
		s.locked(func(time.Time) { s.sync(u.ID, a.Stream) })
	default:
		err = parley.Errorf(parley.EINVALID, "unknown agent action %q", a.Act)
	}
	return err
}

// sync tells one new stream of the user its state and open offers. Callers hold the lock.
func (s *Service) sync(userID, stream string) {
	st := s.state(userID)
	s.notifyStream(userID, stream, Event{Kind: EventState, State: &st})
	for _, w := range s.work {
		if w.agentID == userID && w.state == ContactOffered {
			s.notifyStream(userID, stream, Event{Kind: EventOffer, Contact: s.view(w)})
		}
	}
}

// newRequestID returns a random id for a forwarded action or a node.
func newRequestID() string { return uuid.NewString() }
