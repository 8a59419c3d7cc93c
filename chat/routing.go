package chat

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
)

// JoinAgent connects an agent to a queued contact: an AGENT participant joins (participant.joined to everyone)
// and the contact records the agent. It returns the participant and its ParticipantToken, for the agent's
// CreateParticipantConnection. Errors: ENOTFOUND (contact), EREQUEST (ended, or another agent has it).
func (s *Service) JoinAgent(ctx context.Context, contactID string, user *parley.User) (*parley.Participant, string, error) {
	whispers, err := s.planWhispers(ctx, contactID, user.ID)
	if err != nil {
		return nil, "", err
	}
	return s.joinUser(ctx, contactID, user, parley.RoleAgent, false,
		func(tx parley.Tx, ch *Change, c *parley.Contact, now time.Time) error {
			if c.AgentID != "" && c.AgentID != user.ID {
				return parley.Errorf(parley.EREQUEST, "contact %s is already connected to another agent", c.ID)
			}
			c.AgentID, c.AgentConnectedAt, c.UpdatedAt = user.ID, now, now
			stopRun(c) // the customer-queue flow has nothing more to say
			if err := tx.UpdateContact(ctx, c); err != nil {
				return err
			}
			ch.Emit(parley.EventContactAccepted, c, now).UserID = user.ID
			return nil
		},
		func(tx parley.Tx, ch *Change, c *parley.Contact, p *parley.Participant, now time.Time) error {
			return s.whisper(ctx, tx, ch, c, p, whispers, now)
		})
}

// joinUser adds a user's participant (an agent or a supervisor) to an active contact in one transaction. admit
// applies the role's own rules to the contact (and may update it) before the participant is stored; then, when
// given, runs after the join is announced. A silent join is announced to the joining participant only.
func (s *Service) joinUser(ctx context.Context, contactID string, user *parley.User, role parley.Role, silent bool,
	admit func(tx parley.Tx, ch *Change, c *parley.Contact, now time.Time) error,
	then func(tx parley.Tx, ch *Change, c *parley.Contact, p *parley.Participant, now time.Time) error) (*parley.Participant, string, error) {
	pid := newID()
	token := newParticipantToken()
	name := user.FirstName
	if name == "" {
		name = user.Username
	}
	var p *parley.Participant
	_, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !c.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		now := s.now()
		if err := admit(tx, ch, c, now); err != nil {
			return err
		}
		// The sealed copy lets a routing node that takes over give the agent's workspace its token again.
		p = &parley.Participant{ID: pid, ContactID: c.ID, ChainID: c.InitialContactID, Role: role,
			DisplayName: name, UserID: user.ID, TokenHash: hashToken(token), TokenSealed: s.sealToken(pid, token),
			State: parley.ParticipantJoined, JoinedAt: now}
		if err := tx.InsertParticipant(ctx, p); err != nil {
			return err
		}
		joined := s.event(c, p, parley.EventParticipantJoined, now)
		if silent {
			joined.Recipient = p.ID
		}
		if role == parley.RoleAgent {
			if err := s.startTimers(ctx, tx, c, now); err != nil {
				return err
			}
		}
		if err := ch.Append(ctx, joined); err != nil {
			return err
		}
		if then != nil {
			return then(tx, ch, c, p, now)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return p, token, nil
}

// Transfer moves a contact to another queue (or to one agent's queue, "agent/<user id>"): the contact ends
// (reason TRANSFERRED), a new contact of the same chain (InitiationMethod TRANSFER) takes its place, its agents
// leave (participant.left) and the chain gets a transfer.succeeded event. Without flowID the new contact is queued
// on queueID at once; with one (a quick connect's transfer flow, as in Connect) queueID is the new contact's
// working queue and the flow runs on it: its TransferContactToQueue queues the chat, and a flow that ends without
// queueing it ends the chat. The customer keeps its participant, tokens and sockets. It returns the new contact.
// Errors: ENOTFOUND (contact, queue, flow), EREQUEST (ended contact).
func (s *Service) Transfer(ctx context.Context, contactID, queueID, flowID string) (*parley.Contact, error) {
	return s.transfer(ctx, contactID, queueID, flowID, nil)
}

// transfer is Transfer; then, when given, runs in the transfer's transaction once the new contact is stored.
func (s *Service) transfer(ctx context.Context, contactID, queueID, flowID string,
	then func(tx parley.Tx, next *parley.Contact) error) (*parley.Contact, error) {
	var plan *flowOutcome
	var from *parley.Contact
	if flowID != "" {
		c, err := s.store.GetContact(ctx, contactID)
		if err != nil {
			return nil, err
		}
		if !c.Active() {
			return nil, parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		if err := queueExists(ctx, s.store, c.InstanceID, queueID); err != nil {
			return nil, err
		}
		inst, err := s.store.GetInstance(ctx, c.InstanceID)
		if err != nil {
			return nil, err
		}
		if _, _, err := s.flows.load(ctx, s.store, inst.ID, lastARNSegment(flowID)); err != nil {
			return nil, parley.NotFound("CONTACT_FLOW", "contact flow %q not found in instance %s", flowID, inst.ID)
		}
		n := s.transferred(c, queueID, s.now())
		n.EnqueuedAt = time.Time{} // the flow queues it
		if plan, err = s.step(ctx, inst, n, flowID, flow.Start(), runHooks(c)); err != nil {
			return nil, err
		}
		from = c
	}
	var old, next *parley.Contact
	_, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !c.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		if from != nil && (c.AgentID != from.AgentID || !bytes.Equal(c.FlowState, from.FlowState)) {
			return parley.Errorf(parley.ECONFLICT, "contact %s changed while its transfer flow ran; try again", c.ID)
		}
		if err := queueExists(ctx, tx, c.InstanceID, queueID); err != nil {
			return err
		}
		now := s.now()
		ps, err := tx.ListParticipants(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.State != parley.ParticipantJoined || (p.Role != parley.RoleAgent && p.Role != parley.RoleSupervisor) {
				continue
			}
			p.State, p.LeftAt = parley.ParticipantLeft, now
			if err := tx.UpdateParticipant(ctx, p); err != nil {
				return err
			}
			if err := ch.Append(ctx, s.event(c, p, parley.EventParticipantLeft, now)); err != nil {
				return err
			}
		}
		n := s.transferred(c, queueID, now)
		if plan != nil {
			n.ID, n.EnqueuedAt = plan.env.c.ID, time.Time{}
		}
		if err := tx.InsertContact(ctx, n); err != nil {
			return err
		}
		c.State, c.EndedAt, c.DueAt, c.DisconnectReason, c.UpdatedAt = parley.ContactEnded, now, time.Time{}, parley.ReasonTransferred, now
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		if err := ch.Append(ctx, s.event(n, nil, parley.EventTransferSucceeded, now)); err != nil {
			return err
		}
		ch.Emit(parley.EventContactTransferred, n, now).PreviousContactID = c.ID
		ch.Emit(parley.EventContactEnded, c, now)
		old, next = c, n
		if then != nil {
			if err := then(tx, n); err != nil {
				return err
			}
		}
		if plan != nil {
			return s.apply(ctx, tx, ch, n, plan)
		}
		ch.Emit(parley.EventContactQueued, n, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "contact transferred", "contact_id", old.ID, "new_contact_id", next.ID, "queue_id", next.QueueID,
		"flow_id", flowID)
	return next, nil
}

// transferred returns the contact of c's chain that a transfer to queueID at now starts, queued there.
func (s *Service) transferred(c *parley.Contact, queueID string, now time.Time) *parley.Contact {
	n := snapshot(c)
	n.ID, n.PreviousContactID, n.InitiationMethod = newID(), c.ID, "TRANSFER"
	n.QueueID, n.EnqueuedAt, n.AgentID, n.AgentConnectedAt = queueID, now, "", time.Time{}
	n.InitiatedAt, n.UpdatedAt = now, now
	return n
}

// queueExists checks a transfer target: a queue of the instance, or the queue of one agent ("agent/<user id>",
// as Amazon Connect's agent queues).
func queueExists(ctx context.Context, r parley.Reader, instanceID, queueID string) error {
	if userID, ok := strings.CutPrefix(queueID, "agent/"); ok {
		u, err := r.GetUser(ctx, userID)
		if err != nil || u.InstanceID != instanceID {
			return parley.NotFound("USER", "user %s not found", userID)
		}
		return nil
	}
	q, err := r.GetQueue(ctx, queueID)
	if err != nil || q.InstanceID != instanceID {
		return parley.NotFound("QUEUE", "queue %s not found", queueID)
	}
	return nil
}

// EndContact ends a contact on behalf of its agent (the agent API's "end chat"): the agent leaves
// (participant.left) and the chat ends for everyone. Ending an ended contact does nothing.
func (s *Service) EndContact(ctx context.Context, contactID, userID string) error {
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil {
		return err
	}
	ps, err := s.store.ListParticipants(ctx, c.ID)
	if err != nil {
		return err
	}
	var agent *parley.Participant
	for _, p := range ps {
		if p.UserID == userID && p.State == parley.ParticipantJoined && p.Role == parley.RoleAgent {
			agent = p
		}
	}
	if remains, err := s.agentLeft(ctx, c.ID, agent, ""); remains || err != nil {
		return err // the customer remains with the contact's disconnect flow
	}
	return s.end(ctx, c.ID, parley.ReasonAgentDisconnect, agent, "")
}

// AgentParticipant returns the participant Id and ParticipantToken of userID's agent in a contact, for a routing
// node that rebuilds its state from the store (the store keeps the token sealed). ENOTFOUND if the user is not
// the contact's agent; EINTERNAL for an agent that joined before tokens were sealed.
func (s *Service) AgentParticipant(ctx context.Context, contactID, userID string) (id, token string, err error) {
	ps, err := s.store.ListParticipants(ctx, contactID)
	if err != nil {
		return "", "", err
	}
	for _, p := range ps {
		if p.UserID == userID && p.State == parley.ParticipantJoined && p.Role == parley.RoleAgent {
			token, err := s.storedParticipantToken(ctx, p.ID)
			return p.ID, token, err
		}
	}
	return "", "", parley.NotFound("PARTICIPANT", "user %s is not the agent of contact %s", userID, contactID)
}

// CustomerName returns the display name of the customer of a contact's chain ("" if unknown).
func (s *Service) CustomerName(ctx context.Context, c *parley.Contact) string {
	ps, err := s.store.ListParticipants(ctx, c.InitialContactID)
	if err != nil {
		return ""
	}
	for _, p := range ps {
		if p.Role == parley.RoleCustomer {
			return p.DisplayName
		}
	}
	return ""
}

// scopeBarge marks the event of a supervisor barging in; its presence is what lets a SUPERVISOR send.
const scopeBarge = "barge:"

// JoinSupervisor adds a supervisor to a live contact as a silent monitor: a SUPERVISOR participant whose join
// only it sees, and who cannot send until it barges in. Errors: ENOTFOUND, EREQUEST (ended), EQUOTA (more than 5
// supervisors, Connect's limit).
func (s *Service) JoinSupervisor(ctx context.Context, contactID string, user *parley.User) (*parley.Participant, string, error) {
	return s.joinUser(ctx, contactID, user, parley.RoleSupervisor, true,
		func(tx parley.Tx, _ *Change, c *parley.Contact, _ time.Time) error {
			ps, err := tx.ListParticipants(ctx, c.ID)
			if err != nil {
				return err
			}
			n := 0
			for _, x := range ps {
				if x.Role == parley.RoleSupervisor && x.State == parley.ParticipantJoined {
					n++
				}
			}
			if n >= 5 {
				return parley.Errorf(parley.EQUOTA, "contact %s already has 5 supervisors", c.ID)
			}
			return nil
		}, nil)
}

// Barge makes a monitoring supervisor visible (participant.joined to everyone) and able to send. Barging twice
// is not an error. Errors: ENOTFOUND (the user does not monitor the contact), EQUOTA (another supervisor barged
// in: Connect allows one).
func (s *Service) Barge(ctx context.Context, contactID, userID string) error {
	ps, err := s.store.ListParticipants(ctx, contactID)
	if err != nil {
		return err
	}
	var p *parley.Participant
	for _, x := range ps {
		if x.Role == parley.RoleSupervisor && x.State == parley.ParticipantJoined {
			if x.UserID == userID {
				p = x
			} else if s.barged(ctx, x) {
				return parley.Errorf(parley.EQUOTA, "another supervisor has barged in on contact %s", contactID)
			}
		}
	}
	if p == nil {
		return parley.NotFound("CONTACT", "you are not monitoring contact %s", contactID)
	}
	contact, err := s.store.GetContact(ctx, contactID)
	if err != nil {
		return err
	}
	c := &Caller{Participant: p, Contact: contact}
	_, err = s.appendIdempotent(ctx, c, scopeBarge, "barge", func(now time.Time) *parley.Item {
		return s.event(c.Contact, p, parley.EventParticipantJoined, now)
	})
	return err
}

// barged reports whether a supervisor participant has barged in.
func (s *Service) barged(ctx context.Context, p *parley.Participant) bool {
	_, err := s.store.ItemByClientToken(ctx, p.ChainID, p.ID, scopeBarge+"barge")
	return err == nil
}

// TransferFailed records that a transfer of a contact could not be made (the target queue is full): the chain
// gets a transfer.failed event and the contact stays where it is.
func (s *Service) TransferFailed(ctx context.Context, contactID string) error {
	_, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !c.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		return ch.Append(ctx, s.event(c, nil, parley.EventTransferFailed, s.now()))
	})
	return err
}
