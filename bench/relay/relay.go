// Package relay is the baseline the load generator measures parley against: the least a server must do to carry
// a chat message from an HTTP POST to the other party's WebSocket, speaking the same protocol (the Participant
// Service's SendMessage and the aws/chat frames ChatJS reads) with the same WebSocket library as parley's
// gateway (gobwas/ws), and nothing else: no persistence, no authentication beyond a map lookup, no validation,
// no ordering guarantees beyond the HTTP handler writing to each socket in turn. Whatever parley achieves is
// reported as a ratio to what this relay achieves on the same machine in the same run.
//
// It answers just enough of the Connect and Participant APIs for the generator: ListInstances,
// ListContactFlows, StartChatContact, CreateParticipant, CreateParticipantConnection and SendMessage, plus the
// WebSocket's aws/subscribe, aws/ping and aws/heartbeat. Everything lives in memory and is never freed.
//
// A Relay is safe for concurrent use. Each socket has one reader goroutine; writes to a socket (replies from
// the reader, chat frames from SendMessage handlers) are serialized by the socket's mutex.
package relay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/parley-chat/parley/wire"
)

// Relay is a running baseline server.
type Relay struct {
	ln   net.Listener
	srv  *http.Server
	base string

	mu           sync.RWMutex
	participants map[string]*participant // by ParticipantToken and by ConnectionToken
	chats        map[string]*chatRoom

	nextID atomic.Uint64

	connsMu sync.Mutex
	conns   map[*socket]struct{}
	wg      sync.WaitGroup
	done    chan struct{} // closed when Close begins
}

type participant struct {
	id, name, role string
	chat           *chatRoom
}

type chatRoom struct {
	id      string
	mu      sync.Mutex
	sockets []*socket
}

type socket struct {
	nc  net.Conn
	wmu sync.Mutex
	p   *participant
}

// Start listens on addr (a loopback address; port 0 picks one) and serves in the background.
func Start(addr string) (*Relay, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("relay: %s is not a loopback address", ln.Addr())
	}
	r := &Relay{ln: ln, base: "http://" + ln.Addr().String(), participants: map[string]*participant{},
		chats: map[string]*chatRoom{}, conns: map[*socket]struct{}{}, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET "+wire.PathListInstances, r.listInstances)
	mux.HandleFunc("GET "+wire.PathListContactFlowsPrefix+"{id}", r.listFlows)
	mux.HandleFunc("PUT "+wire.PathStartChatContact, r.startChat)
	mux.HandleFunc("POST "+wire.PathCreateParticipant, r.createParticipant)
	mux.HandleFunc("POST "+wire.PathCreateParticipantConnection, r.createConnection)
	mux.HandleFunc("POST "+wire.PathSendMessage, r.sendMessage)
	mux.HandleFunc("GET /ws", r.upgrade)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// URL is the relay's base URL, http://127.0.0.1:PORT.
func (r *Relay) URL() string { return r.base }

// Close stops serving and closes every socket.
func (r *Relay) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	close(r.done)
	err := r.srv.Shutdown(ctx)
	r.connsMu.Lock()
	for s := range r.conns {
		_ = s.nc.Close()
	}
	r.connsMu.Unlock()
	r.wg.Wait()
	return err
}

// ServePprof serves net/http/pprof on its own loopback listener until the relay closes; it returns the address.
func (r *Relay) ServePprof(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("relay: pprof address %s is not a loopback address", ln.Addr())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		_ = srv.Serve(ln)
	}()
	go func() {
		defer r.wg.Done()
		<-r.done
		_ = srv.Close()
	}()
	return ln.Addr(), nil
}

func (r *Relay) id(prefix string) string {
	return prefix + strconv.FormatUint(r.nextID.Add(1), 10)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	b, _ := json.Marshal(wire.Error{Type: typ, Message: msg})
	_, _ = w.Write(b)
}

func (r *Relay) listInstances(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, wire.ListInstancesResponse{InstanceSummaryList: []wire.InstanceSummary{{ID: "relay"}}})
}

func (r *Relay) listFlows(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, wire.ListContactFlowsResponse{ContactFlowSummaryList: []wire.ContactFlowSummary{{ID: "relay-flow"}}})
}

// join adds a participant to a chat and returns its ParticipantToken.
func (r *Relay) join(c *chatRoom, role, name string) (*participant, string) {
	p := &participant{id: r.id("p-"), name: name, role: role, chat: c}
	token := r.id("P")
	r.mu.Lock()
	r.participants[token] = p
	r.mu.Unlock()
	return p, token
}

func (r *Relay) startChat(w http.ResponseWriter, req *http.Request) {
	var in wire.StartChatContactRequest
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "InvalidRequestException", err.Error())
		return
	}
	name := "Customer"
	if in.ParticipantDetails != nil && in.ParticipantDetails.DisplayName != nil {
		name = *in.ParticipantDetails.DisplayName
	}
	c := &chatRoom{id: r.id("c-")}
	r.mu.Lock()
	r.chats[c.id] = c
	r.mu.Unlock()
	p, token := r.join(c, "CUSTOMER", name)
	writeJSON(w, wire.StartChatContactResponse{ContactID: c.id, ParticipantID: p.id, ParticipantToken: token})
}

func (r *Relay) createParticipant(w http.ResponseWriter, req *http.Request) {
	var in wire.CreateParticipantRequest
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil || in.ContactID == nil {
		fail(w, http.StatusBadRequest, "InvalidRequestException", "ContactId is required")
		return
	}
	r.mu.RLock()
	c := r.chats[*in.ContactID]
	r.mu.RUnlock()
	if c == nil {
		fail(w, http.StatusNotFound, "ResourceNotFoundException", "no such contact")
		return
	}
	name := "Bot"
	if d := in.ParticipantDetails; d != nil && d.DisplayName != nil {
		name = *d.DisplayName
	}
	p, token := r.join(c, "CUSTOM_BOT", name)
	writeJSON(w, wire.CreateParticipantResponse{ParticipantID: p.id,
		ParticipantCredentials: &wire.ParticipantTokenCredentials{ParticipantToken: token}})
}

func (r *Relay) bearer(req *http.Request) *participant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.participants[req.Header.Get(wire.HeaderBearer)]
}

func (r *Relay) createConnection(w http.ResponseWriter, req *http.Request) {
	p := r.bearer(req)
	if p == nil {
		fail(w, http.StatusForbidden, "AccessDeniedException", "invalid ParticipantToken")
		return
	}
	ctoken := r.id("C")
	r.mu.Lock()
	r.participants[ctoken] = p
	r.mu.Unlock()
	expiry := wire.FormatTime(time.Now().Add(24 * time.Hour))
	writeJSON(w, wire.CreateParticipantConnectionResponse{
		Websocket:             &wire.Websocket{URL: "ws://" + r.ln.Addr().String() + "/ws?token=" + ctoken, ConnectionExpiry: expiry},
		ConnectionCredentials: &wire.ConnectionCredentials{ConnectionToken: ctoken, Expiry: expiry},
	})
}

// sendMessage encodes the item as parley does (an aws/chat frame whose content is the item's JSON as a string)
// and writes it to every subscribed socket of the chat before answering.
func (r *Relay) sendMessage(w http.ResponseWriter, req *http.Request) {
	p := r.bearer(req)
	if p == nil {
		fail(w, http.StatusForbidden, "AccessDeniedException", "invalid ConnectionToken")
		return
	}
	var in wire.SendMessageRequest
	if err := json.NewDecoder(io.LimitReader(req.Body, 256<<10)).Decode(&in); err != nil ||
		in.Content == nil || in.ContentType == nil {
		fail(w, http.StatusBadRequest, "ValidationException", "ContentType and Content are required")
		return
	}
	now := wire.FormatTime(time.Now())
	it := wire.Item{AbsoluteTime: now, Content: *in.Content, ContentType: *in.ContentType, ID: r.id("i-"),
		Type: "MESSAGE", ParticipantID: p.id, DisplayName: p.name, ParticipantRole: p.role,
		ContactID: p.chat.id, InitialContactID: p.chat.id}
	payload, err := wire.ChatFrame(&it)
	if err != nil {
		fail(w, http.StatusInternalServerError, "InternalServerException", err.Error())
		return
	}
	frame := serverFrame(payload)
	p.chat.mu.Lock()
	socks := p.chat.sockets
	p.chat.mu.Unlock()
	for _, s := range socks {
		s.write(frame)
	}
	writeJSON(w, wire.SendMessageResponse{ID: it.ID, AbsoluteTime: now})
}

func (r *Relay) upgrade(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	p := r.participants[req.URL.Query().Get("token")]
	r.mu.RUnlock()
	if p == nil {
		fail(w, http.StatusForbidden, "AccessDeniedException", "invalid token")
		return
	}
	nc, rw, _, err := ws.UpgradeHTTP(req, w)
	if err != nil {
		return
	}
	s := &socket{nc: nc, p: p}
	r.connsMu.Lock()
	r.conns[s] = struct{}{}
	r.connsMu.Unlock()
	var br *bufio.Reader
	if rw != nil && rw.Reader.Buffered() > 0 {
		br = rw.Reader
	} else {
		br = bufio.NewReaderSize(nc, 512)
	}
	r.wg.Add(1)
	go r.read(s, br)
}

// Replies to ChatJS's frames, as parley's gateway sends them.
var (
	replyHeartbeat = serverFrame([]byte(`{"topic":"aws/heartbeat"}`))
	replyPing      = serverFrame([]byte(`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`))
	replySubscribe = serverFrame([]byte(`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`))
)

func (r *Relay) read(s *socket, br *bufio.Reader) {
	defer r.wg.Done()
	defer func() {
		_ = s.nc.Close()
		r.connsMu.Lock()
		delete(r.conns, s)
		r.connsMu.Unlock()
		c := s.p.chat
		c.mu.Lock()
		next := make([]*socket, 0, len(c.sockets))
		for _, x := range c.sockets {
			if x != s {
				next = append(next, x)
			}
		}
		c.sockets = next
		c.mu.Unlock()
	}()
	var hdr [ws.MaxHeaderSize - 2]byte
	buf := make([]byte, 0, 256)
	for {
		h, err := ws.ReadHeaderBuffer(br, hdr[:])
		if err != nil || h.Length > 64<<10 {
			return
		}
		if cap(buf) < int(h.Length) {
			buf = make([]byte, h.Length)
		}
		buf = buf[:h.Length]
		if _, err := io.ReadFull(br, buf); err != nil {
			return
		}
		if h.Masked {
			ws.Cipher(buf, h.Mask, 0)
		}
		switch h.OpCode {
		case ws.OpClose:
			s.write(ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))))
			return
		case ws.OpPing:
			s.write(ws.MustCompileFrame(ws.NewPongFrame(buf)))
		case ws.OpText:
			switch {
			case bytes.Contains(buf, []byte(`"aws/heartbeat"`)):
				s.write(replyHeartbeat)
			case bytes.Contains(buf, []byte(`"aws/ping"`)):
				s.write(replyPing)
			case bytes.Contains(buf, []byte(`"aws/subscribe"`)):
				c := s.p.chat
				c.mu.Lock()
				next := make([]*socket, len(c.sockets), len(c.sockets)+1)
				copy(next, c.sockets)
				c.sockets = append(next, s)
				c.mu.Unlock()
				s.write(replySubscribe)
			}
		}
	}
}

func (s *socket) write(frame []byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := s.nc.Write(frame); err != nil {
		_ = s.nc.Close()
	}
}

// serverFrame returns an unmasked final text frame.
func serverFrame(payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(payload) + 10)
	if err := ws.WriteHeader(&b, ws.Header{Fin: true, OpCode: ws.OpText, Length: int64(len(payload))}); err != nil {
		panic(err)
	}
	b.Write(payload)
	return b.Bytes()
}
