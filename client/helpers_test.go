package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

// wait is the longest any test waits for something that should happen (a deadline against hangs, not a speed
// assertion).
const wait = 60 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	t.Cleanup(cancel)
	return ctx
}

// testLogger logs to t when PARLEY_TEST_LOG is set.
func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startChat starts a chat on srv as customer "Customer".
func startChat(t *testing.T, srv *testserver.Server, endpoint string, mod ...func(*client.StartChatInput)) client.ChatDetails {
	t.Helper()
	in := client.StartChatInput{Endpoint: endpoint, Region: srv.Region, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: "Customer",
		Credentials: client.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}}
	for _, m := range mod {
		m(&in)
	}
	d, err := client.StartChat(testCtx(t), in)
	if err != nil {
		t.Fatalf("StartChat: %v", err)
	}
	return d
}

// addBot adds a CUSTOM_BOT participant.
func addBot(t *testing.T, srv *testserver.Server, endpoint, contactID string) client.ChatDetails {
	t.Helper()
	d, err := client.CreateParticipant(testCtx(t), client.CreateParticipantInput{Endpoint: endpoint, Region: srv.Region,
		InstanceID: srv.InstanceID, ContactID: contactID, DisplayName: "Bot"})
	if err != nil {
		t.Fatalf("CreateParticipant: %v", err)
	}
	return d
}

// session creates a session (closed at cleanup) with a recorder attached.
func session(t *testing.T, endpoint string, d client.ChatDetails, opts client.Options) (*client.Session, *recorder) {
	t.Helper()
	opts.Endpoint = endpoint
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := client.NewSession(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, record(s)
}

// recorder collects a session's events through the callbacks.
type recorder struct {
	mu   sync.Mutex
	cond *sync.Cond
	evs  []client.Event
}

var allTypes = []client.EventType{client.EventMessage, client.EventTyping, client.EventReadReceipt,
	client.EventDeliveredReceipt, client.EventParticipantIdle, client.EventParticipantReturned,
	client.EventAutoDisconnection, client.EventConnectionEstablished, client.EventConnectionLost,
	client.EventConnectionBroken, client.EventEnded, client.EventAuthenticationInitiated,
	client.EventAuthenticationSuccessful, client.EventAuthenticationFailed, client.EventAuthenticationTimeout,
	client.EventAuthenticationExpired, client.EventAuthenticationCanceled}

func record(s *client.Session) *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	add := func(e client.Event) {
		r.mu.Lock()
		r.evs = append(r.evs, e)
		r.cond.Broadcast()
		r.mu.Unlock()
	}
	s.OnMessage(add)
	s.OnTyping(add)
	s.OnReadReceipt(add)
	s.OnDeliveredReceipt(add)
	s.OnParticipantIdle(add)
	s.OnParticipantReturned(add)
	s.OnAutoDisconnection(add)
	s.OnConnectionEstablished(add)
	s.OnConnectionLost(add)
	s.OnConnectionBroken(add)
	s.OnEnded(add)
	s.OnAuthenticationInitiated(add)
	s.OnAuthenticationSuccessful(add)
	s.OnAuthenticationFailed(add)
	s.OnAuthenticationTimeout(add)
	s.OnAuthenticationExpired(add)
	s.OnAuthenticationCanceled(add)
	return r
}

func (r *recorder) events() []client.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

// waitFor waits until cond holds for the events so far, and returns them.
func (r *recorder) waitFor(t *testing.T, what string, cond func([]client.Event) bool) []client.Event {
	t.Helper()
	deadline := time.Now().Add(wait)
	timer := time.AfterFunc(wait, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer timer.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for !cond(r.evs) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; events:\n%s", what, dump(r.evs))
		}
		r.cond.Wait()
	}
	return slices.Clone(r.evs)
}

// waitItem waits for an event of type typ whose item matches, and returns it.
func (r *recorder) waitItem(t *testing.T, typ client.EventType, match func(client.Event) bool) client.Event {
	t.Helper()
	var got client.Event
	r.waitFor(t, typ.String(), func(evs []client.Event) bool {
		for _, e := range evs {
			if e.Type == typ && (match == nil || match(e)) {
				got = e
				return true
			}
		}
		return false
	})
	return got
}

func count(evs []client.Event, typ client.EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func dump(evs []client.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %s %q %s from=%s transcript=%v err=%v\n", e.Type, e.Item.ContentType, e.Item.Content,
			e.Item.ID, e.Item.ParticipantRole, e.FromTranscript, e.Err)
	}
	return b.String()
}

// messages returns the Ids of the MESSAGE items among evs sent by role.
func messages(evs []client.Event, role string) []string {
	var ids []string
	for _, e := range evs {
		if e.Type == client.EventMessage && e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantRole == role {
			ids = append(ids, e.Item.ID)
		}
	}
	return ids
}

// clientGoroutines lists the stacks of goroutines running code of package client.
func clientGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "parley/client.") {
			out = append(out, g)
		}
	}
	return out
}

// checkNoLeaks fails if goroutines of package client are still running (after a grace period: goroutines
// that were told to stop may need a moment to be scheduled).
func checkNoLeaks(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gs := clientGoroutines()
		if len(gs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of package client still running after Close:\n%s", len(gs), strings.Join(gs, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
