package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

const ctInteractive = "application/vnd.amazonaws.connect.message.interactive"

// menuFlow greets the customer by name, offers a ListPicker menu, branches on the answer, looks the customer's
// tier up with a Lambda function (tierFunction plays it), thanks gold members, checks the queue's hours and
// queues the chat, or says goodbye. %QUEUE% and %HOURS% are replaced.
const menuFlow = `{"Version":"2019-10-30","StartAction":"Greeting","Metadata":{"entryPointPosition":{"x":40,"y":40},"name":"Menu"},"Actions":[
{"Identifier":"Greeting","Type":"MessageParticipant","Parameters":{"Text":"Hello $.Attributes.customerName, welcome to Example Co."},"Transitions":{"NextAction":"Menu"}},
{"Identifier":"Menu","Type":"GetParticipantInput","Parameters":{"Text":"{\"templateType\":\"ListPicker\",\"version\":\"1.0\",\"data\":{\"content\":{\"title\":\"How can we help?\",\"elements\":[{\"title\":\"Billing\"},{\"title\":\"Support\"}]}}}","StoreInput":"False","InputTimeLimitSeconds":"300"},
 "Transitions":{"NextAction":"Bye","Conditions":[{"NextAction":"SetQueue","Condition":{"Operator":"Equals","Operands":["Support"]}}],
  "Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingCondition"},{"NextAction":"Bye","ErrorType":"InputTimeLimitExceeded"}]}},
{"Identifier":"SetQueue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"Lookup","Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Lookup","Type":"InvokeLambdaFunction","Parameters":{"LambdaFunctionARN":"` + tierARN + `","InvocationTimeLimitSeconds":"3","LambdaInvocationAttributes":{"name":"$.Attributes.customerName"}},"Transitions":{"NextAction":"Tier","Errors":[{"NextAction":"Hours","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Tier","Type":"Compare","Parameters":{"ComparisonValue":"$.External.tier"},"Transitions":{"NextAction":"Hours",
  "Conditions":[{"NextAction":"Gold","Condition":{"Operator":"Equals","Operands":["gold"]}}],"Errors":[{"NextAction":"Hours","ErrorType":"NoMatchingCondition"}]}},
{"Identifier":"Gold","Type":"MessageParticipant","Parameters":{"Text":"Thank you for being a $.External.tier member."},"Transitions":{"NextAction":"Hours"}},
{"Identifier":"Hours","Type":"CheckHoursOfOperation","Parameters":{"HoursOfOperationId":"%HOURS%"},"Transitions":{"NextAction":"Bye",
  "Conditions":[{"NextAction":"Placing","Condition":{"Operator":"Equals","Operands":["True"]}},{"NextAction":"Closed","Condition":{"Operator":"Equals","Operands":["False"]}}],
  "Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Placing","Type":"MessageParticipant","Parameters":{"Text":"You are now being placed in queue to chat with an agent."},"Transitions":{"NextAction":"Transfer"}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"Bye","Errors":[{"NextAction":"Bye","ErrorType":"QueueAtCapacity"},{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Closed","Type":"MessageParticipant","Parameters":{"Text":"We are closed. Goodbye."},"Transitions":{"NextAction":"End"}},
{"Identifier":"Bye","Type":"MessageParticipant","Parameters":{"Text":"Goodbye."},"Transitions":{"NextAction":"End"}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// tierARN is the Lambda function menuFlow calls.
const tierARN = "arn:aws:lambda:us-east-1:123456789012:function:customer-tier"

// tierFunction plays tierARN: customers named Jo are gold members. The returned option maps the ARN to it.
func tierFunction(t *testing.T) (*lambda, func(*server.Config)) {
	fn := newLambda(t, func(w http.ResponseWriter, r *http.Request) {
		var ev lambdaEvent
		json.NewDecoder(r.Body).Decode(&ev)
		tier := "silver"
		if ev.Details.Parameters["name"] == "Jo" {
			tier = "gold"
		}
		json.NewEncoder(w).Encode(map[string]string{"tier": tier})
	})
	return fn, func(c *server.Config) { c.Functions = map[string]string{tierARN: fn.URL} }
}

// createFlow stores a flow in the test server's instance, validated as CreateContactFlow validates it.
func createFlow(t *testing.T, e *env, name, content string) string {
	t.Helper()
	f, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: name,
		Type: admin.FlowTypeContactFlow, Content: content})
	if err != nil {
		t.Fatalf("CreateContactFlow %s: %v", name, describe(err))
	}
	return f.ID
}

// hours creates hours of operation open only on the given days, in UTC.
func hours(t *testing.T, e *env, name string, days ...ctypes.HoursOfOperationDays) string {
	t.Helper()
	var cfg []ctypes.HoursOfOperationConfig
	for _, d := range days {
		cfg = append(cfg, ctypes.HoursOfOperationConfig{Day: d,
			StartTime: &ctypes.HoursOfOperationTimeSlice{Hours: aws.Int32(0), Minutes: aws.Int32(0)},
			EndTime:   &ctypes.HoursOfOperationTimeSlice{Hours: aws.Int32(0), Minutes: aws.Int32(0)}})
	}
	out, err := e.cc.CreateHoursOfOperation(ctx(t), &connect.CreateHoursOfOperationInput{InstanceId: aws.String(e.srv.InstanceID),
		Name: aws.String(name), TimeZone: aws.String("UTC"), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.HoursOfOperationId)
}

// basicQueueARN returns BasicQueue's ARN.
func basicQueueARN(t *testing.T, e *env) string {
	t.Helper()
	qs, err := e.cc.ListQueues(ctx(t), &connect.ListQueuesInput{InstanceId: aws.String(e.srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs.QueueSummaryList {
		if aws.ToString(q.Name) == "BasicQueue" {
			return aws.ToString(q.Arn)
		}
	}
	t.Fatal("no BasicQueue")
	return ""
}

// TestFlowMenuToAgent: a customer with the official clients starts a chat on a flow; it is greeted with an
// attribute, answers a ListPicker menu, and the flow looks the customer up with a Lambda function (a local HTTP
// server), branches on its answer, checks the hours and queues the chat; the agent serving the
// queue is offered it and joins. The customer sees what Connect sends: SYSTEM messages, interactive content,
// participant events.
func TestFlowMenuToAgent(t *testing.T) {
	tiers, withTiers := tierFunction(t)
	e := newEnv(t, withTiers)
	setupCenter(t, e)
	open := hours(t, e, "Always", ctypes.HoursOfOperationDaysMonday, ctypes.HoursOfOperationDaysTuesday,
		ctypes.HoursOfOperationDaysWednesday, ctypes.HoursOfOperationDaysThursday, ctypes.HoursOfOperationDaysFriday,
		ctypes.HoursOfOperationDaysSaturday, ctypes.HoursOfOperationDaysSunday)
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e), "%HOURS%", open).Replace(menuFlow)
	flowID := createFlow(t, e, "Menu", content)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")

	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flowID)
		in.Attributes = map[string]string{"customerName": "Jo"}
	})
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	// The flow ran before the customer connected: its first messages are in the transcript.
	tr := e.transcript(cust.Token)
	var texts []string
	for _, it := range tr {
		if it.ParticipantRole != nil && *it.ParticipantRole == "SYSTEM" && *it.Type == "MESSAGE" {
			texts = append(texts, *it.ContentType+" "+*it.Content)
		}
	}
	if len(texts) != 2 || texts[0] != "text/plain Hello Jo, welcome to Example Co." ||
		!strings.HasPrefix(texts[1], ctInteractive+` {"templateType":"ListPicker"`) {
		t.Fatalf("the flow's messages in the transcript: %q", texts)
	}
	ann.noOffer()

	e.send(cust.Token, "Support")
	if it := cs.next(); it.Content != "Support" {
		t.Fatalf("customer's own message: %+v", it)
	}
	for _, want := range []string{"Thank you for being a gold member.", "You are now being placed in queue to chat with an agent."} {
		if it := cs.next(); it.ParticipantRole != "SYSTEM" || it.DisplayName != "SYSTEM_MESSAGE" ||
			it.Content != want || it.ContactID != ch.ContactID {
			t.Fatalf("the flow's message on the socket: %+v, want %q", it, want)
		}
	}
	if calls := tiers.calls(); len(calls) != 1 || calls[0].Details.Parameters["name"] != "Jo" {
		t.Errorf("the tier function's calls: %+v", calls)
	}
	offer := ann.until(wire.EventOffer)
	if offer.Contact.ContactID != ch.ContactID || offer.Contact.Attributes["customerName"] != "Jo" {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	if it := cs.next(); it.ContentType != evJoined || it.ParticipantRole != "AGENT" {
		t.Fatalf("customer saw %+v, want the agent joining", it)
	}
	log, err := e.srv.Service().FlowLog(ctx(t), e.srv.InstanceID, ch.ContactID)
	if err != nil || len(log) == 0 || log[len(log)-1].Identifier != "Transfer" {
		t.Errorf("flow log: %+v, %v", log, err)
	}
}

// TestFlowAfterHours: outside the queue's hours (a fixed clock on a Monday, hours open on Sunday only) the flow
// says it is closed and ends the chat.
func TestFlowAfterHours(t *testing.T) {
	monday := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	_, withTiers := tierFunction(t)
	e := newEnv(t, withTiers, func(c *server.Config) { c.Clock = fixedClock{monday} })
	sunday := hours(t, e, "Sundays", ctypes.HoursOfOperationDaysSunday)
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e), "%HOURS%", sunday).Replace(menuFlow)
	flowID := createFlow(t, e, "Menu", content)
	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	e.send(cust.Token, "Support")
	items := cs.until(evEnded)
	var got []string
	for _, it := range items {
		if it.ParticipantRole == "SYSTEM" && it.Type == "MESSAGE" {
			got = append(got, it.Content)
		}
	}
	if len(got) != 1 || got[0] != "We are closed. Goodbye." {
		t.Errorf("after hours the customer got %q, want the closed message", got)
	}
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil || d.Contact.DisconnectReason == nil || *d.Contact.DisconnectReason != "CONTACT_FLOW_DISCONNECT" {
		t.Errorf("DescribeContact after hours: %+v, %v", d, err)
	}
}

// fixedClock is a clock that always says the same time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
