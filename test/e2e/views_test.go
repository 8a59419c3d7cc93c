package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/server"
)

// TestViewAPI: views through the official SDK — the AWS managed views listed and described, a view of the
// instance created saved, published, versioned, renamed, listed and deleted, and the model's errors.
func TestViewAPI(t *testing.T) {
	e := newEnv(t)
	c, inst := e.cc, aws.String(e.srv.InstanceID)

	managed, err := c.ListViews(ctx(t), &connect.ListViewsInput{InstanceId: inst, Type: ctypes.ViewTypeAwsManaged})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range managed.ViewsSummaryList {
		names = append(names, aws.ToString(s.Name))
	}
	if got := strings.Join(names, ","); got != "Cards,Confirmation,Detail,Form,List" {
		t.Errorf("AWS managed views = %s", got)
	}
	formARN := "arn:aws:connect:" + e.srv.Region + ":aws:view/form"
	form, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(formARN + ":1")})
	if err != nil || aws.ToString(form.View.Arn) != formARN || form.View.Type != ctypes.ViewTypeAwsManaged ||
		form.View.Version != 1 || !strings.Contains(strings.Join(form.View.Content.Actions, ","), "Next") {
		t.Fatalf("DescribeView(form) = %+v, %v", form, err)
	}

	template := `{"Head":{"Title":"Survey"},"Body":[{"_id":"q","Type":"Form","Props":{"Heading":"$.Question"}}]}`
	created, err := c.CreateView(ctx(t), &connect.CreateViewInput{InstanceId: inst, Name: aws.String("Survey"),
		Status: ctypes.ViewStatusSaved, Content: &ctypes.ViewInputContent{Template: aws.String(template),
			Actions: []string{"Submit", "Skip"}}, Tags: map[string]string{"team": "care"}})
	if err != nil {
		t.Fatal(err)
	}
	v := created.View
	id := aws.ToString(v.Id)
	if v.Status != ctypes.ViewStatusSaved || v.Type != ctypes.ViewTypeCustomerManaged ||
		!strings.HasSuffix(aws.ToString(v.Arn), "/view/"+id) || !strings.Contains(aws.ToString(v.Content.InputSchema), "Question") {
		t.Errorf("CreateView = %+v", v)
	}
	_, err = c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id)})
	var nf *ctypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeView of a view never published: %v, want ResourceNotFoundException", err)
	}
	saved, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id + ":$SAVED")})
	if err != nil || aws.ToString(saved.View.Content.Template) != template {
		t.Errorf("DescribeView $SAVED = %+v, %v", saved, err)
	}

	_, err = c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: aws.String(id),
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String("{not json"),
			Actions: []string{"Submit"}}})
	var invalid *ctypes.InvalidParameterException
	if !errors.As(err, &invalid) || !strings.Contains(aws.ToString(invalid.Message), "Content.Template") {
		t.Errorf("publishing a template that is not JSON: %v, want InvalidParameterException naming Content.Template", err)
	}
	up, err := c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: v.Arn,
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String(template),
			Actions: []string{"Submit", "Skip", "Later"}}})
	if err != nil || up.View.Status != ctypes.ViewStatusPublished || len(up.View.Content.Actions) != 3 {
		t.Fatalf("UpdateViewContent = %+v, %v", up, err)
	}
	latest, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id)})
	if err != nil || latest.View.Status != ctypes.ViewStatusPublished || aws.ToString(latest.View.Content.Template) != template {
		t.Errorf("DescribeView $LATEST = %+v, %v", latest, err)
	}
	ver, err := c.CreateViewVersion(ctx(t), &connect.CreateViewVersionInput{InstanceId: inst, ViewId: aws.String(id),
		VersionDescription: aws.String("first"), ViewContentSha256: latest.View.ViewContentSha256})
	if err != nil || ver.View.Version != 1 || aws.ToString(ver.View.VersionDescription) != "first" {
		t.Errorf("CreateViewVersion = %+v, %v", ver, err)
	}
	if _, err := c.UpdateViewMetadata(ctx(t), &connect.UpdateViewMetadataInput{InstanceId: inst, ViewId: aws.String(id),
		Name: aws.String("Survey 2")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateView(ctx(t), &connect.CreateViewInput{InstanceId: inst, Name: aws.String("Survey 2"),
		Status: ctypes.ViewStatusSaved, Content: &ctypes.ViewInputContent{Template: aws.String("{}"), Actions: []string{"Ok"}}})
	var dup *ctypes.DuplicateResourceException
	if !errors.As(err, &dup) {
		t.Errorf("a second view named Survey 2: %v, want DuplicateResourceException", err)
	}
	_, err = c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: aws.String(formARN),
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String("{}")}})
	var badReq *ctypes.InvalidRequestException
	if !errors.As(err, &badReq) {
		t.Errorf("changing an AWS managed view: %v, want InvalidRequestException", err)
	}

	mine, err := c.ListViews(ctx(t), &connect.ListViewsInput{InstanceId: inst, Type: ctypes.ViewTypeCustomerManaged})
	if err != nil || len(mine.ViewsSummaryList) != 1 || aws.ToString(mine.ViewsSummaryList[0].Name) != "Survey 2" {
		t.Errorf("ListViews CUSTOMER_MANAGED = %+v, %v", mine, err)
	}
	if _, err := c.DeleteView(ctx(t), &connect.DeleteViewInput{InstanceId: inst, ViewId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id + ":1")})
	if !errors.As(err, &nf) {
		t.Errorf("DescribeView of a deleted view: %v, want ResourceNotFoundException", err)
	}
}

// showViewFlow shows the managed Form view and branches on the customer's answer: Next thanks the customer with
// the address the form collected, Cancel says goodbye, the time limit says so.
const showViewFlow = `{"Version":"2019-10-30","StartAction":"form","Actions":[
{"Identifier":"form","Type":"ShowView","Parameters":{"ViewResource":{"Id":"%FORM%","Version":"1"},
 "InvocationTimeLimitSeconds":"60","ViewData":{"Heading":"Hello $.CustomerEndpoint.Address",
 "Sections":[{"Heading":"Contact","Items":[{"Type":"FormInput","Name":"email","Label":"Email","InputType":"email"}]}],
 "Next":"Send","Cancel":"Not now"}},
 "Transitions":{"NextAction":"other","Conditions":[
  {"NextAction":"thanks","Condition":{"Operator":"Equals","Operands":["Next"]}},
  {"NextAction":"bye","Condition":{"Operator":"Equals","Operands":["Cancel"]}}],
  "Errors":[{"NextAction":"slow","ErrorType":"TimeLimitExceeded"},{"NextAction":"other","ErrorType":"NoMatchingCondition"},
  {"NextAction":"other","ErrorType":"NoMatchingError"}]}},
{"Identifier":"thanks","Type":"MessageParticipant","Parameters":{"Text":"Thanks, we will write to $.Views.ViewResultData.email ($.Views.Action)"},"Transitions":{"NextAction":"end"}},
{"Identifier":"bye","Type":"MessageParticipant","Parameters":{"Text":"Bye"},"Transitions":{"NextAction":"end"}},
{"Identifier":"slow","Type":"MessageParticipant","Parameters":{"Text":"Too slow"},"Transitions":{"NextAction":"end"}},
{"Identifier":"other","Type":"MessageParticipant","Parameters":{"Text":"Something else"},"Transitions":{"NextAction":"end"}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// viewOf finds the ShowView message in a transcript and returns its view ARN and token.
func viewOf(t *testing.T, items []*connectparticipant.Item) (arn, token string) {
	t.Helper()
	for _, it := range items {
		if awsv1.StringValue(it.ContentType) != "application/vnd.amazonaws.connect.message.interactive" {
			continue
		}
		var m struct {
			TemplateType string `json:"templateType"`
			Data         struct {
				Content struct {
					ViewID, ViewToken string
					ViewData          map[string]any
				} `json:"content"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(awsv1.StringValue(it.Content)), &m); err != nil || m.TemplateType != "ViewResource" {
			t.Fatalf("interactive message %s: %v", awsv1.StringValue(it.Content), err)
		}
		if m.Data.Content.ViewData["Heading"] != "Hello " || m.Data.Content.ViewData["Next"] != "Send" {
			t.Errorf("viewData = %v", m.Data.Content.ViewData)
		}
		return m.Data.Content.ViewID, m.Data.Content.ViewToken
	}
	t.Fatal("no ShowView message in the transcript")
	return "", ""
}

// TestShowView: a flow shows the Form view; the customer (aws-sdk-go connectparticipant) describes it with the
// token of the message, submits the form as an interactive response, and the flow branches on $.Views.Action and
// tells the customer what $.Views.ViewResultData holds. A bad token is ResourceNotFoundException; a view left
// unanswered takes the TimeLimitExceeded branch.
func TestShowView(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	formARN := "arn:aws:connect:" + e.srv.Region + ":aws:view/form"
	flowID := createFlow(t, e, "Views", strings.ReplaceAll(showViewFlow, "%FORM%", formARN))
	start := func(in *connect.StartChatContactInput) {
		in.ContactFlowId = aws.String(flowID)
		in.SupportedMessagingContentTypes = []string{"text/plain", "application/vnd.amazonaws.connect.message.interactive",
			"application/vnd.amazonaws.connect.message.interactive.response"}
	}

	ch := e.startChat(start)
	cust := e.connect(ch.ParticipantToken)
	sock := dial(t, cust.URL)
	arn, token := viewOf(t, e.transcript(cust.Token))
	if arn != formARN || token == "" {
		t.Fatalf("view %q, token %q", arn, token)
	}
	d, err := e.pc.DescribeViewWithContext(ctx(t), &connectparticipant.DescribeViewInput{
		ConnectionToken: awsv1.String(cust.Token), ViewToken: awsv1.String(token)})
	if err != nil {
		t.Fatalf("DescribeView: %v", err)
	}
	if v := d.View; awsv1.StringValue(v.Name) != "Form" || awsv1.StringValue(v.Arn) != formARN ||
		awsv1.Int64Value(v.Version) != 1 || !strings.Contains(strings.Join(awsv1.StringValueSlice(v.Content.Actions), ","), "Next") ||
		!json.Valid([]byte(awsv1.StringValue(v.Content.Template))) {
		t.Errorf("DescribeView = %+v", v)
	}
	for _, bad := range []string{"nonsense", token[:len(token)-2] + "xx"} {
		_, err = e.pc.DescribeViewWithContext(ctx(t), &connectparticipant.DescribeViewInput{
			ConnectionToken: awsv1.String(cust.Token), ViewToken: awsv1.String(bad)})
		wantCode(t, err, "ResourceNotFoundException", 404)
	}
	other := e.startChat(start) // another chat's customer cannot read this chat's view
	oc := e.connect(other.ParticipantToken)
	_, err = e.pc.DescribeViewWithContext(ctx(t), &connectparticipant.DescribeViewInput{
		ConnectionToken: awsv1.String(oc.Token), ViewToken: awsv1.String(token)})
	wantCode(t, err, "ResourceNotFoundException", 404)

	answer := `{"templateType":"ViewResource","version":"1.0","action":"Next","data":{"email":"ann@example.com"}}`
	if _, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
		ConnectionToken: awsv1.String(cust.Token), Content: awsv1.String(answer),
		ContentType: awsv1.String("application/vnd.amazonaws.connect.message.interactive.response")}); err != nil {
		t.Fatalf("SendMessage (the form): %v", err)
	}
	for {
		it := sock.next()
		if it.ContentType == "text/plain" && it.ParticipantRole == "SYSTEM" {
			if want := "Thanks, we will write to ann@example.com (Next)"; it.Content != want {
				t.Fatalf("the flow said %q, want %q", it.Content, want)
			}
			break
		}
	}

	// The other chat leaves its view unanswered past the time limit.
	os := dial(t, oc.URL)
	clk.add(61 * time.Second)
	if _, err := e.srv.Service().FireFlowTimers(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for {
		it := os.next()
		if it.ContentType == "text/plain" && it.ParticipantRole == "SYSTEM" {
			if it.Content != "Too slow" {
				t.Fatalf("after the time limit the flow said %q, want Too slow", it.Content)
			}
			break
		}
	}
}

// hiddenViewFlow shows the Form view with SensitiveDataConfiguration HideResponseOn TRANSCRIPT and branches on the
// data of the answer: a known address is welcomed back, another is not.
const hiddenViewFlow = `{"Version":"2019-10-30","StartAction":"form","Actions":[
{"Identifier":"form","Type":"ShowView","Parameters":{"ViewResource":{"Id":"%FORM%","Version":"1"},
 "InvocationTimeLimitSeconds":"60","SensitiveDataConfiguration":{"HideResponseOn":["TRANSCRIPT"]},
 "ViewData":{"Heading":"Hello $.CustomerEndpoint.Address","Next":"Send",
 "Sections":[{"Heading":"Card","Items":[{"Type":"FormInput","Name":"email","Label":"Email","InputType":"email"}]}]}},
 "Transitions":{"NextAction":"end","Conditions":[{"NextAction":"known","Condition":{"Operator":"Equals","Operands":["Next"]}}],
  "Errors":[{"NextAction":"end","ErrorType":"TimeLimitExceeded"},{"NextAction":"end","ErrorType":"NoMatchingCondition"},
  {"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"known","Type":"Compare","Parameters":{"ComparisonValue":"$.Views.ViewResultData.email"},"Transitions":{"NextAction":"stranger",
  "Conditions":[{"NextAction":"welcome","Condition":{"Operator":"Equals","Operands":["ann@example.com"]}}],
  "Errors":[{"NextAction":"stranger","ErrorType":"NoMatchingCondition"}]}},
{"Identifier":"welcome","Type":"MessageParticipant","Parameters":{"Text":"Welcome back"},"Transitions":{"NextAction":"hold"}},
{"Identifier":"stranger","Type":"MessageParticipant","Parameters":{"Text":"We do not know you yet"},"Transitions":{"NextAction":"hold"}},
{"Identifier":"hold","Type":"Wait","Parameters":{"TimeLimitSeconds":"3600"},"Transitions":{"NextAction":"end",
  "Conditions":[{"NextAction":"end","Condition":{"Operator":"Equals","Operands":["WaitCompleted"]}}],"Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`

// TestShowViewHidesResponse: a ShowView with SensitiveDataConfiguration HideResponseOn TRANSCRIPT. The customer
// (aws-sdk-go connectparticipant) submits the form; the flow branches on the data it submitted (two chats, two
// addresses, two branches), while the answer's item — on the WebSocket, in GetTranscript and in the transcript
// exported when the chat ends — keeps its Id and action and carries none of the data.
func TestShowViewHidesResponse(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(c *server.Config) { c.Transcripts.Dir, c.Transcripts.Interval = dir, time.Hour })
	formARN := "arn:aws:connect:" + e.srv.Region + ":aws:view/form"
	flowID := createFlow(t, e, "Hidden views", strings.ReplaceAll(hiddenViewFlow, "%FORM%", formARN))
	exporter, _ := e.srv.Transcripts()

	for _, tc := range []struct{ email, said string }{
		{"ann@example.com", "Welcome back"},
		{"bob@example.com", "We do not know you yet"},
	} {
		ch := e.startChat(func(in *connect.StartChatContactInput) {
			in.ContactFlowId = aws.String(flowID)
			in.SupportedMessagingContentTypes = []string{"text/plain", "application/vnd.amazonaws.connect.message.interactive",
				"application/vnd.amazonaws.connect.message.interactive.response"}
		})
		cust := e.connect(ch.ParticipantToken)
		sock := dial(t, cust.URL)
		viewOf(t, e.transcript(cust.Token))
		answer := `{"templateType":"ViewResource","version":"1.0","action":"Next","data":{"email":"` + tc.email + `"}}`
		sent, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
			ConnectionToken: awsv1.String(cust.Token), Content: awsv1.String(answer),
			ContentType: awsv1.String("application/vnd.amazonaws.connect.message.interactive.response")})
		if err != nil {
			t.Fatalf("SendMessage (the form): %v", err)
		}
		id := awsv1.StringValue(sent.Id)
		hidden := func(where, content string) {
			t.Helper()
			var m map[string]any
			if err := json.Unmarshal([]byte(content), &m); err != nil || m["action"] != "Next" ||
				m["templateType"] != "ViewResource" || strings.Contains(content, tc.email) || m["data"] != nil {
				t.Errorf("%s: the answer is %s; want its action and no data", where, content)
			}
		}
		for said := false; !said; {
			it := sock.next()
			switch {
			case it.ID == id:
				hidden("WebSocket", it.Content)
			case it.ContentType == "text/plain" && it.ParticipantRole == "SYSTEM":
				if it.Content != tc.said {
					t.Fatalf("%s: the flow said %q, want %q", tc.email, it.Content, tc.said)
				}
				said = true
			}
		}
		var found bool
		for _, it := range e.transcript(cust.Token) {
			if awsv1.StringValue(it.Id) == id {
				found = true
				hidden("GetTranscript", awsv1.StringValue(it.Content))
			}
		}
		if !found {
			t.Errorf("GetTranscript has no item %s (the answer)", id)
		}
		if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactId: aws.String(ch.ContactID)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := exporter.ExportPending(ctx(t)); err != nil || n != 2 {
		t.Fatalf("ExportPending: %d, %v; want 2 transcripts", n, err)
	}
	var files int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files++
		if err == nil && (bytes.Contains(b, []byte("ann@example.com")) || bytes.Contains(b, []byte("bob@example.com"))) {
			t.Errorf("the exported transcript %s holds the hidden answer", path)
		}
		if err == nil && !bytes.Contains(b, []byte(`\"action\":\"Next\"`)) {
			t.Errorf("the exported transcript %s has no answer", path)
		}
		return err
	})
	if err != nil || files != 2 {
		t.Fatalf("exported files: %d, %v", files, err)
	}
}
