package nats_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/bustest"
	natsbus "github.com/parley-chat/parley/bus/nats"
)

// waitLimit bounds every wait for a delivery or a state change. It is a deadline for a failure message, not a
// speed assertion.
const waitLimit = 30 * time.Second

// externalURL returns the NATS server named by PARLEY_TEST_NATS (default nats://127.0.0.1:4222), or skips the
// test if none answers.
func externalURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("PARLEY_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	nc, err := natsgo.Connect(url, natsgo.Timeout(2*time.Second), natsgo.MaxReconnects(0))
	if err != nil {
		t.Skipf("no NATS server at %s (set PARLEY_TEST_NATS to run against one): %v", url, err)
	}
	nc.Close()
	return url
}

// startServer runs an in-process NATS server on 127.0.0.1 (port -1 picks a free one) until the test ends.
func startServer(t testing.TB, port int) *natsserver.Server {
	t.Helper()
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(waitLimit) {
		s.Shutdown()
		t.Fatalf("nats-server on port %d not ready after %v", port, waitLimit)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func serverPort(t *testing.T, s *natsserver.Server) int {
	t.Helper()
	addr, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("nats-server address %v is not TCP", s.Addr())
	}
	return addr.Port
}

// randomPrefix gives each test its own subjects, so that runs sharing a server do not interfere.
func randomPrefix(t testing.TB) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "parleytest." + hex.EncodeToString(b[:])
}

func open(t testing.TB, url, prefix string) *natsbus.Bus {
	t.Helper()
	return openLog(t, url, prefix, slog.New(slog.DiscardHandler))
}

// openLog opens a bus that logs to log. (A logger writing to t would outlive the test: the NATS client calls
// its handlers on its own goroutines.)
func openLog(t testing.TB, url, prefix string, log *slog.Logger) *natsbus.Bus {
	t.Helper()
	return openOpts(t, url, natsbus.Options{Prefix: prefix, Name: "parley-test", Log: log})
}

func openOpts(t testing.TB, url string, opts natsbus.Options) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	b, err := natsbus.New(ctx, url, opts)
	if err != nil {
		t.Fatalf("New(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestConformanceExternal(t *testing.T) {
	url := externalURL(t)
	bustest.Run(t, func(t *testing.T) parley.Bus { return open(t, url, randomPrefix(t)) })
}

func TestConformanceInProcess(t *testing.T) {
	s := startServer(t, -1)
	bustest.Run(t, func(t *testing.T) parley.Bus { return open(t, s.ClientURL(), randomPrefix(t)) })
}

// TestConformanceAcrossNodes runs the suite with every publish on one node and every subscription on another,
// as the gateway of one node hears the API of another.
func TestConformanceAcrossNodes(t *testing.T) {
	s := startServer(t, -1)
	bustest.Run(t, func(t *testing.T) parley.Bus {
		prefix := randomPrefix(t)
		return twoNodes{pub: open(t, s.ClientURL(), prefix), sub: open(t, s.ClientURL(), prefix)}
	})
}

// twoNodes is a parley.Bus that publishes through one node's bus and subscribes through another's.
type twoNodes struct{ pub, sub *natsbus.Bus }

func (n twoNodes) Publish(ctx context.Context, it *parley.Item) error { return n.pub.Publish(ctx, it) }
func (n twoNodes) Subscribe(chainID string, fn func(*parley.Item)) func() {
	return n.sub.Subscribe(chainID, fn)
}
func (n twoNodes) PublishEvent(ctx context.Context, ev *parley.Event) error {
	return n.pub.PublishEvent(ctx, ev)
}
func (n twoNodes) SubscribeEvents(fn func(*parley.Event)) func() { return n.sub.SubscribeEvents(fn) }
func (n twoNodes) Close() error                                  { return errors.Join(n.pub.Close(), n.sub.Close()) }

// recorder collects what one subscriber receives and lets a test wait for it.
type recorder struct {
	mu     sync.Mutex
	ids    map[string]int
	events []string
	wake   chan struct{}
}

func newRecorder() *recorder { return &recorder{ids: map[string]int{}, wake: make(chan struct{})} }

func (r *recorder) item(it *parley.Item) {
	r.mu.Lock()
	r.ids[it.ID]++
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) event(ev *parley.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev.InstanceID)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// waitFor waits until cond holds, or fails after waitLimit.
func (r *recorder) waitFor(t *testing.T, what string, cond func(ids map[string]int, events []string) bool) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok, wake := cond(r.ids, r.events), r.wake
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("waiting for %s: gave up after %v; items %v, events %v", what, waitLimit, r.ids, r.events)
		}
	}
}

func (r *recorder) waitItem(t *testing.T, id string) {
	t.Helper()
	r.waitFor(t, "item "+id, func(ids map[string]int, _ []string) bool { return ids[id] > 0 })
}

func (r *recorder) waitEvent(t *testing.T, instanceID string) {
	t.Helper()
	r.waitFor(t, "event "+instanceID, func(_ map[string]int, events []string) bool {
		for _, e := range events {
			if e == instanceID {
				return true
			}
		}
		return false
	})
}

func (r *recorder) snapshot() (map[string]int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make(map[string]int, len(r.ids))
	for k, v := range r.ids {
		ids[k] = v
	}
	return ids, append([]string(nil), r.events...)
}

func publish(t *testing.T, b parley.Bus, chain, id string) {
	t.Helper()
	if err := b.Publish(context.Background(), &parley.Item{ChainID: chain, ID: id}); err != nil {
		t.Fatalf("Publish(%s on %s): %v", id, chain, err)
	}
}

func publishEvent(t *testing.T, b parley.Bus, instanceID string) {
	t.Helper()
	if err := b.PublishEvent(context.Background(), &parley.Event{Kind: parley.EventConfigChanged, InstanceID: instanceID}); err != nil {
		t.Fatalf("PublishEvent(%s): %v", instanceID, err)
	}
}

// TestTwoNodes: two buses on one server with the same prefix are two nodes of one cluster; a third with
// another prefix is another cluster and hears nothing of the first.
func TestTwoNodes(t *testing.T) {
	s := startServer(t, -1)
	prefix := randomPrefix(t)
	a, b := open(t, s.ClientURL(), prefix), open(t, s.ClientURL(), prefix)
	other := open(t, s.ClientURL(), randomPrefix(t))
	const chain = "0b7d2c4e-1f7a-4c3e-9d1b-6a2f8e5c7d90"

	onB, onOther := newRecorder(), newRecorder()
	t.Cleanup(b.Subscribe(chain, onB.item))
	t.Cleanup(b.SubscribeEvents(onB.event))
	t.Cleanup(other.Subscribe(chain, onOther.item))
	t.Cleanup(other.SubscribeEvents(onOther.event))

	publish(t, a, chain, "from-a")
	publishEvent(t, a, "event-from-a")
	onB.waitItem(t, "from-a")
	onB.waitEvent(t, "event-from-a")

	// The server routed a's messages before b received them. A marker the other cluster publishes now reaches
	// its subscriber after anything of a's that the server might have misrouted to it.
	publish(t, other, chain, "marker")
	publishEvent(t, other, "event-marker")
	onOther.waitItem(t, "marker")
	onOther.waitEvent(t, "event-marker")
	ids, events := onOther.snapshot()
	if len(ids) != 1 || len(events) != 1 {
		t.Errorf("the other cluster received items %v and events %v, want only its own markers", ids, events)
	}
	// And b, of a's cluster, did not receive the other cluster's markers: its own publish is the witness.
	publish(t, b, chain, "from-b")
	onB.waitItem(t, "from-b")
	if ids, _ := onB.snapshot(); ids["marker"] != 0 {
		t.Errorf("b received the other cluster's item: %v", ids)
	}
}

// TestOneNATSSubscriptionPerChain: local subscribers of a chain share one NATS subscription, which goes away
// with the last of them.
func TestOneNATSSubscriptionPerChain(t *testing.T) {
	s := startServer(t, -1)
	b := open(t, s.ClientURL(), randomPrefix(t))
	base := s.NumSubscriptions() // the server's own (system account) subscriptions
	recs := []*recorder{newRecorder(), newRecorder(), newRecorder()}
	var unsubs []func()
	for _, r := range recs {
		unsubs = append(unsubs, b.Subscribe("chain-c", r.item))
	}
	d := newRecorder()
	unsubs = append(unsubs, b.Subscribe("chain-d", d.item))
	if got := s.NumSubscriptions() - base; got != 2 {
		t.Errorf("server has %d subscriptions for 4 subscribers of 2 chains, want 2", got)
	}
	if got, want := b.Chains(), 2; got != want {
		t.Errorf("Chains() = %d, want %d", got, want)
	}
	if got, want := b.Subscriptions(), 4; got != want {
		t.Errorf("Subscriptions() = %d, want %d", got, want)
	}
	publish(t, b, "chain-c", "c1")
	for _, r := range recs {
		r.waitItem(t, "c1")
	}
	unsubs[0]()
	unsubs[1]()
	if got := s.NumSubscriptions() - base; got != 2 {
		t.Errorf("server has %d subscriptions while chain-c keeps a subscriber, want 2", got)
	}
	publish(t, b, "chain-c", "c2")
	recs[2].waitItem(t, "c2")
	for _, u := range unsubs[2:] {
		u()
	}
	if got := b.Chains(); got != 0 {
		t.Errorf("Chains() = %d after every unsubscribe, want 0", got)
	}
	// The server processes UNSUB asynchronously; poll until it has.
	deadline := time.Now().Add(waitLimit)
	for s.NumSubscriptions() != base {
		if time.Now().After(deadline) {
			t.Fatalf("server still has %d subscriptions after every unsubscribe", s.NumSubscriptions()-base)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChainIDsThatAreNotSubjectTokens: ids with dots, wildcards, spaces, or of great length still get a
// subject of their own each.
func TestChainIDsThatAreNotSubjectTokens(t *testing.T) {
	s := startServer(t, -1)
	b := open(t, s.ClientURL(), randomPrefix(t))
	chains := []string{"", "a", "a.b", "a.*", "*", ">", "a>", "with space", "tab\there", "_61", "A", "ünïcode",
		"x_" + strings.Repeat("y", 64), strings.Repeat("l", 1000), strings.Repeat("l", 1001)}
	recs := make([]*recorder, len(chains))
	for i, c := range chains {
		recs[i] = newRecorder()
		t.Cleanup(b.Subscribe(c, recs[i].item))
	}
	for round := range 2 {
		for i, c := range chains {
			publish(t, b, c, fmt.Sprintf("%d-%d", i, round))
		}
	}
	for i, r := range recs {
		r.waitItem(t, fmt.Sprintf("%d-1", i))
		ids, _ := r.snapshot()
		if len(ids) != 2 || ids[fmt.Sprintf("%d-0", i)] != 1 || ids[fmt.Sprintf("%d-1", i)] != 1 {
			t.Errorf("chain %q received %v, want its own two items once each", chains[i], ids)
		}
	}
}

func TestNewRejectsBadPrefix(t *testing.T) {
	for _, prefix := range []string{"a..b", ".a", "a.", "a.*", "a.>", "with space", "a.b c"} {
		_, err := natsbus.New(context.Background(), "nats://127.0.0.1:1", natsbus.Options{Prefix: prefix})
		if !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("New(Prefix %q) = %v, want EINVALID", prefix, err)
		}
	}
}

// TestNewGivesUpWithContext: with no server, New waits for one only as long as its context allows.
func TestNewGivesUpWithContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "nats://" + l.Addr().String()
	_ = l.Close() // nobody listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if b, err := natsbus.New(ctx, url, natsbus.Options{}); err == nil {
		_ = b.Close()
		t.Fatal("New with no server: want an error")
	}
}

func TestPublishEventRejectsValue(t *testing.T) {
	s := startServer(t, -1)
	b := open(t, s.ClientURL(), randomPrefix(t))
	err := b.PublishEvent(context.Background(), &parley.Event{Kind: parley.EventAgentNotice, Value: struct{}{}})
	if !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("PublishEvent with a Value = %v, want EINVALID (a networked bus carries Data)", err)
	}
}

func TestClose(t *testing.T) {
	s := startServer(t, -1)
	b := open(t, s.ClientURL(), randomPrefix(t))
	if err := b.Healthy(); err != nil {
		t.Fatalf("Healthy() before Close = %v", err)
	}
	called := make(chan struct{}, 1)
	b.Subscribe("c", func(*parley.Item) { called <- struct{}{} })
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := b.Publish(context.Background(), &parley.Item{ChainID: "c"}); err == nil {
		t.Error("Publish after Close: want an error")
	}
	if err := b.PublishEvent(context.Background(), &parley.Event{}); err == nil {
		t.Error("PublishEvent after Close: want an error")
	}
	if err := b.Healthy(); err == nil {
		t.Error("Healthy() after Close: want an error")
	}
	b.Subscribe("c", func(*parley.Item) {})()   // no-op, no panic
	b.SubscribeEvents(func(*parley.Event) {})() // no-op, no panic
	select {
	case <-called:
		t.Error("subscriber called after Close")
	default:
	}
}

// TestOutage: while the server is down, Publish returns (an error once the reconnect buffer is full) instead of
// hanging; when the server is back on the same port, subscriptions made before the outage deliver again and
// new ones work.
func TestOutage(t *testing.T) {
	s := startServer(t, -1)
	port := serverPort(t, s)
	url := s.ClientURL()
	// Logged, to show how the client lives through the outage when the test runs with -v.
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var reconnects atomic.Int32
	pub := openLog(t, url, "outage", log.With("bus", "pub"))
	sub := openOpts(t, url, natsbus.Options{Prefix: "outage", Log: log.With("bus", "sub"),
		OnReconnect: func() { reconnects.Add(1) }})
	before := newRecorder()
	t.Cleanup(sub.Subscribe("chain-o", before.item))
	publish(t, pub, "chain-o", "before")
	before.waitItem(t, "before")

	s.Shutdown()
	s.WaitForShutdown()
	waitUntil(t, "the publisher to notice the outage", func() bool { return pub.Healthy() != nil })
	if pub.Status() == "CONNECTED" {
		t.Errorf("Status() = CONNECTED during the outage")
	}

	// Publish big items until the reconnect buffer overflows. Every call must return; the loop runs on its own
	// goroutine so that a hang fails the test instead of stalling it.
	done := make(chan error, 1)
	go func() {
		big := strings.Repeat("x", 64<<10)
		for i := range 1000 {
			err := pub.Publish(context.Background(), &parley.Item{ChainID: "chain-o", ID: fmt.Sprintf("down-%d", i), Content: big})
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Publish of 64 MiB during an outage never failed: want an error once the reconnect buffer is full")
		}
	case <-time.After(waitLimit):
		t.Fatalf("Publish during an outage did not return within %v", waitLimit)
	}

	// Subscribing during the outage does not wait for the server; the client subscribes when it reconnects.
	during := newRecorder()
	subscribed := make(chan func(), 1)
	go func() { subscribed <- sub.Subscribe("chain-d", during.item) }()
	select {
	case unsub := <-subscribed:
		t.Cleanup(unsub)
	case <-time.After(waitLimit):
		t.Fatalf("Subscribe during an outage did not return within %v", waitLimit)
	}

	startServer(t, port)
	waitUntil(t, "both buses to reconnect", func() bool { return pub.Healthy() == nil && sub.Healthy() == nil })
	waitUntil(t, "OnReconnect", func() bool { return reconnects.Load() > 0 })

	// The subscription made before the outage was restored by the client. The publisher's and the subscriber's
	// connections are independent, so poll: publish until one arrives.
	pollDelivery(t, pub, "chain-o", before, "the subscription made before the outage")
	pollDelivery(t, pub, "chain-d", during, "the subscription made during the outage")
	// A subscription made now is effective at once.
	fresh := newRecorder()
	t.Cleanup(sub.Subscribe("chain-n", fresh.item))
	publish(t, pub, "chain-n", "fresh")
	fresh.waitItem(t, "fresh")
}

// pollDelivery publishes on chain until r receives one of the items. The publisher's and the subscriber's
// connections come back independently, so the first items may find no subscription at the server yet.
func pollDelivery(t *testing.T, pub *natsbus.Bus, chain string, r *recorder, what string) {
	t.Helper()
	for i := 0; ; i++ {
		id := fmt.Sprintf("%s-after-%d", chain, i)
		publish(t, pub, chain, id)
		if waitBriefly(r, id) {
			return
		}
		if i > 100 {
			t.Fatalf("%s receives nothing after the server came back", what)
		}
	}
}

// waitBriefly reports whether r receives id within a moment (a poll step, not an assertion).
func waitBriefly(r *recorder, id string) bool {
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		ok, wake := r.ids[id] > 0, r.wake
		r.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-wake:
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %v", what, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logRecorder is a slog handler that keeps the messages logged (it may outlive the test: it never touches t).
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " " + a.String()
		return true
	})
	l.msgs = append(l.msgs, msg)
	return nil
}

func (l *logRecorder) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

// TestStuckSubscriberStallsOnlyItsChain: a subscriber that blocks (breaking the contract) holds up the other
// subscribers of its own chain on this node, as on bus/local, but no other chain and never Publish; its chain's
// messages beyond the pending limit are dropped and logged, and it receives the items published after it
// recovers. Both paths are covered: this node's own publications (its local queue) and another node's (its
// NATS subscription).
func TestStuckSubscriberStallsOnlyItsChain(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remote bool
	}{{"OwnPublications", false}, {"AnotherNodes", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, -1)
			logs := &logRecorder{}
			prefix := randomPrefix(t)
			b := openLog(t, s.ClientURL(), prefix, slog.New(logs))
			pub := b
			if tc.remote {
				pub = open(t, s.ClientURL(), prefix)
			}
			entered, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			t.Cleanup(func() { closeOnce(release) })
			stuck := newRecorder()
			t.Cleanup(b.Subscribe("stuck", func(it *parley.Item) {
				once.Do(func() {
					close(entered)
					<-release
				})
				stuck.item(it)
			}))
			free := newRecorder()
			t.Cleanup(b.Subscribe("free", free.item))

			publish(t, pub, "stuck", "first")
			<-entered
			const flood = 3000 // beyond the chain's pending limit of 1,024 messages
			published := make(chan struct{})
			go func() {
				defer close(published)
				for i := range flood {
					if err := pub.Publish(context.Background(), &parley.Item{ChainID: "stuck", ID: fmt.Sprintf("flood-%d", i)}); err != nil {
						t.Errorf("Publish: %v", err)
						return
					}
				}
			}()
			select {
			case <-published:
			case <-time.After(waitLimit):
				t.Fatalf("publishing %d items on a chain whose subscriber blocks did not return within %v", flood, waitLimit)
			}
			// Another chain is not held up. (Through NATS the flood came first on the one connection, so it was
			// read before this.)
			publish(t, pub, "free", "free-1")
			free.waitItem(t, "free-1")
			close(release)

			// Once the subscriber catches up, new items reach it. An item published at once may still find its
			// queue full, so poll.
			pollDelivery(t, pub, "stuck", stuck, "the recovered subscriber")
			ids, _ := stuck.snapshot()
			if len(ids) >= flood+2 {
				t.Errorf("the stuck subscriber received all %d items: want the ones beyond the pending limit dropped", len(ids))
			}
			waitUntil(t, "the slow consumer to be logged", func() bool { return logs.has("slow consumer") })
		})
	}
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

// TestOwnPublicationsOnce: the connection has NoEcho, so a node's own items and events reach its own
// subscribers once, through its local queues, in the order published; another node (another connection, here
// in the same process) receives them once through the server, and the first node still hears the other's.
func TestOwnPublicationsOnce(t *testing.T) {
	s := startServer(t, -1)
	prefix := randomPrefix(t)
	a, other := open(t, s.ClientURL(), prefix), open(t, s.ClientURL(), prefix)
	const chain, n = "5e0c9f2a-7b1d-4e8a-9c3f-2d6b1a0e4f77", 200

	type ordered struct {
		mu     sync.Mutex
		items  []string
		events []string
	}
	var order ordered
	onA, onOther := newRecorder(), newRecorder()
	t.Cleanup(a.Subscribe(chain, func(it *parley.Item) {
		order.mu.Lock()
		order.items = append(order.items, it.ID)
		order.mu.Unlock()
		onA.item(it)
	}))
	t.Cleanup(a.SubscribeEvents(func(ev *parley.Event) {
		order.mu.Lock()
		order.events = append(order.events, ev.InstanceID)
		order.mu.Unlock()
		onA.event(ev)
	}))
	t.Cleanup(other.Subscribe(chain, onOther.item))
	t.Cleanup(other.SubscribeEvents(onOther.event))

	var want []string
	for i := range n {
		id := fmt.Sprintf("own-%03d", i)
		want = append(want, id)
		publish(t, a, chain, id)
		publishEvent(t, a, id)
	}
	// When the other node has everything, the server has routed all of a's messages, an echo to a included (if
	// there were one); the other node's marker is routed after them, so a receives it after any echo.
	onOther.waitFor(t, "a's items and events on the other node", func(ids map[string]int, events []string) bool {
		return len(ids) == n && len(events) == n
	})
	publish(t, other, chain, "marker")
	publishEvent(t, other, "marker")
	onA.waitItem(t, "marker")
	onA.waitEvent(t, "marker")

	ids, events := onA.snapshot()
	for _, id := range want {
		if ids[id] != 1 {
			t.Errorf("a's subscriber received its own item %s %d times, want 1", id, ids[id])
		}
	}
	if len(events) != n+1 {
		t.Errorf("a's event subscriber received %d events, want its own %d once each and the marker", len(events), n)
	}
	onOther.waitItem(t, "marker")
	onOther.waitEvent(t, "marker")
	otherIDs, otherEvents := onOther.snapshot()
	for _, id := range want {
		if otherIDs[id] != 1 {
			t.Errorf("the other node received a's item %s %d times, want 1", id, otherIDs[id])
		}
	}
	if len(otherEvents) != n+1 {
		t.Errorf("the other node received %d events, want a's %d and its own marker", len(otherEvents), n)
	}
	if otherIDs["marker"] != 1 {
		t.Errorf("the other node received its own marker %d times, want 1", otherIDs["marker"])
	}
	order.mu.Lock()
	defer order.mu.Unlock()
	var ownItems, ownEvents []string
	for _, id := range order.items {
		if id != "marker" {
			ownItems = append(ownItems, id)
		}
	}
	for _, id := range order.events {
		if id != "marker" {
			ownEvents = append(ownEvents, id)
		}
	}
	if !slices.Equal(ownItems, want) {
		t.Errorf("own items arrived in the order %v, want the order published", ownItems)
	}
	if !slices.Equal(ownEvents, want) {
		t.Errorf("own events arrived in the order %v, want the order published", ownEvents)
	}
}

// TestBlockedEventSubscriberDoesNotBlockPublish: an event subscriber that blocks holds up neither PublishEvent
// nor Publish on this node, and other chains' own items still arrive.
func TestBlockedEventSubscriberDoesNotBlockPublish(t *testing.T) {
	s := startServer(t, -1)
	b := open(t, s.ClientURL(), randomPrefix(t))
	release := make(chan struct{})
	t.Cleanup(func() { closeOnce(release) })
	entered := make(chan struct{}, 1)
	t.Cleanup(b.SubscribeEvents(func(*parley.Event) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
	}))
	r := newRecorder()
	t.Cleanup(b.Subscribe("c", r.item))
	publishEvent(t, b, "first")
	<-entered
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5000 {
			if err := b.PublishEvent(context.Background(), &parley.Event{Kind: parley.EventConfigChanged, InstanceID: fmt.Sprint(i)}); err != nil {
				t.Errorf("PublishEvent: %v", err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatalf("PublishEvent with a blocked event subscriber did not return within %v", waitLimit)
	}
	publish(t, b, "c", "item")
	r.waitItem(t, "item")
	closeOnce(release)
}

// TestClientOptions: a server that requires credentials is reached with the client options that carry them.
func TestClientOptions(t *testing.T) {
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		Username: "parley", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(waitLimit) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if b, err := natsbus.New(ctx, s.ClientURL(), natsbus.Options{Log: slog.New(slog.DiscardHandler)}); err == nil {
		_ = b.Close()
		t.Fatal("New without credentials: want an error")
	}
	b := openOpts(t, s.ClientURL(), natsbus.Options{Prefix: randomPrefix(t), Log: slog.New(slog.DiscardHandler),
		ClientOptions: []natsgo.Option{natsgo.UserInfo("parley", "s3cret")}})
	r := newRecorder()
	t.Cleanup(b.Subscribe("c", r.item))
	publish(t, b, "c", "authenticated")
	r.waitItem(t, "authenticated")
}

// TestServerStopsReading: a server that accepts the connection and then stops reading (a stalled or
// overloaded server, not a closed one) cannot hold Publish: a write times out, the client drops the connection,
// and publishes fail once the reconnect buffer is full. The fake server speaks just enough of the protocol to
// accept one client, then closes its listener, so reconnecting fails.
func TestServerStopsReading(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	t.Cleanup(func() {
		_ = l.Close()
		select {
		case c := <-accepted:
			_ = c.Close()
		default:
		}
	})
	go func() {
		c, err := l.Accept()
		_ = l.Close()
		if err != nil {
			return
		}
		accepted <- c
		_, _ = io.WriteString(c, `INFO {"server_id":"stalled","version":"2.10.0","proto":1,"max_payload":1048576,"headers":true}`+"\r\n")
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(line, "PING") {
				_, _ = io.WriteString(c, "PONG\r\n")
				return // and never read again
			}
		}
	}()
	b := open(t, "nats://"+l.Addr().String(), randomPrefix(t))

	done := make(chan error, 1)
	go func() {
		big := strings.Repeat("x", 64<<10)
		for i := range 10_000 {
			if err := b.Publish(context.Background(), &parley.Item{ChainID: "c", ID: fmt.Sprint(i), Content: big}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("640 MiB published to a server that reads nothing, with no error")
		}
	case <-time.After(waitLimit):
		t.Fatalf("Publish to a server that stopped reading did not return within %v", waitLimit)
	}
	// The client drops the stalled connection once a write times out; Publish may fail first (a full buffer).
	deadline := time.Now().Add(waitLimit)
	for b.Healthy() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := b.Healthy(); err == nil {
		t.Error("Healthy() = nil after the connection to a stalled server was dropped")
	}
}

// BenchmarkPublishDeliver publishes items that subscribers on another node receive, through an in-process server.
func BenchmarkPublishDeliver(b *testing.B) {
	s := startServer(b, -1)
	prefix := randomPrefix(b)
	pub, sub := open(b, s.ClientURL(), prefix), open(b, s.ClientURL(), prefix)
	var got atomic.Int64
	const chains = 100
	for c := range chains {
		b.Cleanup(sub.Subscribe(fmt.Sprintf("chain-%d", c), func(*parley.Item) { got.Add(1) }))
	}
	it := &parley.Item{ChainID: "chain-0", ID: "x", Type: parley.ItemMessage, ContentType: "text/plain",
		Content: strings.Repeat("m", 200), Role: parley.RoleCustomer, Time: time.Now()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cp := *it
		cp.ChainID = fmt.Sprintf("chain-%d", i%chains)
		if err := pub.Publish(context.Background(), &cp); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(waitLimit)
	for got.Load() < int64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d items delivered after %v (dropped as a slow consumer?)", got.Load(), b.N, waitLimit)
		}
		time.Sleep(time.Millisecond)
	}
}
