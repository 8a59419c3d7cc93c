package client_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

// The tests in this file run inside a testing/synctest bubble, against fakeServer over an in-memory network:
// time is fake and advances only when every goroutine waits, so timers fire at exact instants and hours pass in
// microseconds. synctest.Test also fails if a goroutine is left running after the test: each of these tests is a
// goroutine-leak check of Close as well.

// fakeSession connects a session to f.
func fakeSession(t *testing.T, f *fakeServer, opts client.Options) (*client.Session, *recorder) {
	t.Helper()
	s, err := client.NewSession(f.details(), f.options(opts))
	if err != nil {
		t.Fatal(err)
	}
	r := record(s)
	if err := s.Connect(t.Context()); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return s, r
}

func types(evs []client.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type.String())
	}
	return out
}

// TestHeartbeats: aws/ping and aws/heartbeat right after subscribing and every 10 s; a heartbeat left
// unanswered for one interval marks the socket dead: the session reconnects at once, and the items pushed while
// the socket was black-holed come from the transcript.
func TestHeartbeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		start := time.Now()
		s, r := fakeSession(t, f, client.Options{})
		defer s.Close()

		time.Sleep(25 * time.Second)
		synctest.Wait()
		want := []string{"subscribe@0", "ping@0", "heartbeat@0", "ping@10", "heartbeat@10", "ping@20", "heartbeat@20"}
		if got := f.socket(0).topics(start); !slices.Equal(got, want) {
			t.Fatalf("socket frames = %v, want %v", got, want)
		}
		if n := len(f.cpcCalls()); n != 1 {
			t.Fatalf("%d CreateParticipantConnection calls on a healthy socket, want 1", n)
		}

		// At 25 s the network silently drops the socket. The heartbeat sent at 30 s goes unanswered; at 40 s the
		// socket is declared dead and replaced.
		f.socket(0).silence()
		missed := f.add(wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "while deaf", ParticipantRole: "AGENT"})
		time.Sleep(15*time.Second - time.Millisecond) // 39.999 s
		synctest.Wait()
		if n := f.numSockets(); n != 1 {
			t.Fatalf("replaced the socket before the heartbeat timed out (%d sockets)", n)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		cpcs := f.cpcCalls()
		if len(cpcs) != 2 || cpcs[1].at.Sub(start) != 40*time.Second || f.numSockets() != 2 {
			t.Fatalf("after the missed heartbeat: %d CreateParticipantConnection calls (%v), %d sockets; want a new one at 40 s",
				len(cpcs), cpcs, f.numSockets())
		}
		if closed, _, _ := f.socket(0).state(); !closed {
			t.Fatal("the dead socket was not closed")
		}
		evs := r.events()
		if got, want := types(evs), []string{"connectionEstablished", "connectionLost", "connectionEstablished", "message"}; !slices.Equal(got, want) {
			t.Fatalf("events = %v, want %v", got, want)
		}
		if evs[1].Err == nil || !strings.Contains(evs[1].Err.Error(), "heartbeat") {
			t.Fatalf("connectionLost error = %v", evs[1].Err)
		}
		if evs[3].Item.ID != missed.ID || !evs[3].FromTranscript {
			t.Fatalf("missed item = %+v, want %s from the transcript", evs[3], missed.ID)
		}
		live := f.add(wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "live again", ParticipantRole: "AGENT"})
		synctest.Wait()
		if evs := r.events(); len(evs) != 5 || evs[4].Item.ID != live.ID || evs[4].FromTranscript {
			t.Fatalf("events after the reconnect:\n%s", dump(evs))
		}
		s.Close()
	})
}

// TestTokenRefresh: the ConnectionToken is refreshed RefreshBefore (60 s) its expiry with a
// CONNECTION_CREDENTIALS-only CreateParticipantConnection, and later requests use the new token; a refresh
// refused with 403 ends the session.
func TestTokenRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		f.set(func(f *fakeServer) { f.tokenTTL = 5 * time.Minute })
		start := time.Now()
		s, r := fakeSession(t, f, client.Options{})
		defer s.Close()

		time.Sleep(4*time.Minute - time.Second)
		synctest.Wait()
		if n := len(f.cpcCalls()); n != 1 {
			t.Fatalf("%d CreateParticipantConnection calls before the refresh time, want 1", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		cpcs := f.cpcCalls()
		if len(cpcs) != 2 || cpcs[1].at.Sub(start) != 4*time.Minute ||
			!slices.Equal(cpcs[1].types, []string{wire.ConnectionTypeCredentials}) {
			t.Fatalf("refresh calls = %+v, want one CONNECTION_CREDENTIALS call at 4 min", cpcs)
		}
		if tok := s.ConnectionDetails().ConnectionToken; tok != "ct-2" {
			t.Fatalf("ConnectionToken = %q, want the refreshed ct-2", tok)
		}
		// Past the first token's expiry, requests work: they carry the new token.
		time.Sleep(90 * time.Second)
		if _, err := s.SendMessage(t.Context(), client.ContentTypeTextPlain, "after the first expiry"); err != nil {
			t.Fatal(err)
		}
		// The next refresh comes 60 s before the new expiry (4 min + 5 min - 1 min = 8 min).
		time.Sleep(8*time.Minute - time.Since(start) + time.Second)
		synctest.Wait()
		if cpcs := f.cpcCalls(); len(cpcs) != 3 || cpcs[2].at.Sub(start) != 8*time.Minute {
			t.Fatalf("second refresh: %+v", cpcs)
		}
		// A refresh refused with 403 means the chat has ended.
		f.set(func(f *fakeServer) { f.cpcFail = 403 })
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		evs := r.events()
		if last := evs[len(evs)-1]; last.Type != client.EventEnded || !client.IsAccessDenied(last.Err) {
			t.Fatalf("events = %v, want ended after the refused refresh", types(evs))
		}
		if closed, code, text := f.socket(0).state(); !closed || code != 1000 ||
			text != "[Primary] WebSocket User request to close WebSocket" {
			t.Fatalf("after the end the socket is closed=%v code=%d %q, want closed with 1000", closed, code, text)
		}
		f.mu.Lock()
		msgs := f.messages
		f.mu.Unlock()
		if len(msgs) != 1 || msgs[0].token != "ct-2" {
			t.Fatalf("SendMessage used %+v, want ct-2", msgs)
		}
		s.Close()
	})
}

// TestReconnectBackoff: while the service answers 503, the session retries CreateParticipantConnection forever
// with exponential backoff and jitter capped at MaxBackoff, and never gives up; when the service is back it
// reconnects.
func TestReconnectBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, r := fakeSession(t, f, client.Options{MinBackoff: time.Second, MaxBackoff: 8 * time.Second, MaxRetries: -1})
		defer s.Close()
		time.Sleep(time.Minute)

		f.set(func(f *fakeServer) { f.cpcFail = 503 })
		lostAt := time.Now()
		f.socket(0).ws.Close() // the server goes away
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		var at []time.Duration
		for _, c := range f.cpcCalls()[1:] {
			at = append(at, c.at.Sub(lostAt))
		}
		if len(at) < 60 {
			t.Fatalf("%d attempts in 10 minutes: %v", len(at), at)
		}
		if at[0] != 0 {
			t.Fatalf("first attempt after %v, want at once", at[0])
		}
		for i := 1; i < len(at); i++ {
			gap := at[i] - at[i-1]
			want := 8 * time.Second
			if i < 4 {
				want = time.Second << (i - 1)
			}
			if gap < want/2 || gap > want {
				t.Fatalf("gap %d = %v, want within [%v, %v] (attempts at %v)", i, gap, want/2, want, at)
			}
		}
		if got := types(r.events()); !slices.Equal(got, []string{"connectionEstablished", "connectionLost"}) {
			t.Fatalf("events = %v", got)
		}

		f.set(func(f *fakeServer) { f.cpcFail = 0 })
		time.Sleep(9 * time.Second)
		synctest.Wait()
		if got := types(r.events()); !slices.Equal(got, []string{"connectionEstablished", "connectionLost", "connectionEstablished"}) {
			t.Fatalf("events after the service came back = %v", got)
		}
		s.Close()
	})
}

// TestConnectionBroken: a reconnect refused with a 4xx other than 403 and 429 cannot succeed by retrying: the
// session ends with connectionBroken, closes its Events channel and stops calling.
func TestConnectionBroken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, err := client.NewSession(f.details(), f.options(client.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ch := s.Events()
		if err := s.Connect(t.Context()); err != nil {
			t.Fatal(err)
		}
		f.set(func(f *fakeServer) { f.cpcFail = 400 })
		f.socket(0).ws.Close()
		var got []client.Event
		for e := range ch {
			got = append(got, e)
		}
		if ts := types(got); !slices.Equal(ts, []string{"connectionEstablished", "connectionLost", "connectionBroken"}) ||
			!client.IsValidation(got[2].Err) {
			t.Fatalf("events = %v (last error %v)", ts, got[len(got)-1].Err)
		}
		time.Sleep(time.Hour)
		if n := len(f.cpcCalls()); n != 2 {
			t.Fatalf("%d CreateParticipantConnection calls, want 2 (no retry after a 400)", n)
		}
		s.Close()
	})
}

// TestRotation: after SocketLifetime (59 min) the session opens a fresh socket, subscribes it, then closes the
// old one with ChatJS's reason; no connection event, no item lost or repeated.
func TestRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, r := fakeSession(t, f, client.Options{})
		defer s.Close()
		time.Sleep(30 * time.Minute)
		a := f.add(wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "a", ParticipantRole: "AGENT"})
		time.Sleep(29*time.Minute + time.Second)
		synctest.Wait()
		if n := f.numSockets(); n != 2 {
			t.Fatalf("%d sockets after 59 minutes, want 2", n)
		}
		if closed, code, text := f.socket(0).state(); !closed || code != 1000 || text != "[Primary WebSocket] Closing WebSocket" {
			t.Fatalf("old socket closed=%v with %d %q", closed, code, text)
		}
		b := f.add(wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "b", ParticipantRole: "AGENT"})
		synctest.Wait()
		evs := r.events()
		if got := types(evs); !slices.Equal(got, []string{"connectionEstablished", "message", "message"}) ||
			evs[1].Item.ID != a.ID || evs[2].Item.ID != b.ID {
			t.Fatalf("events:\n%s", dump(evs))
		}
		s.Close()
	})
}

// TestReceiptThrottling: ChatJS's MessageReceiptsUtil rules, with its default timings.
func TestReceiptThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, _ := fakeSession(t, f, client.Options{})
		defer s.Close()
		start := time.Now()
		sent := func() []string {
			var out []string
			for _, e := range f.eventCalls() {
				kind := strings.TrimPrefix(e.contentType, "application/vnd.amazonaws.connect.event.message.")
				out = append(out, fmt.Sprintf("%s %s %s @%v", kind, e.content, e.clientToken, e.at.Sub(start)))
			}
			return out
		}

		// A burst: delivered m1, delivered m2, read m1, read m2, read m3 → one call after the throttle: read m3
		// (the reads supersede the delivered receipts; only the latest read of the window goes out).
		for _, id := range []string{"m1", "m2"} {
			if err := s.SendDeliveredReceipt(id); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{"m1", "m2", "m3"} {
			if err := s.SendReadReceipt(id); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(5*time.Second - time.Millisecond)
		synctest.Wait()
		if got := sent(); len(got) != 0 {
			t.Fatalf("sent before the throttle window ended: %v", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		want := []string{`read {"messageId":"m3"} INCOMING_READ_RECEIPT @5s`}
		if got := sent(); !slices.Equal(got, want) {
			t.Fatalf("sent %v, want %v", got, want)
		}

		// Duplicates are not sent again: m1..m3 are read, and read implies delivered.
		for _, id := range []string{"m1", "m3"} {
			_ = s.SendReadReceipt(id)
			_ = s.SendDeliveredReceipt(id)
		}
		// A delivered receipt waits 300 ms, then opens a window of 5 s.
		_ = s.SendDeliveredReceipt("m4")
		time.Sleep(10 * time.Second)
		synctest.Wait()
		want = append(want, `delivered {"messageId":"m4"} INCOMING_DELIVERED_RECEIPT @10.3s`)
		if got := sent(); !slices.Equal(got, want) {
			t.Fatalf("sent %v, want %v", got, want)
		}

		// Delivered m5, then read m5 within 300 ms: only the read goes out. A later delivered m6 and read m4 in
		// the same window: the latest read and the latest delivered.
		_ = s.SendDeliveredReceipt("m5")
		time.Sleep(100 * time.Millisecond)
		_ = s.SendReadReceipt("m5")
		_ = s.SendDeliveredReceipt("m6")
		_ = s.SendReadReceipt("m4")
		time.Sleep(10 * time.Second)
		synctest.Wait()
		// The window opened with read m5 at 15.1 s.
		want = append(want, `read {"messageId":"m4"} INCOMING_READ_RECEIPT @20.1s`,
			`delivered {"messageId":"m6"} INCOMING_DELIVERED_RECEIPT @20.1s`)
		if got := sent(); !slices.Equal(got, want) {
			t.Fatalf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		s.Close()
	})
}

// TestTypingThrottle: at most one typing event per 10 s, on the leading edge.
func TestTypingThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, _ := fakeSession(t, f, client.Options{})
		defer s.Close()
		start := time.Now()
		for range 12 {
			if err := s.SendTyping(t.Context()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second)
		}
		var at []time.Duration
		for _, e := range f.eventCalls() {
			if e.contentType != client.ContentTypeTyping || e.content != "" || e.clientToken == "" {
				t.Fatalf("typing event %+v", e)
			}
			at = append(at, e.at.Sub(start))
		}
		if want := []time.Duration{0, 10 * time.Second}; !slices.Equal(at, want) {
			t.Fatalf("typing sent at %v, want %v", at, want)
		}
		s.Close()
	})
}

// TestCloseFromCallback: a callback may close its own session; Close then returns without waiting for the
// callback, and nothing is left running (synctest.Test would fail).
func TestCloseFromCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeServer(t)
		defer f.close()
		s, err := client.NewSession(f.details(), f.options(client.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		closed := make(chan struct{})
		s.OnMessage(func(client.Event) {
			s.Close()
			close(closed)
		})
		ch := s.Events()
		if err := s.Connect(t.Context()); err != nil {
			t.Fatal(err)
		}
		f.add(wire.Item{Type: "MESSAGE", ContentType: "text/plain", Content: "bye", ParticipantRole: "AGENT"})
		<-closed
		n := 0
		for range ch {
			n++
		}
		if n != 1 { // connectionEstablished; the message's callback closed the session before the channel got it
			t.Fatalf("channel delivered %d events, want 1", n)
		}
		if _, err := s.SendMessage(t.Context(), client.ContentTypeTextPlain, "x"); err != client.ErrClosed {
			t.Fatalf("SendMessage after Close: %v", err)
		}
	})
}
