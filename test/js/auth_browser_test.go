package js_test

import (
	"context"
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
