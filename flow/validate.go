package flow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxContentLength is the longest flow content CreateContactFlow and UpdateContactFlowContent accept, in
// characters (the Content member's length constraint in the Connect API model).
const MaxContentLength = 256000

// MaxActions is the most actions one flow may define (Flow Language reference, "Example flow").
const MaxActions = 250

// maxIdentifierLength is the longest Identifier the Flow Language allows.
const maxIdentifierLength = 50

// Problem is one reason a flow is refused.
type Problem struct {
	// Identifier and Type name the action at fault; both are empty for a problem of the whole document.
	Identifier string `json:"-"`
	Type       string `json:"-"`
	// Message is complete on its own (it names the action), as Connect's problems[].message is.
	Message string `json:"message"`
}

// Problems is the error Parse, Validate and Check return for content CreateContactFlow would refuse: the API
// layer answers InvalidContactFlowException with {"problems": [{"message": ...}, ...]}.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return "invalid flow: " + strings.Join(msgs, "; ")
}

// Resolver answers whether the resources a flow refers to exist. Validate asks it only about references written
// statically (a `$.` reference is resolved when the flow runs). Each method is given the reference as the flow
// writes it: an id or an ARN. An error other than "does not exist" aborts the validation and is returned as is.
//
// A Resolver may also implement AgentResolver and ViewResolver.
type Resolver interface {
	QueueExists(ctx context.Context, ref string) (bool, error)
	FlowExists(ctx context.Context, ref string) (bool, error)
	HoursExists(ctx context.Context, ref string) (bool, error)
	// FunctionConfigured reports whether a Lambda function ARN can be invoked (in parley: is mapped to an
	// endpoint by the operator).
	FunctionConfigured(ctx context.Context, arn string) (bool, error)
}

// AgentResolver is implemented by Resolvers that can check agent references (AgentId of agent queues).
type AgentResolver interface {
	AgentExists(ctx context.Context, ref string) (bool, error)
}

// ViewResolver is implemented by Resolvers that know views. Without it, ShowView is refused.
type ViewResolver interface {
	ViewExists(ctx context.Context, ref string) (bool, error)
}

// Check validates flow content as CreateContactFlow (with the default status PUBLISHED) does: its length, its
// JSON, its actions and transitions, and, when r is not nil, the resources it refers to. It returns the parsed
// flow, or a Problems error, or the Resolver's error.
func Check(ctx context.Context, content []byte, r Resolver) (*Flow, error) {
	if n := utf8.RuneCount(content); n > MaxContentLength {
		return nil, Problems{{Message: fmt.Sprintf(
			"The flow content is %d characters long; the limit is %d.", n, MaxContentLength)}}
	}
	f, err := Parse(content)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(ctx, r); err != nil {
		return nil, err
	}
	return f, nil
}

// Validate checks the parsed flow: version, StartAction, Identifiers, types, transitions, loops that never wait,
// and, when r is not nil, resource references (ShowView included: see ViewResolver). With a nil r nothing outside
// the document is checked. It returns nil, a Problems error, or the Resolver's error.
func (f *Flow) Validate(ctx context.Context, r Resolver) error {
	v := validator{f: f, ctx: ctx, r: r}
	v.document()
	for i := range f.Actions {
		v.action(&f.Actions[i])
	}
	v.loops()
	if v.err != nil {
		return v.err
	}
	if len(v.problems) > 0 {
		return v.problems
	}
	return nil
}

type validator struct {
	f        *Flow
	ctx      context.Context
	r        Resolver
	problems Problems
	err      error // the Resolver's
	seen     map[string]bool
}

func (v *validator) flowProblem(format string, args ...any) {
	v.problems = append(v.problems, Problem{Message: fmt.Sprintf(format, args...)})
}

func (v *validator) problem(a *Action, format string, args ...any) {
	msg := fmt.Sprintf("Action %q (%s): %s", a.Identifier, a.Type, fmt.Sprintf(format, args...))
	v.problems = append(v.problems, Problem{Identifier: a.Identifier, Type: a.Type, Message: msg})
}

func (v *validator) document() {
	f := v.f
	if f.Version != Version {
		v.flowProblem("Version is %q; the Flow Language version is %q.", f.Version, Version)
	}
	switch {
	case f.StartAction == "":
		v.flowProblem("StartAction is missing.")
	case !v.exists(f.StartAction):
		v.flowProblem("StartAction %q is not the Identifier of an action of the flow.", f.StartAction)
	}
	if len(f.Actions) > MaxActions {
		v.flowProblem("The flow has %d actions; the limit is %d.", len(f.Actions), MaxActions)
	}
}

func (v *validator) exists(id string) bool {
	_, ok := v.f.Action(id)
	return ok
}

// identifierRunes are the characters an Identifier may not contain.
const identifierRunes = "%:()\\/=$,;[]{}"

var reservedIdentifiers = []string{"__proto__", "constructor", "__defineGetter__", "__defineSetter__", "toString",
	"hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "valueOf"}

func (v *validator) action(a *Action) {
	if v.seen == nil {
		v.seen = map[string]bool{}
	}
	switch id := a.Identifier; {
	case id == "":
		v.problem(a, "the Identifier is missing.")
	case v.seen[id]:
		v.problem(a, "another action has the same Identifier.")
	case utf8.RuneCountInString(id) > maxIdentifierLength:
		v.problem(a, "the Identifier is longer than %d characters.", maxIdentifierLength)
	case strings.ContainsAny(id, identifierRunes):
		v.problem(a, "the Identifier contains one of the characters %s, which the Flow Language forbids.", identifierRunes)
	case slices.Contains(reservedIdentifiers, id):
		v.problem(a, "the Identifier is a reserved word.")
	}
	v.seen[a.Identifier] = true

	if _, ok := catalog[a.Type]; !ok {
		if a.Type == "" {
			v.problem(a, "the Type is missing.")
		} else {
			v.problem(a, "%q is not an action type of the Flow Language.", a.Type)
		}
	}
	v.transitions(a)
	v.parameters(a)
	v.references(a)
}

func (v *validator) transitions(a *Action) {
	check := func(what, next string) {
		if next != "" && !v.exists(next) {
			v.problem(a, "%s goes to %q, which is not the Identifier of an action of the flow.", what, next)
		}
	}
	t := a.Transitions
	check("NextAction", t.NextAction)
	for i, c := range t.Conditions {
		what := fmt.Sprintf("Condition %d", i+1)
		if c.NextAction == "" {
			v.problem(a, "%s has no NextAction.", what)
		}
		check(what, c.NextAction)
		if !operators[c.Operator] {
			v.problem(a, "%s has the operator %q, which is not one of the Flow Language.", what, c.Operator)
		}
	}
	for _, e := range t.Errors {
		what := fmt.Sprintf("the %s error branch", e.ErrorType)
		if e.NextAction == "" {
			v.problem(a, "%s has no NextAction.", what)
		}
		check(what, e.NextAction)
	}
}

// parameters checks the statically written values Connect checks at creation.
func (v *validator) parameters(a *Action) {
	p := a.Parameters
	seconds := func(key string, lo, hi int) {
		s := p.text(key)
		if s == "" || isRef(s) {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < lo || n > hi {
			v.problem(a, "%s is %q; it must be a whole number of seconds from %d to %d.", key, s, lo, hi)
		}
	}
	switch a.Type {
	case "Wait":
		seconds("TimeoutSeconds", 1, maxWaitSeconds)
		seconds("TimeLimitSeconds", 1, maxWaitSeconds)
	case "GetParticipantInput":
		seconds("InputTimeLimitSeconds", 1, maxWaitSeconds)
		seconds("InputTimeoutSeconds", 1, maxWaitSeconds)
	case "InvokeLambdaFunction":
		seconds("InvocationTimeLimitSeconds", 1, maxLambdaSeconds)
	case "MessageParticipantIteratively":
		seconds("InterruptFrequencySeconds", 1, maxWaitSeconds)
	case "ShowView":
		seconds("InvocationTimeLimitSeconds", 1, maxWaitSeconds)
		on, ok := hideResponseOn(p)
		if !ok {
			v.problem(a, `SensitiveDataConfiguration must be an object whose HideResponseOn is a list, as {"HideResponseOn":["%s"]}.`, HideOnTranscript)
		}
		for _, d := range on {
			if d != HideOnTranscript {
				v.problem(a, "SensitiveDataConfiguration.HideResponseOn names %q; the only destination is %s.", d, HideOnTranscript)
			}
		}
	case "UpdateContactEventHooks":
		for _, k := range sortedKeys(p.object("EventHooks")) {
			if !eventHooks[k] {
				v.problem(a, "%q is not an event hook.", k)
			}
		}
	case "CheckMetricData":
		if m := p.text("MetricType"); !metricTypes[m] {
			v.problem(a, "MetricType %q is not a metric CheckMetricData reads.", m)
		}
	}
}

// references asks the Resolver about every statically written resource.
func (v *validator) references(a *Action) {
	if v.r == nil || v.err != nil {
		return
	}
	p := a.Parameters
	type ref struct {
		kind, value string
		exists      func(context.Context, string) (bool, error)
	}
	var refs []ref
	add := func(kind, value string, exists func(context.Context, string) (bool, error)) {
		if value != "" && !isRef(value) {
			refs = append(refs, ref{kind, value, exists})
		}
	}
	add("queue", p.text("QueueId"), v.r.QueueExists)
	add("flow", p.text("ContactFlowId"), v.r.FlowExists)
	add("hours of operation", p.text("HoursOfOperationId"), v.r.HoursExists)
	add("Lambda function", p.text("LambdaFunctionARN"), v.r.FunctionConfigured)
	add("Lambda function", p.text("FunctionArn"), v.r.FunctionConfigured)
	if a.Type == "UpdateContactEventHooks" {
		hooks := p.object("EventHooks")
		for _, k := range sortedKeys(hooks) {
			s, _ := scalarText(hooks[k])
			add("flow", s, v.r.FlowExists)
		}
	}
	if ar, ok := v.r.(AgentResolver); ok {
		add("agent", p.text("AgentId"), ar.AgentExists)
	}
	if a.Type == "ShowView" {
		vr, ok := v.r.(ViewResolver)
		if !ok {
			v.problem(a, "views are not supported by this server.")
		} else if view := p.object("ViewResource"); view != nil {
			id, _ := scalarText(view["Id"])
			add("view", id, vr.ViewExists)
		}
	}
	for _, r := range refs {
		ok, err := r.exists(v.ctx, r.value)
		if err != nil {
			v.err = err
			return
		}
		if !ok {
			v.problem(a, "the %s %q does not exist.", r.kind, r.value)
		}
	}
}

// loops reports every loop of actions that runs without waiting for the customer or a timer: a strongly
// connected set of actions, or an action that goes to itself, in which no action waits.
func (v *validator) loops() {
	f := v.f
	n := len(f.Actions)
	next := make([][]int, n)
	for i := range f.Actions {
		a := &f.Actions[i]
		if waits(a.Type) {
			continue
		}
		for _, id := range a.targets() {
			if j, ok := f.index[id]; ok {
				next[i] = append(next[i], j)
			}
		}
	}
	for _, scc := range components(next) {
		self := len(scc) == 1 && slices.Contains(next[scc[0]], scc[0])
		if len(scc) < 2 && !self {
			continue
		}
		slices.Sort(scc)
		ids := make([]string, len(scc))
		for k, i := range scc {
			ids[k] = strconv.Quote(f.Actions[i].Identifier)
		}
		v.problem(&f.Actions[scc[0]], "the actions %s form a loop that never waits for the customer.",
			strings.Join(ids, ", "))
	}
}

// targets lists the Identifiers an action may go to.
func (a *Action) targets() []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(a.Transitions.NextAction)
	for _, c := range a.Transitions.Conditions {
		add(c.NextAction)
	}
	for _, e := range a.Transitions.Errors {
		add(e.NextAction)
	}
	return ids
}

// components returns the strongly connected components of a graph given as adjacency lists (Tarjan's
// algorithm, iterative so that a long chain of actions cannot exhaust the stack).
func components(next [][]int) [][]int {
	n := len(next)
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var out [][]int
	var sccStack []int
	counter := 0
	type frame struct{ v, edge int }
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = counter, counter
		counter++
		sccStack = append(sccStack, root)
		on[root] = true
		for len(call) > 0 {
			top := &call[len(call)-1]
			if top.edge < len(next[top.v]) {
				w := next[top.v][top.edge]
				top.edge++
				switch {
				case index[w] < 0:
					index[w], low[w] = counter, counter
					counter++
					sccStack = append(sccStack, w)
					on[w] = true
					call = append(call, frame{w, 0})
				case on[w]:
					low[top.v] = min(low[top.v], index[w])
				}
				continue
			}
			v := top.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				parent := call[len(call)-1].v
				low[parent] = min(low[parent], low[v])
			}
			if low[v] == index[v] {
				var scc []int
				for {
					w := sccStack[len(sccStack)-1]
					sccStack = sccStack[:len(sccStack)-1]
					on[w] = false
					scc = append(scc, w)
					if w == v {
						break
					}
				}
				out = append(out, scc)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
