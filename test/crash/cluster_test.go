package crash_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	natsgo "github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/bench"
)

// TestClusterNodeLoss: three nodes start at once on a fresh Postgres schema and one NATS server (one bootstraps
// under the lease, the others find its instance); 12 chats, each customer on node 1 and its bot on node 2, send
// as fast as acknowledged; node 2 gets SIGKILL under load and stays down, its senders fail over to node 3 and
// retry with the same ClientTokens. Every acknowledged message must be in its transcript once, in order, with
// its Id; every chat must end on a surviving node within 30 s; the surviving nodes' /healthz must answer 200
// throughout.
func TestClusterNodeLoss(t *testing.T) {
	skipUnlessCrashable(t, "three nodes and a kill take about 30 s")
	dsn, natsURL := clusterDeps(t)
	bin := buildServer(t)

	var serverLog lockedBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := bench.Soak(ctx, bench.SoakConfig{
		Binary:    bin,
		Nodes:     3,
		Database:  dsn,
		NATS:      natsURL,
		Duration:  time.Minute, // a bound: the load ends one interval after the kill
		KillEvery: 2 * time.Second,
		MaxKills:  1,
		Chats:     12,
		Rate:      0, // each sender always has a request in flight, for the kill to cut
		Log:       testLog{t},
		ServerLog: &serverLog,
	})
	checkSoak(t, r, err, &serverLog)
	if r.Kills != 1 || r.Restarts != 0 {
		t.Errorf("kills %d, restarts %d: want node 2 killed once and left down", r.Kills, r.Restarts)
	}
	// 24 senders for 2 to 6 s of load, on Postgres: even a loaded machine acknowledges a hundred.
	if r.Acknowledged < 100 {
		t.Errorf("only %d messages acknowledged", r.Acknowledged)
	}
	// Every bot was on node 2: each had a request in flight or sent one after the kill.
	if r.FailedOver < int64(r.Chats) {
		t.Errorf("%d requests failed over to another node, want at least one per bot (%d)", r.FailedOver, r.Chats)
	}
}

// clusterDeps returns a DSN on a fresh Postgres schema (dropped when the test ends) and the NATS URL, or skips
// the test, saying why, when either service does not answer (PARLEY_TEST_POSTGRES, PARLEY_TEST_NATS). As in
// test/e2e.
func clusterDeps(t *testing.T) (dsn, natsURL string) {
	t.Helper()
	base := os.Getenv("PARLEY_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	natsURL = os.Getenv("PARLEY_TEST_NATS")
	if natsURL == "" {
		natsURL = "nats://127.0.0.1:4222"
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		t.Skipf("Postgres not reachable at %s (set PARLEY_TEST_POSTGRES): %v", base, err)
	}
	nc, err := natsgo.Connect(natsURL)
	if err != nil {
		admin.Close()
		t.Skipf("NATS not reachable at %s (set PARLEY_TEST_NATS): %v", natsURL, err)
	}
	nc.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "parley_crash_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, natsURL
}
