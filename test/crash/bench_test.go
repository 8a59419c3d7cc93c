package crash_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/bench"
	"github.com/parley-chat/parley/internal/testserver"
)

// TestBenchCluster runs each scenario of the load generator against three nodes on Postgres and NATS, as
// docs/benchmarks.md's cluster numbers are measured, small: the clients spread over the nodes (a chat's parties
// on two nodes, idle sockets from one client process per node, agents and starts round the nodes), and every
// message, heartbeat, offer and join must arrive.
func TestBenchCluster(t *testing.T) {
	skipUnlessCrashable(t, "three nodes per scenario take about 20 s")
	testserver.ClusterDeps(t) // skips without Postgres or NATS
	bin := buildServer(t)
	// Small pools: Postgres's 100 connections are shared with the other packages' tests running at once.
	db, err := url.Parse(testserver.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	q := db.Query()
	q.Set("pool_max_conns", "6")
	db.RawQuery = q.Encode()
	base := func(scenario string) bench.Config {
		return bench.Config{Scenario: scenario, Binary: bin, Nodes: 3, Database: db.String(),
			NATS: testserver.NATSURL(t), Duration: 2 * time.Second, Warmup: -1, Log: testLog{t}}
	}
	run := func(cfg bench.Config) *bench.Report {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		r, err := bench.Run(ctx, cfg)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Scenario, err)
		}
		var text bytes.Buffer
		r.Text(&text)
		t.Log("\n" + text.String())
		if r.Errors != 0 || r.Nodes != 3 || r.Store != "postgres" {
			t.Errorf("%s: %d errors (%q) on %d nodes of %s, want none on 3 of postgres", cfg.Scenario, r.Errors,
				r.ErrorSamples, r.Nodes, r.Store)
		}
		return r
	}

	chat := base(bench.ScenarioChat)
	chat.Chats = 6
	if c := run(chat).Chat; c.Acked == 0 || c.Delivered != c.Acked || c.Lost != 0 {
		t.Errorf("chat: acknowledged %d, delivered %d, lost %d", c.Acked, c.Delivered, c.Lost)
	}

	idle := base(bench.ScenarioIdle)
	idle.Sockets = 30
	if x := run(idle).Idle; x.Open != 30 || x.Procs != 3 {
		t.Errorf("idle: %d sockets open in %d client processes, want 30 in 3", x.Open, x.Procs)
	}

	// Chats start on the three nodes in turn, 30 a second, while the routing node offers them to agents whose
	// streams are on all three: each is offered once and joined.
	start := base(bench.ScenarioStart)
	start.Agents, start.StartRate = 3, 30
	if x := run(start).Start; x.Started == 0 || x.Offered != x.Started || x.Connected != x.Started || x.OfferedTwice != 0 {
		t.Errorf("start: started %d, offered %d (%d twice), connected %d", x.Started, x.Offered, x.OfferedTwice, x.Connected)
	}
}

// TestBenchStreamProcess runs --stream against a spawned server with the receiver in a process of its own, as
// docs/benchmarks.md measures it: the child receiver checks every signature, the generator asks it what it got,
// and its CPU is reported apart from the generator's.
func TestBenchStreamProcess(t *testing.T) {
	skipUnlessCrashable(t, "spawns a server and a receiver process per endpoint")
	bin := buildServer(t)
	for _, to := range []string{"webhook", "sns"} {
		cfg := bench.Config{Scenario: bench.ScenarioChat, Binary: bin, Chats: 3, Duration: time.Second, Warmup: -1,
			Stream: true, StreamTo: to, Log: testLog{t}}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		r, err := bench.Run(ctx, cfg)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		s := r.Chat.Stream
		if s == nil || s.Expected == 0 || s.Messages < s.Expected || s.Refused != 0 || s.DrainSeconds < 0 ||
			s.Requests == 0 || s.Error != "" || r.Errors != 0 {
			t.Fatalf("%s: stream report %+v, errors %d %v", to, s, r.Errors, r.ErrorSamples)
		}
		t.Logf("%s: %d messages streamed, the receiver's process %.3f cores", to, s.Messages, s.CPU)
		if !strings.Contains(s.Process, "process of its own") || s.CPU <= 0 {
			t.Errorf("%s: the receiver ran in %q with %.3f cores, want a process of its own with its CPU", to, s.Process, s.CPU)
		}
	}
}
