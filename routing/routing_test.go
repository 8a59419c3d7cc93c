package routing_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parley-chat/parley/routing"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at returns t0 plus s seconds.
func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

const timeout = 30 * time.Second

func newEngine() *routing.Engine { return routing.New(routing.Config{OfferTimeout: timeout}) }

// q is a profile entry: queue id, priority, delay in seconds.
func q(id string, prio int, delay float64) routing.QueueRef {
	return routing.QueueRef{QueueID: id, Priority: prio, Delay: time.Duration(delay * float64(time.Second))}
}

func setAgent(e *routing.Engine, id string, slots int, now time.Time, queues ...routing.QueueRef) {
	e.SetAgent(routing.AgentState{ID: id, Routable: true, Slots: slots, Queues: queues}, now)
}

func enqueue(tb testing.TB, e *routing.Engine, id, queue string, enqueued time.Time) {
	tb.Helper()
	if err := e.Enqueue(routing.ContactRef{ID: id, QueueID: queue, EnqueuedAt: enqueued}, enqueued); err != nil {
		tb.Fatalf("Enqueue(%s): %v", id, err)
	}
}

// pairs renders offers as "contact>agent" for compact comparisons.
func pairs(offers []routing.Offer) []string {
	var out []string
	for _, o := range offers {
		out = append(out, o.ContactID+">"+o.AgentID)
	}
	return out
}

func wantPairs(tb testing.TB, what string, got []routing.Offer, want ...string) {
	tb.Helper()
	if diff := cmp.Diff(want, pairs(got), cmpopts.EquateEmpty()); diff != "" {
		tb.Errorf("%s offers (-want +got):\n%s", what, diff)
	}
}

func waiting(e *routing.Engine, queue string) []string {
	var ids []string
	for _, qs := range e.Snapshot().Queues {
		if qs.ID == queue {
			for _, c := range qs.Waiting {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

func agentSnap(tb testing.TB, e *routing.Engine, id string) routing.AgentSnapshot {
	tb.Helper()
	for _, a := range e.Snapshot().Agents {
		if a.ID == id {
			return a
		}
	}
	tb.Fatalf("agent %s not in snapshot", id)
	return routing.AgentSnapshot{}
}

func TestMatchOrder(t *testing.T) {
	type agent struct {
		id     string
		slots  int
		since  float64 // when it became routable
		queues []routing.QueueRef
	}
	type contact struct {
		id, queue string
		enq       float64
	}
	tests := []struct {
		name     string
		agents   []agent
		contacts []contact
		now      float64
		want     []string
	}{
		{
			name:     "longest idle wins",
			agents:   []agent{{"a", 1, 10, []routing.QueueRef{q("q", 1, 0)}}, {"b", 1, 5, []routing.QueueRef{q("q", 1, 0)}}},
			contacts: []contact{{"c1", "q", 20}},
			now:      20,
			want:     []string{"c1>b"},
		},
		{
			name:     "equal idle: lower agent id first",
			agents:   []agent{{"b", 1, 5, []routing.QueueRef{q("q", 1, 0)}}, {"a", 1, 5, []routing.QueueRef{q("q", 1, 0)}}},
			contacts: []contact{{"c1", "q", 20}},
			now:      20,
			want:     []string{"c1>a"},
		},
		{
			name:     "longest idle gets the oldest contact",
			agents:   []agent{{"a", 1, 1, []routing.QueueRef{q("q", 1, 0)}}, {"b", 1, 2, []routing.QueueRef{q("q", 1, 0)}}},
			contacts: []contact{{"c2", "q", 11}, {"c1", "q", 10}},
			now:      20,
			want:     []string{"c1>a", "c2>b"},
		},
		{
			name:     "priority beats age",
			agents:   []agent{{"a", 2, 0, []routing.QueueRef{q("low", 2, 0), q("high", 1, 0)}}},
			contacts: []contact{{"old", "low", 1}, {"young", "high", 9}},
			now:      10,
			want:     []string{"young>a", "old>a"},
		},
		{
			name:     "age within a priority, across queues",
			agents:   []agent{{"a", 3, 0, []routing.QueueRef{q("x", 1, 0), q("y", 1, 0)}}},
			contacts: []contact{{"x2", "x", 5}, {"y1", "y", 2}, {"x1", "x", 3}},
			now:      10,
			want:     []string{"y1>a", "x1>a", "x2>a"},
		},
		{
			name:     "equal age: lower contact id first",
			agents:   []agent{{"a", 2, 0, []routing.QueueRef{q("x", 1, 0), q("y", 1, 0)}}},
			contacts: []contact{{"m", "y", 5}, {"k", "x", 5}},
			now:      10,
			want:     []string{"k>a", "m>a"},
		},
		{
			name: "delay holds a contact back from one profile but not another",
			agents: []agent{
				{"patient", 1, 0, []routing.QueueRef{q("q", 1, 30)}}, // longest idle, but 30s delay
				{"eager", 1, 5, []routing.QueueRef{q("q", 1, 0)}},
			},
			contacts: []contact{{"c1", "q", 10}, {"c2", "q", 11}},
			now:      12,
			want:     []string{"c1>eager"},
		},
		{
			name: "delay elapsed exactly at now",
			agents: []agent{
				{"patient", 1, 0, []routing.QueueRef{q("q", 1, 30)}},
			},
			contacts: []contact{{"c1", "q", 10}},
			now:      40,
			want:     []string{"c1>patient"},
		},
		{
			name: "a delayed high-priority queue does not block a lower one",
			agents: []agent{
				{"a", 1, 0, []routing.QueueRef{q("vip", 1, 60), q("std", 2, 0)}},
			},
			contacts: []contact{{"v", "vip", 0}, {"s", "std", 5}},
			now:      10,
			want:     []string{"s>a"},
		},
		{
			name:     "multi-slot agent takes several contacts",
			agents:   []agent{{"a", 3, 0, []routing.QueueRef{q("q", 1, 0)}}},
			contacts: []contact{{"c1", "q", 1}, {"c2", "q", 2}, {"c3", "q", 3}, {"c4", "q", 4}},
			now:      10,
			want:     []string{"c1>a", "c2>a", "c3>a"},
		},
		{
			name: "rounds: one contact per agent per round, longest idle first",
			agents: []agent{
				{"a", 3, 0, []routing.QueueRef{q("q", 1, 0)}},
				{"b", 1, 1, []routing.QueueRef{q("q", 1, 0)}},
			},
			contacts: []contact{{"c1", "q", 1}, {"c2", "q", 2}, {"c3", "q", 3}, {"c4", "q", 4}, {"c5", "q", 5}},
			now:      10,
			want:     []string{"c1>a", "c2>b", "c3>a", "c4>a"},
		},
		{
			name:     "agent does not serve the queue",
			agents:   []agent{{"a", 3, 0, []routing.QueueRef{q("x", 1, 0)}}},
			contacts: []contact{{"c1", "y", 1}},
			now:      10,
		},
		{
			name:     "zero slots",
			agents:   []agent{{"a", 0, 0, []routing.QueueRef{q("q", 1, 0)}}},
			contacts: []contact{{"c1", "q", 1}},
			now:      10,
		},
		{
			name:     "a queue listed twice uses its best priority and shortest delay",
			agents:   []agent{{"a", 2, 0, []routing.QueueRef{q("x", 2, 0), q("y", 9, 60), q("y", 1, 0), q("y", 1, 50)}}},
			contacts: []contact{{"x1", "x", 1}, {"y1", "y", 5}},
			now:      10,
			want:     []string{"y1>a", "x1>a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine()
			for _, a := range tt.agents {
				setAgent(e, a.id, a.slots, at(a.since), a.queues...)
			}
			for _, c := range tt.contacts {
				enqueue(t, e, c.id, c.queue, at(c.enq))
			}
			got := e.Match(at(tt.now))
			wantPairs(t, "Match", got, tt.want...)
			for _, o := range got {
				if want := at(tt.now).Add(timeout); !o.Deadline.Equal(want) {
					t.Errorf("offer %s deadline = %v, want %v", o.ContactID, o.Deadline, want)
				}
			}
			if again := e.Match(at(tt.now)); len(again) != 0 {
				t.Errorf("second Match at the same time offered %v, want nothing", pairs(again))
			}
		})
	}
}

func TestOfferedCountsAgainstSlots(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 2, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	wantPairs(t, "first", e.Match(at(1)), "c1>a")
	for _, id := range []string{"c2", "c3", "c4"} {
		enqueue(t, e, id, "q", at(2))
	}
	wantPairs(t, "second", e.Match(at(2)), "c2>a")
	if err := e.Accept("c1", "a", at(3)); err != nil {
		t.Fatal(err)
	}
	wantPairs(t, "after accept", e.Match(at(3)))
	e.Release("c1", "a", at(4))
	wantPairs(t, "after release", e.Match(at(4)), "c3>a")
	if got := agentSnap(t, e, "a"); got.Offered != 2 || got.Connected != 0 {
		t.Errorf("offered, connected = %d, %d, want 2, 0", got.Offered, got.Connected)
	}
}

func TestRejectReturnsContactToItsPlace(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	enqueue(t, e, "c2", "q", at(2))
	enqueue(t, e, "c3", "q", at(3))
	wantPairs(t, "first", e.Match(at(5)), "c1>a")
	if err := e.Reject("c1", "a", at(6)); err != nil {
		t.Fatal(err)
	}
	if got, want := waiting(e, "q"), []string{"c1", "c2", "c3"}; !slices.Equal(got, want) {
		t.Errorf("waiting after reject = %v, want %v", got, want)
	}
	if got := agentSnap(t, e, "a"); !got.Routable || !got.IdleSince.Equal(at(0)) {
		t.Errorf("agent after reject: routable %v idle since %v, want true and %v", got.Routable, got.IdleSince, at(0))
	}
	// The rejecting agent gets the next contact, not the one it rejected, which keeps its place for others.
	wantPairs(t, "after reject", e.Match(at(6)), "c2>a")
	setAgent(e, "b", 1, at(7), q("q", 1, 0))
	wantPairs(t, "new agent", e.Match(at(7)), "c1>b")
}

func TestRejectPrefersAnotherAgent(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	setAgent(e, "b", 1, at(1), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(2))
	wantPairs(t, "first", e.Match(at(2)), "c1>a")
	if err := e.Reject("c1", "a", at(3)); err != nil {
		t.Fatal(err)
	}
	// a is still the longest idle, but b gets c1.
	wantPairs(t, "after reject", e.Match(at(3)), "c1>b")
	// When b rejects too and nobody else can take it, it comes back to the longest idle of those who rejected.
	if err := e.Reject("c1", "b", at(4)); err != nil {
		t.Fatal(err)
	}
	wantPairs(t, "both rejected", e.Match(at(4)), "c1>a")
}

func TestRejectedContactComesBackWhenNoOtherAgent(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	wantPairs(t, "first", e.Match(at(1)), "c1>a")
	if err := e.Reject("c1", "a", at(2)); err != nil {
		t.Fatal(err)
	}
	wantPairs(t, "after reject", e.Match(at(2)), "c1>a")
}

func TestTimeout(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	setAgent(e, "b", 1, at(1), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(2))
	enqueue(t, e, "c2", "q", at(3))
	wantPairs(t, "first", e.Match(at(3)), "c1>a", "c2>b")
	deadline := at(3).Add(timeout)

	if got := e.Expire(deadline.Add(-time.Nanosecond)); len(got) != 0 {
		t.Fatalf("Expire before the deadline = %v, want nothing", got)
	}
	if err := e.Accept("c2", "b", deadline.Add(-time.Second)); err != nil {
		t.Fatalf("Accept before the deadline: %v", err)
	}
	// Accept exactly at the deadline fails even before Expire runs; the offer stays for Expire to report.
	if err := e.Accept("c1", "a", deadline); !errors.Is(err, routing.ErrNoOffer) {
		t.Fatalf("Accept at the deadline = %v, want ErrNoOffer", err)
	}
	got := e.Expire(deadline)
	want := []routing.Missed{{Offer: routing.Offer{ContactID: "c1", AgentID: "a", QueueID: "q", Deadline: deadline}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Expire (-want +got):\n%s", diff)
	}
	if a := agentSnap(t, e, "a"); a.Routable || a.Offered != 0 {
		t.Errorf("agent after missing: routable %v offered %d, want false, 0", a.Routable, a.Offered)
	}
	if err := e.Accept("c1", "a", deadline.Add(time.Second)); !errors.Is(err, routing.ErrNoOffer) {
		t.Errorf("Accept after Expire = %v, want ErrNoOffer", err)
	}
	enqueue(t, e, "c0", "q", at(2.5))
	if got, want := waiting(e, "q"), []string{"c1", "c0"}; !slices.Equal(got, want) {
		t.Errorf("waiting after expiry = %v, want %v", got, want)
	}
	// The missed agent is offered nothing until it is routable again, then it is the newest idle.
	wantPairs(t, "missed agent", e.Match(deadline))
	setAgent(e, "a", 1, deadline.Add(time.Second), q("q", 1, 0))
	if a := agentSnap(t, e, "a"); !a.IdleSince.Equal(deadline.Add(time.Second)) {
		t.Errorf("IdleSince after coming back = %v, want %v", a.IdleSince, deadline.Add(time.Second))
	}
	wantPairs(t, "back", e.Match(deadline.Add(time.Second)), "c1>a")
}

func TestRemoveAgentReturnsOffers(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 3, at(0), q("q", 1, 0))
	for i, id := range []string{"c1", "c2", "c3", "c4"} {
		enqueue(t, e, id, "q", at(float64(i)))
	}
	wantPairs(t, "first", e.Match(at(5)), "c1>a", "c2>a", "c3>a")
	if err := e.Accept("c2", "a", at(6)); err != nil {
		t.Fatal(err)
	}
	got := e.RemoveAgent("a", at(7))
	wantPairs(t, "RemoveAgent", got, "c1>a", "c3>a")
	if got, want := waiting(e, "q"), []string{"c1", "c3", "c4"}; !slices.Equal(got, want) {
		t.Errorf("waiting = %v, want %v", got, want)
	}
	s := e.Snapshot()
	if len(s.Agents) != 0 || len(s.Offers) != 0 || len(s.Connections) != 0 {
		t.Errorf("snapshot after RemoveAgent has agents %v offers %v connections %v, want none",
			s.Agents, s.Offers, s.Connections)
	}
	e.Release("c2", "a", at(8)) // a no-op
	if got := e.RemoveAgent("a", at(8)); got != nil {
		t.Errorf("second RemoveAgent = %v, want nil", got)
	}
	if err := e.Accept("c1", "a", at(8)); !errors.Is(err, routing.ErrUnknownAgent) || !errors.Is(err, routing.ErrNoOffer) {
		t.Errorf("Accept by a removed agent = %v, want ErrUnknownAgent and ErrNoOffer", err)
	}
}

func TestRemoveOfferedContactFreesAgent(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	enqueue(t, e, "c2", "q", at(2))
	wantPairs(t, "first", e.Match(at(2)), "c1>a")
	got, ok := e.Remove("c1", at(3))
	want := routing.Offer{ContactID: "c1", AgentID: "a", QueueID: "q", Deadline: at(2).Add(timeout)}
	if !ok || got != want {
		t.Fatalf("Remove = %v, %v, want %v, true", got, ok, want)
	}
	if a := agentSnap(t, e, "a"); a.Offered != 0 || !a.IdleSince.Equal(at(0)) {
		t.Errorf("agent after Remove: offered %d idle since %v, want 0 and %v", a.Offered, a.IdleSince, at(0))
	}
	wantPairs(t, "after remove", e.Match(at(3)), "c2>a")
	if err := e.Accept("c1", "a", at(4)); !errors.Is(err, routing.ErrUnknownContact) {
		t.Errorf("Accept of a removed contact = %v, want ErrUnknownContact", err)
	}
}

func TestRemove(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	enqueue(t, e, "c2", "q", at(2))
	if _, ok := e.Remove("c2", at(3)); ok {
		t.Error("Remove of a waiting contact reported an offer")
	}
	if _, ok := e.Remove("nope", at(3)); ok {
		t.Error("Remove of an unknown contact reported an offer")
	}
	wantPairs(t, "match", e.Match(at(3)), "c1>a")
	if err := e.Accept("c1", "a", at(4)); err != nil {
		t.Fatal(err)
	}
	// A connected contact stays until Release: the agent keeps the slot for after-contact work.
	if _, ok := e.Remove("c1", at(5)); ok {
		t.Error("Remove of a connected contact reported an offer")
	}
	if a := agentSnap(t, e, "a"); a.Connected != 1 {
		t.Errorf("connected after Remove = %d, want 1", a.Connected)
	}
	e.Release("c1", "b", at(6)) // the wrong agent: a no-op
	e.Release("zz", "a", at(6)) // unknown: a no-op
	if a := agentSnap(t, e, "a"); a.Connected != 1 {
		t.Errorf("connected after no-op releases = %d, want 1", a.Connected)
	}
	e.Release("c1", "a", at(7))
	if a := agentSnap(t, e, "a"); a.Connected != 0 || !a.IdleSince.Equal(at(7)) {
		t.Errorf("after Release: connected %d idle since %v, want 0 and %v", a.Connected, a.IdleSince, at(7))
	}
	if err := e.Enqueue(routing.ContactRef{ID: "c1", QueueID: "q"}, at(8)); err != nil {
		t.Errorf("Enqueue of a released contact id: %v", err)
	}
}

func TestIdleSince(t *testing.T) {
	e := newEngine()
	e.SetAgent(routing.AgentState{ID: "a", Routable: false, Slots: 1, Queues: []routing.QueueRef{q("q", 1, 0)}}, at(0))
	if a := agentSnap(t, e, "a"); !a.IdleSince.IsZero() {
		t.Errorf("IdleSince of a never-routable agent = %v, want zero", a.IdleSince)
	}
	setAgent(e, "a", 1, at(1), q("q", 1, 0))
	setAgent(e, "a", 2, at(2), q("q", 1, 0), q("r", 2, 0)) // a profile change while routable
	if a := agentSnap(t, e, "a"); !a.IdleSince.Equal(at(1)) {
		t.Errorf("IdleSince after a profile change = %v, want %v", a.IdleSince, at(1))
	}
	enqueue(t, e, "c1", "q", at(3))
	e.Match(at(3))
	if err := e.Accept("c1", "a", at(4)); err != nil {
		t.Fatal(err)
	}
	if a := agentSnap(t, e, "a"); !a.IdleSince.Equal(at(1)) {
		t.Errorf("IdleSince after an offer and accept = %v, want %v", a.IdleSince, at(1))
	}
	e.SetAgent(routing.AgentState{ID: "a", Routable: false, Slots: 2}, at(5))
	e.Release("c1", "a", at(6))
	if a := agentSnap(t, e, "a"); !a.IdleSince.Equal(at(6)) {
		t.Errorf("IdleSince after Release = %v, want %v", a.IdleSince, at(6))
	}
	setAgent(e, "a", 2, at(7), q("q", 1, 0))
	if a := agentSnap(t, e, "a"); !a.IdleSince.Equal(at(7)) {
		t.Errorf("IdleSince after becoming routable = %v, want %v", a.IdleSince, at(7))
	}
}

func TestSetAgentKeepsOffers(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 2, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(1))
	enqueue(t, e, "c2", "q", at(1))
	enqueue(t, e, "c3", "q", at(1))
	wantPairs(t, "first", e.Match(at(1)), "c1>a", "c2>a")
	// Fewer slots and another status: the offers stay and may still be accepted, nothing new is offered.
	e.SetAgent(routing.AgentState{ID: "a", Routable: false, Slots: 1, Queues: []routing.QueueRef{q("r", 1, 0)}}, at(2))
	wantPairs(t, "not routable", e.Match(at(2)))
	if err := e.Accept("c1", "a", at(3)); err != nil {
		t.Fatalf("Accept by a non-routable agent: %v", err)
	}
	setAgent(e, "a", 1, at(4), q("q", 1, 0))
	wantPairs(t, "over its slots", e.Match(at(4)))
	if err := e.Reject("c2", "a", at(5)); err != nil {
		t.Fatal(err)
	}
	e.Release("c1", "a", at(6))
	wantPairs(t, "free again", e.Match(at(6)), "c3>a")
}

func TestErrors(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	setAgent(e, "b", 1, at(1), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(2))
	enqueue(t, e, "c2", "q", at(2))
	wantPairs(t, "match", e.Match(at(2)), "c1>a", "c2>b")
	tests := []struct {
		name               string
		contact, agent     string
		now                time.Time
		wantAgent, wantCon bool
	}{
		{name: "unknown agent", contact: "c1", agent: "x", now: at(3), wantAgent: true},
		{name: "unknown contact", contact: "cx", agent: "a", now: at(3), wantCon: true},
		{name: "offered to another agent", contact: "c2", agent: "a", now: at(3)},
		{name: "at the deadline", contact: "c1", agent: "a", now: at(2).Add(timeout)},
	}
	for _, tt := range tests {
		for _, op := range []struct {
			name string
			f    func(string, string, time.Time) error
		}{{"Accept", e.Accept}, {"Reject", e.Reject}} {
			t.Run(op.name+" "+tt.name, func(t *testing.T) {
				err := op.f(tt.contact, tt.agent, tt.now)
				if !errors.Is(err, routing.ErrNoOffer) {
					t.Errorf("err = %v, want ErrNoOffer", err)
				}
				if got := errors.Is(err, routing.ErrUnknownAgent); got != tt.wantAgent {
					t.Errorf("errors.Is(%v, ErrUnknownAgent) = %v, want %v", err, got, tt.wantAgent)
				}
				if got := errors.Is(err, routing.ErrUnknownContact); got != tt.wantCon {
					t.Errorf("errors.Is(%v, ErrUnknownContact) = %v, want %v", err, got, tt.wantCon)
				}
			})
		}
	}
	if err := e.Accept("c1", "a", at(3)); err != nil {
		t.Fatal(err)
	}
	if err := e.Accept("c1", "a", at(3)); !errors.Is(err, routing.ErrNoOffer) {
		t.Errorf("second Accept = %v, want ErrNoOffer", err)
	}
	if err := e.Enqueue(routing.ContactRef{ID: "c1", QueueID: "q"}, at(4)); !errors.Is(err, routing.ErrContactExists) {
		t.Errorf("Enqueue of a connected contact = %v, want ErrContactExists", err)
	}
	if err := e.Enqueue(routing.ContactRef{ID: "c2", QueueID: "r"}, at(4)); !errors.Is(err, routing.ErrContactExists) {
		t.Errorf("Enqueue of an offered contact = %v, want ErrContactExists", err)
	}
}

func TestNextWake(t *testing.T) {
	e := newEngine()
	if got := e.NextWake(at(0)); !got.IsZero() {
		t.Errorf("NextWake of an empty engine = %v, want zero", got)
	}
	enqueue(t, e, "c1", "q", at(0))
	if got := e.NextWake(at(0)); !got.IsZero() {
		t.Errorf("NextWake with no agent = %v, want zero", got)
	}
	setAgent(e, "slow", 1, at(0), q("q", 1, 20))
	setAgent(e, "slower", 1, at(0), q("q", 1, 45))
	if got, want := e.NextWake(at(1)), at(20); !got.Equal(want) {
		t.Errorf("NextWake with a delay = %v, want %v", got, want)
	}
	wantPairs(t, "before the delay", e.Match(at(20).Add(-time.Nanosecond)))
	wantPairs(t, "at the delay", e.Match(at(20)), "c1>slow")
	if got, want := e.NextWake(at(20)), at(20).Add(timeout); !got.Equal(want) {
		t.Errorf("NextWake with an offer = %v, want %v", got, want)
	}
	enqueue(t, e, "c2", "q", at(21))
	if got, want := e.NextWake(at(21)), at(20).Add(timeout); !got.Equal(want) {
		t.Errorf("NextWake with an offer and a later delay = %v, want %v", got, want)
	}
	if err := e.Accept("c1", "slow", at(22)); err != nil {
		t.Fatal(err)
	}
	if got, want := e.NextWake(at(22)), at(21+45); !got.Equal(want) {
		t.Errorf("NextWake with a delay = %v, want %v", got, want)
	}
	// Work already due at now: NextWake says now.
	if got, want := e.NextWake(at(100)), at(100); !got.Equal(want) {
		t.Errorf("NextWake with overdue work = %v, want %v", got, want)
	}
	// A full or non-routable agent does not wake anyone.
	e.SetAgent(routing.AgentState{ID: "slower", Slots: 1, Queues: []routing.QueueRef{q("q", 1, 45)}}, at(23))
	if got := e.NextWake(at(23)); !got.IsZero() {
		t.Errorf("NextWake with no eligible agent = %v, want zero", got)
	}
}

func TestSnapshot(t *testing.T) {
	e := newEngine()
	setAgent(e, "b", 2, at(1), q("x", 2, 10), q("w", 1, 0))
	e.SetAgent(routing.AgentState{ID: "a", Slots: 1, Queues: []routing.QueueRef{q("z", 1, 0)}}, at(0))
	enqueue(t, e, "c2", "x", at(3))
	enqueue(t, e, "c1", "w", at(2))
	enqueue(t, e, "c3", "x", at(4))
	enqueue(t, e, "c4", "y", at(5))
	e.Match(at(5))
	if err := e.Accept("c1", "b", at(6)); err != nil {
		t.Fatal(err)
	}
	e.Match(at(14))
	want := routing.Snapshot{
		Queues: []routing.QueueSnapshot{
			{ID: "w"},
			{ID: "x", Waiting: []routing.ContactRef{{ID: "c3", QueueID: "x", EnqueuedAt: at(4)}}, Oldest: at(4)},
			{ID: "y", Waiting: []routing.ContactRef{{ID: "c4", QueueID: "y", EnqueuedAt: at(5)}}, Oldest: at(5)},
			{ID: "z"},
		},
		Agents: []routing.AgentSnapshot{
			{ID: "a", Slots: 1, Queues: []routing.QueueRef{q("z", 1, 0)}},
			{ID: "b", Routable: true, Slots: 2, Queues: []routing.QueueRef{q("w", 1, 0), q("x", 2, 10)},
				Connected: 1, Offered: 1, IdleSince: at(1)},
		},
		Offers:      []routing.Offer{{ContactID: "c2", AgentID: "b", QueueID: "x", Deadline: at(14).Add(timeout)}},
		Connections: []routing.Connection{{ContactID: "c1", AgentID: "b", QueueID: "w", Since: at(6)}},
	}
	if diff := cmp.Diff(want, e.Snapshot(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	if s := e.Snapshot(); s.Agents[0].Eligible() || s.Agents[1].Eligible() {
		t.Error("Eligible() true for a non-routable or full agent")
	}
}

func TestDefaultOfferTimeout(t *testing.T) {
	e := routing.New(routing.Config{})
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	enqueue(t, e, "c1", "q", at(0))
	got := e.Match(at(0))
	if len(got) != 1 || !got[0].Deadline.Equal(at(0).Add(routing.DefaultOfferTimeout)) {
		t.Errorf("Match = %v, want one offer with deadline %v", got, at(0).Add(routing.DefaultOfferTimeout))
	}
}

func TestEnqueueZeroTimeMeansNow(t *testing.T) {
	e := newEngine()
	if err := e.Enqueue(routing.ContactRef{ID: "c1", QueueID: "q"}, at(7)); err != nil {
		t.Fatal(err)
	}
	if s := e.Snapshot(); len(s.Queues) != 1 || !s.Queues[0].Oldest.Equal(at(7)) {
		t.Errorf("queues = %+v, want q with oldest %v", s.Queues, at(7))
	}
}

// TestQueueStats: a queue's live numbers agree with the snapshot: waiting contacts not offered, the oldest's
// enqueue time, the agents serving the queue and whether each could take a contact now.
func TestQueueStats(t *testing.T) {
	e := newEngine()
	setAgent(e, "a", 1, at(0), q("q", 1, 0))
	setAgent(e, "b", 2, at(0), q("q", 1, 0), q("r", 2, 0))
	setAgent(e, "c", 1, at(0), q("r", 1, 0))
	for i, id := range []string{"c1", "c2", "c3", "c4"} {
		enqueue(t, e, id, "q", at(float64(1+i)))
	}
	wantPairs(t, "first match", e.Match(at(5)), "c1>a", "c2>b", "c3>b")
	st := e.QueueStats("q")
	if st.Waiting != len(waiting(e, "q")) || st.Waiting != 1 || !st.Oldest.Equal(at(4)) {
		t.Errorf("waiting %d (snapshot %d), oldest %v; want 1 waiting since %v", st.Waiting, len(waiting(e, "q")), st.Oldest, at(4))
	}
	got := map[string]bool{}
	for _, a := range st.Agents {
		got[a.ID] = a.Eligible
		if a.Eligible != agentSnap(t, e, a.ID).Eligible() {
			t.Errorf("agent %s eligible %v, snapshot says %v", a.ID, a.Eligible, agentSnap(t, e, a.ID).Eligible())
		}
	}
	if len(got) != 2 || got["a"] || got["b"] {
		t.Errorf("agents serving q: %v; want a and b, both busy", got)
	}
	if st := e.QueueStats("nobody"); st.Waiting != 0 || !st.Oldest.IsZero() || len(st.Agents) != 0 {
		t.Errorf("a queue nobody serves: %+v", st)
	}
}

// TestContactPriority: within a queue, and across queues of one profile priority, a contact's own priority comes
// before its age, and a time adjustment counts as time already waited; a profile's delay still counts from when
// the contact really entered the queue, and Oldest is the longest-waiting contact whatever its priority.
func TestContactPriority(t *testing.T) {
	e := newEngine()
	add := func(id, queue string, enqueued time.Time, prio int, adjust time.Duration) {
		t.Helper()
		if err := e.Enqueue(routing.ContactRef{ID: id, QueueID: queue, EnqueuedAt: enqueued, Priority: prio, Adjustment: adjust}, enqueued); err != nil {
			t.Fatal(err)
		}
	}
	add("old", "q", at(0), 0, 0)                    // the default priority, 5
	add("urgent", "q", at(10), 1, 0)                // younger, but priority 1
	add("adjusted", "q", at(20), 0, 30*time.Second) // counts as enqueued at -10 s: ahead of "old"
	add("other", "r", at(5), 3, 0)                  // another queue of the same profile priority
	add("late", "q", at(100), 1, 0)                 // priority 1, but not past the slow profile's delay yet
	if got := waiting(e, "q"); !slices.Equal(got, []string{"urgent", "late", "adjusted", "old"}) {
		t.Errorf("queue order %v", got)
	}
	if st := e.QueueStats("q"); st.Waiting != 4 || !st.Oldest.Equal(at(0)) {
		t.Errorf("QueueStats = %+v, want 4 waiting, the oldest from t0", st)
	}
	setAgent(e, "a1", 1, at(101), q("q", 1, 50), q("r", 1, 0))
	wantPairs(t, "first", e.Match(at(101)), "urgent>a1")
	setAgent(e, "a2", 1, at(102), q("q", 1, 50), q("r", 1, 0))
	wantPairs(t, "second", e.Match(at(102)), "other>a2") // priority 3 beats the default; "late" waits for the delay
	setAgent(e, "a3", 3, at(103), q("q", 1, 50))
	wantPairs(t, "third", e.Match(at(103)), "adjusted>a3", "old>a3")
	for c, a := range map[string]string{"urgent": "a1", "other": "a2", "adjusted": "a3", "old": "a3"} {
		if err := e.Accept(c, a, at(104)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := e.NextWake(at(104)), at(150); !got.Equal(want) {
		t.Errorf("NextWake = %v, want %v (the delay of the contact left)", got, want)
	}
}
