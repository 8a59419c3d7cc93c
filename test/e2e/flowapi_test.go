package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// TestContactFlowAPI: flows through the official SDK — create, describe, list, update, rename, archive,
// delete — and bad content refused with InvalidContactFlowException and its problems.
func TestContactFlowAPI(t *testing.T) {
	_, withTiers := tierFunction(t)
	e := newEnv(t, withTiers)
	c, inst := e.cc, aws.String(e.srv.InstanceID)
	content := strings.NewReplacer("%QUEUE%", basicQueueARN(t, e), "%HOURS%", "").Replace(menuFlow)
	content = strings.Replace(content, `"Parameters":{"HoursOfOperationId":""}`, `"Parameters":{}`, 1)
	out, err := c.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: inst, Name: aws.String("Menu"),
		Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(content), Description: aws.String("the menu")})
	if err != nil {
		t.Fatalf("CreateContactFlow: %v", err)
	}
	sum := sha256.Sum256([]byte(content))
	if aws.ToString(out.FlowContentSha256) != hex.EncodeToString(sum[:]) || !strings.HasSuffix(aws.ToString(out.ContactFlowArn), aws.ToString(out.ContactFlowId)) {
		t.Errorf("CreateContactFlow = %+v", out)
	}
	d, err := c.DescribeContactFlow(ctx(t), &connect.DescribeContactFlowInput{InstanceId: inst, ContactFlowId: out.ContactFlowId})
	if err != nil || aws.ToString(d.ContactFlow.Content) != content || aws.ToString(d.ContactFlow.Name) != "Menu" ||
		d.ContactFlow.State != ctypes.ContactFlowStateActive || d.ContactFlow.Type != ctypes.ContactFlowTypeContactFlow {
		t.Fatalf("DescribeContactFlow: %+v, %v", d, err)
	}
	l, err := c.ListContactFlows(ctx(t), &connect.ListContactFlowsInput{InstanceId: inst})
	found := false
	for _, s := range l.ContactFlowSummaryList {
		found = found || aws.ToString(s.Id) == aws.ToString(out.ContactFlowId)
	}
	if err != nil || !found {
		t.Errorf("ListContactFlows: %v, found %v", err, found)
	}

	bad := strings.Replace(content, `"Type":"CheckHoursOfOperation"`, `"Type":"CheckTheMoon"`, 1)
	bad = strings.Replace(bad, `"NextAction":"Menu"}`, `"NextAction":"Nowhere"}`, 1)
	_, err = c.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: inst, Name: aws.String("Bad"),
		Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(bad)})
	var invalid *ctypes.InvalidContactFlowException
	if !errors.As(err, &invalid) || len(invalid.Problems) < 2 {
		t.Fatalf("a bad flow: %v, want InvalidContactFlowException with two problems", err)
	}
	var msgs []string
	for _, p := range invalid.Problems {
		msgs = append(msgs, aws.ToString(p.Message))
	}
	if all := strings.Join(msgs, " | "); !strings.Contains(all, "CheckTheMoon") || !strings.Contains(all, "Nowhere") {
		t.Errorf("problems %q do not name the unknown action and the missing target", msgs)
	}
	_, err = c.UpdateContactFlowContent(ctx(t), &connect.UpdateContactFlowContentInput{InstanceId: inst,
		ContactFlowId: out.ContactFlowId, Content: aws.String(bad)})
	if !errors.As(err, &invalid) {
		t.Errorf("UpdateContactFlowContent with a bad flow: %v", err)
	}
	_, err = c.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: inst, Name: aws.String("Menu"),
		Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(content)})
	var dup *ctypes.DuplicateResourceException
	if !errors.As(err, &dup) {
		t.Errorf("a second flow named Menu: %v, want DuplicateResourceException", err)
	}
	if _, err := c.UpdateContactFlowName(ctx(t), &connect.UpdateContactFlowNameInput{InstanceId: inst,
		ContactFlowId: out.ContactFlowId, Name: aws.String("Main menu")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateContactFlowMetadata(ctx(t), &connect.UpdateContactFlowMetadataInput{InstanceId: inst,
		ContactFlowId: out.ContactFlowId, ContactFlowState: ctypes.ContactFlowStateArchived}); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeContactFlow(ctx(t), &connect.DescribeContactFlowInput{InstanceId: inst, ContactFlowId: out.ContactFlowId})
	if err != nil || aws.ToString(d.ContactFlow.Name) != "Main menu" || d.ContactFlow.State != ctypes.ContactFlowStateArchived {
		t.Errorf("after rename and archive: %+v, %v", d, err)
	}
	if _, err := c.DeleteContactFlow(ctx(t), &connect.DeleteContactFlowInput{InstanceId: inst, ContactFlowId: out.ContactFlowId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeContactFlow(ctx(t), &connect.DescribeContactFlowInput{InstanceId: inst, ContactFlowId: out.ContactFlowId})
	var nf *ctypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeContactFlow of a deleted flow: %v", err)
	}
}

// TestFlowLogEndpoint: parley's own flow-log operation, SigV4-signed like the Connect API.
func TestFlowLogEndpoint(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat() // the default flow: set the queue, transfer
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet,
		e.srv.URL+"/parley/contact-flow-log/"+e.srv.InstanceID+"/"+ch.ContactID, nil)
	if err != nil {
		t.Fatal(err)
	}
	empty := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDPARLEYTEST", SecretAccessKey: "secret"},
		req, hex.EncodeToString(empty[:]), "connect", e.srv.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Records []struct{ Identifier, Type, Branch string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("flow log: %d, %v", resp.StatusCode, err)
	}
	if len(body.Records) != 2 || body.Records[0].Type != "UpdateContactTargetQueue" || body.Records[1].Type != "TransferContactToQueue" {
		t.Errorf("flow log of the default flow: %+v", body.Records)
	}
}

// TestFlowUpdateApplies: a flow's new content applies to the next chat (the chat core keeps flows parsed and
// drops them when the admin API changes one).
func TestFlowUpdateApplies(t *testing.T) {
	e := newEnv(t)
	c, inst := e.cc, aws.String(e.srv.InstanceID)
	queue := basicQueueARN(t, e)
	say := func(text string) string { // say text, then wait in BasicQueue
		return `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"MessageParticipant",` +
			`"Parameters":{"Text":"` + text + `"},"Transitions":{"NextAction":"q"}},` +
			`{"Identifier":"q","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"` + queue + `"},"Transitions":{"NextAction":"t","Errors":[{"NextAction":"x","ErrorType":"NoMatchingError"}]}},` +
			`{"Identifier":"t","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"x","Errors":[{"NextAction":"x","ErrorType":"QueueAtCapacity"},{"NextAction":"x","ErrorType":"NoMatchingError"}]}},` +
			`{"Identifier":"x","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
	}
	out, err := c.CreateContactFlow(ctx(t), &connect.CreateContactFlowInput{InstanceId: inst, Name: aws.String("Say"),
		Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(say("first version"))})
	if err != nil {
		t.Fatal(err)
	}
	said := func() string {
		ch := e.startChat(func(in *connect.StartChatContactInput) { in.ContactFlowId = out.ContactFlowId })
		for _, it := range e.transcript(e.connect(ch.ParticipantToken).Token) {
			if it.ParticipantRole != nil && *it.ParticipantRole == "SYSTEM" && *it.Type == "MESSAGE" {
				return *it.Content
			}
		}
		return ""
	}
	if got := said(); got != "first version" {
		t.Fatalf("the flow said %q", got)
	}
	if _, err := c.UpdateContactFlowContent(ctx(t), &connect.UpdateContactFlowContentInput{InstanceId: inst,
		ContactFlowId: out.ContactFlowId, Content: aws.String(say("second version"))}); err != nil {
		t.Fatal(err)
	}
	if got := said(); got != "second version" {
		t.Errorf("after UpdateContactFlowContent the flow said %q, want the second version", got)
	}
}
