// Package routing is the decision core of parley's contact routing: it decides which waiting contact is offered
// to which agent, withdraws offers that time out, and tells its caller when to look again. It follows Amazon
// Connect's rules: an agent serves the queues of its routing profile, with a priority and a delay per queue and a
// number of chat slots; a contact goes to the longest-idle agent with a free slot, queue priority first, then
// contact age.
//
// The Engine is pure and deterministic. It does no I/O, starts no goroutines and never reads the clock: every
// method takes the current time from its caller, and the same calls with the same times always give the same
// answers. Every method takes now, even the few that do not use it yet, so callers treat them alike. The caller
// carries out what the engine decides (persists offers and agent states, notifies agents, arms one timer at
// NextWake).
//
// Concurrency: an Engine is not safe for concurrent use. The caller serializes every call, typically by holding
// one mutex around each call and the handling of its result. Values returned by the engine are copies the caller
// may keep.
//
// The rules where Connect leaves room, in one place:
//
//   - Idle time. An agent's IdleSince is set to now when it is first added as routable, when SetAgent makes a
//     non-routable agent routable, and when Release frees one of its slots. Nothing else changes it: offers,
//     accepts, rejects, withdrawn offers (Remove, RemoveAgent) and timeouts leave it alone (a timeout makes the
//     agent non-routable, so it gets a fresh IdleSince when it comes back).
//   - Matching order. Match works in rounds. In each round every eligible agent, longest idle first (IdleSince
//     ascending, then ID), is offered at most one contact: the best waiting contact of its queues whose delay has
//     elapsed, by the profile's queue priority (lower first), then the contact's own priority (lower first), then
//     EnqueuedAt less the contact's time adjustment, then contact ID. Rounds repeat until one offers
//     nothing, so agents with several free slots share a burst of contacts with other agents rather than taking it
//     all first.
//   - Rejects. A contact remembers every agent that rejected it while it is routed. Match runs the rounds twice:
//     first with each contact hidden from the agents that rejected it, then with nothing hidden. So a rejected
//     contact goes to another eligible agent if there is one, and comes back to a rejecting agent only when no
//     other agent takes it; the matching guarantee below holds either way. Reject leaves the agent routable.
//   - Offers of agents that change. SetAgent never withdraws offers or connections: an agent made non-routable,
//     given fewer slots or another profile keeps what it has (it may still accept a pending offer) and receives
//     nothing new until it is eligible again. RemoveAgent withdraws its offers and forgets its connections.
//
// After Match, no contact waits while an eligible agent (routable, connected+offered < Slots) whose profile serves
// the contact's queue, with that queue's delay elapsed, could take it.
package routing

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parley-chat/parley"
)

// DefaultOfferTimeout is how long an agent has to accept an offer when Config.OfferTimeout is zero.
const DefaultOfferTimeout = 30 * time.Second

// Config configures an Engine. The zero value is ready to use.
type Config struct {
	// OfferTimeout is how long an offer waits for Accept or Reject before Expire withdraws it and marks the agent
	// missed. Zero or less means DefaultOfferTimeout.
	OfferTimeout time.Duration
}

// Errors returned by the Engine. Every error from Accept and Reject matches ErrNoOffer; when the agent or the
// contact is not known at all it also matches ErrUnknownAgent or ErrUnknownContact.
var (
	// ErrNoOffer means the agent has no pending offer of the contact: it expired, was withdrawn, was already
	// answered, or never existed.
	ErrNoOffer = errors.New("routing: no pending offer")
	// ErrUnknownAgent means no agent with that ID has been added (or it was removed).
	ErrUnknownAgent = errors.New("routing: unknown agent")
	// ErrUnknownContact means no contact with that ID is being routed.
	ErrUnknownContact = errors.New("routing: unknown contact")
	// ErrContactExists means Enqueue was given the ID of a contact that is already being routed.
	ErrContactExists = errors.New("routing: contact already routed")
)

// QueueRef is one queue of an agent's routing profile. Lower Priority is served first. A contact of the queue is
// offered to the agent only once now >= EnqueuedAt + Delay.
type QueueRef struct {
	QueueID  string
	Priority int
	Delay    time.Duration
}

// AgentState is what the engine needs to know about an agent: whether it takes contacts, how many at once (chat
// concurrency; the configuration keeps it within Connect's 1..10, the engine accepts any value and counts a
// negative one as zero) and the queues of its routing profile.
type AgentState struct {
	ID       string
	Routable bool
	Slots    int
	Queues   []QueueRef
}

// ContactRef is a contact waiting in a queue. Contacts of a queue are served by Priority (lower first; 0 is
// parley.DefaultQueuePriority), then by EnqueuedAt less Adjustment (the time a flow counts as already waited),
// then by ID.
type ContactRef struct {
	ID         string
	QueueID    string
	EnqueuedAt time.Time
	Priority   int
	Adjustment time.Duration
}

// priority is the contact's routing priority, the default for 0.
func (r ContactRef) priority() int {
	if r.Priority == 0 {
		return parley.DefaultQueuePriority
	}
	return r.Priority
}

// Offer is a contact offered to an agent. It occupies one of the agent's slots until it is accepted (then the
// connection does), rejected, withdrawn or expired at Deadline.
type Offer struct {
	ContactID string
	AgentID   string
	QueueID   string
	Deadline  time.Time
}

// Missed is an offer that Expire withdrew because the agent did not answer by its Deadline. The agent is then
// not routable (Connect's Missed state) until SetAgent makes it routable again.
type Missed struct {
	Offer
}

// Connection is a contact an agent accepted. It occupies a slot until Release.
type Connection struct {
	ContactID string
	AgentID   string
	QueueID   string
	// Since is when the agent accepted.
	Since time.Time
}

// contactState is where a routed contact is.
type contactState uint8

const (
	waiting contactState = iota
	offered
	connected
)

type contact struct {
	ref   ContactRef
	state contactState
	// agent holds the offer or the connection; nil while waiting.
	agent *agent
	// deadline is the end of the pending offer; since is when the connection began.
	deadline time.Time
	since    time.Time
	// rejectedBy lists the agents that rejected the contact while it was routed.
	rejectedBy []string
}

func (c *contact) rejected(agentID string) bool { return slices.Contains(c.rejectedBy, agentID) }

// compareContacts orders contacts within a queue and across queues of one priority: by the contact's priority,
// then oldest first (with its time adjustment), then by ID.
func compareContacts(a, b *contact) int {
	if c := cmp.Compare(a.ref.priority(), b.ref.priority()); c != 0 {
		return c
	}
	if c := a.ref.EnqueuedAt.Add(-a.ref.Adjustment).Compare(b.ref.EnqueuedAt.Add(-b.ref.Adjustment)); c != 0 {
		return c
	}
	return cmp.Compare(a.ref.ID, b.ref.ID)
}

type agent struct {
	id        string
	routable  bool
	slots     int
	refs      []QueueRef // sorted by Priority, then QueueID; one per queue
	idleSince time.Time
	offered   int
	connected int
	// contacts holds the contacts offered or connected to the agent.
	contacts map[string]*contact
}

func (a *agent) eligible() bool { return a.routable && a.offered+a.connected < a.slots }

// compareIdle orders agents longest idle first, then by ID.
func compareIdle(a, b *agent) int {
	if c := a.idleSince.Compare(b.idleSince); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// queue holds the waiting contacts of one queue in service order. Offered and connected contacts are not in it.
type queue struct {
	waiting []*contact
}

func (q *queue) insert(c *contact) {
	i, _ := slices.BinarySearchFunc(q.waiting, c, compareContacts)
	q.waiting = slices.Insert(q.waiting, i, c)
}

// oldest returns when the longest-waiting contact entered the queue (the head is not it when priorities or time
// adjustments differ).
func (q *queue) oldest() time.Time {
	var t time.Time
	for _, c := range q.waiting {
		if t.IsZero() || c.ref.EnqueuedAt.Before(t) {
			t = c.ref.EnqueuedAt
		}
	}
	return t
}

func (q *queue) remove(c *contact) {
	if i, ok := slices.BinarySearchFunc(q.waiting, c, compareContacts); ok {
		q.waiting = slices.Delete(q.waiting, i, i+1)
	}
}

// Engine holds the routing state: agents, waiting contacts, offers and connections. See the package doc for its
// rules and its concurrency contract.
type Engine struct {
	timeout  time.Duration
	agents   map[string]*agent
	contacts map[string]*contact // every routed contact: waiting, offered or connected
	queues   map[string]*queue   // only queues with waiting contacts
	offers   map[string]*contact // contacts with a pending offer
}

// New returns an empty Engine.
func New(cfg Config) *Engine {
	if cfg.OfferTimeout <= 0 {
		cfg.OfferTimeout = DefaultOfferTimeout
	}
	return &Engine{
		timeout:  cfg.OfferTimeout,
		agents:   map[string]*agent{},
		contacts: map[string]*contact{},
		queues:   map[string]*queue{},
		offers:   map[string]*contact{},
	}
}

// SetAgent adds an agent or updates one (a status change, a new routing profile, a login). An agent that becomes
// routable gets IdleSince = now. Pending offers and connections are kept whatever the new state; see the package
// doc. If a profile lists a queue twice, the entry with the lowest priority (then the shortest delay) is used; a
// negative delay counts as zero.
func (e *Engine) SetAgent(s AgentState, now time.Time) {
	a := e.agents[s.ID]
	if a == nil {
		a = &agent{id: s.ID, contacts: map[string]*contact{}}
		e.agents[s.ID] = a
	}
	if s.Routable && !a.routable {
		a.idleSince = now
	}
	a.routable = s.Routable
	a.slots = max(s.Slots, 0)
	a.refs = normalizeRefs(s.Queues)
}

func normalizeRefs(in []QueueRef) []QueueRef {
	refs := slices.Clone(in)
	for i := range refs {
		refs[i].Delay = max(refs[i].Delay, 0)
	}
	slices.SortFunc(refs, func(a, b QueueRef) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.QueueID, b.QueueID), cmp.Compare(a.Delay, b.Delay))
	})
	seen := map[string]bool{}
	return slices.DeleteFunc(refs, func(r QueueRef) bool {
		dup := seen[r.QueueID]
		seen[r.QueueID] = true
		return dup
	})
}

// RemoveAgent forgets an agent (offline, logout). Its pending offers go back to their queues at their original
// positions and are returned, ordered by contact ID, so the caller can record them as withdrawn. Its connections
// are forgotten too: a later Release of them is a no-op. Use SetAgent with Routable false instead for an agent
// that stops taking contacts but still handles some. An unknown ID is a no-op.
func (e *Engine) RemoveAgent(id string, now time.Time) []Offer {
	a := e.agents[id]
	if a == nil {
		return nil
	}
	var withdrawn []Offer
	for _, c := range a.contacts {
		switch c.state {
		case offered:
			withdrawn = append(withdrawn, e.offerOf(c))
			e.withdraw(c)
		case connected:
			delete(e.contacts, c.ref.ID)
		}
	}
	delete(e.agents, id)
	slices.SortFunc(withdrawn, func(a, b Offer) int { return cmp.Compare(a.ContactID, b.ContactID) })
	return withdrawn
}

// Enqueue puts a contact in its queue. A zero EnqueuedAt means now. It returns ErrContactExists if a contact with
// that ID is already routed (waiting, offered or connected).
func (e *Engine) Enqueue(ref ContactRef, now time.Time) error {
	if _, ok := e.contacts[ref.ID]; ok {
		return fmt.Errorf("%w: %q", ErrContactExists, ref.ID)
	}
	if ref.EnqueuedAt.IsZero() {
		ref.EnqueuedAt = now
	}
	c := &contact{ref: ref}
	e.contacts[ref.ID] = c
	e.requeue(c)
	return nil
}

// Reprioritize gives a routed contact a new Priority and Adjustment (a customer-queue flow's
// UpdateContactRoutingBehavior); a waiting contact takes its new place in its queue. It reports whether the
// contact is routed (waiting, offered or connected).
func (e *Engine) Reprioritize(ref ContactRef) bool {
	c := e.contacts[ref.ID]
	if c == nil {
		return false
	}
	if c.state != waiting {
		c.ref.Priority, c.ref.Adjustment = ref.Priority, ref.Adjustment
		return true
	}
	e.unqueue(c)
	c.ref.Priority, c.ref.Adjustment = ref.Priority, ref.Adjustment
	e.requeue(c)
	return true
}

// Remove takes a waiting or offered contact out of routing (the customer left, the chat ended). If it was
// offered, the agent's slot is freed (its IdleSince does not change) and the withdrawn offer is returned with ok
// true so the caller can tell the agent. A connected contact is left alone: the agent keeps the slot for
// after-contact work until Release. An unknown ID is a no-op.
func (e *Engine) Remove(contactID string, now time.Time) (withdrawn Offer, ok bool) {
	c := e.contacts[contactID]
	if c == nil {
		return Offer{}, false
	}
	switch c.state {
	case waiting:
		e.unqueue(c)
	case offered:
		withdrawn, ok = e.offerOf(c), true
		e.dropOffer(c)
	case connected:
		return Offer{}, false
	}
	delete(e.contacts, contactID)
	return withdrawn, ok
}

// Accept turns the agent's pending offer of the contact into a connection, which holds the slot until Release.
// It fails with ErrNoOffer if the agent has no pending offer of the contact, including when now is at or past the
// offer's deadline (the offer then stays pending until Expire reports it missed).
func (e *Engine) Accept(contactID, agentID string, now time.Time) error {
	c, err := e.pending(contactID, agentID, now)
	if err != nil {
		return err
	}
	a := c.agent
	delete(e.offers, contactID)
	a.offered--
	a.connected++
	c.state = connected
	c.deadline = time.Time{}
	c.since = now
	c.rejectedBy = nil
	return nil
}

// Reject withdraws the agent's pending offer of the contact: the contact goes back to its queue at its original
// position, and Match prefers other agents for it (see the package doc). The agent stays routable and keeps its
// IdleSince. Reject fails like Accept.
func (e *Engine) Reject(contactID, agentID string, now time.Time) error {
	c, err := e.pending(contactID, agentID, now)
	if err != nil {
		return err
	}
	if !c.rejected(agentID) {
		c.rejectedBy = append(c.rejectedBy, agentID)
	}
	e.withdraw(c)
	return nil
}

// pending returns the contact if agentID has a live offer of it at now.
func (e *Engine) pending(contactID, agentID string, now time.Time) (*contact, error) {
	a := e.agents[agentID]
	if a == nil {
		return nil, fmt.Errorf("%w: %w %q", ErrNoOffer, ErrUnknownAgent, agentID)
	}
	c := e.contacts[contactID]
	if c == nil {
		return nil, fmt.Errorf("%w: %w %q", ErrNoOffer, ErrUnknownContact, contactID)
	}
	if c.state != offered || c.agent != a {
		return nil, fmt.Errorf("%w: contact %q to agent %q", ErrNoOffer, contactID, agentID)
	}
	if !now.Before(c.deadline) {
		return nil, fmt.Errorf("%w: offer of contact %q to agent %q expired at %s", ErrNoOffer, contactID, agentID,
			c.deadline.Format(time.RFC3339Nano))
	}
	return c, nil
}

// Release ends the agent's connection to the contact (the chat ended and after-contact work is cleared): the slot
// is freed, the agent's IdleSince becomes now and the contact leaves routing. It is a no-op unless the contact is
// connected to that agent.
func (e *Engine) Release(contactID, agentID string, now time.Time) {
	c := e.contacts[contactID]
	if c == nil || c.state != connected || c.agent.id != agentID {
		return
	}
	a := c.agent
	a.connected--
	delete(a.contacts, contactID)
	a.idleSince = now
	delete(e.contacts, contactID)
}

// Match offers waiting contacts to eligible agents until no eligible agent can take a waiting contact, and
// returns the new offers in the order they were made, each with Deadline = now + OfferTimeout. See the package
// doc for the order.
func (e *Engine) Match(now time.Time) []Offer {
	if len(e.queues) == 0 {
		return nil
	}
	var offers []Offer
	if e.matchRounds(now, true, &offers) {
		e.matchRounds(now, false, &offers)
	}
	return offers
}

// matchRounds runs rounds until one offers nothing. With hideRejected, an agent is not offered contacts it
// rejected; it reports whether that hid a contact from an agent that found nothing else.
func (e *Engine) matchRounds(now time.Time, hideRejected bool, offers *[]Offer) (hid bool) {
	var pool []*agent
	for _, a := range e.agents {
		if a.eligible() && len(a.refs) > 0 {
			pool = append(pool, a)
		}
	}
	slices.SortFunc(pool, compareIdle)
	// IdleSince does not change during Match, so the order holds for every round. Waiting lists only shrink, so
	// an agent that finds nothing in a round finds nothing later and leaves the pool, as does a full one.
	for len(pool) > 0 {
		next := pool[:0]
		for _, a := range pool {
			c, h := e.best(a, now, hideRejected)
			hid = hid || h
			if c == nil {
				continue
			}
			*offers = append(*offers, e.offer(c, a, now))
			if a.eligible() {
				next = append(next, a)
			}
		}
		pool = next
	}
	return hid
}

// best returns the waiting contact the agent should be offered next, or nil. hid reports whether a contact was
// passed over because the agent rejected it.
func (e *Engine) best(a *agent, now time.Time, hideRejected bool) (best *contact, hid bool) {
	prio := 0
	for _, r := range a.refs {
		if best != nil && r.Priority > prio {
			break
		}
		q := e.queues[r.QueueID]
		if q == nil {
			continue
		}
		for _, c := range q.waiting {
			if c.ref.EnqueuedAt.Add(r.Delay).After(now) {
				continue // not yet offered to this profile; a contact behind it may have waited longer
			}
			if hideRejected && c.rejected(a.id) {
				hid = true
				continue
			}
			if best == nil || compareContacts(c, best) < 0 {
				best, prio = c, r.Priority
			}
			break
		}
	}
	return best, hid
}

func (e *Engine) offer(c *contact, a *agent, now time.Time) Offer {
	e.unqueue(c)
	c.state = offered
	c.agent = a
	c.deadline = now.Add(e.timeout)
	a.offered++
	a.contacts[c.ref.ID] = c
	e.offers[c.ref.ID] = c
	return e.offerOf(c)
}

func (e *Engine) offerOf(c *contact) Offer {
	return Offer{ContactID: c.ref.ID, AgentID: c.agent.id, QueueID: c.ref.QueueID, Deadline: c.deadline}
}

// dropOffer frees the agent of the contact's pending offer; the contact is then in no queue.
func (e *Engine) dropOffer(c *contact) {
	a := c.agent
	a.offered--
	delete(a.contacts, c.ref.ID)
	delete(e.offers, c.ref.ID)
	c.agent = nil
	c.deadline = time.Time{}
}

// withdraw puts an offered contact back in its queue. Its EnqueuedAt is unchanged, so it takes its old place.
func (e *Engine) withdraw(c *contact) {
	e.dropOffer(c)
	e.requeue(c)
}

func (e *Engine) requeue(c *contact) {
	c.state = waiting
	q := e.queues[c.ref.QueueID]
	if q == nil {
		q = &queue{}
		e.queues[c.ref.QueueID] = q
	}
	q.insert(c)
}

func (e *Engine) unqueue(c *contact) {
	q := e.queues[c.ref.QueueID]
	q.remove(c)
	if len(q.waiting) == 0 {
		delete(e.queues, c.ref.QueueID)
	}
}

// Expire withdraws the offers whose Deadline is at or before now. Each contact goes back to its queue at its
// original position, and each agent that missed an offer becomes not routable; the caller persists that state,
// and the agent takes contacts again after SetAgent with Routable true. The missed offers are returned ordered by
// Deadline, then contact ID.
func (e *Engine) Expire(now time.Time) []Missed {
	var missed []Missed
	for _, c := range e.offers {
		if !now.Before(c.deadline) {
			missed = append(missed, Missed{e.offerOf(c)})
		}
	}
	slices.SortFunc(missed, func(a, b Missed) int {
		return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.ContactID, b.ContactID))
	})
	for _, m := range missed {
		c := e.offers[m.ContactID]
		c.agent.routable = false
		e.withdraw(c)
	}
	return missed
}

// NextWake returns the earliest time at which Expire or Match could produce something without any other call in
// between: the first offer deadline, or the first moment a waiting contact's delay elapses for an eligible agent
// that serves its queue. It returns now if Expire or Match already has work at now (they have not been called
// since the last change), and the zero time if nothing is pending. Changes that make an agent eligible go through
// a call, after which the caller calls Match and NextWake again, so ineligible agents are not considered.
func (e *Engine) NextWake(now time.Time) time.Time {
	var t time.Time
	earliest := func(u time.Time) {
		if t.IsZero() || u.Before(t) {
			t = u
		}
	}
	for _, c := range e.offers {
		earliest(c.deadline)
	}
	for _, a := range e.agents {
		if !a.eligible() {
			continue
		}
		for _, r := range a.refs {
			// The queue's oldest contact is the first whose delay elapses.
			if q := e.queues[r.QueueID]; q != nil {
				earliest(q.oldest().Add(r.Delay))
			}
		}
	}
	if !t.IsZero() && t.Before(now) {
		return now
	}
	return t
}

// Snapshot is a copy of the engine's state for metrics and tests. Every slice is sorted by ID (Offers and
// Connections by contact ID).
type Snapshot struct {
	// Queues lists every queue with a waiting contact or named in an agent's profile.
	Queues      []QueueSnapshot
	Agents      []AgentSnapshot
	Offers      []Offer
	Connections []Connection
}

// QueueSnapshot is one queue: its waiting contacts in service order (offered and connected contacts are not
// waiting), and the EnqueuedAt of the oldest, zero if none waits.
type QueueSnapshot struct {
	ID      string
	Waiting []ContactRef
	Oldest  time.Time
}

// AgentSnapshot is one agent. Queues is its profile sorted by priority, then queue ID. IdleSince is zero for an
// agent that has never been routable.
type AgentSnapshot struct {
	ID        string
	Routable  bool
	Slots     int
	Queues    []QueueRef
	Connected int
	Offered   int
	IdleSince time.Time
}

// Eligible reports whether the agent can be offered a contact now: routable with a free slot.
func (a AgentSnapshot) Eligible() bool { return a.Routable && a.Connected+a.Offered < a.Slots }

// QueueStats are one queue's live numbers, read without copying the engine's state (Snapshot does).
type QueueStats struct {
	// Waiting counts the contacts waiting and offered to no one; Oldest is the enqueue time of the first of them
	// (zero when none waits).
	Waiting int
	Oldest  time.Time
	// Agents are the agents whose routing serves the queue, each with whether it could take a contact now.
	Agents []QueueAgent
}

// QueueAgent is an agent serving a queue.
type QueueAgent struct {
	ID       string
	Eligible bool
}

// QueueStats returns a queue's live numbers.
func (e *Engine) QueueStats(queueID string) QueueStats {
	var st QueueStats
	if q := e.queues[queueID]; q != nil && len(q.waiting) > 0 {
		st.Waiting, st.Oldest = len(q.waiting), q.oldest()
	}
	for _, a := range e.agents {
		for _, r := range a.refs {
			if r.QueueID == queueID {
				st.Agents = append(st.Agents, QueueAgent{ID: a.id, Eligible: a.eligible()})
				break
			}
		}
	}
	return st
}

// Snapshot returns a copy of the current state.
func (e *Engine) Snapshot() Snapshot {
	var s Snapshot
	queues := map[string]bool{}
	for id := range e.queues {
		queues[id] = true
	}
	for _, a := range e.agents {
		s.Agents = append(s.Agents, AgentSnapshot{
			ID: a.id, Routable: a.routable, Slots: a.slots, Queues: slices.Clone(a.refs),
			Connected: a.connected, Offered: a.offered, IdleSince: a.idleSince,
		})
		for _, r := range a.refs {
			queues[r.QueueID] = true
		}
	}
	slices.SortFunc(s.Agents, func(a, b AgentSnapshot) int { return cmp.Compare(a.ID, b.ID) })
	for id := range queues {
		qs := QueueSnapshot{ID: id}
		if q := e.queues[id]; q != nil {
			for _, c := range q.waiting {
				qs.Waiting = append(qs.Waiting, c.ref)
			}
			qs.Oldest = q.oldest()
		}
		s.Queues = append(s.Queues, qs)
	}
	slices.SortFunc(s.Queues, func(a, b QueueSnapshot) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range e.contacts {
		switch c.state {
		case offered:
			s.Offers = append(s.Offers, e.offerOf(c))
		case connected:
			s.Connections = append(s.Connections, Connection{
				ContactID: c.ref.ID, AgentID: c.agent.id, QueueID: c.ref.QueueID, Since: c.since,
			})
		}
	}
	slices.SortFunc(s.Offers, func(a, b Offer) int { return cmp.Compare(a.ContactID, b.ContactID) })
	slices.SortFunc(s.Connections, func(a, b Connection) int { return cmp.Compare(a.ContactID, b.ContactID) })
	return s
}
