package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/parley-chat/parley"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier runs SQL. The read pool and the writer connection each have one, so the Reader code is shared by the
// Store (read pool) and the Tx (writer connection, inside the transaction).
type querier interface {
	exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error)
}

// stmtCache is a querier that prepares each distinct query once. modernc.org/sqlite compiles a statement on
// every unprepared Exec or Query, which costs more than running a small INSERT; the set of queries is small and
// fixed (ListItems builds at most a few dozen variants), so the cache needs no eviction.
type stmtCache struct {
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)
	// background makes statements ignore the caller's ctx (see the package doc: an interrupted statement may
	// roll back the writer's shared transaction).
	background bool

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(prepare func(ctx context.Context, query string) (*sql.Stmt, error), background bool) *stmtCache {
	return &stmtCache{prepare: prepare, background: background, stmts: make(map[string]*sql.Stmt)}
}

func (c *stmtCache) stmt(query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	// Preparing under the lock keeps one statement per query; it happens once per query per Store.
	st, err := c.prepare(context.Background(), query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare %q: %w", query, err)
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) ctx(ctx context.Context) context.Context {
	if c.background {
		return context.Background()
	}
	return ctx
}

func (c *stmtCache) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(c.ctx(ctx), args...)
}

func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(c.ctx(ctx), args...)
}

func (c *stmtCache) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(c.ctx(ctx), args...), nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// isUniqueViolation reports whether err is SQLite's UNIQUE or PRIMARY KEY constraint failure, by extended result
// code.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// writeErr translates the error of a statement that writes: a uniqueness violation becomes ECONFLICT with a
// client-safe message, anything else is wrapped with op.
func writeErr(err error, op, conflictMsg string) error {
	if err == nil {
		return nil
	}
	if isUniqueViolation(err) {
		return &parley.Error{Code: parley.ECONFLICT, Message: conflictMsg, Err: err}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
