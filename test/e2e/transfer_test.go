package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/wire"
)

// TestTransferContactAPI: TransferContact on a chat (parley's extension; Connect keeps it for tasks and emails),
// with the official SDK: to a queue through the instance's "Default queue transfer" flow (its message, then the
// queue), as the agent API's transfer does it; a retry with the ClientToken answers the same contact; then to a
// user. Both QueueId and UserId, an inbound-only flow type, and an ended contact are refused.
func TestTransferContactAPI(t *testing.T) {
	e := newEnv(t)
	support := setupCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	bob := login(t, e.srv.URL, "bob", "Passw0rd-bob")
	flows, err := e.cc.ListContactFlows(ctx(t), &connect.ListContactFlowsInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactFlowTypes: []ctypes.ContactFlowType{ctypes.ContactFlowTypeQueueTransfer, ctypes.ContactFlowTypeCustomerQueue}})
	if err != nil {
		t.Fatal(err)
	}
	var transferFlow, customerQueueFlow string
	for _, f := range flows.ContactFlowSummaryList {
		switch f.ContactFlowType {
		case ctypes.ContactFlowTypeQueueTransfer:
			transferFlow = aws.ToString(f.Id)
		case ctypes.ContactFlowTypeCustomerQueue:
			customerQueueFlow = aws.ToString(f.Id)
		}
	}

	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	offer := ann.until(wire.EventOffer)
	ann.must("POST", "/contacts/"+offer.Contact.ContactID+"/accept", nil, nil)
	cs.until(evJoined)

	transfer := func(in *connect.TransferContactInput) (*connect.TransferContactOutput, error) {
		in.InstanceId = aws.String(e.srv.InstanceID)
		return e.cc.TransferContact(ctx(t), in)
	}
	_, err = transfer(&connect.TransferContactInput{ContactId: aws.String(ch.ContactID), QueueId: aws.String(support),
		UserId: aws.String(bob.user.ID), ContactFlowId: aws.String(transferFlow)})
	wantCode(t, err, "InvalidRequestException", 400)
	_, err = transfer(&connect.TransferContactInput{ContactId: aws.String(ch.ContactID), QueueId: aws.String(support),
		ContactFlowId: aws.String(customerQueueFlow)})
	wantCode(t, err, "InvalidRequestException", 400)
	_, err = transfer(&connect.TransferContactInput{ContactId: aws.String("no-such-contact"), QueueId: aws.String(support),
		ContactFlowId: aws.String(transferFlow)})
	wantCode(t, err, "ResourceNotFoundException", 404)

	in := &connect.TransferContactInput{ContactId: aws.String(ch.ContactID), QueueId: aws.String(support),
		ContactFlowId: aws.String(transferFlow), ClientToken: aws.String("transfer-1")}
	out, err := transfer(in)
	if err != nil {
		t.Fatalf("TransferContact: %v", err)
	}
	next := aws.ToString(out.ContactId)
	if next == "" || next == ch.ContactID || aws.ToString(out.ContactArn) == "" {
		t.Fatalf("TransferContact = %+v", out)
	}
	again, err := transfer(in)
	if err != nil || aws.ToString(again.ContactId) != next {
		t.Fatalf("retry with the ClientToken: %+v, %v; want contact %s", again, err, next)
	}
	if ev := ann.until(wire.EventContactEnded); ev.ContactID != ch.ContactID || ev.Reason != "TRANSFERRED" {
		t.Fatalf("ann: %+v", ev)
	}
	sawLeft, sawTransfer, sawFlowMessage := false, false, false
	for !(sawLeft && sawTransfer && sawFlowMessage) {
		it := cs.next()
		switch {
		case it.ContentType == evLeft && it.DisplayName == "Ann":
			sawLeft = true
		case it.ContentType == "application/vnd.amazonaws.connect.event.transfer.succeeded" && it.ContactID == next:
			sawTransfer = true
		case it.Type == "MESSAGE" && it.ParticipantRole == "SYSTEM" && it.Content == "Your chat is being transferred. Please wait for the next available agent.":
			sawFlowMessage = true
		}
	}
	if o := bob.until(wire.EventOffer); o.Contact.ContactID != next || o.Contact.QueueID != support {
		t.Fatalf("bob's offer %+v", o.Contact)
	}
	bob.must("POST", "/contacts/"+next+"/accept", nil, nil)
	cs.until(evJoined)

	// To a user: the contact goes to that agent alone (Ann, after she clears her work).
	ann.must("POST", "/contacts/"+ch.ContactID+"/clear", nil, nil)
	out, err = transfer(&connect.TransferContactInput{ContactId: aws.String(next), UserId: aws.String(ann.user.ID),
		ContactFlowId: aws.String(transferFlow)})
	if err != nil {
		t.Fatalf("TransferContact to a user: %v", err)
	}
	third := aws.ToString(out.ContactId)
	if o := ann.until(wire.EventOffer); o.Contact.ContactID != third {
		t.Fatalf("ann's offer %+v", o.Contact)
	}
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(cust.Token)}); err != nil {
		t.Fatal(err)
	}
	cs.until(evEnded)
	_, err = transfer(&connect.TransferContactInput{ContactId: aws.String(third), QueueId: aws.String(support),
		ContactFlowId: aws.String(transferFlow)})
	wantCode(t, err, "InvalidRequestException", 400)
}

// TestUpdateContactRoutingData: a contact waiting behind another is served first once UpdateContactRoutingData
// gives it priority 1; an age adjustment does the same; routing criteria, an unknown and an ended contact are
// refused.
func TestUpdateContactRoutingData(t *testing.T) {
	for _, c := range []struct {
		name string
		in   connect.UpdateContactRoutingDataInput
	}{
		{"priority", connect.UpdateContactRoutingDataInput{QueuePriority: aws.Int64(1)}},
		{"age", connect.UpdateContactRoutingDataInput{QueueTimeAdjustmentSeconds: aws.Int32(3600)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			setupCenter(t, e)
			first, second := e.startChat(), e.startChat()
			in := c.in
			in.InstanceId, in.ContactId = aws.String(e.srv.InstanceID), aws.String(second.ContactID)
			if _, err := e.cc.UpdateContactRoutingData(ctx(t), &in); err != nil {
				t.Fatalf("UpdateContactRoutingData: %v", err)
			}
			ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
			if o := ann.until(wire.EventOffer); o.Contact.ContactID != second.ContactID {
				t.Fatalf("first offer %s, want the reprioritized %s (not %s)", o.Contact.ContactID, second.ContactID, first.ContactID)
			}
		})
	}
	e := newEnv(t)
	ch := e.startChat()
	update := func(contactID string, mod func(*connect.UpdateContactRoutingDataInput)) error {
		in := &connect.UpdateContactRoutingDataInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(contactID),
			QueuePriority: aws.Int64(2)}
		if mod != nil {
			mod(in)
		}
		_, err := e.cc.UpdateContactRoutingData(ctx(t), in)
		return err
	}
	wantCode(t, update("no-such-contact", nil), "ResourceNotFoundException", 404)
	wantCode(t, update(ch.ContactID, func(in *connect.UpdateContactRoutingDataInput) {
		in.RoutingCriteria = &ctypes.RoutingCriteriaInput{Steps: []ctypes.RoutingCriteriaInputStep{}}
	}), "InvalidParameterException", 400)
	wantCode(t, update(ch.ContactID, func(in *connect.UpdateContactRoutingDataInput) { in.QueuePriority = aws.Int64(0) }),
		"InvalidParameterException", 400)
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, update(ch.ContactID, nil), "InvalidRequestException", 400)
}
