package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/storetest"
)

// defaultDSN is the database the tests use unless PARLEY_TEST_POSTGRES names another.
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testDSN returns a DSN for a new, empty schema of the test database, dropped when the test ends, so tests run
// in parallel and leave nothing behind. It skips the test if Postgres cannot be reached.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("PARLEY_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Skipf("Postgres not reachable at %s: set PARLEY_TEST_POSTGRES (%v)", redacted(dsn), err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	schema := "parley_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(tb, dsn, "search_path", schema)
}

// withParam adds a parameter to a postgres:// URL DSN (pgx passes unknown ones to the server as run-time
// parameters, so search_path selects the schema of every connection of the pool).
func withParam(tb testing.TB, dsn, key, value string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("PARLEY_TEST_POSTGRES must be a postgres:// URL")
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// redacted hides a DSN's password.
func redacted(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(the DSN)"
}

// open opens a store on a new schema.
func open(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), testDSN(tb), nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) parley.Store { return open(t) })
}

// TestConcurrentAppendOneChain appends to one chain from 8 goroutines, one item per Update, each Update on a
// connection of its own: every Seq from 1 to 1600 is assigned exactly once, and the chain reads back dense.
func TestConcurrentAppendOneChain(t *testing.T) {
	t.Parallel()
	const writers, perWriter = 8, 200
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	var wg sync.WaitGroup
	seqs := make([][]int64, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				it := &parley.Item{ChainID: "chain", ContactID: "chain", ID: fmt.Sprintf("w%d-%d", w, i),
					Type: parley.ItemMessage, Content: "hi", ParticipantID: fmt.Sprintf("p-%d", w),
					ClientToken: fmt.Sprintf("message:%d", i)}
				if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
					t.Errorf("AppendItem: %v", err)
					return
				}
				seqs[w] = append(seqs[w], it.Seq)
			}
		}()
	}
	wg.Wait()
	var all []int64
	for _, ss := range seqs {
		all = append(all, ss...)
	}
	slices.Sort(all)
	if len(all) != writers*perWriter {
		t.Fatalf("%d appends succeeded, want %d", len(all), writers*perWriter)
	}
	for i, seq := range all {
		if seq != int64(i+1) {
			t.Fatalf("sorted Seqs: position %d holds %d, want %d (a gap or a duplicate)", i, seq, i+1)
		}
	}
	items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain"})
	if err != nil {
		t.Fatalf("ListItems: %v", err)
	}
	for i, it := range items {
		if it.Seq != int64(i+1) {
			t.Fatalf("stored item %d has Seq %d, want %d", i, it.Seq, i+1)
		}
	}
	if len(items) != writers*perWriter {
		t.Errorf("%d items stored, want %d", len(items), writers*perWriter)
	}
}

// TestConcurrentOpen starts four stores on one new schema at once, as nodes starting together do: all open,
// and each migration is applied once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	const nodes = 4
	stores := make([]*postgres.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(t.Context(), dsn, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	c, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(context.Background())
	rows, err := c.Query(t.Context(), `SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int, error) {
		var v [2]int
		return v, r.Scan(&v[0], &v[1])
	})
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if len(counts) == 0 {
		t.Fatal("schema_migrations is empty")
	}
	for i, vc := range counts {
		if vc[0] != i+1 || vc[1] != 1 {
			t.Errorf("schema_migrations: version %d recorded %d times (row %d), want each version from 1 once", vc[0], vc[1], i)
		}
	}
	// The stores work: one appends, another reads.
	it := &parley.Item{ChainID: "c", ContactID: "c", ID: "m-1", Type: parley.ItemMessage}
	if err := stores[0].Update(t.Context(), func(tx parley.Tx) error { return tx.AppendItem(t.Context(), it) }); err != nil {
		t.Fatalf("AppendItem: %v", err)
	}
	if got, err := stores[nodes-1].GetItem(t.Context(), "m-1"); err != nil || got.Seq != 1 {
		t.Errorf("GetItem through another store: %+v, %v", got, err)
	}
}

// TestReopen checks that opening an up-to-date schema again applies nothing and keeps the data.
func TestReopen(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	s, err := postgres.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	in := &parley.Instance{ID: "i-1", Alias: "a", CreatedAt: time.UnixMilli(1700000000123)}
	if err := s.Update(t.Context(), func(tx parley.Tx) error { return tx.PutInstance(t.Context(), in) }); err != nil {
		t.Fatalf("PutInstance: %v", err)
	}
	s.Close()
	s, err = postgres.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	if got, err := s.GetInstance(t.Context(), "i-1"); err != nil || got.Alias != "a" {
		t.Errorf("GetInstance after reopening: %+v, %v", got, err)
	}
}

// TestOpenBadDSN checks that a DSN that cannot be parsed fails without quoting it (it may hold a password).
func TestOpenBadDSN(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://u:s3cret@host:notaport/db", nil)
	if err == nil {
		t.Fatal("Open with a bad DSN succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error quotes the password: %v", err)
	}
}

// BenchmarkAppendItem measures one append per Update, one caller at a time: each append is a transaction of
// its own (BEGIN, the append statement, COMMIT with its WAL flush).
func BenchmarkAppendItem(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := b.Context()
	var n int64
	for b.Loop() {
		n++
		it := &parley.Item{ChainID: "chain", ContactID: "chain", ID: fmt.Sprintf("m-%d", n), Type: parley.ItemMessage,
			ContentType: parley.ContentTextPlain, Content: strings.Repeat("hello parley ", 8), ParticipantID: "p-1",
			DisplayName: "Customer", Role: parley.RoleCustomer, Time: time.Now(), ClientToken: fmt.Sprintf("message:%d", n)}
		if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "appends/s")
}
