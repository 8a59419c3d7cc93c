//go:build linux

package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// agentTerminal starts parley agent on a pseudo-terminal against srv; it returns the terminal's master side
// (keys in), the screen (everything written to the terminal), the terminal's modes before, and a function that
// waits for parley agent to end and checks it logged out (exit code 0) and restored the terminal.
func agentTerminal(t *testing.T, ctx context.Context, srv *testserver.Server, getenv func(string) string) (
	master *os.File, screen *lockedBuffer, wait func(what string)) {
	t.Helper()
	master, tty, screen, before := terminal(t)
	done := goRun(t, ctx, func(ctx context.Context) (int, error) {
		return runAgent(ctx, []string{"--endpoint", srv.URL}, getenv, tty, tty, io.Discard)
	})
	return master, screen, func(what string) {
		t.Helper()
		select {
		case r := <-done:
			if r.err != nil || r.code != exitLeft {
				t.Fatalf("%s: parley agent ended with %d, %v", what, r.code, r.err)
			}
		case <-time.After(testWait):
			t.Fatalf("%s did not end parley agent", what)
		}
		if after, err := stty(tty, "-g"); err != nil || after != before {
			t.Fatalf("terminal modes after %s: %q (%v), before %q", what, after, err, before)
		}
	}
}

// passwordEnv is an environment with PARLEY_AGENT_PASSWORD alone.
func passwordEnv(password string) func(string) string {
	return func(k string) string {
		if k == "PARLEY_AGENT_PASSWORD" {
			return password
		}
		return ""
	}
}

// customer starts a chat as a customer with the client package, and connects.
func customer(t *testing.T, ctx context.Context, srv *testserver.Server, name, message string) (*client.Session, <-chan client.Event) {
	t.Helper()
	d, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: name,
		InitialMessage: &client.Message{ContentType: client.ContentTypeTextPlain, Content: message}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := client.NewSession(d, client.Options{Endpoint: srv.URL, ReceiptThrottle: -1, TypingThrottle: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	events := s.Events()
	if err := s.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return s, events
}

// supportQuickConnect creates, with the official SDK, a queue "Support" and a quick connect "Support" to it.
func supportQuickConnect(t *testing.T, ctx context.Context, srv *testserver.Server) {
	t.Helper()
	cfg := aws.Config{Region: srv.Region, Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDPARLEYTEST", SecretAccessKey: "secret"}, nil
		})}
	cc := connect.NewFromConfig(cfg, func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	inst := aws.String(srv.InstanceID)
	hours, err := cc.ListHoursOfOperations(ctx, &connect.ListHoursOfOperationsInput{InstanceId: inst})
	if err != nil || len(hours.HoursOfOperationSummaryList) == 0 {
		t.Fatalf("ListHoursOfOperations: %v", err)
	}
	q, err := cc.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: inst, Name: aws.String("Support"),
		HoursOfOperationId: hours.HoursOfOperationSummaryList[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	flows, err := cc.ListContactFlows(ctx, &connect.ListContactFlowsInput{InstanceId: inst,
		ContactFlowTypes: []ctypes.ContactFlowType{ctypes.ContactFlowTypeQueueTransfer}})
	if err != nil {
		t.Fatal(err)
	}
	var flow *string
	for _, f := range flows.ContactFlowSummaryList {
		if aws.ToString(f.Name) == admin.QueueTransferFlowName {
			flow = f.Id
		}
	}
	if flow == nil {
		t.Fatalf("no %q flow", admin.QueueTransferFlowName)
	}
	if _, err := cc.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: inst, Name: aws.String("Support"),
		QuickConnectConfig: &ctypes.QuickConnectConfig{QuickConnectType: ctypes.QuickConnectTypeQueue,
			QueueConfig: &ctypes.QueueQuickConnectConfig{QueueId: q.QueueId, ContactFlowId: flow}}}); err != nil {
		t.Fatal(err)
	}
}

// isMessage matches a chat message with this content.
func isMessage(content string) func(client.Event) bool {
	return func(e client.Event) bool {
		return e.Type == client.EventMessage && e.Item.Type == client.ItemTypeMessage && e.Item.Content == content
	}
}

// TestAgentWorkspace drives parley agent through a pseudo-terminal as an agent at a terminal would, with two
// customers on the client package: the password prompt, going Available, an offer, accept, messages both ways,
// a second chat at once with the first one's unread count and its read receipt on switching back, a transfer by
// quick connect, ending a chat, clearing after-contact work, rejecting an offer, and /quit.
func TestAgentWorkspace(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	supportQuickConnect(t, ctx, srv)
	_, password, ok := srv.DemoAgent()
	if !ok || password == "" {
		t.Fatal("no demo agent")
	}
	master, screen, waitExit := agentTerminal(t, ctx, srv, noEnv)
	key := func(s string) {
		t.Helper()
		if _, err := master.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}

	waitOutput(t, screen, "Password for agent: ")
	key(password + "\r")
	waitOutput(t, screen, "Logged in as agent (Demo Agent).")
	waitOutput(t, screen, "* You are Available.")
	if strings.Contains(screen.String(), password) {
		t.Fatal("the password was echoed")
	}

	// An offer; accept it; the transcript so far, then messages both ways.
	ann, annEvents := customer(t, ctx, srv, "Ann", "hi, my order is late")
	waitOutput(t, screen, "* Offer #1 Ann: a chat in BasicQueue. /accept 1 or /reject 1 within ")
	key("/accept\r")
	waitOutput(t, screen, "── #1 Ann ──")
	waitOutput(t, screen, "Ann: hi, my order is late")
	nextEvent(t, annEvents, "the agent joining", func(e client.Event) bool {
		return e.Item.ContentType == client.ContentTypeParticipantJoined && e.Item.ParticipantRole == client.RoleAgent
	})
	key("hello Ann, let me look\r")
	nextEvent(t, annEvents, "the agent's message", isMessage("hello Ann, let me look"))
	waitOutput(t, screen, "You: hello Ann, let me look")
	if _, err := ann.SendMessage(ctx, client.ContentTypeTextPlain, "order 1234"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, screen, "Ann: order 1234")

	// A second chat at once: it becomes the one shown; the first one counts what it did not show.
	_, bobEvents := customer(t, ctx, srv, "Bob", "hello?")
	waitOutput(t, screen, "* Offer #2 Bob")
	key("/accept 2\r")
	waitOutput(t, screen, "── #2 Bob ──")
	waitOutput(t, screen, "Bob: hello?")
	waitOutput(t, screen, "[#2 Bob]")
	still, err := ann.SendMessage(ctx, client.ContentTypeTextPlain, "are you still there?")
	if err != nil {
		t.Fatal(err)
	}
	waitOutput(t, screen, "#1 Ann (1 new)")
	if strings.Contains(screen.String(), "Ann: are you still there?") {
		t.Fatal("a message of the chat not shown was printed")
	}
	key("/1\r")
	waitOutput(t, screen, "Ann: are you still there?")
	waitOutput(t, screen, "[#1 Ann]")
	rr := nextEvent(t, annEvents, "a read receipt", func(e client.Event) bool {
		return e.Type == client.EventReadReceipt && e.Item.MessageMetadata.MessageID == still.ID
	})
	if rr.Item.ParticipantRole != client.RoleAgent {
		t.Fatalf("read receipt from %s", rr.Item.ParticipantRole)
	}

	// Transfer Ann's chat by quick connect: Ann sees the transfer, the agent is in after-contact work on it.
	key("/transfer\r")
	waitOutput(t, screen, "1. Support (queue)")
	key("/transfer support\r")
	waitOutput(t, screen, "* #1 Ann: transferred to Support.")
	nextEvent(t, annEvents, "transfer.succeeded", func(e client.Event) bool {
		return e.Item.ContentType == client.ContentTypeTransferSucceeded
	})
	waitOutput(t, screen, "* #1 Ann: the chat ended (transferred). After-contact work: /clear 1 when done.")
	key("/clear 1\r")
	waitOutput(t, screen, "* #1 Ann: cleared.")

	// /quit while chatting with Bob is refused once. Then end Bob's chat and clear it.
	key("/quit\r")
	waitOutput(t, screen, "! You are still chatting with #2 Bob: /end first, or /quit again to log out anyway.")
	key("/2\r")
	key("bye Bob\r")
	nextEvent(t, bobEvents, "the agent's goodbye", isMessage("bye Bob"))
	key("/end\r")
	nextEvent(t, bobEvents, "the chat's end", func(e client.Event) bool { return e.Type == client.EventEnded })
	waitOutput(t, screen, "* #2 Bob: the chat ended")
	key("/clear\r")
	waitOutput(t, screen, "* #2 Bob: cleared.")

	// Reject an offer.
	customer(t, ctx, srv, "Cid", "anyone?")
	waitOutput(t, screen, "* Offer #1 Cid")
	key("/reject\r")
	waitOutput(t, screen, "* Offer #1 Cid rejected.")

	// /quit logs out: exit code 0, the terminal restored, the agent Offline.
	key("/quit\r")
	waitExit("/quit")
	a, err := client.Login(ctx, client.LoginInput{Endpoint: srv.URL, Username: "agent", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := a.State(ctx); err != nil || st.Status != "Offline" {
		t.Fatalf("after /quit the agent is %+v (%v), want Offline", st, err)
	}
}

// TestAgentMissed: an offer not accepted in time leaves the agent Missed, which the workspace says, and
// /available makes it Available again, when the chat is offered again.
func TestAgentMissed(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.OfferTimeout = time.Second })
	ctx := testContext(t)
	_, password, _ := srv.DemoAgent()
	master, screen, waitExit := agentTerminal(t, ctx, srv, passwordEnv(password))
	waitOutput(t, screen, "* You are Available.")
	customer(t, ctx, srv, "Ann", "hello")
	waitOutput(t, screen, "* Offer #1 Ann")
	waitOutput(t, screen, "* Offer #1 Ann expired: you are Missed and get no offers until /available.")
	waitOutput(t, screen, "Missed (/available for more offers)")
	master.Write([]byte("/available\r"))
	// The offer and the answer to /available come on different connections, in either order.
	waitCount(t, screen, "* Offer #1 Ann: a chat", 2)
	waitCount(t, screen, "* You are Available.", 2)
	master.Write([]byte{0x04}) // Ctrl-D on an empty line: log out
	waitExit("Ctrl-D")
}

// TestAgentErrors: parley agent needs a terminal and a right password, and says so.
func TestAgentErrors(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := runAgent(ctx, []string{"--endpoint", srv.URL}, noEnv, r, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "needs a terminal") {
		t.Errorf("stdin a pipe: %v", err)
	}
	if _, err := runAgent(ctx, []string{"extra"}, noEnv, r, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("an argument: %v", err)
	}
	_, tty, _, _ := terminal(t)
	wrong := passwordEnv("not the password")
	if _, err := runAgent(ctx, []string{"--endpoint", srv.URL}, wrong, tty, tty, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "log in as agent: ") || !strings.Contains(err.Error(), "UnauthorizedException") {
		t.Errorf("a wrong password: %v", err)
	}
}

// TestAgentResume: chats outlive the workspace. An agent who logs out while chatting (/quit twice) and starts
// parley agent again finds the chat, its transcript, and goes on chatting.
func TestAgentResume(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testContext(t)
	_, password, _ := srv.DemoAgent()
	env := passwordEnv(password)
	master, screen, waitExit := agentTerminal(t, ctx, srv, env)
	_, annEvents := customer(t, ctx, srv, "Ann", "hello")
	waitOutput(t, screen, "* Offer #1 Ann")
	master.Write([]byte("/accept\r"))
	waitOutput(t, screen, "Ann: hello")
	master.Write([]byte("one moment\r"))
	nextEvent(t, annEvents, "the first message", isMessage("one moment"))
	master.Write([]byte("/quit\r"))
	waitOutput(t, screen, "/quit again to log out anyway.")
	master.Write([]byte("/quit\r"))
	waitExit("/quit twice")

	master, screen, waitExit = agentTerminal(t, ctx, srv, env)
	waitOutput(t, screen, "── #1 Ann ──")
	waitOutput(t, screen, "You: one moment")
	master.Write([]byte("I am back\r"))
	nextEvent(t, annEvents, "the message after the restart", isMessage("I am back"))
	master.Write([]byte("/end\r"))
	waitOutput(t, screen, "* #1 Ann: the chat ended")
	master.Write([]byte("/quit\r"))
	waitExit("/quit")
}
