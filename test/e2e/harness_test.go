// Package e2e drives a whole parley server, started in-process, with the official AWS clients: aws-sdk-go-v2
// service/connect for the Connect API and aws-sdk-go (v1) service/connectparticipant for the Participant API
// (the v2 participant module is not available here), plus a raw WebSocket client speaking ChatJS's protocol.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
	"github.com/aws/smithy-go"
	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

// env is one server and the official clients pointed at it.
type env struct {
	t   *testing.T
	srv *testserver.Server
	cc  *connect.Client
	pc  *connectparticipant.ConnectParticipant
}

func newEnv(t *testing.T, opts ...testserver.Option) *env {
	t.Helper()
	srv := testserver.Start(t, opts...)
	return &env{t: t, srv: srv, cc: connectClient(srv), pc: participantClient(srv.URL, srv.Region)}
}

func connectClient(srv *testserver.Server) *connect.Client {
	cfg := aws.Config{Region: srv.Region, Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDPARLEYTEST", SecretAccessKey: "secret"}, nil
		})}
	return connect.NewFromConfig(cfg, func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func participantClient(endpoint, region string) *connectparticipant.ConnectParticipant {
	sess := session.Must(session.NewSession(&awsv1.Config{Region: awsv1.String(region),
		Endpoint: awsv1.String(endpoint), Credentials: credentials.AnonymousCredentials,
		MaxRetries: awsv1.Int(0)}))
	return connectparticipant.New(sess)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// chat is a started chat contact.
type chat struct {
	ContactID, ParticipantID, ParticipantToken string
}

func (e *env) startChat(mod ...func(*connect.StartChatContactInput)) chat {
	e.t.Helper()
	in := &connect.StartChatContactInput{
		InstanceId: aws.String(e.srv.InstanceID), ContactFlowId: aws.String(e.srv.ContactFlowID),
		ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("Customer")},
	}
	for _, m := range mod {
		m(in)
	}
	out, err := e.cc.StartChatContact(ctx(e.t), in)
	if err != nil {
		e.t.Fatalf("StartChatContact: %v", err)
	}
	return chat{aws.ToString(out.ContactId), aws.ToString(out.ParticipantId), aws.ToString(out.ParticipantToken)}
}

// addBot adds a CUSTOM_BOT participant and returns its ParticipantToken and id.
func (e *env) addBot(contactID string) (token, id string) {
	e.t.Helper()
	out, err := e.cc.CreateParticipant(ctx(e.t), &connect.CreateParticipantInput{
		InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(contactID),
		ParticipantDetails: &ctypes.ParticipantDetailsToAdd{ParticipantRole: ctypes.ParticipantRoleCustomBot,
			DisplayName: aws.String("Bot")},
	})
	if err != nil {
		e.t.Fatalf("CreateParticipant: %v", err)
	}
	return aws.ToString(out.ParticipantCredentials.ParticipantToken), aws.ToString(out.ParticipantId)
}

// conn is a participant connection: its ConnectionToken and WebSocket URL.
type conn struct {
	Token, URL string
	out        *connectparticipant.CreateParticipantConnectionOutput
}

func (e *env) connect(participantToken string) conn {
	e.t.Helper()
	out, err := e.pc.CreateParticipantConnectionWithContext(ctx(e.t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(participantToken),
		Type:             awsv1.StringSlice([]string{"WEBSOCKET", "CONNECTION_CREDENTIALS"}),
	})
	if err != nil {
		e.t.Fatalf("CreateParticipantConnection: %v", err)
	}
	return conn{Token: awsv1.StringValue(out.ConnectionCredentials.ConnectionToken),
		URL: awsv1.StringValue(out.Websocket.Url), out: out}
}

func (e *env) send(token, content string) *connectparticipant.SendMessageOutput {
	e.t.Helper()
	out, err := e.pc.SendMessageWithContext(ctx(e.t), &connectparticipant.SendMessageInput{
		ConnectionToken: awsv1.String(token), ContentType: awsv1.String("text/plain"), Content: awsv1.String(content)})
	if err != nil {
		e.t.Fatalf("SendMessage %q: %v", content, err)
	}
	return out
}

// transcript reads the whole transcript oldest first with the SDK paginator.
func (e *env) transcript(token string) []*connectparticipant.Item {
	e.t.Helper()
	var items []*connectparticipant.Item
	err := e.pc.GetTranscriptPagesWithContext(ctx(e.t), &connectparticipant.GetTranscriptInput{
		ConnectionToken: awsv1.String(token), MaxResults: awsv1.Int64(3),
		ScanDirection: awsv1.String("FORWARD"), SortOrder: awsv1.String("ASCENDING"),
	}, func(p *connectparticipant.GetTranscriptOutput, last bool) bool {
		items = append(items, p.Transcript...)
		return true
	})
	if err != nil {
		e.t.Fatalf("GetTranscript: %v", err)
	}
	return items
}

// awsCode returns the AWS error code of an SDK error, v1 or v2.
func awsCode(err error) string {
	var v1 awserr.Error
	if errors.As(err, &v1) {
		return v1.Code()
	}
	var v2 smithy.APIError
	if errors.As(err, &v2) {
		return v2.ErrorCode()
	}
	return ""
}

func statusCode(err error) int {
	var rf awserr.RequestFailure
	if errors.As(err, &rf) {
		return rf.StatusCode()
	}
	var v2 interface{ HTTPStatusCode() int }
	if errors.As(err, &v2) {
		return v2.HTTPStatusCode()
	}
	return 0
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := awsCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
	if status != 0 {
		if got := statusCode(err); got != 0 && got != status {
			t.Fatalf("status = %d, want %d (err: %v)", got, status, err)
		}
	}
}

// socket is a WebSocket client speaking ChatJS's protocol.
type socket struct {
	t     *testing.T
	c     *websocket.Conn
	items chan wire.Item
	other chan wire.Frame
	done  chan struct{}
	mu    sync.Mutex
	err   error
}

// dial opens a socket and subscribes to aws/chat, waiting for the ack.
func dial(t *testing.T, url string) *socket {
	t.Helper()
	h := http.Header{"Origin": []string{"https://customer.example.com"}}
	c, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	s := &socket{t: t, c: c, items: make(chan wire.Item, 1000), other: make(chan wire.Frame, 100), done: make(chan struct{})}
	go s.read()
	t.Cleanup(func() { c.Close(); <-s.done })
	s.write(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	f := s.frame()
	if f.Topic != wire.TopicSubscribe || !strings.Contains(string(f.Content), `"success"`) {
		t.Fatalf("subscribe reply = %+v", f)
	}
	return s
}

func (s *socket) write(frame string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		s.t.Fatalf("write: %v", err)
	}
}

func (s *socket) read() {
	defer close(s.done)
	defer close(s.items)
	for {
		typ, b, err := s.c.ReadMessage()
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
		if typ != websocket.TextMessage {
			continue
		}
		var f wire.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			s.t.Errorf("non-JSON frame %q", b)
			continue
		}
		if f.Topic != wire.TopicChat {
			s.other <- f
			continue
		}
		var content string
		if err := json.Unmarshal(f.Content, &content); err != nil {
			s.t.Errorf("aws/chat content is not a JSON string: %s", f.Content)
			continue
		}
		var it wire.Item
		if err := json.Unmarshal([]byte(content), &it); err != nil {
			s.t.Errorf("aws/chat content is not an item: %s", content)
			continue
		}
		s.items <- it
	}
}

// frame waits for the next non-chat frame.
func (s *socket) frame() wire.Frame {
	s.t.Helper()
	select {
	case f := <-s.other:
		return f
	case <-time.After(10 * time.Second):
		s.t.Fatal("no frame within 10s")
	}
	return wire.Frame{}
}

// next waits for the next chat item.
func (s *socket) next() wire.Item {
	s.t.Helper()
	select {
	case it, ok := <-s.items:
		if !ok {
			s.t.Fatalf("socket closed: %v", s.closeErr())
		}
		return it
	case <-time.After(10 * time.Second):
		s.t.Fatal("no chat item within 10s")
	}
	return wire.Item{}
}

// until reads items until one has the content type, returning all read.
func (s *socket) until(contentType string) []wire.Item {
	s.t.Helper()
	var got []wire.Item
	for {
		it := s.next()
		got = append(got, it)
		if it.ContentType == contentType {
			return got
		}
	}
}

func (s *socket) closeErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
