// Package sqlite is parley's default Store: one SQLite database file, embedded in the process (modernc.org/sqlite,
// no cgo).
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL: Update returns nil only after the commit record has been
// fsynced to the WAL, which is what "durable before acknowledged" needs. Foreign keys are enforced.
//
// # Concurrency contract
//
// Store is safe for concurrent use by any number of goroutines.
//
//   - Reads on the Store (its Reader methods) run on a pool of read-only connections and see committed data
//     only. In WAL mode they never wait for the writer and the writer never waits for them.
//   - Writes go through Update, which uses group commit: one writer goroutine owns the only read-write
//     connection. Update hands fn to it and waits. The writer takes every Update that is waiting when it is
//     free, opens one BEGIN IMMEDIATE transaction for the whole batch, runs each fn inside its own SAVEPOINT
//     (rolling back only that savepoint when fn fails), commits once, and then answers every caller: each gets
//     its own fn's error, or, if the batch could not be committed, the commit's error. One fsync thus covers
//     many callers, and a failing fn never undoes another caller's work.
//   - fn runs on the writer goroutine, one fn at a time, so fns of a batch see each other's writes in order.
//     The Tx's Reader methods read through the transaction (the writer connection). fn may also call the
//     Store's own Reader methods, which see only committed data (not fn's writes).
//   - fn must not call Update (that would wait for the writer goroutine, which is busy running fn: a
//     deadlock), must not keep the Tx after it returns, and must not use it from other goroutines. fn is
//     called at most once per Update.
//   - ctx is honoured while an Update waits for its turn: if ctx ends first, fn is never run and Update returns
//     ctx's error. Once fn has started, it runs to completion and the caller waits for the batch's commit, so
//     a nil error always means committed and a non-nil error other than fn's own means nothing of fn was
//     committed. The statements fn issues ignore ctx's cancellation: an interrupted statement could roll back
//     the whole shared transaction, and with it other callers' work.
//   - Close waits for the batches in flight and those already queued, then closes the connections; Update
//     after Close returns an error.
//
// # One process, and the writer's cache
//
// Open takes an exclusive lock on "<path>-lock" and fails if another process holds it; it then clears the
// leases table, whose rows can only belong to a process that is gone. The writer goroutine keeps what the
// append path reads (the newest contact of each chain, participants, each chain's last Seq, hashes of its items'
// ClientTokens and its active streams) in memory, filled only from SQL inside its transactions and dropped on writes and rollbacks
// (cache.go), which is right only while it is the database's only writer.
//
// # Errors
//
// Lookups of missing rows return parley.NotFound with the resource kind (INSTANCE, CONTACT_FLOW, CONTACT,
// PARTICIPANT, CONNECTION, ITEM, IDEMPOTENCY, QUEUE, USER, ROUTING_PROFILE, HOURS_OF_OPERATION, QUICK_CONNECT,
// AGENT_STATUS, AGENT_SESSION, ATTACHMENT, STREAM, OUTBOX). Unique and primary-key violations are recognised
// by SQLite's extended result code (never by message text) and returned as parley ECONFLICT errors that wrap the
// driver error. A statement that fails with a constraint violation leaves the transaction usable, so fn may react to
// ECONFLICT (for example by reading the item stored by an earlier attempt) and still commit.
//
// Foreign keys hold the tree together: a contact, flow, queue or configuration object needs its instance, a
// participant its contact, a connection its participant, a routing profile's queue list its queues, an agent
// session its user, an attachment record its contact and participant, an outbox entry its stream. Names of configuration objects (usernames
// for users) are unique per instance: a Put that would duplicate one is ECONFLICT. Items reference nothing (a chain is just a sequence). A foreign-key violation
// is a bug in the caller, which looks the parent up first, so it is returned as a plain error.
//
// # Schema
//
// The schema is created and upgraded at Open by the numbered SQL files in migrations/, applied in order inside
// transactions and recorded in the schema_version table. Times are stored as unix milliseconds (UTC), so they
// come back truncated to the millisecond.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/parley-chat/parley"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

var _ parley.Store = (*Store)(nil)

// busyTimeoutMS is how long a connection waits for a lock held by another connection (another process using
// the same file, or a WAL checkpoint) before failing with SQLITE_BUSY.
const busyTimeoutMS = 10000

// walAutocheckpointPages is the WAL size, in pages, that triggers a checkpoint.
const walAutocheckpointPages = 10000

// writerCacheKiB is the page cache of the writer connection.
const writerCacheKiB = 64 << 10

// errClosed is returned by Update after Close.
var errClosed = errors.New("sqlite: store closed")

// Store is a parley.Store backed by one SQLite file. See the package documentation for its concurrency contract.
type Store struct {
	reader // Reader methods on the Store read from the read pool.

	log     *slog.Logger
	writeDB *sql.DB   // at most one connection: wconn
	readDB  *sql.DB   // read-only pool
	wconn   *sql.Conn // owned by the writer goroutine after Open
	rstmts  *stmtCache
	wstmts  *stmtCache
	cache   *cache   // the writer's, see cache.go
	lock    *os.File // held while open: one process per database file

	mu         sync.RWMutex // guards closed and sends on reqs against close(reqs)
	closed     bool
	reqs       chan *request
	writerDone chan struct{}
	batches    atomic.Int64 // Stats
	updates    atomic.Int64
	tokenLoads atomic.Int64
	closeOnce  sync.Once
	closeErr   error
}

// Open opens (creating it if needed) the database file at path, brings its schema up to date and starts the
// writer goroutine. log receives schema and batch-failure messages; nil discards them.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: invalid database path %q: want a plain file path", path)
	}

	// The database holds every chat: readable by its owner only. SQLite gives the -wal and -shm files the
	// database file's mode, so creating it 0600 (or narrowing it) covers them too.
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	s := &Store{log: log}
	var err error
	// The writer's cache assumes it is the database's only writer (see cache.go).
	if s.lock, err = lockFile(path + "-lock"); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writeDB, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writeDB.SetMaxOpenConns(1)
	s.writeDB.SetMaxIdleConns(1)
	s.writeDB.SetConnMaxLifetime(0)
	s.wconn, err = s.writeDB.Conn(ctx)
	if err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := s.checkPragmas(ctx); err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The lock file makes this process the database's only user: every lease in it belongs to a process that is
	// gone (a crash, a kill -9). Waiting for them to run out would leave routing, timers and the streaming
	// outbox undone for a lease's TTL after a restart.
	if res, err := s.wconn.ExecContext(ctx, `DELETE FROM leases`); err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: clear leases: %w", path, err)
	} else if n, _ := res.RowsAffected(); n > 0 {
		log.Info("sqlite: leases of a previous process cleared", "leases", n)
	}

	s.readDB, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.readDB.SetMaxOpenConns(n)
	s.readDB.SetMaxIdleConns(n)
	s.readDB.SetConnMaxLifetime(0)
	if err := s.readDB.PingContext(ctx); err != nil {
		s.closeConns()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	s.rstmts = newStmtCache(s.readDB.PrepareContext, false)
	s.wstmts = newStmtCache(s.wconn.PrepareContext, true)
	s.reader = reader{q: s.rstmts}
	s.cache = newCache()
	s.reqs = make(chan *request, maxBatch)
	s.writerDone = make(chan struct{})
	go s.writer()
	return s, nil
}

// dsn returns the modernc.org/sqlite data source name for path. Pragmas in the DSN apply to every new
// connection of the pool.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "foreign_keys(1)")
		// Checkpoint every ~40 MB of WAL (at 4 KiB pages) instead of SQLite's 4 MB: the checkpoint runs inside
		// a commit, on the writer's critical path, and copies each page once however often it changed since
		// the last checkpoint, so rarer checkpoints cost less per append (measured: about a quarter of the
		// checkpoint work at 16000 pages compared with 1000). journal_size_limit truncates a WAL that grew
		// past that while readers held old snapshots.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walAutocheckpointPages))
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", 2*walAutocheckpointPages*4096))
		// The writer touches index pages all over the items table (one per chat with a new message): with
		// SQLite's default 2 MB cache it kept reading them back from the file. The cache only grows as pages
		// are used.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		// Savepoints copy each page they change to a sub-journal; keep it in memory rather than spilling it to
		// a temporary file.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	return path + "?" + q.Encode()
}

// checkPragmas verifies that the settings durability depends on took effect (journal_mode=WAL can silently
// stay in another mode, for example on a file system without shared memory).
func (s *Store) checkPragmas(ctx context.Context) error {
	var mode string
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	var sync, fk int
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return err
	}
	if sync != 2 { // FULL
		return fmt.Errorf("synchronous is %d, want 2 (FULL)", sync)
	}
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return err
	}
	if fk != 1 {
		return errors.New("foreign keys are off")
	}
	return nil
}

// Close waits for queued and running Updates to finish, then closes the database. It is safe to call more than
// once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.reqs)
		s.mu.Unlock()
		<-s.writerDone
		s.closeErr = s.closeConns()
	})
	return s.closeErr
}

// closeConns closes whatever Open managed to open. The readers go first so that the writer's connection is the
// last one: SQLite checkpoints the WAL into the database file and removes it when the last connection closes.
func (s *Store) closeConns() error {
	var errs []error
	if s.rstmts != nil {
		errs = append(errs, s.rstmts.close())
	}
	if s.readDB != nil {
		errs = append(errs, s.readDB.Close())
	}
	if s.wstmts != nil {
		errs = append(errs, s.wstmts.close())
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.writeDB != nil {
		errs = append(errs, s.writeDB.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// ownerOnly creates path with mode 0600 if it does not exist, and narrows an existing file (and its -wal and
// -shm files) to 0600.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}
