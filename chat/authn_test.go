package chat_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/chat"
)

// authActions sign the customer in and say which branch the flow took; success greets the customer by claims.
var authActions = []string{
	`{"Identifier":"auth","Type":"AuthenticateParticipant","Parameters":{"TimeLimitMinutes":"3"},"Transitions":{"NextAction":"hello",
	  "Conditions":[{"NextAction":"optedout","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
	  "Errors":[{"NextAction":"timeout","ErrorType":"TimeLimitExceeded"},{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`,
	`{"Identifier":"hello","Type":"MessageParticipant","Parameters":{"Text":"Hello $.Customer.FirstName, you are $.CustomerId"},"Transitions":{"NextAction":"end"}}`,
	`{"Identifier":"optedout","Type":"MessageParticipant","Parameters":{"Text":"opted out"},"Transitions":{"NextAction":"end"}}`,
	`{"Identifier":"timeout","Type":"MessageParticipant","Parameters":{"Text":"timed out"},"Transitions":{"NextAction":"end"}}`,
	`{"Identifier":"error","Type":"MessageParticipant","Parameters":{"Text":"failed"},"Transitions":{"NextAction":"end"}}`,
	`{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}`,
}

const redirect = "https://shop.example.com/signed-in"

// authFixture is a flow fixture whose service signs customers in with a fake provider.
func authFixture(t *testing.T) (*flowFixture, *oidctest.Provider) {
	t.Helper()
	f := newFlowFixture(t)
	fake := oidctest.New(t, oidctest.User{Subject: "user-42", Email: "ann@example.com", GivenName: "Anne"})
	p, err := oidc.New(oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.svc.SetIdentityProvider(p)
	return f, fake
}

// sessionID returns the SessionId of the chat's authentication.initiated event.
func (f *flowFixture) sessionID(chain string) string {
	f.t.Helper()
	items, err := f.st.ListItems(f.t.Context(), parley.ItemQuery{ChainID: chain})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, it := range items {
		if strings.HasSuffix(it.ContentType, "authentication.initiated") {
			var c struct{ SessionId string }
			if err := json.Unmarshal([]byte(it.Content), &c); err != nil || len(c.SessionId) != 36 {
				f.t.Fatalf("initiated content %q: %v", it.Content, err)
			}
			return c.SessionId
		}
	}
	f.t.Fatal("no authentication.initiated event")
	return ""
}

func TestAuthenticationSucceeds(t *testing.T) {
	f, _ := authFixture(t)
	c := f.start(f.flow("auth", "auth", authActions...), nil)
	chain := c.Contact.ID
	session := f.sessionID(chain)
	if _, err := f.svc.AuthenticationURL(t.Context(), c, "0f8fad5b-d9cb-469f-a165-70867728950e", redirect); !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("another session: %v, want EINVALID", err)
	}
	if _, err := f.svc.AuthenticationURL(t.Context(), c, session, "/relative"); !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("a relative RedirectUri: %v, want EINVALID", err)
	}
	u, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect)
	if err != nil {
		t.Fatal(err)
	}
	back := oidctest.SignIn(t, u, redirect)
	in := chat.AuthenticationUpdate{InstanceID: f.inst.ID, State: back.Get("state"), Code: back.Get("code")}
	if err := f.svc.UpdateAuthentication(t.Context(), chat.AuthenticationUpdate{InstanceID: f.inst.ID,
		State: back.Get("state") + "x", Code: back.Get("code")}); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("a forged state: %v, want EREQUEST", err)
	}
	if err := f.svc.UpdateAuthentication(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.GetContact(t.Context(), chain)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomerID != "user-42" || !strings.Contains(string(got.SegmentAttributes), `"connect:CustomerAuthentication":{"ValueMap":{"Status":{"ValueString":"AUTHENTICATED"}}}`) {
		t.Errorf("contact CustomerId %q, segment attributes %s", got.CustomerID, got.SegmentAttributes)
	}
	wantTimeline(t, f, chain, "SYSTEM authentication.initiated", "SYSTEM authentication.succeeded",
		"CUSTOMER participant.displayname.updated", "SYSTEM: Hello Anne, you are user-42", "SYSTEM chat.ended")
	if p, err := f.st.GetParticipant(t.Context(), c.Participant.ID); err != nil || p.DisplayName != "Anne" {
		t.Errorf("the customer's display name after signing in: %+v, %v; want Anne (the given_name)", p, err)
	}
	if err := f.svc.UpdateAuthentication(t.Context(), in); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("the same state again: %v, want EREQUEST (the session ended)", err)
	}
}

func TestAuthenticationEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, f *flowFixture, fake *oidctest.Provider, c *chat.Caller, session string)
		want string
	}{
		{name: "provider error", want: "failed", end: func(t *testing.T, f *flowFixture, _ *oidctest.Provider, c *chat.Caller, session string) {
			u, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect)
			if err != nil {
				t.Fatal(err)
			}
			back := oidctest.SignIn(t, u, redirect)
			err = f.svc.UpdateAuthentication(t.Context(), chat.AuthenticationUpdate{InstanceID: f.inst.ID,
				State: back.Get("state"), Error: "access_denied", ErrorDesc: "the user said no"})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{name: "wrong nonce", want: "failed", end: func(t *testing.T, f *flowFixture, fake *oidctest.Provider, c *chat.Caller, session string) {
			fake.WrongNonce()
			u, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect)
			if err != nil {
				t.Fatal(err)
			}
			back := oidctest.SignIn(t, u, redirect)
			err = f.svc.UpdateAuthentication(t.Context(), chat.AuthenticationUpdate{InstanceID: f.inst.ID,
				State: back.Get("state"), Code: back.Get("code")})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{name: "cancel", want: "cancelled", end: func(t *testing.T, f *flowFixture, _ *oidctest.Provider, c *chat.Caller, session string) {
			if err := f.svc.CancelAuthentication(t.Context(), c, session); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "timeout", want: "timeout", end: func(t *testing.T, f *flowFixture, _ *oidctest.Provider, c *chat.Caller, session string) {
			// The URL was asked for: the session does not expire after a minute, and times out at its limit.
			f.clk.add(30 * time.Second)
			if _, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect); err != nil {
				t.Fatal(err)
			}
			f.clk.add(time.Minute)
			if _, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect); !parley.IsCode(err, parley.EREQUEST) {
				t.Errorf("GetAuthenticationUrl after a minute: %v, want EREQUEST", err)
			}
			if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 0 {
				t.Fatalf("FireFlowTimers after 90 s with the URL asked for: %d, %v; want 0 (no expiry)", n, err)
			}
			f.clk.add(90*time.Second + time.Second)
			if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 1 {
				t.Fatalf("FireFlowTimers: %d, %v", n, err)
			}
		}},
		{name: "late timer", want: "timeout", end: func(t *testing.T, f *flowFixture, _ *oidctest.Provider, _ *chat.Caller, _ string) {
			// A timer that fires only after the time limit (the server was down) ends the session as timed out.
			f.clk.add(3*time.Minute + time.Second)
			if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 1 {
				t.Fatalf("FireFlowTimers: %d, %v", n, err)
			}
		}},
		{name: "expired", want: "expired", end: func(t *testing.T, f *flowFixture, _ *oidctest.Provider, c *chat.Caller, session string) {
			// Nobody asks for the URL within a minute: the session expires then, long before its time limit.
			f.clk.add(59 * time.Second)
			if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 0 {
				t.Fatalf("FireFlowTimers within the minute: %d, %v; want 0", n, err)
			}
			f.clk.add(2 * time.Second)
			if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 1 {
				t.Fatalf("FireFlowTimers after the minute: %d, %v; want 1", n, err)
			}
			if _, err := f.svc.AuthenticationURL(t.Context(), c, session, redirect); !parley.IsCode(err, parley.EINVALID) {
				t.Errorf("GetAuthenticationUrl for the expired session: %v, want EINVALID (no session waits)", err)
			}
			if err := f.svc.CancelAuthentication(t.Context(), c, session); !parley.IsCode(err, parley.EINVALID) {
				t.Errorf("CancelParticipantAuthentication for the expired session: %v, want EINVALID", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, fake := authFixture(t)
			c := f.start(f.flow("auth", "auth", authActions...), nil)
			tc.end(t, f, fake, c, f.sessionID(c.Contact.ID))
			branch := map[string]string{"failed": "failed", "cancelled": "opted out", "timeout": "timed out",
				"expired": "timed out"}[tc.want]
			wantTimeline(t, f, c.Contact.ID, "SYSTEM authentication.initiated", "SYSTEM authentication."+tc.want,
				"SYSTEM: "+branch, "SYSTEM chat.ended")
			got, err := f.st.GetContact(t.Context(), c.Contact.ID)
			if err != nil || got.CustomerID != "" {
				t.Errorf("CustomerId %q after a sign-in that did not succeed (%v)", got.CustomerID, err)
			}
		})
	}
}

func TestAuthenticationNotConfigured(t *testing.T) {
	f := newFlowFixture(t)
	actions := append([]string{}, authActions...)
	actions[4] = `{"Identifier":"error","Type":"GetParticipantInput","Parameters":{"Text":"failed","InputTimeLimitSeconds":"60"},"Transitions":{"NextAction":"end"}}`
	c := f.start(f.flow("auth", "auth", actions...), nil)
	wantTimeline(t, f, c.Contact.ID, "SYSTEM: failed")
	if _, err := f.svc.AuthenticationURL(t.Context(), c, "0f8fad5b-d9cb-469f-a165-70867728950e", redirect); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("GetAuthenticationUrl: %v, want EREQUEST", err)
	}
}
