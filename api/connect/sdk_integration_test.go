package connect

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
)

// TestSDKIntegrationDestinations: configured DestinationIds (End User Messaging phone number ARNs, as Connect
// takes them) start chats where they map to — an instance or a contact flow ARN —, each destination its own chat
// for one customer; an unknown one, or one mapped to nothing of this server, is ResourceNotFoundException naming
// what is wrong.
func TestSDKIntegrationDestinations(t *testing.T) {
	const (
		toInstance = "arn:aws:sms-voice:us-west-2:123456789012:phone-number/phone-number-1"
		toFlow     = "arn:aws:sms-voice:us-west-2:123456789012:phone-number/phone-number-2"
		broken     = "arn:aws:sms-voice:us-west-2:123456789012:phone-number/phone-number-3"
		unknown    = "arn:aws:sms-voice:us-west-2:123456789012:phone-number/phone-number-4"
	)
	dests := map[string]string{}
	e := newStreamEnv(t, &recorder{}, WithIntegrationDestinations(dests))
	dests[toInstance] = e.inst.ARN
	dests[toFlow] = e.flow.ARN
	dests[broken] = e.inst.ARN + "/contact-flow/nope"
	send := func(dest string) (*connect.SendChatIntegrationEventOutput, error) {
		return e.client.SendChatIntegrationEvent(t.Context(), &connect.SendChatIntegrationEventInput{
			SourceId: aws.String("+14255550199"), DestinationId: aws.String(dest), Subtype: aws.String("connect:sms"),
			Event: &types.ChatEvent{Type: types.ChatEventTypeMessage, ContentType: aws.String("text/plain"), Content: aws.String("hi")}})
	}
	chats := map[string]bool{}
	for _, dest := range []string{toInstance, toFlow} {
		out, err := send(dest)
		if err != nil {
			t.Fatalf("%s: %v", dest, err)
		}
		if !aws.ToBool(out.NewChatCreated) {
			t.Errorf("%s: %+v, want a new chat", dest, out)
		}
		d, err := e.client.DescribeContact(t.Context(), &connect.DescribeContactInput{InstanceId: aws.String(e.inst.ID),
			ContactId: out.InitialContactId})
		if err != nil {
			t.Fatalf("%s: the chat is not on the mapped instance: %v", dest, err)
		}
		chats[aws.ToString(d.Contact.Id)] = true
	}
	if len(chats) != 2 {
		t.Errorf("one customer writing to two destinations has chats %v, want two", chats)
	}
	for dest, want := range map[string]string{broken: "configured to start chats on", unknown: "neither an instance nor"} {
		_, err := send(dest)
		var apiErr smithy.APIError
		var re *awshttp.ResponseError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" || !errors.As(err, &re) ||
			re.HTTPStatusCode() != 404 || !strings.Contains(apiErr.ErrorMessage(), want) {
			t.Errorf("%s: %v, want ResourceNotFoundException (404) saying %q", dest, err, want)
		}
	}
}
