package agents

import (
	"sync"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// Subscription is one open event stream of an agent. Events arrive in order on C; if the reader falls behind
// the subscription is closed (C is closed) and the workspace reconnects, getting its state afresh.
type Subscription struct {
	C    chan wire.AgentEvent
	once sync.Once
}

func (sub *Subscription) close() { sub.once.Do(func() { close(sub.C) }) }

// Subscribe opens an event stream for a user. Its first event is the agent's state, then any open offers.
func (s *Service) Subscribe(u *parley.User) *Subscription {
	sub := &Subscription{C: make(chan wire.AgentEvent, 256)}
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
	sub.C <- wire.AgentEvent{Type: wire.EventState, State: &st}
	for _, w := range s.work {
		if w.agentID == u.ID && w.state == wire.AgentContactOffered {
			sub.C <- wire.AgentEvent{Type: wire.EventOffer, Contact: s.view(w)}
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
func (s *Service) notify(userID string, ev wire.AgentEvent) {
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
	s.notify(userID, wire.AgentEvent{Type: wire.EventState, State: &st})
}
