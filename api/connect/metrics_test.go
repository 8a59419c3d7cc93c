package connect

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/wire"
)

// allMetrics asks for every metric parley computes, by name.
const allMetrics = `[{"Name":"AGENTS_ONLINE","Unit":"COUNT"},{"Name":"AGENTS_AVAILABLE","Unit":"COUNT"},` +
	`{"Name":"AGENTS_ON_CONTACT","Unit":"COUNT"},{"Name":"AGENTS_ON_CALL","Unit":"COUNT"},` +
	`{"Name":"AGENTS_STAFFED","Unit":"COUNT"},{"Name":"AGENTS_AFTER_CONTACT_WORK","Unit":"COUNT"},` +
	`{"Name":"AGENTS_ERROR","Unit":"COUNT"},{"Name":"AGENTS_NON_PRODUCTIVE","Unit":"COUNT"},` +
	`{"Name":"CONTACTS_IN_QUEUE","Unit":"COUNT"},{"Name":"OLDEST_CONTACT_AGE","Unit":"SECONDS"},` +
	`{"Name":"SLOTS_ACTIVE","Unit":"COUNT"},{"Name":"SLOTS_AVAILABLE","Unit":"COUNT"},` +
	`{"Name":"CONTACTS_SCHEDULED","Unit":"COUNT"}]`

// metricValues is one result: its dimensions ("queue", "profile", "channel") and its values by metric name (-1
// for a null value).
type metricValues struct {
	dims   map[string]string
	values map[string]float64
}

func currentMetrics(t *testing.T, h http.Handler, body string) ([]metricValues, wire.GetCurrentMetricDataResponse) {
	t.Helper()
	w := do(t, h, "POST", "/metrics/current/i-1", body)
	if w.Code != http.StatusOK {
		t.Fatalf("GetCurrentMetricData %s: %d %s", body, w.Code, w.Body)
	}
	var resp wire.GetCurrentMetricDataResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	var out []metricValues
	for _, r := range resp.MetricResults {
		mv := metricValues{dims: map[string]string{}, values: map[string]float64{}}
		if d := r.Dimensions; d != nil {
			if d.Queue != nil {
				mv.dims["queue"] = d.Queue.ID
			}
			if d.RoutingProfile != nil {
				mv.dims["profile"] = d.RoutingProfile.ID
			}
			if d.Channel != "" {
				mv.dims["channel"] = d.Channel
			}
		}
		for _, c := range r.Collections {
			v := -1.0
			if c.Value != nil {
				v = *c.Value
			}
			mv.values[*c.Metric.Name] = v
		}
		out = append(out, mv)
	}
	return out, resp
}

// want checks the values of the metrics named in want.
func (mv metricValues) want(t *testing.T, want map[string]float64) {
	t.Helper()
	for name, v := range want {
		if got, ok := mv.values[name]; !ok || got != v {
			t.Errorf("%v %s = %v, want %v", mv.dims, name, got, v)
		}
	}
}

func TestCurrentMetricData(t *testing.T) {
	f, live := newMetricsFakes()
	h := newMetricsHandler(t, f, live)
	sales := map[string]float64{"AGENTS_ONLINE": 6, "AGENTS_AVAILABLE": 1, "AGENTS_ON_CONTACT": 2, "AGENTS_ON_CALL": 2,
		"AGENTS_STAFFED": 4, "AGENTS_AFTER_CONTACT_WORK": 1, "AGENTS_ERROR": 1, "AGENTS_NON_PRODUCTIVE": 1,
		"CONTACTS_IN_QUEUE": 1, "SLOTS_ACTIVE": 2, "SLOTS_AVAILABLE": 7, "CONTACTS_SCHEDULED": 0}
	zero := map[string]float64{}
	for k := range sales {
		zero[k] = 0
	}
	zero["OLDEST_CONTACT_AGE"] = 0

	t.Run("instance level", func(t *testing.T) {
		// A queue given by ARN; without groupings OLDEST_CONTACT_AGE is in milliseconds, as Connect documents.
		got, resp := currentMetrics(t, h, `{"Filters":{"Queues":["`+mARN("queue", "q-sales")+`"]},"CurrentMetrics":`+allMetrics+`}`)
		if len(got) != 1 || len(got[0].dims) != 0 {
			t.Fatalf("results = %+v, want one without dimensions", got)
		}
		got[0].want(t, sales)
		got[0].want(t, map[string]float64{"OLDEST_CONTACT_AGE": 120000})
		if resp.DataSnapshotTime == nil || float64(*resp.DataSnapshotTime) != float64(metricsNow.Unix()) ||
			resp.ApproximateTotalCount != 1 || resp.NextToken != "" {
			t.Errorf("response = %+v", resp)
		}
		// The collections follow the request's order and carry the units.
		var names []string
		for _, c := range resp.MetricResults[0].Collections {
			names = append(names, *c.Metric.Name+"/"+*c.Metric.Unit)
		}
		if names[0] != "AGENTS_ONLINE/COUNT" || names[9] != "OLDEST_CONTACT_AGE/SECONDS" || len(names) != 13 {
			t.Errorf("collections = %v", names)
		}
	})

	t.Run("by queue", func(t *testing.T) {
		got, resp := currentMetrics(t, h, `{"Filters":{"Queues":["q-empty","q-support","q-sales","q-sales"]},`+
			`"Groupings":["QUEUE"],"CurrentMetrics":`+allMetrics+`}`)
		// Sorted by AGENTS_ONLINE, descending.
		if len(got) != 3 || got[0].dims["queue"] != "q-sales" || got[1].dims["queue"] != "q-support" ||
			got[2].dims["queue"] != "q-empty" || resp.ApproximateTotalCount != 3 {
			t.Fatalf("results = %+v", got)
		}
		got[0].want(t, sales)
		got[0].want(t, map[string]float64{"OLDEST_CONTACT_AGE": 120})
		// Support: bob, cat and fay (rp-both); hal serves it for VOICE only. w2 waits, c2 is offered to bob.
		got[1].want(t, map[string]float64{"AGENTS_ONLINE": 3, "AGENTS_AVAILABLE": 0, "AGENTS_ON_CONTACT": 1,
			"AGENTS_AFTER_CONTACT_WORK": 1, "AGENTS_NON_PRODUCTIVE": 1, "AGENTS_STAFFED": 2, "CONTACTS_IN_QUEUE": 2,
			"OLDEST_CONTACT_AGE": 30, "SLOTS_ACTIVE": 1, "SLOTS_AVAILABLE": 4})
		got[2].want(t, map[string]float64{"AGENTS_ONLINE": 0, "CONTACTS_IN_QUEUE": 0, "OLDEST_CONTACT_AGE": 0})
		var d *wire.Dimensions = resp.MetricResults[0].Dimensions
		if d.Queue.Arn != mARN("queue", "q-sales") {
			t.Errorf("queue dimension = %+v", d.Queue)
		}
	})

	t.Run("by routing profile", func(t *testing.T) {
		got, _ := currentMetrics(t, h, `{"Filters":{"RoutingProfiles":["rp-both","rp-sales"]},`+
			`"Groupings":["ROUTING_PROFILE"],"CurrentMetrics":`+allMetrics+`}`)
		// Both have 3 agents online: the filter's order stays.
		if len(got) != 2 || got[0].dims["profile"] != "rp-both" || got[1].dims["profile"] != "rp-sales" {
			t.Fatalf("results = %+v", got)
		}
		// rp-both: bob, cat, fay; its queues Sales and Support hold w1, w2 and the offered c2.
		got[0].want(t, map[string]float64{"AGENTS_ONLINE": 3, "AGENTS_ON_CONTACT": 1, "CONTACTS_IN_QUEUE": 3,
			"OLDEST_CONTACT_AGE": 120})
		// rp-sales: ann, dan, eve (offline), gus; its queue Sales has w1.
		got[1].want(t, map[string]float64{"AGENTS_ONLINE": 3, "AGENTS_AVAILABLE": 1, "AGENTS_ON_CONTACT": 1,
			"AGENTS_ERROR": 1, "CONTACTS_IN_QUEUE": 1, "SLOTS_AVAILABLE": 3})
	})

	t.Run("by queue and routing profile", func(t *testing.T) {
		got, _ := currentMetrics(t, h, `{"Filters":{"Queues":["q-sales","q-support"]},`+
			`"Groupings":["QUEUE","ROUTING_PROFILE"],"CurrentMetrics":[{"Name":"AGENTS_ONLINE"}]}`)
		var pairs []string
		for _, g := range got {
			pairs = append(pairs, fmt.Sprintf("%s/%s=%v", g.dims["queue"], g.dims["profile"], g.values["AGENTS_ONLINE"]))
		}
		want := []string{"q-sales/rp-both=3", "q-sales/rp-sales=3", "q-support/rp-both=3"}
		if !reflect.DeepEqual(pairs, want) {
			t.Errorf("results = %v, want %v", pairs, want)
		}
	})

	t.Run("by channel", func(t *testing.T) {
		got, _ := currentMetrics(t, h, `{"Filters":{"Queues":["q-sales"],"Channels":["VOICE","CHAT"]},`+
			`"Groupings":["CHANNEL"],"CurrentMetrics":`+allMetrics+`}`)
		if len(got) != 2 || got[0].dims["channel"] != "CHAT" || got[1].dims["channel"] != "VOICE" {
			t.Fatalf("results = %+v", got)
		}
		got[0].want(t, sales)
		got[1].want(t, zero)
		// A filter without CHAT: nothing parley routes.
		got, _ = currentMetrics(t, h, `{"Filters":{"Queues":["q-sales"],"Channels":["TASK"]},"CurrentMetrics":`+allMetrics+`}`)
		got[0].want(t, zero)
	})

	t.Run("sort and pages", func(t *testing.T) {
		body := `{"Filters":{"Queues":["q-sales","q-support","q-empty"]},"Groupings":["QUEUE"],` +
			`"CurrentMetrics":[{"Name":"CONTACTS_IN_QUEUE"}],"SortCriteria":[{"SortByMetric":"CONTACTS_IN_QUEUE",` +
			`"SortOrder":"ASCENDING"}],"MaxResults":2`
		var queues []string
		got, resp := currentMetrics(t, h, body+"}")
		for _, g := range got {
			queues = append(queues, g.dims["queue"])
		}
		if resp.NextToken == "" || resp.ApproximateTotalCount != 3 {
			t.Fatalf("first page: %+v", resp)
		}
		got, resp = currentMetrics(t, h, body+`,"NextToken":"`+resp.NextToken+`"}`)
		for _, g := range got {
			queues = append(queues, g.dims["queue"])
		}
		if want := []string{"q-empty", "q-sales", "q-support"}; !reflect.DeepEqual(queues, want) || resp.NextToken != "" {
			t.Errorf("queues = %v (next %q), want %v", queues, resp.NextToken, want)
		}
	})

	t.Run("metric ids and estimated wait time", func(t *testing.T) {
		got, resp := currentMetrics(t, h, `{"Filters":{"Queues":["q-sales"],"Channels":["CHAT"]},"Groupings":["QUEUE","CHANNEL"],`+
			`"CurrentMetrics":[{"MetricId":"arn:aws:connect:us-west-2:aws:metric/AGENTS_ONLINE"},{"Name":"ESTIMATED_WAIT_TIME"}]}`)
		got[0].want(t, map[string]float64{"AGENTS_ONLINE": 6, "ESTIMATED_WAIT_TIME": -1})
		m := resp.MetricResults[0].Collections[0].Metric
		if m.MetricID == nil || *m.Unit != "COUNT" {
			t.Errorf("echoed metric = %+v", m)
		}
	})
}

func TestCurrentMetricDataValidation(t *testing.T) {
	f, live := newMetricsFakes()
	h := newMetricsHandler(t, f, live)
	const metric = `"CurrentMetrics":[{"Name":"AGENTS_ONLINE","Unit":"COUNT"}]`
	queues := func(n int) string { return `"Queues":["` + strings.Repeat(`q-sales","`, n-1) + `q-sales"]` }
	for _, tc := range []struct {
		body, typ, msg string
	}{
		{`{` + metric + `}`, "InvalidParameterException", "Filters is required"},
		{`{"Filters":{"Queues":["q-sales"]}}`, "InvalidParameterException", "CurrentMetrics is required"},
		{`{"Filters":{},` + metric + `}`, "InvalidParameterException", "Queues or RoutingProfiles"},
		{`{"Filters":{"Queues":["q-sales"],"RoutingProfiles":["rp-sales"]},` + metric + `}`, "InvalidParameterException", "not both"},
		{`{"Filters":{"Queues":[]},` + metric + `}`, "InvalidParameterException", "Filters.Queues must have 1 to 100 items"},
		{`{"Filters":{` + queues(101) + `},` + metric + `}`, "InvalidParameterException", "Filters.Queues must have 1 to 100 items (got 101)"},
		{`{"Filters":{"Queues":["q-sales"],"Channels":["SMS"]},` + metric + `}`, "InvalidParameterException", "Filters.Channels[0]"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["QUEUE","CHANNEL","ROUTING_PROFILE"],` + metric + `}`, "InvalidParameterException", "Groupings must have 0 to 2"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["QUEUE","QUEUE"],` + metric + `}`, "InvalidParameterException", "twice"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["TEAM"],` + metric + `}`, "InvalidParameterException", "Groupings[0]"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"Name":"AGENTS_BORED"}]}`, "InvalidParameterException", "CurrentMetrics[0].Name"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"Name":"CONTACTS_IN_QUEUE","Unit":"SECONDS"}]}`, "InvalidParameterException", "Unit must be COUNT"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"Name":"OLDEST_CONTACT_AGE","Unit":"PERCENT"}]}`, "InvalidParameterException", "Unit must be SECONDS"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{}]}`, "InvalidParameterException", "Name or MetricId"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"Name":"AGENTS_ONLINE","MetricId":"x"}]}`, "InvalidParameterException", "not both"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"MetricId":"nope"}]}`, "InvalidParameterException", "MetricId"},
		{`{"Filters":{"Queues":["q-sales"]},` + metric + `,"MaxResults":0}`, "InvalidParameterException", "MaxResults must be between 1 and 100"},
		{`{"Filters":{"Queues":["q-sales"]},` + metric + `,"MaxResults":101}`, "InvalidParameterException", "MaxResults"},
		{`{"Filters":{"Queues":["q-sales"]},` + metric + `,"NextToken":"garbage"}`, "InvalidParameterException", "NextToken"},
		{`{"Filters":{"Queues":["q-sales"]},` + metric + `,"SortCriteria":[{"SortByMetric":"SLOTS_ACTIVE"}]}`, "InvalidParameterException", "SLOTS_ACTIVE"},
		{`{"Filters":{"Queues":["q-sales"]},` + metric + `,"SortCriteria":[{"SortByMetric":"AGENTS_ONLINE"},{"SortByMetric":"AGENTS_ONLINE"}]}`, "InvalidParameterException", "SortCriteria"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["ROUTING_PROFILE"],"CurrentMetrics":[{"Name":"CONTACTS_IN_QUEUE"}]}`, "InvalidParameterException", "needs a RoutingProfiles filter"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["QUEUE"],"CurrentMetrics":[{"Name":"ESTIMATED_WAIT_TIME"}]}`, "InvalidParameterException", "ESTIMATED_WAIT_TIME needs"},
		{`{"Filters":{"Queues":["q-sales"]},"CurrentMetrics":[{"MetricId":"12345678-1234-1234-1234-123456789012"}]}`, "InvalidRequestException", "custom metric"},
		{`{"Filters":{"Queues":["q-sales"]},"Groupings":["AGENT_STATUS"],` + metric + `}`, "InvalidRequestException", "grouping by AGENT_STATUS is not supported"},
		{`{"Filters":{"Queues":["q-sales"],"RoutingStepExpressions":["x"]},` + metric + `}`, "InvalidRequestException", "RoutingStepExpressions is not supported"},
		{`{"Filters":{"Queues":["q-sales"],"AgentStatuses":["st"]},` + metric + `}`, "InvalidRequestException", "AgentStatuses is not supported"},
	} {
		w := do(t, h, "POST", "/metrics/current/i-1", tc.body)
		status := http.StatusBadRequest
		t.Run(tc.msg, func(t *testing.T) { wantError(t, w, status, tc.typ, tc.msg) })
	}
	// References that are not of the instance.
	w := do(t, h, "POST", "/metrics/current/i-1", `{"Filters":{"Queues":["q-nope"]},`+metric+`}`)
	wantError(t, w, http.StatusNotFound, "ResourceNotFoundException", "queue q-nope not found")
	w = do(t, h, "POST", "/metrics/current/i-1", `{"Filters":{"RoutingProfiles":["rp-nope"]},`+metric+`}`)
	wantError(t, w, http.StatusNotFound, "ResourceNotFoundException", "routing profile rp-nope not found")
}

func TestMetricsWithoutAgents(t *testing.T) {
	f, _ := newMetricsFakes()
	h := newHandler(&fakeBackend{t: t}, f, devVerifier(t), slog.New(slog.DiscardHandler))
	w := do(t, h, "POST", "/metrics/current/i-1", `{}`)
	wantError(t, w, http.StatusBadRequest, "InvalidRequestException", "GetCurrentMetricData is not supported by this server")
	w = do(t, h, "POST", "/metrics/userdata/i-1", `{}`)
	wantError(t, w, http.StatusBadRequest, "InvalidRequestException", "GetCurrentUserData is not supported by this server")
}

func currentUsers(t *testing.T, h http.Handler, body string) wire.GetCurrentUserDataResponse {
	t.Helper()
	w := do(t, h, "POST", "/metrics/userdata/i-1", body)
	if w.Code != http.StatusOK {
		t.Fatalf("GetCurrentUserData %s: %d %s", body, w.Code, w.Body)
	}
	var resp wire.GetCurrentUserDataResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

func userIDs(resp wire.GetCurrentUserDataResponse) []string {
	var ids []string
	for _, u := range resp.UserDataList {
		ids = append(ids, u.User.ID)
	}
	return ids
}

func TestCurrentUserData(t *testing.T) {
	f, live := newMetricsFakes()
	h := newMetricsHandler(t, f, live)
	for _, tc := range []struct {
		filters string
		want    []string
	}{
		// Logged-in users only (eve is Offline), of the instance only (not ghost), in the configuration's order.
		{`{}`, []string{"u-ann", "u-bob", "u-cat", "u-dan", "u-fay", "u-gus", "u-hal"}},
		{`{"Agents":["u-gus","` + mARN("agent", "u-ann") + `","u-eve"]}`, []string{"u-ann", "u-gus"}},
		{`{"Queues":["q-support"]}`, []string{"u-bob", "u-cat", "u-fay"}},
		{`{"RoutingProfiles":["rp-sales"]}`, []string{"u-ann", "u-dan", "u-gus"}},
		{`{"ContactFilter":{"ContactStates":["CONNECTING"]}}`, []string{"u-bob"}},
		{`{"RoutingProfiles":["rp-both"],"ContactFilter":{"ContactStates":["ENDED","CONNECTED"]}}`, []string{"u-fay"}},
	} {
		resp := currentUsers(t, h, `{"Filters":`+tc.filters+`}`)
		if got := userIDs(resp); !reflect.DeepEqual(got, tc.want) || resp.ApproximateTotalCount != int64(len(tc.want)) {
			t.Errorf("filters %s: users %v (total %d), want %v", tc.filters, got, resp.ApproximateTotalCount, tc.want)
		}
	}

	resp := currentUsers(t, h, `{"Filters":{"Agents":["u-ann","u-bob","u-fay","u-cat"]}}`)
	byID := map[string]wire.UserData{}
	for _, u := range resp.UserDataList {
		byID[u.User.ID] = u
	}
	ann := byID["u-ann"]
	if ann.User.Arn != mARN("agent", "u-ann") || ann.RoutingProfile.ID != "rp-sales" ||
		ann.Status.StatusName != "Available" || ann.Status.StatusArn != mARN("agent-state", "st-av") ||
		float64(*ann.Status.StatusStartTimestamp) != float64(metricsNow.Add(-time.Hour).Unix()) {
		t.Errorf("ann = %+v %+v", ann, ann.Status)
	}
	slots := func(u wire.UserData) [3]int {
		return [3]int{u.MaxSlotsByChannel["CHAT"], u.ActiveSlotsByChannel["CHAT"], u.AvailableSlotsByChannel["CHAT"]}
	}
	for id, want := range map[string][3]int{"u-ann": {2, 1, 1}, "u-bob": {3, 0, 2}, "u-fay": {3, 1, 2}, "u-cat": {3, 0, 0}} {
		if got := slots(byID[id]); got != want {
			t.Errorf("%s slots (max, active, available) = %v, want %v", id, got, want)
		}
	}
	c := ann.Contacts
	if len(c) != 1 || c[0].ContactID != "c1" || c[0].AgentContactState != "CONNECTED" || c[0].Channel != "CHAT" ||
		c[0].InitiationMethod != "API" || c[0].Queue.Arn != mARN("queue", "q-sales") ||
		float64(*c[0].StateStartTimestamp) != float64(metricsNow.Add(-time.Minute).Unix()) ||
		float64(*c[0].ConnectedToAgentTimestamp) != float64(metricsNow.Add(-time.Minute).Unix()) {
		t.Errorf("ann's contacts = %+v", c)
	}
	if c := byID["u-bob"].Contacts; len(c) != 1 || c[0].AgentContactState != "CONNECTING" ||
		c[0].ConnectedToAgentTimestamp != nil || c[0].InitiationMethod != "TRANSFER" {
		t.Errorf("bob's contacts = %+v", c)
	}
	if c := byID["u-fay"].Contacts; len(c) != 1 || c[0].AgentContactState != "ENDED" {
		t.Errorf("fay's contacts = %+v", c)
	}
	if c := byID["u-cat"].Contacts; c == nil || len(c) != 0 || byID["u-cat"].Status.StatusName != "Lunch" {
		t.Errorf("cat = %+v", byID["u-cat"])
	}

	// Pages.
	var ids []string
	next := ""
	for range 10 {
		body := `{"Filters":{},"MaxResults":3`
		if next != "" {
			body += `,"NextToken":"` + next + `"`
		}
		resp := currentUsers(t, h, body+"}")
		ids = append(ids, userIDs(resp)...)
		if next = resp.NextToken; next == "" {
			break
		}
	}
	if len(ids) != 7 || ids[6] != "u-hal" {
		t.Errorf("paged users = %v", ids)
	}
}

func TestCurrentUserDataValidation(t *testing.T) {
	f, live := newMetricsFakes()
	h := newMetricsHandler(t, f, live)
	agentsList := `"Agents":["u-ann"` + strings.Repeat(`,"u-ann"`, 100) + `]`
	for _, tc := range []struct {
		body, typ, msg string
	}{
		{`{}`, "InvalidParameterException", "Filters is required"},
		{`{"Filters":{"Queues":["q-sales"],"Agents":["u-ann"]}}`, "InvalidParameterException", "only one of"},
		{`{"Filters":{` + agentsList + `}}`, "InvalidParameterException", "Filters.Agents must have 1 to 100 items"},
		{`{"Filters":{"RoutingProfiles":[]}}`, "InvalidParameterException", "Filters.RoutingProfiles must have 1 to 100"},
		{`{"Filters":{"UserHierarchyGroups":["a","b"]}}`, "InvalidParameterException", "UserHierarchyGroups must have 1 to 1"},
		{`{"Filters":{"ContactFilter":{"ContactStates":["ON_FIRE"]}}}`, "InvalidParameterException", "ContactStates[0]"},
		{`{"Filters":{},"MaxResults":500}`, "InvalidParameterException", "MaxResults"},
		{`{"Filters":{},"NextToken":"` + encodeToken("current-metrics", 1) + `"}`, "InvalidParameterException", "NextToken"},
		{`{"Filters":{"UserHierarchyGroups":["g"]}}`, "InvalidRequestException", "UserHierarchyGroups is not supported"},
	} {
		w := do(t, h, "POST", "/metrics/userdata/i-1", tc.body)
		t.Run(tc.msg, func(t *testing.T) { wantError(t, w, http.StatusBadRequest, tc.typ, tc.msg) })
	}
	w := do(t, h, "POST", "/metrics/userdata/i-1", `{"Filters":{"Agents":["u-nobody"]}}`)
	wantError(t, w, http.StatusNotFound, "ResourceNotFoundException", "user u-nobody not found")
}

// TestMetricsSDK drives both operations with the unmodified aws-sdk-go-v2 client: it serializes the request
// parley reads and parses the answer (epoch timestamps, maps by channel, dimensions).
func TestMetricsSDK(t *testing.T) {
	f, live := newMetricsFakes()
	ts := httptest.NewServer(newHandler(&fakeBackend{t: t}, f, keyedVerifier(t), slog.New(slog.DiscardHandler),
		func(h *handler) { h.live = live }))
	t.Cleanup(ts.Close)
	c := sdkClient(ts.URL, testKeyID, testSecret)
	inst := aws.String(mInst)

	md, err := c.GetCurrentMetricData(t.Context(), &connect.GetCurrentMetricDataInput{InstanceId: inst,
		Filters:   &types.Filters{Queues: []string{"q-sales", "q-support"}, Channels: []types.Channel{types.ChannelChat}},
		Groupings: []types.Grouping{types.GroupingQueue},
		CurrentMetrics: []types.CurrentMetric{{Name: types.CurrentMetricNameContactsInQueue, Unit: types.UnitCount},
			{Name: types.CurrentMetricNameOldestContactAge, Unit: types.UnitSeconds},
			{Name: types.CurrentMetricNameAgentsAvailable, Unit: types.UnitCount}},
		MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatalf("GetCurrentMetricData: %v", err)
	}
	if len(md.MetricResults) != 2 || !aws.ToTime(md.DataSnapshotTime).Equal(metricsNow) || aws.ToInt64(md.ApproximateTotalCount) != 2 {
		t.Fatalf("GetCurrentMetricData = %+v", md)
	}
	r := md.MetricResults[0]
	if aws.ToString(r.Dimensions.Queue.Id) != "q-sales" || aws.ToString(r.Dimensions.Queue.Arn) != mARN("queue", "q-sales") ||
		len(r.Collections) != 3 || r.Collections[1].Metric.Name != types.CurrentMetricNameOldestContactAge ||
		r.Collections[1].Metric.Unit != types.UnitSeconds || aws.ToFloat64(r.Collections[1].Value) != 120 ||
		aws.ToFloat64(r.Collections[0].Value) != 1 || aws.ToFloat64(r.Collections[2].Value) != 1 {
		t.Errorf("first result = %+v", r)
	}
	_, err = c.GetCurrentMetricData(t.Context(), &connect.GetCurrentMetricDataInput{InstanceId: inst,
		Filters:        &types.Filters{Queues: []string{"q-sales"}, RoutingProfiles: []string{"rp-sales"}},
		CurrentMetrics: []types.CurrentMetric{{Name: types.CurrentMetricNameAgentsOnline}}})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("both filters: err = %v, want InvalidParameterException", err)
	}

	ud, err := c.GetCurrentUserData(t.Context(), &connect.GetCurrentUserDataInput{InstanceId: inst,
		Filters: &types.UserDataFilters{Agents: []string{"u-bob"},
			ContactFilter: &types.ContactFilter{ContactStates: []types.ContactState{types.ContactStateConnecting}}}})
	if err != nil {
		t.Fatalf("GetCurrentUserData: %v", err)
	}
	if len(ud.UserDataList) != 1 || aws.ToInt64(ud.ApproximateTotalCount) != 1 {
		t.Fatalf("GetCurrentUserData = %+v", ud)
	}
	u := ud.UserDataList[0]
	if aws.ToString(u.User.Id) != "u-bob" || aws.ToString(u.RoutingProfile.Id) != "rp-both" ||
		aws.ToString(u.Status.StatusName) != "Available" || !aws.ToTime(u.Status.StatusStartTimestamp).Equal(metricsNow.Add(-time.Hour)) ||
		u.MaxSlotsByChannel["CHAT"] != 3 || u.AvailableSlotsByChannel["CHAT"] != 2 || u.ActiveSlotsByChannel["CHAT"] != 0 {
		t.Errorf("user data = %+v", u)
	}
	if len(u.Contacts) != 1 || aws.ToString(u.Contacts[0].ContactId) != "c2" ||
		u.Contacts[0].AgentContactState != types.ContactStateConnecting || u.Contacts[0].Channel != types.ChannelChat ||
		u.Contacts[0].InitiationMethod != types.ContactInitiationMethodTransfer ||
		!aws.ToTime(u.Contacts[0].StateStartTimestamp).Equal(metricsNow.Add(-5*time.Second)) ||
		aws.ToString(u.Contacts[0].Queue.Id) != "q-support" {
		t.Errorf("contacts = %+v", u.Contacts)
	}
}
