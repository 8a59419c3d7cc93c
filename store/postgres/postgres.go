// Package postgres is parley's Store for several nodes: one PostgreSQL database shared by every node
// (github.com/jackc/pgx/v5, a pgxpool of connections).
//
// # Concurrency contract
//
// Store is safe for concurrent use by any number of goroutines, in any number of processes sharing the database.
//
//   - Reads on the Store (its Reader methods) run on the pool, each statement on its own, and see committed data
//     only.
//   - Update runs fn in its own READ COMMITTED transaction on a connection of the pool and commits when fn returns
//     nil; a nil error always means committed. Concurrent Updates run concurrently, each on its own
//     connection, and wait for each other only where they touch the same rows.
//   - AppendBatch (batch.go, parley.BatchAppender) stores many participants' appends in one transaction of four
//     round trips: the chat core's group commit for messages and events. It locks contacts, participants and
//     chains in id order, so batches never deadlock each other, and retries as Update does.
//   - fn may be called more than once: a transaction that fails with a serialization failure (SQLSTATE 40001), a
//     deadlock (40P01) or a lock timeout the store set itself (55P03, see AppendItem) is rolled back and fn runs
//     again, up to maxAttempts times. fn must have no effects outside the transaction.
//   - fn may call the Store's own Reader methods (they see committed data only, on another connection of the
//     pool). fn must not call Update: the inner transaction could wait for a row the outer one holds, which
//     Postgres cannot see as a deadlock. fn must not keep the Tx after it returns, nor use it from other
//     goroutines.
//   - The pool has max(16, 4×GOMAXPROCS) connections unless the DSN sets pool_max_conns: each running Update
//     holds one, so that bounds the Updates that run at once; the others wait for a connection (honouring ctx).
//   - ctx is honoured until fn starts: a ctx that has ended makes Update return ctx's error without running fn.
//     Once fn has run, the commit ignores ctx's cancellation, so a caller learns the outcome. fn's statements
//     use ctx: canceling it fails the statement, which fails fn, which rolls the transaction back.
//   - Close waits for connections in use to be released, then closes the pool.
//
// Isolation is READ COMMITTED, not serializable; what must not race is protected by locks and constraints:
//
//   - Inside Update, GetContact, ActiveContact and GetParticipant lock the row they return until the transaction
//     ends (SELECT ... FOR NO KEY UPDATE, which still lets other transactions insert rows that reference it), and
//     wait for a transaction that holds it: fn's read-modify-write of a contact or a participant is atomic
//     across nodes, as SQLite's single writer makes it (two disconnects of one participant: the second sees the
//     first's). These are the reads of the append path, so Updates on one chat serialize on them; they would
//     anyway, on the chain's row. Other reads in fn (lists, configuration) take no lock.
//   - A chain's Seqs are protected by its chains row (AppendItem); ClientTokens, ids and names by unique indexes;
//     the duties that scan and act (routing, timers, flows, the outbox) by leases, so that one node acts.
//
// # Sequence numbers
//
// AppendItem takes the chain's next Seq with an UPSERT on its chains row (last_seq + 1 ... RETURNING), which
// locks the row until the transaction ends. Appends to one chain therefore commit one after the other, in Seq
// order: no gaps, no duplicates, and a reader never sees Seq n+1 before n. A rolled-back transaction gives its
// Seqs back with its row update.
//
// # Errors
//
// Lookups of missing rows return parley.NotFound with the SQLite store's resource kinds (INSTANCE,
// CONTACT_FLOW, CONTACT, PARTICIPANT, CONNECTION, ITEM, IDEMPOTENCY, QUEUE, USER, ROUTING_PROFILE,
// HOURS_OF_OPERATION, QUICK_CONNECT, AGENT_STATUS, AGENT_SESSION, ATTACHMENT, STREAM, OUTBOX). Uniqueness
// violations are ECONFLICT: recognised by SQLSTATE 23505 on *pgconn.PgError (never by message text), or by an
// INSERT ... ON CONFLICT DO NOTHING that inserted nothing. In Postgres a failed statement aborts the whole
// transaction, so every write that may conflict either uses ON CONFLICT DO NOTHING or runs inside a savepoint:
// after ECONFLICT the transaction is still usable and fn may go on and commit, as with SQLite. A foreign-key
// violation is a bug in the caller and is returned as a plain error (the transaction is then aborted).
//
// # Schema
//
// The schema is created and upgraded at Open by the numbered SQL files in migrations/, applied in order in one
// transaction that holds a transaction-level advisory lock, and recorded in schema_migrations: nodes starting
// at once apply each migration exactly once. The schema is the connection's search_path (set it with the DSN's
// search_path parameter to use another schema than public). Times are stored as unix milliseconds (UTC).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/parley-chat/parley"
)

var _ parley.Store = (*Store)(nil)

// rowLock makes a Tx's reads of one contact or participant lock the row (see the package doc). NO KEY leaves
// inserts that reference the row (a contact's participants, attachments) free to go on.
const rowLock = ` FOR NO KEY UPDATE`

// maxAttempts bounds how many times Update runs fn when its transaction keeps failing with a retryable error.
const maxAttempts = 10

// Store is a parley.Store backed by a PostgreSQL database. See the package documentation for its concurrency
// contract.
type Store struct {
	reader // Reader methods on the Store read from the pool.

	log  *slog.Logger
	pool *pgxpool.Pool
}

// Open connects to the database dsn names (a postgres:// URL or a key=value string, as pgx accepts; pgxpool's
// pool_* parameters size the pool), brings its schema up to date and returns the Store. log receives schema and
// retry messages; nil discards them.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN, password included: say only what kind of error it is.
		return nil, fmt.Errorf("postgres: parse dsn: %w", redact(err))
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// Each Update holds a connection for as long as fn runs, and fn may read through the Store on a second
		// one: pgxpool's default (4, or the CPU count) would make concurrent Updates queue for connections long
		// before Postgres is busy.
		cfg.MaxConns = int32(max(16, 4*runtime.GOMAXPROCS(0)))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{log: log, pool: pool, reader: reader{q: pool}}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return s, nil
}

// Pool returns the store's connection pool, for what keeps its own tables in the same database (blob/postgres).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// redact replaces a DSN parse error, whose text quotes the DSN and so may show its password (pgx hides it only
// on a best-effort basis), with a fixed one.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("invalid connection string")
	}
	return err
}

// Close waits for the connections in use to be released and closes the pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Update runs fn in a READ COMMITTED transaction and commits if fn returns nil; otherwise the transaction is
// rolled back and Update returns fn's error. A transaction that fails with a retryable error (see the package
// doc) is rolled back and fn runs again, up to maxAttempts times. A panic in fn rolls back and is re-raised.
func (s *Store) Update(ctx context.Context, fn func(tx parley.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var prelock []string
	for attempt := 1; ; attempt++ {
		locked, err := s.attempt(ctx, fn, prelock)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("postgres: update: gave up after %d attempts: %w", attempt, err)
		}
		s.log.Debug("postgres: update retried", "attempt", attempt, "err", err)
		// The next attempt locks the chains this one appended to first, in a fixed order: the deadlock between
		// two transactions that append to the same chains in opposite orders cannot happen twice.
		prelock = locked
		if perr := pause(ctx, attempt); perr != nil {
			return fmt.Errorf("postgres: update: %w (after a retryable error: %v)", perr, err)
		}
	}
}

// pause waits before the next attempt of a transaction that failed with a retryable error: a short random
// pause keeps the transactions that collided from colliding again at once. It returns ctx's error if ctx ends
// first.
func pause(ctx context.Context, attempt int) error {
	wait := time.Duration(rand.Int64N(int64(attempt) * int64(2*time.Millisecond)))
	select {
	case <-time.After(wait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt runs fn once in its own transaction. It returns the chains fn appended to (for a retry's prelock) and
// the outcome: nil only if the transaction committed.
func (s *Store) attempt(ctx context.Context, fn func(tx parley.Tx) error, prelock []string) (chains []string, err error) {
	t, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.rollback(ctx)
	if err := t.lockChains(ctx, prelock); err != nil {
		return t.chains, err
	}
	if err := t.commit(ctx, fn(t)); err != nil {
		return t.chains, err
	}
	return nil, nil
}

// begin starts a READ COMMITTED transaction for one attempt. The caller defers its rollback, which does nothing
// once it committed.
func (s *Store) begin(ctx context.Context) (*tx, error) {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	t := &tx{tx: ptx}
	t.reader = reader{q: t, lock: rowLock}
	return t, nil
}

// commit ends an attempt whose work returned err: it commits if err is nil, and returns the outcome, nil only if
// the transaction committed. The commit ignores ctx's cancellation: the outcome of a transaction whose work ran
// must not depend on whether the caller is still waiting.
func (t *tx) commit(ctx context.Context, err error) error {
	if err != nil {
		if t.retry != nil && !retryable(err) {
			// The work turned a deadlock into an error of its own (or swallowed it and failed later): the
			// transaction is aborted by the deadlock, so it is the deadlock that counts.
			return fmt.Errorf("%w (after %w)", err, t.retry)
		}
		return err
	}
	if err := t.tx.Commit(context.WithoutCancel(ctx)); err != nil {
		if t.retry != nil {
			return fmt.Errorf("postgres: commit: %w (after %w)", err, t.retry)
		}
		return fmt.Errorf("postgres: commit: %w", err)
	}
	t.committed = true
	return nil
}

// rollback rolls the attempt back unless it committed (after a failure, a broken connection or a panic).
func (t *tx) rollback(ctx context.Context) {
	if !t.committed {
		// Rolling back a transaction that failed (or whose connection broke) says nothing new.
		t.tx.Rollback(context.WithoutCancel(ctx))
	}
}
