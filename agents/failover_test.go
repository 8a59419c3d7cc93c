package agents_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/agents"
)

// Failover: the routing state that lives in the routing node's memory and is not in the contacts' and users' rows
// (Missed, after-contact work) is saved when it changes, so that the node that takes routing over rebuilds it.

// takeOver hands routing from the node from to a new node named id, as when from stops or dies: from's memory is
// gone, and the new node rebuilds its state from the store.
func (f *fixture) takeOver(from *agents.Service, id string) *agents.Service {
	f.t.Helper()
	from.Close()
	to := f.node(id)
	if !to.Lead(f.ctx) {
		f.t.Fatalf("%s did not take the routing lease", id)
	}
	if err := to.Check(); err != nil {
		f.t.Fatal(err)
	}
	return to
}

// queued reports whether the routing node n has contactID waiting in a queue.
func queued(n *agents.Service, contactID string) bool {
	for _, v := range n.LiveContacts() {
		if v.ContactID == contactID && v.State == agents.ContactQueued {
			return true
		}
	}
	return false
}

// TestFailoverKeepsMissed: an agent that let an offer time out on the first routing node is still Missed on the
// node that takes over: neither the chat it missed nor a new one is offered to it until it sets Available, and
// once it has, a third takeover does not bring Missed back.
func TestFailoverKeepsMissed(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales", 2, pq(sales, 1, 0)))
	f.available(ann)
	sub := f.ag.Subscribe(ann)
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	f.clk.add(31 * time.Second)
	f.ag.Tick()
	if st := f.ag.State(ann); st.System != agents.SystemMissed {
		t.Fatalf("ann after the offer timed out: %s, want Missed", st.System)
	}

	b := f.takeOver(f.ag, "node-b")
	c2 := f.start(flow)
	b.Tick()
	if st := b.State(ann); st.System != agents.SystemMissed || len(st.Contacts) != 0 {
		t.Fatalf("ann on the new routing node: %s with %+v, want Missed with no contact", st.System, st.Contacts)
	}
	for _, c := range []string{c1, c2} {
		if !queued(b, c) {
			t.Fatalf("%s does not wait on the new routing node", c)
		}
	}

	onB := b.Subscribe(ann)
	if err := b.SetStatus(f.ctx, ann, "Available"); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, onB); o.ContactID != c1 {
		t.Fatalf("offer after Available: %+v, want %s (the oldest)", o, c1)
	}
	if o := offerOf(t, onB); o.ContactID != c2 {
		t.Fatalf("second offer after Available: %+v, want %s", o, c2)
	}

	c := f.takeOver(b, "node-c")
	if st := c.State(ann); st.System != agents.SystemPending || len(st.Contacts) != 2 {
		t.Fatalf("ann on the third routing node: %s with %d contacts, want Pending with both offers made again",
			st.System, len(st.Contacts))
	}
}

// TestMissedClearedWithoutLeader: an agent in Missed who sets Available again (the status it has) while no node
// routes is not Missed on the node that takes over.
func TestMissedClearedWithoutLeader(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales", 1, pq(sales, 1, 0)))
	f.available(ann)
	sub := f.ag.Subscribe(ann)
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	b := f.node("node-b") // a follower: the first node holds the lease
	f.clk.add(31 * time.Second)
	f.ag.Tick()
	if st := f.ag.State(ann); st.System != agents.SystemMissed {
		t.Fatalf("ann after the offer timed out: %s, want Missed", st.System)
	}

	f.ag.Close()
	if err := b.SetStatus(f.ctx, ann, "Available"); err != nil { // no node routes: no one hears it
		t.Fatal(err)
	}
	if !b.Lead(f.ctx) {
		t.Fatal("node-b did not take the routing lease")
	}
	st := b.State(ann)
	if st.System != agents.SystemPending || len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 {
		t.Fatalf("ann on the new routing node: %s with %+v, want %s offered", st.System, st.Contacts, c1)
	}
}

// TestFailoverKeepsAfterContactWork: an agent in after-contact work on the first routing node is in it on the
// node that takes over, with the contact as it saw it (ended when and why), and the work still holds its slot:
// a new chat waits until the agent clears it. The Clear on the new node is saved: a third takeover does not bring
// the work back.
func TestFailoverKeepsAfterContactWork(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	bob := f.user("bob", f.profile("Sales", 1, pq(sales, 1, 0)))
	f.available(bob)
	sub := f.ag.Subscribe(bob)
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	if _, err := f.ag.Accept(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	f.clk.add(5 * time.Second)
	if err := f.ag.End(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	before := f.ag.State(bob)
	if before.System != agents.SystemACW || len(before.Contacts) != 1 || before.Contacts[0].EndedAt.IsZero() {
		t.Fatalf("bob after ending the chat: %+v, want in after-contact work on %s", before, c1)
	}
	f.clk.add(10 * time.Second)

	b := f.takeOver(f.ag, "node-b")
	after := b.State(bob)
	jb, _ := json.Marshal(before)
	ja, _ := json.Marshal(after)
	if string(ja) != string(jb) {
		t.Fatalf("bob on the new routing node:\n%s\nwant as on the first:\n%s", ja, jb)
	}

	c2 := f.start(flow)
	b.Tick()
	if st := b.State(bob); len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 {
		t.Fatalf("bob's contacts with his one slot in after-contact work: %+v, want %s only", st.Contacts, c1)
	}
	if !queued(b, c2) {
		t.Fatalf("%s does not wait", c2)
	}

	onB := b.Subscribe(bob)
	if err := b.Clear(f.ctx, bob, c1); err != nil {
		t.Fatalf("Clear on the new routing node: %v", err)
	}
	if o := offerOf(t, onB); o.ContactID != c2 {
		t.Fatalf("offer after Clear: %+v, want %s", o, c2)
	}

	c := f.takeOver(b, "node-c")
	st := c.State(bob)
	if len(st.Contacts) != 1 || st.Contacts[0].ContactID != c2 || st.Contacts[0].State != agents.ContactOffered {
		t.Fatalf("bob on the third routing node: %+v, want only %s offered (the cleared work gone)", st.Contacts, c2)
	}
}

// TestFailoverAfterContactWorkLimit: after-contact work restored by the node that takes over ends when its limit,
// counted from the chat's end on the first node, passes — not a full limit after the takeover — and its end is
// saved.
func TestFailoverAfterContactWorkLimit(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	bob := f.userWith(admin.UserInput{Username: "bob", RoutingProfileID: f.profile("Sales", 1, pq(sales, 1, 0)).ID,
		AfterContactWorkTimeLimit: 60})
	f.available(bob)
	sub := f.ag.Subscribe(bob)
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	if _, err := f.ag.Accept(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	if err := f.ag.End(f.ctx, bob, c1); err != nil { // after-contact work until now + 60 s
		t.Fatal(err)
	}
	f.clk.add(20 * time.Second)

	b := f.takeOver(f.ag, "node-b")
	c2 := f.start(flow)
	f.clk.add(39 * time.Second) // 59 s after the end
	b.Tick()
	if st := b.State(bob); st.System != agents.SystemACW || len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 {
		t.Fatalf("bob 59 s after the end: %s with %+v, want after-contact work on %s", st.System, st.Contacts, c1)
	}
	onB := b.Subscribe(bob)
	f.clk.add(time.Second) // the limit
	b.Tick()
	if o := offerOf(t, onB); o.ContactID != c2 {
		t.Fatalf("offer once the limit passed: %+v, want %s", o, c2)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}

	c := f.takeOver(b, "node-c")
	st := c.State(bob)
	if len(st.Contacts) != 1 || st.Contacts[0].ContactID != c2 {
		t.Fatalf("bob on the third routing node: %+v, want only %s (the expired work gone)", st.Contacts, c2)
	}
}

// failingStates is a store whose writes of the routing state fail, as when the database refuses them.
type failingStates struct{ parley.Store }

func (s failingStates) Update(ctx context.Context, fn func(tx parley.Tx) error) error {
	return s.Store.Update(ctx, func(tx parley.Tx) error { return fn(failingStatesTx{tx}) })
}

type failingStatesTx struct{ parley.Tx }

var errStates = errors.New("the routing state cannot be written")

func (failingStatesTx) PutAgentMissed(context.Context, *parley.AgentMissed) error { return errStates }
func (failingStatesTx) DeleteAgentMissed(context.Context, string) error           { return errStates }
func (failingStatesTx) PutAfterContactWork(context.Context, *parley.AfterContactWork) error {
	return errStates
}
func (failingStatesTx) DeleteAfterContactWork(context.Context, string) error { return errStates }

// TestSaveFailureKeepsRouting: when the routing state cannot be saved, routing goes on from memory: an agent is
// still Missed and in after-contact work, and Clear and Available still work.
func TestSaveFailureKeepsRouting(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	bob := f.user("bob", f.profile("Sales", 1, pq(sales, 1, 0)))
	n := f.soleNodeOn(failingStates{f.store}, "node-failing")
	sub := n.Subscribe(bob)
	if err := n.SetStatus(f.ctx, bob, "Available"); err != nil {
		t.Fatal(err)
	}
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer %+v, want %s", o, c1)
	}
	f.clk.add(31 * time.Second)
	n.Tick()
	if st := n.State(bob); st.System != agents.SystemMissed {
		t.Fatalf("bob after the offer timed out: %s, want Missed", st.System)
	}
	if err := n.SetStatus(f.ctx, bob, "Available"); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatalf("offer after Available: %+v, want %s", o, c1)
	}
	if _, err := n.Accept(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	if err := n.End(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	c2 := f.start(flow)
	if st := n.State(bob); st.System != agents.SystemACW || len(st.Contacts) != 1 {
		t.Fatalf("bob after ending the chat: %s with %+v, want after-contact work on %s only", st.System, st.Contacts, c1)
	}
	if err := n.Clear(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, sub); o.ContactID != c2 {
		t.Fatalf("offer after Clear: %+v, want %s", o, c2)
	}
	if err := n.Check(); err != nil {
		t.Fatal(err)
	}
}
