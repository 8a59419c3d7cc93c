package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/parley-chat/parley/throttle"
)

// Connection caps. A process has a fixed number of descriptors (20,000 on a typical host), and every open
// connection holds one, so the listener counts them: past limits.connections.max overall, or per_ip from one
// client address, a new connection is still accepted but served only as an overflow connection: it may ask
// /healthz, and anything else is answered 503 with Retry-After and closed. Connections already open, the
// subscribed WebSockets among them, are never touched to make room. Beyond overflowMax overflow connections at
// once, new ones are closed unanswered: a flood can then cost only those descriptors.

const (
	overflowMax     = 64
	overflowTimeout = 2 * time.Second
	// maxHeaderBytes bounds a request's header block. Go's own refusal is a plain-text 431; the listener's
	// connections rewrite it into an AWS-shaped answer (headerTooLarge).
	maxHeaderBytes = 64 << 10
	// reservedFiles are the descriptors kept for what is not a counted client connection: the overflow
	// connections, the databases, attachment files, outbound HTTP, the logs.
	reservedFiles = 256
)

// defaultMaxConns is the descriptor limit (Go raises the soft limit to the hard one at start) less the reserve.
func defaultMaxConns() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 {
		return 10000
	}
	return max(int(min(lim.Cur, 1<<24))-reservedFiles, 100)
}

// defaultPerIP is the default per-address cap: offices and mobile carriers put many customers behind one
// address, so it is high; it still keeps one address from taking every descriptor.
const defaultPerIP = 5000

// capListener counts the connections it accepted that are still open.
type capListener struct {
	net.Listener
	max, perIP int // <= 0: no cap

	mu       sync.Mutex
	open     int
	byIP     map[string]int
	overflow int
}

func newCapListener(ln net.Listener, c throttle.Connections) *capListener {
	l := &capListener{Listener: ln, max: c.Max, perIP: c.PerIP, byIP: map[string]int{}}
	if l.max == 0 {
		l.max = defaultMaxConns()
	}
	if l.perIP == 0 {
		l.perIP = defaultPerIP
	}
	return l
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(nc.RemoteAddr())
		l.mu.Lock()
		over := (l.max > 0 && l.open >= l.max) || (l.perIP > 0 && l.byIP[ip] >= l.perIP)
		if over && l.overflow >= overflowMax {
			l.mu.Unlock()
			_ = nc.Close()
			continue
		}
		l.open++
		l.byIP[ip]++
		if over {
			l.overflow++
		}
		l.mu.Unlock()
		c := &capConn{Conn: nc, l: l, ip: ip, over: over}
		if over {
			_ = nc.SetDeadline(time.Now().Add(overflowTimeout))
		}
		return c, nil
	}
}

// Open returns the number of open connections the listener accepted.
func (l *capListener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

func (l *capListener) release(c *capConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byIP[c.ip]--; l.byIP[c.ip] <= 0 {
		delete(l.byIP, c.ip)
	}
	if c.over {
		l.overflow--
	}
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// capConn is a counted connection. It is what the HTTP server, and after a WebSocket upgrade the gateway,
// reads and writes.
type capConn struct {
	net.Conn
	l    *capListener
	ip   string
	over bool
	once sync.Once
}

func (c *capConn) Close() error {
	c.once.Do(func() { c.l.release(c) })
	return c.Conn.Close()
}

// goHeaderTooLarge is what net/http writes, in one piece, when a request's header block passes MaxHeaderBytes.
var goHeaderTooLarge = []byte("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Connection: close\r\n\r\n431 Request Header Fields Too Large")

// headerTooLarge is parley's answer instead: the JSON error shape of the AWS APIs.
var headerTooLarge = []byte(func() string {
	body := `{"__type":"RequestHeaderFieldsTooLarge","message":"the request's headers are larger than 64 KiB"}`
	return "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n" +
		"X-Amzn-Errortype: RequestHeaderFieldsTooLarge\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}())

func (c *capConn) Write(p []byte) (int, error) {
	if len(p) == len(goHeaderTooLarge) && bytes.Equal(p, goHeaderTooLarge) {
		if _, err := c.Conn.Write(headerTooLarge); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

type overflowKey struct{}

// connContext marks the requests of overflow connections (http.Server.ConnContext).
func connContext(ctx context.Context, nc net.Conn) context.Context {
	if c, ok := nc.(*capConn); ok && c.over {
		return context.WithValue(ctx, overflowKey{}, true)
	}
	return ctx
}

// overflowGuard answers the requests of overflow connections: /healthz is served, anything else gets 503.
func overflowGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(overflowKey{}) == nil {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Connection", "close") // an overflow connection serves one request
		if r.Method == http.MethodGet && r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Amzn-Errortype", "ServiceUnavailableException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"__type":"ServiceUnavailableException","message":"the server has its maximum of ` +
			`open connections (limits.connections): retry shortly"}`))
	})
}
