// Package httpapi holds what the restJson1 APIs (Participant Service, Connect Service, agent API) share on the
// HTTP side: the one table from parley error codes to each API's AWS error types and statuses, the one function
// that writes errors, JSON request decoding with size and content-type checks, path labels, request ids, CORS
// and panic recovery.
//
// Everything here is stateless and safe for concurrent use.
package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley"
)

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own response types reach here; failing to encode one is a bug.
		b = []byte(`{"__type":"InternalServerException","message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// DecodeJSON reads a JSON object request body of at most limit bytes into v. An empty body decodes as {}.
// Unknown members are ignored, as restJson1 requires. It returns an EINVALID *parley.Error for a body that is
// too large, not JSON, not an object, not UTF-8, or sent with a content type that cannot carry JSON.
func DecodeJSON(r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !jsonContentType(ct) {
		return parley.Errorf(parley.EINVALID, "unsupported Content-Type %q: send application/json", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return parley.Errorf(parley.EINVALID, "could not read the request body")
	}
	if int64(len(body)) > limit {
		return parley.Errorf(parley.EINVALID, "request body is larger than %d bytes", limit)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		return parley.Errorf(parley.EINVALID, "request body is not valid UTF-8")
	}
	if body[0] != '{' {
		return parley.Errorf(parley.EINVALID, "request body must be a JSON object")
	}
	err = json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return parley.Invalid(te.Field, "%s has the wrong type: expected %s", te.Field, te.Type.String())
	case json.NewDecoder(bytes.NewReader(body)).Decode(new(json.RawMessage)) == nil:
		// The body starts with a whole JSON value, so what Unmarshal refused is what follows it.
		return parley.Errorf(parley.EINVALID, "request body has data after the JSON object")
	}
	return parley.Errorf(parley.EINVALID, "request body is not valid JSON")
}

// jsonContentType reports whether a Content-Type can carry a JSON body. The SDKs send application/json; some
// tools send application/x-amz-json-1.1 or text/plain. Form encodings are refused.
func jsonContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case mt == "application/json", mt == "text/plain", mt == "binary/octet-stream",
		mt == "application/octet-stream":
		return true
	case strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
		return true
	case strings.HasPrefix(mt, "application/x-amz-json"):
		return true
	}
	return false
}

// PathLabels splits the escaped path after prefix into its unescaped segments. The SDKs percent-encode labels
// (an instance ARN's "/" arrives as %2F), so splitting must happen before unescaping.
func PathLabels(r *http.Request, prefix string) ([]string, bool) {
	p := r.URL.EscapedPath()
	if !strings.HasPrefix(p, prefix) {
		return nil, false
	}
	rest := strings.Trim(strings.TrimPrefix(p, prefix), "/")
	if rest == "" {
		return nil, true
	}
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

type ctxKey int

const requestIDKey ctxKey = 0

// ClientIP is the request's remote address without its port: the client, or the proxy in front of parley (whose
// limits then apply to all its clients together).
func ClientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// RequestID returns the request id that Middleware put in ctx.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Observer hears of every request an API answered: its API, operation ("" when no operation matched), HTTP
// status and duration (package metrics). It must not block.
type Observer interface {
	Request(api API, operation string, status int, d time.Duration)
}

type observerKey struct{}

// WithObserver returns a handler whose requests carry o, which Middleware tells of each request.
func WithObserver(next http.Handler, o Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), observerKey{}, o)))
	})
}

// request is what Middleware learns about a request while it is served.
type request struct {
	operation string
}

type requestKey struct{}

// SetOperation names the operation a request is (for the metrics and the request log).
func SetOperation(ctx context.Context, name string) {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		rq.operation = name
	}
}

// statusWriter remembers the status a handler answered. It unwraps, so http.ResponseController (deadlines, a
// WebSocket's hijack) reaches the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands over the connection (a WebSocket upgrade); 101 is what the request answered.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.status = http.StatusSwitchingProtocols
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Middleware gives every request an id (x-amzn-RequestId), a Date header, CORS headers for browsers, answers
// CORS preflights, and turns panics into a 500 in api's error format. Once answered, a request is logged at
// debug level (operation, status, duration, request id; never tokens or contents) and told to the request's
// Observer, if any.
func Middleware(log *slog.Logger, api API, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		h := w.Header()
		h.Set("X-Amzn-Requestid", id)
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		if corsHeaders(w, r) {
			return
		}
		start := time.Now()
		rq := &request{}
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), requestKey{}, rq)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			d := time.Since(start)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			if rq.operation == "" {
				rq.operation = r.Pattern // the agent API names its operations by their routes
			}
			if o, ok := ctx.Value(observerKey{}).(Observer); ok {
				o.Request(api, rq.operation, sw.status, d)
			}
			if log.Enabled(ctx, slog.LevelDebug) {
				log.DebugContext(ctx, "request", "api", api.String(), "operation", rq.operation, "method", r.Method,
					"status", sw.status, "duration_ms", float64(d.Microseconds())/1000, "request_id", id)
			}
		}()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "panic in handler", "path", r.URL.Path, "panic", v, "request_id", id)
				WriteError(sw, r, log, api, parley.Internal(errors.New("panic")))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// corsHeaders sets the CORS headers browsers need to call the APIs from a customer's page (ChatJS runs there).
// It answers preflight requests itself and then reports true.
func corsHeaders(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "authorization,content-type,x-amz-bearer,x-amz-content-sha256,"+
			"x-amz-date,x-amz-user-agent,x-amz-security-token,amz-sdk-invocation-id,amz-sdk-request")
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
