// Package snstest is a fake Amazon SNS for tests: a real HTTP server on 127.0.0.1 that speaks the query
// protocol's Publish and PublishBatch actions well enough for aws-sdk-go-v2's service/sns (a form body in, the
// XML PublishResponse, PublishBatchResponse or ErrorResponse out). It records every accepted publish, refuses
// topics that were not created with NotFound, and fails on demand (FailNext) with SNS's error codes. It checks
// SigV4 signatures when given the secret key (SecretAccessKey), and records the region each request was signed
// for. A Server is safe for concurrent use.
package snstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SNS's error codes that FailNext injects, with the HTTP status SNS answers them with.
const (
	InternalError      = "InternalError"      // 500
	Throttled          = "Throttled"          // 400, retriable
	NotFound           = "NotFound"           // 404
	InvalidParameter   = "InvalidParameter"   // 400
	AuthorizationError = "AuthorizationError" // 403
	// BatchRequestTooLong answers a PublishBatch whose messages and attributes add up to more than
	// MaxBatchBytes (400).
	BatchRequestTooLong = "BatchRequestTooLong"
)

// MaxBatchBytes is SNS's bound on the messages and message attributes (names, types and values) of one
// PublishBatch together: 256 KiB.
const MaxBatchBytes = 256 << 10

var statuses = map[string]int{InternalError: 500, Throttled: 400, NotFound: 404, InvalidParameter: 400,
	AuthorizationError: 403, BatchRequestTooLong: 400, "SignatureDoesNotMatch": 403, "MissingAuthenticationToken": 403,
	"IncompleteSignature": 400, "InvalidParameterValue": 400, "InvalidAction": 400, "ServiceUnavailable": 503}

// Attribute is a message attribute as published.
type Attribute struct {
	DataType, StringValue string
}

// Publish is one accepted Publish call.
type Publish struct {
	MessageID         string
	TopicArn          string
	Message           string
	Subject           string
	MessageAttributes map[string]Attribute
	// Region is the region of the request's SigV4 credential scope ("" when unsigned).
	Region string
}

// Server is a running fake SNS.
type Server struct {
	// URL is the endpoint to give the SDK (BaseEndpoint).
	URL string

	// OnPublish, when set before the first request, is called with every accepted publish (a benchmark's
	// receiver counts them without keeping them).
	OnPublish func(Publish)
	// Keep, when false, keeps no publishes for Publishes (a long benchmark). New and Start set it.
	Keep bool
	// SecretAccessKey, when set before the first request, makes the server check every request's SigV4
	// signature (service sns, any access key id) with it, as SNS does: a request whose signature does not
	// match is refused with SignatureDoesNotMatch (403), one without with MissingAuthenticationToken (403).
	SecretAccessKey string

	srv      *httptest.Server
	signer   *v4.Signer
	keys     signingKeys
	mu       sync.Mutex
	topics   map[string]bool
	fail     []string
	publish  []Publish
	requests int
}

// New starts a fake SNS that t closes when it ends.
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake SNS outside a test (a benchmark's receiver); Close stops it.
func Start() *Server {
	s := &Server{topics: map[string]bool{}, Keep: true, signer: v4.NewSigner()}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Close stops the server, waiting for the requests in flight.
func (s *Server) Close() { s.srv.Close() }

// CreateTopic makes topic arn exist.
func (s *Server) CreateTopic(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics[arn] = true
}

// FailNext makes the next n Publish calls fail with an SNS error code (InternalError, Throttled, NotFound...).
func (s *Server) FailNext(code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fail = append(s.fail, code)
	}
}

// Publishes returns the accepted publishes, oldest first.
func (s *Server) Publishes() []Publish {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Publish(nil), s.publish...)
}

// Requests returns how many Publish and PublishBatch requests arrived, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ServeHTTP answers one query-protocol request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, "InvalidAction", "want a form-encoded POST")
		return
	}
	bp := buffers.Get().(*[]byte)
	buf := bytes.NewBuffer((*bp)[:0])
	defer func() {
		*bp = buf.Bytes()[:0]
		buffers.Put(bp)
	}()
	if r.ContentLength > 0 && r.ContentLength <= 1<<20 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		writeError(w, InvalidParameter, err.Error())
		return
	}
	body := buf.Bytes()
	if s.SecretAccessKey != "" {
		if code, msg := s.checkSignature(r, body); code != "" {
			writeError(w, code, msg)
			return
		}
	}
	f, err := parseForm(body)
	if err != nil {
		writeError(w, InvalidParameter, err.Error())
		return
	}
	action, version := f.str(f.action), f.str(f.version)
	if version != "2010-03-31" || (action != "Publish" && action != "PublishBatch") {
		writeError(w, "InvalidAction", fmt.Sprintf("unsupported action %q version %q", action, version))
		return
	}
	region := signedRegion(r.Header.Get("Authorization"))
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if action == "PublishBatch" {
		s.publishBatch(w, f, region)
		return
	}
	p, code, msg := parsePublish(f, &f.publish, f.str(f.topic))
	p.Region = region
	if code = s.accept(&p, code); code != "" {
		writeError(w, code, msg)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<PublishResult><MessageId>%s</MessageId></PublishResult>`+
		`<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></PublishResponse>`, p.MessageID, newID())
}

// accept records p unless code (a refusal found while parsing), an injected failure or an
// unknown topic refuses it; it returns the refusal's code.
func (s *Server) accept(p *Publish, code string) string {
	s.mu.Lock()
	if code == "" && len(s.fail) > 0 {
		code = s.fail[0]
		s.fail = s.fail[1:]
	}
	if code == "" && !s.topics[p.TopicArn] {
		code = NotFound
	}
	if code == "" {
		p.MessageID = newID()
		if s.Keep {
			s.publish = append(s.publish, *p)
		}
	}
	s.mu.Unlock()
	if code == "" && s.OnPublish != nil {
		s.OnPublish(*p)
	}
	return code
}

// publishBatch answers PublishBatch: up to 10 entries, each accepted or failed on its own (SenderFault for
// the caller's mistakes); an injected failure or an unknown topic fails the whole request, as SNS does.
func (s *Server) publishBatch(w http.ResponseWriter, f *form, region string) {
	topic := f.str(f.topic)
	n := 0
	for n < len(f.batch) && f.str(f.batch[n].id) != "" {
		n++
	}
	entries := make([]Publish, 0, n)
	codes, msgs, ids := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for _, e := range f.batch[:n] {
		p, code, msg := parsePublish(f, &e, topic)
		p.Region = region
		entries, codes, msgs, ids = append(entries, p), append(codes, code), append(msgs, msg), append(ids, f.str(e.id))
	}
	if len(entries) == 0 || len(entries) > 10 {
		writeError(w, "InvalidParameter", "PublishBatchRequestEntries must hold 1 to 10 entries")
		return
	}
	size := 0
	for _, p := range entries {
		size += len(p.Message)
		for name, a := range p.MessageAttributes {
			size += len(name) + len(a.DataType) + len(a.StringValue)
		}
	}
	if size > MaxBatchBytes {
		writeError(w, BatchRequestTooLong, fmt.Sprintf("The batch request contains %d bytes, more than %d", size, MaxBatchBytes))
		return
	}
	s.mu.Lock()
	var whole string
	if len(s.fail) > 0 {
		whole, s.fail = s.fail[0], s.fail[1:]
	} else if !s.topics[topic] {
		whole = NotFound
	}
	s.mu.Unlock()
	if whole != "" {
		writeError(w, whole, "injected failure or unknown topic")
		return
	}
	var failed []byte
	b := make([]byte, 0, 256+90*len(entries))
	b = append(b, `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>`...)
	for i := range entries {
		if codes[i] != "" {
			failed = fmt.Appendf(failed, `<member><Id>%s</Id><Code>%s</Code><Message>%s</Message><SenderFault>true</SenderFault></member>`,
				ids[i], codes[i], msgs[i])
			continue
		}
		s.accept(&entries[i], "")
		b = fmt.Appendf(b, `<member><Id>%s</Id><MessageId>%s</MessageId></member>`, ids[i], entries[i].MessageID)
	}
	b = append(b, `</Successful><Failed>`...)
	b = append(b, failed...)
	b = fmt.Appendf(b, `</Failed></PublishBatchResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></PublishBatchResponse>`, newID())
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(b)
}

// parsePublish reads Publish's parameters, checking them as SNS does; code is set when SNS would refuse them.
func parsePublish(f *form, e *entry, topic string) (p Publish, code, msg string) {
	p = Publish{TopicArn: topic, Message: f.str(e.message), Subject: f.str(e.subject),
		MessageAttributes: make(map[string]Attribute, len(e.attrs))}
	if p.TopicArn == "" {
		return p, InvalidParameter, "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
	}
	if p.Message == "" {
		return p, InvalidParameter, "Invalid parameter: Message Reason: Empty message"
	}
	if len(p.Message) > 256<<10 {
		return p, InvalidParameter, "Invalid parameter: Message too long"
	}
	for _, fields := range e.attrs {
		name := f.str(fields.name)
		if name == "" {
			break
		}
		a := Attribute{DataType: f.str(fields.dataType), StringValue: f.str(fields.value)}
		if a.DataType != "String" && a.DataType != "Number" && a.DataType != "String.Array" {
			return p, "InvalidParameterValue", fmt.Sprintf("The message attribute '%s' has an invalid message attribute type", name)
		}
		if a.StringValue == "" {
			return p, "InvalidParameterValue", fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value", name)
		}
		p.MessageAttributes[name] = a
	}
	if len(p.MessageAttributes) > 10 {
		return p, "InvalidParameterValue", "Number of message attributes exceeds the limit of 10"
	}
	return p, "", ""
}

// checkSignature checks r's SigV4 Authorization header against the one the request should carry, given the
// secret: for the headers it names, the body's hash, the time of its X-Amz-Date, the scope of its Credential
// (expectedAuth, or the SDK's signer for requests out of the ordinary).
func (s *Server) checkSignature(r *http.Request, body []byte) (code, msg string) {
	secret := s.SecretAccessKey
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "MissingAuthenticationToken", "Request is missing Authentication Token"
	}
	fields := map[string]string{}
	alg, rest, _ := strings.Cut(auth, " ")
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/") // AKID/DATE/REGION/sns/aws4_request
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if alg != "AWS4-HMAC-SHA256" || len(scope) != 5 || scope[3] != "sns" || scope[4] != "aws4_request" ||
		fields["SignedHeaders"] == "" || fields["Signature"] == "" || err != nil || at.Format("20060102") != scope[1] {
		return "IncompleteSignature", "malformed Authorization or X-Amz-Date: " + auth
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	want, ok := s.expectedAuth(r, secret, scope[0], scope[2], at, fields["SignedHeaders"], payloadHash)
	if !ok {
		if want, err = s.signAgain(r, secret, scope[0], scope[2], at, fields["SignedHeaders"], payloadHash); err != nil {
			return "IncompleteSignature", err.Error()
		}
	}
	if want != auth {
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

// signAgain returns the Authorization header of r signed again by aws-sdk-go-v2's signer as expectedAuth
// describes it: a copy of r with the headers of the list signed, the signer adding X-Amz-Date and
// X-Amz-Security-Token (and dropping the headers it never signs). The signer is the server's, so that the key
// it derives for a day and region is derived once.
func (s *Server) signAgain(r *http.Request, secret, akid, region string, at time.Time, signed, payloadHash string) (string, error) {
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return "", err
	}
	again.ContentLength = r.ContentLength
	for _, h := range strings.Split(signed, ";") {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := s.signer.SignHTTP(context.Background(), creds, again, payloadHash, "sns", region, at); err != nil {
		return "", err
	}
	return again.Header.Get("Authorization"), nil
}

// signedRegion returns the region of a SigV4 Authorization header's credential scope.
func signedRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/") // AKID/DATE/REGION/SERVICE/aws4_request
	if len(parts) != 5 || parts[3] != "sns" {
		return ""
	}
	return parts[2]
}

func writeError(w http.ResponseWriter, code, msg string) {
	status, ok := statuses[code]
	if !ok {
		status = 400
	}
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(msg))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		typ, code, b.String(), newID())
}
