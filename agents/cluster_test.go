package agents_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
	"github.com/parley-chat/parley/bus/local"
)

// wireBus is the in-process bus with every domain event sent through JSON, as a networked bus (NATS) carries
// them between nodes: what survives encoding is all the other node gets.
type wireBus struct{ *local.Bus }

// InProcess hides the local bus's: events leave the process.
func (wireBus) InProcess() bool { return false }

func (b wireBus) PublishEvent(ctx context.Context, ev *parley.Event) error {
	if ev.Value != nil {
		return errors.New("wireBus: an event with a Value cannot leave the process")
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var cp parley.Event
	if err := json.Unmarshal(data, &cp); err != nil {
		return err
	}
	return b.Bus.PublishEvent(ctx, &cp)
}

// offersOnBus counts the offer notices the routing node publishes to all of an agent's streams, per contact: the
// one place every node's streams hear offers from, so a count above one means an offer was made twice. (A new
// stream's opening repeats the open offers to that stream alone; those are not counted.) It reads the bus's wire
// form: use it on a wireBus.
type offersOnBus struct {
	mu     sync.Mutex
	counts map[string]int
}

func watchOffers(t *testing.T, bus parley.Bus) *offersOnBus {
	o := &offersOnBus{counts: map[string]int{}}
	t.Cleanup(bus.SubscribeEvents(func(ev *parley.Event) {
		if ev.Kind != parley.EventAgentNotice {
			return
		}
		var n struct {
			Event  agents.Event `json:"event"`
			Stream string       `json:"stream"`
		}
		if err := json.Unmarshal(ev.Data, &n); err != nil {
			t.Errorf("notice: %v", err)
			return
		}
		if n.Event.Kind == agents.EventOffer && n.Stream == "" {
			o.mu.Lock()
			o.counts[n.Event.Contact.ContactID]++
			o.mu.Unlock()
		}
	}))
	return o
}

func (o *offersOnBus) count(contactID string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[contactID]
}

// second starts another agents service on the fixture's store and bus: a second node of the same cluster.
func (f *fixture) second() *agents.Service {
	f.t.Helper()
	return f.node("node-b")
}

// node starts another agents service, named id, on the fixture's store and bus: another node of the same cluster.
func (f *fixture) node(id string) *agents.Service {
	f.t.Helper()
	return f.nodeOn(f.store, id)
}

// nodeOn is node over a store of the test's choosing.
func (f *fixture) nodeOn(store parley.Store, id string) *agents.Service {
	f.t.Helper()
	b := agents.New(store, f.bus, f.chat, f.admin, f.clk, nil, agents.Config{OfferTimeout: 30 * time.Second,
		NoTimer: true, NodeID: id})
	if err := b.Start(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(b.Close)
	return b
}

// soleNodeOn closes the fixture's agent service and returns a routing node over store in its place.
func (f *fixture) soleNodeOn(store parley.Store, id string) *agents.Service {
	f.t.Helper()
	f.ag.Close()
	n := f.nodeOn(store, id)
	if !n.Lead(f.ctx) {
		f.t.Fatalf("%s did not take the routing lease", id)
	}
	return n
}

func eventOf(t *testing.T, sub *agents.Subscription, kind agents.EventKind) agents.Event {
	t.Helper()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatal("stream closed")
			}
			if ev.Kind == kind {
				return ev
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event of kind %d", kind)
		}
	}
}

// TestTwoNodes: a second agents service on the same store and bus works from bus events alone. The first holds
// the routing lease and makes each offer once; the agent's stream on the second node sees the same offers; the
// agent accepts and clears through the second node (forwarded to the first); when the first node stops, the
// second takes routing over, rebuilds the state from the store and offers the next chat.
func TestTwoNodes(t *testing.T) {
	f := newFixtureOn(t, 30*time.Second, wireBus{local.New()})
	offers := watchOffers(t, f.bus)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales", 2, pq(sales, 1, 0)))

	b := f.second()
	if b.Lead(f.ctx) {
		t.Fatal("the second node took the routing lease the first one holds")
	}
	onA, onB := f.ag.Subscribe(ann), b.Subscribe(ann)
	if st := eventOf(t, onB, agents.EventState).State; st == nil || st.UserID != ann.ID {
		t.Fatalf("the stream on the second node got state %+v first, want ann's", st)
	}
	if err := b.SetStatus(f.ctx, ann, "Available"); err != nil {
		t.Fatal(err)
	}

	c1 := f.start(flow)
	if o := offerOf(t, onB); o.ContactID != c1 {
		t.Fatalf("the second node's stream got offer %+v, want %s", o, c1)
	}
	if o := offerOf(t, onA); o.ContactID != c1 {
		t.Fatalf("the first node's stream got offer %+v, want %s", o, c1)
	}
	if n := offers.count(c1); n != 1 {
		t.Fatalf("contact %s was offered %d times, want once", c1, n)
	}

	// Accept through the second node: it forwards to the first, which joins the agent.
	view, err := b.Accept(f.ctx, ann, c1)
	if err != nil {
		t.Fatalf("Accept on the second node: %v", err)
	}
	if view.ContactID != c1 || view.State != agents.ContactConnected || view.ParticipantToken == "" {
		t.Fatalf("Accept on the second node = %+v", view)
	}
	if ev := eventOf(t, onB, agents.EventContactConnected); ev.Contact.ContactID != c1 {
		t.Fatalf("the second node's stream heard %+v connect, want %s", ev.Contact, c1)
	}
	c, err := f.store.GetContact(f.ctx, c1)
	if err != nil || c.AgentID != ann.ID {
		t.Fatalf("contact after accept: %+v, %v", c, err)
	}
	if err := b.Reject(f.ctx, ann, c1); !parley.IsCode(err, parley.ECONFLICT) {
		t.Fatalf("Reject of a connected contact on the second node: %v, want ECONFLICT from the first", err)
	}
	f.check()

	// The first node stops: the second takes routing over and knows ann holds c1.
	f.ag.Close()
	if !b.Lead(f.ctx) {
		t.Fatal("the second node did not take the routing lease the first one released")
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	if st := b.State(ann); len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 || st.Contacts[0].State != agents.ContactConnected {
		t.Fatalf("ann on the new routing node: %+v, want connected to %s", st, c1)
	} else if st.Contacts[0].ParticipantToken != view.ParticipantToken {
		t.Fatalf("ann's ParticipantToken on the new routing node: %q, want the one she accepted with", st.Contacts[0].ParticipantToken)
	}
	c2 := f.start(flow) // ann has a second slot
	if o := offerOf(t, onB); o.ContactID != c2 {
		t.Fatalf("the new routing node offered %+v, want %s", o, c2)
	}
	if n := offers.count(c2); n != 1 {
		t.Fatalf("contact %s was offered %d times, want once", c2, n)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestOneRouterPerLease: two services started on one store and bus make each decision once: a queue at capacity
// ends the chat once, and an agent's status change is applied by one node.
func TestOneRouterPerLease(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	b := f.second()
	ended := 0
	var mu sync.Mutex
	t.Cleanup(f.bus.SubscribeEvents(func(ev *parley.Event) {
		if ev.Kind == parley.EventContactEnded {
			mu.Lock()
			ended++
			mu.Unlock()
		}
	}))
	full := f.queue("Full")
	if err := f.admin.UpdateQueueMaxContacts(f.ctx, f.inst.ID, full.ID, 1); err != nil {
		t.Fatal(err)
	}
	flow := f.flowTo(full)
	f.start(flow) // waits: no agent
	c2 := f.start(flow)
	c, err := f.store.GetContact(f.ctx, c2)
	if err != nil || c.Active() {
		t.Fatalf("the second chat on a full queue: %+v, %v; want ended", c, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if ended != 1 {
		t.Errorf("%d contacts ended, want 1 (the chat over capacity, once)", ended)
	}
	if snap := b.Snapshot(); len(snap.Queues) != 0 {
		t.Errorf("the node without the lease keeps routing state: %+v", snap)
	}
}

// TestFollowerReads: the read views asked of a node that does not route are the routing node's: an agent's
// state and contacts, the live contacts, the agents, the queues' status, the live view of the real-time metrics
// and a queue's metrics for the flows, with a waiting contact and then an offered one.
func TestFollowerReads(t *testing.T) {
	f := newFixtureOn(t, 30*time.Second, wireBus{local.New()})
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales", 2, pq(sales, 1, 0)))
	b := f.second()
	if b.Lead(f.ctx) {
		t.Fatal("the second node took the routing lease the first one holds")
	}

	same := func(what string, onA, onB any) {
		t.Helper()
		ja, _ := json.Marshal(onA)
		jb, _ := json.Marshal(onB)
		if string(ja) != string(jb) {
			t.Errorf("%s on the follower:\n%s\nwant the routing node's:\n%s", what, jb, ja)
		}
	}
	compare := func() {
		t.Helper()
		same("State", f.ag.State(ann), b.State(ann))
		same("Contacts", f.ag.Contacts(ann), b.Contacts(ann))
		same("LiveContacts", f.ag.LiveContacts(), b.LiveContacts())
		same("Agents", f.ag.Agents(), b.Agents())
		qa, err := f.ag.QueueStatus(f.ctx, f.inst.ID)
		if err != nil {
			t.Fatal(err)
		}
		qb, err := b.QueueStatus(f.ctx, f.inst.ID)
		if err != nil {
			t.Fatal(err)
		}
		same("QueueStatus", qa, qb)
		same("LiveView", f.ag.LiveView(), b.LiveView())
		ma, _ := f.ag.QueueMetrics(f.ctx, sales.ID)
		mb, err := b.QueueMetrics(f.ctx, sales.ID)
		if err != nil {
			t.Fatal(err)
		}
		same("QueueMetrics", ma, mb)
	}

	c1 := f.start(flow) // no one is available: it waits
	if n := len(b.LiveContacts()); n != 1 {
		t.Fatalf("the follower sees %d live contacts, want the waiting one", n)
	}
	if m, _ := b.QueueMetrics(f.ctx, sales.ID); m.ContactsInQueue != 1 {
		t.Fatalf("the follower's queue metrics %+v, want one contact in queue", m)
	}
	compare()

	onB := b.Subscribe(ann)
	if err := b.SetStatus(f.ctx, ann, "Available"); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, onB); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	if st := b.State(ann); st.System != agents.SystemPending || len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 {
		t.Fatalf("ann's state on the follower: %+v, want pending with %s", st, c1)
	}
	compare()
}

// TestFollowerReadsWithoutLeader: when no node routes (the routing node stopped and no one took the lease yet),
// a read on another node does not hang: after a bounded wait it answers from its own memory, which is empty.
func TestFollowerReadsWithoutLeader(t *testing.T) {
	f := newFixtureOn(t, 30*time.Second, wireBus{local.New()})
	sales := f.queue("Sales")
	f.start(f.flowTo(sales))
	ann := f.user("ann", f.profile("Sales", 2, pq(sales, 1, 0)))
	b := f.second()
	if n := len(b.LiveContacts()); n != 1 {
		t.Fatalf("the follower sees %d live contacts, want the waiting one", n)
	}
	f.ag.Close() // releases the lease; b does not take it until it tries (Lead)
	if st := b.State(ann); st.UserID != ann.ID || st.System != agents.SystemOffline || len(st.Contacts) != 0 {
		t.Fatalf("ann's state with no routing node: %+v, want offline from local memory", st)
	}
	if m, err := b.QueueMetrics(f.ctx, sales.ID); err != nil || m.ContactsInQueue != 0 {
		t.Fatalf("queue metrics with no routing node: %+v, %v", m, err)
	}
	if !b.Lead(f.ctx) {
		t.Fatal("the second node did not take the routing lease")
	}
	if n := len(b.LiveContacts()); n != 1 {
		t.Fatalf("the new routing node sees %d live contacts, want the waiting one", n)
	}
}
