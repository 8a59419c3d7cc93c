package e2e

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

// TestClusterViews: the read views are the routing node's on every node. Node A starts first and holds the
// routing lease; an agent logs in on node B, whose memory holds no routing state. When a chat arrives, the agent's
// stream on B hears the offer, and B's /me and /contacts show it offered, then connected; a supervisor on B sees
// the same /live-contacts and /queues as on A, and GetCurrentMetricData answers the same on both nodes.
func TestClusterViews(t *testing.T) {
	node, _, _, _ := clusterNode(t)
	a := testserver.Start(t, node) // first: it takes the routing lease
	b := testserver.Start(t, node)
	if !a.Agents().Lead(context.Background()) || b.Agents().Lead(context.Background()) {
		t.Fatal("node A, started first, does not hold the routing lease alone")
	}
	ea := &env{t: t, srv: a, cc: connectClient(a), pc: participantClient(a.URL, a.Region)}
	eb := &env{t: t, srv: b, cc: connectClient(b), pc: participantClient(b.URL, b.Region)}
	setupCenter(t, eb)
	basic, basicARN := basicQueue(t, eb)

	ann := login(t, b.URL, "ann", "Passw0rd-ann") // serves BasicQueue; her stream and session are on B
	sue := login(t, b.URL, "sue", "Passw0rd-sue")
	sue.must("PUT", "/status", wire.StatusRequest{Status: "Offline"}, nil)
	sueOnA := &agentClient{t: t, base: a.URL, token: sue.token} // the same session, asking node A

	// views returns what a supervisor sees of the queues and the live contacts through one node.
	type views struct {
		Queues []wire.QueueStatus
		Live   []wire.AgentContact
	}
	viewsOf := func(c *agentClient) views {
		t.Helper()
		var v views
		var q struct{ Queues []wire.QueueStatus }
		c.must("GET", "/queues", nil, &q)
		var l wire.AgentContactsResponse
		c.must("GET", "/live-contacts", nil, &l)
		v.Queues, v.Live = q.Queues, l.Contacts
		for i := range v.Queues {
			v.Queues[i].OldestContactAgeSeconds = 0 // the clock moves between the two requests
		}
		return v
	}
	// same waits until node B's views and metrics equal node A's and check accepts them: every view is read
	// again until both agree, because an event reaches the routing node a moment after the request that made it.
	same := func(step string, check func(v views, m map[ctypes.CurrentMetricName]float64) bool) views {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			va, vb := viewsOf(sueOnA), viewsOf(sue)
			ma, mb := currentMetrics(t, ea, basicARN), currentMetrics(t, eb, basicARN)
			if reflect.DeepEqual(va, vb) && reflect.DeepEqual(ma, mb) && check(vb, mb) {
				return vb
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: node B sees %+v and metrics %v; node A %+v and %v", step, vb, mb, va, ma)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	queueOf := func(v views) wire.QueueStatus {
		for _, q := range v.Queues {
			if q.ID == basic {
				return q
			}
		}
		t.Fatalf("no BasicQueue in %+v", v.Queues)
		return wire.QueueStatus{}
	}
	same("ann available", func(v views, m map[ctypes.CurrentMetricName]float64) bool {
		return queueOf(v).AgentsAvailable == 1 && m[ctypes.CurrentMetricNameAgentsAvailable] == 1 && len(v.Live) == 0
	})

	ch := ea.startChat() // the customer comes through node A
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's stream on node B got offer %+v, want %s", offer.Contact, ch.ContactID)
	}
	var me struct{ State wire.AgentState }
	ann.must("GET", "/me", nil, &me)
	if me.State.System != wire.SystemPending || len(me.State.Contacts) != 1 || me.State.Contacts[0].ContactID != ch.ContactID ||
		me.State.Contacts[0].State != wire.AgentContactOffered {
		t.Fatalf("ann's /me on node B while offered: %+v", me.State)
	}
	var mine wire.AgentContactsResponse
	ann.must("GET", "/contacts", nil, &mine)
	if len(mine.Contacts) != 1 || mine.Contacts[0].State != wire.AgentContactOffered {
		t.Fatalf("ann's /contacts on node B while offered: %+v", mine)
	}
	same("offered", func(v views, _ map[ctypes.CurrentMetricName]float64) bool {
		return len(v.Live) == 1 && v.Live[0].ContactID == ch.ContactID && v.Live[0].State == wire.AgentContactOffered
	})

	var acc wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &acc)
	if ev := ann.until(wire.EventContactConnected); ev.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's stream on node B: %+v", ev.Contact)
	}
	ann.must("GET", "/me", nil, &me)
	if me.State.System != wire.SystemBusy || len(me.State.Contacts) != 1 || me.State.Contacts[0].State != wire.AgentContactConnected ||
		me.State.Contacts[0].ParticipantToken == "" {
		t.Fatalf("ann's /me on node B once connected: %+v", me.State)
	}
	ann.must("GET", "/contacts", nil, &mine)
	if len(mine.Contacts) != 1 || mine.Contacts[0].State != wire.AgentContactConnected {
		t.Fatalf("ann's /contacts on node B once connected: %+v", mine)
	}
	same("connected", func(v views, m map[ctypes.CurrentMetricName]float64) bool {
		return len(v.Live) == 1 && v.Live[0].State == wire.AgentContactConnected && v.Live[0].ParticipantToken == "" &&
			queueOf(v).AgentsOnContact == 1 && m[ctypes.CurrentMetricNameAgentsOnContact] == 1 &&
			m[ctypes.CurrentMetricNameSlotsActive] == 1
	})
	for _, e := range []*env{ea, eb} {
		out, err := e.cc.GetCurrentUserData(ctx(t), &connect.GetCurrentUserDataInput{InstanceId: aws.String(e.srv.InstanceID),
			Filters: &ctypes.UserDataFilters{Agents: []string{ann.user.ID}}})
		if err != nil {
			t.Fatalf("GetCurrentUserData on %s: %v", e.srv.URL, err)
		}
		if len(out.UserDataList) != 1 || len(out.UserDataList[0].Contacts) != 1 ||
			aws.ToString(out.UserDataList[0].Contacts[0].ContactId) != ch.ContactID ||
			out.UserDataList[0].Contacts[0].AgentContactState != ctypes.ContactStateConnected {
			t.Fatalf("GetCurrentUserData on %s: %+v, want ann connected to %s", e.srv.URL, out.UserDataList, ch.ContactID)
		}
	}
	var agents struct{ Agents []wire.AgentState }
	sue.must("GET", "/agents", nil, &agents)
	busy := 0
	for _, st := range agents.Agents {
		if st.UserID == ann.user.ID && st.System == wire.SystemBusy {
			busy++
		}
	}
	if busy != 1 {
		t.Fatalf("/agents on node B: %+v, want ann busy", agents.Agents)
	}
}

// basicQueue returns the id and ARN of BasicQueue, where the default flow queues chats.
func basicQueue(t *testing.T, e *env) (id, arn string) {
	t.Helper()
	queues, err := e.cc.ListQueues(ctx(t), &connect.ListQueuesInput{InstanceId: aws.String(e.srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range queues.QueueSummaryList {
		if aws.ToString(s.Name) == "BasicQueue" {
			return aws.ToString(s.Id), aws.ToString(s.Arn)
		}
	}
	t.Fatal("no BasicQueue")
	return "", ""
}

// currentMetrics returns the count metrics of a queue from GetCurrentMetricData through e's node.
func currentMetrics(t *testing.T, e *env, queueARN string) map[ctypes.CurrentMetricName]float64 {
	t.Helper()
	in := &connect.GetCurrentMetricDataInput{InstanceId: aws.String(e.srv.InstanceID),
		Filters:   &ctypes.Filters{Queues: []string{queueARN}, Channels: []ctypes.Channel{ctypes.ChannelChat}},
		Groupings: []ctypes.Grouping{ctypes.GroupingQueue}}
	for _, n := range []ctypes.CurrentMetricName{ctypes.CurrentMetricNameContactsInQueue, ctypes.CurrentMetricNameAgentsOnline,
		ctypes.CurrentMetricNameAgentsAvailable, ctypes.CurrentMetricNameAgentsOnContact, ctypes.CurrentMetricNameSlotsActive,
		ctypes.CurrentMetricNameSlotsAvailable} {
		in.CurrentMetrics = append(in.CurrentMetrics, ctypes.CurrentMetric{Name: n, Unit: ctypes.UnitCount})
	}
	out, err := e.cc.GetCurrentMetricData(ctx(t), in)
	if err != nil {
		t.Fatalf("GetCurrentMetricData: %v", err)
	}
	got := map[ctypes.CurrentMetricName]float64{}
	for _, r := range out.MetricResults {
		for _, col := range r.Collections {
			got[col.Metric.Name] = aws.ToFloat64(col.Value)
		}
	}
	return got
}
