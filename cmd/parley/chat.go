package main

// parley chat: a chat participant in the terminal, built on package client.
//
//	parley chat [flags]                                   start a chat as a customer
//	parley chat --participant-token T [flags]             join a chat with an existing ParticipantToken
//
// Interactive mode (stdin is a terminal): the transcript so far, then live messages; what you type is sent when
// you press Enter; others see you typing and you see them typing; your messages show when they were delivered
// and read, and messages you see are marked read; /quit or Ctrl-D on an empty line leaves the chat. When the flow
// asks the customer to sign in (authentication.initiated), the sign-in link is printed, to open in a browser; /skip
// goes on without signing in (CancelParticipantAuthentication).
//
// Scripting mode (--script, or stdin is not a terminal): every line of stdin is sent as a text/plain message;
// every event is printed on stdout as one JSON object per line ({"event":"chat",…} first, then "message",
// "typing", "readReceipt", …, "sent" for each message the service accepted, "error" for one it did not;
// "authenticationUrl" after an authentication.initiated event, with the sign-in link as its content);
// messages from others get delivered receipts. At the end of stdin the participant leaves the chat (with --wait
// it stays until someone else ends it).
//
// Exit codes (both modes): 0 this participant left (end of input, /quit, Ctrl-D, Ctrl-C, SIGTERM); 3 the chat
// was ended by someone else (an agent, the customer, a timeout, StopContact); 1 an error (cannot start or join,
// the connection broke for good); 2 bad usage.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// Exit codes of parley chat.
const (
	exitLeft  = 0 // this participant left
	exitError = 1
	exitEnded = 3 // someone else ended the chat
)

// chat runs `parley chat` for main: stdin is the process's, and an exit code other than 0 and 1 ends the
// process here (run's callers only know errors).
func chat(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := runChat(ctx, args, getenv, os.Stdin, stdout, stderr)
	if err != nil {
		return err
	}
	if code != exitLeft {
		os.Exit(code)
	}
	return nil
}

// chatOptions are the flags of parley chat.
type chatOptions struct {
	endpoint, region               string
	instanceID, contactFlowID      string
	name, message                  string
	participantToken               string
	participantID, contactID       string
	authRedirectURI                string
	script, wait, history, receipt bool
	verbose                        bool
}

func parseChatFlags(args []string, getenv func(string) string, stderr io.Writer) (*chatOptions, error) {
	o := &chatOptions{}
	fs := flag.NewFlagSet("parley chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: parley chat [flags]

Chat in the terminal as a customer (a new chat) or as any participant (--participant-token). When stdin is not a
terminal (or with --script), stdin lines become messages and events are printed as JSON lines.
Exit codes: 0 you left, 3 someone else ended the chat, 1 error, 2 usage.

`)
		fs.PrintDefaults()
	}
	def := envOr(getenv)
	fs.StringVar(&o.endpoint, "endpoint", def("PARLEY_ENDPOINT", "http://127.0.0.1:8080"),
		"parley's endpoint, for both APIs; empty means Amazon Connect in --region (env PARLEY_ENDPOINT)")
	fs.StringVar(&o.region, "region", def("AWS_REGION", "us-west-2"), "AWS region (env AWS_REGION)")
	fs.StringVar(&o.instanceID, "instance-id", "", "instance to start the chat in (default: the first ListInstances returns)")
	fs.StringVar(&o.contactFlowID, "contact-flow-id", "", "contact flow of the chat (default: the instance's first CONTACT_FLOW)")
	fs.StringVar(&o.name, "name", "Customer", "your display name in a new chat")
	fs.StringVar(&o.message, "message", "", "initial message of a new chat")
	fs.StringVar(&o.participantToken, "participant-token", "", "join a chat with this ParticipantToken instead of starting one")
	fs.StringVar(&o.participantID, "participant-id", "", "with --participant-token: your ParticipantId (learnt from your first message otherwise)")
	fs.StringVar(&o.contactID, "contact-id", "", "with --participant-token: the chat's ContactId (learnt otherwise)")
	fs.StringVar(&o.authRedirectURI, "auth-redirect-uri", "", "where the identity provider sends you back after signing in "+
		"(default: parley's own page, the endpoint's "+server.AuthCallbackPath+")")
	fs.BoolVar(&o.script, "script", false, "scripting mode even when stdin is a terminal")
	fs.BoolVar(&o.wait, "wait", false, "scripting mode: at the end of stdin, stay until the chat ends instead of leaving")
	fs.BoolVar(&o.history, "history", true, "show the transcript so far")
	fs.BoolVar(&o.receipt, "receipts", true, "send read (interactive) or delivered (scripting) receipts for others' messages")
	fs.BoolVar(&o.verbose, "verbose", false, "log the connection's details on stderr")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// envOr returns a function that reads an environment variable, or fallback when it is empty: a flag's default.
func envOr(getenv func(string) string) func(env, fallback string) string {
	return func(env, fallback string) string {
		if v := getenv(env); v != "" {
			return v
		}
		return fallback
	}
}

// runChat is parley chat with its input and outputs given; it returns the exit code, or an error (exit code 1,
// or 2 for flag.ErrHelp).
func runChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	o, err := parseChatFlags(args, getenv, stderr)
	if err != nil {
		return exitError, err
	}
	interactive := false
	var tty *os.File
	if f, ok := stdin.(*os.File); ok && !o.script && isTerminal(f) {
		interactive, tty = true, f
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	creds := client.Credentials{AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN")}
	details := client.ChatDetails{ParticipantToken: o.participantToken, ParticipantID: o.participantID, ContactID: o.contactID}
	if details.ParticipantToken == "" {
		if details, err = startChat(ctx, o, creds); err != nil {
			return exitError, err
		}
	}
	s, err := client.NewSession(details, client.Options{Endpoint: o.endpoint, Region: o.region, Logger: log,
		ReplayTranscript: o.history})
	if err != nil {
		return exitError, err
	}
	defer s.Close()
	events := s.Events()
	if err := s.Connect(ctx); err != nil {
		return exitError, fmt.Errorf("connect: %w", err)
	}
	c := &chatRun{o: o, s: s, events: events, stdout: stdout, sendResults: make(chan sendResult, 16)}
	if interactive {
		return c.interactive(ctx, tty)
	}
	return c.script(ctx, stdin)
}

// startChat starts a chat as a customer, finding the instance and flow when they are not given.
func startChat(ctx context.Context, o *chatOptions, creds client.Credentials) (client.ChatDetails, error) {
	li := client.ListInput{Endpoint: o.endpoint, Region: o.region, Credentials: creds}
	if o.instanceID == "" {
		ins, err := client.ListInstances(ctx, li)
		if err != nil {
			return client.ChatDetails{}, fmt.Errorf("find an instance (or pass --instance-id): %w", err)
		}
		if len(ins) == 0 {
			return client.ChatDetails{}, errors.New("no instance: pass --instance-id")
		}
		o.instanceID = ins[0].ID
	}
	if o.contactFlowID == "" {
		flows, err := client.ListContactFlows(ctx, li, o.instanceID, "CONTACT_FLOW")
		if err != nil {
			return client.ChatDetails{}, fmt.Errorf("find a contact flow (or pass --contact-flow-id): %w", err)
		}
		if len(flows) == 0 {
			return client.ChatDetails{}, errors.New("no contact flow: pass --contact-flow-id")
		}
		o.contactFlowID = flows[0].ID
		for _, f := range flows {
			if f.Name == parley.DefaultFlowName {
				o.contactFlowID = f.ID
			}
		}
	}
	in := client.StartChatInput{Endpoint: o.endpoint, Region: o.region, Credentials: creds, InstanceID: o.instanceID,
		ContactFlowID: o.contactFlowID, DisplayName: o.name,
		SupportedMessagingContentTypes: []string{client.ContentTypeTextPlain, client.ContentTypeTextMarkdown}}
	if o.message != "" {
		in.InitialMessage = &client.Message{ContentType: client.ContentTypeTextPlain, Content: o.message}
	}
	d, err := client.StartChat(ctx, in)
	if err != nil {
		return client.ChatDetails{}, fmt.Errorf("start a chat: %w", err)
	}
	return d, nil
}

// chatRun is one run of parley chat after Connect.
type chatRun struct {
	o           *chatOptions
	s           *client.Session
	events      <-chan client.Event
	stdout      io.Writer
	sendResults chan sendResult
	left        bool // we asked to leave
}

type sendResult struct {
	content string
	res     client.SendResult
	err     error
}

// sender sends queued messages one at a time, in order, and reports each result. It returns when the queue is
// closed and drained, or ctx is done.
func (c *chatRun) sender(ctx context.Context, queue <-chan string, done chan<- struct{}) {
	defer close(done)
	for {
		var text string
		select {
		case t, ok := <-queue:
			if !ok {
				return
			}
			text = t
		case <-ctx.Done():
			return
		}
		res, err := c.s.SendMessage(ctx, client.ContentTypeTextPlain, text)
		select {
		case c.sendResults <- sendResult{text, res, err}:
		case <-ctx.Done():
			return
		}
	}
}

// outbox holds the messages waiting for the sender, so that the main loop never blocks on it.
type outbox struct {
	queue   chan string
	backlog []string
	closing bool // no more messages: close the queue once the backlog is handed over
}

// push is the channel to hand the next message to, or nil when there is none.
func (o *outbox) push() chan<- string {
	if len(o.backlog) == 0 {
		return nil
	}
	return o.queue
}

func (o *outbox) next() string {
	if len(o.backlog) == 0 {
		return ""
	}
	return o.backlog[0]
}

// handed removes the message the sender took, and closes the queue when it was the last one.
func (o *outbox) handed() {
	o.backlog = o.backlog[1:]
	o.closeIfDone()
}

// finish says no more messages come.
func (o *outbox) finish() {
	o.closing = true
	o.closeIfDone()
}

func (o *outbox) closeIfDone() {
	if o.closing && len(o.backlog) == 0 && o.queue != nil {
		close(o.queue)
		o.queue = nil
	}
}

// startSender starts the sender goroutine; wait waits for it (and it stops when the returned cancel is called).
func (c *chatRun) startSender(ctx context.Context) (o *outbox, sent <-chan struct{}, stop func()) {
	o = &outbox{queue: make(chan string)}
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	go c.sender(ctx, o.queue, done)
	return o, done, func() {
		cancel()
		<-done
	}
}

// leave disconnects the participant; the chat's end then arrives as an event.
func (c *chatRun) leave(ctx context.Context) error {
	if c.left {
		return nil
	}
	c.left = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.s.Disconnect(ctx); err != nil && !client.IsAccessDenied(err) {
		return err
	}
	return nil
}

// endCode is the exit code once the session ended.
func (c *chatRun) endCode(e client.Event) (int, error) {
	switch {
	case e.Type == client.EventConnectionBroken:
		return exitError, fmt.Errorf("connection broken: %w", e.Err)
	case c.left:
		return exitLeft, nil
	}
	return exitEnded, nil
}

// fromOthers reports whether e is a message or attachment another participant sent (the ones to acknowledge).
func (c *chatRun) fromOthers(e client.Event) bool {
	it := e.Item
	return e.Type == client.EventMessage && (it.Type == client.ItemTypeMessage || it.Type == client.ItemTypeAttachment) &&
		it.ParticipantRole != client.RoleSystem && it.ParticipantID != c.s.ChatDetails().ParticipantID
}

// jsonLine is one line of scripting mode's output.
type jsonLine struct {
	Event            string     `json:"event"`
	Time             string     `json:"time,omitempty"`
	Item             *wire.Item `json:"item,omitempty"`
	FromTranscript   bool       `json:"fromTranscript,omitempty"`
	Error            string     `json:"error,omitempty"`
	ContactID        string     `json:"contactId,omitempty"`
	ParticipantID    string     `json:"participantId,omitempty"`
	ParticipantToken string     `json:"participantToken,omitempty"`
	ID               string     `json:"id,omitempty"`
	AbsoluteTime     string     `json:"absoluteTime,omitempty"`
	Content          string     `json:"content,omitempty"`
}

func (c *chatRun) print(l jsonLine) {
	if l.Time == "" {
		l.Time = wire.FormatTime(time.Now())
	}
	b, _ := json.Marshal(l)
	c.stdout.Write(append(b, '\n'))
}

// script is scripting mode.
func (c *chatRun) script(ctx context.Context, stdin io.Reader) (int, error) {
	d := c.s.ChatDetails()
	c.print(jsonLine{Event: "chat", ContactID: d.ContactID, ParticipantID: d.ParticipantID, ParticipantToken: d.ParticipantToken})

	o, sent, stop := c.startSender(ctx)
	defer stop()
	lines := readLines(ctx, stdin)
	var endTimeout <-chan time.Time
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				lines = nil
				o.finish() // after the queued messages are sent, leave (unless --wait)
				continue
			}
			if strings.TrimSpace(line) != "" {
				o.backlog = append(o.backlog, line)
			}
		case o.push() <- o.next():
			o.handed()
		case <-sent:
			sent = nil
			if !c.o.wait {
				if err := c.leave(ctx); err != nil {
					return exitError, err
				}
				endTimeout = time.After(30 * time.Second)
			}
		case r := <-c.sendResults:
			if r.err != nil {
				c.print(jsonLine{Event: "error", Error: r.err.Error(), Content: r.content})
				continue
			}
			c.print(jsonLine{Event: "sent", ID: r.res.ID, AbsoluteTime: r.res.AbsoluteTime, Content: r.content})
		case e, ok := <-c.events:
			if !ok {
				return exitError, errors.New("the session closed")
			}
			l := jsonLine{Event: e.Type.String(), Time: wire.FormatTime(e.Time), FromTranscript: e.FromTranscript}
			switch e.Type {
			case client.EventConnectionEstablished:
			case client.EventConnectionLost, client.EventConnectionBroken:
				if e.Err != nil {
					l.Error = e.Err.Error()
				}
			default:
				it := e.Item
				l.Item = &it
				if e.Err != nil {
					l.Error = e.Err.Error()
				}
			}
			c.print(l)
			if e.Type == client.EventAuthenticationInitiated {
				c.printSignIn(e)
			}
			if c.o.receipt && c.fromOthers(e) {
				_ = c.s.SendDeliveredReceipt(e.Item.ID)
			}
			if e.Type == client.EventEnded || e.Type == client.EventConnectionBroken {
				return c.endCode(e)
			}
		case <-endTimeout:
			return exitLeft, nil // left, but the service did not confirm the end in time
		case <-ctx.Done():
			if err := c.leave(ctx); err != nil {
				return exitError, err
			}
			return exitLeft, nil
		}
	}
}

// printSignIn prints the sign-in link of the session an authentication.initiated event starts, as an
// "authenticationUrl" line (its id the SessionId, its content the link), or an "error" line saying why there is
// none. A replayed event of a session that has ended prints nothing.
func (c *chatRun) printSignIn(e client.Event) {
	session := client.AuthenticationSessionID(e.Item)
	u, err := c.signInURL(session)
	switch {
	case err != nil && e.FromTranscript:
	case err != nil:
		c.print(jsonLine{Event: "error", ID: session, Error: "sign-in link: " + err.Error()})
	default:
		c.print(jsonLine{Event: "authenticationUrl", ID: session, Content: u})
	}
}

// readLines reads stdin's lines until its end (the channel is then closed) or ctx is done.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// isTerminal reports whether f is a terminal whose modes stty can read.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	_, err = stty(f, "-g")
	return err == nil
}

// stty runs stty on the terminal f. The standard library has no terminal API and cmd/parley takes no
// dependency for one; stty is on every Unix system.
func stty(f *os.File, args ...string) (string, error) {
	cmd := exec.Command("stty", args...)
	cmd.Stdin = f
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
