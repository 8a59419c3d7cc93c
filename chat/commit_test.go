package chat_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

// observer records what chat.Service.commit shows it, writes a marker in each change's transaction, and fails
// the changes it is told to.
type observer struct {
	mu        sync.Mutex
	committed []*chat.Change
	fail      error
}

func (o *observer) Committing(ctx context.Context, tx parley.Tx, ch *chat.Change) error {
	o.mu.Lock()
	fail := o.fail
	o.mu.Unlock()
	if fail != nil {
		return fail
	}
	for _, it := range ch.Items {
		if err := tx.PutIdempotent(ctx, "observer", it.ID, nil); err != nil {
			return err
		}
	}
	return nil
}

func (o *observer) Committed(ch *chat.Change) {
	o.mu.Lock()
	o.committed = append(o.committed, ch)
	o.mu.Unlock()
}

// TestOnePathForChanges: every change of a chat reaches an observer inside its transaction (what the observer
// writes commits with it) and after its commit, with exactly the items and events the Bus carries, in the same
// order; an observer's error rolls the change back and nothing of it is published.
func TestOnePathForChanges(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := local.New()
	svc, err := chat.New(st, bus, nil, nil, chat.Config{Secret: bytes.Repeat([]byte{3}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	obs := &observer{}
	svc.Observe(obs)
	inst, flow, err := svc.Bootstrap(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var published []string // item ids and event kinds, in the order the bus carried them
	t.Cleanup(bus.SubscribeEvents(func(ev *parley.Event) {
		mu.Lock()
		published = append(published, string(ev.Kind))
		mu.Unlock()
	}))

	out, err := svc.StartChat(ctx, chat.StartChatInput{InstanceID: inst.ID, ContactFlowID: flow.ID, DisplayName: "Ann",
		InitialMessage: &chat.Message{ContentType: "text/plain", Content: "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Subscribe(out.ContactID, func(it *parley.Item) {
		mu.Lock()
		published = append(published, it.ID)
		mu.Unlock()
	}))
	conn, err := svc.CreateConnection(ctx, out.ParticipantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := svc.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := svc.SendMessage(ctx, caller, "text/plain", "how are you", "token-1")
	if err != nil {
		t.Fatal(err)
	}

	// An observer's error rolls the change back: no item stored, nothing published.
	obs.mu.Lock()
	obs.fail = errors.New("outbox full")
	obs.mu.Unlock()
	mu.Lock()
	before := len(published)
	mu.Unlock()
	if _, err := svc.SendMessage(ctx, caller, "text/plain", "lost?", "token-2"); err == nil || err.Error() != "outbox full" {
		t.Fatalf("SendMessage with a failing observer: %v, want its error", err)
	}
	mu.Lock()
	if len(published) != before {
		t.Errorf("a rolled-back change was published: %v", published[before:])
	}
	mu.Unlock()
	if _, err := st.ItemByClientToken(ctx, out.ContactID, caller.Participant.ID, "message:token-2"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("the rolled-back message is stored: %v", err)
	}
	obs.mu.Lock()
	obs.fail = nil
	obs.mu.Unlock()

	if err := svc.Disconnect(ctx, caller, "bye"); err != nil {
		t.Fatal(err)
	}

	// What the observer heard after the commits is what the bus carried (the start's items went out before the
	// test subscribed to the chain, so they are compared from the observer's side only).
	obs.mu.Lock()
	defer obs.mu.Unlock()
	var heard []string
	for i, ch := range obs.committed {
		for _, it := range ch.Items {
			if _, err := st.Idempotent(ctx, "observer", it.ID); err != nil {
				t.Errorf("the observer's write for item %s did not commit with it: %v", it.ID, err)
			}
			if i > 0 {
				heard = append(heard, it.ID)
			}
		}
		for _, ev := range ch.Events {
			heard = append(heard, string(ev.Kind))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(heard, published) {
		t.Errorf("observer heard %v\nthe bus carried %v", heard, published)
	}
	if len(obs.committed) == 0 || len(obs.committed[0].Items) != 2 || len(obs.committed[0].Events) != 1 ||
		obs.committed[0].Events[0].Kind != parley.EventContactQueued {
		t.Errorf("the start's change: %+v, want participant.joined, the initial message and contact.queued", obs.committed[0])
	}
	if !slices.Contains(heard, msg.ID) || !slices.Contains(heard, string(parley.EventContactEnded)) {
		t.Errorf("heard %v, want the message %s and contact.ended", heard, msg.ID)
	}
}
