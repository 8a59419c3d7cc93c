// Package agents is the agent side of parley: logins, agent statuses, offers of queued chats, accept and reject,
// transfers, after-contact work and supervisor views. It owns the routing engine (package routing) and feeds it
// from domain events on the Bus: contacts queued and ended (the chat core), status and profile changes (the
// configuration). Of the nodes sharing a store and bus, the one holding the "routing" lease routes; the others
// relay its notices to their agents' streams and forward their agents' actions to it (cluster.go). An accepted
// chat joins the agent as an AGENT participant, after which the agent chats through the Participant Service like
// any ChatJS agent session. It speaks in its own types (State, ContactView, Event, ...), plain data with
// time.Time; api/agent turns them into the agent API's JSON.
//
// Concurrency: Service is safe for concurrent use. One mutex guards the engine and the in-memory state of offers,
// connections and after-contact work; nothing that waits (store writes, chat operations) runs under it. Work that
// must follow a decision made under the lock (auto-accepting an offer, ending a chat over a full queue) is queued
// and run right after the lock is released. Offer timeouts and after-contact-work limits fire from one timer armed
// at the engine's next wake-up; Tick runs the same code for tests with a fake clock. Notices to agents are
// published on the Bus after the lock is released, and every node's bus subscriber hands them to its streams.
package agents

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/lease"
	"github.com/parley-chat/parley/routing"
)

// Config tunes the service; zero values mean the defaults.
type Config struct {
	// OfferTimeout is how long an agent has to accept an offer (default 30 s).
	OfferTimeout time.Duration
	// SessionTTL is how long a login lasts (default 12 h).
	SessionTTL time.Duration
	// NoTimer disables the internal timer and the renewal of the routing lease; the owner calls Tick and Lead
	// (tests with a fake clock).
	NoTimer bool
	// NodeID names this process among the nodes sharing the store and the bus (default: a random id).
	NodeID string
	// LeaseTTL is how long the routing lease lasts unless renewed: how long routing may stop when its node dies
	// (default lease.DefaultTTL).
	LeaseTTL time.Duration
	// ForwardTimeout bounds how long a node waits for the routing node to answer a forwarded action (default
	// 10 s).
	ForwardTimeout time.Duration
}

// agentQueue is the queue of a single agent (transfers to a user), as Connect's agent queues.
func agentQueue(userID string) string { return "agent/" + userID }

// work is an agent's hold on a contact: an offer, a connection, or after-contact work.
type work struct {
	contact     *parley.Contact
	agentID     string
	state       ContactState // ContactOffered, ContactConnected or ContactACW; "" while an accept is in flight
	deadline    time.Time
	connectedAt time.Time
	endedAt     time.Time
	acwDeadline time.Time
	endReason   string
	participant string
	// token is the participant's ParticipantToken, kept for the workspace's reloads: the store keeps only its hash.
	token string
	// endedWhileAccepting is set when the chat ended while an accept was in flight.
	endedWhileAccepting bool
}

// agent is what the service keeps of a user it routes to.
type agent struct {
	user    *parley.User
	status  *parley.AgentStatus
	profile *parley.RoutingProfile
	missed  bool
}

func (a *agent) routable() bool {
	return a.status != nil && a.status.Type == parley.StatusRoutable && !a.missed && a.profile != nil
}

// Service implements the agent operations.
type Service struct {
	store parley.Store
	bus   parley.Bus
	chat  *chat.Service
	admin *admin.Service
	clock parley.Clock
	log   *slog.Logger
	cfg   Config

	mu      sync.Mutex
	engine  *routing.Engine
	agents  map[string]*agent // by user id
	work    map[string]*work  // by contact id
	subs    map[string]map[*Subscription]struct{}
	timer   *time.Timer
	post    []func()
	saves   []save         // changes of the routing state to write once the lock is released (state.go)
	notices []queuedNotice // notices to publish once the lock is released (state.go)
	closed  bool
	// leader is set while this node holds the routing lease and has rebuilt the state (cluster.go).
	leader bool

	lease       *lease.Holder
	unsubscribe func()             // ends the subscription to the bus's events (nil before Start)
	stopLease   context.CancelFunc // stops the renewal loop (nil with NoTimer)
	running     sync.WaitGroup     // the renewal loop and forwarded actions being carried out

	wmu sync.Mutex // held while the routing state's queued changes are written (persist); taken before mu
	nmu sync.Mutex // held while the queued notices are published (publish); taken before mu

	pmu     sync.Mutex
	pending map[string]chan *action // forwarded actions waiting for the leader's answer, by request id
}

// New returns the service. Call Start before serving.
func New(store parley.Store, bus parley.Bus, chatSvc *chat.Service, adminSvc *admin.Service, clock parley.Clock, log *slog.Logger, cfg Config) *Service {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.NodeID == "" {
		cfg.NodeID = "node-" + newRequestID()
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = lease.DefaultTTL
	}
	if cfg.ForwardTimeout <= 0 {
		cfg.ForwardTimeout = 10 * time.Second
	}
	if clock == nil {
		clock = parley.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, bus: bus, chat: chatSvc, admin: adminSvc, clock: clock, log: log, cfg: cfg,
		engine: routing.New(routing.Config{OfferTimeout: cfg.OfferTimeout}),
		agents: map[string]*agent{}, work: map[string]*work{}, subs: map[string]map[*Subscription]struct{}{},
		pending: map[string]chan *action{}}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// locked runs f under the lock, then publishes the notices f queued and writes the changes of the routing state
// it queued (state.go), then runs the work f queued for after it (s.later).
func (s *Service) locked(f func(now time.Time)) {
	s.mu.Lock()
	f(s.now())
	post := s.post
	s.post = nil
	notices, saves := len(s.notices) > 0, len(s.saves) > 0
	s.mu.Unlock()
	if notices {
		s.publish()
	}
	if saves {
		s.persist()
	}
	for _, p := range post {
		p()
	}
}

// later queues f to run once the lock is released. Callers hold the lock.
func (s *Service) later(f func()) { s.post = append(s.post, f) }

// Start subscribes to the bus's domain events and tries to take the routing lease; the node that gets it rebuilds
// the routing state from the store and routes (cluster.go). Subscribing first means a change committed while it
// rebuilds is heard, not lost; hearing one twice is harmless. Unless NoTimer is set, the lease is renewed (or
// taken over, when its holder goes) in the background until Close.
func (s *Service) Start(ctx context.Context) error {
	s.unsubscribe = s.bus.SubscribeEvents(s.event)
	s.lease = lease.New(s.store, routingLease, s.cfg.NodeID, s.clock, s.cfg.LeaseTTL, s.log, s.leadership)
	s.Lead(ctx)
	if !s.cfg.NoTimer {
		renew, stop := context.WithCancel(context.WithoutCancel(ctx))
		s.stopLease = stop
		s.running.Add(1)
		go func() {
			defer s.running.Done()
			s.keepLease(renew)
		}()
	}
	return nil
}

// Close stops hearing the bus, gives the routing lease up (another node takes over at once), stops the timer and
// ends every event subscription.
func (s *Service) Close() {
	if s.unsubscribe != nil {
		s.unsubscribe()
	}
	if s.stopLease != nil {
		s.stopLease()
	}
	s.running.Wait()
	if s.lease != nil {
		s.lease.Release(context.Background())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	for _, set := range s.subs {
		for sub := range set {
			sub.close()
		}
	}
	s.subs = map[string]map[*Subscription]struct{}{}
}

// restore puts back a contact that was connected to an agent when the server stopped.
func (s *Service) restore(c *parley.Contact, participantID, token string, now time.Time) {
	a := s.agents[c.AgentID]
	if a == nil {
		return
	}
	if err := s.engine.Assign(contactRef(c), a.user.ID, now); err != nil {
		s.log.Warn("restore connection", "contact_id", c.ID, "user_id", a.user.ID, "err", err)
		return
	}
	s.work[c.ID] = &work{contact: c, agentID: a.user.ID, state: ContactConnected, connectedAt: c.AgentConnectedAt,
		participant: participantID, token: token}
}

// loadAgent reads a user's status and routing profile.
func (s *Service) loadAgent(ctx context.Context, u *parley.User) (*agent, error) {
	a := &agent{user: u}
	if u.StatusID != "" {
		st, err := s.store.GetAgentStatus(ctx, u.StatusID)
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		a.status = st
	}
	if u.RoutingProfileID != "" {
		p, err := s.store.GetRoutingProfile(ctx, u.RoutingProfileID)
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		a.profile = p
	}
	return a, nil
}

// setAgent tells the engine about an agent (new status, profile or missed flag; the caller decides whether a
// Missed state carries over). Callers hold the lock.
func (s *Service) setAgent(a *agent, now time.Time) {
	s.agents[a.user.ID] = a
	if a.status == nil || a.status.Type == parley.StatusOffline {
		for _, o := range s.engine.RemoveAgent(a.user.ID, now) {
			s.withdrawn(o, "offline")
		}
		s.engine.SetAgent(routing.AgentState{ID: a.user.ID, Routable: false, Slots: slots(a)}, now)
		// Connections stay with the agent (it may finish them); the engine forgot them, so put them back.
		for _, w := range s.work {
			if w.agentID == a.user.ID && w.state != ContactOffered {
				_ = s.engine.Assign(contactRef(w.contact), a.user.ID, now)
			}
		}
		return
	}
	st := routing.AgentState{ID: a.user.ID, Routable: a.routable(), Slots: slots(a),
		Queues: []routing.QueueRef{{QueueID: agentQueue(a.user.ID), Priority: 0}}}
	if a.profile != nil {
		for _, q := range a.profile.Queues {
			if q.Channel != "" && q.Channel != parley.ChannelChat {
				continue
			}
			st.Queues = append(st.Queues, routing.QueueRef{QueueID: q.QueueID, Priority: q.Priority,
				Delay: time.Duration(q.Delay) * time.Second})
		}
	}
	s.engine.SetAgent(st, now)
}

// statusChanged reports whether the agent's chosen status differs (a new choice clears Missed).
func statusChanged(old, a *agent) bool {
	if old.status == nil || a.status == nil {
		return old.status != a.status
	}
	return old.status.ID != a.status.ID || !old.user.StatusSince.Equal(a.user.StatusSince)
}

// slots is the agent's chat concurrency; a profile without chat (0) or no profile takes no chats.
func slots(a *agent) int {
	if a.profile == nil || a.profile.ChatConcurrency < 0 {
		return 0
	}
	return a.profile.ChatConcurrency
}

// event is the bus's: notices go to this node's streams, forwarded actions to the leader, and the leader applies
// the domain events routing acts on. It runs on the publisher's goroutine (the local bus) or the bus's (a
// networked one).
func (s *Service) event(ev *parley.Event) {
	switch ev.Kind {
	case parley.EventAgentNotice:
		s.deliver(ev)
		return
	case parley.EventAgentAction:
		s.onAction(ev)
		return
	}
	s.mu.Lock()
	lead := s.leading()
	s.mu.Unlock()
	if !lead {
		return // the routing node applies it
	}
	ctx := context.Background()
	switch ev.Kind {
	case parley.EventContactQueued:
		s.contactQueued(ev.Contact)
	case parley.EventContactEnded:
		s.contactEnded(ev.Contact)
	case parley.EventAgentStatus:
		s.userStatusChanged(ctx, ev.User)
	case parley.EventConfigChanged:
		s.configChanged(ctx, ev.InstanceID)
	}
}

// userStatusChanged applies a user's new status (PutUserStatus or the agent API).
func (s *Service) userStatusChanged(ctx context.Context, u *parley.User) {
	// The store, not the event, is the truth: events of different nodes may arrive out of order.
	if fresh, err := s.store.GetUser(ctx, u.ID); err == nil {
		u = fresh
	}
	a, err := s.loadAgent(ctx, u)
	if err != nil {
		s.log.Error("load agent", "user_id", u.ID, "err", err)
		return
	}
	s.locked(func(now time.Time) {
		if old := s.agents[u.ID]; old != nil && old.missed {
			s.unmissed(u.ID)
		}
		s.setAgent(a, now) // a status set again clears Missed: a.missed is false
		s.dispatch(now)
		s.notifyState(u.ID)
	})
}

// configChanged applies a change of routing profiles, queues or users: it reloads every agent of the instance.
func (s *Service) configChanged(ctx context.Context, instanceID string) {
	users, err := s.store.ListUsers(ctx, instanceID)
	if err != nil {
		s.log.Error("reload agents", "instance_id", instanceID, "err", err)
		return
	}
	var loaded []*agent
	for _, u := range users {
		a, err := s.loadAgent(ctx, u)
		if err != nil {
			s.log.Error("load agent", "user_id", u.ID, "err", err)
			return
		}
		loaded = append(loaded, a)
	}
	s.locked(func(now time.Time) {
		for _, a := range loaded {
			if old := s.agents[a.user.ID]; old != nil {
				a.missed = old.missed && !statusChanged(old, a)
				if old.missed && !a.missed {
					s.unmissed(a.user.ID)
				}
			}
			s.setAgent(a, now)
		}
		s.dispatch(now)
	})
}

// contactRef is a contact as routing orders it.
func contactRef(c *parley.Contact) routing.ContactRef {
	return routing.ContactRef{ID: c.ID, QueueID: c.QueueID, EnqueuedAt: c.EnqueuedAt, Priority: c.QueuePriority,
		Adjustment: c.QueueTimeAdjustment}
}

// contactQueued applies a contact entering a queue, or a queued contact's new routing behavior.
func (s *Service) contactQueued(c *parley.Contact) {
	routed := false
	s.locked(func(now time.Time) {
		if routed = s.engine.Reprioritize(contactRef(c)); routed {
			s.dispatch(now)
		}
	})
	if routed {
		return
	}
	if s.full(context.Background(), c.QueueID) {
		// The default flow's TransferContactToQueue takes its QueueAtCapacity branch: disconnect.
		s.log.Info("queue at capacity: ending chat", "contact_id", c.ID, "queue_id", c.QueueID)
		if err := s.chat.StopContact(context.Background(), c.InstanceID, c.ID); err != nil {
			s.log.Error("end chat over a full queue", "contact_id", c.ID, "err", err)
		}
		return
	}
	s.locked(func(now time.Time) {
		if err := s.engine.Enqueue(contactRef(c), now); err != nil {
			s.log.Warn("enqueue", "contact_id", c.ID, "err", err)
			return
		}
		s.dispatch(now)
	})
}

// full reports whether a queue has as many waiting contacts as its MaxContacts allows (agent queues have no
// limit).
func (s *Service) full(ctx context.Context, queueID string) bool {
	if strings.HasPrefix(queueID, "agent/") {
		return false
	}
	q, err := s.store.GetQueue(ctx, queueID)
	if err != nil || q.MaxContacts <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting(queueID) >= q.MaxContacts
}

// waiting counts the contacts waiting in a queue. Callers hold the lock.
func (s *Service) waiting(queueID string) int { return s.engine.QueueStats(queueID).Waiting }

// contactEnded applies a contact's end. A waiting or offered contact leaves routing; a connected one puts its
// agent in after-contact work, which keeps the slot until cleared.
func (s *Service) contactEnded(c *parley.Contact) {
	s.locked(func(now time.Time) {
		w := s.work[c.ID]
		if w == nil || w.state == ContactOffered {
			if o, ok := s.engine.Remove(c.ID, now); ok {
				delete(s.work, c.ID)
				s.withdrawn(o, "customer_left")
			}
			s.dispatch(now)
			return
		}
		if w.state == ContactACW {
			return
		}
		if w.state == "" {
			// An accept is in flight: it finishes the work (ACW if the agent joined, nothing if it could not).
			w.endedWhileAccepting, w.endReason = true, c.DisconnectReason
			return
		}
		w.contact = c
		s.enterACW(w, c.DisconnectReason, now)
		s.notify(w.agentID, Event{Kind: EventContactEnded, ContactID: c.ID, Reason: c.DisconnectReason,
			Contact: s.view(w)})
		s.notifyState(w.agentID)
	})
}

// dispatch makes the offers the engine finds, auto-accepts where the agent asked for it, and re-arms the timer.
// Callers hold the lock.
func (s *Service) dispatch(now time.Time) {
	for _, o := range s.engine.Match(now) {
		c, err := s.store.GetContact(context.Background(), o.ContactID)
		if err != nil {
			s.log.Error("offer: read contact", "contact_id", o.ContactID, "err", err)
			continue
		}
		if !c.Active() {
			// Its contact.ended (from another node) has not arrived yet, or was lost: never offer an ended chat.
			s.engine.Remove(c.ID, now)
			continue
		}
		w := &work{contact: c, agentID: o.AgentID, state: ContactOffered, deadline: o.Deadline}
		s.work[o.ContactID] = w
		s.log.Debug("offer", "contact_id", o.ContactID, "user_id", o.AgentID, "queue_id", o.QueueID)
		s.notify(o.AgentID, Event{Kind: EventOffer, Contact: s.view(w)})
		s.notifyState(o.AgentID)
		if a := s.agents[o.AgentID]; a != nil && a.user.AutoAccept {
			user, contactID := a.user, o.ContactID
			s.later(func() {
				if _, err := s.Accept(context.Background(), user, contactID); err != nil {
					s.log.Warn("auto-accept", "contact_id", contactID, "user_id", user.ID, "err", err)
				}
			})
		}
	}
	s.rearm(now)
}

// withdrawn tells an agent an offer is gone. Callers hold the lock.
func (s *Service) withdrawn(o routing.Offer, reason string) {
	if w := s.work[o.ContactID]; w != nil && w.agentID == o.AgentID && w.state == ContactOffered {
		delete(s.work, o.ContactID)
	}
	s.notify(o.AgentID, Event{Kind: EventOfferWithdrawn, ContactID: o.ContactID, Reason: reason})
	s.notifyState(o.AgentID)
}

// rearm sets the one timer to the next moment something is due. Callers hold the lock.
func (s *Service) rearm(now time.Time) {
	if s.cfg.NoTimer || s.closed {
		return
	}
	next := s.engine.NextWake(now)
	for _, w := range s.work {
		if !w.acwDeadline.IsZero() && (next.IsZero() || w.acwDeadline.Before(next)) {
			next = w.acwDeadline
		}
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	if next.IsZero() {
		return
	}
	d := next.Sub(now)
	if d < time.Millisecond {
		d = time.Millisecond
	}
	s.timer = time.AfterFunc(d, s.Tick)
}

// Tick withdraws offers past their deadline (the agent goes to Missed), ends after-contact work past its limit,
// and makes new offers. The internal timer calls it; tests with a fake clock call it directly.
func (s *Service) Tick() {
	s.locked(func(now time.Time) {
		if s.closed {
			return
		}
		for _, m := range s.engine.Expire(now) {
			if a := s.agents[m.AgentID]; a != nil {
				s.miss(a, now)
			}
			s.withdrawn(m.Offer, "timeout")
		}
		for id, w := range s.work {
			if w.state == ContactACW && !w.acwDeadline.IsZero() && !now.Before(w.acwDeadline) {
				s.clear(id, w, now)
			}
		}
		s.dispatch(now)
	})
}

// clear ends after-contact work: the slot frees. Callers hold the lock.
func (s *Service) clear(contactID string, w *work, now time.Time) {
	delete(s.work, contactID)
	s.saveLater("after-contact work cleared", contactID, func(ctx context.Context, tx parley.Tx) error {
		return tx.DeleteAfterContactWork(ctx, contactID)
	})
	s.engine.Release(contactID, w.agentID, now)
	s.notify(w.agentID, Event{Kind: EventContactCleared, ContactID: contactID})
	s.notifyState(w.agentID)
}
