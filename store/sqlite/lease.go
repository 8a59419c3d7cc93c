package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// AcquireLease implements parley.Leases in one write transaction: the row is taken when it is missing, expired
// at now, or already owner's, and read back either way.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (string, time.Time, error) {
	var holder string
	var holderUntil time.Time
	err := s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		if _, err := t.q.exec(ctx, `INSERT INTO leases (name, owner, until_ms) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
			WHERE leases.owner = excluded.owner OR leases.until_ms <= ?`,
			name, owner, until.UnixMilli(), now.UnixMilli()); err != nil {
			return writeErr(err, "acquire lease", "")
		}
		ms, err := queryOne(ctx, t.q, func(sc rows.Scanner) (int64, error) {
			var ms int64
			return ms, sc.Scan(&holder, &ms)
		}, `SELECT owner, until_ms FROM leases WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("sqlite: read lease: %w", err)
		}
		holderUntil = time.UnixMilli(ms).UTC()
		return nil
	})
	return holder, holderUntil, err
}

// ReleaseLease implements parley.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		_, err := ptx.(*tx).q.exec(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner)
		return writeErr(err, "release lease", "")
	})
}
