//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

// openPTY opens a pseudo-terminal pair: what the test writes to master, the program reads from the terminal
// (slave), and what the program writes there, the test reads from master.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), req, uintptr(arg)); e != 0 {
			return e
		}
		return nil
	}
	var unlock int32
	if err := ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	var n uint32
	if err := ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		m.Close()
	})
	return m, s
}

// terminal opens a pseudo-terminal whose modes stty can read (or skips the test): keys are written to master,
// everything the program writes to tty collects in screen (logged when the test fails); before is the
// terminal's modes, to compare with after the program ends.
// quitChat types /quit into an interactive parley chat and waits for it to leave the chat and end.
func quitChat(t *testing.T, master io.Writer, screen *lockedBuffer, done <-chan chatResult) {
	t.Helper()
	master.Write([]byte("/quit\r"))
	select {
	case r := <-done:
		if r.err != nil || r.code != exitLeft {
			t.Fatalf("parley chat ended with %d, %v\nscreen:\n%s", r.code, r.err, screen.String())
		}
	case <-time.After(testWait):
		t.Fatalf("/quit did not end parley chat; screen:\n%s", screen.String())
	}
}

func terminal(t *testing.T) (master, tty *os.File, screen *lockedBuffer, before string) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/stty"); err != nil {
		if _, err := os.Stat("/bin/stty"); err != nil {
			t.Skip("no stty")
		}
	}
	master, tty = openPTY(t)
	before, err := stty(tty, "-g")
	if err != nil {
		t.Skipf("stty cannot read the pseudo-terminal: %v", err)
	}
	screen = &lockedBuffer{}
	go io.Copy(screen, master) // ends when the pty closes
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screen:\n%s", screen.String())
		}
	})
	return master, tty, screen, before
}

// TestChatInteractive drives parley chat's interactive mode through a pseudo-terminal, as a person at a
// terminal would, while a bot chats with it: the transcript, the typing indicator both ways, receipts both ways,
// and /quit.
func TestChatInteractive(t *testing.T) {
	master, tty, screen, before := terminal(t)
	srv := testserver.Start(t)
	ctx := testContext(t)

	done := goRun(t, ctx, func(ctx context.Context) (int, error) {
		return runChat(ctx, []string{"--endpoint", srv.URL, "--name", "Ann", "--message", "hello, anyone?"}, noEnv,
			tty, tty, io.Discard)
	})

	waitOutput(t, screen, "/quit or Ctrl-D leaves.")
	m := regexp.MustCompile(`Chat ([0-9a-f-]{36})\.`).FindStringSubmatch(screen.String())
	if m == nil {
		t.Fatalf("no contact id on the screen:\n%s", screen.String())
	}
	// The transcript: the customer's join and initial message, shown as the customer's own.
	waitOutput(t, screen, "* You joined the chat")
	waitOutput(t, screen, "You: hello, anyone?")

	bot, botEvents := botSession(t, ctx, srv, m[1])
	waitOutput(t, screen, "* Bot joined the chat")
	if err := bot.SendTyping(ctx); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, screen, "(Bot is typing…) > ")
	hello, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "hello Ann, how can I help?")
	if err != nil {
		t.Fatal(err)
	}
	waitOutput(t, screen, "Bot: hello Ann, how can I help?")
	// What is shown is read: a read receipt reaches the bot.
	rr := nextEvent(t, botEvents, "read receipt", func(e client.Event) bool { return e.Type == client.EventReadReceipt })
	if rr.Item.MessageMetadata.MessageID != hello.ID {
		t.Fatalf("read receipt for %s, want %s", rr.Item.MessageMetadata.MessageID, hello.ID)
	}

	// Typing: keystrokes become typing events for the bot (line editing applies), Enter sends the line.
	for _, c := range "my order is latf" {
		if _, err := master.Write([]byte(string(c))); err != nil {
			t.Fatal(err)
		}
	}
	master.Write([]byte{0x7f})      // Backspace
	master.Write([]byte("e\x1b[D")) // an arrow key, ignored
	nextEvent(t, botEvents, "typing", func(e client.Event) bool {
		return e.Type == client.EventTyping && e.Item.ParticipantRole == client.RoleCustomer
	})
	waitOutput(t, screen, "> my order is late")
	master.Write([]byte("\r"))
	msg := nextEvent(t, botEvents, "the customer's message", func(e client.Event) bool {
		return e.Type == client.EventMessage && e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantRole == client.RoleCustomer
	})
	if msg.Item.Content != "my order is late" {
		t.Fatalf("the bot got %q, want the edited line", msg.Item.Content)
	}
	waitOutput(t, screen, "You: my order is late")
	// The bot reads it: the customer sees it.
	if err := bot.SendReadReceipt(msg.Item.ID); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, screen, "✓✓ read by Bot")

	// /quit leaves: the chat ends, exit code 0, and the terminal is restored.
	quitChat(t, master, screen, done)
	nextEvent(t, botEvents, "ended", func(e client.Event) bool { return e.Type == client.EventEnded })
	if after, err := stty(tty, "-g"); err != nil || after != before {
		t.Fatalf("terminal modes after the chat: %q (%v), before %q", after, err, before)
	}
}
