package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/wire"
)

// The frames a client sends, byte for byte as ChatJS sends them.
var (
	frameSubscribe = []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	framePing      = []byte(`{"topic":"aws/ping"}`)
	frameHeartbeat = []byte(`{"topic":"aws/heartbeat"}`)
)

// Close reasons, as ChatJS words them.
const (
	closeUser    = "[Primary] WebSocket User request to close WebSocket"
	closeRotated = "[Primary WebSocket] Closing WebSocket"
)

const (
	writeTimeout     = 10 * time.Second
	handshakeTimeout = 30 * time.Second
	readLimit        = 4 << 20
	pageSize         = wire.MaxPageSize
	seenCapacity     = 4096
	sockQueue        = 16
)

// errHeartbeat marks a socket that did not answer a heartbeat in time.
var errHeartbeat = errors.New("client: heartbeat not answered")

// sock is one WebSocket with a reader and a writer goroutine. The manager never blocks on it: it queues frames
// for the writer (a socket whose queue is full is stalled, hence dead) and asks the writer to close it; the
// reader hands frames to the manager. So a peer that does not read while it writes cannot deadlock the session.
type sock struct {
	id     int
	ws     *websocket.Conn
	out    chan []byte   // frames for the writer
	quit   chan struct{} // closed to make the writer close the socket
	reason string        // close frame reason, when closing politely; set before quit is closed
	opened time.Time
	// subscribedAt is when the subscription was acknowledged.
	subscribedAt time.Time
	subscribed   bool
	hbPending    bool
	hbSent       time.Time
	pingSent     bool
	closed       bool
}

// dialed is a new socket with the connection that came with it.
type dialed struct {
	sock *sock
	conn *wire.CreateParticipantConnectionResponse
}

// dial creates a connection (CreateParticipantConnection), opens its WebSocket and sends the subscription.
func (s *Session) dial(ctx context.Context) (dialed, error) {
	conn, err := s.createConnection(ctx, wire.ConnectionTypeWebsocket, wire.ConnectionTypeCredentials)
	if err != nil {
		return dialed{}, err
	}
	if conn.Websocket == nil || conn.Websocket.URL == "" {
		return dialed{}, &APIError{Operation: "CreateParticipantConnection", Code: codeUnknown, StatusCode: http.StatusOK,
			Message: "the answer has no Websocket.Url"}
	}
	s.setConnection(conn.ConnectionCredentials)
	d := websocket.Dialer{HandshakeTimeout: handshakeTimeout, NetDialContext: s.opts.DialContext,
		ReadBufferSize: 4096, WriteBufferSize: 1024}
	if s.opts.DialContext == nil {
		d.Proxy = http.ProxyFromEnvironment
	}
	ws, resp, err := d.DialContext(ctx, conn.Websocket.URL, nil)
	if err != nil {
		if resp != nil {
			return dialed{}, fmt.Errorf("client: open WebSocket: %w (HTTP %d)", err, resp.StatusCode)
		}
		return dialed{}, fmt.Errorf("client: open WebSocket: %w", err)
	}
	ws.SetReadLimit(readLimit)
	_ = ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := ws.WriteMessage(websocket.TextMessage, frameSubscribe); err != nil {
		ws.Close()
		return dialed{}, fmt.Errorf("client: subscribe: %w", err)
	}
	return dialed{sock: &sock{ws: ws, out: make(chan []byte, sockQueue), quit: make(chan struct{}), opened: time.Now()},
		conn: conn}, nil
}

// frameMsg is what a reader hands the manager: a frame, or the error that ended the socket.
type frameMsg struct {
	s   *sock
	f   wire.Frame
	err error
}

type dialResult struct {
	d   dialed
	err error
}

type refreshResult struct {
	conn *wire.CreateParticipantConnectionResponse
	err  error
}

// Resume modes.
const (
	resumeFrom     = iota // read forward from the last item seen
	resumeBaseline        // first connection: note the newest item, deliver nothing
	resumeReplay          // first connection with ReplayTranscript: deliver the whole transcript
)

type resumeResult struct {
	gen      int
	items    []wire.Item
	baseline *wire.Item
	contact  string // InitialContactId of the transcript
	err      error
}

// manager owns the session's sockets and timers, in one goroutine (run). Work that waits on the network —
// dialing, refreshing the token, reading the transcript — runs in job goroutines that report back on
// channels, so the manager always keeps answering heartbeats.
//
// Item flow: items come only from the primary socket. When a socket subscribes (first connection,
// reconnect or rotation) it becomes the primary, the previous one is closed, and the manager reads the
// transcript forward from the last item it delivered while holding back the new socket's items; then it
// delivers the transcript's new items and the held-back ones, skipping Ids already delivered. Everything
// committed before the subscription is in the transcript and everything after it is on the socket, so no item
// is missed and none is delivered twice. Typing and receipts (MESSAGEMETADATA) are not in transcripts: those
// sent while no socket was subscribed are not delivered.
type manager struct {
	s      *Session
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	first  chan<- error // reports the first subscription (or failure) to Connect; nil afterwards

	primary *sock
	pending *sock // subscribing: replaces primary once subscribed
	nextID  int

	dialing    bool
	refreshing bool
	attempt    int // dial failures in a row

	resuming   bool
	resumeGen  int
	resumeMode int
	resumeTry  int
	held       []wire.Item
	baselined  bool // the position in the transcript is known (lastSeen, or known empty)

	established bool // EventConnectionEstablished sent, no EventConnectionLost since
	everUp      bool
	terminal    bool

	lastSeen wire.Item // the last transcript item delivered (Id, AbsoluteTime)
	seen     *idSet

	frames    chan frameMsg
	dials     chan dialResult
	refreshes chan refreshResult
	resumes   chan resumeResult

	retry       *time.Timer // next dial attempt
	refresh     *time.Timer // ConnectionToken refresh
	rotate      *time.Timer // socket rotation
	resumeRetry *time.Timer
}

func newManager(s *Session) *manager {
	ctx, cancel := context.WithCancel(s.ctx)
	return &manager{s: s, log: s.log, ctx: ctx, cancel: cancel, done: make(chan struct{}), seen: newIDSet(seenCapacity),
		frames: make(chan frameMsg), dials: make(chan dialResult), refreshes: make(chan refreshResult),
		resumes: make(chan resumeResult)}
}

// stopped returns a timer that is not running.
func stopped() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// run is the manager goroutine. first is the socket Connect opened.
func (m *manager) run(first dialed) {
	defer close(m.done)
	defer m.shutdown()
	m.retry, m.refresh, m.rotate, m.resumeRetry = stopped(), stopped(), stopped(), stopped()
	hb := time.NewTicker(m.s.opts.HeartbeatInterval)
	defer hb.Stop()
	m.adopt(first)
	for !m.terminal {
		select {
		case <-m.ctx.Done():
			return
		case f := <-m.frames:
			m.onFrame(f)
		case r := <-m.dials:
			m.dialing = false
			m.onDial(r)
		case r := <-m.refreshes:
			m.refreshing = false
			m.onRefresh(r)
		case r := <-m.resumes:
			m.onResume(r)
		case <-hb.C:
			m.heartbeat()
		case <-m.retry.C:
			m.startDial()
		case <-m.rotate.C:
			if m.pending == nil && !m.dialing {
				m.log.Debug("client: rotating socket")
				m.startDial()
			}
		case <-m.refresh.C:
			m.startRefresh()
		case <-m.resumeRetry.C:
			m.startResume()
		}
	}
}

// shutdown closes the sockets and waits for the readers and jobs (they all stop on ctx).
func (m *manager) shutdown() {
	m.cancel()
	for _, sk := range []*sock{m.primary, m.pending} {
		if sk != nil {
			m.closeSock(sk, closeUser)
		}
	}
	m.primary, m.pending = nil, nil
	for _, t := range []*time.Timer{m.retry, m.refresh, m.rotate, m.resumeRetry} {
		if t != nil {
			t.Stop()
		}
	}
	if m.first != nil {
		m.first <- ErrClosed
		m.first = nil
	}
}

// adopt takes over a freshly dialed socket: it becomes pending until its subscription is acknowledged.
func (m *manager) adopt(d dialed) {
	m.nextID++
	d.sock.id = m.nextID
	m.pending = d.sock
	m.scheduleRefresh(d.conn.ConnectionCredentials)
	m.log.Debug("client: socket opened", "conn", d.sock.id)
	m.s.wg.Add(2)
	go m.read(d.sock)
	go m.write(d.sock)
	// ChatJS sends the first ping and heartbeat right after subscribing.
	m.sendHeartbeat(d.sock)
}

// read is a socket's reader goroutine.
func (m *manager) read(sk *sock) {
	defer m.s.wg.Done()
	for {
		_, b, err := sk.ws.ReadMessage()
		if err != nil {
			select {
			case m.frames <- frameMsg{s: sk, err: err}:
			case <-m.ctx.Done():
			}
			return
		}
		var f wire.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			m.log.Debug("client: ignoring a frame that is not JSON", "conn", sk.id, "frame", string(b))
			continue
		}
		select {
		case m.frames <- frameMsg{s: sk, f: f}:
		case <-m.ctx.Done():
			// Shutting down: drop the frame and keep reading until the writer closes the connection after its
			// close frame, so that a peer writing to us is never stuck and misses that close frame.
		}
	}
}

// write is a socket's writer goroutine: it writes queued frames until told to close, then sends the close
// frame (if any) and closes the connection, which also ends the reader.
func (m *manager) write(sk *sock) {
	defer m.s.wg.Done()
	defer sk.ws.Close()
	for {
		select {
		case b := <-sk.out:
			_ = sk.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := sk.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				return // the reader fails too, and reports
			}
		case <-sk.quit:
			if sk.reason != "" {
				_ = sk.ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, sk.reason), time.Now().Add(time.Second))
			}
			return
		}
	}
}

// send queues a frame; false means the socket is stalled.
func (sk *sock) send(b []byte) bool {
	select {
	case sk.out <- b:
		return true
	default:
		return false
	}
}

func (m *manager) onFrame(fm frameMsg) {
	sk := fm.s
	if sk.closed {
		return
	}
	if fm.err != nil {
		m.sockFailed(sk, fm.err)
		return
	}
	switch fm.f.Topic {
	case wire.TopicSubscribe:
		var c wire.SubscribeContent
		_ = json.Unmarshal(fm.f.Content, &c)
		if c.Status != "success" {
			m.sockFailed(sk, fmt.Errorf("client: subscription refused: %s", fm.f.Content))
			return
		}
		if sk == m.pending && !sk.subscribed {
			m.subscribed(sk)
		}
	case wire.TopicHeartbeat:
		sk.hbPending = false
	case wire.TopicPing:
		sk.pingSent = false
		if fm.f.StatusCode != http.StatusOK {
			m.log.Warn("client: deep heartbeat failed", "conn", sk.id, "status", fm.f.StatusCode,
				"status_content", fm.f.StatusContent)
		}
	case wire.TopicChat:
		if sk != m.primary {
			return // a socket being replaced; the new one and the transcript cover its items
		}
		var content string
		if err := json.Unmarshal(fm.f.Content, &content); err != nil {
			m.log.Debug("client: aws/chat content is not a string", "conn", sk.id)
			return
		}
		var it wire.Item
		if err := json.Unmarshal([]byte(content), &it); err != nil {
			m.log.Debug("client: aws/chat content is not an item", "conn", sk.id)
			return
		}
		if !m.forUs(&it) {
			return
		}
		if m.resuming {
			m.held = append(m.held, it)
			return
		}
		m.deliver(it, false)
	}
}

// forUs applies ChatJS's contact filter to a live item.
func (m *manager) forUs(it *wire.Item) bool {
	d := m.s.ChatDetails()
	if d.ContactID == "" || it.Type == ItemTypeMessageMetadata {
		return true
	}
	return it.InitialContactID == d.InitialContactID || it.ContactID == d.ContactID
}

// subscribed promotes a socket whose subscription was acknowledged.
func (m *manager) subscribed(sk *sock) {
	sk.subscribed, sk.subscribedAt = true, time.Now()
	old := m.primary
	m.primary, m.pending = sk, nil
	m.attempt = 0
	if old != nil {
		m.closeSock(old, closeRotated)
	}
	m.rotate.Reset(m.s.opts.SocketLifetime)
	m.log.Info("client: socket subscribed", "conn", sk.id)
	if !m.established {
		m.established = true
		m.emit(Event{Type: EventConnectionEstablished})
	}
	if m.first != nil {
		m.first <- nil
		m.first = nil
	}
	m.everUp = true
	switch {
	case m.baselined:
		m.resumeMode = resumeFrom
	case m.s.opts.ReplayTranscript:
		m.resumeMode = resumeReplay
	default:
		m.resumeMode = resumeBaseline
	}
	m.resuming = true
	m.resumeTry = 0
	m.startResume()
}

// sockFailed handles a socket that closed, errored or missed a heartbeat.
func (m *manager) sockFailed(sk *sock, err error) {
	m.closeSock(sk, "")
	switch sk {
	case m.pending:
		m.pending = nil
		m.log.Info("client: new socket failed", "conn", sk.id, "err", err)
	case m.primary:
		m.primary = nil
		m.log.Info("client: socket lost", "conn", sk.id, "err", err)
	default:
		return
	}
	if !m.everUp {
		if m.first != nil {
			m.first <- err
			m.first = nil
		}
		m.terminal = true
		return
	}
	if m.primary == nil && m.established {
		m.established = false
		m.emit(Event{Type: EventConnectionLost, Err: err})
	}
	if m.pending != nil || m.dialing {
		return // a new socket is on its way
	}
	if m.primary == nil && sk.subscribed && time.Since(sk.subscribedAt) >= m.s.opts.HeartbeatInterval {
		m.attempt = 0
		m.startDial() // ChatJS reconnects at once when a socket that was working drops
		return
	}
	m.scheduleDial() // a failed rotation, or a socket that failed early: back off
}

// closeSock asks the socket's writer to close it, with a close frame when reason is set. A dead socket is
// closed at once; a live one gets a second to write what is pending and the close frame (a write deadline set
// on the connection interrupts a writer stuck on a stalled network).
func (m *manager) closeSock(sk *sock, reason string) {
	if sk.closed {
		return
	}
	sk.closed = true
	sk.reason = reason
	if reason == "" {
		_ = sk.ws.NetConn().Close()
	} else {
		_ = sk.ws.NetConn().SetWriteDeadline(time.Now().Add(time.Second))
	}
	close(sk.quit)
}

// heartbeat runs every HeartbeatInterval: a socket whose previous heartbeat is unanswered is dead; the others
// get a ping and a heartbeat.
func (m *manager) heartbeat() {
	now := time.Now()
	for _, sk := range []*sock{m.primary, m.pending} {
		if sk == nil || sk.closed {
			continue
		}
		if !sk.subscribed && now.Sub(sk.opened) >= m.s.opts.HeartbeatInterval {
			m.sockFailed(sk, errors.New("client: subscription not acknowledged"))
			continue
		}
		if sk.hbPending {
			if now.Sub(sk.hbSent) >= m.s.opts.HeartbeatInterval {
				m.sockFailed(sk, errHeartbeat)
			}
			continue
		}
		if sk.pingSent {
			m.log.Warn("client: deep heartbeat (aws/ping) not answered", "conn", sk.id)
		}
		m.sendHeartbeat(sk)
	}
}

func (m *manager) sendHeartbeat(sk *sock) {
	if !sk.send(framePing) || !sk.send(frameHeartbeat) {
		m.sockFailed(sk, errors.New("client: socket stalled: frames are not being written"))
		return
	}
	sk.pingSent, sk.hbPending, sk.hbSent = true, true, time.Now()
}

// startDial starts a dial job unless one is running.
func (m *manager) startDial() {
	if m.dialing || m.terminal {
		return
	}
	m.retry.Stop()
	m.dialing = true
	m.s.wg.Add(1)
	go func() {
		defer m.s.wg.Done()
		d, err := m.s.dial(m.ctx)
		select {
		case m.dials <- dialResult{d, err}:
		case <-m.ctx.Done():
			if d.sock != nil {
				d.sock.ws.Close()
			}
		}
	}()
}

// scheduleDial arms the next dial attempt after an exponential, jittered backoff.
func (m *manager) scheduleDial() {
	m.attempt++
	d := m.backoff(m.attempt)
	m.log.Debug("client: next connection attempt", "in", d, "attempt", m.attempt)
	m.retry.Reset(d)
}

// backoff is the delay after the given number of failures in a row (1 or more): MinBackoff doubled per
// failure up to MaxBackoff, with jitter.
func (m *manager) backoff(failures int) time.Duration {
	d := m.s.opts.MinBackoff
	for range min(failures-1, 30) {
		d *= 2
		if d >= m.s.opts.MaxBackoff {
			d = m.s.opts.MaxBackoff
			break
		}
	}
	return jitter(d)
}

func (m *manager) onDial(r dialResult) {
	if r.err == nil {
		if m.pending != nil { // cannot happen: one dial at a time, and pending is set only here
			m.closeSock(m.pending, "")
		}
		m.adopt(r.d)
		return
	}
	if m.ctx.Err() != nil {
		return
	}
	var ae *APIError
	switch {
	case IsAccessDenied(r.err):
		// ChatJS's rule: CreateParticipantConnection refused with 403 means the chat has ended (or this
		// participant left) while the socket was down.
		m.end(nil, r.err)
	case errors.As(r.err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && !IsThrottling(ae):
		if m.primary != nil {
			m.log.Warn("client: socket rotation refused; keeping the current socket", "err", r.err)
			m.attempt = max(m.attempt, 7)
			m.scheduleDial()
			return
		}
		m.broken(r.err)
	default:
		m.log.Info("client: connection attempt failed", "err", r.err, "attempt", m.attempt)
		m.scheduleDial()
	}
}

// scheduleRefresh arms the ConnectionToken refresh RefreshBefore its expiry. The delay is kept within
// [1 s, 24 h] so a bad or missing expiry cannot cause the tight loops ChatJS falls into.
func (m *manager) scheduleRefresh(c *wire.ConnectionCredentials) {
	if c == nil {
		return
	}
	exp, err := wire.ParseTime(c.Expiry)
	if err != nil {
		m.log.Debug("client: ConnectionToken has no usable expiry; not refreshing", "expiry", c.Expiry)
		m.refresh.Stop()
		return
	}
	d := time.Until(exp) - m.s.opts.RefreshBefore
	d = min(max(d, time.Second), 24*time.Hour)
	m.refresh.Reset(d)
}

func (m *manager) startRefresh() {
	if m.refreshing || m.terminal {
		return
	}
	m.refreshing = true
	m.s.wg.Add(1)
	go func() {
		defer m.s.wg.Done()
		conn, err := m.s.createConnection(m.ctx, wire.ConnectionTypeCredentials)
		select {
		case m.refreshes <- refreshResult{conn, err}:
		case <-m.ctx.Done():
		}
	}()
}

func (m *manager) onRefresh(r refreshResult) {
	if r.err != nil {
		if m.ctx.Err() != nil {
			return
		}
		if IsAccessDenied(r.err) {
			m.end(nil, r.err)
			return
		}
		d := m.backoff(4)
		m.log.Warn("client: ConnectionToken refresh failed", "err", r.err, "retry_in", d)
		m.refresh.Reset(d)
		return
	}
	m.s.setConnection(r.conn.ConnectionCredentials)
	m.log.Debug("client: ConnectionToken refreshed", "expiry", r.conn.ConnectionCredentials.Expiry)
	m.scheduleRefresh(r.conn.ConnectionCredentials)
}

// startResume starts a transcript read for the current resume; results of earlier ones are ignored.
func (m *manager) startResume() {
	if !m.resuming || m.terminal {
		return
	}
	m.resumeRetry.Stop()
	m.resumeGen++
	gen, mode, after := m.resumeGen, m.resumeMode, m.lastSeen
	m.s.wg.Add(1)
	go func() {
		defer m.s.wg.Done()
		r := m.s.readResume(m.ctx, mode, after)
		r.gen = gen
		select {
		case m.resumes <- r:
		case <-m.ctx.Done():
		}
	}()
}

func (m *manager) onResume(r resumeResult) {
	if r.gen != m.resumeGen || !m.resuming {
		return
	}
	if r.err != nil {
		if m.ctx.Err() != nil {
			return
		}
		if IsAccessDenied(r.err) {
			m.flushHeld()
			m.end(nil, r.err)
			return
		}
		if retryable(m.ctx, r.err) || m.resumeTry < 3 {
			m.resumeTry++
			d := m.backoff(m.resumeTry)
			m.log.Info("client: reading the transcript to resume failed", "err", r.err, "retry_in", d)
			m.resumeRetry.Reset(d)
			return
		}
		m.log.Error("client: cannot read the transcript to resume; items sent while disconnected may be missing",
			"err", r.err)
		m.flushHeld()
		return
	}
	m.s.learn(nil, r.contact)
	if r.baseline != nil {
		m.lastSeen = *r.baseline
	}
	m.baselined = true
	for _, it := range r.items {
		if m.terminal {
			return
		}
		m.deliver(it, true)
	}
	m.flushHeld()
}

// flushHeld ends a resume: the items held back from the new socket are delivered.
func (m *manager) flushHeld() {
	m.resuming = false
	held := m.held
	m.held = nil
	for _, it := range held {
		if m.terminal {
			return
		}
		m.deliver(it, false)
	}
}

// readResume reads what a resume needs from the transcript.
func (s *Session) readResume(ctx context.Context, mode int, after wire.Item) resumeResult {
	switch mode {
	case resumeBaseline:
		n, scan, order := 1, wire.ScanBackward, wire.SortDescending
		page, err := s.getTranscript(ctx, wire.GetTranscriptRequest{MaxResults: &n, ScanDirection: &scan, SortOrder: &order})
		if err != nil {
			return resumeResult{err: err}
		}
		r := resumeResult{contact: page.InitialContactID}
		if len(page.Transcript) > 0 {
			r.baseline = &page.Transcript[0]
		}
		return r
	case resumeReplay:
		return s.readForward(ctx, nil)
	}
	if after.ID == "" {
		return s.readForward(ctx, nil) // nothing seen yet: everything is new
	}
	id := after.ID
	r := s.readForward(ctx, &wire.StartPosition{ID: &id})
	var ae *APIError
	if r.err != nil && errors.As(r.err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 &&
		!IsAccessDenied(ae) && !IsThrottling(ae) && after.AbsoluteTime != "" {
		// A service that cannot start at an Id: start at the time instead; Ids already delivered are skipped.
		t := after.AbsoluteTime
		r = s.readForward(ctx, &wire.StartPosition{AbsoluteTime: &t})
	}
	return r
}

// readForward reads every page forward from start (nil: the beginning).
func (s *Session) readForward(ctx context.Context, start *wire.StartPosition) resumeResult {
	n, scan, order := pageSize, wire.ScanForward, wire.SortAscending
	req := wire.GetTranscriptRequest{MaxResults: &n, ScanDirection: &scan, SortOrder: &order, StartPosition: start}
	var r resumeResult
	seen := map[string]bool{}
	for {
		page, err := s.getTranscript(ctx, req)
		if err != nil {
			return resumeResult{err: err}
		}
		r.contact = page.InitialContactID
		r.items = append(r.items, page.Transcript...)
		if page.NextToken == "" || seen[page.NextToken] {
			return r
		}
		seen[page.NextToken] = true
		next := page.NextToken
		req.NextToken = &next
	}
}

// deliver routes one item to its events, once.
func (m *manager) deliver(it wire.Item, fromTranscript bool) {
	if it.ID != "" {
		key := dedupeKey(&it)
		if m.seen.has(key) {
			return
		}
		m.seen.add(key)
	}
	if inTranscript(&it) {
		m.lastSeen = wire.Item{ID: it.ID, AbsoluteTime: it.AbsoluteTime}
	}
	m.s.learn(&it, "")
	ev := Event{Item: it, FromTranscript: fromTranscript}
	switch {
	case it.Type == ItemTypeMessageMetadata || it.ContentType == ContentTypeMessageRead ||
		it.ContentType == ContentTypeMessageDelivered:
		md := it.MessageMetadata
		if md == nil || len(md.Receipts) == 0 {
			m.log.Debug("client: receipt without receipts ignored", "id", it.ID)
			return
		}
		if me := m.s.ChatDetails().ParticipantID; me != "" && md.Receipts[0].RecipientParticipantID == me {
			return // our own receipt
		}
		switch {
		case md.Receipts[0].ReadTimestamp != "":
			ev.Type = EventReadReceipt
		case md.Receipts[0].DeliveredTimestamp != "":
			ev.Type = EventDeliveredReceipt
		default:
			return
		}
	case it.ContentType == ContentTypeTyping:
		ev.Type = EventTyping
	case it.ContentType == ContentTypeParticipantIdle:
		ev.Type = EventParticipantIdle
	case it.ContentType == ContentTypeParticipantReturned:
		ev.Type = EventParticipantReturned
	case it.ContentType == ContentTypeAutoDisconnection:
		ev.Type = EventAutoDisconnection
	case authenticationEvents[it.ContentType] != 0:
		ev.Type = authenticationEvents[it.ContentType]
	default:
		ev.Type = EventMessage
	}
	m.emit(ev)
	if it.ContentType == ContentTypeChatEnded {
		m.end(&it, nil)
	}
}

// inTranscript reports whether GetTranscript returns items like it (typing and receipts it does not), so that
// it can be a resume position.
func inTranscript(it *wire.Item) bool {
	return it.ID != "" && it.Type != ItemTypeMessageMetadata && it.ContentType != ContentTypeTyping
}

// end finishes the session with EventEnded: it after a chat.ended item, or a synthetic chat.ended item when the
// end was learnt from a refusal (cause).
func (m *manager) end(it *wire.Item, cause error) {
	if m.terminal {
		return
	}
	if it == nil {
		d := m.s.ChatDetails()
		it = &wire.Item{Type: ItemTypeEvent, ContentType: ContentTypeChatEnded, ContactID: d.ContactID,
			InitialContactID: d.InitialContactID}
		m.log.Info("client: the chat has ended (connection refused)", "err", cause)
	} else {
		m.log.Info("client: the chat has ended")
	}
	m.s.setEnded()
	m.emit(Event{Type: EventEnded, Item: *it, Err: cause})
	m.terminal = true
}

// broken finishes the session with EventConnectionBroken.
func (m *manager) broken(err error) {
	m.log.Error("client: connection broken; not retrying", "err", err)
	m.emit(Event{Type: EventConnectionBroken, Err: err})
	m.terminal = true
}

func (m *manager) emit(ev Event) { m.s.disp.emit(ev) }

// idSet remembers the last n Ids.
type idSet struct {
	m    map[string]struct{}
	ring []string
	next int
}

// dedupeKey identifies an item for "each once": its Id, plus, for attachments, their statuses. A scanned
// attachment comes again with the same Id when its status changes (IN_PROGRESS, then APPROVED or REJECTED); that
// is a replacement to deliver, not a duplicate.
func dedupeKey(it *wire.Item) string {
	if it.Type != ItemTypeAttachment || len(it.Attachments) == 0 {
		return it.ID
	}
	k := it.ID
	for _, a := range it.Attachments {
		k += "\x00" + a.Status
	}
	return k
}

func newIDSet(n int) *idSet { return &idSet{m: make(map[string]struct{}, n), ring: make([]string, n)} }

func (s *idSet) has(id string) bool {
	_, ok := s.m[id]
	return ok
}

func (s *idSet) add(id string) {
	if old := s.ring[s.next]; old != "" {
		delete(s.m, old)
	}
	s.ring[s.next] = id
	s.m[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
}
