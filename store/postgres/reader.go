package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// reader implements parley.Reader over a querier: the pool for the Store, the transaction for a Tx.
type reader struct {
	q querier
	// lock is appended to the queries that read one contact or participant: rowLock in a Tx, "" on the pool.
	lock string
}

var _ parley.Reader = reader{}

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
	var attrs, seg, types, flowState *string
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
	c.SegmentAttributes, c.FlowState = bytesOrNil(seg), bytesOrNil(flowState)
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
		`SELECT `+rows.ContactCols+` FROM contacts WHERE id = ?`+r.lock, id)
	return found(v, err, "CONTACT", "contact not found")
}

// ListContacts returns the contacts of an instance initiated in [From, To), oldest first.
func (r reader) ListContacts(ctx context.Context, q parley.ContactQuery) ([]*parley.Contact, error) {
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE instance_id = ? AND initiated_at >= ? AND initiated_at < ? ORDER BY initiated_at, rid LIMIT ?`,
		q.InstanceID, rows.ToMS(q.From), rows.ToMS(q.To), q.Limit)
}

// ListActiveContacts returns the ACTIVE contacts of an instance, oldest (InitiatedAt) first.
func (r reader) ListActiveContacts(ctx context.Context, instanceID string) ([]*parley.Contact, error) {
	// The literal state predicate matches the partial index contacts_active.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE instance_id = ? AND state = 'ACTIVE' ORDER BY initiated_at, rid`, instanceID)
}

// ActiveContact returns the newest contact (by InitiatedAt, then insertion order) of a chain, whatever its
// state; ENOTFOUND (CONTACT) if the chain has none.
func (r reader) ActiveContact(ctx context.Context, chainID string) (*parley.Contact, error) {
	v, err := queryOne(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE initial_contact_id = ? ORDER BY initiated_at DESC, rid DESC LIMIT 1`+r.lock, chainID)
	return found(v, err, "CONTACT", "contact not found")
}

// DueContacts returns up to limit active contacts whose DueAt is set and not after t, earliest first. A limit
// of 0 or less means no limit.
func (r reader) DueContacts(ctx context.Context, t time.Time, limit int) ([]*parley.Contact, error) {
	// The literal predicates match the partial index contacts_due.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE state = 'ACTIVE' AND due_at != 0 AND due_at <= ? ORDER BY due_at, id LIMIT ?`, rows.ToMS(t), limitOrAll(limit))
}

// DueFlows returns up to limit active contacts whose FlowWakeAt is set and not after t, earliest first. A limit
// of 0 or less means no limit.
func (r reader) DueFlows(ctx context.Context, t time.Time, limit int) ([]*parley.Contact, error) {
	// The literal predicates match the partial index contacts_flow_wake.
	return queryAll(ctx, r.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE state = 'ACTIVE' AND flow_wake_at != 0 AND flow_wake_at <= ? ORDER BY flow_wake_at, id LIMIT ?`,
		rows.ToMS(t), limitOrAll(limit))
}

// DueParticipants returns up to limit JOINED participants whose TimerAt is set and not after t, earliest first.
// A limit of 0 or less means no limit.
func (r reader) DueParticipants(ctx context.Context, t time.Time, limit int) ([]*parley.Participant, error) {
	// The literal predicates match the partial index participants_timer.
	return queryAll(ctx, r.q, rows.ScanParticipant, `SELECT `+rows.ParticipantCols+` FROM participants
		WHERE state = 'JOINED' AND timer_at != 0 AND timer_at <= ? ORDER BY timer_at, id LIMIT ?`, rows.ToMS(t), limitOrAll(limit))
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
		`SELECT `+rows.ParticipantCols+` FROM participants WHERE id = ?`+r.lock, id)
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
		`SELECT `+rows.ParticipantCols+` FROM participants WHERE contact_id = ? ORDER BY joined_at, rid`, contactID)
}

// ListParticipantsByUser returns the participants of a user in the order they joined; only JOINED ones when
// joinedOnly is set. An empty userID matches nothing. The queries repeat the partial index's predicate (a
// user_id that is not empty) so that a generic plan, which cannot see the parameter's value, still uses the index.
func (r reader) ListParticipantsByUser(ctx context.Context, userID string, joinedOnly bool) ([]*parley.Participant, error) {
	if userID == "" {
		return nil, nil
	}
	q := `SELECT ` + rows.ParticipantCols + ` FROM participants WHERE user_id = ? AND user_id <> '' ORDER BY joined_at, rid`
	if joinedOnly {
		q = `SELECT ` + rows.ParticipantCols + ` FROM participants WHERE user_id = ? AND user_id <> '' AND state = 'JOINED'
			ORDER BY joined_at, rid`
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
	var attachments, rcptID, rcptRecipient *string
	var rcptSeq, rcptDelivered, rcptRead *int64
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
	if rcptID != nil {
		it.Receipt = &parley.Receipt{
			MessageID:   *rcptID,
			MessageSeq:  deref(rcptSeq),
			Recipient:   deref(rcptRecipient),
			DeliveredAt: rows.FromMS(deref(rcptDelivered)),
			ReadAt:      rows.FromMS(deref(rcptRead)),
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
// none. An empty token matches nothing. The query repeats the partial index's predicate (a
// client_token that is not empty) so that a generic plan still uses the index.
func (r reader) ItemByClientToken(ctx context.Context, chainID, participantID, clientToken string) (*parley.Item, error) {
	if clientToken == "" {
		return nil, parley.NotFound("ITEM", "item not found")
	}
	v, err := queryOne(ctx, r.q, scanItem,
		`SELECT `+rows.ItemCols+` FROM items
			WHERE chain_id = ? AND participant_id = ? AND client_token = ? AND client_token <> ''`,
		chainID, participantID, clientToken)
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
		b.WriteString(` AND NOT transient AND type <> 'MESSAGEMETADATA'`)
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
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return queryAll(ctx, r.q, scanItem, b.String(), args...)
}

// LastSeq returns the Seq of the newest item of the chain, 0 when it has none. It reads the end of the items
// primary key (chain_id, seq), as SQLite does: the items, not the chains counter, are what readers see.
func (r reader) LastSeq(ctx context.Context, chainID string) (int64, error) {
	seq, err := queryOne(ctx, r.q, func(sc rows.Scanner) (int64, error) {
		var n int64
		err := sc.Scan(&n)
		return n, err
	}, `SELECT coalesce(max(seq), 0) FROM items WHERE chain_id = ?`, chainID)
	if err == pgx.ErrNoRows {
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

// limitOrAll maps a limit of 0 or less to NULL, which Postgres's LIMIT reads as no limit.
func limitOrAll(limit int) *int {
	if limit <= 0 {
		return nil
	}
	return &limit
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
