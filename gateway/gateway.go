// Package gateway is parley's chat WebSocket endpoint, the one ChatJS and the other official clients open with
// the URL that CreateParticipantConnection returns. It authenticates the socket by the token in the URL, answers
// aws/subscribe, aws/heartbeat and aws/ping (shared/reference/websocket-protocol.md §1), and pushes the items of
// the participant's chain as aws/chat frames: in Seq order, each once, with no gaps (DESIGN §3), reading from the
// backend whatever the bus did not bring.
//
// # Concurrency contract
//
// A Gateway is safe for concurrent use; it is an http.Handler whose ServeHTTP returns as soon as the socket is
// set up. Each socket has:
//
//   - one reader goroutine, its owner: it reads and answers frames and, when it exits, closes the connection
//     and unregisters the socket. An idle reader holds no read buffer (it waits with a 1-byte read and borrows
//     a pooled buffer for each burst).
//   - at most one writer goroutine, which exists only while the socket's queue has something: whoever queues
//     into an empty queue starts it, and it exits when the queue is empty. Only the writer writes, so frames
//     never interleave; it gathers the queued frames into one writev, and it does the backend reads the
//     ordering needs (LastSeq on subscribe, ItemsAfter for a gap).
//   - a bounded queue (Options.QueueLen frames, Options.QueueBytes bytes). Bus callbacks only queue, so they never
//     block; a socket whose queue overflows, or whose write times out, is closed as a slow consumer and
//     counted (safe because clients resume from the transcript, DESIGN §3.4).
//
// On aws/subscribe to aws/chat the socket joins the hub first, then its writer reads LastSeq (treated as
// already delivered: older items are the transcript's business) and only then sends the ack. So every item
// committed after the client has the ack reaches the socket, and nothing committed during the subscription is
// lost: the bus publishes after commit, and the socket was registered before the read.
//
// The hub maps chains to their sockets in 64 shards by chain id; a chain has one bus subscription while one of
// its sockets on this node is subscribed. An item from the bus is encoded once and the same bytes are queued
// on every socket of the chain.
//
// Lock order: hub shard lock → the bus's own locks (Subscribe under the shard lock). The gateway's registry lock
// and each socket's lock are leaves: nothing is called while they are held except non-blocking socket deadline
// setters. No lock is held while calling the backend or the bus's Publish path.
//
// The backend's Subscribed runs on a short-lived goroutine of its own, so that its (deep) store calls do not
// grow the stack the idle reader keeps.
//
// Every goroutine the gateway starts is counted in one WaitGroup that Close waits for; Stats().Goroutines
// reports how many are running.
package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/internal/durhist"
	"github.com/parley-chat/parley/wire"
)

// Backend is what the gateway needs from the chat core.
type Backend interface {
	// AuthenticateSocket checks the token from the URL. It returns an error with code parley.EINVALID for a token
	// the server never issued (malformed / bad signature): the upgrade is then refused with HTTP 403. Any other
	// error (expired URL, participant left, chat ended) means the token is genuine: the gateway must still ACCEPT
	// the upgrade and then close the socket with code 1008 and a short reason — ChatJS loops without backoff on a
	// refused handshake of a URL it was just given (protocol doc §2.6), whereas after a close it calls
	// CreateParticipantConnection, which answers 403 for an ended chat and ChatJS then ends cleanly.
	AuthenticateSocket(ctx context.Context, token string) (chat.SocketIdentity, error)
	// Subscribed is called once when a socket subscribes to aws/chat (the core marks the participant connected).
	Subscribed(ctx context.Context, id chat.SocketIdentity)
	// LastSeq is the newest Seq of the chain; ItemsAfter reads items with Seq > after, ascending, at most limit.
	LastSeq(ctx context.Context, chainID string) (int64, error)
	ItemsAfter(ctx context.Context, chainID string, after int64, limit int) ([]*parley.Item, error)
}

// Options tunes the gateway. The zero value of each field means its default.
type Options struct {
	// MaxMessageSize is the largest message a client may send, in bytes; a larger one closes the socket with
	// 1009. Default 64 KiB (ChatJS sends frames under 100 bytes).
	MaxMessageSize int
	// QueueLen and QueueBytes bound a socket's write queue, in frames and in bytes. A socket that falls that far
	// behind is closed as a slow consumer. Defaults 256 frames, 1 MiB.
	QueueLen   int
	QueueBytes int
	// WriteTimeout bounds one write to a socket; a socket that does not take its frames in time is dropped as a
	// slow consumer. Default 10 s.
	WriteTimeout time.Duration
	// IdleTimeout closes a socket that sends nothing for that long (ChatJS sends two frames every 10 s).
	// Default 2 minutes; negative disables it.
	IdleTimeout time.Duration
	// CloseGrace is how long a closing socket waits for the peer's close frame, and the write deadline of the
	// close frame itself. Default 2 s.
	CloseGrace time.Duration
	// CloseParallelism is how many sockets Close closes at once. Default 64.
	CloseParallelism int
	// BackendTimeout bounds each backend call (LastSeq, ItemsAfter, Subscribed). Default 10 s.
	BackendTimeout time.Duration
	// GapBatch is the limit passed to ItemsAfter when filling a gap, and the most items a socket holds while it
	// waits for a missing one. Default 100.
	GapBatch int
	// GapWait is how long a socket holds items that arrived ahead of a missing one before it reads the gap from
	// the backend. Items committed together are often published slightly out of order, so the missing one is
	// usually microseconds away. Default 25 ms.
	GapWait time.Duration
	// HandshakeTimeout bounds writing the upgrade response. Default 10 s.
	HandshakeTimeout time.Duration
	// SubscribeTimeout closes a socket (1008) that has not subscribed to aws/chat that long after it opened
	// (ChatJS subscribes at once). Default 30 s; negative disables it.
	SubscribeTimeout time.Duration
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MaxMessageSize, 64<<10)
	def(&o.QueueLen, 256)
	def(&o.QueueBytes, 1<<20)
	def(&o.CloseParallelism, 64)
	def(&o.GapBatch, 100)
	defDur(&o.GapWait, 25*time.Millisecond)
	defDur(&o.WriteTimeout, 10*time.Second)
	defDur(&o.IdleTimeout, 2*time.Minute)
	defDur(&o.CloseGrace, 2*time.Second)
	defDur(&o.BackendTimeout, 10*time.Second)
	defDur(&o.HandshakeTimeout, 10*time.Second)
	defDur(&o.SubscribeTimeout, 30*time.Second)
	return o
}

// Gateway is the WebSocket endpoint. Mount it at /ws.
type Gateway struct {
	backend Backend
	bus     parley.Bus
	log     *slog.Logger
	opts    Options
	hub     hub

	// ctx is the parent of every backend call made for a socket; Close cancels it once sockets are gone.
	ctx    context.Context
	cancel context.CancelFunc

	wg         sync.WaitGroup // every goroutine the gateway starts (readers, writers, Subscribed calls)
	goroutines atomic.Int64

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool

	nextID     atomic.Uint64
	open       atomic.Int64
	subscribed atomic.Int64
	slow       atomic.Int64
	gapReads   atomic.Int64
	busLag     *durhist.Histogram // item time → the bus delivers it to this node
}

var _ http.Handler = (*Gateway)(nil)

// New returns a gateway that authenticates sockets and reads chains through b and learns of new items from bus.
func New(b Backend, bus parley.Bus, log *slog.Logger, opts Options) *Gateway {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{backend: b, bus: bus, log: log, opts: opts.withDefaults(), conns: make(map[*conn]struct{}),
		busLag: durhist.Default()}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.hub.init(g)
	return g
}

// Stats is a snapshot of the gateway's counters.
type Stats struct {
	Open               int64 // sockets upgraded and not yet closed
	Subscribed         int64 // sockets subscribed to aws/chat
	Chains             int   // chains with a bus subscription
	SlowConsumerCloses int64 // sockets closed because they did not keep up, since New
	GapReads           int64 // ItemsAfter calls made to fill gaps, since New
	Goroutines         int64 // goroutines the gateway started that are still running
}

// Stats returns the current counters.
func (g *Gateway) Stats() Stats {
	return Stats{
		Open:               g.open.Load(),
		Subscribed:         g.subscribed.Load(),
		Chains:             g.hub.chains(),
		SlowConsumerCloses: g.slow.Load(),
		GapReads:           g.gapReads.Load(),
		Goroutines:         g.goroutines.Load(),
	}
}

func (g *Gateway) goStart() {
	g.wg.Add(1)
	g.goroutines.Add(1)
}

func (g *Gateway) goDone() {
	g.goroutines.Add(-1)
	g.wg.Done()
}

// ServeHTTP authenticates the token in the URL query and upgrades the connection. A token the server never
// issued gets HTTP 403; a genuine one that is no longer good (expired, participant left, chat ended) gets a
// socket that is closed at once with 1008, because ChatJS retries a refused handshake without backoff.
// Upgrades from any Origin are accepted: the token is the gate (DESIGN §7).
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.isClosed() {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" {
		deny(w, "missing token")
		return
	}
	id, authErr := g.backend.AuthenticateSocket(r.Context(), token)
	if authErr != nil && parley.IsCode(authErr, parley.EINVALID) {
		deny(w, "invalid token")
		return
	}
	up := ws.HTTPUpgrader{Timeout: g.opts.HandshakeTimeout}
	nc, rw, _, err := up.Upgrade(r, w)
	if err != nil {
		if nc != nil {
			_ = nc.Close()
		}
		if g.log.Enabled(r.Context(), slog.LevelDebug) {
			g.log.Debug("gateway: upgrade failed", "err", err, "remote", r.RemoteAddr)
		}
		return
	}
	c := &conn{g: g, nc: nc, id: id, num: g.nextID.Add(1)}
	if g.opts.SubscribeTimeout > 0 {
		c.subBy = time.Now().Add(g.opts.SubscribeTimeout)
	}
	if rw != nil && rw.Reader.Buffered() > 0 {
		// A client may send its first frame right behind the handshake; net/http may have read it already.
		p, _ := rw.Reader.Peek(rw.Reader.Buffered())
		c.pre = append([]byte(nil), p...)
	}
	if !g.register(c) {
		_ = nc.Close()
		return
	}
	if authErr != nil {
		code, reason := closeReason(authErr)
		if code == ws.StatusInternalServerError {
			c.logger().Error("gateway: authenticate socket", "err", authErr)
		} else if c.debug() {
			c.logger().Debug("gateway: refusing a genuine but unusable socket credential", "err", authErr)
		}
		c.close(code, reason)
	} else if c.debug() {
		c.logger().Debug("gateway: socket open", "remote", r.RemoteAddr)
	}
	go c.readLoop()
}

// deny answers a request whose credential the server never issued, before any upgrade.
func deny(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(wire.Error{Type: "AccessDeniedException", Message: msg})
}

func (g *Gateway) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// register adds a socket and accounts for its reader goroutine; false once Close has begun.
func (g *Gateway) register(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.conns[c] = struct{}{}
	g.goStart()
	g.open.Add(1)
	return true
}

func (g *Gateway) unregister(c *conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
	g.open.Add(-1)
}

func (g *Gateway) snapshot() []*conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	conns := make([]*conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	return conns
}

// CatchUp has every socket read from the backend what its chain has after the last item it wrote, in its
// writer, in order with what the bus delivers. The owner calls it when the bus may have lost messages that no
// later item will reveal as a gap, after a reconnect to the bus server. It does not wait for the reads.
func (g *Gateway) CatchUp() {
	for _, c := range g.snapshot() {
		c.pushCatchUp()
	}
}

// BusLag is how long items took from their time (taken in the transaction that stored them) until the bus
// brought them to this node's sockets: the store's commit and the bus's delivery, for the chains this node
// follows.
func (g *Gateway) BusLag() durhist.Snapshot { return g.busLag.Snapshot() }

// DropAll closes every socket's connection at once, without a close frame, as a network cut would. The
// gateway keeps accepting new sockets.
func (g *Gateway) DropAll() {
	for _, c := range g.snapshot() {
		c.abort()
	}
}

// Close shuts the gateway down gracefully: it refuses new upgrades, sends every socket a 1001 "going away"
// close frame, at most Options.CloseParallelism at a time, and waits for every goroutine it started. If ctx ends
// first, the remaining sockets are dropped, Close still waits for the goroutines (which then exit promptly)
// and returns ctx's error. Close may be called more than once.
func (g *Gateway) Close(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()

	conns := g.snapshot()
	work := make(chan *conn)
	var workers sync.WaitGroup
	for range min(g.opts.CloseParallelism, len(conns)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for c := range work {
				c.closeNow(ws.StatusGoingAway, "going away")
			}
		}()
	}
feed:
	for _, c := range conns {
		select {
		case work <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	workers.Wait()

	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		g.cancel() // unblock backend calls
		g.DropAll()
		<-done
	}
	g.cancel()
	return err
}
