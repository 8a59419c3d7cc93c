package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

const testLambda = "arn:aws:lambda:us-east-1:123456789012:function:lookup"

// Flows written for the tests (in the documented format).
const (
	// menuFlow greets with an attribute, asks with a ListPicker, looks the answer up with a Lambda function,
	// checks hours and queues the chat; after hours it says so and hangs up.
	menuFlow = `{"Version":"2019-10-30","StartAction":"Greet","Actions":[
 {"Identifier":"Greet","Type":"MessageParticipant","Parameters":{"Text":"Hello $.Attributes.name"},"Transitions":{"NextAction":"Hours"}},
 {"Identifier":"Hours","Type":"CheckHoursOfOperation","Parameters":{},"Transitions":{"NextAction":"Closed","Conditions":[
   {"NextAction":"Menu","Condition":{"Operator":"Equals","Operands":["True"]}},
   {"NextAction":"Closed","Condition":{"Operator":"Equals","Operands":["False"]}}],"Errors":[{"NextAction":"Closed","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"Menu","Type":"GetParticipantInput","Parameters":{"Text":"{\"templateType\":\"ListPicker\",\"version\":\"1.0\",\"data\":{\"content\":{\"title\":\"Which department?\",\"elements\":[{\"title\":\"Billing\"},{\"title\":\"Sales\"}]}}}","InputTimeLimitSeconds":"60","StoreInput":"True"},
  "Transitions":{"NextAction":"Sorry","Conditions":[
   {"NextAction":"Lookup","Condition":{"Operator":"Equals","Operands":["Billing"]}},
   {"NextAction":"Queue","Condition":{"Operator":"Equals","Operands":["Sales"]}}],
   "Errors":[{"NextAction":"Sorry","ErrorType":"NoMatchingCondition"},{"NextAction":"Bye","ErrorType":"InputTimeLimitExceeded"}]}},
 {"Identifier":"Lookup","Type":"InvokeLambdaFunction","Parameters":{"LambdaFunctionARN":"` + testLambda + `","InvocationTimeLimitSeconds":"3","LambdaInvocationAttributes":{"choice":"$.StoredCustomerInput"}},
  "Transitions":{"NextAction":"Balance","Errors":[{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"Balance","Type":"MessageParticipant","Parameters":{"Text":"Your balance is $.External.balance."},"Transitions":{"NextAction":"Queue"}},
 {"Identifier":"Failed","Type":"MessageParticipant","Parameters":{"Text":"We could not look you up."},"Transitions":{"NextAction":"Queue"}},
 {"Identifier":"Sorry","Type":"MessageParticipant","Parameters":{"Text":"Sorry, I did not get that."},"Transitions":{"NextAction":"Menu"}},
 {"Identifier":"Queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"arn:aws:connect:us-west-2:000000000000:instance/i/queue/BasicQueue"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"Bye","Errors":[{"NextAction":"Bye","ErrorType":"QueueAtCapacity"}]}},
 {"Identifier":"Closed","Type":"MessageParticipant","Parameters":{"Text":"We are closed."},"Transitions":{"NextAction":"Bye"}},
 {"Identifier":"Bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
	// jumpFlow hands over to the flow named "menu" (a file of that name, or a --flow mapping).
	jumpFlow = `{"Version":"2019-10-30","StartAction":"Jump","Actions":[
 {"Identifier":"Jump","Type":"TransferToFlow","Parameters":{"ContactFlowId":"arn:aws:connect:us-west-2:000000000000:instance/i/contact-flow/menu"},"Transitions":{"NextAction":"End","Errors":[{"NextAction":"End","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"End","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`
	// pingFlow and pongFlow transfer to each other without ever waiting: a flow error at run time.
	pingFlow = `{"Version":"2019-10-30","StartAction":"P","Actions":[{"Identifier":"P","Type":"TransferToFlow","Parameters":{"ContactFlowId":"pong"},"Transitions":{}}]}`
	pongFlow = `{"Version":"2019-10-30","StartAction":"P","Actions":[{"Identifier":"P","Type":"TransferToFlow","Parameters":{"ContactFlowId":"ping"},"Transitions":{}}]}`
	// brokenFlow goes to an action it does not have and has an unknown type.
	brokenFlow = `{"Version":"2019-10-30","StartAction":"A","Actions":[
 {"Identifier":"A","Type":"MessageParticipant","Parameters":{"Text":"hi"},"Transitions":{"NextAction":"Nowhere"}},
 {"Identifier":"B","Type":"TeleportContact","Parameters":{},"Transitions":{}}]}`
)

// flowFiles writes flows into a directory: name → content; it returns the directory.
func flowFiles(t *testing.T, flows map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range flows {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runParley runs the command in this process and returns its output and error.
func runParley(t *testing.T, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	for i, a := range args {
		if strings.HasSuffix(a, ".json") && !filepath.IsAbs(a) && !strings.Contains(a, "=") {
			args[i] = filepath.Join(dir, a)
		}
		if ref, file, ok := strings.Cut(a, "="); ok && strings.HasSuffix(file, ".json") && !filepath.IsAbs(file) {
			args[i] = ref + "=" + filepath.Join(dir, file)
		}
	}
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// lambda serves a function that answers body with status.
func lambda(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Name    string
			Details struct{ Parameters map[string]string }
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev.Name != "ContactFlowEvent" {
			http.Error(w, "not a ContactFlowEvent", http.StatusBadRequest)
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, strings.ReplaceAll(body, "CHOICE", ev.Details.Parameters["choice"]))
	}))
	t.Cleanup(srv.Close)
	return testLambda + "=" + srv.URL
}

func TestFlowHelp(t *testing.T) {
	_, stderr, err := runParley(t, "", "flow", "-h")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "usage: parley flow COMMAND") ||
		!strings.Contains(stderr, "  check ") || !strings.Contains(stderr, "  run ") {
		t.Fatalf("err = %v, stderr:\n%s", err, stderr)
	}
	if _, _, err := runParley(t, "", "flow", "fly"); err == nil {
		t.Error("an unknown subcommand: no error")
	}
}

func TestFlowCheck(t *testing.T) {
	dir := flowFiles(t, map[string]string{"menu.json": menuFlow, "jump.json": jumpFlow, "broken.json": brokenFlow,
		"other.json": strings.ReplaceAll(menuFlow, `"Greet"`, `"Start"`)})
	fn := lambda(t, 200, `{}`)
	for _, tc := range []struct {
		name    string
		args    []string
		invalid bool
		want    []string
	}{
		{"valid, with its function", []string{"--functions", fn, "menu.json"}, false,
			[]string{"menu.json: valid", `note: queue "arn:aws:connect:us-west-2:000000000000:instance/i/queue/BasicQueue" is not checked offline`}},
		{"a function not configured", []string{"menu.json"}, true,
			[]string{`menu.json: Action "Lookup" (InvokeLambdaFunction): the Lambda function "` + testLambda + `" does not exist.`}},
		{"a reference to a given file", []string{"--functions", fn, "jump.json", "menu.json"}, false,
			[]string{"jump.json: valid", "menu.json: valid"}},
		{"a reference mapped by --flow", []string{"--flow", "arn:aws:connect:us-west-2:000000000000:instance/i/contact-flow/menu=other.json", "jump.json"}, false,
			[]string{"jump.json: valid"}},
		{"a reference to nothing", []string{"jump.json"}, true,
			[]string{`jump.json: Action "Jump" (TransferToFlow): the flow "arn:aws:connect:us-west-2:000000000000:instance/i/contact-flow/menu" does not exist.`}},
		{"broken", []string{"broken.json"}, true, []string{`broken.json: Action "A" (MessageParticipant)`, `"Nowhere"`, `TeleportContact`}},
		{"flags after the files", []string{"menu.json", "--functions", fn}, false, []string{"menu.json: valid"}},
		{"quiet", []string{"-q", "--functions", fn, "menu.json"}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runParley(t, dir, append([]string{"flow", "check"}, tc.args...)...)
			if got := errors.Is(err, errInvalid); got != tc.invalid || (err != nil && !tc.invalid) {
				t.Errorf("err = %v, want invalid %v; stderr: %s", err, tc.invalid, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tc.want == nil && out != "" {
				t.Errorf("output = %q, want none", out)
			}
		})
	}
	if _, _, err := runParley(t, dir, "flow", "check", "missing.json"); err == nil || errors.Is(err, errInvalid) {
		t.Errorf("a missing file: err = %v", err)
	}
	if _, _, err := runParley(t, dir, "flow", "check"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("no file: err = %v", err)
	}
}

func TestFlowRun(t *testing.T) {
	dir := flowFiles(t, map[string]string{"menu.json": menuFlow, "jump.json": jumpFlow, "ping.json": pingFlow, "pong.json": pongFlow})
	const at = "2025-03-04T10:00:00Z"
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr bool
		want    []string
	}{
		{"menu, lookup, queue", []string{"menu.json", "--at", at, "--attr", "name=Jane", "--say", "Billing", "--functions", lambda(t, 200, `{"balance":42.5,"for":"CHOICE"}`)}, false, []string{
			"SYSTEM    Hello Jane",
			"SYSTEM    [ListPicker] Which department?: Billing | Sales",
			"CUSTOMER  Billing",
			`Lambda ` + testLambda + `{choice=Billing} → {"balance":"42.5","for":"Billing"}`,
			"SYSTEM    Your balance is 42.5.",
			"menu  Menu (GetParticipantInput)  waits for the customer's message or its timer (2025-03-04T10:01:00Z)",
			`menu  Menu (GetParticipantInput)  result "Billing"  Condition 1 → Lookup`,
			"menu  Transfer (TransferContactToQueue)  ■ queued",
			"End: queued to BasicQueue",
			"Attributes: {name=Jane}",
		}},
		{"a wrong answer, then the right one", []string{"menu.json", "--at", at, "--say", "Support", "--say", "Sales"}, false, []string{
			"CUSTOMER  Support", "SYSTEM    Sorry, I did not get that.", "CUSTOMER  Sales", "End: queued to BasicQueue",
		}},
		{"no answer: the input times out", []string{"menu.json", "--at", at}, false, []string{
			"+1m0s  ·         1m0s later: the timer of Menu fires",
			"Error InputTimeLimitExceeded → Bye", "End: disconnected by the flow",
		}},
		{"a failing function takes the error branch", []string{"menu.json", "--say", "Billing", "--functions", lambda(t, 500, `{"errorMessage":"boom"}`)}, false, []string{
			"failed: function " + testLambda + ": the endpoint answered 500", "SYSTEM    We could not look you up.", "error NoMatchingError",
		}},
		{"a nested answer takes the error branch", []string{"menu.json", "--say", "Billing", "--functions", lambda(t, 200, `{"balance":{"eur":1}}`)}, false, []string{
			"SYSTEM    We could not look you up.",
		}},
		{"an unconfigured function takes the error branch", []string{"menu.json", "--say", "Billing"}, false, []string{
			"the function is not configured", "SYSTEM    We could not look you up.",
		}},
		{"closed", []string{"menu.json", "--closed", "--at", at}, false, []string{
			"hours of the working queue at 2025-03-04T10:00:00Z: closed", "SYSTEM    We are closed.", "End: disconnected by the flow",
		}},
		{"more to say than the flow asks", []string{"menu.json", "--say", "Sales", "--say", "thanks"}, false, []string{"Not said: thanks"}},
		{"transfer to another file", []string{"jump.json", "--flow", "menu=menu.json", "--say", "Sales"}, false, []string{
			"jump  Jump (TransferToFlow)  TransferToFlow → Greet", "menu  Greet (MessageParticipant)", "End: queued to BasicQueue",
		}},
		{"transfer to a flow that is not there", []string{"--flow", "nothing=ping.json", "jump.json"}, false, []string{
			`error NoMatchingError (no flow file for "arn:aws:connect:us-west-2:000000000000:instance/i/contact-flow/menu"`,
			"End: the flow ended",
		}},
		{"a flow error", []string{"ping.json", "--flow", "pong=pong.json"}, true, []string{"End: flow error: flow: more than 1000 actions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runParley(t, dir, append([]string{"flow", "run"}, tc.args...)...)
			if (err != nil) != tc.wantErr {
				t.Errorf("err = %v, want error %v; stderr: %s", err, tc.wantErr, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	for name, args := range map[string][]string{
		"two files":      {"menu.json", "jump.json"},
		"no file":        {},
		"open and close": {"menu.json", "--open", "--closed"},
		"bad time":       {"menu.json", "--at", "tomorrow"},
		"bad metric":     {"menu.json", "--metric", "agents-online=many"},
		"unknown metric": {"menu.json", "--metric", "mood=1"},
		"bad functions":  {"menu.json", "--functions", "lookup=http://127.0.0.1:1"},
		"bad flow":       {"menu.json", "--flow", "nofile"},
		"missing file":   {"missing.json"},
	} {
		if _, _, err := runParley(t, dir, append([]string{"flow", "run"}, args...)...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// samplesDir is where Amazon's sample flows are, when this checkout has them beside it (never copied here).
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "flows")
	if _, err := os.Stat(filepath.Join(dir, "sample-inbound-first-contact.json")); err != nil {
		t.Skipf("Amazon's sample flows are not at %s: skipped", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestFlowSamples runs the offline commands on Amazon's sample flows as SOURCES.md describes them.
func TestFlowSamples(t *testing.T) {
	dir := samplesDir(t)
	const instance = "arn:aws:connect:us-east-1:201706955376:instance/658aa90c-6c92-4798-a30d-dc8941d65d27"
	const inbound = "${aws_connect_contact_flow.sample_inbound_flow_first_contact_experience.contact_flow_id}"
	const lambdaARN = "arn:aws:lambda:us-east-1:613787477748:function:state-lookup"
	disconnect := instance + "/contact-flow/fc3cd663-0dd7-4096-95cb-3ede80cb4652=sample-disconnect.json"
	queueConfig := "${aws_connect_contact_flow.sample_queue_configurations_flow.contact_flow_id}=sample-queue-configurations.json"

	t.Run("check", func(t *testing.T) {
		out, _, err := runParley(t, dir, "flow", "check", "sample-disconnect.json", "sample-note-for-screenpop.json", "sample-inbound-first-contact.json")
		if !errors.Is(err, errInvalid) {
			t.Errorf("err = %v, want the inbound flow's foreign references as problems", err)
		}
		for _, w := range []string{"sample-disconnect.json: valid", "sample-note-for-screenpop.json: valid",
			`(TransferToFlow): the flow "${aws_connect_contact_flow.sample_lambda_integration.contact_flow_id}" does not exist.`} {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"inbound, open", []string{"sample-inbound-first-contact.json", "--flow", disconnect, "--flow", queueConfig}, []string{
			"SYSTEM    Hello, thanks for contacting us.", "SYSTEM    The time in queue is less than 5 minutes.",
			"SYSTEM    You are now being placed in queue to chat with an agent.", "End: queued to 4c826a3b-85d0-4e02-8926-8dea0b1729e8",
		}},
		{"queue configurations, closed", []string{"sample-queue-configurations.json", "--closed"}, []string{
			"SYSTEM    We are not able to take your call right now. Goodbye.", "End: disconnected by the flow",
		}},
		{"queue configurations, a long wait", []string{"sample-queue-configurations.json", "--metric", "oldest-contact-age=6m"}, []string{
			"SYSTEM    The time in queue is more than 5 minutes.",
		}},
		{"disconnect, the customer returns", []string{"sample-disconnect.json", "--queue", "BasicQueue", "--say", "I am back"}, []string{
			"CUSTOMER  I am back", "SYSTEM    You are now being transferred to queue to chat with another agent.", "End: queued to BasicQueue",
		}},
		{"disconnect, the customer does not return", []string{"sample-disconnect.json", "--at", "2025-03-04T10:00:00Z"}, []string{
			"+15m0s  SYSTEM    The timer has expired. Disconnecting.", "End: disconnected by the flow",
		}},
		{"lambda", []string{"sample-lambda-integration.json", "--flow", inbound + "=sample-inbound-first-contact.json",
			"--flow", disconnect, "--flow", queueConfig,
			"--functions", strings.Replace(lambda(t, 200, `{"Fact":"Octopuses have three hearts."}`), testLambda, lambdaARN, 1)}, []string{
			"SYSTEM    Here is your fun fact: Octopuses have three hearts.", "SYSTEM    Now returning you to the main menu.",
			"SYSTEM    Hello, thanks for contacting us.", "End: queued to",
		}},
		{"hosted widget, verification code", []string{"hosted-widget-attribute-test.json", "--attr", "verificationCode=foobar"}, []string{
			`SYSTEM    "verificationCode" is"foobar"`, `SYSTEM    "verificationCode" was detected!`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runParley(t, dir, append([]string{"flow", "run"}, tc.args...)...)
			if err != nil {
				t.Errorf("err = %v; stderr: %s", err, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestFlowLog: parley flow log reads the log of a chat's default flow from a running server, as a table and as
// JSON lines; an unknown contact is an error.
func TestFlowLog(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"flow", "log", "--endpoint", srv.URL, "--region", srv.Region, cd.ContactID}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("flow log: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TIME") ||
		!strings.Contains(lines[1], "set-queue (UpdateContactTargetQueue)") || !strings.HasSuffix(lines[1], "transfer") ||
		!strings.Contains(lines[2], "transfer (TransferContactToQueue)") || !strings.HasSuffix(lines[2], "(end)") {
		t.Errorf("flow log printed:\n%s", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"flow", "log", "--endpoint", srv.URL, "--region", srv.Region, "--instance-id", srv.InstanceID,
		"--json", cd.ContactID}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var recs []wire.FlowLogRecord
	for dec := json.NewDecoder(&out); dec.More(); {
		var r wire.FlowLogRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 || recs[0].Type != "UpdateContactTargetQueue" || recs[1].Type != "TransferContactToQueue" ||
		recs[0].FlowID == "" || recs[0].Time == "" {
		t.Errorf("flow log --json: %+v", recs)
	}

	err = run(ctx, []string{"flow", "log", "--endpoint", srv.URL, "--region", srv.Region, "no-such-contact"}, noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Errorf("flow log of an unknown contact: %v, want ResourceNotFound", err)
	}
	if err := run(ctx, []string{"flow", "log", "--endpoint", srv.URL}, noEnv, &out, &errOut); err == nil {
		t.Error("flow log without a contact succeeded")
	}
}
