package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// TestAuthentication: a customer's session sees the authentication events as their own event types, asks for the
// sign-in URL, signs in at a fake OpenID Connect provider whose redirect lands on parley's callback page, and then
// opts out of the flow's second sign-in — against a real parley server.
func TestAuthentication(t *testing.T) {
	srv, flowID := testserver.StartWithSignIn(t)
	ctx := testCtx(t)
	cd := startChat(t, srv, srv.URL, func(in *client.StartChatInput) { in.ContactFlowID = flowID })
	cust, r := session(t, srv.URL, cd, client.Options{ReplayTranscript: true})
	if _, err := cust.GetAuthenticationURL(ctx, strings.Repeat("0", 36), srv.URL); !errors.Is(err, client.ErrNotConnected) {
		t.Fatalf("GetAuthenticationURL before Connect: %v, want ErrNotConnected", err)
	}
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}

	first := r.waitItem(t, client.EventAuthenticationInitiated, nil)
	session := client.AuthenticationSessionID(first.Item)
	if len(session) != 36 || first.Item.ContentType != client.ContentTypeAuthenticationInitiated {
		t.Fatalf("authentication.initiated %+v: SessionId %q", first.Item, session)
	}
	var ae *client.APIError
	if _, err := cust.GetAuthenticationURL(ctx, "0f8fad5b-d9cb-469f-a165-70867728950e", srv.URL+server.AuthCallbackPath); !errors.As(err, &ae) ||
		ae.Code != "ValidationException" || ae.Operation != "GetAuthenticationUrl" {
		t.Fatalf("GetAuthenticationURL for another session: %v, want a ValidationException", err)
	}
	u, err := cust.GetAuthenticationURL(ctx, session, srv.URL+server.AuthCallbackPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, srv.Config().Authentication.Issuer+"/") {
		t.Fatalf("the sign-in URL %s is not the provider's", u)
	}
	// The browser: the provider signs the customer in and sends them to parley's callback page.
	oidctest.Browse(t, u, server.AuthCallbackPath)
	ok := r.waitItem(t, client.EventAuthenticationSuccessful, nil)
	if got := client.AuthenticationSessionID(ok.Item); got != session {
		t.Errorf("authentication.succeeded for session %q, want %q", got, session)
	}

	// The flow asks again; the customer goes on without signing in.
	second := r.waitItem(t, client.EventAuthenticationInitiated, func(e client.Event) bool {
		return client.AuthenticationSessionID(e.Item) != session
	})
	again := client.AuthenticationSessionID(second.Item)
	if err := cust.CancelAuthentication(ctx, again); err != nil {
		t.Fatal(err)
	}
	if got := client.AuthenticationSessionID(r.waitItem(t, client.EventAuthenticationCanceled, nil).Item); got != again {
		t.Errorf("authentication.cancelled for session %q, want %q", got, again)
	}
	if err := cust.CancelAuthentication(ctx, again); !errors.As(err, &ae) || ae.Code != "ValidationException" {
		t.Errorf("CancelAuthentication of an ended session: %v, want a ValidationException", err)
	}
	evs := r.waitFor(t, "the opted-out branch", func(evs []client.Event) bool {
		for _, e := range evs {
			if e.Item.Content == "Anything else?" {
				return true
			}
		}
		return false
	})
	// The order the chat had, and no authentication event delivered as a message.
	var got []string
	for _, e := range evs {
		switch {
		case e.Type == client.EventMessage && strings.Contains(e.Item.ContentType, "authentication"):
			t.Errorf("an authentication event delivered as a message: %+v", e.Item)
		case strings.HasPrefix(e.Type.String(), "authentication"):
			got = append(got, e.Type.String())
		case e.Type == client.EventMessage && e.Item.ParticipantRole == client.RoleSystem && e.Item.Type == client.ItemTypeMessage:
			got = append(got, e.Item.Content)
		}
	}
	want := []string{"authenticationInitiated", "authenticationSuccessful", "Welcome back Ann", "authenticationInitiated",
		"authenticationCanceled", "You chose not to sign in.", "Anything else?"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q\n%s", got, want, dump(evs))
	}
}
