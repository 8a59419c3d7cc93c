package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

const testWait = time.Minute

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*testWait)
	t.Cleanup(cancel)
	return ctx
}

func noEnv(string) string { return "" }

// lockedBuffer collects output written by one goroutine and read by another.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitOutput waits until the output contains want.
func waitOutput(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output does not contain %q:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitCount waits until out contains want n times.
func waitCount(t *testing.T, out interface{ String() string }, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for strings.Count(out.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("output contains %q %d times, want %d:\n%s", want, strings.Count(out.String(), want), n, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// jsonEvents parses scripting mode's output.
func jsonEvents(t *testing.T, out string) []jsonLine {
	t.Helper()
	var evs []jsonLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l jsonLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line is not JSON: %q", sc.Text())
		}
		evs = append(evs, l)
	}
	return evs
}

// waitEvent waits for a JSON line that matches.
func waitEvent(t *testing.T, out *lockedBuffer, what string, match func(jsonLine) bool) jsonLine {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		for _, l := range jsonEvents(t, out.String()) {
			if match(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in the output:\n%s", what, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type chatResult struct {
	code int
	err  error
}

// goRun runs a command in-process on a goroutine and returns its result's channel. When the test ends, the
// command's context is cancelled and goRun waits for it to return before earlier cleanups (a terminal's, a
// pipe's) close what it still reads: a test that fails early must not race with a command still running.
func goRun(t *testing.T, ctx context.Context, run func(context.Context) (int, error)) <-chan chatResult {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan chatResult, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		code, err := run(ctx)
		done <- chatResult{code, err}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(testWait):
			t.Errorf("the command did not end when its context was cancelled")
		}
	})
	return done
}

// startRunChat runs parley chat in-process with stdin fed through the returned writer.
func startRunChat(t *testing.T, ctx context.Context, args ...string) (io.WriteCloser, *lockedBuffer, <-chan chatResult) {
	t.Helper()
	inR, inW := io.Pipe()
	out := &lockedBuffer{}
	t.Cleanup(func() { inW.Close() })
	done := goRun(t, ctx, func(ctx context.Context) (int, error) {
		defer inR.Close()
		return runChat(ctx, args, noEnv, inR, out, io.Discard)
	})
	return inW, out, done
}

func result(t *testing.T, done <-chan chatResult) chatResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(testWait):
		t.Fatal("parley chat did not end")
	}
	return chatResult{}
}

// botSession joins the chat as a bot.
func botSession(t *testing.T, ctx context.Context, srv *testserver.Server, contactID string) (*client.Session, <-chan client.Event) {
	t.Helper()
	bd, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: srv.URL, Region: srv.Region,
		InstanceID: srv.InstanceID, ContactID: contactID, DisplayName: "Bot"})
	if err != nil {
		t.Fatal(err)
	}
	bot, err := client.NewSession(bd, client.Options{Endpoint: srv.URL, ReceiptThrottle: -1, TypingThrottle: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bot.Close() })
	events := bot.Events()
	if err := bot.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return bot, events
}

// nextEvent waits for an event of the bot that matches.
func nextEvent(t *testing.T, events <-chan client.Event, what string, match func(client.Event) bool) client.Event {
	t.Helper()
	timeout := time.After(testWait)
	var seen []string
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the bot's session ended before %s", what)
			}
			if match(e) {
				return e
			}
			seen = append(seen, e.Type.String()+" "+e.Item.ContentType+" "+e.Item.Content)
		case <-timeout:
			t.Fatalf("the bot saw no %s; it saw:\n%s", what, strings.Join(seen, "\n"))
		}
	}
}

// TestChatScript: parley chat as a customer in scripting mode: it finds the instance and flow, starts the chat,
// sends stdin's lines, prints events as JSON lines, sends delivered receipts, and leaves at the end of stdin
// with exit code 0.
func TestChatScript(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	stdin, out, done := startRunChat(t, ctx, "--endpoint", srv.URL, "--name", "Ann", "--message", "hi, it's Ann")

	chat := waitEvent(t, out, "chat event", func(l jsonLine) bool { return l.Event == "chat" })
	if chat.ContactID == "" || chat.ParticipantID == "" || chat.ParticipantToken == "" {
		t.Fatalf("chat event = %+v", chat)
	}
	// The transcript so far is replayed: the initial message.
	waitEvent(t, out, "replayed initial message", func(l jsonLine) bool {
		return l.Event == "message" && l.FromTranscript && l.Item.Content == "hi, it's Ann" && l.Item.DisplayName == "Ann"
	})
	bot, botEvents := botSession(t, ctx, srv, chat.ContactID)

	if _, err := io.WriteString(stdin, "where is my order?\n\nsecond line\n"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"where is my order?", "second line"} {
		e := nextEvent(t, botEvents, "the customer's message", func(e client.Event) bool {
			return e.Type == client.EventMessage &&
				e.Item.Type == client.ItemTypeMessage
		})
		if e.Item.Content != want || e.Item.ParticipantID != chat.ParticipantID {
			t.Fatalf("bot got %+v, want %q from the customer", e.Item, want)
		}
		sent := waitEvent(t, out, "sent", func(l jsonLine) bool { return l.Event == "sent" && l.Content == want })
		if sent.ID != e.Item.ID {
			t.Fatalf("sent event %+v, but the bot got Id %s", sent, e.Item.ID)
		}
	}
	reply, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "on its way")
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.SendTyping(ctx); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, out, "the bot's message", func(l jsonLine) bool {
		return l.Event == "message" && l.Item.ID == reply.ID && l.Item.ParticipantRole == client.RoleCustomBot && !l.FromTranscript
	})
	waitEvent(t, out, "typing", func(l jsonLine) bool { return l.Event == "typing" && l.Item.DisplayName == "Bot" })
	// The customer acknowledges the bot's message (delivered; scripts do not read).
	dlv := nextEvent(t, botEvents, "delivered receipt", func(e client.Event) bool { return e.Type == client.EventDeliveredReceipt })
	if dlv.Item.MessageMetadata.MessageID != reply.ID {
		t.Fatalf("delivered receipt for %s, want %s", dlv.Item.MessageMetadata.MessageID, reply.ID)
	}

	// End of input: the customer leaves, which ends the chat.
	stdin.Close()
	if r := result(t, done); r.err != nil || r.code != exitLeft {
		t.Fatalf("parley chat ended with %d, %v; want %d", r.code, r.err, exitLeft)
	}
	evs := jsonEvents(t, out.String())
	if last := evs[len(evs)-1]; last.Event != "ended" || last.Item.ContentType != client.ContentTypeChatEnded {
		t.Fatalf("last event = %+v, want ended", last)
	}
	nextEvent(t, botEvents, "ended", func(e client.Event) bool { return e.Type == client.EventEnded })
}

// TestChatScriptEndedByOther: parley chat joins with a participant token (a bot's), stays after the end of its
// input (--wait) and exits with code 3 when the customer ends the chat.
func TestChatScriptEndedByOther(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.NewSession(cd, client.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	custEvents := cust.Events()
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	bd, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactID: cd.ContactID, DisplayName: "Script bot"})
	if err != nil {
		t.Fatal(err)
	}
	stdin, out, done := startRunChat(t, ctx, "--endpoint", srv.URL, "--participant-token", bd.ParticipantToken,
		"--wait", "--history=false")
	waitEvent(t, out, "connectionEstablished", func(l jsonLine) bool { return l.Event == "connectionEstablished" })
	io.WriteString(stdin, "hello from a script\n")
	stdin.Close()
	e := nextEvent(t, custEvents, "the script's message", func(e client.Event) bool {
		return e.Type == client.EventMessage && e.Item.Content == "hello from a script"
	})
	if e.Item.ParticipantID != bd.ParticipantID || e.Item.DisplayName != "Script bot" {
		t.Fatalf("customer got %+v", e.Item)
	}
	waitEvent(t, out, "sent", func(l jsonLine) bool { return l.Event == "sent" })
	if err := cust.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if r := result(t, done); r.err != nil || r.code != exitEnded {
		t.Fatalf("parley chat ended with %d, %v; want %d (ended by someone else)", r.code, r.err, exitEnded)
	}
	// Without --participant-id the session learnt it from the first message.
	for _, l := range jsonEvents(t, out.String()) {
		if l.Event == "message" && l.Item.Content == "hello from a script" && l.Item.ParticipantID != bd.ParticipantID {
			t.Fatalf("message event %+v", l)
		}
	}
}

// TestChatErrors: a bad token and bad flags are errors (exit code 1, and 2 for -h through main).
func TestChatErrors(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	code, err := runChat(ctx, []string{"--endpoint", srv.URL, "--participant-token", "nope"}, noEnv,
		strings.NewReader(""), io.Discard, io.Discard)
	if code != exitError || !client.IsAccessDenied(err) {
		t.Fatalf("bad token: %d, %v", code, err)
	}
	code, err = runChat(ctx, []string{"--endpoint", srv.URL, "--instance-id", "nope"}, noEnv,
		strings.NewReader(""), io.Discard, io.Discard)
	if code != exitError || err == nil || !strings.Contains(err.Error(), "contact flow") {
		t.Fatalf("unknown instance: %d, %v", code, err)
	}
	_, err = runChat(ctx, []string{"-h"}, noEnv, strings.NewReader(""), io.Discard, io.Discard)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
}

// TestHelperMain is the parley binary for TestChatExitCodes: it runs main with the arguments in
// PARLEY_TEST_MAIN_ARGS.
func TestHelperMain(t *testing.T) {
	args := os.Getenv("PARLEY_TEST_MAIN_ARGS")
	if args == "" {
		t.Skip("runs only as a subprocess of TestChatExitCodes")
	}
	os.Args = append([]string{"parley"}, strings.Split(args, "\n")...)
	main()
	os.Exit(0)
}

// TestChatExitCodes: the process's exit code says how the chat ended.
func TestChatExitCodes(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	parley := func(stdin io.Reader, args ...string) (int, string) {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperMain$")
		cmd.Env = append(os.Environ(), "PARLEY_TEST_MAIN_ARGS="+strings.Join(args, "\n"))
		cmd.Stdin = stdin
		var stdout strings.Builder
		cmd.Stdout = &stdout
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stdout.String()
	}
	// 0: end of input, the customer left.
	if code, out := parley(strings.NewReader("bye\n"), "chat", "--endpoint", srv.URL); code != 0 ||
		!strings.Contains(out, `"event":"ended"`) {
		t.Fatalf("exit code %d, want 0; output:\n%s", code, out)
	}
	// 1: an error.
	if code, _ := parley(strings.NewReader(""), "chat", "--endpoint", srv.URL, "--participant-token", "nope"); code != 1 {
		t.Fatalf("bad token: exit code %d, want 1", code)
	}
	// 0: help asked for; 2: a usage error.
	if code, _ := parley(strings.NewReader(""), "chat", "-h"); code != 0 {
		t.Fatalf("-h: exit code %d, want 0", code)
	}
	if code, _ := parley(strings.NewReader(""), "chat", "--no-such-flag"); code != 2 {
		t.Fatalf("--no-such-flag: exit code %d, want 2", code)
	}
	// 3: someone else ended the chat.
	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	bd, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactID: cd.ContactID, DisplayName: "Bot"})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.NewSession(cd, client.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	type res struct {
		code int
		out  string
	}
	ch := make(chan res, 1)
	go func() {
		code, out := parley(pr, "chat", "--endpoint", srv.URL, "--participant-token", bd.ParticipantToken, "--wait")
		ch <- res{code, out}
	}()
	// Wait until the bot's socket is up (its first message arrives), then the customer ends the chat.
	custEvents := cust.Events()
	io.WriteString(pw, "ready\n")
	pw.Close() // with --wait, the end of input does not end the chat (and exec waits for stdin to be drained)
	for e := range custEvents {
		if e.Type == client.EventMessage && e.Item.Content == "ready" {
			break
		}
	}
	if err := cust.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-ch; r.code != exitEnded {
		t.Fatalf("ended by the customer: exit code %d, want %d; output:\n%s", r.code, exitEnded, r.out)
	}
}
