package agents

import (
	"context"
	"strings"

	"github.com/parley-chat/parley"
)

// Monitor lets a supervisor watch a live contact silently: it joins as a SUPERVISOR participant that receives
// everything and sends nothing until it barges in. Errors: ENOTFOUND, EREQUEST (ended), EQUOTA (5 monitors).
func (s *Service) Monitor(ctx context.Context, u *parley.User, contactID string) (*Monitoring, error) {
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil || c.InstanceID != u.InstanceID {
		return nil, parley.NotFound("CONTACT", "contact %s not found", contactID)
	}
	p, token, err := s.chat.JoinSupervisor(ctx, c.ID, u)
	if err != nil {
		return nil, err
	}
	return &Monitoring{ContactID: c.ID, ParticipantID: p.ID, ParticipantToken: token}, nil
}

// Barge turns the supervisor's silent monitoring of a contact into a visible participation.
func (s *Service) Barge(ctx context.Context, u *parley.User, contactID string) error {
	return s.chat.Barge(ctx, contactID, u.ID)
}

// QuickConnects lists the quick connects of the agent's instance.
func (s *Service) QuickConnects(ctx context.Context, u *parley.User) ([]*parley.QuickConnect, error) {
	return s.store.ListQuickConnects(ctx, u.InstanceID)
}

// QueueStatus is the live view of every queue of an instance: waiting contacts, the oldest one's age, agents
// available for it and agents on one of its contacts. On a node that does not route, the routing node answers
// (reads.go).
func (s *Service) QueueStatus(ctx context.Context, instanceID string) ([]QueueView, error) {
	return remoteRead(ctx, s, readQueueStatus, "", instanceID, func() ([]QueueView, error) {
		return s.localQueueStatus(ctx, instanceID)
	})
}

// localQueueStatus is QueueStatus from this node's memory.
func (s *Service) localQueueStatus(ctx context.Context, instanceID string) ([]QueueView, error) {
	queues, err := s.store.ListQueues(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	snap := s.engine.Snapshot()
	now := s.now()
	s.mu.Unlock()
	out := make([]QueueView, 0, len(queues))
	for _, q := range queues {
		st := QueueView{ID: q.ID, Name: q.Name}
		for _, qs := range snap.Queues {
			if qs.ID == q.ID {
				st.Waiting = len(qs.Waiting)
				if !qs.Oldest.IsZero() {
					st.OldestContactAge = now.Sub(qs.Oldest)
				}
			}
		}
		onContact := map[string]bool{}
		for _, c := range snap.Connections {
			if c.QueueID == q.ID {
				onContact[c.AgentID] = true
			}
		}
		st.AgentsOnContact = len(onContact)
		for _, a := range snap.Agents {
			for _, r := range a.Queues {
				if r.QueueID == q.ID && a.Eligible() && !strings.HasPrefix(r.QueueID, "agent/") {
					st.AgentsAvailable++
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
