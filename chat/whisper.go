package chat

import (
	"context"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
)

// Event hooks of the whisper flows (UpdateContactEventHooks): they run when an agent accepts a chat.
const (
	hookAgentWhisper    = "AgentWhisper"
	hookCustomerWhisper = "CustomerWhisper"
)

// whisperRun is a whisper flow's run, made before the agent's join is committed (it may call a Lambda function):
// its messages go to the agent (toAgent) or to the customer only.
type whisperRun struct {
	env     *flowEnv
	trace   []flow.Record
	toAgent bool
}

// planWhispers runs the contact's agent and customer whisper flows, as Connect runs them when an agent accepts a
// chat whose flow set them (a chat has no default whisper). A whisper flow is short: it runs to its end or its
// first wait, which ends it; a flow that cannot run is logged and left out.
func (s *Service) planWhispers(ctx context.Context, contactID, userID string) ([]*whisperRun, error) {
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil || !c.Active() {
		return nil, nil // joinUser says why
	}
	hooks := runHooks(c)
	if hooks[hookAgentWhisper] == "" && hooks[hookCustomerWhisper] == "" {
		return nil, nil
	}
	inst, err := s.store.GetInstance(ctx, c.InstanceID)
	if err != nil {
		return nil, err
	}
	n := snapshot(c)
	n.AgentID = userID // $.Agent is the agent who accepts
	var runs []*whisperRun
	for _, h := range []struct {
		hook    string
		toAgent bool
	}{{hookAgentWhisper, true}, {hookCustomerWhisper, false}} {
		ref := hooks[h.hook]
		if ref == "" {
			continue
		}
		env := s.newFlowEnv(inst, n)
		st := flow.NewState(ref)
		st.EventHooks = hooks
		out, err := flow.Step(ctx, env, st, flow.Start())
		if err != nil {
			s.log.WarnContext(ctx, "whisper flow did not run", "contact_id", c.ID, "hook", h.hook, "flow_id", ref, "err", err)
			continue
		}
		runs = append(runs, &whisperRun{env: env, trace: out.Trace, toAgent: h.toAgent})
	}
	return runs, nil
}

// whisper makes the whisper runs in the change that joins the agent (participant p): their messages, addressed to
// the agent or to the customer, their attribute updates, and their flow log. What would move the chat (a
// transfer, a disconnect) is not made: a whisper only speaks.
func (s *Service) whisper(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, p *parley.Participant,
	runs []*whisperRun, now time.Time) error {
	if len(runs) == 0 {
		return nil
	}
	customer := ""
	ps, err := tx.ListParticipants(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, x := range ps {
		if x.Role == parley.RoleCustomer && x.State == parley.ParticipantJoined {
			customer = x.ID
		}
	}
	for _, w := range runs {
		w.env.recipient = customer
		if w.toAgent {
			w.env.recipient = p.ID
		}
		if w.env.recipient == "" {
			continue // no customer left to whisper to
		}
		for _, f := range w.env.effects {
			if err := f(ctx, tx, ch, c, now); err != nil {
				return err
			}
		}
		if err := s.logTrace(ctx, tx, c, w.trace); err != nil {
			return err
		}
	}
	c.UpdatedAt = now
	return tx.UpdateContact(ctx, c)
}
