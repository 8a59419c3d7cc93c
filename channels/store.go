package channels

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// schema is the bridge's database: its conversations (channel user ↔ chat), the inbound queue (which also
// remembers the provider's message ids, so a retry is stored once) and the outbound items already sent.
const schema = `
CREATE TABLE IF NOT EXISTS conversations (
	channel           TEXT NOT NULL,
	user_id           TEXT NOT NULL,
	generation        INTEGER NOT NULL,
	nonce             TEXT NOT NULL,
	contact_id        TEXT NOT NULL DEFAULT '',
	participant_token TEXT NOT NULL DEFAULT '',
	connection_token  TEXT NOT NULL DEFAULT '',
	connection_expiry INTEGER NOT NULL DEFAULT 0,
	state             TEXT NOT NULL,
	choices           TEXT NOT NULL DEFAULT '',
	started_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	ended_at          INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (channel, user_id, generation)
) STRICT;
CREATE INDEX IF NOT EXISTS conversations_contact ON conversations (contact_id) WHERE contact_id != '';

CREATE TABLE IF NOT EXISTS inbound (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	channel     TEXT NOT NULL,
	message_id  TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	body        TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL DEFAULT 0,
	state       TEXT NOT NULL DEFAULT 'pending',
	last_error  TEXT NOT NULL DEFAULT '',
	done_at     INTEGER NOT NULL DEFAULT 0,
	UNIQUE (channel, message_id)
) STRICT;
CREATE INDEX IF NOT EXISTS inbound_pending ON inbound (channel, user_id, id) WHERE state = 'pending';

CREATE TABLE IF NOT EXISTS sent (
	item_id    TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL,
	sent_at    INTEGER NOT NULL
) STRICT;
`

// Conversation states.
const (
	stateStarting = "starting" // the chat is being set up (StartChatContact, streaming, connection)
	stateOpen     = "open"     // the chat runs; messages go to it
	stateEnded    = "ended"    // the chat ended; kept a while for late outbound items, then swept
)

// conversation is one chat of one channel user. A user has at most one conversation not ended: the one of
// the highest generation.
type conversation struct {
	Channel, UserID  string
	Generation       int
	Nonce            string // with the generation, makes StartChatContact's ClientToken unique to this chat
	ContactID        string // the chat's initial contact id
	ParticipantToken string
	ConnectionToken  string
	ConnectionExpiry time.Time
	State            string
	Choices          []string // the options of the last interactive message sent to the customer
	StartedAt        time.Time
	UpdatedAt        time.Time
	EndedAt          time.Time
}

// queued is an inbound message in the queue.
type queued struct {
	ID       int64
	Msg      Inbound
	Attempts int
	NextAt   time.Time
}

// store is the bridge's SQLite database. One connection: its statements are short and never span a network
// call.
type store struct{ db *sql.DB }

func openStore(path string) (*store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	// Owner-only before SQLite creates it: its -wal and -shm files take the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("channels: open %s: %w", path, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("channels: open %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) Close() error { return s.db.Close() }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// enqueue stores inbound messages in one transaction; one already stored (same channel and message id) is
// skipped. It returns how many were new.
func (s *store) enqueue(ctx context.Context, msgs []Inbound, now time.Time) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for _, m := range msgs {
		body, err := json.Marshal(m)
		if err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO inbound (channel, message_id, user_id, body, received_at, next_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, message_id) DO NOTHING`,
			m.Channel, m.MessageID, m.UserID, string(body), ms(now), ms(now))
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, tx.Commit()
}

// userKey is a channel user.
type userKey struct{ Channel, UserID string }

// readyUsers returns up to limit users with a pending message due by now.
func (s *store) readyUsers(ctx context.Context, now time.Time, limit int) ([]userKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT channel, user_id FROM inbound WHERE state = 'pending'
		GROUP BY channel, user_id HAVING min(next_at) <= ? ORDER BY min(id) LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userKey
	for rows.Next() {
		var k userKey
		if err := rows.Scan(&k.Channel, &k.UserID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// nextWait returns when the earliest pending message is due, zero if none is pending.
func (s *store) nextWait(ctx context.Context) (time.Time, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(next_at) FROM inbound WHERE state = 'pending'`).Scan(&v)
	return fromMS(v.Int64), err
}

// head returns a user's oldest pending message, nil if there is none.
func (s *store) head(ctx context.Context, k userKey) (*queued, error) {
	var q queued
	var body string
	var next int64
	err := s.db.QueryRowContext(ctx, `SELECT id, body, attempts, next_at FROM inbound
		WHERE channel = ? AND user_id = ? AND state = 'pending' ORDER BY id LIMIT 1`, k.Channel, k.UserID).
		Scan(&q.ID, &body, &q.Attempts, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	q.NextAt = fromMS(next)
	if err := json.Unmarshal([]byte(body), &q.Msg); err != nil {
		return nil, fmt.Errorf("channels: inbound %d: %w", q.ID, err)
	}
	return &q, nil
}

// done marks an inbound message delivered to its chat; the row stays until swept, so that a provider's retry
// is still recognized.
func (s *store) done(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE inbound SET state = 'done', done_at = ?, last_error = '' WHERE id = ?`, ms(now), id)
	return err
}

// failed records a failed attempt: the message waits until next, or is dead.
func (s *store) failed(ctx context.Context, id int64, attempts int, next time.Time, cause string, dead bool, now time.Time) error {
	state := "pending"
	if dead {
		state = "dead"
	}
	_, err := s.db.ExecContext(ctx, `UPDATE inbound SET attempts = ?, next_at = ?, last_error = ?, state = ?, done_at = ?
		WHERE id = ?`, attempts, ms(next), cause, state, ms(now), id)
	return err
}

// replay makes a channel's dead messages pending again ("" replays every channel); it returns how many.
func (s *store) replay(ctx context.Context, channel string, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE inbound SET state = 'pending', attempts = 0, next_at = ?, done_at = 0
		WHERE state = 'dead' AND (? = '' OR channel = ?)`, ms(now), channel, channel)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const conversationCols = `channel, user_id, generation, nonce, contact_id, participant_token, connection_token,
	connection_expiry, state, choices, started_at, updated_at, ended_at`

func scanConversation(row interface{ Scan(...any) error }) (*conversation, error) {
	var c conversation
	var exp, started, updated, ended int64
	var choices string
	err := row.Scan(&c.Channel, &c.UserID, &c.Generation, &c.Nonce, &c.ContactID, &c.ParticipantToken,
		&c.ConnectionToken, &exp, &c.State, &choices, &started, &updated, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.ConnectionExpiry, c.StartedAt, c.UpdatedAt, c.EndedAt = fromMS(exp), fromMS(started), fromMS(updated), fromMS(ended)
	if choices != "" {
		json.Unmarshal([]byte(choices), &c.Choices)
	}
	return &c, nil
}

// current returns a user's conversation of the highest generation, nil if there is none.
func (s *store) current(ctx context.Context, k userKey) (*conversation, error) {
	return scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations
		WHERE channel = ? AND user_id = ? ORDER BY generation DESC LIMIT 1`, k.Channel, k.UserID))
}

// byContact returns the conversation of a chat by its initial contact id, nil if there is none.
func (s *store) byContact(ctx context.Context, contactID string) (*conversation, error) {
	return scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations
		WHERE contact_id = ? LIMIT 1`, contactID))
}

// create stores a new conversation unless the user already has one of its generation (another bridge process
// got there first); either way it returns the stored one.
func (s *store) create(ctx context.Context, c *conversation) (*conversation, error) {
	_, err := s.db.ExecContext(ctx, `INSERT INTO conversations (channel, user_id, generation, nonce, state,
		started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.Channel, c.UserID, c.Generation, c.Nonce, c.State, ms(c.StartedAt), ms(c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations
		WHERE channel = ? AND user_id = ? AND generation = ?`, c.Channel, c.UserID, c.Generation))
}

// createStarted stores a new conversation whose chat is already started (an outbound chat: contact and
// ParticipantToken set), unless the user already has one of its generation; either way it returns the stored
// one.
func (s *store) createStarted(ctx context.Context, c *conversation) (*conversation, error) {
	_, err := s.db.ExecContext(ctx, `INSERT INTO conversations (channel, user_id, generation, nonce, contact_id,
		participant_token, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.Channel, c.UserID, c.Generation, c.Nonce, c.ContactID, c.ParticipantToken, c.State, ms(c.StartedAt),
		ms(c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations
		WHERE channel = ? AND user_id = ? AND generation = ?`, c.Channel, c.UserID, c.Generation))
}

// byNonce returns a user's conversation of a nonce, nil if there is none.
func (s *store) byNonce(ctx context.Context, k userKey, nonce string) (*conversation, error) {
	return scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations
		WHERE channel = ? AND user_id = ? AND nonce = ?`, k.Channel, k.UserID, nonce))
}

// save writes a conversation's mutable fields.
func (s *store) save(ctx context.Context, c *conversation) error {
	var choices []byte
	if len(c.Choices) > 0 {
		choices, _ = json.Marshal(c.Choices)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE conversations SET contact_id = ?, participant_token = ?,
		connection_token = ?, connection_expiry = ?, state = ?, choices = ?, updated_at = ?, ended_at = ?
		WHERE channel = ? AND user_id = ? AND generation = ?`,
		c.ContactID, c.ParticipantToken, c.ConnectionToken, ms(c.ConnectionExpiry), c.State, string(choices),
		ms(c.UpdatedAt), ms(c.EndedAt), c.Channel, c.UserID, c.Generation)
	return err
}

// sentBefore reports whether an outbound item was already sent.
func (s *store) sentBefore(ctx context.Context, itemID string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM sent WHERE item_id = ?`, itemID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// markSent records that an outbound item was sent.
func (s *store) markSent(ctx context.Context, itemID, contactID string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sent (item_id, contact_id, sent_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, itemID, contactID, ms(now))
	return err
}

// sweep deletes what has expired: conversations ended before endedBefore, conversations not touched since
// idleBefore (their chat is over by now, whether or not chat.ended arrived), and the inbound and sent records
// older than keepBefore. It returns how many conversations went.
func (s *store) sweep(ctx context.Context, endedBefore, idleBefore, keepBefore time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM conversations WHERE (state = 'ended' AND ended_at < ?)
		OR updated_at < ?`, ms(endedBefore), ms(idleBefore))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM inbound WHERE state != 'pending' AND done_at < ?`, ms(keepBefore)); err != nil {
		return 0, err
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM sent WHERE sent_at < ?`, ms(keepBefore))
	return int(n), err
}

// health counts a channel's queue and conversations.
func (s *store) health(ctx context.Context, channel string, now time.Time) (Health, error) {
	h := Health{Channel: channel, Status: "ok", CheckedAt: now}
	err := s.db.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE state = 'pending'),
		count(*) FILTER (WHERE state = 'pending' AND attempts > 0),
		count(*) FILTER (WHERE state = 'dead')
		FROM inbound WHERE channel = ?`, channel).Scan(&h.Pending, &h.Failing, &h.Dead)
	if err != nil {
		return h, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM conversations WHERE channel = ? AND state != 'ended'`,
		channel).Scan(&h.Conversations); err != nil {
		return h, err
	}
	var last sql.NullString
	s.db.QueryRowContext(ctx, `SELECT last_error FROM inbound WHERE channel = ? AND last_error != ''
		ORDER BY done_at DESC, id DESC LIMIT 1`, channel).Scan(&last)
	h.LastError = last.String
	if h.Failing > 0 || h.Dead > 0 {
		h.Status = "degraded"
	}
	return h, nil
}
