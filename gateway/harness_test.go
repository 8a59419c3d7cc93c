package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// waitLimit is how long a test waits for something that should happen before it reports it missing. It is a
// deadline for a failure message, never a speed assertion.
const waitLimit = 15 * time.Second

// fakeBackend is an in-memory chat core: chains are slices of items (Seq = index+1), tokens map to identities
// or errors.
type fakeBackend struct {
	mu     sync.Mutex
	chains map[string][]*parley.Item
	tokens map[string]fakeToken
	// afterLastSeq, when set, runs inside LastSeq after the value is read and before it is returned.
	afterLastSeq func(chainID string, last int64)
	// itemsAfterErr, when set, is returned by ItemsAfter.
	itemsAfterErr error
	lastSeqs      chan int64 // receives every value LastSeq returns, if not nil
	subscribed    chan chat.SocketIdentity
}

type fakeToken struct {
	id  chat.SocketIdentity
	err error
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		chains:     make(map[string][]*parley.Item),
		tokens:     make(map[string]fakeToken),
		subscribed: make(chan chat.SocketIdentity, 1000),
	}
}

// participant registers a token for a participant of chain (whose first contact has the chain's id).
func (f *fakeBackend) participant(chain, participant string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	token := "tok-" + chain + "-" + participant
	f.tokens[token] = fakeToken{id: chat.SocketIdentity{
		ParticipantID: participant, ContactID: chain, ChainID: chain, Role: parley.RoleCustomer,
	}}
	return token
}

func (f *fakeBackend) refuse(token string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = fakeToken{err: err}
}

// commit stores the chain's next item and returns a copy of it (what a publisher would hand to the bus).
func (f *fakeBackend) commit(chain, recipient string, content string) *parley.Item {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := int64(len(f.chains[chain]) + 1)
	it := &parley.Item{
		ChainID: chain, ContactID: chain, Seq: seq, ID: fmt.Sprintf("%s-item-%09d", chain, seq),
		Type: parley.ItemMessage, ContentType: "text/plain", Content: content,
		ParticipantID: "agent-1", DisplayName: "Agent", Role: parley.RoleAgent,
		Time: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Recipient: recipient,
	}
	f.chains[chain] = append(f.chains[chain], it)
	cp := *it
	return &cp
}

func (f *fakeBackend) AuthenticateSocket(_ context.Context, token string) (chat.SocketIdentity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[token]
	if !ok {
		return chat.SocketIdentity{}, parley.Errorf(parley.EINVALID, "bad token")
	}
	return t.id, t.err
}

func (f *fakeBackend) Subscribed(_ context.Context, id chat.SocketIdentity) {
	select {
	case f.subscribed <- id:
	default: // benchmarks open more sockets than anyone reads about
	}
}

func (f *fakeBackend) LastSeq(_ context.Context, chainID string) (int64, error) {
	f.mu.Lock()
	last := int64(len(f.chains[chainID]))
	hook, ch := f.afterLastSeq, f.lastSeqs
	f.mu.Unlock()
	if ch != nil {
		ch <- last
	}
	if hook != nil {
		hook(chainID, last)
	}
	return last, nil
}

func (f *fakeBackend) ItemsAfter(_ context.Context, chainID string, after int64, limit int) ([]*parley.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.itemsAfterErr != nil {
		return nil, f.itemsAfterErr
	}
	items := f.chains[chainID]
	if after >= int64(len(items)) {
		return nil, nil
	}
	items = items[after:]
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	out := make([]*parley.Item, len(items))
	for i, it := range items {
		cp := *it
		out[i] = &cp
	}
	return out, nil
}

// harness is a gateway on a real TCP listener with the fake backend and the local bus.
type harness struct {
	t   testing.TB
	be  *fakeBackend
	bus *local.Bus
	gw  *Gateway
	srv *httptest.Server
	url string
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	// Publishers in these tests never wait for readers, and a reader short of CPU on a loaded machine can fall
	// 256 frames behind: unless a test is about the slow-consumer bound (and sets QueueLen), queues are sized so
	// that load alone never closes a socket.
	if opts.QueueLen == 0 {
		opts.QueueLen, opts.QueueBytes = 1<<20, 1<<30
	}
	h := &harness{t: t, be: newFakeBackend(), bus: local.New()}
	h.gw = New(h.be, h.bus, nil, opts)
	mux := http.NewServeMux()
	mux.Handle("/ws", h.gw)
	h.srv = httptest.NewServer(mux)
	h.url = "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/ws"
	t.Cleanup(func() {
		h.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := h.gw.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if n := h.gw.Stats().Goroutines; n != 0 {
			t.Errorf("%d gateway goroutines left after Close", n)
		}
		if n := h.bus.Subscriptions(); n != 0 {
			t.Errorf("%d bus subscriptions left after Close", n)
		}
	})
	return h
}

// publish commits an item and rings the bus.
func (h *harness) publish(chain, recipient, content string) *parley.Item {
	h.t.Helper()
	it := h.be.commit(chain, recipient, content)
	if err := h.bus.Publish(context.Background(), it); err != nil {
		h.t.Fatalf("Publish: %v", err)
	}
	return it
}

func (h *harness) dial(token string, header http.Header) *websocket.Conn {
	h.t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(h.url+"?token="+token, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		h.t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// subscribe opens a socket for participant of chain and subscribes it to aws/chat.
func (h *harness) subscribe(chain, participant string) *websocket.Conn {
	h.t.Helper()
	c := h.dial(h.be.participant(chain, participant), nil)
	send(h.t, c, `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	if got, want := readText(h.t, c), `{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`; got != want {
		h.t.Fatalf("subscribe reply = %s, want %s", got, want)
	}
	return c
}

func send(t testing.TB, c *websocket.Conn, msg string) {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

// readText reads the next message, which must be a text frame.
func readText(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	typ, p, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("got message type %d, want text", typ)
	}
	return string(p)
}

// readItem reads the next frame, which must be an aws/chat frame, and returns its item.
func readItem(t testing.TB, c *websocket.Conn) wire.Item {
	t.Helper()
	it, err := decodeChatFrame(readText(t, c))
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func decodeChatFrame(s string) (wire.Item, error) {
	var f struct {
		Topic       string `json:"topic"`
		ContentType string `json:"contentType"`
		Content     string `json:"content"` // must be a string: ChatJS drops objects
	}
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return wire.Item{}, fmt.Errorf("chat frame %s: %v", s, err)
	}
	if f.Topic != "aws/chat" || f.ContentType != "application/json" {
		return wire.Item{}, fmt.Errorf("not an aws/chat frame: %s", s)
	}
	var it wire.Item
	if err := json.Unmarshal([]byte(f.Content), &it); err != nil {
		return wire.Item{}, fmt.Errorf("item in %s: %v", s, err)
	}
	return it, nil
}

// seqOf extracts the Seq from an item Id made by fakeBackend.commit.
func seqOf(t testing.TB, it wire.Item) int64 {
	t.Helper()
	i := strings.LastIndex(it.ID, "-item-")
	var seq int64
	if i < 0 {
		t.Fatalf("unexpected item id %q", it.ID)
	}
	if _, err := fmt.Sscanf(it.ID[i+len("-item-"):], "%d", &seq); err != nil {
		t.Fatalf("item id %q: %v", it.ID, err)
	}
	return seq
}

// eventually polls cond until it holds, failing after waitLimit. Only for waiting on state that has no
// channel to wait on (counters); never to assert speed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// smallBufferDialer returns a dialer whose sockets have a tiny receive buffer, so a client that stops reading
// backs the server up quickly.
func smallBufferDialer() *websocket.Dialer {
	return &websocket.Dialer{
		HandshakeTimeout: waitLimit,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				err := rc.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
				})
				if err != nil {
					return err
				}
				return serr
			}}
			return d.DialContext(ctx, network, addr)
		},
	}
}

// publishEvent commits and publishes an EVENT item of chain: contentType by participant (to recipient, if set).
func (h *harness) publishEvent(chain, contentType, participant, recipient string) *parley.Item {
	h.t.Helper()
	it := h.be.commit(chain, recipient, "")
	h.be.mu.Lock()
	stored := h.be.chains[chain][len(h.be.chains[chain])-1]
	stored.Type, stored.ContentType, stored.ParticipantID = parley.ItemEvent, contentType, participant
	h.be.mu.Unlock()
	it.Type, it.ContentType, it.ParticipantID = parley.ItemEvent, contentType, participant
	if err := h.bus.Publish(context.Background(), it); err != nil {
		h.t.Fatalf("Publish: %v", err)
	}
	return it
}
