package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// Tests of the configuration of an instance (users, security profiles, agent statuses, hours, routing profiles,
// quick connects, agent sessions) and of the routing reads of contacts and participants.

// putAll stores values in one Update with put.
func putAll[T any](t testing.TB, s parley.Store, put func(tx parley.Tx, v T) error, vs ...T) {
	t.Helper()
	update(t, s, func(tx parley.Tx) error {
		for _, v := range vs {
			if err := put(tx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// seedInstances stores instances with the given ids.
func seedInstances(t testing.TB, s parley.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		update(t, s, func(tx parley.Tx) error { return tx.PutInstance(t.Context(), newInstance(id)) })
	}
}

func newUser(id, instanceID, username string) *parley.User {
	return &parley.User{
		ID:                        id,
		InstanceID:                instanceID,
		ARN:                       "arn:aws:connect:us-west-2:000000000000:instance/" + instanceID + "/agent/" + id,
		Username:                  username,
		PasswordHash:              "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		FirstName:                 "Ädä",
		LastName:                  "Lovelace",
		Email:                     username + "@example.com",
		RoutingProfileID:          "rp-1",
		SecurityProfileIDs:        []string{"sp-agent", "sp-manager"},
		Role:                      parley.UserSupervisor,
		AutoAccept:                true,
		AfterContactWorkTimeLimit: 30,
		StatusID:                  "st-available",
		StatusSince:               base.Add(time.Minute + 333*time.Microsecond),
		CreatedAt:                 base,
		UpdatedAt:                 base.Add(time.Hour),
	}
}

// storedUser is what a store returns for u.
func storedUser(u *parley.User) *parley.User {
	w := *u
	w.StatusSince, w.CreatedAt, w.UpdatedAt = ms(u.StatusSince), ms(u.CreatedAt), ms(u.UpdatedAt)
	return &w
}

// putUser stores a user (for putAll).
func putUser(tx parley.Tx, u *parley.User) error { return tx.PutUser(context.Background(), u) }

func testUserRoundTrip(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetUser(ctx, "u-1")
	wantNotFound(t, "GetUser of a missing user", err, "USER")
	_, err = s.UserByUsername(ctx, "i-1", "ada")
	wantNotFound(t, "UserByUsername of a missing user", err, "USER")

	seedInstances(t, s, "i-1", "i-2")
	u1 := newUser("u-1", "i-1", "ada")
	u2 := newUser("u-2", "i-1", "bob")
	u2.SecurityProfileIDs, u2.Role, u2.AutoAccept = []string{"sp-agent"}, parley.UserAgent, false
	u2.StatusID, u2.StatusSince, u2.PasswordHash = "", time.Time{}, ""
	// The same username in another instance is another user.
	u3 := newUser("u-3", "i-2", "ada")
	update(t, s, func(tx parley.Tx) error {
		for _, u := range []*parley.User{u2, u1, u3} {
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})

	for _, want := range []*parley.User{u1, u2, u3} {
		got, err := s.GetUser(ctx, want.ID)
		must(t, "GetUser", err)
		diff(t, "GetUser "+want.ID, storedUser(want), got)
		got, err = s.UserByUsername(ctx, want.InstanceID, want.Username)
		must(t, "UserByUsername", err)
		diff(t, "UserByUsername "+want.Username, storedUser(want), got)
	}
	_, err = s.UserByUsername(ctx, "i-1", "ADA")
	wantNotFound(t, "UserByUsername with another case", err, "USER")

	list, err := s.ListUsers(ctx, "i-1")
	must(t, "ListUsers", err)
	diff(t, "ListUsers (ordered by username)", []*parley.User{storedUser(u1), storedUser(u2)}, list)
	list, err = s.ListUsers(ctx, "i-9")
	must(t, "ListUsers", err)
	diff(t, "ListUsers of a missing instance", []*parley.User(nil), list)

	// Put replaces, including the username and the status.
	u1b := *u1
	u1b.Username, u1b.StatusID, u1b.StatusSince = "ada2", "st-offline", base.Add(2*time.Hour)
	u1b.SecurityProfileIDs, u1b.Role = nil, parley.UserAgent
	update(t, s, func(tx parley.Tx) error { return tx.PutUser(ctx, &u1b) })
	got, err := s.GetUser(ctx, "u-1")
	must(t, "GetUser after replacing", err)
	diff(t, "GetUser after replacing", storedUser(&u1b), got)
	_, err = s.UserByUsername(ctx, "i-1", "ada")
	wantNotFound(t, "UserByUsername of the old username", err, "USER")
}

func testUserUsernameUnique(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	u1 := newUser("u-1", "i-1", "ada")
	putAll(t, s, putUser, u1, newUser("u-2", "i-1", "bob"))

	dup := newUser("u-3", "i-1", "ada")
	err := s.Update(ctx, func(tx parley.Tx) error { return tx.PutUser(ctx, dup) })
	wantCode(t, "PutUser of a new user with an existing username", err, parley.ECONFLICT)
	_, err = s.GetUser(ctx, "u-3")
	wantNotFound(t, "GetUser of the conflicting user", err, "USER")

	rename := newUser("u-2", "i-1", "ada")
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.PutUser(ctx, rename) })
	wantCode(t, "PutUser renaming a user to an existing username", err, parley.ECONFLICT)

	// The conflict leaves the transaction usable.
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutUser(ctx, dup); !parley.IsCode(err, parley.ECONFLICT) {
			t.Errorf("PutUser of a duplicate username in a transaction: got %v, want ECONFLICT", err)
		}
		return tx.PutUser(ctx, newUser("u-4", "i-1", "carol"))
	})
	_, err = s.GetUser(ctx, "u-4")
	must(t, "GetUser of the user stored after a conflict", err)
	got, err := s.GetUser(ctx, "u-1")
	must(t, "GetUser", err)
	diff(t, "user after conflicting puts", storedUser(u1), got)
}

func testUserDelete(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	u1, u2 := newUser("u-1", "i-1", "ada"), newUser("u-2", "i-1", "bob")
	putAll(t, s, putUser, u1, u2)
	s1 := &parley.AgentSession{TokenHash: []byte("h1"), UserID: "u-1", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	s2 := &parley.AgentSession{TokenHash: []byte("h2"), UserID: "u-2", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	putAll(t, s, func(tx parley.Tx, v *parley.AgentSession) error { return tx.PutAgentSession(ctx, v) }, s1, s2)

	update(t, s, func(tx parley.Tx) error { return tx.DeleteUser(ctx, "u-1") })
	_, err := s.GetUser(ctx, "u-1")
	wantNotFound(t, "GetUser of a deleted user", err, "USER")
	_, err = s.AgentSession(ctx, []byte("h1"))
	wantNotFound(t, "AgentSession of a deleted user", err, "AGENT_SESSION")
	_, err = s.AgentSession(ctx, []byte("h2"))
	must(t, "AgentSession of another user", err)
	list, err := s.ListUsers(ctx, "i-1")
	must(t, "ListUsers", err)
	diff(t, "ListUsers after a delete", []*parley.User{storedUser(u2)}, list)

	err = s.Update(ctx, func(tx parley.Tx) error { return tx.DeleteUser(ctx, "u-1") })
	wantNotFound(t, "DeleteUser of a missing user", err, "USER")

	// The username is free again.
	putAll(t, s, putUser, newUser("u-5", "i-1", "ada"))
}

func testSecurityProfile(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	mk := func(id, instanceID, name string) *parley.SecurityProfile {
		return &parley.SecurityProfile{ID: id, InstanceID: instanceID, ARN: "arn:" + id, Name: name}
	}
	agent, admin, other := mk("sp-1", "i-1", parley.ProfileAgent), mk("sp-2", "i-1", parley.ProfileAdmin),
		mk("sp-3", "i-2", parley.ProfileAgent)
	put := func(tx parley.Tx, p *parley.SecurityProfile) error { return tx.PutSecurityProfile(ctx, p) }
	putAll(t, s, put, agent, admin, other)

	list, err := s.ListSecurityProfiles(ctx, "i-1")
	must(t, "ListSecurityProfiles", err)
	diff(t, "ListSecurityProfiles (ordered by name)", []*parley.SecurityProfile{admin, agent}, list)

	err = s.Update(ctx, func(tx parley.Tx) error { return put(tx, mk("sp-4", "i-1", parley.ProfileAdmin)) })
	wantCode(t, "PutSecurityProfile with an existing name", err, parley.ECONFLICT)

	admin2 := mk("sp-2", "i-1", parley.ProfileCallCenterManager)
	putAll(t, s, put, admin2)
	list, err = s.ListSecurityProfiles(ctx, "i-1")
	must(t, "ListSecurityProfiles", err)
	diff(t, "ListSecurityProfiles after replacing", []*parley.SecurityProfile{agent, admin2}, list)
}

func testAgentStatus(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	mk := func(id, instanceID, name, typ string, order int) *parley.AgentStatus {
		return &parley.AgentStatus{ID: id, InstanceID: instanceID, ARN: "arn:" + id, Name: name,
			Description: "status " + name, Type: typ, State: "ENABLED", DisplayOrder: order}
	}
	avail := mk("st-1", "i-1", "Available", parley.StatusRoutable, 1)
	offline := mk("st-2", "i-1", "Offline", parley.StatusOffline, 2)
	lunch := mk("st-3", "i-1", "Lunch", parley.StatusCustom, 2) // same order as Offline: then by name
	lunch.State = "DISABLED"
	other := mk("st-4", "i-2", "Available", parley.StatusRoutable, 1)
	put := func(tx parley.Tx, v *parley.AgentStatus) error { return tx.PutAgentStatus(ctx, v) }
	putAll(t, s, put, offline, lunch, avail, other)

	got, err := s.GetAgentStatus(ctx, "st-3")
	must(t, "GetAgentStatus", err)
	diff(t, "GetAgentStatus", lunch, got)
	list, err := s.ListAgentStatuses(ctx, "i-1")
	must(t, "ListAgentStatuses", err)
	diff(t, "ListAgentStatuses (by display order, then name)", []*parley.AgentStatus{avail, lunch, offline}, list)

	err = s.Update(ctx, func(tx parley.Tx) error { return put(tx, mk("st-5", "i-1", "Lunch", parley.StatusCustom, 3)) })
	wantCode(t, "PutAgentStatus with an existing name", err, parley.ECONFLICT)

	lunch2 := *lunch
	lunch2.Description, lunch2.State, lunch2.DisplayOrder = "", "ENABLED", 9
	putAll(t, s, put, &lunch2)
	got, err = s.GetAgentStatus(ctx, "st-3")
	must(t, "GetAgentStatus after replacing", err)
	diff(t, "GetAgentStatus after replacing", &lunch2, got)
}

func testHoursOfOperation(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	h1 := &parley.HoursOfOperation{ID: "h-1", InstanceID: "i-1", ARN: "arn:h-1", Name: "Office", Description: "9 to 5",
		TimeZone: "Europe/Paris", Config: []parley.HoursConfig{
			{Day: "MONDAY", StartHours: 9, StartMinutes: 0, EndHours: 17, EndMinutes: 30},
			{Day: "FRIDAY", StartHours: 22, StartMinutes: 15, EndHours: 2, EndMinutes: 0},
		}}
	h2 := &parley.HoursOfOperation{ID: "h-2", InstanceID: "i-1", ARN: "arn:h-2", Name: "Closed", TimeZone: "UTC"}
	put := func(tx parley.Tx, v *parley.HoursOfOperation) error { return tx.PutHoursOfOperation(ctx, v) }
	putAll(t, s, put, h1, h2)

	got, err := s.GetHoursOfOperation(ctx, "h-1")
	must(t, "GetHoursOfOperation", err)
	diff(t, "GetHoursOfOperation", h1, got)
	list, err := s.ListHoursOfOperations(ctx, "i-1")
	must(t, "ListHoursOfOperations", err)
	diff(t, "ListHoursOfOperations (by name)", []*parley.HoursOfOperation{h2, h1}, list)

	err = s.Update(ctx, func(tx parley.Tx) error {
		return put(tx, &parley.HoursOfOperation{ID: "h-3", InstanceID: "i-1", ARN: "arn:h-3", Name: "Office"})
	})
	wantCode(t, "PutHoursOfOperation with an existing name", err, parley.ECONFLICT)

	h1b := *h1
	h1b.Config = h1.Config[:1]
	h1b.TimeZone = "America/New_York"
	putAll(t, s, put, &h1b)
	got, err = s.GetHoursOfOperation(ctx, "h-1")
	must(t, "GetHoursOfOperation after replacing", err)
	diff(t, "GetHoursOfOperation after replacing", &h1b, got)
}

func testRoutingProfile(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	queues := []*parley.Queue{
		{ID: "q-1", InstanceID: "i-1", ARN: "arn:q-1", Name: "One"},
		{ID: "q-2", InstanceID: "i-1", ARN: "arn:q-2", Name: "Two"},
		{ID: "q-3", InstanceID: "i-1", ARN: "arn:q-3", Name: "Three"},
	}
	putAll(t, s, func(tx parley.Tx, q *parley.Queue) error { return tx.PutQueue(ctx, q) }, queues...)

	p1 := &parley.RoutingProfile{ID: "rp-1", InstanceID: "i-1", ARN: "arn:rp-1", Name: "Sales", Description: "sales",
		DefaultOutboundQueueID: "q-1", ChatConcurrency: 3, Queues: []parley.RoutingProfileQueue{
			{QueueID: "q-2", Channel: parley.ChannelChat, Priority: 2, Delay: 30},
			{QueueID: "q-1", Channel: parley.ChannelChat, Priority: 1, Delay: 0},
			{QueueID: "q-1", Channel: "VOICE", Priority: 5, Delay: 9999},
		}}
	p2 := &parley.RoutingProfile{ID: "rp-2", InstanceID: "i-1", ARN: "arn:rp-2", Name: "Empty",
		DefaultOutboundQueueID: "q-1", ChatConcurrency: 10}
	p3 := &parley.RoutingProfile{ID: "rp-3", InstanceID: "i-2", ARN: "arn:rp-3", Name: "Elsewhere"}
	put := func(tx parley.Tx, v *parley.RoutingProfile) error { return tx.PutRoutingProfile(ctx, v) }
	putAll(t, s, put, p1, p2, p3)

	got, err := s.GetRoutingProfile(ctx, "rp-1")
	must(t, "GetRoutingProfile", err)
	diff(t, "GetRoutingProfile (queues in the order put)", p1, got)
	list, err := s.ListRoutingProfiles(ctx, "i-1")
	must(t, "ListRoutingProfiles", err)
	diff(t, "ListRoutingProfiles (by name, with queues)", []*parley.RoutingProfile{p2, p1}, list)

	// The queue list is replaced whole.
	p1b := *p1
	p1b.ChatConcurrency = 1
	p1b.Queues = []parley.RoutingProfileQueue{{QueueID: "q-3", Channel: parley.ChannelChat, Priority: 99, Delay: 1}}
	putAll(t, s, put, &p1b)
	got, err = s.GetRoutingProfile(ctx, "rp-1")
	must(t, "GetRoutingProfile after replacing", err)
	diff(t, "GetRoutingProfile after replacing", &p1b, got)

	p1c := p1b
	p1c.Queues = nil
	putAll(t, s, put, &p1c)
	got, err = s.GetRoutingProfile(ctx, "rp-1")
	must(t, "GetRoutingProfile after emptying", err)
	diff(t, "GetRoutingProfile after emptying", &p1c, got)

	err = s.Update(ctx, func(tx parley.Tx) error {
		return put(tx, &parley.RoutingProfile{ID: "rp-4", InstanceID: "i-1", ARN: "arn:rp-4", Name: "Sales"})
	})
	wantCode(t, "PutRoutingProfile with an existing name", err, parley.ECONFLICT)

	twice := p1b
	twice.Queues = []parley.RoutingProfileQueue{
		{QueueID: "q-1", Channel: parley.ChannelChat, Priority: 1},
		{QueueID: "q-1", Channel: parley.ChannelChat, Priority: 2},
	}
	err = s.Update(ctx, func(tx parley.Tx) error { return put(tx, &twice) })
	wantCode(t, "PutRoutingProfile listing a queue twice for a channel", err, parley.ECONFLICT)
	got, err = s.GetRoutingProfile(ctx, "rp-1")
	must(t, "GetRoutingProfile after a failed put", err)
	diff(t, "GetRoutingProfile after a failed put", &p1c, got)
}

func testQuickConnect(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	toQueue := &parley.QuickConnect{ID: "qc-1", InstanceID: "i-1", ARN: "arn:qc-1", Name: "To sales",
		Description: "transfer", Type: "QUEUE", QueueID: "q-1", ContactFlowID: "f-1"}
	toUser := &parley.QuickConnect{ID: "qc-2", InstanceID: "i-1", ARN: "arn:qc-2", Name: "Ada", Type: "USER",
		UserID: "u-1", ContactFlowID: "f-2"}
	toPhone := &parley.QuickConnect{ID: "qc-3", InstanceID: "i-1", ARN: "arn:qc-3", Name: "Boss", Type: "PHONE_NUMBER",
		PhoneNumber: "+15555550100"}
	put := func(tx parley.Tx, v *parley.QuickConnect) error { return tx.PutQuickConnect(ctx, v) }
	putAll(t, s, put, toQueue, toUser, toPhone)

	for _, want := range []*parley.QuickConnect{toQueue, toUser, toPhone} {
		got, err := s.GetQuickConnect(ctx, want.ID)
		must(t, "GetQuickConnect", err)
		diff(t, "GetQuickConnect "+want.ID, want, got)
	}
	list, err := s.ListQuickConnects(ctx, "i-1")
	must(t, "ListQuickConnects", err)
	diff(t, "ListQuickConnects (by name)", []*parley.QuickConnect{toUser, toPhone, toQueue}, list)

	err = s.Update(ctx, func(tx parley.Tx) error {
		return put(tx, &parley.QuickConnect{ID: "qc-4", InstanceID: "i-1", ARN: "arn:qc-4", Name: "Ada", Type: "USER"})
	})
	wantCode(t, "PutQuickConnect with an existing name", err, parley.ECONFLICT)
}

func testAgentSession(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.AgentSession(ctx, []byte("h"))
	wantNotFound(t, "AgentSession of a missing session", err, "AGENT_SESSION")
	_, err = s.AgentSession(ctx, nil)
	wantNotFound(t, "AgentSession of an empty hash", err, "AGENT_SESSION")

	seedInstances(t, s, "i-1")
	putAll(t, s, putUser, newUser("u-1", "i-1", "ada"))
	sess := &parley.AgentSession{TokenHash: []byte{0, 0xfe, 'h', 0}, UserID: "u-1", CreatedAt: base,
		ExpiresAt: base.Add(8*time.Hour + 1500*time.Microsecond)}
	update(t, s, func(tx parley.Tx) error { return tx.PutAgentSession(ctx, sess) })
	got, err := s.AgentSession(ctx, sess.TokenHash)
	must(t, "AgentSession", err)
	want := *sess
	want.CreatedAt, want.ExpiresAt = ms(sess.CreatedAt), ms(sess.ExpiresAt)
	diff(t, "AgentSession", &want, got)

	err = s.Update(ctx, func(tx parley.Tx) error { return tx.PutAgentSession(ctx, sess) })
	wantCode(t, "PutAgentSession of an existing hash", err, parley.ECONFLICT)

	update(t, s, func(tx parley.Tx) error { return tx.DeleteAgentSession(ctx, sess.TokenHash) })
	_, err = s.AgentSession(ctx, sess.TokenHash)
	wantNotFound(t, "AgentSession after DeleteAgentSession", err, "AGENT_SESSION")
	update(t, s, func(tx parley.Tx) error { return tx.DeleteAgentSession(ctx, sess.TokenHash) })

	// A user's sessions go together, and only that user's.
	putAll(t, s, putUser, newUser("u-2", "i-1", "bob"))
	mine := []*parley.AgentSession{sess, {TokenHash: []byte("second"), UserID: "u-1", CreatedAt: base, ExpiresAt: sess.ExpiresAt}}
	bobs := &parley.AgentSession{TokenHash: []byte("bob's"), UserID: "u-2", CreatedAt: base, ExpiresAt: sess.ExpiresAt}
	for _, x := range append(mine, bobs) {
		update(t, s, func(tx parley.Tx) error { return tx.PutAgentSession(ctx, x) })
	}
	update(t, s, func(tx parley.Tx) error { return tx.DeleteUserAgentSessions(ctx, "u-1") })
	for _, x := range mine {
		_, err = s.AgentSession(ctx, x.TokenHash)
		wantNotFound(t, "AgentSession after DeleteUserAgentSessions", err, "AGENT_SESSION")
	}
	_, err = s.AgentSession(ctx, bobs.TokenHash)
	must(t, "another user's AgentSession after DeleteUserAgentSessions", err)
	update(t, s, func(tx parley.Tx) error { return tx.DeleteUserAgentSessions(ctx, "u-1") })
}

func testConfigNotFound(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetRoutingProfile(ctx, "x")
	wantNotFound(t, "GetRoutingProfile of a missing profile", err, "ROUTING_PROFILE")
	_, err = s.GetHoursOfOperation(ctx, "x")
	wantNotFound(t, "GetHoursOfOperation of missing hours", err, "HOURS_OF_OPERATION")
	_, err = s.GetQuickConnect(ctx, "x")
	wantNotFound(t, "GetQuickConnect of a missing quick connect", err, "QUICK_CONNECT")
	_, err = s.GetAgentStatus(ctx, "x")
	wantNotFound(t, "GetAgentStatus of a missing status", err, "AGENT_STATUS")
	_, err = s.GetQueue(ctx, "x")
	wantNotFound(t, "GetQueue of a missing queue", err, "QUEUE")
	_, err = s.GetUser(ctx, "x")
	wantNotFound(t, "GetUser of a missing user", err, "USER")
	for name, list := range map[string]func() (int, error){
		"ListUsers":             func() (int, error) { l, err := s.ListUsers(ctx, "x"); return len(l), err },
		"ListRoutingProfiles":   func() (int, error) { l, err := s.ListRoutingProfiles(ctx, "x"); return len(l), err },
		"ListHoursOfOperations": func() (int, error) { l, err := s.ListHoursOfOperations(ctx, "x"); return len(l), err },
		"ListQuickConnects":     func() (int, error) { l, err := s.ListQuickConnects(ctx, "x"); return len(l), err },
		"ListAgentStatuses":     func() (int, error) { l, err := s.ListAgentStatuses(ctx, "x"); return len(l), err },
		"ListSecurityProfiles":  func() (int, error) { l, err := s.ListSecurityProfiles(ctx, "x"); return len(l), err },
		"ListActiveContacts":    func() (int, error) { l, err := s.ListActiveContacts(ctx, "x"); return len(l), err },
	} {
		n, err := list()
		must(t, name, err)
		if n != 0 {
			t.Errorf("%s of a missing instance: got %d values, want none", name, n)
		}
	}
	_, err = s.ActiveContact(ctx, "x")
	wantNotFound(t, "ActiveContact of a missing chain", err, "CONTACT")

	// Config objects need their instance.
	for name, put := range map[string]func(tx parley.Tx) error{
		"PutUser": func(tx parley.Tx) error { return tx.PutUser(ctx, newUser("u-1", "i-missing", "ada")) },
		"PutAgentStatus": func(tx parley.Tx) error {
			return tx.PutAgentStatus(ctx, &parley.AgentStatus{ID: "s", InstanceID: "i-missing", Name: "n"})
		},
	} {
		if err := s.Update(ctx, put); err == nil {
			t.Errorf("%s in a missing instance: got no error", name)
		}
	}
}

func testQueueNameUnique(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	put := func(tx parley.Tx, q *parley.Queue) error { return tx.PutQueue(ctx, q) }
	putAll(t, s, put, &parley.Queue{ID: "q-1", InstanceID: "i-1", Name: "Sales"},
		&parley.Queue{ID: "q-2", InstanceID: "i-2", Name: "Sales"})
	err := s.Update(ctx, func(tx parley.Tx) error {
		return put(tx, &parley.Queue{ID: "q-3", InstanceID: "i-1", Name: "Sales"})
	})
	wantCode(t, "PutQueue with an existing name", err, parley.ECONFLICT)
}

func testActiveContacts(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	mk := func(id, instanceID string, state parley.ContactState, initiated time.Time) *parley.Contact {
		c := newContact(id, instanceID)
		c.State, c.InitiatedAt = state, initiated
		return c
	}
	contacts := []*parley.Contact{
		mk("c-new", "i-1", parley.ContactActive, base.Add(time.Minute)),
		mk("c-old", "i-1", parley.ContactActive, base),
		mk("c-ended", "i-1", parley.ContactEnded, base.Add(-time.Minute)),
		mk("c-other", "i-2", parley.ContactActive, base.Add(-time.Hour)),
		mk("c-mid", "i-1", parley.ContactActive, base.Add(30*time.Second)),
	}
	putAll(t, s, func(tx parley.Tx, c *parley.Contact) error { return tx.InsertContact(ctx, c) }, contacts...)
	got, err := s.ListActiveContacts(ctx, "i-1")
	must(t, "ListActiveContacts", err)
	diff(t, "ListActiveContacts (oldest first)",
		[]*parley.Contact{storedContact(contacts[1]), storedContact(contacts[4]), storedContact(contacts[0])}, got)

	ended := *contacts[1]
	ended.State, ended.EndedAt = parley.ContactEnded, base.Add(time.Hour)
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &ended) })
	got, err = s.ListActiveContacts(ctx, "i-1")
	must(t, "ListActiveContacts", err)
	diff(t, "ListActiveContacts after ending one",
		[]*parley.Contact{storedContact(contacts[4]), storedContact(contacts[0])}, got)
}

// testListContacts: an instance's contacts, active and ended, initiated in a half-open time range, oldest first,
// at most Limit.
func testListContacts(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1", "i-2")
	mk := func(id, instanceID string, state parley.ContactState, initiated time.Time) *parley.Contact {
		c := newContact(id, instanceID)
		c.State, c.InitiatedAt = state, initiated
		return c
	}
	contacts := []*parley.Contact{
		mk("c-late", "i-1", parley.ContactActive, base.Add(2*time.Hour)), // at To: excluded
		mk("c-ended", "i-1", parley.ContactEnded, base),
		mk("c-other", "i-2", parley.ContactActive, base.Add(time.Minute)),
		mk("c-mid", "i-1", parley.ContactActive, base.Add(time.Minute)),
		mk("c-early", "i-1", parley.ContactEnded, base.Add(-time.Second)),
	}
	putAll(t, s, func(tx parley.Tx, c *parley.Contact) error { return tx.InsertContact(ctx, c) }, contacts...)
	q := parley.ContactQuery{InstanceID: "i-1", From: base, To: base.Add(2 * time.Hour), Limit: 10}
	got, err := s.ListContacts(ctx, q)
	must(t, "ListContacts", err)
	diff(t, "ListContacts (oldest first)", []*parley.Contact{storedContact(contacts[1]), storedContact(contacts[3])}, got)
	q.Limit = 1
	got, err = s.ListContacts(ctx, q)
	must(t, "ListContacts", err)
	diff(t, "ListContacts with Limit 1", []*parley.Contact{storedContact(contacts[1])}, got)
}

func testActiveContactOfChain(t *testing.T, s parley.Store) {
	ctx := t.Context()
	first := seedContact(t, s, "i-1", "c-1")
	got, err := s.ActiveContact(ctx, "c-1")
	must(t, "ActiveContact of a chain of one", err)
	diff(t, "ActiveContact of a chain of one", storedContact(first), got)

	// A transfer: the first contact ends, a new one of the same chain starts.
	ended := *first
	ended.State, ended.EndedAt, ended.DueAt = parley.ContactEnded, base.Add(time.Minute), time.Time{}
	second := newContact("c-2", "i-1")
	second.InitialContactID, second.PreviousContactID = "c-1", "c-1"
	second.InitiationMethod, second.InitiatedAt = "TRANSFER", base.Add(time.Minute)
	second.AgentID, second.AgentConnectedAt, second.EnqueuedAt = "", time.Time{}, base.Add(time.Minute)
	other := newContact("c-3", "i-1") // another chain, newer
	other.InitiatedAt = base.Add(time.Hour)
	update(t, s, func(tx parley.Tx) error {
		if err := tx.UpdateContact(ctx, &ended); err != nil {
			return err
		}
		if err := tx.InsertContact(ctx, second); err != nil {
			return err
		}
		return tx.InsertContact(ctx, other)
	})
	got, err = s.ActiveContact(ctx, "c-1")
	must(t, "ActiveContact of a chain of two", err)
	diff(t, "ActiveContact of a chain of two", storedContact(second), got)

	// Once the chain ends, its newest contact is still the answer.
	secondEnded := *second
	secondEnded.State, secondEnded.EndedAt = parley.ContactEnded, base.Add(2*time.Minute)
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &secondEnded) })
	got, err = s.ActiveContact(ctx, "c-1")
	must(t, "ActiveContact of an ended chain", err)
	diff(t, "ActiveContact of an ended chain", storedContact(&secondEnded), got)
}

func testParticipantsByUser(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedContact(t, s, "i-1", "c-1")
	seedContact(t, s, "i-1", "c-2")
	a1 := newParticipant("p-a1", "c-1", parley.RoleAgent)
	a1.UserID, a1.JoinedAt = "u-1", base.Add(time.Second)
	a2 := newParticipant("p-a2", "c-2", parley.RoleAgent)
	a2.UserID, a2.JoinedAt = "u-1", base
	left := newParticipant("p-left", "c-2", parley.RoleSupervisor)
	left.UserID, left.JoinedAt = "u-1", base.Add(-time.Hour)
	left.State, left.LeftAt = parley.ParticipantLeft, base.Add(-time.Minute)
	otherUser := newParticipant("p-b", "c-1", parley.RoleAgent)
	otherUser.UserID = "u-2"
	customer := newParticipant("p-c", "c-1", parley.RoleCustomer)
	customer.UserID = ""
	insertParticipants(t, s, a1, a2, left, otherUser, customer)

	got, err := s.ListParticipantsByUser(ctx, "u-1", false)
	must(t, "ListParticipantsByUser", err)
	diff(t, "ListParticipantsByUser (in join order)",
		[]*parley.Participant{storedParticipant(left), storedParticipant(a2), storedParticipant(a1)}, got)
	got, err = s.ListParticipantsByUser(ctx, "u-1", true)
	must(t, "ListParticipantsByUser joined only", err)
	diff(t, "ListParticipantsByUser joined only",
		[]*parley.Participant{storedParticipant(a2), storedParticipant(a1)}, got)
	got, err = s.ListParticipantsByUser(ctx, "", false)
	must(t, "ListParticipantsByUser of no user", err)
	diff(t, "ListParticipantsByUser of no user", []*parley.Participant(nil), got)
	got, err = s.ListParticipantsByUser(ctx, "u-9", false)
	must(t, "ListParticipantsByUser of a user without participants", err)
	diff(t, "ListParticipantsByUser of a user without participants", []*parley.Participant(nil), got)
}
