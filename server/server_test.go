package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// TestRefusesOpenListenerWithoutKeys: accepting any SigV4 signature is for loopback only; on another address the
// server refuses to start until access keys are configured.
func TestRefusesOpenListenerWithoutKeys(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0"} {
		m := server.New(server.Config{DataDir: t.TempDir(), Listen: addr}, nil)
		err := m.Start(context.Background())
		if err == nil {
			m.Close()
			t.Fatalf("started on %s without access keys", addr)
		}
		if !strings.Contains(err.Error(), "access keys") {
			t.Fatalf("%s: error %q does not say what to do", addr, err)
		}
	}
}

// TestPublicURL: behind TLS the WebSocket URLs are wss:// on the public host.
func TestPublicURL(t *testing.T) {
	m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", PublicURL: "https://chat.example.com/"}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.URL() != "https://chat.example.com" || m.Service().Config().SocketURL != "wss://chat.example.com/ws" {
		t.Fatalf("URL %s, socket URL %s", m.URL(), m.Service().Config().SocketURL)
	}
	bad := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", PublicURL: "ftp://x"}, nil)
	if err := bad.Start(context.Background()); err == nil {
		bad.Close()
		t.Fatal("accepted an ftp public URL")
	}
}

// TestThrottlingOperationNames: limits.operations names Connect or Participant API operations; a misspelled
// name (which would limit nothing) or a zero rate stops the start with an error that names it.
func TestThrottlingOperationNames(t *testing.T) {
	for name, ops := range map[string]map[string]throttle.Rate{
		"SendMesage":      {"SendMesage": {Rate: 1, Burst: 1}},
		"SendMessage":     {"SendMessage": {Rate: 0, Burst: 1}},
		"StartChatContac": {"StartChatContac": {Rate: 1, Burst: 1}},
	} {
		m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0",
			Limits: throttle.Config{Operations: ops}}, nil)
		err := m.Start(context.Background())
		if err == nil {
			m.Close()
			t.Fatalf("started with limits.operations %v", ops)
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Limits: throttle.Config{
		Operations: map[string]throttle.Rate{"SendMessage": {Rate: 1, Burst: 1}, "ListQueues": {Rate: 1, Burst: 1},
			"SendChatIntegrationEvent": {Rate: 1, Burst: 1}}}}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("real operation names refused: %v", err)
	}
	m.Close()
}

// TestDataFilesOwnerOnly: a data directory that existed readable by others is narrowed to 0700, and the secret,
// the database and its WAL are the owner's only.
func TestDataFilesOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte(strings.Repeat("ab", 32)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := server.New(server.Config{DataDir: dir, Listen: "127.0.0.1:0"}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, secret: 0o600, filepath.Join(dir, "parley.db"): 0o600,
		filepath.Join(dir, "parley.db-wal"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", path, got, want)
		}
	}
}

// TestStalledBodyCutOff: a client that sends headers and then stalls in its body is cut off at the body
// deadline, while the server keeps serving others.
func TestStalledBodyCutOff(t *testing.T) {
	m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", BodyTimeout: 300 * time.Millisecond}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := net.Dial("tcp", m.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /participant/message HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Bearer: x\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Content\":")
	c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a bound on the test, not the measurement
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the stalled request was not cut off")
			}
			break // closed by the server: what the deadline does
		}
	}
	// A kept-alive connection idle past the deadlines serves its next request.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	for i := range 2 {
		resp, err := hc.Get(m.URL() + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz %d after the cut: %v %v", i, resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(time.Second)
	}
}

// TestHealthz: /healthz answers 200 with the store's and the bus's state as JSON, and 503 once the store is gone.
func TestHealthz(t *testing.T) {
	m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	get := func() (int, map[string]string) {
		resp, err := http.Get(m.URL() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
			t.Fatalf("healthz body: %v", err)
		}
		return resp.StatusCode, h
	}
	if status, h := get(); status != http.StatusOK || h["status"] != "ok" || h["store"] != "ok" || h["bus"] != "ok" || h["node"] == "" {
		t.Fatalf("healthy server: %d %v", status, h)
	}
	if err := m.Store().Close(); err != nil {
		t.Fatal(err)
	}
	if status, h := get(); status != http.StatusServiceUnavailable || h["status"] != "unavailable" || h["store"] == "ok" {
		t.Errorf("server without its store: %d %v", status, h)
	}
}

// TestBadListenAddress: a listen address that is not HOST:PORT is reported as such, whatever else is configured.
func TestBadListenAddress(t *testing.T) {
	for _, addr := range []string{"nonsense:abc", "8080", "127.0.0.1:99999", "127.0.0.1:", "a b:80"} {
		m := server.New(server.Config{DataDir: t.TempDir(), Listen: addr}, nil)
		err := m.Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "listen address") {
			t.Errorf("listen %q: %v, want an error about the listen address", addr, err)
		}
	}
}
