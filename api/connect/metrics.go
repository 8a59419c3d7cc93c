package connect

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
	"github.com/parley-chat/parley/wire"
)

// The real-time metrics operations, GetCurrentMetricData and GetCurrentUserData, computed from one live view of
// the routing (agents.LiveView) joined with the instance's configuration (queues, routing profiles, users). parley
// routes chats only: every agent and contact metric is a CHAT metric, and the other channels count zero.

// liveService is the part of *agents.Service the real-time metrics read; tests substitute a fake.
type liveService interface {
	// LiveView returns one consistent picture of every agent and waiting contact.
	LiveView() agents.LiveView
}

var _ liveService = (*agents.Service)(nil)

// Option configures the handler New returns.
type Option func(*handler)

// WithAgents serves GetCurrentMetricData and GetCurrentUserData from the agent service; without it (or with a
// nil service) they answer InvalidRequestException.
func WithAgents(a *agents.Service) Option {
	return func(h *handler) {
		if a != nil {
			h.live = a
		}
	}
}

// Page size of the real-time metrics operations (model: MaxResult100; no default is documented, parley takes
// the maximum).
const maxMetricsPage = 100

// metricsRoutes are the real-time metrics operations (POST; shapes and checks generated, see metrics_validate.go).
var metricsRoutes = []route{
	operation(kindMetrics, "GetCurrentMetricData", http.MethodPost, wire.PathGetCurrentMetricData,
		(*handler).getCurrentMetricData),
	operation(kindMetrics, "GetCurrentUserData", http.MethodPost, wire.PathGetCurrentUserData,
		(*handler).getCurrentUserData),
}

// metricsConfig is the configuration of an instance that the real-time metrics join with the live view.
type metricsConfig struct {
	queues    []*parley.Queue
	queueByID map[string]*parley.Queue
	profiles  []*parley.RoutingProfile
	profileBy map[string]*parley.RoutingProfile
	users     []*parley.User
	userByID  map[string]*parley.User
}

// loadMetricsConfig reads the instance's queues, routing profiles and users. Errors: ENOTFOUND for an unknown
// instance.
func (h *handler) loadMetricsConfig(ctx context.Context, instanceID string) (*metricsConfig, error) {
	queues, err := h.adm.ListQueues(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	profiles, err := h.adm.ListRoutingProfiles(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	users, err := h.adm.ListUsers(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	mc := &metricsConfig{queues: queues, profiles: profiles, users: users, queueByID: map[string]*parley.Queue{},
		profileBy: map[string]*parley.RoutingProfile{}, userByID: map[string]*parley.User{}}
	for _, q := range queues {
		mc.queueByID[q.ID] = q
	}
	for _, p := range profiles {
		mc.profileBy[p.ID] = p
	}
	for _, u := range users {
		mc.userByID[u.ID] = u
	}
	return mc, nil
}

// refID accepts an id or an ARN (".../queue/<id>") and returns the id.
func refID(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			return s[i+1:]
		}
	}
	return s
}

// resolve turns the ids or ARNs of a filter into ids of objects of the instance, without duplicates, in the
// filter's order. Errors: ENOTFOUND naming the first unknown reference.
func resolve[T any](refs []string, byID map[string]T, resource, what, instanceID string) ([]string, error) {
	var ids []string
	for _, ref := range refs {
		id := refID(ref)
		if _, ok := byID[id]; !ok {
			return nil, parley.NotFound(resource, "%s %s not found in instance %s", what, truncate(ref, 200), instanceID)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// chatQueues returns the queues a routing profile serves for chats, in the profile's order.
func chatQueues(p *parley.RoutingProfile) []string {
	var out []string
	for _, q := range p.Queues {
		if (q.Channel == "" || q.Channel == parley.ChannelChat) && !slices.Contains(out, q.QueueID) {
			out = append(out, q.QueueID)
		}
	}
	return out
}

// instanceAgents returns the live agents that are users of the instance.
func instanceAgents(v agents.LiveView, mc *metricsConfig) []agents.AgentView {
	var out []agents.AgentView
	for _, a := range v.Agents {
		if _, ok := mc.userByID[a.UserID]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Agent activity, as the metrics count it.

func online(a agents.AgentView) bool { return a.Activity != agents.SystemOffline }

func onContact(a agents.AgentView) bool {
	return a.Activity == agents.SystemBusy || a.Activity == agents.SystemPending
}

// activeSlots counts the agent's slots that hold a contact being accepted, connected or in after-contact work
// (Connect's "Active"; an offer that rings is not active yet).
func activeSlots(a agents.AgentView) int {
	n := 0
	for _, c := range a.Contacts {
		if c.State != agents.ContactOffered {
			n++
		}
	}
	return n
}

// availableSlots counts the agent's free slots that the routing may fill now (Connect's "Availability").
func availableSlots(a agents.AgentView) int {
	if !a.Routable {
		return 0
	}
	return max(0, a.Slots-len(a.Contacts))
}

// inQueue reports whether a held contact still counts as in its queue: it leaves the queue when the agent is
// connected, as in Connect, so an offered contact is still in queue.
func inQueue(c agents.HeldContact) bool {
	return c.State == agents.ContactOffered || c.State == agents.ContactConnecting
}

// metricGroup is one result of GetCurrentMetricData: the values of its dimensions (nil or "" when not grouped).
type metricGroup struct {
	queue   *parley.Queue
	profile *parley.RoutingProfile
	channel string
	values  map[string]*float64
}

// filterConfig loads the instance's configuration and resolves the queue and routing-profile filters (ids or
// ARNs) to ids; ResourceNotFoundException names the first unknown one.
func (h *handler) filterConfig(ctx context.Context, instance string, queues, profiles *[]string) (*metricsConfig, error) {
	mc, err := h.loadMetricsConfig(ctx, instance)
	if err != nil {
		return nil, err
	}
	if *queues, err = resolve(*queues, mc.queueByID, "QUEUE", "queue", instance); err != nil {
		return nil, err
	}
	if *profiles, err = resolve(*profiles, mc.profileBy, "ROUTING_PROFILE", "routing profile", instance); err != nil {
		return nil, err
	}
	return mc, nil
}

func (h *handler) getCurrentMetricData(ctx context.Context, in *wire.GetCurrentMetricDataRequest) (*wire.GetCurrentMetricDataResponse, error) {
	q, err := currentMetricQuery(in)
	if err != nil {
		return nil, err
	}
	mc, err := h.filterConfig(ctx, in.InstanceID, &q.queues, &q.profiles)
	if err != nil {
		return nil, err
	}
	view := h.live.LiveView()
	groups := metricGroups(q, mc)
	ags := instanceAgents(view, mc)
	for i := range groups {
		groups[i].values = groupValues(q, mc, &groups[i], ags, view)
	}
	// Connect sorts by AGENTS_ONLINE, descending, unless told otherwise; ties keep the filter's order.
	slices.SortStableFunc(groups, func(a, b metricGroup) int {
		x, y := deref0(a.values[q.sortBy]), deref0(b.values[q.sortBy])
		if q.descending {
			return cmp.Compare(y, x)
		}
		return cmp.Compare(x, y)
	})
	page, next := paginate(groups, q.page, "current-metrics")
	resp := &wire.GetCurrentMetricDataResponse{MetricResults: make([]wire.CurrentMetricResult, 0, len(page)),
		DataSnapshotTime: wire.Epoch(view.Time), ApproximateTotalCount: int64(len(groups)), NextToken: next}
	for _, g := range page {
		res := wire.CurrentMetricResult{Collections: make([]wire.CurrentMetricData, 0, len(q.metrics))}
		if len(q.groupings) > 0 {
			res.Dimensions = &wire.Dimensions{Channel: g.channel}
			if g.queue != nil {
				res.Dimensions.Queue = &wire.QueueReference{ID: g.queue.ID, Arn: g.queue.ARN}
			}
			if g.profile != nil {
				res.Dimensions.RoutingProfile = &wire.RoutingProfileReference{ID: g.profile.ID, Arn: g.profile.ARN}
			}
		}
		for _, m := range q.metrics {
			res.Collections = append(res.Collections, wire.CurrentMetricData{Metric: m.echo, Value: g.values[m.name]})
		}
		resp.MetricResults = append(resp.MetricResults, res)
	}
	return resp, nil
}

func deref0(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// metricGroups lists the results of a request: one without groupings, else one per combination of the grouped
// dimensions' values, in the order of the groupings. The values of a dimension come from the filter: the
// queues of the filter (or those the filter's routing profiles serve), the routing profiles of the filter (or
// those serving a queue of the filter), the channels of the filter (or CHAT). A queue and a routing profile are
// combined only when the profile serves the queue.
func metricGroups(q *metricQuery, mc *metricsConfig) []metricGroup {
	scopeQueues := q.queues
	if len(q.profiles) > 0 {
		scopeQueues = nil
		for _, qu := range mc.queues {
			for _, id := range q.profiles {
				if slices.Contains(chatQueues(mc.profileBy[id]), qu.ID) && !slices.Contains(scopeQueues, qu.ID) {
					scopeQueues = append(scopeQueues, qu.ID)
				}
			}
		}
	}
	scopeProfiles := q.profiles
	if len(q.queues) > 0 {
		scopeProfiles = nil
		for _, p := range mc.profiles {
			if slices.ContainsFunc(chatQueues(p), func(id string) bool { return slices.Contains(q.queues, id) }) {
				scopeProfiles = append(scopeProfiles, p.ID)
			}
		}
	}
	channels := q.channels
	if len(channels) == 0 {
		channels = []string{string(parley.ChannelChat)}
	}
	groups := []metricGroup{{}}
	for _, g := range q.groupings {
		var next []metricGroup
		for _, base := range groups {
			switch g {
			case "QUEUE":
				for _, id := range scopeQueues {
					if base.profile != nil && !slices.Contains(chatQueues(base.profile), id) {
						continue
					}
					n := base
					n.queue = mc.queueByID[id]
					next = append(next, n)
				}
			case "ROUTING_PROFILE":
				for _, id := range scopeProfiles {
					p := mc.profileBy[id]
					if base.queue != nil && !slices.Contains(chatQueues(p), base.queue.ID) {
						continue
					}
					n := base
					n.profile = p
					next = append(next, n)
				}
			case "CHANNEL":
				for _, ch := range channels {
					n := base
					n.channel = ch
					next = append(next, n)
				}
			}
		}
		groups = next
	}
	return groups
}

// groupValues computes every metric of one group.
func groupValues(q *metricQuery, mc *metricsConfig, g *metricGroup, ags []agents.AgentView, v agents.LiveView) map[string]*float64 {
	counts := map[string]float64{}
	for _, name := range enumCurrentMetricName {
		counts[name] = 0
	}
	out := func() map[string]*float64 {
		m := map[string]*float64{}
		for name, n := range counts {
			m[name] = &n
		}
		// parley does not estimate wait times: the value is null, as Connect answers without enough data.
		m["ESTIMATED_WAIT_TIME"] = nil
		return m
	}
	chat := string(parley.ChannelChat)
	if (g.channel != "" && g.channel != chat) || (g.channel == "" && len(q.channels) > 0 && !slices.Contains(q.channels, chat)) {
		return out()
	}

	// The queues whose contacts the group counts.
	var queues []string
	switch {
	case g.queue != nil:
		queues = []string{g.queue.ID}
	case g.profile != nil:
		for _, id := range chatQueues(g.profile) {
			if len(q.queues) == 0 || slices.Contains(q.queues, id) {
				queues = append(queues, id)
			}
		}
	case len(q.queues) > 0:
		queues = q.queues
	default:
		for _, id := range q.profiles {
			for _, qid := range chatQueues(mc.profileBy[id]) {
				if !slices.Contains(queues, qid) {
					queues = append(queues, qid)
				}
			}
		}
	}
	// The agents the group counts: of the group's routing profile (or one of the filter's), serving the group's
	// queue (or one of the filter's).
	member := func(a agents.AgentView) bool {
		switch {
		case g.profile != nil:
			if a.RoutingProfileID != g.profile.ID {
				return false
			}
		case len(q.profiles) > 0:
			if !slices.Contains(q.profiles, a.RoutingProfileID) {
				return false
			}
		}
		switch {
		case g.queue != nil:
			return slices.Contains(a.ChatQueues, g.queue.ID)
		case len(q.queues) > 0:
			return slices.ContainsFunc(a.ChatQueues, func(id string) bool { return slices.Contains(q.queues, id) })
		}
		return true
	}
	var oldest time.Time
	addContact := func(queueID string, enqueuedAt time.Time) {
		if !slices.Contains(queues, queueID) {
			return
		}
		counts["CONTACTS_IN_QUEUE"]++
		if oldest.IsZero() || (!enqueuedAt.IsZero() && enqueuedAt.Before(oldest)) {
			oldest = enqueuedAt
		}
	}
	for _, c := range v.Waiting {
		addContact(c.QueueID, c.EnqueuedAt)
	}
	for _, a := range v.Agents {
		for _, c := range a.Contacts {
			if inQueue(c) {
				addContact(c.QueueID, c.EnqueuedAt)
			}
		}
	}
	if !oldest.IsZero() && v.Time.After(oldest) {
		age := v.Time.Sub(oldest)
		if len(q.groupings) > 0 {
			counts["OLDEST_CONTACT_AGE"] = float64(age / time.Second)
		} else {
			// Connect's documented quirk: without groupings the value is in milliseconds, the unit still SECONDS.
			counts["OLDEST_CONTACT_AGE"] = float64(age / time.Millisecond)
		}
	}
	for _, a := range ags {
		if !member(a) {
			continue
		}
		if online(a) {
			counts["AGENTS_ONLINE"]++
		}
		switch {
		case a.Activity == agents.SystemAvailable:
			counts["AGENTS_AVAILABLE"]++
			counts["AGENTS_STAFFED"]++
		case onContact(a):
			counts["AGENTS_ON_CONTACT"]++
			counts["AGENTS_ON_CALL"]++
			counts["AGENTS_STAFFED"]++
		case a.Activity == agents.SystemACW:
			counts["AGENTS_AFTER_CONTACT_WORK"]++
			counts["AGENTS_STAFFED"]++
		case a.Activity == agents.SystemMissed:
			counts["AGENTS_ERROR"]++
		case a.Activity == agents.SystemCustom:
			counts["AGENTS_NON_PRODUCTIVE"]++
		}
		counts["SLOTS_ACTIVE"] += float64(activeSlots(a))
		counts["SLOTS_AVAILABLE"] += float64(availableSlots(a))
	}
	return out()
}

func (h *handler) getCurrentUserData(ctx context.Context, in *wire.GetCurrentUserDataRequest) (*wire.GetCurrentUserDataResponse, error) {
	q, err := currentUserQuery(in)
	if err != nil {
		return nil, err
	}
	mc, err := h.filterConfig(ctx, in.InstanceID, &q.queues, &q.profiles)
	if err != nil {
		return nil, err
	}
	if q.agents, err = resolve(q.agents, mc.userByID, "USER", "user", in.InstanceID); err != nil {
		return nil, err
	}
	live := map[string]agents.AgentView{}
	for _, a := range h.live.LiveView().Agents {
		live[a.UserID] = a
	}
	// Users in the configuration's order (by username); only those logged in: with a status other than Offline,
	// or still holding a contact.
	var selected []wire.UserData
	for _, u := range mc.users {
		a, ok := live[u.ID]
		if !ok || !online(a) || !q.selects(a) {
			continue
		}
		selected = append(selected, userData(u, a, mc))
	}
	page, next := paginate(selected, q.page, "user-data")
	resp := &wire.GetCurrentUserDataResponse{UserDataList: make([]wire.UserData, 0, len(page)),
		ApproximateTotalCount: int64(len(selected)), NextToken: next}
	resp.UserDataList = append(resp.UserDataList, page...)
	return resp, nil
}

// contactState is Connect's AgentContactState of a held contact: an offered chat is CONNECTING (Connect's state
// of a queued inbound contact routed to the agent), a contact in after-contact work is ENDED.
func contactState(c agents.HeldContact) string {
	switch c.State {
	case agents.ContactConnected:
		return "CONNECTED"
	case agents.ContactACW:
		return "ENDED"
	default:
		return "CONNECTING"
	}
}

// selects reports whether the request's filters keep an agent.
func (q *userQuery) selects(a agents.AgentView) bool {
	switch {
	case len(q.queues) > 0:
		if !slices.ContainsFunc(a.ChatQueues, func(id string) bool { return slices.Contains(q.queues, id) }) {
			return false
		}
	case len(q.profiles) > 0:
		if !slices.Contains(q.profiles, a.RoutingProfileID) {
			return false
		}
	case len(q.agents) > 0:
		if !slices.Contains(q.agents, a.UserID) {
			return false
		}
	}
	if len(q.states) > 0 {
		return slices.ContainsFunc(a.Contacts, func(c agents.HeldContact) bool {
			return slices.Contains(q.states, contactState(c))
		})
	}
	return true
}

// userData is the GetCurrentUserData entry of a user.
func userData(u *parley.User, a agents.AgentView, mc *metricsConfig) wire.UserData {
	chat := string(parley.ChannelChat)
	d := wire.UserData{User: &wire.UserReference{ID: u.ID, Arn: u.ARN},
		MaxSlotsByChannel:       map[string]int{chat: a.Slots},
		ActiveSlotsByChannel:    map[string]int{chat: activeSlots(a)},
		AvailableSlotsByChannel: map[string]int{chat: availableSlots(a)},
		Contacts:                make([]wire.AgentContactReference, 0, len(a.Contacts))}
	if p := mc.profileBy[a.RoutingProfileID]; p != nil {
		d.RoutingProfile = &wire.RoutingProfileReference{ID: p.ID, Arn: p.ARN}
	}
	if a.Status != nil {
		d.Status = &wire.AgentStatusReference{StatusStartTimestamp: wire.Epoch(a.StatusSince), StatusArn: a.Status.ARN,
			StatusName: a.Status.Name}
	}
	for _, c := range a.Contacts {
		ref := wire.AgentContactReference{ContactID: c.ContactID, Channel: chat, InitiationMethod: c.InitiationMethod,
			AgentContactState: contactState(c), StateStartTimestamp: wire.Epoch(c.StateSince),
			ConnectedToAgentTimestamp: wire.Epoch(c.ConnectedAt)}
		if !slices.Contains(enumContactInitiationMethod, ref.InitiationMethod) {
			ref.InitiationMethod = "API"
		}
		if qu := mc.queueByID[c.QueueID]; qu != nil {
			ref.Queue = &wire.QueueReference{ID: qu.ID, Arn: qu.ARN}
		}
		d.Contacts = append(d.Contacts, ref)
	}
	return d
}
