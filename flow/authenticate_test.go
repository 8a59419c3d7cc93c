package flow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/flow"
)

// authEnv is a fakeEnv that can authenticate the customer.
type authEnv struct {
	*fakeEnv
	sessions int
}

func (e *authEnv) StartAuthentication(context.Context) (string, error) {
	if err := e.err("StartAuthentication"); err != nil {
		return "", err
	}
	e.sessions++
	id := fmt.Sprintf("s-%d", e.sessions)
	e.log("authentication.initiated %s", id)
	return id, nil
}

func (e *authEnv) EndAuthentication(_ context.Context, r flow.AuthResult) error {
	e.log("authentication %s %s %s", r.SessionID, r.Outcome, r.CustomerID)
	return nil
}

// authFlow signs the customer in, then greets them by their claims; each branch says its name.
var authFlow = []string{
	`{"Identifier":"auth","Type":"AuthenticateParticipant","Parameters":{"CognitoConfiguration":{"UserPoolArn":"arn:aws:cognito-idp:us-east-1:111122223333:userpool/p","AppClientId":"c"},"CustomerProfilesConfiguration":{"ObjectTypeName":"Default"},"TimeLimitMinutes":"5"},
	  "Transitions":{"NextAction":"hello","Conditions":[{"NextAction":"optedout","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
	  "Errors":[{"NextAction":"timeout","ErrorType":"TimeLimitExceeded"},{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`,
	`{"Identifier":"hello","Type":"MessageParticipant","Parameters":{"Text":"Hello $.Customer.FirstName ($.CustomerId, $.Customer.EmailAddress)"},"Transitions":{}}`,
	say("optedout"), say("timeout"), say("error"),
}

func TestAuthenticateParticipant(t *testing.T) {
	ok := flow.AuthResult{SessionID: "s-1", Outcome: flow.AuthSucceeded, CustomerID: "user-42",
		Customer: map[string]string{"FirstName": "Ann", "EmailAddress": "ann@example.com"}}
	for _, tc := range []struct {
		name   string
		inputs []flow.Input
		want   []string
		status flow.Status
	}{
		{name: "waits", want: []string{"authentication.initiated s-1"}, status: flow.StatusWaiting},
		{name: "success", inputs: []flow.Input{flow.Authenticated(ok)},
			want: []string{"authentication.initiated s-1", "authentication s-1 SUCCEEDED user-42",
				"say Hello Ann (user-42, ann@example.com)"}, status: flow.StatusEnded},
		{name: "opted out", inputs: []flow.Input{flow.Authenticated(flow.AuthResult{SessionID: "s-1", Outcome: flow.AuthCancelled})},
			want: []string{"authentication.initiated s-1", "authentication s-1 CANCELLED ", "say optedout"}, status: flow.StatusEnded},
		{name: "failed", inputs: []flow.Input{flow.Authenticated(flow.AuthResult{SessionID: "s-1", Outcome: flow.AuthFailed, Detail: "bad nonce"})},
			want: []string{"authentication.initiated s-1", "authentication s-1 FAILED ", "say error"}, status: flow.StatusEnded},
		{name: "expired", inputs: []flow.Input{flow.Timeout()}, // nobody asked for the URL within a minute
			want: []string{"authentication.initiated s-1", "authentication s-1 EXPIRED ", "say timeout"}, status: flow.StatusEnded},
		{name: "another session's end changes nothing", inputs: []flow.Input{flow.Authenticated(flow.AuthResult{SessionID: "s-0", Outcome: flow.AuthSucceeded}),
			flow.CustomerMessage("hi")}, want: []string{"authentication.initiated s-1"}, status: flow.StatusWaiting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &authEnv{fakeEnv: newEnv()}
			env.add(t, "main", parse(t, doc(authFlow...)))
			st, out := runIn(t, env, env.fakeEnv, tc.inputs...)
			checkEffects(t, env.fakeEnv, tc.want)
			if out.Status != tc.status {
				t.Errorf("status %s, want %s", out.Status, tc.status)
			}
			if tc.status == flow.StatusWaiting {
				// The timer is the session's expiry; the time limit is kept for when the URL is asked for.
				if st.Authentication == nil || st.Authentication.ID != "s-1" || !st.Until.Equal(t0.Add(flow.AuthURLWindow)) ||
					!st.Authentication.Deadline.Equal(t0.Add(5*time.Minute)) {
					t.Errorf("waiting state %+v until %v", st.Authentication, st.Until)
				}
			} else if st.Authentication != nil {
				t.Errorf("the session outlived the action: %+v", st.Authentication)
			}
		})
	}
}

// TestAuthenticateParticipantURLAsked: once the customer's client asks for the sign-in URL, the session does not
// expire; the run waits until the time limit, and then times out.
func TestAuthenticateParticipantURLAsked(t *testing.T) {
	env := &authEnv{fakeEnv: newEnv()}
	env.add(t, "main", parse(t, doc(authFlow...)))
	st := flow.NewState("main")
	if _, err := flow.Step(context.Background(), env, st, flow.Start()); err != nil {
		t.Fatal(err)
	}
	st = roundTrip(t, st)
	if !st.AuthenticationURLAsked("https://shop.example.com/back") {
		t.Fatal("AuthenticationURLAsked changed nothing")
	}
	if st.AuthenticationURLAsked("https://shop.example.com/back") {
		t.Error("AuthenticationURLAsked with the same RedirectUri changed the state again")
	}
	if !st.Until.Equal(t0.Add(5*time.Minute)) || st.Authentication.RedirectURI != "https://shop.example.com/back" {
		t.Fatalf("after the URL was asked for: until %v, session %+v; want the time limit", st.Until, st.Authentication)
	}
	env.now = t0.Add(2 * time.Minute) // past the expiry, before the limit: a stale timer does not wake the run
	if out, err := flow.Step(context.Background(), env, roundTrip(t, st), flow.Timeout()); err != nil || out.Status != flow.StatusWaiting {
		t.Fatalf("a timeout before the limit: %v, %v; want still waiting", out.Status, err)
	}
	env.now = st.Until
	out, err := flow.Step(context.Background(), env, roundTrip(t, st), flow.Timeout())
	if err != nil || out.Status != flow.StatusEnded {
		t.Fatalf("the time limit: %v, %v", out.Status, err)
	}
	checkEffects(t, env.fakeEnv, []string{"authentication.initiated s-1", "authentication s-1 TIMEOUT ", "say timeout"})
	if (&flow.State{}).AuthenticationURLAsked("https://x.example") {
		t.Error("AuthenticationURLAsked changed a state that waits for no sign-in")
	}
}

func TestAuthenticateParticipantErrors(t *testing.T) {
	// Without an OptedOut condition, opting out is an error; without an Authenticator, so is the action.
	noCondition := `{"Identifier":"auth","Type":"AuthenticateParticipant","Parameters":{%s},"Transitions":{"NextAction":"hello","Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`
	t.Run("opted out without the branch", func(t *testing.T) {
		env := &authEnv{fakeEnv: newEnv()}
		env.add(t, "main", parse(t, doc(fmt.Sprintf(noCondition, ""), say("hello"), say("error"))))
		runIn(t, env, env.fakeEnv, flow.Authenticated(flow.AuthResult{SessionID: "s-1", Outcome: flow.AuthCancelled}))
		checkEffects(t, env.fakeEnv, []string{"authentication.initiated s-1", "authentication s-1 CANCELLED ", "say error"})
	})
	t.Run("not configured", func(t *testing.T) {
		env := newEnv()
		env.add(t, "main", parse(t, doc(fmt.Sprintf(noCondition, ""), say("hello"), say("error"))))
		run(t, env)
		checkEffects(t, env, []string{"say error"})
	})
	t.Run("time limit out of range", func(t *testing.T) {
		env := &authEnv{fakeEnv: newEnv()}
		env.add(t, "main", parse(t, doc(fmt.Sprintf(noCondition, `"TimeLimitMinutes":"1"`), say("hello"), say("error"))))
		runIn(t, env, env.fakeEnv)
		checkEffects(t, env.fakeEnv, []string{"say error"})
	})
}
