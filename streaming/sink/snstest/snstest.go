// Package snstest is a fake Amazon SNS for tests: a real HTTP server on 127.0.0.1 that speaks the query
// protocol's Publish action well enough for aws-sdk-go-v2's service/sns (a form body in, the XML
// PublishResponse or ErrorResponse out). It records every accepted publish, refuses topics that were not
// created with NotFound, and fails on demand (FailNext) with SNS's error codes. It does not check signatures;
// it records the region the request was signed for. A Server is safe for concurrent use.
package snstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// SNS's error codes that FailNext injects, with the HTTP status SNS answers them with.
const (
	InternalError      = "InternalError"      // 500
	Throttled          = "Throttled"          // 400, retriable
	NotFound           = "NotFound"           // 404
	InvalidParameter   = "InvalidParameter"   // 400
	AuthorizationError = "AuthorizationError" // 403
)

var statuses = map[string]int{InternalError: 500, Throttled: 400, NotFound: 404, InvalidParameter: 400,
	AuthorizationError: 403, "InvalidParameterValue": 400, "InvalidAction": 400, "ServiceUnavailable": 503}

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

	srv      *httptest.Server
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
	s := &Server{topics: map[string]bool{}}
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

// Requests returns how many Publish requests arrived, failed ones included.
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
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeError(w, InvalidParameter, err.Error())
		return
	}
	f := r.PostForm
	if f.Get("Action") != "Publish" || f.Get("Version") != "2010-03-31" {
		writeError(w, "InvalidAction", fmt.Sprintf("unsupported action %q version %q", f.Get("Action"), f.Get("Version")))
		return
	}
	p, code, msg := parsePublish(f)
	p.Region = signedRegion(r.Header.Get("Authorization"))
	s.mu.Lock()
	s.requests++
	if code == "" && len(s.fail) > 0 {
		code, msg = s.fail[0], "injected failure"
		s.fail = s.fail[1:]
	}
	if code == "" && !s.topics[p.TopicArn] {
		code, msg = NotFound, "Topic does not exist"
	}
	if code == "" {
		p.MessageID = uuid.NewString()
		s.publish = append(s.publish, p)
	}
	s.mu.Unlock()
	if code != "" {
		writeError(w, code, msg)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<PublishResult><MessageId>%s</MessageId></PublishResult>`+
		`<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></PublishResponse>`, p.MessageID, uuid.NewString())
}

// parsePublish reads Publish's parameters, checking them as SNS does; code is set when SNS would refuse them.
func parsePublish(f url.Values) (p Publish, code, msg string) {
	p = Publish{TopicArn: f.Get("TopicArn"), Message: f.Get("Message"), Subject: f.Get("Subject"),
		MessageAttributes: map[string]Attribute{}}
	if p.TopicArn == "" {
		return p, InvalidParameter, "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
	}
	if p.Message == "" {
		return p, InvalidParameter, "Invalid parameter: Message Reason: Empty message"
	}
	if len(p.Message) > 256<<10 {
		return p, InvalidParameter, "Invalid parameter: Message too long"
	}
	for i := 1; ; i++ {
		prefix := "MessageAttributes.entry." + strconv.Itoa(i) + "."
		name := f.Get(prefix + "Name")
		if name == "" {
			break
		}
		a := Attribute{DataType: f.Get(prefix + "Value.DataType"), StringValue: f.Get(prefix + "Value.StringValue")}
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
		typ, code, b.String(), uuid.NewString())
}
