package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// IdleReport is the idle scenario's outcome.
type IdleReport struct {
	Sockets     int   `json:"sockets"`
	Procs       int   `json:"client_processes"`
	Open        int64 `json:"open"`
	Failed      int64 `json:"failed"`
	ClosedEarly int64 `json:"closed_early"`
	// OpenRate is sockets opened and subscribed per second while they were being opened.
	OpenRate    float64 `json:"opened_per_second"`
	Beats       int64   `json:"beats"`
	MissedBeats int64   `json:"missed_beats"`
	BadAnswers  int64   `json:"bad_answers"`
	BeatLatency Latency `json:"heartbeat_answer"`
	// RSSPerSocket is the server's RSS growth from before the first socket to the end of the window, per open
	// socket; RSSTotalPerSocket is its whole RSS per open socket.
	RSSPerSocket      float64 `json:"rss_per_socket_bytes"`
	RSSTotalPerSocket float64 `json:"rss_total_per_socket_bytes"`
	// HeapPerSocket and StackPerSocket split the growth the way the server's Go runtime sees it (in-use heap
	// spans and goroutine stacks); the rest of RSS is freed heap not yet returned to the OS, runtime metadata
	// and C memory (SQLite's page cache). Zero when the target has no pprof endpoint.
	HeapPerSocket  float64 `json:"heap_per_socket_bytes,omitempty"`
	StackPerSocket float64 `json:"stack_per_socket_bytes,omitempty"`
	// HeartbeatCPU is the server's CPU over the window, in cores: with every socket idle, that is the cost of
	// the heartbeats (and of the server's own timers).
	HeartbeatCPU float64 `json:"heartbeat_cpu_cores"`
}

// workerJob is what one client process of the idle scenario does.
type workerJob struct {
	Base        string        `json:"base"`
	Local       string        `json:"local,omitempty"` // source address; "" for the default
	Tokens      []string      `json:"tokens"`          // ParticipantTokens
	Heartbeat   time.Duration `json:"heartbeat"`
	Concurrency int           `json:"concurrency"`
	Index       int           `json:"index"`
}

// workerMsg is a worker's report of a phase.
type workerMsg struct {
	Phase       string                 `json:"phase"` // "connections", "open", "done"
	OK          int64                  `json:"ok"`
	Failed      int64                  `json:"failed"`
	Seconds     float64                `json:"seconds"`
	Errors      int64                  `json:"errors,omitempty"`
	Samples     []string               `json:"samples,omitempty"`
	ClosedEarly int64                  `json:"closed_early,omitempty"`
	Beats       int64                  `json:"beats,omitempty"`
	Missed      int64                  `json:"missed,omitempty"`
	BadAnswers  int64                  `json:"bad_answers,omitempty"`
	Other       int64                  `json:"other_frames,omitempty"`
	BeatLatency *hdrhistogram.Snapshot `json:"beat_latency,omitempty"`
}

// workerLink is the coordinator's side of a worker: in this process or a child `parley bench worker`.
type workerLink interface {
	recv() (workerMsg, error)
	command(cmd string) error
	wait() error
}

// workerSide is a worker's side of the link.
type workerSide interface {
	send(workerMsg) error
	await(cmd string) error
}

// runWorker is one client process of the idle scenario: it creates the connections (CreateParticipantConnection),
// reports, opens and subscribes the sockets when told, heartbeats until told to stop, then closes them and
// reports what it saw.
func runWorker(ctx context.Context, job workerJob, side workerSide) error {
	var local net.IP
	if job.Local != "" {
		if local = net.ParseIP(job.Local); local == nil || !local.IsLoopback() {
			return fmt.Errorf("worker: source address %q is not a loopback address", job.Local)
		}
	}
	if err := checkLoopbackURL(job.Base); err != nil {
		return err
	}
	conc := max(1, job.Concurrency)
	a := newAPI(job.Base, local, conc)
	defer a.close()
	var errs errorLog
	urls := make([]string, len(job.Tokens))
	var okConns int64
	var mu sync.Mutex
	forEach(ctx, len(job.Tokens), conc, func(i int) {
		u, _, err := a.createConnection(ctx, job.Tokens[i])
		if err == nil {
			err = checkLoopbackURL(u)
		}
		if err != nil {
			errs.add("CreateParticipantConnection: %v", err)
			return
		}
		urls[i] = u
		mu.Lock()
		okConns++
		mu.Unlock()
	})
	// The REST connections would hold server file descriptors for nothing while the sockets idle.
	a.close()
	if err := side.send(workerMsg{Phase: "connections", OK: okConns, Failed: int64(len(job.Tokens)) - okConns}); err != nil {
		return err
	}
	if err := side.await("open"); err != nil {
		return err
	}

	st := newSockStats()
	beats := newBeater(job.Heartbeat)
	bctx, stopBeats := context.WithCancel(ctx)
	var bwg sync.WaitGroup
	bwg.Add(1)
	go func() {
		defer bwg.Done()
		beats.run(bctx)
	}()
	socks := make([]*sock, len(urls))
	start := time.Now()
	forEach(ctx, len(urls), conc, func(i int) {
		if urls[i] == "" {
			return
		}
		s, err := dialSock(ctx, urls[i], local, st, job.Index*len(urls)+i, nil)
		if err != nil {
			st.failed.Add(1)
			errs.add("open socket: %v", err)
			return
		}
		socks[i] = s
		beats.add(s)
	})
	opened := st.opened.Load()
	if err := side.send(workerMsg{Phase: "open", OK: opened, Failed: int64(len(job.Tokens)) - opened,
		Seconds: time.Since(start).Seconds()}); err != nil {
		stopBeats()
		bwg.Wait()
		closeAll(socks)
		return err
	}
	err := side.await("stop")
	stopBeats()
	bwg.Wait()
	closeAll(socks)
	done := workerMsg{Phase: "done", OK: opened, Errors: errs.n.Load(), Samples: errs.samples,
		ClosedEarly: st.closedEarly.Load(), Beats: st.beats.Load(), Missed: st.missedBeats.Load(),
		BadAnswers: st.badAnswers.Load(), Other: st.otherFrames.Load(), BeatLatency: st.beatLatency.snapshot()}
	return errors.Join(err, side.send(done))
}

// closeAll closes sockets, 256 at a time.
func closeAll(socks []*sock) {
	forEach(context.Background(), len(socks), 256, func(i int) {
		if socks[i] != nil {
			socks[i].close()
		}
	})
}

// localWorker runs a worker on a goroutine of this process.
type localWorker struct {
	msgs chan workerMsg
	cmds chan string
	errc chan error
}

func startLocalWorker(ctx context.Context, job workerJob) *localWorker {
	w := &localWorker{msgs: make(chan workerMsg, 4), cmds: make(chan string, 4), errc: make(chan error, 1)}
	go func() {
		err := runWorker(ctx, job, w)
		close(w.msgs)
		w.errc <- err
	}()
	return w
}

func (w *localWorker) send(m workerMsg) error { w.msgs <- m; return nil }
func (w *localWorker) await(cmd string) error {
	c, ok := <-w.cmds
	if !ok || c != cmd {
		return fmt.Errorf("worker: got %q, want %q", c, cmd)
	}
	return nil
}
func (w *localWorker) recv() (workerMsg, error) {
	m, ok := <-w.msgs
	if !ok {
		err := <-w.errc
		w.errc <- err
		if err == nil {
			err = io.EOF
		}
		return m, err
	}
	return m, nil
}
func (w *localWorker) command(cmd string) error { w.cmds <- cmd; return nil }
func (w *localWorker) wait() error {
	close(w.cmds)
	for range w.msgs {
	}
	return <-w.errc
}

// procWorker is a child `parley bench worker`: the job and the commands go as JSON lines on its stdin, its
// reports come as JSON lines on its stdout.
type procWorker struct {
	in     io.WriteCloser
	out    *bufio.Scanner
	waitFn func() error
	errb   strings.Builder
	errmu  sync.Mutex
}

func startProcWorker(bin string, job workerJob) (*procWorker, error) {
	cmd := exec.Command(bin, "bench", "worker")
	w := &procWorker{waitFn: cmd.Wait}
	in, out, err := startChild(cmd, &lockedWriter{w: &w.errb, mu: &w.errmu})
	if err != nil {
		return nil, err
	}
	w.in = in
	return w, w.begin(out, job)
}

// startChild starts cmd, a child of the generator that dies with it, and returns its stdin and stdout; its
// stderr goes to stderr.
func startChild(cmd *exec.Cmd, stderr io.Writer) (io.WriteCloser, io.Reader, error) {
	dieWithParent(cmd)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return in, out, nil
}

// begin sends the job; out is the worker's stdout.
func (w *procWorker) begin(out io.Reader, job workerJob) error {
	w.out = bufio.NewScanner(out)
	w.out.Buffer(make([]byte, 64<<10), 64<<20)
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	_, err = w.in.Write(append(b, '\n'))
	return err
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (w *procWorker) recv() (workerMsg, error) {
	var m workerMsg
	if !w.out.Scan() {
		err := w.out.Err()
		if err == nil {
			err = io.EOF
		}
		w.errmu.Lock()
		defer w.errmu.Unlock()
		return m, fmt.Errorf("worker: %w: %s", err, strings.TrimSpace(w.errb.String()))
	}
	return m, json.Unmarshal(w.out.Bytes(), &m)
}

func (w *procWorker) command(cmd string) error {
	_, err := io.WriteString(w.in, cmd+"\n")
	return err
}

func (w *procWorker) wait() error {
	w.in.Close()
	for w.out.Scan() {
	}
	return w.waitFn()
}

// stdioSide is the worker side of a procWorker: this process is the child.
type stdioSide struct {
	in  *bufio.Scanner
	out io.Writer
}

func (s *stdioSide) send(m workerMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = s.out.Write(append(b, '\n'))
	return err
}

func (s *stdioSide) await(cmd string) error {
	if !s.in.Scan() {
		return errors.New("worker: the coordinator went away")
	}
	if got := strings.TrimSpace(s.in.Text()); got != cmd {
		return fmt.Errorf("worker: got %q, want %q", got, cmd)
	}
	return nil
}

// Worker is `parley bench worker`: one client process of a multi-process idle run. It reads its job as a JSON
// line from in, then commands, and writes its reports as JSON lines to out.
func Worker(ctx context.Context, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 256<<20)
	if !sc.Scan() {
		return errors.New("worker: no job on stdin")
	}
	var job workerJob
	if err := json.Unmarshal(sc.Bytes(), &job); err != nil {
		return fmt.Errorf("worker: job: %w", err)
	}
	return runWorker(ctx, job, &stdioSide{in: sc, out: out})
}

// runIdle is the idle scenario.
func runIdle(ctx context.Context, cfg *Config, r *Report) error {
	t, err := startTarget(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer func() {
		if err := t.stop(); err != nil {
			cfg.logf("stopping the server: %v", err)
		}
	}()
	nodes := t.nodes()
	apis := make([]*api, len(nodes))
	for k, n := range nodes {
		apis[k] = newAPI(n.base, nil, cfg.SetupConcurrency)
		defer apis[k].close()
	}
	instanceID, flowID, err := ids(ctx, apis[0], t)
	if err != nil {
		return err
	}

	// Sockets come in pairs: a chat's customer and its bot.
	setup := time.Now()
	chats := (cfg.Sockets + 1) / 2
	tokens := make([]string, chats*2)
	var errs errorLog
	cfg.logf("creating %d chats for %d sockets", chats, cfg.Sockets)
	forEach(ctx, chats, cfg.SetupConcurrency, func(i int) {
		a := apis[i%len(apis)]
		sc, err := a.startChat(ctx, instanceID, flowID, fmt.Sprintf("Idle %d", i))
		if err != nil {
			errs.add("StartChatContact: %v", err)
			return
		}
		tokens[2*i] = sc.ParticipantToken
		if 2*i+1 >= cfg.Sockets {
			return
		}
		bot, err := a.createParticipant(ctx, instanceID, sc.ContactID, "Bot")
		if err != nil {
			errs.add("CreateParticipant: %v", err)
			return
		}
		tokens[2*i+1] = bot
	})
	tokens = tokens[:cfg.Sockets]
	for _, a := range apis {
		a.close() // the setup connections are done with
	}
	if n := errs.n.Load(); n > 0 {
		errs.into(r)
		return fmt.Errorf("setup: %d chats could not be created: %v", n, r.ErrorSamples)
	}

	// Spread the sockets over the client processes, and the processes over the nodes.
	procs := max(1, cfg.Procs)
	links := make([]workerLink, 0, procs)
	defer func() {
		for _, l := range links {
			_ = l.wait()
		}
	}()
	bin := cfg.Binary
	if procs > 1 && bin == "" {
		if bin, err = os.Executable(); err != nil {
			return err
		}
	}
	per := (len(tokens) + procs - 1) / procs
	for i := range procs {
		lo, hi := min(i*per, len(tokens)), min((i+1)*per, len(tokens))
		job := workerJob{Base: nodes[i%len(nodes)].base, Tokens: tokens[lo:hi], Heartbeat: cfg.Heartbeat,
			Concurrency: cfg.SetupConcurrency, Index: i}
		if procs == 1 {
			links = append(links, startLocalWorker(ctx, job))
			continue
		}
		job.Local = fmt.Sprintf("127.0.0.%d", 10+i)
		w, err := startProcWorker(bin, job)
		if w != nil {
			links = append(links, w)
		}
		if err != nil {
			return fmt.Errorf("start client process: %w", err)
		}
	}
	cfg.logf("%d client process(es) creating connections", procs)
	for _, l := range links {
		m, err := l.recv()
		if err != nil {
			return err
		}
		if m.Failed > 0 {
			cfg.logf("CreateParticipantConnection failed for %d participants", m.Failed)
		}
	}
	r.SetupSeconds = time.Since(setup).Seconds()

	before, haveProc := sampleProc(t)
	mem0, haveMem := readGoMemory(t)
	cfg.logf("opening %d sockets", len(tokens))
	for _, l := range links {
		if err := l.command("open"); err != nil {
			return err
		}
	}
	x := &IdleReport{Sockets: cfg.Sockets, Procs: procs, HeartbeatCPU: -1}
	var openSecs float64
	for _, l := range links {
		m, err := l.recv()
		if err != nil {
			return err
		}
		x.Open += m.OK
		x.Failed += m.Failed
		openSecs = max(openSecs, m.Seconds)
	}
	if openSecs > 0 {
		x.OpenRate = float64(x.Open) / openSecs
	}
	cfg.logf("%d sockets open; settling %s, then measuring %s", x.Open, cfg.Warmup, cfg.Duration)
	if err := sleepCtx(ctx, cfg.Warmup); err != nil {
		return err
	}
	a0, _ := sampleProc(t)
	c0, _ := readProc(os.Getpid())
	prof := startProfile(cfg.ProfileDir, "idle-"+cfg.Target+"-", t, cfg.Duration)
	if err := sleepCtx(ctx, cfg.Duration); err != nil {
		return err
	}
	a1, _ := sampleProc(t)
	c1, _ := readProc(os.Getpid())
	mem1, haveMem1 := readGoMemory(t)
	if haveMem && haveMem1 && x.Open > 0 {
		x.HeapPerSocket = float64(mem1.HeapInuse-mem0.HeapInuse) / float64(x.Open)
		x.StackPerSocket = float64(mem1.StackInuse-mem0.StackInuse) / float64(x.Open)
	}
	files, perr := prof.finish()
	r.Profiles = files
	if perr != nil {
		cfg.logf("profiles: %v", perr)
	}
	r.WindowSeconds = a1.at.Sub(a0.at).Seconds()
	r.ClientCPU = cpuShare(c0, c1)
	if haveProc {
		x.HeartbeatCPU = cpuShare(a0, a1)
		r.ServerProc = &ProcReport{PID: t.pid, RSSBefore: before.rss, RSSAfter: a1.rss, CPU: x.HeartbeatCPU,
			Threads: a1.threads}
		if x.Open > 0 {
			x.RSSPerSocket = float64(a1.rss-before.rss) / float64(x.Open)
			x.RSSTotalPerSocket = float64(a1.rss) / float64(x.Open)
		}
	}

	cfg.logf("closing the sockets")
	lat := newLatency()
	for _, l := range links {
		if err := l.command("stop"); err != nil {
			return err
		}
	}
	for _, l := range links {
		m, err := l.recv()
		if err != nil {
			return err
		}
		x.ClosedEarly += m.ClosedEarly
		x.Beats += m.Beats
		x.MissedBeats += m.Missed
		x.BadAnswers += m.BadAnswers + m.Other
		lat.add(m.BeatLatency)
		if m.Errors > 0 {
			errs.n.Add(m.Errors)
			errs.mu.Lock()
			errs.samples = append(errs.samples, m.Samples...)
			errs.mu.Unlock()
		}
	}
	x.BeatLatency = lat.summary()
	// Failed connections and sockets are in the workers' error counts already.
	errs.n.Add(x.ClosedEarly + x.MissedBeats + x.BadAnswers)
	errs.into(r)
	r.Idle = x
	return nil
}

// sampleProc reads the target's /proc, summed over its nodes; ok is false when a pid is unknown or unreadable.
func sampleProc(t *target) (procSample, bool) {
	sum := procSample{at: time.Now()}
	for _, n := range t.nodes() {
		if n.pid == 0 {
			return procSample{at: time.Now()}, false
		}
		s, err := readProc(n.pid)
		if err != nil {
			return procSample{at: time.Now()}, false
		}
		sum.cpu += s.cpu
		sum.rss += s.rss
		sum.threads += s.threads
	}
	return sum, true
}

// ids returns the instance and the default flow of the target.
func ids(ctx context.Context, a *api, t *target) (string, string, error) {
	if t.instance != "" {
		return t.instance, t.flow, nil
	}
	return a.discover(ctx)
}
