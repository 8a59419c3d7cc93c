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
	"sync/atomic"
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
	testDSN(t) // skips the whole suite, not each of its tests, when Postgres is not reachable
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

// BenchmarkAppendItemParallel measures appends from many concurrent callers (8 goroutines per GOMAXPROCS), each
// on its own chain, as when many chats are active: each Update is a transaction on a connection of its own, and
// Postgres flushes the WAL once for commits that arrive together.
func BenchmarkAppendItemParallel(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := b.Context()
	var chains, total atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		chain := fmt.Sprintf("chain-%d", chains.Add(1))
		var n int64
		for pb.Next() {
			n++
			it := &parley.Item{ChainID: chain, ContactID: chain, ID: fmt.Sprintf("%s-%d", chain, n),
				Type: parley.ItemMessage, ContentType: parley.ContentTextPlain, Content: strings.Repeat("hello parley ", 8),
				ParticipantID: "p-" + chain, Role: parley.RoleCustomer, Time: time.Now(), ClientToken: fmt.Sprintf("message:%d", n)}
			if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
				b.Error(err)
				return
			}
			total.Add(1)
		}
	})
	b.ReportMetric(float64(total.Load())/b.Elapsed().Seconds(), "appends/s")
}

// TestDeadlockRetried makes two Updates deadlock on two contacts they change in opposite orders: Postgres aborts
// one, Update runs its fn again, and both commit.
func TestDeadlockRetried(t *testing.T) {
	t.Parallel()
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	mustUpdate(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, &parley.Instance{ID: "i-1"}); err != nil {
			return err
		}
		for _, id := range []string{"c-a", "c-b"} {
			c := &parley.Contact{ID: id, InstanceID: "i-1", InitialContactID: id, State: parley.ContactActive}
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})

	var calls atomic.Int32
	var holding sync.WaitGroup // both transactions hold their first contact
	holding.Add(2)
	change := func(first, second, agent string) error {
		var once sync.Once
		return s.Update(ctx, func(tx parley.Tx) error {
			calls.Add(1)
			for i, id := range []string{first, second} {
				c, err := tx.GetContact(ctx, id)
				if err != nil {
					return err
				}
				c.AgentID = agent
				if err := tx.UpdateContact(ctx, c); err != nil {
					return err
				}
				if i == 0 {
					once.Do(func() { holding.Done(); holding.Wait() })
				}
			}
			return nil
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- change("c-a", "c-b", "x") }()
	go func() { errs <- change("c-b", "c-a", "y") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	if n := calls.Load(); n < 3 {
		t.Errorf("fn ran %d times, want at least 3 (one Update retried after the deadlock)", n)
	}
	a, errA := s.GetContact(ctx, "c-a")
	b, errB := s.GetContact(ctx, "c-b")
	if errA != nil || errB != nil || a.AgentID != b.AgentID {
		t.Errorf("contacts after both Updates: %+v, %+v (%v, %v); want the same agent on both (one Update after the other)",
			a, b, errA, errB)
	}
}

// TestConflictInSavepoint checks that a configuration Put that violates a name (a unique index its upsert does
// not name) is ECONFLICT and leaves the transaction usable.
func TestConflictInSavepoint(t *testing.T) {
	t.Parallel()
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	mustUpdate(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, &parley.Instance{ID: "i-1"}); err != nil {
			return err
		}
		if err := tx.PutQueue(ctx, &parley.Queue{ID: "q-1", InstanceID: "i-1", Name: "sales"}); err != nil {
			return err
		}
		if err := tx.PutQueue(ctx, &parley.Queue{ID: "q-2", InstanceID: "i-1", Name: "sales"}); !parley.IsCode(err, parley.ECONFLICT) {
			return fmt.Errorf("PutQueue with a taken name: got %v, want ECONFLICT", err)
		}
		return tx.PutQueue(ctx, &parley.Queue{ID: "q-3", InstanceID: "i-1", Name: "support"})
	})
	qs, err := s.ListQueues(ctx, "i-1")
	if err != nil || len(qs) != 2 || qs[0].ID != "q-1" || qs[1].ID != "q-3" {
		t.Errorf("queues after a transaction with a conflict: %+v, %v; want q-1 and q-3", qs, err)
	}
}

// TestConcurrentFlowLog appends to one contact's flow log from several goroutines: the Seqs are 1..n.
func TestConcurrentFlowLog(t *testing.T) {
	t.Parallel()
	const writers, perWriter = 4, 25
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				recs := []parley.FlowRecord{{ContactID: "c-1", Type: "a"}, {ContactID: "c-1", Type: "b"}}
				if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendFlowLog(ctx, recs) }); err != nil {
					t.Errorf("AppendFlowLog: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	log, err := s.ListFlowLog(ctx, "c-1")
	if err != nil {
		t.Fatalf("ListFlowLog: %v", err)
	}
	if len(log) != 2*writers*perWriter {
		t.Errorf("%d records, want %d", len(log), 2*writers*perWriter)
	}
	for i, r := range log {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has Seq %d, want %d", i, r.Seq, i+1)
		}
		if i%2 == 1 && (log[i-1].Type != "a" || r.Type != "b") {
			t.Fatalf("records %d and %d are %s, %s: one call's records are not together", i-1, i, log[i-1].Type, r.Type)
		}
	}
}

// TestTwoNodes runs two stores on one schema, as two nodes: they share leases and chains.
func TestTwoNodes(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	ctx := t.Context()
	var nodes [2]*postgres.Store
	for i := range nodes {
		s, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		nodes[i] = s
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if h, _, err := nodes[0].AcquireLease(ctx, "routing", "node-0", now, now.Add(time.Minute)); err != nil || h != "node-0" {
		t.Fatalf("node 0 AcquireLease: %q, %v", h, err)
	}
	if h, until, err := nodes[1].AcquireLease(ctx, "routing", "node-1", now.Add(time.Second), now.Add(time.Minute)); err != nil ||
		h != "node-0" || !until.Equal(now.Add(time.Minute)) {
		t.Fatalf("node 1 AcquireLease of a held lease: %q until %v, %v; want node-0 until %v", h, until, err, now.Add(time.Minute))
	}
	for i := range 10 {
		it := &parley.Item{ChainID: "c", ContactID: "c", ID: fmt.Sprintf("m-%d", i), Type: parley.ItemMessage}
		mustUpdate(t, nodes[i%2], func(tx parley.Tx) error { return tx.AppendItem(ctx, it) })
		if it.Seq != int64(i+1) {
			t.Errorf("append %d through node %d: Seq %d, want %d", i, i%2, it.Seq, i+1)
		}
	}
}

// mustUpdate runs fn in s.Update and fails the test on error.
func mustUpdate(t testing.TB, s parley.Store, fn func(tx parley.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// TestReadModifyWrite changes one contact and one participant from two nodes at once, each Update reading the
// row and writing it back changed: no change is lost, because a Tx's GetContact, ActiveContact and
// GetParticipant lock the row they return, as SQLite's single writer serializes such Updates.
func TestReadModifyWrite(t *testing.T) {
	t.Parallel()
	const perNode, each = 4, 25
	dsn := testDSN(t)
	ctx := t.Context()
	var nodes [2]*postgres.Store
	for i := range nodes {
		s, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		nodes[i] = s
	}
	mustUpdate(t, nodes[0], func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, &parley.Instance{ID: "i-1"}); err != nil {
			return err
		}
		if err := tx.InsertContact(ctx, &parley.Contact{ID: "c-1", InstanceID: "i-1", InitialContactID: "c-1",
			State: parley.ContactActive}); err != nil {
			return err
		}
		return tx.InsertParticipant(ctx, &parley.Participant{ID: "p-1", ContactID: "c-1", ChainID: "c-1",
			State: parley.ParticipantJoined})
	})
	var wg sync.WaitGroup
	for w := range 2 * perNode {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := nodes[w%2]
			for range each {
				err := s.Update(ctx, func(tx parley.Tx) error {
					var c *parley.Contact
					var err error
					if w%4 < 2 {
						c, err = tx.GetContact(ctx, "c-1")
					} else {
						c, err = tx.ActiveContact(ctx, "c-1")
					}
					if err != nil {
						return err
					}
					c.QueuePriority++
					if err := tx.UpdateContact(ctx, c); err != nil {
						return err
					}
					p, err := tx.GetParticipant(ctx, "p-1")
					if err != nil {
						return err
					}
					p.TimerAt = p.TimerAt.Add(time.Millisecond)
					if p.TimerAt.Equal(time.Time{}.Add(time.Millisecond)) {
						p.TimerAt = time.UnixMilli(1) // the first change: 0 is the zero time
					}
					return tx.UpdateParticipant(ctx, p)
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	c, err := nodes[0].GetContact(ctx, "c-1")
	if err != nil {
		t.Fatalf("GetContact: %v", err)
	}
	if want := 2 * perNode * each; c.QueuePriority != want {
		t.Errorf("QueuePriority after %d increments: %d (changes were lost)", want, c.QueuePriority)
	}
	p, err := nodes[1].GetParticipant(ctx, "p-1")
	if err != nil {
		t.Fatalf("GetParticipant: %v", err)
	}
	if want := int64(2 * perNode * each); p.TimerAt.UnixMilli() != want {
		t.Errorf("participant TimerAt after %d increments: %d ms (changes were lost)", want, p.TimerAt.UnixMilli())
	}
}
