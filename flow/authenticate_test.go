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
		{name: "timeout", inputs: []flow.Input{flow.Timeout()},
			want: []string{"authentication.initiated s-1", "authentication s-1 TIMEOUT ", "say timeout"}, status: flow.StatusEnded},
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
				if st.Authentication == nil || st.Authentication.ID != "s-1" || !st.Until.Equal(t0.Add(5*time.Minute)) {
					t.Errorf("waiting state %+v until %v", st.Authentication, st.Until)
				}
			} else if st.Authentication != nil {
				t.Errorf("the session outlived the action: %+v", st.Authentication)
			}
		})
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
