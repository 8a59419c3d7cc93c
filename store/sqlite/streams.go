package sqlite

import (
	"context"
	"encoding/json"
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
	var created, next, dead int64
	err := sc.Scan(&e.StreamID, &e.Seq, &e.ChainID, &e.ItemID, &created, &e.Attempts, &next, &e.LastError, &dead)
	if err != nil {
		return nil, err
	}
	e.CreatedAt, e.NextAt, e.Dead = rows.FromMS(created), rows.FromMS(next), dead != 0
	return &e, nil
}

// outboxWhere builds the WHERE clause of q (dead selects the dead or the pending entries).
func outboxWhere(q parley.OutboxQuery, dead bool) (string, []any) {
	var b strings.Builder
	var args []any
	if dead {
		b.WriteString(` WHERE o.dead != 0`)
	} else {
		b.WriteString(` WHERE o.dead = 0`)
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
	query, args := rows.Limit(rows.OutboxStreamsQuery(`dead = 0`), limit)
	return queryAll(ctx, r.q, rows.ScanID, query, args...)
}

// StreamsBehind returns the ids of streams whose chains hold items after their cursors.
func (r reader) StreamsBehind(ctx context.Context, limit int) ([]string, error) {
	query, args := rows.Limit(rows.StreamsBehindQuery, limit)
	return queryAll(ctx, r.q, rows.ScanID, query, args...)
}

// CountOutbox returns the number of items waiting (after the cursors, and pending entries) and dead entries.
func (r reader) CountOutbox(ctx context.Context) (pending, dead int64, err error) {
	row, err := r.q.queryRow(ctx, `SELECT
		(SELECT count(*) FROM streams s JOIN items i ON `+rows.StreamBehind+` AND i.recipient = '' WHERE `+rows.OpenStreams+`)
		+ (SELECT count(*) FROM outbox WHERE dead = 0),
		(SELECT count(*) FROM outbox WHERE dead != 0)`)
	if err != nil {
		return 0, 0, err
	}
	if err := row.Scan(&pending, &dead); err != nil {
		return 0, 0, fmt.Errorf("sqlite: count outbox: %w", err)
	}
	return pending, dead, nil
}

// ListStreams answers the active streams of a chain from the writer's cache when it holds the chain: the
// streaming observer asks inside every change, and nearly always for a chain without streams.
func (t *tx) ListStreams(ctx context.Context, chainID string, activeOnly bool) ([]*parley.Stream, error) {
	if !activeOnly {
		return t.reader.ListStreams(ctx, chainID, false)
	}
	if v, ok := t.c.activeStreams(chainID); ok {
		return v, nil
	}
	v, err := t.reader.ListStreams(ctx, chainID, true)
	if err == nil {
		t.c.putStreams(chainID, v)
	}
	return v, err
}

// InsertStream stores a new stream; ECONFLICT if its id exists or its chain used its ClientToken.
func (t *tx) InsertStream(ctx context.Context, st *parley.Stream) error {
	t.c.dropStreams(st.ChainID)
	_, err := t.q.exec(ctx, `INSERT INTO streams (`+rows.StreamCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.ID, st.InstanceID, st.ChainID, st.ContactID, st.EndpointARN, st.ClientToken, rows.ToMS(st.StartedAt),
		rows.ToMS(st.StoppedAt), st.Cursor, st.LastSeq, st.FailingSeq, st.Attempts, rows.ToMS(st.NextAt), st.LastError)
	return writeErr(err, "insert stream", "a streaming configuration with this id or ClientToken exists")
}

// StopStream stops a stream (a stopped stream keeps its first StoppedAt and LastSeq); ENOTFOUND (STREAM) if there
// is none.
func (t *tx) StopStream(ctx context.Context, id string, at time.Time, lastSeq int64) error {
	t.c.dropAllStreams()
	res, err := t.q.exec(ctx, `UPDATE streams SET last_seq = CASE WHEN stopped_at = 0 THEN ? ELSE last_seq END,
		stopped_at = CASE WHEN stopped_at = 0 THEN ? ELSE stopped_at END WHERE id = ?`, lastSeq, rows.ToMS(at), id)
	return updated(res, err, "stop stream", "STREAM", "streaming configuration not found")
}

// AdvanceStreams moves streams' cursors forward, in one statement that reads them from a JSON array of
// [id, cursor] pairs; ids of missing streams are skipped. It runs for every save of the worker's cursors, so
// it leaves the writer's cache of active streams alone: the cached copies only lose their delivery state
// (Cursor and the failure fields), which is patched in place.
func (t *tx) AdvanceStreams(ctx context.Context, cursors map[string]int64) error {
	if len(cursors) == 0 {
		return nil
	}
	pairs := make([][2]any, 0, len(cursors))
	for id, cur := range cursors {
		pairs = append(pairs, [2]any{id, cur})
	}
	arg, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	rs, err := t.q.query(ctx, `UPDATE streams SET delivered_seq = max(delivered_seq, v.cursor)
		FROM (SELECT value->>0 AS id, value->>1 AS cursor FROM json_each(?)) AS v
		WHERE streams.id = v.id RETURNING streams.id, streams.chain_id, streams.delivered_seq`, string(arg))
	if err != nil {
		return writeErr(err, "advance streams", "")
	}
	defer rs.Close()
	for rs.Next() {
		var id, chain string
		var cur int64
		if err := rs.Scan(&id, &chain, &cur); err != nil {
			return writeErr(err, "advance streams", "")
		}
		t.c.patchStream(chain, id, func(st *parley.Stream) { st.Cursor = cur })
	}
	return writeErr(rs.Err(), "advance streams", "")
}

// FailStream records the failed deliveries of a stream's item; ENOTFOUND (STREAM) if there is none.
func (t *tx) FailStream(ctx context.Context, st *parley.Stream) error {
	res, err := t.q.exec(ctx, `UPDATE streams SET failing_seq = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ?`,
		st.FailingSeq, st.Attempts, rows.ToMS(st.NextAt), st.LastError, st.ID)
	if err := updated(res, err, "fail stream", "STREAM", "streaming configuration not found"); err != nil {
		return err
	}
	t.c.patchStream(st.ChainID, st.ID, func(c *parley.Stream) {
		c.FailingSeq, c.Attempts, c.NextAt, c.LastError = st.FailingSeq, st.Attempts, rows.FromMS(rows.ToMS(st.NextAt)),
			st.LastError
	})
	return nil
}

// InsertOutbox stores new outbox entries; ECONFLICT if one exists for the same stream and Seq.
func (t *tx) InsertOutbox(ctx context.Context, entries []*parley.OutboxEntry) error {
	for _, e := range entries {
		_, err := t.q.exec(ctx, `INSERT INTO outbox (stream_id, seq, chain_id, item_id, created_at, attempts, next_at,
			last_error, dead) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.StreamID, e.Seq, e.ChainID, e.ItemID, rows.ToMS(e.CreatedAt), e.Attempts, rows.ToMS(e.NextAt), e.LastError,
			boolInt(e.Dead))
		if err := writeErr(err, "insert outbox", "an outbox entry for this stream and item exists"); err != nil {
			return err
		}
	}
	return nil
}

// UpdateOutbox overwrites an entry's attempts, next attempt, last error and dead flag; ENOTFOUND (OUTBOX) if it
// does not exist.
func (t *tx) UpdateOutbox(ctx context.Context, e *parley.OutboxEntry) error {
	res, err := t.q.exec(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, dead = ?
		WHERE stream_id = ? AND seq = ?`, e.Attempts, rows.ToMS(e.NextAt), e.LastError, boolInt(e.Dead), e.StreamID, e.Seq)
	return updated(res, err, "update outbox", "OUTBOX", "outbox entry not found")
}

// DeleteOutbox deletes a delivered entry; a missing one is not an error.
func (t *tx) DeleteOutbox(ctx context.Context, streamID string, seq int64) error {
	_, err := t.q.exec(ctx, `DELETE FROM outbox WHERE stream_id = ? AND seq = ?`, streamID, seq)
	return writeErr(err, "delete outbox", "")
}

// ReplayOutbox makes the selected dead entries pending again and returns how many.
func (t *tx) ReplayOutbox(ctx context.Context, q parley.OutboxQuery, at time.Time) (int, error) {
	where, args := outboxWhere(q, true)
	res, err := t.q.exec(ctx, `UPDATE outbox AS o SET dead = 0, attempts = 0, next_at = ?`+where,
		append([]any{rows.ToMS(at)}, args...)...)
	if err != nil {
		return 0, writeErr(err, "replay outbox", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: replay outbox: %w", err)
	}
	return int(n), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
