package chat_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// flowFixture is a chat service on a real store with a flow of the test's own.
type flowFixture struct {
	t     *testing.T
	st    parley.Store
	bus   *local.Bus
	svc   *chat.Service
	clk   *fakeClock
	inst  *parley.Instance
	queue *parley.Queue
}

func newFlowFixture(t *testing.T) *flowFixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := local.New()
	clk := &fakeClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	svc, err := chat.New(st, bus, clk, nil, chat.Config{Secret: bytes.Repeat([]byte{5}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	inst, _, err := svc.Bootstrap(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	qs, err := st.ListQueues(ctx, inst.ID)
	if err != nil || len(qs) == 0 {
		t.Fatalf("queues: %v, %v", qs, err)
	}
	return &flowFixture{t: t, st: st, bus: bus, svc: svc, clk: clk, inst: inst, queue: qs[0]}
}

// flow stores a flow whose actions are given; %QUEUE% stands for the queue's ARN.
func (f *flowFixture) flow(id, start string, actions ...string) string {
	f.t.Helper()
	content := fmt.Sprintf(`{"Version":"2019-10-30","StartAction":%q,"Actions":[%s]}`, start, join(actions))
	content = string(bytes.ReplaceAll([]byte(content), []byte("%QUEUE%"), []byte(f.queue.ARN)))
	err := f.st.Update(f.t.Context(), func(tx parley.Tx) error {
		return tx.PutContactFlow(f.t.Context(), &parley.ContactFlow{ID: id, InstanceID: f.inst.ID, ARN: f.inst.ARN + "/contact-flow/" + id,
			Name: id, Type: "CONTACT_FLOW", State: "ACTIVE", Status: "PUBLISHED", Content: content})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func join(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p)
	}
	return b.String()
}

// start starts a chat on a flow and returns the customer's caller.
func (f *flowFixture) start(flowID string, attrs map[string]string) *chat.Caller {
	f.t.Helper()
	ctx := f.t.Context()
	out, err := f.svc.StartChat(ctx, chat.StartChatInput{InstanceID: f.inst.ID, ContactFlowID: flowID, DisplayName: "Ann",
		Attributes: attrs})
	if err != nil {
		f.t.Fatal(err)
	}
	conn, err := f.svc.CreateConnection(ctx, out.ParticipantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.svc.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// transcript returns the chain's messages as "ROLE: content" and events by content type.
func (f *flowFixture) transcript(chain string) []string {
	f.t.Helper()
	items, err := f.st.ListItems(f.t.Context(), parley.ItemQuery{ChainID: chain})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		switch it.Type {
		case parley.ItemMessage:
			out = append(out, string(it.Role)+": "+it.Content)
		case parley.ItemEvent:
			if it.ContentType == parley.EventChatEnded {
				out = append(out, "chat.ended")
			}
		}
	}
	return out
}

// waitFor polls the store until cond holds over the contact, or fails after a deadline (a bound on a failure,
// not a speed assertion: flow steps for customers' messages run on the service's workers).
func (f *flowFixture) waitFor(contactID, what string, cond func(*parley.Contact) bool) *parley.Contact {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := f.st.GetContact(f.t.Context(), contactID)
		if err != nil {
			f.t.Fatal(err)
		}
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waiting for %s: contact is %+v", what, c)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const (
	greet = `{"Identifier":"greet","Type":"MessageParticipant","Parameters":{"Text":"Hello $.Attributes.name"},"Transitions":{"NextAction":"ask"}}`
	ask   = `{"Identifier":"ask","Type":"GetParticipantInput","Parameters":{"Text":"Sales or support?","StoreInput":"False","InputTimeLimitSeconds":"60"},` +
		`"Transitions":{"NextAction":"bye","Conditions":[{"NextAction":"remember","Condition":{"Operator":"Equals","Operands":["sales"]}}],` +
		`"Errors":[{"NextAction":"bye","ErrorType":"NoMatchingCondition"},{"NextAction":"late","ErrorType":"InputTimeLimitExceeded"}]}}`
	remember = `{"Identifier":"remember","Type":"UpdateContactAttributes","Parameters":{"Attributes":{"choice":"$.StoredCustomerInput"}},` +
		`"Transitions":{"NextAction":"setq","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}}`
	setq = `{"Identifier":"setq","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},` +
		`"Transitions":{"NextAction":"toq","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}}`
	toq = `{"Identifier":"toq","Type":"TransferContactToQueue","Parameters":{},` +
		`"Transitions":{"NextAction":"bye","Errors":[{"NextAction":"bye","ErrorType":"QueueAtCapacity"},{"NextAction":"bye","ErrorType":"NoMatchingError"}]}}`
	late = `{"Identifier":"late","Type":"MessageParticipant","Parameters":{"Text":"Too late."},"Transitions":{"NextAction":"end"}}`
	bye  = `{"Identifier":"bye","Type":"MessageParticipant","Parameters":{"Text":"Goodbye"},"Transitions":{"NextAction":"end"}}`
	end  = `{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}`
)

// TestFlowQueuesOnAnswer: the flow greets the customer with an attribute, asks, and on the customer's answer
// sets an attribute and queues the chat; the queued event goes out on the bus; the flow log has every action.
func TestFlowQueuesOnAnswer(t *testing.T) {
	f := newFlowFixture(t)
	id := f.flow("menu", "greet", greet, ask, remember, setq, toq, late, bye, end)
	var mu sync.Mutex
	queued := 0
	t.Cleanup(f.bus.SubscribeEvents(func(ev *parley.Event) {
		if ev.Kind == parley.EventContactQueued {
			mu.Lock()
			queued++
			mu.Unlock()
		}
	}))
	c := f.start(id, map[string]string{"name": "Ann"})
	contact := c.Contact.ID
	if got, err := f.st.GetContact(t.Context(), contact); err != nil || !got.EnqueuedAt.IsZero() || got.FlowWakeAt.IsZero() {
		t.Fatalf("a chat waiting for its flow's question: %+v, %v; want not queued, with the input's time limit armed", got, err)
	}
	if _, err := f.svc.SendMessage(t.Context(), c, "text/plain", "sales", "m1"); err != nil {
		t.Fatal(err)
	}
	got := f.waitFor(contact, "the flow to queue the chat", func(c *parley.Contact) bool { return !c.EnqueuedAt.IsZero() })
	if got.QueueID != f.queue.ID || got.Attributes["choice"] != "sales" || got.Attributes["name"] != "Ann" || !got.FlowWakeAt.IsZero() {
		t.Errorf("contact after the answer: queue %q, attributes %v, wake %v", got.QueueID, got.Attributes, got.FlowWakeAt)
	}
	want := []string{"SYSTEM: Hello Ann", "SYSTEM: Sales or support?", "CUSTOMER: sales"}
	if tr := f.transcript(contact); fmt.Sprint(tr) != fmt.Sprint(want) {
		t.Errorf("transcript %q, want %q", tr, want)
	}
	mu.Lock()
	if queued != 1 {
		t.Errorf("contact.queued published %d times, want once", queued)
	}
	mu.Unlock()
	log, err := f.svc.FlowLog(t.Context(), f.inst.ID, contact)
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, r := range log {
		path = append(path, r.Identifier)
	}
	if fmt.Sprint(path) != "[greet ask ask remember setq toq]" {
		t.Errorf("flow log path %v", path)
	}
}

// TestFlowInputTimesOut: a question nobody answers times out on the flow timer (fired once, by
// FireFlowTimers with the clock past the limit), and the flow's disconnect ends the chat.
func TestFlowInputTimesOut(t *testing.T) {
	f := newFlowFixture(t)
	id := f.flow("menu", "greet", greet, ask, remember, setq, toq, late, bye, end)
	c := f.start(id, nil)
	if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 0 {
		t.Fatalf("FireFlowTimers before the limit: %d, %v", n, err)
	}
	f.clk.add(61 * time.Second)
	if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 1 {
		t.Fatalf("FireFlowTimers after the limit: %d, %v; want 1", n, err)
	}
	if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 0 {
		t.Fatalf("FireFlowTimers again: %d, %v; want 0 (fired once)", n, err)
	}
	got, err := f.st.GetContact(t.Context(), c.Contact.ID)
	if err != nil || got.Active() || got.DisconnectReason != chat.ReasonFlowDisconnect {
		t.Fatalf("after the timeout: %+v, %v; want ended by the flow", got, err)
	}
	want := []string{"SYSTEM: Hello ", "SYSTEM: Sales or support?", "SYSTEM: Too late.", "chat.ended"}
	if tr := f.transcript(c.Contact.ID); fmt.Sprint(tr) != fmt.Sprint(want) {
		t.Errorf("transcript %q, want %q", tr, want)
	}
}

// TestFlowAnswerNotMatched: an answer no condition matches takes NoMatchingCondition.
func TestFlowAnswerNotMatched(t *testing.T) {
	f := newFlowFixture(t)
	id := f.flow("menu", "greet", greet, ask, remember, setq, toq, late, bye, end)
	c := f.start(id, map[string]string{"name": "Bo"})
	if _, err := f.svc.SendMessage(t.Context(), c, "text/plain", "billing", "m1"); err != nil {
		t.Fatal(err)
	}
	f.waitFor(c.Contact.ID, "the flow to end the chat", func(c *parley.Contact) bool { return !c.Active() })
	want := []string{"SYSTEM: Hello Bo", "SYSTEM: Sales or support?", "CUSTOMER: billing", "SYSTEM: Goodbye", "chat.ended"}
	if tr := f.transcript(c.Contact.ID); fmt.Sprint(tr) != fmt.Sprint(want) {
		t.Errorf("transcript %q, want %q", tr, want)
	}
}
