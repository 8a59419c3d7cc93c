package flow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// AuthenticateParticipant is the Authenticate Customer block: it asks the customer to sign in with an identity
// provider and waits for the outcome. Its Parameters name Connect's Cognito user pool and Customer Profiles
// mapping (CognitoConfiguration, CustomerProfilesConfiguration), which parley ignores: the provider is the one
// the operator configures. TimeLimitMinutes (3 to 15, default 3) bounds the wait. Its branches, as Connect
// exports them: NextAction on success; a Condition Equals "OptedOut" when the customer cancels
// (CancelParticipantAuthentication); the error TimeLimitExceeded when the time runs out; NoMatchingError when the
// sign-in fails (the provider's error, a code or token that does not validate) or cannot start.
//
// The session expires unused when the customer's client does not ask for its sign-in URL within AuthURLWindow of
// authentication.initiated (GetAuthenticationUrl refuses after that, so the customer can no longer sign in): the
// run then ends the session as expired (the authentication.expired event) and takes TimeLimitExceeded at once,
// instead of holding the chat until the time limit (parley's reading of an event Connect names but does not
// describe; docs/flows.md). Once the URL was asked for, the run waits until the time limit.

// Limits of TimeLimitMinutes, as the console has them.
const (
	minAuthMinutes = 3
	maxAuthMinutes = 15
	errTimeLimit   = "TimeLimitExceeded"
	resultOptedOut = "OptedOut"
)

// AuthURLWindow is how long after authentication.initiated the customer's client may ask for the sign-in URL
// (GetAuthenticationUrl: "within one minute of receiving the authenticationInitiated event").
const AuthURLWindow = time.Minute

// WaitAuthentication: AuthenticateParticipant waits for the customer's sign-in, or its time limit.
const WaitAuthentication WaitKind = "AUTHENTICATION"

// InputAuthentication is the end of a customer's sign-in: Input.Auth says how it ended.
const InputAuthentication InputKind = "AUTHENTICATION"

// Authenticator is what an Env needs to run AuthenticateParticipant (an optional ability: an Env without it
// takes the action's error branch).
type Authenticator interface {
	// StartAuthentication asks the customer to sign in (parley sends the authentication.initiated event that
	// carries the session id) and returns the new session's id.
	StartAuthentication(ctx context.Context) (sessionID string, err error)
	// EndAuthentication records how a session ended: the matching authentication event for the customer and,
	// on success, the customer's identity on the contact (its CustomerId).
	EndAuthentication(ctx context.Context, r AuthResult) error
}

// AuthSession is the sign-in a run waits for.
type AuthSession struct {
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
	// Deadline is the end of the action's time limit (zero in sessions stored before it was kept: then
	// State.Until is the time limit).
	Deadline time.Time `json:"deadline,omitzero"`
	// RedirectURI is the RedirectUri the customer's client gave GetAuthenticationUrl, which the code exchange
	// must repeat ("" until it is given).
	RedirectURI string `json:"redirectUri,omitempty"`
}

// AuthOutcome is how a sign-in ended.
type AuthOutcome string

// Outcomes of a sign-in.
const (
	AuthSucceeded AuthOutcome = "SUCCEEDED"
	AuthFailed    AuthOutcome = "FAILED"
	AuthCancelled AuthOutcome = "CANCELLED" // the customer opted out
	AuthTimedOut  AuthOutcome = "TIMEOUT"
	AuthExpired   AuthOutcome = "EXPIRED" // the sign-in URL was not asked for in time (AuthURLWindow)
)

// AuthResult is the end of a sign-in.
type AuthResult struct {
	SessionID string
	Outcome   AuthOutcome
	// CustomerID and Customer are the signed-in customer's id and $.Customer attributes (FirstName, LastName,
	// EmailAddress, PhoneNumber), on success.
	CustomerID string
	Customer   map[string]string
	// Detail says why a sign-in failed (for the flow log).
	Detail string
}

// Authenticated is the end of the sign-in session r.SessionID.
func Authenticated(r AuthResult) Input { return Input{Kind: InputAuthentication, Auth: &r} }

// authenticate starts AuthenticateParticipant.
func (r *runner) authenticate(a *Action) result {
	auth, ok := r.env.(Authenticator)
	if !ok {
		return fail(errNoMatchingError, errors.New("customer authentication is not configured"))
	}
	minutes := minAuthMinutes
	if s := strings.TrimSpace(r.render(a.Parameters.text("TimeLimitMinutes"))); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < minAuthMinutes || n > maxAuthMinutes {
			return fail(errNoMatchingError, fmt.Errorf("TimeLimitMinutes %q is not %d to %d", s, minAuthMinutes, maxAuthMinutes))
		}
		minutes = n
	}
	id, err := auth.StartAuthentication(r.ctx)
	if res := r.effect(err); res.failed() {
		return res
	}
	deadline := r.now.Add(time.Duration(minutes) * time.Minute)
	r.st.Authentication = &AuthSession{ID: id, Started: r.now, Deadline: deadline}
	res := r.waitFor(a, WaitAuthentication, 0)
	r.st.Until = r.now.Add(AuthURLWindow) // the session expires unless its URL is asked for
	return res
}

// AuthenticationURLAsked records that the customer's client asked for the sign-in URL of the session the run
// waits for, with redirectURI (which the code exchange repeats): the session no longer expires, and the run
// waits until the action's time limit. It reports whether the state changed; the caller stores it, with Until
// as the contact's flow timer.
func (st *State) AuthenticationURLAsked(redirectURI string) bool {
	s := st.Authentication
	if s == nil || st.Wait != WaitAuthentication {
		return false
	}
	changed := s.RedirectURI != redirectURI
	s.RedirectURI = redirectURI
	if !s.Deadline.IsZero() && !st.Until.Equal(s.Deadline) {
		st.Until, changed = s.Deadline, true
	}
	return changed
}

// authenticated resumes AuthenticateParticipant with the end of its session (a timer: its time limit).
func (r *runner) authenticated(a *Action, in Input) result {
	session := r.st.Authentication
	r.st.Authentication = nil
	end := AuthResult{Outcome: AuthTimedOut}
	switch {
	case in.Kind == InputAuthentication:
		end = *in.Auth
	case session != nil && session.RedirectURI == "" && r.now.Before(session.Deadline):
		end = AuthResult{Outcome: AuthExpired,
			Detail: fmt.Sprintf("the sign-in URL was not asked for within %v of authentication.initiated", AuthURLWindow)}
	}
	if session != nil {
		end.SessionID = session.ID
	}
	auth, _ := r.env.(Authenticator)
	if auth == nil {
		return fail(errNoMatchingError, errors.New("customer authentication is not configured"))
	}
	if res := r.effect(auth.EndAuthentication(r.ctx, end)); res.failed() {
		return res
	}
	switch end.Outcome {
	case AuthSucceeded:
		r.st.Customer = maps.Clone(end.Customer)
		r.contact.CustomerID = end.CustomerID
		return result{}
	case AuthTimedOut:
		return fail(errTimeLimit, nil)
	case AuthExpired:
		return fail(errTimeLimit, errors.New(end.Detail))
	case AuthCancelled:
		for _, c := range a.Transitions.Conditions {
			for _, o := range c.Operands {
				if o == resultOptedOut {
					return result{match: true, value: resultOptedOut}
				}
			}
		}
		return fail(errNoMatchingError, errors.New("the customer opted out"))
	}
	return fail(errNoMatchingError, errors.New(cmp.Or(end.Detail, "the sign-in failed")))
}

// wakesAuthentication reports whether in ends the session the run waits for.
func (r *runner) wakesAuthentication(in Input) bool {
	return r.st.Wait == WaitAuthentication && in.Auth != nil && r.st.Authentication != nil &&
		in.Auth.SessionID == r.st.Authentication.ID
}
