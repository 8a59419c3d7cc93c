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
	hooks := runHooks(c)
	hook := hooks[hookCustomerRemaining]
	if hook == "" {
		return false, nil
	}
	inst, err := s.store.GetInstance(ctx, c.InstanceID)
	if err != nil {
		return false, err
	}
	now := s.now()
	n := *snapshot(c)
	n.ID, n.PreviousContactID, n.InitiationMethod = newID(), c.ID, InitiationDisconnect
	n.EnqueuedAt, n.AgentID, n.AgentConnectedAt = time.Time{}, "", time.Time{}
	n.FlowState, n.FlowWakeAt, n.InitiatedAt, n.UpdatedAt = nil, time.Time{}, now, now
	fo, err := s.step(ctx, inst, &n, hook, flow.Start(), hooks)
	if err != nil {
		s.log.ErrorContext(ctx, "disconnect flow did not run", "contact_id", c.ID, "flow_id", hook, "err", err)
		return false, nil
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		cur, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !cur.Active() || cur.AgentID != c.AgentID || !bytes.Equal(cur.FlowState, c.FlowState) {
			return errFlowMoved
		}
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
		if err := tx.InsertContact(ctx, &n); err != nil {
			return err
		}
		return s.apply(ctx, tx, ch, &n, fo)
	})
	if errors.Is(err, errFlowMoved) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "agent left, customer remains", "contact_id", c.ID, "new_contact_id", n.ID, "flow_id", hook)
	return true, nil
}
