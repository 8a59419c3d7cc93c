package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"hash/maphash"
	"log/slog"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
)

// Contact flows (package flow) run here. A flow step runs outside any store transaction, because it may call a
// Lambda function and wait for it; the flowEnv records what the step does, and the effects are then made in one
// change, together with the contact's new flow position, but only if that position is still the one the step
// started from (compare and set): a step is taken once, whichever node heard the customer first
// (docs/decisions/0007-events-and-claims.md). The first step of a new chat runs before the chat is stored, and
// the chat is stored with its effects in one change.

// Functions calls the Lambda functions flows invoke (package functions does it over HTTP).
type Functions interface {
	// Configured reports whether arn is mapped to an endpoint.
	Configured(arn string) bool
	// Invoke calls the function with the event Connect sends and returns its answer. It enforces inv.Timeout.
	Invoke(ctx context.Context, inv flow.Invocation, c flow.Contact) (map[string]any, error)
}

// QueueMetrics are a queue's live numbers, as CheckMetricData reads them.
type QueueMetrics = flow.Metrics

// RoutingView is what flows read of the routing state (the agents service answers it).
type RoutingView interface {
	QueueMetrics(ctx context.Context, queueID string) (QueueMetrics, error)
}

// SetFlowServices gives the flows their Lambda functions and their view of routing; nil leaves one out (every
// function call then fails, every metric reads zero). Call it before serving.
func (s *Service) SetFlowServices(fn Functions, rv RoutingView) {
	s.functions, s.routingView = fn, rv
}

// ReasonFlowDisconnect is the DisconnectReason of a chat a flow's DisconnectParticipant ended.
const ReasonFlowDisconnect = "CONTACT_FLOW_DISCONNECT"

// systemName is the DisplayName of the messages a flow sends, as Connect shows them.
const systemName = "SYSTEM_MESSAGE"

// systemParticipantID is the ParticipantId of the messages a contact's flow sends: Connect gives them a SYSTEM
// participant of the contact, which its transcript files list with the others. It is a name-based UUID of the
// contact, so every node and every restart gives the same one without storing it.
func systemParticipantID(contactID string) string {
	return uuid.NewSHA1(systemSpace, []byte(contactID)).String()
}

// systemSpace is the namespace of systemParticipantID.
var systemSpace = uuid.MustParse("5b0f3c8e-2d47-4a61-9c55-0e8d7a1f6b23")

// system is the SYSTEM participant of contact c, as the author of its flow's messages.
func system(c *parley.Contact) *parley.Participant {
	return &parley.Participant{ID: systemParticipantID(c.ID), DisplayName: systemName, Role: parley.RoleSystem}
}

// flowCache keeps the contact flows chats run, parsed, so that starting a chat or taking a step reads no flow
// from the store. Any configuration change of an instance (the admin service announces flow changes as
// config.changed on the Bus, on every node) drops the instance's entries.
type flowCache struct {
	mu sync.Mutex
	m  map[flowKey]cachedFlow
}

type flowKey struct{ instance, id string }

type cachedFlow struct {
	meta *parley.ContactFlow // without its Content, which the parsed flow replaces
	f    *flow.Flow
}

// load returns a flow of the instance and its parsed form: ENOTFOUND from the store for a missing flow, a
// flow.Problems error for content that does not parse.
func (fc *flowCache) load(ctx context.Context, r parley.Reader, instanceID, id string) (*parley.ContactFlow, *flow.Flow, error) {
	key := flowKey{instanceID, id}
	fc.mu.Lock()
	c, ok := fc.m[key]
	fc.mu.Unlock()
	if ok {
		return c.meta, c.f, nil
	}
	fl, err := r.GetContactFlow(ctx, instanceID, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := flow.Parse([]byte(fl.Content))
	if err != nil {
		return fl, nil, err
	}
	meta := *fl
	meta.Content = ""
	fc.mu.Lock()
	if fc.m == nil {
		fc.m = map[flowKey]cachedFlow{}
	}
	fc.m[key] = cachedFlow{meta: &meta, f: f}
	fc.mu.Unlock()
	return &meta, f, nil
}

// forget drops the cached flows of an instance.
func (fc *flowCache) forget(instanceID string) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for k := range fc.m {
		if k.instance == instanceID {
			delete(fc.m, k)
		}
	}
}

// configChanged is the chat service's subscriber to the Bus's domain events: a configuration change may have
// changed a flow, and a contact that ended or moved on (on any node) ends the cached authentications of its
// chat here too.
func (s *Service) configChanged(ev *parley.Event) {
	switch ev.Kind {
	case parley.EventConfigChanged:
		s.flows.forget(ev.InstanceID)
	case parley.EventContactEnded, parley.EventContactTransferred:
		if ev.Contact != nil {
			s.auth.invalidate(ev.Contact.InitialContactID)
		}
	}
}

// flowEffect is one thing a step did, made in the change that records the step. c is the contact as stored in
// that change; effects update it, and the change writes it once they all ran.
type flowEffect func(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, now time.Time) error

// flowEnv is the flow.Env of one step of one contact's flow: it answers from the store and the contact's working
// copy, and records effects for the change that follows the step.
type flowEnv struct {
	s       *Service
	inst    *parley.Instance
	c       *parley.Contact // the working copy: attributes and queue as the step leaves them
	now     time.Time
	effects []flowEffect
	// queue is the working queue the step set, "" when it set none.
	queue string
	// queues holds the queues the step read, so that it reads each once.
	queues       map[string]*parley.Queue
	queued       bool // TransferContactToQueue or TransferContactToAgent succeeded
	disconnected bool
	rerouted     bool
	// recipient, when set, is the only participant who sees the flow's messages (a whisper flow's).
	recipient string // UpdateContactRoutingBehavior changed the contact's priority or time adjustment
}

func (s *Service) newFlowEnv(inst *parley.Instance, c *parley.Contact) *flowEnv {
	cp := snapshot(c)
	if cp.Attributes == nil {
		cp.Attributes = map[string]string{}
	}
	return &flowEnv{s: s, inst: inst, c: cp, now: s.now(), queue: c.QueueID}
}

func (e *flowEnv) effect(f flowEffect) { e.effects = append(e.effects, f) }

// Now implements flow.Env.
func (e *flowEnv) Now() time.Time { return e.now }

// Contact implements flow.Env.
func (e *flowEnv) Contact(ctx context.Context) (flow.Contact, error) {
	c := e.c
	fc := flow.Contact{ContactID: c.ID, InitialContactID: c.InitialContactID, PreviousContactID: c.PreviousContactID,
		RelatedContactID: c.RelatedContactID, Channel: string(c.Channel), InitiationMethod: c.InitiationMethod,
		InstanceARN: e.inst.ARN, CustomerID: c.CustomerID, Attributes: c.Attributes, Name: c.Name,
		Description: c.Description, LanguageCode: c.LanguageCode,
		SegmentAttributes: segmentStrings(c.SegmentAttributes)}
	if e.queue != "" {
		q, err := e.queueInfo(ctx, e.queue)
		if err != nil {
			return flow.Contact{}, fmt.Errorf("%w: %v", flow.ErrAbort, err)
		}
		fc.Queue = q
	}
	if c.AgentID != "" {
		if u, err := e.s.store.GetUser(ctx, c.AgentID); err == nil {
			fc.Agent = flow.Agent{ARN: u.ARN, UserName: u.Username, FirstName: u.FirstName, LastName: u.LastName}
		}
	}
	return fc, nil
}

// segmentStrings flattens segment attributes ({"k":{"ValueString":"v"}}) to strings for references.
func segmentStrings(raw []byte) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]struct{ ValueString string }
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.ValueString
	}
	return out
}

// queueInfo describes a queue ("agent/<user id>" for an agent's queue).
func (e *flowEnv) queueInfo(ctx context.Context, id string) (flow.Queue, error) {
	if userID, ok := strings.CutPrefix(id, "agent/"); ok {
		u, err := e.s.store.GetUser(ctx, userID)
		if err != nil {
			return flow.Queue{}, err
		}
		return flow.Queue{ID: id, ARN: u.ARN, Name: u.Username}, nil
	}
	q, err := e.getQueue(ctx, id)
	if err != nil {
		return flow.Queue{}, err
	}
	return flow.Queue{ID: q.ID, ARN: q.ARN, Name: q.Name}, nil
}

// getQueue reads a queue once per step.
func (e *flowEnv) getQueue(ctx context.Context, id string) (*parley.Queue, error) {
	if q, ok := e.queues[id]; ok {
		return q, nil
	}
	q, err := e.s.store.GetQueue(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.queues == nil {
		e.queues = map[string]*parley.Queue{}
	}
	e.queues[id] = q
	return q, nil
}

// LoadFlow implements flow.Env: a flow of the contact's instance, by id or ARN.
func (e *flowEnv) LoadFlow(ctx context.Context, ref string) (string, *flow.Flow, error) {
	fl, f, err := e.s.flows.load(ctx, e.s.store, e.inst.ID, lastARNSegment(ref))
	if err != nil {
		return "", nil, err
	}
	return fl.ID, f, nil
}

// SendMessage implements flow.Env: a SYSTEM message to the chat.
func (e *flowEnv) SendMessage(_ context.Context, m flow.Message) error {
	e.effect(func(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, now time.Time) error {
		it := e.s.message(c, system(c), m.ContentType, m.Content, now)
		it.Recipient = e.recipient
		return ch.Append(ctx, it)
	})
	return nil
}

// UpdateAttributes implements flow.Env: attributes of the current contact or of its related contact.
func (e *flowEnv) UpdateAttributes(ctx context.Context, target string, attrs map[string]string) error {
	if target == "Related" {
		if e.c.RelatedContactID == "" {
			return errors.New("the contact has no related contact")
		}
		id := e.c.RelatedContactID
		e.effect(func(ctx context.Context, tx parley.Tx, _ *Change, _ *parley.Contact, now time.Time) error {
			rel, err := tx.GetContact(ctx, id)
			if err != nil {
				return err
			}
			rel.Attributes = merge(rel.Attributes, attrs)
			if err := checkAttributes(rel.Attributes); err != nil {
				return err
			}
			rel.UpdatedAt = now
			return tx.UpdateContact(ctx, rel)
		})
		return nil
	}
	merged := merge(e.c.Attributes, attrs)
	if err := checkAttributes(merged); err != nil {
		return err
	}
	e.c.Attributes = merged
	e.effect(func(_ context.Context, _ parley.Tx, _ *Change, c *parley.Contact, _ time.Time) error {
		c.Attributes = merge(c.Attributes, attrs)
		return nil
	})
	return nil
}

// merge returns a copy of base with over's keys set.
func merge(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// UpdateContactData implements flow.Env: the contact's Name (at most 512 characters), Description (4096),
// LanguageCode and CustomerId (128); other properties (References, task and case data) are not kept. Only the
// current contact: a related contact takes the error branch.
func (e *flowEnv) UpdateContactData(_ context.Context, target string, data map[string]string) error {
	if target != "Current" {
		return fmt.Errorf("UpdateContactData on the %s contact is not supported", target)
	}
	limits := map[string]int{"Name": 512, "Description": 4096, "LanguageCode": 32, "CustomerId": 128}
	for k, v := range data {
		if n, ok := limits[k]; ok && len([]rune(v)) > n {
			return fmt.Errorf("%s is longer than %d characters", k, n)
		}
	}
	e.effect(func(_ context.Context, _ parley.Tx, _ *Change, c *parley.Contact, _ time.Time) error {
		for k, v := range data {
			switch k {
			case "Name":
				c.Name = v
			case "Description":
				c.Description = v
			case "LanguageCode":
				c.LanguageCode = v
			case "CustomerId":
				c.CustomerID = v
			}
		}
		return nil
	})
	return nil
}

// SetQueue implements flow.Env: the working queue, a queue of the instance or an agent's queue.
func (e *flowEnv) SetQueue(ctx context.Context, t flow.QueueTarget) (flow.Queue, error) {
	var id string
	if t.AgentID != "" {
		u, err := e.s.store.GetUser(ctx, lastARNSegment(t.AgentID))
		if err != nil || u.InstanceID != e.inst.ID {
			return flow.Queue{}, fmt.Errorf("agent %s not found", t.AgentID)
		}
		id = "agent/" + u.ID
	} else {
		q, err := e.getQueue(ctx, lastARNSegment(t.QueueID))
		if err != nil || q.InstanceID != e.inst.ID {
			return flow.Queue{}, fmt.Errorf("queue %s not found", t.QueueID)
		}
		id = q.ID
	}
	e.queue = id
	return e.queueInfo(ctx, id)
}

// TransferToQueue implements flow.Env: the contact enters its working queue, unless the queue is full.
func (e *flowEnv) TransferToQueue(ctx context.Context) error {
	if e.queue == "" {
		return errors.New("no working queue is set")
	}
	if !strings.HasPrefix(e.queue, "agent/") {
		q, err := e.getQueue(ctx, e.queue)
		if err != nil {
			return err
		}
		if q.MaxContacts > 0 && e.s.routingView != nil {
			m, err := e.s.routingView.QueueMetrics(ctx, q.ID)
			if err == nil && m.ContactsInQueue >= q.MaxContacts {
				return fmt.Errorf("%w: %s holds %d contacts", flow.ErrQueueAtCapacity, q.Name, m.ContactsInQueue)
			}
		}
	}
	e.queued = true
	return nil
}

// TransferToAgent implements flow.Env: the contact enters its working queue, which must be an agent's.
func (e *flowEnv) TransferToAgent(ctx context.Context) error {
	if !strings.HasPrefix(e.queue, "agent/") {
		return errors.New("the working queue is not an agent's queue")
	}
	return e.TransferToQueue(ctx)
}

// SetEventHook implements flow.Env. The hook is kept in the run's state; the flow it names must exist.
func (e *flowEnv) SetEventHook(ctx context.Context, _, ref string) error {
	_, _, err := e.LoadFlow(ctx, ref)
	return err
}

// SetRoutingBehavior implements flow.Env: the contact's queue priority and time adjustment. A contact already in
// its queue (a customer-queue flow) is announced as queued again, so routing gives it its new place.
func (e *flowEnv) SetRoutingBehavior(_ context.Context, rb flow.Routing) error {
	e.effect(func(_ context.Context, _ parley.Tx, _ *Change, c *parley.Contact, _ time.Time) error {
		if rb.QueuePriority != nil {
			c.QueuePriority = *rb.QueuePriority
		}
		if rb.QueueTimeAdjustment != nil {
			c.QueueTimeAdjustment = *rb.QueueTimeAdjustment
		}
		e.rerouted = true
		return nil
	})
	return nil
}

// Disconnect implements flow.Env: the chat ends once the step is recorded.
func (e *flowEnv) Disconnect(context.Context) error {
	e.disconnected = true
	return nil
}

// HoursOpen implements flow.Env: the given hours, or the working queue's.
func (e *flowEnv) HoursOpen(ctx context.Context, ref string, at time.Time) (bool, error) {
	id := lastARNSegment(ref)
	if id == "" {
		if e.queue == "" || strings.HasPrefix(e.queue, "agent/") {
			return false, errors.New("no working queue with hours of operation")
		}
		q, err := e.getQueue(ctx, e.queue)
		if err != nil {
			return false, err
		}
		id = q.HoursOfOperationID
	}
	h, err := e.s.store.GetHoursOfOperation(ctx, id)
	if err != nil || h.InstanceID != e.inst.ID {
		return false, fmt.Errorf("hours of operation %s not found", ref)
	}
	return h.OpenAt(at)
}

// Metrics implements flow.Env: the live numbers of a queue (the working queue by default).
func (e *flowEnv) Metrics(ctx context.Context, q flow.MetricQuery) (flow.Metrics, error) {
	id := e.queue
	switch {
	case q.AgentID != "":
		id = "agent/" + lastARNSegment(q.AgentID)
	case q.QueueID != "":
		id = lastARNSegment(q.QueueID)
	}
	if id == "" {
		return flow.Metrics{}, errors.New("no queue to read metrics of")
	}
	if e.s.routingView == nil {
		return flow.Metrics{}, nil
	}
	return e.s.routingView.QueueMetrics(ctx, id)
}

// Invoke implements flow.Env.
func (e *flowEnv) Invoke(ctx context.Context, inv flow.Invocation) (map[string]any, error) {
	if e.s.functions == nil || !e.s.functions.Configured(inv.FunctionARN) {
		return nil, fmt.Errorf("function %s is not configured", inv.FunctionARN)
	}
	c, err := e.Contact(ctx)
	if err != nil {
		return nil, err
	}
	return e.s.functions.Invoke(ctx, inv, c)
}

// Percent implements flow.Env.
func (e *flowEnv) Percent() int { return rand.IntN(100) + 1 }

// flowOutcome is a step's result and what the change that records it must write.
type flowOutcome struct {
	env   *flowEnv
	state []byte // the run's new state, JSON
	out   flow.Outcome
}

// step runs one step of a contact's flow from the state stored with it; a Start input begins a new run of
// flowID, with the event hooks carried over from the contact's previous run (hooks). When the step places the
// contact in a queue whose CustomerQueue hook is set, the hook's flow starts at once: it is what the customer
// hears while waiting, and it is the run the contact keeps.
func (s *Service) step(ctx context.Context, inst *parley.Instance, c *parley.Contact, flowID string, in flow.Input,
	hooks map[string]string) (*flowOutcome, error) {
	st := flow.NewState(flowID)
	if in.Kind == flow.InputStart {
		st.EventHooks = maps.Clone(hooks)
	} else if err := json.Unmarshal(c.FlowState, st); err != nil {
		return nil, fmt.Errorf("contact %s: flow state: %w", c.ID, err)
	}
	env := s.newFlowEnv(inst, c)
	out, err := flow.Step(ctx, env, st, in)
	if err != nil {
		return nil, err
	}
	if q := st.EventHooks[hookCustomerQueue]; out.Status == flow.StatusQueued && q != "" {
		qs := flow.NewState(q)
		qs.EventHooks = st.EventHooks
		qout, err := flow.Step(ctx, env, qs, flow.Start())
		if err == nil {
			st, out = qs, flow.Outcome{Status: qout.Status, Wake: qout.Wake, Trace: append(out.Trace, qout.Trace...)}
		} else {
			s.log.WarnContext(ctx, "customer queue flow did not run", "contact_id", c.ID, "flow_id", q, "err", err)
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return &flowOutcome{env: env, state: b, out: out}, nil
}

// Event hooks parley runs (UpdateContactEventHooks).
const (
	hookCustomerQueue     = "CustomerQueue"
	hookCustomerRemaining = "CustomerRemaining"
)

// runHooks returns the event hooks of a contact's flow run.
func runHooks(c *parley.Contact) map[string]string {
	if c.FlowState == nil {
		return nil
	}
	var st flow.State
	if json.Unmarshal(c.FlowState, &st) != nil {
		return nil
	}
	return st.EventHooks
}

// stopRun ends a contact's flow run where it stands, keeping its event hooks: an agent took the contact, so the
// customer-queue flow stops talking.
func stopRun(c *parley.Contact) {
	c.FlowWakeAt = time.Time{}
	if c.FlowState == nil {
		return
	}
	var st flow.State
	if json.Unmarshal(c.FlowState, &st) != nil {
		return
	}
	if st.Status != flow.StatusWaiting {
		return
	}
	st.Status, st.Action, st.Wait, st.Until = flow.StatusEnded, "", "", time.Time{}
	if b, err := json.Marshal(&st); err == nil {
		c.FlowState = b
	}
}

// apply makes a step's effects in the change, on c as stored in it, and records the step: the contact's flow
// position and timer, its queue when the flow placed it there, the flow log, and the end of the chat when the
// flow disconnected it.
func (s *Service) apply(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, fo *flowOutcome) error {
	now := s.now()
	for _, f := range fo.env.effects {
		if err := f(ctx, tx, ch, c, now); err != nil {
			return err
		}
	}
	c.FlowState, c.FlowWakeAt, c.UpdatedAt = fo.state, time.Time{}, now
	if fo.out.Status == flow.StatusWaiting {
		c.FlowWakeAt = fo.out.Wake
	}
	if fo.env.queue != c.QueueID && !fo.env.queued {
		c.QueueID = fo.env.queue // the working queue; the contact is not in it yet
	}
	if fo.env.queued {
		c.QueueID, c.EnqueuedAt = fo.env.queue, now
	}
	if err := tx.UpdateContact(ctx, c); err != nil {
		return err
	}
	if err := s.logTrace(ctx, tx, c, fo.out.Trace); err != nil {
		return err
	}
	if fo.env.queued || fo.env.rerouted && !c.EnqueuedAt.IsZero() && c.AgentID == "" {
		ch.Emit(parley.EventContactQueued, c, now)
	}
	// A flow that ends with nowhere left to take the chat (not queued, no agent) ends it, as Connect ends a
	// contact whose inbound or disconnect flow ends before it is queued; a customer-queue flow ending leaves the
	// chat in its queue.
	ended := fo.out.Status == flow.StatusEnded && c.EnqueuedAt.IsZero() && c.AgentID == ""
	if fo.env.disconnected || ended {
		return s.endIn(ctx, tx, ch, c, ReasonFlowDisconnect, nil, "", now)
	}
	return nil
}

// logTrace appends a step's actions to the contact's flow log (and to the log at debug level).
func (s *Service) logTrace(ctx context.Context, tx parley.Tx, c *parley.Contact, trace []flow.Record) error {
	if len(trace) == 0 {
		return nil
	}
	recs := make([]parley.FlowRecord, len(trace))
	debug := s.log.Enabled(ctx, slog.LevelDebug)
	for i, r := range trace {
		if debug {
			s.log.DebugContext(ctx, "flow action", "contact_id", c.ID, "flow_id", r.FlowID, "identifier", r.Identifier,
				"type", r.Type, "result", r.Result, "error", r.Error, "detail", r.Detail, "branch", r.Branch, "next", r.Next)
		}
		recs[i] = parley.FlowRecord{ContactID: c.ID, Time: r.Time, FlowID: r.FlowID, Identifier: r.Identifier,
			Type: r.Type, Result: r.Result, Error: r.Error, Detail: r.Detail, Branch: r.Branch, Next: r.Next}
	}
	return tx.AppendFlowLog(ctx, recs)
}

// waiting reports whether a stored flow run waits for something (an input, a timer).
func waiting(state []byte) bool {
	if !bytes.Contains(state, []byte(flow.StatusWaiting)) {
		return false // no need to decode: most runs have handed their chat on
	}
	var st struct {
		Status flow.Status `json:"status"`
	}
	return json.Unmarshal(state, &st) == nil && st.Status == flow.StatusWaiting
}

// unchanged reports whether a step did nothing at all to c: no effect, no action run, the same position.
func (fo *flowOutcome) unchanged(c *parley.Contact) bool {
	return len(fo.env.effects) == 0 && len(fo.out.Trace) == 0 && !fo.env.queued && !fo.env.disconnected &&
		fo.env.queue == c.QueueID && bytes.Equal(fo.state, c.FlowState)
}

// errFlowMoved: the contact's flow position changed while a step ran (another node or worker took a step).
var errFlowMoved = errors.New("chat: the flow moved on")

// advance takes one step of a contact's flow with an input (a customer's message, a timer), and records it if
// the flow is still where the step started. It does nothing for a contact that has ended or runs no flow.
//
// When the flow moved on while the step ran (another input won the race: a message on another node, a timer),
// an input that happened, such as a customer's message, is stepped again from where the flow is now, as one node
// would have taken it after the other; a timer is not, since the wait it ended is over.
func (s *Service) advance(ctx context.Context, contactID string, in flow.Input) error {
	for attempt := 1; ; attempt++ {
		err := s.advanceOnce(ctx, contactID, in)
		if !errors.Is(err, errFlowMoved) {
			return err
		}
		if in.Kind == flow.InputTimeout {
			return nil
		}
		if attempt == maxFlowRaces {
			return fmt.Errorf("the flow kept moving under %d steps with this input: it is dropped", attempt)
		}
	}
}

// maxFlowRaces bounds how often advance takes an input again after losing the race to another step.
const maxFlowRaces = 5

// advanceOnce is one attempt of advance; errFlowMoved if the flow moved on while the step ran.
func (s *Service) advanceOnce(ctx context.Context, contactID string, in flow.Input) error {
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil {
		return err
	}
	if !c.Active() || !waiting(c.FlowState) {
		return nil // most messages: the flow has handed the chat on and waits for nothing
	}
	inst, err := s.store.GetInstance(ctx, c.InstanceID)
	if err != nil {
		return err
	}
	fo, err := s.step(ctx, inst, c, "", in, nil)
	if err == nil && fo.unchanged(c) {
		return nil // an input the run does not wait for (a message during a Wait without events, say)
	}
	if err != nil {
		if errors.Is(err, flow.ErrAbort) || ctx.Err() != nil {
			return err // the store or the Env failed: the next input or timer tries again
		}
		// The run cannot go on (its flow changed under it, it loops): it is dropped, as Connect ends a flow that
		// fails; the contact stays where it is.
		s.log.ErrorContext(ctx, "contact flow stopped", "contact_id", c.ID, "err", err)
		fo = &flowOutcome{env: s.newFlowEnv(inst, c), out: flow.Outcome{Status: flow.StatusEnded}}
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		cur, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !cur.Active() || !bytes.Equal(cur.FlowState, c.FlowState) {
			return errFlowMoved
		}
		return s.apply(ctx, tx, ch, cur, fo)
	})
	return err
}

// flowInputs hands customers' messages to the flows waiting for them, in order per chain, off the goroutine that
// committed them (a step may wait for a Lambda function).
type flowInputs struct {
	s       *Service
	seed    maphash.Seed
	once    sync.Once
	mu      sync.Mutex
	closed  bool
	workers [8]chan flowInput
	wg      sync.WaitGroup
}

type flowInput struct {
	contactID string
	in        flow.Input
}

// Committing implements Observer: nothing to write.
func (fi *flowInputs) Committing(context.Context, parley.Tx, *Change) error { return nil }

// Committed implements Observer: a customer's message is input for the contact's flow, when the flow waits
// (the message's transaction saw it waiting, so most messages cost nothing here).
func (fi *flowInputs) Committed(ch *Change) {
	if !ch.flowWaits {
		return
	}
	for _, it := range ch.Items {
		if it.Role == parley.RoleCustomer && it.Type == parley.ItemMessage && it.Revises == "" {
			content, ok := ch.hidden[it.ID]
			if !ok {
				content = it.Content
			}
			fi.send(flowInput{contactID: it.ContactID, in: customerInput(it.ContentType, content)})
		}
	}
}

// choiceText is the input a customer's message gives a flow: its text, or, for the selection of a carousel
// element (which Amazon's chat widget sends as JSON with the element's title in selectionText), that title. A
// list picker or quick reply selection arrives as the element's title already.
func choiceText(content string) string {
	if !strings.HasPrefix(content, "{") || !strings.Contains(content, `"selectionText"`) {
		return content
	}
	var sel struct {
		SelectionText *string `json:"selectionText"`
	}
	if json.Unmarshal([]byte(content), &sel) != nil || sel.SelectionText == nil {
		return content
	}
	return *sel.SelectionText
}

// send queues an input on its chain's worker, starting the workers on first use.
func (fi *flowInputs) send(x flowInput) {
	fi.once.Do(func() {
		fi.seed = maphash.MakeSeed()
		for i := range fi.workers {
			fi.workers[i] = make(chan flowInput, 256)
			fi.wg.Add(1)
			go fi.work(fi.workers[i])
		}
	})
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.closed {
		return
	}
	fi.workers[maphash.String(fi.seed, x.contactID)%uint64(len(fi.workers))] <- x
}

func (fi *flowInputs) work(inputs chan flowInput) {
	defer fi.wg.Done()
	for x := range inputs {
		if err := fi.s.advance(context.Background(), x.contactID, x.in); err != nil {
			fi.s.log.Error("flow step", "contact_id", x.contactID, "input", x.in.Kind, "err", err)
		}
	}
}

// close stops the workers once they have taken the steps queued so far.
func (fi *flowInputs) close() {
	fi.mu.Lock()
	if fi.closed {
		fi.mu.Unlock()
		return
	}
	fi.closed = true
	started := fi.workers[0] != nil
	fi.mu.Unlock()
	if !started {
		return
	}
	for _, w := range fi.workers {
		close(w)
	}
	fi.wg.Wait()
}

// FireFlowTimers takes the step of every contact whose flow timer is due (a Wait, an input's time limit) and
// returns how many it took.
func (s *Service) FireFlowTimers(ctx context.Context) (int, error) {
	due, err := s.store.DueFlows(ctx, s.now(), 100)
	if err != nil {
		return 0, err
	}
	for _, c := range due {
		if err := s.advance(ctx, c.ID, flow.Timeout()); err != nil {
			if ctx.Err() != nil {
				return 0, err
			}
			s.log.ErrorContext(ctx, "flow timer", "contact_id", c.ID, "err", err)
		}
	}
	return len(due), nil
}

// FlowLog returns the flow log of a contact of the instance. Errors: ENOTFOUND.
func (s *Service) FlowLog(ctx context.Context, instanceID, contactID string) ([]parley.FlowRecord, error) {
	c, err := s.contactOf(ctx, s.store, instanceID, contactID)
	if err != nil {
		return nil, err
	}
	return s.store.ListFlowLog(ctx, c.ID)
}
