package main

// parley agent: the agent workspace in a terminal, on the agent API (docs/agent-api.md) and the Participant API,
// built on package client.
//
//	parley agent [--username agent] [flags]    log in (password from PARLEY_AGENT_PASSWORD, or asked for)
//
// It logs in, goes Available and shows offers as they come; the agent accepts or rejects them, chats with several
// customers at once (one chat is shown at a time; the others count their unread messages in the status line),
// transfers, ends chats and clears after-contact work, with the /commands of agentHelp. An offer not accepted in
// time leaves the agent Missed until /available. /quit logs out (the agent goes Offline).
//
// Exit codes: 0 the agent logged out (/quit, Ctrl-D, Ctrl-C, SIGTERM); 1 an error (cannot log in, the login
// session ended); 2 bad usage.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

// agentCmd runs `parley agent` for main, on the process's terminal.
func agentCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := runAgent(ctx, args, getenv, os.Stdin, stdout, stderr)
	return err
}

// agentOptions are the flags of parley agent.
type agentOptions struct {
	endpoint, region     string
	username, instanceID string
	status               string
	verbose              bool
}

func parseAgentFlags(args []string, getenv func(string) string, stderr io.Writer) (*agentOptions, error) {
	o := &agentOptions{}
	fs := flag.NewFlagSet("parley agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: parley agent [flags]

The agent workspace in a terminal: log in, take offered chats, chat with several customers, transfer, end and
clear after-contact work. The password comes from PARLEY_AGENT_PASSWORD, or is asked for. Type /help inside.
Exit codes: 0 you logged out, 1 error, 2 usage.

`)
		fs.PrintDefaults()
	}
	def := envOr(getenv)
	fs.StringVar(&o.endpoint, "endpoint", def("PARLEY_ENDPOINT", "http://127.0.0.1:8080"),
		"parley's endpoint, for the agent API and the Participant API (env PARLEY_ENDPOINT)")
	fs.StringVar(&o.region, "region", def("AWS_REGION", "us-west-2"), "AWS region of the Participant API (env AWS_REGION)")
	fs.StringVar(&o.username, "username", def("PARLEY_AGENT_USERNAME", "agent"), "your username (env PARLEY_AGENT_USERNAME)")
	fs.StringVar(&o.instanceID, "instance-id", "", "your instance (needed only when the server has several)")
	fs.StringVar(&o.status, "status", "Available", "the status to set after logging in; empty keeps the current one")
	fs.BoolVar(&o.verbose, "verbose", false, "log the connections' details on stderr")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.endpoint == "" {
		return nil, errors.New("--endpoint is required: the agent API is parley's own")
	}
	return o, nil
}

// runAgent is parley agent with its terminal and outputs given; it returns the exit code, or an error (exit code
// 1, or 2 for flag.ErrHelp).
func runAgent(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	o, err := parseAgentFlags(args, getenv, stderr)
	if err != nil {
		return exitError, err
	}
	tty, ok := stdin.(*os.File)
	if !ok || !isTerminal(tty) {
		return exitError, errors.New("parley agent needs a terminal (for scripts, use the agent API: docs/agent-api.md)")
	}
	password := getenv("PARLEY_AGENT_PASSWORD")
	if password == "" {
		if password, err = askPassword(tty, stdout, o.username); err != nil {
			return exitError, err
		}
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	a, err := client.Login(ctx, client.LoginInput{Endpoint: o.endpoint, Username: o.username, Password: password,
		InstanceID: o.instanceID})
	if err != nil {
		return exitError, fmt.Errorf("log in as %s: %w", o.username, err)
	}
	w := &workspace{a: a, o: o, log: log, sc: &screen{out: stdout}, tabs: map[string]*agentTab{},
		results: make(chan func()), chatEvents: make(chan tabEvent)}
	return w.run(ctx, tty)
}

// askPassword reads a password from the terminal without echoing it.
func askPassword(tty *os.File, out io.Writer, username string) (string, error) {
	if saved, err := stty(tty, "-g"); err == nil {
		if _, err := stty(tty, "-echo"); err == nil {
			defer stty(tty, saved)
		}
	}
	fmt.Fprintf(out, "Password for %s: ", username) // after echo is off: what is typed after the prompt stays unseen
	defer fmt.Fprint(out, "\r\n")
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := tty.Read(b)
		if n == 1 {
			if b[0] == '\n' || b[0] == '\r' {
				break
			}
			line = append(line, b[0])
		}
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
	}
	if len(line) == 0 {
		return "", errors.New("no password (set PARLEY_AGENT_PASSWORD or type it)")
	}
	return string(line), nil
}

const agentHelp = `Commands:
  /available          go Available (also after a missed offer)
  /offline            go Offline: no more offers
  /status NAME        set a custom status
  /accept [N]         accept offer N (the only one when N is left out)
  /reject [N]         reject offer N
  /N or /switch N     show chat N: its unread messages, then what comes
  /chats              list your chats
  /transfer           list the quick connects
  /transfer TARGET    transfer this chat: a quick connect (name or number), queue:QueueId or user:UserId
  /end                end this chat (after-contact work begins)
  /clear [N]          clear after-contact work of chat N (this one when N is left out)
  /quit               log out (you go Offline) and leave
Anything else is a message to the chat shown.`

// agentTab is one contact of the agent: an offer, a chat, or a chat in after-contact work.
type agentTab struct {
	n         int // the number the agent calls it by
	c         wire.AgentContact
	announced bool // the offer was shown
	accepted  bool // this workspace accepted it (and shows it)

	s        *client.Session // once joined, until the chat ends for the agent
	joining  bool
	left     bool        // the chat session ended: never join again
	send     chan string // to the sender goroutine, while s is set
	names    map[string]string
	backlog  []string // lines not shown yet: the chat is not the one shown
	unread   []string // Ids of others' messages in backlog, to mark read when shown
	typingAt time.Time
}

// label names the tab: "#2 Bob".
func (t *agentTab) label() string {
	name := t.c.CustomerName
	if name == "" {
		name = "customer"
	}
	return fmt.Sprintf("#%d %s", t.n, name)
}

// tabEvent is an event of a tab's chat session.
type tabEvent struct {
	t *agentTab
	e client.Event
}

// workspace is the state of parley agent. Only the run loop's goroutine touches it; work that waits on the
// network runs in goroutines that hand the loop a function to apply (results), and each chat session's events
// reach the loop through chatEvents.
type workspace struct {
	a   *client.Agent
	o   *agentOptions
	log *slog.Logger
	sc  *screen

	ctx        context.Context // the loop's: canceled when it returns
	wg         sync.WaitGroup  // every goroutine the workspace started
	results    chan func()
	chatEvents chan tabEvent

	state      wire.AgentState
	tabs       map[string]*agentTab // by ContactId
	cur        *agentTab            // the chat shown
	lost       bool                 // the event stream is reconnecting
	warnedQuit bool                 // /quit with chats open was refused once
}

// run is the workspace's loop on the terminal tty, until the agent quits or the login session ends.
func (w *workspace) run(ctx context.Context, tty *os.File) (int, error) {
	defer rawMode(tty)()
	defer fmt.Fprint(w.sc.out, "\r\x1b[K")
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.ctx = loopCtx
	defer func() {
		cancel()
		for _, t := range w.tabs {
			w.closeSession(t)
		}
		w.wg.Wait()
	}()

	u := w.a.User()
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.Username
	}
	w.sc.line("Logged in as %s (%s). Offers and chats appear here; type /help for the commands.", u.Username, name)
	evs := w.a.Events(loopCtx)
	defer evs.Close()
	if w.o.status != "" {
		w.setStatus(w.o.status)
	}
	keys := readKeys(loopCtx, tty)
	tick := time.NewTicker(time.Second) // offer countdowns, typing indicators
	defer tick.Stop()
	var pending []byte
	for {
		select {
		case b, ok := <-keys:
			if !ok {
				return w.logout()
			}
			pending = append(pending, b...)
			for len(pending) > 0 {
				before := len(pending)
				var e edit
				pending, e = editLine(w.sc, pending)
				if e.typed && w.cur != nil && w.cur.s != nil {
					s := w.cur.s
					w.goDo(func(ctx context.Context) func() { _ = s.SendTyping(ctx); return nil })
				}
				if e.quit {
					return w.logout()
				}
				if e.enter {
					if done, code, err := w.command(strings.TrimSpace(e.line)); done {
						return code, err
					}
				}
				if !e.enter && len(pending) == before {
					break // an incomplete sequence: wait for more bytes
				}
			}
		case f := <-w.results:
			if f != nil {
				f()
			}
		case te := <-w.chatEvents:
			w.chatEvent(te.t, te.e)
		case ev, ok := <-evs.C():
			if !ok {
				return exitError, errors.New("the agent event stream closed")
			}
			if ev.Type == client.AgentStreamBroken {
				w.sc.line("* The login session ended: %v", ev.Err)
				return exitError, fmt.Errorf("agent events: %w", ev.Err)
			}
			w.agentEvent(ev)
		case <-tick.C:
			w.drawBar()
		case <-ctx.Done(): // Ctrl-C, SIGTERM
			return w.logout()
		}
	}
}

// goDo runs f in a goroutine; the function it returns (if any) is applied by the loop.
func (w *workspace) goDo(f func(ctx context.Context) func()) {
	w.wg.Go(func() {
		apply := f(w.ctx)
		if apply == nil {
			return
		}
		select {
		case w.results <- apply:
		case <-w.ctx.Done():
		}
	})
}

// quit is /quit: it logs out, but refuses once while chats are connected.
func (w *workspace) quit() (done bool, code int, err error) {
	if !w.warnedQuit {
		var open []string
		for _, t := range w.sorted() {
			if t.c.State == wire.AgentContactConnected {
				open = append(open, t.label())
			}
		}
		if len(open) > 0 {
			w.warnedQuit = true
			w.sc.line("! You are still chatting with %s: /end first, or /quit again to log out anyway.", strings.Join(open, ", "))
			return false, 0, nil
		}
	}
	code, err = w.logout()
	return true, code, err
}

// logout logs out (the agent goes Offline, its offers return to their queues); the loop then ends.
func (w *workspace) logout() (int, error) {
	w.sc.line("Logging out…")
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	if err := w.a.Logout(ctx); err != nil {
		return exitError, fmt.Errorf("log out: %w", err)
	}
	return exitLeft, nil
}

// command runs a line the agent entered: a /command or a message to the chat shown. done ends the loop.
func (w *workspace) command(line string) (done bool, code int, err error) {
	if line == "" {
		return false, 0, nil
	}
	if line != "/quit" && line != "/exit" {
		w.warnedQuit = false // "/quit again" means right away
	}
	if !strings.HasPrefix(line, "/") {
		w.sendMessage(line)
		return false, 0, nil
	}
	cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
	arg = strings.TrimSpace(arg)
	if n, err := strconv.Atoi(cmd); err == nil {
		cmd, arg = "switch", strconv.Itoa(n)
	}
	switch cmd {
	case "quit", "exit":
		return w.quit()
	case "help", "?":
		for l := range strings.SplitSeq(agentHelp, "\n") {
			w.sc.line("%s", l)
		}
	case "available":
		w.setStatus("Available")
	case "offline":
		w.setStatus("Offline")
	case "status":
		if arg == "" {
			w.sc.line("! /status NAME: the name of a status, such as Available")
			break
		}
		w.setStatus(arg)
	case "accept":
		if t := w.pick(arg, wire.AgentContactOffered, "offer"); t != nil {
			w.accept(t)
		}
	case "reject":
		if t := w.pick(arg, wire.AgentContactOffered, "offer"); t != nil {
			w.contactAction(t, "reject", w.a.Reject)
		}
	case "switch":
		w.switchTo(arg)
	case "chats":
		w.listChats()
	case "transfer":
		w.transfer(arg)
	case "end":
		if t := w.pick(arg, wire.AgentContactConnected, "chat"); t != nil {
			w.contactAction(t, "end the chat", w.a.End)
		}
	case "clear":
		if t := w.pick(arg, wire.AgentContactACW, "chat in after-contact work"); t != nil {
			w.contactAction(t, "clear after-contact work", w.a.Clear)
		}
	default:
		w.sc.line("! Unknown command /%s; /help lists them.", cmd)
	}
	return false, 0, nil
}

// contactAction calls an agent API action on t's contact; its outcome arrives as agent events, so only a
// failure is shown here.
func (w *workspace) contactAction(t *agentTab, what string, act func(ctx context.Context, contactID string) error) {
	id, label := t.c.ContactID, t.label()
	w.goDo(func(ctx context.Context) func() {
		if err := act(ctx, id); err != nil {
			return func() { w.sc.line("! %s: could not %s: %v", label, what, err) }
		}
		return nil
	})
}

// pick finds the tab a command means: number arg, else the chat shown when it is in the wanted state, else the
// only tab in that state. It says why when there is none.
func (w *workspace) pick(arg, state, what string) *agentTab {
	if arg != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
		t := w.byNumber(n)
		switch {
		case err != nil:
			w.sc.line("! %q is not a number: give the number of the %s (#N)", arg, what)
		case t == nil:
			w.sc.line("! There is no #%d.", n)
		case t.c.State != state:
			w.sc.line("! %s is no %s.", t.label(), what)
		default:
			return t
		}
		return nil
	}
	if w.cur != nil && w.cur.c.State == state {
		return w.cur
	}
	var found []*agentTab
	for _, t := range w.sorted() {
		if t.c.State == state {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		w.sc.line("! There is no %s.", what)
	case 1:
		return found[0]
	default:
		var ls []string
		for _, t := range found {
			ls = append(ls, t.label())
		}
		w.sc.line("! Which %s? %s: add its number.", what, strings.Join(ls, ", "))
	}
	return nil
}

func (w *workspace) byNumber(n int) *agentTab {
	for _, t := range w.tabs {
		if t.n == n {
			return t
		}
	}
	return nil
}

// sorted is the tabs by number.
func (w *workspace) sorted() []*agentTab {
	ts := make([]*agentTab, 0, len(w.tabs))
	for _, t := range w.tabs {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *agentTab) int { return a.n - b.n })
	return ts
}

// setStatus sets the agent's status and says so.
func (w *workspace) setStatus(status string) {
	w.goDo(func(ctx context.Context) func() {
		st, err := w.a.SetStatus(ctx, status)
		return func() {
			if err != nil {
				w.sc.line("! Could not set %s: %v", status, err)
				return
			}
			w.state = st
			w.sc.line("* You are %s.", st.Status) // the status chosen; the status line shows the state
			w.drawBar()
		}
	})
}

// stateName is what the status line shows of the agent's state.
func stateName(st wire.AgentState) string {
	switch st.System {
	case "":
		return "…"
	case wire.SystemCustom:
		return st.Status
	case wire.SystemACW:
		return "After contact work"
	case wire.SystemMissed:
		return "Missed (/available for more offers)"
	}
	return st.System
}

// accept accepts an offer and joins its chat, which becomes the one shown.
func (w *workspace) accept(t *agentTab) {
	t.accepted = true
	id, label := t.c.ContactID, t.label()
	w.goDo(func(ctx context.Context) func() {
		c, err := w.a.Accept(ctx, id)
		return func() {
			if err != nil {
				if t := w.tabs[id]; t != nil {
					t.accepted = false
				}
				w.sc.line("! %s: could not accept: %v", label, err)
				return
			}
			if t := w.tabs[id]; t != nil && !t.left {
				t.c = c
				w.show(t)
				w.join(t)
			}
		}
	})
}

// join opens the chat session of a connected contact whose ParticipantToken is known.
func (w *workspace) join(t *agentTab) {
	if t.s != nil || t.joining || t.left || t.c.State != wire.AgentContactConnected || t.c.ParticipantToken == "" {
		return
	}
	t.joining = true
	s, err := client.NewSession(client.AgentChatDetails(t.c), client.Options{Endpoint: w.o.endpoint, Region: w.o.region,
		Logger: w.log, ReplayTranscript: true})
	if err != nil {
		t.joining = false
		w.sc.line("! %s: %v", t.label(), err)
		return
	}
	events := s.Events()
	w.wg.Go(func() {
		err := s.Connect(w.ctx)
		joined := func() {
			t.joining = false
			if err != nil || t.left || w.tabs[t.c.ContactID] != t {
				w.wg.Go(func() { s.Close() })
				if err != nil {
					w.sc.line("! %s: could not join the chat: %v", t.label(), err)
				}
				return
			}
			t.s, t.send = s, make(chan string, 32)
			w.wg.Go(func() { w.forward(t, events) })
			w.wg.Go(func() { w.sender(t, s, t.send) })
		}
		select {
		case w.results <- joined:
		case <-w.ctx.Done():
			s.Close() // the workspace is closing: nobody takes the session
		}
	})
}

// forward hands a chat session's events to the loop until the session ends.
func (w *workspace) forward(t *agentTab, events <-chan client.Event) {
	for e := range events {
		select {
		case w.chatEvents <- tabEvent{t, e}:
		case <-w.ctx.Done():
			return
		}
	}
}

// sender sends a chat's messages one at a time, in order, until its queue is closed.
func (w *workspace) sender(t *agentTab, s *client.Session, queue <-chan string) {
	for text := range queue {
		_, err := s.SendMessage(w.ctx, client.ContentTypeTextPlain, text)
		if err != nil && w.ctx.Err() == nil {
			select {
			case w.results <- func() { w.sc.line("! %s: not sent (%v): %s", t.label(), err, text) }:
			case <-w.ctx.Done():
			}
		}
	}
}

// closeSession leaves a tab's chat session (the agent API has ended it or moved it on).
func (w *workspace) closeSession(t *agentTab) {
	if t.s == nil {
		return
	}
	s := t.s
	close(t.send)
	t.s, t.send = nil, nil
	w.wg.Go(func() { s.Close() })
}

// sendMessage sends a line to the chat shown.
func (w *workspace) sendMessage(text string) {
	t := w.cur
	switch {
	case t == nil:
		w.sc.line("! No chat is shown: /accept an offer, or /N to show chat N.")
	case t.s == nil && t.c.State == wire.AgentContactConnected:
		w.sc.line("! %s: not connected to the chat (yet); try again shortly.", t.label())
	case t.s == nil:
		w.sc.line("! %s is not a chat you are in.", t.label())
	default:
		select {
		case t.send <- text:
		default:
			w.sc.line("! %s: too many messages waiting; not sent: %s", t.label(), text)
		}
	}
}

// show makes t the chat shown: its unread lines first, marked read.
func (w *workspace) show(t *agentTab) {
	if w.cur == t {
		return
	}
	w.cur = t
	w.sc.line("── %s ──", t.label())
	for _, l := range t.backlog {
		w.sc.line("%s", l)
	}
	t.backlog = nil
	if t.s != nil {
		for _, id := range t.unread {
			_ = t.s.SendReadReceipt(id)
		}
	}
	t.unread = nil
	w.drawBar()
}

func (w *workspace) switchTo(arg string) {
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	t := w.byNumber(n)
	if err != nil || t == nil {
		w.sc.line("! There is no chat %q; /chats lists them.", arg)
		return
	}
	w.show(t)
}

func (w *workspace) listChats() {
	if len(w.tabs) == 0 {
		w.sc.line("No chats. You are %s.", stateName(w.state))
		return
	}
	for _, t := range w.sorted() {
		w.sc.line("  %s  %s  %s%s", t.label(), t.c.QueueName, t.c.State, unreadNote(t))
	}
}

func unreadNote(t *agentTab) string {
	if len(t.unread) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d new)", len(t.unread))
}

// transfer lists the quick connects (no target), or transfers the chat shown to a target.
func (w *workspace) transfer(target string) {
	t := w.cur
	if target != "" && (t == nil || t.c.State != wire.AgentContactConnected) {
		w.sc.line("! Show the chat to transfer first (/N).")
		return
	}
	var id, label string
	if t != nil {
		id, label = t.c.ContactID, t.label()
	}
	w.goDo(func(ctx context.Context) func() {
		var req wire.TransferRequest
		var to string
		var err error
		switch kind, v, _ := strings.Cut(target, ":"); {
		case target != "" && kind == "queue" && v != "":
			req.QueueID, to = v, "queue "+v
		case target != "" && kind == "user" && v != "":
			req.UserID, to = v, "user "+v
		default:
			var qcs []wire.AgentQuickConnect
			if qcs, err = w.a.QuickConnects(ctx); err != nil {
				return func() { w.sc.line("! Could not list the quick connects: %v", err) }
			}
			if target == "" {
				return func() { w.showQuickConnects(qcs) }
			}
			qc := findQuickConnect(qcs, target)
			if qc == nil {
				return func() {
					w.sc.line("! No quick connect %q.", target)
					w.showQuickConnects(qcs)
				}
			}
			req.QuickConnectID, to = qc.ID, qc.Name
		}
		_, err = w.a.Transfer(ctx, id, req)
		return func() {
			if err != nil {
				w.sc.line("! %s: could not transfer to %s: %v", label, to, err)
				return
			}
			w.sc.line("* %s: transferred to %s.", label, to)
		}
	})
}

func (w *workspace) showQuickConnects(qcs []wire.AgentQuickConnect) {
	if len(qcs) == 0 {
		w.sc.line("No quick connects: transfer with /transfer queue:QueueId or /transfer user:UserId.")
		return
	}
	w.sc.line("Quick connects (/transfer NAME or /transfer N):")
	for i, qc := range qcs {
		w.sc.line("  %d. %s (%s)", i+1, qc.Name, strings.ToLower(qc.Type))
	}
}

// findQuickConnect finds a quick connect by its number in the list or its name (case does not matter).
func findQuickConnect(qcs []wire.AgentQuickConnect, target string) *wire.AgentQuickConnect {
	if n, err := strconv.Atoi(target); err == nil && n >= 1 && n <= len(qcs) {
		return &qcs[n-1]
	}
	for i := range qcs {
		if strings.EqualFold(qcs[i].Name, target) {
			return &qcs[i]
		}
	}
	return nil
}

// agentEvent applies an event of the agent event stream.
func (w *workspace) agentEvent(ev client.AgentEvent) {
	switch ev.Type {
	case client.AgentStreamLost:
		if !w.lost {
			w.lost = true
			w.sc.line("* Lost the agent events (%v); reconnecting…", ev.Err)
		}
	case wire.EventState:
		if w.lost {
			w.lost = false
			w.sc.line("* Agent events connected again.")
		}
		w.state = *ev.State
		seen := map[string]bool{}
		for _, c := range ev.State.Contacts {
			seen[c.ContactID] = true
			w.contact(c)
		}
		for id, t := range w.tabs {
			if !seen[id] && !t.joining {
				w.remove(t)
			}
		}
	case wire.EventOffer, wire.EventContactConnected:
		w.contact(*ev.Contact)
	case wire.EventOfferWithdrawn:
		t := w.tabs[ev.ContactID]
		if t == nil {
			break
		}
		switch ev.Reason {
		case "timeout":
			w.sc.line("\a* Offer %s expired: you are Missed and get no offers until /available.", t.label())
		case "customer_left":
			w.sc.line("* Offer %s withdrawn: the customer left.", t.label())
		case "rejected":
			w.sc.line("* Offer %s rejected.", t.label())
		default:
			w.sc.line("* Offer %s withdrawn (%s).", t.label(), ev.Reason)
		}
		w.remove(t)
	case wire.EventContactEnded:
		t := w.tabs[ev.ContactID]
		if t == nil {
			break
		}
		if ev.Contact != nil {
			t.c = *ev.Contact
		} else {
			t.c.State = wire.AgentContactACW
		}
		t.left = true
		w.closeSession(t)
		why := ""
		if ev.Reason != "" {
			why = " (" + strings.ToLower(strings.ReplaceAll(ev.Reason, "_", " ")) + ")"
		}
		w.sc.line("* %s: the chat ended%s. After-contact work: /clear %d when done.", t.label(), why, t.n)
	case wire.EventContactCleared:
		if t := w.tabs[ev.ContactID]; t != nil {
			w.sc.line("* %s: cleared.", t.label())
			w.remove(t)
		}
	}
	w.drawBar()
}

// contact applies a contact the agent API sent: a new offer is shown, a connected chat is joined.
func (w *workspace) contact(c wire.AgentContact) {
	t := w.tabs[c.ContactID]
	if t == nil {
		t = &agentTab{n: w.freeNumber(), names: map[string]string{}}
		w.tabs[c.ContactID] = t
	}
	token, prev := t.c.ParticipantToken, t.c.State
	t.c = c
	if t.c.ParticipantToken == "" {
		t.c.ParticipantToken = token // events after accept may leave it out
	}
	if c.State == wire.AgentContactOffered && !t.announced {
		t.announced = true
		w.sc.line("\a* Offer %s: a chat in %s%s. /accept %d or /reject %d%s.", t.label(), c.QueueName,
			attributesNote(c.Attributes), t.n, t.n, deadlineNote(c.OfferDeadline))
	}
	if c.State == wire.AgentContactConnected {
		switch {
		case w.cur == nil:
			w.show(t)
		case w.cur != t && prev != wire.AgentContactConnected && !t.accepted: // auto-accepted, or from before this login
			w.sc.line("* %s: connected; /%d shows it.", t.label(), t.n)
		}
		w.join(t)
	}
}

func attributesNote(attrs map[string]string) string {
	if len(attrs) == 0 {
		return ""
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var kv []string
	for _, k := range keys {
		kv = append(kv, k+"="+attrs[k])
	}
	return " (" + strings.Join(kv, ", ") + ")"
}

func deadlineNote(deadline string) string {
	d, err := wire.ParseTime(deadline)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" within %ds", max(0, int(time.Until(d).Round(time.Second)/time.Second)))
}

// freeNumber is the smallest tab number not in use.
func (w *workspace) freeNumber() int {
	for n := 1; ; n++ {
		if w.byNumber(n) == nil {
			return n
		}
	}
}

// remove forgets a tab; when it was shown, no chat is shown (or the next one with news).
func (w *workspace) remove(t *agentTab) {
	w.closeSession(t)
	delete(w.tabs, t.c.ContactID)
	if w.cur == t {
		w.cur = nil
		for _, o := range w.sorted() {
			if o.c.State == wire.AgentContactConnected {
				w.show(o)
				break
			}
		}
	}
}

// chatEvent shows an event of a chat session: on the chat shown, at once; on another, in its backlog.
func (w *workspace) chatEvent(t *agentTab, e client.Event) {
	if w.tabs[t.c.ContactID] != t {
		return // the tab is gone
	}
	it := e.Item
	if it.ParticipantID != "" && it.DisplayName != "" {
		t.names[it.ParticipantID] = it.DisplayName
	}
	me := t.c.ParticipantID
	if t.s != nil {
		me = t.s.ChatDetails().ParticipantID
	}
	who := func(id, name string) string { return participantName(id, name, me, t.names) }
	var line string
	switch e.Type {
	case client.EventMessage:
		line = render(it, who(it.ParticipantID, it.DisplayName))
		t.typingAt = time.Time{}
	case client.EventTyping:
		if it.ParticipantID != me {
			t.typingAt = time.Now()
			w.drawBar()
		}
		return
	case client.EventParticipantIdle:
		line = "* " + who(it.ParticipantID, it.DisplayName) + " is idle"
	case client.EventParticipantReturned:
		line = "* " + who(it.ParticipantID, it.DisplayName) + " is back"
	case client.EventConnectionLost:
		line = fmt.Sprintf("* Connection lost (%v); reconnecting…", e.Err)
	case client.EventConnectionBroken:
		line = fmt.Sprintf("* Connection broken: %v", e.Err)
		w.closeSession(t)
	case client.EventEnded:
		t.left = true
		w.closeSession(t)
		return // contact.ended says it, with what comes next
	default:
		return
	}
	fromOthers := e.Type == client.EventMessage && (it.Type == client.ItemTypeMessage || it.Type == client.ItemTypeAttachment) &&
		it.ParticipantRole != client.RoleSystem && it.ParticipantID != me
	line = fmt.Sprintf("#%d %s", t.n, line)
	if w.cur == t {
		w.sc.line("%s", line)
		if fromOthers && t.s != nil {
			_ = t.s.SendReadReceipt(it.ID)
		}
		return
	}
	t.backlog = append(t.backlog, line)
	if fromOthers && !e.FromTranscript {
		t.unread = append(t.unread, it.ID)
		if t.s != nil {
			_ = t.s.SendDeliveredReceipt(it.ID)
		}
	}
	w.drawBar()
}

// drawBar puts the agent's state and its tabs in the prompt line: the chat shown in brackets, unread counts,
// who is typing, offers with the seconds left, chats in after-contact work.
func (w *workspace) drawBar() {
	parts := []string{stateName(w.state)}
	for _, t := range w.sorted() {
		p := t.label()
		switch t.c.State {
		case wire.AgentContactOffered:
			p += " offer" + strings.TrimPrefix(deadlineNote(t.c.OfferDeadline), " within")
		case wire.AgentContactACW:
			p += " ACW"
		}
		if !t.typingAt.IsZero() && time.Since(t.typingAt) < typingShown {
			p += " typing…"
		}
		if n := len(t.unread); n > 0 {
			p += fmt.Sprintf(" (%d new)", n)
		}
		if t == w.cur {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	w.sc.update(func(sc *screen) { sc.status = strings.Join(parts, " | ") })
}
