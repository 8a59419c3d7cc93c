package chat

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/parley-chat/parley"
)

// Participant timers, as Amazon Connect's chat timeouts (UpdateParticipantRoleConfig; the admin guide's "Set up
// chat timeouts for chat participants"):
//
//   - A chat has, per role (CUSTOMER, AGENT), an idle timer and an auto-disconnect timer. What
//     UpdateParticipantRoleConfig set is kept on the contact (Contact.Timers) and carried across transfers; a
//     customer timer it never set takes the server's default (Config.CustomerIdle, Config.CustomerAutoDisconnect).
//   - Timers run while the customer has a counterpart: they start when an agent (or a custom bot) joins, and a
//     timer that fires when no agent or bot is left stops without an event.
//   - The idle timer runs first: when it fires, participant.idle goes to everyone and the auto-disconnect timer
//     starts; a role with only one of the two timers starts that one at once.
//   - A message or an attachment from the participant resets its timers; if it was idle, participant.returned
//     goes out first.
//   - When an auto-disconnect timer fires, participant.autodisconnection goes out and every participant but the
//     customer leaves, as when the agent leaves: the chat ends, or the contact's disconnect flow
//     (CustomerRemaining) takes the customer.
//   - The three events are transient, as Connect's: delivered to the sockets, never in the transcript.
//
// A participant's next deadline is stored with it (Participant.TimerAt, and IdleAt while it is idle), so a
// restart loses no timer. The node holding the "timers" lease fires them (Run, FireParticipantTimers); each
// firing is made in one change with its effect, and only if the participant's TimerAt is still the one the scan
// saw (compare and set), so a timer fires once.

// TimerSetting is one entry of UpdateParticipantRoleConfig's ParticipantTimerConfigList.
type TimerSetting struct {
	Role parley.Role // CUSTOMER or AGENT
	// Type is IDLE or DISCONNECT_NONCUSTOMER.
	Type string
	// Minutes is the duration (2 to 480), or parley.TimerUnset to remove the timer.
	Minutes int
}

// Timer types of UpdateParticipantRoleConfig.
const (
	TimerIdle       = "IDLE"
	TimerDisconnect = "DISCONNECT_NONCUSTOMER"
)

// UpdateParticipantRoleConfig sets a chat's participant timers. They apply from the next time a participant's
// timers start or are reset (an agent joining, a message). Errors: ENOTFOUND (instance, contact), EINVALID (a
// role and type given twice, a duration out of range), EREQUEST (the contact has ended).
func (s *Service) UpdateParticipantRoleConfig(ctx context.Context, instanceID, contactID string, settings []TimerSetting) error {
	seen := map[[2]string]bool{}
	for _, t := range settings {
		k := [2]string{string(t.Role), t.Type}
		if seen[k] {
			return parley.Invalid("ParticipantTimerConfigList",
				"ParticipantTimerConfigList sets the %s timer of %s twice", t.Type, t.Role)
		}
		seen[k] = true
		if t.Minutes != parley.TimerUnset && (t.Minutes < 2 || t.Minutes > 480) {
			return parley.Invalid("ParticipantTimerDurationInMinutes",
				"ParticipantTimerDurationInMinutes must be between 2 and 480 (got %d)", t.Minutes)
		}
		if (t.Role != parley.RoleCustomer && t.Role != parley.RoleAgent) || (t.Type != TimerIdle && t.Type != TimerDisconnect) {
			return parley.Invalid("ParticipantTimerConfigList", "no %s timer for role %s", t.Type, t.Role)
		}
	}
	c, err := s.contactOf(ctx, s.store, instanceID, contactID)
	if err != nil {
		return err
	}
	_, err = s.commit(ctx, func(tx parley.Tx, _ *Change) error {
		cur, err := tx.ActiveContact(ctx, c.InitialContactID)
		if err != nil {
			return err
		}
		if !cur.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		for _, t := range settings {
			*timerField(&cur.Timers, t.Role, t.Type) = t.Minutes
		}
		cur.UpdatedAt = s.now()
		return tx.UpdateContact(ctx, cur)
	})
	return err
}

// timerField is the member of pt that holds a role's timer of a type.
func timerField(pt *parley.ParticipantTimers, role parley.Role, typ string) *int {
	switch {
	case role == parley.RoleCustomer && typ == TimerIdle:
		return &pt.CustomerIdle
	case role == parley.RoleCustomer:
		return &pt.CustomerDisconnect
	case typ == TimerIdle:
		return &pt.AgentIdle
	default:
		return &pt.AgentDisconnect
	}
}

// roleTimers returns the idle and auto-disconnect durations of a role on c (0: none).
func (s *Service) roleTimers(c *parley.Contact, role parley.Role) (idle, disconnect time.Duration) {
	switch role {
	case parley.RoleCustomer:
		return timerMinutes(c.Timers.CustomerIdle, s.cfg.CustomerIdle),
			timerMinutes(c.Timers.CustomerDisconnect, s.cfg.CustomerAutoDisconnect)
	case parley.RoleAgent:
		return timerMinutes(c.Timers.AgentIdle, 0), timerMinutes(c.Timers.AgentDisconnect, 0)
	}
	return 0, 0
}

// timerMinutes is a stored timer as a duration: def when it was never set (negative def: none).
func timerMinutes(m int, def time.Duration) time.Duration {
	switch {
	case m == parley.TimerUnset:
		return 0
	case m > 0:
		return time.Duration(m) * time.Minute
	}
	return max(def, 0)
}

// firstTimer is the timer a role's timers start with: the idle timer, or the auto-disconnect timer alone.
func (s *Service) firstTimer(c *parley.Contact, role parley.Role) time.Duration {
	return cmp.Or(s.roleTimers(c, role))
}

// timerSlack is how much later than its duration a reset timer may fire, so that a participant who writes
// often does not cost a write per message: a reset within the slack of the last one leaves the stored deadline
// alone. A sixteenth of the duration, at most 30 seconds.
func timerSlack(d time.Duration) time.Duration { return min(d/16, 30*time.Second) }

// startTimers starts the timers of the customer and the agents of c's chain, inside a change: an agent or a
// custom bot joined, so the customer has a counterpart.
func (s *Service) startTimers(ctx context.Context, tx parley.Tx, c *parley.Contact, now time.Time) error {
	ps, err := chainParticipants(ctx, tx, c)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.State != parley.ParticipantJoined || (p.Role != parley.RoleCustomer && p.Role != parley.RoleAgent) {
			continue
		}
		at := time.Time{}
		if d := s.firstTimer(c, p.Role); d > 0 {
			at = now.Add(d)
		}
		if at.Equal(p.TimerAt) && p.IdleAt.IsZero() {
			continue
		}
		p.TimerAt, p.IdleAt = at, time.Time{}
		if err := tx.UpdateParticipant(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// resetTimers records a message or an attachment from p (as read in this transaction) inside its change, before
// the item is appended: the participant's timers start again, after participant.returned if it was idle. A
// participant whose timers are not running costs nothing.
func (s *Service) resetTimers(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, p *parley.Participant,
	now time.Time) error {
	changed, returned := s.resetTimer(c, p, now)
	if !changed {
		return nil
	}
	if returned {
		if err := ch.Append(ctx, s.timerEvent(c, p, parley.EventParticipantReturned, now)); err != nil {
			return err
		}
	}
	return tx.UpdateParticipant(ctx, p)
}

// resetTimer starts p's timers again for a message at now, in p: changed reports whether p must be stored,
// returned whether p was idle (participant.returned is due, before the message). A participant whose timers
// are not running, or were reset within the slack of the last reset, is left alone.
func (s *Service) resetTimer(c *parley.Contact, p *parley.Participant, now time.Time) (changed, returned bool) {
	if p.TimerAt.IsZero() && p.IdleAt.IsZero() {
		return false, false
	}
	d := s.firstTimer(c, p.Role)
	if p.IdleAt.IsZero() && d > 0 && !p.TimerAt.Before(now.Add(d)) {
		return false, false
	}
	returned = !p.IdleAt.IsZero()
	p.TimerAt, p.IdleAt = time.Time{}, time.Time{}
	if d > 0 {
		p.TimerAt = now.Add(d + timerSlack(d))
	}
	return true, returned
}

// timerEvent is one of the timer events, from p: transient, as Connect keeps them out of transcripts.
func (s *Service) timerEvent(c *parley.Contact, p *parley.Participant, contentType string, now time.Time) *parley.Item {
	it := s.event(c, p, contentType, now)
	it.Transient = true
	return it
}

// errTimerMoved: the participant's timer changed while it was being fired (a message reset it, another node
// fired it); the next scan looks again.
var errTimerMoved = errors.New("chat: the participant timer moved")

// FireParticipantTimers fires every participant timer that is due and returns how many it fired.
func (s *Service) FireParticipantTimers(ctx context.Context) (int, error) {
	due, err := s.store.DueParticipants(ctx, s.now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range due {
		err := s.fireTimer(ctx, p)
		switch {
		case err == nil:
			n++
		case errors.Is(err, errTimerMoved):
		case ctx.Err() != nil:
			return n, err
		default:
			s.log.ErrorContext(ctx, "participant timer", "participant_id", p.ID, "contact_id", p.ContactID, "err", err)
		}
	}
	return n, nil
}

// fireTimer fires the timer of participant seen (as the scan read it), once: the idle timer marks it idle and
// starts the auto-disconnect timer; the auto-disconnect timer disconnects every participant but the customer.
func (s *Service) fireTimer(ctx context.Context, seen *parley.Participant) error {
	c, err := s.store.ActiveContact(ctx, seen.ChainID)
	if err != nil {
		return err
	}
	idle, _ := s.roleTimers(c, seen.Role)
	var plan *remainPlan
	if !seen.IdleAt.IsZero() || idle == 0 {
		// An auto-disconnect: the contact's disconnect flow, if it has one, takes its first step now, outside
		// the transaction (it may call a Lambda function), as when an agent leaves.
		if plan, err = s.planRemain(ctx, c); err != nil {
			return err
		}
	}
	ch, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		p, err := tx.GetParticipant(ctx, seen.ID)
		if err != nil {
			return err
		}
		cur, err := tx.ActiveContact(ctx, seen.ChainID)
		if err != nil {
			return err
		}
		now := s.now()
		if p.State != parley.ParticipantJoined || !p.TimerAt.Equal(seen.TimerAt) || p.TimerAt.After(now) || !cur.Active() {
			return errTimerMoved
		}
		ps, err := chainParticipants(ctx, tx, cur)
		if err != nil {
			return err
		}
		var agents []*parley.Participant
		counterpart := false
		for _, x := range ps {
			if x.State != parley.ParticipantJoined || x.Role == parley.RoleCustomer {
				continue
			}
			counterpart = counterpart || x.Role == parley.RoleAgent || x.Role == parley.RoleCustomBot
			if x.Role == parley.RoleAgent {
				agents = append(agents, x)
			}
		}
		idle, disconnect := s.roleTimers(cur, p.Role)
		switch {
		case !counterpart: // the agent or bot left: the timers stop
			p.TimerAt, p.IdleAt = time.Time{}, time.Time{}
			return tx.UpdateParticipant(ctx, p)
		case p.IdleAt.IsZero() && idle > 0:
			if err := ch.Append(ctx, s.timerEvent(cur, p, parley.EventParticipantIdle, now)); err != nil {
				return err
			}
			p.IdleAt, p.TimerAt = now, time.Time{}
			if disconnect > 0 {
				p.TimerAt = now.Add(disconnect)
			}
			return tx.UpdateParticipant(ctx, p)
		case disconnect == 0: // the configuration changed under a running timer
			p.TimerAt = time.Time{}
			return tx.UpdateParticipant(ctx, p)
		}
		if err := ch.Append(ctx, s.timerEvent(cur, p, parley.EventAutoDisconnection, now)); err != nil {
			return err
		}
		p.TimerAt = time.Time{}
		if err := tx.UpdateParticipant(ctx, p); err != nil {
			return err
		}
		if len(agents) == 0 {
			// A customer and a custom bot only: parley ends the chat rather than leave the customer alone.
			return s.endIn(ctx, tx, ch, cur, parley.ReasonExpired, nil, "", now)
		}
		if plan != nil {
			if !plan.current(cur) {
				return errTimerMoved
			}
			return s.remainIn(ctx, tx, ch, cur, plan, agents[0], "", now)
		}
		if runHooks(cur)[hookCustomerRemaining] != "" {
			return errTimerMoved // the scan saw the idle timer; the next one plans the disconnect flow
		}
		return s.endIn(ctx, tx, ch, cur, parley.ReasonAgentDisconnect, agents[0], "", now)
	})
	if err != nil {
		return err
	}
	for _, it := range ch.Items {
		if it.ContentType == parley.EventAutoDisconnection {
			s.log.InfoContext(ctx, "participant auto-disconnected", "contact_id", it.ContactID,
				"participant_id", it.ParticipantID, "role", it.Role)
		}
	}
	return nil
}
