package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// Message streaming: the streams of a chain and the outbox of items waiting for their endpoints.

// GetStream returns a stream by id; ENOTFOUND (STREAM) if there is none.
func (r reader) GetStream(ctx context.Context, id string) (*parley.Stream, error) {
	v, err := queryOne(ctx, r.q, rows.ScanStream, `SELECT `+rows.StreamCols+` FROM streams WHERE id = ?`, id)
	return found(v, err, "STREAM", "streaming configuration not found")
}

// StreamByClientToken returns the stream of a chain started with a ClientToken; ENOTFOUND (STREAM) if there is
// none.
func (r reader) StreamByClientToken(ctx context.Context, chainID, clientToken string) (*parley.Stream, error) {
	v, err := queryOne(ctx, r.q, rows.ScanStream,
		`SELECT `+rows.StreamCols+` FROM streams WHERE chain_id = ? AND client_token = ?`, chainID, clientToken)
	return found(v, err, "STREAM", "streaming configuration not found")
}

// ListStreams returns the streams of a chain in the order they started (the active ones only if asked).
func (r reader) ListStreams(ctx context.Context, chainID string, activeOnly bool) ([]*parley.Stream, error) {
	q := `SELECT ` + rows.StreamCols + ` FROM streams WHERE chain_id = ? ORDER BY started_at, id`
	if activeOnly {
		q = `SELECT ` + rows.StreamCols + ` FROM streams WHERE chain_id = ? AND stopped_at = 0 ORDER BY started_at, id`
	}
	return queryAll(ctx, r.q, rows.ScanStream, q, chainID)
}

func scanOutbox(sc rows.Scanner) (*parley.OutboxEntry, error) {
	var e parley.OutboxEntry
	var created, next int64
	err := sc.Scan(&e.StreamID, &e.Seq, &e.ChainID, &e.ItemID, &created, &e.Attempts, &next, &e.LastError, &e.Dead)
	if err != nil {
		return nil, err
	}
	e.CreatedAt, e.NextAt = rows.FromMS(created), rows.FromMS(next)
	return &e, nil
}

// outboxWhere builds the WHERE clause of q (dead selects the dead or the pending entries).
func outboxWhere(q parley.OutboxQuery, dead bool) (string, []any) {
	var b strings.Builder
	var args []any
	if dead {
		b.WriteString(` WHERE o.dead`)
	} else {
		b.WriteString(` WHERE NOT o.dead`)
	}
	if q.StreamID != "" {
		b.WriteString(` AND o.stream_id = ?`)
		args = append(args, q.StreamID)
	}
	if q.InstanceID != "" {
		b.WriteString(` AND o.stream_id IN (SELECT id FROM streams WHERE instance_id = ?)`)
		args = append(args, q.InstanceID)
	}
	return b.String(), args
}

// ListOutbox returns outbox entries (see parley.OutboxQuery).
func (r reader) ListOutbox(ctx context.Context, q parley.OutboxQuery) ([]*parley.OutboxEntry, error) {
	where, args := outboxWhere(q, q.Dead)
	query := `SELECT ` + rows.OutboxCols + ` FROM outbox o` + where + ` ORDER BY o.stream_id, o.seq`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return queryAll(ctx, r.q, scanOutbox, query, args...)
}

// OutboxStreams returns the ids of streams with pending entries.
func (r reader) OutboxStreams(ctx context.Context, limit int) ([]string, error) {
	query, args := rows.Limit(rows.OutboxStreamsQuery(`NOT dead`), limit)
	return queryAll(ctx, r.q, rows.ScanID, query, args...)
}

// StreamsBehind returns the ids of streams whose chains hold items after their cursors.
func (r reader) StreamsBehind(ctx context.Context, limit int) ([]string, error) {
	query, args := rows.Limit(rows.StreamsBehindQuery, limit)
	return queryAll(ctx, r.q, rows.ScanID, query, args...)
}

// CountOutbox returns the number of items waiting (after the cursors, and pending entries) and dead entries.
func (r reader) CountOutbox(ctx context.Context) (pending, dead int64, err error) {
	err = r.q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM streams s JOIN items i ON `+rows.StreamBehind+` AND i.recipient = '' WHERE `+rows.OpenStreams+`)
		+ (SELECT count(*) FROM outbox WHERE NOT dead),
		(SELECT count(*) FROM outbox WHERE dead)`).Scan(&pending, &dead)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: count outbox: %w", err)
	}
	return pending, dead, nil
}

// InsertStream stores a new stream; ECONFLICT if its id exists or its chain used its ClientToken.
func (t *tx) InsertStream(ctx context.Context, st *parley.Stream) error {
	tag, err := exec(ctx, t.q, `INSERT INTO streams (`+rows.StreamCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		st.ID, st.InstanceID, st.ChainID, st.ContactID, st.EndpointARN, st.ClientToken, rows.ToMS(st.StartedAt),
		rows.ToMS(st.StoppedAt), st.Cursor, st.LastSeq, st.FailingSeq, st.Attempts, rows.ToMS(st.NextAt), st.LastError)
	return inserted(tag, err, "insert stream", "a streaming configuration with this id or ClientToken exists")
}

// StopStream stops a stream (a stopped stream keeps its first StoppedAt and LastSeq); ENOTFOUND (STREAM) if there
// is none.
func (t *tx) StopStream(ctx context.Context, id string, at time.Time, lastSeq int64) error {
	res, err := exec(ctx, t.q, `UPDATE streams SET last_seq = CASE WHEN stopped_at = 0 THEN ? ELSE last_seq END,
		stopped_at = CASE WHEN stopped_at = 0 THEN ? ELSE stopped_at END WHERE id = ?`, lastSeq, rows.ToMS(at), id)
	return updated(res, err, "stop stream", "STREAM", "streaming configuration not found")
}

// AdvanceStreams moves streams' cursors forward, in one statement over arrays of ids and cursors; ids of
// missing streams are skipped.
func (t *tx) AdvanceStreams(ctx context.Context, cursors map[string]int64) error {
	if len(cursors) == 0 {
		return nil
	}
	ids, curs := make([]string, 0, len(cursors)), make([]int64, 0, len(cursors))
	for id, cur := range cursors {
		ids, curs = append(ids, id), append(curs, cur)
	}
	_, err := exec(ctx, t.q, `UPDATE streams SET delivered_seq = greatest(streams.delivered_seq, v.cursor)
		FROM unnest(?::text[], ?::bigint[]) AS v(id, cursor) WHERE streams.id = v.id`, ids, curs)
	return writeErr(err, "advance streams", "")
}

// FailStream records the failed deliveries of a stream's item; ENOTFOUND (STREAM) if there is none.
func (t *tx) FailStream(ctx context.Context, st *parley.Stream) error {
	res, err := exec(ctx, t.q, `UPDATE streams SET failing_seq = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ?`,
		st.FailingSeq, st.Attempts, rows.ToMS(st.NextAt), st.LastError, st.ID)
	return updated(res, err, "fail stream", "STREAM", "streaming configuration not found")
}

// InsertOutbox stores new outbox entries; ECONFLICT if one exists for the same stream and Seq.
func (t *tx) InsertOutbox(ctx context.Context, entries []*parley.OutboxEntry) error {
	for _, e := range entries {
		tag, err := exec(ctx, t.q, `INSERT INTO outbox (stream_id, seq, chain_id, item_id, created_at, attempts, next_at,
			last_error, dead) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			e.StreamID, e.Seq, e.ChainID, e.ItemID, rows.ToMS(e.CreatedAt), e.Attempts, rows.ToMS(e.NextAt), e.LastError, e.Dead)
		if err := inserted(tag, err, "insert outbox", "an outbox entry for this stream and item exists"); err != nil {
			return err
		}
	}
	return nil
}

// UpdateOutbox overwrites an entry's attempts, next attempt, last error and dead flag; ENOTFOUND (OUTBOX) if it
// does not exist.
func (t *tx) UpdateOutbox(ctx context.Context, e *parley.OutboxEntry) error {
	res, err := exec(ctx, t.q, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, dead = ?
		WHERE stream_id = ? AND seq = ?`, e.Attempts, rows.ToMS(e.NextAt), e.LastError, e.Dead, e.StreamID, e.Seq)
	return updated(res, err, "update outbox", "OUTBOX", "outbox entry not found")
}

// DeleteOutbox deletes a delivered entry; a missing one is not an error.
func (t *tx) DeleteOutbox(ctx context.Context, streamID string, seq int64) error {
	_, err := exec(ctx, t.q, `DELETE FROM outbox WHERE stream_id = ? AND seq = ?`, streamID, seq)
	return writeErr(err, "delete outbox", "")
}

// ReplayOutbox makes the selected dead entries pending again and returns how many.
func (t *tx) ReplayOutbox(ctx context.Context, q parley.OutboxQuery, at time.Time) (int, error) {
	where, args := outboxWhere(q, true)
	tag, err := exec(ctx, t.q, `UPDATE outbox AS o SET dead = false, attempts = 0, next_at = ?`+where,
		append([]any{rows.ToMS(at)}, args...)...)
	if err != nil {
		return 0, writeErr(err, "replay outbox", "")
	}
	return int(tag.RowsAffected()), nil
}
