package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley"
)

func TestRepliesExactBytes(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.dial(h.be.participant("chain-1", "cust"), nil)

	// The frames ChatJS sends on open, in its order (protocol reference §1.2), and the exact replies.
	exchanges := []struct {
		send string
		want string
	}{
		{
			send: `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`,
			want: `{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`,
		},
		{
			send: `{"topic":"aws/ping"}`,
			want: `{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`,
		},
		{
			send: `{"topic":"aws/heartbeat"}`,
			want: `{"topic":"aws/heartbeat"}`,
		},
		{
			// Another client's spacing and key order.
			send: `{ "content": {"topics": ["aws/chat", "aws/other"]}, "topic": "aws/subscribe" }`,
			want: `{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat","aws/other"]}}`,
		},
		{
			// No content: topics is still an array.
			send: `{"topic":"aws/subscribe"}`,
			want: `{"topic":"aws/subscribe","content":{"status":"success","topics":[]}}`,
		},
		{
			send: `{"topic":"aws/heartbeat","extra":1}`,
			want: `{"topic":"aws/heartbeat"}`,
		},
	}
	for _, x := range exchanges {
		send(t, c, x.send)
		if got := readText(t, c); got != x.want {
			t.Errorf("reply to %s:\n got %s\nwant %s", x.send, got, x.want)
		}
	}

	// Unknown topics, non-JSON text and binary frames are ignored: the next frame is the heartbeat's reply.
	send(t, c, `{"topic":"aws/whatever","content":{}}`)
	send(t, c, `not json`)
	send(t, c, `{"content":"no topic"}`)
	if err := c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	send(t, c, `{"topic":"aws/heartbeat"}`)
	if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
		t.Errorf("after ignored frames got %s", got)
	}

	// Subscribed is called once per socket, however many times it subscribes.
	select {
	case id := <-h.be.subscribed:
		if id.ParticipantID != "cust" || id.ChainID != "chain-1" {
			t.Errorf("Subscribed(%+v)", id)
		}
	case <-time.After(waitLimit):
		t.Fatal("Subscribed was not called")
	}
	if n := len(h.be.subscribed); n != 0 {
		t.Errorf("Subscribed called %d more times", n)
	}
	if s := h.gw.Stats(); s.Subscribed != 1 || s.Open != 1 || s.Chains != 1 {
		t.Errorf("Stats = %+v, want 1 open, 1 subscribed, 1 chain", s)
	}
}

func TestPushesItemsAsStringContent(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.subscribe("chain-1", "cust")
	it := h.publish("chain-1", "", `hello "world" <b>`)

	raw := readText(t, c)
	var outer map[string]any
	if err := json.Unmarshal([]byte(raw), &outer); err != nil {
		t.Fatalf("frame is not JSON: %s", raw)
	}
	if len(outer) != 3 || outer["topic"] != "aws/chat" || outer["contentType"] != "application/json" {
		t.Errorf("frame keys: %s", raw)
	}
	if _, ok := outer["content"].(string); !ok {
		t.Fatalf("content is %T, want a string: %s", outer["content"], raw)
	}
	got, err := decodeChatFrame(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != it.ID || got.ContactID != "chain-1" || got.InitialContactID != "chain-1" ||
		got.Content != it.Content || got.Type != "MESSAGE" || got.ParticipantRole != "AGENT" ||
		got.AbsoluteTime != "2026-03-04T05:06:07.000Z" {
		t.Errorf("item = %+v", got)
	}
}

// TestOrderedNoDuplicatesNoGaps publishes a chain's items concurrently, out of order, with many never published
// at all, and checks that every socket sees exactly 1..N in order.
func TestOrderedNoDuplicatesNoGaps(t *testing.T) {
	const n = 400
	h := newHarness(t, Options{GapBatch: 7})
	socks := []*websocket.Conn{
		h.subscribe("chain-o", "cust"),
		h.subscribe("chain-o", "cust"),
		h.subscribe("chain-o", "agent"),
	}
	// Readers first, so that no queue backs up.
	var wg sync.WaitGroup
	results := make([][]int64, len(socks))
	for i, c := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(results[i]) < n {
				_ = c.SetReadDeadline(time.Now().Add(waitLimit))
				_, p, err := c.ReadMessage()
				if err != nil {
					t.Errorf("socket %d: read after %d items: %v", i, len(results[i]), err)
					return
				}
				it, err := decodeChatFrame(string(p))
				if err != nil {
					t.Errorf("socket %d: %v", i, err)
					return
				}
				results[i] = append(results[i], seqOf(t, it))
			}
		}()
	}

	// One committer, four publishers. Each publisher holds back a few items and publishes them in reverse, and
	// skips about a third: the gateway sees duplicates (never), reordering and gaps.
	const publishers = 4
	chans := make([]chan *parley.Item, publishers)
	var pubs sync.WaitGroup
	for p := range chans {
		chans[p] = make(chan *parley.Item, 16)
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 42))
			var held []*parley.Item
			flush := func() {
				for i := len(held) - 1; i >= 0; i-- {
					if rng.IntN(3) != 0 {
						_ = h.bus.Publish(context.Background(), held[i])
					}
				}
				held = held[:0]
			}
			for it := range chans[p] {
				held = append(held, it)
				if len(held) >= 1+rng.IntN(5) {
					flush()
				}
			}
			flush()
		}()
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var last *parley.Item
	for range n {
		last = h.be.commit("chain-o", "", "x")
		chans[rng.IntN(publishers)] <- last
	}
	for _, ch := range chans {
		close(ch)
	}
	pubs.Wait()
	// The last item always rings, so every socket must reach n.
	if err := h.bus.Publish(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, seqs := range results {
		for j, seq := range seqs {
			if seq != int64(j+1) {
				t.Fatalf("socket %d: item %d has seq %d, want %d (got %v)", i, j, seq, j+1, seqs)
			}
		}
	}
	if h.gw.Stats().GapReads == 0 {
		t.Error("no gap was read: the test did not exercise gaps")
	}
}

func TestRecipientFiltering(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.subscribe("chain-r", "a")
	b := h.subscribe("chain-r", "b")
	h.publish("chain-r", "", "1 for all")
	h.publish("chain-r", "b", "2 for b")
	h.publish("chain-r", "", "3 for all")
	// 4 and 5 are read from the backend through a gap: filtering applies there too.
	h.be.commit("chain-r", "a", "4 for a")
	h.be.commit("chain-r", "b", "5 for b")
	h.publish("chain-r", "", "6 for all")

	for _, x := range []struct {
		c    *websocket.Conn
		name string
		want []int64
	}{
		{c: a, name: "a", want: []int64{1, 3, 4, 6}},
		{c: b, name: "b", want: []int64{1, 2, 3, 5, 6}},
	} {
		for _, want := range x.want {
			if got := seqOf(t, readItem(t, x.c)); got != want {
				t.Errorf("%s: got item %d, want %d", x.name, got, want)
			}
		}
	}
	// Nothing else is queued: the next frame is the heartbeat reply.
	for _, c := range []*websocket.Conn{a, b} {
		send(t, c, `{"topic":"aws/heartbeat"}`)
		if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
			t.Errorf("extra frame %s", got)
		}
	}
}

func TestSeveralSocketsPerParticipant(t *testing.T) {
	h := newHarness(t, Options{})
	// ChatJS overlaps a primary and a secondary socket of one participant.
	socks := []*websocket.Conn{
		h.subscribe("chain-m", "cust"),
		h.subscribe("chain-m", "cust"),
		h.subscribe("chain-m", "agent"),
	}
	if n := h.bus.Subscriptions(); n != 1 {
		t.Errorf("bus subscriptions = %d, want one for the chain", n)
	}
	for range 3 {
		h.publish("chain-m", "", "x")
	}
	for i, c := range socks {
		for want := int64(1); want <= 3; want++ {
			if got := seqOf(t, readItem(t, c)); got != want {
				t.Errorf("socket %d: got %d, want %d", i, got, want)
			}
		}
	}
	// The primary goes away; the others keep receiving.
	socks[0].Close()
	eventually(t, "the closed socket to be unregistered", func() bool { return h.gw.Stats().Open == 2 })
	h.publish("chain-m", "", "x")
	for _, c := range socks[1:] {
		if got := seqOf(t, readItem(t, c)); got != 4 {
			t.Errorf("got %d, want 4", got)
		}
	}
	for _, c := range socks[1:] {
		c.Close()
	}
	eventually(t, "the chain's bus subscription to go", func() bool { return h.bus.Subscriptions() == 0 })
}

// TestSubscribeRace: an item committed right after the gateway read LastSeq (so not covered by it) must reach
// the socket through the bus: the socket was registered before that read.
func TestSubscribeRace(t *testing.T) {
	h := newHarness(t, Options{})
	h.publish("chain-s", "", "before") // seq 1, older than the subscription
	var once sync.Once
	h.be.mu.Lock()
	h.be.afterLastSeq = func(chain string, last int64) {
		once.Do(func() {
			if last != 1 {
				t.Errorf("LastSeq = %d, want 1", last)
			}
			h.publish(chain, "", "during") // seq 2, committed between LastSeq and the ack
		})
	}
	h.be.mu.Unlock()
	c := h.subscribe("chain-s", "cust")
	if got := seqOf(t, readItem(t, c)); got != 2 {
		t.Fatalf("first item %d, want 2", got)
	}
}

// TestSubscribeRaceStress subscribes sockets while items are committed and published continuously: each socket's
// first item is the one right after the LastSeq it read, and the rest follow with no gap.
func TestSubscribeRaceStress(t *testing.T) {
	h := newHarness(t, Options{})
	lastSeqs := make(chan int64, 1)
	h.be.mu.Lock()
	h.be.lastSeqs = lastSeqs
	h.be.mu.Unlock()

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				h.publish("chain-x", "", "x")
				runtime.Gosched()
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	for i := range 20 {
		c := h.dial(h.be.participant("chain-x", "cust"), nil)
		send(t, c, `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
		var last int64
		select {
		case last = <-lastSeqs:
		case <-time.After(waitLimit):
			t.Fatal("LastSeq not called")
		}
		if got := readText(t, c); !strings.Contains(got, `"status":"success"`) {
			t.Fatalf("socket %d: want the ack first, got %s", i, got)
		}
		for want := last + 1; want <= last+10; want++ {
			if got := seqOf(t, readItem(t, c)); got != want {
				t.Fatalf("socket %d (LastSeq %d): got item %d, want %d", i, last, got, want)
			}
		}
		c.Close()
	}
}

func TestInvalidTokenRefusedBeforeUpgrade(t *testing.T) {
	h := newHarness(t, Options{})
	for _, token := range []string{"never-issued", ""} {
		_, resp, err := websocket.DefaultDialer.Dial(h.url+"?token="+token, nil)
		if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil {
			t.Fatalf("token %q: dial err = %v, want a refused handshake", token, err)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: status %d, want 403", token, resp.StatusCode)
		}
		if got := resp.Header.Get("X-Amzn-ErrorType"); got != "AccessDeniedException" {
			t.Errorf("token %q: x-amzn-errortype %q", token, got)
		}
	}
	if s := h.gw.Stats(); s.Open != 0 {
		t.Errorf("Stats = %+v after refused handshakes", s)
	}
}

func TestGenuineButUnusableTokenClosed1008(t *testing.T) {
	h := newHarness(t, Options{})
	h.be.refuse("expired", parley.Errorf(parley.EACCESS, "the connection URL has expired"))
	c := h.dial("expired", nil) // the upgrade is accepted
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("read: %v, want a close frame", err)
	}
	if ce.Code != websocket.ClosePolicyViolation || ce.Text != "the connection URL has expired" {
		t.Errorf("close = %d %q, want 1008 with the reason", ce.Code, ce.Text)
	}
	eventually(t, "the socket to be cleaned up", func() bool { return h.gw.Stats().Open == 0 })
}

func TestCrossOriginUpgrade(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.dial(h.be.participant("chain-1", "cust"), http.Header{"Origin": {"https://customer.example.com"}})
	send(t, c, `{"topic":"aws/heartbeat"}`)
	if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
		t.Errorf("got %s", got)
	}
}

// TestSlowConsumerClosed: a socket that stops reading is closed once its queue overflows, and counted, while
// another socket of the same chain keeps receiving everything.
func TestSlowConsumerClosed(t *testing.T) {
	h := newHarness(t, Options{QueueLen: 8, CloseGrace: time.Second})
	fast := h.subscribe("chain-slow", "agent")

	slow, _, err := smallBufferDialer().Dial(h.url+"?token="+h.be.participant("chain-slow", "cust"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	send(t, slow, `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	readText(t, slow) // the ack; then it stops reading

	content := strings.Repeat("z", 32<<10)
	var n int64
	for h.gw.Stats().SlowConsumerCloses == 0 {
		if n == 5000 {
			t.Fatalf("published %d items of %d bytes and the slow socket is still open", n, len(content))
		}
		h.publish("chain-slow", "", content)
		n++
		// The fast reader reads each item before the next one is published: its queue never grows.
		if got := seqOf(t, readItem(t, fast)); got != n {
			t.Fatalf("fast socket: got %d, want %d", got, n)
		}
	}
	for range 5 {
		h.publish("chain-slow", "", "after")
		n++
		if got := seqOf(t, readItem(t, fast)); got != n {
			t.Fatalf("fast socket after the slow one was closed: got %d, want %d", got, n)
		}
	}
	// The slow socket, when it finally reads, gets some items and then the end of the connection.
	_ = slow.SetReadDeadline(time.Now().Add(waitLimit))
	for {
		if _, _, err := slow.ReadMessage(); err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("slow socket was not closed: %v", err)
			}
			break
		}
	}
	eventually(t, "the slow socket to be unregistered", func() bool { return h.gw.Stats().Open == 1 })
	if got := h.gw.Stats().SlowConsumerCloses; got != 1 {
		t.Errorf("SlowConsumerCloses = %d, want 1", got)
	}
}

func TestCloseGoingAwayNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newHarness(t, Options{})
	var socks []*websocket.Conn
	for i := range 10 {
		socks = append(socks, h.subscribe("chain-c", []string{"a", "b"}[i%2]))
	}
	h.publish("chain-c", "", "x")
	closes := make(chan error, len(socks))
	for _, c := range socks {
		go func() {
			for {
				_ = c.SetReadDeadline(time.Now().Add(waitLimit))
				if _, _, err := c.ReadMessage(); err != nil {
					closes <- err
					return
				}
			}
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := h.gw.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s := h.gw.Stats(); s.Goroutines != 0 || s.Open != 0 || s.Subscribed != 0 || s.Chains != 0 {
		t.Errorf("Stats after Close = %+v", s)
	}
	if n := h.bus.Subscriptions(); n != 0 {
		t.Errorf("%d bus subscriptions after Close", n)
	}
	for range socks {
		err := <-closes
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || ce.Text != "going away" {
			t.Errorf("client saw %v, want close 1001 going away", err)
		}
	}
	// New upgrades are refused once closing.
	_, resp, err := websocket.DefaultDialer.Dial(h.url+"?token="+h.be.participant("chain-c", "a"), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after Close: err %v, resp %v; want 503", err, resp)
	}
	for _, c := range socks {
		c.Close()
	}
	h.srv.Close()
	eventually(t, "goroutines to return to the baseline", func() bool { return runtime.NumGoroutine() <= before })
}

func TestCloseContextExpiresDropsSockets(t *testing.T) {
	h := newHarness(t, Options{CloseGrace: time.Hour}) // nobody answers the close frame within ctx
	c := h.subscribe("chain-c", "a")
	_ = c // never reads: its close frame is never answered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.gw.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a done context = %v, want context.Canceled", err)
	}
	if s := h.gw.Stats(); s.Goroutines != 0 || s.Open != 0 {
		t.Errorf("Stats after Close = %+v", s)
	}
}

func TestDropAll(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.subscribe("chain-d", "a")
	b := h.subscribe("chain-e", "b")
	h.gw.DropAll()
	for _, c := range []*websocket.Conn{a, b} {
		_ = c.SetReadDeadline(time.Now().Add(waitLimit))
		_, _, err := c.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
			t.Errorf("after DropAll: %v, want the connection cut without a close frame", err)
		}
		if err == nil {
			t.Error("after DropAll: read succeeded")
		}
	}
	eventually(t, "sockets to be unregistered", func() bool {
		s := h.gw.Stats()
		return s.Open == 0 && s.Chains == 0 && s.Goroutines == 0
	})
	// The gateway still accepts sockets.
	c := h.subscribe("chain-d", "a")
	h.publish("chain-d", "", "x")
	if got := seqOf(t, readItem(t, c)); got != 1 {
		t.Errorf("got %d", got)
	}
}

func TestMessageTooBigClosed1009(t *testing.T) {
	h := newHarness(t, Options{MaxMessageSize: 1024})
	c := h.dial(h.be.participant("chain-1", "cust"), nil)
	send(t, c, `{"topic":"aws/heartbeat","pad":"`+strings.Repeat("x", 2000)+`"}`)
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("read: %v, want close 1009", err)
	}
}

func TestWebSocketPingAndClientClose(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.subscribe("chain-p", "cust")
	pong := make(chan string, 1)
	c.SetPongHandler(func(s string) error { pong <- s; return nil })
	if err := c.WriteControl(websocket.PingMessage, []byte("abc"), time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
	send(t, c, `{"topic":"aws/heartbeat"}`)
	readText(t, c) // pong handlers run inside ReadMessage
	select {
	case got := <-pong:
		if got != "abc" {
			t.Errorf("pong %q, want abc", got)
		}
	default:
		t.Fatal("no pong before the heartbeat reply")
	}

	// ChatJS retiring its primary socket: the server echoes the close code and lets go.
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "[Primary WebSocket] Closing WebSocket")
	if err := c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("read after close: %v, want the echoed 1000", err)
	}
	c.Close()
	eventually(t, "the socket to be cleaned up", func() bool {
		s := h.gw.Stats()
		return s.Open == 0 && s.Chains == 0
	})
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.subscribe("chain-u", "cust")
	h.publish("chain-u", "", "1")
	if got := seqOf(t, readItem(t, c)); got != 1 {
		t.Fatalf("got %d", got)
	}
	send(t, c, `{"topic":"aws/unsubscribe","content":{"topics":["aws/chat"]}}`)
	send(t, c, `{"topic":"aws/heartbeat"}`)
	if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
		t.Fatalf("got %s", got)
	}
	eventually(t, "the chain's subscription to go", func() bool { return h.bus.Subscriptions() == 0 })
	h.publish("chain-u", "", "2")
	send(t, c, `{"topic":"aws/heartbeat"}`)
	if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
		t.Fatalf("item delivered after unsubscribe: %s", got)
	}
	// Subscribing again starts after what is committed by then.
	send(t, c, `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	readText(t, c)
	h.publish("chain-u", "", "3")
	if got := seqOf(t, readItem(t, c)); got != 3 {
		t.Fatalf("after re-subscribing got %d, want 3", got)
	}
}

func TestBackendFailureClosesSocket(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.subscribe("chain-f", "cust")
	h.be.mu.Lock()
	h.be.itemsAfterErr = errors.New("store down")
	h.be.mu.Unlock()
	h.be.commit("chain-f", "", "1") // never published: a gap
	h.publish("chain-f", "", "2")
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseInternalServerErr {
		t.Fatalf("read: %v, want close 1011 (never a gap)", err)
	}
}

// TestHoldsEarlyItems publishes a chain's items in reverse: each socket holds the early ones until the missing
// ones come, and delivers them in order without reading the backend.
func TestHoldsEarlyItems(t *testing.T) {
	h := newHarness(t, Options{GapWait: time.Hour}) // the wait never ends: only the publishes can release
	c := h.subscribe("chain-h", "cust")
	items := make([]*parley.Item, 5)
	for i := range items {
		items[i] = h.be.commit("chain-h", "", fmt.Sprintf("m%d", i+1))
	}
	for i := len(items) - 1; i >= 0; i-- {
		if err := h.bus.Publish(context.Background(), items[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range items {
		it, err := decodeChatFrame(readText(t, c))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqOf(t, it); got != int64(i+1) {
			t.Fatalf("item %d has seq %d, want %d", i, got, i+1)
		}
	}
	if n := h.gw.Stats().GapReads; n != 0 {
		t.Errorf("GapReads = %d, want 0: the missing items were published, not lost", n)
	}
}

// TestReadsGapAfterWait publishes the third item of a chain but not the first two: after GapWait the socket
// reads them from the backend and delivers all three in order.
func TestReadsGapAfterWait(t *testing.T) {
	h := newHarness(t, Options{GapWait: 10 * time.Millisecond})
	c := h.subscribe("chain-w", "cust")
	h.be.commit("chain-w", "", "lost 1")
	h.be.commit("chain-w", "", "lost 2")
	h.publish("chain-w", "", "third")
	for i := range 3 {
		it, err := decodeChatFrame(readText(t, c))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqOf(t, it); got != int64(i+1) {
			t.Fatalf("item %d has seq %d, want %d", i, got, i+1)
		}
	}
	if n := h.gw.Stats().GapReads; n == 0 {
		t.Error("GapReads = 0: the lost items can only have come from the backend")
	}
}

// closedWith reads until the socket closes and returns the close code and reason (failing on a drop without a
// close frame).
func closedWith(t *testing.T, c *websocket.Conn) (int, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("socket ended without a close frame: %v", err)
		}
		return ce.Code, ce.Text
	}
}

// TestSocketsFollowTheParticipant: a participant who leaves gets participant.left and its own chat.ended on its
// socket, then a normal close; the others' sockets stay; chat.ended reaches every socket, then each closes
// normally.
func TestSocketsFollowTheParticipant(t *testing.T) {
	h := newHarness(t, Options{})
	cust := h.subscribe("chain-f", "cust")
	bot := h.subscribe("chain-f", "bot")
	h.publishEvent("chain-f", parley.EventParticipantLeft, "bot", "")
	for _, c := range []*websocket.Conn{cust, bot} {
		if it := readItem(t, c); it.ContentType != parley.EventParticipantLeft {
			t.Fatalf("got %+v, want participant.left", it)
		}
	}
	// The leaver's own chat.ended comes after participant.left, on its socket only; then the socket closes.
	h.publishEvent("chain-f", parley.EventChatEnded, "", "bot")
	if it := readItem(t, bot); it.ContentType != parley.EventChatEnded {
		t.Fatalf("the leaver got %+v, want its chat.ended", it)
	}
	if code, reason := closedWith(t, bot); code != websocket.CloseNormalClosure || reason != "participant left" {
		t.Errorf("the leaver's socket closed with %d %q", code, reason)
	}
	h.publish("chain-f", "", "still here")
	if it := readItem(t, cust); it.Content != "still here" {
		t.Fatalf("the customer's socket got %+v", it)
	}
	h.publishEvent("chain-f", parley.EventChatEnded, "", "")
	if it := readItem(t, cust); it.ContentType != parley.EventChatEnded {
		t.Fatalf("got %+v, want chat.ended", it)
	}
	if code, reason := closedWith(t, cust); code != websocket.CloseNormalClosure || reason != "chat ended" {
		t.Errorf("the customer's socket closed with %d %q", code, reason)
	}
}

// TestIdleCloseFrame: a socket idle past IdleTimeout gets a close frame, not a dropped connection.
func TestIdleCloseFrame(t *testing.T) {
	h := newHarness(t, Options{IdleTimeout: 200 * time.Millisecond})
	c := h.subscribe("chain-i", "cust")
	if code, reason := closedWith(t, c); code != websocket.CloseNormalClosure || reason != "idle timeout" {
		t.Errorf("idle socket closed with %d %q", code, reason)
	}
}

// TestUnsubscribedSocketClosed: a socket that does not subscribe to aws/chat within SubscribeTimeout is closed
// with 1008 and a reason, even while it sends heartbeats; a subscribed one stays open.
func TestUnsubscribedSocketClosed(t *testing.T) {
	h := newHarness(t, Options{SubscribeTimeout: 300 * time.Millisecond})
	subscribed := h.subscribe("chain-sub", "cust")
	c := h.dial(h.be.participant("chain-sub", "lurker"), nil)
	send(t, c, `{"topic":"aws/heartbeat"}`)
	if got := readText(t, c); got != `{"topic":"aws/heartbeat"}` {
		t.Fatalf("heartbeat answer %s", got)
	}
	_ = c.SetReadDeadline(time.Now().Add(waitLimit))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation || ce.Text != "no subscription to aws/chat" {
			t.Fatalf("unsubscribed socket: %v, want a 1008 close frame with the reason", err)
		}
		break
	}
	h.publish("chain-sub", "", "still here")
	if it := readItem(t, subscribed); it.Content != "still here" {
		t.Errorf("the subscribed socket got %+v", it)
	}
}

// TestCatchUp: items committed while the bus lost their messages, with nothing after them to reveal the gap,
// reach the socket when the owner calls CatchUp, in order and once, and the bus's late copies are dropped.
func TestCatchUp(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.subscribe("chain-c", "cust")
	h.publish("chain-c", "", "first")
	h.be.commit("chain-c", "", "lost 2")
	h.be.commit("chain-c", "", "lost 3")
	h.gw.CatchUp()
	for i := range 3 {
		it, err := decodeChatFrame(readText(t, c))
		if err != nil {
			t.Fatal(err)
		}
		if got := seqOf(t, it); got != int64(i+1) {
			t.Fatalf("item %d has seq %d, want %d", i, got, i+1)
		}
	}
	h.publish("chain-c", "", "fourth")
	it, err := decodeChatFrame(readText(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if got := seqOf(t, it); got != 4 {
		t.Fatalf("after the catch-up: seq %d, want 4", got)
	}
}
