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

// Subscribe opens an event stream for a user. Its first event is the agent's state, then any open offers. On a
// node that does not route, the routing node sends them (to every stream of the user) when asked on the bus.
func (s *Service) Subscribe(u *parley.User) *Subscription {
	sub := &Subscription{C: make(chan Event, 256)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sub.close()
		return sub
	}
	set := s.subs[u.ID]
	if set == nil {
		set = map[*Subscription]struct{}{}
		s.subs[u.ID] = set
	}
	set[sub] = struct{}{}
	if !s.leading() {
		s.mu.Unlock()
		if err := s.publishAction(&action{ID: newRequestID(), Node: s.cfg.NodeID, Act: actSync, UserID: u.ID}); err != nil {
			s.log.Warn("agent stream: ask for state", "user_id", u.ID, "err", err)
		}
		return sub
	}
	defer s.mu.Unlock()
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

// queuedNotice is an event for a user's streams, waiting to be published.
type queuedNotice struct {
	userID string
	ev     Event
}

// notify sends an event to every stream of a user, on every node: it is queued, published on the bus in order
// once the lock is released (flush), and each node's deliver hands it to its streams without blocking. Callers
// hold the lock, inside locked.
func (s *Service) notify(userID string, ev Event) {
	s.notices = append(s.notices, queuedNotice{userID: userID, ev: ev})
}

// notifyState sends the agent's current state. Callers hold the lock.
func (s *Service) notifyState(userID string) {
	st := s.state(userID)
	s.notify(userID, Event{Kind: EventState, State: &st})
}
