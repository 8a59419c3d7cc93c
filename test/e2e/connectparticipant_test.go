package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/server"
)

// itemEndpoint records every delivered item per stream.
type itemEndpoint struct {
	mu    sync.Mutex
	items map[string][]parley.Item
}

func (r *itemEndpoint) Deliver(_ context.Context, _, streamingID string, _ *parley.Contact, it *parley.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[streamingID] = append(r.items[streamingID], *it)
	return nil
}

// waitFor returns the stream's items once one satisfies done (or after 10 s, whatever arrived).
func (r *itemEndpoint) waitFor(id string, done func(parley.Item) bool) []parley.Item {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		items := append([]parley.Item(nil), r.items[id]...)
		r.mu.Unlock()
		for _, it := range items {
			if done(it) {
				return items
			}
		}
		if time.Now().After(deadline) {
			return items
		}
	}
}

// TestStreamedCustomerGetsTheFlow is Connect's documented sequence for a streamed (websocket-less) customer:
// StartChatContact, StartContactStreaming, CreateParticipantConnection with CONNECTION_CREDENTIALS and
// ConnectParticipant. On Connect the flow starts only then; parley ran its first block in StartChatContact, so
// the stream starts at the chat's first item: the endpoint gets the flow's "Send message" text, then the
// customer's message, in order.
func TestStreamedCustomerGetsTheFlow(t *testing.T) {
	rec := &itemEndpoint{items: map[string][]parley.Item{}}
	e := newEnv(t, func(c *server.Config) { c.StreamingEndpoint = rec })
	queue := basicQueueARN(t, e)
	flow, err := e.cc.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: aws.String(e.srv.InstanceID),
		Name: aws.String("Greeting"), Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(
			`{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"MessageParticipant",` +
				`"Parameters":{"Text":"Welcome to parley"},"Transitions":{"NextAction":"q"}},` +
				`{"Identifier":"q","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"` + queue + `"},"Transitions":{"NextAction":"t","Errors":[{"NextAction":"x","ErrorType":"NoMatchingError"}]}},` +
				`{"Identifier":"t","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"x","Errors":[{"NextAction":"x","ErrorType":"QueueAtCapacity"},{"NextAction":"x","ErrorType":"NoMatchingError"}]}},` +
				`{"Identifier":"x","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = flow.ContactFlowId })
	st, err := e.cc.StartContactStreaming(ctx(t), &connect.StartContactStreamingInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID), ClientToken: aws.String("s"),
		ChatStreamingConfiguration: &ctypes.ChatStreamingConfiguration{StreamingEndpointArn: aws.String("arn:aws:sns:us-west-2:000000000000:t")}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(ch.ParticipantToken), Type: awsv1.StringSlice([]string{"CONNECTION_CREDENTIALS"}),
		ConnectParticipant: awsv1.Bool(true)})
	if err != nil {
		t.Fatalf("CreateParticipantConnection with ConnectParticipant as the customer: %v", err)
	}
	if out.Websocket != nil || out.ConnectionCredentials == nil {
		t.Fatalf("CreateParticipantConnection = %+v, want credentials only", out)
	}
	e.send(awsv1.StringValue(out.ConnectionCredentials.ConnectionToken), "hi")

	items := rec.waitFor(aws.ToString(st.StreamingId), func(it parley.Item) bool {
		return it.Role == parley.RoleCustomer && it.Type == parley.ItemMessage && it.Content == "hi"
	})
	var messages []string
	var last int64
	for _, it := range items {
		if it.Seq <= last {
			t.Errorf("item Seq %d delivered after Seq %d", it.Seq, last)
		}
		last = it.Seq
		if it.Type == parley.ItemMessage {
			messages = append(messages, string(it.Role)+": "+it.Content)
		}
	}
	if len(items) == 0 || items[0].Seq != 1 {
		t.Errorf("the stream did not start at the chat's first item: %+v", items)
	}
	if len(messages) != 2 || messages[0] != "SYSTEM: Welcome to parley" || messages[1] != "CUSTOMER: hi" {
		t.Errorf("the endpoint got the messages %q, want the flow's greeting then the customer's", messages)
	}
}

// TestConnectParticipantConnects: a customer's CreateParticipantConnection with ConnectParticipant (with
// CONNECTION_CREDENTIALS, or alone without Type) counts as the customer's connection, as a WebSocket does:
// the connect window does not end the chat. The deprecated connection.acknowledged event is accepted from a
// customer and never shows in the transcript. A chat whose customer never connected ends (the control).
func TestConnectParticipantConnects(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	svc := e.srv.Service()
	cpc := func(token string, types []string) *connectparticipant.CreateParticipantConnectionOutput {
		t.Helper()
		in := &connectparticipant.CreateParticipantConnectionInput{ParticipantToken: awsv1.String(token),
			ConnectParticipant: awsv1.Bool(true)}
		if types != nil {
			in.Type = awsv1.StringSlice(types)
		}
		out, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), in)
		if err != nil {
			t.Fatalf("CreateParticipantConnection %v with ConnectParticipant: %v", types, err)
		}
		return out
	}
	withCredentials, alone, acked, never := e.startChat(), e.startChat(), e.startChat(), e.startChat()
	cpc(withCredentials.ParticipantToken, []string{"CONNECTION_CREDENTIALS"})
	if out := cpc(alone.ParticipantToken, nil); out.ConnectionCredentials != nil || out.Websocket != nil {
		t.Errorf("ConnectParticipant without Type = %+v, want no connection", out)
	}
	ackConn := e.connect(acked.ParticipantToken)
	if _, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: awsv1.String(ackConn.Token),
		ContentType: awsv1.String("application/vnd.amazonaws.connect.event.connection.acknowledged")}); err != nil {
		t.Fatalf("connection.acknowledged from the customer: %v", err)
	}
	for _, it := range e.transcript(ackConn.Token) {
		if awsv1.StringValue(it.ContentType) == "application/vnd.amazonaws.connect.event.connection.acknowledged" {
			t.Errorf("the acknowledgement shows in the transcript: %+v", it)
		}
	}

	clk.add(5*time.Minute + time.Second)
	if n, err := svc.ExpireDue(ctx(t)); err != nil || n != 1 {
		t.Fatalf("ExpireDue after the connect window = %d, %v; want 1 (the never-connected chat)", n, err)
	}
	for id, want := range map[string]string{withCredentials.ContactID: "", alone.ContactID: "", acked.ContactID: "",
		never.ContactID: "CUSTOMER_NEVER_CONNECTED"} {
		d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(d.Contact.DisconnectReason); got != want || (want == "") != (d.Contact.DisconnectTimestamp == nil) {
			t.Errorf("contact %s: disconnect reason %q at %v, want %q", id, got, d.Contact.DisconnectTimestamp, want)
		}
	}
}
