package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// These tests run every scenario tiny, against a server in this process, and check that the report is
// well-formed and free of errors. They say nothing about speed: that is what `parley bench` is for.

func smokeConfig(t *testing.T, scenario string) Config {
	t.Helper()
	return Config{Scenario: scenario, Server: "inproc", Duration: time.Second, Warmup: 200 * time.Millisecond,
		Heartbeat: 300 * time.Millisecond, SetupConcurrency: 4, Log: testLog{t}}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func run(t *testing.T, cfg Config) *Report {
	t.Helper()
	r, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	r.Text(&text)
	t.Log("\n" + text.String())
	if r.Errors != 0 {
		t.Errorf("%d errors: %q", r.Errors, r.ErrorSamples)
	}
	if r.WindowSeconds <= 0 {
		t.Errorf("window %v s", r.WindowSeconds)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report does not encode: %v", err)
	}
	return r
}

func TestIdle(t *testing.T) {
	for _, target := range []string{TargetParley, TargetRelay} {
		t.Run(target, func(t *testing.T) {
			cfg := smokeConfig(t, ScenarioIdle)
			cfg.Target, cfg.Sockets = target, 5
			r := run(t, cfg)
			x := r.Idle
			if x == nil || x.Sockets != 5 || x.Open != 5 || x.Failed != 0 || x.Procs != 1 {
				t.Fatalf("idle report %+v", x)
			}
			// Each socket beats when it opens and every 300 ms after: at least twice in the run.
			if x.Beats < 10 || x.BeatLatency.Count == 0 {
				t.Errorf("beats %d, answers %d", x.Beats, x.BeatLatency.Count)
			}
			if r.ServerProc == nil || r.ServerProc.RSSAfter <= 0 || r.ServerProc.PID != os.Getpid() {
				t.Errorf("server process %+v", r.ServerProc)
			}
		})
	}
}

func TestChat(t *testing.T) {
	for _, tc := range []struct {
		target string
		rate   float64
	}{{TargetParley, 0}, {TargetParley, 40}, {TargetRelay, 0}} {
		t.Run(tc.target, func(t *testing.T) {
			cfg := smokeConfig(t, ScenarioChat)
			cfg.Target, cfg.Chats, cfg.Rate = tc.target, 3, tc.rate
			r := run(t, cfg)
			x := r.Chat
			if x == nil || x.Chats != 3 || x.Acked == 0 || x.Delivered == 0 {
				t.Fatalf("chat report %+v", x)
			}
			if x.SendErrors != 0 || x.Lost != 0 || x.Reordered != 0 {
				t.Errorf("send errors %d, lost %d, reordered %d", x.SendErrors, x.Lost, x.Reordered)
			}
			// Every message sent in the window is delivered (the run drains), and each has a latency.
			if x.EndToEnd.Count != x.Delivered || x.Ack.Count != x.Acked || x.Delivered != x.Acked {
				t.Errorf("acked %d (latencies %d), delivered %d (latencies %d)", x.Acked, x.Ack.Count,
					x.Delivered, x.EndToEnd.Count)
			}
			if x.EndToEnd.P50 <= 0 || x.EndToEnd.Max < x.EndToEnd.P99 {
				t.Errorf("latency %+v", x.EndToEnd)
			}
		})
	}
}

// TestChatStreamed: with --stream every chat is streamed to the generator's webhook receiver, or its SNS, which
// gets every acknowledged message with a valid signature.
func TestChatStreamed(t *testing.T) {
	for _, to := range []string{"webhook", "sns"} {
		cfg := smokeConfig(t, ScenarioChat)
		cfg.Chats, cfg.Stream, cfg.StreamTo = 3, true, to
		r := run(t, cfg)
		s := r.Chat.Stream
		if s == nil || s.Expected == 0 || s.Messages < s.Expected || s.Refused != 0 || s.DrainSeconds < 0 || r.Errors != 0 ||
			s.Requests == 0 {
			t.Fatalf("%s: stream report %+v, errors %d %v", to, s, r.Errors, r.ErrorSamples)
		}
	}
	cfg := smokeConfig(t, ScenarioChat)
	cfg.Stream = true
	cfg.Server = "http://127.0.0.1:1"
	if _, err := Run(t.Context(), cfg); err == nil {
		t.Error("--stream against a running server was accepted")
	}
}

// TestChatRunningServer points the generator at a server it did not start, by URL.
func TestChatRunningServer(t *testing.T) {
	ts := testserver.Start(t, func(c *server.Config) { c.Limits = benchLimits }) // as docs/benchmarks.md asks
	cfg := smokeConfig(t, ScenarioChat)
	cfg.Server, cfg.ServerPID, cfg.Chats = ts.URL, os.Getpid(), 2
	r := run(t, cfg)
	if r.Chat.Delivered == 0 || r.ServerProc == nil {
		t.Fatalf("report %+v", r)
	}
}

func TestStart(t *testing.T) {
	cfg := smokeConfig(t, ScenarioStart)
	cfg.StartRate, cfg.Agents = 20, 2
	r := run(t, cfg)
	x := r.Start
	if x == nil || x.Started == 0 || x.Offered != x.Started || x.Connected != x.Started {
		t.Fatalf("start report %+v", x)
	}
	if x.Offer.Count != x.Started || x.Joined.Count != x.Started || x.Joined.P50 < x.Offer.P50 {
		t.Errorf("offer %+v, joined %+v", x.Offer, x.Joined)
	}
}

// TestWorkerProtocol runs the idle scenario's client-process protocol over pipes, as between `parley bench` and
// a child `parley bench worker`.
func TestWorkerProtocol(t *testing.T) {
	ts := testserver.Start(t)
	ctx := context.Background()
	a := newAPI(ts.URL, nil, 2)
	defer a.close()
	var tokens []string
	for range 2 {
		sc, err := a.startChat(ctx, ts.InstanceID, ts.ContactFlowID, "Worker")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, sc.ParticipantToken)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Worker(ctx, inR, outW)
		outW.CloseWithError(err)
		inR.Close()
		done <- err
	}()
	w := &procWorker{in: inW, waitFn: func() error { return <-done }}
	job := workerJob{Base: ts.URL, Local: "127.0.0.2", Tokens: tokens, Heartbeat: 100 * time.Millisecond,
		Concurrency: 2}
	if err := w.begin(outR, job); err != nil {
		t.Fatal(err)
	}
	expect := func(phase string, ok int64) workerMsg {
		t.Helper()
		m, err := w.recv()
		if err != nil {
			t.Fatal(err)
		}
		if m.Phase != phase || m.OK != ok || m.Failed != 0 {
			t.Fatalf("got %+v, want phase %s with %d ok", m, phase, ok)
		}
		return m
	}
	expect("connections", 2)
	if err := w.command("open"); err != nil {
		t.Fatal(err)
	}
	expect("open", 2)
	time.Sleep(300 * time.Millisecond) // a few beats
	if err := w.command("stop"); err != nil {
		t.Fatal(err)
	}
	m := expect("done", 2)
	if m.Errors != 0 || m.Missed != 0 || m.BadAnswers != 0 || m.Beats < 4 || m.BeatLatency == nil {
		t.Errorf("done %+v", m)
	}
	if err := w.wait(); err != nil {
		t.Fatal(err)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "https://127.0.0.1:8080", "ftp://127.0.0.1"} {
		if err := checkLoopbackURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
		cfg := Config{Scenario: ScenarioChat, Server: u}
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run against %s succeeded", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://127.0.0.5:1", "ws://[::1]:80/ws", "http://localhost:9"} {
		if err := checkLoopbackURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestConfigBounds(t *testing.T) {
	for _, cfg := range []Config{
		{Scenario: "storm"},
		{Scenario: ScenarioChat, Target: "nginx"},
		{Scenario: ScenarioStart, Target: TargetRelay},
		{Scenario: ScenarioIdle, Sockets: MaxSockets + 1},
		{Scenario: ScenarioChat, Duration: MaxDuration},
		{Scenario: ScenarioIdle, Sockets: 30000, Server: "inproc"}, // needs two client processes
	} {
		if err := cfg.defaults(); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestWithSearchPath(t *testing.T) {
	for _, c := range []struct{ dsn, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s1&sslmode=disable"},
		{"postgres://u@h/db?search_path=old", "postgres://u@h/db?search_path=s1"},
		{"postgresql://h/db", "postgresql://h/db?search_path=s1"},
		{"host=h dbname=db", "host=h dbname=db search_path=s1"},
	} {
		if got := withSearchPath(c.dsn, "s1"); got != c.want {
			t.Errorf("withSearchPath(%q) = %q, want %q", c.dsn, got, c.want)
		}
	}
}

func TestClusterConfigBounds(t *testing.T) {
	for _, c := range []Config{
		{Scenario: ScenarioChat, Nodes: 2},                                         // no database, no bus
		{Scenario: ScenarioChat, Nodes: 2, Database: "postgres://h/db"},            // no bus
		{Scenario: ScenarioChat, NATS: "nats://h:4222"},                            // a bus without a store
		{Scenario: ScenarioChat, Server: "inproc", Database: "postgres://h/db"},    // not spawned
		{Scenario: ScenarioChat, Target: TargetRelay, Database: "postgres://h/db"}, // not parley
		{Scenario: ScenarioChat, Nodes: maxNodes + 1, Database: "postgres://h/db", NATS: "nats://h:4222"},
	} {
		if err := c.defaults(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	c := Config{Scenario: ScenarioIdle, Nodes: 3, Sockets: 51000, Database: "postgres://h/db", NATS: "nats://h:4222"}
	if err := c.defaults(); err != nil {
		t.Fatal(err)
	}
	// 17,000 sockets per node, from two client processes each: none holds more than socketsPerProc.
	if c.Procs != 6 {
		t.Errorf("51,000 sockets on 3 nodes: %d client processes, want 6", c.Procs)
	}
}

// TestReadDelivery: the webhook receiver reads the requests parley sends in place and any other well-formed
// request through net/http, with the same result.
func TestReadDelivery(t *testing.T) {
	raw := "POST /hook HTTP/1.1\r\nHost: x\r\nX-Parley-Signature: sha256=ab\r\nx-amz-sns-message-type: Notification\r\nContent-Length: 5\r\n\r\nhello" +
		"POST /hook HTTP/1.1\r\nHost: x\r\nX-Parley-Signature: sha256=cd\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nbye\r\n0\r\n\r\n"
	br := bufio.NewReader(strings.NewReader(raw))
	want := []delivery{{body: []byte("hello"), sig: "sha256=ab", typ: "Notification"}, {body: []byte("bye"), sig: "sha256=cd", close: true}}
	for i, w := range want {
		d, err := readDelivery(br, nil)
		if err != nil || string(d.body) != string(w.body) || d.sig != w.sig || d.typ != w.typ || d.close != w.close {
			t.Errorf("request %d: %+v, %v; want %+v", i, d, err, w)
		}
	}
	if _, err := readDelivery(br, nil); err == nil {
		t.Error("a third request was read from two")
	}
}
