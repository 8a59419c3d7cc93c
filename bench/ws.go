package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// The frames ChatJS sends, byte for byte (shared/reference/websocket-protocol.md §1.2), and the answers it
// expects (§1.3). The generator checks every answer against these.
var (
	reqSubscribe    = []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	reqPing         = []byte(`{"topic":"aws/ping"}`)
	reqHeartbeat    = []byte(`{"topic":"aws/heartbeat"}`)
	ackSubscribe    = []byte(`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`)
	ackPing         = []byte(`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`)
	ackHeartbeat    = []byte(`{"topic":"aws/heartbeat"}`)
	chatFramePrefix = []byte(`{"topic":"aws/chat"`)
)

// Client frames are masked (RFC 6455 §5.3). The mask only defeats proxy cache poisoning, which loopback has no
// use for, so one random mask per process is enough and the frames are encoded once.
var (
	frameMask      = ws.NewMask()
	frameSubscribe = clientFrame(ws.OpText, reqSubscribe)
	frameBeat      = append(clientFrame(ws.OpText, reqPing), clientFrame(ws.OpText, reqHeartbeat)...)
	frameClose     = clientFrame(ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, "bench done"))
)

// clientFrame encodes one final, masked client frame.
func clientFrame(op ws.OpCode, payload []byte) []byte {
	var b bytes.Buffer
	h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: frameMask, Length: int64(len(payload))}
	if err := ws.WriteHeader(&b, h); err != nil {
		panic(err)
	}
	p := append([]byte(nil), payload...)
	ws.Cipher(p, frameMask, 0)
	b.Write(p)
	return b.Bytes()
}

// sockStats counts what the generator's sockets saw; shared by the sockets of one run.
type sockStats struct {
	opened      atomic.Int64 // sockets subscribed (ack received)
	failed      atomic.Int64 // sockets that could not be opened or subscribed
	closedEarly atomic.Int64 // sockets the server closed, or whose reads failed, before the end
	beats       atomic.Int64 // ping + heartbeat pairs sent
	missedBeats atomic.Int64 // heartbeats or pings not answered before the next beat (ChatJS would reconnect)
	badAnswers  atomic.Int64 // answers that are not byte for byte what ChatJS expects, or unrequested ones
	chatFrames  atomic.Int64 // aws/chat frames received
	otherFrames atomic.Int64 // frames of no known kind
	beatLatency *latency     // heartbeat sent → answer received
}

func newSockStats() *sockStats { return &sockStats{beatLatency: newLatency()} }

// sock is one participant's WebSocket, driven as ChatJS drives it: subscribe, then aws/ping and aws/heartbeat
// at once and every beat interval. Its reader goroutine checks every answer; writes (beats, pongs, close) are
// serialized by wmu.
type sock struct {
	nc    net.Conn
	r     *bufio.Reader
	stats *sockStats
	idx   int
	// onChat gets each aws/chat frame's payload (valid during the call), on the reader goroutine.
	onChat func(payload []byte, now time.Time)

	wmu     sync.Mutex
	closing atomic.Bool

	subscribed chan struct{}
	pingSent   atomic.Int64 // unix ns of the unanswered aws/ping, 0 if answered
	beatSent   atomic.Int64 // unix ns of the unanswered aws/heartbeat, 0 if answered
	done       chan struct{}
}

// dialSock opens and subscribes a socket, returning once the server acknowledged the subscription.
func dialSock(ctx context.Context, rawURL string, local net.IP, st *sockStats, idx int,
	onChat func([]byte, time.Time)) (*sock, error) {
	d := ws.Dialer{
		Timeout: 15 * time.Second,
		NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nd := net.Dialer{}
			if local != nil {
				nd.LocalAddr = &net.TCPAddr{IP: local}
			}
			return nd.DialContext(ctx, network, addr)
		},
	}
	nc, br, _, err := d.Dial(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	s := &sock{nc: nc, stats: st, idx: idx, onChat: onChat, subscribed: make(chan struct{}), done: make(chan struct{})}
	if br != nil {
		s.r = br // holds bytes the server sent right behind the handshake
	} else {
		s.r = bufio.NewReaderSize(nc, 2048)
	}
	go s.readLoop()
	// ChatJS on open: subscribe, then ping and heartbeat at once.
	if err := s.write(frameSubscribe); err != nil {
		s.close()
		return nil, err
	}
	s.beat()
	select {
	case <-s.subscribed:
		return s, nil
	case <-s.done:
		return nil, errors.New("socket closed before the subscription was acknowledged")
	case <-ctx.Done():
		s.close()
		return nil, ctx.Err()
	case <-time.After(15 * time.Second):
		s.close()
		return nil, errors.New("no subscription ack within 15 s")
	}
}

func (s *sock) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := s.nc.Write(b)
	return err
}

// beat sends aws/ping and aws/heartbeat; an earlier pair still unanswered counts as missed.
func (s *sock) beat() {
	now := time.Now().UnixNano()
	if s.pingSent.Swap(now) != 0 {
		s.stats.missedBeats.Add(1)
	}
	if s.beatSent.Swap(now) != 0 {
		s.stats.missedBeats.Add(1)
	}
	s.stats.beats.Add(1)
	if err := s.write(frameBeat); err != nil && !s.closing.Load() {
		s.fail()
	}
}

// fail drops a socket whose stream broke.
func (s *sock) fail() {
	if s.closing.CompareAndSwap(false, true) {
		s.stats.closedEarly.Add(1)
		_ = s.nc.Close()
	}
}

// close ends the socket as ChatJS does at the end of a session (close frame 1000) and waits for its reader.
func (s *sock) close() {
	if !s.closing.CompareAndSwap(false, true) {
		return
	}
	_ = s.write(frameClose)
	// The server answers with its close frame; the reader then sees the end of the stream. A server that does not
	// answer within a second is cut off.
	_ = s.nc.SetReadDeadline(time.Now().Add(time.Second))
	<-s.done
	_ = s.nc.Close()
}

func (s *sock) readLoop() {
	defer close(s.done)
	var hdr [ws.MaxHeaderSize - 2]byte
	buf := make([]byte, 0, 1024)
	for {
		h, err := ws.ReadHeaderBuffer(s.r, hdr[:])
		if err == nil && h.Length > 1<<20 {
			err = fmt.Errorf("frame of %d bytes", h.Length)
		}
		if err == nil {
			if cap(buf) < int(h.Length) {
				buf = make([]byte, h.Length)
			}
			buf = buf[:h.Length]
			_, err = io.ReadFull(s.r, buf)
		}
		if err != nil {
			if !s.closing.Load() {
				s.fail()
			}
			return
		}
		if h.Masked || !h.Fin {
			s.stats.badAnswers.Add(1) // servers send unmasked, and parley never fragments
			continue
		}
		switch h.OpCode {
		case ws.OpText:
			s.text(buf)
		case ws.OpPing:
			_ = s.write(clientFrame(ws.OpPong, buf))
		case ws.OpClose:
			if !s.closing.Load() {
				s.fail()
			}
			return
		}
	}
}

// text checks one text frame against what ChatJS expects.
func (s *sock) text(p []byte) {
	now := time.Now()
	switch {
	case bytes.HasPrefix(p, chatFramePrefix):
		s.stats.chatFrames.Add(1)
		if s.onChat != nil {
			s.onChat(p, now)
		}
	case bytes.Equal(p, ackHeartbeat):
		if sent := s.beatSent.Swap(0); sent != 0 {
			s.stats.beatLatency.record(s.idx, now.Sub(time.Unix(0, sent)))
		} else {
			s.stats.badAnswers.Add(1)
		}
	case bytes.Equal(p, ackPing):
		if s.pingSent.Swap(0) == 0 {
			s.stats.badAnswers.Add(1)
		}
	case bytes.Equal(p, ackSubscribe):
		select {
		case <-s.subscribed:
			s.stats.badAnswers.Add(1)
		default:
			s.stats.opened.Add(1)
			close(s.subscribed)
		}
	case bytes.HasPrefix(p, []byte(`{"topic":"aws/`)):
		s.stats.badAnswers.Add(1) // a reply in another shape than ChatJS needs (e.g. a ping without statusCode 200)
	default:
		s.stats.otherFrames.Add(1)
	}
}

// beater sends every socket's beats at the interval, each socket on its own phase (its open time, as ChatJS
// does), from one goroutine: a wheel of 10 ms slots instead of one timer per socket.
type beater struct {
	tick  time.Duration
	mu    sync.Mutex
	slots [][]*sock
	last  int // the slot visited last
}

func newBeater(interval time.Duration) *beater {
	tick := 10 * time.Millisecond
	b := &beater{tick: tick, slots: make([][]*sock, max(1, int(interval/tick)))}
	b.last = b.slotOf(time.Now())
	return b
}

func (b *beater) slotOf(t time.Time) int { return int(t.UnixNano()/int64(b.tick)) % len(b.slots) }

// add schedules s's next beats: the wheel reaches its slot one full turn from now, whatever the wheel's lag.
func (b *beater) add(s *sock) {
	b.mu.Lock()
	b.slots[b.last] = append(b.slots[b.last], s)
	b.mu.Unlock()
}

// run beats until ctx ends.
func (b *beater) run(ctx context.Context) {
	t := time.NewTicker(b.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			cur := b.slotOf(now)
			for {
				b.mu.Lock()
				if b.last == cur {
					b.mu.Unlock()
					break
				}
				b.last = (b.last + 1) % len(b.slots)
				due := b.slots[b.last]
				b.mu.Unlock()
				for _, s := range due {
					if !s.closing.Load() {
						s.beat()
					}
				}
			}
		}
	}
}
