package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/wire"
)

// sampleFlows reads Amazon Connect's sample flows from ../shared/flows (a real instance's export); the test
// skips where they are absent. They are data the test reads, never copied into the repository.
func sampleFlow(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "flows", name))
	if err != nil {
		t.Skipf("sample flows not available (../shared/flows): %v", err)
	}
	return string(b)
}

var (
	queueARNs   = regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/queue/[0-9a-f-]+`)
	flowARNs    = regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/contact-flow/[0-9a-f-]+`)
	terraformID = regexp.MustCompile(`\$\{aws_connect_contact_flow\.([a-z_]+)\.contact_flow_id\}`)
)

// importSamples imports the sample inbound, queue-configurations and disconnect flows with their references
// rewritten to local resources as SOURCES.md says: queues → queueARN, CustomerQueue hooks → a CUSTOMER_QUEUE
// flow that ends at once, the inbound flow's CustomerRemaining hook → the Sample disconnect flow, its
// TransferToFlow targets → the Sample queue configurations flow. It returns the inbound flow's id.
func importSamples(t *testing.T, e *env, queueARN string) string {
	t.Helper()
	create := func(name, typ, content string) *struct{ ID, ARN string } {
		f, err := e.srv.Admin().CreateContactFlow(ctx(t), e.srv.InstanceID, admin.FlowInput{Name: name, Type: typ, Content: content})
		if err != nil {
			t.Fatalf("import %s: %v", name, describe(err))
		}
		return &struct{ ID, ARN string }{f.ID, f.ARN}
	}
	inQueue := create("Customer queue", admin.FlowTypeCustomerQueue,
		`{"Version":"2019-10-30","StartAction":"end","Actions":[{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`)
	disc := create("Sample disconnect flow", admin.FlowTypeContactFlow,
		queueARNs.ReplaceAllString(sampleFlow(t, "sample-disconnect.json"), queueARN))
	qc := queueARNs.ReplaceAllString(sampleFlow(t, "sample-queue-configurations.json"), queueARN)
	qcFlow := create("Sample queue configurations flow", admin.FlowTypeContactFlow, flowARNs.ReplaceAllString(qc, inQueue.ARN))
	in := sampleFlow(t, "sample-inbound-first-contact.json")
	in = flowARNs.ReplaceAllString(in, disc.ARN)
	in = terraformID.ReplaceAllString(in, qcFlow.ID)
	return create("Sample inbound flow (first contact experience)", admin.FlowTypeContactFlow, in).ID
}

// describe prints an import error with the problems a flow was refused for.
func describe(err error) string {
	var pe *parley.Error
	if errors.As(err, &pe) && len(pe.Problems) > 0 {
		return err.Error() + ": " + strings.Join(pe.Problems, " | ")
	}
	return err.Error()
}

// saidTo returns the SYSTEM messages in the transcript of the participant whose connection token this is.
func (e *env) saidTo(token string) []string {
	e.t.Helper()
	var said []string
	for _, it := range e.transcript(token) {
		if awsv1.StringValue(it.ParticipantRole) == "SYSTEM" && awsv1.StringValue(it.Type) == "MESSAGE" {
			said = append(said, awsv1.StringValue(it.Content))
		}
	}
	return said
}

// systemTexts returns the SYSTEM messages among items.
func systemTexts(items []wire.Item) []string {
	var out []string
	for _, it := range items {
		if it.ParticipantRole == "SYSTEM" && it.Type == "MESSAGE" {
			out = append(out, it.Content)
		}
	}
	return out
}

// TestSampleFlowsAgentLeaves runs Amazon's sample flows as SOURCES.md describes a chat through them: sample
// inbound → queue configurations (open hours) → queue → agent → the agent leaves → sample disconnect flow, which
// waits for the customer's return → back to the queue and to the agent.
func TestSampleFlowsAgentLeaves(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	inbound := importSamples(t, e, basicQueueARN(t, e))
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")

	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(inbound) })
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	said := e.saidTo(cust.Token)
	want := []string{
		"Hello, thanks for contacting us. This is an example of what the Amazon Connect virtual contact center can enable you to do.",
		"The time in queue is less than 5 minutes.",
		"You are now being placed in queue to chat with an agent.",
	}
	if strings.Join(said, "|") != strings.Join(want, "|") {
		t.Fatalf("the sample flows said %q, want %q", said, want)
	}
	offer := ann.until(wire.EventOffer)
	if offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	agentConn := e.connect(accepted.ParticipantToken)
	if it := cs.next(); it.ContentType != evJoined {
		t.Fatalf("customer saw %+v, want the agent joining", it)
	}

	// The agent leaves; the customer remains with the sample disconnect flow.
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(agentConn.Token)}); err != nil {
		t.Fatal(err)
	}
	if it := cs.next(); it.ContentType != "application/vnd.amazonaws.connect.event.participant.left" || it.ParticipantRole != "AGENT" {
		t.Fatalf("customer saw %+v, want the agent leaving", it)
	}
	it := cs.next()
	if it.ParticipantRole != "SYSTEM" || !strings.HasPrefix(it.Content, "The agent has disconnected.") {
		t.Fatalf("customer saw %+v, want the disconnect flow's message", it)
	}
	second := it.ContactID
	if second == ch.ContactID || it.InitialContactID != ch.ContactID {
		t.Fatalf("the disconnect flow's message is on contact %s of chain %s, want a new contact of chain %s", second, it.InitialContactID, ch.ContactID)
	}
	ended := ann.until(wire.EventContactEnded)
	if ended.ContactID != ch.ContactID {
		t.Fatalf("ann's contact ended: %+v", ended)
	}
	ann.must("POST", "/contacts/"+ch.ContactID+"/clear", nil, nil)

	// The customer comes back within the wait: the chat goes back to the queue and to Ann.
	e.send(cust.Token, "are you there?")
	cs.next() // the customer's own message
	if it := cs.next(); it.Content != "You are now being transferred to queue to chat with another agent." {
		t.Fatalf("customer saw %+v, want the transfer message", it)
	}
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != second || offer.Contact.InitialContactID != ch.ContactID {
		t.Fatalf("ann's second offer: %+v, want contact %s", offer.Contact, second)
	}
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(second)})
	if err != nil || d.Contact.InitiationMethod != ctypes.ContactInitiationMethodDisconnect || aws.ToString(d.Contact.PreviousContactId) != ch.ContactID {
		t.Errorf("DescribeContact of the disconnect flow's contact: %+v, %v", d.Contact, err)
	}
}

// TestSampleQueueConfigurationsClosed: the sample queue configurations flow on a queue whose hours are closed
// says so and disconnects.
func TestSampleQueueConfigurationsClosed(t *testing.T) {
	e := newEnv(t)
	// Open only on the day three days ahead, as SOURCES.md suggests: closed now, whatever the day.
	day := ctypes.HoursOfOperationDays(strings.ToUpper(time.Now().UTC().Add(72 * time.Hour).Weekday().String()))
	closed := hours(t, e, "Later", day)
	q, err := e.cc.CreateQueue(ctx(t), &connect.CreateQueueInput{InstanceId: aws.String(e.srv.InstanceID),
		Name: aws.String("Closed"), HoursOfOperationId: aws.String(closed)})
	if err != nil {
		t.Fatal(err)
	}
	inbound := importSamples(t, e, aws.ToString(q.QueueArn))
	ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String(inbound) })
	// The flow ran to its end before the customer could connect (CreateParticipantConnection then answers
	// that the chat has ended, as Connect does): its log and the contact tell what happened.
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil || aws.ToString(d.Contact.DisconnectReason) != "CONTACT_FLOW_DISCONNECT" {
		t.Fatalf("DescribeContact: %+v, %v; want ended by the flow", d, err)
	}
	log, err := e.srv.Service().FlowLog(ctx(t), e.srv.InstanceID, ch.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, r := range log {
		path = append(path, r.Type+"="+r.Result)
	}
	got := strings.Join(path, " ")
	if !strings.Contains(got, "CheckHoursOfOperation=False") || !strings.HasSuffix(got, "DisconnectParticipant=") {
		t.Errorf("flow path %s, want closed hours and a disconnect", got)
	}
}
