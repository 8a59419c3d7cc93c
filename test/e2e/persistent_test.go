package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
)

// messages reads a whole transcript with the SDK in the given direction and returns its MESSAGE items as
// "ContactId:Content", oldest first, checking that no item comes twice.
func (e *env) messages(token, scan, sort string) []string {
	e.t.Helper()
	var out []string
	seen := map[string]bool{}
	err := e.pc.GetTranscriptPagesWithContext(ctx(e.t), &connectparticipant.GetTranscriptInput{
		ConnectionToken: awsv1.String(token), MaxResults: awsv1.Int64(3),
		ScanDirection: awsv1.String(scan), SortOrder: awsv1.String(sort),
	}, func(p *connectparticipant.GetTranscriptOutput, last bool) bool {
		page := p.Transcript
		if sort == "DESCENDING" {
			page = slices.Clone(page)
			slices.Reverse(page)
		}
		var texts []string
		for _, it := range page {
			id := awsv1.StringValue(it.Id)
			if seen[id] {
				e.t.Fatalf("item %s twice in the transcript", id)
			}
			seen[id] = true
			if awsv1.StringValue(it.Type) == "MESSAGE" && awsv1.StringValue(it.ParticipantRole) != "SYSTEM" {
				texts = append(texts, awsv1.StringValue(it.ContactId)+":"+awsv1.StringValue(it.Content))
			}
		}
		if scan == "BACKWARD" {
			out = append(texts, out...)
		} else {
			out = append(out, texts...)
		}
		return true
	})
	if err != nil {
		e.t.Fatalf("GetTranscript: %v", err)
	}
	return out
}

// queueID returns the id of the instance's queue of that name.
func (e *env) queueID(name string) string {
	e.t.Helper()
	out, err := e.cc.ListQueues(ctx(e.t), &connect.ListQueuesInput{InstanceId: aws.String(e.srv.InstanceID)})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, q := range out.QueueSummaryList {
		if aws.ToString(q.Name) == name {
			return aws.ToString(q.Id)
		}
	}
	e.t.Fatalf("no queue %q", name)
	return ""
}

// flowID returns the id of the instance's contact flow of that name.
func (e *env) flowID(name string) string {
	e.t.Helper()
	out, err := e.cc.ListContactFlows(ctx(e.t), &connect.ListContactFlowsInput{InstanceId: aws.String(e.srv.InstanceID)})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range out.ContactFlowSummaryList {
		if aws.ToString(f.Name) == name {
			return aws.ToString(f.Id)
		}
	}
	e.t.Fatalf("no contact flow %q", name)
	return ""
}

// TestPersistentChat: chats that continue past sessions, as Amazon Connect's persistent chat does. The new
// chat's transcript starts with the past session's messages, with their Ids and ContactIds, read forward and
// backward across pages; continuations chain; FROM_SEGMENT stops at the segment's last item; a session that has
// not ended, or that an active chat already continues, cannot be continued; a ClientToken retry answers the same
// chat; CreatePersistentContactAssociation attaches a past session to a running chat once.
func TestPersistentChat(t *testing.T) {
	e := newEnv(t)
	persistent := func(typ ctypes.RehydrationType, source string) func(*connect.StartChatContactInput) {
		return func(in *connect.StartChatContactInput) {
			in.PersistentChat = &ctypes.PersistentChat{RehydrationType: typ, SourceContactId: aws.String(source)}
		}
	}
	start := func(mod ...func(*connect.StartChatContactInput)) (*connect.StartChatContactOutput, error) {
		in := &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactFlowId: aws.String(e.srv.ContactFlowID),
			ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("Customer")}}
		for _, m := range mod {
			m(in)
		}
		return e.cc.StartChatContact(ctx(t), in)
	}
	session := func(token string, texts ...string) (conn, []string) {
		c := e.connect(token)
		var ids []string
		for _, m := range texts {
			ids = append(ids, awsv1.StringValue(e.send(c.Token, m).Id))
		}
		return c, ids
	}
	leave := func(c conn) {
		if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
			ConnectionToken: awsv1.String(c.Token)}); err != nil {
			t.Fatal(err)
		}
	}

	a := e.startChat()
	ac, _ := session(a.ParticipantToken, "a1", "a2")
	_, err := start(persistent(ctypes.RehydrationTypeEntirePastSession, a.ContactID))
	wantCode(t, err, "InvalidRequestException", 400) // A has not ended
	leave(ac)

	in := persistent(ctypes.RehydrationTypeEntirePastSession, a.ContactID)
	token := func(in *connect.StartChatContactInput) { in.ClientToken = aws.String("resume-1") }
	b, err := start(in, token)
	if err != nil {
		t.Fatalf("StartChatContact continuing A: %v", err)
	}
	if aws.ToString(b.ContinuedFromContactId) != a.ContactID {
		t.Errorf("ContinuedFromContactId %q, want %s", aws.ToString(b.ContinuedFromContactId), a.ContactID)
	}
	retry, err := start(in, token)
	if err != nil || aws.ToString(retry.ContactId) != aws.ToString(b.ContactId) {
		t.Fatalf("retry with the ClientToken: %+v, %v", retry, err)
	}
	_, err = start(persistent(ctypes.RehydrationTypeFromSegment, a.ContactID))
	wantCode(t, err, "InvalidRequestException", 400) // B continues A already
	bc, _ := session(aws.ToString(b.ParticipantToken), "b1")
	bID := aws.ToString(b.ContactId)
	want := []string{a.ContactID + ":a1", a.ContactID + ":a2", bID + ":b1"}
	for _, dir := range [][2]string{{"FORWARD", "ASCENDING"}, {"BACKWARD", "DESCENDING"}, {"BACKWARD", "ASCENDING"}} {
		if got := e.messages(bc.Token, dir[0], dir[1]); !slices.Equal(got, want) {
			t.Errorf("B's transcript %v: %v, want %v", dir, got, want)
		}
	}
	// The other side of the chat (a bot here; an agent reads it the same way) sees the past session too.
	botToken, _ := e.addBot(bID)
	if got := e.messages(e.connect(botToken).Token, "FORWARD", "ASCENDING"); !slices.Equal(got, want) {
		t.Errorf("B's transcript read by its bot: %v, want %v", got, want)
	}
	leave(bc)

	// C continues B, which continued A: the history chains.
	c, err := start(persistent(ctypes.RehydrationTypeEntirePastSession, bID))
	if err != nil {
		t.Fatal(err)
	}
	cc, _ := session(aws.ToString(c.ParticipantToken), "c1")
	if got := e.messages(cc.Token, "FORWARD", "ASCENDING"); !slices.Equal(got, append(want, aws.ToString(c.ContactId)+":c1")) {
		t.Errorf("C's transcript %v", got)
	}

	// FROM_SEGMENT: D is transferred after d1; E continues D's first segment and sees d1, not d2.
	d := e.startChat()
	dc, _ := session(d.ParticipantToken, "d1")
	setupQueue := e.queueID("BasicQueue")
	out, err := e.cc.TransferContact(ctx(t), &connect.TransferContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(d.ContactID), QueueId: aws.String(setupQueue), ContactFlowId: aws.String(e.flowID("Default queue transfer"))})
	if err != nil {
		t.Fatal(err)
	}
	e.send(dc.Token, "d2")
	leave(dc)
	f, err := start(persistent(ctypes.RehydrationTypeFromSegment, d.ContactID))
	if err != nil {
		t.Fatal(err)
	}
	fc, _ := session(aws.ToString(f.ParticipantToken), "e1")
	got := e.messages(fc.Token, "FORWARD", "ASCENDING")
	if !slices.Equal(got, []string{d.ContactID + ":d1", aws.ToString(f.ContactId) + ":e1"}) {
		t.Errorf("FROM_SEGMENT of D's first contact: %v (D's second contact is %s)", got, aws.ToString(out.ContactId))
	}
	leave(fc)

	// A running chat takes a past session once.
	g := e.startChat()
	gc, _ := session(g.ParticipantToken, "g1")
	assoc := func(source string) (*connect.CreatePersistentContactAssociationOutput, error) {
		return e.cc.CreatePersistentContactAssociation(ctx(t), &connect.CreatePersistentContactAssociationInput{
			InstanceId: aws.String(e.srv.InstanceID), InitialContactId: aws.String(g.ContactID),
			RehydrationType: ctypes.RehydrationTypeFromSegment, SourceContactId: aws.String(source)})
	}
	leave(cc)
	res, err := assoc(aws.ToString(c.ContactId))
	if err != nil || aws.ToString(res.ContinuedFromContactId) != aws.ToString(c.ContactId) {
		t.Fatalf("CreatePersistentContactAssociation: %+v, %v", res, err)
	}
	got = e.messages(gc.Token, "FORWARD", "ASCENDING")
	if len(got) != 5 || !strings.HasSuffix(got[4], ":g1") || got[0] != a.ContactID+":a1" {
		t.Errorf("G's transcript after the association: %v", got)
	}
	_, err = assoc(aws.ToString(f.ContactId))
	wantCode(t, err, "InvalidRequestException", 400)
}

// TestStartChatPersistent: the public start-chat endpoint continues a past chat only for the client that had
// it, proven by that chat's customer ParticipantToken; a contact id alone, or another chat's token, is refused.
func TestStartChatPersistent(t *testing.T) {
	e := newEnv(t)
	past := e.startChat()
	pc := e.connect(past.ParticipantToken)
	e.send(pc.Token, "my order is late")
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(pc.Token)}); err != nil {
		t.Fatal(err)
	}
	other := e.startChat()
	body := func(token string) string {
		return `{"ParticipantDetails":{"DisplayName":"Ann"},"PersistentChat":{"RehydrationType":"ENTIRE_PAST_SESSION",` +
			`"SourceContactId":"` + past.ContactID + `","ParticipantToken":"` + token + `"}}`
	}
	for _, token := range []string{"", other.ParticipantToken} {
		if status, _, resp := postStartChat(t, e.srv.URL, "", body(token)); status != 403 || resp.Data.Error == nil {
			t.Errorf("continuing with token %q: %d %+v, want 403", token, status, resp.Data)
		}
	}
	status, _, resp := postStartChat(t, e.srv.URL, "", body(past.ParticipantToken))
	if status != 200 || resp.Data.StartChatResult == nil || resp.Data.StartChatResult.ContinuedFromContactID != past.ContactID {
		t.Fatalf("continuing with the past chat's token: %d %+v", status, resp.Data)
	}
	c := e.connect(resp.Data.StartChatResult.ParticipantToken)
	if got := e.messages(c.Token, "BACKWARD", "DESCENDING"); len(got) != 1 || got[0] != past.ContactID+":my order is late" {
		t.Errorf("the new chat's transcript: %v", got)
	}
}
