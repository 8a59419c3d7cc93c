package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/smithy-go"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
)

const (
	keyID    = "AKIDPARLEYTEST"
	secret   = "s3cr3t-s3cr3t-s3cr3t"
	region   = "us-west-2"
	arnLabel = "arn%3Aaws%3Aconnect%3Aus-west-2%3A123456789012%3Ainstance%2Fabc-123"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var now = time.Date(2025, 11, 21, 10, 30, 0, 0, time.UTC)

func newVerifier(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = fixedClock{now}
	}
	v, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func keyed(t *testing.T) *Verifier {
	return newVerifier(t, Config{Keys: map[string]string{keyID: secret}})
}

// signReq is a request as a client builds it before sending.
type signReq struct {
	method, target string
	body           string
	creds          aws.Credentials
	service        string
	region         string
	at             time.Time
	payloadHash    string              // default: SHA-256 of body
	before         func(*http.Request) // runs before signing
	after          func(*http.Request) // runs after signing (tampering)
}

// serverRequest signs a client request with the SDK's signer, writes it to the wire and parses it back the way
// Go's server does, so Host and Content-Length move out of the header map and the raw path is kept.
func serverRequest(t *testing.T, s signReq) *http.Request {
	t.Helper()
	if s.method == "" {
		s.method = http.MethodPost
	}
	if s.creds.AccessKeyID == "" && s.creds.SecretAccessKey == "" {
		s.creds = aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	}
	if s.service == "" {
		s.service = "connect"
	}
	if s.region == "" {
		s.region = region
	}
	if s.at.IsZero() {
		s.at = now
	}
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	req, err := http.NewRequest(s.method, "http://connect.example:8080"+s.target, body)
	if err != nil {
		t.Fatal(err)
	}
	if s.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Amz-Sdk-Invocation-Id", "0f1e2d3c-aaaa-bbbb-cccc-000000000000")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.0 test")
	if s.before != nil {
		s.before(req)
	}
	if s.payloadHash == "" {
		sum := sha256.Sum256([]byte(s.body))
		s.payloadHash = hex.EncodeToString(sum[:])
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, req, s.payloadHash, s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	if s.after != nil {
		s.after(req)
	}
	var wireBytes bytes.Buffer
	if err := req.Write(&wireBytes); err != nil {
		t.Fatal(err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wireBytes))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wantCode(t *testing.T, err error, code parley.Code, msgPart string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify succeeded, want %s", code)
	}
	var e *parley.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *parley.Error", err)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if !strings.Contains(e.Message, msgPart) {
		t.Errorf("message %q does not contain %q", e.Message, msgPart)
	}
}

func TestVerifyAcceptsRightSecret(t *testing.T) {
	body := `{"InstanceId":"i","ContactId":"c"}`
	r := serverRequest(t, signReq{target: "/contact/stop", body: body})
	if _, ok := r.Header["Host"]; ok {
		t.Fatal("test setup: Host should have moved out of the header map")
	}
	id, err := keyed(t).Verify(r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !id.Verified || id.AccessKeyID != keyID || id.Region != region {
		t.Errorf("identity = %+v", id)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != body {
		t.Errorf("body after Verify = %q, want %q", got, body)
	}
}

func TestVerifyFailures(t *testing.T) {
	body := `{"InstanceId":"i","ContactId":"c"}`
	tests := []struct {
		name    string
		req     signReq
		code    parley.Code
		msgPart string
	}{
		{"wrong secret", signReq{creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "wrong"}},
			ESignature, "does not match"},
		{"unknown key", signReq{creds: aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: secret}},
			EUnrecognized, "security token"},
		{"empty key", signReq{creds: aws.Credentials{AccessKeyID: "", SecretAccessKey: "x"}},
			EUnrecognized, "security token"},
		{"expired", signReq{at: now.Add(-16 * time.Minute)}, parley.EACCESS, "Signature expired"},
		{"from the future", signReq{at: now.Add(16 * time.Minute)}, parley.EACCESS, "not yet current"},
		{"tampered body", signReq{after: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"InstanceId":"i","ContactId":"x"}`))
		}}, ESignature, "does not match"},
		{"tampered signed header", signReq{after: func(r *http.Request) {
			r.Header.Set("Amz-Sdk-Invocation-Id", "another")
		}}, ESignature, "does not match"},
		{"tampered path", signReq{after: func(r *http.Request) {
			r.URL.Path = "/contact/chat"
		}}, ESignature, "does not match"},
		{"tampered query", signReq{after: func(r *http.Request) {
			r.URL.RawQuery = "maxResults=5"
		}}, ESignature, "does not match"},
		{"tampered host", signReq{after: func(r *http.Request) {
			r.Host = "evil.example"
		}}, ESignature, "does not match"},
		{"wrong service", signReq{service: "execute-api"}, ESignature, "correct service: 'connect'"},
		{"no auth header", signReq{after: func(r *http.Request) {
			r.Header.Del("Authorization")
		}}, EMissing, "Missing Authentication Token"},
		{"no x-amz-date", signReq{after: func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
		}}, EIncomplete, "X-Amz-Date"},
		{"x-amz-date changed", signReq{after: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", now.Add(time.Minute).Format(amzDateLayout))
		}}, ESignature, "does not match"},
		{"scope date differs", signReq{after: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", now.Add(-14*time.Minute).Format(amzDateLayout))
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(a, "/20251121/", "/20251120/", 1))
		}}, ESignature, "Date in Credential scope"},
		{"malformed auth header", signReq{after: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}}, EIncomplete, "SignedHeaders"},
		{"other algorithm", signReq{after: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer abc")
		}}, EIncomplete, "only AWS4-HMAC-SHA256"},
		{"content sha256 mismatch", signReq{
			before: func(r *http.Request) {
				sum := sha256.Sum256([]byte("something else"))
				r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
			},
			payloadHash: func() string { s := sha256.Sum256([]byte("something else")); return hex.EncodeToString(s[:]) }(),
		}, ESignature, "x-amz-content-sha256"},
		{"streaming payload", signReq{
			before:      func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") },
			payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		}, EIncomplete, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.target = "/contact/stop"
			tt.req.body = body
			_, err := keyed(t).Verify(serverRequest(t, tt.req))
			wantCode(t, err, tt.code, tt.msgPart)
		})
	}
}

func TestVerifyRegion(t *testing.T) {
	v := newVerifier(t, Config{Keys: map[string]string{keyID: secret}, Region: "eu-west-2"})
	_, err := v.Verify(serverRequest(t, signReq{target: "/contact/stop", body: "{}"}))
	wantCode(t, err, ESignature, "valid region")
	if _, err := v.Verify(serverRequest(t, signReq{target: "/contact/stop", body: "{}", region: "eu-west-2"})); err != nil {
		t.Fatalf("Verify in the configured region: %v", err)
	}
}

func TestVerifyPathWithARNLabel(t *testing.T) {
	target := "/contacts/" + arnLabel + "/contact%20one"
	r := serverRequest(t, signReq{method: http.MethodGet, target: target})
	if r.URL.EscapedPath() != target {
		t.Fatalf("test setup: escaped path = %q", r.URL.EscapedPath())
	}
	if _, err := keyed(t).Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// The same path with the label's slash unescaped is a different request.
	r = serverRequest(t, signReq{method: http.MethodGet, target: target, after: func(r *http.Request) {
		r.URL.RawPath = strings.Replace(r.URL.RawPath, "%2F", "/", 1)
	}})
	_, err := keyed(t).Verify(r)
	wantCode(t, err, ESignature, "does not match")
}

func TestVerifyUnsignedPayload(t *testing.T) {
	r := serverRequest(t, signReq{
		target:      "/contact/stop",
		body:        `{"a":1}`,
		payloadHash: unsignedPayload,
		before:      func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", unsignedPayload) },
		after: func(r *http.Request) {
			// The body is not covered by the signature, so changing it (same length) is allowed.
			r.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
		},
	})
	if _, err := keyed(t).Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, _ := io.ReadAll(r.Body)
	if string(got) != `{"a":2}` {
		t.Errorf("body = %q", got)
	}
}

func TestVerifySignedContentSHA256(t *testing.T) {
	body := `{"a":1}`
	sum := sha256.Sum256([]byte(body))
	h := hex.EncodeToString(sum[:])
	r := serverRequest(t, signReq{target: "/contact/stop", body: body,
		before: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", h) }})
	if _, err := keyed(t).Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifySecurityTokenPassesThrough(t *testing.T) {
	r := serverRequest(t, signReq{target: "/contact/stop", body: "{}",
		creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: "session-token"}})
	if r.Header.Get("X-Amz-Security-Token") == "" {
		t.Fatal("test setup: no X-Amz-Security-Token")
	}
	if _, err := keyed(t).Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyUnsignedHeaderMayChange(t *testing.T) {
	r := serverRequest(t, signReq{target: "/contact/stop", body: "{}", after: func(r *http.Request) {
		r.Header.Set("User-Agent", "changed by a proxy")
		r.Header.Set("X-Forwarded-For", "10.0.0.1")
	}})
	if _, err := keyed(t).Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyBodyTooLarge(t *testing.T) {
	v := newVerifier(t, Config{Keys: map[string]string{keyID: secret}, MaxBody: 8})
	_, err := v.Verify(serverRequest(t, signReq{target: "/contact/stop", body: `{"a":"0123456789"}`}))
	wantCode(t, err, parley.EINVALID, "larger than 8 bytes")
}

func TestDevMode(t *testing.T) {
	v := newVerifier(t, Config{})
	if !v.DevMode() {
		t.Fatal("DevMode() = false with no keys")
	}
	if keyed(t).DevMode() {
		t.Fatal("DevMode() = true with keys")
	}
	// Unsigned.
	r := httptest.NewRequest(http.MethodPost, "/contact/stop", strings.NewReader("{}"))
	if _, err := v.Verify(r); err != nil {
		t.Errorf("unsigned: %v", err)
	}
	// Any credentials, even empty ones and a stale date.
	r = serverRequest(t, signReq{target: "/contact/stop", body: "{}", at: now.Add(-48 * time.Hour),
		creds: aws.Credentials{AccessKeyID: "", SecretAccessKey: ""}})
	if _, err := v.Verify(r); err != nil {
		t.Errorf("empty credentials: %v", err)
	}
	r = serverRequest(t, signReq{target: "/contact/stop", body: "{}",
		creds: aws.Credentials{AccessKeyID: "anything", SecretAccessKey: "whatever"}})
	id, err := v.Verify(r)
	if err != nil || id.AccessKeyID != "anything" || id.Verified {
		t.Errorf("any credentials: identity %+v, err %v", id, err)
	}
	// But not a malformed header.
	r = httptest.NewRequest(http.MethodPost, "/contact/stop", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage")
	_, err = v.Verify(r)
	wantCode(t, err, EIncomplete, "")
}

func TestDevModeWarnsOnce(t *testing.T) {
	var buf syncBuffer
	v, err := New(Config{}, slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := v.Verify(httptest.NewRequest(http.MethodGet, "/instance", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "SigV4 verification is off"); n != 1 {
		t.Errorf("warning logged %d times, want 1:\n%s", n, buf.String())
	}
}

func TestNewRejectsEmptyKeys(t *testing.T) {
	for _, keys := range []map[string]string{{"": "s"}, {"id": ""}} {
		if _, err := New(Config{Keys: keys}, nil); err == nil {
			t.Errorf("New(%v) succeeded", keys)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	good := "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=" + sig
	a, err := ParseAuthorization(good)
	if err != nil {
		t.Fatal(err)
	}
	want := Authorization{AccessKeyID: "AKID", Date: "20250101", Region: "us-west-2", Service: "connect",
		SignedHeaders: "host;x-amz-date", Signature: sig}
	if a.headers = nil; !reflect.DeepEqual(*a, want) {
		t.Errorf("got %+v, want %+v", *a, want)
	}
	bad := []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 Credential=AKID/2025011/us-west-2/connect/aws4_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws5_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=Host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host;;a, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host, Signature=xyz",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host, Signature=" +
			strings.ToUpper(sig),
		"AWS4-HMAC-SHA256 Credential=AKID/20250101//connect/aws4_request, SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host, Signature=" +
			sig + ", Extra=1",
	}
	for _, s := range bad {
		if _, err := ParseAuthorization(s); !parley.IsCode(err, EIncomplete) {
			t.Errorf("ParseAuthorization(%q) = %v, want EIncomplete", s, err)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64))
	f.Add("AWS4-HMAC-SHA256 Credential=/20250101/us-west-2/execute-api/aws4_request, SignedHeaders=host, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,=")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAuthorization(s)
		if err != nil {
			if !parley.IsCode(err, EIncomplete) {
				t.Fatalf("error code %s", parley.ErrorCode(err))
			}
			return
		}
		if len(a.Signature) != 64 || !a.signs(strings.Split(a.SignedHeaders, ";")[0]) {
			t.Fatalf("accepted %q as %+v", s, a)
		}
	})
}

// The tests below drive the real aws-sdk-go-v2 connect client against a server that only verifies.

// verifyServer answers {} to verified requests and the verifier's error otherwise. It records the bodies and
// escaped paths it accepted.
type verifyServer struct {
	v      *Verifier
	mu     sync.Mutex
	bodies []string
	paths  []string
}

func (s *verifyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := slog.New(slog.DiscardHandler)
	if _, err := s.v.Verify(r); err != nil {
		httpapi.WriteError(w, r, log, httpapi.Connect, err)
		return
	}
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.paths = append(s.paths, r.URL.EscapedPath())
	s.mu.Unlock()
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

func sdkClient(t *testing.T, url string, creds aws.Credentials) *connect.Client {
	t.Helper()
	return connect.New(connect.Options{
		Region:           region,
		BaseEndpoint:     aws.String(url),
		Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		RetryMaxAttempts: 1,
	})
}

func TestSDKClient(t *testing.T) {
	v := newVerifier(t, Config{Keys: map[string]string{keyID: secret}, Clock: parley.SystemClock{}})
	srv := &verifyServer{v: v}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	instanceARN := "arn:aws:connect:us-west-2:123456789012:instance/abc-123"

	good := sdkClient(t, ts.URL, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret})
	if _, err := good.StopContact(ctx, &connect.StopContactInput{
		InstanceId: aws.String("inst"), ContactId: aws.String("contact"),
	}); err != nil {
		t.Fatalf("StopContact with the right secret: %v", err)
	}
	if _, err := good.DescribeContact(ctx, &connect.DescribeContactInput{
		InstanceId: aws.String(instanceARN), ContactId: aws.String("contact one"),
	}); err != nil {
		t.Fatalf("DescribeContact (ARN label) with the right secret: %v", err)
	}
	withToken := sdkClient(t, ts.URL, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret,
		SessionToken: "session"})
	if _, err := withToken.GetContactAttributes(ctx, &connect.GetContactAttributesInput{
		InstanceId: aws.String(instanceARN), InitialContactId: aws.String("c"),
	}); err != nil {
		t.Fatalf("GetContactAttributes with a session token: %v", err)
	}
	srv.mu.Lock()
	if len(srv.bodies) != 3 || !strings.Contains(srv.bodies[0], `"ContactId":"contact"`) {
		t.Errorf("bodies seen by the handler: %q", srv.bodies)
	}
	if want := "/contacts/" + arnLabel + "/contact%20one"; len(srv.paths) < 2 || srv.paths[1] != want {
		t.Errorf("paths = %q, want [1] = %q", srv.paths, want)
	}
	srv.mu.Unlock()

	tests := []struct {
		name  string
		creds aws.Credentials
		code  string
	}{
		{"wrong secret", aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "nope"}, "InvalidSignatureException"},
		{"unknown key", aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: secret}, "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sdkClient(t, ts.URL, tt.creds)
			_, err := c.DescribeContact(ctx, &connect.DescribeContactInput{
				InstanceId: aws.String(instanceARN), ContactId: aws.String("c"),
			})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an API error", err)
			}
			if apiErr.ErrorCode() != tt.code {
				t.Errorf("code = %q (%s), want %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), tt.code)
			}
		})
	}

	t.Run("skewed clock", func(t *testing.T) {
		skewed := newVerifier(t, Config{Keys: map[string]string{keyID: secret},
			Clock: offsetClock(time.Hour)})
		ts := httptest.NewServer(&verifyServer{v: skewed})
		t.Cleanup(ts.Close)
		_, err := sdkClient(t, ts.URL, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}).
			StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("i"), ContactId: aws.String("c")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" ||
			!strings.HasPrefix(apiErr.ErrorMessage(), "Signature expired") {
			t.Fatalf("err = %v, want AccessDeniedException Signature expired", err)
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		c := connect.New(connect.Options{Region: region, BaseEndpoint: aws.String(ts.URL),
			Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
		_, err := c.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("i"), ContactId: aws.String("c")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "MissingAuthenticationTokenException" {
			t.Fatalf("err = %v, want MissingAuthenticationTokenException", err)
		}
		dev := httptest.NewServer(&verifyServer{v: newVerifier(t, Config{})})
		t.Cleanup(dev.Close)
		c = connect.New(connect.Options{Region: region, BaseEndpoint: aws.String(dev.URL),
			Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
		if _, err := c.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("i"),
			ContactId: aws.String("c")}); err != nil {
			t.Fatalf("anonymous client in dev mode: %v", err)
		}
	})
}

type offsetClock time.Duration

func (c offsetClock) Now() time.Time { return time.Now().Add(time.Duration(c)) }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
