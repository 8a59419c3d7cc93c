package chat_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
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
	return newTimerFixture(t, chat.Config{})
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
	// The event is published once the change is committed: the store may show the change a moment before.
	count := func() int { mu.Lock(); defer mu.Unlock(); return queued }
	for deadline := time.Now().Add(10 * time.Second); count() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := count(); n != 1 {
		t.Errorf("contact.queued published %d times, want once", n)
	}
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

// agent stores a user and joins it to the contact as its agent; it returns the agent's caller.
func (f *flowFixture) agent(contactID string) *chat.Caller {
	f.t.Helper()
	ctx := f.t.Context()
	u := &parley.User{ID: "u-" + contactID, InstanceID: f.inst.ID, Username: "agent-" + contactID, FirstName: "Zoe"}
	if err := f.st.Update(ctx, func(tx parley.Tx) error { return tx.PutUser(ctx, u) }); err != nil {
		f.t.Fatal(err)
	}
	_, token, err := f.svc.JoinAgent(ctx, contactID, u)
	if err != nil {
		f.t.Fatal(err)
	}
	conn, err := f.svc.CreateConnection(ctx, token, chat.ConnectionInput{Credentials: true})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.svc.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

const (
	hooks = `{"Identifier":"hooks","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerRemaining":"disc","CustomerQueue":"inqueue"}},` +
		`"Transitions":{"NextAction":"setq","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}}`
	// The customer-queue flow: one message, then a wait that an agent's accept cuts short.
	inQueue     = `{"Identifier":"q1","Type":"MessageParticipant","Parameters":{"Text":"You are in the queue."},"Transitions":{"NextAction":"q2"}}`
	inQueueWait = `{"Identifier":"q2","Type":"Wait","Parameters":{"TimeLimitSeconds":"600"},"Transitions":{"NextAction":"q1"` +
		`,"Conditions":[{"NextAction":"q1","Condition":{"Operator":"Equals","Operands":["WaitCompleted"]}}],"Errors":[{"NextAction":"q1","ErrorType":"NoMatchingCondition"}]}}`
	// The disconnect flow, as Amazon's sample: tell the customer, wait for their return, queue again, or hang up.
	discSay  = `{"Identifier":"d1","Type":"MessageParticipant","Parameters":{"Text":"The agent has disconnected."},"Transitions":{"NextAction":"d2"}}`
	discWait = `{"Identifier":"d2","Type":"Wait","Parameters":{"TimeLimitSeconds":"900","Events":["CustomerReturned"]},"Transitions":{"NextAction":"d4",` +
		`"Conditions":[{"NextAction":"d4","Condition":{"Operator":"Equals","Operands":["WaitCompleted"]}},{"NextAction":"d3","Condition":{"Operator":"Equals","Operands":["CustomerReturned"]}}],` +
		`"Errors":[{"NextAction":"d4","ErrorType":"NoMatchingCondition"}]}}`
	discBack = `{"Identifier":"d3","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"d4","Errors":[{"NextAction":"d4","ErrorType":"QueueAtCapacity"},{"NextAction":"d4","ErrorType":"NoMatchingError"}]}}`
	discEnd  = `{"Identifier":"d4","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}`
)

// TestFlowHooks: the customer-queue flow talks while the chat waits and stops when an agent joins; when the agent
// leaves, the disconnect flow runs for the customer, who remains, on a new contact of the chain: the customer's
// return queues the chat again.
func TestFlowHooks(t *testing.T) {
	f := newFlowFixture(t)
	f.flow("inqueue", "q1", inQueue, inQueueWait)
	f.flow("disc", "d1", discSay, discWait, discBack, discEnd)
	id := f.flow("main", "hooks", hooks, setq, toq, end)
	cust := f.start(id, nil)
	first := cust.Contact.ID
	c := f.waitFor(first, "the chat in its queue", func(c *parley.Contact) bool { return !c.EnqueuedAt.IsZero() })
	if c.FlowWakeAt.IsZero() {
		t.Fatalf("the customer-queue flow's wait is not armed: %+v", c)
	}
	agent := f.agent(first)
	c = f.waitFor(first, "the agent", func(c *parley.Contact) bool { return c.AgentID != "" })
	if !c.FlowWakeAt.IsZero() {
		t.Errorf("the customer-queue flow still waits after the agent joined (wake %v)", c.FlowWakeAt)
	}

	if err := f.svc.Disconnect(t.Context(), agent, "bye"); err != nil {
		t.Fatal(err)
	}
	old, err := f.st.GetContact(t.Context(), first)
	if err != nil || old.Active() || old.DisconnectReason != parley.ReasonAgentDisconnect {
		t.Fatalf("the agent's contact after it left: %+v, %v", old, err)
	}
	next, err := f.st.ActiveContact(t.Context(), first)
	if err != nil || next.ID == first || !next.Active() || next.InitiationMethod != chat.InitiationDisconnect ||
		next.PreviousContactID != first || !next.EnqueuedAt.IsZero() || next.FlowWakeAt.IsZero() {
		t.Fatalf("the contact the disconnect flow runs on: %+v, %v", next, err)
	}
	// The customer comes back: the flow queues the chat again.
	if _, err := f.svc.SendMessage(t.Context(), cust, "text/plain", "hello?", "m1"); err != nil {
		t.Fatal(err)
	}
	again := f.waitFor(next.ID, "the chat queued again", func(c *parley.Contact) bool { return !c.EnqueuedAt.IsZero() })
	if again.QueueID != f.queue.ID || !again.Active() {
		t.Errorf("after the customer's return: %+v", again)
	}
	want := []string{"SYSTEM: You are in the queue.", "SYSTEM: The agent has disconnected.", "CUSTOMER: hello?",
		"SYSTEM: You are in the queue."}
	if tr := f.transcript(first); fmt.Sprint(tr) != fmt.Sprint(want) {
		t.Errorf("transcript %q, want %q", tr, want)
	}
}

// TestFlowDisconnectFlowTimesOut: nobody returns within the disconnect flow's wait: it hangs up.
func TestFlowDisconnectFlowTimesOut(t *testing.T) {
	f := newFlowFixture(t)
	f.flow("inqueue", "q1", inQueue, inQueueWait)
	f.flow("disc", "d1", discSay, discWait, discBack, discEnd)
	cust := f.start(f.flow("main", "hooks", hooks, setq, toq, end), nil)
	agent := f.agent(cust.Contact.ID)
	if err := f.svc.Disconnect(t.Context(), agent, ""); err != nil {
		t.Fatal(err)
	}
	f.clk.add(901 * time.Second)
	if n, err := f.svc.FireFlowTimers(t.Context()); err != nil || n != 1 {
		t.Fatalf("FireFlowTimers: %d, %v; want the disconnect flow's wait", n, err)
	}
	last, err := f.st.ActiveContact(t.Context(), cust.Contact.ID)
	if err != nil || last.Active() || last.DisconnectReason != chat.ReasonFlowDisconnect {
		t.Fatalf("after the wait ran out: %+v, %v; want ended by the flow", last, err)
	}
}

// TestFlowEndWithoutQueue: an inbound flow that ends before it queued the chat ends the chat, as Connect does.
func TestFlowEndWithoutQueue(t *testing.T) {
	f := newFlowFixture(t)
	id := f.flow("hello", "greet", `{"Identifier":"greet","Type":"MessageParticipant","Parameters":{"Text":"Hi"},"Transitions":{}}`)
	out, err := f.svc.StartChat(t.Context(), chat.StartChatInput{InstanceID: f.inst.ID, ContactFlowID: id, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.st.GetContact(t.Context(), out.ContactID)
	if err != nil || c.Active() || c.DisconnectReason != chat.ReasonFlowDisconnect {
		t.Fatalf("a chat whose flow ended unqueued: %+v, %v; want ended by the flow", c, err)
	}
	if tr := f.transcript(out.ContactID); fmt.Sprint(tr) != fmt.Sprint([]string{"SYSTEM: Hi", "chat.ended"}) {
		t.Errorf("transcript %q", tr)
	}
}

// TestFlowInputsRaceAcrossNodes: two services on one store and bus, as two nodes; a flow asks twice; the customer
// answers both questions at once, one answer through each node, so the two nodes' flow workers step the same
// contact together and one loses the race. The loser takes its input again from where the flow is now, so every
// chat gets past both questions, whichever answer each took.
func TestFlowInputsRaceAcrossNodes(t *testing.T) {
	f := newFlowFixture(t)
	other, err := chat.New(f.st, f.bus, f.clk, nil, chat.Config{Secret: bytes.Repeat([]byte{5}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	q := func(id, next string) string {
		return `{"Identifier":"` + id + `","Type":"GetParticipantInput","Parameters":{"Text":"` + id + `?","StoreInput":"False",` +
			`"InputTimeLimitSeconds":"60"},"Transitions":{"NextAction":"` + next + `","Errors":[{"NextAction":"` + next +
			`","ErrorType":"NoMatchingCondition"},{"NextAction":"end","ErrorType":"InputTimeLimitExceeded"}]}}`
	}
	done := `{"Identifier":"done","Type":"MessageParticipant","Parameters":{"Text":"Both answered"},"Transitions":{"NextAction":"end"}}`
	id := f.flow("twice", "q1", q("q1", "q2"), q("q2", "done"), done, end)
	const chats = 20
	callers := make([]*chat.Caller, chats)
	for i := range callers {
		callers[i] = f.start(id, nil)
	}
	var wg sync.WaitGroup
	for _, c := range callers {
		for n, svc := range []*chat.Service{f.svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.SendMessage(t.Context(), c, "text/plain", fmt.Sprint("answer ", n), fmt.Sprint("m", n)); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	for i, c := range callers {
		f.waitFor(c.Contact.ID, fmt.Sprintf("chat %d's flow to get past both questions", i), func(c *parley.Contact) bool {
			return !c.Active()
		})
		tr := f.transcript(c.Contact.ID)
		if len(tr) < 2 || tr[len(tr)-2] != "SYSTEM: Both answered" {
			t.Errorf("chat %d: %q, want the flow to thank for both answers and end", i, tr)
		}
	}
}
