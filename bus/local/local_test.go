package local_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/bustest"
	"github.com/parley-chat/parley/bus/local"
)

func TestConformance(t *testing.T) {
	bustest.Run(t, func(*testing.T) parley.Bus { return local.New() })
}

func TestPublishIsSynchronous(t *testing.T) {
	b := local.New()
	var got []int64
	unsub := b.Subscribe("c", func(it *parley.Item) { got = append(got, it.Seq) })
	for seq := int64(1); seq <= 3; seq++ {
		if err := b.Publish(context.Background(), &parley.Item{ChainID: "c", Seq: seq}); err != nil {
			t.Fatal(err)
		}
		// No waiting: the subscriber ran before Publish returned.
		if len(got) != int(seq) {
			t.Fatalf("after Publish(%d): got %v", seq, got)
		}
	}
	unsub()
	if err := b.Publish(context.Background(), &parley.Item{ChainID: "c", Seq: 4}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("delivered after unsubscribe: %v", got)
	}
}

func TestSubscriberGetsCopy(t *testing.T) {
	b := local.New()
	var kept *parley.Item
	defer b.Subscribe("c", func(it *parley.Item) { kept = it })()
	it := &parley.Item{ChainID: "c", ID: "x", Attachments: []parley.Attachment{{ID: "a"}}, Receipt: &parley.Receipt{MessageID: "m"}}
	if err := b.Publish(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	it.ID, it.Attachments[0].ID, it.Receipt.MessageID = "changed", "changed", "changed"
	if kept.ID != "x" || kept.Attachments[0].ID != "a" || kept.Receipt.MessageID != "m" {
		t.Fatalf("subscriber's item changed with the publisher's: %+v", kept)
	}
}

func TestSubscriptionsCount(t *testing.T) {
	b := local.New()
	u1 := b.Subscribe("a", func(*parley.Item) {})
	u2 := b.Subscribe("a", func(*parley.Item) {})
	u3 := b.Subscribe("b", func(*parley.Item) {})
	if got := b.Subscriptions(); got != 3 {
		t.Fatalf("Subscriptions() = %d, want 3", got)
	}
	u1()
	u1()
	u2()
	u3()
	if got := b.Subscriptions(); got != 0 {
		t.Fatalf("Subscriptions() = %d after unsubscribing all, want 0", got)
	}
}

func TestClose(t *testing.T) {
	b := local.New()
	called := false
	b.Subscribe("c", func(*parley.Item) { called = true })
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), &parley.Item{ChainID: "c"}); err == nil {
		t.Error("Publish after Close: want an error")
	}
	if called {
		t.Error("subscriber called after Close")
	}
	b.Subscribe("c", func(*parley.Item) {})() // no-op, no panic
}

// TestUnsubscribeRacesPublish exercises unsubscribe running concurrently with Publish on the same chain (under
// -race this is what catches a shared, mutated subscriber list).
func TestUnsubscribeRacesPublish(t *testing.T) {
	b := local.New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = b.Publish(context.Background(), &parley.Item{ChainID: "hot"})
		}
	}()
	for range 2000 {
		b.Subscribe("hot", func(*parley.Item) {})()
	}
	close(stop)
	wg.Wait()
}

func BenchmarkPublish(b *testing.B) {
	for _, subs := range []int{0, 1, 10} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			bus := local.New()
			for range subs {
				bus.Subscribe("chain", func(*parley.Item) {})
			}
			it := &parley.Item{ChainID: "chain", ID: "x"}
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = bus.Publish(ctx, it)
				}
			})
		})
	}
}
