package admin

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-chat/parley"
)

// flowJSON is a small valid flow that queues chats on the queue with the given ARN.
func flowJSON(queueARN string) string {
	return `{"Version":"2019-10-30","StartAction":"hi","Actions":[` +
		`{"Identifier":"hi","Type":"MessageParticipant","Parameters":{"Text":"Hello"},"Transitions":{"NextAction":"q"}},` +
		`{"Identifier":"q","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"` + queueARN + `"},"Transitions":{"NextAction":"t","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},` +
		`{"Identifier":"t","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"end","Errors":[{"NextAction":"end","ErrorType":"QueueAtCapacity"},{"NextAction":"end","ErrorType":"NoMatchingError"}]}},` +
		`{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
}

func TestContactFlows(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	q := e.def.Queue
	f, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "Main", Type: FlowTypeContactFlow, Content: flowJSON(q.ARN)})
	if err != nil {
		t.Fatalf("CreateContactFlow: %v", err)
	}
	if f.State != FlowStateActive || f.Status != FlowStatusPublished || !strings.HasSuffix(f.ARN, "/contact-flow/"+f.ID) {
		t.Errorf("created flow: %+v", f)
	}
	got, err := e.svc.ContactFlow(ctx, e.inst.ID, f.ARN)
	if err != nil || got.Content != f.Content {
		t.Fatalf("ContactFlow by ARN: %+v, %v", got, err)
	}
	_, err = e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "main", Type: FlowTypeContactFlow, Content: flowJSON(q.ARN)})
	wantErr(t, "a second flow named main", err, parley.ECONFLICT, "")

	for _, tc := range []struct {
		name, content, problem string
	}{
		{"not JSON", `{"Version":`, "JSON"},
		{"unknown action", strings.Replace(flowJSON(q.ARN), `"Type":"MessageParticipant"`, `"Type":"Teleport"`, 1), "Teleport"},
		{"missing transition target", strings.Replace(flowJSON(q.ARN), `"NextAction":"q"}`, `"NextAction":"nowhere"}`, 1), "nowhere"},
		{"unknown queue", flowJSON(q.ARN + "x"), "q"},
		{"missing start", strings.Replace(flowJSON(q.ARN), `"StartAction":"hi"`, `"StartAction":"gone"`, 1), "gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "Bad " + tc.name, Type: FlowTypeContactFlow, Content: tc.content})
			pe, ok := err.(*parley.Error)
			if !ok || pe.Code != parley.EFLOW || len(pe.Problems) == 0 {
				t.Fatalf("got %v, want EFLOW with problems", err)
			}
			if !strings.Contains(strings.Join(pe.Problems, " | "), tc.problem) {
				t.Errorf("problems %q do not mention %q", pe.Problems, tc.problem)
			}
		})
	}
	// SAVED flows are stored unchecked, as Connect does.
	if _, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "Draft", Type: FlowTypeContactFlow,
		Content: `{"draft":true}`, Status: FlowStatusSaved}); err != nil {
		t.Errorf("a SAVED draft: %v", err)
	}
	wantErr(t, "bad type", func() error {
		_, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "T", Type: "PHONE", Content: flowJSON(q.ARN)})
		return err
	}(), parley.EINVALID, "Type")

	bad := strings.Replace(flowJSON(q.ARN), `"Type":"MessageParticipant"`, `"Type":"Teleport"`, 1)
	if err := e.svc.UpdateContactFlowContent(ctx, e.inst.ID, f.ID, bad); !parley.IsCode(err, parley.EFLOW) {
		t.Errorf("UpdateContactFlowContent with a bad flow: %v, want EFLOW", err)
	}
	newContent := strings.Replace(flowJSON(q.ARN), "Hello", "Hi there", 1)
	if err := e.svc.UpdateContactFlowContent(ctx, e.inst.ID, f.ID, newContent); err != nil {
		t.Fatal(err)
	}
	name, desc, archived := "Renamed", "the main flow", FlowStateArchived
	if err := e.svc.UpdateContactFlowMetadata(ctx, e.inst.ID, f.ID, &name, &desc, &archived); err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.ContactFlow(ctx, e.inst.ID, f.ID)
	if err != nil || got.Content != newContent || got.Name != name || got.Description != desc || got.State != archived {
		t.Errorf("after updates: %+v, %v", got, err)
	}
	draft := "Draft"
	wantErr(t, "rename onto another flow's name", e.svc.UpdateContactFlowName(ctx, e.inst.ID, f.ID, &draft, nil), parley.ECONFLICT, "")
	if err := e.svc.DeleteContactFlow(ctx, e.inst.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ContactFlow(ctx, e.inst.ID, f.ID)
	wantErr(t, "a deleted flow", err, parley.ENOTFOUND, "CONTACT_FLOW")
}

// TestRealFlowsImport: Amazon Connect's own sample flows, exported by a real instance (../shared/flows), import
// once their foreign references are rewritten to local resources, as ../shared/flows/SOURCES.md describes.
func TestRealFlowsImport(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "flows")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no sample flows at %s: %v", dir, err)
	}
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	const lambda = "arn:aws:lambda:us-east-1:613787477748:function:state-lookup"
	e.svc.SetFunctions(func(arn string) bool { return arn == lambda })
	// A flow every flow reference points at, created first.
	target, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: "Target", Type: FlowTypeContactFlow,
		Content: flowJSON(e.def.Queue.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/queue/[0-9a-f-]+`)
	flowARN := regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/contact-flow/[0-9a-f-]+`)
	placeholder := regexp.MustCompile(`\$\{aws_connect_contact_flow\.[a-z_]+\.contact_flow_id\}`)
	for _, name := range []string{"sample-inbound-first-contact.json", "sample-queue-configurations.json",
		"sample-disconnect.json", "sample-lambda-integration.json", "sample-note-for-screenpop.json",
		"hosted-widget-attribute-test.json", "simple-survey-example.json"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			content := queueARN.ReplaceAllString(string(b), e.def.Queue.ARN)
			content = flowARN.ReplaceAllString(content, target.ARN)
			content = placeholder.ReplaceAllString(content, target.ID)
			if _, err := e.svc.CreateContactFlow(ctx, e.inst.ID, FlowInput{Name: name, Type: FlowTypeContactFlow,
				Content: content}); err != nil {
				t.Fatalf("import: %v", describe(err))
			}
			// Unchanged, its foreign references are refused, each named.
			if !strings.Contains(string(b), "arn:aws:connect") {
				return
			}
			err = e.svc.CheckFlow(ctx, e.inst.ID, string(b))
			if !parley.IsCode(err, parley.EFLOW) {
				t.Errorf("the unmodified export: %v, want EFLOW naming its foreign references", err)
			}
		})
	}
}

func describe(err error) string {
	if pe, ok := err.(*parley.Error); ok && len(pe.Problems) > 0 {
		return pe.Message + " " + strings.Join(pe.Problems, " | ")
	}
	return err.Error()
}

// TestDefaultFlows: an instance gets the default flows once; each is valid as CreateContactFlow validates, the
// sample inbound flow's hooks name the customer-queue and disconnect flows, and a deleted default flow is not made
// again.
func TestDefaultFlows(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := t.Context()
	byName := func() map[string]*parley.ContactFlow {
		fs, err := e.store.ListContactFlows(ctx, e.inst.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]*parley.ContactFlow{}
		for _, f := range fs {
			m[f.Name] = f
		}
		return m
	}
	flows := byName()
	want := map[string]string{FirstContactFlowName: FlowTypeContactFlow, QueueTransferFlowName: "QUEUE_TRANSFER",
		CustomerQueueFlowName: FlowTypeCustomerQueue, DisconnectFlowName: FlowTypeContactFlow}
	for name, typ := range want {
		f := flows[name]
		if f == nil || f.Type != typ || f.Status != FlowStatusPublished {
			t.Errorf("default flow %q: %+v, want type %s", name, f, typ)
			continue
		}
		if err := e.svc.CheckFlow(ctx, e.inst.ID, f.Content); err != nil {
			t.Errorf("default flow %q is not valid: %v", name, describe(err))
		}
		if strings.Contains(f.Content, "%") {
			t.Errorf("default flow %q has an unreplaced reference: %s", name, f.Content)
		}
	}
	in := flows[FirstContactFlowName].Content
	if !strings.Contains(in, flows[CustomerQueueFlowName].ARN) || !strings.Contains(in, flows[DisconnectFlowName].ARN) ||
		!strings.Contains(in, e.def.Queue.ARN) {
		t.Errorf("the sample inbound flow does not name the default hooks and BasicQueue: %s", in)
	}

	if err := e.svc.DeleteContactFlow(ctx, e.inst.ID, flows[QueueTransferFlowName].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.EnsureDefaults(ctx, e.inst.ID); err != nil {
		t.Fatal(err)
	}
	again := byName()
	if again[QueueTransferFlowName] != nil || len(again) != len(flows)-1 {
		t.Errorf("EnsureDefaults made flows again: %d flows, had %d", len(again), len(flows))
	}
}
