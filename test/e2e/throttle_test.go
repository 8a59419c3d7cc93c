package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// TestConnectQuotas: with throttling.connect_quotas on, a burst beyond Connect's quota gets 429
// ThrottlingException, as the official SDKs (retries off) read it: StartChatContact per account (burst 8),
// SendMessage per instance (burst 15), and an operation given its own rate.
func TestConnectQuotas(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.Throttling = throttle.Config{ConnectQuotas: true, Operations: map[string]throttle.Rate{"GetTranscript": {Rate: 0.01, Burst: 2}}}
	})
	cc := connect.NewFromConfig(aws.Config{Region: e.srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(e.srv.URL); o.RetryMaxAttempts = 1 })
	start := func() (string, error) {
		out, err := cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactFlowId: aws.String(e.srv.ContactFlowID), ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ParticipantToken), nil
	}
	var token string
	ok, throttled := 0, 0
	for range 12 {
		pt, err := start()
		switch {
		case err == nil:
			ok, token = ok+1, pt
		case awsCode(err) == "ThrottlingException" && statusCode(err) == 429:
			throttled++
		default:
			t.Fatalf("StartChatContact: %v", err)
		}
	}
	// The bucket refills at 5/s while the loop runs: at least the burst, never all 12.
	if ok < 8 || throttled == 0 {
		t.Errorf("StartChatContact: %d accepted, %d throttled; want at least 8 and some throttled", ok, throttled)
	}

	cust := e.connect(token)
	sent, refused := 0, 0
	for range 25 {
		_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
			ConnectionToken: awsv1.String(cust.Token), ContentType: awsv1.String("text/plain"), Content: awsv1.String("hi")})
		switch {
		case err == nil:
			sent++
		case awsCode(err) == "ThrottlingException" && statusCode(err) == 429:
			refused++
		default:
			t.Fatalf("SendMessage: %v", err)
		}
	}
	if sent < 15 || refused == 0 {
		t.Errorf("SendMessage: %d sent, %d throttled; want at least 15 and some throttled", sent, refused)
	}
	for i := range 3 {
		_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: awsv1.String(cust.Token)})
		if throttledErr := err != nil && awsCode(err) == "ThrottlingException"; throttledErr != (i == 2) {
			t.Errorf("GetTranscript %d: %v", i+1, err)
		}
	}
}

// TestNoThrottlingByDefault: without throttling configured, bursts far past Connect's quotas all succeed.
func TestNoThrottlingByDefault(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	for range 40 {
		e.send(cust.Token, "fast")
	}
	for range 20 {
		e.startChat()
	}
}
