package agents

import (
	"sync"

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
	C    chan Event
	once sync.Once
}

func (sub *Subscription) close() { sub.once.Do(func() { close(sub.C) }) }

// Subscribe opens an event stream for a user. Its first event is the agent's state, then any open offers.
func (s *Service) Subscribe(u *parley.User) *Subscription {
	sub := &Subscription{C: make(chan Event, 256)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		sub.close()
		return sub
	}
	set := s.subs[u.ID]
	if set == nil {
		set = map[*Subscription]struct{}{}
		s.subs[u.ID] = set
	}
	set[sub] = struct{}{}
	st := s.state(u.ID)
	sub.C <- Event{Kind: EventState, State: &st}
	for _, w := range s.work {
		if w.agentID == u.ID && w.state == ContactOffered {
			sub.C <- Event{Kind: EventOffer, Contact: s.view(w)}
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

// notify sends an event to every stream of a user without blocking. Callers hold the lock.
func (s *Service) notify(userID string, ev Event) {
	for sub := range s.subs[userID] {
		select {
		case sub.C <- ev:
		default:
			delete(s.subs[userID], sub)
			sub.close()
		}
	}
}

// notifyState sends the agent's current state. Callers hold the lock.
func (s *Service) notifyState(userID string) {
	if len(s.subs[userID]) == 0 {
		return
	}
	st := s.state(userID)
	s.notify(userID, Event{Kind: EventState, State: &st})
}
