package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// reader implements parley.Reader over a querier: the read pool for the Store, the writer connection for a Tx.
type reader struct {
	q querier
}

var _ parley.Reader = reader{}

// queryOne runs a single-row query and scans it with scan. A missing row is sql.ErrNoRows, unwrapped, for
// found to translate.
func queryOne[T any](ctx context.Context, q querier, scan func(rows.Scanner) (T, error), query string, args ...any) (T, error) {
	var zero T
	row, err := q.queryRow(ctx, query, args...)
	if err != nil {
		return zero, err
	}
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, sql.ErrNoRows
	}
	if err != nil {
		return zero, fmt.Errorf("sqlite: %w", err)
	}
	return v, nil
}

// found translates queryOne's sql.ErrNoRows into an ENOTFOUND error for a resource kind.
func found[T any](v T, err error, resource, msg string) (T, error) {
	if err == sql.ErrNoRows {
		return v, parley.NotFound(resource, "%s", msg)
	}
	return v, err
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(rows.Scanner) (T, error), query string, args ...any) ([]T, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// jsonOrNull encodes v as JSON text, or NULL when n (its length) is 0.
func jsonOrNull(v any, n int) (any, error) {
	if n == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// fromJSON decodes a nullable JSON column into v.
func fromJSON(s sql.NullString, v any) error {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.Unmarshal([]byte(s.String), v)
}

// GetInstance returns the instance with the given id; ENOTFOUND (INSTANCE) if there is none.
func (r reader) GetInstance(ctx context.Context, id string) (*parley.Instance, error) {
	v, err := queryOne(ctx, r.q, rows.ScanInstance,
		`SELECT `+rows.InstanceCols+` FROM instances WHERE id = ?`, id)
	return found(v, err, "INSTANCE", "instance not found")
}

// ListInstances returns every instance, oldest first.
func (r reader) ListInstances(ctx context.Context) ([]*parley.Instance, error) {
	return queryAll(ctx, r.q, rows.ScanInstance, `SELECT `+rows.InstanceCols+` FROM instances ORDER BY created_at, id`)
}

// GetContactFlow returns a flow of an instance; ENOTFOUND (CONTACT_FLOW) if the instance has no such flow.
func (r reader) GetContactFlow(ctx context.Context, instanceID, id string) (*parley.ContactFlow, error) {
	v, err := queryOne(ctx, r.q, rows.ScanFlow,
		`SELECT `+rows.FlowCols+` FROM contact_flows WHERE instance_id = ? AND id = ?`, instanceID, id)
	return found(v, err, "CONTACT_FLOW", "contact flow not found")
}

// ListContactFlows returns the flows of an instance ordered by name.
func (r reader) ListContactFlows(ctx context.Context, instanceID string) ([]*parley.ContactFlow, error) {
	return queryAll(ctx, r.q, rows.ScanFlow,
		`SELECT `+rows.FlowCols+` FROM contact_flows WHERE instance_id = ? ORDER BY name, id`, instanceID)
}

// ListQueues returns the queues of an instance ordered by name.
func (r reader) ListQueues(ctx context.Context, instanceID string) ([]*parley.Queue, error) {
	return queryAll(ctx, r.q, rows.ScanQueue,
		`SELECT `+rows.QueueCols+` FROM queues WHERE instance_id = ? ORDER BY name, id`, instanceID)
}

// GetQueue returns a queue by id; ENOTFOUND (QUEUE) if there is none.
func (r reader) GetQueue(ctx context.Context, id string) (*parley.Queue, error) {
	v, err := queryOne(ctx, r.q, rows.ScanQueue, `SELECT `+rows.QueueCols+` FROM queues WHERE id = ?`, id)
	return found(v, err, "QUEUE", "queue not found")
}

func scanContact(sc rows.Scanner) (*parley.Contact, error) {
	var c parley.Contact
	var attrs, seg, types, flowState sql.NullString
	var initiated, connected, ended, due, updated, enqueued, agentConnected, flowWake, adjust int64
	err := sc.Scan(&c.ID, &c.InstanceID, &c.InitialContactID, &c.PreviousContactID, &c.RelatedContactID,
		&c.Channel, &c.InitiationMethod, &c.State, &c.FlowID, &c.QueueID, &c.CustomerID, &attrs, &seg, &types,
		&c.DurationMinutes, &initiated, &connected, &ended, &due, &c.DisconnectReason, &updated, &enqueued,
		&c.AgentID, &agentConnected, &flowState, &flowWake, &c.Timers.CustomerIdle, &c.Timers.CustomerDisconnect,
		&c.Timers.AgentIdle, &c.Timers.AgentDisconnect, &c.QueuePriority, &adjust, &c.Name,
		&c.Description, &c.LanguageCode, &c.ContinuedFromContactID)
	if err != nil {
		return nil, err
	}
	if err := fromJSON(attrs, &c.Attributes); err != nil {
		return nil, fmt.Errorf("contact %s attributes: %w", c.ID, err)
	}
	if err := fromJSON(types, &c.SupportedContentTypes); err != nil {
		return nil, fmt.Errorf("contact %s supported content types: %w", c.ID, err)
	}
	if seg.Valid {
		c.SegmentAttributes = []byte(seg.String)
	}
	if flowState.Valid {
		c.FlowState = []byte(flowState.String)
	}
	c.FlowWakeAt = rows.FromMS(flowWake)
	c.InitiatedAt, c.ConnectedAt, c.EndedAt = rows.FromMS(initiated), rows.FromMS(connected), rows.FromMS(ended)
	c.DueAt, c.UpdatedAt = rows.FromMS(due), rows.FromMS(updated)
	c.EnqueuedAt, c.AgentConnectedAt = rows.FromMS(enqueued), rows.FromMS(agentConnected)
	c.QueueTimeAdjustment = time.Duration(adjust) * time.Millisecond
	return &c, nil
}

// GetContact returns the contact with the given id; ENOTFOUND (CONTACT) if there is none.
func (r reader) GetContact(ctx context.Context, id string) (*parley.Contact, error) {
	v, err := queryOne(ctx, r.q, scanContact,
		`SELECT `+rows.ContactCols+` FROM contacts WHERE id = ?`, id)
	return found(v, err, "CONTACT", "contact not found")
}

// ListActiveContacts returns the ACTIVE contacts of an instance, oldest (InitiatedAt) first.
func (r reader) ListActiveContacts(ctx context.Context, instanceID string) ([]*parley.Contact, error) {
	// The literal state predicate matches the partial index contacts_active.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE instance_id = ? AND state = 'ACTIVE' ORDER BY initiated_at, rowid`, instanceID)
}

// ListContacts returns the contacts of an instance initiated in [From, To), oldest first.
func (r reader) ListContacts(ctx context.Context, q parley.ContactQuery) ([]*parley.Contact, error) {
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE instance_id = ? AND initiated_at >= ? AND initiated_at < ? ORDER BY initiated_at, rowid LIMIT ?`,
		q.InstanceID, rows.ToMS(q.From), rows.ToMS(q.To), q.Limit)
}

// ActiveContact returns the newest contact (by InitiatedAt, then insertion order) of a chain, whatever its
// state; ENOTFOUND (CONTACT) if the chain has none.
func (r reader) ActiveContact(ctx context.Context, chainID string) (*parley.Contact, error) {
	v, err := queryOne(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE initial_contact_id = ? ORDER BY initiated_at DESC, rowid DESC LIMIT 1`, chainID)
	return found(v, err, "CONTACT", "contact not found")
}

// DueContacts returns up to limit active contacts whose DueAt is set and not after t, earliest first. A limit
// of 0 or less means no limit.
func (r reader) DueContacts(ctx context.Context, t time.Time, limit int) ([]*parley.Contact, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The literal predicates match the partial index contacts_due.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE state = 'ACTIVE' AND due_at != 0 AND due_at <= ? ORDER BY due_at, id LIMIT ?`, rows.ToMS(t), limit)
}

// DueFlows returns up to limit active contacts whose FlowWakeAt is set and not after t, earliest first. A limit
// of 0 or less means no limit.
func (r reader) DueFlows(ctx context.Context, t time.Time, limit int) ([]*parley.Contact, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The literal predicates match the partial index contacts_flow_wake.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE state = 'ACTIVE' AND flow_wake_at != 0 AND flow_wake_at <= ? ORDER BY flow_wake_at, id LIMIT ?`,
		rows.ToMS(t), limit)
}

// DueParticipants returns up to limit JOINED participants whose TimerAt is set and not after t, earliest first.
// A limit of 0 or less means no limit.
func (r reader) DueParticipants(ctx context.Context, t time.Time, limit int) ([]*parley.Participant, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The literal predicates match the partial index participants_timer.
	return queryAll(ctx, r.q, rows.ScanParticipant, `SELECT `+rows.ParticipantCols+` FROM participants
		WHERE state = 'JOINED' AND timer_at != 0 AND timer_at <= ? ORDER BY timer_at, id LIMIT ?`, rows.ToMS(t), limit)
}

// ListFlowLog returns a contact's flow log in Seq order.
func (r reader) ListFlowLog(ctx context.Context, contactID string) ([]parley.FlowRecord, error) {
	return queryAll(ctx, r.q, func(sc rows.Scanner) (parley.FlowRecord, error) {
		var f parley.FlowRecord
		var at int64
		err := sc.Scan(&f.ContactID, &f.Seq, &at, &f.FlowID, &f.Identifier, &f.Type, &f.Result, &f.Error, &f.Detail,
			&f.Branch, &f.Next)
		f.Time = rows.FromMS(at)
		return f, err
	}, `SELECT contact_id, seq, at, flow_id, identifier, type, result, error, detail, branch, next
		FROM flow_log WHERE contact_id = ? ORDER BY seq`, contactID)
}

// GetParticipant returns the participant with the given id; ENOTFOUND (PARTICIPANT) if there is none.
func (r reader) GetParticipant(ctx context.Context, id string) (*parley.Participant, error) {
	v, err := queryOne(ctx, r.q, rows.ScanParticipant,
		`SELECT `+rows.ParticipantCols+` FROM participants WHERE id = ?`, id)
	return found(v, err, "PARTICIPANT", "participant not found")
}

// ParticipantByToken finds a participant by the hash of its ParticipantToken; ENOTFOUND (PARTICIPANT) if none.
func (r reader) ParticipantByToken(ctx context.Context, tokenHash []byte) (*parley.Participant, error) {
	if len(tokenHash) == 0 {
		return nil, parley.NotFound("PARTICIPANT", "participant not found")
	}
	v, err := queryOne(ctx, r.q, rows.ScanParticipant,
		`SELECT `+rows.ParticipantCols+` FROM participants WHERE token_hash = ?`, tokenHash)
	return found(v, err, "PARTICIPANT", "participant not found")
}

// ListParticipants returns the participants of a contact in the order they joined (insertion order among
// participants who joined in the same millisecond).
func (r reader) ListParticipants(ctx context.Context, contactID string) ([]*parley.Participant, error) {
	return queryAll(ctx, r.q, rows.ScanParticipant,
		`SELECT `+rows.ParticipantCols+` FROM participants WHERE contact_id = ? ORDER BY joined_at, rowid`, contactID)
}

// ListParticipantsByUser returns the participants of a user in the order they joined; only JOINED ones when
// joinedOnly is set. An empty userID matches nothing.
func (r reader) ListParticipantsByUser(ctx context.Context, userID string, joinedOnly bool) ([]*parley.Participant, error) {
	if userID == "" {
		return nil, nil
	}
	q := `SELECT ` + rows.ParticipantCols + ` FROM participants WHERE user_id = ? ORDER BY joined_at, rowid`
	if joinedOnly {
		q = `SELECT ` + rows.ParticipantCols + ` FROM participants WHERE user_id = ? AND state = 'JOINED'
			ORDER BY joined_at, rowid`
	}
	return queryAll(ctx, r.q, rows.ScanParticipant, q, userID)
}

// Connection finds an issued ConnectionToken by its hash, expired or not; ENOTFOUND (CONNECTION) if none.
func (r reader) Connection(ctx context.Context, tokenHash []byte) (*parley.Connection, error) {
	v, err := queryOne(ctx, r.q, func(sc rows.Scanner) (*parley.Connection, error) {
		var c parley.Connection
		var expires int64
		if err := sc.Scan(&c.TokenHash, &c.ParticipantID, &expires); err != nil {
			return nil, err
		}
		c.ExpiresAt = rows.FromMS(expires)
		return &c, nil
	}, `SELECT token_hash, participant_id, expires_at FROM connections WHERE token_hash = ?`, tokenHash)
	return found(v, err, "CONNECTION", "connection not found")
}

func scanItem(sc rows.Scanner) (*parley.Item, error) {
	var it parley.Item
	var tm int64
	var attachments, rcptID, rcptRecipient sql.NullString
	var rcptSeq, rcptDelivered, rcptRead sql.NullInt64
	err := sc.Scan(&it.ChainID, &it.Seq, &it.ID, &it.ContactID, &it.Type, &it.ContentType, &it.Content,
		&it.ParticipantID, &it.DisplayName, &it.Role, &tm, &it.ClientToken, &it.Recipient, &it.Transient,
		&attachments, &rcptID, &rcptSeq, &rcptRecipient, &rcptDelivered, &rcptRead, &it.Revises)
	if err != nil {
		return nil, err
	}
	it.Time = rows.FromMS(tm)
	if err := fromJSON(attachments, &it.Attachments); err != nil {
		return nil, fmt.Errorf("item %s attachments: %w", it.ID, err)
	}
	if rcptID.Valid {
		it.Receipt = &parley.Receipt{
			MessageID:   rcptID.String,
			MessageSeq:  rcptSeq.Int64,
			Recipient:   rcptRecipient.String,
			DeliveredAt: rows.FromMS(rcptDelivered.Int64),
			ReadAt:      rows.FromMS(rcptRead.Int64),
		}
	}
	return &it, nil
}

// GetItem returns the item with the given Id; ENOTFOUND (ITEM) if there is none.
func (r reader) GetItem(ctx context.Context, id string) (*parley.Item, error) {
	v, err := queryOne(ctx, r.q, scanItem,
		`SELECT `+rows.ItemCols+` FROM items WHERE id = ?`, id)
	return found(v, err, "ITEM", "item not found")
}

// ItemByClientToken returns the item of chainID that participantID stored with clientToken; ENOTFOUND (ITEM) if
// none. An empty token matches nothing. It reads the chain's items (ClientTokens have no index, see AppendItem):
// it serves retries, which are rare, and runs on a reader, where it delays nobody else.
func (r reader) ItemByClientToken(ctx context.Context, chainID, participantID, clientToken string) (*parley.Item, error) {
	if clientToken == "" {
		return nil, parley.NotFound("ITEM", "item not found")
	}
	v, err := queryOne(ctx, r.q, scanItem, `SELECT `+rows.ItemCols+` FROM items
		WHERE chain_id = ? AND participant_id = ? AND client_token = ?`, chainID, participantID, clientToken)
	return found(v, err, "ITEM", "item not found")
}

// ListItems returns items of one chain, see parley.ItemQuery.
func (r reader) ListItems(ctx context.Context, q parley.ItemQuery) ([]*parley.Item, error) {
	var b strings.Builder
	args := make([]any, 0, 6)
	b.WriteString(`SELECT ` + rows.ItemCols + ` FROM items WHERE chain_id = ? AND seq > ?`)
	args = append(args, q.ChainID, q.AfterSeq)
	if q.BeforeSeq > 0 {
		b.WriteString(` AND seq < ?`)
		args = append(args, q.BeforeSeq)
	}
	if q.Transcript {
		b.WriteString(` AND transient = 0 AND type != 'MESSAGEMETADATA'`)
	}
	if q.Viewer != "" {
		b.WriteString(` AND (recipient = '' OR recipient = ?)`)
		args = append(args, q.Viewer)
	}
	if !q.SinceTime.IsZero() {
		if q.Descending {
			b.WriteString(` AND time <= ?`)
		} else {
			b.WriteString(` AND time >= ?`)
		}
		args = append(args, rows.ToMS(q.SinceTime))
	}
	if q.Descending {
		b.WriteString(` ORDER BY seq DESC`)
	} else {
		b.WriteString(` ORDER BY seq`)
	}
	if q.Limit > 0 {
		// The limit is written into the SQL, rounded up to a power of two so that few statements are prepared:
		// SQLite re-prepares a statement whose LIMIT is a bound parameter on every run (it plans with the
		// value), which doubled the cost of a short read.
		fmt.Fprintf(&b, ` LIMIT %d`, limitClass(q.Limit))
	}
	items, err := queryAll(ctx, r.q, scanItem, b.String(), args...)
	if q.Limit > 0 && len(items) > q.Limit {
		clear(items[q.Limit:])
		items = items[:q.Limit]
	}
	return items, err
}

// limitClass rounds a positive limit up to the next power of two, at least 8.
func limitClass(n int) int {
	c := 8
	for c < n {
		c *= 2
	}
	return c
}

// LastSeq returns the Seq of the newest item of the chain, 0 when it has none.
func (r reader) LastSeq(ctx context.Context, chainID string) (int64, error) {
	seq, err := queryOne(ctx, r.q, func(sc rows.Scanner) (int64, error) {
		var n int64
		err := sc.Scan(&n)
		return n, err
	}, `SELECT coalesce(max(seq), 0) FROM items WHERE chain_id = ?`, chainID)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return seq, err
}

// ListReceipts returns the receipts recorded on the chain whose MessageSeq is at least fromSeq, in the order they
// were recorded.
func (r reader) ListReceipts(ctx context.Context, chainID string, fromSeq int64) ([]parley.Receipt, error) {
	return queryAll(ctx, r.q, func(sc rows.Scanner) (parley.Receipt, error) {
		var rc parley.Receipt
		var delivered, read int64
		if err := sc.Scan(&rc.MessageID, &rc.MessageSeq, &rc.Recipient, &delivered, &read); err != nil {
			return rc, err
		}
		rc.DeliveredAt, rc.ReadAt = rows.FromMS(delivered), rows.FromMS(read)
		return rc, nil
	}, `SELECT receipt_message_id, receipt_message_seq, receipt_recipient, receipt_delivered_at, receipt_read_at
		FROM items WHERE chain_id = ? AND receipt_message_id IS NOT NULL AND receipt_message_seq >= ?
		ORDER BY seq`, chainID, fromSeq)
}

// Idempotent returns the result stored under (scope, token); ENOTFOUND (IDEMPOTENCY) if none.
func (r reader) Idempotent(ctx context.Context, scope, token string) ([]byte, error) {
	v, err := queryOne(ctx, r.q, func(sc rows.Scanner) ([]byte, error) {
		var b []byte
		err := sc.Scan(&b)
		return b, err
	}, `SELECT result FROM idempotency WHERE scope = ? AND token = ?`, scope, token)
	return found(v, err, "IDEMPOTENCY", "no result stored for this token")
}
