package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/wire"
)

// metricsAgent is an agent workspace reduced to what the metrics test needs: REST calls with a session token.
type metricsAgent struct {
	t     *testing.T
	base  string
	token string
	id    string
}

// call sends a JSON request to the agent API and decodes a 200 answer into out; other statuses fail the test.
func (a *metricsAgent) call(method, path string, body, out any) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+"/agent/v1"+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
}

// offered waits until the agent holds an offer of contactID.
func (a *metricsAgent) offered(contactID string) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var r wire.AgentContactsResponse
		a.call("GET", "/contacts", nil, &r)
		for _, c := range r.Contacts {
			if c.ContactID == contactID && c.State == wire.AgentContactOffered {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.t.Fatalf("contact %s was not offered to the agent within 10s", contactID)
}

// TestRealTimeMetrics: as chats arrive and an agent (created with the SDK, logged in over the agent API) is
// offered and accepts them, GetCurrentMetricData and GetCurrentUserData through aws-sdk-go-v2 follow: contacts in
// queue, the oldest one's age, agents available and on contact, slots, and the agent's contacts and their states.
func TestRealTimeMetrics(t *testing.T) {
	e := newEnv(t)
	c, inst := e.cc, aws.String(e.srv.InstanceID)

	// BasicQueue (where the default flow queues chats) and a routing profile with two chat slots serving it.
	queues, err := c.ListQueues(ctx(t), &connect.ListQueuesInput{InstanceId: inst})
	if err != nil {
		t.Fatal(err)
	}
	var basic, basicARN string
	for _, s := range queues.QueueSummaryList {
		if aws.ToString(s.Name) == "BasicQueue" {
			basic, basicARN = aws.ToString(s.Id), aws.ToString(s.Arn)
		}
	}
	rp, err := c.CreateRoutingProfile(ctx(t), &connect.CreateRoutingProfileInput{InstanceId: inst,
		Name: aws.String("Metrics agents"), Description: aws.String("two chats"), DefaultOutboundQueueId: aws.String(basic),
		MediaConcurrencies: []ctypes.MediaConcurrency{{Channel: ctypes.ChannelChat, Concurrency: aws.Int32(2)}},
		QueueConfigs: []ctypes.RoutingProfileQueueConfig{{Priority: aws.Int32(1), Delay: aws.Int32(0),
			QueueReference: &ctypes.RoutingProfileQueueReference{QueueId: aws.String(basic), Channel: ctypes.ChannelChat}}}})
	if err != nil {
		t.Fatal(err)
	}
	sps, err := c.ListSecurityProfiles(ctx(t), &connect.ListSecurityProfilesInput{InstanceId: inst})
	if err != nil {
		t.Fatal(err)
	}
	var agentSP string
	for _, s := range sps.SecurityProfileSummaryList {
		if aws.ToString(s.Name) == "Agent" {
			agentSP = aws.ToString(s.Id)
		}
	}
	user, err := c.CreateUser(ctx(t), &connect.CreateUserInput{InstanceId: inst, Username: aws.String("mia"),
		Password: aws.String("Metrics-Mia-1"), RoutingProfileId: rp.RoutingProfileId, SecurityProfileIds: []string{agentSP},
		PhoneConfig: &ctypes.UserPhoneConfig{PhoneType: ctypes.PhoneTypeSoftPhone}})
	if err != nil {
		t.Fatal(err)
	}
	mia := aws.ToString(user.UserId)

	metricNames := []ctypes.CurrentMetricName{ctypes.CurrentMetricNameContactsInQueue,
		ctypes.CurrentMetricNameOldestContactAge, ctypes.CurrentMetricNameAgentsOnline,
		ctypes.CurrentMetricNameAgentsAvailable, ctypes.CurrentMetricNameAgentsOnContact,
		ctypes.CurrentMetricNameAgentsAfterContactWork, ctypes.CurrentMetricNameSlotsActive,
		ctypes.CurrentMetricNameSlotsAvailable}
	// metrics returns BasicQueue's metrics, grouped by queue, by name.
	metrics := func() map[ctypes.CurrentMetricName]float64 {
		t.Helper()
		in := &connect.GetCurrentMetricDataInput{InstanceId: inst, Filters: &ctypes.Filters{Queues: []string{basicARN},
			Channels: []ctypes.Channel{ctypes.ChannelChat}}, Groupings: []ctypes.Grouping{ctypes.GroupingQueue}}
		for _, n := range metricNames {
			unit := ctypes.UnitCount
			if n == ctypes.CurrentMetricNameOldestContactAge {
				unit = ctypes.UnitSeconds
			}
			in.CurrentMetrics = append(in.CurrentMetrics, ctypes.CurrentMetric{Name: n, Unit: unit})
		}
		out, err := c.GetCurrentMetricData(ctx(t), in)
		if err != nil {
			t.Fatalf("GetCurrentMetricData: %v", err)
		}
		if len(out.MetricResults) != 1 || aws.ToString(out.MetricResults[0].Dimensions.Queue.Id) != basic ||
			out.DataSnapshotTime == nil || time.Since(*out.DataSnapshotTime) > time.Minute {
			t.Fatalf("GetCurrentMetricData = %+v", out)
		}
		got := map[ctypes.CurrentMetricName]float64{}
		for _, col := range out.MetricResults[0].Collections {
			got[col.Metric.Name] = aws.ToFloat64(col.Value)
		}
		return got
	}
	want := func(step string, w map[ctypes.CurrentMetricName]float64) {
		t.Helper()
		got := metrics()
		for n, v := range w {
			if got[n] != v {
				t.Errorf("%s: %s = %v, want %v (all: %v)", step, n, got[n], v, got)
			}
		}
	}
	// userData returns mia's entry of GetCurrentUserData (nil when she is not listed).
	userData := func() *ctypes.UserData {
		t.Helper()
		out, err := c.GetCurrentUserData(ctx(t), &connect.GetCurrentUserDataInput{InstanceId: inst,
			Filters: &ctypes.UserDataFilters{Agents: []string{mia}}})
		if err != nil {
			t.Fatalf("GetCurrentUserData: %v", err)
		}
		if len(out.UserDataList) == 0 {
			return nil
		}
		if len(out.UserDataList) != 1 || aws.ToString(out.UserDataList[0].User.Id) != mia {
			t.Fatalf("GetCurrentUserData = %+v", out.UserDataList)
		}
		return &out.UserDataList[0]
	}
	states := func(u *ctypes.UserData) map[string]ctypes.ContactState {
		m := map[string]ctypes.ContactState{}
		if u == nil {
			return m
		}
		for _, c := range u.Contacts {
			m[aws.ToString(c.ContactId)] = c.AgentContactState
		}
		return m
	}

	// Nobody is logged in; a chat waits.
	want("empty", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 0, "AGENTS_ONLINE": 0, "OLDEST_CONTACT_AGE": 0})
	if u := userData(); u != nil {
		t.Fatalf("mia is listed before she logs in: %+v", u)
	}
	c1 := e.startChat().ContactID
	want("one chat waits", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 1, "AGENTS_ONLINE": 0})

	// Mia logs in and becomes Available: the chat is offered to her (still in queue until she accepts).
	a := &metricsAgent{t: t, base: e.srv.URL}
	var lr wire.LoginResponse
	a.call("POST", "/login", wire.LoginRequest{Username: "mia", Password: "Metrics-Mia-1"}, &lr)
	a.token, a.id = lr.Token, lr.User.ID
	a.call("PUT", "/status", wire.StatusRequest{Status: "Available"}, nil)
	a.offered(c1)
	want("offered", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 1, "AGENTS_ONLINE": 1,
		"AGENTS_AVAILABLE": 0, "AGENTS_ON_CONTACT": 1, "SLOTS_ACTIVE": 0, "SLOTS_AVAILABLE": 1})
	u := userData()
	if u == nil || states(u)[c1] != ctypes.ContactStateConnecting || aws.ToString(u.Status.StatusName) != "Available" ||
		aws.ToString(u.RoutingProfile.Id) != aws.ToString(rp.RoutingProfileId) || u.MaxSlotsByChannel["CHAT"] != 2 {
		t.Fatalf("offered: user data %+v", u)
	}

	// She accepts: the chat leaves the queue and takes a slot.
	var accepted wire.AgentContact
	a.call("POST", "/contacts/"+c1+"/accept", nil, &accepted)
	if accepted.ParticipantToken == "" {
		t.Fatalf("accept = %+v", accepted)
	}
	want("accepted", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 0, "OLDEST_CONTACT_AGE": 0,
		"AGENTS_AVAILABLE": 0, "AGENTS_ON_CONTACT": 1, "SLOTS_ACTIVE": 1, "SLOTS_AVAILABLE": 1})
	u = userData()
	if states(u)[c1] != ctypes.ContactStateConnected || u.ActiveSlotsByChannel["CHAT"] != 1 ||
		u.AvailableSlotsByChannel["CHAT"] != 1 || u.Contacts[0].ConnectedToAgentTimestamp == nil ||
		aws.ToString(u.Contacts[0].Queue.Id) != basic || u.Contacts[0].Channel != ctypes.ChannelChat ||
		u.Contacts[0].InitiationMethod != ctypes.ContactInitiationMethodApi {
		t.Fatalf("accepted: user data %+v", u)
	}

	// Two more chats: the second slot takes one, the other waits.
	c2 := e.startChat().ContactID
	a.offered(c2)
	c3 := e.startChat().ContactID
	want("full", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 2, "AGENTS_ON_CONTACT": 1,
		"SLOTS_ACTIVE": 1, "SLOTS_AVAILABLE": 0})
	a.call("POST", "/contacts/"+c2+"/accept", nil, nil)
	want("both accepted", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 1, "SLOTS_ACTIVE": 2,
		"SLOTS_AVAILABLE": 0})
	if got := metrics()["OLDEST_CONTACT_AGE"]; got < 0 || got > 30 {
		t.Errorf("OLDEST_CONTACT_AGE = %v s for a chat that just arrived", got)
	}

	// She ends the first chat: after-contact work keeps its slot; clearing it lets the waiting chat in.
	a.call("POST", "/contacts/"+c1+"/end", nil, nil)
	if s := states(userData()); s[c1] != ctypes.ContactStateEnded || s[c2] != ctypes.ContactStateConnected {
		t.Fatalf("after end: contact states %v", s)
	}
	want("after contact work", map[ctypes.CurrentMetricName]float64{"AGENTS_ON_CONTACT": 1,
		"AGENTS_AFTER_CONTACT_WORK": 0, "SLOTS_ACTIVE": 2, "CONTACTS_IN_QUEUE": 1})
	a.call("POST", "/contacts/"+c1+"/clear", nil, nil)
	a.offered(c3)
	if s := states(userData()); len(s) != 2 || s[c3] != ctypes.ContactStateConnecting {
		t.Fatalf("after clear: contact states %v", s)
	}

	// By routing profile, with the SDK's paginator-friendly MaxResults.
	out, err := c.GetCurrentMetricData(ctx(t), &connect.GetCurrentMetricDataInput{InstanceId: inst,
		Filters:   &ctypes.Filters{RoutingProfiles: []string{aws.ToString(rp.RoutingProfileId)}},
		Groupings: []ctypes.Grouping{ctypes.GroupingRoutingProfile}, MaxResults: aws.Int32(1),
		CurrentMetrics: []ctypes.CurrentMetric{{Name: ctypes.CurrentMetricNameAgentsOnline, Unit: ctypes.UnitCount},
			{Name: ctypes.CurrentMetricNameContactsInQueue, Unit: ctypes.UnitCount}}})
	if err != nil {
		t.Fatalf("GetCurrentMetricData by routing profile: %v", err)
	}
	if len(out.MetricResults) != 1 || aws.ToString(out.MetricResults[0].Dimensions.RoutingProfile.Arn) != aws.ToString(rp.RoutingProfileArn) ||
		aws.ToFloat64(out.MetricResults[0].Collections[0].Value) != 1 || aws.ToFloat64(out.MetricResults[0].Collections[1].Value) != 1 {
		t.Errorf("by routing profile = %+v", out.MetricResults)
	}

	// Errors come back typed.
	_, err = c.GetCurrentMetricData(ctx(t), &connect.GetCurrentMetricDataInput{InstanceId: inst,
		Filters:        &ctypes.Filters{Queues: []string{"no-such-queue"}},
		CurrentMetrics: []ctypes.CurrentMetric{{Name: ctypes.CurrentMetricNameAgentsOnline}}})
	wantCode(t, err, "ResourceNotFoundException", http.StatusNotFound)
	_, err = c.GetCurrentUserData(ctx(t), &connect.GetCurrentUserDataInput{InstanceId: inst,
		Filters: &ctypes.UserDataFilters{Agents: []string{mia}, Queues: []string{basic}}})
	wantCode(t, err, "InvalidParameterException", http.StatusBadRequest)

	// She logs out with a chat connected and one offered: the offer returns to the queue; she stays listed
	// while she holds the connected chat.
	a.call("POST", "/logout", nil, nil)
	if s := states(userData()); len(s) != 1 || s[c2] != ctypes.ContactStateConnected {
		t.Errorf("after logout: contact states %v, want only %s connected", s, c2)
	}
	want("logged out", map[ctypes.CurrentMetricName]float64{"CONTACTS_IN_QUEUE": 1, "AGENTS_AVAILABLE": 0})
}
