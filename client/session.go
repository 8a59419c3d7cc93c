package client

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/wire"
)

var discard = slog.New(slog.DiscardHandler)

// Defaults of Options.
const (
	DefaultHeartbeatInterval     = 10 * time.Second
	DefaultSocketLifetime        = 59 * time.Minute
	DefaultRefreshBefore         = 60 * time.Second
	DefaultMinBackoff            = 1 * time.Second
	DefaultMaxBackoff            = 30 * time.Second
	DefaultMaxRetries            = 3
	DefaultTypingThrottle        = 10 * time.Second
	DefaultReceiptThrottle       = 5 * time.Second
	DefaultDeliveredReceiptDelay = 300 * time.Millisecond
	DefaultEventBuffer           = 64
)

// Options configure a Session. The zero value talks to Amazon Connect in us-west-2 with ChatJS's timings.
type Options struct {
	// Endpoint is the base URL of the Participant Service, for example parley's http://127.0.0.1:8080. A path
	// prefix is kept. Default https://participant.connect.{Region}.amazonaws.com.
	Endpoint string
	// Region selects the default endpoint. Default us-west-2 (as ChatJS).
	Region string
	// HTTPClient sends the REST requests. Default: a client of the session's own (closed by Close).
	HTTPClient *http.Client
	// DialContext, when set, opens the network connections of the WebSocket and, when HTTPClient is not set,
	// of the REST requests (tests use it to run over an in-memory network).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives the session's logs (connection changes at Info, retries and frames at Debug). Default:
	// none.
	Logger *slog.Logger

	// ConnectParticipant sets ConnectParticipant on every CreateParticipantConnection, which marks agents (and
	// other non-customer participants) connected.
	ConnectParticipant bool
	// ReplayTranscript makes Connect deliver the whole transcript so far as events (FromTranscript set) before
	// live items, with no gap between the two. Without it the session delivers only items that come after
	// Connect, as ChatJS does.
	ReplayTranscript bool

	// HeartbeatInterval is how often aws/ping and aws/heartbeat are sent on each socket; a heartbeat not answered
	// within one interval marks the socket dead. Default 10 s (as ChatJS).
	HeartbeatInterval time.Duration
	// SocketLifetime is how long a socket is used before the session rotates to a fresh one (open the new one,
	// subscribe, then close the old one). Default 59 minutes (as ChatJS).
	SocketLifetime time.Duration
	// RefreshBefore is how long before the ConnectionToken's expiry the session fetches a new one. Default 60 s
	// (as ChatJS).
	RefreshBefore time.Duration
	// MinBackoff and MaxBackoff bound the delay between reconnect attempts, which doubles per failure, with
	// jitter. Defaults 1 s and 30 s.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetries is how many times a REST request is repeated after a network error, a 5xx or throttling
	// (with the same ClientToken). Default 3; negative means none.
	MaxRetries int
	// TypingThrottle is the least time between two typing events SendTyping sends. Default 10 s (as ChatJS);
	// negative means no throttling.
	TypingThrottle time.Duration
	// ReceiptThrottle is the window in which receipts are gathered; at its end only the latest read and the latest
	// delivered receipt are sent. Default 5 s (as ChatJS); negative means send at once.
	ReceiptThrottle time.Duration
	// DeliveredReceiptDelay is how long a delivered receipt waits so that a read receipt for the same message can
	// replace it. Default 300 ms (as ChatJS); negative means no wait.
	DeliveredReceiptDelay time.Duration
	// EventBuffer is the capacity of the Events channel. Default 64.
	EventBuffer int
}

func (o *Options) defaults() {
	if o.Region == "" {
		o.Region = defaultRegion
	}
	o.Endpoint = strings.TrimSuffix(o.Endpoint, "/")
	if o.Endpoint == "" {
		o.Endpoint = "https://participant.connect." + o.Region + ".amazonaws.com"
	}
	if o.Logger == nil {
		o.Logger = discard
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.HeartbeatInterval, DefaultHeartbeatInterval)
	def(&o.SocketLifetime, DefaultSocketLifetime)
	def(&o.RefreshBefore, DefaultRefreshBefore)
	def(&o.MinBackoff, DefaultMinBackoff)
	def(&o.MaxBackoff, DefaultMaxBackoff)
	def(&o.TypingThrottle, DefaultTypingThrottle)
	def(&o.ReceiptThrottle, DefaultReceiptThrottle)
	def(&o.DeliveredReceiptDelay, DefaultDeliveredReceiptDelay)
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.EventBuffer <= 0 {
		o.EventBuffer = DefaultEventBuffer
	}
}

// Session is one participant's connection to a chat, the Go counterpart of ChatJS's ChatSession: REST calls to
// the Participant Service plus a managed WebSocket that delivers the chat's items as events.
//
// Create it with NewSession, register callbacks (or take the Events channel), then Connect. The session keeps
// the WebSocket alive (heartbeats, rotation, ConnectionToken refresh) and reconnects on its own, resuming from
// the transcript so that no item is missed or delivered twice. Close releases it; Disconnect leaves the chat.
//
// All methods are safe for concurrent use.
type Session struct {
	opts    Options
	log     *slog.Logger
	api     *transport
	ownHTTP *http.Transport // closed by Close when the session made its HTTP client
	disp    *dispatcher
	rcpt    *receipts

	ctx    context.Context // the session's life; canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the session but the event goroutine (see dispatcher)

	mu          sync.Mutex
	details     ChatDetails
	connToken   string
	connExpiry  time.Time
	connected   bool // Connect succeeded
	connecting  bool
	closed      bool
	ended       bool
	lastTyping  time.Time
	ownMessages map[string]bool   // Ids of messages this session sent, to learn ParticipantID
	recentItems map[string]string // Id → ParticipantId of recent messages, for the same
}

// NewSession returns a session for the participant in details (ParticipantToken is required; ContactID and
// ParticipantID are learnt when empty, see ChatDetails). It does not touch the network: call Connect, and Close
// when done.
func NewSession(details ChatDetails, opts Options) (*Session, error) {
	if details.ParticipantToken == "" {
		return nil, errors.New("client: ChatDetails.ParticipantToken is required")
	}
	if details.InitialContactID == "" {
		details.InitialContactID = details.ContactID
	}
	opts.defaults()
	s := &Session{opts: opts, details: details, ownMessages: map[string]bool{}, recentItems: map[string]string{}}
	s.log = opts.Logger.With("contact_id", details.ContactID, "participant_id", details.ParticipantID)
	hc := opts.HTTPClient
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if opts.DialContext != nil {
			t.DialContext = opts.DialContext
			t.Proxy = nil
		}
		s.ownHTTP = t
		hc = &http.Client{Transport: t}
	}
	s.api = &transport{endpoint: opts.Endpoint, hc: hc, log: s.log, retries: opts.MaxRetries,
		backoff: 100 * time.Millisecond}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.disp = newDispatcher(opts.EventBuffer)
	s.rcpt = newReceipts(s)
	return s, nil
}

// ChatDetails returns the session's chat details, including the ContactID and ParticipantID it learnt.
func (s *Session) ChatDetails() ChatDetails {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.details
}

// ConnectionDetails are the participant's current connection credentials.
type ConnectionDetails struct {
	// ConnectionToken authenticates the Participant Service calls (X-Amz-Bearer).
	ConnectionToken string
	// Expiry is when the ConnectionToken expires; the session refreshes it before.
	Expiry time.Time
}

// ConnectionDetails returns the current ConnectionToken and its expiry (zero before Connect), for calling the
// Participant Service with another client.
func (s *Session) ConnectionDetails() ConnectionDetails {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ConnectionDetails{ConnectionToken: s.connToken, Expiry: s.connExpiry}
}

// OnMessage registers f for EventMessage. Callbacks run one at a time on the session's event goroutine, in
// item order; see Events for the guarantees.
func (s *Session) OnMessage(f func(Event)) { s.disp.on(EventMessage, f) }

// OnTyping registers f for EventTyping.
func (s *Session) OnTyping(f func(Event)) { s.disp.on(EventTyping, f) }

// OnReadReceipt registers f for EventReadReceipt.
func (s *Session) OnReadReceipt(f func(Event)) { s.disp.on(EventReadReceipt, f) }

// OnDeliveredReceipt registers f for EventDeliveredReceipt.
func (s *Session) OnDeliveredReceipt(f func(Event)) { s.disp.on(EventDeliveredReceipt, f) }

// OnParticipantIdle registers f for EventParticipantIdle.
func (s *Session) OnParticipantIdle(f func(Event)) { s.disp.on(EventParticipantIdle, f) }

// OnParticipantReturned registers f for EventParticipantReturned.
func (s *Session) OnParticipantReturned(f func(Event)) { s.disp.on(EventParticipantReturned, f) }

// OnAutoDisconnection registers f for EventAutoDisconnection.
func (s *Session) OnAutoDisconnection(f func(Event)) { s.disp.on(EventAutoDisconnection, f) }

// OnConnectionEstablished registers f for EventConnectionEstablished.
func (s *Session) OnConnectionEstablished(f func(Event)) { s.disp.on(EventConnectionEstablished, f) }

// OnConnectionLost registers f for EventConnectionLost.
func (s *Session) OnConnectionLost(f func(Event)) { s.disp.on(EventConnectionLost, f) }

// OnConnectionBroken registers f for EventConnectionBroken.
func (s *Session) OnConnectionBroken(f func(Event)) { s.disp.on(EventConnectionBroken, f) }

// OnEnded registers f for EventEnded.
func (s *Session) OnEnded(f func(Event)) { s.disp.on(EventEnded, f) }

// Events returns a channel that receives every event, after the callbacks registered for it have run. Call it
// before Connect to see every event; the channel is created on the first call and the same channel is returned
// afterwards.
//
// Guarantees, for callbacks and the channel alike: events come from one goroutine, one at a time, in the order
// the session saw them; chat items in the chat's order, each once (deduplicated by Id across reconnects). A
// callback or a channel consumer that does not keep up delays later events but never the connection (the
// queue between them is unbounded). After EventEnded or EventConnectionBroken no event follows and the channel
// is closed; Close also closes it. Callbacks may call any method of the session, Close included.
func (s *Session) Events() <-chan Event { return s.disp.events() }

// token returns the ConnectionToken for a REST call.
func (s *Session) token() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return "", ErrClosed
	case s.connToken == "":
		return "", ErrNotConnected
	}
	return s.connToken, nil
}

// SendResult is the answer to SendMessage and SendEvent.
type SendResult struct {
	// ID is the item's Id: the same on every socket and in the transcript.
	ID string
	// AbsoluteTime is when the service stored it (2019-11-08T02:41:28.172Z).
	AbsoluteTime string
}

// SendMessage sends a message (SendMessage): contentType is text/plain, text/markdown, application/json or
// application/vnd.amazonaws.connect.message.interactive.response, as the chat allows. Network errors, 5xx and
// throttling are retried with the same ClientToken, so the message is stored once.
func (s *Session) SendMessage(ctx context.Context, contentType, content string) (SendResult, error) {
	tok, err := s.token()
	if err != nil {
		return SendResult{}, err
	}
	ct := newClientToken()
	var out wire.SendMessageResponse
	err = s.api.call(ctx, request{op: "SendMessage", method: http.MethodPost, path: wire.PathSendMessage, bearer: tok,
		in: wire.SendMessageRequest{ContentType: &contentType, Content: &content, ClientToken: &ct}}, &out)
	if err != nil {
		return SendResult{}, err
	}
	s.mu.Lock()
	if s.details.ParticipantID == "" {
		if p := s.recentItems[out.ID]; p != "" { // the echo came before the answer
			s.details.ParticipantID, s.ownMessages, s.recentItems = p, nil, nil
		} else if len(s.ownMessages) < 1000 {
			s.ownMessages[out.ID] = true
		}
	}
	s.mu.Unlock()
	return SendResult{ID: out.ID, AbsoluteTime: out.AbsoluteTime}, nil
}

// SendEvent sends an event (SendEvent) as is, with a fresh ClientToken and no throttling: content is the
// event's content (may be empty). For typing and receipts use SendTyping, SendReadReceipt and
// SendDeliveredReceipt, which throttle as ChatJS does.
func (s *Session) SendEvent(ctx context.Context, contentType, content string) (SendResult, error) {
	return s.sendEvent(ctx, contentType, content, newClientToken())
}

func (s *Session) sendEvent(ctx context.Context, contentType, content, clientToken string) (SendResult, error) {
	tok, err := s.token()
	if err != nil {
		return SendResult{}, err
	}
	req := wire.SendEventRequest{ContentType: &contentType, ClientToken: &clientToken}
	if content != "" {
		req.Content = &content
	}
	var out wire.SendEventResponse
	err = s.api.call(ctx, request{op: "SendEvent", method: http.MethodPost, path: wire.PathSendEvent, bearer: tok,
		in: req}, &out)
	if err != nil {
		return SendResult{}, err
	}
	return SendResult{ID: out.ID, AbsoluteTime: out.AbsoluteTime}, nil
}

// SendTyping tells the others that this participant is typing. Like ChatJS it sends at most one typing event
// per Options.TypingThrottle (10 s), on the leading edge: calls within the window return nil without a request.
func (s *Session) SendTyping(ctx context.Context) error {
	now := time.Now()
	s.mu.Lock()
	if s.opts.TypingThrottle > 0 && !s.lastTyping.IsZero() && now.Sub(s.lastTyping) < s.opts.TypingThrottle {
		s.mu.Unlock()
		return nil
	}
	prev := s.lastTyping
	s.lastTyping = now
	s.mu.Unlock()
	_, err := s.sendEvent(ctx, ContentTypeTyping, "", newClientToken())
	if err != nil {
		s.mu.Lock()
		if s.lastTyping.Equal(now) {
			s.lastTyping = prev // let the next call try again
		}
		s.mu.Unlock()
	}
	return err
}

// SendReadReceipt says this participant has read the message (a message.read event, which also covers every
// earlier message). It returns at once: receipts are sent in the background the way ChatJS's
// MessageReceiptsUtil sends them — a receipt already sent (or pending) for the message is not sent again, and
// within each Options.ReceiptThrottle window only the latest read receipt is sent. Failures are logged.
func (s *Session) SendReadReceipt(messageID string) error {
	if messageID == "" {
		return errors.New("client: SendReadReceipt: empty message id")
	}
	return s.rcpt.add(true, messageID)
}

// SendDeliveredReceipt says the message was delivered to this participant (a message.delivered event). Like
// SendReadReceipt it returns at once; the receipt waits Options.DeliveredReceiptDelay so that a read receipt for
// the same message supersedes it, and within each throttle window only the latest delivered receipt is sent.
// A message already read or delivered is not sent again.
func (s *Session) SendDeliveredReceipt(messageID string) error {
	if messageID == "" {
		return errors.New("client: SendDeliveredReceipt: empty message id")
	}
	return s.rcpt.add(false, messageID)
}

// TranscriptInput selects a page of the transcript (GetTranscript). Unset members take ChatJS's defaults for
// GetTranscript (15 items, BACKWARD, ASCENDING: the latest page, oldest first) and the Transcript iterator's
// own defaults (100 items, FORWARD, ASCENDING: the whole chat, oldest first).
type TranscriptInput struct {
	// ContactID selects another contact of the chain (persistent chats); empty means the current one.
	ContactID string
	// MaxResults is the page size, 1 to 100.
	MaxResults int
	// NextToken continues a previous page.
	NextToken string
	// ScanDirection is FORWARD or BACKWARD (wire.ScanForward, wire.ScanBackward).
	ScanDirection string
	// SortOrder is ASCENDING or DESCENDING (wire.SortAscending, wire.SortDescending).
	SortOrder string
	// StartPosition is where to start: at most one of its members.
	StartPosition *wire.StartPosition
}

func (in TranscriptInput) request(maxResults int, scan string) wire.GetTranscriptRequest {
	req := wire.GetTranscriptRequest{StartPosition: in.StartPosition}
	if in.MaxResults == 0 {
		in.MaxResults = maxResults
	}
	if in.ScanDirection == "" {
		in.ScanDirection = scan
	}
	if in.SortOrder == "" {
		in.SortOrder = wire.SortAscending
	}
	req.MaxResults, req.ScanDirection, req.SortOrder = &in.MaxResults, &in.ScanDirection, &in.SortOrder
	if in.ContactID != "" {
		req.ContactID = &in.ContactID
	}
	if in.NextToken != "" {
		req.NextToken = &in.NextToken
	}
	return req
}

// GetTranscript reads one page of the transcript (GetTranscript). Typing events and MESSAGEMETADATA items are
// not part of transcripts; messages carry their receipts in MessageMetadata.
func (s *Session) GetTranscript(ctx context.Context, in TranscriptInput) (*wire.GetTranscriptResponse, error) {
	return s.getTranscript(ctx, in.request(15, wire.ScanBackward))
}

func (s *Session) getTranscript(ctx context.Context, req wire.GetTranscriptRequest) (*wire.GetTranscriptResponse, error) {
	tok, err := s.token()
	if err != nil {
		return nil, err
	}
	var out wire.GetTranscriptResponse
	err = s.api.call(ctx, request{op: "GetTranscript", method: http.MethodPost, path: wire.PathGetTranscript,
		bearer: tok, in: req}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Transcript iterates over the items of every page of the transcript, following NextToken, in the order the
// pages give them. By default (FORWARD, ASCENDING, 100 per page) that is the whole chat, oldest first. An error
// ends the iteration after being yielded once.
func (s *Session) Transcript(ctx context.Context, in TranscriptInput) iter.Seq2[wire.Item, error] {
	return func(yield func(wire.Item, error) bool) {
		req := in.request(wire.MaxPageSize, wire.ScanForward)
		seen := map[string]bool{}
		for {
			page, err := s.getTranscript(ctx, req)
			if err != nil {
				yield(wire.Item{}, err)
				return
			}
			for _, it := range page.Transcript {
				if !yield(it, nil) {
					return
				}
			}
			if page.NextToken == "" || seen[page.NextToken] {
				return
			}
			seen[page.NextToken] = true
			next := page.NextToken
			req.NextToken = &next
		}
	}
}

// Disconnect leaves the chat (DisconnectParticipant). The service then pushes participant.left and chat.ended,
// which end the session with EventEnded; a customer leaving ends the chat for everyone.
func (s *Session) Disconnect(ctx context.Context) error {
	tok, err := s.token()
	if err != nil {
		return err
	}
	ct := newClientToken()
	return s.api.call(ctx, request{op: "DisconnectParticipant", method: http.MethodPost,
		path: wire.PathDisconnectParticipant, bearer: tok, in: wire.DisconnectParticipantRequest{ClientToken: &ct}}, nil)
}

// Connect creates the participant's connection (CreateParticipantConnection with the ParticipantToken), opens
// the WebSocket and subscribes to the chat. It returns once the socket is subscribed (EventConnectionEstablished
// is then queued) or with the first error: an *APIError from the service (AccessDeniedException when the chat
// has ended), or a network error. ctx bounds only this first connection; after it the session reconnects on its
// own until Close, EventEnded or EventConnectionBroken. Calling Connect again after it succeeded does nothing.
func (s *Session) Connect(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.connected:
		s.mu.Unlock()
		return nil
	case s.connecting:
		s.mu.Unlock()
		return errors.New("client: Connect is already running")
	}
	s.connecting = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.connecting = false
		s.mu.Unlock()
	}()

	d, err := s.dial(ctx)
	if err != nil {
		return err
	}
	m := newManager(s)
	first := make(chan error, 1)
	m.first = first
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		d.sock.ws.Close()
		return ErrClosed
	}
	s.wg.Add(1) // under mu: Close sets closed under mu before it waits
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		m.run(d)
	}()
	select {
	case err = <-first:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		m.cancel()
		<-m.done
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.connected = true
	s.disp.start()
	s.rcpt.start(&s.wg)
	return nil
}

// Close stops the session: it closes the WebSocket, stops reconnecting and refreshing, drops unsent receipts
// and closes the Events channel. It does not leave the chat (see Disconnect). It waits for the session's
// goroutines; called from an event callback (or while one runs) it does not wait for that callback, and no
// callback starts after Close returns. Close is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.disp.close() // no callback starts after this; waits for the event goroutine unless called from it
	s.rcpt.close()
	s.wg.Wait() // the connection, socket, request and receipts goroutines never wait for callbacks
	if s.ownHTTP != nil {
		s.ownHTTP.CloseIdleConnections()
	}
	return nil
}

// setConnection stores a new ConnectionToken.
func (s *Session) setConnection(c *wire.ConnectionCredentials) {
	if c == nil || c.ConnectionToken == "" {
		return
	}
	exp, _ := wire.ParseTime(c.Expiry)
	s.mu.Lock()
	s.connToken, s.connExpiry = c.ConnectionToken, exp
	s.mu.Unlock()
}

// createConnection calls CreateParticipantConnection with the ParticipantToken.
func (s *Session) createConnection(ctx context.Context, types ...string) (*wire.CreateParticipantConnectionResponse, error) {
	s.mu.Lock()
	pt := s.details.ParticipantToken
	s.mu.Unlock()
	req := wire.CreateParticipantConnectionRequest{Type: types}
	if s.opts.ConnectParticipant {
		t := true
		req.ConnectParticipant = &t
	}
	var out wire.CreateParticipantConnectionResponse
	if err := s.api.call(ctx, request{op: "CreateParticipantConnection", method: http.MethodPost,
		path: wire.PathCreateParticipantConnection, bearer: pt, in: req}, &out); err != nil {
		return nil, err
	}
	if out.ConnectionCredentials == nil || out.ConnectionCredentials.ConnectionToken == "" {
		return nil, &APIError{Operation: "CreateParticipantConnection", Code: codeUnknown, StatusCode: http.StatusOK,
			Message: "the answer has no ConnectionCredentials.ConnectionToken"}
	}
	return &out, nil
}

// learn fills in ContactID and ParticipantID the session did not know.
func (s *Session) learn(it *wire.Item, initialContactID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.details.ContactID == "" && initialContactID != "" {
		s.details.ContactID, s.details.InitialContactID = initialContactID, initialContactID
	}
	if it == nil || s.details.ParticipantID != "" || it.ID == "" || it.ParticipantID == "" {
		return
	}
	if s.ownMessages[it.ID] {
		s.details.ParticipantID, s.ownMessages, s.recentItems = it.ParticipantID, nil, nil
		return
	}
	if it.Type == ItemTypeMessage {
		if len(s.recentItems) >= 100 {
			clear(s.recentItems)
		}
		s.recentItems[it.ID] = it.ParticipantID
	}
}

func (s *Session) setEnded() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
}

func (s *Session) isEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// receiptContent is the Content of a receipt event.
func receiptContent(messageID string) string {
	b, _ := json.Marshal(wire.ReceiptContent{MessageID: messageID})
	return string(b)
}
