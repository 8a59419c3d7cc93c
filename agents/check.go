package agents

import "fmt"

// Check verifies the service's promises against its current state and returns the first violation: no agent
// holds more offers and connections than its slots; no contact is offered to two agents or both offered and
// connected; the service's view of each agent's contacts matches the engine's. Tests call it while load runs;
// it takes the lock, so it always sees a consistent state.
func (s *Service) Check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.engine.Snapshot()
	seen := map[string]string{}
	for _, o := range snap.Offers {
		if other, ok := seen[o.ContactID]; ok {
			return fmt.Errorf("contact %s offered to %s and %s", o.ContactID, other, o.AgentID)
		}
		seen[o.ContactID] = o.AgentID
		if w := s.work[o.ContactID]; w == nil || w.agentID != o.AgentID || w.state != ContactOffered {
			return fmt.Errorf("engine offers contact %s to %s, service holds %+v", o.ContactID, o.AgentID, w)
		}
	}
	for _, c := range snap.Connections {
		if other, ok := seen[c.ContactID]; ok {
			return fmt.Errorf("contact %s connected to %s and held by %s", c.ContactID, c.AgentID, other)
		}
		seen[c.ContactID] = c.AgentID
	}
	for _, a := range snap.Agents {
		if a.Connected+a.Offered > a.Slots {
			return fmt.Errorf("agent %s holds %d connections and %d offers with %d slots", a.ID, a.Connected, a.Offered, a.Slots)
		}
	}
	for id, w := range s.work {
		if seen[id] != w.agentID {
			return fmt.Errorf("service holds contact %s for %s (%s), engine has %q", id, w.agentID, w.state, seen[id])
		}
	}
	return nil
}
