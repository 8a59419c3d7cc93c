//go:build linux

package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// TestChatInteractiveSignIn: when the flow asks the customer to sign in, parley chat prints the sign-in link;
// following it in a "browser" signs the customer in (the provider sends the browser to parley's callback page),
// and /skip goes on without signing in the second time.
func TestChatInteractiveSignIn(t *testing.T) {
	master, tty, screen, _ := terminal(t)
	fake := oidctest.New(t, oidctest.User{Subject: "user-7", GivenName: "Ann"})
	srv := testserver.Start(t, func(c *server.Config) {
		c.Authentication = oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}
	})
	ctx := testContext(t)
	cc := connect.NewFromConfig(aws.Config{Region: srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	f, err := cc.CreateContactFlow(ctx, &connect.CreateContactFlowInput{InstanceId: aws.String(srv.InstanceID),
		Name: aws.String("Sign in"), Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(oidctest.SignInTwiceFlow)})
	if err != nil {
		t.Fatal(err)
	}
	done := goRun(t, ctx, func(ctx context.Context) (int, error) {
		return runChat(ctx, []string{"--endpoint", srv.URL, "--name", "Guest", "--instance-id", srv.InstanceID,
			"--contact-flow-id", aws.ToString(f.ContactFlowId)}, noEnv, tty, tty, io.Discard)
	})

	waitOutput(t, screen, "open the link in a browser; /skip goes on without signing in")
	m := regexp.MustCompile(`Please sign in to your account: (\S+)`).FindStringSubmatch(screen.String())
	if m == nil {
		t.Fatalf("no sign-in link on the screen:\n%s", screen.String())
	}
	resp, err := http.Get(m[1]) // the browser: the provider signs Ann in and sends her to parley's callback
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != server.AuthCallbackPath {
		t.Fatalf("the browser ended at %s with %s", resp.Request.URL, resp.Status)
	}
	waitOutput(t, screen, "* You are now signed in to your account")
	waitOutput(t, screen, ": Welcome back Ann")

	// The flow asks again: /skip.
	deadline := time.Now().Add(testWait)
	for strings.Count(screen.String(), "Please sign in to your account: ") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no second sign-in link:\n%s", screen.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	master.Write([]byte("/skip\r"))
	waitOutput(t, screen, "* Sign in cancelled")
	waitOutput(t, screen, ": You chose not to sign in.")

	quitChat(t, master, screen, done)
}
