package flow_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/flow"
)

// viewEnv is a fakeEnv that shows views.
type viewEnv struct {
	*fakeEnv
	shown []flow.ViewRequest
}

func (e *viewEnv) ShowView(_ context.Context, v flow.ViewRequest) error {
	e.shown = append(e.shown, v)
	return nil
}

const showView = `{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"arn:aws:connect:us-east-1:aws:view/form","Version":"1"},
 "InvocationTimeLimitSeconds":"30","ViewData":{"Heading":"Hi $.CustomerEndpoint.Address","Sections":[{"Items":[{"Name":"email","Label":"$.Attributes.label"}]}]}},
 "Transitions":{"NextAction":"next","Conditions":[{"NextAction":"thanks","Condition":{"Operator":"Equals","Operands":["Next"]}}],
 "Errors":[{"NextAction":"slow","ErrorType":"TimeLimitExceeded"},{"NextAction":"other","ErrorType":"NoMatchingCondition"},{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`

func TestShowView(t *testing.T) {
	thanks := `{"Identifier":"thanks","Type":"MessageParticipant","Parameters":{"Text":"$.Views.Action: $.Views.ViewResultData.email / $.Views.ViewResultData"},"Transitions":{}}`
	other := `{"Identifier":"other","Type":"MessageParticipant","Parameters":{"Text":"other $.Views.Action"},"Transitions":{}}`
	cases := []struct {
		name   string
		inputs []flow.Input
		want   []string
	}{
		{"an answer takes its condition", []flow.Input{
			flow.CustomerMessage("a text does not answer the view"),
			flow.ViewResponse(`{"templateType":"ViewResource","version":"1.0","action":"Next","data":{"email":"a@b.c"}}`)},
			[]string{`say Next: a@b.c / {"email":"a@b.c"}`}},
		{"an action no condition names", []flow.Input{flow.ViewResponse(`{"templateType":"ViewResource","action":"Cancel"}`)},
			[]string{"say other Cancel"}},
		{"an answer without an action", []flow.Input{flow.ViewResponse(`{"templateType":"ViewResource"}`)},
			[]string{"say error"}},
		{"no answer in time", []flow.Input{flow.Timeout()}, []string{"say slow"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &viewEnv{fakeEnv: newEnv()}
			env.contact.Attributes["label"] = "Your email"
			env.add(t, "main", parse(t, doc(showView, thanks, other, say("slow"), say("error"), say("next"))))
			st := flow.NewState("main")
			out, err := flow.Step(context.Background(), env, st, flow.Start())
			if err != nil || out.Status != flow.StatusWaiting || !out.Wake.Equal(t0.Add(30e9)) {
				t.Fatalf("Start: %+v, %v; want waiting 30 s", out, err)
			}
			if len(env.shown) != 1 {
				t.Fatalf("shown %+v", env.shown)
			}
			got, _ := json.Marshal(env.shown[0])
			want := `{"ViewID":"arn:aws:connect:us-east-1:aws:view/form","Version":"1","Data":{"Heading":"Hi Jane","Sections":[{"Items":[{"Label":"Your email","Name":"email"}]}]}}`
			if string(got) != want {
				t.Errorf("shown %s\nwant  %s", got, want)
			}
			for _, in := range tc.inputs {
				st = roundTrip(t, st)
				if in.Kind == flow.InputTimeout {
					env.now = st.Until
				}
				if _, err := flow.Step(context.Background(), env, st, in); err != nil {
					t.Fatalf("Step(%v): %v", in.Kind, err)
				}
			}
			checkEffects(t, env.fakeEnv, tc.want)
		})
	}
}

// TestShowViewHidesResponse: a ShowView with SensitiveDataConfiguration HideResponseOn TRANSCRIPT marks the run
// while it waits (State.HideViewResponse, which the chat reads to store the answer without its data); the answer
// still reaches $.Views.ViewResultData, and the mark is gone once the view is answered. Without the parameter the
// run is not marked.
func TestShowViewHidesResponse(t *testing.T) {
	hidden := strings.Replace(showView, `"InvocationTimeLimitSeconds":"30",`,
		`"InvocationTimeLimitSeconds":"30","SensitiveDataConfiguration":{"HideResponseOn":["TRANSCRIPT"]},`, 1)
	thanks := `{"Identifier":"thanks","Type":"MessageParticipant","Parameters":{"Text":"$.Views.ViewResultData.card"},"Transitions":{}}`
	for _, tc := range []struct {
		name   string
		action string
		hide   bool
	}{{"hidden", hidden, true}, {"shown", showView, false}} {
		t.Run(tc.name, func(t *testing.T) {
			env := &viewEnv{fakeEnv: newEnv()}
			env.add(t, "main", parse(t, doc(tc.action, thanks, say("other"), say("slow"), say("error"), say("next"))))
			st := flow.NewState("main")
			if _, err := flow.Step(context.Background(), env, st, flow.Start()); err != nil {
				t.Fatal(err)
			}
			st = roundTrip(t, st)
			if st.HideViewResponse != tc.hide || st.Wait != flow.WaitView {
				t.Fatalf("waiting: HideViewResponse %v, Wait %q; want %v, VIEW", st.HideViewResponse, st.Wait, tc.hide)
			}
			in := flow.ViewResponse(`{"templateType":"ViewResource","version":"1.0","action":"Next","data":{"card":"4111"}}`)
			if _, err := flow.Step(context.Background(), env, st, in); err != nil {
				t.Fatal(err)
			}
			if st.HideViewResponse {
				t.Error("HideViewResponse still set after the answer")
			}
			checkEffects(t, env.fakeEnv, []string{"say 4111"})
		})
	}
}
