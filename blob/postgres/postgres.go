// Package postgres is the parley.Blob of a cluster without S3: attachment bytes in Postgres, so that any node
// serves any attachment and no node's disk holds the only copy.
//
// An object is a row of blobs (key, size, the id of its chunks) and its bytes are rows of blob_chunks, 256 KiB
// each. Put streams: it writes the chunks of a new id one at a time, outside any transaction, and only then, in
// one short transaction, points the key at them and deletes the chunks it replaced. So a Put is invisible until
// complete, never holds more than a chunk in memory, and a Put that fails or a node that dies leaves only
// unreferenced chunks, which New's sweep removes once they are a day old (a Put still running elsewhere is
// younger). Get reads chunk by chunk, each with its own query.
//
// Store is safe for concurrent use, and several nodes may share the tables: concurrent Puts of one key each write
// their own chunks and the last pointer wins.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob"
)

var _ parley.Blob = (*Store)(nil)

// ChunkSize is the size of a stored chunk.
const ChunkSize = 256 << 10

const schema = `
CREATE TABLE IF NOT EXISTS blobs (
	key  text PRIMARY KEY,
	size bigint NOT NULL,
	id   uuid NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_chunks (
	id         uuid NOT NULL,
	n          integer NOT NULL,
	data       bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (id, n)
);`

// schemaLock serializes the creation of the tables when several nodes start at once.
const schemaLock = 0x706172_6c6579_b1 // "parley" + blob

// Store keeps objects in Postgres.
type Store struct {
	pool *pgxpool.Pool
}

// New creates the tables if needed, removes chunks that no object references and that are older than a day, and
// returns the store. The pool stays the caller's.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("blob/postgres: create tables: %w", err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM blob_chunks c WHERE created_at < now() - interval '1 day'
		AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = c.id)`); err != nil {
		return nil, fmt.Errorf("blob/postgres: sweep: %w", err)
	}
	return &Store{pool: pool}, nil
}

func notFound(key string) error {
	return parley.NotFound("BLOB", "no object %s", key)
}

// Put streams exactly size bytes from r into new chunks, then points key at them.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if size < 0 {
		return parley.Errorf(parley.EINVALID, "negative size")
	}
	id := uuid.New()
	defer func() {
		if err != nil {
			// Best effort: what is left is swept later.
			_, _ = s.pool.Exec(context.WithoutCancel(ctx), `DELETE FROM blob_chunks WHERE id = $1`, id)
		}
	}()
	src := blob.ExactReader(r, size)
	buf := make([]byte, min(int64(ChunkSize), max(size, 1)))
	for n := 0; ; n++ {
		k, rerr := io.ReadFull(src, buf)
		if k > 0 {
			if _, err := s.pool.Exec(ctx, `INSERT INTO blob_chunks (id, n, data) VALUES ($1, $2, $3)`, id, n, buf[:k]); err != nil {
				return fmt.Errorf("blob/postgres: put %s: %w", key, err)
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM blobs WHERE key = $1 FOR UPDATE`, key).Scan(&old)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			_, err = tx.Exec(ctx, `INSERT INTO blobs (key, size, id) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET size = excluded.size, id = excluded.id`, key, size, id)
			return err
		case err != nil:
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE blobs SET size = $2, id = $3 WHERE key = $1`, key, size, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM blob_chunks WHERE id = $1`, old)
		return err
	})
}

// Get opens the object under key.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, 0, err
	}
	var size int64
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `SELECT size, id FROM blobs WHERE key = $1`, key).Scan(&size, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, notFound(key)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob/postgres: get %s: %w", key, err)
	}
	return &reader{ctx: ctx, pool: s.pool, key: key, id: id, left: size}, size, nil
}

// reader fetches an object's chunks one at a time as they are read.
type reader struct {
	ctx  context.Context
	pool *pgxpool.Pool
	key  string
	id   uuid.UUID
	n    int
	buf  []byte
	left int64 // bytes not yet fetched
}

func (r *reader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.left == 0 {
			return 0, io.EOF
		}
		err := r.pool.QueryRow(r.ctx, `SELECT data FROM blob_chunks WHERE id = $1 AND n = $2`, r.id, r.n).Scan(&r.buf)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("blob/postgres: %s was replaced or deleted while being read", r.key)
		}
		if err != nil {
			return 0, fmt.Errorf("blob/postgres: read %s: %w", r.key, err)
		}
		r.n++
		r.left -= int64(len(r.buf))
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	return k, nil
}

func (r *reader) Close() error { r.buf, r.left = nil, 0; return nil }

// Stat returns the object's size.
func (s *Store) Stat(ctx context.Context, key string) (int64, error) {
	if err := blob.CheckKey(key); err != nil {
		return 0, err
	}
	var size int64
	err := s.pool.QueryRow(ctx, `SELECT size FROM blobs WHERE key = $1`, key).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound(key)
	}
	if err != nil {
		return 0, fmt.Errorf("blob/postgres: stat %s: %w", key, err)
	}
	return size, nil
}

// Move renames an object, replacing any object under to.
func (s *Store) Move(ctx context.Context, from, to string) error {
	if err := blob.CheckKey(from); err != nil {
		return err
	}
	if err := blob.CheckKey(to); err != nil {
		return err
	}
	if from == to {
		_, err := s.Stat(ctx, from)
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var size int64
		var id uuid.UUID
		err := tx.QueryRow(ctx, `DELETE FROM blobs WHERE key = $1 RETURNING size, id`, from).Scan(&size, &id)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(from)
		}
		if err != nil {
			return err
		}
		if err := deleteKey(ctx, tx, to); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO blobs (key, size, id) VALUES ($1, $2, $3)`, to, size, id)
		return err
	})
}

// Delete removes an object; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return deleteKey(ctx, tx, key) })
}

func deleteKey(ctx context.Context, tx pgx.Tx, key string) error {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `DELETE FROM blobs WHERE key = $1 RETURNING id`, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM blob_chunks WHERE id = $1`, id)
	return err
}
