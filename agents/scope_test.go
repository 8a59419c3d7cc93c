package agents_test

import (
	"slices"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
)

// TestInstanceScope: the routing views span every instance; InstanceContacts and InstanceAgents keep one
// instance's contacts and agents (a supervisor's view), whether a contact waits in a queue or is held by an agent.
func TestInstanceScope(t *testing.T) {
	f := newFixture(t, 0)
	other := &parley.Instance{ID: "other", ARN: f.inst.ARN[:len(f.inst.ARN)-len(f.inst.ID)] + "other", Alias: "other"}
	if err := f.store.Update(f.ctx, func(tx parley.Tx) error { return tx.PutInstance(f.ctx, other) }); err != nil {
		t.Fatal(err)
	}
	def, err := f.admin.EnsureDefaults(f.ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	g := *f
	g.inst, g.def, g.hours = other, def, def.Hours.ID

	setup := func(f *fixture, name string) (*parley.User, string) {
		q := f.queue(name)
		p := f.profile(name, 1, parley.RoutingProfileQueue{QueueID: q.ID, Channel: "CHAT", Priority: 1})
		u := f.user(name, p)
		return u, f.flowTo(q)
	}
	ua, flowA := setup(f, "a")
	ub, flowB := setup(&g, "b")
	f.available(ua)
	g.available(ub)
	a1, a2, b1 := f.start(flowA), f.start(flowA), g.start(flowB) // a1 goes to ua, a2 waits, b1 goes to ub

	ids := func(cs []agents.ContactView) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ContactID)
		}
		slices.Sort(out)
		return out
	}
	all := f.ag.LiveContacts()
	if n := len(all); n != 3 {
		t.Fatalf("LiveContacts: %d contacts, want 3: %+v", n, all)
	}
	want := []string{a1, a2}
	slices.Sort(want)
	if got := ids(f.ag.InstanceContacts(f.ctx, f.inst.ID, all)); !slices.Equal(got, want) {
		t.Errorf("instance %s contacts %v, want %v", f.inst.ID, got, want)
	}
	if got := ids(f.ag.InstanceContacts(f.ctx, other.ID, all)); !slices.Equal(got, []string{b1}) {
		t.Errorf("instance %s contacts %v, want [%s]", other.ID, got, b1)
	}
	if got := f.ag.InstanceContacts(f.ctx, "nobody", all); len(got) != 0 {
		t.Errorf("an unknown instance sees %+v", got)
	}

	agentsOf := func(inst string) []string {
		var out []string
		for _, st := range f.ag.InstanceAgents(f.ctx, inst, f.ag.Agents()) {
			out = append(out, st.UserID)
		}
		return out
	}
	if got := agentsOf(f.inst.ID); !slices.Equal(got, []string{ua.ID}) {
		t.Errorf("instance %s agents %v, want [%s]", f.inst.ID, got, ua.ID)
	}
	if got := agentsOf(other.ID); !slices.Equal(got, []string{ub.ID}) {
		t.Errorf("instance %s agents %v, want [%s]", other.ID, got, ub.ID)
	}
}
