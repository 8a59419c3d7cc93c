package flow_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/flow"
)

// errs is the Errors list of a transition, from "ErrorType:NextAction" pairs.
func errs(pairs ...string) string {
	out := ""
	for i, p := range pairs {
		parts := splitN(p, 2)
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf(`{"ErrorType":%q,"NextAction":%q}`, parts[0], parts[1])
	}
	return "[" + out + "]"
}

func TestActions(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name    string
		actions []string
		setup   func(*fakeEnv)
		inputs  []flow.Input
		want    []string
		status  flow.Status
	}{
		{
			name:    "MessageParticipant renders references",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"Hi $.CustomerEndpoint.Address, contact $.ContactId on $.Channel."},"Transitions":{"NextAction":"ok"}}`, say("ok")},
			want:    []string{"say Hi Jane, contact c-1 on CHAT.", "say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "MessageParticipant sends an interactive template as one",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"{\"templateType\":\"QuickReply\",\"version\":\"1.0\",\"data\":{}}"},"Transitions":{}}`},
			want:    []string{`say application/vnd.amazonaws.connect.message.interactive {"templateType":"QuickReply","version":"1.0","data":{}}`},
			status:  flow.StatusEnded,
		},
		{
			name:    "MessageParticipant with a prompt takes the error branch",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"PromptId":"p-1"},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "MessageParticipant that cannot send takes the error branch",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"x"},"Transitions":{"NextAction":"b","Errors":` + errs("NoMatchingError:c") + `}}`, `{"Identifier":"b","Type":"EndFlowExecution"}`, `{"Identifier":"c","Type":"DisconnectParticipant"}`},
			setup:   func(e *fakeEnv) { e.fail["SendMessage"] = boom },
			want:    []string{"disconnect"},
			status:  flow.StatusDisconnected,
		},
		{
			name:    "MessageParticipant with nothing to say goes on",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"$.Attributes.none"},"Transitions":{"NextAction":"ok"}}`, say("ok")},
			want:    []string{"say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "MessageParticipantIteratively sends its messages and waits for the interrupt",
			actions: []string{`{"Identifier":"a","Type":"MessageParticipantIteratively","Parameters":{"Messages":[{"Text":"one"},{"PromptId":"p"},{"Text":"two in $.Queue.Name"}],"InterruptFrequencySeconds":"60"},"Transitions":{"NextAction":"error","Conditions":[{"NextAction":"again","Condition":{"Operator":"Equals","Operands":["MessagesInterrupted"]}}]}}`, say("again"), say("error")},
			setup:   func(e *fakeEnv) { e.contact.Queue = flow.Queue{Name: "Sales"} },
			inputs:  []flow.Input{flow.CustomerMessage("hello"), flow.Timeout()},
			want:    []string{"say one", "say two in Sales", "say again"},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput matches the customer's message",
			actions: []string{getInput, say("one"), say("two"), say("other"), say("timeout"), say("error")},
			inputs:  []flow.Input{flow.CustomerMessage(" 2 ")},
			want:    []string{"say Press 1 or 2", "say two"},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput without a matching condition",
			actions: []string{getInput, say("one"), say("two"), say("other"), say("timeout"), say("error")},
			inputs:  []flow.Input{flow.CustomerMessage("9")},
			want:    []string{"say Press 1 or 2", "say other"},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput times out",
			actions: []string{getInput, say("one"), say("two"), say("other"), say("timeout"), say("error")},
			inputs:  []flow.Input{flow.Timeout()},
			want:    []string{"say Press 1 or 2", "say timeout"},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput ignores the customer's return",
			actions: []string{getInput, say("one"), say("two"), say("other"), say("timeout"), say("error")},
			inputs:  []flow.Input{flow.CustomerReturned()},
			want:    []string{"say Press 1 or 2"},
			status:  flow.StatusWaiting,
		},
		{
			name:    "GetParticipantInput stores and validates a phone number",
			actions: []string{storeInput, say("invalid"), `{"Identifier":"ok","Type":"MessageParticipant","Parameters":{"Text":"We call $.StoredCustomerInput."},"Transitions":{}}`},
			inputs:  []flow.Input{flow.CustomerMessage("+14155550100")},
			want:    []string{"say Your number?", "say We call +14155550100."},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput refuses a number that is not one",
			actions: []string{storeInput, say("invalid"), say("ok")},
			inputs:  []flow.Input{flow.CustomerMessage("call me maybe")},
			want:    []string{"say Your number?", "say invalid"},
			status:  flow.StatusEnded,
		},
		{
			name:    "GetParticipantInput with encrypted input is voice only",
			actions: []string{`{"Identifier":"a","Type":"GetParticipantInput","Parameters":{"Text":"PIN?","StoreInput":"True","InputEncryption":{"Key":"k"}},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "DisconnectParticipant",
			actions: []string{`{"Identifier":"a","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}`},
			want:    []string{"disconnect"},
			status:  flow.StatusDisconnected,
		},
		{
			name:    "UpdateContactAttributes sets attributes the flow then reads",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"greeted":"true","who":"$.CustomerEndpoint.Address"}},"Transitions":{"NextAction":"b","Errors":` + errs("NoMatchingError:error") + `}}`, `{"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"$.Attributes.who greeted=$.Attributes.greeted"},"Transitions":{}}`, say("error")},
			want:    []string{"attributes Current greeted=true,who=Jane", "say Jane greeted=true"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactAttributes on the related contact leaves this one's",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"k":"v"},"TargetContact":"Related"},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"k=$.Attributes.k."},"Transitions":{}}`},
			want:    []string{"attributes Related k=v", "say k=."},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactAttributes that fails",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"k":"v"}},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			setup:   func(e *fakeEnv) { e.fail["UpdateAttributes"] = boom },
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactData",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactData","Parameters":{"Name":"Chat with $.CustomerEndpoint.Address","LanguageCode":"en-US"},"Transitions":{"NextAction":"ok"}}`, say("ok")},
			want:    []string{"contact data Current LanguageCode=en-US,Name=Chat with Jane", "say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactTargetQueue sets the queue references read",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"arn:q-sales"},"Transitions":{"NextAction":"b","Errors":` + errs("NoMatchingError:error") + `}}`, `{"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"$.Queue.Name ($.Queue.ARN)"},"Transitions":{}}`, say("error")},
			setup: func(e *fakeEnv) {
				e.queues["arn:q-sales"] = flow.Queue{ID: "q-sales", ARN: "arn:q-sales", Name: "Sales"}
			},
			want:   []string{"queue Sales", "say Sales (arn:q-sales)"},
			status: flow.StatusEnded,
		},
		{
			name:    "UpdateContactTargetQueue to an agent's queue, then TransferContactToAgent",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"AgentId":"u-7"},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"TransferContactToAgent","Transitions":{}}`},
			want:    []string{"queue agent:u-7", "to agent agent:u-7"},
			status:  flow.StatusAgent,
		},
		{
			name:    "UpdateContactTargetQueue of an unknown queue",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"$.Attributes.none"},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "TransferContactToQueue ends the flow",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"q"},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"TransferContactToQueue","Transitions":{"NextAction":"error","Errors":` + errs("QueueAtCapacity:full", "NoMatchingError:error") + `}}`, say("full"), say("error")},
			want:    []string{"queue q", "enqueue q"},
			status:  flow.StatusQueued,
		},
		{
			name:    "TransferContactToQueue to a full queue",
			actions: []string{`{"Identifier":"b","Type":"TransferContactToQueue","Transitions":{"NextAction":"error","Errors":` + errs("QueueAtCapacity:full", "NoMatchingError:error") + `}}`, say("full"), say("error")},
			setup:   func(e *fakeEnv) { e.fail["TransferToQueue"] = fmt.Errorf("queue q: %w", flow.ErrQueueAtCapacity) },
			want:    []string{"say full"},
			status:  flow.StatusEnded,
		},
		{
			name:    "TransferContactToQueue without a working queue",
			actions: []string{`{"Identifier":"b","Type":"TransferContactToQueue","Transitions":{"NextAction":"error","Errors":` + errs("QueueAtCapacity:full", "NoMatchingError:error") + `}}`, say("full"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactEventHooks",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerRemaining":"arn:flow/disconnect"}},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"hook CustomerRemaining=arn:flow/disconnect", "say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateContactRoutingBehavior",
			actions: []string{`{"Identifier":"a","Type":"UpdateContactRoutingBehavior","Parameters":{"QueuePriority":"1"},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"UpdateContactRoutingBehavior","Parameters":{"QueueTimeAdjustmentSeconds":600},"Transitions":{"NextAction":"ok"}}`, say("ok")},
			want:    []string{"priority 1", "age +10m0s", "say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Compare takes the first matching condition",
			actions: []string{compare("$.Attributes.tier", "Equals:gold:gold", "TextStartsWith:sil:silver"), say("gold"), say("silver"), say("none")},
			setup:   func(e *fakeEnv) { e.contact.Attributes["tier"] = "silver-plus" },
			want:    []string{"say silver"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Compare with numbers",
			actions: []string{compare("$.Attributes.n", "NumberGreaterThan:10:gold", "NumberLessOrEqualTo:10:silver"), say("gold"), say("silver"), say("none")},
			setup:   func(e *fakeEnv) { e.contact.Attributes["n"] = "10.0" },
			want:    []string{"say silver"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Compare without a match",
			actions: []string{compare("$.Attributes.missing", "Equals:gold:gold", "TextContains:x:silver"), say("gold"), say("silver"), say("none")},
			want:    []string{"say none"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckHoursOfOperation open",
			actions: []string{hours, say("open"), say("closed"), say("error")},
			want:    []string{"say open"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckHoursOfOperation closed",
			actions: []string{hours, say("open"), say("closed"), say("error")},
			setup:   func(e *fakeEnv) { e.open = false },
			want:    []string{"say closed"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckHoursOfOperation that fails",
			actions: []string{hours, say("open"), say("closed"), say("error")},
			setup:   func(e *fakeEnv) { e.fail["HoursOpen"] = boom },
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckMetricData compares the oldest contact's age in milliseconds",
			actions: []string{metric("OldestContactInQueueAgeSeconds", "NumberLessThan:300000:short"), say("short"), say("long"), say("error")},
			setup:   func(e *fakeEnv) { e.metrics.OldestContactAge = 4 * time.Minute },
			want:    []string{"say short"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckMetricData without a match",
			actions: []string{metric("OldestContactInQueueAgeSeconds", "NumberLessThan:300000:short"), say("short"), say("long"), say("error")},
			setup:   func(e *fakeEnv) { e.metrics.OldestContactAge = 6 * time.Minute },
			want:    []string{"say long"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckMetricData counts agents",
			actions: []string{metric("NumberOfAgentsAvailable", "NumberGreaterThan:0:short"), say("short"), say("long"), say("error")},
			setup:   func(e *fakeEnv) { e.metrics.AgentsAvailable = 2 },
			want:    []string{"say short"},
			status:  flow.StatusEnded,
		},
		{
			name:    "CheckMetricData that fails",
			actions: []string{metric("NumberOfContactsInQueue", "NumberGreaterThan:0:short"), say("short"), say("long"), say("error")},
			setup:   func(e *fakeEnv) { e.fail["Metrics"] = boom },
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name: "GetMetricData loads $.Metrics",
			actions: []string{`{"Identifier":"a","Type":"GetMetricData","Parameters":{},"Transitions":{"NextAction":"b","Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`,
				`{"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"$.Metrics.Queue.Size in $.Metrics.Queue.Name, oldest $.Metrics.Queue.OldestContactAge ms, $.Metrics.Agents.Available.Count of $.Metrics.Agents.Online.Count free"},"Transitions":{}}`,
				say("error")},
			setup: func(e *fakeEnv) {
				e.metrics = flow.Metrics{ContactsInQueue: 3, OldestContactAge: 90 * time.Second, AgentsOnline: 4, AgentsStaffed: 4, AgentsAvailable: 1}
				e.contact.Queue.Name = "Support"
			},
			want:   []string{"say 3 in Support, oldest 90000 ms, 1 of 4 free"},
			status: flow.StatusEnded,
		},
		{
			name:    "GetMetricData that fails",
			actions: []string{`{"Identifier":"a","Type":"GetMetricData","Parameters":{"QueueId":"q2"},"Transitions":{"NextAction":"ok","Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`, say("ok"), say("error")},
			setup:   func(e *fakeEnv) { e.fail["Metrics"] = boom },
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "DistributeByPercentage below the first bound",
			actions: []string{percentage, say("first"), say("second"), say("rest")},
			setup:   func(e *fakeEnv) { e.percent = 30 },
			want:    []string{"say first"},
			status:  flow.StatusEnded,
		},
		{
			name:    "DistributeByPercentage in the second share",
			actions: []string{percentage, say("first"), say("second"), say("rest")},
			setup:   func(e *fakeEnv) { e.percent = 40 },
			want:    []string{"say second"},
			status:  flow.StatusEnded,
		},
		{
			name:    "DistributeByPercentage in the rest",
			actions: []string{percentage, say("first"), say("second"), say("rest")},
			setup:   func(e *fakeEnv) { e.percent = 100 },
			want:    []string{"say rest"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Wait until the customer returns",
			actions: []string{wait(`"TimeoutSeconds":"900","Events":["CustomerReturned"]`), say("expired"), say("returned"), say("error")},
			inputs:  []flow.Input{flow.CustomerReturned()},
			want:    []string{"say returned"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Wait: a message is the customer's return",
			actions: []string{wait(`"TimeLimitSeconds":900,"Events":["CustomerReturned"]`), say("expired"), say("returned"), say("error")},
			inputs:  []flow.Input{flow.CustomerMessage("I'm back")},
			want:    []string{"say returned"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Wait until the time runs out",
			actions: []string{wait(`"TimeoutSeconds":"900","Events":["CustomerReturned"]`), say("expired"), say("returned"), say("error")},
			inputs:  []flow.Input{flow.Timeout()},
			want:    []string{"say expired"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Wait without events ignores the customer",
			actions: []string{wait(`"TimeoutSeconds":"60"`), say("expired"), say("returned"), say("error")},
			inputs:  []flow.Input{flow.CustomerMessage("hello?"), flow.CustomerReturned()},
			want:    nil,
			status:  flow.StatusWaiting,
		},
		{
			name:    "Wait with a dynamic time",
			actions: []string{wait(`"TimeoutSeconds":"$.Attributes.secs"`), say("expired"), say("returned"), say("error")},
			setup:   func(e *fakeEnv) { e.contact.Attributes["secs"] = "30" },
			inputs:  []flow.Input{flow.Timeout()},
			want:    []string{"say expired"},
			status:  flow.StatusEnded,
		},
		{
			name:    "Wait without a time takes the error branch",
			actions: []string{wait(`"Events":["CustomerReturned"]`), say("expired"), say("returned"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "TransferToFlow runs the other flow and forgets flow attributes",
			actions: []string{`{"Identifier":"a","Type":"UpdateFlowAttributes","Parameters":{"FlowAttributes":{"x":{"Value":"1"}}},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"TransferToFlow","Parameters":{"ContactFlowId":"arn:flow/second"},"Transitions":{"NextAction":"error","Errors":` + errs("NoMatchingError:error") + `}}`, say("error")},
			setup: func(e *fakeEnv) {
				e.flows["second"] = parseOrPanic(doc(`{"Identifier":"s","Type":"MessageParticipant","Parameters":{"Text":"second x=$.FlowAttributes.x."},"Transitions":{}}`))
				e.aliases["arn:flow/second"] = "second"
			},
			want:   []string{"say second x=."},
			status: flow.StatusEnded,
		},
		{
			name:    "TransferToFlow to a flow that does not exist",
			actions: []string{`{"Identifier":"b","Type":"TransferToFlow","Parameters":{"ContactFlowId":"nowhere"},"Transitions":{"NextAction":"error","Errors":` + errs("NoMatchingError:error") + `}}`, say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "UpdateFlowAttributes",
			actions: []string{`{"Identifier":"a","Type":"UpdateFlowAttributes","Parameters":{"FlowAttributes":{"x":{"Value":"$.ContactId"},"y":"plain"}},"Transitions":{"NextAction":"b"}}`, `{"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"$.FlowAttributes.x $.FlowAttributes.y"},"Transitions":{}}`},
			want:    []string{"say c-1 plain"},
			status:  flow.StatusEnded,
		},
		{
			name:    "EndFlowExecution",
			actions: []string{`{"Identifier":"a","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}`},
			status:  flow.StatusEnded,
		},
		{
			name:    "InvokeLambdaFunction answers $.External",
			actions: []string{lambda(`"InvocationTimeLimitSeconds":"4","LambdaInvocationAttributes":{"who":"$.CustomerEndpoint.Address"}`), fact, say("error")},
			setup: func(e *fakeEnv) {
				e.invoke = func(flow.Invocation) (map[string]any, error) {
					return map[string]any{"Fact": "Otters hold hands."}, nil
				}
			},
			want:   []string{"invoke arn:fn 4s who=Jane", "say Fact: Otters hold hands."},
			status: flow.StatusEnded,
		},
		{
			name:    "InvokeLambdaFunction that fails",
			actions: []string{lambda(``), fact, say("error")},
			setup: func(e *fakeEnv) {
				e.invoke = func(flow.Invocation) (map[string]any, error) { return nil, boom }
			},
			want:   []string{"invoke arn:fn 3s ", "say error"},
			status: flow.StatusEnded,
		},
		{
			name:    "InvokeLambdaFunction with a nested answer where a flat one is due",
			actions: []string{lambda(`"InvocationTimeLimitSeconds":"$.Attributes.secs"`), fact, say("error")},
			setup: func(e *fakeEnv) {
				e.contact.Attributes["secs"] = "30" // more than Connect's 8: cut to 8
				e.invoke = func(flow.Invocation) (map[string]any, error) {
					return map[string]any{"Fact": map[string]any{"a": "b"}}, nil
				}
			},
			want:   []string{"invoke arn:fn 8s ", "say error"},
			status: flow.StatusEnded,
		},
		{
			name:    "InvokeLambdaFunction with a JSON answer",
			actions: []string{lambda(`"ResponseValidation":{"ResponseType":"JSON"}`), `{"Identifier":"fact","Type":"MessageParticipant","Parameters":{"Text":"$.External.Fact.text"},"Transitions":{}}`, say("error")},
			setup: func(e *fakeEnv) {
				e.invoke = func(flow.Invocation) (map[string]any, error) {
					return map[string]any{"Fact": map[string]any{"text": "nested"}}, nil
				}
			},
			want:   []string{"invoke arn:fn 3s ", "say nested"},
			status: flow.StatusEnded,
		},
		{
			name:    "InvokeExternalResource, the legacy form",
			actions: []string{`{"Identifier":"a","Type":"InvokeExternalResource","Parameters":{"FunctionArn":"arn:old","TimeLimit":"5","Parameters":{"k":"v"}},"Transitions":{"NextAction":"fact","Errors":` + errs("NoMatchingError:error") + `}}`, fact, say("error")},
			setup: func(e *fakeEnv) {
				e.invoke = func(flow.Invocation) (map[string]any, error) { return map[string]any{"Fact": 42}, nil }
			},
			want:   []string{"invoke arn:old 5s k=v", "say Fact: 42"},
			status: flow.StatusEnded,
		},
		{
			name:    "ShowView takes the error branch",
			actions: []string{`{"Identifier":"a","Type":"ShowView","Parameters":{"ViewResource":{"Id":"v"}},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "an action that does not apply to chat takes the error branch",
			actions: []string{`{"Identifier":"a","Type":"CreateTask","Parameters":{"Name":"t"},"Transitions":{"NextAction":"ok","Errors":` + errs("NoMatchingError:error") + `}}`, say("ok"), say("error")},
			want:    []string{"say error"},
			status:  flow.StatusEnded,
		},
		{
			name:    "an action with no effect on chat goes on",
			actions: []string{`{"Identifier":"a","Type":"UpdateFlowLoggingBehavior","Parameters":{"FlowLoggingBehavior":"Enabled"},"Transitions":{"NextAction":"ok"}}`, say("ok")},
			want:    []string{"say ok"},
			status:  flow.StatusEnded,
		},
		{
			name:    "an error without a branch ends the flow",
			actions: []string{`{"Identifier":"a","Type":"CreateTask","Transitions":{"NextAction":"ok"}}`, say("ok")},
			status:  flow.StatusEnded,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv()
			env.add(t, "main", parse(t, doc(tc.actions...)))
			if tc.setup != nil {
				tc.setup(env)
			}
			st, out := run(t, env, tc.inputs...)
			checkEffects(t, env, tc.want)
			if out.Status != tc.status || st.Status != tc.status {
				t.Errorf("status: outcome %s, state %s; want %s (trace %+v)", out.Status, st.Status, tc.status, out.Trace)
			}
		})
	}
}

const (
	getInput   = `{"Identifier":"a","Type":"GetParticipantInput","Parameters":{"Text":"Press 1 or 2","StoreInput":"False","InputTimeLimitSeconds":"8"},"Transitions":{"NextAction":"error","Conditions":[{"NextAction":"one","Condition":{"Operator":"Equals","Operands":["1"]}},{"NextAction":"two","Condition":{"Operator":"Equals","Operands":["2"]}}],"Errors":[{"NextAction":"other","ErrorType":"NoMatchingCondition"},{"NextAction":"timeout","ErrorType":"InputTimeLimitExceeded"},{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`
	storeInput = `{"Identifier":"a","Type":"GetParticipantInput","Parameters":{"Text":"Your number?","StoreInput":"True","InputTimeLimitSeconds":"60","InputValidation":{"PhoneNumberValidation":{"NumberFormat":"E164"}}},"Transitions":{"NextAction":"ok","Errors":[{"NextAction":"invalid","ErrorType":"InvalidPhoneNumber"}]}}`
	hours      = `{"Identifier":"a","Type":"CheckHoursOfOperation","Parameters":{},"Transitions":{"NextAction":"error","Conditions":[{"NextAction":"open","Condition":{"Operator":"Equals","Operands":["True"]}},{"NextAction":"closed","Condition":{"Operator":"Equals","Operands":["False"]}}],"Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`
	percentage = `{"Identifier":"a","Type":"DistributeByPercentage","Parameters":{},"Transitions":{"NextAction":"rest","Conditions":[{"NextAction":"first","Condition":{"Operator":"NumberLessThan","Operands":["31"]}},{"NextAction":"second","Condition":{"Operator":"NumberLessThan","Operands":["61"]}}],"Errors":[{"NextAction":"rest","ErrorType":"NoMatchingCondition"}]}}`
	fact       = `{"Identifier":"fact","Type":"MessageParticipant","Parameters":{"Text":"Fact: $.External.Fact"},"Transitions":{}}`
)

// compare is a Compare action "a" with conditions "Operator:operand:next".
func compare(value string, conds ...string) string {
	return fmt.Sprintf(`{"Identifier":"a","Type":"Compare","Parameters":{"ComparisonValue":%q},"Transitions":{"NextAction":"none","Conditions":[%s],"Errors":[{"NextAction":"none","ErrorType":"NoMatchingCondition"}]}}`, value, conditions(conds))
}

func metric(metricType string, conds ...string) string {
	return fmt.Sprintf(`{"Identifier":"a","Type":"CheckMetricData","Parameters":{"MetricType":%q},"Transitions":{"NextAction":"error","Conditions":[%s],"Errors":[{"NextAction":"long","ErrorType":"NoMatchingCondition"},{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`, metricType, conditions(conds))
}

func conditions(conds []string) string {
	out := ""
	for i, c := range conds {
		parts := splitN(c, 3)
		op, operand, next := parts[0], parts[1], parts[2]
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf(`{"NextAction":%q,"Condition":{"Operator":%q,"Operands":[%q]}}`, next, op, operand)
	}
	return out
}

func splitN(s string, n int) []string {
	var parts []string
	for range n - 1 {
		for i := range s {
			if s[i] == ':' {
				parts = append(parts, s[:i])
				s = s[i+1:]
				break
			}
		}
	}
	return append(parts, s)
}

func wait(params string) string {
	return `{"Identifier":"a","Type":"Wait","Parameters":{` + params + `},"Transitions":{"NextAction":"error","Conditions":[{"NextAction":"expired","Condition":{"Operator":"Equals","Operands":["WaitCompleted"]}},{"NextAction":"returned","Condition":{"Operator":"Equals","Operands":["CustomerReturned"]}}],"Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`
}

func lambda(params string) string {
	if params != "" {
		params = "," + params
	}
	return `{"Identifier":"a","Type":"InvokeLambdaFunction","Parameters":{"LambdaFunctionARN":"arn:fn"` + params + `},"Transitions":{"NextAction":"fact","Errors":[{"NextAction":"error","ErrorType":"NoMatchingError"}]}}`
}

func parseOrPanic(content []byte) *flow.Flow {
	f, err := flow.Parse(content)
	if err != nil {
		panic(err)
	}
	return f
}
