package connect

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/chat"
)

func TestAdminValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	const (
		queue   = `{"Name":"Q","HoursOfOperationId":"h"}`
		profile = `{"Name":"P","Description":"d","DefaultOutboundQueueId":"q","MediaConcurrencies":[{"Channel":"CHAT","Concurrency":2}],"QueueConfigs":[{"QueueReference":{"QueueId":"q","Channel":"CHAT"},"Priority":1,"Delay":0}]}`
		user    = `{"Username":"u","Password":"Passw0rd","SecurityProfileIds":["sp"],"RoutingProfileId":"rp","PhoneConfig":{"PhoneType":"SOFT_PHONE"}}`
		hours   = `{"Name":"H","TimeZone":"UTC","Config":[{"Day":"MONDAY","StartTime":{"Hours":9,"Minutes":0},"EndTime":{"Hours":17,"Minutes":0}}]}`
		status  = `{"Name":"Lunch","State":"ENABLED"}`
		qc      = `{"Name":"QC","QuickConnectConfig":{"QuickConnectType":"QUEUE","QueueConfig":{"QueueId":"q","ContactFlowId":"f"}}}`
	)
	tests := []struct {
		name, method, path, base string
		set                      obj
		want                     string
	}{
		{"queue name missing", "PUT", "/queues/i", queue, obj{"Name": nil}, "Name is required"},
		{"queue name long", "PUT", "/queues/i", queue, obj{"Name": long(128)}, "Name must be at most 127"},
		{"queue description empty", "PUT", "/queues/i", queue, obj{"Description": ""}, "Description must not be empty"},
		{"queue description long", "PUT", "/queues/i", queue, obj{"Description": long(251)}, "Description must be at most 250"},
		{"queue hours missing", "PUT", "/queues/i", queue, obj{"HoursOfOperationId": nil}, "HoursOfOperationId is required"},
		{"queue max negative", "PUT", "/queues/i", queue, obj{"MaxContacts": -1}, "MaxContacts must be between 0"},
		{"queue quick connects empty", "PUT", "/queues/i", queue, obj{"QuickConnectIds": []string{}}, "QuickConnectIds must have 1 to 50"},
		{"queue tag aws:", "PUT", "/queues/i", queue, obj{"Tags": obj{"aws:x": "v"}}, "tag key"},
		{"queue tag value long", "PUT", "/queues/i", queue, obj{"Tags": obj{"k": long(257)}}, "Tags.k must be at most 256"},
		{"queue instance long", "PUT", "/queues/" + long(101), queue, nil, "InstanceId must be at most 100"},
		{"queue caller name long", "PUT", "/queues/i", queue, obj{"OutboundCallerConfig": obj{"OutboundCallerIdName": long(256)}},
			"OutboundCallerConfig.OutboundCallerIdName"},
		{"max contacts negative", "POST", "/queues/i/q/max-contacts", `{"MaxContacts":-1}`, nil, "MaxContacts must be between 0"},
		{"queue hours update missing", "POST", "/queues/i/q/hours-of-operation", `{}`, nil, "HoursOfOperationId is required"},
		{"queue status bad", "POST", "/queues/i/q/status", `{"Status":"OFF"}`, nil, "Status must be one of"},

		{"profile description missing", "PUT", "/routing-profiles/i", profile, obj{"Description": nil}, "Description is required"},
		{"profile outbound missing", "PUT", "/routing-profiles/i", profile, obj{"DefaultOutboundQueueId": nil}, "DefaultOutboundQueueId is required"},
		{"profile media missing", "PUT", "/routing-profiles/i", profile, obj{"MediaConcurrencies": nil}, "MediaConcurrencies is required"},
		{"chat concurrency 11", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "CHAT", "Concurrency": 11}}}, "MediaConcurrencies[0].Concurrency must be between 1 and 10"},
		{"chat concurrency 0", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "CHAT", "Concurrency": 0}}}, "MediaConcurrencies[0].Concurrency must be between 1 and 10"},
		{"voice concurrency 2", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "VOICE", "Concurrency": 2}}}, "MediaConcurrencies[0].Concurrency must be between 1 and 1"},
		{"channel twice", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "CHAT", "Concurrency": 1}, {"Channel": "CHAT", "Concurrency": 2}}}, "twice"},
		{"bad channel", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "SMS", "Concurrency": 1}}}, "MediaConcurrencies[0].Channel must be one of"},
		{"bad behavior", "PUT", "/routing-profiles/i", profile,
			obj{"MediaConcurrencies": []obj{{"Channel": "CHAT", "Concurrency": 1, "CrossChannelBehavior": obj{"BehaviorType": "X"}}}},
			"CrossChannelBehavior.BehaviorType must be one of"},
		{"priority 0", "PUT", "/routing-profiles/i", profile,
			obj{"QueueConfigs": []obj{{"QueueReference": obj{"QueueId": "q", "Channel": "CHAT"}, "Priority": 0, "Delay": 0}}},
			"QueueConfigs[0].Priority must be between 1 and 99"},
		{"priority 100", "PUT", "/routing-profiles/i", profile,
			obj{"QueueConfigs": []obj{{"QueueReference": obj{"QueueId": "q", "Channel": "CHAT"}, "Priority": 100, "Delay": 0}}},
			"QueueConfigs[0].Priority must be between 1 and 99"},
		{"delay 10000", "PUT", "/routing-profiles/i", profile,
			obj{"QueueConfigs": []obj{{"QueueReference": obj{"QueueId": "q", "Channel": "CHAT"}, "Priority": 1, "Delay": 10000}}},
			"QueueConfigs[0].Delay must be between 0 and 9999"},
		{"delay missing", "PUT", "/routing-profiles/i", profile,
			obj{"QueueConfigs": []obj{{"QueueReference": obj{"QueueId": "q", "Channel": "CHAT"}, "Priority": 1}}},
			"QueueConfigs[0].Delay is required"},
		{"queue reference missing", "PUT", "/routing-profiles/i", profile,
			obj{"QueueConfigs": []obj{{"Priority": 1, "Delay": 0}}}, "QueueConfigs[0].QueueReference is required"},
		{"11 queue configs", "PUT", "/routing-profiles/i", profile, obj{"QueueConfigs": make([]obj, 11)}, "QueueConfigs must have 1 to 10"},
		{"availability timer", "PUT", "/routing-profiles/i", profile, obj{"AgentAvailabilityTimer": "X"}, "AgentAvailabilityTimer must be one of"},
		{"associate priority", "POST", "/routing-profiles/i/rp/associate-queues",
			`{"QueueConfigs":[{"QueueReference":{"QueueId":"q","Channel":"CHAT"},"Priority":0,"Delay":0}]}`, nil, "QueueConfigs[0].Priority"},
		{"concurrency update missing", "POST", "/routing-profiles/i/rp/concurrency", `{}`, nil, "MediaConcurrencies is required"},

		{"username missing", "PUT", "/users/i", user, obj{"Username": nil}, "Username is required"},
		{"username long", "PUT", "/users/i", user, obj{"Username": long(101)}, "Username must be at most 100"},
		{"password missing", "PUT", "/users/i", user, obj{"Password": nil}, "Password is required"},
		{"password no digit", "PUT", "/users/i", user, obj{"Password": "Password"}, "Password must contain"},
		{"password short", "PUT", "/users/i", user, obj{"Password": "Pa55"}, "Password must be 8 to 64"},
		{"password long", "PUT", "/users/i", user, obj{"Password": "Aa1" + long(62)}, "Password must be 8 to 64"},
		{"password space", "PUT", "/users/i", user, obj{"Password": "Pass w0rd"}, "white space"},
		{"profiles missing", "PUT", "/users/i", user, obj{"SecurityProfileIds": nil}, "SecurityProfileIds is required"},
		{"profiles 11", "PUT", "/users/i", user, obj{"SecurityProfileIds": make([]string, 11)}, "SecurityProfileIds must have 1 to 10"},
		{"routing profile missing", "PUT", "/users/i", user, obj{"RoutingProfileId": nil}, "RoutingProfileId is required"},
		{"first name long", "PUT", "/users/i", user, obj{"IdentityInfo": obj{"FirstName": long(256)}}, "IdentityInfo.FirstName must be at most 255"},
		{"last name long", "PUT", "/users/i", user, obj{"IdentityInfo": obj{"LastName": long(301)}}, "IdentityInfo.LastName must be at most 300"},
		{"mobile", "PUT", "/users/i", user, obj{"IdentityInfo": obj{"Mobile": "555"}}, "IdentityInfo.Mobile"},
		{"phone type", "PUT", "/users/i", user, obj{"PhoneConfig": obj{"PhoneType": "CELL"}}, "PhoneConfig.PhoneType must be one of"},
		{"acw negative", "PUT", "/users/i", user, obj{"PhoneConfig": obj{"AfterContactWorkTimeLimit": -1}}, "PhoneConfig.AfterContactWorkTimeLimit"},
		{"auto accept channel", "PUT", "/users/i", user, obj{"AutoAcceptConfigs": []obj{{"Channel": "FAX", "AutoAccept": true}}},
			"AutoAcceptConfigs[0].Channel must be one of"},
		{"auto accept missing", "PUT", "/users/i", user, obj{"AutoAcceptConfigs": []obj{{"Channel": "CHAT"}}},
			"AutoAcceptConfigs[0].AutoAccept is required"},
		{"voice enhancement", "PUT", "/users/i", user,
			obj{"VoiceEnhancementConfigs": []obj{{"Channel": "VOICE", "VoiceEnhancementMode": "LOUD"}}}, "VoiceEnhancementMode must be one of"},
		{"user status missing", "PUT", "/users/i/u/status", `{}`, nil, "AgentStatusId is required"},
		{"user routing profile missing", "POST", "/users/i/u/routing-profile", `{}`, nil, "RoutingProfileId is required"},

		{"status state missing", "PUT", "/agent-status/i", status, obj{"State": nil}, "State is required"},
		{"status state bad", "PUT", "/agent-status/i", status, obj{"State": "ON"}, "State must be one of"},
		{"status order 51", "PUT", "/agent-status/i", status, obj{"DisplayOrder": 51}, "DisplayOrder must be between 1 and 50"},
		{"status name long", "PUT", "/agent-status/i", status, obj{"Name": long(128)}, "Name must be at most 127"},

		{"hours tz missing", "PUT", "/hours-of-operations/i", hours, obj{"TimeZone": nil}, "TimeZone is required"},
		{"hours config missing", "PUT", "/hours-of-operations/i", hours, obj{"Config": nil}, "Config is required"},
		{"hours day", "PUT", "/hours-of-operations/i", hours,
			obj{"Config": []obj{{"Day": "FUNDAY", "StartTime": obj{"Hours": 1, "Minutes": 0}, "EndTime": obj{"Hours": 2, "Minutes": 0}}}},
			"Config[0].Day must be one of"},
		{"hours 24", "PUT", "/hours-of-operations/i", hours,
			obj{"Config": []obj{{"Day": "MONDAY", "StartTime": obj{"Hours": 24, "Minutes": 0}, "EndTime": obj{"Hours": 2, "Minutes": 0}}}},
			"Config[0].StartTime.Hours must be between 0 and 23"},
		{"minutes 60", "PUT", "/hours-of-operations/i", hours,
			obj{"Config": []obj{{"Day": "MONDAY", "StartTime": obj{"Hours": 1, "Minutes": 0}, "EndTime": obj{"Hours": 2, "Minutes": 60}}}},
			"Config[0].EndTime.Minutes must be between 0 and 59"},
		{"end time missing", "PUT", "/hours-of-operations/i", hours,
			obj{"Config": []obj{{"Day": "MONDAY", "StartTime": obj{"Hours": 1, "Minutes": 0}}}}, "Config[0].EndTime is required"},

		{"qc config missing", "PUT", "/quick-connects/i", qc, obj{"QuickConnectConfig": nil}, "QuickConnectConfig is required"},
		{"qc type bad", "PUT", "/quick-connects/i", qc, obj{"QuickConnectConfig": obj{"QuickConnectType": "EMAIL"}},
			"QuickConnectConfig.QuickConnectType must be one of"},
		{"qc queue config missing", "PUT", "/quick-connects/i", qc, obj{"QuickConnectConfig": obj{"QuickConnectType": "QUEUE"}},
			"QuickConnectConfig.QueueConfig is required"},
		{"qc flow missing", "PUT", "/quick-connects/i", qc,
			obj{"QuickConnectConfig": obj{"QuickConnectType": "USER", "UserConfig": obj{"UserId": "u"}}},
			"QuickConnectConfig.UserConfig.ContactFlowId is required"},
		{"qc phone", "PUT", "/quick-connects/i", qc,
			obj{"QuickConnectConfig": obj{"QuickConnectType": "PHONE_NUMBER", "PhoneConfig": obj{"PhoneNumber": "0123"}}},
			"PhoneNumber must be an E.164 number"},

		{"list max 0", "GET", "/users-summary/i?maxResults=0", "", nil, "MaxResults must be between 1 and 1000"},
		{"list max 1001", "GET", "/queues-summary/i?maxResults=1001", "", nil, "MaxResults must be between 1 and 1000"},
		{"profile queues max 101", "GET", "/routing-profiles/i/rp/queues?maxResults=101", "", nil, "MaxResults must be between 1 and 100"},
		{"list token", "GET", "/users-summary/i?nextToken=bogus", "", nil, "NextToken is not valid"},
		{"token of another list", "GET", "/users-summary/i?nextToken=" + encodeToken("queues", 1), "", nil, "NextToken is not valid"},
		{"queue types", "GET", "/queues-summary/i?queueTypes=OTHER", "", nil, "QueueTypes[0] must be one of"},
		{"status types", "GET", "/agent-status/i?AgentStatusTypes=X", "", nil, "AgentStatusTypes[0] must be one of"},
		{"qc types", "GET", "/quick-connects/i?QuickConnectTypes=X", "", nil, "QuickConnectTypes[0] must be one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAdmin()
			body := tc.base
			if tc.set != nil {
				body = with(t, tc.base, tc.set)
			}
			w := do(t, newAdminHandler(t, f), tc.method, tc.path, body)
			wantError(t, w, http.StatusBadRequest, "InvalidParameterException", tc.want)
			if c := f.last(); c.name != "" {
				t.Errorf("the service was called (%s) for an invalid request", c.name)
			}
		})
	}
}

func TestAdminUnsupportedMembers(t *testing.T) {
	f := newFakeAdmin()
	h := newAdminHandler(t, f)
	w := do(t, h, "PUT", "/users/i", `{"Username":"u","Password":"Passw0rd","SecurityProfileIds":["sp"],`+
		`"RoutingProfileId":"rp","HierarchyGroupId":"g"}`)
	wantError(t, w, http.StatusBadRequest, "InvalidRequestException", "HierarchyGroupId is not supported")
	w = do(t, h, "PUT", "/hours-of-operations/i", `{"Name":"H","TimeZone":"UTC","Config":[],`+
		`"ParentHoursOfOperationConfigs":[{"HoursOfOperationId":"h"}]}`)
	wantError(t, w, http.StatusBadRequest, "InvalidRequestException", "ParentHoursOfOperationConfigs is not supported")
}

func TestAdminWithoutService(t *testing.T) {
	h := newHandler(&fakeBackend{t: t}, nil, devVerifier(t), slog.New(slog.DiscardHandler))
	w := do(t, h, "GET", "/users-summary/i", "")
	wantError(t, w, http.StatusBadRequest, "InvalidRequestException", "ListUsers is not supported")
}

func TestAdminErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		typ    string
	}{
		{&parley.Error{Code: parley.ECONFLICT, Message: "a queue named \"Q\" exists"}, 409, "DuplicateResourceException"},
		{parley.NotFound("QUEUE", "queue q not found"), 404, "ResourceNotFoundException"},
		{parley.Invalid("Password", "Password must be 8 to 64 characters long"), 400, "InvalidParameterException"},
		{parley.Errorf(parley.EREQUEST, "agent status Lunch is disabled"), 400, "InvalidRequestException"},
		{errors.New("disk on fire"), 500, "InternalServiceException"},
	} {
		f := newFakeAdmin()
		f.err = tc.err
		w := do(t, newAdminHandler(t, f), "PUT", "/queues/i", `{"Name":"Q","HoursOfOperationId":"h"}`)
		msg := ""
		var pe *parley.Error
		if errors.As(tc.err, &pe) {
			msg = pe.Message
		}
		wantError(t, w, tc.status, tc.typ, msg)
		if strings.Contains(w.Body.String(), "disk on fire") {
			t.Error("an internal cause was sent to the client")
		}
	}
	// The chat operations keep ConflictException.
	fb := &fakeBackend{t: t, startChat: func(chat.StartChatInput) (*chat.StartChatOutput, error) {
		return nil, &parley.Error{Code: parley.ECONFLICT, Message: "client token reused"}
	}}
	w := do(t, newHandler(fb, newFakeAdmin(), devVerifier(t), nil), "PUT", "/contact/chat", validStart)
	wantError(t, w, http.StatusConflict, "ConflictException", "client token reused")
}

// adminSDK serves the handler over f (and a chat backend that expects no call) and returns a signing client.
func adminSDK(t *testing.T, f *fakeAdmin) *connect.Client {
	t.Helper()
	ts := httptest.NewServer(newHandler(&fakeBackend{t: t}, f, keyedVerifier(t), slog.New(slog.DiscardHandler)))
	t.Cleanup(ts.Close)
	return sdkClient(ts.URL, testKeyID, testSecret)
}

// wantCall fails unless f's last call is name with args.
func wantCall(t *testing.T, f *fakeAdmin, name string, args ...any) {
	t.Helper()
	c := f.last()
	if c.name != name || !reflect.DeepEqual(c.args, args) {
		t.Errorf("last call = %s%+v, want %s%+v", c.name, c.args, name, args)
	}
}

// TestAdminSDK drives every admin operation with the unmodified aws-sdk-go-v2 client: the SDK's request reaches
// the service as the expected input, and the SDK parses the answer.
func TestAdminSDK(t *testing.T) {
	f := newFakeAdmin()
	c := adminSDK(t, f)
	ctx := t.Context()
	inst := "arn:aws:connect:us-west-2:123456789012:instance/i-1" // an ARN label, escaped by the SDK

	// Queues.
	cq, err := c.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: aws.String(inst), Name: aws.String("Sales"),
		HoursOfOperationId: aws.String("h-1"), MaxContacts: aws.Int32(7), QuickConnectIds: []string{"qc-1"},
		Tags: map[string]string{"team": "sales"}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	wantCall(t, f, "CreateQueue", inst, admin.QueueInput{Name: "Sales", HoursOfOperationID: "h-1", MaxContacts: 7,
		QuickConnectIDs: []string{"qc-1"}})
	if aws.ToString(cq.QueueId) != "q-1" || aws.ToString(cq.QueueArn) != f.queue.ARN {
		t.Errorf("CreateQueue output = %+v", cq)
	}
	dq, err := c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1")})
	if err != nil {
		t.Fatalf("DescribeQueue: %v", err)
	}
	if q := dq.Queue; q == nil || aws.ToString(q.Name) != "Sales" || aws.ToInt32(q.MaxContacts) != 7 ||
		q.Status != types.QueueStatusEnabled || aws.ToString(q.HoursOfOperationId) != "h-1" {
		t.Errorf("DescribeQueue output = %+v", dq.Queue)
	}
	lq, err := c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: aws.String(inst),
		QueueTypes: []types.QueueType{types.QueueTypeStandard}})
	if err != nil || len(lq.QueueSummaryList) != 1 || lq.QueueSummaryList[0].QueueType != types.QueueTypeStandard {
		t.Errorf("ListQueues = %+v, %v", lq, err)
	}
	lq, err = c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: aws.String(inst),
		QueueTypes: []types.QueueType{types.QueueTypeAgent}})
	if err != nil || len(lq.QueueSummaryList) != 0 {
		t.Errorf("ListQueues of AGENT queues = %+v, %v", lq, err)
	}
	if _, err := c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: aws.String(inst),
		QueueId: aws.String("q-1"), MaxContacts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "UpdateQueueMaxContacts", inst, "q-1", 0)
	if _, err := c.UpdateQueueHoursOfOperation(ctx, &connect.UpdateQueueHoursOfOperationInput{
		InstanceId: aws.String(inst), QueueId: aws.String("q/1"), HoursOfOperationId: aws.String("h-2")}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "UpdateQueueHoursOfOperation", inst, "q/1", "h-2")
	if _, err := c.UpdateQueueStatus(ctx, &connect.UpdateQueueStatusInput{InstanceId: aws.String(inst),
		QueueId: aws.String("q-1"), Status: types.QueueStatusDisabled}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "UpdateQueueStatus", inst, "q-1", "DISABLED")

	// Routing profiles.
	ref := func(q string, ch types.Channel) *types.RoutingProfileQueueReference {
		return &types.RoutingProfileQueueReference{QueueId: aws.String(q), Channel: ch}
	}
	crp, err := c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: aws.String(inst),
		Name: aws.String("Basic"), Description: aws.String("basic"), DefaultOutboundQueueId: aws.String("q-1"),
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)},
			{Channel: types.ChannelChat, Concurrency: aws.Int32(4)}},
		QueueConfigs: []types.RoutingProfileQueueConfig{{QueueReference: ref("q-1", types.ChannelChat),
			Priority: aws.Int32(1), Delay: aws.Int32(0)}}})
	if err != nil {
		t.Fatalf("CreateRoutingProfile: %v", err)
	}
	wantCall(t, f, "CreateRoutingProfile", inst, admin.RoutingProfileInput{Name: "Basic", Description: "basic",
		DefaultOutboundQueueID: "q-1", ChatConcurrency: 4,
		Queues: []parley.RoutingProfileQueue{{QueueID: "q-1", Channel: "CHAT", Priority: 1}}})
	if aws.ToString(crp.RoutingProfileId) != "rp-1" || aws.ToString(crp.RoutingProfileArn) != f.profile.ARN {
		t.Errorf("CreateRoutingProfile output = %+v", crp)
	}
	// Without CHAT the profile takes no chats.
	if _, err := c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: aws.String(inst),
		Name: aws.String("Voice"), Description: aws.String("v"), DefaultOutboundQueueId: aws.String("q-1"),
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	if in := f.last().args[1].(admin.RoutingProfileInput); in.ChatConcurrency != 0 {
		t.Errorf("a profile without CHAT got ChatConcurrency %d", in.ChatConcurrency)
	}
	drp, err := c.DescribeRoutingProfile(ctx, &connect.DescribeRoutingProfileInput{InstanceId: aws.String(inst),
		RoutingProfileId: aws.String("rp-1")})
	if err != nil {
		t.Fatalf("DescribeRoutingProfile: %v", err)
	}
	if p := drp.RoutingProfile; p == nil || len(p.MediaConcurrencies) != 1 ||
		p.MediaConcurrencies[0].Channel != types.ChannelChat || aws.ToInt32(p.MediaConcurrencies[0].Concurrency) != 3 ||
		p.NumberOfAssociatedQueues == nil || *p.NumberOfAssociatedQueues != 1 ||
		!reflect.DeepEqual(p.AssociatedQueueIds, []string{"q-1"}) || aws.ToString(p.InstanceId) != "i-1" {
		t.Errorf("DescribeRoutingProfile output = %+v", drp.RoutingProfile)
	}
	lrp, err := c.ListRoutingProfiles(ctx, &connect.ListRoutingProfilesInput{InstanceId: aws.String(inst)})
	if err != nil || len(lrp.RoutingProfileSummaryList) != 1 || aws.ToString(lrp.RoutingProfileSummaryList[0].Name) != "Basic" {
		t.Errorf("ListRoutingProfiles = %+v, %v", lrp, err)
	}
	lrq, err := c.ListRoutingProfileQueues(ctx, &connect.ListRoutingProfileQueuesInput{InstanceId: aws.String(inst),
		RoutingProfileId: aws.String("rp-1"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatalf("ListRoutingProfileQueues: %v", err)
	}
	if l := lrq.RoutingProfileQueueConfigSummaryList; len(l) != 1 || aws.ToString(l[0].QueueName) != "Sales" ||
		aws.ToInt32(l[0].Priority) != 1 || l[0].Channel != types.ChannelChat || lrq.NextToken == nil {
		t.Errorf("ListRoutingProfileQueues page 1 = %+v", lrq)
	}
	lrq, err = c.ListRoutingProfileQueues(ctx, &connect.ListRoutingProfileQueuesInput{InstanceId: aws.String(inst),
		RoutingProfileId: aws.String("rp-1"), MaxResults: aws.Int32(1), NextToken: lrq.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if l := lrq.RoutingProfileQueueConfigSummaryList; len(l) != 1 || l[0].Delay != 5 ||
		l[0].Channel != types.ChannelTask || lrq.NextToken != nil {
		t.Errorf("ListRoutingProfileQueues page 2 = %+v", lrq)
	}
	if _, err := c.AssociateRoutingProfileQueues(ctx, &connect.AssociateRoutingProfileQueuesInput{
		InstanceId: aws.String(inst), RoutingProfileId: aws.String("rp-1"),
		QueueConfigs: []types.RoutingProfileQueueConfig{{QueueReference: ref("q-2", types.ChannelChat),
			Priority: aws.Int32(2), Delay: aws.Int32(15)}}}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "AssociateRoutingProfileQueues", inst, "rp-1",
		[]parley.RoutingProfileQueue{{QueueID: "q-2", Channel: "CHAT", Priority: 2, Delay: 15}})
	if _, err := c.UpdateRoutingProfileConcurrency(ctx, &connect.UpdateRoutingProfileConcurrencyInput{
		InstanceId: aws.String(inst), RoutingProfileId: aws.String("rp-1"),
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelChat, Concurrency: aws.Int32(10)}}}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "UpdateRoutingProfileConcurrency", inst, "rp-1", 10)

	// Users.
	cu, err := c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: aws.String(inst), Username: aws.String("ada"),
		Password: aws.String("Passw0rd"), IdentityInfo: &types.UserIdentityInfo{FirstName: aws.String("Ada"),
			LastName: aws.String("Lovelace"), Email: aws.String("ada@example.com")},
		PhoneConfig:        &types.UserPhoneConfig{PhoneType: types.PhoneTypeSoftPhone, AfterContactWorkTimeLimit: 30},
		SecurityProfileIds: []string{"sp-1"}, RoutingProfileId: aws.String("rp-1"),
		AutoAcceptConfigs: []types.AutoAcceptConfig{{Channel: types.ChannelChat, AutoAccept: true}}})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	wantCall(t, f, "CreateUser", inst, admin.UserInput{Username: "ada", Password: "Passw0rd", FirstName: "Ada",
		LastName: "Lovelace", Email: "ada@example.com", SecurityProfileIDs: []string{"sp-1"}, RoutingProfileID: "rp-1",
		AutoAccept: true, AfterContactWorkTimeLimit: 30})
	if aws.ToString(cu.UserId) != "u-1" || aws.ToString(cu.UserArn) != f.user.ARN {
		t.Errorf("CreateUser output = %+v", cu)
	}
	du, err := c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: aws.String(inst), UserId: aws.String("u-1")})
	if err != nil {
		t.Fatalf("DescribeUser: %v", err)
	}
	if u := du.User; u == nil || aws.ToString(u.Username) != "ada" || aws.ToString(u.IdentityInfo.FirstName) != "Ada" ||
		u.PhoneConfig == nil || !u.PhoneConfig.AutoAccept || u.PhoneConfig.AfterContactWorkTimeLimit != 30 ||
		aws.ToString(u.RoutingProfileId) != "rp-1" || !reflect.DeepEqual(u.SecurityProfileIds, []string{"sp-1"}) {
		t.Errorf("DescribeUser output = %+v", du.User)
	}
	var names []string
	p := connect.NewListUsersPaginator(c, &connect.ListUsersInput{InstanceId: aws.String(inst), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		pages++
		for _, s := range page.UserSummaryList {
			names = append(names, aws.ToString(s.Username))
		}
	}
	if pages != 2 || strings.Join(names, ",") != "a,b,c" {
		t.Errorf("ListUsers pages = %d, users %v; want 2 pages of a,b,c", pages, names)
	}
	if _, err := c.UpdateUserRoutingProfile(ctx, &connect.UpdateUserRoutingProfileInput{InstanceId: aws.String(inst),
		UserId: aws.String("u-1"), RoutingProfileId: aws.String("rp-2")}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "UpdateUserRoutingProfile", inst, "u-1", "rp-2")
	if _, err := c.PutUserStatus(ctx, &connect.PutUserStatusInput{InstanceId: aws.String(inst),
		UserId: aws.String("u-1"), AgentStatusId: aws.String("st-0")}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "PutUserStatus", inst, "u-1", "st-0")
	if _, err := c.DeleteUser(ctx, &connect.DeleteUserInput{InstanceId: aws.String(inst), UserId: aws.String("u-1")}); err != nil {
		t.Fatal(err)
	}
	wantCall(t, f, "DeleteUser", inst, "u-1")

	// Agent statuses.
	cs, err := c.CreateAgentStatus(ctx, &connect.CreateAgentStatusInput{InstanceId: aws.String(inst),
		Name: aws.String("Lunch"), State: types.AgentStatusStateEnabled, DisplayOrder: aws.Int32(3)})
	if err != nil {
		t.Fatalf("CreateAgentStatus: %v", err)
	}
	wantCall(t, f, "CreateAgentStatus", inst, admin.AgentStatusInput{Name: "Lunch", State: "ENABLED", DisplayOrder: 3})
	if aws.ToString(cs.AgentStatusId) != "st-1" || aws.ToString(cs.AgentStatusARN) != f.status.ARN {
		t.Errorf("CreateAgentStatus output = %+v", cs)
	}
	ls, err := c.ListAgentStatuses(ctx, &connect.ListAgentStatusesInput{InstanceId: aws.String(inst),
		AgentStatusTypes: []types.AgentStatusType{types.AgentStatusTypeRoutable, types.AgentStatusTypeCustom}})
	if err != nil || len(ls.AgentStatusSummaryList) != 2 || ls.AgentStatusSummaryList[0].Type != types.AgentStatusTypeRoutable {
		t.Errorf("ListAgentStatuses = %+v, %v", ls, err)
	}
	if c := f.last(); c.name != "ListAgentStatuses" || !reflect.DeepEqual(slices.Sorted(slices.Values(c.args[1].([]string))),
		[]string{"CUSTOM", "ROUTABLE"}) {
		t.Errorf("last call = %s%+v, want ListAgentStatuses with CUSTOM and ROUTABLE", c.name, c.args)
	}

	// Hours of operation.
	slice := func(h, m int32) *types.HoursOfOperationTimeSlice {
		return &types.HoursOfOperationTimeSlice{Hours: aws.Int32(h), Minutes: aws.Int32(m)}
	}
	ch, err := c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: aws.String(inst),
		Name: aws.String("Office"), TimeZone: aws.String("Europe/Paris"), Config: []types.HoursOfOperationConfig{
			{Day: types.HoursOfOperationDaysMonday, StartTime: slice(0, 0), EndTime: slice(17, 30)}}})
	if err != nil {
		t.Fatalf("CreateHoursOfOperation: %v", err)
	}
	wantCall(t, f, "CreateHoursOfOperation", inst, admin.HoursInput{Name: "Office", TimeZone: "Europe/Paris",
		Config: []parley.HoursConfig{{Day: "MONDAY", EndHours: 17, EndMinutes: 30}}})
	if aws.ToString(ch.HoursOfOperationId) != "h-1" || aws.ToString(ch.HoursOfOperationArn) != f.hours.ARN {
		t.Errorf("CreateHoursOfOperation output = %+v", ch)
	}
	dh, err := c.DescribeHoursOfOperation(ctx, &connect.DescribeHoursOfOperationInput{InstanceId: aws.String(inst),
		HoursOfOperationId: aws.String("h-1")})
	if err != nil {
		t.Fatalf("DescribeHoursOfOperation: %v", err)
	}
	if h := dh.HoursOfOperation; h == nil || len(h.Config) != 1 || h.Config[0].Day != types.HoursOfOperationDaysMonday ||
		h.Config[0].StartTime == nil || h.Config[0].StartTime.Hours == nil || aws.ToInt32(h.Config[0].StartTime.Hours) != 0 ||
		aws.ToInt32(h.Config[0].EndTime.Minutes) != 30 || aws.ToString(h.TimeZone) != "Europe/Paris" {
		t.Errorf("DescribeHoursOfOperation output = %+v", dh.HoursOfOperation)
	}
	lh, err := c.ListHoursOfOperations(ctx, &connect.ListHoursOfOperationsInput{InstanceId: aws.String(inst)})
	if err != nil || len(lh.HoursOfOperationSummaryList) != 1 {
		t.Errorf("ListHoursOfOperations = %+v, %v", lh, err)
	}

	// Quick connects.
	cqc, err := c.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: aws.String(inst),
		Name: aws.String("To sales"), QuickConnectConfig: &types.QuickConnectConfig{QuickConnectType: types.QuickConnectTypeQueue,
			QueueConfig: &types.QueueQuickConnectConfig{QueueId: aws.String("q-1"), ContactFlowId: aws.String("f-1")}}})
	if err != nil {
		t.Fatalf("CreateQuickConnect: %v", err)
	}
	wantCall(t, f, "CreateQuickConnect", inst, admin.QuickConnectInput{Name: "To sales", Type: "QUEUE", QueueID: "q-1",
		ContactFlowID: "f-1"})
	if aws.ToString(cqc.QuickConnectId) != "qc-1" || aws.ToString(cqc.QuickConnectARN) != f.qc.ARN {
		t.Errorf("CreateQuickConnect output = %+v", cqc)
	}
	dqc, err := c.DescribeQuickConnect(ctx, &connect.DescribeQuickConnectInput{InstanceId: aws.String(inst),
		QuickConnectId: aws.String("qc-1")})
	if err != nil {
		t.Fatalf("DescribeQuickConnect: %v", err)
	}
	if q := dqc.QuickConnect; q == nil || q.QuickConnectConfig == nil || q.QuickConnectConfig.QueueConfig == nil ||
		aws.ToString(q.QuickConnectConfig.QueueConfig.QueueId) != "q-1" ||
		q.QuickConnectConfig.QuickConnectType != types.QuickConnectTypeQueue {
		t.Errorf("DescribeQuickConnect output = %+v", dqc.QuickConnect)
	}
	lqc, err := c.ListQuickConnects(ctx, &connect.ListQuickConnectsInput{InstanceId: aws.String(inst),
		QuickConnectTypes: []types.QuickConnectType{types.QuickConnectTypeQueue}})
	if err != nil || len(lqc.QuickConnectSummaryList) != 1 || lqc.QuickConnectSummaryList[0].QuickConnectType != types.QuickConnectTypeQueue {
		t.Errorf("ListQuickConnects = %+v, %v", lqc, err)
	}
	wantCall(t, f, "ListQuickConnects", inst, []string{"QUEUE"})

	lsp, err := c.ListSecurityProfiles(ctx, &connect.ListSecurityProfilesInput{InstanceId: aws.String(inst)})
	if err != nil || len(lsp.SecurityProfileSummaryList) != 1 || aws.ToString(lsp.SecurityProfileSummaryList[0].Name) != "Admin" {
		t.Errorf("ListSecurityProfiles = %+v, %v", lsp, err)
	}
}

// TestAdminSDKErrors: the SDK parses the admin errors into their modeled types.
func TestAdminSDKErrors(t *testing.T) {
	f := newFakeAdmin()
	c := adminSDK(t, f)
	ctx := t.Context()
	in := &connect.CreateQueueInput{InstanceId: aws.String("i"), Name: aws.String("Q"), HoursOfOperationId: aws.String("h")}

	f.err = &parley.Error{Code: parley.ECONFLICT, Message: "a queue named \"Q\" exists"}
	_, err := c.CreateQueue(ctx, in)
	var dup *types.DuplicateResourceException
	if !errors.As(err, &dup) {
		t.Errorf("duplicate: got %v, want *types.DuplicateResourceException", err)
	}
	f.err = parley.NotFound("HOURS_OF_OPERATION", "hours h not found")
	_, err = c.CreateQueue(ctx, in)
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("not found: got %v, want *types.ResourceNotFoundException", err)
	}
	f.err = nil
	_, err = c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: aws.String("i"), Username: aws.String("u"),
		Password: aws.String("weak"), SecurityProfileIds: []string{"sp"}, RoutingProfileId: aws.String("rp")})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) || !strings.Contains(aws.ToString(ip.Message), "Password") {
		t.Errorf("weak password: got %v, want *types.InvalidParameterException naming Password", err)
	}
}
