package sink

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The webhook sender's own HTTP/1.1 client. A notification is one small POST, so net/http's client costs more
// than the request: two goroutines and their hand-offs per connection, a cloned header map, a Request and a
// Response. poster writes the request (headers and body) with one write on a kept-alive connection and reads
// the answer on the caller's goroutine. It speaks HTTP/1.1 over TCP or TLS and does not follow redirects (a
// 3xx is an answer, as with the net/http client Webhooks used before). Receivers reached through a proxy
// (HTTP_PROXY, HTTPS_PROXY) and WebhookOptions.Client go through net/http.

// Poster limits.
const (
	maxIdlePerTarget = 128              // idle connections kept per receiver: one per delivery worker
	idleTimeout      = 60 * time.Second // an idle connection older than this is closed, not reused
	maxDiscard       = 64 << 10         // an answer's body is read to its end up to this, else the connection closes
)

// poster sends POSTs over connections it keeps per receiver.
type poster struct {
	timeout time.Duration
	dialer  net.Dialer
	roots   *x509.CertPool // nil: the system's
	session tls.ClientSessionCache

	mu   sync.Mutex
	idle map[string][]*pconn // by target key
}

func newPoster(timeout time.Duration, roots *x509.CertPool) *poster {
	return &poster{timeout: timeout, dialer: net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second},
		roots: roots, session: tls.NewLRUClientSessionCache(64), idle: map[string][]*pconn{}}
}

// target is where a subscription's POSTs go, parsed once.
type target struct {
	key    string // scheme://addr
	tls    bool
	addr   string // host:port to dial
	name   string // the TLS server name
	head   []byte // "POST <request-URI> HTTP/1.1\r\nHost: <host>\r\n"
	direct bool   // no proxy applies: poster may send it
}

func newTarget(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	t := &target{tls: u.Scheme == "https", addr: net.JoinHostPort(u.Hostname(), port), name: u.Hostname()}
	t.key = u.Scheme + "://" + t.addr
	t.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	proxy, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	t.direct = err == nil && proxy == nil
	return t, nil
}

// pconn is one kept-alive connection.
type pconn struct {
	c    net.Conn
	br   *bufio.Reader
	buf  []byte // the request being written
	used time.Time
}

// post sends body with the header lines hdr (each ending in CRLF, without Host and Content-Length) and returns
// the answer's status and the first keep bytes of its body. A kept connection that fails before any answer (the
// receiver closed it while idle) is replaced once: a delivery may arrive twice, never not at all unknowingly.
func (p *poster) post(ctx context.Context, t *target, hdr, body []byte, keep int) (status int, answer []byte, err error) {
	for attempt := 0; ; attempt++ {
		pc, reused, err := p.get(ctx, t)
		if err != nil {
			return 0, nil, err
		}
		status, answer, reuse, answered, err := p.roundTrip(ctx, pc, t, hdr, body, keep)
		if err == nil {
			if reuse {
				p.put(t, pc)
			} else {
				pc.c.Close()
			}
			return status, answer, nil
		}
		pc.c.Close()
		if !reused || answered || attempt > 0 || ctx.Err() != nil {
			return 0, nil, err
		}
	}
}

// get returns an idle connection to t (reused) or a new one.
func (p *poster) get(ctx context.Context, t *target) (pc *pconn, reused bool, err error) {
	now := time.Now()
	p.mu.Lock()
	for list := p.idle[t.key]; len(list) > 0; list = p.idle[t.key] {
		pc = list[len(list)-1]
		list[len(list)-1] = nil
		p.idle[t.key] = list[:len(list)-1]
		if now.Sub(pc.used) < idleTimeout {
			p.mu.Unlock()
			return pc, true, nil
		}
		pc.c.Close()
	}
	p.mu.Unlock()
	c, err := p.dial(ctx, t)
	if err != nil {
		return nil, false, err
	}
	return &pconn{c: c, br: bufio.NewReaderSize(c, 4096)}, false, nil
}

// dial connects to t, over TLS for https.
func (p *poster) dial(ctx context.Context, t *target) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	c, err := p.dialer.DialContext(dctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if !t.tls {
		return c, nil
	}
	tc := tls.Client(c, &tls.Config{ServerName: t.name, RootCAs: p.roots, ClientSessionCache: p.session,
		MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	if err := tc.HandshakeContext(dctx); err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// put keeps pc for the next request to t.
func (p *poster) put(t *target, pc *pconn) {
	pc.used = time.Now()
	p.mu.Lock()
	if len(p.idle[t.key]) < maxIdlePerTarget {
		p.idle[t.key] = append(p.idle[t.key], pc)
		pc = nil
	}
	p.mu.Unlock()
	if pc != nil {
		pc.c.Close()
	}
}

// closeIdle closes the idle connections.
func (p *poster) closeIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, list := range p.idle {
		for _, pc := range list {
			pc.c.Close()
		}
		delete(p.idle, k)
	}
}

// roundTrip writes one request on pc and reads its answer, keeping the first keep bytes of its body. answered
// reports that the receiver said something (so the request reached it); reuse that pc may carry the next
// request.
func (p *poster) roundTrip(ctx context.Context, pc *pconn, t *target, hdr, body []byte, keep int) (status int, answer []byte, reuse, answered bool, err error) {
	deadline := time.Now().Add(p.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := pc.c.SetDeadline(deadline); err != nil {
		return 0, nil, false, false, err
	}
	stop := context.AfterFunc(ctx, func() { pc.c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	pc.buf = appendRequest(pc.buf[:0], t, hdr, body)
	if _, err := pc.c.Write(pc.buf); err != nil {
		return 0, nil, false, false, ctxErr(ctx, err)
	}
	if cap(pc.buf) > 64<<10 {
		pc.buf = nil // do not keep a rare big request's buffer
	}
	if _, err := pc.br.Peek(1); err != nil {
		return 0, nil, false, false, ctxErr(ctx, err)
	}
	status, answer, reuse, err = readAnswer(pc.br, keep)
	if err != nil {
		return 0, nil, false, true, ctxErr(ctx, err)
	}
	return status, answer, reuse, true, nil
}

// appendRequest appends the POST of body to t with the header lines hdr.
func appendRequest(b []byte, t *target, hdr, body []byte) []byte {
	b = append(b, t.head...)
	b = append(b, hdr...)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// readAnswer reads one final answer from br (skipping interim 1xx ones), keeping the first keep bytes of its
// body; reuse reports that the connection may carry the next request.
func readAnswer(br *bufio.Reader, keep int) (status int, answer []byte, reuse bool, err error) {
	if status, answer, reuse, ok, err := quickAnswer(br, keep); ok || err != nil {
		return status, answer, reuse, err
	}
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return 0, nil, false, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue // an interim answer: the final one follows
		}
		if resp.ContentLength > 0 && resp.ContentLength <= int64(keep) {
			answer = make([]byte, 0, resp.ContentLength)
		}
		if answer, err = readSome(answer, resp.Body, keep); err != nil {
			return 0, nil, false, err
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscard))
		var one [1]byte
		_, end := resp.Body.Read(one[:])
		reuse = !resp.Close && n < maxDiscard && errors.Is(end, io.EOF)
		resp.Body.Close()
		return resp.StatusCode, answer, reuse, nil
	}
}

// quickAnswer reads the common answer — HTTP/1.1, a final status, a Content-Length of at most maxDiscard, no
// Transfer-Encoding, its head already in br's buffer — without net/http's allocations (a Response, a header map,
// a body reader). ok false with a nil error means it consumed nothing and readAnswer must parse the answer.
func quickAnswer(br *bufio.Reader, keep int) (status int, answer []byte, reuse, ok bool, err error) {
	buf, _ := br.Peek(br.Buffered())
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, nil, false, false, nil
	}
	head := buf[:end+2] // each line with its CRLF
	if crlf := bytes.Count(head, []byte("\r\n")); bytes.Count(head, []byte("\n")) != crlf || bytes.Count(head, []byte("\r")) != crlf {
		return 0, nil, false, false, nil // a bare CR or LF: net/http's reading of the lines decides
	}
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if len(line) < 12 || string(line[:9]) != "HTTP/1.1 " || (len(line) > 12 && line[12] != ' ') {
		return 0, nil, false, false, nil
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, nil, false, false, nil
		}
		status = status*10 + int(c-'0')
	}
	if status < 200 {
		return 0, nil, false, false, nil
	}
	length, reuse := -1, true
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found || !token(name) || !fieldValue(value) {
			return 0, nil, false, false, nil // folded or malformed: net/http says what it is
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if len(value) == 0 || len(value) > 7 || length >= 0 {
				return 0, nil, false, false, nil
			}
			length = 0
			for _, c := range value {
				if c < '0' || c > '9' {
					return 0, nil, false, false, nil
				}
				length = length*10 + int(c-'0')
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, false, false, nil
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				reuse = false
			case !bytes.EqualFold(value, []byte("keep-alive")):
				return 0, nil, false, false, nil
			}
		}
	}
	if length < 0 || length > maxDiscard {
		return 0, nil, false, false, nil
	}
	if _, err := br.Discard(end + 4); err != nil {
		return 0, nil, false, true, err
	}
	if n := min(length, keep); n > 0 {
		answer = make([]byte, n)
		if _, err := io.ReadFull(br, answer); err != nil {
			return 0, nil, false, true, err
		}
	}
	if _, err := br.Discard(length - len(answer)); err != nil {
		return 0, nil, false, true, err
	}
	return status, answer, reuse, true, nil
}

// token reports whether b is a non-empty HTTP token (a header field name).
func token(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return len(b) > 0
}

// fieldValue reports whether b holds no control character but tab.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// readSome appends up to n bytes of r to b, until r ends.
func readSome(b []byte, r io.Reader, n int) ([]byte, error) {
	limit := len(b) + n
	for len(b) < limit {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(max(512, cap(b)), limit-len(b)))
		}
		m, err := r.Read(b[len(b):min(cap(b), limit)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// ctxErr is err, or the context's error when the context ended it (the connection's deadline, the
// context's, may pass a moment before the context says so).
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) && errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return err
}
