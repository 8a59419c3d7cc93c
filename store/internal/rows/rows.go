// Package rows holds what parley's SQL stores (store/sqlite, store/postgres) read the same way: the column lists
// of the tables both schemas shape alike, the functions that scan their rows, and the millisecond times they
// store. Both stores' rows satisfy Scanner (database/sql's and pgx's).
package rows

import (
	"time"

	"github.com/parley-chat/parley"
)

// Scanner is a row: *sql.Row, *sql.Rows, pgx.Row and pgx.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// ToMS stores a time as Unix milliseconds, the zero time as 0.
func ToMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMS reads a stored time; 0 is the zero time.
func FromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// ScanInstance reads a row selected by InstanceCols.
func ScanInstance(sc Scanner) (*parley.Instance, error) {
	var in parley.Instance
	var created int64
	if err := sc.Scan(&in.ID, &in.ARN, &in.Alias, &created); err != nil {
		return nil, err
	}
	in.CreatedAt = FromMS(created)
	return &in, nil
}

// ScanFlow reads a row selected by FlowCols.
func ScanFlow(sc Scanner) (*parley.ContactFlow, error) {
	var f parley.ContactFlow
	if err := sc.Scan(&f.ID, &f.InstanceID, &f.ARN, &f.Name, &f.Type, &f.State, &f.Status, &f.Description, &f.Content); err != nil {
		return nil, err
	}
	return &f, nil
}

// ScanQueue reads a row selected by QueueCols.
func ScanQueue(sc Scanner) (*parley.Queue, error) {
	var q parley.Queue
	if err := sc.Scan(&q.ID, &q.InstanceID, &q.ARN, &q.Name, &q.Description, &q.HoursOfOperationID, &q.MaxContacts,
		&q.Status); err != nil {
		return nil, err
	}
	return &q, nil
}

// ScanParticipant reads a row selected by ParticipantCols.
func ScanParticipant(sc Scanner) (*parley.Participant, error) {
	var p parley.Participant
	var joined, left, timer, idle int64
	err := sc.Scan(&p.ID, &p.ContactID, &p.ChainID, &p.Role, &p.DisplayName, &p.TokenHash, &p.State,
		&p.Connected, &joined, &left, &p.UserID, &timer, &idle, &p.TokenSealed)
	if err != nil {
		return nil, err
	}
	p.JoinedAt, p.LeftAt, p.TimerAt, p.IdleAt = FromMS(joined), FromMS(left), FromMS(timer), FromMS(idle)
	return &p, nil
}

// ScanStream reads a row selected by StreamCols.
func ScanStream(sc Scanner) (*parley.Stream, error) {
	var st parley.Stream
	var started, stopped, next int64
	err := sc.Scan(&st.ID, &st.InstanceID, &st.ChainID, &st.ContactID, &st.EndpointARN, &st.ClientToken,
		&started, &stopped, &st.Cursor, &st.LastSeq, &st.FailingSeq, &st.Attempts, &next, &st.LastError)
	if err != nil {
		return nil, err
	}
	st.StartedAt, st.StoppedAt, st.NextAt = FromMS(started), FromMS(stopped), FromMS(next)
	return &st, nil
}

// ScanFile reads a row selected by FileCols.
func ScanFile(sc Scanner) (*parley.File, error) {
	var f parley.File
	var created, completed int64
	err := sc.Scan(&f.ID, &f.InstanceID, &f.ContactID, &f.ChainID, &f.ParticipantID, &f.ClientToken, &f.Name,
		&f.ContentType, &f.Size, &f.Status, &f.ItemID, &created, &completed)
	if err != nil {
		return nil, err
	}
	f.CreatedAt, f.CompletedAt = FromMS(created), FromMS(completed)
	return &f, nil
}

// ScanSecurityProfile reads a row selected by SecurityProfileCols.
func ScanSecurityProfile(sc Scanner) (*parley.SecurityProfile, error) {
	var p parley.SecurityProfile
	if err := sc.Scan(&p.ID, &p.InstanceID, &p.ARN, &p.Name); err != nil {
		return nil, err
	}
	return &p, nil
}

// ScanAgentStatus reads a row selected by AgentStatusCols.
func ScanAgentStatus(sc Scanner) (*parley.AgentStatus, error) {
	var s parley.AgentStatus
	if err := sc.Scan(&s.ID, &s.InstanceID, &s.ARN, &s.Name, &s.Description, &s.Type, &s.State,
		&s.DisplayOrder); err != nil {
		return nil, err
	}
	return &s, nil
}

// ScanRoutingProfile reads a row selected by RoutingProfileCols.
func ScanRoutingProfile(sc Scanner) (*parley.RoutingProfile, error) {
	var p parley.RoutingProfile
	if err := sc.Scan(&p.ID, &p.InstanceID, &p.ARN, &p.Name, &p.Description, &p.DefaultOutboundQueueID,
		&p.ChatConcurrency); err != nil {
		return nil, err
	}
	return &p, nil
}

// ScanQuickConnect reads a row selected by QuickConnectCols.
func ScanQuickConnect(sc Scanner) (*parley.QuickConnect, error) {
	var q parley.QuickConnect
	if err := sc.Scan(&q.ID, &q.InstanceID, &q.ARN, &q.Name, &q.Description, &q.Type, &q.UserID, &q.QueueID,
		&q.ContactFlowID, &q.PhoneNumber); err != nil {
		return nil, err
	}
	return &q, nil
}

// InstanceCols are the columns of its table, in the order its scan function reads them.
const InstanceCols = `id, arn, alias, created_at`

// FlowCols are the columns of its table, in the order its scan function reads them.
const FlowCols = `id, instance_id, arn, name, type, state, status, description, content`

// QueueCols are the columns of its table, in the order its scan function reads them.
const QueueCols = `id, instance_id, arn, name, description, hours_of_operation_id, max_contacts, status`

// ContactCols are the columns of its table, in the order its scan function reads them.
const ContactCols = `id, instance_id, initial_contact_id, previous_contact_id, related_contact_id, channel,
	initiation_method, state, flow_id, queue_id, customer_id, attributes, segment_attributes,
	supported_content_types, duration_minutes, initiated_at, connected_at, ended_at, due_at, disconnect_reason,
	updated_at, enqueued_at, agent_id, agent_connected_at, flow_state, flow_wake_at, customer_idle_minutes,
	customer_disconnect_minutes, agent_idle_minutes, agent_disconnect_minutes, queue_priority,
	queue_time_adjustment_ms, name, description, language_code, continued_from_contact_id`

// ParticipantCols are the columns of its table, in the order its scan function reads them.
const ParticipantCols = `id, contact_id, chain_id, role, display_name, token_hash, state, connected, joined_at, left_at,
	user_id, timer_at, idle_at, token_sealed`

// ItemCols are the columns of its table, in the order its scan function reads them.
const ItemCols = `chain_id, seq, id, contact_id, type, content_type, content, participant_id, display_name, role,
	time, client_token, recipient, transient, attachments, receipt_message_id, receipt_message_seq,
	receipt_recipient, receipt_delivered_at, receipt_read_at, revises`

// StreamCols are the columns of its table, in the order its scan function reads them.
const StreamCols = `id, instance_id, chain_id, contact_id, endpoint_arn, client_token, started_at, stopped_at,
	delivered_seq, last_seq, failing_seq, attempts, next_at, last_error`

// StreamsBehindQuery selects the ids of the open streams whose chains hold items after their cursors, ordered
// by id.
const StreamsBehindQuery = `SELECT s.id FROM streams s WHERE ` + OpenStreams +
	` AND EXISTS (SELECT 1 FROM items i WHERE ` + StreamBehind + `) ORDER BY s.id`

// OutboxStreamsQuery selects the ids of the streams with pending outbox entries, notDead being the SQL of the
// condition of a pending entry, ordered by id.
func OutboxStreamsQuery(notDead string) string {
	return `SELECT DISTINCT stream_id FROM outbox WHERE ` + notDead + ` ORDER BY stream_id`
}

// Limit appends a LIMIT to query when limit is positive, and returns its argument.
func Limit(query string, limit int) (string, []any) {
	if limit <= 0 {
		return query, nil
	}
	return query + ` LIMIT ?`, []any{limit}
}

// ScanID reads a row of one string.
func ScanID(sc Scanner) (string, error) {
	var id string
	return id, sc.Scan(&id)
}

// OpenStreams is the condition (on streams s) of the streams not done; StreamBehind (on streams s and items i)
// selects the items of s's chain that s has yet to deliver.
const (
	OpenStreams  = `(s.stopped_at = 0 OR s.delivered_seq < s.last_seq)`
	StreamBehind = `i.chain_id = s.chain_id AND i.seq > s.delivered_seq AND (s.stopped_at = 0 OR i.seq <= s.last_seq)`
)

// OutboxCols are the columns of its table, in the order its scan function reads them.
const OutboxCols = `o.stream_id, o.seq, o.chain_id, o.item_id, o.created_at, o.attempts, o.next_at, o.last_error, o.dead`

// FileCols are the columns of its table, in the order its scan function reads them.
const FileCols = `id, instance_id, contact_id, chain_id, participant_id, client_token, name, content_type, size,
	status, item_id, created_at, completed_at`

// UserCols are the columns of its table, in the order its scan function reads them.
const UserCols = `id, instance_id, arn, username, password_hash, first_name, last_name, email, routing_profile_id,
	security_profile_ids, role, auto_accept, after_contact_work_time_limit, status_id, status_since, created_at,
	updated_at`

// SecurityProfileCols are the columns of its table, in the order its scan function reads them.
const SecurityProfileCols = `id, instance_id, arn, name`

// AgentStatusCols are the columns of its table, in the order its scan function reads them.
const AgentStatusCols = `id, instance_id, arn, name, description, type, state, display_order`

// HoursCols are the columns of its table, in the order its scan function reads them.
const HoursCols = `id, instance_id, arn, name, description, time_zone, config`

// RoutingProfileCols are the columns of its table, in the order its scan function reads them.
const RoutingProfileCols = `id, instance_id, arn, name, description, default_outbound_queue_id, chat_concurrency`

// QuickConnectCols are the columns of its table, in the order its scan function reads them.
const QuickConnectCols = `id, instance_id, arn, name, description, type, user_id, queue_id, contact_flow_id,
	phone_number`
