package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parley-chat/parley/flow"
)

// Limits, as Connect has them.
const (
	// MaxResponse is the largest answer a function may give: Connect's 32 KB limit on a Lambda response.
	MaxResponse = 32 << 10
	// MaxTimeout is the longest Connect waits for a synchronous function; an invocation without a timeout
	// gets it.
	MaxTimeout = 8 * time.Second
	// DefaultMaxAsync bounds the asynchronous invocations in flight when Invoker.MaxAsync is zero.
	DefaultMaxAsync = 64
)

// Errors of Invoke. Every error of Invoke makes the flow take the action's error branch.
var (
	// ErrNotConfigured: the function ARN is not mapped to an endpoint.
	ErrNotConfigured = errors.New("functions: the function is not configured")
	// ErrBusy: MaxAsync asynchronous invocations are in flight.
	ErrBusy = errors.New("functions: too many asynchronous invocations in flight")
	// ErrClosed: Close was called.
	ErrClosed = errors.New("functions: the invoker is closed")
)

// Invoker calls functions over HTTP. Set its fields before the first call; the zero value (with URLs) works.
type Invoker struct {
	// URLs maps a Lambda function ARN to the http(s) URL that plays it (see Validate).
	URLs map[string]string
	// Client makes the requests. Default: a client that does not follow redirects (a redirected POST would
	// lose its body); the invocation's timeout bounds every request through its context.
	Client *http.Client
	// MaxAsync bounds the asynchronous invocations in flight. Default DefaultMaxAsync.
	MaxAsync int
	// Log, when set, receives the failures of asynchronous invocations, which no flow sees.
	Log *slog.Logger

	once   sync.Once
	slots  chan struct{}
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// Configured reports whether arn is mapped to an endpoint.
func (iv *Invoker) Configured(arn string) bool {
	_, ok := iv.URLs[arn]
	return ok
}

// Invoke calls the function inv names with the event Connect sends for contact c and returns its answer, as
// flow.Env.Invoke does: for ResponseType "JSON" any JSON object (numbers as json.Number), otherwise (STRING_MAP,
// the default) a flat object whose strings, numbers, booleans and nulls become strings. It returns an error,
// and the flow takes its error branch, when the ARN is not configured (ErrNotConfigured), the request fails or
// outlives inv.Timeout (MaxTimeout when zero), the status is not 2xx, the answer carries an
// X-Amz-Function-Error header (a Lambda-compatible endpoint reporting the handler's error), is over MaxResponse
// bytes, is not one JSON object, or has a nested value where a STRING_MAP is due.
//
// With inv.Async it sends the request on a goroutine of its own and returns nil, nil at once; it returns
// ErrBusy when MaxAsync invocations are in flight and ErrClosed after Close.
func (iv *Invoker) Invoke(ctx context.Context, inv flow.Invocation, c flow.Contact) (map[string]any, error) {
	url, ok := iv.URLs[inv.FunctionARN]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotConfigured, inv.FunctionARN)
	}
	body, err := json.Marshal(NewEvent(inv.Parameters, c))
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", inv.FunctionARN, err)
	}
	timeout := inv.Timeout
	if timeout <= 0 {
		timeout = MaxTimeout
	}
	if inv.Async {
		return nil, iv.fire(ctx, inv.FunctionARN, url, body, timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := iv.post(ctx, url, body)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("function %s: no answer within %s", inv.FunctionARN, timeout)
		}
		return nil, fmt.Errorf("function %s: %w", inv.FunctionARN, err)
	}
	answer, err := Decode(raw, inv.ResponseType)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", inv.FunctionARN, err)
	}
	return answer, nil
}

// fire starts an asynchronous invocation. Its goroutine is counted in wg, so Close waits for it; the request
// is bounded by its timeout and detached from ctx (the flow's step ends long before), keeping only its values.
func (iv *Invoker) fire(ctx context.Context, arn, url string, body []byte, timeout time.Duration) error {
	iv.once.Do(func() {
		n := iv.MaxAsync
		if n <= 0 {
			n = DefaultMaxAsync
		}
		iv.slots = make(chan struct{}, n)
	})
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if iv.closed {
		return ErrClosed
	}
	select {
	case iv.slots <- struct{}{}:
	default:
		return ErrBusy
	}
	iv.wg.Add(1)
	go func() {
		defer iv.wg.Done()
		defer func() { <-iv.slots }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if _, err := iv.post(ctx, url, body); err != nil && iv.Log != nil {
			iv.Log.Warn("asynchronous function failed", "function", arn, "err", err)
		}
	}()
	return nil
}

// Close refuses new asynchronous invocations and waits for those in flight (each bounded by its timeout).
func (iv *Invoker) Close() error {
	iv.mu.Lock()
	iv.closed = true
	iv.mu.Unlock()
	iv.wg.Wait()
	return nil
}

// post sends the event and returns the answer's body.
func (iv *Invoker) post(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := iv.Client
	if client == nil {
		client = noRedirects
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("the endpoint answered %s", resp.Status)
	case resp.Header.Get("X-Amz-Function-Error") != "":
		return nil, fmt.Errorf("the function failed (%s)", resp.Header.Get("X-Amz-Function-Error"))
	case len(raw) > MaxResponse:
		return nil, fmt.Errorf("the answer is over %d bytes", MaxResponse)
	}
	return raw, nil
}

// Decode reads a function's answer: one JSON object. For responseType "JSON" values are kept as they are
// (numbers as json.Number); otherwise (STRING_MAP) every value must be a string, a number, a boolean or null,
// and becomes a string (null: "").
func Decode(raw []byte, responseType string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var answer map[string]any
	if err := dec.Decode(&answer); err != nil || answer == nil {
		return nil, errors.New("the answer is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the answer is not a single JSON object")
	}
	if responseType == "JSON" {
		return answer, nil
	}
	for k, v := range answer {
		switch v := v.(type) {
		case string:
		case json.Number:
			answer[k] = v.String()
		case bool:
			answer[k] = fmt.Sprint(v)
		case nil:
			answer[k] = ""
		default:
			return nil, fmt.Errorf("the answer's %q is not a string, number or boolean (STRING_MAP wants a flat object)", k)
		}
	}
	return answer, nil
}
