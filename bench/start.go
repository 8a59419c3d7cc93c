package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/parley-chat/parley/wire"
)

// StartReport is the start scenario's outcome, over the chats started inside the window.
type StartReport struct {
	Agents int `json:"agents"`
	// Flows are the flow files the chats ran through (none: the default inbound flow).
	Flows       []string `json:"flows,omitempty"`
	TargetRate  float64  `json:"target_rate"`
	Started     int64    `json:"started"`
	StartedRate float64  `json:"started_per_second"`
	Offered     int64    `json:"offered"`
	Connected   int64    `json:"connected"`
	StartErrors int64    `json:"start_errors"`
	// NotOffered and NotConnected count chats with no offer, or no agent joined, 5 s after the storm.
	NotOffered   int64 `json:"not_offered"`
	NotConnected int64 `json:"not_connected"`
	Withdrawn    int64 `json:"withdrawn"`
	EndErrors    int64 `json:"end_errors"`
	// OfferedTwice counts chats offered more than once (to one agent or several): with auto-accepting agents and
	// nothing withdrawn, each chat is offered once, whichever node started it.
	OfferedTwice int64 `json:"offered_twice"`
	// StartCall is the StartChatContact round trip; Offer is its sending → the offer on an agent's event
	// stream; Joined is its sending → contact.connected (the auto-accepting agent joined the chat).
	StartCall Latency `json:"start_call"`
	Offer     Latency `json:"offer"`
	Joined    Latency `json:"joined"`
}

// benchAgentPassword satisfies Connect's password policy; the agents exist only on the run's own server.
const benchAgentPassword = "BenchAgent1x"

// bootstrapAgents is the bootstrap file that gives the server n auto-accepting agents with 10 chat slots each
// on the default queue (docs/admin.md).
func bootstrapAgents(n int) string {
	var b strings.Builder
	b.WriteString("routing_profiles:\n  - name: Bench\n    chat_concurrency: 10\n    queues:\n      - queue: BasicQueue\n")
	b.WriteString("users:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - username: bench-agent-%d\n    password: %s\n    routing_profile: Bench\n    auto_accept: true\n",
			i, benchAgentPassword)
	}
	return b.String()
}

// contactRec is what the run learned about one started chat. The offer can reach the agent before the
// StartChatContact answer reaches the generator, so records are created by whichever comes first.
type contactRec struct {
	sent, answered, offered, connected time.Time
	offers                             int
}

type startRun struct {
	mu        sync.Mutex
	recs      map[string]*contactRec
	withdrawn atomic.Int64
	endErrors atomic.Int64
	errs      errorLog
}

func (s *startRun) rec(id string) *contactRec {
	r := s.recs[id]
	if r == nil {
		r = &contactRec{}
		s.recs[id] = r
	}
	return r
}

// agentClient is one auto-accepting agent: its session token and event stream; it ends and clears each chat it
// is connected to, so its slots free up.
type agentClient struct {
	run   *startRun
	api   *api
	token string
	work  chan string
	sock  *agentStream
}

func (ag *agentClient) hdr() map[string]string {
	return map[string]string{"Authorization": "Bearer " + ag.token}
}

// event handles one agent event.
func (ag *agentClient) event(ev wire.AgentEvent, now time.Time) {
	id := ev.ContactID
	if id == "" && ev.Contact != nil {
		id = ev.Contact.ContactID
	}
	switch ev.Type {
	case wire.EventOffer:
		ag.run.mu.Lock()
		r := ag.run.rec(id)
		if r.offered.IsZero() {
			r.offered = now
		}
		r.offers++
		ag.run.mu.Unlock()
	case wire.EventContactConnected:
		ag.run.mu.Lock()
		if r := ag.run.rec(id); r.connected.IsZero() {
			r.connected = now
		}
		ag.run.mu.Unlock()
		select {
		case ag.work <- id:
		default:
			ag.run.endErrors.Add(1)
			ag.run.errs.add("agent work queue full")
		}
	case wire.EventOfferWithdrawn:
		ag.run.withdrawn.Add(1)
		ag.run.errs.add("offer of %s withdrawn: %s", id, ev.Reason)
	}
}

// ender ends and clears the agent's chats until work closes.
func (ag *agentClient) ender(ctx context.Context) {
	for id := range ag.work {
		for _, op := range []string{"end", "clear"} {
			if err := ag.api.do(ctx, http.MethodPost, "/agent/v1/contacts/"+url.PathEscape(id)+"/"+op, ag.hdr(), nil, nil); err != nil {
				ag.run.endErrors.Add(1)
				ag.run.errs.add("agent %s: %v", op, err)
				break
			}
		}
	}
}

// agentStream reads an agent's event WebSocket.
type agentStream struct {
	nc   interface{ Close() error }
	done chan struct{}
}

func openAgentStream(ctx context.Context, base, token string, on func(wire.AgentEvent, time.Time)) (*agentStream, error) {
	u := "ws://" + strings.TrimPrefix(base, "http://") + "/agent/v1/events?token=" + url.QueryEscape(token)
	nc, br, _, err := ws.Dialer{Timeout: 10 * time.Second}.Dial(ctx, u)
	if err != nil {
		return nil, err
	}
	r := br
	if r == nil {
		r = bufio.NewReaderSize(nc, 4096)
	}
	s := &agentStream{nc: nc, done: make(chan struct{})}
	first := make(chan error, 1)
	go func() {
		defer close(s.done)
		var hdr [ws.MaxHeaderSize - 2]byte
		var buf []byte
		gotState := false
		for {
			h, err := ws.ReadHeaderBuffer(r, hdr[:])
			if err == nil {
				if cap(buf) < int(h.Length) {
					buf = make([]byte, h.Length)
				}
				buf = buf[:h.Length]
				_, err = io.ReadFull(r, buf)
			}
			if err != nil {
				if !gotState {
					first <- err
				}
				return
			}
			switch h.OpCode {
			case ws.OpPing:
				_, _ = nc.Write(clientFrame(ws.OpPong, buf))
			case ws.OpText:
				var ev wire.AgentEvent
				if json.Unmarshal(buf, &ev) != nil {
					continue
				}
				if !gotState && ev.Type == wire.EventState {
					gotState = true
					first <- nil
				}
				on(ev, time.Now())
			case ws.OpClose:
				return
			}
		}
	}()
	select {
	case err := <-first:
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("agent event stream: %w", err)
		}
		return s, nil
	case <-time.After(10 * time.Second):
		nc.Close()
		return nil, fmt.Errorf("agent event stream: no state event within 10 s")
	}
}

func (s *agentStream) close() {
	_ = s.nc.Close()
	<-s.done
}

// runStart is the start scenario.
func runStart(ctx context.Context, cfg *Config, r *Report) error {
	t, err := startTarget(ctx, cfg, bootstrapAgents(cfg.Agents))
	if err != nil {
		return err
	}
	defer func() {
		if err := t.stop(); err != nil {
			cfg.logf("stopping the server: %v", err)
		}
	}()
	// With several nodes, agents log in and listen on each node in turn and chats start on each in turn: an
	// offer decided on one node reaches an agent on another.
	nodes := t.nodes()
	apis := make([]*api, len(nodes))
	for k, n := range nodes {
		apis[k] = newAPI(n.base, nil, 512)
		defer apis[k].close()
	}
	a := apis[0]
	instanceID, flowID, err := ids(ctx, a, t)
	if err != nil {
		return err
	}
	if len(cfg.Flows) > 0 {
		if flowID, err = importFlows(ctx, a, instanceID, cfg.Flows); err != nil {
			return err
		}
	}
	run := &startRun{recs: map[string]*contactRec{}}

	setup := time.Now()
	cfg.logf("logging in %d agents", cfg.Agents)
	agents := make([]*agentClient, cfg.Agents)
	var setupErrs errorLog
	forEach(ctx, cfg.Agents, 8, func(i int) {
		a, node := apis[i%len(apis)], nodes[i%len(nodes)]
		var lr wire.LoginResponse
		if err := a.do(ctx, http.MethodPost, "/agent/v1/login", nil,
			wire.LoginRequest{Username: fmt.Sprintf("bench-agent-%d", i), Password: benchAgentPassword}, &lr); err != nil {
			setupErrs.add("agent login: %v", err)
			return
		}
		ag := &agentClient{run: run, api: a, token: lr.Token, work: make(chan string, 4096)}
		s, err := openAgentStream(ctx, node.base, lr.Token, ag.event)
		if err != nil {
			setupErrs.add("%v", err)
			return
		}
		ag.sock = s
		if err := a.do(ctx, http.MethodPut, "/agent/v1/status", ag.hdr(), wire.StatusRequest{Status: "Available"}, nil); err != nil {
			setupErrs.add("agent status: %v", err)
			return
		}
		agents[i] = ag
	})
	var ewg sync.WaitGroup
	for _, ag := range agents {
		if ag != nil {
			ewg.Add(1)
			go func() {
				defer ewg.Done()
				ag.ender(ctx)
			}()
		}
	}
	defer func() {
		for _, ag := range agents {
			if ag != nil {
				ag.sock.close() // waits for the stream's reader, the only sender on work
				close(ag.work)
			}
		}
		ewg.Wait()
	}()
	if n := setupErrs.n.Load(); n > 0 {
		setupErrs.into(r)
		return fmt.Errorf("setup: %d failures: %v", n, r.ErrorSamples)
	}
	r.SetupSeconds = time.Since(setup).Seconds()

	interval := time.Duration(float64(time.Second) / cfg.StartRate)
	begin := time.Now()
	winStart, winEnd := begin.Add(cfg.Warmup), begin.Add(cfg.Warmup+cfg.Duration)
	cfg.logf("starting chats at %.0f/s for %s (warm-up) + %s", cfg.StartRate, cfg.Warmup, cfg.Duration)
	var startErrors atomic.Int64
	var swg sync.WaitGroup
	sem := make(chan struct{}, 512)
	var s0, s1, c0, c1 procSample
	var haveProc bool
	var prof *profiler
	sampled := false
	for i := 0; ; i++ {
		due := begin.Add(time.Duration(i) * interval)
		if !due.Before(winEnd) {
			break
		}
		if err := sleepCtx(ctx, time.Until(due)); err != nil {
			return err
		}
		if !sampled && !due.Before(winStart) {
			sampled = true
			s0, haveProc = sampleProc(t)
			c0, _ = readProc(os.Getpid())
			prof = startProfile(cfg.ProfileDir, "start-", t, cfg.Duration)
		}
		sem <- struct{}{}
		swg.Add(1)
		a := apis[i%len(apis)]
		go func() {
			defer func() { <-sem; swg.Done() }()
			t0 := time.Now()
			sc, err := a.startChat(ctx, instanceID, flowID, "Storm")
			t1 := time.Now()
			if err != nil {
				startErrors.Add(1)
				run.errs.add("StartChatContact: %v", err)
				return
			}
			run.mu.Lock()
			rec := run.rec(sc.ContactID)
			rec.sent, rec.answered = t0, t1
			run.mu.Unlock()
		}()
	}
	if err := sleepCtx(ctx, time.Until(winEnd)); err != nil {
		return err
	}
	s1, _ = sampleProc(t)
	c1, _ = readProc(os.Getpid())
	swg.Wait()

	// Drain: give offers and joins up to 5 s to arrive.
	drainEnd := time.Now().Add(5 * time.Second)
	for time.Now().Before(drainEnd) {
		run.mu.Lock()
		pending := false
		for _, rec := range run.recs {
			if !rec.sent.IsZero() && rec.connected.IsZero() {
				pending = true
				break
			}
		}
		run.mu.Unlock()
		if !pending {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if prof != nil {
		files, perr := prof.finish()
		r.Profiles = files
		if perr != nil {
			cfg.logf("profiles: %v", perr)
		}
	}

	x := &StartReport{Agents: cfg.Agents, Flows: cfg.Flows, TargetRate: cfg.StartRate, StartErrors: startErrors.Load(),
		Withdrawn: run.withdrawn.Load(), EndErrors: run.endErrors.Load()}
	call, offer, joined := newLatency(), newLatency(), newLatency()
	run.mu.Lock()
	for _, rec := range run.recs {
		if rec.sent.IsZero() || rec.sent.Before(winStart) || !rec.sent.Before(winEnd) {
			continue
		}
		x.Started++
		call.record(0, rec.answered.Sub(rec.sent))
		if rec.offered.IsZero() {
			x.NotOffered++
		} else {
			x.Offered++
			offer.record(0, rec.offered.Sub(rec.sent))
		}
		if rec.offers > 1 {
			x.OfferedTwice++
		}
		if rec.connected.IsZero() {
			x.NotConnected++
		} else {
			x.Connected++
			joined.record(0, rec.connected.Sub(rec.sent))
		}
	}
	run.mu.Unlock()
	window := winEnd.Sub(winStart).Seconds()
	r.WindowSeconds = window
	x.StartedRate = float64(x.Started) / window
	x.StartCall, x.Offer, x.Joined = call.summary(), offer.summary(), joined.summary()
	r.Start = x
	r.ClientCPU = cpuShare(c0, c1)
	if haveProc {
		r.ServerProc = &ProcReport{PID: t.pid, RSSBefore: s0.rss, RSSAfter: s1.rss, CPU: cpuShare(s0, s1),
			Threads: s1.threads}
	}
	// Start failures, withdrawals and end failures are in run.errs already.
	run.errs.n.Add(x.NotOffered + x.NotConnected + x.OfferedTwice)
	run.errs.into(r)
	return nil
}
