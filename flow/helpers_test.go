package flow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/flow"
)

// doc builds a Flow Language document that starts at the first action.
func doc(actions ...string) []byte {
	var d struct{ Identifier string }
	if len(actions) > 0 {
		_ = json.Unmarshal([]byte(actions[0]), &d)
	}
	return []byte(fmt.Sprintf(`{"Version":"2019-10-30","StartAction":%q,"Metadata":{},"Actions":[%s]}`,
		d.Identifier, strings.Join(actions, ",")))
}

// say is an action that sends its own Identifier as a message and ends the flow: the branch markers of tests.
func say(id string) string {
	return fmt.Sprintf(`{"Identifier":%q,"Type":"MessageParticipant","Parameters":{"Text":%q},"Transitions":{}}`, id, id)
}

// parse parses content that must be valid.
func parse(t testing.TB, content []byte) *flow.Flow {
	t.Helper()
	f, err := flow.Parse(content)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if err := f.Validate(context.Background(), nil); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return f
}

// run starts the flow registered as "main" and feeds it the inputs; a Timeout moves the clock to the deadline.
// Each Step's state goes through JSON, as a store would keep it.
func run(t testing.TB, env *fakeEnv, inputs ...flow.Input) (*flow.State, flow.Outcome) {
	t.Helper()
	return runIn(t, env, env, inputs...)
}

// runIn is run with an Env that wraps env (to add optional abilities).
func runIn(t testing.TB, e flow.Env, env *fakeEnv, inputs ...flow.Input) (*flow.State, flow.Outcome) {
	t.Helper()
	st := flow.NewState("main")
	out, err := flow.Step(context.Background(), e, st, flow.Start())
	if err != nil {
		t.Fatalf("Step(Start): %v", err)
	}
	for _, in := range inputs {
		st = roundTrip(t, st)
		if in.Kind == flow.InputTimeout && !st.Until.IsZero() {
			env.now = st.Until
		}
		out, err = flow.Step(context.Background(), e, st, in)
		if err != nil {
			t.Fatalf("Step(%v): %v", in, err)
		}
	}
	return st, out
}

func roundTrip(t testing.TB, st *flow.State) *flow.State {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back flow.State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

// sharedFlows is where the real flows live (../shared/flows from the checkout).
const sharedFlows = "../../shared/flows"

// sample reads a real flow, or skips the test when the shared flows are not there.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedFlows, name))
	if os.IsNotExist(err) {
		t.Skipf("the real flows are not here (%s): %v", sharedFlows, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// effects compares what the env did with what the test wants.
func checkEffects(t testing.TB, env *fakeEnv, want []string) {
	t.Helper()
	got := strings.Join(env.effects, "\n")
	if w := strings.Join(want, "\n"); got != w {
		t.Errorf("effects:\n%s\nwant:\n%s", got, w)
	}
}
