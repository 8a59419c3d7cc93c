package connect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/streaming"
)

// These tests run the official SDK against the handler over the real chat and streaming services on a SQLite
// file: StartContactStreaming and StopContactStreaming as Connect answers them, and the dead-letter operations.

type streamEnv struct {
	client *connect.Client
	url    string
	chat   *chat.Service
	str    *streaming.Service
	inst   *parley.Instance
	flow   *parley.ContactFlow
}

// recorder is an Endpoint that records deliveries and fails while failing is set (permanently).
type recorder struct {
	mu      sync.Mutex
	got     []string // item ids
	failing bool
}

func (r *recorder) Deliver(_ context.Context, _, _ string, _ *parley.Contact, it *parley.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return streaming.Permanent(errors.New("topic does not exist"))
	}
	r.got = append(r.got, it.ID)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func newStreamEnv(t *testing.T, ep streaming.Endpoint, opts ...Option) *streamEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := chat.New(st, local.New(), nil, nil, chat.Config{Secret: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	str := streaming.New(st, ep, nil, nil, streaming.Config{RetryBase: time.Millisecond, ScanInterval: 50 * time.Millisecond})
	svc.Observe(str)
	e := &streamEnv{chat: svc, str: str}
	if e.inst, e.flow, err = svc.Bootstrap(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		str.Run(runCtx)
	}()
	ts := httptest.NewServer(newHandler(svc, nil, keyedVerifier(t), slog.New(slog.DiscardHandler),
		append([]Option{WithStreaming(str)}, opts...)...))
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		svc.Close()
		st.Close()
	})
	e.url = ts.URL
	e.client = sdkClient(ts.URL, testKeyID, testSecret)
	return e
}

func (e *streamEnv) startChat(t *testing.T) (contactID, participantToken string) {
	t.Helper()
	out, err := e.client.StartChatContact(t.Context(), &connect.StartChatContactInput{
		InstanceId: aws.String(e.inst.ID), ContactFlowId: aws.String(e.flow.ID),
		ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String("Ann")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.ContactId, *out.ParticipantToken
}

func (e *streamEnv) start(ctx context.Context, contactID, arn, token string) (*connect.StartContactStreamingOutput, error) {
	in := &connect.StartContactStreamingInput{InstanceId: aws.String(e.inst.ID), ContactId: aws.String(contactID),
		ChatStreamingConfiguration: &types.ChatStreamingConfiguration{StreamingEndpointArn: aws.String(arn)}}
	if token != "" {
		in.ClientToken = aws.String(token)
	}
	return e.client.StartContactStreaming(ctx, in)
}

func TestSDKContactStreaming(t *testing.T) {
	ctx := t.Context()
	ep := &recorder{}
	e := newStreamEnv(t, ep)
	contactID, ptoken := e.startChat(t)
	// The customer connects first: streams started before that would carry the chat from its first item.
	conn, err := e.chat.CreateConnection(ctx, ptoken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}

	first, err := e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:one", "token-1")
	if err != nil {
		t.Fatal(err)
	}
	if first.StreamingId == nil || *first.StreamingId == "" {
		t.Fatal("no StreamingId")
	}
	again, err := e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:one", "token-1")
	if err != nil || *again.StreamingId != *first.StreamingId {
		t.Fatalf("retry with the same ClientToken: %v, %v; want StreamingId %s", again, err, *first.StreamingId)
	}
	// Without a ClientToken the SDK makes one up.
	second, err := e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:two", "")
	if err != nil || *second.StreamingId == *first.StreamingId {
		t.Fatalf("second endpoint: %v, %v", second, err)
	}
	_, err = e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:three", "")
	var lee *types.LimitExceededException
	if !errors.As(err, &lee) {
		t.Fatalf("third endpoint: err = %v, want *types.LimitExceededException", err)
	}
	_, err = e.start(ctx, "no-such-contact", "arn:aws:sns:us-west-2:000000000000:one", "")
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("unknown contact: err = %v, want *types.ResourceNotFoundException", err)
	}
	_, err = e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:one.fifo", "")
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "FIFO") {
		t.Fatalf("FIFO topic: err = %v, want *types.InvalidParameterException", err)
	}
	_, err = e.start(ctx, contactID, strings.Repeat("a", 351), "")
	if !errors.As(err, &ipe) {
		t.Fatalf("too long an ARN: err = %v, want *types.InvalidParameterException", err)
	}

	if _, err := e.client.StopContactStreaming(ctx, &connect.StopContactStreamingInput{InstanceId: aws.String(e.inst.ID),
		ContactId: aws.String(contactID), StreamingId: second.StreamingId}); err != nil {
		t.Fatalf("StopContactStreaming: %v", err)
	}
	_, err = e.client.StopContactStreaming(ctx, &connect.StopContactStreamingInput{InstanceId: aws.String(e.inst.ID),
		ContactId: aws.String(contactID), StreamingId: aws.String("no-such-stream")})
	if !errors.As(err, &rnf) {
		t.Fatalf("StopContactStreaming of an unknown stream: err = %v, want *types.ResourceNotFoundException", err)
	}
	// After the stop a third endpoint fits.
	if _, err := e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:three", ""); err != nil {
		t.Fatalf("an endpoint after a stop: %v", err)
	}

	// The customer's message reaches the two running streams.
	caller, err := e.chat.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.chat.SendMessage(ctx, caller, "text/plain", "hi", ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for ep.count() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := ep.count(); n != 2 {
		t.Errorf("deliveries of one message to two streams: %d", n)
	}
}

// signedCall makes a SigV4-signed request of parley's own operations and decodes the JSON answer.
func signedCall(t *testing.T, method, url string, body []byte, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		req, hex.EncodeToString(sum[:]), "connect", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestDeadLettersAndReplay(t *testing.T) {
	ctx := t.Context()
	ep := &recorder{failing: true}
	e := newStreamEnv(t, ep)
	contactID, ptoken := e.startChat(t)
	conn, err := e.chat.CreateConnection(ctx, ptoken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.start(ctx, contactID, "arn:aws:sns:us-west-2:000000000000:gone", "")
	if err != nil {
		t.Fatal(err)
	}
	caller, err := e.chat.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := e.chat.SendMessage(ctx, caller, "text/plain", "hi", "")
	if err != nil {
		t.Fatal(err)
	}

	listURL := e.url + "/parley/streaming/dead-letters/" + e.inst.ID
	var dl DeadLettersOutput
	deadline := time.Now().Add(20 * time.Second)
	for len(dl.DeadLetters) == 0 && time.Now().Before(deadline) {
		if code := signedCall(t, http.MethodGet, listURL, nil, &dl); code != http.StatusOK {
			t.Fatalf("dead letters: HTTP %d", code)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(dl.DeadLetters) != 1 {
		t.Fatalf("dead letters = %+v, want the message", dl)
	}
	d := dl.DeadLetters[0]
	if d.ItemID != msg.ID || d.StreamingID != *out.StreamingId || d.InitialContactID != contactID ||
		d.LastError != "topic does not exist" || d.Attempts != 1 || dl.Stats.DeadLetters != 1 {
		t.Errorf("dead letter = %+v, stats %+v", d, dl.Stats)
	}

	ep.mu.Lock()
	ep.failing = false
	ep.mu.Unlock()
	var rep struct{ Replayed int }
	if code := signedCall(t, http.MethodPost, e.url+"/parley/streaming/replay/"+e.inst.ID, nil, &rep); code != http.StatusOK || rep.Replayed != 1 {
		t.Fatalf("replay: HTTP %d, %+v", code, rep)
	}
	deadline = time.Now().Add(20 * time.Second)
	for ep.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if ep.count() != 1 {
		t.Errorf("the replayed message was delivered %d times", ep.count())
	}
	var errOut struct {
		Type string `json:"__type"`
	}
	if code := signedCall(t, http.MethodGet, e.url+"/parley/streaming/dead-letters/no-such-instance", nil, &errOut); code != http.StatusNotFound {
		t.Errorf("dead letters of an unknown instance: HTTP %d %+v", code, errOut)
	}
}
