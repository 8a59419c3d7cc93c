package e2e

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/server"
)

// TestSendChatIntegrationEvent: an external channel's events through the official SDK: the first message of a
// customer starts a chat (on the destination instance's default flow, with the session's attributes), later
// ones join it, 20 concurrent first messages of another customer start one chat, a disconnect ends the chat and
// the next message starts a new one; bad events are refused.
func TestSendChatIntegrationEvent(t *testing.T) {
	e := newEnv(t)
	dest := "arn:aws:connect:us-west-2:000000000000:instance/" + e.srv.InstanceID
	send := func(source, typ, ct, content string) (*connect.SendChatIntegrationEventOutput, error) {
		ev := &ctypes.ChatEvent{Type: ctypes.ChatEventType(typ)}
		if ct != "" {
			ev.ContentType = aws.String(ct)
		}
		if content != "" {
			ev.Content = aws.String(content)
		}
		return e.cc.SendChatIntegrationEvent(ctx(t), &connect.SendChatIntegrationEventInput{SourceId: aws.String(source),
			DestinationId: aws.String(dest), Subtype: aws.String("connect:SMS"), Event: ev,
			NewSessionDetails: &ctypes.NewSessionDetails{ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("Kim")},
				Attributes: map[string]string{"origin": "sms"}}})
	}
	first, err := send("+14255550100", "MESSAGE", "text/plain", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(first.NewChatCreated) || aws.ToString(first.InitialContactId) == "" {
		t.Fatalf("first event = %+v", first)
	}
	contactID := aws.ToString(first.InitialContactId)
	second, err := send("+14255550100", "MESSAGE", "text/plain", "are you there?")
	if err != nil {
		t.Fatal(err)
	}
	if second.NewChatCreated == nil || *second.NewChatCreated || aws.ToString(second.InitialContactId) != contactID {
		t.Fatalf("second event = %+v, want the same chat and NewChatCreated false", second)
	}
	if _, err := send("+14255550100", "EVENT", "application/vnd.amazonaws.connect.event.typing", ""); err != nil {
		t.Fatalf("typing: %v", err)
	}
	attrs, err := e.cc.GetContactAttributes(ctx(t), &connect.GetContactAttributesInput{InstanceId: aws.String(e.srv.InstanceID),
		InitialContactId: aws.String(contactID)})
	if err != nil || attrs.Attributes["origin"] != "sms" {
		t.Fatalf("attributes %v, %v", attrs, err)
	}
	botToken, _ := e.addBot(contactID)
	bot := e.connect(botToken)
	var texts []string
	for _, it := range e.transcript(bot.Token) {
		if awsv1.StringValue(it.ParticipantRole) == "CUSTOMER" && awsv1.StringValue(it.Type) == "MESSAGE" {
			texts = append(texts, awsv1.StringValue(it.Content)+" from "+awsv1.StringValue(it.DisplayName))
		}
	}
	if len(texts) != 2 || texts[0] != "hello from Kim" || texts[1] != "are you there? from Kim" {
		t.Errorf("the chat holds %q", texts)
	}

	// Concurrent first events of one customer: one chat.
	var mu sync.Mutex
	ids, created := map[string]bool{}, 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := send("+14255550111", "MESSAGE", "text/plain", "burst")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[aws.ToString(out.InitialContactId)] = true
			if aws.ToBool(out.NewChatCreated) {
				created++
			}
		}()
	}
	wg.Wait()
	if len(ids) != 1 || created != 1 {
		t.Errorf("20 concurrent first events: chats %v, %d created", ids, created)
	}

	// The customer disconnects: the chat ends, and the next message starts another.
	if _, err := send("+14255550100", "DISCONNECT", "", ""); err != nil {
		t.Fatal(err)
	}
	again, err := send("+14255550100", "MESSAGE", "text/plain", "back again")
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(again.NewChatCreated) || aws.ToString(again.InitialContactId) == contactID {
		t.Errorf("after the disconnect = %+v, want a new chat", again)
	}
	none, err := send("+19999999999", "DISCONNECT", "", "")
	if err != nil || none.InitialContactId != nil || aws.ToBool(none.NewChatCreated) {
		t.Errorf("a disconnect without a chat = %+v, %v", none, err)
	}

	_, err = send("+1", "MESSAGE", "", "no content type")
	wantCode(t, err, "InvalidRequestException", 400)
	dest = "arn:aws:connect:us-west-2:000000000000:instance/nope"
	_, err = send("+1", "MESSAGE", "text/plain", "x")
	wantCode(t, err, "ResourceNotFoundException", 404)
}

// TestSendChatIntegrationEventStreams: NewSessionDetails.StreamingConfiguration streams the new chat from its
// first item (the flow's greeting and the customer's message reach the endpoint, in order). A setup that fails
// (a FIFO topic) answers the error and leaves no chat behind: the retry with a good topic starts a new chat
// and streams it.
func TestSendChatIntegrationEventStreams(t *testing.T) {
	rec := &itemEndpoint{items: map[string][]parley.Item{}}
	e := newEnv(t, func(c *server.Config) { c.StreamingEndpoint = rec })
	send := func(topic, content string) (*connect.SendChatIntegrationEventOutput, error) {
		return e.cc.SendChatIntegrationEvent(ctx(t), &connect.SendChatIntegrationEventInput{SourceId: aws.String("+14255550123"),
			DestinationId: aws.String(e.srv.InstanceID), Subtype: aws.String("connect:SMS"),
			Event: &ctypes.ChatEvent{Type: ctypes.ChatEventTypeMessage, ContentType: aws.String("text/plain"), Content: aws.String(content)},
			NewSessionDetails: &ctypes.NewSessionDetails{StreamingConfiguration: &ctypes.ChatStreamingConfiguration{
				StreamingEndpointArn: aws.String(topic)}}})
	}
	_, err := send("arn:aws:sns:us-west-2:000000000000:chat.fifo", "lost")
	wantCode(t, err, "InvalidParameterException", 400)
	out, err := send("arn:aws:sns:us-west-2:000000000000:chat", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.NewChatCreated) {
		t.Fatalf("after a failed setup = %+v, want a new chat", out)
	}
	var streamID string
	for deadline := time.Now().Add(10 * time.Second); streamID == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		rec.mu.Lock()
		for id, items := range rec.items {
			if len(items) > 0 && items[0].ChainID == aws.ToString(out.InitialContactId) {
				streamID = id
			}
		}
		rec.mu.Unlock()
	}
	items := rec.waitFor(streamID, func(it parley.Item) bool { return it.Role == parley.RoleCustomer && it.Type == parley.ItemMessage })
	var customer []string
	for i, it := range items {
		if it.ChainID != aws.ToString(out.InitialContactId) {
			t.Errorf("item of chat %s streamed, want only %s", it.ChainID, aws.ToString(out.InitialContactId))
		}
		if i == 0 && it.Seq != 1 {
			t.Errorf("the stream starts at Seq %d, want the chat's first item", it.Seq)
		}
		if it.Role == parley.RoleCustomer && it.Type == parley.ItemMessage {
			customer = append(customer, it.Content)
		}
	}
	if len(customer) != 1 || customer[0] != "hello" {
		t.Errorf("the customer's streamed messages: %q, want [hello]", customer)
	}
}
