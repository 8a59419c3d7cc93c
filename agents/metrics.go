package agents

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/routing"
)

// LiveView is one consistent picture of routing, taken under the service's lock, for the real-time metrics of
// the Connect API (GetCurrentMetricData, GetCurrentUserData). It is a copy: callers may keep and change it.
type LiveView struct {
	// Time is when the picture was taken (the service's clock).
	Time time.Time
	// Agents are the agents the service knows, of every instance, ordered by user id.
	Agents []AgentView
	// Waiting are the contacts waiting in a queue and not offered to anyone, of every queue (queue ids are unique
	// across instances), oldest first.
	Waiting []QueuedContact
}

// AgentView is an agent as the real-time metrics see it.
type AgentView struct {
	UserID     string
	InstanceID string
	// RoutingProfileID is the profile the routing uses for the agent; empty when it has none.
	RoutingProfileID string
	// ChatQueues are the queues its routing profile serves for chats, in the profile's order.
	ChatQueues []string
	// Status is the status the agent chose; nil when it never chose one. StatusSince is when.
	Status      *parley.AgentStatus
	StatusSince time.Time
	// Activity is the agent's system state, as its workspace sees it (State.System).
	Activity SystemState
	// Missed is set while the agent is in Connect's Missed state (an offer timed out).
	Missed bool
	// Routable is set when the routing may offer the agent contacts: a routable status, not missed, a profile.
	Routable bool
	// Slots is the agent's chat concurrency.
	Slots int
	// Contacts are the contacts the agent holds (offered, being accepted, connected, after-contact work).
	Contacts []HeldContact
}

// HeldContact is a contact an agent holds.
type HeldContact struct {
	ContactID        string
	QueueID          string
	InitiationMethod string
	// State is ContactOffered, ContactConnected or ContactACW, or ContactConnecting while an accept is in
	// flight.
	State ContactState
	// StateSince is when the contact entered State (offered, accepted or ended).
	StateSince  time.Time
	ConnectedAt time.Time
	EnqueuedAt  time.Time
}

// QueuedContact is a contact waiting in a queue.
type QueuedContact struct {
	ContactID  string
	QueueID    string
	EnqueuedAt time.Time
}

// LiveView returns the current picture of agents and waiting contacts; on a node that does not route, the
// routing node's (reads.go).
func (s *Service) LiveView() LiveView {
	v, _ := remoteRead(context.Background(), s, readLiveView, "", "", noErr(s.localLiveView))
	return v
}

// localLiveView is the picture in this node's memory.
func (s *Service) localLiveView() LiveView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := LiveView{Time: s.now()}
	offerTimeout := s.cfg.OfferTimeout
	if offerTimeout <= 0 {
		offerTimeout = routing.DefaultOfferTimeout
	}
	held := map[string][]HeldContact{}
	for _, w := range s.work {
		h := HeldContact{ContactID: w.contact.ID, QueueID: w.contact.QueueID, InitiationMethod: w.contact.InitiationMethod,
			State: w.state, ConnectedAt: w.connectedAt, EnqueuedAt: w.contact.EnqueuedAt}
		switch w.state {
		case ContactOffered, "":
			// The offer was made OfferTimeout before its deadline; an accept in flight keeps that time.
			h.StateSince = w.deadline.Add(-offerTimeout)
			if w.state == "" {
				h.State = ContactConnecting
			}
		case ContactConnected:
			h.StateSince = w.connectedAt
		case ContactACW:
			h.StateSince = w.endedAt
		}
		held[w.agentID] = append(held[w.agentID], h)
	}
	for id, a := range s.agents {
		av := AgentView{UserID: id, InstanceID: a.user.InstanceID, StatusSince: a.user.StatusSince,
			Activity: s.state(id).System, Missed: a.missed, Routable: a.routable(), Slots: slots(a),
			Contacts: held[id]}
		if a.status != nil {
			st := *a.status
			av.Status = &st
		}
		if a.profile != nil {
			av.RoutingProfileID = a.profile.ID
			for _, q := range a.profile.Queues {
				if (q.Channel == "" || q.Channel == parley.ChannelChat) && !slices.Contains(av.ChatQueues, q.QueueID) {
					av.ChatQueues = append(av.ChatQueues, q.QueueID)
				}
			}
		}
		slices.SortFunc(av.Contacts, func(x, y HeldContact) int { return strings.Compare(x.ContactID, y.ContactID) })
		v.Agents = append(v.Agents, av)
	}
	slices.SortFunc(v.Agents, func(x, y AgentView) int { return strings.Compare(x.UserID, y.UserID) })
	for _, q := range s.engine.Snapshot().Queues {
		for _, c := range q.Waiting {
			v.Waiting = append(v.Waiting, QueuedContact{ContactID: c.ID, QueueID: c.QueueID, EnqueuedAt: c.EnqueuedAt})
		}
	}
	slices.SortStableFunc(v.Waiting, func(x, y QueuedContact) int { return x.EnqueuedAt.Compare(y.EnqueuedAt) })
	return v
}

// QueueMetrics returns the live numbers of a queue that a contact flow's CheckMetricData reads: contacts waiting,
// the oldest one's age, and the agents whose routing profile serves the queue — online (a status that is not
// Offline), staffed (the same in parley: a logged-in agent has a status) and available (free to take one now).
// On a node that does not route, the routing node answers (reads.go).
func (s *Service) QueueMetrics(ctx context.Context, queueID string) (chat.QueueMetrics, error) {
	return remoteRead(ctx, s, readQueueMetrics, "", queueID, noErr(func() chat.QueueMetrics { return s.localQueueMetrics(queueID) }))
}

// localQueueMetrics are a queue's metrics from this node's memory.
func (s *Service) localQueueMetrics(queueID string) chat.QueueMetrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m chat.QueueMetrics
	st := s.engine.QueueStats(queueID)
	m.ContactsInQueue = st.Waiting
	if !st.Oldest.IsZero() {
		m.OldestContactAge = s.now().Sub(st.Oldest)
	}
	for _, a := range st.Agents {
		if ag := s.agents[a.ID]; ag != nil && ag.status != nil && ag.status.Type != parley.StatusOffline {
			m.AgentsOnline++
			m.AgentsStaffed++
		}
		if a.Eligible {
			m.AgentsAvailable++
		}
	}
	return m
}
