package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/flow"
)

// accept is a Resolver that knows every resource (or none).
type accept bool

func (a accept) QueueExists(context.Context, string) (bool, error)        { return bool(a), nil }
func (a accept) FlowExists(context.Context, string) (bool, error)         { return bool(a), nil }
func (a accept) HoursExists(context.Context, string) (bool, error)        { return bool(a), nil }
func (a accept) FunctionConfigured(context.Context, string) (bool, error) { return bool(a), nil }

// TestSamplesValidate: every real flow parses and validates unchanged once its references resolve, keeps its
// Metadata, and is refused, naming the references, where they do not.
func TestSamplesValidate(t *testing.T) {
	sample(t, "SOURCES.md")
	files, err := filepath.Glob(filepath.Join(sharedFlows, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := flow.Check(context.Background(), content, accept(true))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if len(f.Metadata) == 0 || f.Version != flow.Version {
				t.Errorf("Metadata %d bytes, Version %q", len(f.Metadata), f.Version)
			}
			_, err = flow.Check(context.Background(), content, accept(false))
			var ps flow.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Check with unknown resources: %v, want Problems", err)
			}
			for _, p := range ps {
				if p.Identifier == "" || !strings.Contains(p.Message, "does not exist") {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
}

// The references of the real flows, and where SOURCES.md says to point them.
const (
	disconnectARN = "arn:aws:connect:us-east-1:201706955376:instance/658aa90c-6c92-4798-a30d-dc8941d65d27/contact-flow/fc3cd663-0dd7-4096-95cb-3ede80cb4652"
	customerQueue = "arn:aws:connect:us-east-1:201706955376:instance/658aa90c-6c92-4798-a30d-dc8941d65d27/contact-flow/613c9686-52d8-49fe-8f83-3b2acdec53e1"
	basicQueue    = "arn:aws:connect:us-east-1:201706955376:instance/658aa90c-6c92-4798-a30d-dc8941d65d27/queue/4c826a3b-85d0-4e02-8926-8dea0b1729e8"
	queueConfig   = "${aws_connect_contact_flow.sample_queue_configurations_flow.contact_flow_id}"
	inbound       = "${aws_connect_contact_flow.sample_inbound_flow_first_contact_experience.contact_flow_id}"
	widgetNext    = "arn:aws:connect:us-west-2:990999614922:instance/2a2b23d7-35ae-4257-b3ad-c8862b09080f/contact-flow/ef4aed70-3bf5-4ff5-b391-b65f5a1cc4db"
	stateLookup   = "arn:aws:lambda:us-east-1:613787477748:function:state-lookup"
)

// sampleEnv is a world with the real flows loaded, "main" being the one the chat starts in.
func sampleEnv(t *testing.T, main string) *fakeEnv {
	t.Helper()
	env := newEnv()
	env.add(t, "inbound", parse(t, sample(t, "sample-inbound-first-contact.json")), inbound)
	env.add(t, "queue-config", parse(t, sample(t, "sample-queue-configurations.json")), queueConfig)
	env.add(t, "disconnect", parse(t, sample(t, "sample-disconnect.json")), disconnectARN)
	env.add(t, "lambda", parse(t, sample(t, "sample-lambda-integration.json")))
	env.add(t, "widget", parse(t, sample(t, "hosted-widget-attribute-test.json")))
	env.flows["main"] = env.flows[main]
	env.queues[basicQueue] = flow.Queue{ID: "basic", ARN: basicQueue, Name: "BasicQueue"}
	return env
}

var (
	inboundChat = []string{
		"hook CustomerRemaining=" + disconnectARN,
		"say Hello, thanks for contacting us. This is an example of what the Amazon Connect virtual contact center can enable you to do.",
	}
	queueConfigOpen = []string{
		"queue BasicQueue",
		"hook CustomerQueue=" + customerQueue,
		"say The time in queue is less than 5 minutes.",
		"say You are now being placed in queue to chat with an agent.",
		"enqueue BasicQueue",
	}
)

func TestSampleInboundToQueue(t *testing.T) {
	t.Run("open", func(t *testing.T) {
		env := sampleEnv(t, "inbound")
		env.metrics.OldestContactAge = 90 * time.Second
		st, out := run(t, env)
		checkEffects(t, env, append(inboundChat, queueConfigOpen...))
		if out.Status != flow.StatusQueued || st.FlowID != "queue-config" {
			t.Errorf("status %s in flow %s, want QUEUED in queue-config; trace %+v", out.Status, st.FlowID, out.Trace)
		}
		if got := st.EventHooks["CustomerQueue"]; got != customerQueue {
			t.Errorf("State.EventHooks = %v", st.EventHooks)
		}
	})
	t.Run("closed", func(t *testing.T) {
		env := sampleEnv(t, "inbound")
		env.open = false
		_, out := run(t, env)
		checkEffects(t, env, append(inboundChat,
			"queue BasicQueue",
			"hook CustomerQueue="+customerQueue,
			"say We are not able to take your call right now. Goodbye.",
			"disconnect"))
		if out.Status != flow.StatusDisconnected {
			t.Errorf("status %s", out.Status)
		}
		if len(env.hoursRefs) != 1 || env.hoursRefs[0] != "" {
			t.Errorf("hours asked of %q, want the working queue's (\"\")", env.hoursRefs)
		}
	})
	t.Run("queue waited long", func(t *testing.T) {
		env := sampleEnv(t, "queue-config")
		env.metrics.OldestContactAge = 10 * time.Minute
		run(t, env)
		checkEffects(t, env, []string{
			"queue BasicQueue",
			"hook CustomerQueue=" + customerQueue,
			"say The time in queue is more than 5 minutes.",
			"say You are now being placed in queue to chat with an agent.",
			"enqueue BasicQueue",
		})
	})
}

func TestSampleDisconnect(t *testing.T) {
	said := "say The agent has disconnected. If the customer sends a message in the next 15 minutes, the chat will pick up where it left off."
	start := func(t *testing.T) *fakeEnv {
		env := sampleEnv(t, "disconnect")
		env.contact.Queue = flow.Queue{ID: "basic", ARN: basicQueue, Name: "BasicQueue"}
		return env
	}
	t.Run("waits", func(t *testing.T) {
		env := start(t)
		st, out := run(t, env)
		checkEffects(t, env, []string{said})
		if out.Status != flow.StatusWaiting || st.Wait != flow.WaitEvent || !out.Wake.Equal(t0.Add(900*time.Second)) {
			t.Errorf("outcome %+v, state %+v; want a wait until %s", out, st, t0.Add(900*time.Second))
		}
	})
	for _, in := range []flow.Input{flow.CustomerReturned(), flow.CustomerMessage("Are you there?")} {
		t.Run("customer returns: "+string(in.Kind), func(t *testing.T) {
			env := start(t)
			env.now = t0.Add(10 * time.Minute)
			_, out := run(t, env, in)
			checkEffects(t, env, []string{said,
				"say You are now being transferred to queue to chat with another agent.",
				"enqueue BasicQueue"})
			if out.Status != flow.StatusQueued {
				t.Errorf("status %s", out.Status)
			}
		})
	}
	t.Run("time runs out", func(t *testing.T) {
		env := start(t)
		_, out := run(t, env, flow.Timeout())
		checkEffects(t, env, []string{said, "say The timer has expired. Disconnecting.", "disconnect"})
		if out.Status != flow.StatusDisconnected {
			t.Errorf("status %s", out.Status)
		}
	})
}

func TestSampleLambda(t *testing.T) {
	intro := "say Now performing a data dip using AWS Lambda. Based on your phone number, we will lookup the state you are calling from if you are on a voice call or tell you a fun fact if you are on chat."
	back := append([]string{"say Now returning you to the main menu."}, append(inboundChat, queueConfigOpen...)...)
	cases := []struct {
		name   string
		answer func(flow.Invocation) (map[string]any, error)
		said   string
	}{
		{"fact", func(flow.Invocation) (map[string]any, error) {
			return map[string]any{"Fact": "A group of flamingos is a flamboyance."}, nil
		}, "say Here is your fun fact: A group of flamingos is a flamboyance."},
		{"fails", func(flow.Invocation) (map[string]any, error) {
			return nil, errors.New("500 Internal Server Error")
		}, "say Sorry, we failed to find the state for your phone number's area code."},
		{"times out", func(inv flow.Invocation) (map[string]any, error) {
			return nil, context.DeadlineExceeded
		}, "say Sorry, we failed to find the state for your phone number's area code."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := sampleEnv(t, "lambda")
			env.invoke = tc.answer
			_, out := run(t, env)
			checkEffects(t, env, append([]string{intro, "invoke " + stateLookup + " 4s ", tc.said}, back...))
			if out.Status != flow.StatusQueued {
				t.Errorf("status %s", out.Status)
			}
			if inv := env.invoked[0]; inv.Timeout != 4*time.Second || inv.ResponseType != "STRING_MAP" {
				t.Errorf("invocation %+v", inv)
			}
		})
	}
}

func TestSampleHostedWidget(t *testing.T) {
	cases := []struct {
		name  string
		attrs map[string]string
		want  []string
	}{
		{"attribute present", map[string]string{"verificationCode": "foobar"},
			[]string{`say "verificationCode" is"foobar"`, `say "verificationCode" was detected!`, "say next flow"}},
		{"attribute missing", nil,
			[]string{`say "verificationCode" is""`, `say MISSING "verificationCode"!`, "say next flow"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := sampleEnv(t, "widget")
			env.add(t, "next", parse(t, doc(say("next flow"))), widgetNext)
			for k, v := range tc.attrs {
				env.contact.Attributes[k] = v
			}
			_, out := run(t, env)
			checkEffects(t, env, tc.want)
			if out.Status != flow.StatusEnded {
				t.Errorf("status %s", out.Status)
			}
		})
	}
	t.Run("next flow missing", func(t *testing.T) {
		env := sampleEnv(t, "widget")
		_, out := run(t, env)
		checkEffects(t, env, []string{`say "verificationCode" is""`, `say MISSING "verificationCode"!`})
		last := out.Trace[len(out.Trace)-1]
		if last.Type != "EndFlowExecution" || out.Status != flow.StatusEnded {
			t.Errorf("status %s, last action %+v", out.Status, last)
		}
	})
}

// TestTraceAcrossFlows: each record names the flow its action belongs to, TransferToFlow included.
func TestTraceAcrossFlows(t *testing.T) {
	env := sampleEnv(t, "widget")
	env.add(t, "next", parse(t, doc(say("next flow"))), widgetNext)
	_, out := run(t, env)
	var got []string
	for _, r := range out.Trace {
		got = append(got, r.FlowID+"/"+r.Type+"/"+r.Branch)
	}
	want := []string{
		"main/MessageParticipant/NextAction",
		"main/Compare/Error NoMatchingCondition",
		"main/MessageParticipant/NextAction",
		"main/TransferToFlow/TransferToFlow",
		"next/MessageParticipant/NextAction",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSampleScreenpopAndSurvey: the two flows SOURCES.md lists besides the chain set attributes, a queue and a
// hook, and queue the chat; their error branches disconnect.
func TestSampleScreenpopAndSurvey(t *testing.T) {
	surveyQueue := "arn:aws:connect:ap-southeast-2:964328442121:instance/7136b212-66af-4bd9-8913-8dec118f5254/queue/4bca1082-f46a-4580-8c76-79db54b8d49a"
	surveyHook := "arn:aws:connect:ap-southeast-2:964328442121:instance/7136b212-66af-4bd9-8913-8dec118f5254/contact-flow/9c95f170-90a3-4dad-bb26-4dea76097865"
	cases := []struct {
		name, file string
		setup      func(*fakeEnv)
		want       []string
		status     flow.Status
	}{
		{"screenpop", "sample-note-for-screenpop.json", nil, []string{
			"say This sets a note attribute for use in a screenpop.",
			"attributes Current note=This note demonstrates how attributes can appear in the screen pop.",
			"queue BasicQueue",
			"enqueue BasicQueue",
		}, flow.StatusQueued},
		{"screenpop, queue full", "sample-note-for-screenpop.json", func(e *fakeEnv) {
			e.fail["TransferToQueue"] = flow.ErrQueueAtCapacity
		}, []string{
			"say This sets a note attribute for use in a screenpop.",
			"attributes Current note=This note demonstrates how attributes can appear in the screen pop.",
			"queue BasicQueue",
			"say An error ocurred. Goodbye.",
			"disconnect",
		}, flow.StatusDisconnected},
		{"survey", "simple-survey-example.json", nil, []string{
			"say Welcome to the simple survey demonstration.",
			"hook CustomerRemaining=" + surveyHook,
			"attributes Current surveyId= ",
			"queue " + surveyQueue,
			"enqueue " + surveyQueue,
		}, flow.StatusQueued},
		{"survey without its disconnect flow", "simple-survey-example.json", func(e *fakeEnv) {
			e.fail["SetEventHook"] = errors.New("no such flow")
		}, []string{
			"say Welcome to the simple survey demonstration.",
			"say You forgot to set the disconnect flow. Please review the contact flow.",
			"disconnect",
		}, flow.StatusDisconnected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := sampleEnv(t, "inbound")
			env.add(t, "main", parse(t, sample(t, tc.file)))
			if tc.setup != nil {
				tc.setup(env)
			}
			_, out := run(t, env)
			checkEffects(t, env, tc.want)
			if out.Status != tc.status {
				t.Errorf("status %s, want %s", out.Status, tc.status)
			}
		})
	}
}
