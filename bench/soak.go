package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/parley-chat/parley/wire"
)

// The soak scenario (`parley bench soak`, and test/crash in CI) checks the product's durability promises while
// the server is killed with SIGKILL and restarted on the same data directory, again and again: chats under load,
// every SendMessage with its own ClientToken and a content naming its sender and number, a request that fails
// (the server died under it, or is not up yet) retried with the same ClientToken until it is answered. At the
// end every chat's transcript must hold every acknowledged message exactly once, with the Id and AbsoluteTime
// of its answer, each sender's in send order; and every chat must still end (nothing stuck).
//
// With several nodes on one Postgres database and one NATS server (issue 15, "Node loss"), a kill takes a node
// down and it stays down: each chat's customer talks to one node and its bot to the next (chat i's customer to
// node i, modulo the number of nodes), a sender whose request gets no answer fails over to the next node and
// retries there with the same ClientToken (and comes back once its node is up again), and the nodes that are up
// must answer /healthz with 200 throughout.

// SoakConfig is one soak run. The zero value of a field means its default.
type SoakConfig struct {
	// Binary is the parley executable to run as the server. Default: this executable.
	Binary string
	// Data is the server's data directory (with several nodes: the parent of node-1, node-2, …). Default: a
	// temporary directory, removed at the end.
	Data string
	// Nodes is the number of `parley serve` processes, started at once; more than one needs Database and NATS.
	// Default 1.
	Nodes int
	// Database and NATS, when set, are every node's --database (a postgres:// URL) and --nats; the nodes then
	// share a random --secret and a --nats-prefix of the run.
	Database, NATS string
	// ServerEnv is added to the server's environment, after PARLEY_LIMITS=off (the soak's default).
	ServerEnv []string
	// Duration is how long the load runs. Default 10 minutes.
	Duration time.Duration
	// KillEvery is the mean time between kills: each SIGKILL comes after a random 0.4 to 1.6 times KillEvery of
	// load since the server was last healthy, and one more comes after the load, before the checks. Zero never
	// kills. With several nodes, a kill takes down the second node, then the third, … (never the first), the
	// node killed before is started again just before, and no kill follows the load: from the first kill on one
	// node is down, through the checks.
	KillEvery time.Duration
	// Victim, when set, chooses the node a kill takes down instead (several nodes): it gets every node's Id
	// (/healthz's "node"; "" for a node that is down) and returns an index. A test kills the node that holds
	// a lease this way.
	Victim func(ctx context.Context, nodeIDs []string) (int, error)
	// Check, when set, runs after the soak's own checks while the nodes that are up still run (a test's own
	// check of the cluster); its error counts in Errors.
	Check func(ctx context.Context) error
	// MaxKills, when positive, ends the load early, one interval after the MaxKills-th kill under load (a short
	// run that must see a given number of kills: the CI test).
	MaxKills int
	// Chats is the number of chats, each with two senders (the customer and a CUSTOM_BOT). Default 10.
	Chats int
	// Rate is the total messages per second over all senders; 0: each sends as soon as its previous message is
	// acknowledged.
	Rate float64
	// Log receives progress lines. Default: discarded.
	Log io.Writer
	// ServerLog, when set, also receives the server's standard error, one process after the other (a test looks
	// for the race detector's reports there). With several nodes it is written concurrently.
	ServerLog io.Writer
}

// Bounds of a soak run.
const (
	MaxSoakDuration = 24 * time.Hour
	MaxSoakChats    = 1000
	MaxSoakNodes    = 16

	// soakGiveUp is how long a sender retries one message before it counts an error and gives up: far more
	// than a restart takes.
	soakGiveUp = 2 * time.Minute
	// soakEndWait bounds the wait for every chat to end after it was ended.
	soakEndWait = 30 * time.Second
)

func (c *SoakConfig) defaults() error {
	if c.Duration <= 0 {
		c.Duration = 10 * time.Minute
	}
	if c.Chats <= 0 {
		c.Chats = 10
	}
	if c.Nodes <= 0 {
		c.Nodes = 1
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	switch {
	case c.Duration > MaxSoakDuration:
		return fmt.Errorf("a soak run lasts at most %s", MaxSoakDuration)
	case c.Chats > MaxSoakChats:
		return fmt.Errorf("at most %d chats", MaxSoakChats)
	case c.Nodes > MaxSoakNodes:
		return fmt.Errorf("at most %d nodes", MaxSoakNodes)
	case c.Nodes > 1 && (c.Database == "" || c.NATS == ""):
		return errors.New("several nodes need a postgres:// database and a NATS server")
	case c.KillEvery < 0 || (c.KillEvery > 0 && c.KillEvery < 100*time.Millisecond):
		return errors.New("kill every 100ms or more (0: never)")
	case c.Rate < 0 || c.Rate > MaxRate:
		return fmt.Errorf("rate between 0 and %d per second", MaxRate)
	}
	return nil
}

func (c *SoakConfig) logf(format string, args ...any) {
	fmt.Fprintf(c.Log, "soak: "+format+"\n", args...)
}

// SoakReport is the outcome of a soak run. Lost, Duplicated, Reordered, Mismatched, Unknown, Stuck, Unhealthy
// and Errors must all be zero (OK).
type SoakReport struct {
	Nodes   int     `json:"nodes"`
	Chats   int     `json:"chats"`
	Senders int     `json:"senders"`
	Rate    float64 `json:"rate"` // 0: each sender as fast as acknowledged
	// LoadSeconds is how long the load ran.
	LoadSeconds float64 `json:"load_seconds"`
	// Acknowledged is messages answered 200 with an Id; Attempts is SendMessage requests, retries included.
	Acknowledged int64 `json:"acknowledged"`
	Attempts     int64 `json:"attempts"`
	// Retried is messages acknowledged after a failed attempt (retried with the same ClientToken); RetriedStored
	// is those whose answer was the item the failed attempt had stored before the server died (its time is
	// before the failure).
	Retried       int64 `json:"retried"`
	RetriedStored int64 `json:"retried_stored"`
	// FailedOver is requests sent to another node because the last one got no answer (several nodes).
	FailedOver int64 `json:"failed_over"`
	// InterruptedMedianMs and InterruptedMaxMs are, over the Retried messages, the time from a message's first
	// failed attempt to its acknowledgement: what a kill cost the clients it cut off (with several nodes, the
	// time until each affected sender got through to a surviving node).
	InterruptedMedianMs float64 `json:"interrupted_median_ms"`
	InterruptedMaxMs    float64 `json:"interrupted_max_ms"`
	// StartMs is the time from starting the server (every node at once) to the last healthy /healthz.
	StartMs float64 `json:"start_ms"`
	// Kills is SIGKILLs sent; Restarts is restarts that became healthy (with several nodes, of a node killed
	// before).
	Kills    int `json:"kills"`
	Restarts int `json:"restarts"`
	// RestartMedianMs and RestartMaxMs are the time from starting the process to a healthy /healthz.
	RestartMedianMs float64 `json:"restart_median_ms"`
	RestartMaxMs    float64 `json:"restart_max_ms"`
	// The checks of the transcripts (see soakCheck) and of the end of every chat.
	Lost           int `json:"lost"`
	Duplicated     int `json:"duplicated"`
	Reordered      int `json:"reordered"`
	Mismatched     int `json:"mismatched"`
	Unknown        int `json:"unknown"`
	Unacknowledged int `json:"unacknowledged"`
	// Stuck is chats that did not end (DescribeContact without a DisconnectTimestamp) within 30 s of being
	// ended by the customer's DisconnectParticipant (even chats) or StopContact (odd chats).
	Stuck int `json:"stuck"`
	// Unhealthy is /healthz answers other than 200 (or none) from a node that was up, polled every 250 ms.
	Unhealthy int64 `json:"unhealthy"`
	// Errors is answers no retry can fix (a 4xx to a SendMessage, a sender that gave up, a server that exited by
	// itself).
	Errors       int64    `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	Problems     []string `json:"problems,omitempty"`
}

// OK reports whether the run kept every promise.
func (r *SoakReport) OK() bool {
	return r.Lost == 0 && r.Duplicated == 0 && r.Reordered == 0 && r.Mismatched == 0 && r.Unknown == 0 &&
		r.Stuck == 0 && r.Unhealthy == 0 && r.Errors == 0
}

// Text writes the report for people.
func (r *SoakReport) Text(w io.Writer) {
	var b strings.Builder
	mode := "as fast as acknowledged"
	if r.Rate > 0 {
		mode = fmt.Sprintf("%.0f msg/s in total", r.Rate)
	}
	nodes := ""
	if r.Nodes > 1 {
		nodes = fmt.Sprintf("%d nodes, ", r.Nodes)
	}
	fmt.Fprintf(&b, "soak: %s%d chats, %d senders, %s, load %.1f s\n", nodes, r.Chats, r.Senders, mode, r.LoadSeconds)
	fmt.Fprintf(&b, "  acknowledged %d (%d attempts); retried after a failure %d, of which answered with the item stored before the kill %d\n",
		r.Acknowledged, r.Attempts, r.Retried, r.RetriedStored)
	if r.Nodes > 1 {
		fmt.Fprintf(&b, "  requests failed over to another node %d\n", r.FailedOver)
	}
	if r.Retried > 0 {
		fmt.Fprintf(&b, "  first failure to acknowledgement of an interrupted message: median %.0f ms, max %.0f ms\n",
			r.InterruptedMedianMs, r.InterruptedMaxMs)
	}
	fmt.Fprintf(&b, "  start to healthy %.0f ms; kills %d, restarts %d", r.StartMs, r.Kills, r.Restarts)
	if r.Restarts > 0 {
		fmt.Fprintf(&b, ", restart to healthy: median %.0f ms, max %.0f ms", r.RestartMedianMs, r.RestartMaxMs)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  lost %d, duplicated %d, reordered %d, mismatched Id/time %d, unknown %d, stuck contacts %d, unhealthy %d, errors %d\n",
		r.Lost, r.Duplicated, r.Reordered, r.Mismatched, r.Unknown, r.Stuck, r.Unhealthy, r.Errors)
	if r.Unacknowledged > 0 {
		fmt.Fprintf(&b, "  stored but never acknowledged (the sender gave up): %d\n", r.Unacknowledged)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(&b, "  error: %s\n", s)
	}
	if r.OK() {
		b.WriteString("  OK\n")
	} else {
		b.WriteString("  FAILED\n")
	}
	_, _ = io.WriteString(w, b.String())
}

// soakServer is a server process (a node), started again after a kill on the same address and data directory.
type soakServer struct {
	name                     string // "the server", "node 2"
	bin, addr, data, logPath string
	args                     []string // the cluster's flags
	env                      []string
	log                      *os.File
	tee                      io.Writer // SoakConfig.ServerLog

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	healthy bool          // cmd answered /healthz: its exit is a fault unless killing
	killing bool          // the exit of cmd is ours
	errs    *errorLog
}

// start starts the server and waits until it is healthy; it returns the time that took. A process that exits
// before it is healthy (the port was taken for a moment) is started again, a few times.
func (s *soakServer) start(ctx context.Context) (time.Duration, error) {
	var last error
	for range 5 {
		d, err := s.startOnce(ctx)
		if err == nil {
			return d, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		s.kill()
		time.Sleep(200 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s did not start: %w%s", s.name, last, logTail(s.logPath))
}

func (s *soakServer) startOnce(ctx context.Context) (time.Duration, error) {
	fmt.Fprintf(s.log, "--- soak: starting %s at %s\n", s.name, time.Now().UTC().Format(time.RFC3339Nano))
	cmd := exec.Command(s.bin, append([]string{"serve", "--listen", s.addr, "--data", s.data, "--log-level", "warn"},
		s.args...)...)
	cmd.Stdout = io.Discard // the banner
	cmd.Stderr = s.log
	if s.tee != nil {
		cmd.Stderr = io.MultiWriter(s.log, s.tee)
	}
	cmd.Env = s.env
	dieWithParent(cmd)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.exited, s.healthy, s.killing = cmd, exited, false, false
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		fault := s.healthy && !s.killing
		s.mu.Unlock()
		if fault {
			s.errs.add("%s exited by itself: %v", s.name, err)
		}
		close(exited)
	}()
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- waitHealthy(hctx, "http://"+s.addr, 60*time.Second) }()
	select {
	case err := <-done:
		d := time.Since(t0)
		if err == nil {
			s.mu.Lock()
			s.healthy = true
			s.mu.Unlock()
		}
		return d, err
	case <-exited:
		return 0, fmt.Errorf("%s exited at start", s.name)
	}
}

// up returns the process while it is healthy and not being killed, nil otherwise.
func (s *soakServer) up() *exec.Cmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || !s.healthy || s.killing {
		return nil
	}
	return s.cmd
}

// kill sends SIGKILL and waits until the process is gone. It does nothing if no server runs.
func (s *soakServer) kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.killing = true
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// soakSender is one participant sending messages. Its goroutine owns it until the load ends; Soak reads it
// after.
type soakSender struct {
	chat, idx int
	home      int    // the node it sends to while that is up
	node      int    // the node it sends to now
	token     string // ConnectionToken
	acks      []soakAck

	attempts, retried, retriedStored, failedOver int64
	// interrupted is, for every message acknowledged after a failed attempt, the time from the first failure to
	// the acknowledgement: how long the kill kept this sender from getting through.
	interrupted []time.Duration
}

// soakChat is one chat of the run.
type soakChat struct {
	contactID     string
	senders       [2]*soakSender // the customer, the bot
	customerToken string
}

// soakRun is the shared state of a run.
type soakRun struct {
	cfg        *SoakConfig
	runID      string
	nodes      []*soakServer
	hc         *http.Client
	instanceID string
	errs       errorLog
	acked      atomic.Int64
}

// Soak runs the soak scenario and returns its report. A non-nil error means the run could not be carried out
// (the server did not start or restart, setup failed); broken promises are counted in the report instead.
func Soak(ctx context.Context, cfg SoakConfig) (*SoakReport, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	bin := cfg.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	work, err := os.MkdirTemp("", "parley-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	data := cfg.Data
	if data == "" {
		data = filepath.Join(work, "data")
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	run := &soakRun{cfg: &cfg, runID: hex.EncodeToString(id[:])}
	// Only the generator's own PARLEY_* settings must not leak into the server.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") {
			env = append(env, kv)
		}
	}
	// The per-participant limits would turn "as fast as acknowledged" into 429s and retries that say nothing
	// about durability; ServerEnv comes after, so a run may turn them on again.
	env = append(env, "PARLEY_LIMITS=off")
	env = append(env, cfg.ServerEnv...)
	var cluster []string
	if cfg.Database != "" {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		cluster = append(cluster, "--database", cfg.Database, "--secret", hex.EncodeToString(secret))
	}
	if cfg.NATS != "" {
		cluster = append(cluster, "--nats", cfg.NATS, "--nats-prefix", "parley_soak_"+run.runID)
	}
	for i := range cfg.Nodes {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		n := &soakServer{name: "the server", bin: bin, addr: addr, data: data, args: cluster, env: env,
			logPath: filepath.Join(work, "server.log"), tee: cfg.ServerLog, errs: &run.errs}
		if cfg.Nodes > 1 {
			n.name, n.data = fmt.Sprintf("node %d", i+1), filepath.Join(data, fmt.Sprintf("node-%d", i+1))
			n.logPath = filepath.Join(work, fmt.Sprintf("node-%d.log", i+1))
		}
		if n.log, err = os.Create(n.logPath); err != nil {
			return nil, err
		}
		defer n.log.Close()
		defer n.kill()
		run.nodes = append(run.nodes, n)
	}
	// The nodes start at once: on an empty database, one bootstraps under a lease while the others wait.
	var startErrs errorLog
	t0 := time.Now()
	forEach(ctx, len(run.nodes), len(run.nodes), func(i int) {
		if _, err := run.nodes[i].start(ctx); err != nil {
			startErrs.add("%v", err)
		}
	})
	if startErrs.n.Load() > 0 {
		return nil, errors.New(strings.Join(startErrs.samples, "\n"))
	}
	startMs := ms(time.Since(t0))
	// The nodes that are up must stay healthy until the end.
	healthCtx, stopHealth := context.WithCancel(ctx)
	healthDone := make(chan struct{})
	var unhealthy atomic.Int64
	go func() {
		defer close(healthDone)
		run.watchHealth(healthCtx, &unhealthy)
	}()
	defer func() { stopHealth(); <-healthDone }()

	chats, err := run.setup(ctx)
	if err != nil {
		return nil, fmt.Errorf("setup: %w%s", err, run.logTails())
	}
	defer run.hc.CloseIdleConnections()
	var senders []*soakSender
	for _, c := range chats {
		senders = append(senders, c.senders[:]...)
	}
	r := &SoakReport{Nodes: cfg.Nodes, Chats: cfg.Chats, Senders: len(senders), Rate: cfg.Rate, StartMs: startMs}

	// The load: senders start new messages until stopNew; a message started is retried until answered.
	cfg.logf("%d node(s), %d chats, %d senders, for %s, killing every %s", cfg.Nodes, cfg.Chats, len(senders),
		cfg.Duration, cfg.KillEvery)
	newCtx, stopNew := context.WithCancel(ctx)
	defer stopNew()
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(len(senders)) / cfg.Rate)
	}
	var wg sync.WaitGroup
	begin := time.Now()
	for _, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.send(ctx, newCtx, s, interval)
		}()
	}
	var restarts []time.Duration
	restart := func(n *soakServer) error {
		d, err := n.start(ctx)
		if err != nil {
			return err
		}
		r.Restarts++
		restarts = append(restarts, d)
		cfg.logf("kill %d: %s restarted in %s; %d acknowledged so far", r.Kills, n.name, d.Round(time.Millisecond),
			run.acked.Load())
		return nil
	}
	down := -1 // with several nodes: the node killed last, down until the next kill
	kill := func() error {
		if len(run.nodes) == 1 {
			run.nodes[0].kill()
			r.Kills++
			return restart(run.nodes[0])
		}
		if down >= 0 {
			if err := restart(run.nodes[down]); err != nil {
				return err
			}
		}
		down = 1 + r.Kills%(len(run.nodes)-1)
		if cfg.Victim != nil {
			i, err := cfg.Victim(ctx, run.nodeIDs(ctx))
			if err != nil || i < 0 || i >= len(run.nodes) {
				return errors.Join(fmt.Errorf("no node to kill (%d)", i), err)
			}
			down = i
		}
		run.nodes[down].kill()
		r.Kills++
		cfg.logf("kill %d: %s is down; %d acknowledged so far", r.Kills, run.nodes[down].name, run.acked.Load())
		return nil
	}
	end := begin.Add(cfg.Duration)
	var loadErr error
	for cfg.KillEvery > 0 {
		pause := time.Duration(float64(cfg.KillEvery) * (0.4 + 1.2*mrand.Float64()))
		if time.Now().Add(pause).After(end) {
			break
		}
		if sleepCtx(ctx, pause) != nil {
			break
		}
		if cfg.MaxKills > 0 && r.Kills >= cfg.MaxKills {
			break // that pause was the load after the last kill
		}
		if loadErr = kill(); loadErr != nil {
			break
		}
	}
	if loadErr == nil && (cfg.KillEvery == 0 || cfg.MaxKills == 0 || r.Kills < cfg.MaxKills) {
		_ = sleepCtx(ctx, time.Until(end))
	}
	stopNew()
	wg.Wait()
	r.LoadSeconds = time.Since(begin).Seconds()
	if loadErr != nil {
		return nil, loadErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// One more kill with no load at all, so that the checks run against a server that has just restarted (with
	// several nodes, they run with a node down already).
	if cfg.KillEvery > 0 && len(run.nodes) == 1 {
		if err := kill(); err != nil {
			return nil, err
		}
	}
	if len(restarts) > 0 {
		slices.Sort(restarts)
		r.RestartMedianMs = ms(restarts[len(restarts)/2])
		r.RestartMaxMs = ms(restarts[len(restarts)-1])
	}
	var interrupted []time.Duration
	for _, s := range senders {
		interrupted = append(interrupted, s.interrupted...)
		r.Acknowledged += int64(len(s.acks))
		r.Attempts += s.attempts
		r.Retried += s.retried
		r.RetriedStored += s.retriedStored
		r.FailedOver += s.failedOver
	}

	if len(interrupted) > 0 {
		slices.Sort(interrupted)
		r.InterruptedMedianMs = ms(interrupted[len(interrupted)/2])
		r.InterruptedMaxMs = ms(interrupted[len(interrupted)-1])
	}

	cfg.logf("checking %d transcripts", len(chats))
	for i, c := range chats {
		items, err := run.transcript(ctx, c.customerToken)
		if err != nil {
			return nil, fmt.Errorf("chat %d: GetTranscript: %w%s", i, err, run.logTails())
		}
		r.add(checkSoakChat(run.runID, i, [][]soakAck{c.senders[0].acks, c.senders[1].acks}, items))
	}
	cfg.logf("ending the chats")
	stuck := run.endAll(ctx, chats)
	r.Stuck = len(stuck)
	r.Problems = append(r.Problems, stuck[:min(len(stuck), 5)]...)
	if cfg.Check != nil {
		if err := cfg.Check(ctx); err != nil {
			run.errs.add("check: %v", err)
		}
	}
	stopHealth()
	<-healthDone
	r.Unhealthy = unhealthy.Load()
	run.errs.mu.Lock()
	r.Errors, r.ErrorSamples = run.errs.n.Load(), run.errs.samples
	run.errs.mu.Unlock()
	return r, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// url is the base URL of node i.
func (run *soakRun) url(i int) string { return "http://" + run.nodes[i].addr }

// live returns the first node that is up (the first node, if none is).
func (run *soakRun) live() int {
	for i, n := range run.nodes {
		if n.up() != nil {
			return i
		}
	}
	return 0
}

// nodeIDs returns every node's Id from its /healthz ("" for a node that does not answer).
func (run *soakRun) nodeIDs(ctx context.Context) []string {
	ids := make([]string, len(run.nodes))
	for i := range run.nodes {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, run.url(i)+"/healthz", nil)
		resp, err := run.hc.Do(req)
		if err != nil {
			continue
		}
		var h struct {
			Node string `json:"node"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		ids[i] = h.Node
	}
	return ids
}

// logTails returns the end of every node's log, for error messages.
func (run *soakRun) logTails() string {
	var b strings.Builder
	for _, n := range run.nodes {
		if len(run.nodes) > 1 {
			fmt.Fprintf(&b, "\n%s:", n.name)
		}
		b.WriteString(logTail(n.logPath))
	}
	return b.String()
}

// watchHealth polls every node that is up for /healthz until ctx ends, and counts answers other than 200 from
// a node that was still up after the request (a node being killed does not count).
func (run *soakRun) watchHealth(ctx context.Context, unhealthy *atomic.Int64) {
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	for sleepCtx(ctx, 250*time.Millisecond) == nil {
		for i, n := range run.nodes {
			cmd := n.up()
			if cmd == nil {
				continue
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, run.url(i)+"/healthz", nil)
			resp, err := hc.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					continue
				}
				err = fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			if ctx.Err() == nil && n.up() == cmd {
				unhealthy.Add(1)
				run.errs.add("%s: /healthz: %v", n.name, err)
			}
		}
	}
}

// setup starts the chats on every node in turn: StartChatContact, a CUSTOM_BOT participant, and a connection
// for each party, the customer's on the chat's node and the bot's on the next, so every node serves senders.
func (run *soakRun) setup(ctx context.Context) ([]*soakChat, error) {
	apis := make([]*api, len(run.nodes))
	for i := range apis {
		apis[i] = newAPI(run.url(i), nil, 8)
		defer apis[i].close()
	}
	instanceID, flowID, err := apis[0].discover(ctx)
	if err != nil {
		return nil, err
	}
	run.instanceID = instanceID
	conns := 2*run.cfg.Chats + 8
	run.hc = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}
	chats := make([]*soakChat, run.cfg.Chats)
	var setupErrs errorLog
	forEach(ctx, run.cfg.Chats, 8, func(i int) {
		a := apis[i%len(apis)]
		sc, err := a.startChat(ctx, instanceID, flowID, fmt.Sprintf("Soak customer %d", i))
		if err != nil {
			setupErrs.add("StartChatContact: %v", err)
			return
		}
		bot, err := a.createParticipant(ctx, instanceID, sc.ContactID, "Soak bot")
		if err != nil {
			setupErrs.add("CreateParticipant: %v", err)
			return
		}
		c := &soakChat{contactID: sc.ContactID}
		for k, ptoken := range []string{sc.ParticipantToken, bot} {
			node := (i + k) % len(apis)
			_, ctoken, err := apis[node].createConnection(ctx, ptoken)
			if err != nil {
				setupErrs.add("CreateParticipantConnection: %v", err)
				return
			}
			c.senders[k] = &soakSender{chat: i, idx: k, home: node, node: node, token: ctoken}
		}
		c.customerToken = c.senders[0].token
		chats[i] = c
	})
	if n := setupErrs.n.Load(); n > 0 || ctx.Err() != nil {
		return nil, errors.Join(ctx.Err(), fmt.Errorf("%d failures: %v", n, setupErrs.samples))
	}
	return chats, nil
}

// post sends a Participant Service request with a ConnectionToken to a node and decodes a 200 answer into out.
func (run *soakRun) post(ctx context.Context, node int, path, connToken string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, run.url(node)+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if connToken != "" {
		req.Header.Set(wire.HeaderBearer, connToken)
	}
	resp, err := run.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{Status: resp.StatusCode, Type: resp.Header.Get("X-Amzn-Errortype"), Body: string(body)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", path, err)
	}
	return nil
}

// retryable reports whether a failed request may succeed when sent again: the server was down or died under
// it (no answer, or a 5xx from a server going away), or throttled it.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == http.StatusTooManyRequests
	}
	return true
}

// send is one sender's loop: a message at a time, each retried with its ClientToken until it is answered.
func (run *soakRun) send(ctx, newCtx context.Context, s *soakSender, interval time.Duration) {
	next := time.Now()
	if interval > 0 {
		next = next.Add(time.Duration(mrand.Int64N(int64(interval))))
	}
	contentType := "text/plain"
	for seq := 1; newCtx.Err() == nil; seq++ {
		if interval > 0 {
			if sleepCtx(newCtx, time.Until(next)) != nil {
				return
			}
			next = next.Add(interval)
		}
		// Back home once the node is up again, as a load balancer's health check would send it, so that every
		// kill of a node cuts requests.
		if s.node != s.home && run.nodes[s.home].up() != nil {
			s.node = s.home
		}
		content := soakContent(run.runID, s.chat, s.idx, seq)
		token := fmt.Sprintf("soak-%s-%d-%d-%d", run.runID, s.chat, s.idx, seq)
		req := wire.SendMessageRequest{ContentType: &contentType, Content: &content, ClientToken: &token}
		var firstFail time.Time
		backoff := 20 * time.Millisecond
		for {
			s.attempts++
			var out wire.SendMessageResponse
			err := run.post(ctx, s.node, wire.PathSendMessage, s.token, req, &out)
			if err == nil && (out.ID == "" || out.AbsoluteTime == "") {
				err = fmt.Errorf("SendMessage: answer without Id or AbsoluteTime")
			}
			if err == nil {
				s.acks = append(s.acks, soakAck{Seq: seq, ID: out.ID, Time: out.AbsoluteTime})
				run.acked.Add(1)
				if !firstFail.IsZero() {
					s.retried++
					s.interrupted = append(s.interrupted, time.Since(firstFail))
					if at, perr := time.Parse(time.RFC3339Nano, out.AbsoluteTime); perr == nil && at.Before(firstFail) {
						s.retriedStored++
					}
				}
				break
			}
			if ctx.Err() != nil {
				return
			}
			now := time.Now()
			if firstFail.IsZero() {
				firstFail = now
			}
			if !retryable(err) {
				run.errs.add("chat %d sender %d message %d: SendMessage: %v", s.chat, s.idx, seq, err)
				return
			}
			// No answer at all: the node may be gone for good, and any other serves the chat as well.
			var ae *apiError
			if len(run.nodes) > 1 && !errors.As(err, &ae) {
				s.node = (s.node + 1) % len(run.nodes)
				s.failedOver++
			}
			if now.Sub(firstFail) > soakGiveUp {
				run.errs.add("chat %d sender %d message %d: gave up after %s: %v", s.chat, s.idx, seq, soakGiveUp, err)
				return
			}
			_ = sleepCtx(ctx, backoff)
			backoff = min(2*backoff, 200*time.Millisecond)
		}
	}
}

// transcript reads a chat's whole transcript, oldest first, a page of 100 at a time. A page that is throttled
// (a long run's transcript is more pages than the per-participant limit's burst) is asked for again.
func (run *soakRun) transcript(ctx context.Context, connToken string) ([]wire.Item, error) {
	var items []wire.Item
	size, scan, sort := 100, wire.ScanForward, wire.SortAscending
	var next *string
	for {
		req := wire.GetTranscriptRequest{MaxResults: &size, ScanDirection: &scan, SortOrder: &sort, NextToken: next}
		var out wire.GetTranscriptResponse
		for {
			err := run.post(ctx, run.live(), wire.PathGetTranscript, connToken, req, &out)
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests {
				if err != nil {
					return nil, err
				}
				break
			}
			if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
				return nil, err
			}
		}
		items = append(items, out.Transcript...)
		if out.NextToken == "" {
			return items, nil
		}
		if len(out.Transcript) == 0 {
			return nil, errors.New("an empty page with a NextToken")
		}
		next = &out.NextToken
	}
}

// endAll ends every chat — the customer's DisconnectParticipant for even chats, StopContact for odd ones — and
// describes those that did not show as ended in DescribeContact within soakEndWait; all on a node that is up.
func (run *soakRun) endAll(ctx context.Context, chats []*soakChat) []string {
	node := run.live()
	a := newAPI(run.url(node), nil, 8)
	defer a.close()
	for i, c := range chats {
		var err error
		if i%2 == 0 {
			token := "soak-end-" + run.runID
			err = run.post(ctx, node, wire.PathDisconnectParticipant, c.customerToken,
				wire.DisconnectParticipantRequest{ClientToken: &token}, nil)
		} else {
			err = a.do(ctx, http.MethodPost, wire.PathStopContact, nil,
				wire.StopContactRequest{InstanceID: &run.instanceID, ContactID: &c.contactID}, nil)
		}
		if err != nil {
			run.errs.add("chat %d: ending it: %v", i, err)
		}
	}
	pending := map[int]bool{}
	for i := range chats {
		pending[i] = true
	}
	deadline := time.Now().Add(soakEndWait)
	for len(pending) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		for i := range pending {
			path := strings.NewReplacer("{InstanceId}", run.instanceID, "{ContactId}", chats[i].contactID).
				Replace(wire.PathDescribeContact)
			var out wire.DescribeContactResponse
			if err := a.do(ctx, http.MethodGet, path, nil, nil, &out); err == nil && out.Contact != nil &&
				out.Contact.DisconnectTimestamp != nil {
				delete(pending, i)
			}
		}
		if len(pending) > 0 {
			_ = sleepCtx(ctx, 100*time.Millisecond)
		}
	}
	var stuck []string
	for i := range pending {
		stuck = append(stuck, fmt.Sprintf("chat %d (contact %s) did not end within %s", i, chats[i].contactID, soakEndWait))
	}
	slices.Sort(stuck)
	return stuck
}
