package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parley-chat/parley/bench/relay"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// target is the server under load: parley or the relay, in a child process, in this process, or already running.
type target struct {
	base     string // http://127.0.0.1:PORT
	pid      int    // process whose /proc the report reads; 0: unknown
	pprof    string // http://127.0.0.1:PORT of its net/http/pprof, "" if none
	inproc   bool
	stop     func() error
	logPath  string // a child's stderr
	instance string
	flow     string
	// more are the cluster's other nodes (Config.Nodes above 1): their own processes on the same database and
	// NATS server. This target is the first node; clients are spread over all of them (nodes).
	more []*target
}

// nodes returns every node of the target, this one first.
func (t *target) nodes() []*target { return append([]*target{t}, t.more...) }

// loopbackHost reports whether host (a name or an address) is loopback only.
func loopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if host != "localhost" {
		return false
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// checkLoopbackURL refuses any URL whose host is not loopback: the generator never sends load elsewhere.
func checkLoopbackURL(raw string) error {
	hp, err := hostPortAny(raw)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(hp)
	if err != nil {
		host = hp
	}
	if !loopbackHost(host) {
		return fmt.Errorf("refusing %s: the load generator only targets loopback addresses (127.0.0.0/8, ::1)", raw)
	}
	return nil
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// The chat scenario sends as fast as the server acknowledges, far past one participant's default message rate
// (a person never types 20 messages a second): a server the benchmark starts raises that one rate out of reach,
// so that the limiter still runs on every request and its cost is measured (docs/benchmarks.md). A running
// server (--server URL) needs the same setting. The idle scenario's client processes each open up to
// socketsPerProc sockets from one loopback address, past the default per-address cap, which is lifted too.
var benchLimits = throttle.Config{
	Participant: throttle.ParticipantRates{Messages: throttle.Rate{Rate: 1e6, Burst: 1e6}},
	Connections: throttle.Connections{PerIP: -1},
}

const limitsYAML = "limits:\n  participant:\n    messages: {rate: 1000000, burst: 1000000}\n  connections:\n    per_ip: -1\n"

// startTarget starts (or finds) the server under load.
func startTarget(ctx context.Context, cfg *Config, bootstrap string) (*target, error) {
	switch {
	case cfg.Server == "spawn":
		return spawnTarget(ctx, cfg, bootstrap)
	case cfg.Server == "inproc":
		return inprocTarget(ctx, cfg, bootstrap)
	default:
		if err := checkLoopbackURL(cfg.Server); err != nil {
			return nil, err
		}
		if bootstrap != "" {
			return nil, errors.New("the start scenario needs agents from a bootstrap file: use --server spawn or inproc")
		}
		t := &target{base: strings.TrimRight(cfg.Server, "/"), pid: cfg.ServerPID, stop: func() error { return nil }}
		return t, waitHealthy(ctx, t.base, 5*time.Second)
	}
}

func spawnTarget(ctx context.Context, cfg *Config, bootstrap string) (*target, error) {
	if cfg.Database == "" {
		return spawnNode(ctx, cfg, bootstrap, nil)
	}
	return spawnCluster(ctx, cfg, bootstrap)
}

// spawnCluster starts cfg.Nodes nodes at once on a new schema of cfg.Database (dropped when the target stops,
// so that every run starts as empty as a new SQLite directory) and on cfg.NATS under a prefix of its own. On the
// empty schema one node creates the instance and the others wait for it, as a cluster's first start does.
func spawnCluster(ctx context.Context, cfg *Config, bootstrap string) (*target, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	runID := hex.EncodeToString(b[:])
	dsn, dropSchema, err := newSchema(ctx, cfg.Database, "parley_bench_"+runID)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	args := []string{"--database", dsn, "--secret", hex.EncodeToString(secret)}
	if cfg.NATS != "" {
		args = append(args, "--nats", cfg.NATS, "--nats-prefix", "parley_bench_"+runID)
	}
	nodes := make([]*target, cfg.Nodes)
	var errs errorLog
	forEach(ctx, cfg.Nodes, cfg.Nodes, func(i int) {
		n, err := spawnNode(ctx, cfg, bootstrap, args)
		if err != nil {
			errs.add("node %d: %v", i+1, err)
			return
		}
		nodes[i] = n
	})
	stops := make([]func() error, 0, len(nodes))
	for _, n := range nodes {
		if n != nil {
			stops = append(stops, n.stop)
		}
	}
	stop := func() error {
		var err error
		for _, s := range stops {
			err = errors.Join(err, s())
		}
		return errors.Join(err, dropSchema())
	}
	if errs.n.Load() > 0 {
		return nil, errors.Join(errors.New(strings.Join(errs.samples, "\n")), stop())
	}
	t := nodes[0]
	t.more = nodes[1:]
	t.stop = stop
	cfg.logf("%d node(s) up on Postgres schema parley_bench_%s", cfg.Nodes, runID)
	return t, nil
}

// newSchema creates schema in the Postgres database at dsn and returns a URL that uses it, and a function that
// drops it.
func newSchema(ctx context.Context, dsn, schema string) (string, func() error, error) {
	db, err := pgxpool.New(ctx, dsn)
	if err == nil {
		err = db.Ping(ctx)
	}
	if err != nil {
		return "", nil, fmt.Errorf("database %s: %w", dsn, err)
	}
	if _, err := db.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	drop := func() error {
		defer db.Close()
		_, err := db.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		return err
	}
	return withSearchPath(dsn, schema), drop, nil
}

// withSearchPath returns dsn (a URL or a key=value string) with its search_path set to schema.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// spawnNode starts one child server; cluster holds the flags a cluster's nodes share.
func spawnNode(ctx context.Context, cfg *Config, bootstrap string, cluster []string) (*target, error) {
	bin := cfg.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	paddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var args []string
	if cfg.Target == TargetRelay {
		args = []string{"bench", "relay", "--listen", addr, "--pprof", paddr}
	} else {
		args = []string{"serve", "--listen", addr, "--data", filepath.Join(dir, "data"), "--log-level", "warn",
			"--pprof", paddr}
		if bootstrap != "" {
			f := filepath.Join(dir, "bootstrap.yaml")
			if err := os.WriteFile(f, []byte(bootstrap), 0o600); err != nil {
				return nil, err
			}
			args = append(args, "--bootstrap", f)
		}
		y := limitsYAML
		if cfg.streaming != nil {
			s, err := streamingYAML(cfg.streaming)
			if err != nil {
				return nil, err
			}
			y += s
		}
		f := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(f, []byte(y), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--config", f)
		args = append(args, cluster...)
	}
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	dieWithParent(cmd)
	cmd.Stdout = io.Discard // the banner (with the demo agent's password)
	cmd.Stderr = logf
	// Only the generator's own PARLEY_* settings must not leak into the server; GOGC and friends come from
	// --server-env.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, cfg.ServerEnv...)
	cmd.Env = append(cmd.Env, cfg.streamingEnv...)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t := &target{base: "http://" + addr, pid: cmd.Process.Pid, pprof: "http://" + paddr, logPath: logPath}
	t.stop = func() error {
		defer os.RemoveAll(dir)
		defer logf.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return fmt.Errorf("server exited: %w%s", err, logTail(logPath))
			}
			return err
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return errors.New("server did not stop within 20 s of SIGTERM; killed")
		}
	}
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- waitHealthy(hctx, t.base, 30*time.Second) }()
	select {
	case err := <-done:
		if err != nil {
			_ = t.stop()
			return nil, fmt.Errorf("server did not come up: %w%s", err, logTail(logPath))
		}
	case err := <-exited:
		exited <- err // for stop
		_ = t.stop()
		return nil, fmt.Errorf("server exited at start: %v%s", err, logTail(logPath))
	}
	return t, nil
}

// logTail returns the end of a child's log, for error messages.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nserver log:\n" + string(b)
}

func inprocTarget(ctx context.Context, cfg *Config, bootstrap string) (*target, error) {
	if cfg.Target == TargetRelay {
		r, err := relay.Start("127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		return &target{base: r.URL(), pid: os.Getpid(), inproc: true, stop: r.Close}, nil
	}
	dir, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	sc := server.Config{DataDir: filepath.Join(dir, "data"), Listen: "127.0.0.1:0", Limits: benchLimits}
	if cfg.streaming != nil {
		sc.Streaming = *cfg.streaming
		for _, kv := range cfg.streamingEnv { // the SDK reads the process environment
			k, v, _ := strings.Cut(kv, "=")
			if os.Getenv(k) == "" {
				os.Setenv(k, v)
			}
		}
	}
	if bootstrap != "" {
		f := filepath.Join(dir, "bootstrap.yaml")
		if err := os.WriteFile(f, []byte(bootstrap), 0o600); err != nil {
			return nil, err
		}
		sc.Bootstrap = f
	}
	m := server.New(sc, nil)
	if err := m.Start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	in, flow := m.Instance()
	return &target{base: m.URL(), pid: os.Getpid(), inproc: true, instance: in.ID, flow: flow.ID,
		stop: func() error {
			defer os.RemoveAll(dir)
			return m.Close()
		}}, nil
}

// waitHealthy polls GET /healthz until it answers 200.
func waitHealthy(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("healthz: HTTP %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// profiler captures a CPU profile of the target over the measurement window and a heap profile at its end,
// into dir: from the target's pprof endpoint, or with runtime/pprof when the target runs in this process (the
// profile then includes the generator).
type profiler struct {
	dir    string
	t      *target
	prefix string
	cpu    chan error
	files  []string
}

func startProfile(dir, prefix string, t *target, window time.Duration) *profiler {
	if dir == "" {
		return nil
	}
	p := &profiler{dir: dir, t: t, prefix: prefix, cpu: make(chan error, 1)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.cpu <- err
		return p
	}
	cpuPath := filepath.Join(dir, prefix+"cpu.pprof")
	switch {
	case t.inproc:
		f, err := os.Create(cpuPath)
		if err != nil {
			p.cpu <- err
			return p
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			p.cpu <- err
			return p
		}
		go func() {
			time.Sleep(window)
			pprof.StopCPUProfile()
			p.cpu <- f.Close()
		}()
	case t.pprof != "":
		secs := max(1, int(window.Round(time.Second)/time.Second))
		gen := p.generator(filepath.Join(dir, prefix+"generator-cpu.pprof"), window)
		go func() {
			err := fetch(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", t.pprof, secs), cpuPath)
			p.cpu <- errors.Join(err, <-gen)
		}()
	default:
		p.cpu <- errors.New("the target has no pprof endpoint (start it with --pprof)")
		return p
	}
	p.files = append(p.files, cpuPath)
	return p
}

// generator profiles this process (the load generator, and the streaming receiver of a --stream run) over the
// window when the target is another process; the returned channel reports the outcome.
func (p *profiler) generator(path string, window time.Duration) <-chan error {
	done := make(chan error, 1)
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		done <- err
		return done
	}
	p.files = append(p.files, path)
	go func() {
		time.Sleep(window)
		pprof.StopCPUProfile()
		done <- f.Close()
	}()
	return done
}

// finish waits for the CPU profiles and takes the heap profile.
func (p *profiler) finish() ([]string, error) {
	if p == nil {
		return nil, nil
	}
	err := <-p.cpu
	heapPath := filepath.Join(p.dir, p.prefix+"heap.pprof")
	var herr error
	switch {
	case p.t.inproc:
		runtime.GC()
		var f *os.File
		if f, herr = os.Create(heapPath); herr == nil {
			herr = errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
		}
	case p.t.pprof != "":
		herr = fetch(p.t.pprof+"/debug/pprof/heap?gc=1", heapPath)
	default:
		herr = errors.New("no pprof endpoint")
	}
	files := p.files
	if herr == nil {
		files = append(files, heapPath)
	}
	return files, errors.Join(err, herr)
}

// goMemory is what the target's Go runtime says about its memory (from /debug/pprof/heap?debug=1), in bytes.
type goMemory struct {
	HeapInuse, StackInuse int64
}

// readGoMemory sums the memory statistics of every node of the target.
func readGoMemory(t *target) (goMemory, bool) {
	var sum goMemory
	for _, n := range t.nodes() {
		m, ok := readNodeMemory(n)
		if !ok {
			return goMemory{}, false
		}
		sum.HeapInuse += m.HeapInuse
		sum.StackInuse += m.StackInuse
	}
	return sum, true
}

// readNodeMemory asks one node's pprof endpoint (or this process's runtime) for its memory statistics.
func readNodeMemory(t *target) (goMemory, bool) {
	if t.inproc {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return goMemory{HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse)}, true
	}
	if t.pprof == "" {
		return goMemory{}, false
	}
	resp, err := http.Get(t.pprof + "/debug/pprof/heap?debug=1")
	if err != nil {
		return goMemory{}, false
	}
	defer resp.Body.Close()
	var m goMemory
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# HeapInuse = "); ok {
			m.HeapInuse, _ = strconv.ParseInt(v, 10, 64)
			found++
		} else if v, ok := strings.CutPrefix(line, "# Stack = "); ok { // "# Stack = inuse / sys"
			inuse, _, _ := strings.Cut(v, " ")
			m.StackInuse, _ = strconv.ParseInt(inuse, 10, 64)
			found++
		}
	}
	return m, found == 2
}

func fetch(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, b.String())
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
