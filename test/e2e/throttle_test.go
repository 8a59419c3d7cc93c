package e2e

import (
	"testing"
	"time"

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
// SendMessage per instance (burst 15), and an operation given its own rate. The server's clock is fake, so
// the buckets refill only when the test moves it: the counts are exact.
func TestConnectQuotas(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) {
		c.Clock = clk
		c.Chat.TimerInterval = time.Hour
		c.Throttling = throttle.Config{ConnectQuotas: true, Operations: map[string]throttle.Rate{"GetTranscript": {Rate: 1, Burst: 2}}}
	})
	cc := connect.NewFromConfig(aws.Config{Region: e.srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(e.srv.URL); o.RetryMaxAttempts = 1 })
	var token string
	burst := func(n int) (ok, throttled int) {
		for range n {
			out, err := cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID),
				ContactFlowId: aws.String(e.srv.ContactFlowID), ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}})
			switch {
			case err == nil:
				ok, token = ok+1, aws.ToString(out.ParticipantToken)
			case awsCode(err) == "ThrottlingException" && statusCode(err) == 429:
				throttled++
			default:
				t.Fatalf("StartChatContact: %v", err)
			}
		}
		return ok, throttled
	}
	if ok, throttled := burst(12); ok != 8 || throttled != 4 {
		t.Errorf("StartChatContact: %d accepted, %d throttled; want Connect's burst of 8, then 4 throttled", ok, throttled)
	}
	clk.add(time.Second) // refills Connect's rate of 5 a second
	if ok, throttled := burst(7); ok != 5 || throttled != 2 {
		t.Errorf("StartChatContact a second later: %d accepted, %d throttled; want 5 and 2", ok, throttled)
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
	if sent != 15 || refused != 10 {
		t.Errorf("SendMessage: %d sent, %d throttled; want Connect's burst of 15, then 10 throttled", sent, refused)
	}
	for i := range 3 {
		_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: awsv1.String(cust.Token)})
		if throttledErr := err != nil && awsCode(err) == "ThrottlingException"; throttledErr != (i == 2) {
			t.Errorf("GetTranscript %d (burst 2 configured): %v", i+1, err)
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
