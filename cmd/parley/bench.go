package main

// parley bench: the load generator (package bench) and its helpers.
//
//	parley bench idle|chat|start [flags]    run a scenario and print the report (docs/benchmarks.md)
//	parley bench soak [flags]               chats while the server is killed with SIGKILL and restarted
//	parley bench relay [--listen ADDR]      run the baseline relay server
//	parley bench worker                     a client process of a multi-process run (started by bench itself)
//	parley bench receiver --to webhook|sns  the streaming receiver of a --stream run (started by bench itself)

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley/bench"
	"github.com/parley-chat/parley/bench/relay"
)

// benchCommands are the subcommands of parley bench.
var benchCommands = []command{
	{name: bench.ScenarioIdle, summary: "open idle participant sockets; report memory and CPU per socket", run: benchRun(benchScenario(bench.ScenarioIdle))},
	{name: bench.ScenarioChat, summary: "chats exchanging messages; report throughput and latency", run: benchRun(benchScenario(bench.ScenarioChat))},
	{name: bench.ScenarioStart, summary: "start chats routed to auto-accepting agents; report the rate and latency", run: benchRun(benchScenario(bench.ScenarioStart))},
	{name: "soak", summary: "chats while the server is killed with SIGKILL and restarted", run: benchRun(benchSoak)},
	{name: "relay", summary: "run the baseline relay", run: benchRun(benchRelay)},
	{name: "worker", hidden: true, run: benchRun(func(ctx context.Context, _ []string, stdout, _ io.Writer) error {
		return bench.Worker(ctx, os.Stdin, stdout) // a client process of a multi-process run, started by bench
	})},
	{name: "receiver", hidden: true, run: benchRun(func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		// the streaming receiver of a --stream run, started by bench
		fs := flag.NewFlagSet("parley bench receiver", flag.ContinueOnError)
		fs.SetOutput(stderr)
		to := fs.String("to", "webhook", "webhook or sns")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return bench.Receiver(ctx, *to, os.Stdin, stdout)
	})},
}

// benchRun runs a bench subcommand until it ends or is interrupted.
func benchRun(f func(ctx context.Context, args []string, stdout, stderr io.Writer) error) runFunc {
	return func(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		return f(ctx, args, stdout, stderr)
	}
}

// benchScenario runs a load scenario and prints its report.
func benchScenario(sub string) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return benchScenarioRun(ctx, sub, args, stdout, stderr)
	}
}

func benchScenarioRun(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	cfg := bench.Config{Scenario: sub, Log: stderr}
	fs := flag.NewFlagSet("parley bench "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Target, "target", bench.TargetParley,
		"server under load: parley, relay (the baseline), or both (relay and parley alternately, then their ratio)")
	rounds := fs.Int("rounds", 3, "with --target both or --compare-stream: rounds (the comparison takes medians)")
	fs.StringVar(&cfg.Server, "server", "spawn",
		"spawn (a child 'parley serve' on a temp dir), inproc (this process), or the URL of a running loopback server")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "pid of a running server (with --server URL), for its RSS and CPU")
	fs.IntVar(&cfg.Nodes, "nodes", 1, "spawned server processes on one --database and --nats; clients are spread over them")
	fs.StringVar(&cfg.Database, "database", "", "postgres:// URL: spawned nodes store on a new schema of it (dropped after the run)")
	fs.StringVar(&cfg.NATS, "nats", "", "nats:// URL for the spawned nodes' bus (needed with --nodes above 1)")
	var env multiFlag
	fs.Var(&env, "server-env", "KEY=VALUE added to a spawned server's environment, e.g. GOGC=200 (repeatable)")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "measurement window")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "load before the window (idle: settling time after the sockets open)")
	fs.DurationVar(&cfg.Heartbeat, "heartbeat", 10*time.Second, "aws/ping + aws/heartbeat interval (ChatJS: 10s)")
	fs.IntVar(&cfg.SetupConcurrency, "setup-concurrency", 32, "concurrent setup calls")
	fs.IntVar(&cfg.Sockets, "sockets", 1000, "idle: participant sockets")
	fs.IntVar(&cfg.Procs, "procs", 0, "idle: client processes (default: one per 15,000 sockets)")
	fs.IntVar(&cfg.Chats, "chats", 100, "chat: concurrent chats (two parties each)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "chat: total messages/s (0: as fast as acknowledged); start: StartChatContact/s (default 200)")
	fs.IntVar(&cfg.Size, "size", 80, "chat: message content bytes")
	fs.BoolVar(&cfg.Stream, "stream", false, "chat: stream every chat to a receiver (see --stream-to, --stream-receiver; parley only)")
	compareStream := fs.Bool("compare-stream", false, "chat: run without streaming and with it (as --stream) alternately, --rounds times, then their medians and ratio")
	fs.StringVar(&cfg.StreamReceiver, "stream-receiver", "", "chat --stream: where the receiver runs: process (a child at the lowest CPU priority, standing in for a receiver on another machine; default with --server spawn) or inproc (in the generator)")
	fs.StringVar(&cfg.StreamTo, "stream-to", "webhook", "chat --stream: webhook (signed, one notification a request) or sns (a local SNS taking PublishBatch)")
	fs.IntVar(&cfg.Agents, "agents", 20, "start: auto-accepting agents (10 chat slots each)")
	var flows listFlag
	fs.Var(&flows, "flow", "start: a contact flow file to import (repeatable; chats start on the last, see docs/benchmarks.md)")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "directory for the server's CPU (over the window) and heap profiles")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.ServerEnv = env
	cfg.Flows = flows
	if cfg.Warmup == 0 {
		cfg.Warmup = -1 // an explicit 0 means no warm-up, not the default
	}
	if sub == bench.ScenarioStart {
		cfg.StartRate, cfg.Rate = cfg.Rate, 0
	}
	if *compareStream {
		return benchCompareStream(ctx, cfg, *rounds, *jsonOut, stdout, stderr)
	}
	if cfg.Target != targetBoth {
		rep, err := bench.Run(ctx, cfg)
		if err != nil {
			return err
		}
		if *jsonOut {
			return writeJSON(stdout, rep)
		}
		rep.Text(stdout)
		return nil
	}
	return benchBoth(ctx, cfg, *rounds, *jsonOut, stdout, stderr)
}

// targetBoth is --target both: the relay and parley alternately, then their comparison.
const targetBoth = "both"

// benchBoth runs rounds of the scenario against the relay and parley alternately (relay first, so that both
// see the machine in the same states) and prints every report and the comparison.
func benchBoth(ctx context.Context, cfg bench.Config, rounds int, jsonOut bool, stdout, stderr io.Writer) error {
	if cfg.Scenario == bench.ScenarioStart {
		return errors.New("--target both: the start scenario has no baseline (the relay does no routing)")
	}
	if cfg.Server != "spawn" && cfg.Server != "inproc" {
		return errors.New("--target both needs --server spawn or inproc: each round starts its own server")
	}
	if rounds < 1 || rounds > 10 {
		return fmt.Errorf("--rounds %d: want 1 to 10", rounds)
	}
	relay, parley := cfg, cfg
	relay.Target, parley.Target = bench.TargetRelay, bench.TargetParley
	reports, err := benchRounds(ctx, rounds, []benchVariant{{bench.TargetRelay, relay}, {bench.TargetParley, parley}},
		jsonOut, stdout, stderr)
	if err != nil {
		return err
	}
	cmp, err := bench.Compare(reports)
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(stdout, struct {
			Reports    []*bench.Report   `json:"reports"`
			Comparison *bench.Comparison `json:"comparison"`
		}{reports, cmp})
	}
	cmp.Text(stdout)
	return nil
}

// benchCompareStream is --compare-stream: rounds of the chat scenario without streaming and with it, alternately,
// then their comparison.
func benchCompareStream(ctx context.Context, cfg bench.Config, rounds int, jsonOut bool, stdout, stderr io.Writer) error {
	if cfg.Scenario != bench.ScenarioChat || cfg.Target != bench.TargetParley {
		return errors.New("--compare-stream: the chat scenario against parley only")
	}
	if rounds < 1 || rounds > 10 {
		return fmt.Errorf("--rounds %d: want 1 to 10", rounds)
	}
	without, with := cfg, cfg
	without.Stream, with.Stream = false, true
	reports, err := benchRounds(ctx, rounds,
		[]benchVariant{{"without streaming", without}, {"streaming to " + cfg.StreamTo, with}}, jsonOut, stdout, stderr)
	if err != nil {
		return err
	}
	cmp, err := bench.CompareStream(reports)
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(stdout, struct {
			Reports    []*bench.Report         `json:"reports"`
			Comparison *bench.StreamComparison `json:"comparison"`
		}{reports, cmp})
	}
	cmp.Text(stdout)
	return nil
}

// benchVariant is one run of each round of a comparison, and what stderr calls it.
type benchVariant struct {
	name string
	cfg  bench.Config
}

// benchRounds runs the variants in order, once a round, and returns their reports in that order; each report is
// printed as it comes unless jsonOut.
func benchRounds(ctx context.Context, rounds int, variants []benchVariant, jsonOut bool, stdout, stderr io.Writer) ([]*bench.Report, error) {
	var reports []*bench.Report
	for i := range rounds {
		for _, v := range variants {
			fmt.Fprintf(stderr, "bench: round %d of %d, %s\n", i+1, rounds, v.name)
			rep, err := bench.Run(ctx, v.cfg)
			if err != nil {
				return nil, fmt.Errorf("round %d, %s: %w", i+1, v.name, err)
			}
			reports = append(reports, rep)
			if !jsonOut {
				rep.Text(stdout)
				fmt.Fprintln(stdout)
			}
		}
	}
	return reports, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errSoakFailed is the error of a soak run that broke a promise (its report says which).
var errSoakFailed = errors.New("soak: messages lost, duplicated or reordered, contacts stuck, or errors (see the report)")

// benchSoak runs the soak scenario: it fails when the report is not OK, so that a script sees a broken promise
// in the exit status.
func benchSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := bench.SoakConfig{Log: stderr}
	fs := flag.NewFlagSet("parley bench soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Minute, "how long the load runs")
	fs.DurationVar(&cfg.KillEvery, "kill-every", 30*time.Second,
		"mean time between SIGKILLs of the server (each after 0.4 to 1.6 times this; 0: never kill)")
	fs.IntVar(&cfg.MaxKills, "max-kills", 0, "end the load one interval after this many kills (0: run for --duration)")
	fs.IntVar(&cfg.Chats, "chats", 10, "chats (two senders each: the customer and a bot)")
	fs.Float64Var(&cfg.Rate, "rate", 200, "total messages/s (0: each sender as fast as acknowledged)")
	fs.StringVar(&cfg.Data, "data", "", "the server's data directory (default: a temporary one, removed at the end)")
	fs.StringVar(&cfg.Binary, "binary", "", "the parley executable to run as the server (default: this one)")
	fs.IntVar(&cfg.Nodes, "nodes", 1, "server processes on one --database and --nats (a kill then takes one down)")
	fs.StringVar(&cfg.Database, "database", "", "postgres:// URL for every node (default: SQLite in the data directory)")
	fs.StringVar(&cfg.NATS, "nats", "", "nats:// URL for every node (needed with --nodes above 1)")
	var env multiFlag
	fs.Var(&env, "server-env", "KEY=VALUE added to the server's environment (repeatable)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.ServerEnv = env
	rep, err := bench.Soak(ctx, cfg)
	if err != nil {
		return err
	}
	if *jsonOut {
		err = writeJSON(stdout, rep)
	} else {
		rep.Text(stdout)
	}
	if err == nil && !rep.OK() {
		err = errSoakFailed
	}
	return err
}

// benchRelay runs the baseline relay until interrupted.
func benchRelay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley bench relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "loopback listen address")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this loopback address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := relay.Start(*listen)
	if err != nil {
		return err
	}
	if *pprofAddr != "" {
		if _, err := r.ServePprof(*pprofAddr); err != nil {
			return errors.Join(err, r.Close())
		}
	}
	fmt.Fprintf(stdout, "relay serving at %s\n", r.URL())
	<-ctx.Done()
	return r.Close()
}

// multiFlag is a repeatable string flag.
// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*m = append(*m, v)
	return nil
}
