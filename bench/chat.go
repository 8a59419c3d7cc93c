package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/wire"
)

// ChatReport is the chat scenario's outcome. Rates and latencies cover the messages sent inside the window;
// Lost and Reordered cover the whole run.
type ChatReport struct {
	Chats      int     `json:"chats"`
	Size       int     `json:"size_bytes"`
	TargetRate float64 `json:"target_rate"` // 0: as fast as possible
	// Acked is SendMessage calls answered 200 with an Id, AckedRate per second.
	Acked     int64   `json:"acked"`
	AckedRate float64 `json:"acked_per_second"`
	// Delivered is messages that reached the other party's socket, DeliveredRate per second.
	Delivered     int64   `json:"delivered"`
	DeliveredRate float64 `json:"delivered_per_second"`
	SendErrors    int64   `json:"send_errors"`
	// Lost is acknowledged messages the other party's socket never got (after a drain of 3 s); Reordered is
	// messages that arrived twice or after a later one of the same sender.
	Lost      int64 `json:"lost"`
	Reordered int64 `json:"reordered"`
	// EndToEnd is SendMessage sent → the item on the other party's socket; Ack is SendMessage sent → its HTTP
	// answer (durable: the store has committed).
	EndToEnd Latency `json:"end_to_end"`
	Ack      Latency `json:"ack"`
	// Stream is what the streaming receiver got (--stream).
	Stream *StreamReport `json:"stream,omitempty"`
}

// Party roles in a chat of the scenario.
const (
	roleCustomer = 0
	roleBot      = 1
)

// chatRun is the shared state of one chat scenario run.
type chatRun struct {
	cfg      *Config
	runID    string
	winStart atomic.Int64 // unix ns: messages sent in [winStart, winEnd) are measured
	winEnd   atomic.Int64
	e2e      *latency
	ack      *latency
	errs     errorLog

	ackedIn     atomic.Int64
	deliveredIn atomic.Int64
	sendErrors  atomic.Int64
	reordered   atomic.Int64
}

// party is one participant of a chat: its socket and its keep-alive SendMessage connection.
type party struct {
	run   *chatRun
	chat  int
	role  int
	idx   int
	rc    *restConn
	sock  *sock
	other *party

	acked atomic.Int64 // every acknowledged send

	// Receive side, owned by the socket's reader goroutine.
	lastSeen  [2]int64
	recvOther atomic.Int64
}

// marker starts a bench message's content as it appears inside an aws/chat frame: the item's JSON is itself a
// JSON string there, so its quotes are escaped.
var marker = []byte(`Content\":\"bench `)

// onChat handles an aws/chat frame on the party's socket.
func (p *party) onChat(payload []byte, now time.Time) {
	i := bytes.Index(payload, marker)
	if i < 0 {
		return // joins, typing, and other items
	}
	f := payload[i+len(marker):]
	var v [4]int64
	for k := range v {
		j := bytes.IndexByte(f, ' ')
		if j < 0 {
			p.run.errs.add("chat %d: malformed bench message %q", p.chat, payload)
			return
		}
		n, err := strconv.ParseInt(string(f[:j]), 10, 64)
		if err != nil {
			p.run.errs.add("chat %d: malformed bench message %q", p.chat, payload)
			return
		}
		v[k], f = n, f[j+1:]
	}
	chat, role, seq, sent := int(v[0]), int(v[1]), v[2], v[3]
	if chat != p.chat || (role != roleCustomer && role != roleBot) {
		p.run.errs.add("chat %d got a message of chat %d", p.chat, chat)
		return
	}
	if seq <= p.lastSeen[role] {
		p.run.reordered.Add(1)
		return
	}
	p.lastSeen[role] = seq
	if role == p.role {
		return // the sender's own echo
	}
	p.recvOther.Add(1)
	if sent >= p.run.winStart.Load() && sent < p.run.winEnd.Load() {
		p.run.deliveredIn.Add(1)
		p.run.e2e.record(p.idx, now.Sub(time.Unix(0, sent)))
	}
}

// send loops until the window ends: at the party's share of the rate, or back to back.
func (p *party) send(ctx context.Context, begin time.Time, interval time.Duration) {
	pad := bytes.Repeat([]byte("x"), p.run.cfg.Size)
	var seq int64
	body := make([]byte, 0, 256+p.run.cfg.Size)
	next := begin
	if interval > 0 {
		next = begin.Add(time.Duration(mrand.Int64N(int64(interval))))
	}
	for ctx.Err() == nil {
		if interval > 0 {
			if d := time.Until(next); d > 0 {
				if sleepCtx(ctx, d) != nil {
					return
				}
			}
			next = next.Add(interval)
		}
		t0 := time.Now()
		if t0.UnixNano() >= p.run.winEnd.Load() {
			return
		}
		seq++
		body = body[:0]
		body = append(body, `{"ContentType":"text/plain","Content":"bench `...)
		body = strconv.AppendInt(body, int64(p.chat), 10)
		body = append(body, ' ')
		body = strconv.AppendInt(body, int64(p.role), 10)
		body = append(body, ' ')
		body = strconv.AppendInt(body, seq, 10)
		body = append(body, ' ')
		body = strconv.AppendInt(body, t0.UnixNano(), 10)
		body = append(body, ' ')
		if n := p.run.cfg.Size - (len(body) - len(`{"ContentType":"text/plain","Content":"`)); n > 0 {
			body = append(body, pad[:n]...)
		}
		body = append(body, `","ClientToken":"`...)
		body = append(body, p.run.runID...)
		body = append(body, '-')
		body = strconv.AppendInt(body, int64(p.idx), 10)
		body = append(body, '-')
		body = strconv.AppendInt(body, seq, 10)
		body = append(body, `"}`...)
		status, resp, err := p.rc.post(body, 30*time.Second)
		t1 := time.Now()
		switch {
		case err != nil:
			p.run.sendErrors.Add(1)
			p.run.errs.add("SendMessage: %v", err)
			_ = sleepCtx(ctx, 10*time.Millisecond)
			continue
		case status != 200 || !bytes.Contains(resp, []byte(`"Id":"`)) || !bytes.Contains(resp, []byte(`"AbsoluteTime":"`)):
			p.run.sendErrors.Add(1)
			p.run.errs.add("SendMessage: HTTP %d %s", status, resp)
			continue
		}
		p.acked.Add(1)
		if t0.UnixNano() >= p.run.winStart.Load() {
			p.run.ackedIn.Add(1)
			p.run.ack.record(p.idx, t1.Sub(t0))
		}
	}
}

// closePair closes the sockets of a chat whose setup failed half way.
func closePair(pair [2]*party) {
	for _, p := range pair {
		if p != nil {
			p.sock.close()
		}
	}
}

// runChat is the chat scenario.
func runChat(ctx context.Context, cfg *Config, r *Report) error {
	if need := 4*cfg.Chats + 200; fdLimit() > 0 && need > fdLimit() {
		return fmt.Errorf("%d chats need about %d file descriptors in the generator; the limit is %d",
			cfg.Chats, need, fdLimit())
	}
	var rc streamReceiver
	if cfg.Stream {
		if cfg.Target != TargetParley || (cfg.Server != "spawn" && cfg.Server != "inproc") {
			return errors.New("--stream needs --target parley and a server the generator starts (--server spawn or inproc)")
		}
		var err error
		if rc, err = cfg.startStreamReceiver(); err != nil {
			return err
		}
		defer rc.close()
		cfg.streaming, cfg.streamingEnv = rc.config(), rc.env()
		defer func() { cfg.streaming, cfg.streamingEnv = nil, nil }()
	}
	t, err := startTarget(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer func() {
		if err := t.stop(); err != nil {
			cfg.logf("stopping the server: %v", err)
		}
	}()
	// With several nodes, chat i starts on node i and its bot is on the next node: every message crosses the
	// bus from one node to another.
	nodes := t.nodes()
	apis, addrs := make([]*api, len(nodes)), make([]string, len(nodes))
	for k, n := range nodes {
		apis[k] = newAPI(n.base, nil, cfg.SetupConcurrency)
		defer apis[k].close()
		if addrs[k], err = hostPortAny(n.base); err != nil {
			return err
		}
	}
	instanceID, flowID, err := ids(ctx, apis[0], t)
	if err != nil {
		return err
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	run := &chatRun{cfg: cfg, runID: hex.EncodeToString(id[:]), e2e: newLatency(), ack: newLatency()}
	// The window is set before any socket exists; messages are only sent once setup is done.
	run.winStart.Store(1 << 62)
	run.winEnd.Store(1 << 62)

	setup := time.Now()
	cfg.logf("setting up %d chats", cfg.Chats)
	st := newSockStats()
	parties := make([]*party, 2*cfg.Chats)
	var setupErrs errorLog
	forEach(ctx, cfg.Chats, cfg.SetupConcurrency, func(i int) {
		a := apis[i%len(apis)]
		sc, err := a.startChat(ctx, instanceID, flowID, fmt.Sprintf("Customer %d", i))
		if err != nil {
			setupErrs.add("StartChatContact: %v", err)
			return
		}
		if rc != nil {
			if err := a.startStreaming(ctx, instanceID, sc.ContactID); err != nil {
				setupErrs.add("StartContactStreaming: %v", err)
				return
			}
		}
		bot, err := a.createParticipant(ctx, instanceID, sc.ContactID, "Bot")
		if err != nil {
			setupErrs.add("CreateParticipant: %v", err)
			return
		}
		pair := [2]*party{}
		for role, ptoken := range []string{sc.ParticipantToken, bot} {
			p := &party{run: run, chat: i, role: role, idx: 2*i + role}
			node := (i + role) % len(nodes)
			u, ctoken, err := apis[node].createConnection(ctx, ptoken)
			if err == nil {
				err = checkLoopbackURL(u)
			}
			if err != nil {
				setupErrs.add("CreateParticipantConnection: %v", err)
				closePair(pair)
				return
			}
			p.sock, err = dialSock(ctx, u, nil, st, p.idx, p.onChat)
			if err != nil {
				setupErrs.add("open socket: %v", err)
				closePair(pair)
				return
			}
			p.rc = newRestConn(addrs[node], nil, wire.PathSendMessage, [][2]string{{wire.HeaderBearer, ctoken}})
			pair[role] = p
		}
		pair[0].other, pair[1].other = pair[1], pair[0]
		parties[2*i], parties[2*i+1] = pair[0], pair[1]
	})
	defer func() {
		socks := make([]*sock, 0, len(parties))
		for _, p := range parties {
			if p != nil {
				socks = append(socks, p.sock)
				p.rc.close()
			}
		}
		closeAll(socks)
	}()
	if n := setupErrs.n.Load(); n > 0 {
		setupErrs.into(r)
		return fmt.Errorf("setup: %d failures: %v", n, r.ErrorSamples)
	}
	r.SetupSeconds = time.Since(setup).Seconds()

	// Heartbeats run all along, as ChatJS's do.
	beats := newBeater(cfg.Heartbeat)
	for _, p := range parties {
		beats.add(p.sock)
	}
	bctx, stopBeats := context.WithCancel(ctx)
	var bwg sync.WaitGroup
	bwg.Add(1)
	go func() {
		defer bwg.Done()
		beats.run(bctx)
	}()
	defer func() {
		stopBeats()
		bwg.Wait()
	}()

	begin := time.Now()
	winStart, winEnd := begin.Add(cfg.Warmup), begin.Add(cfg.Warmup+cfg.Duration)
	run.winStart.Store(winStart.UnixNano())
	run.winEnd.Store(winEnd.UnixNano())
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(len(parties)) / cfg.Rate)
	}
	cfg.logf("sending for %s (warm-up) + %s", cfg.Warmup, cfg.Duration)
	sctx, stopSend := context.WithDeadline(ctx, winEnd.Add(30*time.Second))
	defer stopSend()
	var swg sync.WaitGroup
	for _, p := range parties {
		swg.Add(1)
		go func() {
			defer swg.Done()
			p.send(sctx, begin, interval)
		}()
	}

	// Sample the processes at the window's edges.
	if err := sleepCtx(ctx, time.Until(winStart)); err != nil {
		return err
	}
	s0, haveProc := sampleProc(t)
	c0, _ := readProc(os.Getpid())
	var r0, r1 procSample
	if rc != nil && rc.pid() != 0 {
		r0, _ = readProc(rc.pid())
	}
	prof := startProfile(cfg.ProfileDir, "chat-"+cfg.Target+"-", t, cfg.Duration)
	if err := sleepCtx(ctx, time.Until(winEnd)); err != nil {
		return err
	}
	s1, _ := sampleProc(t)
	c1, _ := readProc(os.Getpid())
	if rc != nil && rc.pid() != 0 {
		r1, _ = readProc(rc.pid())
	}
	swg.Wait()
	files, perr := prof.finish()
	r.Profiles = files
	if perr != nil {
		cfg.logf("profiles: %v", perr)
	}

	// Drain: wait until every acknowledged message reached the other party, for at most 3 s.
	drainEnd := time.Now().Add(3 * time.Second)
	for time.Now().Before(drainEnd) {
		pending := false
		for _, p := range parties {
			if p.recvOther.Load() < p.other.acked.Load() {
				pending = true
				break
			}
		}
		if !pending {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	x := &ChatReport{Chats: cfg.Chats, Size: cfg.Size, TargetRate: cfg.Rate}
	if rc != nil {
		var acked int64
		for _, p := range parties {
			acked += p.acked.Load()
		}
		cfg.logf("waiting for the streaming receiver")
		x.Stream = waitReceiver(ctx, rc, acked, time.Now())
		x.Stream.Process = "the generator"
		if rc.pid() != 0 {
			x.Stream.Process, x.Stream.CPU = "a process of its own at the lowest CPU priority", cpuShare(r0, r1)
		}
		run.errs.n.Add(max(x.Stream.Expected-x.Stream.Messages, 0) + x.Stream.Refused)
	}
	for _, p := range parties {
		if d := p.other.acked.Load() - p.recvOther.Load(); d > 0 {
			x.Lost += d
		}
	}
	window := winEnd.Sub(winStart).Seconds()
	r.WindowSeconds = window
	x.Acked, x.Delivered = run.ackedIn.Load(), run.deliveredIn.Load()
	x.AckedRate, x.DeliveredRate = float64(x.Acked)/window, float64(x.Delivered)/window
	x.SendErrors, x.Reordered = run.sendErrors.Load(), run.reordered.Load()
	x.EndToEnd, x.Ack = run.e2e.summary(), run.ack.summary()
	r.Chat = x
	r.ClientCPU = cpuShare(c0, c1)
	if haveProc {
		r.ServerProc = &ProcReport{PID: t.pid, RSSBefore: s0.rss, RSSAfter: s1.rss, CPU: cpuShare(s0, s1),
			Threads: s1.threads}
	}
	// SendMessage failures are in run.errs already; socket trouble is counted here.
	run.errs.n.Add(x.Lost + x.Reordered + st.closedEarly.Load() + st.missedBeats.Load() + st.badAnswers.Load())
	run.errs.into(r)
	return nil
}
