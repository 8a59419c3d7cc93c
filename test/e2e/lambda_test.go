package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// sampleLambdaARN is the function Amazon's "Sample Lambda integration" flow invokes; parley maps it to a local
// HTTP server.
const sampleLambdaARN = "arn:aws:lambda:us-east-1:613787477748:function:state-lookup"

// lambdaEvent is what a Lambda function receives from a contact flow, as the function's own code reads it.
type lambdaEvent struct {
	Name    string
	Details struct {
		ContactData struct {
			Attributes       map[string]string
			Channel          string
			ContactId        string
			InitialContactId string
			InitiationMethod string
			InstanceARN      string
			CustomerEndpoint *struct{ Address, Type string }
		}
		Parameters map[string]string
	}
}

// lambda is a local HTTP server playing a Lambda function: it records every event and answers with answer.
type lambda struct {
	t      *testing.T
	URL    string
	answer func(w http.ResponseWriter, r *http.Request)

	mu     sync.Mutex
	events []lambdaEvent
}

func newLambda(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *lambda {
	l := &lambda{t: t, answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev lambdaEvent
		if err := json.Unmarshal(body, &ev); err != nil || r.Method != http.MethodPost {
			t.Errorf("the function got %s %s, not a POSTed ContactFlowEvent: %v", r.Method, body, err)
		}
		l.mu.Lock()
		l.events = append(l.events, ev)
		l.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		l.answer(w, r)
	}))
	t.Cleanup(srv.Close)
	l.URL = srv.URL
	return l
}

// answerJSON answers every call with body.
func answerJSON(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

func (l *lambda) calls() []lambdaEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]lambdaEvent(nil), l.events...)
}

// TestSampleLambdaIntegration runs Amazon's "Sample Lambda integration" flow with a local function answering
// {"Fact": …}, as SOURCES.md describes: the data-dip message, the fact, back to the main menu (the sample
// inbound flow), on to the queue and to an agent. The function receives Connect's ContactFlowEvent.
func TestSampleLambdaIntegration(t *testing.T) {
	fn := newLambda(t, answerJSON(`{"Fact":"An octopus has three hearts."}`))
	e := newEnv(t, func(c *server.Config) { c.Functions = map[string]string{sampleLambdaARN: fn.URL} })
	setupCenter(t, e)
	inbound := importSamples(t, e, basicQueueARN(t, e))
	content := terraformID.ReplaceAllString(sampleFlow(t, "sample-lambda-integration.json"), inbound)
	flowID := createFlow(t, e, "Sample Lambda integration", content)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")

	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flowID)
		in.Attributes = map[string]string{"customerName": "Jo"}
	})
	offer := ann.until(wire.EventOffer)
	if offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	cust := e.connect(ch.ParticipantToken)
	said := e.saidTo(cust.Token)
	want := []string{
		"Now performing a data dip using AWS Lambda. Based on your phone number, we will lookup the state you are calling from if you are on a voice call or tell you a fun fact if you are on chat.",
		"Here is your fun fact: An octopus has three hearts.",
		"Now returning you to the main menu.",
		"Hello, thanks for contacting us. This is an example of what the Amazon Connect virtual contact center can enable you to do.",
		"The time in queue is less than 5 minutes.",
		"You are now being placed in queue to chat with an agent.",
	}
	if strings.Join(said, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the customer was told\n%s\nwant\n%s", strings.Join(said, "\n"), strings.Join(want, "\n"))
	}

	calls := fn.calls()
	if len(calls) != 1 {
		t.Fatalf("the function was called %d times, want once", len(calls))
	}
	ev, cd := calls[0], calls[0].Details.ContactData
	if ev.Name != "ContactFlowEvent" || cd.Channel != "CHAT" || cd.ContactId != ch.ContactID ||
		cd.InitialContactId != ch.ContactID || cd.InitiationMethod != "API" ||
		!strings.HasSuffix(cd.InstanceARN, ":instance/"+e.srv.InstanceID) || cd.Attributes["customerName"] != "Jo" ||
		ev.Details.Parameters == nil || len(ev.Details.Parameters) != 0 {
		t.Errorf("the function's event: %+v", ev)
	}
}

// lookupFlow asks the customer something, calls the function with what they said and tells them its answer, or
// that the lookup failed; then it queues the chat. %LAMBDA% and %QUEUE% are replaced.
const lookupFlow = `{"Version":"2019-10-30","StartAction":"Ask","Actions":[
{"Identifier":"Ask","Type":"GetParticipantInput","Parameters":{"Text":"Your order number?","StoreInput":"True","InputTimeLimitSeconds":"300"},"Transitions":{"NextAction":"Lookup","Errors":[{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Lookup","Type":"InvokeLambdaFunction","Parameters":{"LambdaFunctionARN":"%LAMBDA%","InvocationTimeLimitSeconds":"1","ResponseValidation":{"ResponseType":"STRING_MAP"},"LambdaInvocationAttributes":{"order":"$.StoredCustomerInput"}},
 "Transitions":{"NextAction":"Status","Errors":[{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Status","Type":"MessageParticipant","Parameters":{"Text":"Order $.External.order is $.External.status."},"Transitions":{"NextAction":"Queue"}},
{"Identifier":"Failed","Type":"MessageParticipant","Parameters":{"Text":"Sorry, the lookup failed."},"Transitions":{"NextAction":"Queue"}},
{"Identifier":"Queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"End","Errors":[{"NextAction":"End","ErrorType":"QueueAtCapacity"},{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// TestLambdaAnswers: a function's flat answer is $.External; a slow, failing or malformed one takes the Errors
// transition, and the chat goes on.
func TestLambdaAnswers(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:order-status"
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   string
	}{
		{"flat", func(w http.ResponseWriter, r *http.Request) {
			var ev lambdaEvent
			json.NewDecoder(r.Body).Decode(&ev)
			json.NewEncoder(w).Encode(map[string]string{"order": ev.Details.Parameters["order"], "status": "shipped"})
		}, "Order 4711 is shipped."},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select { // longer than the action's 1 s limit
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			io.WriteString(w, `{"status":"late"}`)
		}, "Sorry, the lookup failed."},
		{"failing", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"errorMessage":"table not found"}`, http.StatusInternalServerError)
		}, "Sorry, the lookup failed."},
		{"not JSON", answerJSON(`order shipped`), "Sorry, the lookup failed."},
		{"not flat", answerJSON(`{"order":"4711","status":{"code":"shipped"}}`), "Sorry, the lookup failed."},
		{"not a map", answerJSON(`["shipped"]`), "Sorry, the lookup failed."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fn := newLambda(t, tc.answer)
			e := newEnv(t, func(c *server.Config) { c.Functions = map[string]string{arn: fn.URL} })
			content := strings.NewReplacer("%LAMBDA%", arn, "%QUEUE%", basicQueueARN(t, e)).Replace(lookupFlow)
			flowID := createFlow(t, e, "Lookup", content)
			ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
			cust := e.connect(ch.ParticipantToken)
			cs := dial(t, cust.URL)
			e.send(cust.Token, "4711")
			if it := cs.next(); it.Content != "4711" {
				t.Fatalf("customer's own message: %+v", it)
			}
			if it := cs.next(); it.ParticipantRole != "SYSTEM" || it.Content != tc.want {
				t.Fatalf("the customer was told %+v, want %q", it, tc.want)
			}
			if calls := fn.calls(); len(calls) != 1 || calls[0].Details.Parameters["order"] != "4711" {
				t.Errorf("the function's calls: %+v", calls)
			}
			log, err := e.srv.Service().FlowLog(ctx(t), e.srv.InstanceID, ch.ContactID)
			if err != nil || log[len(log)-1].Identifier != "Transfer" {
				t.Errorf("the flow did not reach the queue: %+v, %v", log, err)
			}
		})
	}
}
