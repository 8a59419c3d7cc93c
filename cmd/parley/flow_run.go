package main

// parley flow run: a flow run in this process against an in-memory world and a scripted customer.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/flow"
	"github.com/parley-chat/parley/functions"
)

// maxInputs bounds the inputs (messages, timers) a run is given: a flow that waits in a loop forever stops.
const maxInputs = 100

// The offline contact's fixed ids, so that a run prints the same every time.
const (
	offlineContactID   = "00000000-0000-4000-8000-000000000001"
	offlineInstanceARN = "arn:aws:connect:us-west-2:000000000000:instance/00000000-0000-4000-8000-000000000000"
)

const flowRunUsage = `usage: parley flow run [flags] FLOW.json

Runs the flow in this process, as a chat contact, with a scripted customer: each --say is the customer's next
message when the flow waits for one; when the flow waits with no more to say, its timer fires. Prints the
transcript, the path (every action, its result and the branch taken) and how the run ended; exits non-zero on
a flow error. Flags:`

// runOptions are what flow run reads from its flags.
type runOptions struct {
	flowFlags
	attrs   multiFlag
	says    listFlag
	metrics multiFlag
	at      string
	open    bool
	closed  bool
	percent int
	queue   string
}

// parseInterspersed parses flags written before and after the arguments (parley flow run FLOW.json --say hi),
// and returns the arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func flowRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := o.flagSet("parley flow run", flowRunUsage, stderr)
	fs.Var(&o.attrs, "attr", "KEY=VALUE: a contact attribute the chat starts with (repeatable)")
	fs.Var(&o.says, "say", "TEXT: the customer's next message when the flow waits for one (repeatable, in order)")
	fs.StringVar(&o.at, "at", "", "the time the chat starts, RFC 3339 (default now); timers move the clock")
	fs.BoolVar(&o.open, "open", false, "hours of operation are open (the default)")
	fs.BoolVar(&o.closed, "closed", false, "hours of operation are closed")
	fs.Var(&o.metrics, "metric", "NAME=VALUE: a queue metric CheckMetricData reads (repeatable): contacts-in-queue, "+
		"oldest-contact-age (a duration, e.g. 4m), agents-online, agents-available, agents-staffed; default 0")
	fs.IntVar(&o.percent, "percent", 0, "the number (1-100) DistributeByPercentage draws (default random)")
	fs.StringVar(&o.queue, "queue", "", "REF: the working queue the chat starts with (for a disconnect or customer-queue flow)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return flag.ErrHelp
	}
	env, err := o.env(files[0], getenv)
	if err != nil {
		return err
	}
	defer env.fns.Close()
	res := env.drive(ctx, files[0], o.says)
	env.print(stdout, res)
	return res.err
}

// env builds the offline world from the options.
func (o *runOptions) env(file string, getenv func(string) string) (*offlineEnv, error) {
	if o.open && o.closed {
		return nil, errors.New("--open and --closed: choose one")
	}
	if o.percent < 0 || o.percent > 100 {
		return nil, fmt.Errorf("--percent %d: from 1 to 100", o.percent)
	}
	fns, err := o.invoker(getenv)
	if err != nil {
		return nil, err
	}
	e := &offlineEnv{
		lib: newLibrary([]string{file}, o.flows), fns: fns, open: !o.closed, percent: o.percent, now: time.Now(),
		contact: flow.Contact{
			ContactID: offlineContactID, InitialContactID: offlineContactID, Channel: "CHAT",
			InitiationMethod: "API", InstanceARN: offlineInstanceARN, Attributes: map[string]string{},
		},
	}
	if o.at != "" {
		if e.now, err = time.Parse(time.RFC3339, o.at); err != nil {
			return nil, fmt.Errorf("--at: %w", err)
		}
	}
	e.start = e.now
	for _, kv := range o.attrs {
		k, v, _ := strings.Cut(kv, "=")
		e.contact.Attributes[k] = v
	}
	if o.queue != "" {
		if _, err := e.SetQueue(context.Background(), flow.QueueTarget{QueueID: o.queue}); err != nil {
			return nil, err
		}
	}
	for _, kv := range o.metrics {
		if err := e.setMetric(kv); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *offlineEnv) setMetric(kv string) error {
	name, value, _ := strings.Cut(kv, "=")
	if name == "oldest-contact-age" {
		d, err := time.ParseDuration(value)
		if err != nil {
			return fmt.Errorf("--metric %s: %w", kv, err)
		}
		e.metrics.OldestContactAge = d
		return nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return fmt.Errorf("--metric %s: not a count", kv)
	}
	switch name {
	case "contacts-in-queue":
		e.metrics.ContactsInQueue = n
	case "agents-online":
		e.metrics.AgentsOnline = n
	case "agents-available":
		e.metrics.AgentsAvailable = n
	case "agents-staffed":
		e.metrics.AgentsStaffed = n
	default:
		return fmt.Errorf("--metric %s: no metric %q", kv, name)
	}
	return nil
}

// offlineEnv is the flow.Env of an offline run: every effect is written down in the transcript.
type offlineEnv struct {
	lib     *library
	fns     *functions.Invoker
	open    bool
	percent int
	metrics flow.Metrics
	start   time.Time
	now     time.Time
	contact flow.Contact
	lines   []line
	end     string // what ended the run: queued to …, disconnected, …
}

// line is one line of the transcript.
type line struct {
	at       time.Duration // since the start
	who, say string        // who: SYSTEM, CUSTOMER, or "" for a note
}

func (e *offlineEnv) add(who, format string, args ...any) {
	e.lines = append(e.lines, line{at: e.now.Sub(e.start), who: who, say: fmt.Sprintf(format, args...)})
}

func (e *offlineEnv) Now() time.Time { return e.now }

func (e *offlineEnv) Contact(context.Context) (flow.Contact, error) {
	c := e.contact
	c.Attributes = maps.Clone(c.Attributes)
	return c, nil
}

func (e *offlineEnv) LoadFlow(ctx context.Context, ref string) (string, *flow.Flow, error) {
	return e.lib.load(ctx, ref)
}

func (e *offlineEnv) SendMessage(_ context.Context, m flow.Message) error {
	if m.ContentType == flow.ContentTypeInteractive {
		e.add("SYSTEM", "%s", compactInteractive(m.Content))
	} else {
		e.add("SYSTEM", "%s", m.Content)
	}
	return nil
}

func (e *offlineEnv) UpdateAttributes(_ context.Context, target string, attrs map[string]string) error {
	if target != "Current" && target != "" {
		return fmt.Errorf("no %s contact offline", target)
	}
	maps.Copy(e.contact.Attributes, attrs)
	e.add("", "attributes %s", pairs(attrs))
	return nil
}

func (e *offlineEnv) UpdateContactData(_ context.Context, target string, data map[string]string) error {
	e.add("", "contact data %s", pairs(data))
	return nil
}

func (e *offlineEnv) SetQueue(_ context.Context, t flow.QueueTarget) (flow.Queue, error) {
	ref, name := t.QueueID, lastPart(t.QueueID)
	if t.AgentID != "" {
		ref, name = t.AgentID, "agent/"+lastPart(t.AgentID)
	}
	q := flow.Queue{ID: name, ARN: ref, Name: name}
	if !strings.HasPrefix(ref, "arn:") {
		q.ARN = offlineInstanceARN + "/queue/" + name
	}
	e.contact.Queue = q
	e.add("", "working queue %s", name)
	return q, nil
}

func (e *offlineEnv) TransferToQueue(context.Context) error {
	if e.contact.Queue.ID == "" {
		return errors.New("no working queue")
	}
	e.end = "queued to " + e.contact.Queue.Name
	return nil
}

func (e *offlineEnv) TransferToAgent(context.Context) error {
	if e.contact.Queue.ID == "" {
		return errors.New("no agent queue")
	}
	e.end = "transferred to " + e.contact.Queue.Name
	return nil
}

func (e *offlineEnv) SetEventHook(_ context.Context, hook, ref string) error {
	e.add("", "event hook %s → %s", hook, ref)
	return nil
}

func (e *offlineEnv) SetRoutingBehavior(_ context.Context, r flow.Routing) error {
	switch {
	case r.QueuePriority != nil:
		e.add("", "queue priority %d", *r.QueuePriority)
	case r.QueueTimeAdjustment != nil:
		e.add("", "queue time adjustment %s", *r.QueueTimeAdjustment)
	}
	return nil
}

func (e *offlineEnv) Disconnect(context.Context) error {
	e.end = "disconnected by the flow"
	return nil
}

func (e *offlineEnv) HoursOpen(_ context.Context, ref string, at time.Time) (bool, error) {
	if ref == "" {
		ref = "of the working queue"
	}
	e.add("", "hours %s at %s: %s", ref, at.Format(time.RFC3339), map[bool]string{true: "open", false: "closed"}[e.open])
	return e.open, nil
}

func (e *offlineEnv) Metrics(context.Context, flow.MetricQuery) (flow.Metrics, error) {
	return e.metrics, nil
}

func (e *offlineEnv) Invoke(ctx context.Context, inv flow.Invocation) (map[string]any, error) {
	c, _ := e.Contact(ctx)
	answer, err := e.fns.Invoke(ctx, inv, c)
	switch {
	case err != nil:
		e.add("", "Lambda %s%s failed: %v", inv.FunctionARN, pairs(inv.Parameters), err)
	case inv.Async:
		e.add("", "Lambda %s%s started (asynchronous)", inv.FunctionARN, pairs(inv.Parameters))
	default:
		b, _ := json.Marshal(answer)
		e.add("", "Lambda %s%s → %s", inv.FunctionARN, pairs(inv.Parameters), b)
	}
	return answer, err
}

func (e *offlineEnv) Percent() int {
	if e.percent > 0 {
		return e.percent
	}
	return rand.IntN(100) + 1
}

var _ flow.Env = (*offlineEnv)(nil)

// runResult is what a run did.
type runResult struct {
	path    []step
	st      *flow.State
	status  flow.Status
	unsaid  []string
	stopped string // why the driver stopped a waiting flow
	err     error
}

// step is an action of the path, and where the flow stopped after it, if it did.
type step struct {
	flow.Record
	stop string
}

// drive runs the flow: the start, then the customer's messages and the timers, until it stops waiting.
func (e *offlineEnv) drive(ctx context.Context, file string, says []string) runResult {
	id, _, err := e.lib.load(ctx, file)
	if err != nil {
		return runResult{err: err}
	}
	res := runResult{st: flow.NewState(id)}
	out, err := flow.Step(ctx, e, res.st, flow.Start())
	for inputs := 0; ; inputs++ {
		for i, r := range out.Trace {
			s := step{Record: r}
			if i == len(out.Trace)-1 && r.Branch == "" {
				s.stop = stopText(out, res.st)
			}
			res.path = append(res.path, s)
		}
		res.status = out.Status
		if err != nil || out.Status != flow.StatusWaiting {
			break
		}
		var in flow.Input
		switch {
		case inputs == maxInputs:
			res.stopped = fmt.Sprintf("stopped after %d inputs", maxInputs)
		case len(says) > 0 && e.takesMessage(res.st):
			e.add("CUSTOMER", "%s", says[0])
			in, says = flow.CustomerMessage(says[0]), says[1:]
		case !out.Wake.IsZero():
			waited := max(out.Wake.Sub(e.now), 0)
			e.now = e.now.Add(waited)
			e.add("", "%s later: the timer of %s fires", waited, res.st.Action)
			in = flow.Timeout()
		default:
			res.stopped = "waiting for the customer, with nothing more to say"
		}
		if res.stopped != "" {
			break
		}
		out, err = flow.Step(ctx, e, res.st, in)
	}
	res.unsaid, res.err = says, err
	return res
}

// stopText says why a Step stopped at its last action.
func stopText(out flow.Outcome, st *flow.State) string {
	if out.Status != flow.StatusWaiting {
		return "■ " + strings.ToLower(string(out.Status))
	}
	what := map[flow.WaitKind]string{flow.WaitInput: "the customer's message", flow.WaitEvent: "an event",
		flow.WaitMessages: "its interrupt"}[st.Wait]
	if !out.Wake.IsZero() {
		what += " or its timer (" + out.Wake.Format(time.RFC3339) + ")"
	}
	return "waits for " + what
}

// takesMessage reports whether a waiting run is moved by a customer's message: GetParticipantInput, or a Wait
// for the customer's return.
func (e *offlineEnv) takesMessage(st *flow.State) bool {
	switch st.Wait {
	case flow.WaitInput:
		return true
	case flow.WaitEvent:
		f := e.lib.flows[st.FlowID]
		if f == nil {
			return false
		}
		a, ok := f.Action(st.Action)
		if !ok {
			return false
		}
		events, _ := a.Parameters["Events"].([]any)
		return slices.Contains(events, any("CustomerReturned"))
	}
	return false
}

// print writes the transcript, the path and the end of a run.
func (e *offlineEnv) print(w io.Writer, res runResult) {
	fmt.Fprintln(w, "Transcript:")
	for _, l := range e.lines {
		who := l.who
		if who == "" {
			who = "·"
		}
		fmt.Fprintf(w, "  %6s  %-8s  %s\n", "+"+l.at.Round(time.Second).String(), who, l.say)
	}
	fmt.Fprintln(w, "Path:")
	for _, r := range res.path {
		fmt.Fprintf(w, "  %s  %s (%s)", r.FlowID, r.Identifier, r.Type)
		if r.Result != "" {
			fmt.Fprintf(w, "  result %q", r.Result)
		}
		if r.Error != "" {
			fmt.Fprintf(w, "  error %s", r.Error)
			if r.Detail != "" {
				fmt.Fprintf(w, " (%s)", r.Detail)
			}
		}
		switch {
		case r.Branch != "" && r.Next != "":
			fmt.Fprintf(w, "  %s → %s\n", r.Branch, r.Next)
		case r.Branch != "":
			fmt.Fprintf(w, "  %s → end\n", r.Branch)
		case r.stop != "":
			fmt.Fprintf(w, "  %s\n", r.stop)
		default:
			fmt.Fprintln(w)
		}
	}
	fmt.Fprint(w, "End: ")
	switch {
	case res.err != nil:
		fmt.Fprintf(w, "flow error: %v\n", res.err)
	case res.status == flow.StatusWaiting:
		fmt.Fprintf(w, "%s (%s waits: %s)\n", res.stopped, res.st.Action, strings.ToLower(string(res.st.Wait)))
	case e.end != "":
		fmt.Fprintln(w, e.end)
	case res.status == flow.StatusEnded:
		fmt.Fprintln(w, "the flow ended (a chat that is neither queued nor with an agent ends here)")
	default:
		fmt.Fprintln(w, strings.ToLower(string(res.status)))
	}
	if len(e.contact.Attributes) > 0 {
		fmt.Fprintf(w, "Attributes: %s\n", pairs(e.contact.Attributes))
	}
	if res.st != nil && len(res.st.EventHooks) > 0 {
		fmt.Fprintf(w, "Event hooks: %s\n", pairs(res.st.EventHooks))
	}
	for _, s := range res.unsaid {
		fmt.Fprintf(w, "Not said: %s\n", s)
	}
}

// pairs formats a map as {k=v, …} in key order.
func pairs(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func lastPart(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// compactInteractive shows an interactive message on one line: [ListPicker] title: choice | choice.
func compactInteractive(content string) string {
	var m struct {
		TemplateType string `json:"templateType"`
		Data         struct {
			Content struct {
				Title    string `json:"title"`
				Elements []struct {
					Title string `json:"title"`
				} `json:"elements"`
				TimeSlots []struct {
					Date string `json:"date"`
				} `json:"timeslots"`
			} `json:"content"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(content), &m); err != nil || m.TemplateType == "" {
		if len(content) > 80 {
			content = content[:80] + "…"
		}
		return "[interactive] " + content
	}
	c := m.Data.Content
	var choices []string
	for _, el := range c.Elements {
		choices = append(choices, el.Title)
	}
	for _, ts := range c.TimeSlots {
		choices = append(choices, ts.Date)
	}
	s := "[" + m.TemplateType + "] " + c.Title
	if len(choices) > 0 {
		s += ": " + strings.Join(choices, " | ")
	}
	return s
}
