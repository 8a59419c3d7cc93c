// Package sigv4 verifies AWS Signature Version 4 on requests to the Connect API, the way AWS does for the
// official clients (AWS SDKs, AWS CLI) whose endpoint points at parley.
//
// A Verifier re-signs each request with aws-sdk-go-v2's v4.Signer over exactly the headers the client listed in
// SignedHeaders and compares the signatures in constant time. With no access keys configured it runs in dev mode
// and accepts any well-formed Authorization header as well as unsigned requests; the server must only allow that
// on loopback listeners (see DevMode).
//
// Limits, all shared with the real service's clients in practice: only the Authorization header form (no
// presigned query strings), only AWS4-HMAC-SHA256, and the signed headers must include host and x-amz-date.
// Headers that the SDK signer never signs (user-agent, expect, transfer-encoding, x-amzn-trace-id) cannot be
// verified if a client signs them; no AWS SDK does.
//
// A Verifier is safe for concurrent use.
package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
)

// Error codes of verification failures that have no parley code of their own. An expired signature is
// parley.EACCESS (AccessDeniedException); a body that is too large to hash is parley.EINVALID. httpapi's error
// table names them for the Connect API; all are 403, as AWS answers them.
const (
	EMissing      = httpapi.ESigV4Missing      // MissingAuthenticationTokenException
	EIncomplete   = httpapi.ESigV4Incomplete   // IncompleteSignatureException
	EUnrecognized = httpapi.ESigV4Unrecognized // UnrecognizedClientException
	ESignature    = httpapi.ESigV4Signature    // InvalidSignatureException
)

// Defaults of Config.
const (
	DefaultService = "connect"
	DefaultMaxSkew = 15 * time.Minute
	DefaultMaxBody = 1 << 20
)

// Config configures a Verifier. The zero value is a dev-mode verifier for the connect service.
type Config struct {
	// Keys maps access key ids to secret access keys. Empty means dev mode.
	Keys map[string]string
	// Service is the signing name the credential scope must carry (default "connect").
	Service string
	// Region, when set, is the only region the credential scope may carry; empty accepts any region.
	Region string
	// MaxSkew is how far X-Amz-Date may be from the server's clock (default 15 minutes).
	MaxSkew time.Duration
	// MaxBody is the largest body the verifier reads to hash it (default 1 MiB). Larger bodies are refused.
	MaxBody int64
	// Clock tells the time (default the system clock).
	Clock parley.Clock
}

// Identity is who signed a request.
type Identity struct {
	// AccessKeyID is the access key id of the credential scope; empty for unsigned requests in dev mode.
	AccessKeyID string
	// Region is the region of the credential scope.
	Region string
	// Verified is true when the signature was checked against a configured secret.
	Verified bool
}

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the Identity stored by NewContext.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok
}

// Verifier checks the SigV4 signatures of requests.
type Verifier struct {
	keys    map[string]string
	service string
	region  string
	skew    time.Duration
	maxBody int64
	clock   parley.Clock
	signer  *v4.Signer
	log     *slog.Logger
	warn    sync.Once
}

// New returns a Verifier for cfg. It fails if an access key id or secret is empty.
func New(cfg Config, log *slog.Logger) (*Verifier, error) {
	v := &Verifier{
		keys:    make(map[string]string, len(cfg.Keys)),
		service: cfg.Service,
		region:  cfg.Region,
		skew:    cfg.MaxSkew,
		maxBody: cfg.MaxBody,
		clock:   cfg.Clock,
		signer:  v4.NewSigner(),
		log:     log,
	}
	for id, secret := range cfg.Keys {
		if id == "" || secret == "" {
			return nil, errors.New("sigv4: access key ids and secrets must not be empty")
		}
		v.keys[id] = secret
	}
	if v.service == "" {
		v.service = DefaultService
	}
	if v.skew <= 0 {
		v.skew = DefaultMaxSkew
	}
	if v.maxBody <= 0 {
		v.maxBody = DefaultMaxBody
	}
	if v.clock == nil {
		v.clock = parley.SystemClock{}
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	return v, nil
}

// DevMode reports whether the verifier has no keys and therefore accepts any credentials. The server must only
// allow a dev-mode verifier on loopback listeners.
func (v *Verifier) DevMode() bool { return len(v.keys) == 0 }

// Verify checks the signature of r. On success r.Body can still be read in full (the verifier may have read it
// to hash it). Errors are *parley.Error with the codes of this package (see EMissing), parley.EACCESS for a
// signature outside the clock-skew window, or parley.EINVALID for a body larger than Config.MaxBody.
func (v *Verifier) Verify(r *http.Request) (Identity, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		if v.DevMode() {
			v.warnDev("")
			return Identity{}, nil
		}
		if r.URL.Query().Has("X-Amz-Signature") {
			return Identity{}, parley.Errorf(EMissing,
				"Missing Authentication Token: presigned query-string authentication is not supported")
		}
		return Identity{}, parley.Errorf(EMissing, "Missing Authentication Token")
	}
	a, err := ParseAuthorization(authz)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{AccessKeyID: a.AccessKeyID, Region: a.Region}
	if v.DevMode() {
		v.warnDev(a.AccessKeyID)
		return id, nil
	}

	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return id, parley.Errorf(EIncomplete, "Authorization header requires existence of a 'X-Amz-Date' header.")
	}
	t, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return id, parley.Errorf(EIncomplete, "X-Amz-Date %q is not in the format YYYYMMDD'T'HHMMSS'Z'", amzDate)
	}
	now := v.clock.Now().UTC()
	switch {
	case t.Before(now.Add(-v.skew)):
		return id, parley.Errorf(parley.EACCESS, "Signature expired: %s is now earlier than %s (%s - %d min.)",
			amzDate, now.Add(-v.skew).Format(amzDateLayout), now.Format(amzDateLayout), int(v.skew/time.Minute))
	case t.After(now.Add(v.skew)):
		return id, parley.Errorf(parley.EACCESS, "Signature not yet current: %s is still later than %s (%s + %d min.)",
			amzDate, now.Add(v.skew).Format(amzDateLayout), now.Format(amzDateLayout), int(v.skew/time.Minute))
	}
	if a.Date != amzDate[:8] {
		return id, parley.Errorf(ESignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, amzDate[:8], amzDate)
	}
	if a.Service != v.service {
		return id, parley.Errorf(ESignature, "Credential should be scoped to correct service: '%s'.", v.service)
	}
	if v.region != "" && a.Region != v.region {
		return id, parley.Errorf(ESignature, "Credential should be scoped to a valid region, not '%s'.", a.Region)
	}
	secret, ok := v.keys[a.AccessKeyID]
	if !ok {
		return id, parley.Errorf(EUnrecognized, "The security token included in the request is invalid.")
	}
	if !a.signs("host") {
		return id, parley.Errorf(EIncomplete, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !a.signs("x-amz-date") {
		return id, parley.Errorf(EIncomplete, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}

	payloadHash, err := v.payloadHash(r)
	if err != nil {
		return id, err
	}
	want, err := v.sign(r, a, secret, payloadHash, t)
	if err != nil {
		return id, err
	}
	if want.SignedHeaders != a.SignedHeaders ||
		subtle.ConstantTimeCompare([]byte(want.Signature), []byte(a.Signature)) != 1 {
		return id, parley.Errorf(ESignature, "The request signature we calculated does not match the signature "+
			"you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation "+
			"for details.")
	}
	id.Verified = true
	return id, nil
}

func (v *Verifier) warnDev(keyID string) {
	v.warn.Do(func() {
		v.log.Warn("SigV4 verification is off (no access keys configured): accepting any credentials; "+
			"dev mode is only safe on a loopback listener", "access_key_id", keyID)
	})
}

const (
	amzDateLayout   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// payloadHash returns the hex SHA-256 of the body, or the client's X-Amz-Content-Sha256 when it is
// UNSIGNED-PAYLOAD or matches the body. It leaves r.Body readable from the start.
func (v *Verifier) payloadHash(r *http.Request) (string, error) {
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if claimed == unsignedPayload {
		return claimed, nil
	}
	if strings.HasPrefix(claimed, "STREAMING-") {
		return "", parley.Errorf(EIncomplete, "X-Amz-Content-Sha256 %q is not supported", claimed)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, v.maxBody+1))
		_ = r.Body.Close()
		if err != nil {
			return "", parley.Errorf(parley.EINVALID, "could not read the request body")
		}
		if int64(len(body)) > v.maxBody {
			return "", parley.Errorf(parley.EINVALID, "request body is larger than %d bytes", v.maxBody)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	if claimed != "" && !strings.EqualFold(claimed, h) {
		return "", parley.Errorf(ESignature,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	if claimed != "" {
		// The client signed its own spelling of the hash.
		return claimed, nil
	}
	return h, nil
}

// sign re-signs the parts of r that the client signed and returns the resulting Authorization.
func (v *Verifier) sign(r *http.Request, a *Authorization, secret, payloadHash string, t time.Time) (*Authorization, error) {
	req := &http.Request{
		Method: r.Method,
		// Path and RawPath keep the escaped path the client signed (labels such as an instance ARN arrive
		// percent-encoded); the signer canonicalises EscapedPath().
		URL:    &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: make(http.Header),
		Body:   http.NoBody,
	}
	for _, name := range a.headers {
		switch name {
		case "host":
			// Go's server moves Host out of r.Header; the signer reads req.Host.
		case "content-length":
			// Likewise Content-Length; the signer reads req.ContentLength.
			req.ContentLength = r.ContentLength
		default:
			// A signed header that did not arrive is left out, so the signatures differ.
			if vals := r.Header.Values(name); len(vals) > 0 {
				req.Header[http.CanonicalHeaderKey(name)] = vals
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	err := v.signer.SignHTTP(r.Context(), creds, req, payloadHash, a.Service, a.Region, t)
	if err != nil {
		return nil, parley.Internal(fmt.Errorf("sigv4: re-signing: %w", err))
	}
	return ParseAuthorization(req.Header.Get("Authorization"))
}

// Authorization is a parsed AWS4-HMAC-SHA256 Authorization header.
type Authorization struct {
	AccessKeyID   string
	Date          string // YYYYMMDD of the credential scope
	Region        string
	Service       string
	SignedHeaders string // as sent: lower-case names joined by ';'
	Signature     string // lower-case hex
	headers       []string
}

func (a *Authorization) signs(name string) bool {
	for _, h := range a.headers {
		if h == name {
			return true
		}
	}
	return false
}

// ParseAuthorization parses an "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" header. It
// returns an EIncomplete *parley.Error when the header is not well formed. The access key id may be empty (some
// clients sign with empty credentials).
func ParseAuthorization(s string) (*Authorization, error) {
	const algorithm = "AWS4-HMAC-SHA256"
	rest, ok := strings.CutPrefix(s, algorithm+" ")
	if !ok {
		alg, _, _ := strings.Cut(s, " ")
		return nil, parley.Errorf(EIncomplete, "Unsupported Authorization algorithm %q: only %s is supported.",
			truncate(alg, 40), algorithm)
	}
	var cred, signed, sig string
	var seenCred, seenSigned, seenSig bool
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, parley.Errorf(EIncomplete, "Authorization header component %q is not a key=value pair.",
				truncate(part, 40))
		}
		switch k {
		case "Credential":
			cred, seenCred = val, true
		case "SignedHeaders":
			signed, seenSigned = val, true
		case "Signature":
			sig, seenSig = val, true
		default:
			return nil, parley.Errorf(EIncomplete, "Authorization header has an unknown component %q.",
				truncate(k, 40))
		}
	}
	switch {
	case !seenCred:
		return nil, parley.Errorf(EIncomplete, "Authorization header requires 'Credential' parameter.")
	case !seenSigned:
		return nil, parley.Errorf(EIncomplete, "Authorization header requires 'SignedHeaders' parameter.")
	case !seenSig:
		return nil, parley.Errorf(EIncomplete, "Authorization header requires 'Signature' parameter.")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || !isDate(scope[1]) || scope[2] == "" || scope[3] == "" {
		return nil, parley.Errorf(EIncomplete, "Credential should be of the form "+
			"<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request.")
	}
	if len(sig) != 64 || !isLowerHex(sig) {
		return nil, parley.Errorf(EIncomplete, "Signature must be 64 lower-case hexadecimal characters.")
	}
	headers := strings.Split(signed, ";")
	for _, h := range headers {
		if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, " \t") {
			return nil, parley.Errorf(EIncomplete, "SignedHeaders must be lower-case header names joined by ';'.")
		}
	}
	return &Authorization{
		AccessKeyID:   scope[0],
		Date:          scope[1],
		Region:        scope[2],
		Service:       scope[3],
		SignedHeaders: signed,
		Signature:     sig,
		headers:       headers,
	}, nil
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	_, err := time.Parse("20060102", s)
	return err == nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
