package streaming_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/streaming"
)

const topic = "arn:aws:sns:us-west-2:000000000000:chat-topic"

// delivery is one call of the fake endpoint that succeeded.
type delivery struct {
	stream, itemID, contactID string
	seq                       int64
	content                   string
}

// fakeEndpoint records the deliveries that succeeded; fail decides, per call, whether to fail.
type fakeEndpoint struct {
	mu    sync.Mutex
	calls int
	got   []delivery
	fail  func(call int, it *parley.Item) error
}

func (f *fakeEndpoint) Deliver(ctx context.Context, arn, streamingID string, c *parley.Contact, it *parley.Item) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if c == nil || c.ID != it.ContactID || arn == "" {
		return fmt.Errorf("bad call: contact %v, item of %s, arn %q", c, it.ContactID, arn)
	}
	if f.fail != nil {
		if err := f.fail(f.calls, it); err != nil {
			return err
		}
	}
	f.got = append(f.got, delivery{stream: streamingID, itemID: it.ID, contactID: it.ContactID, seq: it.Seq, content: it.Content})
	return nil
}

func (f *fakeEndpoint) setFail(fn func(call int, it *parley.Item) error) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

// delivered returns the deliveries made so far to one stream, in order.
func (f *fakeEndpoint) delivered(stream string) []delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []delivery
	for _, d := range f.got {
		if d.stream == stream {
			out = append(out, d)
		}
	}
	return out
}

// env is a chat service and a streaming service over one SQLite file, with the worker running.
type env struct {
	st     parley.Store
	bus    parley.Bus
	chat   *chat.Service
	str    *streaming.Service
	inst   *parley.Instance
	flow   *parley.ContactFlow
	cancel context.CancelFunc
	done   chan struct{}
	closed bool
}

// fastRetries keeps the tests quick: retries within milliseconds.
var fastRetries = streaming.Config{RetryBase: 2 * time.Millisecond, RetryCap: 20 * time.Millisecond,
	ScanInterval: 50 * time.Millisecond, Workers: 4}

// open opens the store at where (a postgres:// DSN, or a directory for a SQLite file) with the chat and
// streaming services over it.
func open(t *testing.T, where string, ep streaming.Endpoint, cfg streaming.Config) *env {
	t.Helper()
	return openNode(t, where, ep, cfg, false)
}

// openNode is open; with follow, the streaming service follows the bus (Service.Follow), as a node of a
// cluster does.
func openNode(t *testing.T, where string, ep streaming.Endpoint, cfg streaming.Config, follow bool) *env {
	t.Helper()
	ctx := t.Context()
	var st parley.Store
	var err error
	if strings.HasPrefix(where, "postgres://") {
		st, err = postgres.Open(ctx, where, nil)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(where, "parley.db"), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	bus := local.New()
	svc, err := chat.New(st, bus, nil, nil, chat.Config{Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, bus: bus, chat: svc, done: make(chan struct{})}
	if ep == nil { // a typed nil would not be nil
		e.str = streaming.New(st, nil, nil, nil, cfg)
	} else {
		e.str = streaming.New(st, ep, nil, nil, cfg)
	}
	if follow {
		e.str.Follow(bus)
	}
	svc.Observe(e.str)
	if e.inst, e.flow, err = svc.Bootstrap(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() {
		defer close(e.done)
		e.str.Run(runCtx)
	}()
	t.Cleanup(e.close)
	return e
}

// close stops the worker, then the chat service, then the store.
func (e *env) close() {
	if e.closed {
		return
	}
	e.closed = true
	e.cancel()
	<-e.done
	e.chat.Close()
	e.st.Close()
}

// customer starts a chat and connects its customer.
func (e *env) customer(t *testing.T, name string) *chat.Caller {
	t.Helper()
	ctx := t.Context()
	out, err := e.chat.StartChat(ctx, chat.StartChatInput{InstanceID: e.inst.ID, ContactFlowID: e.flow.ID, DisplayName: name,
		InitialMessage: &chat.Message{ContentType: "text/plain", Content: "before streaming"}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := e.chat.CreateConnection(ctx, out.ParticipantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.chat.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) stream(t *testing.T, c *chat.Caller, arn, token string) string {
	t.Helper()
	id, err := e.str.StartContactStreaming(t.Context(), e.inst.ID, c.Contact.ID, arn, token)
	if err != nil {
		t.Fatalf("StartContactStreaming: %v", err)
	}
	return id
}

func send(t *testing.T, e *env, c *chat.Caller, n int) []*parley.Item {
	t.Helper()
	return sendVia(t, e.chat, c, n)
}

// sendVia sends n messages as c through svc (a node's chat service).
func sendVia(t *testing.T, svc *chat.Service, c *chat.Caller, n int) []*parley.Item {
	t.Helper()
	var out []*parley.Item
	for i := range n {
		it, err := svc.SendMessage(t.Context(), c, "text/plain", fmt.Sprintf("message %d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

// runWorker runs svc's worker until the test ends.
func runWorker(t *testing.T, svc *streaming.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond until it holds; it gives up (failing the test) after a generous bound, so a test that
// would hang fails instead. It asserts no timing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inOrder checks that the deliveries to a stream are the items, in order, at least once each: consecutive
// repeats are allowed (a delivery repeated after a crash), nothing missing, nothing out of order.
func inOrder(t *testing.T, what string, got []delivery, want []*parley.Item) {
	t.Helper()
	var ids []string
	for _, d := range got {
		if len(ids) == 0 || ids[len(ids)-1] != d.itemID {
			ids = append(ids, d.itemID)
		}
	}
	var wantIDs []string
	for _, it := range want {
		wantIDs = append(wantIDs, it.ID)
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("%s: delivered %d distinct items %v, want %d in order %v", what, len(ids), ids, len(wantIDs), wantIDs)
	}
}

// TestFailingEndpointRecovers: an endpoint that fails its first calls then recovers receives every item
// streamed on three chats, at least once, in order per chat; nothing from before StartContactStreaming.
func TestFailingEndpointRecovers(t *testing.T) {
	ep := &fakeEndpoint{fail: func(call int, _ *parley.Item) error {
		if call <= 25 {
			return errors.New("503 Service Unavailable")
		}
		return nil
	}}
	e := open(t, t.TempDir(), ep, fastRetries)
	type chatWant struct {
		stream string
		items  []*parley.Item
	}
	var chats []chatWant
	for i := range 3 {
		c := e.customer(t, fmt.Sprintf("customer %d", i))
		chats = append(chats, chatWant{stream: e.stream(t, c, topic, "")})
		chats[i].items = send(t, e, c, 15)
	}
	for i, cw := range chats {
		waitFor(t, "every item delivered", func() bool { return len(ep.delivered(cw.stream)) >= len(cw.items) })
		inOrder(t, fmt.Sprintf("chat %d", i), ep.delivered(cw.stream), cw.items)
	}
	var stats streaming.Stats
	waitFor(t, "the outbox rows deleted", func() bool { // the endpoint has an item a moment before its row goes
		var err error
		stats, err = e.str.Stats(t.Context())
		return err == nil && stats.Backlog == 0 && stats.Delivered == 45
	})
	if stats.Retried == 0 || stats.Delivered != 45 || stats.Backlog != 0 || stats.DeadCount != 0 {
		t.Errorf("Stats = %+v, want retries, 45 delivered, no backlog, nothing dead", stats)
	}
}

// TestPermanentErrorDeadLettersAndReplay: a permanent error dead-letters the entry at once (the items behind
// it still go), the dead letter is listed, and a replay delivers it once the endpoint takes it.
func TestPermanentErrorDeadLettersAndReplay(t *testing.T) {
	testPermanentErrorDeadLettersAndReplay(t, t.TempDir())
}

func testPermanentErrorDeadLettersAndReplay(t *testing.T, where string) {
	ep := &fakeEndpoint{}
	poison := errors.New("413 payload too large")
	ep.setFail(func(_ int, it *parley.Item) error {
		if it.Content == "message 1" {
			return fmt.Errorf("publish: %w", streaming.Permanent(poison))
		}
		return nil
	})
	e := open(t, where, ep, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "tok")
	items := send(t, e, c, 3)
	waitFor(t, "the items after the poisoned one", func() bool { return len(ep.delivered(id)) == 2 })
	inOrder(t, "before replay", ep.delivered(id), []*parley.Item{items[0], items[2]})
	cursorAt(t, e, id, items[2].Seq)

	dead, err := e.str.DeadLetters(t.Context(), e.inst.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ItemID != items[1].ID || dead[0].StreamID != id || dead[0].EndpointARN != topic ||
		dead[0].Attempts != 1 || dead[0].LastError != "publish: 413 payload too large" {
		t.Fatalf("DeadLetters = %+v, want the poisoned item after 1 attempt with its error", dead)
	}
	stats, _ := e.str.Stats(t.Context())
	if stats.Dead != 1 || stats.DeadCount != 1 {
		t.Errorf("Stats = %+v, want 1 dead", stats)
	}

	ep.setFail(nil)
	n, err := e.str.Replay(t.Context(), e.inst.ID, "")
	if err != nil || n != 1 {
		t.Fatalf("Replay = %d, %v; want 1", n, err)
	}
	waitFor(t, "the replayed item", func() bool { return len(ep.delivered(id)) == 3 })
	if got := ep.delivered(id)[2].itemID; got != items[1].ID {
		t.Errorf("replay delivered %s, want %s", got, items[1].ID)
	}
	if dead, _ := e.str.DeadLetters(t.Context(), e.inst.ID, 0); len(dead) != 0 {
		t.Errorf("dead letters after replay: %+v", dead)
	}
	if _, err := e.str.Replay(t.Context(), e.inst.ID, "no-such-stream"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Replay of an unknown stream: %v, want ENOTFOUND", err)
	}
}

// TestMaxAttempts: an entry that keeps failing is dead-lettered after MaxAttempts attempts and holds up the
// stream until then (nothing behind it goes first).
func TestMaxAttempts(t *testing.T) {
	ep := &fakeEndpoint{}
	var tries int
	ep.setFail(func(_ int, it *parley.Item) error {
		if it.Content == "message 0" {
			tries++
			return errors.New("timeout")
		}
		return nil
	})
	cfg := fastRetries
	cfg.MaxAttempts = 4
	e := open(t, t.TempDir(), ep, cfg)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	items := send(t, e, c, 2)
	waitFor(t, "the item behind the dead one", func() bool { return len(ep.delivered(id)) == 1 })
	inOrder(t, "after dead-lettering", ep.delivered(id), items[1:])
	ep.mu.Lock()
	if tries != 4 {
		t.Errorf("the failing item was tried %d times, want 4 (MaxAttempts)", tries)
	}
	ep.mu.Unlock()
	dead, err := e.str.DeadLetters(t.Context(), e.inst.ID, 0)
	if err != nil || len(dead) != 1 || dead[0].Attempts != 4 || dead[0].LastError != "timeout" {
		t.Errorf("DeadLetters = %+v, %v; want one entry after 4 attempts", dead, err)
	}
}

// TestRestartMidBacklog: items streamed while the endpoint is down survive closing and reopening the database:
// after the restart every one of them is delivered, in order.
func TestRestartMidBacklog(t *testing.T) { testRestartMidBacklog(t, t.TempDir()) }

func testRestartMidBacklog(t *testing.T, dir string) {
	down := &fakeEndpoint{fail: func(int, *parley.Item) error { return errors.New("connection refused") }}
	e := open(t, dir, down, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	items := send(t, e, c, 10)
	waitFor(t, "failed attempts", func() bool {
		down.mu.Lock()
		defer down.mu.Unlock()
		return down.calls >= 3
	})
	e.close()

	up := &fakeEndpoint{}
	e2 := open(t, dir, up, fastRetries)
	waitFor(t, "the backlog after the restart", func() bool { return len(up.delivered(id)) >= len(items) })
	inOrder(t, "after restart", up.delivered(id), items)
	// The endpoint has the last item a moment before its row is deleted.
	waitFor(t, "an empty backlog", func() bool {
		stats, err := e2.str.Stats(t.Context())
		return err == nil && stats.Backlog == 0
	})
}

// TestNoEndpointEntriesWait: without an endpoint, streaming starts and entries wait in the outbox; a later
// start with an endpoint delivers them.
func TestNoEndpointEntriesWait(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir, nil, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	items := send(t, e, c, 3)
	if stats, err := e.str.Stats(t.Context()); err != nil || stats.Backlog != 3 {
		t.Fatalf("Stats = %+v, %v; want a backlog of 3", stats, err)
	}
	e.close()
	ep := &fakeEndpoint{}
	open(t, dir, ep, fastRetries)
	waitFor(t, "the waiting entries", func() bool { return len(ep.delivered(id)) >= 3 })
	inOrder(t, "after the endpoint came", ep.delivered(id), items)
}

// TestChatEndStopsStreaming: chat.ended is streamed, then the chat's streams stop.
func TestChatEndStopsStreaming(t *testing.T) {
	ep := &fakeEndpoint{}
	e := open(t, t.TempDir(), ep, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	if err := e.chat.Disconnect(t.Context(), c, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "chat.ended", func() bool {
		got := ep.delivered(id)
		return len(got) > 0 && got[len(got)-1].content == "" && lastType(t, e, got[len(got)-1]) == parley.EventChatEnded
	})
	active, err := e.st.ListStreams(t.Context(), c.Contact.InitialContactID, true)
	if err != nil || len(active) != 0 {
		t.Errorf("active streams after the chat ended: %v, %v", active, err)
	}
	if _, err := e.str.StartContactStreaming(t.Context(), e.inst.ID, c.Contact.ID, topic, "late"); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("StartContactStreaming on an ended chat: %v, want EREQUEST", err)
	}
}

func lastType(t *testing.T, e *env, d delivery) string {
	it, err := e.st.GetItem(t.Context(), d.itemID)
	if err != nil {
		t.Fatal(err)
	}
	return it.ContentType
}

// TestStartStopRules: idempotent ClientToken, one stream per endpoint, at most two endpoints, ARN checks, stop,
// unknown contact and stream.
func TestStartStopRules(t *testing.T) {
	ep := &fakeEndpoint{}
	e := open(t, t.TempDir(), ep, fastRetries)
	ctx := t.Context()
	c := e.customer(t, "Ann")
	a := e.stream(t, c, topic, "tok-a")
	if again := e.stream(t, c, topic, "tok-a"); again != a {
		t.Errorf("the same ClientToken gave StreamingId %s, then %s", a, again)
	}
	if same := e.stream(t, c, topic, "tok-other"); same != a {
		t.Errorf("the same endpoint with another token gave a new stream %s (want %s)", same, a)
	}
	if _, err := e.str.StartContactStreaming(ctx, e.inst.ID, c.Contact.ID, topic+"-2", "tok-a"); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("a ClientToken reused for another endpoint: %v, want EREQUEST", err)
	}
	b := e.stream(t, c, topic+"-2", "tok-b")
	if _, err := e.str.StartContactStreaming(ctx, e.inst.ID, c.Contact.ID, topic+"-3", "tok-c"); !parley.IsCode(err, parley.ELIMIT) {
		t.Errorf("a third endpoint: %v, want ELIMIT", err)
	}
	for _, arn := range []string{"not-an-arn", "arn:aws:sqs:us-west-2:000000000000:q", topic + ".fifo",
		"arn:aws:sns:eu-west-1:000000000000:elsewhere"} {
		if _, err := e.str.StartContactStreaming(ctx, e.inst.ID, c.Contact.ID, arn, ""); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("StartContactStreaming to %s: %v, want EINVALID", arn, err)
		}
	}
	if _, err := e.str.StartContactStreaming(ctx, e.inst.ID, "no-such-contact", topic, ""); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("StartContactStreaming on an unknown contact: %v, want ENOTFOUND", err)
	}
	if _, err := e.str.StartContactStreaming(ctx, "no-such-instance", c.Contact.ID, topic, ""); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("StartContactStreaming in an unknown instance: %v, want ENOTFOUND", err)
	}

	// Both streams get a message; after b stops, only a gets the next, and a third endpoint fits again.
	first := send(t, e, c, 1)
	if err := e.str.StopContactStreaming(ctx, e.inst.ID, c.Contact.ID, b); err != nil {
		t.Fatal(err)
	}
	if err := e.str.StopContactStreaming(ctx, e.inst.ID, c.Contact.ID, b); err != nil {
		t.Errorf("stopping a stopped stream: %v", err)
	}
	second := send(t, e, c, 1)
	waitFor(t, "deliveries", func() bool { return len(ep.delivered(a)) == 2 && len(ep.delivered(b)) == 1 })
	inOrder(t, "stream a", ep.delivered(a), append(first, second...))
	inOrder(t, "stream b", ep.delivered(b), first)
	e.stream(t, c, topic+"-3", "tok-c")
	if err := e.str.StopContactStreaming(ctx, e.inst.ID, c.Contact.ID, "no-such-stream"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("StopContactStreaming of an unknown stream: %v, want ENOTFOUND", err)
	}
	other := e.customer(t, "Bob")
	if err := e.str.StopContactStreaming(ctx, e.inst.ID, other.Contact.ID, a); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("StopContactStreaming of another chat's stream: %v, want ENOTFOUND", err)
	}
}

// TestOneNodeDelivers: two streaming services on one store (two nodes): only the holder of the "outbox" lease
// delivers.
func TestOneNodeDelivers(t *testing.T) {
	ep1 := &fakeEndpoint{}
	e := open(t, t.TempDir(), ep1, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	first := send(t, e, c, 1)
	waitFor(t, "the first item", func() bool { return len(ep1.delivered(id)) == 1 })

	ep2 := &fakeEndpoint{}
	cfg := fastRetries
	cfg.NodeID = "other-node"
	runWorker(t, streaming.New(e.st, ep2, nil, nil, cfg))
	more := send(t, e, c, 5)
	waitFor(t, "the other items", func() bool { return len(ep1.delivered(id)) == 6 })
	inOrder(t, "the lease holder", ep1.delivered(id), append(first, more...))
	if got := ep2.delivered(id); len(got) != 0 {
		t.Errorf("the node without the lease delivered %d items", len(got))
	}
}

// TestOtherNodesItemsRingAtOnce: in a cluster (one store, one bus) the lease holder delivers the items another
// node commits as they come, without waiting for its scan, which here runs once an hour; also on a stream that
// other node started.
func TestOtherNodesItemsRingAtOnce(t *testing.T) {
	cfg := fastRetries
	cfg.ScanInterval = time.Hour
	ep1 := &fakeEndpoint{}
	e := openNode(t, t.TempDir(), ep1, cfg, true)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	first := send(t, e, c, 1)
	waitFor(t, "the first item, from the lease holder's node", func() bool { return len(ep1.delivered(id)) == 1 })

	// A second node: its own chat service and streaming service on the same store and bus, without the lease.
	svc2, err := chat.New(e.st, e.bus, nil, nil, chat.Config{Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer svc2.Close()
	ep2 := &fakeEndpoint{}
	cfg2 := cfg
	cfg2.NodeID = "node-2"
	str2 := streaming.New(e.st, ep2, nil, nil, cfg2)
	str2.Follow(e.bus)
	svc2.Observe(str2)
	runWorker(t, str2)

	reads := func() int64 {
		st, err := e.str.Stats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return st.StoreReads
	}
	before := reads()
	more := sendVia(t, svc2, c, 5)
	waitFor(t, "the items committed on the other node", func() bool { return len(ep1.delivered(id)) == 6 })
	inOrder(t, "the lease holder", ep1.delivered(id), append(first, more...))
	// The bus brought them whole: the holder delivered them from its item cache.
	if n := reads() - before; n != 0 {
		t.Errorf("the holder read items from the store %d times for items it heard on the bus, want 0", n)
	}

	// A stream started on the other node: the holder hears of it (EventStreamStarted) and follows its chain.
	bob := e.customer(t, "Bob")
	id2, err := str2.StartContactStreaming(t.Context(), e.inst.ID, bob.Contact.ID, topic, "")
	if err != nil {
		t.Fatal(err)
	}
	bobs := sendVia(t, svc2, bob, 3)
	waitFor(t, "the items of a stream started on the other node", func() bool { return len(ep1.delivered(id2)) == 3 })
	inOrder(t, "the lease holder", ep1.delivered(id2), bobs)
	if st, _ := e.str.Stats(t.Context()); st.Following != 2 {
		t.Errorf("the holder follows %d chats, want 2 (Ann's and Bob's)", st.Following)
	}
	// Bob's chat ends on the other node: once its last item is delivered, the holder stops following it.
	if err := svc2.Disconnect(t.Context(), bob, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the holder to stop following an ended chat", func() bool {
		st, _ := e.str.Stats(t.Context())
		return st.Following == 1
	})
	// Ann's stream is stopped on the other node while the holder has its row cached: the items after the stop,
	// heard on the bus, are not streamed (their turns read the row again).
	if err := str2.StopContactStreaming(t.Context(), e.inst.ID, c.Contact.ID, id); err != nil {
		t.Fatal(err)
	}
	after := sendVia(t, svc2, c, 2)
	bob2 := e.customer(t, "Bob again")
	id3 := e.stream(t, bob2, topic, "")
	marker := send(t, e, bob2, 1)
	waitFor(t, "a later stream's item", func() bool { return len(ep1.delivered(id3)) == 1 })
	inOrder(t, "the later stream", ep1.delivered(id3), marker)
	if got := ep1.delivered(id); len(got) != 6 {
		t.Errorf("the holder delivered %d items of a stream stopped on the other node, want the 6 before the stop "+
			"(and not %d sent after it)", len(got), len(after))
	}
	if got := len(ep2.delivered(id)) + len(ep2.delivered(id2)); got != 0 {
		t.Errorf("the node without the lease delivered %d items", got)
	}
}

// TestStreamingSurvivesTransfer: a transfer makes a new contact of the chain; the stream goes on with its items,
// and the new contact's id names the same stream.
func TestStreamingSurvivesTransfer(t *testing.T) {
	ep := &fakeEndpoint{}
	e := open(t, t.TempDir(), ep, fastRetries)
	ctx := t.Context()
	queues, err := e.st.ListQueues(ctx, e.inst.ID)
	if err != nil || len(queues) == 0 {
		t.Fatalf("no queue to transfer to: %v", err)
	}
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	next, err := e.chat.Transfer(ctx, c.Contact.ID, queues[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	after := send(t, e, c, 1)[0]
	if after.ContactID != next.ID {
		t.Fatalf("the message after the transfer is on contact %s, want %s", after.ContactID, next.ID)
	}
	waitFor(t, "the message after the transfer", func() bool {
		for _, d := range ep.delivered(id) {
			if d.itemID == after.ID {
				return true
			}
		}
		return false
	})
	got := ep.delivered(id)
	if last := got[len(got)-1]; last.contactID != next.ID {
		t.Errorf("delivered with contact %s, want the new contact %s", last.contactID, next.ID)
	}
	var types []string
	for _, d := range got {
		types = append(types, lastType(t, e, d))
	}
	if !slices.Contains(types, parley.EventTransferSucceeded) {
		t.Errorf("no transfer.succeeded among the streamed items %v", types)
	}
	if again := e.stream(t, &chat.Caller{Contact: next}, topic, ""); again != id {
		t.Errorf("the new contact's StartContactStreaming to the same topic made stream %s, want %s", again, id)
	}
	if err := e.str.StopContactStreaming(ctx, e.inst.ID, next.ID, id); err != nil {
		t.Errorf("StopContactStreaming with the new contact's id: %v", err)
	}
}

// batchEndpoint is fakeEndpoint taking batches: it delivers a batch's items one by one and stops at the first
// failure, as PublishBatch reports its first failed entry.
type batchEndpoint struct {
	*fakeEndpoint
	mu      sync.Mutex
	batches []int // the size of every batch it was given
}

func (b *batchEndpoint) DeliverBatch(ctx context.Context, arn, streamingID string, ds []streaming.Delivery) (int, error) {
	b.mu.Lock()
	b.batches = append(b.batches, len(ds))
	b.mu.Unlock()
	if len(ds) > streaming.MaxBatch {
		return 0, fmt.Errorf("a batch of %d", len(ds))
	}
	for i, d := range ds {
		if err := b.Deliver(ctx, arn, streamingID, d.Contact, d.Item); err != nil {
			return i, err
		}
	}
	return len(ds), nil
}

// TestBatchEndpointPartialFailures: an endpoint that takes batches is given consecutive items of a stream
// (at most MaxBatch), and one that fails part of a batch gets the failed item and the rest again: every item
// arrives, in order per chat.
func TestBatchEndpointPartialFailures(t *testing.T) {
	ep := &batchEndpoint{fakeEndpoint: &fakeEndpoint{fail: func(call int, _ *parley.Item) error {
		if call%7 == 0 {
			return errors.New("throttled")
		}
		return nil
	}}}
	e := open(t, t.TempDir(), ep, fastRetries)
	var streams []string
	var items [][]*parley.Item
	var callers []*chat.Caller
	for i := range 3 {
		c := e.customer(t, fmt.Sprintf("customer %d", i))
		callers = append(callers, c)
		streams = append(streams, e.stream(t, c, topic, ""))
	}
	// Stop the worker from keeping up, so that entries pile up into batches.
	ep.setFail(func(int, *parley.Item) error { return errors.New("down") })
	for _, c := range callers {
		items = append(items, send(t, e, c, 30))
	}
	ep.setFail(func(call int, _ *parley.Item) error {
		if call%7 == 0 {
			return errors.New("throttled")
		}
		return nil
	})
	for i := range streams {
		waitFor(t, "every item delivered", func() bool { return len(ep.delivered(streams[i])) >= len(items[i]) })
		inOrder(t, fmt.Sprintf("chat %d", i), ep.delivered(streams[i]), items[i])
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	multi := 0
	for _, n := range ep.batches {
		if n > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Errorf("no batch of more than one item among %v", ep.batches)
	}
}

// TestRestartResumesAfterCursor: the items a stream delivered move its cursor, which outlives a restart: the
// restarted worker delivers only what came after it, and no outbox row was written for any item.
func TestRestartResumesAfterCursor(t *testing.T) { testRestartResumesAfterCursor(t, t.TempDir()) }

func testRestartResumesAfterCursor(t *testing.T, where string) {
	ep := &fakeEndpoint{}
	e := open(t, where, ep, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	first := send(t, e, c, 5)
	waitFor(t, "the first items", func() bool { return len(ep.delivered(id)) == len(first) })
	if rows, err := e.st.ListOutbox(t.Context(), parley.OutboxQuery{}); err != nil || len(rows) != 0 {
		t.Errorf("outbox rows after a delivery: %v, %v; want none", rows, err)
	}
	e.close() // saves the cursor

	ep2 := &fakeEndpoint{}
	e2 := open(t, where, ep2, fastRetries)
	st, err := e2.st.GetStream(t.Context(), id)
	if err != nil || st.Cursor != first[len(first)-1].Seq {
		t.Fatalf("after the restart: stream %+v, %v; want its cursor at Seq %d", st, err, first[len(first)-1].Seq)
	}
	more := send(t, e2, c, 3)
	waitFor(t, "the items after the restart", func() bool { return len(ep2.delivered(id)) >= len(more) })
	inOrder(t, "after the restart", ep2.delivered(id), more)
}

// TestFailureLeavesCursor: while the endpoint fails an item, the stream's cursor stays before it and the
// stream records the failing item, its attempts and its error; the backlog holds it and what came after. Once
// the endpoint takes it, the cursor passes everything.
func TestFailureLeavesCursor(t *testing.T) { testFailureLeavesCursor(t, t.TempDir()) }

func testFailureLeavesCursor(t *testing.T, where string) {
	ep := &fakeEndpoint{}
	e := open(t, where, ep, fastRetries)
	c := e.customer(t, "Ann")
	id := e.stream(t, c, topic, "")
	ok := send(t, e, c, 2)
	waitFor(t, "the first items", func() bool { return len(ep.delivered(id)) == 2 })
	ep.setFail(func(int, *parley.Item) error { return errors.New("503 Service Unavailable") })
	failing := send(t, e, c, 3)
	var st *parley.Stream
	waitFor(t, "recorded failures", func() bool {
		var err error
		st, err = e.st.GetStream(t.Context(), id)
		return err == nil && st.Attempts >= 2 && st.Cursor == ok[1].Seq
	})
	if st.FailingSeq != failing[0].Seq || st.LastError != "503 Service Unavailable" {
		t.Errorf("stream while failing: FailingSeq %d, LastError %q; want %d, the endpoint's error", st.FailingSeq,
			st.LastError, failing[0].Seq)
	}
	if stats, err := e.str.Stats(t.Context()); err != nil || stats.Backlog != 3 {
		t.Errorf("Stats while failing = %+v, %v; want a backlog of 3", stats, err)
	}
	if dead, err := e.str.DeadLetters(t.Context(), e.inst.ID, 0); err != nil || len(dead) != 0 {
		t.Errorf("dead letters while retrying: %+v, %v", dead, err)
	}

	ep.setFail(nil)
	cursorAt(t, e, id, failing[2].Seq)
	inOrder(t, "after recovery", ep.delivered(id), append(ok, failing...))
	if stats, err := e.str.Stats(t.Context()); err != nil || stats.Backlog != 0 {
		t.Errorf("Stats after recovery = %+v, %v; want no backlog", stats, err)
	}
}

// cursorAt waits until the stream's saved cursor is at seq.
func cursorAt(t *testing.T, e *env, id string, seq int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("the cursor at Seq %d", seq), func() bool {
		st, err := e.st.GetStream(t.Context(), id)
		return err == nil && st.Cursor == seq
	})
}

// TestPostgres runs the cursor tests on Postgres (skipped when it does not answer): the worker reads the same
// cursors, items and dead letters from either store.
func TestPostgres(t *testing.T) {
	base := os.Getenv("PARLEY_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	for name, fn := range map[string]func(*testing.T, string){
		"RestartMidBacklog":                  testRestartMidBacklog,
		"RestartResumesAfterCursor":          testRestartResumesAfterCursor,
		"FailureLeavesCursor":                testFailureLeavesCursor,
		"PermanentErrorDeadLettersAndReplay": testPermanentErrorDeadLettersAndReplay,
	} {
		t.Run(name, func(t *testing.T) {
			dsn, _ := testserver.PostgresSchema(t, base)
			fn(t, dsn)
		})
	}
}
