package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// Socket states. A socket is open until something asks to close it; closing means no frame is queued any more
// and the writer sends the pending close frame, if any; closed means the reader has exited and cleaned up.
const (
	stateOpen int32 = iota
	stateClosing
	stateClosed
)

// entry is one element of a socket's write queue: a ready frame (a reply, a pong), a chain item from the bus,
// or, when both are nil, a sync: read LastSeq, which the socket then treats as already delivered.
type entry struct {
	frame   []byte
	item    *encItem
	catchUp bool // read every item after the last one written from the backend (CatchUp)
}

// encItem is an item as the bus delivered it, encoded once and shared by every socket of the chain.
type encItem struct {
	seq       int64
	recipient string
	frame     []byte
	ends      string // the participant whose sockets this item ends ("*": everyone's), or ""
}

// itemEnds says whose sockets an item ends: chat.ended everyone's, or, addressed to one participant (the one
// who left a chat that goes on), that one's. participant.left does not: the leaver's chat.ended follows it.
func itemEnds(it *parley.Item) string {
	if it.ContentType != parley.EventChatEnded {
		return ""
	}
	if it.Recipient != "" {
		return it.Recipient
	}
	return "*"
}

// conn is one WebSocket. Its reader goroutine (readLoop) owns the socket's lifetime and every read; at most one
// writer goroutine (writeLoop) exists at a time, only while the queue has something, and it alone writes.
type conn struct {
	g   *Gateway
	nc  net.Conn
	id  chat.SocketIdentity
	num uint64

	state atomic.Int32 // changed under mu; read without it where a stale value is harmless

	mu         sync.Mutex
	q          []entry // the bounded write queue
	qBytes     int
	writing    bool   // a writer goroutine is running
	subscribed bool   // the queue accepts chain items
	closeMsg   []byte // close frame the writer sends once the socket is closing
	slowClose  bool   // the close is for a queue overflow

	// Owned by the reader goroutine.
	pre         []byte // bytes the HTTP server read past the handshake
	first       [1]byte
	inHub       bool
	notifiedSub bool
	subBy       time.Time // when a socket that has not subscribed to aws/chat is closed (Options.SubscribeTimeout)

	// Owned by the writer goroutine that is running (the handoff goes through mu).
	ended  string // why the socket is done once its queued frames are written ("chat ended", …); "" while it lives
	last   int64  // newest Seq delivered (or skipped as invisible) on this socket
	synced bool   // last is known
	held   *held  // items that came ahead of a missing one; nil when none
}

// held keeps the items a socket received ahead of a missing Seq, in Seq order, until the missing ones arrive or
// the timer gives up waiting and the gap is read from the backend.
type held struct {
	items []*encItem
	timer *time.Timer
	// check is what the timer queues when the wait is over: an item with Seq 0, so that a check arriving
	// after its held items were released is dropped like any old item.
	check *encItem
}

// logger returns the gateway's logger with the socket's keys. Not kept per socket: it costs memory and sockets
// rarely log.
func (c *conn) logger() *slog.Logger {
	return c.g.log.With("conn_id", c.num, "participant_id", c.id.ParticipantID, "contact_id", c.id.ContactID)
}

func (c *conn) debug() bool { return c.g.log.Enabled(context.Background(), slog.LevelDebug) }

// pushItem queues a bus item. It is called from bus callbacks and never blocks.
func (c *conn) pushItem(e *encItem) {
	c.push(entry{item: e}, len(e.frame), true)
}

// pushCatchUp queues a read of whatever the chain has after the last item written.
func (c *conn) pushCatchUp() {
	c.push(entry{catchUp: true}, 0, true)
}

// send queues a ready frame.
func (c *conn) send(frame []byte) {
	c.push(entry{frame: frame}, len(frame), false)
}

func (c *conn) push(e entry, size int, item bool) {
	c.mu.Lock()
	if c.state.Load() != stateOpen || (item && !c.subscribed) {
		c.mu.Unlock()
		return
	}
	// The byte bound lets one frame through into an empty queue, however big.
	if len(c.q) >= c.g.opts.QueueLen || (len(c.q) > 0 && c.qBytes+size > c.g.opts.QueueBytes) {
		start := c.closeLocked(ws.StatusPolicyViolation, "slow consumer")
		c.slowClose = true // logged by the writer: a bus callback does no I/O
		c.mu.Unlock()
		c.g.slow.Add(1)
		if start {
			go c.writeLoop()
		}
		return
	}
	c.q = append(c.q, e)
	c.qBytes += size
	start := c.startWriterLocked()
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// startWriterLocked reports whether the caller must start a writer goroutine (and accounts for it).
func (c *conn) startWriterLocked() bool {
	if c.writing {
		return false
	}
	c.writing = true
	c.g.goStart()
	return true
}

// close asks for the socket to be closed with code and reason. It never blocks; the writer sends the close
// frame and the reader cleans up.
func (c *conn) close(code ws.StatusCode, reason string) {
	c.mu.Lock()
	start := c.closeLocked(code, reason)
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// closeNow is close, but when no writer is running it writes the close frame on the caller's goroutine
// (Gateway.Close uses it to bound how many sockets are being closed at once).
func (c *conn) closeNow(code ws.StatusCode, reason string) {
	c.mu.Lock()
	start := c.closeLocked(code, reason)
	c.mu.Unlock()
	if start {
		c.writeLoop()
	}
}

// closeLocked moves an open socket to closing and reports whether the caller must start the writer.
func (c *conn) closeLocked(code ws.StatusCode, reason string) bool {
	if c.state.Load() != stateOpen {
		return false
	}
	c.state.Store(stateClosing)
	clear(c.q)
	c.q, c.qBytes = nil, 0
	c.closeMsg = closeFrame(code, reason)
	if c.writing {
		// The writer may be stuck on a full socket (a slow consumer): do not let it wait long.
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.g.opts.CloseGrace))
		return false
	}
	return c.startWriterLocked()
}

// abort drops the connection without a close frame (the stream is unusable, or the peer is gone).
func (c *conn) abort() {
	c.mu.Lock()
	if c.state.Load() == stateOpen {
		c.state.Store(stateClosing)
		clear(c.q)
		c.q, c.qBytes = nil, 0
	}
	c.mu.Unlock()
	_ = c.nc.Close()
}

// readLoop is the socket's reader goroutine and owner: when it returns, the socket is closed and unregistered.
func (c *conn) readLoop() {
	defer c.finish()
	pending := c.pre
	c.pre = nil
	for {
		if len(pending) == 0 {
			c.armIdleDeadline()
			// Wait for the next burst holding no buffer.
			n, err := c.nc.Read(c.first[:])
			if err != nil {
				c.readFailed(err)
				return
			}
			pending = c.first[:n]
			if n == 0 {
				continue
			}
		}
		stop, err := c.burst(pending)
		pending = nil
		if err != nil {
			c.readFailed(err)
			return
		}
		if stop {
			return
		}
	}
}

// burst handles the frames that begin with pending on a goroutine of its own and waits for it. Decoding frames
// needs several KiB of stack, and a goroutine's stack does not shrink back until a garbage collection finds it
// mostly unused: the reader, which spends its life parked in Read, keeps the smallest stack (about 1 KiB of
// memory per idle socket less).
func (c *conn) burst(pending []byte) (stop bool, err error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		rb := getReadBuf(c.nc, pending, c.g.opts.MaxMessageSize)
		stop, err = c.readBurst(rb)
		putReadBuf(rb)
	}()
	<-done
	return stop, err
}

// readBurst handles frames until the read buffer is drained. stop is true when the peer answered our close.
func (c *conn) readBurst(rb *readBuf) (stop bool, err error) {
	for {
		op, p, err := rb.fr.next()
		if err != nil {
			return false, err
		}
		if c.handle(op, p) {
			return true, nil
		}
		if rb.drained() {
			return false, nil
		}
	}
}

// armIdleDeadline bounds the wait for the next frame: Options.IdleTimeout from now, and, until the socket
// subscribes, the subscription deadline. Once the socket is closing, the writer owns the read deadline (the
// close grace period), so it is left alone; mu orders the two.
func (c *conn) armIdleDeadline() {
	var at time.Time
	if c.g.opts.IdleTimeout > 0 {
		at = time.Now().Add(c.g.opts.IdleTimeout)
	}
	if !c.inHub && !c.subBy.IsZero() && (at.IsZero() || c.subBy.Before(at)) {
		at = c.subBy
	}
	if at.IsZero() {
		return
	}
	c.mu.Lock()
	if c.state.Load() == stateOpen {
		_ = c.nc.SetReadDeadline(at)
	}
	c.mu.Unlock()
}

func (c *conn) readFailed(err error) {
	var pe ws.ProtocolError
	switch {
	case errors.Is(err, errTooBig):
		if c.debug() {
			c.logger().Debug("gateway: message too big", "limit", c.g.opts.MaxMessageSize)
		}
		c.close(ws.StatusMessageTooBig, "message too big")
		c.awaitClose()
	case errors.As(err, &pe):
		if c.debug() {
			c.logger().Debug("gateway: protocol error", "err", err)
		}
		c.close(ws.StatusProtocolError, string(pe))
		c.awaitClose()
	case errors.Is(err, os.ErrDeadlineExceeded) && c.state.Load() == stateOpen && !c.inHub && !c.subBy.IsZero() &&
		!time.Now().Before(c.subBy):
		// Open for Options.SubscribeTimeout without subscribing: a socket only holds a descriptor for its chat.
		if c.debug() {
			c.logger().Debug("gateway: socket closed without a subscription")
		}
		c.close(ws.StatusPolicyViolation, "no subscription to aws/chat")
		_ = c.nc.SetReadDeadline(time.Now().Add(c.g.opts.CloseGrace))
		c.awaitClose()
	case errors.Is(err, os.ErrDeadlineExceeded) && c.state.Load() == stateOpen:
		// Idle past Options.IdleTimeout: say so with a close frame rather than just dropping the socket.
		if c.debug() {
			c.logger().Debug("gateway: idle socket closed")
		}
		c.close(ws.StatusNormalClosure, "idle timeout")
		_ = c.nc.SetReadDeadline(time.Now().Add(c.g.opts.CloseGrace))
		c.awaitClose()
	default:
		if c.state.Load() == stateOpen && c.debug() {
			c.logger().Debug("gateway: socket read", "err", err)
		}
	}
}

// awaitClose waits, after a read error that leaves the stream unusable, until the writer has sent the close
// frame and the grace period ends (or the peer closes), discarding whatever arrives.
func (c *conn) awaitClose() {
	var buf [256]byte
	for {
		if _, err := c.nc.Read(buf[:]); err != nil {
			return
		}
	}
}

// handle processes one client frame; it reports true when the reader should stop.
func (c *conn) handle(op ws.OpCode, p []byte) (stop bool) {
	switch op {
	case ws.OpText:
		c.handleText(p)
	case ws.OpPing:
		c.send(serverFrame(ws.OpPong, p))
	case ws.OpClose:
		if c.state.Load() != stateOpen {
			return true // the peer answered our close frame
		}
		code := ws.StatusNormalClosure
		if len(p) >= 2 {
			code, reason := ws.ParseCloseFrameData(p)
			if ws.CheckCloseFrameData(code, reason) != nil {
				code = ws.StatusProtocolError
			}
			c.close(code, "")
		} else if len(p) == 1 {
			c.close(ws.StatusProtocolError, "")
		} else {
			c.close(code, "")
		}
		// Keep reading until the peer closes the connection or the grace period ends.
	}
	// Binary frames and pongs are ignored.
	return false
}

func (c *conn) handleText(p []byte) {
	in, ok := decodeInbound(p)
	if !ok {
		if c.debug() {
			c.logger().Debug("gateway: ignoring a frame that is not a JSON object with a topic", "bytes", len(p))
		}
		return
	}
	switch in.Topic {
	case wire.TopicHeartbeat:
		c.send(replyHeartbeat)
	case wire.TopicPing:
		c.send(replyPing)
	case wire.TopicSubscribe:
		c.subscribe(in.Topics)
	case wire.TopicUnsubscribe:
		c.unsubscribe(in.Topics)
	}
}

// subscribe acknowledges the topics and, for aws/chat, starts delivering the chain's items. The order matters
// (DESIGN §3.3): the socket joins the hub first, then its writer reads LastSeq and treats it as delivered; an
// item committed after that read is published after it, finds the socket registered and is delivered. The ack
// is queued right behind that read, so every item committed after the client got the ack reaches it.
func (c *conn) subscribe(topics []string) {
	reply := subscribeReply(topics)
	if c.inHub || !slices.Contains(topics, wire.TopicChat) {
		c.send(reply)
		return
	}
	c.g.hub.add(c)
	c.inHub = true
	c.mu.Lock()
	if c.state.Load() != stateOpen {
		c.mu.Unlock()
		return // finish removes it from the hub
	}
	// Items published before this point were refused (subscribed was false); they are older than the LastSeq
	// the writer reads for the sync entry, so treating them as delivered is right. Items queued from now on
	// come after the sync entry and the ack.
	c.subscribed = true
	c.q = append(c.q, entry{}, entry{frame: reply}) // sync, then the ack
	c.qBytes += len(reply)
	start := c.startWriterLocked()
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
	c.g.subscribed.Add(1)
	if !c.notifiedSub {
		c.notifiedSub = true
		// On its own short-lived goroutine: the backend's store calls run deep stacks, and the reader's stack
		// is what an idle socket keeps.
		c.g.goStart()
		go func() {
			defer c.g.goDone()
			ctx, cancel := context.WithTimeout(c.g.ctx, c.g.opts.BackendTimeout)
			defer cancel()
			c.g.backend.Subscribed(ctx, c.id)
		}()
	}
}

// unsubscribe stops delivering chain items (ChatJS never sends it; there is no reply).
func (c *conn) unsubscribe(topics []string) {
	if !c.inHub || !slices.Contains(topics, wire.TopicChat) {
		return
	}
	c.mu.Lock()
	c.subscribed = false
	q, n := c.q[:0], 0
	for _, e := range c.q {
		if e.frame != nil {
			q = append(q, e)
			n += len(e.frame)
		}
	}
	clear(c.q[len(q):])
	c.q, c.qBytes = q, n
	c.mu.Unlock()
	c.g.hub.remove(c)
	c.inHub = false
	c.g.subscribed.Add(-1)
}

// finish runs when the reader exits: nothing is queued or written afterwards.
func (c *conn) finish() {
	c.mu.Lock()
	c.state.Store(stateClosed)
	clear(c.q)
	c.q, c.qBytes, c.subscribed = nil, 0, false
	c.mu.Unlock()
	_ = c.nc.Close()
	if c.inHub {
		c.g.hub.remove(c)
		c.inHub = false
		c.g.subscribed.Add(-1)
	}
	c.g.unregister(c)
	if c.debug() {
		c.logger().Debug("gateway: socket closed")
	}
	c.g.goDone()
}

const (
	// maxBatch is the most frames written with one writev.
	maxBatch = 64
	// keepQueueCap: a drained queue this small keeps its array (ChatJS's ping and heartbeat come in pairs).
	keepQueueCap = 2
)

// outBuf gathers the frames of one writev. tmp is what WriteTo consumes; keeping it in the pooled struct keeps
// it off the heap per write.
type outBuf struct {
	bufs net.Buffers
	tmp  net.Buffers
}

var outPool = sync.Pool{New: func() any { return &outBuf{bufs: make(net.Buffers, 0, maxBatch)} }}

// writeLoop is the socket's writer: it drains the queue and exits when the queue is empty. It is started by
// whoever queues into an empty queue with no writer running, and accounted for in the gateway's WaitGroup.
func (c *conn) writeLoop() {
	defer c.g.goDone()
	out := outPool.Get().(*outBuf)
	defer func() {
		clear(out.bufs[:cap(out.bufs)])
		out.bufs = out.bufs[:0]
		outPool.Put(out)
	}()
	var spare []entry // the last batch's array, handed back to the queue if it is small
	for {
		c.mu.Lock()
		if c.state.Load() != stateOpen {
			msg, slow := c.closeMsg, c.slowClose
			c.closeMsg, c.slowClose = nil, false
			c.writing = false
			c.mu.Unlock()
			if slow {
				c.logger().Warn("gateway: slow consumer, closing socket", "queue_len", c.g.opts.QueueLen,
					"queue_bytes", c.g.opts.QueueBytes)
			}
			if msg != nil {
				c.writeClose(msg)
			}
			return
		}
		if len(c.q) == 0 {
			if c.q == nil && spare != nil {
				c.q = spare // no allocation for the next small burst
			}
			c.writing = false
			c.mu.Unlock()
			return
		}
		batch := c.q
		c.q, c.qBytes = nil, 0
		if spare != nil {
			c.q, spare = spare, nil
		}
		c.mu.Unlock()

		err := c.process(batch, out)
		clear(batch)
		if cap(batch) <= keepQueueCap {
			spare = batch[:0]
		}
		if err == nil && c.ended != "" {
			// The participant left or the chat ended, and the socket has written that: close it normally
			// (the loop's next round sends the close frame).
			c.mu.Lock()
			c.closeLocked(ws.StatusNormalClosure, c.ended)
			c.mu.Unlock()
			continue
		}
		if err != nil {
			clear(out.bufs)
			out.bufs = out.bufs[:0]
			if we, ok := err.(writeError); ok {
				if errors.Is(we.err, os.ErrDeadlineExceeded) && c.state.Load() == stateOpen {
					c.g.slow.Add(1)
					c.logger().Warn("gateway: write timed out (slow consumer), dropping socket")
				}
				c.abort()
			} else {
				c.logger().Error("gateway: reading the chain for a socket failed, closing it", "err", err)
				c.close(ws.StatusInternalServerError, "internal error")
			}
		}
	}
}

// writeError marks an error from writing to the socket (as opposed to one from the backend).
type writeError struct{ err error }

func (e writeError) Error() string { return "write: " + e.err.Error() }

// errGap is returned when the backend cannot fill a gap that the bus revealed.
var errGap = errors.New("gap in the chain's items")

// process writes a batch, applying the delivery rules: items in Seq order, each once, no gaps.
func (c *conn) process(batch []entry, out *outBuf) error {
	for _, e := range batch {
		if c.state.Load() != stateOpen {
			return nil // closing: the loop sends the close frame
		}
		switch {
		case e.frame != nil:
			out.bufs = append(out.bufs, e.frame)
		case e.item != nil:
			if err := c.deliver(e.item, out); err != nil {
				return err
			}
		case e.catchUp:
			if err := c.catchUp(out); err != nil {
				return err
			}
		default: // sync
			last, err := c.flushAndReadLast(out)
			if err != nil {
				return err
			}
			c.last, c.synced = last, true
		}
		if len(out.bufs) >= maxBatch {
			if err := c.flush(out); err != nil {
				return err
			}
		}
	}
	return c.flush(out)
}

func (c *conn) visible(recipient string) bool {
	return recipient == "" || recipient == c.id.ParticipantID
}

// deliver applies the ordering rules to one bus item: Seq <= last is a duplicate; Seq == last+1 goes out,
// followed by the held items it makes contiguous; a larger Seq is held.
//
// Items committed together reach the bus from different goroutines, so a chain's items are often published a
// little out of order. Reading the gap from the backend at once would cost a store read for what is about to
// arrive, so a socket holds items that come early for up to Options.GapWait (or Options.GapBatch items) and
// reads the gap only when the missing items have not come by then: a publish that was lost, never one that
// was late.
func (c *conn) deliver(e *encItem, out *outBuf) error {
	if c.held != nil && e == c.held.check {
		return c.fillHeld(out)
	}
	if !c.synced || e.seq <= c.last {
		return nil
	}
	if e.seq > c.last+1 {
		c.hold(e)
		if len(c.held.items) > c.g.opts.GapBatch {
			return c.fillHeld(out)
		}
		return nil
	}
	c.emit(e, out)
	c.releaseHeld(out)
	return nil
}

// emit queues e, the item after last, for writing.
func (c *conn) emit(e *encItem, out *outBuf) {
	if c.visible(e.recipient) {
		out.bufs = append(out.bufs, e.frame)
	}
	c.last = e.seq
	c.endsWith(e.ends)
}

// endsWith notes that the socket ends after this batch when an item ends it.
func (c *conn) endsWith(ends string) {
	switch {
	case ends == "*":
		c.ended = "chat ended"
	case ends != "" && ends == c.id.ParticipantID:
		c.ended = "participant left"
	}
}

// hold keeps e until the items before it arrive, starting the wait if it is the first item held.
func (c *conn) hold(e *encItem) {
	if c.held == nil {
		check := &encItem{}
		c.held = &held{check: check, timer: time.AfterFunc(c.g.opts.GapWait, func() { c.pushItem(check) })}
	}
	i, found := slices.BinarySearchFunc(c.held.items, e.seq, func(h *encItem, seq int64) int {
		return cmp.Compare(h.seq, seq)
	})
	if !found {
		c.held.items = slices.Insert(c.held.items, i, e)
	}
}

// releaseHeld emits the held items that are now contiguous with last and drops those already covered.
func (c *conn) releaseHeld(out *outBuf) {
	if c.held == nil {
		return
	}
	n := 0
	for _, h := range c.held.items {
		if h.seq > c.last+1 {
			break
		}
		if h.seq == c.last+1 {
			c.emit(h, out)
		}
		n++
	}
	c.held.items = slices.Delete(c.held.items, 0, n)
	if len(c.held.items) == 0 {
		c.held.timer.Stop()
		c.held = nil
	}
}

// fillHeld stops waiting: it reads every missing item up to the newest held one from the backend (which has
// them all, since a published item was committed after every item before it), then releases what was held.
func (c *conn) fillHeld(out *outBuf) error {
	if err := c.flush(out); err != nil {
		return err
	}
	if err := c.fillGap(c.held.items[len(c.held.items)-1].seq-1, out); err != nil {
		return err
	}
	c.releaseHeld(out)
	return nil
}

// fillGap reads and queues for writing the items after c.last up to at least upto.
func (c *conn) fillGap(upto int64, out *outBuf) error {
	for c.last < upto {
		ctx, cancel := context.WithTimeout(c.g.ctx, c.g.opts.BackendTimeout)
		items, err := c.g.backend.ItemsAfter(ctx, c.id.ChainID, c.last, c.g.opts.GapBatch)
		cancel()
		c.g.gapReads.Add(1)
		if err != nil {
			return fmt.Errorf("items after %d: %w", c.last, err)
		}
		progress := false
		for _, it := range items {
			if it.Seq <= c.last {
				continue
			}
			if it.Seq != c.last+1 {
				return fmt.Errorf("%w: backend returned seq %d after %d", errGap, it.Seq, c.last)
			}
			if c.visible(it.Recipient) {
				f, err := chatFrame(it)
				if err != nil {
					return fmt.Errorf("encode item %s: %w", it.ID, err)
				}
				out.bufs = append(out.bufs, f)
			}
			c.last = it.Seq
			c.endsWith(itemEnds(it))
			progress = true
			if len(out.bufs) >= maxBatch {
				if err := c.flush(out); err != nil {
					return err
				}
			}
		}
		if !progress {
			return fmt.Errorf("%w: backend has nothing after seq %d, bus announced %d", errGap, c.last, upto+1)
		}
	}
	return nil
}

// flushAndReadLast writes what is gathered, then reads the chain's last Seq from the backend.
func (c *conn) flushAndReadLast(out *outBuf) (int64, error) {
	if err := c.flush(out); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(c.g.ctx, c.g.opts.BackendTimeout)
	defer cancel()
	last, err := c.g.backend.LastSeq(ctx, c.id.ChainID)
	if err != nil {
		return 0, fmt.Errorf("last seq: %w", err)
	}
	return last, nil
}

// catchUp writes the items the backend has after the last one written, then what was held and is now
// contiguous. A socket that has not synced yet reads from the store anyway.
func (c *conn) catchUp(out *outBuf) error {
	if !c.synced {
		return nil
	}
	last, err := c.flushAndReadLast(out)
	if err != nil {
		return err
	}
	// What is committed after this read comes through the bus, which is back.
	if err := c.fillGap(last, out); err != nil {
		return err
	}
	if c.held != nil {
		c.releaseHeld(out)
	}
	return nil
}

// flush writes the gathered frames with one writev.
func (c *conn) flush(out *outBuf) error {
	if len(out.bufs) == 0 {
		return nil
	}
	timeout := c.g.opts.WriteTimeout
	if c.state.Load() != stateOpen {
		timeout = c.g.opts.CloseGrace
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(timeout))
	out.tmp = out.bufs // WriteTo consumes its receiver; keep bufs to reuse it
	_, err := out.tmp.WriteTo(c.nc)
	out.tmp = nil
	clear(out.bufs)
	out.bufs = out.bufs[:0]
	if err != nil {
		return writeError{err}
	}
	return nil
}

// writeClose sends the close frame, half-closes the connection so the peer sees the end of the stream, and gives
// the reader the grace period to receive the peer's answer.
func (c *conn) writeClose(msg []byte) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.g.opts.CloseGrace))
	if _, err := c.nc.Write(msg); err != nil {
		_ = c.nc.Close()
		return
	}
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	// The reader only sets deadlines while the socket is open, which it no longer is: this one stands.
	_ = c.nc.SetReadDeadline(time.Now().Add(c.g.opts.CloseGrace))
}

// closeReason is the close frame reason for a genuine credential the backend refused.
func closeReason(err error) (ws.StatusCode, string) {
	var pe *parley.Error
	if errors.As(err, &pe) && pe.Code != parley.EINTERNAL {
		return ws.StatusPolicyViolation, pe.Message
	}
	return ws.StatusInternalServerError, "internal error"
}
