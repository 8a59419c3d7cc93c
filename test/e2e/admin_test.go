package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
	"github.com/parley-chat/parley/server"
)

// statusRecorder remembers the agent status events it heard on the bus.
type statusRecorder struct {
	mu    sync.Mutex
	heard []string // "username=statusID"
}

func (r *statusRecorder) event(ev *parley.Event) {
	if ev.Kind != parley.EventAgentStatus {
		return
	}
	r.mu.Lock()
	r.heard = append(r.heard, ev.User.Username+"="+ev.User.StatusID)
	r.mu.Unlock()
}

func (r *statusRecorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.heard)
}

// TestAdminAPI configures an instance from scratch through the official SDK: hours, a queue, a routing profile,
// a user, a quick connect; reads them back; sets the user's status; and checks that errors arrive typed.
func TestAdminAPI(t *testing.T) {
	e := newEnv(t)
	rec := &statusRecorder{}
	t.Cleanup(e.srv.Bus().SubscribeEvents(rec.event))
	c, inst := e.cc, aws.String(e.srv.InstanceID)
	ctx := ctx(t)

	slice := func(h, m int32) *ctypes.HoursOfOperationTimeSlice {
		return &ctypes.HoursOfOperationTimeSlice{Hours: aws.Int32(h), Minutes: aws.Int32(m)}
	}
	var week []ctypes.HoursOfOperationConfig
	for _, d := range []ctypes.HoursOfOperationDays{ctypes.HoursOfOperationDaysMonday, ctypes.HoursOfOperationDaysTuesday,
		ctypes.HoursOfOperationDaysWednesday, ctypes.HoursOfOperationDaysThursday, ctypes.HoursOfOperationDaysFriday} {
		week = append(week, ctypes.HoursOfOperationConfig{Day: d, StartTime: slice(9, 0), EndTime: slice(17, 30)})
	}
	hours, err := c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: inst,
		Name: aws.String("Office Hours"), TimeZone: aws.String("Europe/Paris"), Config: week})
	if err != nil {
		t.Fatalf("CreateHoursOfOperation: %v", err)
	}
	dh, err := c.DescribeHoursOfOperation(ctx, &connect.DescribeHoursOfOperationInput{InstanceId: inst,
		HoursOfOperationId: hours.HoursOfOperationId})
	if err != nil {
		t.Fatalf("DescribeHoursOfOperation: %v", err)
	}
	if h := dh.HoursOfOperation; aws.ToString(h.Name) != "Office Hours" || len(h.Config) != 5 ||
		aws.ToInt32(h.Config[0].EndTime.Minutes) != 30 || aws.ToInt32(h.Config[0].StartTime.Minutes) != 0 {
		t.Errorf("DescribeHoursOfOperation = %+v", h)
	}

	q, err := c.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: inst, Name: aws.String("Sales"),
		Description: aws.String("Sales chats"), HoursOfOperationId: hours.HoursOfOperationArn, MaxContacts: aws.Int32(10)})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	queues := listAll(t, func(next *string) ([]ctypes.QueueSummary, *string, error) {
		out, err := c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: inst, NextToken: next, MaxResults: aws.Int32(1)})
		if err != nil {
			return nil, nil, err
		}
		return out.QueueSummaryList, out.NextToken, nil
	})
	var basicID string
	var names []string
	for _, s := range queues {
		names = append(names, aws.ToString(s.Name))
		if aws.ToString(s.Name) == "BasicQueue" {
			basicID = aws.ToString(s.Id)
		}
	}
	if !slices.Equal(names, []string{"BasicQueue", "Sales"}) {
		t.Errorf("ListQueues = %v, want BasicQueue and Sales", names)
	}
	dq, err := c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: inst, QueueId: q.QueueId})
	if err != nil {
		t.Fatalf("DescribeQueue: %v", err)
	}
	if aws.ToInt32(dq.Queue.MaxContacts) != 10 || aws.ToString(dq.Queue.HoursOfOperationId) != aws.ToString(hours.HoursOfOperationId) ||
		dq.Queue.Status != ctypes.QueueStatusEnabled || aws.ToString(dq.Queue.QueueArn) != aws.ToString(q.QueueArn) {
		t.Errorf("DescribeQueue = %+v", dq.Queue)
	}

	ref := func(id *string) *ctypes.RoutingProfileQueueReference {
		return &ctypes.RoutingProfileQueueReference{QueueId: id, Channel: ctypes.ChannelChat}
	}
	rp, err := c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: inst,
		Name: aws.String("Sales agents"), Description: aws.String("Sales first, then everything else"),
		DefaultOutboundQueueId: q.QueueId,
		MediaConcurrencies:     []ctypes.MediaConcurrency{{Channel: ctypes.ChannelChat, Concurrency: aws.Int32(2)}},
		QueueConfigs: []ctypes.RoutingProfileQueueConfig{
			{QueueReference: ref(q.QueueId), Priority: aws.Int32(1), Delay: aws.Int32(0)},
			{QueueReference: ref(aws.String(basicID)), Priority: aws.Int32(2), Delay: aws.Int32(30)},
		}})
	if err != nil {
		t.Fatalf("CreateRoutingProfile: %v", err)
	}
	drp, err := c.DescribeRoutingProfile(ctx, &connect.DescribeRoutingProfileInput{InstanceId: inst,
		RoutingProfileId: rp.RoutingProfileId})
	if err != nil {
		t.Fatalf("DescribeRoutingProfile: %v", err)
	}
	if p := drp.RoutingProfile; len(p.MediaConcurrencies) != 1 || aws.ToInt32(p.MediaConcurrencies[0].Concurrency) != 2 ||
		aws.ToInt64(p.NumberOfAssociatedQueues) != 2 {
		t.Errorf("DescribeRoutingProfile = %+v", p)
	}
	rq, err := c.ListRoutingProfileQueues(ctx, &connect.ListRoutingProfileQueuesInput{InstanceId: inst,
		RoutingProfileId: rp.RoutingProfileId})
	if err != nil {
		t.Fatalf("ListRoutingProfileQueues: %v", err)
	}
	if l := rq.RoutingProfileQueueConfigSummaryList; len(l) != 2 || aws.ToString(l[0].QueueName) != "Sales" ||
		aws.ToString(l[1].QueueName) != "BasicQueue" || l[1].Delay != 30 || aws.ToInt32(l[1].Priority) != 2 {
		t.Errorf("ListRoutingProfileQueues = %+v", l)
	}

	sps, err := c.ListSecurityProfiles(ctx, &connect.ListSecurityProfilesInput{InstanceId: inst})
	if err != nil {
		t.Fatalf("ListSecurityProfiles: %v", err)
	}
	var agentProfile *string
	for _, p := range sps.SecurityProfileSummaryList {
		if aws.ToString(p.Name) == "Agent" {
			agentProfile = p.Id
		}
	}
	if len(sps.SecurityProfileSummaryList) != 3 || agentProfile == nil {
		t.Fatalf("ListSecurityProfiles = %+v, want Admin, Agent, CallCenterManager", sps.SecurityProfileSummaryList)
	}

	u, err := c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: inst, Username: aws.String("alice"),
		Password: aws.String("Wonderland1"), IdentityInfo: &ctypes.UserIdentityInfo{FirstName: aws.String("Alice"),
			LastName: aws.String("Liddell"), Email: aws.String("alice@example.com")},
		PhoneConfig:        &ctypes.UserPhoneConfig{PhoneType: ctypes.PhoneTypeSoftPhone, AutoAccept: true},
		SecurityProfileIds: []string{aws.ToString(agentProfile)}, RoutingProfileId: rp.RoutingProfileId})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	du, err := c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: inst, UserId: u.UserId})
	if err != nil {
		t.Fatalf("DescribeUser: %v", err)
	}
	if usr := du.User; aws.ToString(usr.Username) != "alice" || aws.ToString(usr.IdentityInfo.LastName) != "Liddell" ||
		!usr.PhoneConfig.AutoAccept || aws.ToString(usr.RoutingProfileId) != aws.ToString(rp.RoutingProfileId) ||
		usr.LastModifiedTime == nil {
		t.Errorf("DescribeUser = %+v", usr)
	}
	stored, err := e.srv.Admin().User(ctx, e.srv.InstanceID, aws.ToString(u.UserId))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(stored.PasswordHash, "Wonderland1"); !ok || stored.Role != parley.UserAgent {
		t.Errorf("stored user: password matches %v, role %s", ok, stored.Role)
	}
	lu, err := c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: inst})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	var usernames []string
	for _, s := range lu.UserSummaryList {
		usernames = append(usernames, aws.ToString(s.Username))
	}
	if !slices.Equal(usernames, []string{"agent", "alice"}) {
		t.Errorf("ListUsers = %v, want the demo agent and alice", usernames)
	}

	// PutUserStatus, heard by the listener after the commit.
	sts, err := c.ListAgentStatuses(ctx, &connect.ListAgentStatusesInput{InstanceId: inst,
		AgentStatusTypes: []ctypes.AgentStatusType{ctypes.AgentStatusTypeRoutable}})
	if err != nil || len(sts.AgentStatusSummaryList) != 1 || aws.ToString(sts.AgentStatusSummaryList[0].Name) != "Available" {
		t.Fatalf("ListAgentStatuses ROUTABLE = %+v, %v", sts, err)
	}
	avail := aws.ToString(sts.AgentStatusSummaryList[0].Id)
	if _, err := c.PutUserStatus(ctx, &connect.PutUserStatusInput{InstanceId: inst, UserId: u.UserId,
		AgentStatusId: aws.String(avail)}); err != nil {
		t.Fatalf("PutUserStatus: %v", err)
	}
	// On a networked bus the event arrives a moment after the answer.
	want := []string{"alice=" + avail}
	for deadline := time.Now().Add(5 * time.Second); !slices.Equal(rec.got(), want) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if got := rec.got(); !slices.Equal(got, want) {
		t.Errorf("listener heard %v", got)
	}
	stored, _ = e.srv.Admin().User(ctx, e.srv.InstanceID, aws.ToString(u.UserId))
	if stored.StatusID != avail || stored.StatusSince.IsZero() {
		t.Errorf("after PutUserStatus: status %s since %v", stored.StatusID, stored.StatusSince)
	}
	lunch, err := c.CreateAgentStatus(ctx, &connect.CreateAgentStatusInput{InstanceId: inst, Name: aws.String("Lunch"),
		State: ctypes.AgentStatusStateEnabled})
	if err != nil {
		t.Fatalf("CreateAgentStatus: %v", err)
	}
	if _, err := c.PutUserStatus(ctx, &connect.PutUserStatusInput{InstanceId: inst, UserId: u.UserId,
		AgentStatusId: lunch.AgentStatusId}); err != nil {
		t.Fatalf("PutUserStatus Lunch: %v", err)
	}

	qc, err := c.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: inst, Name: aws.String("Alice"),
		QuickConnectConfig: &ctypes.QuickConnectConfig{QuickConnectType: ctypes.QuickConnectTypeUser,
			UserConfig: &ctypes.UserQuickConnectConfig{UserId: u.UserId, ContactFlowId: aws.String(e.srv.ContactFlowID)}}})
	if err != nil {
		t.Fatalf("CreateQuickConnect: %v", err)
	}
	dqc, err := c.DescribeQuickConnect(ctx, &connect.DescribeQuickConnectInput{InstanceId: inst, QuickConnectId: qc.QuickConnectId})
	if err != nil || aws.ToString(dqc.QuickConnect.QuickConnectConfig.UserConfig.UserId) != aws.ToString(u.UserId) {
		t.Errorf("DescribeQuickConnect = %+v, %v", dqc, err)
	}
	lqc, err := c.ListQuickConnects(ctx, &connect.ListQuickConnectsInput{InstanceId: inst})
	if err != nil || len(lqc.QuickConnectSummaryList) != 1 {
		t.Errorf("ListQuickConnects = %+v, %v", lqc, err)
	}

	// Updates.
	if _, err := c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: inst, QueueId: q.QueueId,
		MaxContacts: aws.Int32(3)}); err != nil {
		t.Fatalf("UpdateQueueMaxContacts: %v", err)
	}
	if _, err := c.UpdateRoutingProfileConcurrency(ctx, &connect.UpdateRoutingProfileConcurrencyInput{InstanceId: inst,
		RoutingProfileId:   rp.RoutingProfileId,
		MediaConcurrencies: []ctypes.MediaConcurrency{{Channel: ctypes.ChannelChat, Concurrency: aws.Int32(5)}}}); err != nil {
		t.Fatalf("UpdateRoutingProfileConcurrency: %v", err)
	}
	p, _ := e.srv.Admin().RoutingProfile(ctx, e.srv.InstanceID, aws.ToString(rp.RoutingProfileId))
	if p.ChatConcurrency != 5 {
		t.Errorf("chat concurrency after update = %d", p.ChatConcurrency)
	}

	// Typed errors.
	_, err = c.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: inst, Name: aws.String("Sales"),
		HoursOfOperationId: hours.HoursOfOperationId})
	wantTyped[*ctypes.DuplicateResourceException](t, "CreateQueue of an existing name", err)
	wantCode(t, err, "DuplicateResourceException", 409)
	_, err = c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: inst, Username: aws.String("bob"),
		Password: aws.String("password"), SecurityProfileIds: []string{aws.ToString(agentProfile)},
		RoutingProfileId: rp.RoutingProfileId})
	wantTyped[*ctypes.InvalidParameterException](t, "CreateUser with a weak password", err)
	_, err = c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: inst, Username: aws.String("bob"),
		Password: aws.String("Passw0rd"), SecurityProfileIds: []string{aws.ToString(agentProfile)},
		RoutingProfileId: aws.String("no-such-profile")})
	wantTyped[*ctypes.ResourceNotFoundException](t, "CreateUser with an unknown routing profile", err)
	_, err = c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: inst, Name: aws.String("Too many"),
		Description: aws.String("d"), DefaultOutboundQueueId: q.QueueId,
		MediaConcurrencies: []ctypes.MediaConcurrency{{Channel: ctypes.ChannelChat, Concurrency: aws.Int32(11)}}})
	wantTyped[*ctypes.InvalidParameterException](t, "CreateRoutingProfile with 11 chat slots", err)
	_, err = c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: aws.String("no-such-instance"), QueueId: q.QueueId})
	wantTyped[*ctypes.ResourceNotFoundException](t, "DescribeQueue in an unknown instance", err)

	// Delete.
	if _, err := c.DeleteUser(ctx, &connect.DeleteUserInput{InstanceId: inst, UserId: u.UserId}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: inst, UserId: u.UserId})
	wantTyped[*ctypes.ResourceNotFoundException](t, "DescribeUser of a deleted user", err)
}

// wantTyped fails unless err is (wraps) an error of type E.
func wantTyped[E error](t *testing.T, what string, err error) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Errorf("%s: got %v (%T), want %T", what, err, err, target)
	}
}

// listAll follows NextToken through every page.
func listAll[T any](t *testing.T, page func(next *string) ([]T, *string, error)) []T {
	t.Helper()
	var all []T
	var next *string
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("pagination does not end")
		}
		items, tok, err := page(next)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		all = append(all, items...)
		if tok == nil {
			return all
		}
		next = tok
	}
}

const bootstrapYAML = `
instance:
  alias: acme
hours:
  - name: Office Hours
    time_zone: America/New_York
    config:
      - days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
        start: "08:00"
        end: "18:00"
queues:
  - name: Sales
    hours: Office Hours
  - name: Support
    max_contacts: 50
routing_profiles:
  - name: Front line
    chat_concurrency: 4
    queues:
      - {queue: Support, priority: 1}
      - {queue: Sales, priority: 2, delay: 60}
users:
  - username: carol
    password_env: PARLEY_E2E_CAROL_PASSWORD
    first_name: Carol
    security_profiles: [CallCenterManager]
    routing_profile: Front line
    auto_accept: true
quick_connects:
  - name: To support
    queue: Support
`

// TestBootstrapFile: the YAML bootstrap file is applied at start, and a restart on the same data applies it
// again without changing an id or duplicating anything. The demo agent's password is shown on the first start
// only.
func TestBootstrapFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bootstrap.yaml")
	if err := os.WriteFile(file, []byte(bootstrapYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PARLEY_E2E_CAROL_PASSWORD", "Carol-Pa55")
	cfg := server.Config{DataDir: filepath.Join(dir, "data"), Listen: "127.0.0.1:0", Bootstrap: file}

	// snapshot lists the instance's configuration through the SDK, as "kind name=id" strings.
	snapshot := func(m *server.Main) ([]string, string) {
		t.Helper()
		in, _ := m.Instance()
		c := clientFor(m.URL(), m.Config().Region)
		ctx, inst := ctx(t), aws.String(in.ID)
		var out []string
		qs, err := c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: inst})
		if err != nil {
			t.Fatalf("ListQueues: %v", err)
		}
		for _, s := range qs.QueueSummaryList {
			out = append(out, "queue "+aws.ToString(s.Name)+"="+aws.ToString(s.Id))
		}
		rps, err := c.ListRoutingProfiles(ctx, &connect.ListRoutingProfilesInput{InstanceId: inst})
		if err != nil {
			t.Fatalf("ListRoutingProfiles: %v", err)
		}
		for _, s := range rps.RoutingProfileSummaryList {
			out = append(out, "routing profile "+aws.ToString(s.Name)+"="+aws.ToString(s.Id))
		}
		hs, err := c.ListHoursOfOperations(ctx, &connect.ListHoursOfOperationsInput{InstanceId: inst})
		if err != nil {
			t.Fatalf("ListHoursOfOperations: %v", err)
		}
		for _, s := range hs.HoursOfOperationSummaryList {
			out = append(out, "hours "+aws.ToString(s.Name)+"="+aws.ToString(s.Id))
		}
		us, err := c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: inst})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		for _, s := range us.UserSummaryList {
			out = append(out, "user "+aws.ToString(s.Username)+"="+aws.ToString(s.Id))
		}
		qcs, err := c.ListQuickConnects(ctx, &connect.ListQuickConnectsInput{InstanceId: inst})
		if err != nil {
			t.Fatalf("ListQuickConnects: %v", err)
		}
		for _, s := range qcs.QuickConnectSummaryList {
			out = append(out, "quick connect "+aws.ToString(s.Name)+"="+aws.ToString(s.Id))
		}
		return out, in.Alias
	}
	start := func() *server.Main {
		t.Helper()
		m := server.New(cfg, nil)
		if err := m.Start(context.Background()); err != nil {
			t.Fatalf("start: %v", err)
		}
		return m
	}

	m := start()
	first, alias := snapshot(m)
	user, password, ok := m.DemoAgent()
	if !ok || user != "agent" || password == "" {
		t.Errorf("first start: demo agent %q password %q ok %v", user, password, ok)
	}
	in, _ := m.Instance()
	users, _ := m.Admin().ListUsers(ctx(t), in.ID)
	for _, u := range users {
		switch u.Username {
		case "agent":
			if ok, _ := auth.CheckPassword(u.PasswordHash, password); !ok {
				t.Error("the demo agent's printed password does not match")
			}
		case "carol":
			if ok, _ := auth.CheckPassword(u.PasswordHash, "Carol-Pa55"); !ok || u.Role != parley.UserSupervisor || !u.AutoAccept {
				t.Errorf("carol = %+v (password matches %v)", u, ok)
			}
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"queue BasicQueue", "queue Sales", "queue Support", "routing profile Basic Routing Profile",
		"routing profile Front line", "hours Basic Hours", "hours Office Hours", "user agent", "user carol",
		"quick connect To support"}
	if len(first) != len(want) || alias != "acme" {
		t.Errorf("after the first start: %v (alias %q), want %v (alias acme)", first, alias, want)
	}
	for i := range min(len(first), len(want)) {
		if name := first[i][:max(0, strings.LastIndexByte(first[i], '='))]; name != want[i] {
			t.Errorf("object %d = %s, want %s", i, first[i], want[i])
		}
	}

	m = start()
	defer m.Close()
	second, _ := snapshot(m)
	if !slices.Equal(first, second) {
		t.Errorf("a restart changed the configuration:\nfirst  %v\nsecond %v", first, second)
	}
	if _, password, ok := m.DemoAgent(); !ok || password != "" {
		t.Errorf("second start: demo password %q (ok %v), want it hidden", password, ok)
	}
}

// TestBootstrapFileError: a bad bootstrap file stops the server from starting, naming the entry.
func TestBootstrapFileError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bootstrap.yaml")
	if err := os.WriteFile(file, []byte("queues:\n  - name: Q\n    hours: Nowhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := server.New(server.Config{DataDir: filepath.Join(dir, "data"), Listen: "127.0.0.1:0", Bootstrap: file}, nil)
	err := m.Start(context.Background())
	if err == nil {
		m.Close()
		t.Fatal("Start with a bad bootstrap file succeeded")
	}
	if want := `queues[0] "Q"`; !strings.Contains(err.Error(), want) {
		t.Errorf("Start error = %v, want it to name %s", err, want)
	}
}

// clientFor is a Connect client for a server that is not a testserver.Server.
func clientFor(url, region string) *connect.Client {
	cfg := aws.Config{Region: region, Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDPARLEYTEST", SecretAccessKey: "secret"}, nil
		})}
	return connect.NewFromConfig(cfg, func(o *connect.Options) { o.BaseEndpoint = aws.String(url) })
}
