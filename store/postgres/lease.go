package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AcquireLease implements parley.Leases with one UPSERT, outside any transaction: the row is taken when it is
// missing, expired at now, or already owner's. Postgres's INSERT ... ON CONFLICT waits for a concurrent writer
// of the same row and then re-checks the WHERE against the row as committed, so of several nodes racing for a
// free lease exactly one wins.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (string, time.Time, error) {
	var holder string
	var ms int64
	err := s.pool.QueryRow(ctx, `INSERT INTO leases (name, owner, until_ms) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
		WHERE leases.owner = excluded.owner OR leases.until_ms <= $4
		RETURNING owner, until_ms`, name, owner, until.UnixMilli(), now.UnixMilli()).Scan(&holder, &ms)
	if err == nil {
		return holder, time.UnixMilli(ms).UTC(), nil
	}
	if err != pgx.ErrNoRows {
		return "", time.Time{}, fmt.Errorf("postgres: acquire lease: %w", err)
	}
	// Another owner holds it. This is a new statement, so it sees the holder the UPSERT waited for.
	err = s.pool.QueryRow(ctx, `SELECT owner, until_ms FROM leases WHERE name = $1`, name).Scan(&holder, &ms)
	if err == pgx.ErrNoRows {
		// Released between the two statements: the lease is free, try again.
		return s.AcquireLease(ctx, name, owner, now, until)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("postgres: read lease: %w", err)
	}
	return holder, time.UnixMilli(ms).UTC(), nil
}

// ReleaseLease implements parley.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, name, owner); err != nil {
		return fmt.Errorf("postgres: release lease: %w", err)
	}
	return nil
}
