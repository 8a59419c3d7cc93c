package admin

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/store/sqlite"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a service over a fresh SQLite store with one instance that has its defaults.
type env struct {
	t     *testing.T
	store *sqlite.Store
	clock *fakeClock
	bus   *local.Bus
	svc   *Service
	inst  *parley.Instance
	def   *Defaults
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	bus := local.New()
	svc := New(st, bus, clock, nil, cfg)
	inst := &parley.Instance{ID: "inst-1", ARN: svc.InstanceARN("inst-1"), Alias: "test", CreatedAt: clock.Now()}
	if err := st.Update(t.Context(), func(tx parley.Tx) error { return tx.PutInstance(t.Context(), inst) }); err != nil {
		t.Fatal(err)
	}
	def, err := svc.EnsureDefaults(t.Context(), inst.ID)
	if err != nil {
		t.Fatalf("EnsureDefaults: %v", err)
	}
	return &env{t: t, store: st, clock: clock, bus: bus, svc: svc, inst: inst, def: def}
}

// otherInstance adds a second instance with its defaults.
func (e *env) otherInstance() *Defaults {
	e.t.Helper()
	in := &parley.Instance{ID: "inst-2", ARN: e.svc.InstanceARN("inst-2"), Alias: "other"}
	if err := e.store.Update(e.t.Context(), func(tx parley.Tx) error { return tx.PutInstance(e.t.Context(), in) }); err != nil {
		e.t.Fatal(err)
	}
	d, err := e.svc.EnsureDefaults(e.t.Context(), in.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) profileID(name string) string {
	e.t.Helper()
	ps, err := e.svc.ListSecurityProfiles(e.t.Context(), e.inst.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p.ID
		}
	}
	e.t.Fatalf("no security profile %q", name)
	return ""
}

func (e *env) status(name string) *parley.AgentStatus {
	e.t.Helper()
	sts, err := e.svc.ListAgentStatuses(e.t.Context(), e.inst.ID, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, st := range sts {
		if st.Name == name {
			return st
		}
	}
	e.t.Fatalf("no agent status %q", name)
	return nil
}

// wantErr fails unless err is a *parley.Error with code and, when set, field or resource.
func wantErr(t *testing.T, what string, err error, code parley.Code, fieldOrResource string) {
	t.Helper()
	var pe *parley.Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Errorf("%s: got %v, want code %s", what, err, code)
		return
	}
	if fieldOrResource != "" && pe.Field != fieldOrResource && pe.Resource != fieldOrResource {
		t.Errorf("%s: got field %q resource %q, want %q", what, pe.Field, pe.Resource, fieldOrResource)
	}
}

func TestEnsureDefaults(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := t.Context()
	d := e.def
	if d.Hours.Name != DefaultHoursName || d.Hours.TimeZone != "UTC" || len(d.Hours.Config) != 7 {
		t.Errorf("default hours = %+v", d.Hours)
	}
	if d.Queue.Name != DefaultQueueName || d.Queue.HoursOfOperationID != d.Hours.ID || d.Queue.Status != QueueEnabled {
		t.Errorf("default queue = %+v", d.Queue)
	}
	if want := e.inst.ARN + "/queue/" + d.Queue.ID; d.Queue.ARN != want {
		t.Errorf("queue ARN = %s, want %s", d.Queue.ARN, want)
	}
	rp := d.RoutingProfile
	if rp.Name != DefaultRoutingProfileName || rp.ChatConcurrency != 3 || len(rp.Queues) != 1 ||
		rp.Queues[0] != (parley.RoutingProfileQueue{QueueID: d.Queue.ID, Channel: parley.ChannelChat, Priority: 1}) {
		t.Errorf("default routing profile = %+v", rp)
	}
	if d.DemoAgent == nil || d.DemoAgent.Username != DemoUsername || d.DemoPassword == "" {
		t.Fatalf("demo agent = %+v, password %q", d.DemoAgent, d.DemoPassword)
	}
	if d.DemoAgent.Role != parley.UserAgent || d.DemoAgent.RoutingProfileID != rp.ID ||
		d.DemoAgent.StatusID != e.status(StatusOfflineName).ID {
		t.Errorf("demo agent = %+v", d.DemoAgent)
	}
	if ok, err := auth.CheckPassword(d.DemoAgent.PasswordHash, d.DemoPassword); !ok || err != nil {
		t.Errorf("the demo password does not match the stored hash: %v %v", ok, err)
	}
	if st := e.status(StatusAvailableName); st.Type != parley.StatusRoutable || st.State != StatusEnabled {
		t.Errorf("Available = %+v", st)
	}
	if st := e.status(StatusOfflineName); st.Type != parley.StatusOffline {
		t.Errorf("Offline = %+v", st)
	}
	profiles, _ := e.svc.ListSecurityProfiles(ctx, e.inst.ID)
	if len(profiles) != 3 {
		t.Errorf("got %d security profiles, want 3", len(profiles))
	}

	// A second start finds everything and creates nothing; the password is not shown again.
	d2, err := e.svc.EnsureDefaults(ctx, e.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Queue.ID != d.Queue.ID || d2.Hours.ID != d.Hours.ID || d2.RoutingProfile.ID != rp.ID ||
		d2.DemoAgent == nil || d2.DemoAgent.ID != d.DemoAgent.ID {
		t.Errorf("EnsureDefaults on restart changed ids: %+v vs %+v", d2, d)
	}
	if d2.DemoPassword != "" {
		t.Errorf("EnsureDefaults on restart returned a demo password")
	}
	counts := func() [5]int {
		qs, _ := e.svc.ListQueues(ctx, e.inst.ID)
		rps, _ := e.svc.ListRoutingProfiles(ctx, e.inst.ID)
		hs, _ := e.svc.ListHoursOfOperations(ctx, e.inst.ID)
		us, _ := e.svc.ListUsers(ctx, e.inst.ID)
		sts, _ := e.svc.ListAgentStatuses(ctx, e.inst.ID, nil)
		return [5]int{len(qs), len(rps), len(hs), len(us), len(sts)}
	}
	if got := counts(); got != [5]int{1, 1, 1, 1, 2} {
		t.Errorf("objects after two EnsureDefaults = %v, want one of each and 2 statuses", got)
	}

	// A deleted demo agent stays deleted.
	if err := e.svc.DeleteUser(ctx, e.inst.ID, d.DemoAgent.ID); err != nil {
		t.Fatal(err)
	}
	d3, err := e.svc.EnsureDefaults(ctx, e.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d3.DemoAgent != nil || d3.DemoPassword != "" {
		t.Errorf("EnsureDefaults recreated the deleted demo agent: %+v", d3.DemoAgent)
	}
}

func TestEnsureDefaultsUpgradesOldQueue(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(st, local.New(), nil, nil, Config{NoDemoAgent: true})
	ctx := t.Context()
	// What chat.Service.Bootstrap created before queues had hours.
	err = st.Update(ctx, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, &parley.Instance{ID: "i", ARN: svc.InstanceARN("i")}); err != nil {
			return err
		}
		return tx.PutQueue(ctx, &parley.Queue{ID: "q", InstanceID: "i", ARN: "arn:q", Name: DefaultQueueName})
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.EnsureDefaults(ctx, "i")
	if err != nil {
		t.Fatal(err)
	}
	if d.Queue.ID != "q" || d.Queue.HoursOfOperationID != d.Hours.ID || d.Queue.Status != QueueEnabled {
		t.Errorf("old BasicQueue after EnsureDefaults = %+v", d.Queue)
	}
	if d.DemoAgent != nil {
		t.Errorf("NoDemoAgent: got demo agent %+v", d.DemoAgent)
	}
	if us, _ := svc.ListUsers(ctx, "i"); len(us) != 0 {
		t.Errorf("NoDemoAgent: got %d users", len(us))
	}
}

func TestQueues(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	other := e.otherInstance()
	valid := func() QueueInput {
		return QueueInput{Name: "Sales", Description: "sales", HoursOfOperationID: e.def.Hours.ID, MaxContacts: 5}
	}
	for _, tc := range []struct {
		name  string
		mod   func(*QueueInput)
		code  parley.Code
		field string
	}{
		{"no name", func(in *QueueInput) { in.Name = "" }, parley.EINVALID, "Name"},
		{"long name", func(in *QueueInput) { in.Name = strings.Repeat("é", 128) }, parley.EINVALID, "Name"},
		{"long description", func(in *QueueInput) { in.Description = strings.Repeat("d", 251) }, parley.EINVALID, "Description"},
		{"negative max", func(in *QueueInput) { in.MaxContacts = -1 }, parley.EINVALID, "MaxContacts"},
		{"no hours", func(in *QueueInput) { in.HoursOfOperationID = "" }, parley.EINVALID, "HoursOfOperationId"},
		{"unknown hours", func(in *QueueInput) { in.HoursOfOperationID = "nope" }, parley.ENOTFOUND, "HOURS_OF_OPERATION"},
		{"hours of another instance", func(in *QueueInput) { in.HoursOfOperationID = other.Hours.ID }, parley.ENOTFOUND, "HOURS_OF_OPERATION"},
		{"unknown quick connect", func(in *QueueInput) { in.QuickConnectIDs = []string{"nope"} }, parley.ENOTFOUND, "QUICK_CONNECT"},
		{"bad status", func(in *QueueInput) { in.Status = "PAUSED" }, parley.EINVALID, "Status"},
		{"duplicate name", func(in *QueueInput) { in.Name = DefaultQueueName }, parley.ECONFLICT, ""},
	} {
		in := valid()
		tc.mod(&in)
		_, err := e.svc.CreateQueue(ctx, e.inst.ID, in)
		wantErr(t, tc.name, err, tc.code, tc.field)
	}
	_, err := e.svc.CreateQueue(ctx, "nope", valid())
	wantErr(t, "unknown instance", err, parley.ENOTFOUND, "INSTANCE")

	// By instance ARN and hours ARN.
	in := valid()
	in.HoursOfOperationID = e.def.Hours.ARN
	q, err := e.svc.CreateQueue(ctx, e.inst.ARN, in)
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	if q.HoursOfOperationID != e.def.Hours.ID || q.Status != QueueEnabled || q.MaxContacts != 5 ||
		q.ARN != e.inst.ARN+"/queue/"+q.ID {
		t.Errorf("created queue = %+v", q)
	}
	got, err := e.svc.Queue(ctx, e.inst.ID, q.ARN)
	if err != nil || got.Name != "Sales" {
		t.Errorf("Queue by ARN = %+v, %v", got, err)
	}
	_, err = e.svc.Queue(ctx, "inst-2", q.ID)
	wantErr(t, "Queue of another instance", err, parley.ENOTFOUND, "QUEUE")

	if err := e.svc.UpdateQueueMaxContacts(ctx, e.inst.ID, q.ID, 0); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "UpdateQueueMaxContacts -1", e.svc.UpdateQueueMaxContacts(ctx, e.inst.ID, q.ID, -1), parley.EINVALID, "MaxContacts")
	h2, err := e.svc.CreateHoursOfOperation(ctx, e.inst.ID, HoursInput{Name: "Office", TimeZone: "Europe/Paris",
		Config: []parley.HoursConfig{{Day: "MONDAY", StartHours: 9, EndHours: 17}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UpdateQueueHoursOfOperation(ctx, e.inst.ID, q.ID, h2.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "UpdateQueueHoursOfOperation of another instance's hours",
		e.svc.UpdateQueueHoursOfOperation(ctx, e.inst.ID, q.ID, other.Hours.ID), parley.ENOTFOUND, "HOURS_OF_OPERATION")
	if err := e.svc.UpdateQueueStatus(ctx, e.inst.ID, q.ID, QueueDisabled); err != nil {
		t.Fatal(err)
	}
	got, _ = e.svc.Queue(ctx, e.inst.ID, q.ID)
	if got.MaxContacts != 0 || got.HoursOfOperationID != h2.ID || got.Status != QueueDisabled {
		t.Errorf("queue after updates = %+v", got)
	}
	list, err := e.svc.ListQueues(ctx, e.inst.ID)
	if err != nil || len(list) != 2 || list[0].Name != DefaultQueueName || list[1].Name != "Sales" {
		t.Errorf("ListQueues = %v, %v", list, err)
	}
}

func TestRoutingProfiles(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	other := e.otherInstance()
	basic := e.def.Queue.ID
	sales, err := e.svc.CreateQueue(ctx, e.inst.ID, QueueInput{Name: "Sales", HoursOfOperationID: e.def.Hours.ID})
	if err != nil {
		t.Fatal(err)
	}
	chat := func(q string, prio, delay int) parley.RoutingProfileQueue {
		return parley.RoutingProfileQueue{QueueID: q, Channel: parley.ChannelChat, Priority: prio, Delay: delay}
	}
	valid := func() RoutingProfileInput {
		return RoutingProfileInput{Name: "Sales agents", Description: "d", DefaultOutboundQueueID: basic,
			ChatConcurrency: 2, Queues: []parley.RoutingProfileQueue{chat(sales.ARN, 1, 0), chat(basic, 2, 30)}}
	}
	for _, tc := range []struct {
		name  string
		mod   func(*RoutingProfileInput)
		code  parley.Code
		field string
	}{
		{"no description", func(in *RoutingProfileInput) { in.Description = "" }, parley.EINVALID, "Description"},
		{"concurrency 11", func(in *RoutingProfileInput) { in.ChatConcurrency = 11 }, parley.EINVALID, "ChatConcurrency"},
		{"priority 0", func(in *RoutingProfileInput) { in.Queues[0].Priority = 0 }, parley.EINVALID, "QueueConfigs[0].Priority"},
		{"priority 100", func(in *RoutingProfileInput) { in.Queues[1].Priority = 100 }, parley.EINVALID, "QueueConfigs[1].Priority"},
		{"delay 10000", func(in *RoutingProfileInput) { in.Queues[0].Delay = 10000 }, parley.EINVALID, "QueueConfigs[0].Delay"},
		{"bad channel", func(in *RoutingProfileInput) { in.Queues[0].Channel = "SMS" }, parley.EINVALID, "QueueConfigs[0].QueueReference.Channel"},
		{"queue twice", func(in *RoutingProfileInput) { in.Queues[1] = chat(sales.ID, 3, 0) }, parley.EINVALID, "QueueConfigs[1]"},
		{"unknown queue", func(in *RoutingProfileInput) { in.Queues[0].QueueID = "nope" }, parley.ENOTFOUND, "QUEUE"},
		{"queue of another instance", func(in *RoutingProfileInput) { in.Queues[0].QueueID = other.Queue.ID }, parley.ENOTFOUND, "QUEUE"},
		{"unknown outbound queue", func(in *RoutingProfileInput) { in.DefaultOutboundQueueID = "nope" }, parley.ENOTFOUND, "QUEUE"},
		{"duplicate name", func(in *RoutingProfileInput) { in.Name = DefaultRoutingProfileName }, parley.ECONFLICT, ""},
	} {
		in := valid()
		tc.mod(&in)
		_, err := e.svc.CreateRoutingProfile(ctx, e.inst.ID, in)
		wantErr(t, tc.name, err, tc.code, tc.field)
	}

	p, err := e.svc.CreateRoutingProfile(ctx, e.inst.ID, valid())
	if err != nil {
		t.Fatalf("CreateRoutingProfile: %v", err)
	}
	if p.Queues[0].QueueID != sales.ID || p.ChatConcurrency != 2 || p.ARN != e.inst.ARN+"/routing-profile/"+p.ID {
		t.Errorf("created profile = %+v", p)
	}

	// Associate: an existing (queue, channel) is updated in place, a new one appended.
	err = e.svc.AssociateRoutingProfileQueues(ctx, e.inst.ID, p.ID, []parley.RoutingProfileQueue{
		chat(basic, 5, 10), {QueueID: sales.ID, Channel: "TASK", Priority: 1}})
	if err != nil {
		t.Fatal(err)
	}
	pqs, err := e.svc.RoutingProfileQueues(ctx, e.inst.ID, p.ARN)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pq := range pqs {
		got = append(got, pq.Queue.Name+"/"+string(pq.Channel)+"/"+string(rune('0'+pq.Priority)))
	}
	if strings.Join(got, " ") != "Sales/CHAT/1 BasicQueue/CHAT/5 Sales/TASK/1" {
		t.Errorf("queues after associate = %v", got)
	}
	wantErr(t, "associate a queue of another instance", e.svc.AssociateRoutingProfileQueues(ctx, e.inst.ID, p.ID,
		[]parley.RoutingProfileQueue{chat(other.Queue.ID, 1, 0)}), parley.ENOTFOUND, "QUEUE")

	if err := e.svc.UpdateRoutingProfileConcurrency(ctx, e.inst.ID, p.ID, 10); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "concurrency 11", e.svc.UpdateRoutingProfileConcurrency(ctx, e.inst.ID, p.ID, 11), parley.EINVALID, "ChatConcurrency")
	wantErr(t, "concurrency of a missing profile", e.svc.UpdateRoutingProfileConcurrency(ctx, e.inst.ID, "nope", 1),
		parley.ENOTFOUND, "ROUTING_PROFILE")
	p2, err := e.svc.RoutingProfile(ctx, e.inst.ID, p.ID)
	if err != nil || p2.ChatConcurrency != 10 || len(p2.Queues) != 3 {
		t.Errorf("profile after updates = %+v, %v", p2, err)
	}
}

// recorder hears the service's events on the bus and checks each change is committed when it hears it.
type recorder struct {
	store    parley.Store
	mu       sync.Mutex
	statuses []string
	configs  int
	bad      []string
}

func (r *recorder) event(ev *parley.Event) {
	switch ev.Kind {
	case parley.EventAgentStatus:
		r.userStatusChanged(context.Background(), ev.User)
	case parley.EventConfigChanged:
		r.mu.Lock()
		r.configs++
		r.mu.Unlock()
	}
}

func (r *recorder) userStatusChanged(ctx context.Context, u *parley.User) {
	stored, err := r.store.GetUser(ctx, u.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || stored.StatusID != u.StatusID {
		r.bad = append(r.bad, "status change heard before commit")
	}
	r.statuses = append(r.statuses, u.StatusID)
}

func TestUsers(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	other := e.otherInstance()
	rec := &recorder{store: e.store}
	t.Cleanup(e.bus.SubscribeEvents(rec.event))
	agent, admin, manager := e.profileID(parley.ProfileAgent), e.profileID(parley.ProfileAdmin),
		e.profileID(parley.ProfileCallCenterManager)
	valid := func() UserInput {
		return UserInput{Username: "ada", Password: "Passw0rd", FirstName: "Ada", LastName: "Lovelace",
			SecurityProfileIDs: []string{agent}, RoutingProfileID: e.def.RoutingProfile.ID, AutoAccept: true}
	}
	for _, tc := range []struct {
		name  string
		mod   func(*UserInput)
		code  parley.Code
		field string
	}{
		{"no username", func(in *UserInput) { in.Username = "" }, parley.EINVALID, "Username"},
		{"long username", func(in *UserInput) { in.Username = strings.Repeat("u", 101) }, parley.EINVALID, "Username"},
		{"weak password", func(in *UserInput) { in.Password = "password" }, parley.EINVALID, "Password"},
		{"short password", func(in *UserInput) { in.Password = "Pa55w" }, parley.EINVALID, "Password"},
		{"no security profile", func(in *UserInput) { in.SecurityProfileIDs = nil }, parley.EINVALID, "SecurityProfileIds"},
		{"11 security profiles", func(in *UserInput) { in.SecurityProfileIDs = make([]string, 11) }, parley.EINVALID, "SecurityProfileIds"},
		{"unknown security profile", func(in *UserInput) { in.SecurityProfileIDs = []string{"nope"} }, parley.ENOTFOUND, "SECURITY_PROFILE"},
		{"unknown routing profile", func(in *UserInput) { in.RoutingProfileID = "nope" }, parley.ENOTFOUND, "ROUTING_PROFILE"},
		{"routing profile of another instance", func(in *UserInput) { in.RoutingProfileID = other.RoutingProfile.ID }, parley.ENOTFOUND, "ROUTING_PROFILE"},
		{"negative ACW", func(in *UserInput) { in.AfterContactWorkTimeLimit = -1 }, parley.EINVALID, "PhoneConfig.AfterContactWorkTimeLimit"},
	} {
		in := valid()
		tc.mod(&in)
		_, err := e.svc.CreateUser(ctx, e.inst.ID, in)
		wantErr(t, tc.name, err, tc.code, tc.field)
	}

	u, err := e.svc.CreateUser(ctx, e.inst.ID, valid())
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Role != parley.UserAgent || !u.AutoAccept || u.ARN != e.inst.ARN+"/agent/"+u.ID ||
		u.StatusID != e.status(StatusOfflineName).ID || !u.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("created user = %+v", u)
	}
	if strings.Contains(u.PasswordHash, "Passw0rd") {
		t.Fatal("the password is stored in clear")
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, "Passw0rd"); !ok {
		t.Error("the stored hash does not match the password")
	}
	_, err = e.svc.CreateUser(ctx, e.inst.ID, valid())
	wantErr(t, "duplicate username", err, parley.ECONFLICT, "")

	for _, tc := range []struct {
		profiles []string
		role     parley.UserRole
	}{
		{[]string{agent, manager}, parley.UserSupervisor},
		{[]string{manager, admin}, parley.UserAdmin},
		{[]string{admin}, parley.UserAdmin},
	} {
		in := valid()
		in.Username, in.SecurityProfileIDs, in.Password = fmt.Sprint("user", len(tc.profiles), tc.role), tc.profiles, ""
		got, err := e.svc.CreateUser(ctx, e.inst.ARN, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Role != tc.role || got.PasswordHash != "" {
			t.Errorf("user with profiles %v: role %s hash %q, want %s and no hash", tc.profiles, got.Role,
				got.PasswordHash, tc.role)
		}
	}

	// PutUserStatus.
	avail := e.status(StatusAvailableName)
	e.clock.add(time.Minute)
	if err := e.svc.PutUserStatus(ctx, e.inst.ID, u.ID, avail.ARN); err != nil {
		t.Fatalf("PutUserStatus: %v", err)
	}
	got, _ := e.svc.User(ctx, e.inst.ID, u.ID)
	if got.StatusID != avail.ID || !got.StatusSince.Equal(e.clock.Now()) {
		t.Errorf("after PutUserStatus: status %s since %v", got.StatusID, got.StatusSince)
	}
	e.clock.add(time.Minute)
	if err := e.svc.PutUserStatus(ctx, e.inst.ID, u.ID, avail.ID); err != nil {
		t.Fatal(err)
	}
	got2, _ := e.svc.User(ctx, e.inst.ID, u.ID)
	if !got2.StatusSince.Equal(got.StatusSince) {
		t.Errorf("setting the same status moved StatusSince from %v to %v", got.StatusSince, got2.StatusSince)
	}
	lunch, err := e.svc.CreateAgentStatus(ctx, e.inst.ID, AgentStatusInput{Name: "Lunch", State: StatusDisabled})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "PutUserStatus to a disabled status", e.svc.PutUserStatus(ctx, e.inst.ID, u.ID, lunch.ID), parley.EREQUEST, "")
	wantErr(t, "PutUserStatus to an unknown status", e.svc.PutUserStatus(ctx, e.inst.ID, u.ID, "nope"), parley.ENOTFOUND, "AGENT_STATUS")
	wantErr(t, "PutUserStatus of an unknown user", e.svc.PutUserStatus(ctx, e.inst.ID, "nope", avail.ID), parley.ENOTFOUND, "USER")
	rec.mu.Lock()
	if len(rec.statuses) != 2 || rec.statuses[0] != avail.ID || len(rec.bad) > 0 {
		t.Errorf("listener heard %v (problems: %v), want two changes to Available", rec.statuses, rec.bad)
	}
	rec.mu.Unlock()

	// Routing profile, delete.
	p, err := e.svc.CreateRoutingProfile(ctx, e.inst.ID, RoutingProfileInput{Name: "P", Description: "p",
		DefaultOutboundQueueID: e.def.Queue.ID, ChatConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UpdateUserRoutingProfile(ctx, e.inst.ID, u.ID, p.ARN); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "UpdateUserRoutingProfile to another instance's profile",
		e.svc.UpdateUserRoutingProfile(ctx, e.inst.ID, u.ID, other.RoutingProfile.ID), parley.ENOTFOUND, "ROUTING_PROFILE")
	if got, _ := e.svc.User(ctx, e.inst.ID, u.ID); got.RoutingProfileID != p.ID {
		t.Errorf("routing profile after update = %s, want %s", got.RoutingProfileID, p.ID)
	}
	wantErr(t, "DeleteUser in another instance", e.svc.DeleteUser(ctx, "inst-2", u.ID), parley.ENOTFOUND, "USER")
	if err := e.svc.DeleteUser(ctx, e.inst.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.User(ctx, e.inst.ID, u.ID)
	wantErr(t, "User after DeleteUser", err, parley.ENOTFOUND, "USER")
	rec.mu.Lock()
	if rec.configs == 0 {
		t.Error("the ConfigListener heard no change")
	}
	rec.mu.Unlock()
}

func TestHoursAndStatuses(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	valid := func() HoursInput {
		return HoursInput{Name: "Office", TimeZone: "America/New_York", Config: []parley.HoursConfig{
			{Day: "MONDAY", StartHours: 9, EndHours: 17, EndMinutes: 30}}}
	}
	for _, tc := range []struct {
		name  string
		mod   func(*HoursInput)
		field string
	}{
		{"unknown time zone", func(in *HoursInput) { in.TimeZone = "Mars/Olympus" }, "TimeZone"},
		{"Local", func(in *HoursInput) { in.TimeZone = "Local" }, "TimeZone"},
		{"no time zone", func(in *HoursInput) { in.TimeZone = "" }, "TimeZone"},
		{"bad day", func(in *HoursInput) { in.Config[0].Day = "Monday" }, "Config[0].Day"},
		{"hour 24", func(in *HoursInput) { in.Config[0].EndHours = 24 }, "Config[0].EndTime.Hours"},
		{"minute 60", func(in *HoursInput) { in.Config[0].StartMinutes = 60 }, "Config[0].StartTime.Minutes"},
		{"101 intervals", func(in *HoursInput) { in.Config = make([]parley.HoursConfig, 101) }, "Config"},
	} {
		in := valid()
		tc.mod(&in)
		_, err := e.svc.CreateHoursOfOperation(ctx, e.inst.ID, in)
		wantErr(t, tc.name, err, parley.EINVALID, tc.field)
	}
	h, err := e.svc.CreateHoursOfOperation(ctx, e.inst.ID, valid())
	if err != nil {
		t.Fatal(err)
	}
	if h.ARN != e.inst.ARN+"/operating-hours/"+h.ID {
		t.Errorf("hours ARN = %s", h.ARN)
	}
	_, err = e.svc.CreateHoursOfOperation(ctx, e.inst.ID, valid())
	wantErr(t, "duplicate hours", err, parley.ECONFLICT, "")
	got, err := e.svc.HoursOfOperation(ctx, e.inst.ID, h.ARN)
	if err != nil || len(got.Config) != 1 || got.Config[0].EndMinutes != 30 {
		t.Errorf("HoursOfOperation = %+v, %v", got, err)
	}

	st, err := e.svc.CreateAgentStatus(ctx, e.inst.ID, AgentStatusInput{Name: "Lunch", State: StatusEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != parley.StatusCustom || st.DisplayOrder != 3 || st.ARN != e.inst.ARN+"/agent-state/"+st.ID {
		t.Errorf("created status = %+v", st)
	}
	_, err = e.svc.CreateAgentStatus(ctx, e.inst.ID, AgentStatusInput{Name: "Lunch", State: StatusEnabled})
	wantErr(t, "duplicate status", err, parley.ECONFLICT, "")
	_, err = e.svc.CreateAgentStatus(ctx, e.inst.ID, AgentStatusInput{Name: "Break", State: "ON"})
	wantErr(t, "bad state", err, parley.EINVALID, "State")
	_, err = e.svc.CreateAgentStatus(ctx, e.inst.ID, AgentStatusInput{Name: "Break", State: StatusEnabled, DisplayOrder: 51})
	wantErr(t, "display order 51", err, parley.EINVALID, "DisplayOrder")
	custom, err := e.svc.ListAgentStatuses(ctx, e.inst.ID, []string{parley.StatusCustom})
	if err != nil || len(custom) != 1 || custom[0].Name != "Lunch" {
		t.Errorf("ListAgentStatuses CUSTOM = %v, %v", custom, err)
	}
}

func TestQuickConnects(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := t.Context()
	other := e.otherInstance()
	flow := &parley.ContactFlow{ID: "flow-1", InstanceID: e.inst.ID, Name: "Transfer", Type: "QUEUE_TRANSFER",
		State: "ACTIVE", Status: "PUBLISHED"}
	if err := e.store.Update(ctx, func(tx parley.Tx) error { return tx.PutContactFlow(ctx, flow) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		in    QuickConnectInput
		code  parley.Code
		field string
	}{
		{"bad type", QuickConnectInput{Name: "x", Type: "EMAIL"}, parley.EINVALID, "QuickConnectConfig.QuickConnectType"},
		{"user without id", QuickConnectInput{Name: "x", Type: QuickConnectUser}, parley.EINVALID, "QuickConnectConfig.UserConfig.UserId"},
		{"unknown user", QuickConnectInput{Name: "x", Type: QuickConnectUser, UserID: "nope"}, parley.ENOTFOUND, "USER"},
		{"queue of another instance", QuickConnectInput{Name: "x", Type: QuickConnectQueue, QueueID: other.Queue.ID}, parley.ENOTFOUND, "QUEUE"},
		{"bad phone", QuickConnectInput{Name: "x", Type: QuickConnectPhone, PhoneNumber: "0123"}, parley.EINVALID, "QuickConnectConfig.PhoneConfig.PhoneNumber"},
		{"flow without id", QuickConnectInput{Name: "x", Type: QuickConnectFlow}, parley.EINVALID, "QuickConnectConfig.FlowConfig.ContactFlowId"},
		{"unknown flow", QuickConnectInput{Name: "x", Type: QuickConnectQueue, QueueID: e.def.Queue.ID, ContactFlowID: "nope"}, parley.ENOTFOUND, "CONTACT_FLOW"},
	} {
		_, err := e.svc.CreateQuickConnect(ctx, e.inst.ID, tc.in)
		wantErr(t, tc.name, err, tc.code, tc.field)
	}
	toQueue, err := e.svc.CreateQuickConnect(ctx, e.inst.ID, QuickConnectInput{Name: "To basic", Type: QuickConnectQueue,
		QueueID: e.def.Queue.ARN, ContactFlowID: flow.ID})
	if err != nil {
		t.Fatal(err)
	}
	if toQueue.QueueID != e.def.Queue.ID || toQueue.ContactFlowID != flow.ID ||
		toQueue.ARN != e.inst.ARN+"/transfer-destination/"+toQueue.ID {
		t.Errorf("quick connect = %+v", toQueue)
	}
	toUser, err := e.svc.CreateQuickConnect(ctx, e.inst.ID, QuickConnectInput{Name: "To agent", Type: QuickConnectUser,
		UserID: e.def.DemoAgent.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateQuickConnect(ctx, e.inst.ID, QuickConnectInput{Name: "To agent", Type: QuickConnectPhone,
		PhoneNumber: "+15555550100"})
	wantErr(t, "duplicate quick connect", err, parley.ECONFLICT, "")
	users, err := e.svc.ListQuickConnects(ctx, e.inst.ID, []string{QuickConnectUser})
	if err != nil || len(users) != 1 || users[0].ID != toUser.ID {
		t.Errorf("ListQuickConnects USER = %v, %v", users, err)
	}
	if _, err := e.svc.CreateQueue(ctx, e.inst.ID, QueueInput{Name: "With QC", HoursOfOperationID: e.def.Hours.ID,
		QuickConnectIDs: []string{toUser.ARN}}); err != nil {
		t.Errorf("CreateQueue with a quick connect: %v", err)
	}
}
