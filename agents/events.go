package agents

import (
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	// EventState carries the agent's new State.
	EventState EventKind = iota + 1
	// EventOffer carries an offered Contact.
	EventOffer
	// EventOfferWithdrawn names the ContactID of an offer that is gone and the Reason (timeout, rejected,
	// customer_left, offline).
	EventOfferWithdrawn
	// EventContactConnected carries the Contact the agent joined, with its ParticipantToken.
	EventContactConnected
	// EventContactEnded names the ContactID of a chat that ended and the Reason, and carries the Contact in
	// after-contact work.
	EventContactEnded
	// EventContactCleared names the ContactID whose after-contact work is over.
	EventContactCleared
)

// Event is one thing an agent's workspace hears about on its stream.
type Event struct {
	Kind      EventKind
	State     *State
	Contact   *ContactView
	ContactID string
	Reason    string
}

// Subscription is one open event stream of an agent. Events arrive in order on C; if the reader falls behind
// the subscription is closed (C is closed) and the workspace reconnects, getting its state afresh.
type Subscription struct {
	C  chan Event
	id string // names the stream in the notices meant for it alone (its opening)
	// open is set once the stream has heard a state: until then it hears nothing else, so that an event decided
	// before the state it opens with never follows that state. Guarded by the Service's lock.
	open bool
	once sync.Once
}

func (sub *Subscription) close() { sub.once.Do(func() { close(sub.C) }) }

// Subscribe opens an event stream for a user. Its first event is the agent's state, then any open offers; after
// them, every event decided since that state, in order. The routing node sends the opening through the bus like
// every other notice, so it takes its place in their order; a node that does not route asks the routing node for
// it on the bus.
func (s *Service) Subscribe(u *parley.User) *Subscription {
	sub := &Subscription{C: make(chan Event, 256), id: newRequestID()}
	registered, lead := false, false
	s.locked(func(time.Time) {
		if s.closed {
			return
		}
		set := s.subs[u.ID]
		if set == nil {
			set = map[*Subscription]struct{}{}
			s.subs[u.ID] = set
		}
		set[sub] = struct{}{}
		registered = true
		if lead = s.leading(); lead {
			s.sync(u.ID, sub.id)
		}
	})
	switch {
	case !registered:
		sub.close()
	case !lead:
		a := &action{ID: newRequestID(), Node: s.cfg.NodeID, Act: actSync, UserID: u.ID, Stream: sub.id}
		if err := s.publishAction(a); err != nil {
			s.log.Warn("agent stream: ask for state", "user_id", u.ID, "err", err)
		}
	}
	return sub
}

// Unsubscribe closes an event stream.
func (s *Service) Unsubscribe(u *parley.User, sub *Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if set := s.subs[u.ID]; set != nil {
		delete(set, sub)
		if len(set) == 0 {
			delete(s.subs, u.ID)
		}
	}
	sub.close()
}

// queuedNotice is an event for a user's streams, or for one of them, waiting to be published.
type queuedNotice struct {
	userID string
	stream string // the one stream it is for; empty: all the user's streams
	ev     Event
}

// notify sends an event to every stream of a user, on every node: it is queued, published on the bus in order
// once the lock is released (publish), and each node's deliver hands it to its streams without blocking. Callers
// hold the lock, inside locked.
func (s *Service) notify(userID string, ev Event) { s.notifyStream(userID, "", ev) }

// notifyStream sends an event to one stream of a user (all of them if stream is empty), in order with every other
// notice. Callers hold the lock, inside locked.
func (s *Service) notifyStream(userID, stream string, ev Event) {
	s.notices = append(s.notices, queuedNotice{userID: userID, stream: stream, ev: ev})
}

// notifyState sends the agent's current state. Callers hold the lock.
func (s *Service) notifyState(userID string) {
	st := s.state(userID)
	s.notify(userID, Event{Kind: EventState, State: &st})
}
