package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
	"github.com/parley-chat/parley/wire"
)

// from is an HTTP client whose connections come from a loopback source address of the test's choosing, and are
// never kept alive unless keep is set: each request is a new connection, counted anew by the server's caps.
func from(ip string, keep bool) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: !keep, MaxIdleConnsPerHost: 1}}
}

// fill opens n idle TCP connections from ip and waits until the server counts them.
func fill(t *testing.T, e *env, ip string, n int) []net.Conn {
	t.Helper()
	before := e.srv.OpenConns()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	var cs []net.Conn
	for range n {
		c, err := d.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
		if err != nil {
			t.Fatalf("dial from %s: %v", ip, err)
		}
		cs = append(cs, c)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	waitFor(t, "the server to count the idle connections", func() bool { return e.srv.OpenConns() >= before+n })
	return cs
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// get returns the status, the body and whether the server closes the connection after the answer.
func get(t *testing.T, c *http.Client, url string) (int, string, bool) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Close
}

func post(t *testing.T, c *http.Client, url, token, body string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set(wire.HeaderBearer, token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// TestConnectionCaps: past limits.connections.max, a new connection can still ask /healthz, and anything else
// gets a quick 503 ServiceUnavailableException with Retry-After instead of a hang; a subscribed socket and a
// kept-alive connection opened before go on working. Past per_ip, only that address is refused. Closing
// connections makes room again.
func TestConnectionCaps(t *testing.T) {
	t.Run("max", func(t *testing.T) {
		const max = 40
		e := newEnv(t, func(c *server.Config) { c.Limits.Connections = throttle.Connections{Max: max, PerIP: -1} })
		ch := e.startChat()
		cust := e.connect(ch.ParticipantToken)
		sock := dial(t, cust.URL)
		kept := from("127.0.0.1", true)
		msg := `{"ContentType":"text/plain","Content":"through a connection opened before the cap"}`
		if status, _ := post(t, kept, e.srv.URL+wire.PathSendMessage, cust.Token, msg); status != http.StatusOK {
			t.Fatalf("SendMessage: %d", status)
		}
		sock.until("text/plain")

		idle := fill(t, e, "127.0.0.4", max-e.srv.OpenConns())
		other := from("127.0.0.5", false)
		if status, body, closes := get(t, other, e.srv.URL+"/healthz"); status != http.StatusOK || !closes {
			t.Errorf("/healthz at the cap: %d %q, connection closed after: %v", status, body, closes)
		}
		status, h := post(t, other, e.srv.URL+wire.PathSendMessage, cust.Token, msg)
		if status != http.StatusServiceUnavailable || h.Get("X-Amzn-Errortype") != "ServiceUnavailableException" || h.Get("Retry-After") == "" {
			t.Errorf("SendMessage on a new connection at the cap: %d %s Retry-After %q", status, h.Get("X-Amzn-Errortype"), h.Get("Retry-After"))
		}
		if status, _ := post(t, kept, e.srv.URL+wire.PathSendMessage, cust.Token, msg); status != http.StatusOK {
			t.Errorf("SendMessage on the kept-alive connection at the cap: %d", status)
		}
		if it := sock.next(); it.Content != "through a connection opened before the cap" {
			t.Errorf("the subscribed socket got %+v", it)
		}
		for _, c := range idle[:5] {
			c.Close()
		}
		waitFor(t, "room after closing connections", func() bool {
			status, _ := post(t, other, e.srv.URL+wire.PathSendMessage, cust.Token, msg)
			return status == http.StatusOK
		})
	})

	t.Run("per_ip", func(t *testing.T) {
		const perIP = 10
		e := newEnv(t, func(c *server.Config) { c.Limits.Connections = throttle.Connections{PerIP: perIP} })
		ch := e.startChat()
		cust := e.connect(ch.ParticipantToken)
		fill(t, e, "127.0.0.3", perIP)
		crowded := from("127.0.0.3", false)
		if status, _, _ := get(t, crowded, e.srv.URL+"/healthz"); status != http.StatusOK {
			t.Errorf("/healthz from the crowded address: %d", status)
		}
		msg := `{"ContentType":"text/plain","Content":"hi"}`
		if status, _ := post(t, crowded, e.srv.URL+wire.PathSendMessage, cust.Token, msg); status != http.StatusServiceUnavailable {
			t.Errorf("SendMessage from the crowded address: %d, want 503", status)
		}
		d := websocket.Dialer{NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}).DialContext}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, resp, err := d.DialContext(ctx, cust.URL, nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			if c != nil {
				c.Close()
			}
			t.Errorf("WebSocket from the crowded address: %v %v, want a refused handshake (503)", resp, err)
		}
		if status, _ := post(t, from("127.0.0.1", false), e.srv.URL+wire.PathSendMessage, cust.Token, msg); status != http.StatusOK {
			t.Errorf("SendMessage from another address: %d", status)
		}
	})
}

// TestHeaderTooLarge: a request whose headers pass 64 KiB gets 431 in the AWS error shape, not Go's plain text.
func TestHeaderTooLarge(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+wire.PathSendMessage, strings.NewReader("{}"))
	req.Header.Set("X-Big", strings.Repeat("a", 2<<20))
	resp, err := from("127.0.0.1", false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/json" ||
		!strings.Contains(string(b), `"__type"`) {
		t.Errorf("2 MB header: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}
