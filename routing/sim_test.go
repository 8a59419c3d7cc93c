package routing_test

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parley-chat/parley/routing"
)

// This file holds a simulation harness shared by the randomized property test and the fuzz test. A sim drives an
// Engine and, next to it, a model: a deliberately naive re-implementation of the package's rules (brute force over
// every contact, every round recomputed) that shares no code with the engine. After every operation the sim
// checks that the engine's answers and its Snapshot equal the model's, and checks the routing invariants on the
// Snapshot on their own, so a bug shared by the engine and the model still trips them.

type mState int

const (
	mWaiting mState = iota
	mOffered
	mConnected
)

type mAgent struct {
	st        routing.AgentState // as last given to SetAgent
	refs      map[string]routing.QueueRef
	idle      time.Time
	routable  bool
	offered   int
	connected int
}

func (a *mAgent) eligible() bool { return a.routable && a.offered+a.connected < max(a.st.Slots, 0) }

type mContact struct {
	ref        routing.ContactRef
	state      mState
	agent      string
	deadline   time.Time
	since      time.Time
	rejectedBy map[string]bool
}

type model struct {
	timeout  time.Duration
	agents   map[string]*mAgent
	contacts map[string]*mContact
}

func newModel(timeout time.Duration) *model {
	return &model{timeout: timeout, agents: map[string]*mAgent{}, contacts: map[string]*mContact{}}
}

func (m *model) setAgent(st routing.AgentState, now time.Time) {
	a := m.agents[st.ID]
	if a == nil {
		a = &mAgent{}
		m.agents[st.ID] = a
	}
	if st.Routable && !a.routable {
		a.idle = now
	}
	a.routable = st.Routable
	a.st = st
	a.refs = map[string]routing.QueueRef{}
	for _, r := range st.Queues {
		r.Delay = max(r.Delay, 0)
		old, ok := a.refs[r.QueueID]
		if !ok || r.Priority < old.Priority || r.Priority == old.Priority && r.Delay < old.Delay {
			a.refs[r.QueueID] = r
		}
	}
}

func (m *model) offerOf(c *mContact) routing.Offer {
	return routing.Offer{ContactID: c.ref.ID, AgentID: c.agent, QueueID: c.ref.QueueID, Deadline: c.deadline}
}

// toWaiting frees the agent of the contact's offer and puts the contact back in its queue.
func (m *model) toWaiting(c *mContact) {
	m.agents[c.agent].offered--
	c.state, c.agent, c.deadline = mWaiting, "", time.Time{}
}

func (m *model) removeAgent(id string) []routing.Offer {
	if m.agents[id] == nil {
		return nil
	}
	var out []routing.Offer
	for _, c := range m.sortedContacts() {
		if c.agent != id {
			continue
		}
		if c.state == mOffered {
			out = append(out, m.offerOf(c))
			m.toWaiting(c)
		} else {
			delete(m.contacts, c.ref.ID)
		}
	}
	delete(m.agents, id)
	return out
}

func (m *model) enqueue(ref routing.ContactRef, now time.Time) bool {
	if m.contacts[ref.ID] != nil {
		return false
	}
	if ref.EnqueuedAt.IsZero() {
		ref.EnqueuedAt = now
	}
	m.contacts[ref.ID] = &mContact{ref: ref, rejectedBy: map[string]bool{}}
	return true
}

func (m *model) remove(id string) (routing.Offer, bool) {
	c := m.contacts[id]
	if c == nil || c.state == mConnected {
		return routing.Offer{}, false
	}
	var o routing.Offer
	ok := c.state == mOffered
	if ok {
		o = m.offerOf(c)
		m.toWaiting(c)
	}
	delete(m.contacts, id)
	return o, ok
}

// pending reports what Accept and Reject should do: nil, or which errors the result must match.
func (m *model) pending(cid, aid string, now time.Time) (c *mContact, errs []error) {
	if m.agents[aid] == nil {
		return nil, []error{routing.ErrNoOffer, routing.ErrUnknownAgent}
	}
	c = m.contacts[cid]
	if c == nil {
		return nil, []error{routing.ErrNoOffer, routing.ErrUnknownContact}
	}
	if c.state != mOffered || c.agent != aid || !now.Before(c.deadline) {
		return nil, []error{routing.ErrNoOffer}
	}
	return c, nil
}

func (m *model) accept(cid, aid string, now time.Time) []error {
	c, errs := m.pending(cid, aid, now)
	if c != nil {
		a := m.agents[aid]
		a.offered--
		a.connected++
		c.state, c.deadline, c.since = mConnected, time.Time{}, now
	}
	return errs
}

func (m *model) reject(cid, aid string, now time.Time) []error {
	c, errs := m.pending(cid, aid, now)
	if c != nil {
		c.rejectedBy[aid] = true
		m.toWaiting(c)
	}
	return errs
}

func (m *model) release(cid, aid string, now time.Time) {
	c := m.contacts[cid]
	if c == nil || c.state != mConnected || c.agent != aid {
		return
	}
	a := m.agents[aid]
	a.connected--
	a.idle = now
	delete(m.contacts, cid)
}

func (m *model) sortedContacts() []*mContact {
	return slices.SortedFunc(maps.Values(m.contacts), func(a, b *mContact) int { return cmp.Compare(a.ref.ID, b.ref.ID) })
}

func (m *model) sortedAgents() []*mAgent {
	return slices.SortedFunc(maps.Values(m.agents), func(a, b *mAgent) int { return cmp.Compare(a.st.ID, b.st.ID) })
}

// match is Match by brute force: in each round every eligible agent, longest idle first, scans every contact;
// first with rejected contacts hidden from their rejecters, then with nothing hidden.
func (m *model) match(now time.Time) []routing.Offer {
	var out []routing.Offer
	for _, hide := range []bool{true, false} {
		for {
			var pool []*mAgent
			for _, a := range m.sortedAgents() {
				if a.eligible() {
					pool = append(pool, a)
				}
			}
			slices.SortStableFunc(pool, func(a, b *mAgent) int { return a.idle.Compare(b.idle) })
			made := false
			for _, a := range pool {
				var best *mContact
				var bestPrio int
				for _, c := range m.contacts {
					r, ok := a.refs[c.ref.QueueID]
					if c.state != mWaiting || !ok || now.Before(c.ref.EnqueuedAt.Add(r.Delay)) || hide && c.rejectedBy[a.st.ID] {
						continue
					}
					if best == nil || cmp.Or(cmp.Compare(r.Priority, bestPrio), c.ref.EnqueuedAt.Compare(best.ref.EnqueuedAt),
						cmp.Compare(c.ref.ID, best.ref.ID)) < 0 {
						best, bestPrio = c, r.Priority
					}
				}
				if best != nil {
					best.state, best.agent, best.deadline = mOffered, a.st.ID, now.Add(m.timeout)
					a.offered++
					out = append(out, m.offerOf(best))
					made = true
				}
			}
			if !made {
				break
			}
		}
	}
	return out
}

func (m *model) expire(now time.Time) []routing.Missed {
	var out []routing.Missed
	for _, c := range m.sortedContacts() {
		if c.state == mOffered && !now.Before(c.deadline) {
			out = append(out, routing.Missed{Offer: m.offerOf(c)})
		}
	}
	slices.SortStableFunc(out, func(a, b routing.Missed) int { return a.Deadline.Compare(b.Deadline) })
	for _, ms := range out {
		m.agents[ms.AgentID].routable = false
		m.toWaiting(m.contacts[ms.ContactID])
	}
	return out
}

func (m *model) nextWake(now time.Time) time.Time {
	var t time.Time
	for _, c := range m.contacts {
		var u time.Time
		switch c.state {
		case mOffered:
			u = c.deadline
		case mWaiting:
			for _, a := range m.agents {
				if r, ok := a.refs[c.ref.QueueID]; ok && a.eligible() {
					if w := c.ref.EnqueuedAt.Add(r.Delay); u.IsZero() || w.Before(u) {
						u = w
					}
				}
			}
		}
		if !u.IsZero() && (t.IsZero() || u.Before(t)) {
			t = u
		}
	}
	if !t.IsZero() && t.Before(now) {
		return now
	}
	return t
}

func (m *model) snapshot() routing.Snapshot {
	var s routing.Snapshot
	queues := map[string][]routing.ContactRef{}
	for _, a := range m.sortedAgents() {
		refs := slices.SortedFunc(maps.Values(a.refs), func(x, y routing.QueueRef) int {
			return cmp.Or(cmp.Compare(x.Priority, y.Priority), cmp.Compare(x.QueueID, y.QueueID))
		})
		for _, r := range refs {
			if _, ok := queues[r.QueueID]; !ok {
				queues[r.QueueID] = nil
			}
		}
		s.Agents = append(s.Agents, routing.AgentSnapshot{ID: a.st.ID, Routable: a.routable, Slots: max(a.st.Slots, 0),
			Queues: refs, Connected: a.connected, Offered: a.offered, IdleSince: a.idle})
	}
	for _, c := range m.sortedContacts() {
		switch c.state {
		case mWaiting:
			queues[c.ref.QueueID] = append(queues[c.ref.QueueID], c.ref)
		case mOffered:
			s.Offers = append(s.Offers, m.offerOf(c))
		case mConnected:
			s.Connections = append(s.Connections, routing.Connection{ContactID: c.ref.ID, AgentID: c.agent,
				QueueID: c.ref.QueueID, Since: c.since})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(queues)) {
		w := queues[id]
		slices.SortFunc(w, func(a, b routing.ContactRef) int {
			return cmp.Or(a.EnqueuedAt.Compare(b.EnqueuedAt), cmp.Compare(a.ID, b.ID))
		})
		qs := routing.QueueSnapshot{ID: id, Waiting: w}
		if len(w) > 0 {
			qs.Oldest = w[0].EnqueuedAt
		}
		s.Queues = append(s.Queues, qs)
	}
	return s
}

// sim drives an Engine and a model with the same operations and checks them against each other.
type sim struct {
	tb   testing.TB
	desc string // how to reproduce a failure
	e    *routing.Engine
	m    *model
	now  time.Time
	ops  []string
	// load is each agent's connected+offered at the last check.
	load map[string]int
	// done records how each contact left routing: "released" or "removed".
	done map[string]string
	// offersMade counts offers, to show the tests exercised something.
	offersMade int
}

func newSim(tb testing.TB, desc string, timeout time.Duration) *sim {
	return &sim{tb: tb, desc: desc, e: routing.New(routing.Config{OfferTimeout: timeout}), m: newModel(timeout),
		now: t0, load: map[string]int{}, done: map[string]string{}}
}

func (s *sim) fatalf(format string, args ...any) {
	s.tb.Helper()
	tail := s.ops[max(0, len(s.ops)-25):]
	s.tb.Fatalf("%s\n%s\nlast operations (t = seconds since start):\n  %s", s.desc, fmt.Sprintf(format, args...),
		strings.Join(tail, "\n  "))
}

func (s *sim) logf(format string, args ...any) {
	s.ops = append(s.ops, fmt.Sprintf("t=%-8v ", s.now.Sub(t0).Seconds())+fmt.Sprintf(format, args...))
}

var snapOpts = []gocmp.Option{cmpopts.EquateEmpty()}

func (s *sim) same(what string, want, got any) {
	s.tb.Helper()
	if reflect.DeepEqual(want, got) {
		return // the fast path: go-cmp is too slow to run after every operation
	}
	if diff := gocmp.Diff(want, got, snapOpts...); diff != "" {
		s.fatalf("%s: engine differs from the model (-model +engine):\n%s", what, diff)
	}
}

func (s *sim) wantErrs(what string, err error, want []error) {
	s.tb.Helper()
	if len(want) == 0 {
		if err != nil {
			s.fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			s.fatalf("%s: error %v, want one matching %v", what, err, w)
		}
	}
}

func (s *sim) setAgent(st routing.AgentState) {
	s.logf("SetAgent %s routable=%v slots=%d queues=%v", st.ID, st.Routable, st.Slots, st.Queues)
	s.e.SetAgent(st, s.now)
	s.m.setAgent(st, s.now)
	s.check(false)
}

func (s *sim) removeAgent(id string) {
	s.logf("RemoveAgent %s", id)
	for _, c := range s.m.contacts {
		if c.agent == id && c.state == mConnected {
			s.done[c.ref.ID] = "connected to an agent who logged out"
		}
	}
	want := s.m.removeAgent(id)
	s.same("RemoveAgent", want, s.e.RemoveAgent(id, s.now))
	s.check(false)
}

func (s *sim) enqueue(ref routing.ContactRef) {
	s.logf("Enqueue %s %s at %v", ref.ID, ref.QueueID, ref.EnqueuedAt.Sub(t0).Seconds())
	ok := s.m.enqueue(ref, s.now)
	err := s.e.Enqueue(ref, s.now)
	if ok != (err == nil) || err != nil && !errors.Is(err, routing.ErrContactExists) {
		s.fatalf("Enqueue(%s) = %v, model accepts it: %v", ref.ID, err, ok)
	}
	s.check(false)
}

func (s *sim) remove(id string) {
	s.logf("Remove %s", id)
	if c := s.m.contacts[id]; c != nil && c.state != mConnected {
		s.done[id] = "removed"
	}
	wo, wok := s.m.remove(id)
	got, gotOK := s.e.Remove(id, s.now)
	s.same("Remove", []any{wo, wok}, []any{got, gotOK})
	s.check(false)
}

func (s *sim) accept(cid, aid string) {
	s.logf("Accept %s by %s", cid, aid)
	s.wantErrs("Accept", s.e.Accept(cid, aid, s.now), s.m.accept(cid, aid, s.now))
	s.check(false)
}

func (s *sim) reject(cid, aid string) {
	s.logf("Reject %s by %s", cid, aid)
	s.wantErrs("Reject", s.e.Reject(cid, aid, s.now), s.m.reject(cid, aid, s.now))
	s.check(false)
}

func (s *sim) release(cid, aid string) {
	s.logf("Release %s by %s", cid, aid)
	c := s.m.contacts[cid]
	if c != nil && c.state == mConnected && c.agent == aid {
		s.done[cid] = "released"
	}
	s.m.release(cid, aid, s.now)
	s.e.Release(cid, aid, s.now)
	s.check(false)
}

func (s *sim) advance(d time.Duration) {
	s.now = s.now.Add(d)
}

// expire runs Expire and reports how many offers it withdrew.
func (s *sim) expire() int {
	s.logf("Expire")
	want := s.m.expire(s.now)
	got := s.e.Expire(s.now)
	s.same("Expire", want, got)
	s.check(false)
	for _, o := range s.e.Snapshot().Offers {
		if !o.Deadline.After(s.now) {
			s.fatalf("offer %+v still pending after Expire", o)
		}
	}
	return len(got)
}

// match runs Match and reports how many offers it made.
func (s *sim) match() int {
	s.logf("Match")
	want := s.m.match(s.now)
	got := s.e.Match(s.now)
	s.same("Match", want, got)
	for _, o := range got {
		s.logf("  offer %s to %s", o.ContactID, o.AgentID)
	}
	s.offersMade += len(got)
	s.check(true)
	return len(got)
}

// settle does what the caller does after every event: Expire, then Match.
func (s *sim) settle() {
	s.expire()
	s.match()
}

// wake checks NextWake: it equals the model's, nothing happens strictly before it, and something happens at it.
func (s *sim) wake() {
	s.settle()
	want := s.m.nextWake(s.now)
	next := s.e.NextWake(s.now)
	s.same("NextWake", want, next)
	s.logf("NextWake = %v", next.Sub(t0).Seconds())
	if next.IsZero() {
		return
	}
	if !next.After(s.now) {
		s.fatalf("NextWake = %v right after Expire and Match, want a time after now %v", next, s.now)
	}
	s.now = next.Add(-time.Nanosecond)
	if n := s.expire() + s.match(); n != 0 {
		s.fatalf("%d offers made or withdrawn 1ns before NextWake %v", n, next)
	}
	s.now = next
	if n := s.expire() + s.match(); n == 0 {
		s.fatalf("nothing happened at NextWake %v", next)
	}
}

// check compares the engine's Snapshot with the model's and checks the invariants on it. afterMatch adds the
// matching guarantee.
func (s *sim) check(afterMatch bool) {
	s.tb.Helper()
	snap := s.e.Snapshot()
	s.same("Snapshot", s.m.snapshot(), snap)

	// Every contact is in exactly one place: waiting once, or offered, or connected.
	seen := map[string]string{}
	place := func(id, where string) {
		if prev, ok := seen[id]; ok {
			s.fatalf("contact %s is both %s and %s", id, prev, where)
		}
		seen[id] = where
	}
	for _, q := range snap.Queues {
		for i, c := range q.Waiting {
			place(c.ID, "waiting in "+q.ID)
			if c.QueueID != q.ID {
				s.fatalf("contact %s of queue %s waits in %s", c.ID, c.QueueID, q.ID)
			}
			if i > 0 && cmp.Or(q.Waiting[i-1].EnqueuedAt.Compare(c.EnqueuedAt), cmp.Compare(q.Waiting[i-1].ID, c.ID)) >= 0 {
				s.fatalf("queue %s out of order at %d: %v", q.ID, i, q.Waiting)
			}
		}
	}
	load := map[string]int{}
	offered := map[string]int{}
	for _, o := range snap.Offers {
		place(o.ContactID, "offered to "+o.AgentID)
		load[o.AgentID]++
		offered[o.AgentID]++
	}
	for _, c := range snap.Connections {
		place(c.ContactID, "connected to "+c.AgentID)
		load[c.AgentID]++
	}
	agents := map[string]routing.AgentSnapshot{}
	for _, a := range snap.Agents {
		agents[a.ID] = a
		if a.Offered != offered[a.ID] || a.Offered+a.Connected != load[a.ID] {
			s.fatalf("agent %s counts offered %d connected %d, but holds %d offers and %d contacts", a.ID,
				a.Offered, a.Connected, offered[a.ID], load[a.ID])
		}
		// An agent never exceeds its slots, except one whose slots were lowered under its load; that one
		// receives nothing until it is back under.
		if l := load[a.ID]; l > a.Slots && l > s.load[a.ID] {
			s.fatalf("agent %s holds %d contacts with %d slots (was %d)", a.ID, l, a.Slots, s.load[a.ID])
		}
	}
	for id := range load {
		if _, ok := agents[id]; !ok {
			s.fatalf("unknown agent %s holds contacts", id)
		}
	}
	s.load = load
	if !afterMatch {
		return
	}
	for _, q := range snap.Queues {
		for _, c := range q.Waiting {
			for _, a := range snap.Agents {
				if !a.Eligible() {
					continue
				}
				for _, r := range a.Queues {
					if r.QueueID == c.QueueID && !s.now.Before(c.EnqueuedAt.Add(r.Delay)) {
						s.fatalf("after Match, contact %s waits in %s while agent %s (slots %d, load %d) serves it",
							c.ID, q.ID, a.ID, a.Slots, a.Connected+a.Offered)
					}
				}
			}
		}
	}
}

// chooser makes the random choices of a simulation.
type chooser interface {
	// intn returns a number in [0, n).
	intn(n int) int
}

// byteChooser takes its choices from fuzz input; it returns 0 once the input is used up.
type byteChooser struct{ b []byte }

func (c *byteChooser) intn(n int) int {
	if len(c.b) == 0 {
		return 0
	}
	v := int(c.b[0])
	c.b = c.b[1:]
	return v % n
}

// world describes a simulation: agent and queue names and the shapes of profiles.
type world struct {
	agents     []string
	queues     []string
	home       map[string]routing.AgentState // profiles agents return to, covering every queue
	maxSlots   int
	delays     []time.Duration
	steps      []time.Duration // clock advances
	contacts   int             // how many contacts to enqueue in all
	priorities int
}

func (w *world) profile(ch chooser) []routing.QueueRef {
	n := 1 + ch.intn(min(4, len(w.queues)))
	refs := make([]routing.QueueRef, n)
	for i := range refs {
		refs[i] = routing.QueueRef{
			QueueID:  w.queues[ch.intn(len(w.queues))],
			Priority: 1 + ch.intn(w.priorities),
			Delay:    w.delays[ch.intn(len(w.delays))],
		}
	}
	return refs
}

// makeHome gives every agent a profile and adds queues to profiles until every queue is served.
func (w *world) makeHome(ch chooser) {
	w.home = map[string]routing.AgentState{}
	served := map[string]bool{}
	for _, id := range w.agents {
		st := routing.AgentState{ID: id, Routable: true, Slots: 1 + ch.intn(w.maxSlots), Queues: w.profile(ch)}
		for _, r := range st.Queues {
			served[r.QueueID] = true
		}
		w.home[id] = st
	}
	for _, q := range w.queues {
		if !served[q] {
			id := w.agents[ch.intn(len(w.agents))]
			st := w.home[id]
			st.Queues = append(st.Queues, routing.QueueRef{QueueID: q, Priority: 1 + ch.intn(w.priorities)})
			w.home[id] = st
		}
	}
}

// step does one random operation, then usually what the caller does after each event (Expire and Match).
func (s *sim) step(ch chooser, w *world, enqueued *int) {
	snap := s.e.Snapshot()
	offers, conns := snap.Offers, snap.Connections
	pickAgent := func() string { return w.agents[ch.intn(len(w.agents))] }
	switch op := ch.intn(100); {
	case op < 18: // a customer arrives, sometimes with an older enqueue time (a contact restored after a restart)
		if *enqueued >= w.contacts {
			s.advance(w.steps[ch.intn(len(w.steps))])
			return
		}
		*enqueued++
		id := fmt.Sprintf("c%03d", *enqueued)
		s.enqueue(routing.ContactRef{ID: id, QueueID: w.queues[ch.intn(len(w.queues))],
			EnqueuedAt: s.now.Add(-time.Duration(ch.intn(4)) * 5 * time.Second)})
	case op < 36: // an agent accepts an offer
		if len(offers) > 0 {
			o := offers[ch.intn(len(offers))]
			s.accept(o.ContactID, o.AgentID)
		}
	case op < 42: // an agent rejects an offer
		if len(offers) > 0 {
			o := offers[ch.intn(len(offers))]
			s.reject(o.ContactID, o.AgentID)
		}
	case op < 44: // a stale or wrong answer
		cid := fmt.Sprintf("c%03d", 1+ch.intn(max(*enqueued, 1)))
		if ch.intn(2) == 0 {
			s.accept(cid, pickAgent())
		} else {
			s.reject(cid, pickAgent())
		}
	case op < 58: // an agent ends a chat and clears after-contact work
		if len(conns) > 0 {
			c := conns[ch.intn(len(conns))]
			aid := c.AgentID
			if ch.intn(10) == 0 {
				aid = pickAgent() // possibly the wrong agent: a no-op
			}
			s.release(c.ContactID, aid)
		}
	case op < 68: // an agent changes state
		id := pickAgent()
		home := w.home[id]
		cur := home
		if a := s.m.agents[id]; a != nil {
			cur = a.st
			cur.Routable = a.routable
		}
		switch ch.intn(6) {
		case 0: // toggle Available and a custom unavailable state
			cur.Routable = !cur.Routable
			s.setAgent(cur)
		case 1: // a new routing profile
			s.setAgent(routing.AgentState{ID: id, Routable: true, Slots: 1 + ch.intn(w.maxSlots), Queues: w.profile(ch)})
		case 2: // logout
			s.removeAgent(id)
		case 3: // back to Available on the home profile (after a miss, a logout)
			s.setAgent(home)
		default: // slots changed, possibly below the current load
			cur.Slots = ch.intn(w.maxSlots + 1)
			s.setAgent(cur)
		}
	case op < 74: // a customer leaves, in whatever state
		if ids := slices.Sorted(maps.Keys(s.m.contacts)); len(ids) > 0 {
			s.remove(ids[ch.intn(len(ids))])
		} else {
			s.remove("nobody")
		}
	case op < 90: // time passes; offers not answered will time out
		s.advance(w.steps[ch.intn(len(w.steps))])
	case op < 94:
		s.wake()
		return
	case op < 97: // a caller that only matches
		s.match()
		return
	default: // a caller that only expires
		s.expire()
		return
	}
	if ch.intn(5) != 0 {
		s.settle()
	}
}

// finish brings every agent back to its home profile, routable, moves the clock past every delay, and routes
// until nothing waits: offers are accepted and connections released. An agent that missed an offer is made
// routable again on the next pass, as a person would.
func (s *sim) finish(w *world) {
	s.logf("finish")
	var maxDelay time.Duration
	for _, st := range w.home {
		for _, r := range st.Queues {
			maxDelay = max(maxDelay, r.Delay)
		}
	}
	s.advance(maxDelay + time.Second)
	for _, id := range w.agents {
		s.setAgent(w.home[id])
	}
	for range 1000 {
		for _, id := range w.agents {
			if a := s.m.agents[id]; !a.routable {
				s.setAgent(w.home[id])
			}
		}
		s.settle()
		snap := s.e.Snapshot()
		waiting := 0
		for _, q := range snap.Queues {
			waiting += len(q.Waiting)
		}
		if waiting == 0 {
			break
		}
		for _, o := range snap.Offers {
			s.accept(o.ContactID, o.AgentID)
		}
		for _, c := range snap.Connections {
			s.release(c.ContactID, c.AgentID)
		}
		s.advance(time.Second)
	}
	s.settle()
	for _, o := range s.e.Snapshot().Offers {
		s.accept(o.ContactID, o.AgentID)
	}
	snap := s.e.Snapshot()
	for _, q := range snap.Queues {
		if len(q.Waiting) > 0 {
			s.fatalf("at the end, queue %s still has %d waiting contacts", q.ID, len(q.Waiting))
		}
	}
	if len(snap.Offers) > 0 {
		s.fatalf("at the end, offers are pending: %v", snap.Offers)
	}
	for _, c := range snap.Connections {
		s.done[c.ContactID] = "connected"
	}
}
