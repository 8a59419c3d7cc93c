package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrations holds the schema, one file per version: NNNN_name.sql, applied in order. A released file is never
// edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one schema version.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations in version order, checking that versions are 1, 2, 3, ...
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number and '_'", base)
		}
		b, err := migrations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate brings the schema up to the newest embedded version. Each migration runs in its own BEGIN IMMEDIATE
// transaction together with the version bump, so a crash leaves the database at a known version, and two
// processes opening the same new file do not both apply a migration.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	c := s.wconn
	if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for _, m := range ms {
		applied, err := s.applyMigration(ctx, m, len(ms))
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if applied {
			s.log.Info("sqlite: schema migrated", "version", m.version, "migration", m.name)
		}
	}
	return nil
}

// applyMigration applies m if the database is at the version before it, and reports whether it did.
func (s *Store) applyMigration(ctx context.Context, m migration, newest int) (applied bool, err error) {
	c := s.wconn
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return false, err
	}
	defer func() {
		if err != nil || !applied {
			c.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var current int
	err = c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current)
	if err != nil {
		return false, err
	}
	if current > newest {
		return false, fmt.Errorf("database schema version %d is newer than this program's (%d)", current, newest)
	}
	if current >= m.version {
		return false, nil
	}
	if _, err := c.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := c.ExecContext(ctx, "DELETE FROM schema_version"); err != nil {
		return false, err
	}
	if _, err := c.ExecContext(ctx, "INSERT INTO schema_version (version) VALUES (?)", m.version); err != nil {
		return false, err
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		return false, err
	}
	return true, nil
}
