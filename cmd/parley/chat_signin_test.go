//go:build linux

package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// TestChatInteractiveSignIn: when the flow asks the customer to sign in, parley chat prints the sign-in link;
// following it in a "browser" signs the customer in (the provider sends the browser to parley's callback page),
// and /skip goes on without signing in the second time.
func TestChatInteractiveSignIn(t *testing.T) {
	master, tty, screen, _ := terminal(t)
	ctx := testContext(t)
	srv, flowID := testserver.StartWithSignIn(t)
	done := goRun(t, ctx, func(ctx context.Context) (int, error) {
		return runChat(ctx, []string{"--endpoint", srv.URL, "--name", "Guest", "--instance-id", srv.InstanceID,
			"--contact-flow-id", flowID}, noEnv, tty, tty, io.Discard)
	})

	waitOutput(t, screen, "open the link in a browser; /skip goes on without signing in")
	m := regexp.MustCompile(`Please sign in to your account: (\S+)`).FindStringSubmatch(screen.String())
	if m == nil {
		t.Fatalf("no sign-in link on the screen:\n%s", screen.String())
	}
	oidctest.Browse(t, m[1], server.AuthCallbackPath)
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

// TestChatScriptSignIn: in scripting mode, an authentication.initiated event is followed by an
// "authenticationUrl" line with the sign-in link; following it signs the customer in.
func TestChatScriptSignIn(t *testing.T) {
	ctx := testContext(t)
	srv, flowID := testserver.StartWithSignIn(t)
	stdin, out, done := startRunChat(t, ctx, "--endpoint", srv.URL, "--name", "Guest", "--instance-id", srv.InstanceID,
		"--contact-flow-id", flowID)
	asked := waitEvent(t, out, "authentication.initiated", func(l jsonLine) bool {
		return l.Item != nil && l.Item.ContentType == client.ContentTypeAuthenticationInitiated
	})
	link := waitEvent(t, out, "the sign-in link", func(l jsonLine) bool { return l.Event == "authenticationUrl" })
	if want := client.AuthenticationSessionID(*asked.Item); link.ID != want || !strings.HasPrefix(link.Content, "http") {
		t.Fatalf("authenticationUrl line %+v, want the link of session %s", link, want)
	}
	oidctest.Browse(t, link.Content, server.AuthCallbackPath)
	waitEvent(t, out, "the greeting after signing in", func(l jsonLine) bool {
		return l.Event == "message" && l.Item.Content == "Welcome back Ann"
	})
	stdin.Close()
	if r := result(t, done); r.err != nil || r.code != exitLeft {
		t.Fatalf("parley chat ended with %d, %v; want %d", r.code, r.err, exitLeft)
	}
}
