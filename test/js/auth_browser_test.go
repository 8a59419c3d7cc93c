package js_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// TestWidgetSignInInChromium: parley's widget, on parley's demo page in headless Chromium, when the flow asks the
// customer to sign in (auth.browser.js says how): a "Sign in" button opens the identity provider's sign-in page
// in a popup (a fake OpenID Connect provider on loopback, which signs Ann in at once and sends the popup to
// parley's callback page), the outcome shows in the chat, and the flow's second request is declined with
// "Continue without signing in". The server then knows the customer as the provider's user.
func TestWidgetSignInInChromium(t *testing.T) {
	node, dir := browserPrereqs(t)
	fake := oidctest.New(t, oidctest.User{Subject: "user-7", GivenName: "Ann"})
	srv := testserver.Start(t, func(c *server.Config) {
		c.Authentication = oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}
	})
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	cc := sdk(srv)
	if _, err := cc.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: aws.String(srv.InstanceID),
		ContactFlowId: aws.String(srv.ContactFlowID), Content: aws.String(oidctest.SignInTwiceFlow)}); err != nil {
		t.Fatalf("UpdateContactFlowContent: %v", err)
	}

	runBrowser(t, ctx, node, dir, "auth.browser.js", "PAGE_URL="+srv.URL+"/", "CALLBACK_URL="+srv.URL+server.AuthCallbackPath)

	// The browser's sign-in reached the server: parley redeemed the provider's code once.
	if n := fake.TokenCalls(); n != 1 {
		t.Errorf("the provider's token endpoint was called %d times, want 1", n)
	}
}

// signInThenQueue is a contact flow that asks the customer to sign in, greets them by name, and queues the chat
// on the queue whose ARN fills %s, whatever the sign-in's outcome.
const signInThenQueue = `{"Version":"2019-10-30","StartAction":"Auth","Actions":[
{"Identifier":"Auth","Type":"AuthenticateParticipant","Parameters":{"TimeLimitMinutes":"3"},
 "Transitions":{"NextAction":"Hello","Conditions":[{"NextAction":"Queue","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
  "Errors":[{"NextAction":"Queue","ErrorType":"TimeLimitExceeded"},{"NextAction":"Queue","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Hello","Type":"MessageParticipant","Parameters":{"Text":"Welcome back $.Customer.FirstName"},"Transitions":{"NextAction":"Queue"}},
{"Identifier":"Queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%s"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Transitions":{"NextAction":"End","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// TestAgentSeesSignInInChromium: a customer signs in from the widget, the flow queues the chat, and the demo agent
// who accepts it in the workspace sees the sign-in in the chat (agentauth.browser.js says how).
func TestAgentSeesSignInInChromium(t *testing.T) {
	node, dir := browserPrereqs(t)
	fake := oidctest.New(t, oidctest.User{Subject: "user-9", GivenName: "Ann"})
	srv := testserver.Start(t, func(c *server.Config) {
		c.Authentication = oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}
	})
	user, password, ok := srv.DemoAgent()
	if !ok {
		t.Fatal("no demo agent")
	}
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	cc := sdk(srv)
	q, err := cc.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: aws.String(srv.InstanceID), QueueId: aws.String(basicQueue(t, cc, srv))})
	if err != nil {
		t.Fatalf("DescribeQueue: %v", err)
	}
	if _, err := cc.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: aws.String(srv.InstanceID),
		ContactFlowId: aws.String(srv.ContactFlowID), Content: aws.String(fmt.Sprintf(signInThenQueue, aws.ToString(q.Queue.QueueArn)))}); err != nil {
		t.Fatalf("UpdateContactFlowContent: %v", err)
	}
	runBrowser(t, ctx, node, dir, "agentauth.browser.js", "PAGE_URL="+srv.URL+"/", "CALLBACK_URL="+srv.URL+server.AuthCallbackPath,
		"BASE_URL="+srv.URL, "AGENT_USER="+user, "AGENT_PASSWORD="+password)
}
