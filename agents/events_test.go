package agents_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
)

// gatedStates is a store whose next Update, once armed, waits at the gate before it begins: a write of the
// routing state that is slow to start.
type gatedStates struct {
	parley.Store
	armed   *atomic.Bool
	entered chan struct{} // closed when the armed Update reached the gate
	gate    chan struct{} // closed to let it through
}

func (s gatedStates) Update(ctx context.Context, fn func(tx parley.Tx) error) error {
	if s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		<-s.gate
	}
	return s.Store.Update(ctx, fn)
}

// bobOnGatedNode starts the one routing node over a gatedStates store, with Bob (two slots in Sales) Available
// and connected to a chat c1; flow queues new chats on Sales.
func bobOnGatedNode(t *testing.T) (f *fixture, gs gatedStates, n *agents.Service, bob *parley.User, flow, c1 string) {
	t.Helper()
	f = newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow = f.flowTo(sales)
	bob = f.user("bob", f.profile("Sales", 2, pq(sales, 1, 0)))
	gs = gatedStates{Store: f.store, armed: new(atomic.Bool), entered: make(chan struct{}), gate: make(chan struct{})}
	n = f.soleNodeOn(gs, "node-gated")
	if err := n.SetStatus(f.ctx, bob, "Available"); err != nil {
		t.Fatal(err)
	}
	c1 = f.start(flow)
	if _, err := n.Accept(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	return f, gs, n, bob, flow, c1
}

// TestNoticesInOrder: a stream hears its agent's events in the order routing decided them, even when the
// goroutine that decided the first is still writing the routing state while another decides the next. Bob ends a
// chat (after-contact work, a write held at the gate); meanwhile a new chat is offered to him. He must hear the
// end before the offer, and the last state he hears must be the state he is in.
func TestNoticesInOrder(t *testing.T) {
	f, gs, n, bob, flow, c1 := bobOnGatedNode(t)
	sub := n.Subscribe(bob)

	gs.armed.Store(true)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := n.End(f.ctx, bob, c1); err != nil {
			t.Error(err)
		}
	}()
	<-gs.entered // the after-contact work is decided and its write waits
	var c2 string
	go func() {
		defer wg.Done()
		c2 = f.start(flow)
	}()
	// Wait until the offer of the new chat is decided, then let the write through.
	for offered := false; !offered; {
		for _, c := range n.State(bob).Contacts {
			offered = offered || c.State == agents.ContactOffered
		}
		time.Sleep(time.Millisecond)
	}
	close(gs.gate)
	wg.Wait()

	var order []string
	var last *agents.State
	for len(order) < 2 {
		select {
		case ev := <-sub.C:
			switch ev.Kind {
			case agents.EventContactEnded:
				order = append(order, "ended "+ev.ContactID)
			case agents.EventOffer:
				order = append(order, "offer "+ev.Contact.ContactID)
			case agents.EventState:
				last = ev.State
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("heard only %v", order)
		}
	}
	if want := []string{"ended " + c1, "offer " + c2}; !slices.Equal(order, want) {
		t.Fatalf("heard %v, want %v", order, want)
	}
	for drained := false; !drained; {
		select {
		case ev := <-sub.C:
			if ev.Kind == agents.EventState {
				last = ev.State
			}
		default:
			drained = true
		}
	}
	now := n.State(bob)
	if last == nil || last.System != now.System || !sameContacts(last.Contacts, now.Contacts) {
		t.Fatalf("the last state heard is %+v, bob is in %+v", last, now)
	}
}

// sameContacts reports whether two lists hold the same contacts in the same states, in any order.
func sameContacts(a, b []agents.ContactView) bool {
	key := func(vs []agents.ContactView) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.ContactID+":"+string(v.State))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// TestNewStreamOpensInOrder: a stream opened while an event is decided but not yet published opens with a state,
// and never hears that older event after it. Bob ends a chat (its after-contact work's write held at the gate);
// meanwhile he opens a new stream. Its first event is his state, and it does not hear the chat end afterwards:
// that state already shows the chat in after-contact work.
func TestNewStreamOpensInOrder(t *testing.T) {
	f, gs, n, bob, _, c1 := bobOnGatedNode(t)

	gs.armed.Store(true)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if err := n.End(f.ctx, bob, c1); err != nil {
			t.Error(err)
		}
	}()
	<-gs.entered // the chat's end is decided and its write waits
	subscribed := make(chan *agents.Subscription, 1)
	go func() { subscribed <- n.Subscribe(bob) }()
	// A Subscribe that answers at once has taken its state by now; one that waits for the end to be published
	// is right however long it waits. The second is bounded, not timed.
	var sub *agents.Subscription
	select {
	case sub = <-subscribed:
	case <-time.After(time.Second):
	}
	close(gs.gate)
	<-ended
	if sub == nil {
		sub = <-subscribed
	}

	first := <-sub.C
	if first.Kind != agents.EventState {
		t.Fatalf("the new stream's first event is %+v, want a state", first)
	}
	for drained := false; !drained; {
		select {
		case ev := <-sub.C:
			if ev.Kind == agents.EventContactEnded {
				t.Fatalf("the new stream heard %s end after a state that has it in %s", ev.ContactID, first.State.Contacts[0].State)
			}
		default: // End and Subscribe have returned: what they published is here
			drained = true
		}
	}
	if st := n.State(bob); st.System != agents.SystemACW {
		t.Fatalf("bob is in %s, want after-contact work", st.System)
	}
}
