package admin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
)

const exampleFile = `
instance:
  alias: acme-support
hours:
  - name: Office Hours
    time_zone: Europe/Paris
    config:
      - days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
        start: "09:00"
        end: "17:30"
agent_statuses:
  - name: Lunch
    description: Out for lunch
queues:
  - name: Sales
    hours: Office Hours
    max_contacts: 20
  - name: Support
routing_profiles:
  - name: Sales and Support
    chat_concurrency: 2
    queues:
      - queue: Sales
        priority: 1
      - queue: Support
        priority: 2
        delay: 30
users:
  - username: alice
    password: Wonderland1
    first_name: Alice
    security_profiles: [Agent]
    routing_profile: Sales and Support
    auto_accept: true
  - username: bob
    password_env: BOB_PASSWORD
    security_profiles: [CallCenterManager, Agent]
quick_connects:
  - name: Transfer to Support
    queue: Support
  - name: Alice
    user: alice
`

func parse(t *testing.T, src string, env map[string]string) *File {
	t.Helper()
	f, err := ParseFile([]byte(src), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	return f
}

// snapshot is the ids of everything in the instance, by kind and name.
func snapshot(t *testing.T, e *env) map[string]string {
	t.Helper()
	ctx := t.Context()
	m := map[string]string{}
	qs, _ := e.svc.ListQueues(ctx, e.inst.ID)
	for _, q := range qs {
		m["queue "+q.Name] = q.ID
	}
	hs, _ := e.svc.ListHoursOfOperations(ctx, e.inst.ID)
	for _, h := range hs {
		m["hours "+h.Name] = h.ID
	}
	rps, _ := e.svc.ListRoutingProfiles(ctx, e.inst.ID)
	for _, p := range rps {
		m["routing profile "+p.Name] = p.ID
	}
	us, _ := e.svc.ListUsers(ctx, e.inst.ID)
	for _, u := range us {
		m["user "+u.Username] = u.ID + " " + u.PasswordHash
	}
	qcs, _ := e.svc.ListQuickConnects(ctx, e.inst.ID, nil)
	for _, q := range qcs {
		m["quick connect "+q.Name] = q.ID
	}
	sts, _ := e.svc.ListAgentStatuses(ctx, e.inst.ID, nil)
	for _, st := range sts {
		m["agent status "+st.Name] = st.ID
	}
	return m
}

func TestApply(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := t.Context()
	f := parse(t, exampleFile, map[string]string{"BOB_PASSWORD": "Builder99"})
	res, err := e.svc.Apply(ctx, e.inst.ID, f)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	wantCreated := []string{"hours Office Hours", "agent status Lunch", "queue Sales", "queue Support",
		"routing profile Sales and Support", "user alice", "user bob", "quick connect Transfer to Support",
		"quick connect Alice"}
	if !slices.Equal(res.Created, wantCreated) {
		t.Errorf("created = %q, want %q", res.Created, wantCreated)
	}
	if !slices.Equal(res.Updated, []string{"instance acme-support"}) {
		t.Errorf("updated = %q", res.Updated)
	}
	if !slices.Equal(res.PasswordsSet, []string{"alice", "bob"}) {
		t.Errorf("passwords set = %q", res.PasswordsSet)
	}

	inst, _ := e.svc.Instance(ctx, e.inst.ID)
	if inst.Alias != "acme-support" {
		t.Errorf("alias = %q", inst.Alias)
	}
	alice, err := e.store.UserByUsername(ctx, e.inst.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	rp, err := e.svc.RoutingProfile(ctx, e.inst.ID, alice.RoutingProfileID)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Name != "Sales and Support" || rp.ChatConcurrency != 2 || len(rp.Queues) != 2 ||
		rp.Queues[1].Delay != 30 || rp.Queues[1].Priority != 2 || rp.Queues[0].Channel != parley.ChannelChat ||
		rp.DefaultOutboundQueueID != rp.Queues[0].QueueID {
		t.Errorf("alice's routing profile = %+v", rp)
	}
	if !alice.AutoAccept || alice.Role != parley.UserAgent || alice.FirstName != "Alice" {
		t.Errorf("alice = %+v", alice)
	}
	if ok, _ := auth.CheckPassword(alice.PasswordHash, "Wonderland1"); !ok {
		t.Error("alice's password does not match")
	}
	bob, err := e.store.UserByUsername(ctx, e.inst.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if bob.Role != parley.UserSupervisor || bob.RoutingProfileID != e.def.RoutingProfile.ID {
		t.Errorf("bob = %+v", bob)
	}
	if ok, _ := auth.CheckPassword(bob.PasswordHash, "Builder99"); !ok {
		t.Error("bob's password (from the environment) does not match")
	}
	qs, _ := e.svc.ListQueues(ctx, e.inst.ID)
	for _, q := range qs {
		switch q.Name {
		case "Sales":
			h, _ := e.svc.HoursOfOperation(ctx, e.inst.ID, q.HoursOfOperationID)
			if q.MaxContacts != 20 || h.Name != "Office Hours" || h.TimeZone != "Europe/Paris" || len(h.Config) != 5 ||
				h.Config[4] != (parley.HoursConfig{Day: "FRIDAY", StartHours: 9, EndHours: 17, EndMinutes: 30}) {
				t.Errorf("Sales = %+v with hours %+v", q, h)
			}
		case "Support":
			if q.HoursOfOperationID != e.def.Hours.ID {
				t.Errorf("Support has hours %s, want Basic Hours", q.HoursOfOperationID)
			}
		}
	}

	// Applying again changes no id, creates nothing, and keeps the password hashes (no rehash).
	before := snapshot(t, e)
	e.clock.add(time.Hour)
	res, err = e.svc.Apply(ctx, e.inst.ID, f)
	if err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if len(res.Created) != 0 || len(res.PasswordsSet) != 0 {
		t.Errorf("second Apply created %q and set passwords of %q", res.Created, res.PasswordsSet)
	}
	after := snapshot(t, e)
	if len(after) != len(before) {
		t.Errorf("second Apply changed the number of objects: %d → %d", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("second Apply changed %s: %q → %q", k, v, after[k])
		}
	}
	alice1, _ := e.store.UserByUsername(ctx, e.inst.ID, "alice")
	if !alice1.UpdatedAt.Equal(alice.UpdatedAt) {
		t.Errorf("second Apply moved alice's UpdatedAt from %v to %v", alice.UpdatedAt, alice1.UpdatedAt)
	}

	// An edited file updates in place.
	edited := strings.Replace(exampleFile, "max_contacts: 20", "max_contacts: 5", 1)
	edited = strings.Replace(edited, "password: Wonderland1", "password: Looking-Glass2", 1)
	res, err = e.svc.Apply(ctx, e.inst.ID, parse(t, edited, map[string]string{"BOB_PASSWORD": "Builder99"}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.PasswordsSet, []string{"alice"}) {
		t.Errorf("passwords set after editing alice's = %q", res.PasswordsSet)
	}
	sales, _ := e.svc.Queue(ctx, e.inst.ID, before["queue Sales"])
	if sales.MaxContacts != 5 {
		t.Errorf("Sales max contacts after edit = %d", sales.MaxContacts)
	}
	alice2, _ := e.store.UserByUsername(ctx, e.inst.ID, "alice")
	if ok, _ := auth.CheckPassword(alice2.PasswordHash, "Looking-Glass2"); !ok || alice2.ID != alice.ID {
		t.Errorf("alice after edit: id %s (was %s), new password matches: %v", alice2.ID, alice.ID, ok)
	}
}

func TestApplyErrors(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown queue", "routing_profiles:\n  - name: P\n    queues: [{queue: Nope}]\n", `routing_profiles[0] "P"`},
		{"unknown hours", "queues:\n  - name: Q\n    hours: Nope\n", `queues[0] "Q"`},
		{"weak password", "users:\n  - username: u\n    password: weak\n", `users[0] "u"`},
		{"unknown profile", "users:\n  - username: u\n    security_profiles: [Root]\n", "Root"},
		{"bad time", "hours:\n  - name: H\n    config: [{day: MONDAY, start: '9h', end: '17:00'}]\n", "9h"},
		{"bad time zone", "hours:\n  - name: H\n    time_zone: Nowhere\n", "TimeZone"},
		{"two destinations", "quick_connects:\n  - name: Q\n    queue: BasicQueue\n    phone_number: '+15555550100'\n", "exactly one"},
		{"bad alias", "instance:\n  alias: -bad-\n", "alias"},
		// The whole file is one transaction: the valid queue before the bad one is not created.
		{"all or nothing", "queues:\n  - name: Good\n  - name: Bad\n    hours: Nope\n", `queues[1] "Bad"`},
	} {
		f := parse(t, tc.src, nil)
		_, err := e.svc.Apply(ctx, e.inst.ID, f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Apply error = %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	qs, _ := e.svc.ListQueues(ctx, e.inst.ID)
	if len(qs) != 1 {
		t.Errorf("after failed applies the instance has %d queues, want only BasicQueue", len(qs))
	}

	for name, src := range map[string]string{
		"unknown key":      "queue:\n  - name: Q\n",
		"password and env": "users:\n  - username: u\n    password: Abcdefg1\n    password_env: X\n",
		"missing env":      "users:\n  - username: u\n    password_env: NOT_SET\n",
		"not YAML":         "queues: [",
	} {
		if _, err := ParseFile([]byte(src), func(string) string { return "" }); err == nil {
			t.Errorf("ParseFile %s: got no error", name)
		}
	}
	if f, err := ParseFile(nil, nil); err != nil || len(f.Queues) != 0 {
		t.Errorf("ParseFile of an empty file = %+v, %v", f, err)
	}
}
