package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/wire"
)

// Agent is a logged-in agent of parley's agent API (docs/agent-api.md): its status, its offers and contacts,
// transfers and after-contact work, and its event stream. Chatting goes through a Session made from an accepted
// contact's ChatDetails, as for any participant. Amazon Connect has no such public API: Agent talks to parley
// only. Its methods are safe for concurrent use.
//
// Reads and status changes are retried after network errors, 5xx and throttling; the contact actions (accept,
// reject, transfer, end, clear) are not, since a repeated one would fail against the state the first one made.
type Agent struct {
	endpoint string
	reads    *transport
	actions  *transport
	token    string
	expiry   time.Time
	user     wire.AgentUser
}

// LoginInput is the input of Login.
type LoginInput struct {
	// Endpoint is parley's base URL, for example http://127.0.0.1:8080 (required).
	Endpoint string
	// HTTPClient sends the requests. Default http.DefaultClient.
	HTTPClient *http.Client
	// Username and Password are the user's (required).
	Username string
	Password string
	// InstanceID is the user's instance; empty works when the server has one instance.
	InstanceID string
}

// Login logs in to parley's agent API and returns the agent. The session lasts 12 hours; the agent's status is
// unchanged (a new agent is Offline until SetStatus). Errors are *APIError: UnauthorizedException for a wrong
// username or password, ThrottlingException after too many failed logins.
func Login(ctx context.Context, in LoginInput) (*Agent, error) {
	if in.Endpoint == "" {
		return nil, errors.New("client: LoginInput.Endpoint is required")
	}
	hc := in.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	ep := strings.TrimSuffix(in.Endpoint, "/")
	a := &Agent{endpoint: ep,
		reads:   &transport{endpoint: ep, hc: hc, log: discard, retries: 2, backoff: 200 * time.Millisecond},
		actions: &transport{endpoint: ep, hc: hc, log: discard}}
	var out wire.LoginResponse
	if err := a.actions.call(ctx, request{op: "Login", method: http.MethodPost, path: agentPath + "login",
		in: wire.LoginRequest{Username: in.Username, Password: in.Password, InstanceID: in.InstanceID}}, &out); err != nil {
		return nil, err
	}
	a.token, a.user = out.Token, out.User
	a.expiry, _ = wire.ParseTime(out.Expiry)
	return a, nil
}

const agentPath = "/agent/v1/"

// User is the logged-in user.
func (a *Agent) User() wire.AgentUser { return a.user }

// Expiry is when the login session expires.
func (a *Agent) Expiry() time.Time { return a.expiry }

func (a *Agent) read(ctx context.Context, op, method, path string, in, out any) error {
	return a.reads.call(ctx, request{op: op, method: method, path: agentPath + path, auth: a.token, in: in}, out)
}

func (a *Agent) act(ctx context.Context, op, contactID, action string, in, out any) error {
	return a.actions.call(ctx, request{op: op, method: http.MethodPost,
		path: agentPath + "contacts/" + url.PathEscape(contactID) + "/" + action, auth: a.token, in: in}, out)
}

// Logout ends the login session: the agent goes Offline and its offers return to their queues.
func (a *Agent) Logout(ctx context.Context) error {
	return a.actions.call(ctx, request{op: "Logout", method: http.MethodPost, path: agentPath + "logout", auth: a.token}, nil)
}

// State returns the agent's status, system state and contacts (GET /agent/v1/me).
func (a *Agent) State(ctx context.Context) (wire.AgentState, error) {
	var out struct {
		State wire.AgentState `json:"State"`
	}
	err := a.read(ctx, "GetAgentState", http.MethodGet, "me", nil, &out)
	return out.State, err
}

// SetStatus sets the agent's status: "Available", "Offline" or a custom status's name. Setting Available again
// is how an agent leaves Missed.
func (a *Agent) SetStatus(ctx context.Context, status string) (wire.AgentState, error) {
	var out struct {
		State wire.AgentState `json:"State"`
	}
	err := a.read(ctx, "SetStatus", http.MethodPut, "status", wire.StatusRequest{Status: status}, &out)
	return out.State, err
}

// Contacts returns the agent's contacts: offered, connected and in after-contact work.
func (a *Agent) Contacts(ctx context.Context) ([]wire.AgentContact, error) {
	var out wire.AgentContactsResponse
	err := a.read(ctx, "ListAgentContacts", http.MethodGet, "contacts", nil, &out)
	return out.Contacts, err
}

// QuickConnects lists the instance's quick connects, the named targets of Transfer.
func (a *Agent) QuickConnects(ctx context.Context) ([]wire.AgentQuickConnect, error) {
	var out wire.QuickConnectsResponse
	err := a.read(ctx, "ListQuickConnects", http.MethodGet, "quick-connects", nil, &out)
	return out.QuickConnects, err
}

// Accept accepts an offer. The contact it returns carries the ParticipantToken the agent chats with (see
// AgentChatDetails). ConflictException: the offer expired, was withdrawn, or the chat ended meanwhile.
func (a *Agent) Accept(ctx context.Context, contactID string) (wire.AgentContact, error) {
	var out wire.AgentContact
	err := a.act(ctx, "AcceptContact", contactID, "accept", nil, &out)
	return out, err
}

// Reject rejects an offer: the contact goes back to its queue.
func (a *Agent) Reject(ctx context.Context, contactID string) error {
	return a.act(ctx, "RejectContact", contactID, "reject", nil, nil)
}

// Transfer transfers a connected contact to a queue, a quick connect or a user (exactly one member of to) and
// returns the new contact's id; the agent leaves the chat and the old contact enters after-contact work.
func (a *Agent) Transfer(ctx context.Context, contactID string, to wire.TransferRequest) (string, error) {
	var out wire.TransferResponse
	err := a.act(ctx, "TransferContact", contactID, "transfer", to, &out)
	return out.ContactID, err
}

// End ends a connected chat for everyone; the contact enters after-contact work.
func (a *Agent) End(ctx context.Context, contactID string) error {
	return a.act(ctx, "EndContact", contactID, "end", nil, nil)
}

// Clear ends after-contact work on a contact: its slot frees.
func (a *Agent) Clear(ctx context.Context, contactID string) error {
	return a.act(ctx, "ClearContact", contactID, "clear", nil, nil)
}

// AgentChatDetails are the chat details of a connected contact (from Accept, or an event or state that carries
// its ParticipantToken), ready for NewSession.
func AgentChatDetails(c wire.AgentContact) ChatDetails {
	return ChatDetails{ContactID: c.ContactID, ParticipantID: c.ParticipantID, ParticipantToken: c.ParticipantToken,
		InitialContactID: c.InitialContactID}
}

// Agent event stream types of the stream itself, beside the agent API's (wire.EventState, wire.EventOffer, …).
const (
	// AgentStreamLost: the stream broke (Err says why) and is reconnecting; the first event after it reconnects
	// is a state event, followed by the offers still open.
	AgentStreamLost = "stream.lost"
	// AgentStreamBroken: the server refused the stream (Err says why: the login session expired or was logged
	// out); nothing follows and the channel is closed.
	AgentStreamBroken = "stream.broken"
)

// AgentEvent is one event of the agent event stream: a frame of the agent API, or AgentStreamLost or
// AgentStreamBroken with Err set.
type AgentEvent struct {
	wire.AgentEvent
	Err error
}

// AgentEvents is the agent's event stream (GET /agent/v1/events, a WebSocket), kept connected: it reconnects
// with backoff after a network failure until Close, or until the server refuses it (AgentStreamBroken).
type AgentEvents struct {
	ch     chan AgentEvent
	cancel context.CancelFunc
	done   chan struct{}
}

// Events opens the agent's event stream. Its events arrive in order on C; the first is a state event.
func (a *Agent) Events(ctx context.Context) *AgentEvents {
	ctx, cancel := context.WithCancel(ctx)
	e := &AgentEvents{ch: make(chan AgentEvent, 64), cancel: cancel, done: make(chan struct{})}
	u := a.endpoint + agentPath + "events?token=" + url.QueryEscape(a.token)
	if rest, ok := strings.CutPrefix(u, "http"); ok {
		u = "ws" + rest // http → ws, https → wss
	}
	go e.run(ctx, u)
	return e
}

// C is the channel of events; it is closed after AgentStreamBroken or Close.
func (e *AgentEvents) C() <-chan AgentEvent { return e.ch }

// Close stops the stream and waits for its goroutine.
func (e *AgentEvents) Close() {
	e.cancel()
	<-e.done
}

// agentStreamIdle is how long the stream waits for a frame or a ping (the server pings every 30 s) before it
// counts the connection as dead.
const agentStreamIdle = 75 * time.Second

func (e *AgentEvents) run(ctx context.Context, u string) {
	defer close(e.done)
	defer close(e.ch)
	emit := func(ev AgentEvent) bool {
		select {
		case e.ch <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: requestTimeout}
	delay := DefaultMinBackoff
	for {
		conn, resp, err := dialer.DialContext(ctx, u, nil)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				emit(AgentEvent{AgentEvent: wire.AgentEvent{Type: AgentStreamBroken}, Err: decodeError("AgentEvents", resp, b)})
				return
			}
			if !emit(AgentEvent{AgentEvent: wire.AgentEvent{Type: AgentStreamLost}, Err: fmt.Errorf("agent events: %w", err)}) {
				return
			}
			if sleep(ctx, jitter(delay)) != nil {
				return
			}
			delay = min(2*delay, DefaultMaxBackoff)
			continue
		}
		delay = DefaultMinBackoff
		err = e.read(ctx, conn)
		if ctx.Err() != nil {
			return
		}
		if !emit(AgentEvent{AgentEvent: wire.AgentEvent{Type: AgentStreamLost}, Err: fmt.Errorf("agent events: %w", err)}) {
			return
		}
	}
}

// read passes the frames of one connection on until it fails or ctx is done.
func (e *AgentEvents) read(ctx context.Context, conn *websocket.Conn) error {
	var once sync.Once
	closeConn := func() { once.Do(func() { conn.Close() }) }
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	defer closeConn()
	conn.SetReadLimit(1 << 20)
	_ = conn.SetReadDeadline(time.Now().Add(agentStreamIdle))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(agentStreamIdle))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
	})
	for {
		var ev wire.AgentEvent
		if err := conn.ReadJSON(&ev); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(agentStreamIdle))
		select {
		case e.ch <- AgentEvent{AgentEvent: ev}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
