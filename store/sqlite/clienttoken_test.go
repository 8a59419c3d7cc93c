package sqlite

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
)

// TestClientTokensAfterRestart: after the store opens again (the writer's cache knows no chain's ClientTokens),
// a retried token is still refused and a new one stored; the chain's tokens are read once, on a reader, even
// when several appends to the cold chain arrive at once; and items appended while they were being read count.
func TestClientTokensAfterRestart(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	item := func(id, participant, token string) *parley.Item {
		return &parley.Item{ChainID: "c-1", ContactID: "c-1", ID: id, ParticipantID: participant, ClientToken: token,
			Type: parley.ItemMessage, ContentType: "text/plain"}
	}
	for i, it := range []*parley.Item{item("i-1", "p-1", "message:1"), item("i-2", "p-2", "message:1"), item("i-3", "p-1", "")} {
		if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it := item("retry-"+string(rune('a'+i)), "p-1", "message:1")
			errs[i] = s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) })
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if !parley.IsCode(err, parley.ECONFLICT) {
			t.Errorf("retry %d after the restart: %v, want ECONFLICT", i, err)
		}
	}
	if n := s.Stats().TokenLoads; n < 1 || n > int64(len(errs)) {
		t.Errorf("the chain's tokens were loaded %d times", n)
	}
	if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, item("i-4", "p-1", "message:2")) }); err != nil {
		t.Fatalf("a new token after the restart: %v", err)
	}
	if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, item("i-5", "p-1", "message:2")) }); !parley.IsCode(err, parley.ECONFLICT) {
		t.Fatalf("the new token again: %v, want ECONFLICT", err)
	}
	got, err := s.ItemByClientToken(ctx, "c-1", "p-1", "message:1")
	if err != nil || got.ID != "i-1" {
		t.Fatalf("ItemByClientToken = %+v, %v", got, err)
	}

	// Items another writer appended between the reader's read and the writer's install are counted: the
	// install reads the chain's items after the Seq the reader saw.
	s.cache.dropTokens("c-1")
	if err := s.warmTokens(ctx, "c-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cache.tokens["c-1"][s.cache.tokenHash("p-1", "message:2")]; !ok {
		t.Error("a warmed chain lacks a token")
	}
}
