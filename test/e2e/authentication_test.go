package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/private/protocol"
	"github.com/aws/aws-sdk-go/private/protocol/restjson"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// Customer authentication in a chat, end to end: a flow with the Authenticate Customer block imported with
// CreateContactFlow; the customer's client asks for the authentication URL and cancels with the Participant
// Service; the browser signs in at a fake OpenID Connect provider; the business's backend hands the code back with
// UpdateParticipantAuthentication; the flow branches, and DescribeContact shows the signed-in customer.

// authFlowContent signs the customer in; every branch says where it went and waits, so the chat stays open.
const authFlowContent = `{"Version":"2019-10-30","StartAction":"Auth","Actions":[
{"Identifier":"Auth","Type":"AuthenticateParticipant","Parameters":{"CognitoConfiguration":{"UserPoolArn":"arn:aws:cognito-idp:us-west-2:000000000000:userpool/us-west-2_abc","AppClientId":"client"},"CustomerProfilesConfiguration":{"ObjectTypeName":"Default"},"TimeLimitMinutes":"3"},
 "Transitions":{"NextAction":"Hello","Conditions":[{"NextAction":"OptedOut","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
  "Errors":[{"NextAction":"TimedOut","ErrorType":"TimeLimitExceeded"},{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Hello","Type":"MessageParticipant","Parameters":{"Text":"Welcome back $.Customer.FirstName ($.CustomerId)"},"Transitions":{"NextAction":"Wait"}},
{"Identifier":"OptedOut","Type":"MessageParticipant","Parameters":{"Text":"You chose not to sign in."},"Transitions":{"NextAction":"Wait"}},
{"Identifier":"TimedOut","Type":"MessageParticipant","Parameters":{"Text":"The sign-in timed out."},"Transitions":{"NextAction":"Wait"}},
{"Identifier":"Failed","Type":"MessageParticipant","Parameters":{"Text":"The sign-in failed."},"Transitions":{"NextAction":"Wait"}},
{"Identifier":"Wait","Type":"GetParticipantInput","Parameters":{"Text":"Anything else?","InputTimeLimitSeconds":"600"},"Transitions":{"NextAction":"Wait","Errors":[{"NextAction":"End","ErrorType":"InputTimeLimitExceeded"}]}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

const authRedirect = "https://shop.example.com/chat/signed-in"

// authEnv is a server whose customers sign in at a fake provider, on a clock the test moves.
func authEnv(t *testing.T) (*env, *oidctest.Provider, *fakeClock) {
	t.Helper()
	fake := oidctest.New(t, oidctest.User{Subject: "user-42", Email: "ann@example.com", GivenName: "Ann", FamilyName: "Lee"})
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) {
		c.Authentication = oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}
		c.Clock, c.Chat.TimerInterval = clk, time.Hour
	})
	return e, fake, clk
}

// importFlow creates a flow with the official SDK, as an export is imported, and returns its id.
func importFlow(t *testing.T, e *env, content string) string {
	t.Helper()
	out, err := e.cc.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: aws.String(e.srv.InstanceID),
		Name: aws.String("Sign in"), Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(content)})
	if err != nil {
		t.Fatalf("CreateContactFlow: %v", describe(err))
	}
	return aws.ToString(out.ContactFlowId)
}

// The Participant Service operations of customer authentication came after aws-sdk-go v1.55.8, the last v1
// release: the customer's calls go through the v1 client's own request pipeline (restJson1 marshalling, the
// X-Amz-Bearer header, its error unmarshalling) with the operations' shapes written here as the SDK writes them.
type getAuthenticationURLInput struct {
	_               struct{} `type:"structure"`
	ConnectionToken *string  `location:"header" locationName:"X-Amz-Bearer" min:"1" type:"string" required:"true"`
	RedirectUri     *string  `min:"1" type:"string" required:"true"`
	SessionId       *string  `min:"36" type:"string" required:"true"`
}

type getAuthenticationURLOutput struct {
	_                 struct{} `type:"structure"`
	AuthenticationUrl *string  `min:"1" type:"string"`
}

type cancelAuthenticationInput struct {
	_               struct{} `type:"structure"`
	ConnectionToken *string  `location:"header" locationName:"X-Amz-Bearer" min:"1" type:"string" required:"true"`
	SessionId       *string  `min:"36" type:"string" required:"true"`
}

type cancelAuthenticationOutput struct {
	_ struct{} `type:"structure"`
}

func (e *env) authenticationURL(token, session string) (string, error) {
	return e.authenticationURLTo(token, session, authRedirect)
}

func (e *env) authenticationURLTo(token, session, redirect string) (string, error) {
	out := &getAuthenticationURLOutput{}
	req := e.pc.NewRequest(&request.Operation{Name: "GetAuthenticationUrl", HTTPMethod: "POST",
		HTTPPath: "/participant/authentication-url"}, &getAuthenticationURLInput{ConnectionToken: awsv1.String(token),
		SessionId: awsv1.String(session), RedirectUri: awsv1.String(redirect)}, out)
	req.Config.Credentials = credentials.AnonymousCredentials
	req.SetContext(ctx(e.t))
	err := req.Send()
	return awsv1.StringValue(out.AuthenticationUrl), err
}

func (e *env) cancelAuthentication(token, session string) error {
	req := e.pc.NewRequest(&request.Operation{Name: "CancelParticipantAuthentication", HTTPMethod: "POST",
		HTTPPath: "/participant/cancel-authentication"}, &cancelAuthenticationInput{ConnectionToken: awsv1.String(token),
		SessionId: awsv1.String(session)}, &cancelAuthenticationOutput{})
	req.Config.Credentials = credentials.AnonymousCredentials
	req.Handlers.Unmarshal.Swap(restjson.UnmarshalHandler.Name, protocol.UnmarshalDiscardBodyHandler)
	req.SetContext(ctx(e.t))
	return req.Send()
}

// authSession returns the SessionId of the chat's authentication.initiated event, read from the transcript.
func (e *env) authSession(token string) string {
	e.t.Helper()
	for _, it := range e.transcript(token) {
		if awsv1.StringValue(it.ContentType) == "application/vnd.amazonaws.connect.event.authentication.initiated" {
			var c struct{ SessionId string }
			if err := json.Unmarshal([]byte(awsv1.StringValue(it.Content)), &c); err != nil {
				e.t.Fatal(err)
			}
			return c.SessionId
		}
	}
	e.t.Fatal("no authentication.initiated event in the transcript")
	return ""
}

// authTimeline is what the transcript says of the sign-in: authentication events, the customer's new name and the
// flow's messages.
func (e *env) authTimeline(token string) []string {
	e.t.Helper()
	var out []string
	for _, it := range e.transcript(token) {
		ct := awsv1.StringValue(it.ContentType)
		switch {
		case strings.Contains(ct, "event.authentication."):
			out = append(out, ct[strings.LastIndex(ct, ".")+1:])
		case strings.HasSuffix(ct, "event.participant.displayname.updated"):
			// The customer is called by the first name they signed in with, as Connect renames them.
			out = append(out, awsv1.StringValue(it.ParticipantRole)+" is now "+awsv1.StringValue(it.DisplayName))
		case awsv1.StringValue(it.Type) == "MESSAGE":
			out = append(out, awsv1.StringValue(it.Content))
		}
	}
	return out
}

func TestCustomerAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name string
		// signIn does the customer's and the backend's part, after authentication.initiated.
		signIn func(t *testing.T, e *env, fake *oidctest.Provider, clk *fakeClock, token, session string)
		want   []string
	}{
		{name: "success", want: []string{"initiated", "succeeded", "CUSTOMER is now Ann", "Welcome back Ann (user-42)", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, _ *fakeClock, token, session string) {
				codeBack(t, e, token, session, nil)
			}},
		{name: "provider error", want: []string{"initiated", "failed", "The sign-in failed.", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, _ *fakeClock, token, session string) {
				u, err := e.authenticationURL(token, session)
				if err != nil {
					t.Fatal(err)
				}
				back := oidctest.SignIn(t, u, authRedirect)
				if _, err := e.cc.UpdateParticipantAuthentication(ctx(t), &connect.UpdateParticipantAuthenticationInput{
					InstanceId: aws.String(e.srv.InstanceID), State: aws.String(back.Get("state")),
					Error: aws.String("access_denied"), ErrorDescription: aws.String("The user cancelled")}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "bad signature", want: []string{"initiated", "failed", "The sign-in failed.", "Anything else?"},
			signIn: func(t *testing.T, e *env, fake *oidctest.Provider, _ *fakeClock, token, session string) {
				codeBack(t, e, token, session, fake.SignWithOtherKey)
			}},
		{name: "wrong nonce", want: []string{"initiated", "failed", "The sign-in failed.", "Anything else?"},
			signIn: func(t *testing.T, e *env, fake *oidctest.Provider, _ *fakeClock, token, session string) {
				codeBack(t, e, token, session, fake.WrongNonce)
			}},
		{name: "timeout", want: []string{"initiated", "timeout", "The sign-in timed out.", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, clk *fakeClock, _, _ string) {
				clk.add(3*time.Minute + time.Second)
				if n, err := e.srv.Service().FireFlowTimers(ctx(t)); err != nil || n != 1 {
					t.Fatalf("FireFlowTimers: %d, %v", n, err)
				}
			}},
		{name: "expired", want: []string{"initiated", "expired", "The sign-in timed out.", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, clk *fakeClock, token, session string) {
				// The customer's client never asks for the sign-in URL: a minute later the session expires,
				// and the flow does not wait for the rest of its three minutes.
				clk.add(time.Minute + time.Second)
				if n, err := e.srv.Service().FireFlowTimers(ctx(t)); err != nil || n != 1 {
					t.Fatalf("FireFlowTimers: %d, %v", n, err)
				}
				_, err := e.authenticationURL(token, session)
				wantCode(t, err, "ValidationException", 400)
				wantCode(t, e.cancelAuthentication(token, session), "ValidationException", 400)
			}},
		{name: "timeout after the URL", want: []string{"initiated", "timeout", "The sign-in timed out.", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, clk *fakeClock, token, session string) {
				// The URL was asked for but the customer never came back: no expiry, the time limit.
				if _, err := e.authenticationURL(token, session); err != nil {
					t.Fatal(err)
				}
				clk.add(time.Minute + time.Second)
				if n, err := e.srv.Service().FireFlowTimers(ctx(t)); err != nil || n != 0 {
					t.Fatalf("FireFlowTimers after a minute: %d, %v; want 0", n, err)
				}
				clk.add(2 * time.Minute)
				if n, err := e.srv.Service().FireFlowTimers(ctx(t)); err != nil || n != 1 {
					t.Fatalf("FireFlowTimers at the limit: %d, %v; want 1", n, err)
				}
			}},
		{name: "cancel", want: []string{"initiated", "cancelled", "You chose not to sign in.", "Anything else?"},
			signIn: func(t *testing.T, e *env, _ *oidctest.Provider, _ *fakeClock, token, session string) {
				if err := e.cancelAuthentication(token, session); err != nil {
					t.Fatal(err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, fake, clk := authEnv(t)
			flowID := importFlow(t, e, authFlowContent)
			ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
			c := e.connect(ch.ParticipantToken)
			tc.signIn(t, e, fake, clk, c.Token, e.authSession(c.Token))
			if got := e.authTimeline(c.Token); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("transcript %q, want %q", got, tc.want)
			}
			d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
				ContactId: aws.String(ch.ContactID)})
			if err != nil {
				t.Fatal(err)
			}
			status := ""
			if v, ok := d.Contact.SegmentAttributes["connect:CustomerAuthentication"]; ok {
				status = aws.ToString(v.ValueMap["Status"].ValueString)
			}
			if tc.name == "success" {
				if aws.ToString(d.Contact.CustomerId) != "user-42" || status != "AUTHENTICATED" {
					t.Errorf("DescribeContact: CustomerId %q, connect:CustomerAuthentication %q", aws.ToString(d.Contact.CustomerId), status)
				}
			} else if aws.ToString(d.Contact.CustomerId) != "" || status != "" {
				t.Errorf("DescribeContact after a sign-in that did not succeed: CustomerId %q, status %q", aws.ToString(d.Contact.CustomerId), status)
			}
		})
	}
}

// codeBack signs in and hands the code back as the business's backend does; misbehave, if set, spoils the
// provider's answer first.
func codeBack(t *testing.T, e *env, token, session string, misbehave func()) {
	t.Helper()
	u, err := e.authenticationURL(token, session)
	if err != nil {
		t.Fatalf("GetAuthenticationUrl: %v", err)
	}
	back := oidctest.SignIn(t, u, authRedirect)
	if misbehave != nil {
		misbehave()
	}
	_, err = e.cc.UpdateParticipantAuthentication(ctx(t), &connect.UpdateParticipantAuthenticationInput{
		InstanceId: aws.String(e.srv.InstanceID), State: aws.String(back.Get("state")), Code: aws.String(back.Get("code"))})
	if err != nil {
		t.Fatalf("UpdateParticipantAuthentication: %v", err)
	}
}

// TestCustomerAuthenticationErrors: the operations' errors as the official clients see them.
func TestCustomerAuthenticationErrors(t *testing.T) {
	e, _, _ := authEnv(t)
	flowID := importFlow(t, e, authFlowContent)
	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
	c := e.connect(ch.ParticipantToken)
	session := e.authSession(c.Token)

	_, err := e.authenticationURL(c.Token, "short")
	wantCode(t, err, "ValidationException", 400)
	_, err = e.authenticationURL(c.Token, "0f8fad5b-d9cb-469f-a165-70867728950e")
	wantCode(t, err, "ValidationException", 400)
	_, err = e.authenticationURL("not-a-token", session)
	wantCode(t, err, "AccessDeniedException", 403)
	botToken, _ := e.addBot(ch.ContactID)
	_, err = e.authenticationURL(e.connect(botToken).Token, session)
	wantCode(t, err, "AccessDeniedException", 403) // only the customer signs in

	_, err = e.cc.UpdateParticipantAuthentication(ctx(t), &connect.UpdateParticipantAuthenticationInput{
		InstanceId: aws.String(e.srv.InstanceID), State: aws.String(ch.ContactID + ".forged"), Code: aws.String("code")})
	wantCode(t, err, "InvalidRequestException", 400)
	_, err = e.cc.UpdateParticipantAuthentication(ctx(t), &connect.UpdateParticipantAuthenticationInput{
		InstanceId: aws.String(e.srv.InstanceID), State: aws.String("s"), Error: aws.String("bad\"quote")})
	wantCode(t, err, "InvalidParameterException", 400)
	_, err = e.cc.UpdateParticipantAuthentication(ctx(t), &connect.UpdateParticipantAuthenticationInput{
		InstanceId: aws.String(e.srv.InstanceID), State: aws.String("s")})
	wantCode(t, err, "InvalidParameterException", 400)
}

// TestAuthenticatedCustomerReachesAgent: the agent offered a chat whose customer signed in sees the customer's id
// and first name.
func TestAuthenticatedCustomerReachesAgent(t *testing.T) {
	e, _, _ := authEnv(t)
	support := setupCenter(t, e)
	bob := login(t, e.srv.URL, "bob", "Passw0rd-bob")
	queued := strings.Replace(authFlowContent, `"Transitions":{"NextAction":"Wait"}},
{"Identifier":"OptedOut"`, `"Transitions":{"NextAction":"SetQueue"}},
{"Identifier":"SetQueue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"`+support+`"},"Transitions":{"NextAction":"Queue","Errors":[{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Queue","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"Failed","Errors":[{"NextAction":"Failed","ErrorType":"QueueAtCapacity"},{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"OptedOut"`, 1)
	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(importFlow(t, e, queued)) })
	c := e.connect(ch.ParticipantToken)
	codeBack(t, e, c.Token, e.authSession(c.Token), nil)
	offer := bob.until(wire.EventOffer)
	if offer.Contact.ContactID != ch.ContactID || offer.Contact.CustomerID != "user-42" || offer.Contact.CustomerName != "Ann" {
		t.Errorf("bob's offer: contact %s, CustomerId %q, CustomerName %q; want %s, user-42, Ann", offer.Contact.ContactID,
			offer.Contact.CustomerID, offer.Contact.CustomerName, ch.ContactID)
	}
}

// TestCustomerAuthenticationCallback: without a backend of its own, a business gives GetAuthenticationUrl parley's
// callback page as the RedirectUri; the browser lands there and the flow goes on. The page works once.
func TestCustomerAuthenticationCallback(t *testing.T) {
	e, _, _ := authEnv(t)
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(importFlow(t, e, authFlowContent))
	})
	c := e.connect(ch.ParticipantToken)
	u, err := e.authenticationURLTo(c.Token, e.authSession(c.Token), e.srv.URL+server.AuthCallbackPath)
	if err != nil {
		t.Fatal(err)
	}
	var landed string
	client := &http.Client{CheckRedirect: func(r *http.Request, _ []*http.Request) error { landed = r.URL.String(); return nil }}
	get := func() (int, string) {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, page := get(); status != http.StatusOK || !strings.Contains(page, "close this window") {
		t.Fatalf("the callback page: %d %s", status, page)
	}
	if !strings.HasPrefix(landed, e.srv.URL+server.AuthCallbackPath+"?") {
		t.Errorf("the browser landed on %s", landed)
	}
	want := []string{"initiated", "succeeded", "CUSTOMER is now Ann", "Welcome back Ann (user-42)", "Anything else?"}
	if got := e.authTimeline(c.Token); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("transcript %q, want %q", got, want)
	}
	if status, _ := get(); status != http.StatusBadRequest {
		t.Errorf("the callback a second time: %d, want 400", status)
	}
}
