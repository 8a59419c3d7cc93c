package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// userAgent is sent with every request.
const userAgent = "parley-go-client/1"

// maxResponse bounds the size of a response body the client reads (a transcript page of 100 items of 16 KB
// each fits with room to spare).
const maxResponse = 8 << 20

// Credentials are AWS credentials for signing Amazon Connect Service requests (StartChatContact,
// CreateParticipant) with Signature Version 4. The zero value sends unsigned requests, which parley accepts on
// a loopback listener without configured access keys.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary credentials (X-Amz-Security-Token).
	SessionToken string
}

// transport calls one service's restJson1 operations: JSON in, JSON out, AWS errors decoded into *APIError, and
// transient failures (network errors, 5xx, throttling) retried with backoff. Participant Service operations are
// idempotent (ClientTokens) or reads, so retrying them is safe; the receipts' constant ClientTokens make a
// retried receipt count twice at worst, which is harmless.
type transport struct {
	endpoint string // base URL without a trailing slash; may carry a path prefix
	hc       *http.Client
	log      *slog.Logger
	retries  int           // extra attempts after the first
	backoff  time.Duration // first retry delay; doubles per attempt
	// sign, when set, signs each attempt (SigV4 for the Connect Service).
	sign func(r *http.Request, body []byte) error
}

// request is one call.
type request struct {
	op     string // operation name for errors and logs
	method string
	path   string // escaped path, appended to the endpoint
	query  url.Values
	bearer string // X-Amz-Bearer
	auth   string // Authorization: Bearer (parley's agent API)
	in     any    // JSON body; nil for none
}

// call performs r, retrying transient failures, and decodes the answer into out (which may be nil).
func (t *transport) call(ctx context.Context, r request, out any) error {
	var body []byte
	if r.in != nil {
		var err error
		if body, err = json.Marshal(r.in); err != nil {
			return fmt.Errorf("%s: encode request: %w", r.op, err)
		}
	}
	delay := t.backoff
	for attempt := 0; ; attempt++ {
		err := t.once(ctx, r, body, out)
		if err == nil || attempt >= t.retries || !retryable(ctx, err) {
			return err
		}
		d := jitter(delay)
		t.log.Debug("client: retrying", "op", r.op, "attempt", attempt+1, "delay", d, "err", err)
		if err := sleep(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", r.op, err)
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

const (
	// maxRetryDelay caps the delay between two attempts of one request.
	maxRetryDelay = 2 * time.Second
	// requestTimeout bounds one attempt, so that a service that accepts a request and never answers cannot
	// hold a reconnect or a refresh forever.
	requestTimeout = 30 * time.Second
)

func (t *transport) once(ctx context.Context, r request, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	u := t.endpoint + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)
	if r.bearer != "" {
		req.Header.Set("X-Amz-Bearer", r.bearer)
	}
	if r.auth != "" {
		req.Header.Set("Authorization", "Bearer "+r.auth)
	}
	if t.sign != nil {
		if err := t.sign(req, body); err != nil {
			return fmt.Errorf("%s: sign: %w", r.op, err)
		}
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", r.op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return decodeError(r.op, resp, b)
	}
	if out == nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", r.op, err)
	}
	return nil
}

// decodeError reads an AWS error answer the way the AWS SDKs do: the code from the x-amzn-ErrorType header,
// else the body's "code", else its "__type"; the part before ':' and after '#'.
func decodeError(op string, resp *http.Response, b []byte) *APIError {
	e := &APIError{Operation: op, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Amzn-Requestid")}
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	field := func(names ...string) string {
		for k, v := range body {
			for _, n := range names {
				if s, ok := v.(string); ok && strings.EqualFold(k, n) {
					return s
				}
			}
		}
		return ""
	}
	code := resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = field("code")
	}
	if code == "" {
		code = field("__type")
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = codeUnknown
	}
	e.Code = strings.TrimSpace(code)
	e.Message = field("message")
	if e.Message == "" && body == nil && len(b) > 0 {
		e.Message = strings.TrimSpace(string(b[:min(len(b), 200)]))
	}
	return e
}

// retryable reports whether a failed call may succeed if repeated: network trouble (not the caller's
// cancellation), a server error, or throttling.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || IsThrottling(ae)
	}
	return transientNetwork(err)
}

// transientNetwork reports whether err is a failure to reach the service or to get its answer. Every error of
// http.Client.Do is one (*url.Error); a permanent one (a wrong URL, a refused certificate) is then retried like a
// server that is down, which costs only time: the session's reconnect loop backs off to MaxBackoff.
func transientNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jitter returns a random duration in [d/2, d]: exponential backoff with "equal jitter", so that clients cut off
// together do not come back together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// newClientToken returns a random UUID (version 4), the form the AWS SDKs use for idempotency tokens.
func newClientToken() string {
	var b [16]byte
	_, _ = cryptoRead(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// cryptoRead is crypto/rand.Read (which never fails since Go 1.24).
var cryptoRead = crand.Read
