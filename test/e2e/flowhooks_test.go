package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/wire"
)

// hookedFlow sets the contact's customer-queue and disconnect flows and queues the chat. %QUEUE%, %INQUEUE% and
// %DISCONNECT% are replaced.
const hookedFlow = `{"Version":"2019-10-30","StartAction":"Hooks","Actions":[
{"Identifier":"Hooks","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerQueue":"%INQUEUE%"}},"Transitions":{"NextAction":"Remaining","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Remaining","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerRemaining":"%DISCONNECT%"}},"Transitions":{"NextAction":"SetQueue","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"SetQueue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"End","Errors":[{"NextAction":"End","ErrorType":"QueueAtCapacity"},{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// waitingFlow is a customer-queue flow: it tells the customer how many customers wait ahead of them and how
// many agents are online, then thanks them for waiting until an agent takes the chat.
const waitingFlow = `{"Version":"2019-10-30","StartAction":"Metrics","Actions":[
{"Identifier":"Metrics","Type":"GetMetricData","Parameters":{},"Transitions":{"NextAction":"Ahead","Errors":[{"NextAction":"Thanks","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Ahead","Type":"Compare","Parameters":{"ComparisonValue":"$.Metrics.Queue.Size"},"Transitions":{"NextAction":"Next",
  "Conditions":[{"NextAction":"Position","Condition":{"Operator":"NumberGreaterThan","Operands":["0"]}}],"Errors":[{"NextAction":"Next","ErrorType":"NoMatchingCondition"}]}},
{"Identifier":"Position","Type":"MessageParticipant","Parameters":{"Text":"Customers ahead of you in $.Queue.Name: $.Metrics.Queue.Size."},"Transitions":{"NextAction":"Thanks"}},
{"Identifier":"Next","Type":"MessageParticipant","Parameters":{"Text":"You are next in line."},"Transitions":{"NextAction":"Thanks"}},
{"Identifier":"Thanks","Type":"MessageParticipantIteratively","Parameters":{"Messages":[{"Text":"Thank you for waiting; $.Metrics.Agents.Online.Count agents are online."}]},"Transitions":{"NextAction":"Thanks","Errors":[{"NextAction":"Done","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Done","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`

// surveyFlow is a disconnect flow: when the agent leaves, it asks the customer for a score, stores it as a contact
// attribute, thanks them and ends the chat.
const surveyFlow = `{"Version":"2019-10-30","StartAction":"Ask","Actions":[
{"Identifier":"Ask","Type":"GetParticipantInput","Parameters":{"Text":"{\"templateType\":\"QuickReply\",\"version\":\"1.0\",\"data\":{\"content\":{\"title\":\"How did we do, from 1 to 5?\",\"elements\":[{\"title\":\"1\"},{\"title\":\"2\"},{\"title\":\"3\"},{\"title\":\"4\"},{\"title\":\"5\"}]}}}","StoreInput":"True","InputTimeLimitSeconds":"600"},
 "Transitions":{"NextAction":"Store","Errors":[{"NextAction":"Bye","ErrorType":"InputTimeLimitExceeded"},{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Store","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"surveyScore":"$.StoredCustomerInput"}},"Transitions":{"NextAction":"Thanks","Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Thanks","Type":"MessageParticipant","Parameters":{"Text":"Thank you for your feedback."},"Transitions":{"NextAction":"Bye"}},
{"Identifier":"Bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// hookedCenter creates the three flows and returns the id of the one chats start on.
func hookedCenter(t *testing.T, e *env) string {
	t.Helper()
	create := func(name, typ, content string) string {
		f, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: name, Type: typ, Content: content})
		if err != nil {
			t.Fatalf("CreateContactFlow %s: %v", name, describe(err))
		}
		return f.ARN
	}
	inQueue := create("Waiting", admin.FlowTypeCustomerQueue, waitingFlow)
	survey := create("Survey", admin.FlowTypeContactFlow, surveyFlow)
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e), "%INQUEUE%", inQueue, "%DISCONNECT%", survey).Replace(hookedFlow)
	return createFlow(t, e, "Hooked", content)
}

// waitQueued waits until routing counts n contacts in BasicQueue.
func waitQueued(t *testing.T, e *env, n float64) {
	t.Helper()
	in := &connect.GetCurrentMetricDataInput{InstanceId: aws.String(e.srv.InstanceID),
		Filters:        &ctypes.Filters{Queues: []string{basicQueueARN(t, e)}, Channels: []ctypes.Channel{ctypes.ChannelChat}},
		Groupings:      []ctypes.Grouping{ctypes.GroupingQueue},
		CurrentMetrics: []ctypes.CurrentMetric{{Name: ctypes.CurrentMetricNameContactsInQueue, Unit: ctypes.UnitCount}}}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := e.cc.GetCurrentMetricData(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.MetricResults) == 1 && len(out.MetricResults[0].Collections) == 1 &&
			aws.ToFloat64(out.MetricResults[0].Collections[0].Value) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("BasicQueue never had %v contacts: %+v", n, out.MetricResults)
		}
	}
}

// TestCustomerQueueFlow: while chats wait, the customer-queue flow tells each customer how many wait ahead of
// them and thanks them for waiting; when the agent takes the chat, it stops talking.
func TestCustomerQueueFlow(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	flowID := hookedCenter(t, e)

	// The flow's first step runs within StartChatContact: what it said is in the transcript at once.
	start := func() (chat, *socket, []string) {
		ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
		cust := e.connect(ch.ParticipantToken)
		said := e.saidTo(cust.Token)
		return ch, dial(t, cust.URL), said
	}
	first, firstSocket, firstSaid := start()
	waitQueued(t, e, 1)
	second, _, secondSaid := start()
	waitQueued(t, e, 2)
	got := func(ch chat) []string {
		log, err := e.srv.Service().FlowLog(ctx(t), e.srv.InstanceID, ch.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		var path []string
		for _, r := range log {
			path = append(path, r.Identifier)
		}
		return path
	}
	if p := strings.Join(got(first), " "); !strings.HasSuffix(p, "Transfer Metrics Ahead Next Thanks") {
		t.Errorf("the first customer's path: %s", p)
	}
	if p := strings.Join(got(second), " "); !strings.HasSuffix(p, "Transfer Metrics Ahead Position Thanks") {
		t.Errorf("the second customer's path: %s", p)
	}
	want := [][]string{
		{"You are next in line.", "Thank you for waiting; 0 agents are online."},
		{"Customers ahead of you in BasicQueue: 1.", "Thank you for waiting; 0 agents are online."},
	}
	for i, said := range [][]string{firstSaid, secondSaid} {
		if strings.Join(said, "|") != strings.Join(want[i], "|") {
			t.Errorf("customer %d was told %q, want %q", i+1, said, want[i])
		}
	}

	// An agent comes: the first chat is offered and taken; its customer-queue flow stops.
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != first.ContactID {
		t.Fatalf("ann's offer: %+v, want the first chat", offer.Contact)
	}
	ann.must("POST", "/contacts/"+first.ContactID+"/accept", nil, nil)
	if it := firstSocket.next(); it.ContentType != evJoined {
		t.Fatalf("first customer saw %+v, want the agent joining", it)
	}
	if p := got(first); p[len(p)-1] != "Thanks" {
		t.Errorf("the first customer's flow went on after the agent took the chat: %v", p)
	}
}

// TestDisconnectFlowSurvey: the agent leaves; the disconnect flow asks the customer for a score with a
// QuickReply, stores the answer as a contact attribute, thanks the customer and ends the chat.
func TestDisconnectFlowSurvey(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	flowID := hookedCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")

	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	agentConn := e.connect(accepted.ParticipantToken)
	if it := cs.next(); it.ContentType != evJoined {
		t.Fatalf("customer saw %+v, want the agent joining", it)
	}
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(agentConn.Token)}); err != nil {
		t.Fatal(err)
	}
	if it := cs.next(); it.ContentType != "application/vnd.amazonaws.connect.event.participant.left" {
		t.Fatalf("customer saw %+v, want the agent leaving", it)
	}
	q := cs.next()
	if q.ParticipantRole != "SYSTEM" || q.ContentType != ctInteractive || !strings.Contains(q.Content, `"templateType":"QuickReply"`) {
		t.Fatalf("customer saw %+v, want the survey question", q)
	}
	survey := q.ContactID

	e.send(cust.Token, "5")
	if it := cs.next(); it.Content != "5" {
		t.Fatalf("customer's own message: %+v", it)
	}
	if it := cs.next(); it.ParticipantRole != "SYSTEM" || it.Content != "Thank you for your feedback." {
		t.Fatalf("customer saw %+v, want the thanks", it)
	}
	cs.until(evEnded)
	attrs, err := e.cc.GetContactAttributes(ctx(t), &connect.GetContactAttributesInput{InstanceId: aws.String(e.srv.InstanceID),
		InitialContactId: aws.String(survey)})
	if err != nil || attrs.Attributes["surveyScore"] != "5" {
		t.Errorf("GetContactAttributes of the survey's contact: %v, %v; want surveyScore 5", attrs, err)
	}
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(survey)})
	if err != nil || aws.ToString(d.Contact.DisconnectReason) != "CONTACT_FLOW_DISCONNECT" {
		t.Errorf("DescribeContact of the survey's contact: %+v, %v", d, err)
	}
}

// priorityFlow queues the chat in BasicQueue with the routing behavior %BEHAVIOR% set before, and %INQUEUE% as its
// customer-queue flow.
const priorityFlow = `{"Version":"2019-10-30","StartAction":"Hooks","Actions":[
{"Identifier":"Hooks","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerQueue":"%INQUEUE%"}},"Transitions":{"NextAction":"Behavior","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Behavior","Type":"UpdateContactRoutingBehavior","Parameters":{%BEHAVIOR%},"Transitions":{"NextAction":"SetQueue"}},
{"Identifier":"SetQueue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"End","Errors":[{"NextAction":"End","ErrorType":"QueueAtCapacity"},{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// TestRoutingBehavior: UpdateContactRoutingBehavior orders the queue: a chat whose customer-queue flow raises its
// priority to 1 is offered first, then one its inbound flow gave priority 2, then the oldest chat, left at the
// default priority.
func TestRoutingBehavior(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	queue := basicQueueARN(t, e)
	mk := func(name, behavior, inQueue string) string {
		return createFlow(t, e, name, strings.NewReplacer("%QUEUE%", queue, "%BEHAVIOR%", behavior, "%INQUEUE%", inQueue).Replace(priorityFlow))
	}
	raise, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: "Raise", Type: admin.FlowTypeCustomerQueue,
		Content: `{"Version":"2019-10-30","StartAction":"p","Actions":[{"Identifier":"p","Type":"UpdateContactRoutingBehavior","Parameters":{"QueuePriority":"1"},"Transitions":{"NextAction":"e"}},{"Identifier":"e","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`})
	if err != nil {
		t.Fatal(describe(err))
	}
	still, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: "Still", Type: admin.FlowTypeCustomerQueue,
		Content: `{"Version":"2019-10-30","StartAction":"e","Actions":[{"Identifier":"e","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`})
	if err != nil {
		t.Fatal(describe(err))
	}
	plain := mk("Plain", `"QueueTimeAdjustmentSeconds":"0"`, still.ARN)
	second := mk("Second", `"QueuePriority":"2"`, still.ARN)
	first := mk("First", `"QueueTimeAdjustmentSeconds":"0"`, raise.ARN)

	start := func(flowID string, queued float64) string {
		ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(flowID) })
		waitQueued(t, e, queued)
		return ch.ContactID
	}
	oldest := start(plain, 1)
	two := start(second, 2)
	one := start(first, 3)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann") // two chat slots
	for i, want := range []string{one, two} {
		if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != want {
			t.Fatalf("offer %d is %s, want %s (priority 1 %s, priority 2 %s, default %s)", i+1, offer.Contact.ContactID, want, one, two, oldest)
		}
	}
}

// TestContactData: UpdateContactData and UpdateContactRoutingBehavior show in DescribeContact (official SDK), and
// later references read the new name.
func TestContactData(t *testing.T) {
	e := newEnv(t)
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e)).Replace(`{"Version":"2019-10-30","StartAction":"data","Actions":[
{"Identifier":"data","Type":"UpdateContactData","Parameters":{"Name":"Order $.Attributes.order","Description":"Asked about order $.Attributes.order","LanguageCode":"de_DE"},"Transitions":{"NextAction":"prio","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"prio","Type":"UpdateContactRoutingBehavior","Parameters":{"QueuePriority":"2","QueueTimeAdjustmentSeconds":"60"},"Transitions":{"NextAction":"say"}},
{"Identifier":"say","Type":"MessageParticipant","Parameters":{"Text":"Your case: $.Name."},"Transitions":{"NextAction":"set"}},
{"Identifier":"set","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"queue","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"queue","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"end","Errors":[{"NextAction":"end","ErrorType":"QueueAtCapacity"},{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`)
	flowID := createFlow(t, e, "Data", content)
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flowID)
		in.Attributes = map[string]string{"order": "42"}
	})
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(ch.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Contact; aws.ToString(c.Name) != "Order 42" || aws.ToString(c.Description) != "Asked about order 42" ||
		aws.ToInt64(c.QueuePriority) != 2 || aws.ToInt32(c.QueueTimeAdjustmentSeconds) != 60 {
		t.Errorf("DescribeContact: name %q, description %q, priority %v, adjustment %v", aws.ToString(c.Name),
			aws.ToString(c.Description), aws.ToInt64(c.QueuePriority), aws.ToInt32(c.QueueTimeAdjustmentSeconds))
	}
	cust := e.connect(ch.ParticipantToken)
	said := e.saidTo(cust.Token)
	if len(said) != 1 || said[0] != "Your case: Order 42." {
		t.Errorf("the flow said %q", said)
	}
}

// TestWhisperFlows: when the agent accepts, the agent whisper flow speaks to the agent only and the customer
// whisper flow to the customer only, as Connect plays whispers on a chat whose flow set them.
func TestWhisperFlows(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	create := func(name, typ, text string) string {
		f, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: name, Type: typ,
			Content: `{"Version":"2019-10-30","StartAction":"say","Actions":[{"Identifier":"say","Type":"MessageParticipant","Parameters":{"Text":"` + text + `"},"Transitions":{"NextAction":"end"}},{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`})
		if err != nil {
			t.Fatal(describe(err))
		}
		return f.ARN
	}
	toAgent := create("Agent whisper", "AGENT_WHISPER", "$.Attributes.customerName, from $.Queue.Name")
	toCustomer := create("Customer whisper", "CUSTOMER_WHISPER", "You are now chatting with $.Agent.FirstName.")
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e), "%AGENT%", toAgent, "%CUSTOMER%", toCustomer).Replace(`{"Version":"2019-10-30","StartAction":"hooks","Actions":[
{"Identifier":"hooks","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"AgentWhisper":"%AGENT%","CustomerWhisper":"%CUSTOMER%"}},"Transitions":{"NextAction":"set","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"set","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"queue","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"queue","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"end","Errors":[{"NextAction":"end","ErrorType":"QueueAtCapacity"},{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`)
	flowID := createFlow(t, e, "Whispers", content)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flowID)
		in.Attributes = map[string]string{"customerName": "Jo"}
	})
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	ann.until(wire.EventOffer)
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	agentConn := e.connect(accepted.ParticipantToken)

	if said := saidUntil(t, cs, "You are now chatting with Ann."); len(said) != 1 {
		t.Errorf("the customer was told %q", said)
	}
	if got := e.saidTo(agentConn.Token); strings.Join(got, "|") != "Jo, from BasicQueue" {
		t.Errorf("the agent's transcript has the SYSTEM messages %q, want only the agent whisper", got)
	}
	if got := e.saidTo(cust.Token); strings.Join(got, "|") != "You are now chatting with Ann." {
		t.Errorf("the customer's transcript has the SYSTEM messages %q, want only the customer whisper", got)
	}
}
