package agents_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley/agents"
)

// TestLiveView follows an agent with two chat slots through an offer, an accept, a full agent with a waiting
// contact, after-contact work and a missed offer, as the real-time metrics read it.
func TestLiveView(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	q := f.queue("Metrics")
	flow := f.flowTo(q)
	ann := f.user("ann", f.profile("Metrics agents", 2, pq(q, 1, 0)))
	agentOf := func(v agents.LiveView) agents.AgentView {
		t.Helper()
		i := slices.IndexFunc(v.Agents, func(a agents.AgentView) bool { return a.UserID == ann.ID })
		if i < 0 {
			t.Fatalf("ann is not in the live view %+v", v.Agents)
		}
		return v.Agents[i]
	}

	a := agentOf(f.ag.LiveView())
	if a.Activity != agents.SystemOffline || a.Routable || a.Slots != 2 || !slices.Equal(a.ChatQueues, []string{q.ID}) ||
		a.InstanceID != f.inst.ID || a.RoutingProfileID != ann.RoutingProfileID {
		t.Fatalf("before login: %+v", a)
	}
	f.available(ann)
	t0 := f.clk.Now()
	c1 := f.start(flow)
	v := f.ag.LiveView()
	a = agentOf(v)
	if a.Activity != agents.SystemPending || !a.Routable || a.Status == nil || a.Status.Name != "Available" ||
		len(a.Contacts) != 1 || len(v.Waiting) != 0 {
		t.Fatalf("offered: %+v, waiting %+v", a, v.Waiting)
	}
	if c := a.Contacts[0]; c.ContactID != c1 || c.State != agents.ContactOffered || !c.StateSince.Equal(t0) ||
		c.QueueID != q.ID || c.InitiationMethod != "API" || c.EnqueuedAt.IsZero() || !c.ConnectedAt.IsZero() {
		t.Fatalf("offered contact: %+v", c)
	}

	f.clk.add(5 * time.Second)
	if _, err := f.ag.Accept(f.ctx, ann, c1); err != nil {
		t.Fatal(err)
	}
	c2 := f.start(flow) // offered to ann's second slot
	c3 := f.start(flow) // waits: ann has no free slot
	v = f.ag.LiveView()
	a = agentOf(v)
	if a.Activity != agents.SystemBusy || len(a.Contacts) != 2 {
		t.Fatalf("busy: %+v", a)
	}
	byID := map[string]agents.HeldContact{}
	for _, c := range a.Contacts {
		byID[c.ContactID] = c
	}
	if c := byID[c1]; c.State != agents.ContactConnected || !c.StateSince.Equal(t0.Add(5*time.Second)) ||
		!c.ConnectedAt.Equal(c.StateSince) {
		t.Errorf("connected contact: %+v", c)
	}
	if c := byID[c2]; c.State != agents.ContactOffered {
		t.Errorf("second contact: %+v", c)
	}
	if len(v.Waiting) != 1 || v.Waiting[0].ContactID != c3 || v.Waiting[0].QueueID != q.ID || !v.Time.Equal(f.clk.Now()) {
		t.Fatalf("waiting = %+v at %v", v.Waiting, v.Time)
	}

	// The customer of c1 leaves: after-contact work holds the slot. c2's offer times out: Missed.
	if err := f.chat.StopContact(f.ctx, f.inst.ID, c1); err != nil {
		t.Fatal(err)
	}
	f.clk.add(31 * time.Second)
	f.ag.Tick()
	a = agentOf(f.ag.LiveView())
	if a.Activity != agents.SystemMissed || !a.Missed || a.Routable || len(a.Contacts) != 1 ||
		a.Contacts[0].State != agents.ContactACW || !a.Contacts[0].StateSince.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("missed with ACW: %+v", a)
	}
	f.check()
}
