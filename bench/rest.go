package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Type   string
	Body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Type, strings.TrimSpace(e.Body))
}

// api makes the setup calls (StartChatContact, CreateParticipant, CreateParticipantConnection, the agent API)
// with net/http and keep-alive connections. The Connect API calls are unsigned, which a server without access
// keys accepts on loopback (the only place the generator runs).
type api struct {
	base string // http://127.0.0.1:PORT
	hc   *http.Client
}

// newAPI returns a client of base whose connections come from local (nil: any loopback address).
func newAPI(base string, local net.IP, conns int) *api {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &api{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (a *api) close() { a.hc.CloseIdleConnections() }

// do sends in as JSON (nil: no body) and decodes a 2xx answer into out (nil: discarded).
func (a *api) do(ctx context.Context, method, path string, hdr map[string]string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{Status: resp.StatusCode, Type: resp.Header.Get("X-Amzn-Errortype"), Body: string(b)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// discover returns the first instance and its first contact flow (the default inbound flow on a fresh server).
func (a *api) discover(ctx context.Context) (instanceID, flowID string, err error) {
	var li wire.ListInstancesResponse
	if err := a.do(ctx, http.MethodGet, wire.PathListInstances, nil, nil, &li); err != nil {
		return "", "", fmt.Errorf("ListInstances: %w", err)
	}
	if len(li.InstanceSummaryList) == 0 {
		return "", "", errors.New("ListInstances: no instance")
	}
	instanceID = li.InstanceSummaryList[0].ID
	var lf wire.ListContactFlowsResponse
	if err := a.do(ctx, http.MethodGet, wire.PathListContactFlowsPrefix+instanceID+"?contactFlowTypes=CONTACT_FLOW",
		nil, nil, &lf); err != nil {
		return "", "", fmt.Errorf("ListContactFlows: %w", err)
	}
	if len(lf.ContactFlowSummaryList) == 0 {
		return "", "", errors.New("ListContactFlows: no flow")
	}
	flowID = lf.ContactFlowSummaryList[0].ID
	for _, f := range lf.ContactFlowSummaryList {
		if f.Name == parley.DefaultFlowName {
			flowID = f.ID
		}
	}
	return instanceID, flowID, nil
}

// startChat is StartChatContact through the default flow.
func (a *api) startChat(ctx context.Context, instanceID, flowID, name string) (wire.StartChatContactResponse, error) {
	token := newToken()
	req := wire.StartChatContactRequest{InstanceID: &instanceID, ContactFlowID: &flowID,
		ParticipantDetails: &wire.ParticipantDetails{DisplayName: &name}, ClientToken: &token}
	var out wire.StartChatContactResponse
	err := a.do(ctx, http.MethodPut, wire.PathStartChatContact, nil, req, &out)
	if err == nil && (out.ContactID == "" || out.ParticipantToken == "") {
		err = errors.New("StartChatContact: answer without ContactId or ParticipantToken")
	}
	return out, err
}

// createParticipant adds a CUSTOM_BOT participant (the second party of a chat before agents exist) and returns
// its ParticipantToken.
func (a *api) createParticipant(ctx context.Context, instanceID, contactID, name string) (string, error) {
	role, token := "CUSTOM_BOT", newToken()
	req := wire.CreateParticipantRequest{InstanceID: &instanceID, ContactID: &contactID, ClientToken: &token,
		ParticipantDetails: &wire.ParticipantDetailsToAdd{ParticipantRole: &role, DisplayName: &name}}
	var out wire.CreateParticipantResponse
	if err := a.do(ctx, http.MethodPost, wire.PathCreateParticipant, nil, req, &out); err != nil {
		return "", err
	}
	if out.ParticipantCredentials == nil || out.ParticipantCredentials.ParticipantToken == "" {
		return "", errors.New("CreateParticipant: answer without ParticipantToken")
	}
	return out.ParticipantCredentials.ParticipantToken, nil
}

// createConnection is CreateParticipantConnection for a WebSocket and a ConnectionToken, as ChatJS asks.
func (a *api) createConnection(ctx context.Context, participantToken string) (wsURL, connToken string, err error) {
	connect := true
	req := wire.CreateParticipantConnectionRequest{
		Type: []string{wire.ConnectionTypeWebsocket, wire.ConnectionTypeCredentials}, ConnectParticipant: &connect}
	var out wire.CreateParticipantConnectionResponse
	if err := a.do(ctx, http.MethodPost, wire.PathCreateParticipantConnection,
		map[string]string{wire.HeaderBearer: participantToken}, req, &out); err != nil {
		return "", "", err
	}
	if out.Websocket == nil || out.ConnectionCredentials == nil || out.Websocket.URL == "" ||
		out.ConnectionCredentials.ConnectionToken == "" {
		return "", "", errors.New("CreateParticipantConnection: answer without Websocket.Url or ConnectionToken")
	}
	return out.Websocket.URL, out.ConnectionCredentials.ConnectionToken, nil
}

// restConn is one keep-alive HTTP/1.1 connection for the hot path (SendMessage): the request head is built once,
// and the answer is read with a small buffered reader, so the generator spends little of the CPU it shares with
// the server. It supports what net/http servers answer: Content-Length or chunked bodies, and Connection: close.
// A restConn is used by one goroutine at a time.
type restConn struct {
	addr  string // host:port
	local net.IP
	nc    net.Conn
	br    *bufio.Reader
	head  []byte // request line and headers up to "Content-Length: "
	buf   []byte // the request being written
	body  []byte // the last answer's body
}

// newRestConn prepares POSTs to path on addr with the given extra headers (name → value).
func newRestConn(addr string, local net.IP, path string, hdr [][2]string) *restConn {
	var h bytes.Buffer
	fmt.Fprintf(&h, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", path, addr)
	for _, kv := range hdr {
		fmt.Fprintf(&h, "%s: %s\r\n", kv[0], kv[1])
	}
	h.WriteString("Content-Length: ")
	return &restConn{addr: addr, local: local, head: h.Bytes()}
}

func (c *restConn) dial() error {
	d := net.Dialer{Timeout: 10 * time.Second}
	if c.local != nil {
		d.LocalAddr = &net.TCPAddr{IP: c.local}
	}
	nc, err := d.Dial("tcp", c.addr)
	if err != nil {
		return err
	}
	c.nc = nc
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 4096)
	} else {
		c.br.Reset(nc)
	}
	return nil
}

func (c *restConn) close() {
	if c.nc != nil {
		_ = c.nc.Close()
		c.nc = nil
	}
}

// post sends body and returns the status and the answer's body (valid until the next call). A request on a
// reused connection that fails before any answer arrives is retried once on a new connection: the server closed
// an idle connection (callers send a ClientToken, so a retry is idempotent).
func (c *restConn) post(body []byte, timeout time.Duration) (int, []byte, error) {
	c.buf = append(c.buf[:0], c.head...)
	c.buf = strconv.AppendInt(c.buf, int64(len(body)), 10)
	c.buf = append(c.buf, "\r\n\r\n"...)
	c.buf = append(c.buf, body...)
	for attempt := 0; ; attempt++ {
		reused := c.nc != nil
		if !reused {
			if err := c.dial(); err != nil {
				return 0, nil, err
			}
		}
		_ = c.nc.SetDeadline(time.Now().Add(timeout))
		status, closeAfter, err := c.exchange()
		if err == nil {
			if closeAfter {
				c.close()
			}
			return status, c.body, nil
		}
		c.close()
		if !reused || attempt > 0 || !errors.Is(err, errNoAnswer) {
			return 0, nil, err
		}
	}
}

// errNoAnswer: the connection ended before the first byte of an answer.
var errNoAnswer = errors.New("connection closed before an answer")

func (c *restConn) exchange() (status int, closeAfter bool, err error) {
	if _, err := c.nc.Write(c.buf); err != nil {
		return 0, false, errNoAnswer
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && (errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)) {
			return 0, false, errNoAnswer
		}
		return 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked := -1, false
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		k, v, _ := bytes.Cut(h, []byte(":"))
		v = bytes.TrimSpace(v)
		switch {
		case asciiEqualFold(k, "content-length"):
			length, err = strconv.Atoi(string(v))
			if err != nil {
				return 0, false, fmt.Errorf("bad Content-Length %q", v)
			}
		case asciiEqualFold(k, "transfer-encoding"):
			chunked = asciiEqualFold(v, "chunked")
		case asciiEqualFold(k, "connection"):
			closeAfter = asciiEqualFold(v, "close")
		}
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		for {
			sz, err := c.br.ReadSlice('\n')
			if err != nil {
				return 0, false, err
			}
			sz, _, _ = bytes.Cut(bytes.TrimRight(sz, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(sz), 16, 32)
			if err != nil {
				return 0, false, fmt.Errorf("bad chunk size %q", sz)
			}
			if n == 0 {
				for { // trailers, then the final CRLF
					t, err := c.br.ReadSlice('\n')
					if err != nil {
						return 0, false, err
					}
					if len(bytes.TrimRight(t, "\r\n")) == 0 {
						break
					}
				}
				break
			}
			if c.body, err = readN(c.br, c.body, int(n)); err != nil {
				return 0, false, err
			}
			if _, err := c.br.Discard(2); err != nil {
				return 0, false, err
			}
		}
	case length >= 0:
		if c.body, err = readN(c.br, c.body, length); err != nil {
			return 0, false, err
		}
	default:
		return 0, false, errors.New("answer without Content-Length")
	}
	return status, closeAfter, nil
}

func readN(r io.Reader, buf []byte, n int) ([]byte, error) {
	start := len(buf)
	if cap(buf)-start < n {
		nb := make([]byte, start, start+n)
		copy(nb, buf)
		buf = nb
	}
	buf = buf[:start+n]
	_, err := io.ReadFull(r, buf[start:])
	return buf, err
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hostPortAny returns host:port of an http:// or ws:// URL (the generator speaks neither TLS nor anything else).
func hostPortAny(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "ws") || u.Host == "" {
		return "", fmt.Errorf("%q: want an http:// or ws:// URL of a loopback address", raw)
	}
	if u.Port() == "" {
		return u.Host + ":80", nil
	}
	return u.Host, nil
}
