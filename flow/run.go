package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults of the actions that wait or call out, as Connect has them.
const (
	maxWaitSeconds          = 7 * 24 * 60 * 60 // Wait: seven days
	maxLambdaSeconds        = 8                // InvokeLambdaFunction
	defaultLambdaSeconds    = 3                // the console's default
	defaultInputSeconds     = 5                // GetParticipantInput, the console's default
	errNoMatchingError      = "NoMatchingError"
	errNoMatchingCondition  = "NoMatchingCondition"
	errInputTimeLimit       = "InputTimeLimitExceeded"
	errQueueAtCapacity      = "QueueAtCapacity"
	errInvalidPhoneNumber   = "InvalidPhoneNumber"
	resultWaitCompleted     = "WaitCompleted"
	resultCustomerReturned  = "CustomerReturned"
	resultMessagesInterrupt = "MessagesInterrupted"
)

// MaxActionsPerStep bounds the actions one Step runs. Validate refuses loops that never wait within a flow, but
// flows that TransferToFlow to each other can still loop; Step then returns ErrRunaway.
const MaxActionsPerStep = 1000

// Status is where a flow run stands after a Step.
type Status string

// Statuses.
const (
	// StatusWaiting: the flow waits for the customer or a timer (State.Wait, State.Until).
	StatusWaiting Status = "WAITING"
	// StatusEnded: the flow ended without handing the contact anywhere (EndFlowExecution, or a branch that
	// leads nowhere).
	StatusEnded Status = "ENDED"
	// StatusQueued: TransferContactToQueue placed the contact in its working queue; the flow ended.
	StatusQueued Status = "QUEUED"
	// StatusAgent: TransferContactToAgent handed the contact to an agent; the flow ended.
	StatusAgent Status = "TRANSFERRED_TO_AGENT"
	// StatusDisconnected: DisconnectParticipant ended the chat; the flow ended.
	StatusDisconnected Status = "DISCONNECTED"
)

// WaitKind is what a waiting flow waits for.
type WaitKind string

// Kinds of wait.
const (
	// WaitInput: GetParticipantInput waits for the customer's next message, or its time limit.
	WaitInput WaitKind = "INPUT"
	// WaitEvent: Wait waits for its time limit or one of its events (the customer's return).
	WaitEvent WaitKind = "WAIT"
	// WaitMessages: MessageParticipantIteratively has sent its messages and waits for its interrupt time (or for
	// the contact to leave the queue, when it has none).
	WaitMessages WaitKind = "MESSAGES"
)

// State is one contact's run of a flow, plain data to store with the contact. NewState makes one; Step moves it.
type State struct {
	// FlowID is the flow being run (TransferToFlow changes it).
	FlowID string `json:"flowId"`
	// Status is empty before the first Step.
	Status Status `json:"status,omitempty"`
	// Action is the Identifier of the action that waits, when Status is StatusWaiting.
	Action string `json:"action,omitempty"`
	// Wait is what the action waits for, and Until when its timer fires (zero: no timer).
	Wait  WaitKind  `json:"wait,omitempty"`
	Until time.Time `json:"until,omitzero"`
	// HideViewResponse is set while a ShowView whose SensitiveDataConfiguration hides the response on the
	// transcript waits: the customer's answer is stored without its data (views.go).
	HideViewResponse bool `json:"hideViewResponse,omitempty"`
	// StoredCustomerInput is $.StoredCustomerInput.
	StoredCustomerInput string `json:"storedCustomerInput,omitempty"`
	// External is $.External: the answer of the last Lambda function called.
	External map[string]any `json:"external,omitempty"`
	// FlowAttributes are $.FlowAttributes, set by UpdateFlowAttributes; they do not survive TransferToFlow.
	FlowAttributes map[string]string `json:"flowAttributes,omitempty"`
	// Metrics are $.Metrics, loaded by GetMetricData.
	Metrics map[string]string `json:"metrics,omitempty"`
	// EventHooks records the hooks this run set (the contact's hooks are what Env.SetEventHook stored).
	EventHooks map[string]string `json:"eventHooks,omitempty"`
	// Views is $.Views: the customer's answer to the last view ShowView showed.
	Views *Views `json:"views,omitempty"`
	// Authentication is the customer's sign-in AuthenticateParticipant waits for, and Customer the signed-in
	// customer's $.Customer attributes (authenticate.go).
	Authentication *AuthSession      `json:"authentication,omitempty"`
	Customer       map[string]string `json:"customer,omitempty"`
}

// NewState returns the State of a run of the flow flowID (an id or ARN Env.LoadFlow understands) that has not
// started.
func NewState(flowID string) *State { return &State{FlowID: flowID} }

// InputKind is what moves a flow.
type InputKind string

// Kinds of input.
const (
	InputStart            InputKind = "START"
	InputCustomerMessage  InputKind = "CUSTOMER_MESSAGE"
	InputTimeout          InputKind = "TIMEOUT"
	InputCustomerReturned InputKind = "CUSTOMER_RETURNED"
)

// Input is what happened: the contact started the flow, the customer sent a message, a timer fired, the customer
// came back.
type Input struct {
	Kind InputKind
	// Text is the customer's message (InputCustomerMessage).
	Text string
	// Auth is how a sign-in ended (InputAuthentication).
	Auth *AuthResult
}

// Start starts a run.
func Start() Input { return Input{Kind: InputStart} }

// CustomerMessage is a message the customer sent.
func CustomerMessage(text string) Input { return Input{Kind: InputCustomerMessage, Text: text} }

// Timeout is the timer of State.Until firing.
func Timeout() Input { return Input{Kind: InputTimeout} }

// CustomerReturned is the customer coming back to the chat (a Wait's CustomerReturned event).
func CustomerReturned() Input { return Input{Kind: InputCustomerReturned} }

// Outcome is what a Step did.
type Outcome struct {
	Status Status
	// Wake is when the caller must report a Timeout (zero: no timer), when Status is StatusWaiting.
	Wake time.Time
	// Trace lists the actions the Step ran, in order.
	Trace []Record
}

// Record is one action of a Step, for the contact's flow log.
type Record struct {
	FlowID     string    `json:"flowId"`
	Identifier string    `json:"identifier"`
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	// Result is what the action's conditions were compared with, if anything.
	Result string `json:"result,omitempty"`
	// Error is the error type the action ended with, if any, and Detail why.
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Branch is the transition taken ("NextAction", "Condition 2", "Error NoMatchingError", …) and Next where
	// it leads ("" when the flow stopped here).
	Branch string `json:"branch,omitempty"`
	Next   string `json:"next,omitempty"`
}

// Errors of Step.
var (
	// ErrStarted: a Start input for a run that has started.
	ErrStarted = errors.New("flow: the run has already started")
	// ErrNotStarted: an input other than Start for a run that has not started.
	ErrNotStarted = errors.New("flow: the run has not started")
	// ErrRunaway: the run went through MaxActionsPerStep actions without stopping.
	ErrRunaway = fmt.Errorf("flow: more than %d actions without waiting", MaxActionsPerStep)
	// ErrBadState: the State names an action the flow does not have (the flow changed under a waiting run), or
	// the flow goes to an Identifier it does not have (it was not validated).
	ErrBadState = errors.New("flow: the state does not match the flow")
)

// Step moves a flow run with an input and runs actions until the flow waits, ends, or hands the contact on. An
// input the run does not wait for (a message while the contact is queued, a timer that fired early) changes
// nothing. Step returns an error only when it cannot go on (see Env, ErrRunaway); st may then be partly updated
// and effects already made are not undone: the caller discards st.
func Step(ctx context.Context, env Env, st *State, in Input) (Outcome, error) {
	r := &runner{ctx: ctx, env: env, st: st, now: env.Now()}
	if in.Kind == InputStart {
		if st.Status != "" {
			return Outcome{}, ErrStarted
		}
		if err := r.load(st.FlowID); err != nil {
			return Outcome{}, err
		}
		if err := r.loadContact(); err != nil {
			return Outcome{}, err
		}
		return r.run(r.flow.StartAction)
	}
	switch st.Status {
	case "":
		return Outcome{}, ErrNotStarted
	case StatusWaiting:
	default:
		return Outcome{Status: st.Status}, nil
	}
	if err := r.load(st.FlowID); err != nil {
		return Outcome{}, err
	}
	a, ok := r.flow.Action(st.Action)
	if !ok {
		return Outcome{}, fmt.Errorf("%w: no action %q in flow %s", ErrBadState, st.Action, st.FlowID)
	}
	if !r.wakes(in) {
		return Outcome{Status: StatusWaiting, Wake: st.Until}, nil
	}
	if err := r.loadContact(); err != nil {
		return Outcome{}, err
	}
	r.at = st.FlowID
	st.Status, st.Action, st.Wait, st.Until, st.HideViewResponse = "", "", "", time.Time{}, false
	next, err := r.resume(a, in)
	if err != nil {
		return r.out, err
	}
	return r.run(next)
}

// runner carries one Step.
type runner struct {
	ctx     context.Context
	env     Env
	st      *State
	now     time.Time
	flow    *Flow
	at      string // the id of the flow whose action runs (TransferToFlow changes st.FlowID under it)
	contact Contact
	out     Outcome
}

func (r *runner) load(ref string) error {
	id, f, err := r.env.LoadFlow(r.ctx, ref)
	if err != nil {
		return err
	}
	r.st.FlowID, r.flow = id, f
	return nil
}

func (r *runner) loadContact() error {
	c, err := r.env.Contact(r.ctx)
	if err != nil {
		return err
	}
	c.Attributes = maps.Clone(c.Attributes)
	r.contact = c
	return nil
}

func (r *runner) scope() scope { return scope{contact: &r.contact, state: r.st} }

func (r *runner) render(s string) string { return r.scope().render(s) }

// wakes reports whether an input moves the waiting action.
func (r *runner) wakes(in Input) bool {
	st := r.st
	switch in.Kind {
	case InputTimeout:
		return !st.Until.IsZero() && !r.now.Before(st.Until)
	case InputCustomerMessage:
		return st.Wait == WaitInput || st.Wait == WaitEvent && r.waitsForReturn()
	case InputCustomerReturned:
		return st.Wait == WaitEvent && r.waitsForReturn()
	case InputViewResponse:
		return st.Wait == WaitView
	case InputAuthentication:
		return r.wakesAuthentication(in)
	}
	return false
}

func (r *runner) waitsForReturn() bool {
	a, _ := r.flow.Action(r.st.Action)
	events, _ := a.Parameters["Events"].([]any)
	for _, e := range events {
		if s, _ := scalarText(e); s == resultCustomerReturned {
			return true
		}
	}
	return false
}

// run runs actions from the Identifier next until the flow stops.
func (r *runner) run(next string) (Outcome, error) {
	for range MaxActionsPerStep {
		if next == "" {
			r.stop(StatusEnded)
			return r.out, nil
		}
		a, ok := r.flow.Action(next)
		if !ok {
			return r.out, fmt.Errorf("%w: no action %q in flow %s", ErrBadState, next, r.st.FlowID)
		}
		r.at = r.st.FlowID
		res := r.exec(a)
		if res.abort != nil {
			return r.out, res.abort
		}
		if res.stop != "" {
			r.record(a, res, "", "")
			r.stop(res.stop)
			return r.out, nil
		}
		if res.jumped {
			r.record(a, res, "TransferToFlow", r.flow.StartAction)
			next = r.flow.StartAction
			continue
		}
		next = r.follow(a, res)
	}
	return r.out, ErrRunaway
}

func (r *runner) stop(s Status) {
	r.st.Status = s
	r.out.Status = s
	if s == StatusWaiting {
		r.out.Wake = r.st.Until
	}
}

// result is how an action ended.
type result struct {
	value    string // compared with the conditions, when match is set
	match    bool
	numeric  bool   // compare as numbers
	err      string // the error type
	detail   string
	stop     Status // the flow stops here
	jumped   bool   // TransferToFlow loaded another flow
	abort    error
	fallback bool // an error without a branch falls back to NextAction
}

// failed reports whether the action failed or Step must stop.
func (res result) failed() bool { return res.err != "" || res.abort != nil }

// after returns the result of an Env error, or ok when there is none.
func (r *runner) after(err error, ok result) result {
	if res := r.effect(err); res.failed() {
		return res
	}
	return ok
}

func fail(errType string, err error) result {
	detail := ""
	if err != nil {
		detail = err.Error()
	}
	return result{err: errType, detail: detail}
}

// effect turns an Env error into the action's result.
func (r *runner) effect(err error) result {
	switch {
	case err == nil:
		return result{}
	case errors.Is(err, ErrAbort) || r.ctx.Err() != nil:
		return result{abort: err}
	}
	return fail(errNoMatchingError, err)
}

// follow picks the transition for an action's result, records it and returns where it leads.
func (r *runner) follow(a *Action, res result) string {
	t := a.Transitions
	if res.err == "" && res.match {
		for i, c := range t.Conditions {
			if r.satisfies(c, res) {
				r.record(a, res, fmt.Sprintf("Condition %d", i+1), c.NextAction)
				return c.NextAction
			}
		}
		res.err, res.fallback = errNoMatchingCondition, true
	}
	if res.err == "" {
		r.record(a, res, "NextAction", t.NextAction)
		return t.NextAction
	}
	for _, want := range []string{res.err, errNoMatchingError} {
		for _, e := range t.Errors {
			if e.ErrorType == want {
				r.record(a, res, "Error "+want, e.NextAction)
				return e.NextAction
			}
		}
		if res.err == errNoMatchingCondition {
			break // a result no condition matched goes to NextAction, not to the generic error branch
		}
	}
	if res.fallback {
		r.record(a, res, "NextAction", t.NextAction)
		return t.NextAction
	}
	r.record(a, res, "", "")
	return ""
}

func (r *runner) record(a *Action, res result, branch, next string) {
	rec := Record{FlowID: r.at, Identifier: a.Identifier, Type: a.Type, Time: r.now, Error: res.err,
		Detail: res.detail, Branch: branch, Next: next}
	if res.match || res.value != "" {
		rec.Result = res.value
	}
	r.out.Trace = append(r.out.Trace, rec)
}

// satisfies evaluates a condition against a result.
func (r *runner) satisfies(c Condition, res result) bool {
	for _, operand := range c.Operands {
		operand = r.render(operand)
		if compare(c.Operator, res.value, operand, res.numeric) {
			return true
		}
	}
	return false
}

func compare(op, value, operand string, numeric bool) bool {
	switch op {
	case "Equals":
		if numeric {
			x, okx := number(value)
			y, oky := number(operand)
			return okx && oky && x == y
		}
		return value == operand
	case "TextContains":
		return strings.Contains(value, operand)
	case "TextStartsWith":
		return strings.HasPrefix(value, operand)
	case "TextEndsWith":
		return strings.HasSuffix(value, operand)
	}
	x, okx := number(value)
	y, oky := number(operand)
	if !okx || !oky {
		return false
	}
	switch op {
	case "NumberGreaterThan":
		return x > y
	case "NumberGreaterOrEqualTo":
		return x >= y
	case "NumberLessThan":
		return x < y
	case "NumberLessOrEqualTo":
		return x <= y
	}
	return false
}

func number(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// seconds reads a duration parameter written in seconds, statically or as a reference.
func (r *runner) seconds(p Params, keys ...string) (int, bool) {
	for _, k := range keys {
		if s := r.render(p.text(k)); strings.TrimSpace(s) != "" {
			f, ok := number(s)
			if !ok || f <= 0 {
				return 0, false
			}
			return int(f), true
		}
	}
	return 0, false
}

// waitFor makes the flow wait at a, until the given number of seconds from now (0: no timer).
func (r *runner) waitFor(a *Action, kind WaitKind, secs int) result {
	r.st.Action, r.st.Wait = a.Identifier, kind
	if secs > 0 {
		r.st.Until = r.now.Add(time.Duration(secs) * time.Second)
	}
	return result{stop: StatusWaiting}
}

// resume moves the waiting action a with an input that wakes it.
func (r *runner) resume(a *Action, in Input) (string, error) {
	var res result
	switch a.Type {
	case "GetParticipantInput":
		if in.Kind == InputTimeout {
			res = fail(errInputTimeLimit, nil)
		} else {
			res = r.input(a, in.Text)
		}
	case "Wait":
		res = result{match: true, value: resultWaitCompleted, fallback: true}
		if in.Kind != InputTimeout {
			res.value = resultCustomerReturned
		}
	case "MessageParticipantIteratively":
		res = result{match: true, value: resultMessagesInterrupt, fallback: true}
	case "ShowView":
		res = r.viewAnswered(in)
	case "AuthenticateParticipant":
		res = r.authenticated(a, in)
	default:
		return "", fmt.Errorf("%w: action %q (%s) does not wait", ErrBadState, a.Identifier, a.Type)
	}
	return r.follow(a, res), nil
}

// input takes the customer's message as the input of GetParticipantInput.
func (r *runner) input(a *Action, text string) result {
	p := a.Parameters
	r.st.StoredCustomerInput = text
	if v := p.object("InputValidation"); v != nil {
		if phone, ok := v["PhoneNumberValidation"].(map[string]any); ok {
			format, _ := scalarText(phone["NumberFormat"])
			if !validPhone(text, format) {
				return fail(errInvalidPhoneNumber, nil)
			}
		}
	}
	if len(a.Transitions.Conditions) == 0 {
		return result{value: text}
	}
	return result{value: strings.TrimSpace(text), match: true}
}

// validPhone is a light check of a phone number typed in a chat: E.164 (+ and 8 to 15 digits) or, for "Local",
// 4 to 15 digits with optional spaces, dashes, dots and parentheses.
func validPhone(s, format string) bool {
	s = strings.TrimSpace(s)
	if format == "E164" {
		if !strings.HasPrefix(s, "+") || len(s) < 9 || len(s) > 16 || s[1] == '0' {
			return false
		}
		return strings.Trim(s[1:], "0123456789") == ""
	}
	digits := 0
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case strings.ContainsRune(" -.()", c):
		default:
			return false
		}
	}
	return digits >= 4 && digits <= 15
}

// exec runs one action.
func (r *runner) exec(a *Action) result {
	switch catalog[a.Type] {
	case noEffect:
		return result{}
	case runs:
	default:
		return fail(errNoMatchingError, fmt.Errorf("%s is not supported on a chat", a.Type))
	}
	p := a.Parameters
	switch a.Type {
	case "MessageParticipant":
		if !p.has("Text") && (p.has("PromptId") || p.has("SSML") || p.has("Media")) {
			return fail(errNoMatchingError, errors.New("prompts, SSML and media play only on voice"))
		}
		return r.send(p.text("Text"))
	case "MessageParticipantIteratively":
		return r.iterate(a)
	case "GetParticipantInput":
		if p.has("InputEncryption") || !p.has("Text") && (p.has("PromptId") || p.has("SSML") || p.has("Media")) {
			return fail(errNoMatchingError, errors.New("encrypted input and prompts are voice only"))
		}
		if res := r.send(p.text("Text")); res.failed() {
			return res
		}
		secs, ok := r.seconds(p, "InputTimeLimitSeconds", "InputTimeoutSeconds")
		if !ok {
			secs = defaultInputSeconds
		}
		return r.waitFor(a, WaitInput, secs)
	case "Wait":
		secs, ok := r.seconds(p, "TimeoutSeconds", "TimeLimitSeconds")
		if !ok || secs > maxWaitSeconds {
			return fail(errNoMatchingError, errors.New("no valid timeout"))
		}
		return r.waitFor(a, WaitEvent, secs)
	case "DisconnectParticipant":
		return r.after(r.env.Disconnect(r.ctx), result{stop: StatusDisconnected})
	case "EndFlowExecution":
		return result{stop: StatusEnded}
	case "UpdateContactAttributes":
		return r.setAttributes(p)
	case "UpdateContactData":
		return r.setContactData(p)
	case "UpdateContactTargetQueue":
		return r.setQueue(p)
	case "TransferContactToQueue":
		err := r.env.TransferToQueue(r.ctx)
		if errors.Is(err, ErrQueueAtCapacity) {
			return fail(errQueueAtCapacity, err)
		}
		return r.after(err, result{stop: StatusQueued})
	case "TransferContactToAgent":
		return r.after(r.env.TransferToAgent(r.ctx), result{stop: StatusAgent})
	case "UpdateContactEventHooks":
		return r.setHooks(p)
	case "UpdateContactRoutingBehavior":
		return r.setRouting(p)
	case "Compare":
		return result{value: r.render(p.text("ComparisonValue")), match: true}
	case "CheckHoursOfOperation":
		open, err := r.env.HoursOpen(r.ctx, r.render(p.text("HoursOfOperationId")), r.now)
		value := "False"
		if open {
			value = "True"
		}
		return r.after(err, result{value: value, match: true})
	case "CheckMetricData":
		return r.checkMetric(p)
	case "GetMetricData":
		return r.loadMetrics(p)
	case "DistributeByPercentage":
		n := min(max(r.env.Percent(), 1), 100)
		return result{value: strconv.Itoa(n), match: true, numeric: true}
	case "TransferToFlow":
		if err := r.load(r.render(p.text("ContactFlowId"))); err != nil {
			return r.effect(err)
		}
		r.st.FlowAttributes = nil
		return result{jumped: true}
	case "UpdateFlowAttributes":
		return r.setFlowAttributes(p)
	case "InvokeLambdaFunction", "InvokeExternalResource":
		return r.invoke(a)
	case "ShowView":
		return r.showView(a)
	case "AuthenticateParticipant":
		return r.authenticate(a)
	}
	return fail(errNoMatchingError, fmt.Errorf("%s is not supported on a chat", a.Type))
}

// send sends a text (references resolved) as a message; text that is an interactive message template goes as
// one. Nothing is sent for an empty text.
func (r *runner) send(text string) result {
	content := r.render(text)
	if strings.TrimSpace(content) == "" {
		return result{}
	}
	return r.effect(r.env.SendMessage(r.ctx, Message{ContentType: contentType(content), Content: content}))
}

// interactiveTemplates are the templateType values of Connect's interactive messages.
var interactiveTemplates = map[string]bool{
	"ListPicker": true, "TimePicker": true, "QuickReply": true, "Panel": true, "Carousel": true,
	"ViewResource": true,
}

func contentType(content string) string {
	s := strings.TrimSpace(content)
	if !strings.HasPrefix(s, "{") {
		return ContentTypePlain
	}
	var m struct {
		TemplateType string `json:"templateType"`
	}
	if json.Unmarshal([]byte(s), &m) == nil && interactiveTemplates[m.TemplateType] {
		return ContentTypeInteractive
	}
	return ContentTypePlain
}

func (r *runner) iterate(a *Action) result {
	msgs, _ := a.Parameters["Messages"].([]any)
	for _, m := range msgs {
		obj, _ := m.(map[string]any)
		text, _ := scalarText(obj["Text"])
		if res := r.send(text); res.failed() {
			return res
		}
	}
	secs, _ := r.seconds(a.Parameters, "InterruptFrequencySeconds")
	return r.waitFor(a, WaitMessages, secs)
}

// renderMap resolves the references of an object parameter's scalar values (and, with keys set, its keys).
func (r *runner) renderMap(m map[string]any, keys bool) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := scalarText(v)
		if !ok {
			continue
		}
		if keys {
			k = r.render(k)
		}
		out[k] = r.render(s)
	}
	return out
}

func target(p Params) string {
	if t := p.text("TargetContact"); t != "" {
		return t
	}
	return "Current"
}

func (r *runner) setAttributes(p Params) result {
	attrs := r.renderMap(p.object("Attributes"), true)
	t := target(p)
	if res := r.effect(r.env.UpdateAttributes(r.ctx, t, attrs)); res.failed() {
		return res
	}
	if t == "Current" {
		if r.contact.Attributes == nil {
			r.contact.Attributes = map[string]string{}
		}
		maps.Copy(r.contact.Attributes, attrs)
	}
	return result{}
}

func (r *runner) setContactData(p Params) result {
	data := map[string]string{}
	for k, v := range p {
		if s, ok := scalarText(v); ok && k != "TargetContact" {
			data[k] = r.render(s)
		}
	}
	t := target(p)
	if res := r.effect(r.env.UpdateContactData(r.ctx, t, data)); res.failed() || t != "Current" {
		return res
	}
	for k, v := range data { // later references in this step read the new values
		switch k {
		case "Name":
			r.contact.Name = v
		case "Description":
			r.contact.Description = v
		case "LanguageCode":
			r.contact.LanguageCode = v
		case "CustomerId":
			r.contact.CustomerID = v
		}
	}
	return result{}
}

func (r *runner) setQueue(p Params) result {
	t := QueueTarget{QueueID: r.render(p.text("QueueId")), AgentID: r.render(p.text("AgentId"))}
	if t.QueueID == "" && t.AgentID == "" {
		return fail(errNoMatchingError, errors.New("no queue"))
	}
	q, err := r.env.SetQueue(r.ctx, t)
	if res := r.effect(err); res.failed() {
		return res
	}
	r.contact.Queue = q
	return result{}
}

func (r *runner) setHooks(p Params) result {
	hooks := r.renderMap(p.object("EventHooks"), false)
	if len(hooks) == 0 {
		return fail(errNoMatchingError, errors.New("no event hook"))
	}
	for _, k := range sortedKeys(hooks) {
		if !eventHooks[k] {
			return fail(errNoMatchingError, fmt.Errorf("%q is not an event hook", k))
		}
		if res := r.effect(r.env.SetEventHook(r.ctx, k, hooks[k])); res.failed() {
			return res
		}
		if r.st.EventHooks == nil {
			r.st.EventHooks = map[string]string{}
		}
		r.st.EventHooks[k] = hooks[k]
	}
	return result{}
}

func (r *runner) setRouting(p Params) result {
	var rb Routing
	if s := r.render(p.text("QueuePriority")); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fail(errNoMatchingError, fmt.Errorf("QueuePriority %q", s))
		}
		rb.QueuePriority = &n
	}
	if s := r.render(p.text("QueueTimeAdjustmentSeconds")); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fail(errNoMatchingError, fmt.Errorf("QueueTimeAdjustmentSeconds %q", s))
		}
		d := time.Duration(n) * time.Second
		rb.QueueTimeAdjustment = &d
	}
	if rb.QueuePriority == nil && rb.QueueTimeAdjustment == nil {
		return result{} // routing criteria and the like: nothing parley routes by
	}
	return r.effect(r.env.SetRoutingBehavior(r.ctx, rb))
}

func (r *runner) checkMetric(p Params) result {
	m, err := r.env.Metrics(r.ctx, MetricQuery{QueueID: r.render(p.text("QueueId")), AgentID: r.render(p.text("AgentId"))})
	if res := r.effect(err); res.failed() {
		return res
	}
	var v int64
	switch t := p.text("MetricType"); t {
	case "NumberOfAgentsAvailable":
		v = int64(m.AgentsAvailable)
	case "NumberOfAgentsStaffed":
		v = int64(m.AgentsStaffed)
	case "NumberOfAgentsOnline":
		v = int64(m.AgentsOnline)
	case "NumberOfContactsInQueue":
		v = int64(m.ContactsInQueue)
	case "OldestContactInQueueAgeSeconds":
		// In milliseconds, whatever the name says: Connect's own sample compares it with 300000 for five
		// minutes, as GetCurrentMetricData answers OLDEST_CONTACT_AGE in milliseconds.
		v = m.OldestContactAge.Milliseconds()
	default:
		return fail(errNoMatchingError, fmt.Errorf("MetricType %q", t))
	}
	return result{value: strconv.FormatInt(v, 10), match: true, numeric: true}
}

// loadMetrics makes a queue's live numbers $.Metrics, named as Connect names them (the oldest contact's age in
// milliseconds, as CheckMetricData reads it).
func (r *runner) loadMetrics(p Params) result {
	q := MetricQuery{QueueID: r.render(p.text("QueueId")), AgentID: r.render(p.text("AgentId"))}
	m, err := r.env.Metrics(r.ctx, q)
	if res := r.effect(err); res.failed() {
		return res
	}
	r.st.Metrics = map[string]string{
		"Queue.Size":             strconv.Itoa(m.ContactsInQueue),
		"Queue.OldestContactAge": strconv.FormatInt(m.OldestContactAge.Milliseconds(), 10),
		"Agents.Online.Count":    strconv.Itoa(m.AgentsOnline),
		"Agents.Available.Count": strconv.Itoa(m.AgentsAvailable),
		"Agents.Staffed.Count":   strconv.Itoa(m.AgentsStaffed),
	}
	if q.QueueID == "" && q.AgentID == "" { // the working queue
		r.st.Metrics["Queue.Name"], r.st.Metrics["Queue.ARN"] = r.contact.Queue.Name, r.contact.Queue.ARN
	}
	return result{}
}

func (r *runner) setFlowAttributes(p Params) result {
	for k, v := range p.object("FlowAttributes") {
		if obj, ok := v.(map[string]any); ok {
			v = obj["Value"]
		}
		s, ok := scalarText(v)
		if !ok {
			continue
		}
		if r.st.FlowAttributes == nil {
			r.st.FlowAttributes = map[string]string{}
		}
		r.st.FlowAttributes[k] = r.render(s)
	}
	return result{}
}

func (r *runner) invoke(a *Action) result {
	p := a.Parameters
	inv := Invocation{ResponseType: "STRING_MAP"}
	if a.Type == "InvokeExternalResource" {
		inv.FunctionARN = r.render(p.text("FunctionArn"))
		inv.Parameters = r.renderMap(p.object("Parameters"), false)
	} else {
		inv.FunctionARN = r.render(p.text("LambdaFunctionARN"))
		inv.Parameters = r.renderMap(p.object("LambdaInvocationAttributes"), false)
		inv.Async = strings.EqualFold(p.text("InvocationType"), "ASYNCHRONOUS")
		if rt, _ := scalarText(p.object("ResponseValidation")["ResponseType"]); rt != "" {
			inv.ResponseType = rt
		}
	}
	secs, ok := r.seconds(p, "InvocationTimeLimitSeconds", "TimeLimit", "TimeoutSeconds")
	if !ok {
		secs = defaultLambdaSeconds
	}
	inv.Timeout = time.Duration(min(secs, maxLambdaSeconds)) * time.Second
	if inv.FunctionARN == "" {
		return fail(errNoMatchingError, errors.New("no function"))
	}
	answer, err := r.env.Invoke(r.ctx, inv)
	if res := r.effect(err); res.failed() {
		return res
	}
	if inv.Async {
		return result{}
	}
	if inv.ResponseType != "JSON" {
		for k, v := range answer {
			if _, flat := scalarText(v); !flat {
				return fail(errNoMatchingError, fmt.Errorf("the answer's %q is not a string", k))
			}
		}
	}
	r.st.External = maps.Clone(answer)
	return result{}
}
