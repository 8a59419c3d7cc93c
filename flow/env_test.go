package flow_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/flow"
)

// t0 is the time the fake world starts at.
var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// fakeEnv is a world for flows: it records every effect as a line of text and answers from its fields.
type fakeEnv struct {
	now     time.Time
	contact flow.Contact
	flows   map[string]*flow.Flow // by id
	aliases map[string]string     // reference (ARN, placeholder) -> id
	queues  map[string]flow.Queue // by reference

	open      bool
	metrics   flow.Metrics
	percent   int
	invoke    func(flow.Invocation) (map[string]any, error)
	fail      map[string]error // method name -> error it returns
	effects   []string
	messages  []flow.Message
	invoked   []flow.Invocation
	hoursRefs []string
}

func newEnv() *fakeEnv {
	return &fakeEnv{
		now: t0,
		contact: flow.Contact{
			ContactID: "c-1", InitialContactID: "c-0", Channel: "CHAT", InitiationMethod: "API",
			InstanceARN:      "arn:aws:connect:us-east-1:111122223333:instance/i-1",
			CustomerEndpoint: flow.Endpoint{Address: "Jane", Type: "CONNECT_CHAT"},
			Attributes:       map[string]string{},
		},
		flows:   map[string]*flow.Flow{},
		aliases: map[string]string{},
		queues:  map[string]flow.Queue{},
		open:    true,
		percent: 50,
		fail:    map[string]error{},
	}
}

// add registers a flow under id and any other references.
func (e *fakeEnv) add(t testing.TB, id string, f *flow.Flow, refs ...string) {
	t.Helper()
	e.flows[id] = f
	for _, r := range refs {
		e.aliases[r] = id
	}
}

func (e *fakeEnv) err(method string) error { return e.fail[method] }

func (e *fakeEnv) log(format string, args ...any) {
	e.effects = append(e.effects, fmt.Sprintf(format, args...))
}

func (e *fakeEnv) Now() time.Time { return e.now }

func (e *fakeEnv) Contact(context.Context) (flow.Contact, error) {
	c := e.contact
	c.Attributes = maps.Clone(c.Attributes)
	return c, e.err("Contact")
}

func (e *fakeEnv) LoadFlow(_ context.Context, ref string) (string, *flow.Flow, error) {
	id := ref
	if a, ok := e.aliases[ref]; ok {
		id = a
	}
	f, ok := e.flows[id]
	if !ok {
		return "", nil, fmt.Errorf("no flow %q", ref)
	}
	return id, f, nil
}

func (e *fakeEnv) SendMessage(_ context.Context, m flow.Message) error {
	if err := e.err("SendMessage"); err != nil {
		return err
	}
	e.messages = append(e.messages, m)
	if m.ContentType == flow.ContentTypePlain {
		e.log("say %s", m.Content)
	} else {
		e.log("say %s %s", m.ContentType, m.Content)
	}
	return nil
}

func (e *fakeEnv) UpdateAttributes(_ context.Context, target string, attrs map[string]string) error {
	if err := e.err("UpdateAttributes"); err != nil {
		return err
	}
	e.log("attributes %s %s", target, kv(attrs))
	if target == "Current" {
		maps.Copy(e.contact.Attributes, attrs)
	}
	return nil
}

func (e *fakeEnv) UpdateContactData(_ context.Context, target string, data map[string]string) error {
	e.log("contact data %s %s", target, kv(data))
	return e.err("UpdateContactData")
}

func (e *fakeEnv) SetQueue(_ context.Context, t flow.QueueTarget) (flow.Queue, error) {
	if err := e.err("SetQueue"); err != nil {
		return flow.Queue{}, err
	}
	ref := t.QueueID
	if ref == "" {
		ref = "agent:" + t.AgentID
	}
	q, ok := e.queues[ref]
	if !ok {
		q = flow.Queue{ID: ref, ARN: ref, Name: ref}
	}
	e.contact.Queue = q
	e.log("queue %s", q.Name)
	return q, nil
}

func (e *fakeEnv) TransferToQueue(context.Context) error {
	if err := e.err("TransferToQueue"); err != nil {
		return err
	}
	if e.contact.Queue.ID == "" {
		return errors.New("no working queue")
	}
	e.log("enqueue %s", e.contact.Queue.Name)
	return nil
}

func (e *fakeEnv) TransferToAgent(context.Context) error {
	if err := e.err("TransferToAgent"); err != nil {
		return err
	}
	e.log("to agent %s", e.contact.Queue.Name)
	return nil
}

func (e *fakeEnv) SetEventHook(_ context.Context, hook, ref string) error {
	if err := e.err("SetEventHook"); err != nil {
		return err
	}
	e.log("hook %s=%s", hook, ref)
	return nil
}

func (e *fakeEnv) SetRoutingBehavior(_ context.Context, r flow.Routing) error {
	switch {
	case r.QueuePriority != nil:
		e.log("priority %d", *r.QueuePriority)
	case r.QueueTimeAdjustment != nil:
		e.log("age +%s", *r.QueueTimeAdjustment)
	}
	return e.err("SetRoutingBehavior")
}

func (e *fakeEnv) Disconnect(context.Context) error {
	if err := e.err("Disconnect"); err != nil {
		return err
	}
	e.log("disconnect")
	return nil
}

func (e *fakeEnv) HoursOpen(_ context.Context, ref string, at time.Time) (bool, error) {
	e.hoursRefs = append(e.hoursRefs, ref)
	return e.open, e.err("HoursOpen")
}

func (e *fakeEnv) Metrics(context.Context, flow.MetricQuery) (flow.Metrics, error) {
	return e.metrics, e.err("Metrics")
}

func (e *fakeEnv) Invoke(_ context.Context, inv flow.Invocation) (map[string]any, error) {
	e.invoked = append(e.invoked, inv)
	e.log("invoke %s %s %s", inv.FunctionARN, inv.Timeout, kv(inv.Parameters))
	if e.invoke == nil {
		return nil, errors.New("no function")
	}
	return e.invoke(inv)
}

func (e *fakeEnv) Percent() int { return e.percent }

// kv formats a map in key order.
func kv(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

var _ flow.Env = (*fakeEnv)(nil)
