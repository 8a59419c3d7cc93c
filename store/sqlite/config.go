package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// The configuration of an instance: users, security profiles, agent statuses, hours of operation, routing
// profiles, quick connects, and agent sessions.

func scanUser(sc rows.Scanner) (*parley.User, error) {
	var u parley.User
	var profiles sql.NullString
	var since, created, updated int64
	err := sc.Scan(&u.ID, &u.InstanceID, &u.ARN, &u.Username, &u.PasswordHash, &u.FirstName, &u.LastName, &u.Email,
		&u.RoutingProfileID, &profiles, &u.Role, &u.AutoAccept, &u.AfterContactWorkTimeLimit, &u.StatusID, &since,
		&created, &updated)
	if err != nil {
		return nil, err
	}
	if err := fromJSON(profiles, &u.SecurityProfileIDs); err != nil {
		return nil, fmt.Errorf("user %s security profiles: %w", u.ID, err)
	}
	u.StatusSince, u.CreatedAt, u.UpdatedAt = rows.FromMS(since), rows.FromMS(created), rows.FromMS(updated)
	return &u, nil
}

// GetUser returns a user by id; ENOTFOUND (USER) if there is none.
func (r reader) GetUser(ctx context.Context, id string) (*parley.User, error) {
	v, err := queryOne(ctx, r.q, scanUser, `SELECT `+rows.UserCols+` FROM users WHERE id = ?`, id)
	return found(v, err, "USER", "user not found")
}

// UserByUsername returns the user of an instance with the given username; ENOTFOUND (USER) if there is none.
func (r reader) UserByUsername(ctx context.Context, instanceID, username string) (*parley.User, error) {
	v, err := queryOne(ctx, r.q, scanUser,
		`SELECT `+rows.UserCols+` FROM users WHERE instance_id = ? AND username = ?`, instanceID, username)
	return found(v, err, "USER", "user not found")
}

// ListUsers returns the users of an instance ordered by username.
func (r reader) ListUsers(ctx context.Context, instanceID string) ([]*parley.User, error) {
	return queryAll(ctx, r.q, scanUser,
		`SELECT `+rows.UserCols+` FROM users WHERE instance_id = ? ORDER BY username, id`, instanceID)
}

// PutUser creates or replaces a user; ECONFLICT if another user of the instance has its username.
func (t *tx) PutUser(ctx context.Context, u *parley.User) error {
	profiles, err := jsonOrNull(u.SecurityProfileIDs, len(u.SecurityProfileIDs))
	if err != nil {
		return fmt.Errorf("sqlite: user security profiles: %w", err)
	}
	_, err = t.q.exec(ctx, `INSERT INTO users (`+rows.UserCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn,
			username = excluded.username, password_hash = excluded.password_hash, first_name = excluded.first_name,
			last_name = excluded.last_name, email = excluded.email, routing_profile_id = excluded.routing_profile_id,
			security_profile_ids = excluded.security_profile_ids, role = excluded.role,
			auto_accept = excluded.auto_accept,
			after_contact_work_time_limit = excluded.after_contact_work_time_limit, status_id = excluded.status_id,
			status_since = excluded.status_since, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		u.ID, u.InstanceID, u.ARN, u.Username, u.PasswordHash, u.FirstName, u.LastName, u.Email, u.RoutingProfileID,
		profiles, string(u.Role), u.AutoAccept, u.AfterContactWorkTimeLimit, u.StatusID, rows.ToMS(u.StatusSince),
		rows.ToMS(u.CreatedAt), rows.ToMS(u.UpdatedAt))
	return writeErr(err, "put user", "a user with this username exists")
}

// DeleteUser deletes a user and its agent sessions; ENOTFOUND (USER) if there is none.
func (t *tx) DeleteUser(ctx context.Context, id string) error {
	// The sessions go first explicitly rather than by ON DELETE CASCADE alone, so that the deletion does not
	// depend on the foreign_keys pragma.
	if _, err := t.q.exec(ctx, `DELETE FROM agent_sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete user sessions: %w", err)
	}
	if err := t.deleteUserAgentState(ctx, id); err != nil {
		return err
	}
	res, err := t.q.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
	return updated(res, err, "delete user", "USER", "user not found")
}

// ListSecurityProfiles returns the security profiles of an instance ordered by name.
func (r reader) ListSecurityProfiles(ctx context.Context, instanceID string) ([]*parley.SecurityProfile, error) {
	return queryAll(ctx, r.q, rows.ScanSecurityProfile,
		`SELECT `+rows.SecurityProfileCols+` FROM security_profiles WHERE instance_id = ? ORDER BY name, id`, instanceID)
}

// PutSecurityProfile creates or replaces a security profile; ECONFLICT if another one of the instance has its
// name.
func (t *tx) PutSecurityProfile(ctx context.Context, p *parley.SecurityProfile) error {
	_, err := t.q.exec(ctx, `INSERT INTO security_profiles (`+rows.SecurityProfileCols+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn, name = excluded.name`,
		p.ID, p.InstanceID, p.ARN, p.Name)
	return writeErr(err, "put security profile", "a security profile with this name exists")
}

// GetAgentStatus returns an agent status by id; ENOTFOUND (AGENT_STATUS) if there is none.
func (r reader) GetAgentStatus(ctx context.Context, id string) (*parley.AgentStatus, error) {
	v, err := queryOne(ctx, r.q, rows.ScanAgentStatus, `SELECT `+rows.AgentStatusCols+` FROM agent_statuses WHERE id = ?`, id)
	return found(v, err, "AGENT_STATUS", "agent status not found")
}

// ListAgentStatuses returns the agent statuses of an instance ordered by DisplayOrder, then name.
func (r reader) ListAgentStatuses(ctx context.Context, instanceID string) ([]*parley.AgentStatus, error) {
	return queryAll(ctx, r.q, rows.ScanAgentStatus, `SELECT `+rows.AgentStatusCols+` FROM agent_statuses
		WHERE instance_id = ? ORDER BY display_order, name, id`, instanceID)
}

// PutAgentStatus creates or replaces an agent status; ECONFLICT if another one of the instance has its name.
func (t *tx) PutAgentStatus(ctx context.Context, s *parley.AgentStatus) error {
	_, err := t.q.exec(ctx, `INSERT INTO agent_statuses (`+rows.AgentStatusCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn, name = excluded.name,
			description = excluded.description, type = excluded.type, state = excluded.state,
			display_order = excluded.display_order`,
		s.ID, s.InstanceID, s.ARN, s.Name, s.Description, s.Type, s.State, s.DisplayOrder)
	return writeErr(err, "put agent status", "an agent status with this name exists")
}

func scanHours(sc rows.Scanner) (*parley.HoursOfOperation, error) {
	var h parley.HoursOfOperation
	var config sql.NullString
	if err := sc.Scan(&h.ID, &h.InstanceID, &h.ARN, &h.Name, &h.Description, &h.TimeZone, &config); err != nil {
		return nil, err
	}
	if err := fromJSON(config, &h.Config); err != nil {
		return nil, fmt.Errorf("hours of operation %s config: %w", h.ID, err)
	}
	return &h, nil
}

// GetHoursOfOperation returns hours by id; ENOTFOUND (HOURS_OF_OPERATION) if there are none.
func (r reader) GetHoursOfOperation(ctx context.Context, id string) (*parley.HoursOfOperation, error) {
	v, err := queryOne(ctx, r.q, scanHours, `SELECT `+rows.HoursCols+` FROM hours_of_operation WHERE id = ?`, id)
	return found(v, err, "HOURS_OF_OPERATION", "hours of operation not found")
}

// ListHoursOfOperations returns the hours of an instance ordered by name.
func (r reader) ListHoursOfOperations(ctx context.Context, instanceID string) ([]*parley.HoursOfOperation, error) {
	return queryAll(ctx, r.q, scanHours,
		`SELECT `+rows.HoursCols+` FROM hours_of_operation WHERE instance_id = ? ORDER BY name, id`, instanceID)
}

// PutHoursOfOperation creates or replaces hours of operation; ECONFLICT if others of the instance have its
// name.
func (t *tx) PutHoursOfOperation(ctx context.Context, h *parley.HoursOfOperation) error {
	config, err := jsonOrNull(h.Config, len(h.Config))
	if err != nil {
		return fmt.Errorf("sqlite: hours of operation config: %w", err)
	}
	_, err = t.q.exec(ctx, `INSERT INTO hours_of_operation (`+rows.HoursCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn, name = excluded.name,
			description = excluded.description, time_zone = excluded.time_zone, config = excluded.config`,
		h.ID, h.InstanceID, h.ARN, h.Name, h.Description, h.TimeZone, config)
	return writeErr(err, "put hours of operation", "hours of operation with this name exist")
}

func scanRoutingProfileQueue(sc rows.Scanner) (routingProfileQueue, error) {
	var q routingProfileQueue
	err := sc.Scan(&q.profileID, &q.QueueID, &q.Channel, &q.Priority, &q.Delay)
	return q, err
}

// routingProfileQueue is a row of routing_profile_queues.
type routingProfileQueue struct {
	profileID string
	parley.RoutingProfileQueue
}

// GetRoutingProfile returns a routing profile with its queues; ENOTFOUND (ROUTING_PROFILE) if there is none.
func (r reader) GetRoutingProfile(ctx context.Context, id string) (*parley.RoutingProfile, error) {
	p, err := queryOne(ctx, r.q, rows.ScanRoutingProfile,
		`SELECT `+rows.RoutingProfileCols+` FROM routing_profiles WHERE id = ?`, id)
	if p, err = found(p, err, "ROUTING_PROFILE", "routing profile not found"); err != nil {
		return nil, err
	}
	qs, err := queryAll(ctx, r.q, scanRoutingProfileQueue, `SELECT routing_profile_id, queue_id, channel,
		priority, delay FROM routing_profile_queues WHERE routing_profile_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		p.Queues = append(p.Queues, q.RoutingProfileQueue)
	}
	return p, nil
}

// ListRoutingProfiles returns the routing profiles of an instance, with their queues, ordered by name.
func (r reader) ListRoutingProfiles(ctx context.Context, instanceID string) ([]*parley.RoutingProfile, error) {
	ps, err := queryAll(ctx, r.q, rows.ScanRoutingProfile,
		`SELECT `+rows.RoutingProfileCols+` FROM routing_profiles WHERE instance_id = ? ORDER BY name, id`, instanceID)
	if err != nil || len(ps) == 0 {
		return ps, err
	}
	qs, err := queryAll(ctx, r.q, scanRoutingProfileQueue, `SELECT q.routing_profile_id, q.queue_id, q.channel,
			q.priority, q.delay
		FROM routing_profile_queues q JOIN routing_profiles p ON p.id = q.routing_profile_id
		WHERE p.instance_id = ? ORDER BY q.routing_profile_id, q.position`, instanceID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*parley.RoutingProfile, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, q := range qs {
		if p := byID[q.profileID]; p != nil {
			p.Queues = append(p.Queues, q.RoutingProfileQueue)
		}
	}
	return ps, nil
}

// PutRoutingProfile creates or replaces a routing profile and replaces its queue list whole; ECONFLICT if
// another profile of the instance has its name, or the list names a (queue, channel) twice.
func (t *tx) PutRoutingProfile(ctx context.Context, p *parley.RoutingProfile) error {
	_, err := t.q.exec(ctx, `INSERT INTO routing_profiles (`+rows.RoutingProfileCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn, name = excluded.name,
			description = excluded.description, default_outbound_queue_id = excluded.default_outbound_queue_id,
			chat_concurrency = excluded.chat_concurrency`,
		p.ID, p.InstanceID, p.ARN, p.Name, p.Description, p.DefaultOutboundQueueID, p.ChatConcurrency)
	if err != nil {
		return writeErr(err, "put routing profile", "a routing profile with this name exists")
	}
	if _, err := t.q.exec(ctx, `DELETE FROM routing_profile_queues WHERE routing_profile_id = ?`, p.ID); err != nil {
		return fmt.Errorf("sqlite: put routing profile: %w", err)
	}
	for i, q := range p.Queues {
		_, err := t.q.exec(ctx, `INSERT INTO routing_profile_queues (routing_profile_id, queue_id, channel, priority,
			delay, position) VALUES (?, ?, ?, ?, ?, ?)`, p.ID, q.QueueID, string(q.Channel), q.Priority, q.Delay, i)
		if err != nil {
			return writeErr(err, "put routing profile queue", "the routing profile lists a queue twice for a channel")
		}
	}
	return nil
}

// GetQuickConnect returns a quick connect by id; ENOTFOUND (QUICK_CONNECT) if there is none.
func (r reader) GetQuickConnect(ctx context.Context, id string) (*parley.QuickConnect, error) {
	v, err := queryOne(ctx, r.q, rows.ScanQuickConnect, `SELECT `+rows.QuickConnectCols+` FROM quick_connects WHERE id = ?`, id)
	return found(v, err, "QUICK_CONNECT", "quick connect not found")
}

// ListQuickConnects returns the quick connects of an instance ordered by name.
func (r reader) ListQuickConnects(ctx context.Context, instanceID string) ([]*parley.QuickConnect, error) {
	return queryAll(ctx, r.q, rows.ScanQuickConnect,
		`SELECT `+rows.QuickConnectCols+` FROM quick_connects WHERE instance_id = ? ORDER BY name, id`, instanceID)
}

// PutQuickConnect creates or replaces a quick connect; ECONFLICT if another one of the instance has its name.
func (t *tx) PutQuickConnect(ctx context.Context, q *parley.QuickConnect) error {
	_, err := t.q.exec(ctx, `INSERT INTO quick_connects (`+rows.QuickConnectCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, arn = excluded.arn, name = excluded.name,
			description = excluded.description, type = excluded.type, user_id = excluded.user_id,
			queue_id = excluded.queue_id, contact_flow_id = excluded.contact_flow_id,
			phone_number = excluded.phone_number`,
		q.ID, q.InstanceID, q.ARN, q.Name, q.Description, q.Type, q.UserID, q.QueueID, q.ContactFlowID, q.PhoneNumber)
	return writeErr(err, "put quick connect", "a quick connect with this name exists")
}

// AgentSession finds a session by the hash of its token, expired or not; ENOTFOUND (AGENT_SESSION) if none.
func (r reader) AgentSession(ctx context.Context, tokenHash []byte) (*parley.AgentSession, error) {
	if len(tokenHash) == 0 {
		return nil, parley.NotFound("AGENT_SESSION", "session not found")
	}
	v, err := queryOne(ctx, r.q, func(sc rows.Scanner) (*parley.AgentSession, error) {
		var s parley.AgentSession
		var created, expires int64
		if err := sc.Scan(&s.TokenHash, &s.UserID, &created, &expires); err != nil {
			return nil, err
		}
		s.CreatedAt, s.ExpiresAt = rows.FromMS(created), rows.FromMS(expires)
		return &s, nil
	}, `SELECT token_hash, user_id, created_at, expires_at FROM agent_sessions WHERE token_hash = ?`, tokenHash)
	return found(v, err, "AGENT_SESSION", "session not found")
}

// PutAgentSession stores a session; ECONFLICT if its token hash exists.
func (t *tx) PutAgentSession(ctx context.Context, s *parley.AgentSession) error {
	_, err := t.q.exec(ctx, `INSERT INTO agent_sessions (token_hash, user_id, created_at, expires_at)
		VALUES (?, ?, ?, ?)`, s.TokenHash, s.UserID, rows.ToMS(s.CreatedAt), rows.ToMS(s.ExpiresAt))
	return writeErr(err, "put agent session", "session exists")
}

// DeleteAgentSession deletes a session. Deleting a missing session is not an error.
func (t *tx) DeleteAgentSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.q.exec(ctx, `DELETE FROM agent_sessions WHERE token_hash = ?`, tokenHash)
	return writeErr(err, "delete agent session", "conflict")
}

// DeleteUserAgentSessions deletes every session of a user. None is not an error.
func (t *tx) DeleteUserAgentSessions(ctx context.Context, userID string) error {
	_, err := t.q.exec(ctx, `DELETE FROM agent_sessions WHERE user_id = ?`, userID)
	return writeErr(err, "delete a user's agent sessions", "conflict")
}
