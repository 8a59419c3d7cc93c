package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// proxy is a fault-injecting TCP proxy between clients and a server: it can cut every connection, refuse new
// ones, and delay the bytes it relays.
type proxy struct {
	t  *testing.T
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	target string
	down   bool
	delay  time.Duration
	conns  map[net.Conn]struct{}
	closed bool
}

func newProxy(t *testing.T) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// url is the proxy's base URL.
func (p *proxy) url() string { return "http://" + p.ln.Addr().String() }

// setTarget says where to relay new connections.
func (p *proxy) setTarget(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = addr
}

// cut closes every relayed connection, as a network failure would.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// setDown makes the proxy close new connections at once (and cuts the current ones), like a server that is
// not there; setDown(false) relays again.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.cut()
	}
}

// setDelay delays every chunk of bytes relayed from now on by d.
func (p *proxy) setDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target, down, closed := p.target, p.down, p.closed
		p.mu.Unlock()
		if down || closed || target == "" {
			c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe relays src to dst until either fails, then closes both.
func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	defer func() {
		src.Close()
		dst.Close()
		p.mu.Lock()
		delete(p.conns, src)
		delete(p.conns, dst)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			d := p.delay
			p.mu.Unlock()
			if d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// proxied starts a server whose REST and WebSocket URLs all point at a new proxy.
func proxied(t *testing.T, opts ...testserver.Option) (*proxy, *testserver.Server) {
	t.Helper()
	p := newProxy(t)
	opts = append(opts, func(c *server.Config) { c.PublicURL = p.url() })
	srv := testserver.Start(t, opts...)
	p.setTarget(srv.Addr().String())
	return p, srv
}

// fast are options for sessions behind a flaky proxy: quick reconnects, patient requests.
func fast(o client.Options) client.Options {
	o.MinBackoff, o.MaxBackoff, o.MaxRetries = 20*time.Millisecond, 300*time.Millisecond, 30
	return o
}

// TestExactlyOnceAcrossCuts: a bot sends messages while the proxy cuts every connection again and again and
// delays bytes; the customer, on the other side of the same proxy, receives every message exactly once and in
// order (gap-free resume), and the bot's retried sends store each message once (ClientToken idempotency).
func TestExactlyOnceAcrossCuts(t *testing.T) {
	p, srv := proxied(t)
	ctx := testCtx(t)
	cd := startChat(t, srv, p.url())
	cust, cr := session(t, p.url(), cd, fast(client.Options{}))
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	bd := addBot(t, srv, p.url(), cd.ContactID)
	bot, _ := session(t, p.url(), bd, fast(client.Options{}))
	if err := bot.Connect(ctx); err != nil {
		t.Fatal(err)
	}

	const n = 80
	var sent []string
	sendDone := make(chan error, 1)
	go func() {
		for i := range n {
			res, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, fmt.Sprint("m", i))
			if err != nil {
				sendDone <- fmt.Errorf("message %d: %w", i, err)
				return
			}
			sent = append(sent, res.ID)
			time.Sleep(time.Duration(rand.IntN(15)) * time.Millisecond)
		}
		sendDone <- nil
	}()

	cuts := 0
	var sendErr error
cutting:
	for {
		select {
		case sendErr = <-sendDone:
			break cutting
		case <-time.After(time.Duration(50+rand.IntN(200)) * time.Millisecond):
		}
		switch rand.IntN(4) {
		case 0:
			p.setDelay(time.Duration(rand.IntN(30)) * time.Millisecond)
		case 1:
			p.setDown(true)
			time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
			p.setDown(false)
		}
		p.cut()
		cuts++
	}
	p.setDelay(0)
	if sendErr != nil {
		t.Fatal(sendErr)
	}
	// One more cut after the last message, so that it too may have to come from the transcript.
	p.cut()
	evs := cr.waitFor(t, fmt.Sprintf("%d bot messages", n), func(evs []client.Event) bool {
		return len(messages(evs, client.RoleCustomBot)) >= n
	})
	got := messages(evs, client.RoleCustomBot)
	if !slices.Equal(got, sent) {
		t.Fatalf("after %d cuts the customer received %d messages:\n%v\nthe bot sent %d:\n%v", cuts, len(got), got, len(sent), sent)
	}
	for i, e := range filterMessages(evs, client.RoleCustomBot) {
		if e.Item.Content != fmt.Sprint("m", i) {
			t.Fatalf("message %d has content %q", i, e.Item.Content)
		}
	}
	lost, est := count(evs, client.EventConnectionLost), count(evs, client.EventConnectionEstablished)
	if lost == 0 || est != lost+1 && est != lost {
		t.Fatalf("%d cuts gave %d connectionLost and %d connectionEstablished events", cuts, lost, est)
	}
	if count(evs, client.EventConnectionBroken)+count(evs, client.EventEnded) != 0 {
		t.Fatalf("cuts ended the session:\n%s", dump(evs))
	}
	// Every stored message is in the transcript once.
	var stored []string
	for it, err := range cust.Transcript(ctx, client.TranscriptInput{}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.ParticipantRole == client.RoleCustomBot && it.Type == client.ItemTypeMessage {
			stored = append(stored, it.ID)
		}
	}
	if !slices.Equal(stored, sent) {
		t.Fatalf("transcript has %d bot messages, want the %d sent", len(stored), len(sent))
	}
	t.Logf("%d cuts, %d reconnects", cuts, lost)
	cust.Close()
	bot.Close()
	checkNoLeaks(t)
}

func filterMessages(evs []client.Event, role string) []client.Event {
	var out []client.Event
	for _, e := range evs {
		if e.Type == client.EventMessage && e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantRole == role {
			out = append(out, e)
		}
	}
	return out
}

// postMessage sends a message with a plain HTTP request straight to a server (not through the proxy).
func postMessage(t *testing.T, base, connectionToken, content string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"ContentType": "text/plain", "Content": content})
	req, _ := http.NewRequest(http.MethodPost, base+wire.PathSendMessage, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Bearer", connectionToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("SendMessage: %d %s", resp.StatusCode, body)
	}
	var out wire.SendMessageResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.ID
}

// TestServerRestart: the server goes away and comes back on the same data; the session keeps retrying
// (never a terminal failure), reconnects and resumes with the messages sent while it was away, from the
// transcript, each once, then live ones.
func TestServerRestart(t *testing.T) {
	dir := t.TempDir()
	p := newProxy(t)
	opts := func(c *server.Config) { c.DataDir, c.PublicURL = dir, p.url() }
	a := testserver.Start(t, opts)
	p.setTarget(a.Addr().String())
	ctx := testCtx(t)
	cd := startChat(t, a, p.url())
	cust, cr := session(t, p.url(), cd, fast(client.Options{}))
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	bd := addBot(t, a, p.url(), cd.ContactID)
	bot, _ := session(t, p.url(), bd, fast(client.Options{}))
	if err := bot.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "before")
	if err != nil {
		t.Fatal(err)
	}
	cr.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == before.ID })

	// Stop the server; clients reach nothing (the proxy refuses) for a while.
	p.setDown(true)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	cr.waitItem(t, client.EventConnectionLost, nil)
	b := testserver.Start(t, opts)
	p.setTarget(b.Addr().String())
	// While the customer is still cut off, the bot talks straight to the new server.
	direct := "http://" + b.Addr().String()
	var away []string
	for i := range 5 {
		away = append(away, postMessage(t, direct, bot.ConnectionDetails().ConnectionToken, fmt.Sprint("away ", i)))
	}
	p.setDown(false)
	evs := cr.waitFor(t, "the messages sent while away", func(evs []client.Event) bool {
		return len(messages(evs, client.RoleCustomBot)) >= 6
	})
	if got := messages(evs, client.RoleCustomBot); !slices.Equal(got, append([]string{before.ID}, away...)) {
		t.Fatalf("got %v, want %v then %v", got, before.ID, away)
	}
	for _, e := range filterMessages(evs, client.RoleCustomBot)[1:] {
		if !e.FromTranscript {
			t.Fatalf("%q was not resumed from the transcript", e.Item.Content)
		}
	}
	after, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "after")
	if err != nil {
		t.Fatal(err)
	}
	e := cr.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == after.ID })
	if e.FromTranscript {
		t.Fatal("a live message was marked FromTranscript")
	}
	if n := count(cr.events(), client.EventConnectionBroken); n != 0 {
		t.Fatalf("the restart broke the session:\n%s", dump(cr.events()))
	}
}

// TestEndedWhileAway: the chat ends while the session is cut off; its reconnect is refused with 403, which
// ends the session with a synthetic chat.ended (ChatJS's rule). Which refusal comes first — the new
// connection's, or the transcript read that resumes the old one — is a race either way is right to end on.
func TestEndedWhileAway(t *testing.T) {
	p, srv := proxied(t)
	ctx := testCtx(t)
	cd := startChat(t, srv, p.url())
	cust, cr := session(t, p.url(), cd, fast(client.Options{}))
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	token := cust.ConnectionDetails().ConnectionToken
	p.setDown(true)
	cr.waitItem(t, client.EventConnectionLost, nil)
	// The customer leaves from elsewhere (another client with the same connection).
	req, _ := http.NewRequest(http.MethodPost, "http://"+srv.Addr().String()+wire.PathDisconnectParticipant,
		bytes.NewReader([]byte(`{}`)))
	req.Header.Set("X-Amz-Bearer", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("DisconnectParticipant: %v %v", resp, err)
	}
	resp.Body.Close()
	p.setDown(false)
	e := cr.waitItem(t, client.EventEnded, nil)
	if !client.IsAccessDenied(e.Err) || e.Item.ContentType != client.ContentTypeChatEnded || e.Item.ID != "" ||
		e.Item.ContactID != cd.ContactID {
		t.Fatalf("ended event = %+v", e)
	}
	var ae *client.APIError
	if !errors.As(e.Err, &ae) || (ae.Operation != "CreateParticipantConnection" && ae.Operation != "GetTranscript") {
		t.Fatalf("ended because of %v, want a refused CreateParticipantConnection or resuming GetTranscript", e.Err)
	}
}
