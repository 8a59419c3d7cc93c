// Package bench is parley's load generator (`parley bench`): it drives a server over loopback with the real
// protocols — the Connect API's StartChatContact, the Participant Service over REST, and the chat WebSocket
// exactly as ChatJS uses it (aws/subscribe, then aws/ping and aws/heartbeat at once and every 10 s, every answer
// checked) — and reports what the server did: latency distributions (HdrHistogram), throughput, errors, and
// the server process's memory and CPU read from /proc.
//
// Scenarios:
//
//   - idle: N participants connected and heartbeating; server RSS and CPU, memory per connection.
//   - chat: C chats whose two parties (the customer and a CUSTOM_BOT participant) exchange messages at a total
//     rate R, or as fast as they can; end-to-end latency from SendMessage to the other party's socket.
//   - start: a storm of StartChatContact at a rate through the default flow and routing to auto-accepting
//     agents; time to the offer and to the agent joining, from the agents' event streams.
//   - soak (Soak, apart from Run): chats under load while a child server is killed with SIGKILL and restarted on
//     the same data directory; then every acknowledged message must be in its transcript once, with its Id, in
//     send order, and every chat must still end (test/crash runs it in CI).
//
// The server under load is a child `parley serve` on a temporary data directory (the default: its /proc is
// separate from the generator's), this process's own server.Main, or a running server; the target is parley
// or the baseline relay (package relay). Every address must be loopback. Connections beyond one process's
// file descriptor limit are spread over several client processes (`parley bench worker`), each with its own
// 127.0.0.x source address.
//
// A run owns the goroutines and child processes it starts and waits for them before Run (or Soak) returns. Runs may
// overlap, except that profiles of in-process servers are process-wide (runtime/pprof allows one CPU profile at
// a time).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/streaming/sink"
)

// Scenarios and targets.
const (
	ScenarioIdle  = "idle"
	ScenarioChat  = "chat"
	ScenarioStart = "start"

	TargetParley = "parley"
	TargetRelay  = "relay"
)

// Bounds: a run is bounded in count and time whatever the flags say.
const (
	MaxSockets     = 200_000
	MaxChats       = 50_000
	MaxDuration    = 10 * time.Minute
	MaxRate        = 200_000
	maxProcs       = 64
	maxNodes       = 16
	socketsPerProc = 15_000 // under the 20,000 file descriptors a process may have here, with room for REST
)

// Config is one run. The zero value of a field means its default.
type Config struct {
	// Scenario is ScenarioIdle, ScenarioChat or ScenarioStart.
	Scenario string
	// Target is TargetParley (default) or TargetRelay.
	Target string
	// Server is "spawn" (default: a child process on a temporary data dir), "inproc" (this process; /proc then
	// counts the generator too), or the base URL of a running server, which must be loopback.
	Server string
	// ServerPID is the process id of a running server (Server is a URL), for its RSS and CPU; 0: not reported.
	ServerPID int
	// Binary is the parley executable to spawn. Default: this executable.
	Binary string
	// ServerEnv is added to a spawned server's environment (GOGC=200, GOMEMLIMIT=1GiB, ...).
	ServerEnv []string
	// Nodes is the number of spawned `parley serve` processes (default 1); more than one needs Database and NATS.
	// Clients are spread over the nodes: a chat's two parties are on different nodes, sockets and agents go
	// round the nodes.
	Nodes int
	// Database, when set, is a postgres:// URL: the spawned nodes store on a new schema of it (dropped at the
	// end) instead of SQLite. NATS is their bus's nats:// URL.
	Database, NATS string

	// Duration is the measurement window. Default 20 s.
	Duration time.Duration
	// Warmup runs the load before the window opens (idle: the settling time after the last socket opened).
	// Default 3 s; negative means none.
	Warmup time.Duration
	// Heartbeat is the interval of aws/ping + aws/heartbeat. Default 10 s, as ChatJS.
	Heartbeat time.Duration
	// SetupConcurrency bounds concurrent setup calls. Default 32.
	SetupConcurrency int

	// Sockets (idle) is the number of participant sockets. Default 1000.
	Sockets int
	// Procs (idle) is the number of client processes. Default: one per 15,000 sockets; 0 or 1 runs the sockets
	// in this process.
	Procs int

	// Chats (chat) is the number of concurrent chats. Default 100.
	Chats int
	// Rate (chat) is the total messages per second over all parties; 0 sends as fast as each party's previous
	// message is acknowledged (closed loop).
	Rate float64
	// Size (chat) is the message content length in bytes. Default 80.
	Size int
	// Stream (chat, parley only) streams every chat (StartContactStreaming) to a receiver in this process;
	// the report says what reached it and how fast the outbox drained.
	Stream bool
	// StreamTo is that receiver: "webhook" (a webhook subscription checking every signature, one notification
	// per request; the default) or "sns" (a local SNS fake taking Publish and PublishBatch).
	StreamTo string
	// StreamReceiver is where that receiver runs: "process" (a child process at the lowest CPU priority,
	// standing in for a receiver on another machine; the default with a spawned server) or "inproc" (in this
	// process, the default with --server inproc).
	StreamReceiver string
	// streaming is the server's streaming section when Stream is set, streamingEnv the environment it needs.
	streaming    *sink.Config
	streamingEnv []string

	// StartRate (start) is StartChatContact calls per second. Default 200.
	StartRate float64
	// Agents (start) is the number of auto-accepting agents (10 chat slots each). Default 20.
	Agents int
	// Flows (start) are contact flow files imported before the run, in order; chats start on the last (see
	// importFlows). None: the default inbound flow.
	Flows []string

	// ProfileDir, when set, receives the server's CPU profile over the window and a heap profile at its end.
	ProfileDir string
	// Log receives progress lines. Default: discarded.
	Log io.Writer
}

func (c *Config) defaults() error {
	if c.Target == "" {
		c.Target = TargetParley
	}
	if c.Server == "" {
		c.Server = "spawn"
	}
	if c.Duration <= 0 {
		c.Duration = 20 * time.Second
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	} else if c.Warmup == 0 {
		c.Warmup = 3 * time.Second
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 10 * time.Second
	}
	if c.SetupConcurrency <= 0 {
		c.SetupConcurrency = 32
	}
	if c.Sockets <= 0 {
		c.Sockets = 1000
	}
	if c.Chats <= 0 {
		c.Chats = 100
	}
	if c.Size <= 0 {
		c.Size = 80
	}
	if c.StartRate <= 0 {
		c.StartRate = 200
	}
	if c.Agents <= 0 {
		c.Agents = 20
	}
	if c.Nodes <= 0 {
		c.Nodes = 1
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	switch {
	case c.Scenario != ScenarioIdle && c.Scenario != ScenarioChat && c.Scenario != ScenarioStart:
		return fmt.Errorf("unknown scenario %q: use idle, chat or start", c.Scenario)
	case c.Target != TargetParley && c.Target != TargetRelay:
		return fmt.Errorf("unknown target %q: use parley or relay", c.Target)
	case c.Scenario == ScenarioStart && c.Target == TargetRelay:
		return errors.New("the relay has no routing: the start scenario runs against parley only")
	case c.Sockets > MaxSockets:
		return fmt.Errorf("at most %d sockets", MaxSockets)
	case c.Chats > MaxChats:
		return fmt.Errorf("at most %d chats", MaxChats)
	case c.Duration+c.Warmup > MaxDuration:
		return fmt.Errorf("a run lasts at most %s", MaxDuration)
	case c.Rate > MaxRate || c.StartRate > MaxRate:
		return fmt.Errorf("at most %d per second", MaxRate)
	case c.Size > 16384:
		return errors.New("message size at most 16384 (the Participant Service's limit)")
	case c.Procs > maxProcs:
		return fmt.Errorf("at most %d client processes", maxProcs)
	case c.Nodes > maxNodes:
		return fmt.Errorf("at most %d nodes", maxNodes)
	case c.Nodes > 1 && (c.Database == "" || c.NATS == ""):
		return errors.New("several nodes need a postgres:// database (--database) and a NATS server (--nats)")
	case (c.Database != "" || c.NATS != "") && (c.Server != "spawn" || c.Target != TargetParley):
		return errors.New("--database and --nats are for parley nodes the generator starts (--server spawn)")
	case c.NATS != "" && c.Database == "":
		return errors.New("--nats needs --database: a bus without a shared store serves one node only")
	}
	if c.Procs == 0 && c.Scenario == ScenarioIdle {
		// Each node's sockets come from client processes of their own, so that no process holds more than
		// socketsPerProc.
		perNode := (c.Sockets + c.Nodes - 1) / c.Nodes
		c.Procs = c.Nodes * ((perNode + socketsPerProc - 1) / socketsPerProc)
	}
	if c.Procs > 1 && c.Server == "inproc" {
		return errors.New("several client processes need a server they can reach: use --server spawn")
	}
	return nil
}

// Report is the outcome of a run. Numbers are what was measured; Errors counts everything that did not go as
// ChatJS would expect (failed calls, wrong answers, missed heartbeats, lost or reordered messages).
type Report struct {
	Scenario string `json:"scenario"`
	Target   string `json:"target"`
	Server   string `json:"server"`
	// Nodes is the number of server processes, Store their store ("sqlite" or "postgres").
	Nodes   int     `json:"nodes"`
	Store   string  `json:"store"`
	Machine Machine `json:"machine"`
	// WindowSeconds is the measurement window's length.
	WindowSeconds float64 `json:"window_seconds"`
	// SetupSeconds is the time spent creating chats and connections before the load.
	SetupSeconds float64  `json:"setup_seconds"`
	Errors       int64    `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`

	Idle  *IdleReport  `json:"idle,omitempty"`
	Chat  *ChatReport  `json:"chat,omitempty"`
	Start *StartReport `json:"start,omitempty"`

	// ServerProc is the server process over the window (absent when its pid is unknown).
	ServerProc *ProcReport `json:"server_process,omitempty"`
	// ClientCPU is the generator's CPU (this process) over the window, in cores.
	ClientCPU float64  `json:"client_cpu_cores"`
	Profiles  []string `json:"profiles,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs        int    `json:"cpus"`
	GoVersion   string `json:"go"`
	OS          string `json:"os"`
	LoadBefore  string `json:"loadavg_before"`
	LoadAfter   string `json:"loadavg_after"`
	FDLimit     int    `json:"fd_limit"`
	ServerInGen bool   `json:"server_in_generator_process,omitempty"`
}

// ProcReport is what /proc said about the server.
type ProcReport struct {
	PID int `json:"pid"`
	// RSSBefore is the resident set before the load (idle: after the chats were created, before any socket).
	RSSBefore int64 `json:"rss_before_bytes"`
	RSSAfter  int64 `json:"rss_after_bytes"`
	// CPU is the server's CPU over the window, in cores (1.0 = one core busy).
	CPU     float64 `json:"cpu_cores"`
	Threads int     `json:"threads"`
}

// errorLog counts errors and keeps a few samples.
type errorLog struct {
	n       atomic.Int64
	mu      sync.Mutex
	samples []string
}

func (e *errorLog) add(format string, args ...any) {
	if e.n.Add(1) > 10 {
		return
	}
	e.mu.Lock()
	e.samples = append(e.samples, fmt.Sprintf(format, args...))
	e.mu.Unlock()
}

func (e *errorLog) into(r *Report) {
	r.Errors += e.n.Load()
	e.mu.Lock()
	r.ErrorSamples = append(r.ErrorSamples, e.samples...)
	e.mu.Unlock()
}

// Run runs one scenario and returns its report. A non-nil error means the run could not be carried out (the
// server did not start, setup failed); errors under load are counted in the report instead.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	store := "sqlite"
	if cfg.Database != "" {
		store = "postgres"
	}
	r := &Report{Scenario: cfg.Scenario, Target: cfg.Target, Server: cfg.Server, Nodes: cfg.Nodes, Store: store, Machine: Machine{
		CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		LoadBefore: loadAvg(), FDLimit: fdLimit(), ServerInGen: cfg.Server == "inproc",
	}}
	var err error
	switch cfg.Scenario {
	case ScenarioIdle:
		err = runIdle(ctx, &cfg, r)
	case ScenarioChat:
		err = runChat(ctx, &cfg, r)
	case ScenarioStart:
		err = runStart(ctx, &cfg, r)
	}
	r.Machine.LoadAfter = loadAvg()
	if err != nil {
		return nil, err
	}
	return r, nil
}

// logf writes a progress line.
func (c *Config) logf(format string, args ...any) {
	fmt.Fprintf(c.Log, "bench: "+format+"\n", args...)
}

// forEach runs f(i) for i in [0, n) on at most conc goroutines and waits.
func forEach(ctx context.Context, n, conc int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func newToken() string { return uuid.NewString() }

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// Text writes the report for people.
func (r *Report) Text(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s, target %s (server %s)\n", r.Scenario, r.Target, r.Server)
	if r.Nodes > 1 || r.Store == "postgres" {
		fmt.Fprintf(&b, "cluster: %d node(s) on %s; server memory and CPU below are their sums\n", r.Nodes, r.Store)
	}
	m := r.Machine
	fmt.Fprintf(&b, "machine: %d CPUs, %s, %s, fd limit %d, load average before %s, after %s\n",
		m.CPUs, m.OS, m.GoVersion, m.FDLimit, m.LoadBefore, m.LoadAfter)
	if m.ServerInGen {
		b.WriteString("note: the server runs in the generator's process: CPU and RSS include the generator\n")
	}
	fmt.Fprintf(&b, "setup %.1f s, window %.1f s, errors %d\n", r.SetupSeconds, r.WindowSeconds, r.Errors)
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(&b, "  error: %s\n", s)
	}
	lat := func(name string, l Latency) {
		fmt.Fprintf(&b, "  %-22s n=%-8d p50 %7.2f  p90 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms\n",
			name, l.Count, l.P50, l.P90, l.P99, l.P999, l.Max)
	}
	if x := r.Idle; x != nil {
		fmt.Fprintf(&b, "idle: %d sockets open of %d (%d failed, %d closed early) in %d client process(es), %.0f opened/s\n",
			x.Open, x.Sockets, x.Failed, x.ClosedEarly, x.Procs, x.OpenRate)
		fmt.Fprintf(&b, "  beats %d, missed %d, bad answers %d\n", x.Beats, x.MissedBeats, x.BadAnswers)
		lat("heartbeat answer", x.BeatLatency)
		if x.RSSPerSocket > 0 {
			fmt.Fprintf(&b, "  server memory per socket: %.2f KiB RSS (total RSS / sockets: %.2f KiB)\n",
				x.RSSPerSocket/1024, x.RSSTotalPerSocket/1024)
			if x.HeapPerSocket != 0 || x.StackPerSocket != 0 {
				fmt.Fprintf(&b, "    of which Go heap in use %.2f KiB, goroutine stacks %.2f KiB\n",
					x.HeapPerSocket/1024, x.StackPerSocket/1024)
			}
		}
		if x.HeartbeatCPU >= 0 && r.ServerProc != nil {
			fmt.Fprintf(&b, "  server CPU while heartbeating: %.1f%% of one core\n", 100*x.HeartbeatCPU)
		}
	}
	if x := r.Chat; x != nil {
		mode := "as fast as possible"
		if x.TargetRate > 0 {
			mode = fmt.Sprintf("target %.0f msg/s", x.TargetRate)
		}
		fmt.Fprintf(&b, "chat: %d chats, %d-byte messages, %s\n", x.Chats, x.Size, mode)
		fmt.Fprintf(&b, "  sent %d (acknowledged %.0f msg/s), delivered %d to the other party (%.0f msg/s)\n",
			x.Acked, x.AckedRate, x.Delivered, x.DeliveredRate)
		fmt.Fprintf(&b, "  failed sends %d, lost %d, duplicated or reordered %d\n", x.SendErrors, x.Lost, x.Reordered)
		lat("send → other socket", x.EndToEnd)
		lat("send → HTTP answer", x.Ack)
		if s := x.Stream; s != nil {
			drain := "not within 60 s"
			if s.DrainSeconds >= 0 {
				drain = fmt.Sprintf("%.2f s after the load stopped", s.DrainSeconds)
			}
			fmt.Fprintf(&b, "  streamed to %s: %d of %d messages (%d notifications in %d requests, %d refused), all in %s\n",
				s.To, s.Messages, s.Expected, s.Notifications, s.Requests, s.Refused, drain)
			if s.Process != "" {
				fmt.Fprintf(&b, "  the receiver ran in %s", s.Process)
				if s.CPU > 0 {
					fmt.Fprintf(&b, ": %.2f cores over the window", s.CPU)
				}
				b.WriteString("\n")
			}
			if s.Error != "" {
				fmt.Fprintf(&b, "  the receiver failed: %s\n", s.Error)
			}
		}
	}
	if x := r.Start; x != nil {
		fmt.Fprintf(&b, "start: %d agents, target %.0f chats/s: started %d (%.0f/s), offered %d, connected %d\n",
			x.Agents, x.TargetRate, x.Started, x.StartedRate, x.Offered, x.Connected)
		if len(x.Flows) > 0 {
			fmt.Fprintf(&b, "  flows: %s\n", strings.Join(x.Flows, " → "))
		}
		fmt.Fprintf(&b, "  failed starts %d, never offered %d, offered twice %d, never connected %d, withdrawn %d, end/clear failures %d\n",
			x.StartErrors, x.NotOffered, x.OfferedTwice, x.NotConnected, x.Withdrawn, x.EndErrors)
		lat("StartChatContact", x.StartCall)
		lat("start → offer", x.Offer)
		lat("start → agent joined", x.Joined)
	}
	if p := r.ServerProc; p != nil {
		fmt.Fprintf(&b, "server pid %d: RSS %.1f MiB before, %.1f MiB after; CPU %.2f cores over the window; %d threads\n",
			p.PID, mib(p.RSSBefore), mib(p.RSSAfter), p.CPU, p.Threads)
	}
	fmt.Fprintf(&b, "generator CPU: %.2f cores over the window\n", r.ClientCPU)
	for _, f := range r.Profiles {
		fmt.Fprintf(&b, "profile: %s\n", f)
	}
	_, _ = io.WriteString(w, b.String())
}
