package crash_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parley-chat/parley/bench"
	"github.com/parley-chat/parley/internal/testserver"
)

// TestClusterNodeLoss: three nodes start at once on a fresh Postgres schema and one NATS server (one bootstraps
// under the lease, the others find its instance); 12 chats, chat i's customer on node i and its bot on the
// next (modulo 3), send as fast as acknowledged; the node that holds the routing lease gets SIGKILL under load
// and stays down, its senders fail over to the next node and retry with the same ClientTokens. Every
// acknowledged message must be in its transcript once, in order, with its Id; every chat must end on a
// surviving node within 30 s; the surviving nodes' /healthz must answer 200 throughout; and the dead node's
// leases (routing, timers, outbox) must move to a surviving node.
func TestClusterNodeLoss(t *testing.T) {
	skipUnlessCrashable(t, "three nodes and a kill take about 30 s")
	dsn, natsURL := testserver.ClusterDeps(t)
	bin := buildServer(t)

	db, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string // every node's Id when the victim was chosen
	victim, killed := -1, time.Time{}
	leaseOwners := func(ctx context.Context) (map[string]string, error) {
		rows, err := db.Query(ctx, "SELECT name, owner FROM leases WHERE until_ms > $1", time.Now().UnixMilli())
		if err != nil {
			return nil, err
		}
		owners := map[string]string{}
		for rows.Next() {
			var name, owner string
			if err := rows.Scan(&name, &owner); err != nil {
				return nil, err
			}
			owners[name] = owner
		}
		return owners, rows.Err()
	}

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
		// The node that holds the routing lease: the test would prove little about leases if it were another.
		Victim: func(ctx context.Context, nodeIDs []string) (int, error) {
			owners, err := leaseOwners(ctx)
			if err != nil {
				return 0, err
			}
			ids, victim, killed = nodeIDs, slices.Index(nodeIDs, owners["routing"]), time.Now()
			t.Logf("killing node %d (%s), which holds the leases %v", victim+1, owners["routing"], owners)
			return victim, nil
		},
		// The leases outlive their holder by their TTL at most, then a surviving node takes each.
		Check: func(ctx context.Context) error {
			var owners map[string]string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
				if owners, err = leaseOwners(ctx); err != nil {
					return err
				}
				moved := len(owners) == 3
				for _, owner := range owners {
					moved = moved && owner != ids[victim] && slices.Contains(ids, owner)
				}
				if moved {
					t.Logf("the leases moved %s after the kill: %v", time.Since(killed).Round(time.Second), owners)
					return nil
				}
				if err := sleep(ctx, 250*time.Millisecond); err != nil {
					return err
				}
			}
			return fmt.Errorf("the leases of node %d (%s) did not move to a surviving node within 30 s: %v",
				victim+1, ids[victim], owners)
		},
		Chats:     12,
		Rate:      0, // each sender always has a request in flight, for the kill to cut
		Log:       testLog{t},
		ServerLog: &serverLog,
	})
	checkSoak(t, r, err, &serverLog)
	if r.Kills != 1 || r.Restarts != 0 {
		t.Errorf("kills %d, restarts %d: want a node killed once and left down", r.Kills, r.Restarts)
	}
	// 24 senders for 2 to 6 s of load, on Postgres: even a loaded machine acknowledges a hundred.
	if r.Acknowledged < 100 {
		t.Errorf("only %d messages acknowledged", r.Acknowledged)
	}
	// A third of the senders were on the victim: each had a request in flight or sent one after the kill.
	if want := int64(r.Senders / 3); r.FailedOver < want {
		t.Errorf("%d requests failed over to another node, want at least one per sender of the node (%d)",
			r.FailedOver, want)
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
