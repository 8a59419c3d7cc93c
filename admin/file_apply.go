package admin

import (
	"cmp"
	"context"
	"fmt"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
)

// passwordHashes checks the users' passwords against the policy and hashes them, by position in users; "" means
// no password, or an existing user whose hash already matches and keeps it (no new salt on every start). It runs
// before the transaction because hashing is slow on purpose.
func (s *Service) passwordHashes(ctx context.Context, instanceID string, users []FileUser) ([]string, error) {
	hashes := make([]string, len(users))
	for i, fu := range users {
		if fu.Password == "" {
			continue
		}
		if msg := auth.CheckPolicy(fu.Password); msg != "" {
			return nil, fmt.Errorf("bootstrap: users[%d] %q: %w", i, fu.Username,
				parley.Invalid("Password", "password %s", msg))
		}
		old, err := s.store.UserByUsername(ctx, instanceID, fu.Username)
		if err == nil {
			if ok, _ := auth.CheckPassword(old.PasswordHash, fu.Password); ok {
				continue
			}
		} else if !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		if hashes[i], err = auth.HashPassword(fu.Password); err != nil {
			return nil, err
		}
	}
	return hashes, nil
}

// apply makes the instance match f inside tx, one section after the other in the order the names depend on each
// other: hours before the queues that name them, queues before routing profiles, routing profiles before users,
// users and queues before quick connects. hashes are the users' new password hashes (see passwordHashes).
func (s *Service) apply(ctx context.Context, tx parley.Tx, instanceID string, f *File, hashes []string, res *ApplyResult) error {
	inst, err := instance(ctx, tx, instanceID)
	if err != nil {
		return err
	}
	a := &applier{s: s, tx: tx, inst: inst, res: res, hashes: hashes}
	if err := a.alias(ctx, f.Instance.Alias); err != nil {
		return err
	}
	if err := applyEach(ctx, "hours", f.Hours, a.hours); err != nil {
		return err
	}
	if err := applyEach(ctx, "agent_statuses", f.AgentStatuses, a.agentStatus); err != nil {
		return err
	}
	if err := applyEach(ctx, "queues", f.Queues, a.queue); err != nil {
		return err
	}
	if err := applyEach(ctx, "routing_profiles", f.RoutingProfiles, a.routingProfile); err != nil {
		return err
	}
	if err := applyEach(ctx, "users", f.Users, a.user); err != nil {
		return err
	}
	return applyEach(ctx, "quick_connects", f.QuickConnects, a.quickConnect)
}

// applier applies the entries of a File to one instance inside one transaction, noting what it did in res.
type applier struct {
	s      *Service
	tx     parley.Tx
	inst   *parley.Instance
	res    *ApplyResult
	hashes []string // the users' new password hashes, by position in File.Users
}

// fileEntry is an entry of a section of a File; its name identifies it in errors.
type fileEntry interface{ entryName() string }

func (h FileHours) entryName() string          { return h.Name }
func (s FileAgentStatus) entryName() string    { return s.Name }
func (q FileQueue) entryName() string          { return q.Name }
func (p FileRoutingProfile) entryName() string { return p.Name }
func (u FileUser) entryName() string           { return u.Username }
func (q FileQuickConnect) entryName() string   { return q.Name }

// applyEach applies the entries of one section in order and stops at the first failure, which it names by
// section, position and name: bootstrap: queues[2] "Sales": .... i is the entry's position in the section.
func applyEach[T fileEntry](ctx context.Context, section string, entries []T,
	apply func(ctx context.Context, i int, entry T) error) error {
	for i, e := range entries {
		if err := apply(ctx, i, e); err != nil {
			return fmt.Errorf("bootstrap: %s[%d] %q: %w", section, i, e.entryName(), err)
		}
	}
	return nil
}

// alias renames the instance when the file gives it a different alias.
func (a *applier) alias(ctx context.Context, alias string) error {
	if alias == "" || alias == a.inst.Alias {
		return nil
	}
	if len(alias) > 45 || !aliasPattern.MatchString(alias) {
		return fmt.Errorf("bootstrap: instance: %w", parley.Invalid("InstanceAlias",
			"alias %q must be 1 to 45 letters, digits and inner hyphens", alias))
	}
	a.inst.Alias = alias
	if err := a.tx.PutInstance(ctx, a.inst); err != nil {
		return err
	}
	a.res.note(true, "instance", alias)
	return nil
}

// hours creates or updates a set of hours of operation (time zone UTC unless given).
func (a *applier) hours(ctx context.Context, _ int, fh FileHours) error {
	in := HoursInput{Name: fh.Name, Description: fh.Description, TimeZone: cmp.Or(fh.TimeZone, "UTC")}
	var err error
	if in.Config, err = hoursConfig(fh.Config); err != nil {
		return err
	}
	return upsert(a.res, "hours", fh.Name, func() ([]*parley.HoursOfOperation, error) {
		return a.tx.ListHoursOfOperations(ctx, a.inst.ID)
	}, func(h *parley.HoursOfOperation) string { return h.Name },
		func(h *parley.HoursOfOperation) string { return h.ID },
		func(id string) error { _, err := a.s.putHours(ctx, a.tx, a.inst, id, in); return err })
}

// agentStatus creates a custom agent status (ENABLED unless given) or updates the one of that name; the
// built-in Available and Offline keep their type.
func (a *applier) agentStatus(ctx context.Context, _ int, fs FileAgentStatus) error {
	in := AgentStatusInput{Name: fs.Name, Description: fs.Description, State: cmp.Or(fs.State, StatusEnabled),
		DisplayOrder: fs.DisplayOrder}
	all, err := a.tx.ListAgentStatuses(ctx, a.inst.ID)
	if err != nil {
		return err
	}
	old := byName(all, fs.Name, func(st *parley.AgentStatus) string { return st.Name })
	typ := parley.StatusCustom
	if old != nil {
		typ = old.Type
	}
	if _, err := a.s.putAgentStatus(ctx, a.tx, a.inst, old, typ, in); err != nil {
		return err
	}
	a.res.note(old != nil, "agent status", fs.Name)
	return nil
}

// queue creates or updates a queue, resolving its hours by name (Basic Hours unless given).
func (a *applier) queue(ctx context.Context, _ int, fq FileQueue) error {
	all, err := a.tx.ListHoursOfOperations(ctx, a.inst.ID)
	if err != nil {
		return err
	}
	h, err := named(all, cmp.Or(fq.Hours, DefaultHoursName), func(h *parley.HoursOfOperation) string { return h.Name },
		"HOURS_OF_OPERATION", "hours of operation")
	if err != nil {
		return err
	}
	in := QueueInput{Name: fq.Name, Description: fq.Description, HoursOfOperationID: h.ID,
		MaxContacts: fq.MaxContacts, Status: fq.Status}
	return upsert(a.res, "queue", fq.Name, func() ([]*parley.Queue, error) {
		return a.tx.ListQueues(ctx, a.inst.ID)
	}, func(q *parley.Queue) string { return q.Name }, func(q *parley.Queue) string { return q.ID },
		func(id string) error { _, err := a.s.putQueue(ctx, a.tx, a.inst, id, in); return err })
}

// routingProfile creates or updates a routing profile.
func (a *applier) routingProfile(ctx context.Context, _ int, fp FileRoutingProfile) error {
	in, err := a.routingProfileInput(ctx, fp)
	if err != nil {
		return err
	}
	return upsert(a.res, "routing profile", fp.Name, func() ([]*parley.RoutingProfile, error) {
		return a.tx.ListRoutingProfiles(ctx, a.inst.ID)
	}, func(p *parley.RoutingProfile) string { return p.Name },
		func(p *parley.RoutingProfile) string { return p.ID },
		func(id string) error { _, err := a.s.putRoutingProfile(ctx, a.tx, a.inst, id, in); return err })
}

// routingProfileInput turns a routing profile entry into the operation's input: the description defaults to
// the name, the concurrency to DefaultChatConcurrency, queue names become ids, and the default outbound queue
// is the first queue listed unless the entry names one.
func (a *applier) routingProfileInput(ctx context.Context, fp FileRoutingProfile) (RoutingProfileInput, error) {
	in := RoutingProfileInput{Name: fp.Name, Description: cmp.Or(fp.Description, fp.Name),
		ChatConcurrency: cmp.Or(fp.ChatConcurrency, DefaultChatConcurrency)}
	queues, err := a.tx.ListQueues(ctx, a.inst.ID)
	if err != nil {
		return in, err
	}
	queueID := func(name string) (string, error) {
		q, err := named(queues, name, func(q *parley.Queue) string { return q.Name }, "QUEUE", "queue")
		if err != nil {
			return "", err
		}
		return q.ID, nil
	}
	for _, fq := range fp.Queues {
		id, err := queueID(fq.Queue)
		if err != nil {
			return in, err
		}
		in.Queues = append(in.Queues, parley.RoutingProfileQueue{QueueID: id,
			Channel: cmp.Or(parley.Channel(fq.Channel), parley.ChannelChat), Priority: cmp.Or(fq.Priority, 1),
			Delay: fq.Delay})
	}
	switch {
	case fp.DefaultOutboundQueue != "":
		in.DefaultOutboundQueueID, err = queueID(fp.DefaultOutboundQueue)
	case len(in.Queues) > 0:
		in.DefaultOutboundQueueID = in.Queues[0].QueueID
	default:
		err = parley.Invalid("default_outbound_queue", "a routing profile without queues needs a default_outbound_queue")
	}
	return in, err
}

// user creates or updates a user, setting its password when a.hashes has a new hash for entry i.
func (a *applier) user(ctx context.Context, i int, fu FileUser) error {
	in, err := a.userInput(ctx, fu)
	if err != nil {
		return err
	}
	old, err := a.tx.UserByUsername(ctx, a.inst.ID, fu.Username)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	if _, err := a.s.putUser(ctx, a.tx, a.inst, old, in, a.hashes[i]); err != nil {
		return err
	}
	a.res.note(old != nil, "user", fu.Username)
	if a.hashes[i] != "" {
		a.res.PasswordsSet = append(a.res.PasswordsSet, fu.Username)
	}
	return nil
}

// userInput turns a user entry into the operation's input: security profile names (Agent unless given) and
// the routing profile name (Basic Routing Profile unless given) become ids.
func (a *applier) userInput(ctx context.Context, fu FileUser) (UserInput, error) {
	in := UserInput{Username: fu.Username, FirstName: fu.FirstName, LastName: fu.LastName, Email: fu.Email,
		AutoAccept: fu.AutoAccept, AfterContactWorkTimeLimit: fu.AfterContactWorkTimeLimit}
	profiles, err := a.tx.ListSecurityProfiles(ctx, a.inst.ID)
	if err != nil {
		return in, err
	}
	names := fu.SecurityProfiles
	if len(names) == 0 {
		names = []string{parley.ProfileAgent}
	}
	for _, n := range names {
		p, err := named(profiles, n, func(p *parley.SecurityProfile) string { return p.Name },
			"SECURITY_PROFILE", "security profile")
		if err != nil {
			return in, err
		}
		in.SecurityProfileIDs = append(in.SecurityProfileIDs, p.ID)
	}
	rps, err := a.tx.ListRoutingProfiles(ctx, a.inst.ID)
	if err != nil {
		return in, err
	}
	rp, err := named(rps, cmp.Or(fu.RoutingProfile, DefaultRoutingProfileName),
		func(p *parley.RoutingProfile) string { return p.Name }, "ROUTING_PROFILE", "routing profile")
	if err != nil {
		return in, err
	}
	in.RoutingProfileID = rp.ID
	return in, nil
}

// quickConnect creates or updates a quick connect.
func (a *applier) quickConnect(ctx context.Context, _ int, fq FileQuickConnect) error {
	in, err := a.quickConnectInput(ctx, fq)
	if err != nil {
		return err
	}
	return upsert(a.res, "quick connect", fq.Name, func() ([]*parley.QuickConnect, error) {
		return a.tx.ListQuickConnects(ctx, a.inst.ID)
	}, func(q *parley.QuickConnect) string { return q.Name }, func(q *parley.QuickConnect) string { return q.ID },
		func(id string) error { _, err := a.s.putQuickConnect(ctx, a.tx, a.inst, id, in); return err })
}

// quickConnectInput turns a quick connect entry into the operation's input: exactly one destination (a user by
// username, a queue by name, or a phone number), or only a contact flow, which makes a FLOW quick connect.
func (a *applier) quickConnectInput(ctx context.Context, fq FileQuickConnect) (QuickConnectInput, error) {
	in := QuickConnectInput{Name: fq.Name, Description: fq.Description}
	set := 0
	if fq.User != "" {
		set++
		u, err := a.tx.UserByUsername(ctx, a.inst.ID, fq.User)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return in, parley.NotFound("USER", "no user named %q", fq.User)
		} else if err != nil {
			return in, err
		}
		in.Type, in.UserID = QuickConnectUser, u.ID
	}
	if fq.Queue != "" {
		set++
		qs, err := a.tx.ListQueues(ctx, a.inst.ID)
		if err != nil {
			return in, err
		}
		q, err := named(qs, fq.Queue, func(q *parley.Queue) string { return q.Name }, "QUEUE", "queue")
		if err != nil {
			return in, err
		}
		in.Type, in.QueueID = QuickConnectQueue, q.ID
	}
	if fq.PhoneNumber != "" {
		set++
		in.Type, in.PhoneNumber = QuickConnectPhone, fq.PhoneNumber
	}
	if fq.ContactFlow != "" {
		id, err := a.flowID(ctx, fq.ContactFlow)
		if err != nil {
			return in, err
		}
		in.ContactFlowID = id
		if set == 0 {
			set, in.Type = 1, QuickConnectFlow
		}
	}
	if set != 1 {
		return in, parley.Invalid("quick_connect", "set exactly one of user, queue, phone_number (or only contact_flow)")
	}
	return in, nil
}

// flowID returns the id of the contact flow with the given name, id or ARN.
func (a *applier) flowID(ctx context.Context, flow string) (string, error) {
	flows, err := a.tx.ListContactFlows(ctx, a.inst.ID)
	if err != nil {
		return "", err
	}
	fl := byName(flows, flow, func(f *parley.ContactFlow) string { return f.Name })
	if fl == nil {
		fl = byName(flows, idOf(flow), func(f *parley.ContactFlow) string { return f.ID })
	}
	if fl == nil {
		return "", parley.NotFound("CONTACT_FLOW", "no contact flow named %q", flow)
	}
	return fl.ID, nil
}

// named returns the object of all whose name is name, or an ENOTFOUND error for resource that says
// `no <what> named "<name>"`.
func named[T comparable](all []T, name string, nameOf func(T) string, resource, what string) (T, error) {
	v := byName(all, name, nameOf)
	var zero T
	if v == zero {
		return zero, parley.NotFound(resource, "no %s named %q", what, name)
	}
	return v, nil
}

// upsert finds the object named name in list's result and calls put with its id (or "" when there is none),
// noting the outcome in res.
func upsert[T any](res *ApplyResult, kind, name string, list func() ([]T, error),
	nameOf, idOf func(T) string, put func(id string) error) error {
	all, err := list()
	if err != nil {
		return err
	}
	id := ""
	for _, v := range all {
		if nameOf(v) == name {
			id = idOf(v)
			break
		}
	}
	if err := put(id); err != nil {
		return err
	}
	res.note(id != "", kind, name)
	return nil
}

// note records a created or updated object.
func (r *ApplyResult) note(existed bool, kind, name string) {
	if existed {
		r.Updated = append(r.Updated, kind+" "+name)
	} else {
		r.Created = append(r.Created, kind+" "+name)
	}
}
