package chat

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
)

// InitiationDisconnect is the InitiationMethod of the contact a CustomerRemaining flow runs on, as Connect names
// it.
const InitiationDisconnect = "DISCONNECT"

// agentLeft handles an agent leaving a chat whose flow set a CustomerRemaining hook (Connect's "Set disconnect
// flow"): the customer stays. The agent's contact ends (AGENT_DISCONNECT, so the agent goes to after-contact
// work) without a chat.ended, and a new contact of the chain (InitiationMethod DISCONNECT, the same working
// queue) runs the hook's flow, which may wait for the customer and queue the chat again. It reports false and
// does nothing when there is no hook (the chat then ends as usual).
func (s *Service) agentLeft(ctx context.Context, contactID string, agent *parley.Participant, token string) (bool, error) {
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil || !c.Active() {
		return false, err
	}
	plan, err := s.planRemain(ctx, c)
	if plan == nil || err != nil {
		return false, err
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		cur, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !plan.current(cur) {
			return errFlowMoved
		}
		return s.remainIn(ctx, tx, ch, cur, plan, agent, token, s.now())
	})
	if errors.Is(err, errFlowMoved) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "agent left, customer remains", "contact_id", c.ID, "new_contact_id", plan.n.ID,
		"flow_id", plan.hook)
	return true, nil
}

// remainPlan is what a contact's CustomerRemaining hook does when its agent leaves: the new contact of the
// chain and the first step of the hook's flow, made before the change that records them.
type remainPlan struct {
	from *parley.Contact // the contact as the plan saw it
	n    *parley.Contact
	fo   *flowOutcome
	hook string
}

// planRemain takes the first step of c's CustomerRemaining flow for a new contact of the chain, outside any
// transaction. It returns nil when c has no such hook or its flow could not run (the chat then ends as usual).
func (s *Service) planRemain(ctx context.Context, c *parley.Contact) (*remainPlan, error) {
	hooks := runHooks(c)
	hook := hooks[hookCustomerRemaining]
	if hook == "" {
		return nil, nil
	}
	inst, err := s.store.GetInstance(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	n := snapshot(c)
	n.ID, n.PreviousContactID, n.InitiationMethod = newID(), c.ID, InitiationDisconnect
	n.EnqueuedAt, n.AgentID, n.AgentConnectedAt = time.Time{}, "", time.Time{}
	n.FlowState, n.FlowWakeAt, n.InitiatedAt, n.UpdatedAt = nil, time.Time{}, now, now
	fo, err := s.step(ctx, inst, n, hook, flow.Start(), hooks)
	if err != nil {
		s.log.ErrorContext(ctx, "disconnect flow did not run", "contact_id", c.ID, "flow_id", hook, "err", err)
		return nil, nil
	}
	return &remainPlan{from: c, n: n, fo: fo, hook: hook}, nil
}

// current reports whether cur, read in the change, is still the contact the plan was made for.
func (p *remainPlan) current(cur *parley.Contact) bool {
	return cur.ID == p.from.ID && cur.Active() && cur.AgentID == p.from.AgentID && bytes.Equal(cur.FlowState, p.from.FlowState)
}

// remainIn makes a plan inside a change: the agents and supervisors of cur leave (agent's participant.left
// carries token), cur ends (AGENT_DISCONNECT) and the plan's new contact is stored with its flow's first step.
func (s *Service) remainIn(ctx context.Context, tx parley.Tx, ch *Change, cur *parley.Contact, plan *remainPlan,
	agent *parley.Participant, token string, now time.Time) error {
	ps, err := tx.ListParticipants(ctx, cur.ID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.State != parley.ParticipantJoined || (p.Role != parley.RoleAgent && p.Role != parley.RoleSupervisor) {
			continue
		}
		left := s.event(cur, p, parley.EventParticipantLeft, now)
		if agent != nil && p.ID == agent.ID {
			left.ClientToken = token
		}
		if err := ch.Append(ctx, left); err != nil {
			return err
		}
		p.State, p.LeftAt = parley.ParticipantLeft, now
		if err := tx.UpdateParticipant(ctx, p); err != nil {
			return err
		}
	}
	cur.State, cur.EndedAt, cur.DueAt, cur.FlowWakeAt = parley.ContactEnded, now, time.Time{}, time.Time{}
	cur.DisconnectReason, cur.UpdatedAt = parley.ReasonAgentDisconnect, now
	if err := tx.UpdateContact(ctx, cur); err != nil {
		return err
	}
	ch.Emit(parley.EventContactEnded, cur, now)
	n := *plan.n
	if err := tx.InsertContact(ctx, &n); err != nil {
		return err
	}
	return s.apply(ctx, tx, ch, &n, plan.fo)
}
