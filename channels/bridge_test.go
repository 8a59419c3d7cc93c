package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
)

// fakeBackend is an in-memory chat API with Connect's idempotency: the same ClientToken gives the same
// contact, stream and message.
type fakeBackend struct {
	mu       sync.Mutex
	contacts map[string]string // StartChat ClientToken → contact id
	ended    map[string]bool   // contact id → over
	messages map[string][]string
	tokens   map[string]bool // SendMessage ClientTokens seen
	starts   int
	streams  []string
	failSend int   // the next failSend SendMessage calls fail with failErr
	failErr  error // default: a 500
	failStr  int   // the next failStr StartStreaming calls fail
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{contacts: map[string]string{}, ended: map[string]bool{}, messages: map[string][]string{},
		tokens: map[string]bool{}}
}

func serverError() error {
	return &client.APIError{Operation: "SendMessage", Code: client.CodeInternalServer, StatusCode: 500}
}

func (f *fakeBackend) StartChat(_ context.Context, in ChatStart) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.contacts[in.ClientToken]; ok {
		return id, "pt-" + id, nil
	}
	f.starts++
	id := fmt.Sprintf("contact-%d", f.starts)
	f.contacts[in.ClientToken] = id
	return id, "pt-" + id, nil
}

func (f *fakeBackend) StartStreaming(_ context.Context, contactID, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failStr > 0 {
		f.failStr--
		return serverError()
	}
	if !slices.Contains(f.streams, contactID) {
		f.streams = append(f.streams, contactID)
	}
	return nil
}

func (f *fakeBackend) Connect(_ context.Context, pt string) (client.Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := pt[len("pt-"):]
	if f.ended[id] {
		return client.Connection{}, &client.APIError{Code: client.CodeAccessDenied, StatusCode: 403}
	}
	return client.Connection{Token: "ct-" + id, Expiry: time.Now().Add(24 * time.Hour)}, nil
}

func (f *fakeBackend) SendMessage(_ context.Context, ct, content, clientToken string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSend > 0 {
		f.failSend--
		if f.failErr != nil {
			return f.failErr
		}
		return serverError()
	}
	id := ct[len("ct-"):]
	if f.ended[id] {
		return &client.APIError{Code: client.CodeAccessDenied, StatusCode: 403}
	}
	if !f.tokens[clientToken] {
		f.tokens[clientToken] = true
		f.messages[id] = append(f.messages[id], content)
	}
	return nil
}

func (f *fakeBackend) AttachmentURL(_ context.Context, _, id string) (string, error) {
	return "https://files.example/" + id, nil
}

func (f *fakeBackend) got(contactID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.messages[contactID])
}

// fakeChannel records what the bridge sends.
type fakeChannel struct {
	mu   sync.Mutex
	sent []Outbound
	fail int
}

func (*fakeChannel) Name() string                 { return "test" }
func (*fakeChannel) Kind() string                 { return "TEST" }
func (*fakeChannel) MaxText() int                 { return 10 }
func (*fakeChannel) Routes(*http.ServeMux, Inbox) {}
func (c *fakeChannel) Send(_ context.Context, _ string, m Outbound) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail > 0 {
		c.fail--
		return fmt.Errorf("provider down")
	}
	c.sent = append(c.sent, m)
	return nil
}

func (c *fakeChannel) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.sent {
		out = append(out, m.Text)
	}
	return out
}

func startBridge(t *testing.T, be Backend, o Options) (*Bridge, *fakeChannel) {
	t.Helper()
	ch := &fakeChannel{}
	return runBridge(t, be, o, ch), ch
}

// runBridge runs a bridge of chans over be until the test ends.
func runBridge(t *testing.T, be Backend, o Options, chans ...Channel) *Bridge {
	t.Helper()
	if o.RetryBase == 0 {
		o.RetryBase, o.RetryCap = 5*time.Millisecond, 20*time.Millisecond
	}
	b, err := New(filepath.Join(t.TempDir(), "channels.db"), be, chans, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; b.Close() })
	return b
}

func in(user, id, text string) Inbound {
	return Inbound{Channel: "test", UserID: user, MessageID: id, Text: text}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestInboundRetriedInOrder: while the chat API fails, the user's first message is retried and the second
// waits behind it; both arrive once, in order.
func TestInboundRetriedInOrder(t *testing.T) {
	be := newFakeBackend()
	be.failSend = 3
	b, _ := startBridge(t, be, Options{})
	ctx := context.Background()
	if err := b.Accept(ctx, in("u1", "m1", "first")); err != nil {
		t.Fatal(err)
	}
	if err := b.Accept(ctx, in("u1", "m2", "second"), in("u1", "m1", "first")); err != nil { // m1 again: a provider retry
		t.Fatal(err)
	}
	waitFor(t, "both messages", func() bool { return len(be.got("contact-1")) == 2 })
	if got := be.got("contact-1"); got[0] != "first" || got[1] != "second" {
		t.Errorf("chat got %q", got)
	}
	if be.starts != 1 {
		t.Errorf("%d chats started", be.starts)
	}
}

// TestInboundDeadLetterAndReplay: a message the chat refuses for good is dead, shown by the health check,
// and delivered after a replay.
func TestInboundDeadLetterAndReplay(t *testing.T) {
	be := newFakeBackend()
	be.failSend, be.failErr = 1, &client.APIError{Code: client.CodeValidation, StatusCode: 400}
	b, _ := startBridge(t, be, Options{})
	ctx := context.Background()
	b.Accept(ctx, in("u1", "m1", "refused"))
	waitFor(t, "the dead letter", func() bool { return b.Health(ctx, "test").Dead == 1 })
	if h := b.Health(ctx, "test"); h.Status != "degraded" || h.LastError == "" {
		t.Errorf("health %+v", h)
	}
	b.Accept(ctx, in("u1", "m2", "next")) // a dead message does not block the user
	waitFor(t, "the next message", func() bool { return len(be.got("contact-1")) == 1 })
	if n, err := b.Replay(ctx, "test"); err != nil || n != 1 {
		t.Fatalf("replay = %d, %v", n, err)
	}
	waitFor(t, "the replayed message", func() bool { return len(be.got("contact-1")) == 2 })
	if got := be.got("contact-1"); got[1] != "refused" {
		t.Errorf("chat got %q", got)
	}
}

// TestChatOverStartsNewContact: when the chat refuses the customer (it ended and chat.ended never arrived),
// the bridge starts a new chat and delivers the message there.
func TestChatOverStartsNewContact(t *testing.T) {
	be := newFakeBackend()
	b, _ := startBridge(t, be, Options{})
	ctx := context.Background()
	b.Accept(ctx, in("u1", "m1", "hi"))
	waitFor(t, "the first chat", func() bool { return len(be.got("contact-1")) == 1 })
	be.mu.Lock()
	be.ended["contact-1"] = true
	be.mu.Unlock()
	b.Accept(ctx, in("u1", "m2", "again"))
	waitFor(t, "the second chat", func() bool { return len(be.got("contact-2")) == 1 })
	if got := be.got("contact-2"); got[0] != "again" {
		t.Errorf("second chat got %q", got)
	}
}

// TestSetupResumes: a setup cut short after StartChatContact resumes with the same contact.
func TestSetupResumes(t *testing.T) {
	be := newFakeBackend()
	be.failStr = 2
	b, _ := startBridge(t, be, Options{})
	b.Accept(context.Background(), in("u1", "m1", "hi"))
	waitFor(t, "the message", func() bool { return len(be.got("contact-1")) == 1 })
	if be.starts != 1 || len(be.streams) != 1 {
		t.Errorf("starts %d streams %q", be.starts, be.streams)
	}
}

func item(id, typ, role, contentType, content string) string {
	b, _ := json.Marshal(map[string]string{"Id": id, "Type": typ, "ParticipantRole": role, "ContentType": contentType,
		"Content": content, "InitialContactId": "contact-1"})
	return string(b)
}

func attrs(role, visibility string) map[string]string {
	return map[string]string{"InitialContactId": "contact-1", "ContactId": "contact-1", "ParticipantRole": role,
		"MessageVisibility": visibility}
}

// TestNotify: what reaches the customer of the streamed items, and what a numbered reply to an interactive
// message becomes.
func TestNotify(t *testing.T) {
	be := newFakeBackend()
	b, ch := startBridge(t, be, Options{EndedMessage: "Bye"})
	ctx := context.Background()
	b.Accept(ctx, in("u1", "m1", "hi"))
	waitFor(t, "the chat", func() bool { return len(be.got("contact-1")) == 1 })

	notify := func(msg string, a map[string]string) {
		t.Helper()
		if err := b.Notify(ctx, msg, a); err != nil {
			t.Fatalf("Notify: %v", err)
		}
	}
	notify(item("i1", "MESSAGE", "CUSTOMER", contentPlain, "hi"), attrs("CUSTOMER", "ALL"))  // own echo
	notify(item("i2", "MESSAGE", "AGENT", contentPlain, "whisper"), attrs("AGENT", "AGENT")) // agents only
	notify(item("i3", "EVENT", "AGENT", "application/vnd.amazonaws.connect.event.typing", ""), attrs("AGENT", "ALL"))
	notify(item("i4", "MESSAGE", "AGENT", contentPlain, "hello"), attrs("AGENT", "ALL"))
	notify(item("i4", "MESSAGE", "AGENT", contentPlain, "hello"), attrs("AGENT", "ALL")) // redelivered
	notify(item("i5", "MESSAGE", "SYSTEM", contentPlain, "a long message here"), attrs("SYSTEM", "CUSTOMER"))
	picker := `{"templateType":"ListPicker","version":"1.0","data":{"content":{"title":"Pick","elements":[{"title":"Apple"},{"title":"Banana"}]}}}`
	notify(item("i6", "MESSAGE", "SYSTEM", contentInteractive, picker), attrs("SYSTEM", "ALL"))
	if err := b.Notify(ctx, "not json", attrs("AGENT", "ALL")); !IsPermanent(err) {
		t.Errorf("a malformed notification: %v, want a permanent error", err)
	}
	other := attrs("AGENT", "ALL")
	other["InitialContactId"] = "someone-else"
	notify(item("i7", "MESSAGE", "AGENT", contentPlain, "x"), other)

	want := []string{"hello", "a long", "message", "here", "Pick\n1. Apple\n2. Banana"}
	if got := ch.texts(); !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
	if c := ch.sent[len(ch.sent)-1]; !slices.Equal(c.Choices, []string{"Apple", "Banana"}) || c.Title != "Pick" {
		t.Errorf("interactive %+v", c)
	}
	b.Accept(ctx, in("u1", "m2", "2"))
	waitFor(t, "the reply", func() bool { return len(be.got("contact-1")) == 2 })
	if got := be.got("contact-1"); got[1] != "Banana" {
		t.Errorf("the reply became %q, want Banana", got[1])
	}

	// A failing provider: the item is retried by the sender (Notify errs), and sent once it recovers.
	ch.mu.Lock()
	ch.fail = 1
	ch.mu.Unlock()
	if err := b.Notify(ctx, item("i8", "MESSAGE", "AGENT", contentPlain, "retry"), attrs("AGENT", "ALL")); err == nil || IsPermanent(err) {
		t.Errorf("a failing provider: %v, want a retriable error", err)
	}
	notify(item("i8", "MESSAGE", "AGENT", contentPlain, "retry"), attrs("AGENT", "ALL"))

	notify(item("i9", "EVENT", "SYSTEM", contentChatEnded, ""), attrs("SYSTEM", "ALL"))
	notify(item("i9", "EVENT", "SYSTEM", contentChatEnded, ""), attrs("SYSTEM", "ALL"))
	if got := ch.texts(); got[len(got)-2] != "retry" || got[len(got)-1] != "Bye" || len(got) != len(want)+2 {
		t.Errorf("sent %q", got)
	}
	c, _ := b.st.byContact(ctx, "contact-1")
	if c.State != stateEnded {
		t.Errorf("after chat.ended the conversation is %s", c.State)
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"hello world again", 11, []string{"hello world", "again"}},
		{"hello world again", 8, []string{"hello", "world", "again"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ééééé", 2, []string{"éé", "éé", "é"}},
	} {
		if got := split(c.in, c.n); !slices.Equal(got, c.want) {
			t.Errorf("split(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestChosen(t *testing.T) {
	choices := []string{"Apple", "Banana"}
	for in, want := range map[string]string{"1": "Apple", " 2. ": "Banana", "banana": "Banana", "3": "3", "0": "0",
		"1x": "1x", "hello": "hello"} {
		if got := chosen(in, choices); got != want {
			t.Errorf("chosen(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConversationsExpire: an ended conversation is kept EndedTTL for late items, then swept; so are provider
// message ids after DedupeTTL, and conversations idle past IdleTTL whose chat.ended never came.
func TestConversationsExpire(t *testing.T) {
	be := newFakeBackend()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	b, _ := startBridge(t, be, Options{Now: clock, EndedTTL: time.Hour, IdleTTL: 48 * time.Hour, DedupeTTL: 24 * time.Hour})
	ctx := context.Background()
	b.Accept(ctx, in("u1", "m1", "hi"), in("u2", "m2", "hello"))
	waitFor(t, "both chats", func() bool { return len(be.got("contact-1")) == 1 && len(be.got("contact-2")) == 1 })
	if err := b.Notify(ctx, item("end", "EVENT", "SYSTEM", contentChatEnded, ""), attrs("SYSTEM", "ALL")); err != nil {
		t.Fatal(err)
	}
	count := func(q string) (n int) {
		b.st.db.QueryRow(q).Scan(&n)
		return n
	}
	advance(30 * time.Minute)
	b.sweep(ctx)
	if n := count(`SELECT count(*) FROM conversations`); n != 2 {
		t.Fatalf("after 30 min %d conversations, want 2 (the ended one is kept an hour)", n)
	}
	advance(time.Hour)
	b.sweep(ctx)
	if n := count(`SELECT count(*) FROM conversations WHERE contact_id = 'contact-1'`); n != 0 {
		t.Errorf("the ended conversation outlived EndedTTL")
	}
	advance(24 * time.Hour)
	b.sweep(ctx)
	if n := count(`SELECT count(*) FROM inbound`); n != 0 {
		t.Errorf("%d provider message ids outlived DedupeTTL", n)
	}
	if n := count(`SELECT count(*) FROM conversations`); n != 1 {
		t.Errorf("the open conversation went before IdleTTL")
	}
	advance(24 * time.Hour)
	b.sweep(ctx)
	if n := count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Errorf("an idle conversation outlived IdleTTL")
	}
}
