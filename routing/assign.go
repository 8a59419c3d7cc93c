package routing

import (
	"fmt"
	"time"
)

// Assign records a connection the engine did not make: a contact that was connected to an agent when the caller
// rebuilt its state (a restart), or a connection of an agent that RemoveAgent forgot while the agent still
// works on it. The connection holds a slot until Release, like an accepted offer. The agent must be known
// (SetAgent first). Errors: ErrUnknownAgent, ErrContactExists.
func (e *Engine) Assign(ref ContactRef, agentID string, now time.Time) error {
	a := e.agents[agentID]
	if a == nil {
		return fmt.Errorf("%w: %q", ErrUnknownAgent, agentID)
	}
	if _, ok := e.contacts[ref.ID]; ok {
		return fmt.Errorf("%w: %q", ErrContactExists, ref.ID)
	}
	if ref.EnqueuedAt.IsZero() {
		ref.EnqueuedAt = now
	}
	c := &contact{ref: ref, state: connected, agent: a, since: now}
	e.contacts[ref.ID] = c
	a.connected++
	if a.contacts == nil {
		a.contacts = map[string]*contact{}
	}
	a.contacts[ref.ID] = c
	return nil
}
