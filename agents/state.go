package agents

import (
	"context"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// The routing state that outlives the routing node. The engine, the offers and the connections are rebuilt from
// the store by the node that takes routing over (cluster.go): each agent's chosen status, the active contacts.
// Two states of an agent are not in those rows, so the routing node writes them itself when they change: Missed
// (an offer timed out) and after-contact work (parley.AgentMissed, parley.AfterContactWork). They change rarely —
// an offer timing out, a contact ending with an agent, a Clear, a status set after Missed — never on a message's
// path.
//
// A change is decided under the lock, like everything else in routing, and queued there (saveLater); the goroutine
// that made it writes the queue right after it releases the lock (locked), in one transaction. One writer at a time
// takes the whole queue in the order the changes were made, so a Clear's deletion never lands before the put of
// the after-contact work it clears. A failed write is logged and routing goes on: the state in memory stays right;
// only a takeover before the next change of the same agent or contact would see the old state.
//
// The notices to agents' streams (notify) are queued under the lock the same way, in a queue of their own, and
// published by one publisher at a time (publish), in the order they were decided. So a stream hears its agent's
// events in that order, and a state it hears is never older than one it heard before, however the goroutines
// that decided them are scheduled. Notices do not wait for writes: an offer is not held up by another agent's
// after-contact work being saved.

// saveTimeout bounds a write of the routing state, so that a store that does not answer cannot hold up routing
// for long.
const saveTimeout = 10 * time.Second

// save is a queued write of the routing state.
type save struct {
	what string // for the log
	id   string // the user or contact it is about, for the log
	fn   func(ctx context.Context, tx parley.Tx) error
}

// saveLater queues a write of the routing state. Callers hold the lock.
func (s *Service) saveLater(what, id string, fn func(ctx context.Context, tx parley.Tx) error) {
	s.saves = append(s.saves, save{what: what, id: id, fn: fn})
}

// publish publishes the queued notices in the order they were queued, until none is left. It runs without the
// lock.
func (s *Service) publish() {
	drain(s, &s.nmu, &s.notices, func(notices []queuedNotice) {
		for _, n := range notices {
			s.publishNotice(n.userID, n.stream, n.ev)
		}
	})
}

// persist writes the queued changes of the routing state in the order they were queued, until none is left. It
// runs without the lock.
func (s *Service) persist() { drain(s, &s.wmu, &s.saves, s.write) }

// drain takes what is queued in *q (under the lock) and hands it to do, again until nothing is left, holding m
// all along: m keeps the order between goroutines, since whoever holds it takes everything queued so far.
func drain[T any](s *Service, m *sync.Mutex, q *[]T, do func([]T)) {
	m.Lock()
	defer m.Unlock()
	for {
		s.mu.Lock()
		items := *q
		*q = nil
		s.mu.Unlock()
		if len(items) == 0 {
			return
		}
		do(items)
	}
}

// write writes changes of the routing state in one transaction; if that fails, each alone.
func (s *Service) write(saves []save) {
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		for _, sv := range saves {
			if err := sv.fn(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(saves) > 1 {
		// One change that cannot be written (its contact was just purged, say) must not take the others
		// with it: write each alone.
		for _, sv := range saves {
			if err := s.store.Update(ctx, func(tx parley.Tx) error { return sv.fn(ctx, tx) }); err != nil {
				s.log.Error("routing: save "+sv.what, "id", sv.id, "err", err)
			}
		}
	} else if err != nil {
		s.log.Error("routing: save "+saves[0].what, "id", saves[0].id, "err", err)
	}
}

// miss puts an agent in Missed and saves it. Callers hold the lock.
func (s *Service) miss(a *agent, now time.Time) {
	if a.missed {
		return
	}
	a.missed = true
	m := &parley.AgentMissed{UserID: a.user.ID, StatusID: a.user.StatusID, StatusSince: a.user.StatusSince, MissedAt: now}
	s.saveLater("missed", a.user.ID, func(ctx context.Context, tx parley.Tx) error { return tx.PutAgentMissed(ctx, m) })
}

// unmissed saves that an agent who was in Missed is no longer (it chose a status). Callers hold the lock.
func (s *Service) unmissed(userID string) {
	s.saveLater("missed cleared", userID, func(ctx context.Context, tx parley.Tx) error {
		return tx.DeleteAgentMissed(ctx, userID)
	})
}

// stillMissed reports whether a saved Missed record applies to u: the agent has not chosen a status since.
func stillMissed(m *parley.AgentMissed, u *parley.User) bool {
	return m != nil && m.StatusID == u.StatusID && m.StatusSince.Equal(u.StatusSince.Truncate(time.Millisecond))
}

// enterACW puts w's agent in after-contact work on w's contact, which ended at now for reason, with the agent's
// time limit, and saves it. Callers hold the lock.
func (s *Service) enterACW(w *work, reason string, now time.Time) {
	w.state, w.endedAt, w.endReason = ContactACW, now, reason
	if a := s.agents[w.agentID]; a != nil && a.user.AfterContactWorkTimeLimit > 0 {
		w.acwDeadline = now.Add(time.Duration(a.user.AfterContactWorkTimeLimit) * time.Second)
	}
	rec := &parley.AfterContactWork{ContactID: w.contact.ID, UserID: w.agentID, ParticipantID: w.participant,
		EndedAt: w.endedAt, EndReason: w.endReason, Until: w.acwDeadline}
	s.saveLater("after-contact work", rec.ContactID, func(ctx context.Context, tx parley.Tx) error {
		return tx.PutAfterContactWork(ctx, rec)
	})
	s.rearm(now)
}

// restoreACW puts back an agent's after-contact work read from the store: it holds the slot, shows the time the
// contact ended and why, and ends at its saved limit. Callers hold the lock.
func (s *Service) restoreACW(c *parley.Contact, r *parley.AfterContactWork, now time.Time) {
	a := s.agents[r.UserID]
	if a == nil || s.work[c.ID] != nil {
		return
	}
	if err := s.engine.Assign(contactRef(c), a.user.ID, now); err != nil {
		s.log.Warn("restore after-contact work", "contact_id", c.ID, "user_id", a.user.ID, "err", err)
		return
	}
	s.work[c.ID] = &work{contact: c, agentID: a.user.ID, state: ContactACW, connectedAt: c.AgentConnectedAt,
		endedAt: r.EndedAt, endReason: r.EndReason, acwDeadline: r.Until, participant: r.ParticipantID}
}
