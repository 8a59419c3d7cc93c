package chat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/store/postgres"
)

// gate is an observer that, while armed, holds every change in Committing (inside its transaction) until
// released, and says when one arrives.
type gate struct {
	mu      sync.Mutex
	armed   bool
	arrived chan struct{}
	release chan struct{}
}

func (g *gate) Committing(context.Context, parley.Tx, *chat.Change) error {
	g.mu.Lock()
	armed := g.armed
	g.mu.Unlock()
	if armed {
		g.arrived <- struct{}{}
		<-g.release
	}
	return nil
}

func (g *gate) Committed(*chat.Change) {}

// TestBatchedAppends sends messages to several chats at once on Postgres: they are stored in batches (every one
// of them, with dense Seqs per chat and the observers run in the batch's transaction), retries with the same
// ClientToken return the first item and store nothing, requests that arrive while a batch runs go together in
// the next one, an observer's error fails the message, and a message to an ended chat is refused.
func TestBatchedAppends(t *testing.T) {
	ctx := t.Context()
	dsn, _ := testserver.PostgresSchema(t, testserver.PostgresURL())
	st, err := postgres.Open(ctx, dsn+"&pool_max_conns=8", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := local.New()
	svc, err := chat.New(st, bus, nil, nil, chat.Config{Secret: bytes.Repeat([]byte{5}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	obs, g := &observer{}, &gate{arrived: make(chan struct{}), release: make(chan struct{})}
	svc.Observe(obs)
	svc.Observe(g)
	inst, flow, err := svc.Bootstrap(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	const chats, senders, each = 6, 4, 8
	callers := make([]*chat.Caller, chats)
	for i := range callers {
		out, err := svc.StartChat(ctx, chat.StartChatInput{InstanceID: inst.ID, ContactFlowID: flow.ID, DisplayName: "Ann"})
		if err != nil {
			t.Fatal(err)
		}
		conn, err := svc.CreateConnection(ctx, out.ParticipantToken, chat.ConnectionInput{Credentials: true})
		if err != nil {
			t.Fatal(err)
		}
		if callers[i], err = svc.Authenticate(ctx, conn.ConnectionToken); err != nil {
			t.Fatal(err)
		}
	}
	// send sends a message to each chat from several goroutines at once and returns the items by token.
	sent := map[string]*parley.Item{}
	var mu sync.Mutex
	send := func(tokens func(chat, sender, k int) string) {
		var wg sync.WaitGroup
		for i := range chats {
			for s := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range each {
						token := tokens(i, s, k)
						it, err := svc.SendMessage(ctx, callers[i], "text/plain", token, token)
						if err != nil {
							t.Errorf("SendMessage %s: %v", token, err)
							return
						}
						mu.Lock()
						if first, ok := sent[token]; ok && first.ID != it.ID {
							t.Errorf("the retry of %s answered item %s, want the first one, %s", token, it.ID, first.ID)
						}
						sent[token] = it
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
	}
	token := func(i, s, k int) string { return fmt.Sprintf("t-%d-%d-%d", i, s, k) }
	send(token)
	if t.Failed() {
		return
	}
	batches, appends := svc.BatchStats()
	if batches == 0 || appends != chats*senders*each {
		t.Errorf("BatchStats after %d messages: %d batches of %d appends in all, want every message in a batch",
			chats*senders*each, batches, appends)
	}
	checkChats := func() {
		t.Helper()
		for i, c := range callers {
			items, err := st.ListItems(ctx, parley.ItemQuery{ChainID: c.Contact.InitialContactID})
			if err != nil {
				t.Fatal(err)
			}
			var messages int
			for k, it := range items {
				if it.Seq != int64(k+1) {
					t.Fatalf("chat %d: item %d has Seq %d (a gap or a duplicate)", i, k, it.Seq)
				}
				if it.Type != parley.ItemMessage {
					continue
				}
				messages++
				if sent[it.Content] == nil || sent[it.Content].ID != it.ID || sent[it.Content].Seq != it.Seq {
					t.Errorf("chat %d: stored message %s (Seq %d) is not the one SendMessage answered: %+v", i, it.ID,
						it.Seq, sent[it.Content])
				}
				if _, err := st.Idempotent(ctx, "observer", it.ID); err != nil {
					t.Errorf("the observer's write for message %s did not commit with it: %v", it.ID, err)
				}
			}
			if messages != senders*each {
				t.Errorf("chat %d holds %d messages, want %d", i, messages, senders*each)
			}
		}
	}
	checkChats()

	// Retries: the first item, nothing stored.
	send(func(i, s, k int) string { return token(i, s, k/2) })
	checkChats()

	// A batch held in its transaction; ten requests to the same chat that come meanwhile wait, and go together
	// in the next batch.
	b0, a0 := svc.BatchStats()
	g.mu.Lock()
	g.armed = true
	g.mu.Unlock()
	var wg sync.WaitGroup
	sendOne := func(token string) {
		defer wg.Done()
		if _, err := svc.SendMessage(ctx, callers[1], "text/plain", token, token); err != nil {
			t.Errorf("SendMessage %s: %v", token, err)
		}
	}
	wg.Add(1)
	go sendOne("held")
	<-g.arrived
	g.mu.Lock()
	g.armed = false
	g.mu.Unlock()
	for k := range 10 {
		wg.Add(1)
		go sendOne(fmt.Sprintf("queued-%d", k))
	}
	for svc.QueuedAppends() < 10 {
		runtime.Gosched()
	}
	close(g.release)
	wg.Wait()
	if b, a := svc.BatchStats(); b-b0 != 2 || a-a0 != 11 {
		t.Errorf("a held batch and 10 requests queued meanwhile: %d batches of %d appends, want 2 of 11", b-b0, a-a0)
	}
	if items, err := st.ListItems(ctx, parley.ItemQuery{ChainID: callers[1].Contact.InitialContactID, AfterSeq: 1}); err != nil {
		t.Fatal(err)
	} else if last := items[len(items)-1]; last.Seq != int64(len(items)+1) {
		t.Errorf("chat 1 after the queued batch: last Seq %d, want %d (dense)", last.Seq, len(items)+1)
	}

	// An observer's error fails the batch; each request then goes on its own, and fails with it.
	obs.mu.Lock()
	obs.fail = errors.New("outbox full")
	obs.mu.Unlock()
	if _, err := svc.SendMessage(ctx, callers[2], "text/plain", "lost?", "lost"); err == nil || err.Error() != "outbox full" {
		t.Errorf("SendMessage with a failing observer: %v, want its error", err)
	}
	if _, err := st.ItemByClientToken(ctx, callers[2].Contact.InitialContactID, callers[2].Participant.ID, "message:lost"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("the rolled-back message is stored: %v", err)
	}
	obs.mu.Lock()
	obs.fail = nil
	obs.mu.Unlock()

	// An ended chat refuses a message; a retry of one stored before the end still answers its item.
	if err := svc.Disconnect(ctx, callers[0], ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SendMessage(ctx, callers[0], "text/plain", "late", "late"); !parley.IsCode(err, parley.EACCESS) {
		t.Errorf("SendMessage to an ended chat: %v, want EACCESS", err)
	}
	if it, err := svc.SendMessage(ctx, callers[0], "text/plain", "again", token(0, 0, 0)); err != nil ||
		it.ID != sent[token(0, 0, 0)].ID {
		t.Errorf("retry after the end: %v, %v; want item %s", it, err, sent[token(0, 0, 0)].ID)
	}
}
