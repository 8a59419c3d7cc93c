package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/parley-chat/parley/flow"
)

// resolver knows the resources listed in it, by kind.
type resolver map[string]bool

func (r resolver) QueueExists(_ context.Context, ref string) (bool, error) {
	return r["queue:"+ref], nil
}
func (r resolver) FlowExists(_ context.Context, ref string) (bool, error) { return r["flow:"+ref], nil }
func (r resolver) HoursExists(_ context.Context, ref string) (bool, error) {
	return r["hours:"+ref], nil
}
func (r resolver) FunctionConfigured(_ context.Context, arn string) (bool, error) {
	return r["fn:"+arn], nil
}

// viewResolver also knows views.
type viewResolver struct{ resolver }

func (r viewResolver) ViewExists(_ context.Context, ref string) (bool, error) {
	return r.resolver["view:"+ref], nil
}

// brokenResolver cannot answer.
type brokenResolver struct{ resolver }

var errStore = errors.New("store unavailable")

func (brokenResolver) QueueExists(context.Context, string) (bool, error) { return false, errStore }

func TestValidateProblems(t *testing.T) {
	end := `{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}`
	big := `{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"` + strings.Repeat("é", flow.MaxContentLength) + `"},"Transitions":{}}`
	many := make([]string, flow.MaxActions+1)
	for i := range many {
		many[i] = say("m" + strings.Repeat("x", i%40) + string(rune('A'+i/40)))
	}
	cases := []struct {
		name     string
		content  []byte
		resolver flow.Resolver
		id, typ  string // the action named, if any
		want     string // in the message
	}{
		{"content over the size limit", doc(big), nil, "", "", "the limit is 256000"},
		{"invalid JSON", []byte(`{"Version":"2019-10-30","Actions":[`), nil, "", "", "not valid JSON"},
		{"JSON of another shape", []byte(`{"Version":"2019-10-30","Actions":{"a":1}}`), nil, "", "", "wrong type"},
		{"Parameters that are not an object", []byte(`{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"EndFlowExecution","Parameters":"x"}]}`), nil, "", "", "Parameters"},
		{"another version", []byte(`{"Version":"2020-01-01","StartAction":"end","Actions":[` + end + `]}`), nil, "", "", `Version is "2020-01-01"`},
		{"StartAction missing", []byte(`{"Version":"2019-10-30","Actions":[` + end + `]}`), nil, "", "", "StartAction is missing"},
		{"StartAction unknown", []byte(`{"Version":"2019-10-30","StartAction":"nope","Actions":[` + end + `]}`), nil, "", "", `StartAction "nope" is not`},
		{"too many actions", doc(many...), nil, "", "", "the limit is 250"},
		{"a type not in the Flow Language", doc(`{"Identifier":"a","Type":"PlayPrompt","Transitions":{"NextAction":"end"}}`, end), nil, "a", "PlayPrompt", `"PlayPrompt" is not an action type`},
		{"a type missing", doc(`{"Identifier":"a","Transitions":{"NextAction":"end"}}`, end), nil, "a", "", "the Type is missing"},
		{"NextAction to a missing Identifier", doc(`{"Identifier":"a","Type":"EndFlowExecution","Transitions":{"NextAction":"ghost"}}`), nil, "a", "EndFlowExecution", `NextAction goes to "ghost"`},
		{"a condition to a missing Identifier", doc(compare("$.Channel", "Equals:CHAT:ghost"), say("none")), nil, "a", "Compare", `Condition 1 goes to "ghost"`},
		{"an error branch to a missing Identifier", doc(`{"Identifier":"a","Type":"TransferContactToQueue","Transitions":{"NextAction":"end","Errors":[{"ErrorType":"QueueAtCapacity","NextAction":"ghost"}]}}`, end), nil, "a", "TransferContactToQueue", `QueueAtCapacity error branch goes to "ghost"`},
		{"an unknown operator", doc(compare("$.Channel", "Matches:CHAT:end"), end, say("none")), nil, "a", "Compare", `operator "Matches"`},
		{"duplicate Identifiers", doc(say("a"), say("a")), nil, "a", "MessageParticipant", "same Identifier"},
		{"an Identifier with forbidden characters", doc(say("a:b")), nil, "a:b", "MessageParticipant", "forbids"},
		{"an Identifier too long", doc(say(strings.Repeat("x", 51))), nil, strings.Repeat("x", 51), "MessageParticipant", "longer than 50"},
		{"a loop that never waits", doc(
			`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"again"},"Transitions":{"NextAction":"b"}}`,
			`{"Identifier":"b","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"n":"1"}},"Transitions":{"NextAction":"a","Errors":[{"ErrorType":"NoMatchingError","NextAction":"end"}]}}`, end),
			nil, "a", "MessageParticipant", `the actions "a", "b" form a loop`},
		{"an action that goes to itself", doc(`{"Identifier":"a","Type":"Compare","Parameters":{"ComparisonValue":"$.Channel"},"Transitions":{"NextAction":"a"}}`), nil, "a", "Compare", "loop"},
		{"a Wait too long", doc(wait(`"TimeoutSeconds":"604801"`), say("expired"), say("returned"), say("error")), nil, "a", "Wait", "TimeoutSeconds"},
		{"a Lambda time limit over 8 seconds", doc(lambda(`"InvocationTimeLimitSeconds":9`), fact, say("error")), nil, "a", "InvokeLambdaFunction", "from 1 to 8"},
		{"an unknown event hook", doc(`{"Identifier":"a","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"Whenever":"f"}},"Transitions":{"NextAction":"end"}}`, end), nil, "a", "UpdateContactEventHooks", `"Whenever" is not an event hook`},
		{"an unknown metric", doc(metric("Mood", "NumberGreaterThan:0:short"), say("short"), say("long"), say("error")), nil, "a", "CheckMetricData", `MetricType "Mood"`},
		{"a queue that does not exist", doc(`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"q-9"},"Transitions":{"NextAction":"end"}}`, end), resolver{}, "a", "UpdateContactTargetQueue", `the queue "q-9" does not exist`},
		{"a flow that does not exist", doc(`{"Identifier":"a","Type":"TransferToFlow","Parameters":{"ContactFlowId":"f-9"},"Transitions":{"NextAction":"end"}}`, end), resolver{}, "a", "TransferToFlow", `the flow "f-9" does not exist`},
		{"a hook to a flow that does not exist", doc(`{"Identifier":"a","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerQueue":"f-9"}},"Transitions":{"NextAction":"end"}}`, end), resolver{}, "a", "UpdateContactEventHooks", `the flow "f-9" does not exist`},
		{"hours that do not exist", doc(`{"Identifier":"a","Type":"CheckHoursOfOperation","Parameters":{"HoursOfOperationId":"h-9"},"Transitions":{"NextAction":"end"}}`, end), resolver{}, "a", "CheckHoursOfOperation", `the hours of operation "h-9" does not exist`},
		{"a Lambda function not configured", doc(lambda(""), fact, say("error")), resolver{}, "a", "InvokeLambdaFunction", `the Lambda function "arn:fn" does not exist`},
		{"ShowView without views", doc(`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v-1"}},"Transitions":{"NextAction":"end"}}`, end), resolver{}, "a", "ShowView", "views are not supported"},
		{"ShowView with a time limit out of range", doc(`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v-1"},"InvocationTimeLimitSeconds":"0"},"Transitions":{"NextAction":"end"}}`, end), nil, "a", "ShowView", `InvocationTimeLimitSeconds is "0"`},
		{"ShowView with SensitiveDataConfiguration not a list", doc(`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v-1"},"SensitiveDataConfiguration":{"HideResponseOn":"TRANSCRIPT"}},"Transitions":{"NextAction":"end"}}`, end), nil, "a", "ShowView", "HideResponseOn is a list"},
		{"ShowView hiding the response on an unknown destination", doc(`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v-1"},"SensitiveDataConfiguration":{"HideResponseOn":["TRANSCRIPT","LOGS"]}},"Transitions":{"NextAction":"end"}}`, end), nil, "a", "ShowView", `HideResponseOn names "LOGS"`},
		{"ShowView of a view that does not exist", doc(`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v-1"}},"Transitions":{"NextAction":"end"}}`, end), viewResolver{resolver{}}, "a", "ShowView", `the view "v-1" does not exist`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flow.Check(context.Background(), tc.content, tc.resolver)
			var ps flow.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Check: %v, want Problems", err)
			}
			for _, p := range ps {
				if strings.Contains(p.Message, tc.want) && p.Identifier == tc.id && p.Type == tc.typ {
					if b, _ := json.Marshal(p); !strings.HasPrefix(string(b), `{"message":`) {
						t.Errorf("problem JSON %s", b)
					}
					return
				}
			}
			t.Errorf("problems %q, want one naming %q (%s) with %q", err, tc.id, tc.typ, tc.want)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	known := resolver{"queue:arn:q": true, "flow:f-1": true, "hours:h-1": true, "fn:arn:fn": true}
	cases := []struct {
		name    string
		content []byte
	}{
		{"a loop through GetParticipantInput", doc(getInput, say("one"), say("two"), `{"Identifier":"other","Type":"MessageParticipant","Parameters":{"Text":"Sorry?"},"Transitions":{"NextAction":"a"}}`, say("timeout"), say("error"))},
		{"a loop through Wait", doc(wait(`"TimeoutSeconds":"60"`), `{"Identifier":"expired","Type":"MessageParticipant","Parameters":{"Text":"still there?"},"Transitions":{"NextAction":"a"}}`, say("returned"), say("error"))},
		{"voice-only actions", doc(`{"Identifier":"a","Type":"UpdateContactCallbackNumber","Parameters":{"CallbackNumber":"$.StoredCustomerInput"},"Transitions":{"NextAction":"b","Errors":[{"ErrorType":"InvalidCallbackNumber","NextAction":"b"}]}}`, `{"Identifier":"b","Type":"CreateCallbackContact","Parameters":{"InitialCallDelaySeconds":"5"},"Transitions":{}}`)},
		{"dynamic references are not resolved", doc(`{"Identifier":"a","Type":"TransferToFlow","Parameters":{"ContactFlowId":"$.Attributes.next"},"Transitions":{}}`)},
		{"known references", doc(`{"Identifier":"q","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"arn:q"},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"CheckHoursOfOperation","Parameters":{"HoursOfOperationId":"h-1"},"Transitions":{"NextAction":"a"}}`, lambda(""), `{"Identifier":"fact","Type":"TransferToFlow","Parameters":{"ContactFlowId":"f-1"},"Transitions":{}}`, say("error"))},
		{"exactly the size limit", doc(`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"` + strings.Repeat("é", flow.MaxContentLength-200) + `"},"Transitions":{}}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := flow.Check(context.Background(), tc.content, known); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestValidateResolverError(t *testing.T) {
	content := doc(`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"q"},"Transitions":{}}`)
	if _, err := flow.Check(context.Background(), content, brokenResolver{}); !errors.Is(err, errStore) {
		t.Errorf("Check: %v, want the resolver's error", err)
	}
}
