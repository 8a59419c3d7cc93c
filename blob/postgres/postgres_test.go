package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob/blobtest"
	"github.com/parley-chat/parley/blob/postgres"
)

// testPool returns a pool on a fresh schema of the test Postgres (PARLEY_TEST_POSTGRES), dropped when the test
// ends; it skips the test when no Postgres answers.
func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	dsn := os.Getenv("PARLEY_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, dsn)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		t.Skipf("Postgres not reachable at %s (set PARLEY_TEST_POSTGRES): %v", dsn, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "parley_blob_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		_, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return pool
}

func TestBlob(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) parley.Blob {
		s, err := postgres.New(t.Context(), testPool(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestSharedAndSwept: two stores on the same tables (two nodes) see each other's objects; a failed Put leaves
// no chunks behind.
func TestSharedAndSwept(t *testing.T) {
	pool := testPool(t)
	a, err := postgres.New(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgres.New(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3*postgres.ChunkSize+7)
	_, _ = rand.Read(data)
	if err := a.Put(t.Context(), "files/x", bytesReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Stat(t.Context(), "files/x"); err != nil || n != int64(len(data)) {
		t.Fatalf("the other node: Stat = %d, %v", n, err)
	}
	if err := a.Put(t.Context(), "files/y", bytesReader(data[:10]), 20); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("short Put: %v", err)
	}
	var chunks int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM blob_chunks`).Scan(&chunks); err != nil || chunks != 4 {
		t.Errorf("%d chunks stored (%v), want the 4 of files/x", chunks, err)
	}
}

type onlyReader struct{ b []byte }

func (r *onlyReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func bytesReader(b []byte) *onlyReader { return &onlyReader{b} }
