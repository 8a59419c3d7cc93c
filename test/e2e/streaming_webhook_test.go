package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/streaming/sink"
)

// TestStreamingToWebhook: a server configured with a webhook subscription (streaming.subscriptions) streams a chat
// started with the official SDK's StartContactStreaming to it: the receiver confirms the subscription, checks
// every signature with sink.Verify, and gets the customer's and the agent-side messages in the SNS envelope with
// Connect's message attributes, in order.
func TestStreamingToWebhook(t *testing.T) {
	const topic = "arn:aws:sns:us-west-2:000000000000:chats"
	const secret = "s3cret"
	var mu sync.Mutex
	var got []sink.Notification
	confirmed := false
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := sink.Verify(r, secret)
		if err != nil {
			t.Errorf("the receiver refused a delivery: %v", err)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch n.Type {
		case "SubscriptionConfirmation":
			confirmed = true
		case "Notification":
			got = append(got, n)
		}
	}))
	t.Cleanup(receiver.Close)
	e := newEnv(t, func(c *server.Config) {
		c.Streaming.Subscriptions = map[string][]sink.Subscription{topic: {{URL: receiver.URL, Secret: secret}}}
	})
	ch := e.startChat()
	st, err := e.cc.StartContactStreaming(ctx(t), &connect.StartContactStreamingInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID), ClientToken: aws.String("stream-1"),
		ChatStreamingConfiguration: &ctypes.ChatStreamingConfiguration{StreamingEndpointArn: aws.String(topic)}})
	if err != nil {
		t.Fatalf("StartContactStreaming: %v", err)
	}
	cust := e.connect(ch.ParticipantToken)
	for _, text := range []string{"one", "two", "three"} {
		e.send(cust.Token, text)
	}
	var msgs []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		msgs = msgs[:0]
		for _, n := range got {
			var m struct{ Type, Content, ContactId, ParticipantRole string }
			if err := json.Unmarshal([]byte(n.Message), &m); err != nil {
				t.Fatalf("notification message %q: %v", n.Message, err)
			}
			if n.TopicArn != topic || n.MessageAttributes["ContactId"].Value != ch.ContactID ||
				n.MessageAttributes["InstanceId"].Value != e.srv.InstanceID || m.ContactId != ch.ContactID {
				t.Fatalf("notification %+v", n)
			}
			if m.Type == "MESSAGE" && m.ParticipantRole == "CUSTOMER" {
				msgs = append(msgs, m.Content)
			}
		}
		ok := confirmed
		mu.Unlock()
		if ok && len(msgs) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: confirmed %v, customer messages %q", ok, msgs)
		}
	}
	if len(msgs) != 3 || msgs[0] != "one" || msgs[1] != "two" || msgs[2] != "three" {
		t.Errorf("customer messages streamed: %q, want one, two, three", msgs)
	}
	if aws.ToString(st.StreamingId) == "" {
		t.Errorf("StartContactStreaming returned no StreamingId")
	}
}
