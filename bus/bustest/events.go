package bustest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// eventRecorder collects the events one subscriber receives.
type eventRecorder struct {
	mu     sync.Mutex
	events []*parley.Event
	wake   chan struct{}
}

func newEventRecorder() *eventRecorder { return &eventRecorder{wake: make(chan struct{})} }

func (r *eventRecorder) fn(ev *parley.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// waitN waits until the recorder holds n events, or fails after waitLimit; it returns them.
func (r *eventRecorder) waitN(t *testing.T, n int) []*parley.Event {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		got, wake := append([]*parley.Event(nil), r.events...), r.wake
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("waiting for %d events: gave up after %v with %d", n, waitLimit, len(got))
		}
	}
}

func publishEvent(t *testing.T, b parley.Bus, ev *parley.Event) {
	t.Helper()
	if err := b.PublishEvent(context.Background(), ev); err != nil {
		t.Fatalf("PublishEvent(%s): %v", ev.Kind, err)
	}
}

func testEventsInOrder(t *testing.T, b parley.Bus) {
	const n = 50
	recs := []*eventRecorder{newEventRecorder(), newEventRecorder()}
	for _, r := range recs {
		t.Cleanup(b.SubscribeEvents(r.fn))
	}
	for i := range n {
		publishEvent(t, b, &parley.Event{Kind: parley.EventConfigChanged, InstanceID: fmt.Sprintf("in-%d", i)})
	}
	// A marker last: once it arrives, duplicates of the earlier events would have arrived too.
	publishEvent(t, b, &parley.Event{Kind: parley.EventConfigChanged, InstanceID: "marker"})
	for ri, r := range recs {
		got := r.waitN(t, n+1)
		if len(got) != n+1 {
			t.Fatalf("subscriber %d received %d events, want %d", ri, len(got), n+1)
		}
		for i := range n {
			if want := fmt.Sprintf("in-%d", i); got[i].InstanceID != want {
				t.Fatalf("subscriber %d: event %d is %q, want %q (order of one publisher kept)", ri, i, got[i].InstanceID, want)
			}
		}
	}
}

func testEventFields(t *testing.T, b parley.Bus) {
	r := newEventRecorder()
	t.Cleanup(b.SubscribeEvents(r.fn))
	at := time.Date(2026, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	want := &parley.Event{
		Kind: parley.EventContactTransferred, InstanceID: "in-1", Time: at, PreviousContactID: "c-0", UserID: "u-1",
		Contact: &parley.Contact{ID: "c-1", InstanceID: "in-1", InitialContactID: "c-0", PreviousContactID: "c-0",
			Channel: parley.ChannelChat, InitiationMethod: "TRANSFER", State: parley.ContactActive, QueueID: "q-1",
			Attributes: map[string]string{"a": "b"}, SupportedContentTypes: []string{"text/plain"},
			InitiatedAt: at, EnqueuedAt: at, UpdatedAt: at, DurationMinutes: 60},
		User: &parley.User{ID: "u-1", InstanceID: "in-1", Username: "ann", Role: parley.UserAgent, StatusID: "s-1",
			StatusSince: at, SecurityProfileIDs: []string{"p-1"}},
		Data: []byte(`{"x":1}`),
	}
	publishEvent(t, b, want)
	got := r.waitN(t, 1)[0]
	if !reflect.DeepEqual(normalEvent(got), normalEvent(want)) {
		t.Errorf("event changed in transit:\n got %+v\nwant %+v", got, want)
	}
}

// normalEvent copies ev with its times in UTC, so a bus that serializes may return equal times in another form.
func normalEvent(ev *parley.Event) parley.Event {
	e := *ev
	e.Time = e.Time.UTC()
	if ev.Contact != nil {
		c := *ev.Contact
		c.InitiatedAt, c.EnqueuedAt, c.UpdatedAt = c.InitiatedAt.UTC(), c.EnqueuedAt.UTC(), c.UpdatedAt.UTC()
		e.Contact = &c
	}
	if ev.User != nil {
		u := *ev.User
		u.StatusSince = u.StatusSince.UTC()
		e.User = &u
	}
	return e
}

func testEventsUnsubscribe(t *testing.T, b parley.Bus) {
	gone, stays := newEventRecorder(), newEventRecorder()
	unsub := b.SubscribeEvents(gone.fn)
	t.Cleanup(b.SubscribeEvents(stays.fn))
	var self func()
	var mu sync.Mutex
	selfCalls := 0
	mu.Lock()
	self = b.SubscribeEvents(func(*parley.Event) {
		mu.Lock()
		selfCalls++
		u := self
		mu.Unlock()
		u() // must not deadlock
	})
	mu.Unlock()
	publishEvent(t, b, &parley.Event{Kind: parley.EventConfigChanged, InstanceID: "first"})
	gone.waitN(t, 1)
	stays.waitN(t, 1)
	unsub()
	unsub() // idempotent
	publishEvent(t, b, &parley.Event{Kind: parley.EventConfigChanged, InstanceID: "second"})
	stays.waitN(t, 2)
	if got := len(gone.waitN(t, 1)); got != 1 {
		t.Errorf("unsubscribed event subscriber received %d events, want 1", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if selfCalls != 1 {
		t.Errorf("self-unsubscribing event subscriber ran %d times, want 1", selfCalls)
	}
}
