package agents

import "context"

// The routing node's views (LiveContacts, Agents) span every instance it routes; a supervisor sees only its own
// instance's part. The filters below look the instance up in the store: a queue's or a contact's for a contact,
// the user's for an agent, once per queue and user within one call.

// InstanceContacts returns the contacts of views that belong to instance instanceID, in order.
func (s *Service) InstanceContacts(ctx context.Context, instanceID string, views []ContactView) []ContactView {
	queues := map[string]string{} // queue id → instance id
	out := views[:0:0]
	for _, v := range views {
		inst, ok := queues[v.QueueID]
		if !ok || v.QueueID == "" {
			inst = s.contactInstance(ctx, v)
			if v.QueueID != "" {
				queues[v.QueueID] = inst
			}
		}
		if inst == instanceID {
			out = append(out, v)
		}
	}
	return out
}

// contactInstance is the instance of a contact: its queue's, or, without a queue, the contact's own; "" when
// neither is found (the contact ended and was removed meanwhile), which no instance matches.
func (s *Service) contactInstance(ctx context.Context, v ContactView) string {
	if v.QueueID != "" {
		if q, err := s.store.GetQueue(ctx, v.QueueID); err == nil {
			return q.InstanceID
		}
	}
	if c, err := s.store.GetContact(ctx, v.ContactID); err == nil {
		return c.InstanceID
	}
	return ""
}

// InstanceAgents returns the states of agents that are users of instance instanceID, in order.
func (s *Service) InstanceAgents(ctx context.Context, instanceID string, states []State) []State {
	out := states[:0:0]
	for _, st := range states {
		if u, err := s.store.GetUser(ctx, st.UserID); err == nil && u.InstanceID == instanceID {
			out = append(out, st)
		}
	}
	return out
}
