package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestMigrateFromVersion1: a database written by schema version 1 (the chat core) opens with the newest schema,
// and its rows read back with the zero values of the columns added since.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, path, "set up a version 1 database", []string{
		ms[0].sql,
		`CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT`,
		`INSERT INTO schema_version (version) VALUES (1)`,
		`INSERT INTO instances VALUES ('i-1', 'arn:i-1', 'parley', 1000)`,
		`INSERT INTO queues VALUES ('i-1', 'q-1', 'arn:q-1', 'BasicQueue', 'Default queue')`,
		`INSERT INTO contacts VALUES ('c-1', 'i-1', 'c-1', '', '', 'CHAT', 'API', 'ACTIVE', 'f-1', 'q-1', '', NULL,
			NULL, NULL, 60, 1000, 0, 0, 0, '', 1000)`,
		`INSERT INTO participants VALUES ('p-1', 'c-1', 'c-1', 'CUSTOMER', 'Customer', X'01', 'JOINED', 0, 1000, 0)`,
	})

	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open of a version 1 database: %v", err)
	}
	defer s.Close()
	q, err := s.GetQueue(ctx, "q-1")
	if err != nil {
		t.Fatalf("GetQueue: %v", err)
	}
	if q.Name != "BasicQueue" || q.Status != "ENABLED" || q.MaxContacts != 0 || q.HoursOfOperationID != "" {
		t.Errorf("migrated queue = %+v, want BasicQueue, ENABLED, no limit, no hours", q)
	}
	c, err := s.GetContact(ctx, "c-1")
	if err != nil {
		t.Fatalf("GetContact: %v", err)
	}
	if !c.EnqueuedAt.IsZero() || c.AgentID != "" || !c.AgentConnectedAt.IsZero() {
		t.Errorf("migrated contact has routing fields set: %+v", c)
	}
	active, err := s.ListActiveContacts(ctx, "i-1")
	if err != nil || len(active) != 1 {
		t.Errorf("ListActiveContacts of the migrated database = %d contacts, %v; want 1", len(active), err)
	}
	p, err := s.GetParticipant(ctx, "p-1")
	if err != nil {
		t.Fatalf("GetParticipant: %v", err)
	}
	if p.UserID != "" {
		t.Errorf("migrated participant has UserID %q, want none", p.UserID)
	}
	if p.TokenSealed != nil {
		t.Errorf("migrated participant has a sealed token %x, want none", p.TokenSealed)
	}
}

// TestMigrateOutboxToCursors: schema version 14 turns a stream's pending outbox rows into its cursor (just before
// the oldest row, or the chain's end when it had none; a stopped stream ends at its newest row) and keeps only
// the dead rows.
func TestMigrateOutboxToCursors(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	setup := []string{`CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT`}
	for _, m := range ms[:13] {
		setup = append(setup, m.sql)
	}
	setup = append(setup, `INSERT INTO schema_version (version) VALUES (13)`)
	for seq := 1; seq <= 6; seq++ {
		for _, chain := range []string{"c-1", "c-2", "c-3"} {
			setup = append(setup, fmt.Sprintf(`INSERT INTO items (chain_id, seq, id, contact_id, type, content_type,
				content, participant_id, display_name, role, time, client_token, recipient, transient)
				VALUES ('%[1]s', %[2]d, '%[1]s-%[2]d', '%[1]s', 'MESSAGE', 'text/plain', 'hi', 'p', 'P', 'CUSTOMER',
				1000, '', '', 0)`, chain, seq))
		}
	}
	setup = append(setup,
		// s-1 runs with rows 4 to 6 pending and 2 dead; s-2 runs and has none; s-3 stopped with 3 to 5 pending.
		`INSERT INTO streams VALUES ('s-1', 'i-1', 'c-1', 'c-1', 'arn:aws:sns:us-west-2:0:t', '', 1000, 0),
			('s-2', 'i-1', 'c-2', 'c-2', 'arn:aws:sns:us-west-2:0:t', '', 1000, 0),
			('s-3', 'i-1', 'c-3', 'c-3', 'arn:aws:sns:us-west-2:0:t', '', 1000, 2000)`,
		`INSERT INTO outbox (stream_id, seq, chain_id, item_id, created_at, next_at, dead) VALUES
			('s-1', 2, 'c-1', 'c-1-2', 1000, 1000, 1), ('s-1', 4, 'c-1', 'c-1-4', 1000, 1000, 0),
			('s-1', 5, 'c-1', 'c-1-5', 1000, 1000, 0), ('s-1', 6, 'c-1', 'c-1-6', 1000, 1000, 0),
			('s-3', 3, 'c-3', 'c-3-3', 1000, 1000, 0), ('s-3', 5, 'c-3', 'c-3-5', 1000, 1000, 0)`)
	writeRaw(t, path, "set up a version 13 database", setup)

	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open of a version 13 database: %v", err)
	}
	defer s.Close()
	for _, want := range []struct {
		id           string
		cursor, last int64
	}{{"s-1", 3, 0}, {"s-2", 6, 0}, {"s-3", 2, 5}} {
		st, err := s.GetStream(ctx, want.id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Cursor != want.cursor || st.LastSeq != want.last {
			t.Errorf("stream %s: Cursor %d, LastSeq %d; want %d, %d", want.id, st.Cursor, st.LastSeq, want.cursor, want.last)
		}
	}
	behind, err := s.StreamsBehind(ctx, 0)
	if err != nil || !slices.Equal(behind, []string{"s-1", "s-3"}) {
		t.Errorf("StreamsBehind = %v, %v; want s-1, s-3", behind, err)
	}
	pending, dead, err := s.CountOutbox(ctx)
	if err != nil || pending != 3+3 || dead != 1 {
		t.Errorf("CountOutbox = %d pending, %d dead, %v; want 6, 1", pending, dead, err)
	}
}

// writeRaw runs statements on the SQLite file at path, outside the store (what an older version wrote).
func writeRaw(t *testing.T, path, what string, stmts []string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, q)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
