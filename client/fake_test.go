package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

// memListener is an in-memory network (net.Pipe connections) for tests inside a testing/synctest bubble, where
// blocking on real sockets would stop the fake clock.
type memListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return memAddr{} }

// dial connects to the listener.
func (l *memListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-l.closed:
		return nil, errors.New("connection refused")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "fake.test:80" }

// fakeServer implements just enough of the Participant Service and the chat WebSocket for the tests of timing
// (heartbeats, token refresh, backoff, throttling) that run in a synctest bubble. It is deliberately strict where
// the real service is: tokens expire, and a missing heartbeat answer is the server's choice.
type fakeServer struct {
	t   *testing.T
	ln  *memListener
	srv *http.Server

	mu               sync.Mutex
	participantToken string
	tokenTTL         time.Duration
	tokens           map[string]time.Time // ConnectionToken → expiry
	cpcs             []cpcCall
	cpcFail          int // when not 0, CreateParticipantConnection answers this status
	items            []wire.Item
	seq              int
	events           []eventCall
	messages         []messageCall
	sockets          []*fakeSocket
}

type cpcCall struct {
	at                 time.Time
	types              []string
	connectParticipant bool
}

type eventCall struct {
	at                                time.Time
	contentType, content, clientToken string
}

type messageCall struct {
	token, content string
}

// fakeSocket is a server-side socket.
type fakeSocket struct {
	ws         *websocket.Conn
	mu         sync.Mutex
	frames     []string    // topics received, with times
	times      []time.Time // when each frame arrived
	subscribed bool
	silent     bool // black-holed: no answers, no items
	closeCode  int
	closeText  string
	closed     bool
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, ln: newMemListener(), participantToken: "pt-1", tokenTTL: 24 * time.Hour,
		tokens: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathCreateParticipantConnection, f.createConnection)
	mux.HandleFunc("POST "+wire.PathSendMessage, f.sendMessage)
	mux.HandleFunc("POST "+wire.PathSendEvent, f.sendEvent)
	mux.HandleFunc("POST "+wire.PathGetTranscript, f.transcript)
	mux.HandleFunc("GET /ws", f.websocket)
	f.srv = &http.Server{Handler: mux}
	go f.srv.Serve(f.ln)
	return f
}

// close stops the server and closes every socket.
func (f *fakeServer) close() {
	f.srv.Close()
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sockets {
		s.ws.Close()
	}
}

func (f *fakeServer) details() client.ChatDetails {
	return client.ChatDetails{ContactID: "contact-1", ParticipantID: "me", ParticipantToken: f.participantToken}
}

// options returns session options that reach the fake server.
func (f *fakeServer) options(o client.Options) client.Options {
	o.Endpoint, o.DialContext = "http://fake.test", f.ln.dial
	return o
}

func writeError(w http.ResponseWriter, status int, typ string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":"fake %s"}`, typ, typ)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// auth checks a ConnectionToken.
func (f *fakeServer) auth(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok := r.Header.Get("X-Amz-Bearer")
	f.mu.Lock()
	exp, ok := f.tokens[tok]
	f.mu.Unlock()
	if !ok || !time.Now().Before(exp) {
		writeError(w, 403, client.CodeAccessDenied)
		return "", false
	}
	return tok, true
}

func (f *fakeServer) createConnection(w http.ResponseWriter, r *http.Request) {
	var req wire.CreateParticipantConnectionRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cpcs = append(f.cpcs, cpcCall{time.Now(), req.Type, req.ConnectParticipant != nil && *req.ConnectParticipant})
	if r.Header.Get("X-Amz-Bearer") != f.participantToken {
		writeError(w, 403, client.CodeAccessDenied)
		return
	}
	switch f.cpcFail {
	case 0:
	case 400:
		writeError(w, 400, client.CodeValidation)
		return
	case 403:
		writeError(w, 403, client.CodeAccessDenied)
		return
	default:
		writeError(w, f.cpcFail, client.CodeInternalServer)
		return
	}
	n := len(f.cpcs)
	tok := "ct-" + strconv.Itoa(n)
	exp := time.Now().Add(f.tokenTTL)
	f.tokens[tok] = exp
	var out wire.CreateParticipantConnectionResponse
	for _, t := range req.Type {
		switch t {
		case wire.ConnectionTypeWebsocket:
			out.Websocket = &wire.Websocket{URL: "ws://fake.test/ws?n=" + strconv.Itoa(n),
				ConnectionExpiry: wire.FormatTime(time.Now().Add(100 * time.Second))}
		case wire.ConnectionTypeCredentials:
			out.ConnectionCredentials = &wire.ConnectionCredentials{ConnectionToken: tok, Expiry: wire.FormatTime(exp)}
		}
	}
	writeJSON(w, out)
}

// add stores an item and pushes it to every subscribed socket. Items without a ContactId get contact-1's;
// MESSAGEMETADATA items and typing are pushed only, as the real service does.
func (f *fakeServer) add(it wire.Item) wire.Item {
	f.mu.Lock()
	f.seq++
	it.ID = fmt.Sprint("item-", f.seq)
	it.AbsoluteTime = wire.FormatTime(time.Now())
	if it.ContactID == "" && it.Type != "MESSAGEMETADATA" {
		it.ContactID, it.InitialContactID = "contact-1", "contact-1"
	}
	if it.Type != "MESSAGEMETADATA" && it.ContentType != client.ContentTypeTyping {
		f.items = append(f.items, it)
	}
	socks := append([]*fakeSocket(nil), f.sockets...)
	f.mu.Unlock()
	frame, _ := wire.ChatFrame(&it)
	for _, s := range socks {
		s.mu.Lock()
		if s.subscribed && !s.closed && !s.silent {
			_ = s.ws.WriteMessage(websocket.TextMessage, frame)
		}
		s.mu.Unlock()
	}
	return it
}

// push sends an item as is (its Id included) to the subscribed sockets without storing it, as parley pushes the
// revision of a scanned attachment.
func (f *fakeServer) push(it wire.Item) {
	f.mu.Lock()
	socks := append([]*fakeSocket(nil), f.sockets...)
	f.mu.Unlock()
	frame, _ := wire.ChatFrame(&it)
	for _, s := range socks {
		s.mu.Lock()
		if s.subscribed && !s.closed && !s.silent {
			_ = s.ws.WriteMessage(websocket.TextMessage, frame)
		}
		s.mu.Unlock()
	}
}

func (f *fakeServer) sendMessage(w http.ResponseWriter, r *http.Request) {
	tok, ok := f.auth(w, r)
	if !ok {
		return
	}
	var req wire.SendMessageRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.messages = append(f.messages, messageCall{tok, *req.Content})
	f.mu.Unlock()
	it := f.add(wire.Item{Type: "MESSAGE", ContentType: *req.ContentType, Content: *req.Content, ParticipantID: "me",
		ParticipantRole: "CUSTOMER", DisplayName: "Me"})
	writeJSON(w, wire.SendMessageResponse{ID: it.ID, AbsoluteTime: it.AbsoluteTime})
}

func (f *fakeServer) sendEvent(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.auth(w, r); !ok {
		return
	}
	var req wire.SendEventRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	e := eventCall{at: time.Now(), contentType: *req.ContentType, clientToken: *req.ClientToken}
	if req.Content != nil {
		e.content = *req.Content
	}
	f.mu.Lock()
	f.events = append(f.events, e)
	f.seq++
	id := fmt.Sprint("event-", f.seq)
	f.mu.Unlock()
	writeJSON(w, wire.SendEventResponse{ID: id, AbsoluteTime: wire.FormatTime(time.Now())})
}

// transcript serves the two reads a session makes: the newest item (BACKWARD, 1) and forward from an Id.
func (f *fakeServer) transcript(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.auth(w, r); !ok {
		return
	}
	var req wire.GetTranscriptRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	items := append([]wire.Item(nil), f.items...)
	f.mu.Unlock()
	out := wire.GetTranscriptResponse{InitialContactID: "contact-1", Transcript: []wire.Item{}}
	if req.ScanDirection != nil && *req.ScanDirection == wire.ScanBackward {
		if len(items) > 0 {
			out.Transcript = items[len(items)-1:]
		}
		writeJSON(w, out)
		return
	}
	start := 0
	if req.StartPosition != nil && req.StartPosition.ID != nil {
		start = len(items)
		for i, it := range items {
			if it.ID == *req.StartPosition.ID {
				start = i
			}
		}
	}
	out.Transcript = items[start:]
	writeJSON(w, out)
}

func (f *fakeServer) websocket(w http.ResponseWriter, r *http.Request) {
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s := &fakeSocket{ws: ws}
	f.mu.Lock()
	f.sockets = append(f.sockets, s)
	f.mu.Unlock()
	ws.SetCloseHandler(func(code int, text string) error {
		s.mu.Lock()
		s.closeCode, s.closeText = code, text
		s.mu.Unlock()
		return nil
	})
	defer func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		ws.Close()
	}()
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var fr wire.Frame
		_ = json.Unmarshal(b, &fr)
		s.mu.Lock()
		answer := !s.silent
		s.frames = append(s.frames, fr.Topic)
		s.times = append(s.times, time.Now())
		switch fr.Topic {
		case wire.TopicSubscribe:
			s.subscribed = true
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`))
		case wire.TopicHeartbeat:
			if answer {
				_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"topic":"aws/heartbeat"}`))
			}
		case wire.TopicPing:
			if answer {
				_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`))
			}
		}
		s.mu.Unlock()
	}
}

// socket returns the i-th socket the server accepted.
func (f *fakeServer) socket(i int) *fakeSocket {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.sockets) {
		f.t.Fatalf("socket %d does not exist (%d opened)", i, len(f.sockets))
	}
	return f.sockets[i]
}

func (f *fakeServer) numSockets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sockets)
}

func (f *fakeServer) cpcCalls() []cpcCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cpcCall(nil), f.cpcs...)
}

func (f *fakeServer) eventCalls() []eventCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]eventCall(nil), f.events...)
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// topics returns what the socket received, as "topic@seconds since start".
func (s *fakeSocket) topics(start time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for i, f := range s.frames {
		out = append(out, fmt.Sprintf("%s@%d", strings.TrimPrefix(f, "aws/"), int(s.times[i].Sub(start).Round(time.Millisecond)/time.Second)))
	}
	return out
}

// silence black-holes the socket: the server stops answering and pushing on it, as a dead network would.
func (s *fakeSocket) silence() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent = true
}

func (s *fakeSocket) state() (closed bool, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed, s.closeCode, s.closeText
}
