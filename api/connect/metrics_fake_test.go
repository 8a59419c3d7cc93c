package connect

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
)

// fakeLive stands in for *agents.Service: it answers a fixed live view.
type fakeLive struct{ view agents.LiveView }

func (f *fakeLive) LiveView() agents.LiveView { return f.view }

var _ liveService = (*fakeLive)(nil)

// metricsAdmin is a fake admin service with several queues and routing profiles, for the real-time metrics.
type metricsAdmin struct {
	*fakeAdmin
	queues   []*parley.Queue
	profiles []*parley.RoutingProfile
}

func (f *metricsAdmin) ListQueues(_ context.Context, instanceID string) ([]*parley.Queue, error) {
	return orErr(f.queues, f.rec("ListQueues", instanceID))
}

func (f *metricsAdmin) ListRoutingProfiles(_ context.Context, instanceID string) ([]*parley.RoutingProfile, error) {
	return orErr(f.profiles, f.rec("ListRoutingProfiles", instanceID))
}

// metricsNow is the moment of the fake live view.
var metricsNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const mInst = "arn:aws:connect:us-west-2:123456789012:instance/i-1"

func mARN(kind, id string) string { return mInst + "/" + kind + "/" + id }

// newMetricsFakes returns a contact center at metricsNow:
//
//   - queues Sales, Support, Empty; routing profiles rp-sales (Sales, 2 chat slots), rp-both (Sales and Support,
//     3 slots) and rp-voice (Support for VOICE only, 1 slot);
//   - agents: ann (rp-sales, Available, connected to c1 from Sales), bob (rp-both, Available, offered c2 from
//     Support), cat (rp-both, Lunch), dan (rp-sales, missed an offer), eve (rp-sales, Offline), fay (rp-both,
//     after-contact work on c4 from Sales), gus (rp-sales, Available and idle), hal (rp-voice, Available), and
//     ghost, an agent of another instance;
//   - waiting: w1 in Sales for 120 s, w2 in Support for 10 s, and w3 in another instance's queue for 500 s.
func newMetricsFakes() (*metricsAdmin, *fakeLive) {
	q := func(id, name string) *parley.Queue {
		return &parley.Queue{ID: id, InstanceID: "i-1", ARN: mARN("queue", id), Name: name}
	}
	rp := func(id string, slots int, queues ...parley.RoutingProfileQueue) *parley.RoutingProfile {
		return &parley.RoutingProfile{ID: id, InstanceID: "i-1", ARN: mARN("routing-profile", id), Name: id,
			ChatConcurrency: slots, Queues: queues}
	}
	chatQ := func(id string) parley.RoutingProfileQueue {
		return parley.RoutingProfileQueue{QueueID: id, Channel: parley.ChannelChat, Priority: 1}
	}
	fa := newFakeAdmin()
	f := &metricsAdmin{fakeAdmin: fa,
		queues: []*parley.Queue{q("q-empty", "Empty"), q("q-sales", "Sales"), q("q-support", "Support")},
		profiles: []*parley.RoutingProfile{rp("rp-both", 3, chatQ("q-sales"), chatQ("q-support")),
			rp("rp-sales", 2, chatQ("q-sales")),
			rp("rp-voice", 1, parley.RoutingProfileQueue{QueueID: "q-support", Channel: "VOICE", Priority: 1})},
	}
	for _, name := range []string{"ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"} {
		fa.users = append(fa.users, &parley.User{ID: "u-" + name, InstanceID: "i-1", ARN: mARN("agent", "u-"+name),
			Username: name})
	}
	available := &parley.AgentStatus{ID: "st-av", ARN: mARN("agent-state", "st-av"), Name: "Available", Type: parley.StatusRoutable}
	lunch := &parley.AgentStatus{ID: "st-lunch", ARN: mARN("agent-state", "st-lunch"), Name: "Lunch", Type: parley.StatusCustom}
	offline := &parley.AgentStatus{ID: "st-off", ARN: mARN("agent-state", "st-off"), Name: "Offline", Type: parley.StatusOffline}
	ago := func(s int) time.Time { return metricsNow.Add(-time.Duration(s) * time.Second) }
	agent := func(name, profile string, st *parley.AgentStatus, activity agents.SystemState, routable bool, slots int,
		contacts ...agents.HeldContact) agents.AgentView {
		a := agents.AgentView{UserID: "u-" + name, InstanceID: "i-1", RoutingProfileID: profile, Status: st,
			StatusSince: ago(3600), Activity: activity, Routable: routable, Slots: slots, Contacts: contacts,
			Missed: activity == agents.SystemMissed}
		for _, p := range f.profiles {
			if p.ID == profile {
				a.ChatQueues = chatQueues(p)
			}
		}
		return a
	}
	live := &fakeLive{view: agents.LiveView{Time: metricsNow,
		Agents: []agents.AgentView{
			agent("ann", "rp-sales", available, agents.SystemBusy, true, 2, agents.HeldContact{ContactID: "c1",
				QueueID: "q-sales", InitiationMethod: "API", State: agents.ContactConnected, StateSince: ago(60),
				ConnectedAt: ago(60), EnqueuedAt: ago(90)}),
			agent("bob", "rp-both", available, agents.SystemPending, true, 3, agents.HeldContact{ContactID: "c2",
				QueueID: "q-support", InitiationMethod: "TRANSFER", State: agents.ContactOffered, StateSince: ago(5),
				EnqueuedAt: ago(30)}),
			agent("cat", "rp-both", lunch, agents.SystemCustom, false, 3),
			agent("dan", "rp-sales", available, agents.SystemMissed, false, 2),
			agent("eve", "rp-sales", offline, agents.SystemOffline, false, 2),
			agent("fay", "rp-both", available, agents.SystemACW, true, 3, agents.HeldContact{ContactID: "c4",
				QueueID: "q-sales", InitiationMethod: "API", State: agents.ContactACW, StateSince: ago(20),
				ConnectedAt: ago(200), EnqueuedAt: ago(300)}),
			agent("ghost", "rp-other", available, agents.SystemAvailable, true, 3),
			agent("gus", "rp-sales", available, agents.SystemAvailable, true, 2),
			agent("hal", "rp-voice", available, agents.SystemAvailable, true, 1),
		},
		Waiting: []agents.QueuedContact{{ContactID: "w3", QueueID: "q-other", EnqueuedAt: ago(500)},
			{ContactID: "w1", QueueID: "q-sales", EnqueuedAt: ago(120)},
			{ContactID: "w2", QueueID: "q-support", EnqueuedAt: ago(10)}},
	}}
	return f, live
}

// newMetricsHandler returns the handler over the metrics fakes, with a dev-mode verifier.
func newMetricsHandler(t testing.TB, f *metricsAdmin, live *fakeLive) http.Handler {
	t.Helper()
	return newHandler(&fakeBackend{t: t}, f, devVerifier(t), slog.New(slog.DiscardHandler),
		func(h *handler) { h.live = live })
}
