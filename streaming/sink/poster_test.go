package sink

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPosterAnswers: the request arrives as net/http parses it, and each kind of answer is read whole and its
// connection kept or closed as HTTP/1.1 says.
func TestPosterAnswers(t *testing.T) {
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.RequestURI() != "/hook?x=1" || r.Header.Get("X-Test") != "yes" ||
			r.ContentLength != int64(len(body)) || r.Host == "" {
			http.Error(w, fmt.Sprintf("bad request %s %s %q %d", r.Method, r.URL, r.Header, r.ContentLength), 400)
			return
		}
		switch string(body) {
		case "chunked":
			w.(http.Flusher).Flush() // no Content-Length: chunked
			io.WriteString(w, "part one, ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part two")
		case "close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case "big":
			w.Write(make([]byte, 2*maxDiscard))
		case "fail":
			http.Error(w, "no thanks", http.StatusServiceUnavailable)
		default:
			io.WriteString(w, "ok")
		}
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	p := newPoster(5*time.Second, nil)
	defer p.closeIdle()
	tg, err := newTarget(ts.URL + "/hook?x=1")
	if err != nil || !tg.direct {
		t.Fatalf("target %+v, %v", tg, err)
	}
	post := func(body string) (int, string) {
		t.Helper()
		status, snippet, err := p.post(context.Background(), tg, []byte("X-Test: yes\r\n"), []byte(body), 256)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return status, string(snippet)
	}
	for _, c := range []struct {
		body, snippet string
		status        int
		newConns      int32 // connections opened by this request
	}{
		{"hello", "ok", 200, 1},
		{"again", "ok", 200, 0},
		{"chunked", "part one, part two", 200, 0},
		{"fail", "no thanks\n", 503, 0},
		{"close", "bye", 200, 0},
		{"after close", "ok", 200, 1},
		{"big", "", 200, 0},
		{"after big", "ok", 200, 1},
	} {
		before := conns.Load()
		status, snippet := post(c.body)
		if status != c.status || (c.snippet != "" && snippet != c.snippet) {
			t.Errorf("%s: %d %q, want %d %q", c.body, status, snippet, c.status, c.snippet)
		}
		if got := conns.Load() - before; got != c.newConns {
			t.Errorf("%s: %d new connections, want %d", c.body, got, c.newConns)
		}
	}
}

// TestPosterStaleConnection: a receiver that closes idle connections without saying so costs one failed
// write or read, and the request goes again on a new connection.
func TestPosterStaleConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var served atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close() // one request per connection, though the answer says keep-alive
				r, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, r.Body)
				served.Add(1)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	p := newPoster(5*time.Second, nil)
	defer p.closeIdle()
	tg, _ := newTarget("http://" + ln.Addr().String() + "/")
	for i := range 5 {
		status, _, err := p.post(context.Background(), tg, nil, []byte("x"), 256)
		if err != nil || status != 200 {
			t.Fatalf("post %d: %d %v", i, status, err)
		}
		time.Sleep(10 * time.Millisecond) // the receiver's close arrives before the next post
	}
	if served.Load() != 5 {
		t.Errorf("served %d, want 5", served.Load())
	}
}

// TestPosterTLS: https receivers are reached over TLS, checked against the trusted CAs.
func TestPosterTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, "not TLS", 400)
			return
		}
		io.WriteString(w, "secure")
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	ts.StartTLS()
	defer ts.Close()
	tg, _ := newTarget(ts.URL + "/")
	untrusted := newPoster(5*time.Second, x509.NewCertPool())
	if _, _, err := untrusted.post(context.Background(), tg, nil, []byte("x"), 256); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusted certificate was accepted: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	p := newPoster(5*time.Second, roots)
	defer p.closeIdle()
	for range 2 {
		status, snippet, err := p.post(context.Background(), tg, nil, []byte("x"), 256)
		if err != nil || status != 200 || string(snippet) != "secure" {
			t.Fatalf("%d %q %v", status, snippet, err)
		}
	}
}

// TestPosterCancel: a receiver that never answers holds a request until its context ends, no longer.
func TestPosterCancel(t *testing.T) {
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer ts.Close()
	defer close(block)
	p := newPoster(time.Minute, nil)
	defer p.closeIdle()
	tg, _ := newTarget(ts.URL + "/")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, _, err := p.post(ctx, tg, nil, []byte("x"), 256); err != context.Canceled {
		t.Errorf("post with a canceled context: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := p.post(ctx, tg, nil, []byte("x"), 256); err != context.DeadlineExceeded {
		t.Errorf("post past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// FuzzQuickAnswer holds quickAnswer to net/http: whenever it reads an answer, http.ReadResponse reads the same
// bytes as the same answer (status, body, whether the connection stays open), and both leave the same bytes.
func FuzzQuickAnswer(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokNEXT",
		"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
		"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 9\r\nConnection: close\r\n\r\nno thanks",
		"HTTP/1.1 200\r\nContent-Length: 1\r\nX-A: b\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(s), 256)
	}
	f.Fuzz(func(t *testing.T, raw []byte, keep int) {
		keep = 1 + (keep&0xffff)%512
		quick := bufio.NewReaderSize(bytes.NewReader(raw), 4096)
		quick.Peek(1)
		status, answer, reuse, ok, err := quickAnswer(quick, keep)
		if !ok || err != nil {
			return
		}
		std := bufio.NewReaderSize(bytes.NewReader(raw), 4096)
		resp, err := http.ReadResponse(std, nil)
		if err != nil {
			t.Fatalf("%q: quickAnswer read %d, net/http refuses it: %v", raw, status, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if len(body) > keep {
			body = body[:keep]
		}
		if resp.StatusCode != status || !bytes.Equal(body, answer) || resp.Close == reuse {
			t.Fatalf("%q: quickAnswer %d %q reuse %v; net/http %d %q close %v", raw, status, answer, reuse, resp.StatusCode, body, resp.Close)
		}
		left, _ := io.ReadAll(quick)
		stdLeft, _ := io.ReadAll(std)
		if !bytes.Equal(left, stdLeft) {
			t.Fatalf("%q: quickAnswer leaves %q, net/http %q", raw, left, stdLeft)
		}
	})
}
