package e2e

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
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
	if aws.ToBool(second.NewChatCreated) || aws.ToString(second.InitialContactId) != contactID {
		t.Fatalf("second event = %+v, want the same chat", second)
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
