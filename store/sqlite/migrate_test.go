package sqlite

import (
	"database/sql"
	"path/filepath"
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
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		ms[0].sql,
		`CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT`,
		`INSERT INTO schema_version (version) VALUES (1)`,
		`INSERT INTO instances VALUES ('i-1', 'arn:i-1', 'parley', 1000)`,
		`INSERT INTO queues VALUES ('i-1', 'q-1', 'arn:q-1', 'BasicQueue', 'Default queue')`,
		`INSERT INTO contacts VALUES ('c-1', 'i-1', 'c-1', '', '', 'CHAT', 'API', 'ACTIVE', 'f-1', 'q-1', '', NULL,
			NULL, NULL, 60, 1000, 0, 0, 0, '', 1000)`,
		`INSERT INTO participants VALUES ('p-1', 'c-1', 'c-1', 'CUSTOMER', 'Customer', X'01', 'JOINED', 0, 1000, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("set up a version 1 database: %v\n%s", err, q)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

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
