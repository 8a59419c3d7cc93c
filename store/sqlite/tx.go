package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// tx is the parley.Tx handed to Update's fn. It reads and writes through the writer connection, inside the
// batch's transaction, and answers the reads of the append path from the writer's cache.
type tx struct {
	reader
	c *cache
}

// ActiveContact returns the newest contact of a chain, from the cache when it holds the chain.
func (t *tx) ActiveContact(ctx context.Context, chainID string) (*parley.Contact, error) {
	if v, ok := t.c.contact(chainID); ok {
		return v, nil
	}
	v, err := t.reader.ActiveContact(ctx, chainID)
	if err == nil {
		t.c.putContact(chainID, v)
	}
	return v, err
}

// GetParticipant returns a participant by id, from the cache when it holds it.
func (t *tx) GetParticipant(ctx context.Context, id string) (*parley.Participant, error) {
	if v, ok := t.c.participant(id); ok {
		return v, nil
	}
	v, err := t.reader.GetParticipant(ctx, id)
	if err == nil {
		t.c.putParticipant(v)
	}
	return v, err
}

// LastSeq returns the Seq of the newest item of the chain, 0 when it has none, from the cache when it holds the
// chain.
func (t *tx) LastSeq(ctx context.Context, chainID string) (int64, error) {
	if v, ok := t.c.seq(chainID); ok {
		return v, nil
	}
	v, err := t.reader.LastSeq(ctx, chainID)
	if err == nil {
		t.c.putSeq(chainID, v)
	}
	return v, err
}

var _ parley.Tx = (*tx)(nil)

// PutInstance creates or replaces an instance.
func (t *tx) PutInstance(ctx context.Context, in *parley.Instance) error {
	_, err := t.q.exec(ctx, `INSERT INTO instances (id, arn, alias, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET arn = excluded.arn, alias = excluded.alias, created_at = excluded.created_at`,
		in.ID, in.ARN, in.Alias, rows.ToMS(in.CreatedAt))
	return writeErr(err, "put instance", "instance exists")
}

// PutContactFlow creates or replaces a flow of an instance.
func (t *tx) PutContactFlow(ctx context.Context, f *parley.ContactFlow) error {
	_, err := t.q.exec(ctx, `INSERT INTO contact_flows (instance_id, id, arn, name, type, state, status, description,
			content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, id) DO UPDATE SET arn = excluded.arn, name = excluded.name, type = excluded.type,
			state = excluded.state, status = excluded.status, description = excluded.description,
			content = excluded.content`,
		f.InstanceID, f.ID, f.ARN, f.Name, f.Type, f.State, f.Status, f.Description, f.Content)
	return writeErr(err, "put contact flow", "contact flow exists")
}

// DeleteContactFlow deletes a flow of an instance; ENOTFOUND (CONTACT_FLOW) if there is none.
func (t *tx) DeleteContactFlow(ctx context.Context, instanceID, id string) error {
	res, err := t.q.exec(ctx, `DELETE FROM contact_flows WHERE instance_id = ? AND id = ?`, instanceID, id)
	return updated(res, err, "delete contact flow", "CONTACT_FLOW", "contact flow not found")
}

// PutQueue creates or replaces a queue of an instance; ECONFLICT if another queue of the instance has its name
// (or another instance has a queue with its id).
func (t *tx) PutQueue(ctx context.Context, q *parley.Queue) error {
	_, err := t.q.exec(ctx, `INSERT INTO queues (`+rows.QueueCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, id) DO UPDATE SET arn = excluded.arn, name = excluded.name,
			description = excluded.description, hours_of_operation_id = excluded.hours_of_operation_id,
			max_contacts = excluded.max_contacts, status = excluded.status`,
		q.ID, q.InstanceID, q.ARN, q.Name, q.Description, q.HoursOfOperationID, q.MaxContacts, q.Status)
	return writeErr(err, "put queue", "a queue with this name exists")
}

// contactJSON encodes the JSON columns of a contact.
func contactJSON(c *parley.Contact) (attrs, seg, types any, err error) {
	if attrs, err = jsonOrNull(c.Attributes, len(c.Attributes)); err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite: contact attributes: %w", err)
	}
	if types, err = jsonOrNull(c.SupportedContentTypes, len(c.SupportedContentTypes)); err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite: contact content types: %w", err)
	}
	if len(c.SegmentAttributes) > 0 {
		seg = string(c.SegmentAttributes)
	}
	return attrs, seg, types, nil
}

// InsertContact stores a new contact; ECONFLICT if the id exists.
func (t *tx) InsertContact(ctx context.Context, c *parley.Contact) error {
	t.c.dropContact(c.ID, c.InitialContactID)
	attrs, seg, types, err := contactJSON(c)
	if err != nil {
		return err
	}
	_, err = t.q.exec(ctx, `INSERT INTO contacts (`+rows.ContactCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.InstanceID, c.InitialContactID, c.PreviousContactID, c.RelatedContactID, string(c.Channel),
		c.InitiationMethod, string(c.State), c.FlowID, c.QueueID, c.CustomerID, attrs, seg, types,
		c.DurationMinutes, rows.ToMS(c.InitiatedAt), rows.ToMS(c.ConnectedAt), rows.ToMS(c.EndedAt), rows.ToMS(c.DueAt),
		c.DisconnectReason, rows.ToMS(c.UpdatedAt), rows.ToMS(c.EnqueuedAt), c.AgentID, rows.ToMS(c.AgentConnectedAt),
		flowStateText(c.FlowState), rows.ToMS(c.FlowWakeAt), c.Timers.CustomerIdle, c.Timers.CustomerDisconnect,
		c.Timers.AgentIdle, c.Timers.AgentDisconnect, c.QueuePriority, c.QueueTimeAdjustment.Milliseconds(),
		c.Name, c.Description, c.LanguageCode, c.ContinuedFromContactID)
	return writeErr(err, "insert contact", "contact exists")
}

// UpdateContact overwrites the mutable fields of a contact: State, FlowID, QueueID, Attributes,
// SegmentAttributes, ConnectedAt, EndedAt, DueAt, DisconnectReason, UpdatedAt, EnqueuedAt, AgentID,
// AgentConnectedAt, FlowState, FlowWakeAt, Timers, QueuePriority, QueueTimeAdjustment, Name, Description,
// LanguageCode, CustomerID, RelatedContactID and ContinuedFromContactID. ENOTFOUND (CONTACT) if it does not exist.
func (t *tx) UpdateContact(ctx context.Context, c *parley.Contact) error {
	t.c.dropContact(c.ID, c.InitialContactID)
	attrs, seg, _, err := contactJSON(c)
	if err != nil {
		return err
	}
	res, err := t.q.exec(ctx, `UPDATE contacts SET state = ?, flow_id = ?, queue_id = ?, attributes = ?,
			segment_attributes = ?, connected_at = ?, ended_at = ?, due_at = ?, disconnect_reason = ?,
			updated_at = ?, enqueued_at = ?, agent_id = ?, agent_connected_at = ?, flow_state = ?, flow_wake_at = ?,
			customer_idle_minutes = ?, customer_disconnect_minutes = ?, agent_idle_minutes = ?,
			agent_disconnect_minutes = ?, queue_priority = ?, queue_time_adjustment_ms = ?,
			name = ?, description = ?, language_code = ?, customer_id = ?, related_contact_id = ?,
			continued_from_contact_id = ?
		WHERE id = ?`,
		string(c.State), c.FlowID, c.QueueID, attrs, seg, rows.ToMS(c.ConnectedAt), rows.ToMS(c.EndedAt), rows.ToMS(c.DueAt),
		c.DisconnectReason, rows.ToMS(c.UpdatedAt), rows.ToMS(c.EnqueuedAt), c.AgentID, rows.ToMS(c.AgentConnectedAt),
		flowStateText(c.FlowState), rows.ToMS(c.FlowWakeAt), c.Timers.CustomerIdle, c.Timers.CustomerDisconnect,
		c.Timers.AgentIdle, c.Timers.AgentDisconnect, c.QueuePriority, c.QueueTimeAdjustment.Milliseconds(),
		c.Name, c.Description, c.LanguageCode, c.CustomerID, c.RelatedContactID, c.ContinuedFromContactID, c.ID)
	return updated(res, err, "update contact", "CONTACT", "contact not found")
}

// flowStateText stores a flow state as text (JSON), NULL when there is none.
func flowStateText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// AppendFlowLog appends records to their contacts' flow logs, each at its contact's next Seq. The next Seq of a
// contact is read once per call (the end of the (contact_id, seq) key), then the records are plain inserts.
func (t *tx) AppendFlowLog(ctx context.Context, recs []parley.FlowRecord) error {
	next := map[string]int64{}
	for i := range recs {
		f := &recs[i]
		seq, ok := next[f.ContactID]
		if !ok {
			last, err := queryOne(ctx, t.q, func(sc rows.Scanner) (int64, error) {
				var n int64
				return n, sc.Scan(&n)
			}, `SELECT COALESCE(MAX(seq), 0) FROM flow_log WHERE contact_id = ?`, f.ContactID)
			if err != nil {
				return fmt.Errorf("sqlite: append flow log: %w", err)
			}
			seq = last
		}
		seq++
		if _, err := t.q.exec(ctx, `INSERT INTO flow_log (contact_id, seq, at, flow_id, identifier, type, result, error,
				detail, branch, next) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ContactID, seq, rows.ToMS(f.Time), f.FlowID, f.Identifier, f.Type, f.Result, f.Error, f.Detail, f.Branch,
			f.Next); err != nil {
			return writeErr(err, "append flow log", "flow log conflict")
		}
		f.Seq, next[f.ContactID] = seq, seq
	}
	return nil
}

// updated checks that an UPDATE or DELETE touched a row.
func updated(res sql.Result, err error, op, resource, msg string) error {
	if err != nil {
		return writeErr(err, op, resource+" conflict")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if n == 0 {
		return parley.NotFound(resource, "%s", msg)
	}
	return nil
}

// tokenHash maps an empty hash (or sealed token) to NULL, so participants without a token do not collide in the
// unique index.
func tokenHash(h []byte) any {
	if len(h) == 0 {
		return nil
	}
	return h
}

// InsertParticipant stores a new participant; ECONFLICT if its id or token hash exists.
func (t *tx) InsertParticipant(ctx context.Context, p *parley.Participant) error {
	t.c.dropParticipant(p.ID)
	_, err := t.q.exec(ctx, `INSERT INTO participants (`+rows.ParticipantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ContactID, p.ChainID, string(p.Role), p.DisplayName, tokenHash(p.TokenHash), string(p.State),
		p.Connected, rows.ToMS(p.JoinedAt), rows.ToMS(p.LeftAt), p.UserID, rows.ToMS(p.TimerAt), rows.ToMS(p.IdleAt), tokenHash(p.TokenSealed))
	return writeErr(err, "insert participant", "participant exists")
}

// UpdateParticipant overwrites a participant's State, Connected, DisplayName, LeftAt, TimerAt and IdleAt;
// ENOTFOUND (PARTICIPANT) if it does not exist.
func (t *tx) UpdateParticipant(ctx context.Context, p *parley.Participant) error {
	t.c.dropParticipant(p.ID)
	res, err := t.q.exec(ctx, `UPDATE participants SET state = ?, connected = ?, display_name = ?, left_at = ?,
			timer_at = ?, idle_at = ?
		WHERE id = ?`, string(p.State), p.Connected, p.DisplayName, rows.ToMS(p.LeftAt), rows.ToMS(p.TimerAt), rows.ToMS(p.IdleAt),
		p.ID)
	return updated(res, err, "update participant", "PARTICIPANT", "participant not found")
}

// InsertConnection stores an issued ConnectionToken; ECONFLICT if the hash exists.
func (t *tx) InsertConnection(ctx context.Context, c *parley.Connection) error {
	_, err := t.q.exec(ctx, `INSERT INTO connections (token_hash, participant_id, expires_at) VALUES (?, ?, ?)`,
		c.TokenHash, c.ParticipantID, rows.ToMS(c.ExpiresAt))
	return writeErr(err, "insert connection", "connection exists")
}

// DeleteConnections revokes every ConnectionToken of a participant. Having none is not an error.
func (t *tx) DeleteConnections(ctx context.Context, participantID string) error {
	_, err := t.q.exec(ctx, `DELETE FROM connections WHERE participant_id = ?`, participantID)
	return writeErr(err, "delete connections", "conflict")
}

// AppendItem assigns it.Seq and stores the item (and its receipt). On ECONFLICT (the Id exists, or the
// chain holds an item of the participant with it.ClientToken) nothing is stored and it.Seq is left unchanged.
//
// The next Seq is one more than the chain's newest item's: the writer's cache holds it for busy chains, and a
// miss reads it from the end of the items primary key.
//
// ClientTokens have no index: one would cost every message a write to a page of its own (measured: a sixth of
// the server's chat throughput). The writer's cache holds a 64-bit keyed hash of each (participant, token)
// pair of the chains it knows; a hash already there is a retry. A chain it does not know (after a restart, or
// evicted) is not read here, where every other write would wait: AppendItem fails with errColdTokens, and
// Update reads the chain's tokens on a reader and runs fn again (warmTokens).
func (t *tx) AppendItem(ctx context.Context, it *parley.Item) error {
	last, err := t.LastSeq(ctx, it.ChainID)
	if err != nil {
		return fmt.Errorf("sqlite: append item: %w", err)
	}
	seq := last + 1
	hs, known := t.c.tokens[it.ChainID]
	if !known && last == 0 {
		hs, known = map[uint64]struct{}{}, true // a new chain has no tokens: nothing to read, then or later
		t.c.putTokens(it.ChainID, hs)
	}
	var tok uint64
	if it.ClientToken != "" {
		if !known {
			return &errColdTokens{chain: it.ChainID}
		}
		tok = t.c.tokenHash(it.ParticipantID, it.ClientToken)
		if _, seen := hs[tok]; seen {
			return &parley.Error{Code: parley.ECONFLICT, Message: "an item with this ClientToken exists"}
		}
	}
	attachments, err := jsonOrNull(it.Attachments, len(it.Attachments))
	if err != nil {
		return fmt.Errorf("sqlite: item attachments: %w", err)
	}
	var rcptID, rcptSeq, rcptRecipient, rcptDelivered, rcptRead any
	if r := it.Receipt; r != nil {
		rcptID, rcptSeq, rcptRecipient = r.MessageID, r.MessageSeq, r.Recipient
		rcptDelivered, rcptRead = rows.ToMS(r.DeliveredAt), rows.ToMS(r.ReadAt)
	}
	_, err = t.q.exec(ctx, `INSERT INTO items (`+rows.ItemCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ChainID, seq, it.ID, it.ContactID, string(it.Type), it.ContentType, it.Content, it.ParticipantID,
		it.DisplayName, string(it.Role), rows.ToMS(it.Time), it.ClientToken, it.Recipient, it.Transient, attachments,
		rcptID, rcptSeq, rcptRecipient, rcptDelivered, rcptRead, it.Revises)
	if err != nil {
		return writeErr(err, "append item", "an item with this Id exists")
	}
	t.c.putSeq(it.ChainID, seq)
	if it.ClientToken != "" {
		t.c.addToken(it.ChainID, tok)
	}
	it.Seq = seq
	return nil
}

// errColdTokens is AppendItem's answer for a chain whose ClientToken hashes the writer does not hold.
type errColdTokens struct{ chain string }

func (e *errColdTokens) Error() string {
	return "sqlite: the ClientTokens of chain " + e.chain + " are not loaded (Update loads them and retries)"
}

// PutIdempotent stores the result of a request under (scope, token); ECONFLICT if one exists.
func (t *tx) PutIdempotent(ctx context.Context, scope, token string, result []byte) error {
	if result == nil {
		result = []byte{}
	}
	_, err := t.q.exec(ctx, `INSERT INTO idempotency (scope, token, result, created_at) VALUES (?, ?, ?, ?)`,
		scope, token, result, time.Now().UnixMilli())
	return writeErr(err, "put idempotent", "a result is stored for this token")
}
