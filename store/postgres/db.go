package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// querier runs SQL: the pool for the Store's reads, the transaction (*tx) for a Tx.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// rebind turns the ? placeholders of query into Postgres's $1, $2, ... The queries are written with ? so that
// they read like the SQLite store's, which they mirror; none of them contains a ? of its own.
func rebind(query string) string {
	n := strings.Count(query, "?")
	if n == 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 2*n)
	i := 0
	for {
		j := strings.IndexByte(query, '?')
		if j < 0 {
			b.WriteString(query)
			return b.String()
		}
		i++
		b.WriteString(query[:j])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i))
		query = query[j+1:]
	}
}

// exec runs a statement that writes.
func exec(ctx context.Context, q querier, query string, args ...any) (pgconn.CommandTag, error) {
	return q.Exec(ctx, rebind(query), args...)
}

// queryOne runs a single-row query and scans it with scan. A missing row is pgx.ErrNoRows, unwrapped, for found
// to translate.
func queryOne[T any](ctx context.Context, q querier, scan func(rows.Scanner) (T, error), query string, args ...any) (T, error) {
	var zero T
	v, err := scan(q.QueryRow(ctx, rebind(query), args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, pgx.ErrNoRows
	}
	if err != nil {
		return zero, fmt.Errorf("postgres: %w", err)
	}
	return v, nil
}

// found translates queryOne's pgx.ErrNoRows into an ENOTFOUND error for a resource kind.
func found[T any](v T, err error, resource, msg string) (T, error) {
	if err == pgx.ErrNoRows {
		return v, parley.NotFound(resource, "%s", msg)
	}
	return v, err
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(rows.Scanner) (T, error), query string, args ...any) ([]T, error) {
	rs, err := q.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// SQLSTATEs the store acts on (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	uniqueViolation      = "23505"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	lockNotAvailable     = "55P03" // lock_timeout, which AppendItem sets while it holds another chain
)

// sqlState returns the SQLSTATE of a Postgres error in err's chain, "" if there is none.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable reports whether err means that the transaction lost a race and fn should run again.
func retryable(err error) bool {
	switch sqlState(err) {
	case serializationFailure, deadlockDetected, lockNotAvailable:
		return true
	}
	return false
}

// writeErr translates the error of a statement that writes: a uniqueness violation becomes ECONFLICT with a
// client-safe message (wrapping the driver's error), anything else is wrapped with op.
func writeErr(err error, op, conflictMsg string) error {
	if err == nil {
		return nil
	}
	if sqlState(err) == uniqueViolation {
		return &parley.Error{Code: parley.ECONFLICT, Message: conflictMsg, Err: err}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// inserted checks the result of an INSERT ... ON CONFLICT DO NOTHING: no row inserted is ECONFLICT.
func inserted(tag pgconn.CommandTag, err error, op, conflictMsg string) error {
	if err != nil {
		return writeErr(err, op, conflictMsg)
	}
	if tag.RowsAffected() == 0 {
		return &parley.Error{Code: parley.ECONFLICT, Message: conflictMsg}
	}
	return nil
}

// updated checks that an UPDATE or DELETE touched a row.
func updated(tag pgconn.CommandTag, err error, op, resource, msg string) error {
	if err != nil {
		return writeErr(err, op, resource+" conflict")
	}
	if tag.RowsAffected() == 0 {
		return parley.NotFound(resource, "%s", msg)
	}
	return nil
}

// jsonOrNull encodes v as JSON text, or NULL when n (its length) is 0.
func jsonOrNull(v any, n int) (*string, error) {
	if n == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// fromJSON decodes a nullable JSON column into v.
func fromJSON(s *string, v any) error {
	if s == nil || *s == "" {
		return nil
	}
	return json.Unmarshal([]byte(*s), v)
}

// textOrNull stores bytes as text, NULL when b is nil.
func textOrNull(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// bytesOrNil is the inverse of textOrNull.
func bytesOrNil(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}
