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
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/streaming/sink/snstest"
	"github.com/parley-chat/parley/wire"
)

// streamTopic is the topic every chat of a --stream run is streamed to; the receiver subscribes to it.
const streamTopic = "arn:aws:sns:us-west-2:000000000000:parley-bench"

// StreamReport is what the receiver of a --stream run got.
type StreamReport struct {
	// Messages is the chat messages that reached the receiver (at least once each), Expected the acknowledged
	// messages of the run (warm-up included).
	Messages int64 `json:"messages"`
	Expected int64 `json:"expected"`
	// Notifications is every notification received (events and redeliveries included).
	Notifications int64 `json:"notifications"`
	// DrainSeconds is how long after the last acknowledged message the receiver had them all; -1: not within
	// the 60 s the run waits.
	DrainSeconds float64 `json:"drain_seconds"`
	// Requests is the HTTP requests that carried them: one per notification to a webhook, one per Publish or
	// PublishBatch to SNS (failed ones included).
	Requests int64 `json:"requests"`
	// Refused is deliveries whose signature or envelope did not check.
	Refused int64 `json:"refused"`
	// To is the receiver: "a webhook" or "SNS".
	To string `json:"to"`
	// Process says where the receiver ran: "a process of its own at the lowest CPU priority" or "the generator".
	Process string `json:"process"`
	// CPU is the receiver process's CPU over the window, in cores (a receiver in the generator is in its CPU).
	CPU float64 `json:"cpu_cores,omitempty"`
	// Error is why the receiver could not be asked what it got.
	Error string `json:"error,omitempty"`
}

// receiverStats are a receiver's counters.
type receiverStats struct {
	Messages      int64 `json:"messages"`      // chat messages received (MESSAGE items)
	Notifications int64 `json:"notifications"` // every notification received
	Requests      int64 `json:"requests"`      // HTTP requests that carried them
	Refused       int64 `json:"refused"`       // deliveries whose signature or envelope did not check
}

// streamReceiver is where a --stream run delivers: a receiver in this process, or one in a child process
// (procReceiver) that stands in for a receiver on another machine.
type streamReceiver interface {
	// config is the streaming section a server needs to deliver streamTopic to the receiver; env is what it
	// needs besides: credentials to sign SNS requests with.
	config() *sink.Config
	env() []string
	stats() (receiverStats, error)
	// pid is the receiver's process when it is not this one, else 0.
	pid() int
	to() string
	close() error
}

// receiver is a webhook subscriber of streamTopic on loopback, or a local SNS that has the topic; either checks
// every request's signature as a real receiver would (HMAC-SHA256, SigV4), and counts what it gets.
type receiver struct {
	secret   string
	ln       net.Listener
	mu       sync.Mutex
	conns    map[net.Conn]bool
	sns      *snstest.Server // the SNS receiver; nil for a webhook
	url      string
	messages atomic.Int64
	all      atomic.Int64
	requests atomic.Int64
	refused  atomic.Int64
}

func startReceiver(to string) (*receiver, error) {
	switch to {
	case "", "webhook":
	case "sns":
		rc := &receiver{sns: snstest.Start()}
		rc.sns.Keep = false
		rc.sns.SecretAccessKey = "bench" // env's: every request's signature is checked, as SNS does
		rc.sns.CreateTopic(streamTopic)
		rc.sns.OnPublish = func(p snstest.Publish) {
			rc.all.Add(1)
			if p.MessageAttributes["Type"].StringValue == "MESSAGE" {
				rc.messages.Add(1)
			}
		}
		return rc, nil
	default:
		return nil, fmt.Errorf("--stream-to %q: want webhook or sns", to)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{secret: newToken(), url: "http://" + ln.Addr().String() + "/", ln: ln}
	go rc.accept()
	return rc, nil
}

// accept serves the webhook receiver's connections. It is HTTP/1.1 in a few lines rather than net/http's
// server, whose per-request machinery (a response writer, a background reader) would cost the shared cores more
// than the check itself; each request is still parsed by net/http and checked by sink.Verify.
func (rc *receiver) accept() {
	for {
		c, err := rc.ln.Accept()
		if err != nil {
			return
		}
		rc.mu.Lock()
		if rc.conns == nil {
			rc.conns = map[net.Conn]bool{}
		}
		rc.conns[c] = true
		rc.mu.Unlock()
		go rc.serveConn(c)
	}
}

func (rc *receiver) serveConn(c net.Conn) {
	defer func() {
		c.Close()
		rc.mu.Lock()
		delete(rc.conns, c)
		rc.mu.Unlock()
	}()
	br := bufio.NewReader(c)
	var buf []byte
	for {
		d, err := readDelivery(br, buf[:0])
		if err != nil {
			return
		}
		buf = d.body
		answer := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		if rc.serve(d) != http.StatusOK {
			answer = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
		}
		if _, err := io.WriteString(c, answer); err != nil || d.close {
			return
		}
	}
}

// delivery is one request to the webhook receiver.
type delivery struct {
	body     []byte
	sig, typ string // the X-Parley-Signature and x-amz-sns-message-type values
	close    bool   // the connection ends after the answer
}

// readDelivery reads a request. The usual one (POST, HTTP/1.1, a Content-Length, its head in br's buffer) is
// parsed in place, its body read into buf; anything else goes through http.ReadRequest.
func readDelivery(br *bufio.Reader, buf []byte) (delivery, error) {
	if _, err := br.Peek(1); err != nil {
		return delivery{}, err
	}
	head, _ := br.Peek(br.Buffered())
	if end := bytes.Index(head, []byte("\r\n\r\n")); end >= 0 {
		if d, n, ok := parseDelivery(head[:end+2]); ok {
			if _, err := br.Discard(end + 4); err != nil {
				return delivery{}, err
			}
			d.body = slices.Grow(buf[:0], n)[:n]
			_, err := io.ReadFull(br, d.body)
			return d, err
		}
	}
	r, err := http.ReadRequest(br)
	if err != nil {
		return delivery{}, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, sink.MaxEnvelope+1))
	return delivery{body: body, sig: r.Header.Get(sink.SignatureHeader), typ: r.Header.Get(sink.HeaderMessageType),
		close: r.Close}, err
}

// parseDelivery reads a request's head (its lines, each with its CRLF) and the length of its body; ok false
// leaves it to http.ReadRequest.
func parseDelivery(head []byte) (d delivery, length int, ok bool) {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasPrefix(line, []byte("POST ")) || !bytes.HasSuffix(line, []byte(" HTTP/1.1")) {
		return d, 0, false
	}
	length = -1
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found || len(name) == 0 || bytes.ContainsAny(name, " \t\r\n") {
			return d, 0, false
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > sink.MaxEnvelope || length >= 0 {
				return d, 0, false
			}
			length = n
		case bytes.EqualFold(name, []byte(sink.SignatureHeader)):
			d.sig = string(value)
		case bytes.EqualFold(name, []byte(sink.HeaderMessageType)):
			d.typ = string(value)
		case bytes.EqualFold(name, []byte("Connection")):
			d.close = bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")), bytes.EqualFold(name, []byte("Expect")):
			return d, 0, false
		}
	}
	return d, length, length >= 0
}

// serve checks and counts one delivery and returns the status to answer.
func (rc *receiver) serve(d delivery) int {
	rc.requests.Add(1)
	n, err := sink.VerifyBody(d.body, d.sig, d.typ, rc.secret)
	if err != nil {
		rc.refused.Add(1)
		return http.StatusForbidden
	}
	if n.Type != sink.TypeNotification {
		return http.StatusOK // the subscription confirmation: a 2xx confirms it
	}
	rc.all.Add(1)
	if n.Attr("Type") == "MESSAGE" {
		rc.messages.Add(1)
	}
	return http.StatusOK
}

func (rc *receiver) config() *sink.Config {
	if rc.sns != nil {
		return &sink.Config{SNSEndpoint: rc.sns.URL}
	}
	return &sink.Config{Subscriptions: map[string][]sink.Subscription{streamTopic: {{URL: rc.url, Secret: rc.secret}}}}
}

func (rc *receiver) env() []string {
	if rc.sns == nil {
		return nil
	}
	return []string{"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_REGION=us-west-2"}
}

func (rc *receiver) stats() (receiverStats, error) {
	st := receiverStats{Messages: rc.messages.Load(), Notifications: rc.all.Load(), Requests: rc.requests.Load(),
		Refused: rc.refused.Load()}
	if rc.sns != nil {
		st.Requests = int64(rc.sns.Requests())
	}
	return st, nil
}

func (rc *receiver) pid() int { return 0 }

func (rc *receiver) to() string {
	if rc.sns != nil {
		return "SNS"
	}
	return "a webhook"
}

func (rc *receiver) close() error {
	if rc.sns != nil {
		rc.sns.Close()
		return nil
	}
	err := rc.ln.Close()
	rc.mu.Lock()
	for c := range rc.conns {
		c.Close()
	}
	rc.mu.Unlock()
	return err
}

// receiverHello is the first line a child receiver writes: how to reach it.
type receiverHello struct {
	Config sink.Config `json:"config"`
	Env    []string    `json:"env"`
	To     string      `json:"to"`
}

// Receiver is the child process of a --stream run (parley bench receiver): it runs the receiver of --stream-to
// to, at the lowest CPU priority, writes a receiverHello line to out, then answers each "stats" line of in with
// a receiverStats line, until in ends.
func Receiver(ctx context.Context, to string, in io.Reader, out io.Writer) error {
	lowerPriority()
	rc, err := startReceiver(to)
	if err != nil {
		return err
	}
	defer rc.close()
	enc := json.NewEncoder(out)
	if err := enc.Encode(receiverHello{Config: *rc.config(), Env: rc.env(), To: rc.to()}); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if sc.Text() != "stats" {
			return fmt.Errorf("receiver: unknown command %q", sc.Text())
		}
		st, _ := rc.stats()
		if err := enc.Encode(st); err != nil {
			return err
		}
	}
	return sc.Err()
}

// procReceiver is a child `parley bench receiver`. It stands in for a receiver on another machine: the child
// runs at the lowest CPU priority, so that on a machine where it shares the cores with the server and the
// generator it takes only what they leave, and its CPU is reported apart.
type procReceiver struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	hello receiverHello
	errb  strings.Builder
	errmu sync.Mutex
	mu    sync.Mutex // one stats exchange at a time
}

func startProcReceiver(bin, to string) (*procReceiver, error) {
	cmd := exec.Command(bin, "bench", "receiver", "--to", to)
	p := &procReceiver{cmd: cmd}
	in, out, err := startChild(cmd, &lockedWriter{w: &p.errb, mu: &p.errmu})
	if err != nil {
		return nil, err
	}
	p.in, p.out = in, bufio.NewScanner(out)
	if err := p.read(&p.hello); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// read decodes the child's next line into v.
func (p *procReceiver) read(v any) error {
	if !p.out.Scan() {
		p.errmu.Lock()
		defer p.errmu.Unlock()
		return fmt.Errorf("receiver process: %v: %s", errors.Join(p.out.Err(), io.ErrUnexpectedEOF), strings.TrimSpace(p.errb.String()))
	}
	return json.Unmarshal(p.out.Bytes(), v)
}

func (p *procReceiver) config() *sink.Config { return &p.hello.Config }
func (p *procReceiver) env() []string        { return p.hello.Env }
func (p *procReceiver) pid() int             { return p.cmd.Process.Pid }
func (p *procReceiver) to() string           { return p.hello.To }

func (p *procReceiver) stats() (receiverStats, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var st receiverStats
	if _, err := io.WriteString(p.in, "stats\n"); err != nil {
		return st, err
	}
	return st, p.read(&st)
}

func (p *procReceiver) close() error {
	p.in.Close()
	return p.cmd.Wait()
}

// wait waits up to 60 s for expected messages and reports what arrived.
func waitReceiver(ctx context.Context, rc streamReceiver, expected int64, since time.Time) *StreamReport {
	x := &StreamReport{Expected: expected, DrainSeconds: -1, To: rc.to()}
	var st receiverStats
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		var err error
		if st, err = rc.stats(); err != nil {
			x.Error = err.Error()
			break
		}
		if st.Messages >= expected {
			x.DrainSeconds = time.Since(since).Seconds()
			break
		}
		if sleepCtx(ctx, 20*time.Millisecond) != nil {
			break
		}
	}
	x.Messages, x.Notifications, x.Requests, x.Refused = st.Messages, st.Notifications, st.Requests, st.Refused
	return x
}

// streamingYAML writes a configuration file with the streaming section cfg, for a spawned server.
func streamingYAML(cfg *sink.Config) (string, error) {
	if cfg.SNSEndpoint != "" {
		return fmt.Sprintf("streaming:\n  sns_endpoint: %q\n", cfg.SNSEndpoint), nil
	}
	if len(cfg.Subscriptions) != 1 {
		return "", errors.New("bench: one subscription expected")
	}
	s := cfg.Subscriptions[streamTopic][0]
	return fmt.Sprintf("streaming:\n  subscriptions:\n    %q:\n      - url: %q\n        secret: %q\n", streamTopic, s.URL, s.Secret), nil
}

// startStreaming is StartContactStreaming of a chat to streamTopic.
func (a *api) startStreaming(ctx context.Context, instanceID, contactID string) error {
	topic, token := streamTopic, newToken()
	req := wire.StartContactStreamingRequest{InstanceID: &instanceID, ContactID: &contactID, ClientToken: &token,
		ChatStreamingConfiguration: &wire.ChatStreamingConfiguration{StreamingEndpointArn: &topic}}
	var out wire.StartContactStreamingResponse
	if err := a.do(ctx, http.MethodPost, wire.PathStartContactStreaming, nil, req, &out); err != nil {
		return err
	}
	if out.StreamingID == "" {
		return errors.New("StartContactStreaming: answer without StreamingId")
	}
	return nil
}

// startStreamReceiver starts the receiver of a --stream run where StreamReceiver says.
func (c *Config) startStreamReceiver() (streamReceiver, error) {
	where := c.StreamReceiver
	if where == "" {
		where = "inproc"
		if c.Server == "spawn" {
			where = "process"
		}
	}
	switch where {
	case "inproc":
		return startReceiver(c.StreamTo)
	case "process":
		bin := c.Binary
		if bin == "" {
			var err error
			if bin, err = os.Executable(); err != nil {
				return nil, err
			}
		}
		return startProcReceiver(bin, c.StreamTo)
	}
	return nil, fmt.Errorf("--stream-receiver %q: want process or inproc", c.StreamReceiver)
}
