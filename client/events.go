package client

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/wire"
)

// EventType says what an Event is about. The names mirror ChatJS's ChatSession handlers (onMessage,
// onTyping, …).
type EventType int

// Event types.
const (
	// EventMessage is every chat item not routed to a more specific event: messages, attachments, and events such
	// as participant.joined, participant.left, transfer.succeeded and chat.ended (ChatJS onMessage). The
	// authentication events have event types of their own (EventAuthenticationInitiated, …), as in ChatJS.
	EventMessage EventType = iota + 1
	// EventTyping is a participant typing (ChatJS onTyping). Typing is pushed live only; it is not in
	// transcripts, so one missed while disconnected is not delivered later.
	EventTyping
	// EventReadReceipt is a MESSAGEMETADATA item whose first receipt has a ReadTimestamp (ChatJS onReadReceipt).
	// Receipts this participant sent are not delivered back to it.
	EventReadReceipt
	// EventDeliveredReceipt is a MESSAGEMETADATA item whose first receipt has only a DeliveredTimestamp (ChatJS
	// onDeliveredReceipt).
	EventDeliveredReceipt
	// EventParticipantIdle is the participant.idle event (ChatJS onParticipantIdle).
	EventParticipantIdle
	// EventParticipantReturned is the participant.returned event (ChatJS onParticipantReturned).
	EventParticipantReturned
	// EventAutoDisconnection is the participant.autodisconnection event (ChatJS onAutoDisconnection).
	EventAutoDisconnection
	// EventConnectionEstablished says a WebSocket is subscribed and items flow: once after Connect and once
	// after every reconnect that followed an EventConnectionLost (ChatJS onConnectionEstablished).
	EventConnectionEstablished
	// EventConnectionLost says no WebSocket is subscribed any more; the session is reconnecting (ChatJS
	// onConnectionLost). Err says why.
	EventConnectionLost
	// EventConnectionBroken says the session gave up reconnecting because the service refused in a way that
	// retrying cannot fix (a 4xx other than 403 and 429). It is final. Err says why (ChatJS
	// onConnectionBroken, which ChatJS also raises for transient failures; this session does not).
	EventConnectionBroken
	// EventEnded says the chat ended for this participant (ChatJS onEnded): after a chat.ended item (which was
	// delivered as an EventMessage just before), or when a reconnect was refused with 403, in which case Item
	// is a synthetic chat.ended item with an empty Id and Err is the refusal. It is final.
	EventEnded
	// EventAuthenticationInitiated is the authentication.initiated event: the flow asks the customer to sign in
	// (ChatJS onAuthenticationInitiated). AuthenticationSessionID(Item) is the session to pass to
	// GetAuthenticationURL, within a minute, or to CancelAuthentication.
	EventAuthenticationInitiated
	// EventAuthenticationSuccessful is the authentication.succeeded event: the customer signed in (ChatJS
	// onAuthenticationSuccessful).
	EventAuthenticationSuccessful
	// EventAuthenticationFailed is the authentication.failed event (ChatJS onAuthenticationFailed).
	EventAuthenticationFailed
	// EventAuthenticationTimeout is the authentication.timeout event: the customer did not finish signing in
	// within the flow's time limit (ChatJS onAuthenticationTimeout).
	EventAuthenticationTimeout
	// EventAuthenticationExpired is the authentication.expired event: the session ended unused because its
	// sign-in URL was not asked for within a minute (ChatJS onAuthenticationExpired).
	EventAuthenticationExpired
	// EventAuthenticationCanceled is the authentication.cancelled event: the customer chose not to sign in
	// (CancelAuthentication; ChatJS onAuthenticationCanceled).
	EventAuthenticationCanceled
)

var eventNames = [...]string{
	EventMessage:               "message",
	EventTyping:                "typing",
	EventReadReceipt:           "readReceipt",
	EventDeliveredReceipt:      "deliveredReceipt",
	EventParticipantIdle:       "participantIdle",
	EventParticipantReturned:   "participantReturned",
	EventAutoDisconnection:     "autoDisconnection",
	EventConnectionEstablished: "connectionEstablished",
	EventConnectionLost:        "connectionLost",
	EventConnectionBroken:      "connectionBroken",
	EventEnded:                 "ended",

	EventAuthenticationInitiated:  "authenticationInitiated",
	EventAuthenticationSuccessful: "authenticationSuccessful",
	EventAuthenticationFailed:     "authenticationFailed",
	EventAuthenticationTimeout:    "authenticationTimeout",
	EventAuthenticationExpired:    "authenticationExpired",
	EventAuthenticationCanceled:   "authenticationCanceled",
}

// authenticationEvents routes the authentication events' content types to their event types.
var authenticationEvents = map[string]EventType{
	ContentTypeAuthenticationInitiated: EventAuthenticationInitiated,
	ContentTypeAuthenticationSucceeded: EventAuthenticationSuccessful,
	ContentTypeAuthenticationFailed:    EventAuthenticationFailed,
	ContentTypeAuthenticationTimeout:   EventAuthenticationTimeout,
	ContentTypeAuthenticationExpired:   EventAuthenticationExpired,
	ContentTypeAuthenticationCancelled: EventAuthenticationCanceled,
}

// String returns the ChatJS handler name without "on", lower camel case: "message", "readReceipt", ….
func (t EventType) String() string {
	if t > 0 && int(t) < len(eventNames) {
		return eventNames[t]
	}
	return "unknown"
}

// final reports whether no event follows one of type t.
func (t EventType) final() bool { return t == EventEnded || t == EventConnectionBroken }

// Event is something that happened in the chat or to the connection.
type Event struct {
	Type EventType
	// Item is the chat item of the item events (all but the three connection events). For EventEnded it is the
	// chat.ended item.
	Item wire.Item
	// FromTranscript is true for items the session read from the transcript (after a reconnect, or at Connect
	// with Options.ReplayTranscript) rather than received on the WebSocket.
	FromTranscript bool
	// Err is why the connection was lost or broken, or why a synthetic EventEnded was raised.
	Err error
	// Time is when the session saw the event.
	Time time.Time
}

// dispatcher delivers events, in the order they were queued, from its one goroutine: first to the callbacks
// registered for the event's type (in registration order), then to the events channel if there is one. The
// queue is unbounded so the connection manager never waits for a slow consumer (chat rates are low; a consumer
// that never returns from a callback holds the events, not the connection).
type dispatcher struct {
	mu       sync.Mutex
	queue    []Event
	handlers map[EventType][]func(Event)
	ch       chan Event // nil until Events is called
	chSize   int
	finished bool // a final event was queued, or the dispatcher stopped: emit drops events
	over     bool // no event will ever be delivered again
	chClosed bool

	wake       chan struct{} // capacity 1
	stop       chan struct{}
	stopOnce   sync.Once
	stopped    atomic.Bool
	inCallback atomic.Bool
	done       chan struct{}
	started    bool
}

func newDispatcher(chSize int) *dispatcher {
	return &dispatcher{handlers: map[EventType][]func(Event){}, chSize: chSize,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// on registers f for events of type t.
func (d *dispatcher) on(t EventType, f func(Event)) {
	if f == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.handlers[t] = append(d.handlers[t], f)
}

// events returns the events channel, creating it on first use. It is closed when the dispatcher finishes.
func (d *dispatcher) events() <-chan Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan Event, d.chSize)
		if d.over {
			d.closeChLocked()
		}
	}
	return d.ch
}

// closeChLocked closes the events channel once, if it exists.
func (d *dispatcher) closeChLocked() {
	if d.ch != nil && !d.chClosed {
		d.chClosed = true
		close(d.ch)
	}
}

// start runs the dispatcher goroutine; close waits for it.
func (d *dispatcher) start() {
	d.mu.Lock()
	d.started = true
	d.mu.Unlock()
	go d.run()
}

// emit queues an event. Events after a final one are dropped.
func (d *dispatcher) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, ev)
	if ev.Type.final() {
		d.finished = true
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	defer close(d.done)
	defer func() {
		d.mu.Lock()
		d.finished, d.over = true, true
		d.closeChLocked()
		d.mu.Unlock()
	}()
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.mu.Unlock()
			select {
			case <-d.wake:
				continue
			case <-d.stop:
				return
			}
		}
		ev := d.queue[0]
		d.queue[0] = Event{}
		d.queue = d.queue[1:]
		hs := d.handlers[ev.Type]
		ch := d.ch
		d.mu.Unlock()

		for _, h := range hs {
			// inCallback is set before stopped is checked, and close sets stopped before it reads inCallback:
			// either close sees the callback and does not wait for it, or the callback is not started.
			d.inCallback.Store(true)
			if d.stopped.Load() {
				d.inCallback.Store(false)
				return
			}
			h(ev)
			d.inCallback.Store(false)
		}
		if ch != nil {
			if d.stopped.Load() {
				return
			}
			select {
			case ch <- ev:
			case <-d.stop:
				return
			}
		}
		if ev.Type.final() {
			return
		}
	}
}

// close stops the dispatcher: no callback starts after it returns, and the events channel is closed. Queued
// events are dropped. It waits for the dispatcher goroutine unless a callback is running (which may be the
// caller itself), so that Close may be called from a callback.
func (d *dispatcher) close() {
	d.stopOnce.Do(func() {
		d.stopped.Store(true)
		close(d.stop)
	})
	d.mu.Lock()
	started := d.started
	if !started {
		d.finished, d.over = true, true
		d.closeChLocked()
	}
	d.mu.Unlock()
	if started && !d.inCallback.Load() {
		<-d.done
	}
}
