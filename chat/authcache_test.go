package chat_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

// countingStore counts ConnectionToken lookups, to tell a cached authentication from a store read.
type countingStore struct {
	parley.Store
	lookups atomic.Int64
}

func (s *countingStore) Connection(ctx context.Context, tokenHash []byte) (*parley.Connection, error) {
	s.lookups.Add(1)
	return s.Store.Connection(ctx, tokenHash)
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type cacheFixture struct {
	svc      *chat.Service
	store    *countingStore
	clock    *testClock
	instance string
	contact  string
	customer string // ConnectionTokens
	bot      string
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	bus := local.New()
	t.Cleanup(func() {
		bus.Close()
		st.Close()
	})
	f := &cacheFixture{store: &countingStore{Store: st}, clock: &testClock{now: time.Now().UTC()}}
	f.svc, err = chat.New(f.store, bus, f.clock, nil, chat.Config{Secret: bytes.Repeat([]byte{7}, 32),
		SocketURL: "ws://127.0.0.1:1/ws", AuthCacheTTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	in, flow, err := f.svc.Bootstrap(ctx, "cache")
	if err != nil {
		t.Fatal(err)
	}
	f.instance = in.ID
	out, err := f.svc.StartChat(ctx, chat.StartChatInput{InstanceID: in.ID, ContactFlowID: flow.ID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	f.contact = out.ContactID
	f.customer = f.connect(t, out.ParticipantToken)
	bot, err := f.svc.CreateParticipant(ctx, chat.CreateParticipantInput{InstanceID: in.ID, ContactID: out.ContactID,
		Role: parley.RoleCustomBot, DisplayName: "Bot"})
	if err != nil {
		t.Fatal(err)
	}
	f.bot = f.connect(t, bot.ParticipantToken)
	return f
}

func (f *cacheFixture) connect(t *testing.T, participantToken string) string {
	t.Helper()
	out, err := f.svc.CreateConnection(context.Background(), participantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	return out.ConnectionToken
}

func (f *cacheFixture) send(t *testing.T, token string) error {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	_, err = f.svc.SendMessage(ctx, c, "text/plain", "hello", "")
	return err
}

func TestAuthCacheServesRepeatedLookups(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	first, err := f.svc.Authenticate(ctx, f.customer)
	if err != nil {
		t.Fatal(err)
	}
	before := f.store.lookups.Load()
	second, err := f.svc.Authenticate(ctx, f.customer)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.store.lookups.Load() - before; got != 0 {
		t.Errorf("second Authenticate read the store %d times, want 0", got)
	}
	if second.Participant.ID != first.Participant.ID || second.Contact.ID != first.Contact.ID {
		t.Errorf("cached caller %+v, want %+v", second, first)
	}
	// Callers may change what they get without changing the cache.
	second.Participant.State = parley.ParticipantLeft
	third, err := f.svc.Authenticate(ctx, f.customer)
	if err != nil {
		t.Fatal(err)
	}
	if third.Participant.State != parley.ParticipantJoined {
		t.Errorf("cached participant state %q after a caller changed its copy", third.Participant.State)
	}
	// After the TTL the store is read again.
	f.clock.add(3 * time.Second)
	before = f.store.lookups.Load()
	if _, err := f.svc.Authenticate(ctx, f.customer); err != nil {
		t.Fatal(err)
	}
	if got := f.store.lookups.Load() - before; got != 1 {
		t.Errorf("Authenticate after the TTL read the store %d times, want 1", got)
	}
}

func TestAuthCacheRevokesOnLeave(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	if err := f.send(t, f.bot); err != nil { // the bot's caller is now cached
		t.Fatal(err)
	}
	c, err := f.svc.Authenticate(ctx, f.bot)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Disconnect(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	// No clock movement: the leave itself must revoke (a stale caller would still be refused by SendMessage's
	// check inside the transaction, so look at the caller itself).
	c, err = f.svc.Authenticate(ctx, f.bot)
	if err != nil {
		t.Fatal(err)
	}
	if c.Participant.State != parley.ParticipantLeft {
		t.Errorf("after leaving, the bot authenticates as %q", c.Participant.State)
	}
	if err := f.send(t, f.bot); !parley.IsCode(err, parley.EACCESS) {
		t.Errorf("SendMessage after the bot left: %v, want EACCESS", err)
	}
	if err := f.send(t, f.customer); err != nil {
		t.Errorf("the customer cannot send after the bot left: %v", err)
	}
}

func TestAuthCacheRevokesOnEnd(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	for _, tok := range []string{f.customer, f.bot} {
		if err := f.send(t, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.StopContact(ctx, f.instance, f.contact); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{f.customer, f.bot} {
		c, err := f.svc.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if c.Contact.Active() || c.Participant.State != parley.ParticipantLeft {
			t.Errorf("after the end: contact active %v, participant %q", c.Contact.Active(), c.Participant.State)
		}
		if err := f.send(t, tok); !parley.IsCode(err, parley.EACCESS) {
			t.Errorf("SendMessage after the chat ended: %v, want EACCESS", err)
		}
	}
}

func TestAuthCacheHonoursTokenExpiry(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Authenticate(ctx, f.customer); err != nil {
		t.Fatal(err)
	}
	// Just before the entry's own TTL ends, move past the ConnectionToken's 24-hour expiry by refilling the
	// cache close to it.
	f.clock.add(24*time.Hour - time.Second)
	if _, err := f.svc.Authenticate(ctx, f.customer); err != nil { // refills the cache
		t.Fatal(err)
	}
	f.clock.add(2 * time.Second) // inside the entry's TTL, past the token's expiry
	if _, err := f.svc.Authenticate(ctx, f.customer); !parley.IsCode(err, parley.EACCESS) {
		t.Errorf("Authenticate with an expired token: %v, want EACCESS", err)
	}
}
