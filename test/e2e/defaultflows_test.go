package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/wire"
)

// shippedFlows returns the ids of the instance's flows by name, as ListContactFlows tells them.
func shippedFlows(t *testing.T, e *env) map[string]string {
	t.Helper()
	out, err := e.cc.ListContactFlows(ctx(t), &connect.ListContactFlowsInput{InstanceId: aws.String(e.srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, f := range out.ContactFlowSummaryList {
		ids[aws.ToString(f.Name)] = aws.ToString(f.Id)
	}
	return ids
}

// saidUntil reads the customer's socket until want arrives and returns the SYSTEM messages on the way.
func saidUntil(t *testing.T, s *socket, want string) []string {
	t.Helper()
	var said []string
	for {
		it := s.next()
		if it.ParticipantRole == "SYSTEM" && it.Type == "MESSAGE" {
			said = append(said, it.Content)
		}
		if it.Content == want || it.ContentType == want {
			return said
		}
	}
}

// TestShippedFlows: a new instance's first contact flow greets the customer and queues the chat; its default
// customer-queue flow thanks the customer for waiting; when the agent leaves, its default disconnect flow waits for
// the customer, who comes back and is queued again.
func TestShippedFlows(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	flows := shippedFlows(t, e)
	for _, name := range []string{admin.FirstContactFlowName, admin.CustomerQueueFlowName, admin.DisconnectFlowName, admin.QueueTransferFlowName} {
		if flows[name] == "" {
			t.Fatalf("the instance has no flow %q: %v", name, flows)
		}
	}
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flows[admin.FirstContactFlowName])
	})
	cust := e.connect(ch.ParticipantToken)
	said := e.saidTo(cust.Token)
	want := []string{"Hello, thanks for contacting us.", "You are now being placed in queue to chat with an agent.",
		"Thank you for waiting. An agent will be with you as soon as possible."}
	if strings.Join(said, "|") != strings.Join(want, "|") {
		t.Fatalf("the first contact flow said %q, want %q", said, want)
	}
	// As on Connect, a flow's messages come from a SYSTEM participant of the contact: one ParticipantId for all
	// of them, nobody else's.
	system := map[string]bool{}
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.ParticipantRole) != "SYSTEM" || awsv1.StringValue(it.Type) != "MESSAGE" {
			continue
		}
		system[awsv1.StringValue(it.ParticipantId)] = true
		if awsv1.StringValue(it.DisplayName) != "SYSTEM_MESSAGE" {
			t.Errorf("a flow message's DisplayName is %q, want SYSTEM_MESSAGE", awsv1.StringValue(it.DisplayName))
		}
	}
	if len(system) != 1 || system[""] || system[ch.ParticipantID] {
		t.Errorf("the flow's messages came from participants %v, want one SYSTEM participant of their own", system)
	}
	cs := dial(t, cust.URL)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	agentConn := e.connect(accepted.ParticipantToken)
	saidUntil(t, cs, evJoined)
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(agentConn.Token)}); err != nil {
		t.Fatal(err)
	}
	left := "The agent has left the chat. Send a message within 15 minutes and we will find you another agent."
	saidUntil(t, cs, left)
	ann.until(wire.EventContactEnded)
	ann.must("POST", "/contacts/"+ch.ContactID+"/clear", nil, nil)

	e.send(cust.Token, "hello again")
	if said := saidUntil(t, cs, "You are being placed in queue to chat with another agent."); len(said) != 1 {
		t.Errorf("before the transfer message the customer was told %q", said)
	}
	offer := ann.until(wire.EventOffer)
	if offer.Contact.InitialContactID != ch.ContactID || offer.Contact.ContactID == ch.ContactID {
		t.Errorf("ann's second offer: %+v, want the disconnect flow's contact of chain %s", offer.Contact, ch.ContactID)
	}
}

// TestQuickConnectTransferFlow: an agent transfers a chat with a queue quick connect whose flow is the default
// queue transfer flow; the flow tells the customer and queues the chat where the quick connect points, and that
// queue's agent is offered it.
func TestQuickConnectTransferFlow(t *testing.T) {
	e := newEnv(t)
	support := setupCenter(t, e)
	flows := shippedFlows(t, e)
	qc, err := e.cc.CreateQuickConnect(ctx(t), &connect.CreateQuickConnectInput{InstanceId: aws.String(e.srv.InstanceID),
		Name: aws.String("To support"), QuickConnectConfig: &ctypes.QuickConnectConfig{QuickConnectType: ctypes.QuickConnectTypeQueue,
			QueueConfig: &ctypes.QueueQuickConnectConfig{QueueId: aws.String(support), ContactFlowId: aws.String(flows[admin.QueueTransferFlowName])}}})
	if err != nil {
		t.Fatalf("CreateQuickConnect: %v", err)
	}
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	bob := login(t, e.srv.URL, "bob", "Passw0rd-bob")
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	if offer := ann.until(wire.EventOffer); offer.Contact.ContactID != ch.ContactID {
		t.Fatalf("ann's offer: %+v", offer.Contact)
	}
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, nil)
	saidUntil(t, cs, evJoined)
	var tr wire.TransferResponse
	ann.must("POST", "/contacts/"+ch.ContactID+"/transfer", wire.TransferRequest{QuickConnectID: aws.ToString(qc.QuickConnectId)}, &tr)
	said := saidUntil(t, cs, "Your chat is being transferred. Please wait for the next available agent.")
	if len(said) != 1 {
		t.Errorf("the customer was told %q before the transfer flow's message", said)
	}
	offer := bob.until(wire.EventOffer)
	if offer.Contact.InitialContactID != ch.ContactID || offer.Contact.ContactID == ch.ContactID {
		t.Fatalf("bob's offer: %+v, want the transferred contact of chain %s", offer.Contact, ch.ContactID)
	}
	log, err := e.srv.Service().FlowLog(ctx(t), e.srv.InstanceID, offer.Contact.ContactID)
	if err != nil || len(log) == 0 || log[len(log)-1].Identifier != "transfer" {
		t.Errorf("the transfer flow's log: %+v, %v", log, err)
	}
}
