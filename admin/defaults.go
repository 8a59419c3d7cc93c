package admin

import (
	"context"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
)

// Names of the objects every instance gets (those of a new Amazon Connect instance, where they exist there).
const (
	DefaultHoursName          = "Basic Hours"
	DefaultQueueName          = "BasicQueue"
	DefaultRoutingProfileName = "Basic Routing Profile"
	StatusAvailableName       = "Available"
	StatusOfflineName         = "Offline"
	// DemoUsername is the demo agent's username.
	DemoUsername = "agent"
)

// bootstrapScope is the idempotency scope of one-time bootstrap actions: the demo agent is created once per
// instance, and never again once deleted.
const bootstrapScope = "parley.bootstrap"

// Defaults is what EnsureDefaults found or created.
type Defaults struct {
	Instance       *parley.Instance
	Hours          *parley.HoursOfOperation
	Queue          *parley.Queue
	RoutingProfile *parley.RoutingProfile
	// DemoAgent is the demo user; nil when there is none (Config.NoDemoAgent, or deleted since).
	DemoAgent *parley.User
	// DemoPassword is the demo agent's password when this call created the agent, "" otherwise: it is shown
	// once and kept nowhere but as a hash.
	DemoPassword string
}

// EnsureDefaults gives an instance what every instance has, creating only what is missing (matched by name), so
// that it is safe on every start: the security profiles Admin, Agent and CallCenterManager; the agent statuses
// Available (ROUTABLE) and Offline (OFFLINE); "Basic Hours" (always open, UTC); the queue "BasicQueue" with
// those hours; "Basic Routing Profile" (3 chat slots, BasicQueue at priority 1, delay 0); and, once per instance,
// the default flows (flows_default.go) and the demo agent "agent" with a random password, returned in
// Defaults.DemoPassword.
func (s *Service) EnsureDefaults(ctx context.Context, instanceID string) (*Defaults, error) {
	// The demo agent's password is hashed before the transaction, and only when the agent may be created.
	var password, hash string
	if !s.cfg.NoDemoAgent {
		_, err := s.store.Idempotent(ctx, bootstrapScope, instanceID+"/demo-agent")
		if parley.IsCode(err, parley.ENOTFOUND) {
			if password, err = auth.NewPassword(16); err != nil {
				return nil, err
			}
			if hash, err = auth.HashPassword(password); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
	}
	var d *Defaults
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		d, err = s.ensureDefaults(ctx, tx, instanceID, hash)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.DemoPassword != "" {
		d.DemoPassword = password
	}
	return d, nil
}

// ensureDefaults does EnsureDefaults' work in tx. When it creates the demo agent (with the given hash), it sets
// d.DemoPassword to a non-empty placeholder.
func (s *Service) ensureDefaults(ctx context.Context, tx parley.Tx, instanceID, demoHash string) (*Defaults, error) {
	inst, err := instance(ctx, tx, instanceID)
	if err != nil {
		return nil, err
	}
	d := &Defaults{Instance: inst}

	profiles, err := tx.ListSecurityProfiles(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	var agentProfile string
	for _, name := range []string{parley.ProfileAdmin, parley.ProfileAgent, parley.ProfileCallCenterManager} {
		p := byName(profiles, name, func(p *parley.SecurityProfile) string { return p.Name })
		if p == nil {
			id := newID()
			p = &parley.SecurityProfile{ID: id, InstanceID: inst.ID, ARN: arn(inst, arnSecurityProfile, id), Name: name}
			if err := tx.PutSecurityProfile(ctx, p); err != nil {
				return nil, err
			}
		}
		if name == parley.ProfileAgent {
			agentProfile = p.ID
		}
	}

	statuses, err := tx.ListAgentStatuses(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	for i, def := range []struct{ name, typ, desc string }{
		{StatusAvailableName, parley.StatusRoutable, "Contacts are offered to the agent"},
		{StatusOfflineName, parley.StatusOffline, "The agent is not working"},
	} {
		if byName(statuses, def.name, func(st *parley.AgentStatus) string { return st.Name }) != nil {
			continue
		}
		in := AgentStatusInput{Name: def.name, Description: def.desc, State: StatusEnabled, DisplayOrder: i + 1}
		if _, err := s.putAgentStatus(ctx, tx, inst, nil, def.typ, in); err != nil {
			return nil, err
		}
	}

	hours, err := tx.ListHoursOfOperations(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	d.Hours = byName(hours, DefaultHoursName, func(h *parley.HoursOfOperation) string { return h.Name })
	if d.Hours == nil {
		in := HoursInput{Name: DefaultHoursName, Description: "Open all the time", TimeZone: "UTC"}
		for _, day := range days {
			// 00:00 to 00:00: the whole day, as in Amazon Connect's Basic Hours.
			in.Config = append(in.Config, parley.HoursConfig{Day: day})
		}
		if d.Hours, err = s.putHours(ctx, tx, inst, "", in); err != nil {
			return nil, err
		}
	}

	queues, err := tx.ListQueues(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	d.Queue = byName(queues, DefaultQueueName, func(q *parley.Queue) string { return q.Name })
	switch {
	case d.Queue == nil:
		in := QueueInput{Name: DefaultQueueName, Description: "Default queue", HoursOfOperationID: d.Hours.ID}
		if d.Queue, err = s.putQueue(ctx, tx, inst, "", in); err != nil {
			return nil, err
		}
	case d.Queue.HoursOfOperationID == "" || d.Queue.Status == "":
		// A queue created before queues had hours (schema version 1).
		if d.Queue.HoursOfOperationID == "" {
			d.Queue.HoursOfOperationID = d.Hours.ID
		}
		if d.Queue.Status == "" {
			d.Queue.Status = QueueEnabled
		}
		if err := tx.PutQueue(ctx, d.Queue); err != nil {
			return nil, err
		}
	}

	rps, err := tx.ListRoutingProfiles(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	d.RoutingProfile = byName(rps, DefaultRoutingProfileName, func(p *parley.RoutingProfile) string { return p.Name })
	if d.RoutingProfile == nil {
		in := RoutingProfileInput{Name: DefaultRoutingProfileName, Description: "Default routing profile",
			DefaultOutboundQueueID: d.Queue.ID, ChatConcurrency: DefaultChatConcurrency,
			Queues: []parley.RoutingProfileQueue{{QueueID: d.Queue.ID, Channel: parley.ChannelChat, Priority: 1}}}
		if d.RoutingProfile, err = s.putRoutingProfile(ctx, tx, inst, "", in); err != nil {
			return nil, err
		}
	}

	if err := s.ensureFlows(ctx, tx, inst, d.Queue); err != nil {
		return nil, err
	}

	if s.cfg.NoDemoAgent {
		return d, nil
	}
	d.DemoAgent, err = tx.UserByUsername(ctx, inst.ID, DemoUsername)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return nil, err
	}
	token := inst.ID + "/demo-agent"
	_, err = tx.Idempotent(ctx, bootstrapScope, token)
	switch {
	case err == nil:
		return d, nil // created once already
	case !parley.IsCode(err, parley.ENOTFOUND):
		return nil, err
	}
	if d.DemoAgent == nil && demoHash != "" {
		in := UserInput{Username: DemoUsername, FirstName: "Demo", LastName: "Agent",
			SecurityProfileIDs: []string{agentProfile}, RoutingProfileID: d.RoutingProfile.ID}
		if d.DemoAgent, err = s.putUser(ctx, tx, inst, nil, in, demoHash); err != nil {
			return nil, err
		}
		d.DemoPassword = "created"
	}
	if d.DemoAgent == nil {
		// No password was prepared: the marker was present when EnsureDefaults looked outside the transaction.
		return d, nil
	}
	if err := tx.PutIdempotent(ctx, bootstrapScope, token, []byte(d.DemoAgent.ID)); err != nil {
		return nil, err
	}
	return d, nil
}

// byName returns the first value whose name is name, or nil.
func byName[T any](vs []T, name string, nameOf func(T) string) T {
	var zero T
	for _, v := range vs {
		if nameOf(v) == name {
			return v
		}
	}
	return zero
}
