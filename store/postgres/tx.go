package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// tx is the parley.Tx handed to Update's fn: every statement runs in the attempt's transaction.
type tx struct {
	reader // reads through the transaction: reader.q is the tx itself
	tx     pgx.Tx
	// retry is the first retryable error a statement of this transaction failed with: if fn then returns
	// another error, or swallows it, the transaction is aborted all the same and Update must run fn again.
	retry error
	// chains are the chains this transaction appended to, whose rows it therefore holds locked, and the one
	// whose lock it failed to get: a retry takes them all first (lockChains).
	chains []string
	// committed is set once the transaction committed (commit).
	committed bool
}

var _ parley.Tx = (*tx)(nil)

// note records a retryable failure of a statement.
func (t *tx) note(err error) {
	if err != nil && t.retry == nil && retryable(err) {
		t.retry = err
	}
}

// Exec implements querier.
func (t *tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(ctx, sql, args...)
	t.note(err)
	return tag, err
}

// Query implements querier.
func (t *tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rs, err := t.tx.Query(ctx, sql, args...)
	t.note(err)
	return rs, err
}

// QueryRow implements querier.
func (t *tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return noteRow{t.tx.QueryRow(ctx, sql, args...), t}
}

// noteRow is a pgx.Row whose Scan error is noted by its transaction.
type noteRow struct {
	pgx.Row
	t *tx
}

func (r noteRow) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	r.t.note(err)
	return err
}

// savepoint runs fn inside a savepoint, rolled back if fn fails: a failed statement aborts a Postgres
// transaction, and a savepoint confines that to fn, so the caller may go on after ECONFLICT.
func (t *tx) savepoint(ctx context.Context, fn func() error) error {
	sp, err := t.tx.Begin(ctx)
	if err != nil {
		t.note(err)
		return fmt.Errorf("postgres: savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			t.note(rerr)
			return fmt.Errorf("%w (rollback to savepoint: %v)", err, rerr)
		}
		return err
	}
	if err := sp.Commit(ctx); err != nil {
		t.note(err)
		return fmt.Errorf("postgres: release savepoint: %w", err)
	}
	return nil
}

// execSavepoint runs one statement inside a savepoint. It serves the upserts that may violate a unique
// constraint other than the one their ON CONFLICT names (the name of a configuration object).
func (t *tx) execSavepoint(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := t.savepoint(ctx, func() error {
		var err error
		tag, err = exec(ctx, t, query, args...)
		return err
	})
	return tag, err
}

// PutInstance creates or replaces an instance.
func (t *tx) PutInstance(ctx context.Context, in *parley.Instance) error {
	_, err := exec(ctx, t, `INSERT INTO instances (id, arn, alias, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET arn = excluded.arn, alias = excluded.alias, created_at = excluded.created_at`,
		in.ID, in.ARN, in.Alias, rows.ToMS(in.CreatedAt))
	return writeErr(err, "put instance", "instance exists")
}

// PutContactFlow creates or replaces a flow of an instance.
func (t *tx) PutContactFlow(ctx context.Context, f *parley.ContactFlow) error {
	_, err := exec(ctx, t, `INSERT INTO contact_flows (instance_id, id, arn, name, type, state, status, description,
			content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, id) DO UPDATE SET arn = excluded.arn, name = excluded.name, type = excluded.type,
			state = excluded.state, status = excluded.status, description = excluded.description,
			content = excluded.content`,
		f.InstanceID, f.ID, f.ARN, f.Name, f.Type, f.State, f.Status, f.Description, f.Content)
	return writeErr(err, "put contact flow", "contact flow exists")
}

// DeleteContactFlow deletes a flow of an instance; ENOTFOUND (CONTACT_FLOW) if there is none.
func (t *tx) DeleteContactFlow(ctx context.Context, instanceID, id string) error {
	tag, err := exec(ctx, t, `DELETE FROM contact_flows WHERE instance_id = ? AND id = ?`, instanceID, id)
	return updated(tag, err, "delete contact flow", "CONTACT_FLOW", "contact flow not found")
}

// PutQueue creates or replaces a queue of an instance; ECONFLICT if another queue of the instance has its name
// (or another instance has a queue with its id).
func (t *tx) PutQueue(ctx context.Context, q *parley.Queue) error {
	_, err := t.execSavepoint(ctx, `INSERT INTO queues (`+rows.QueueCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, id) DO UPDATE SET arn = excluded.arn, name = excluded.name,
			description = excluded.description, hours_of_operation_id = excluded.hours_of_operation_id,
			max_contacts = excluded.max_contacts, status = excluded.status`,
		q.ID, q.InstanceID, q.ARN, q.Name, q.Description, q.HoursOfOperationID, q.MaxContacts, q.Status)
	return writeErr(err, "put queue", "a queue with this name exists")
}

// contactJSON encodes the JSON columns of a contact.
func contactJSON(c *parley.Contact) (attrs, seg, types *string, err error) {
	if attrs, err = jsonOrNull(c.Attributes, len(c.Attributes)); err != nil {
		return nil, nil, nil, fmt.Errorf("postgres: contact attributes: %w", err)
	}
	if types, err = jsonOrNull(c.SupportedContentTypes, len(c.SupportedContentTypes)); err != nil {
		return nil, nil, nil, fmt.Errorf("postgres: contact content types: %w", err)
	}
	if len(c.SegmentAttributes) > 0 {
		seg = textOrNull(c.SegmentAttributes)
	}
	return attrs, seg, types, nil
}

// InsertContact stores a new contact; ECONFLICT if the id exists.
func (t *tx) InsertContact(ctx context.Context, c *parley.Contact) error {
	attrs, seg, types, err := contactJSON(c)
	if err != nil {
		return err
	}
	tag, err := exec(ctx, t, `INSERT INTO contacts (`+rows.ContactCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		c.ID, c.InstanceID, c.InitialContactID, c.PreviousContactID, c.RelatedContactID, string(c.Channel),
		c.InitiationMethod, string(c.State), c.FlowID, c.QueueID, c.CustomerID, attrs, seg, types,
		c.DurationMinutes, rows.ToMS(c.InitiatedAt), rows.ToMS(c.ConnectedAt), rows.ToMS(c.EndedAt), rows.ToMS(c.DueAt),
		c.DisconnectReason, rows.ToMS(c.UpdatedAt), rows.ToMS(c.EnqueuedAt), c.AgentID, rows.ToMS(c.AgentConnectedAt),
		textOrNull(c.FlowState), rows.ToMS(c.FlowWakeAt), c.Timers.CustomerIdle, c.Timers.CustomerDisconnect,
		c.Timers.AgentIdle, c.Timers.AgentDisconnect, c.QueuePriority, c.QueueTimeAdjustment.Milliseconds(),
		c.Name, c.Description, c.LanguageCode, c.ContinuedFromContactID)
	return inserted(tag, err, "insert contact", "contact exists")
}

// UpdateContact overwrites the mutable fields of a contact: State, FlowID, QueueID, Attributes,
// SegmentAttributes, ConnectedAt, EndedAt, DueAt, DisconnectReason, UpdatedAt, EnqueuedAt, AgentID,
// AgentConnectedAt, FlowState, FlowWakeAt, Timers, QueuePriority, QueueTimeAdjustment, Name, Description,
// LanguageCode, CustomerID, RelatedContactID and ContinuedFromContactID. ENOTFOUND (CONTACT) if it does not exist.
func (t *tx) UpdateContact(ctx context.Context, c *parley.Contact) error {
	attrs, seg, _, err := contactJSON(c)
	if err != nil {
		return err
	}
	tag, err := exec(ctx, t, `UPDATE contacts SET state = ?, flow_id = ?, queue_id = ?, attributes = ?,
			segment_attributes = ?, connected_at = ?, ended_at = ?, due_at = ?, disconnect_reason = ?,
			updated_at = ?, enqueued_at = ?, agent_id = ?, agent_connected_at = ?, flow_state = ?, flow_wake_at = ?,
			customer_idle_minutes = ?, customer_disconnect_minutes = ?, agent_idle_minutes = ?,
			agent_disconnect_minutes = ?, queue_priority = ?, queue_time_adjustment_ms = ?,
			name = ?, description = ?, language_code = ?, customer_id = ?, related_contact_id = ?,
			continued_from_contact_id = ?
		WHERE id = ?`,
		string(c.State), c.FlowID, c.QueueID, attrs, seg, rows.ToMS(c.ConnectedAt), rows.ToMS(c.EndedAt), rows.ToMS(c.DueAt),
		c.DisconnectReason, rows.ToMS(c.UpdatedAt), rows.ToMS(c.EnqueuedAt), c.AgentID, rows.ToMS(c.AgentConnectedAt),
		textOrNull(c.FlowState), rows.ToMS(c.FlowWakeAt), c.Timers.CustomerIdle, c.Timers.CustomerDisconnect,
		c.Timers.AgentIdle, c.Timers.AgentDisconnect, c.QueuePriority, c.QueueTimeAdjustment.Milliseconds(),
		c.Name, c.Description, c.LanguageCode, c.CustomerID, c.RelatedContactID, c.ContinuedFromContactID, c.ID)
	return updated(tag, err, "update contact", "CONTACT", "contact not found")
}

// AppendFlowLog appends records to their contacts' flow logs, each at its contact's next Seq. A transaction-level
// advisory lock per contact makes the read of the next Seq and the inserts atomic across connections.
func (t *tx) AppendFlowLog(ctx context.Context, recs []parley.FlowRecord) error {
	next := map[string]int64{}
	for i := range recs {
		f := &recs[i]
		seq, ok := next[f.ContactID]
		if !ok {
			// The lock comes first, in a statement of its own: a statement reads the data committed when it
			// started, and the MAX must see what the previous holder of the lock committed.
			if _, err := exec(ctx, t, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, flowLogLock,
				f.ContactID); err != nil {
				return fmt.Errorf("postgres: append flow log: %w", err)
			}
			if err := scanOne(ctx, t, &seq, `SELECT COALESCE(MAX(seq), 0) FROM flow_log WHERE contact_id = ?`,
				f.ContactID); err != nil {
				return fmt.Errorf("postgres: append flow log: %w", err)
			}
		}
		seq++
		if _, err := exec(ctx, t, `INSERT INTO flow_log (contact_id, seq, at, flow_id, identifier, type, result, error,
				detail, branch, next) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ContactID, seq, rows.ToMS(f.Time), f.FlowID, f.Identifier, f.Type, f.Result, f.Error, f.Detail, f.Branch,
			f.Next); err != nil {
			return writeErr(err, "append flow log", "flow log conflict")
		}
		f.Seq, next[f.ContactID] = seq, seq
	}
	return nil
}

// tokenHash maps an empty hash to NULL, so participants without a token do not collide in the unique index.
func tokenHash(h []byte) []byte {
	if len(h) == 0 {
		return nil
	}
	return h
}

// InsertParticipant stores a new participant; ECONFLICT if its id or token hash exists.
func (t *tx) InsertParticipant(ctx context.Context, p *parley.Participant) error {
	tag, err := exec(ctx, t, `INSERT INTO participants (`+rows.ParticipantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		p.ID, p.ContactID, p.ChainID, string(p.Role), p.DisplayName, tokenHash(p.TokenHash), string(p.State),
		p.Connected, rows.ToMS(p.JoinedAt), rows.ToMS(p.LeftAt), p.UserID, rows.ToMS(p.TimerAt), rows.ToMS(p.IdleAt), tokenHash(p.TokenSealed))
	return inserted(tag, err, "insert participant", "participant exists")
}

// UpdateParticipant overwrites a participant's State, Connected, DisplayName, LeftAt, TimerAt and IdleAt;
// ENOTFOUND (PARTICIPANT) if it does not exist.
func (t *tx) UpdateParticipant(ctx context.Context, p *parley.Participant) error {
	tag, err := exec(ctx, t, `UPDATE participants SET state = ?, connected = ?, display_name = ?, left_at = ?,
			timer_at = ?, idle_at = ?
		WHERE id = ?`, string(p.State), p.Connected, p.DisplayName, rows.ToMS(p.LeftAt), rows.ToMS(p.TimerAt), rows.ToMS(p.IdleAt),
		p.ID)
	return updated(tag, err, "update participant", "PARTICIPANT", "participant not found")
}

// InsertConnection stores an issued ConnectionToken; ECONFLICT if the hash exists.
func (t *tx) InsertConnection(ctx context.Context, c *parley.Connection) error {
	tag, err := exec(ctx, t, `INSERT INTO connections (token_hash, participant_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, c.TokenHash, c.ParticipantID, rows.ToMS(c.ExpiresAt))
	return inserted(tag, err, "insert connection", "connection exists")
}

// DeleteConnections revokes every ConnectionToken of a participant. Having none is not an error.
func (t *tx) DeleteConnections(ctx context.Context, participantID string) error {
	_, err := exec(ctx, t, `DELETE FROM connections WHERE participant_id = ?`, participantID)
	return writeErr(err, "delete connections", "conflict")
}

// AppendItem assigns it.Seq and stores the item (and its receipt). On ECONFLICT (the Id exists, or the
// participant used it.ClientToken) nothing is stored and it.Seq is left unchanged.
//
// One statement does the common case: the UPSERT on the chain's row takes the next Seq and locks the row until
// the transaction ends (see the package doc), and the item goes in with ON CONFLICT DO NOTHING, so a conflict
// neither aborts the transaction nor needs a savepoint. When nothing was inserted, a second statement gives the
// Seq back: the row is still locked by this transaction, so no other append took a Seq in between.
//
// Two transactions that append to the same two chains in opposite orders deadlock. Postgres would find that
// after deadlock_timeout (a second by default); instead, while this transaction holds a chain's row it waits for
// another chain's row only for chainLockTimeout, then fails with a lock timeout that Update retries, taking the
// chains in sorted order first (lockChains).
func (t *tx) AppendItem(ctx context.Context, it *parley.Item) error {
	attachments, err := jsonOrNull(it.Attachments, len(it.Attachments))
	if err != nil {
		return fmt.Errorf("postgres: item attachments: %w", err)
	}
	var rcptID, rcptRecipient *string
	var rcptSeq, rcptDelivered, rcptRead *int64
	if r := it.Receipt; r != nil {
		delivered, read := rows.ToMS(r.DeliveredAt), rows.ToMS(r.ReadAt)
		rcptID, rcptSeq, rcptRecipient = &r.MessageID, &r.MessageSeq, &r.Recipient
		rcptDelivered, rcptRead = &delivered, &read
	}
	held := slices.Contains(t.chains, it.ChainID)
	limited := !held && len(t.chains) > 0
	if limited {
		if _, err := t.Exec(ctx, `SET LOCAL lock_timeout = `+chainLockTimeout); err != nil {
			return fmt.Errorf("postgres: append item: %w", err)
		}
	}
	var seq int64
	err = scanOne(ctx, t, &seq, `WITH c AS (
			INSERT INTO chains (chain_id, last_seq) VALUES (?, 1)
			ON CONFLICT (chain_id) DO UPDATE SET last_seq = chains.last_seq + 1
			RETURNING last_seq)
		INSERT INTO items (`+rows.ItemCols+`)
		VALUES (?, (SELECT last_seq FROM c), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING
		RETURNING seq`,
		it.ChainID, it.ChainID, it.ID, it.ContactID, string(it.Type), it.ContentType, it.Content, it.ParticipantID,
		it.DisplayName, string(it.Role), rows.ToMS(it.Time), it.ClientToken, it.Recipient, it.Transient, attachments,
		rcptID, rcptSeq, rcptRecipient, rcptDelivered, rcptRead, it.Revises)
	if limited {
		// The limit is for this wait only: the rest of the transaction waits for locks as usual.
		if _, rerr := t.Exec(ctx, `SET LOCAL lock_timeout = DEFAULT`); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err == pgx.ErrNoRows {
		// The Id or the (participant, ClientToken) exists: give the Seq back.
		if _, err := exec(ctx, t, `UPDATE chains SET last_seq = last_seq - 1 WHERE chain_id = ?`, it.ChainID); err != nil {
			return fmt.Errorf("postgres: append item: %w", err)
		}
		if !held {
			t.chains = append(t.chains, it.ChainID)
		}
		return &parley.Error{Code: parley.ECONFLICT, Message: "an item with this Id or ClientToken exists"}
	}
	if err != nil {
		if retryable(err) && !held {
			// The retry must lock this chain first too.
			t.chains = append(t.chains, it.ChainID)
		}
		return writeErr(err, "append item", "an item with this Id or ClientToken exists")
	}
	if !held {
		t.chains = append(t.chains, it.ChainID)
	}
	it.Seq = seq
	return nil
}

// chainLockTimeout bounds AppendItem's wait for a chain's row while the transaction holds another chain's.
const chainLockTimeout = `'20ms'`

// lockChains takes the rows of chains, in sorted order, before a retried fn runs: the retry then waits for each
// chain in the same order as every other retry, and cannot deadlock with them on chains.
func (t *tx) lockChains(ctx context.Context, chains []string) error {
	if len(chains) == 0 {
		return nil
	}
	sorted := slices.Sorted(slices.Values(chains))
	for _, c := range sorted {
		if _, err := exec(ctx, t, `INSERT INTO chains (chain_id, last_seq) VALUES (?, 0)
			ON CONFLICT (chain_id) DO UPDATE SET last_seq = chains.last_seq`, c); err != nil {
			return fmt.Errorf("postgres: lock chain: %w", err)
		}
	}
	t.chains = sorted
	return nil
}

// scanOne runs a single-row query into dest, returning pgx.ErrNoRows unwrapped when there is no row.
func scanOne(ctx context.Context, q querier, dest any, query string, args ...any) error {
	return q.QueryRow(ctx, rebind(query), args...).Scan(dest)
}

// PutIdempotent stores the result of a request under (scope, token); ECONFLICT if one exists.
func (t *tx) PutIdempotent(ctx context.Context, scope, token string, result []byte) error {
	if result == nil {
		result = []byte{}
	}
	tag, err := exec(ctx, t, `INSERT INTO idempotency (scope, token, result, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, scope, token, result, time.Now().UnixMilli())
	return inserted(tag, err, "put idempotent", "a result is stored for this token")
}

// flowLogLock is the first key of the advisory locks that AppendFlowLog takes per contact (the second is a hash
// of the contact id); no other lock of parley's uses it (migrationLock is a one-key lock, another key space).
const flowLogLock int32 = 0x70617231 // "par1"
