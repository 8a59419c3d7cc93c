package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// typingShown is how long a typing indicator stays without news (as the Amazon Connect chat widget).
const typingShown = 12 * time.Second

// screen draws interactive mode: lines scroll above a prompt line that shows who is typing and what you type.
type screen struct {
	mu     sync.Mutex
	out    io.Writer
	input  []rune
	status string
}

// line prints s above the prompt.
func (sc *screen) line(format string, args ...any) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	fmt.Fprintf(sc.out, "\r\x1b[K"+format+"\r\n", args...)
	sc.drawLocked()
}

func (sc *screen) drawLocked() {
	st := ""
	if sc.status != "" {
		st = "(" + sc.status + ") "
	}
	fmt.Fprintf(sc.out, "\r\x1b[K%s> %s", st, string(sc.input))
}

func (sc *screen) update(f func(sc *screen)) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	f(sc)
	sc.drawLocked()
}

// interactive is interactive mode on the terminal tty. It puts the terminal in raw mode, starts the goroutines
// that send messages and typing notices and read keys, and then hands each key press, send result, event and
// timer tick to a chatView until the chat ends.
func (c *chatRun) interactive(ctx context.Context, tty *os.File) (int, error) {
	defer rawMode(tty)()
	sc := &screen{out: c.stdout}
	defer fmt.Fprint(c.stdout, "\r\x1b[K")
	sc.line("Chat %s. Type a message and press Enter; /quit or Ctrl-D leaves.", c.s.ChatDetails().ContactID)

	o, sent, stop := c.startSender(ctx)
	defer stop()
	typing, stopTyping := c.startTypingSender(ctx, sc)
	defer stopTyping()
	keys := readKeys(ctx, tty)
	tick := time.NewTicker(time.Second / 2) // expires typing indicators
	defer tick.Stop()

	v := &chatView{c: c, sc: sc, out: o, typing: typing, names: map[string]string{}, typers: map[string]time.Time{},
		mine: map[string]bool{}, marked: map[string]string{}}
	var endTimeout <-chan time.Time
	for {
		select {
		case b, ok := <-keys:
			if !ok { // the terminal is gone
				keys = nil
				v.quit()
				continue
			}
			v.keys(b)
		case o.push() <- o.next():
			o.handed()
		case <-sent:
			sent = nil
			if err := c.leave(ctx); err != nil {
				return exitError, err
			}
			endTimeout = time.After(30 * time.Second)
		case r := <-c.sendResults:
			v.sendResult(r)
		case <-tick.C:
			v.expireTyping()
		case e, ok := <-c.events:
			if !ok {
				return exitError, errors.New("the session closed")
			}
			if v.event(e) {
				return c.endCode(e)
			}
		case <-endTimeout:
			return exitLeft, nil
		case <-ctx.Done(): // Ctrl-C (SIGINT), SIGTERM: leave now
			ctx = context.WithoutCancel(ctx)
			v.quitting = true
			if err := c.leave(ctx); err != nil {
				return exitError, err
			}
			endTimeout = time.After(30 * time.Second)
		}
	}
}

// rawMode makes the terminal hand over each key as it is pressed, without echo; the returned function restores
// its modes. A terminal whose modes cannot be changed is left as it is.
func rawMode(tty *os.File) (restore func()) {
	saved, err := stty(tty, "-g")
	if err != nil {
		return func() {}
	}
	if _, err := stty(tty, "-icanon", "-echo", "min", "1", "time", "0"); err != nil {
		return func() {}
	}
	return func() { stty(tty, saved) }
}

// startTypingSender starts the goroutine that tells the others we are typing, once per notice sent on the
// returned channel (which never blocks: a notice while one is waiting is dropped); stop ends it and waits.
func (c *chatRun) startTypingSender(ctx context.Context, sc *screen) (typing chan<- struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range ch {
			sc.mu.Lock()
			still := len(sc.input) > 0 // not sent yet: typing after the message would mislead
			sc.mu.Unlock()
			if still {
				_ = c.s.SendTyping(ctx) // throttled by the session: one per 10 s
			}
		}
	}()
	return ch, func() {
		close(ch)
		<-done
	}
}

// chatView is what interactive mode knows and shows: the input line, who is who, who is typing, which messages
// are ours and which of their receipts were shown. Only the interactive loop's goroutine uses it.
type chatView struct {
	c      *chatRun
	sc     *screen
	out    *outbox         // messages typed, waiting for the sender
	typing chan<- struct{} // to the typing sender

	names   map[string]string    // ParticipantId → DisplayName
	typers  map[string]time.Time // ParticipantId → when they typed
	mine    map[string]bool      // Ids of our messages
	marked  map[string]string    // message Id → receipt already shown ("delivered", "read")
	pending []byte               // an incomplete UTF-8 sequence or escape sequence

	quitting bool   // leaving: keys are ignored
	lost     bool   // the connection was lost (and may come back)
	signIn   string // the SessionId of the sign-in the flow waits for, while it waits
}

// me is our ParticipantId (learnt from our first message when we joined with a token alone).
func (v *chatView) me() string { return v.c.s.ChatDetails().ParticipantID }

// who names a participant: "You", the display name the event carries or an earlier one did, or "someone".
func (v *chatView) who(id, name string) string { return participantName(id, name, v.me(), v.names) }

// participantName names a participant: "You" when it is me, the display name the event carries or an earlier
// one did (names), or "someone".
func participantName(id, name, me string, names map[string]string) string {
	if id != "" && id == me {
		return "You"
	}
	if name == "" {
		name = names[id]
	}
	if name == "" {
		name = "someone"
	}
	return name
}

// quit leaves the chat once what was typed before is sent.
func (v *chatView) quit() {
	if !v.quitting {
		v.quitting = true
		v.sc.line("Leaving the chat…")
		v.out.finish()
	}
}

// keys applies the bytes the terminal sent to the input line: Enter queues the line for sending (or /quit
// leaves), typing a message tells the others. An incomplete sequence waits in pending for the next bytes.
func (v *chatView) keys(b []byte) {
	v.pending = append(v.pending, b...)
	for len(v.pending) > 0 && !v.quitting {
		before := len(v.pending)
		var e edit
		v.pending, e = editLine(v.sc, v.pending)
		if e.typed {
			select {
			case v.typing <- struct{}{}:
			default:
			}
		}
		switch {
		case e.quit:
			v.quit()
		case e.enter && strings.TrimSpace(e.line) == "/quit":
			v.quit()
		case e.enter && strings.TrimSpace(e.line) == "/skip":
			v.skipSignIn()
		case e.enter && strings.TrimSpace(e.line) != "":
			v.out.backlog = append(v.out.backlog, e.line)
		}
		if !e.enter && len(v.pending) == before {
			return // an incomplete sequence: wait for more bytes
		}
	}
}

// sendResult shows a message the service refused, and remembers the id of one it accepted (for its receipts).
func (v *chatView) sendResult(r sendResult) {
	if r.err != nil {
		v.sc.line("! not sent (%v): %s", r.err, r.content)
		return
	}
	v.mine[r.res.ID] = true
}

// expireTyping drops the typing indicators older than typingShown.
func (v *chatView) expireTyping() {
	if len(v.typers) > 0 {
		v.showTyping()
	}
}

// showTyping puts who is typing in the prompt line, forgetting indicators older than typingShown.
func (v *chatView) showTyping() {
	var ts []string
	for id, at := range v.typers {
		if time.Since(at) > typingShown {
			delete(v.typers, id)
			continue
		}
		ts = append(ts, v.names[id]+" is typing…")
	}
	v.sc.update(func(sc *screen) { sc.status = strings.Join(ts, ", ") })
}

// event shows an event of the session; it reports whether the session has ended.
func (v *chatView) event(e client.Event) (ended bool) {
	it := e.Item
	if it.ParticipantID != "" && it.DisplayName != "" {
		v.names[it.ParticipantID] = it.DisplayName
	}
	switch e.Type {
	case client.EventMessage:
		v.message(e)
	case client.EventTyping:
		if it.ParticipantID != v.me() {
			v.typers[it.ParticipantID] = time.Now()
			v.showTyping()
		}
	case client.EventReadReceipt, client.EventDeliveredReceipt:
		v.receipt(e)
	case client.EventParticipantIdle:
		v.sc.line("* %s is idle", v.who(it.ParticipantID, it.DisplayName))
	case client.EventParticipantReturned:
		v.sc.line("* %s is back", v.who(it.ParticipantID, it.DisplayName))
	case client.EventAutoDisconnection:
		v.sc.line("* %s was disconnected for inactivity", v.who(it.ParticipantID, it.DisplayName))
	case client.EventAuthenticationInitiated:
		v.askSignIn(e)
	case client.EventAuthenticationSuccessful, client.EventAuthenticationFailed, client.EventAuthenticationTimeout,
		client.EventAuthenticationExpired, client.EventAuthenticationCanceled:
		if client.AuthenticationSessionID(it) == v.signIn {
			v.signIn = ""
		}
		v.sc.line("%s", render(it, ""))
	case client.EventConnectionLost:
		v.lost = true
		v.sc.line("* Connection lost (%v); reconnecting…", e.Err)
	case client.EventConnectionEstablished:
		if v.lost {
			v.sc.line("* Connected again")
		}
	case client.EventConnectionBroken:
		v.sc.line("* Connection broken: %v", e.Err)
		return true
	case client.EventEnded:
		if it.ID == "" { // learnt from a refused reconnect: no chat.ended message was shown
			v.sc.line("* The chat has ended.")
		}
		return true
	}
	return false
}

// askSignIn shows the sign-in link of the session an authentication.initiated event starts (GetAuthenticationUrl
// must be asked within a minute of it, so it is asked at once). A replayed event of a session that has ended
// shows nothing.
func (v *chatView) askSignIn(e client.Event) {
	session := client.AuthenticationSessionID(e.Item)
	u, err := v.c.signInURL(session)
	switch {
	case errors.Is(err, errNoRedirect):
		v.sc.line("* Please sign in to your account (pass --auth-redirect-uri to get the link); /skip goes on without")
		v.signIn = session
		return
	case err != nil && e.FromTranscript:
		return // most likely a past sign-in
	case err != nil:
		v.sc.line("* Sign in unavailable: %v", err)
		return
	}
	v.signIn = session
	v.sc.line("* Please sign in to your account: %s", u)
	v.sc.line("  (open the link in a browser; /skip goes on without signing in)")
}

// errNoRedirect: parley chat knows no address to send the customer back to after signing in.
var errNoRedirect = errors.New("no redirect URI: pass --auth-redirect-uri")

// signInURL asks for the sign-in link of an authentication session (GetAuthenticationUrl must be asked within a
// minute of authentication.initiated, so it is asked at once). The provider sends the customer back to
// --auth-redirect-uri, else to parley's own callback page at --endpoint.
func (c *chatRun) signInURL(session string) (string, error) {
	redirect := c.o.authRedirectURI
	if redirect == "" && c.o.endpoint != "" {
		redirect = strings.TrimSuffix(c.o.endpoint, "/") + server.AuthCallbackPath
	}
	if redirect == "" {
		return "", errNoRedirect
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.s.GetAuthenticationURL(ctx, session, redirect)
}

// skipSignIn goes on without signing in (CancelParticipantAuthentication).
func (v *chatView) skipSignIn() {
	if v.signIn == "" {
		v.sc.line("* No sign-in to skip")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := v.c.s.CancelAuthentication(ctx, v.signIn); err != nil {
		v.sc.line("! the sign-in was not skipped: %v", err)
	}
}

// message shows a message or an event item (joined, left, …); its sender stops typing, and another
// participant's message is marked read.
func (v *chatView) message(e client.Event) {
	it := e.Item
	if it.ParticipantID == v.me() {
		v.mine[it.ID] = true
	}
	if _, ok := v.typers[it.ParticipantID]; ok {
		delete(v.typers, it.ParticipantID)
		v.showTyping()
	}
	v.sc.line("%s", render(it, v.who(it.ParticipantID, it.DisplayName)))
	if v.c.o.receipt && v.c.fromOthers(e) {
		_ = v.c.s.SendReadReceipt(it.ID)
	}
}

// receipt shows that one of our messages was delivered or read, once each, and never delivered after read.
func (v *chatView) receipt(e client.Event) {
	md := e.Item.MessageMetadata
	kind := "read"
	if e.Type == client.EventDeliveredReceipt {
		kind = "delivered"
	}
	if md == nil || !v.mine[md.MessageID] || v.marked[md.MessageID] == "read" || v.marked[md.MessageID] == kind {
		return
	}
	v.marked[md.MessageID] = kind
	by := v.who(md.Receipts[0].RecipientParticipantID, "")
	if kind == "read" {
		v.sc.line("  ✓✓ read by %s", by)
	} else {
		v.sc.line("  ✓ delivered to %s", by)
	}
}

// render formats a chat item as a line.
func render(it wire.Item, who string) string {
	at := ""
	if t, err := wire.ParseTime(it.AbsoluteTime); err == nil {
		at = t.Local().Format("15:04") + " "
	}
	switch {
	case it.Type == client.ItemTypeAttachment:
		var names []string
		for _, a := range it.Attachments {
			names = append(names, a.AttachmentName)
		}
		return fmt.Sprintf("%s%s sent %s", at, who, strings.Join(names, ", "))
	case it.Type == client.ItemTypeMessage:
		return fmt.Sprintf("%s%s: %s", at, who, it.Content)
	}
	switch it.ContentType {
	case client.ContentTypeParticipantJoined:
		return fmt.Sprintf("%s* %s joined the chat", at, who)
	case client.ContentTypeParticipantLeft:
		return fmt.Sprintf("%s* %s left the chat", at, who)
	case client.ContentTypeChatEnded:
		return fmt.Sprintf("%s* The chat has ended.", at)
	case client.ContentTypeTransferSucceeded:
		return fmt.Sprintf("%s* Transferred", at)
	case client.ContentTypeTransferFailed:
		return fmt.Sprintf("%s* The transfer failed", at)
	case client.ContentTypeAuthenticationSucceeded:
		return fmt.Sprintf("%s* You are now signed in to your account", at)
	case client.ContentTypeAuthenticationFailed:
		return fmt.Sprintf("%s* Sign in failed", at)
	case client.ContentTypeAuthenticationTimeout:
		return fmt.Sprintf("%s* Sign in timed out", at)
	case client.ContentTypeAuthenticationExpired:
		return fmt.Sprintf("%s* Sign in expired", at)
	case client.ContentTypeAuthenticationCancelled:
		return fmt.Sprintf("%s* Sign in cancelled", at)
	}
	return fmt.Sprintf("%s* %s", at, strings.TrimPrefix(it.ContentType, "application/vnd.amazonaws.connect."))
}

// readKeys reads the terminal's bytes as they come.
func readKeys(ctx context.Context, r io.Reader) <-chan []byte {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		buf := make([]byte, 256)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case ch <- append([]byte(nil), buf[:n]...):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// edit is what editLine did.
type edit struct {
	typed bool   // a character was added to a message (not to a /command)
	enter bool   // Enter: line is complete
	line  string // the line, at Enter
	quit  bool   // Ctrl-D on an empty line, or Ctrl-C
}

// editLine applies keystrokes to the input line: printable characters, Backspace, Ctrl-U (clear), Enter
// (returns the line), Ctrl-D on an empty line or Ctrl-C (quit); escape sequences (arrows, …) are ignored. It
// stops after Enter and returns the bytes not used yet (the rest, or an incomplete sequence).
func editLine(sc *screen, b []byte) (rest []byte, e edit) {
	sc.mu.Lock()
	defer func() {
		sc.drawLocked()
		sc.mu.Unlock()
	}()
	for len(b) > 0 {
		switch c := b[0]; {
		case c == '\r' || c == '\n':
			e.enter, e.line, sc.input = true, string(sc.input), nil
			return b[1:], e
		case c == 0x7f || c == 0x08:
			if len(sc.input) > 0 {
				sc.input = sc.input[:len(sc.input)-1]
			}
			b = b[1:]
		case c == 0x15: // Ctrl-U
			sc.input = nil
			b = b[1:]
		case c == 0x03 || c == 0x04 && len(sc.input) == 0: // Ctrl-C, Ctrl-D
			e.quit = true
			return b[1:], e
		case c == 0x1b: // ESC [ params final, or ESC x
			if len(b) < 2 {
				return b, e
			}
			i := 2
			if b[1] == '[' || b[1] == 'O' {
				for i < len(b) && (b[i] < 0x40 || b[i] > 0x7e) {
					i++
				}
				if i == len(b) {
					return b, e
				}
				i++
			}
			b = b[i:]
		case c < 0x20:
			b = b[1:]
		default:
			if !utf8.FullRune(b) {
				return b, e
			}
			r, n := utf8.DecodeRune(b)
			sc.input = append(sc.input, r)
			e.typed = sc.input[0] != '/'
			b = b[n:]
		}
	}
	return nil, e
}
