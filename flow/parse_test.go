package flow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/flow"
)

// messy is written the way real exports are: numbers and booleans where strings belong and the other way
// round, an Identifier that is a number, actions without Parameters or Transitions, placeholders in Metadata.
const messy = `{
  "Version": "2019-10-30",
  "StartAction": 7,
  "Metadata": {"name": "${var.flow_name}", "ActionMetadata": {"7": {"position": {"x": 1, "y": 2}}}},
  "Actions": [
    {"Identifier": 7, "Type": "GetParticipantInput",
     "Parameters": {"Text": "Pick 1 or 2", "StoreInput": false, "InputTimeLimitSeconds": 30},
     "Transitions": {"NextAction": "Goodbye", "Conditions": [
        {"NextAction": "Goodbye", "Condition": {"Operator": "Equals", "Operands": [1]}},
        {"NextAction": "Goodbye", "Condition": {"Operator": "Equals", "Operands": [true]}}],
      "Errors": [{"NextAction": "Goodbye", "ErrorType": "NoMatchingCondition"}]}},
    {"Identifier": "Goodbye", "Type": "DisconnectParticipant"},
    {"Identifier": "Unreached", "Type": "MessageParticipant", "Parameters": null, "Transitions": {"Conditions": null}}
  ]
}`

func TestParseMessy(t *testing.T) {
	f := parse(t, []byte(messy))
	if f.StartAction != "7" || string(f.Metadata) != `{"name": "${var.flow_name}", "ActionMetadata": {"7": {"position": {"x": 1, "y": 2}}}}` {
		t.Errorf("StartAction %q, Metadata %s", f.StartAction, f.Metadata)
	}
	a, ok := f.Action("7")
	if !ok || a.Transitions.Conditions[0].Operands[0] != "1" || a.Transitions.Conditions[1].Operands[0] != "true" {
		t.Fatalf("action 7: %+v", a)
	}
	env := newEnv()
	env.add(t, "main", f)
	st, out := run(t, env, flow.CustomerMessage("1"))
	checkEffects(t, env, []string{"say Pick 1 or 2", "disconnect"})
	if out.Status != flow.StatusDisconnected || st.StoredCustomerInput != "1" {
		t.Errorf("status %s, stored %q", out.Status, st.StoredCustomerInput)
	}
	want := []flow.Record{
		{FlowID: "main", Identifier: "7", Type: "GetParticipantInput", Time: t0, Result: "1", Branch: "Condition 1", Next: "Goodbye"},
		{FlowID: "main", Identifier: "Goodbye", Type: "DisconnectParticipant", Time: t0},
	}
	if fmt.Sprint(out.Trace) != fmt.Sprint(want) {
		t.Errorf("trace %+v\nwant  %+v", out.Trace, want)
	}
}

func TestStepLifecycle(t *testing.T) {
	ctx := context.Background()
	env := newEnv()
	env.add(t, "main", parse(t, doc(getInput, say("one"), say("two"), say("other"), say("timeout"), say("error"))))
	st := flow.NewState("main")
	if _, err := flow.Step(ctx, env, st, flow.CustomerMessage("1")); !errors.Is(err, flow.ErrNotStarted) {
		t.Errorf("Step before Start: %v", err)
	}
	out, err := flow.Step(ctx, env, st, flow.Start())
	if err != nil || out.Status != flow.StatusWaiting || !out.Wake.Equal(t0.Add(8*time.Second)) {
		t.Fatalf("Start: %+v, %v", out, err)
	}
	if _, err := flow.Step(ctx, env, st, flow.Start()); !errors.Is(err, flow.ErrStarted) {
		t.Errorf("second Start: %v", err)
	}
	env.now = t0.Add(7 * time.Second)
	out, err = flow.Step(ctx, env, st, flow.Timeout())
	if err != nil || out.Status != flow.StatusWaiting || !out.Wake.Equal(t0.Add(8*time.Second)) || len(out.Trace) != 0 {
		t.Errorf("early Timeout: %+v, %v; want the same wait", out, err)
	}
	env.now = t0.Add(8 * time.Second)
	out, err = flow.Step(ctx, env, st, flow.Timeout())
	if err != nil || out.Status != flow.StatusEnded {
		t.Fatalf("Timeout: %+v, %v", out, err)
	}
	before := len(env.effects)
	out, err = flow.Step(ctx, env, st, flow.CustomerMessage("hello"))
	if err != nil || out.Status != flow.StatusEnded || len(env.effects) != before {
		t.Errorf("message after the end: %+v, %v, effects %q", out, err, env.effects[before:])
	}
}

func TestStepAborts(t *testing.T) {
	ctx := context.Background()
	content := doc(`{"Identifier":"a","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"k":"v"}},"Transitions":{"NextAction":"ok","Errors":[{"ErrorType":"NoMatchingError","NextAction":"error"}]}}`, say("ok"), say("error"))
	cases := []struct {
		name   string
		method string
	}{{"the contact cannot be read", "Contact"}, {"an effect aborts", "UpdateAttributes"}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv()
			env.add(t, "main", parse(t, content))
			env.fail[tc.method] = fmt.Errorf("disk full: %w", flow.ErrAbort)
			_, err := flow.Step(ctx, env, flow.NewState("main"), flow.Start())
			if !errors.Is(err, flow.ErrAbort) || len(env.effects) != 0 {
				t.Errorf("Step: %v, effects %q; want the abort and nothing done", err, env.effects)
			}
		})
	}
	t.Run("the flow does not exist", func(t *testing.T) {
		if _, err := flow.Step(ctx, newEnv(), flow.NewState("main"), flow.Start()); err == nil {
			t.Error("Step: no error")
		}
	})
}

func TestStepRunaway(t *testing.T) {
	env := newEnv()
	env.add(t, "main", parse(t, doc(`{"Identifier":"a","Type":"TransferToFlow","Parameters":{"ContactFlowId":"other"},"Transitions":{}}`)))
	env.add(t, "other", parse(t, doc(`{"Identifier":"b","Type":"TransferToFlow","Parameters":{"ContactFlowId":"main"},"Transitions":{}}`)))
	_, err := flow.Step(context.Background(), env, flow.NewState("main"), flow.Start())
	if !errors.Is(err, flow.ErrRunaway) {
		t.Errorf("Step: %v, want ErrRunaway", err)
	}
}

// FuzzParse: Parse never panics, and neither do Validate and a Step of whatever it accepts.
func FuzzParse(f *testing.F) {
	f.Add([]byte(messy))
	f.Add(doc(getInput, say("one"), say("two"), say("other"), say("timeout"), say("error")))
	f.Add([]byte(`{"Actions":[{"Parameters":{"Text":"$.Attributes['x"}}]}`))
	f.Add([]byte(`null`))
	if files, _ := filepath.Glob(filepath.Join(sharedFlows, "*.json")); len(files) > 0 {
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		fl, err := flow.Parse(content)
		if err != nil {
			var ps flow.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("Parse error %v is not Problems", err)
			}
			return
		}
		_ = fl.Validate(context.Background(), accept(true))
		env := newEnv()
		env.flows["main"] = fl
		env.invoke = func(flow.Invocation) (map[string]any, error) { return map[string]any{"a": "b"}, nil }
		st := flow.NewState("main")
		if _, err := flow.Step(context.Background(), env, st, flow.Start()); err == nil && st.Status == flow.StatusWaiting {
			env.now = st.Until
			_, _ = flow.Step(context.Background(), env, st, flow.CustomerMessage("1"))
		}
	})
}
