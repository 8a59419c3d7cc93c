package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley"
)

// TestItemByClientTokenUsesIndex: the ClientToken lookup is a seek of items_client_token, not a read of the
// chain's items (through the primary key) or of the whole table.
func TestItemByClientTokenUsesIndex(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.readDB.QueryContext(ctx, "EXPLAIN QUERY PLAN "+itemByClientToken, "c-1", "p-1", "message:1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX items_client_token") || strings.Contains(got, "SCAN") {
		t.Errorf("query plan %q, want a search using the index items_client_token", got)
	}
}

// TestClientTokenIndexMigration: a database of schema version 10 (no ClientToken index) holding items with
// ClientTokens opens at the newest version, and a retried token is refused and found.
func TestClientTokenIndexMigration(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := &parley.Item{ChainID: "c-1", ContactID: "c-1", ID: "i-1", ParticipantID: "p-1", ClientToken: "message:1"}
	other := &parley.Item{ChainID: "c-2", ContactID: "c-2", ID: "i-2", ParticipantID: "p-1", ClientToken: "message:1"}
	for _, it := range []*parley.Item{first, other} {
		if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX items_client_token`, `ALTER TABLE contacts DROP COLUMN continued_from_contact_id`,
		`UPDATE schema_version SET version = 10`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("make a version 10 database: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open of a version 10 database: %v", err)
	}
	defer s.Close()
	retry := &parley.Item{ChainID: "c-1", ContactID: "c-1", ID: "i-3", ParticipantID: "p-1", ClientToken: "message:1"}
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, retry) })
	if !parley.IsCode(err, parley.ECONFLICT) {
		t.Errorf("retried ClientToken after the migration: %v, want ECONFLICT", err)
	}
	if it, err := s.ItemByClientToken(ctx, "c-1", "p-1", "message:1"); err != nil || it.ID != "i-1" {
		t.Errorf("ItemByClientToken after the migration = %+v, %v; want item i-1", it, err)
	}
}
