package admin

import (
	"context"
	"fmt"

	"github.com/parley-chat/parley"
)

// Routing profile limits (the Connect model's Concurrency, Priority and Delay ranges).
const (
	MaxChatConcurrency     = 10
	DefaultChatConcurrency = 3
	MaxPriority            = 99
	MaxDelay               = 9999
	// MaxQueuesPerProfile bounds a routing profile's queue list (Amazon Connect's default quota).
	MaxQueuesPerProfile = 50
)

// RoutingProfileInput describes a routing profile to create or update.
type RoutingProfileInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 1..250 characters (the model requires one)
	// DefaultOutboundQueueID (id or ARN) must name a queue of the instance.
	DefaultOutboundQueueID string
	// ChatConcurrency is the number of chat slots, 1..10; 0 means the profile takes no chats (its
	// MediaConcurrencies had no CHAT entry).
	ChatConcurrency int
	// Queues are the queues served, with a priority (1..99) and a delay (0..9999 seconds) per channel. Each
	// (queue, channel) may appear once. QueueID may be an id or an ARN.
	Queues []parley.RoutingProfileQueue
}

func checkProfileQueues(c *check, field string, qs []parley.RoutingProfileQueue) {
	seen := map[[2]string]bool{}
	for i, q := range qs {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.str(f+".QueueReference.QueueId", q.QueueID, 1, 500)
		c.enum(f+".QueueReference.Channel", string(q.Channel), channels...)
		c.rng(f+".Priority", q.Priority, 1, MaxPriority)
		c.rng(f+".Delay", q.Delay, 0, MaxDelay)
		k := [2]string{idOf(q.QueueID), string(q.Channel)}
		if seen[k] {
			c.fail(f, "%s lists queue %s for channel %s twice", field, q.QueueID, q.Channel)
		}
		seen[k] = true
	}
}

func (in *RoutingProfileInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 1, 250)
	c.str("DefaultOutboundQueueId", in.DefaultOutboundQueueID, 1, 500)
	c.rng("ChatConcurrency", in.ChatConcurrency, 0, MaxChatConcurrency)
	if len(in.Queues) > MaxQueuesPerProfile {
		c.fail("QueueConfigs", "a routing profile may serve at most %d queues (got %d)", MaxQueuesPerProfile,
			len(in.Queues))
	}
	checkProfileQueues(&c, "QueueConfigs", in.Queues)
	return c.err
}

// resolveQueues checks that every queue of qs belongs to the instance and returns qs with plain ids.
func resolveQueues(ctx context.Context, r parley.Reader, instanceID string, qs []parley.RoutingProfileQueue) ([]parley.RoutingProfileQueue, error) {
	out := make([]parley.RoutingProfileQueue, 0, len(qs))
	for _, q := range qs {
		queue, err := getQueue(ctx, r, instanceID, q.QueueID)
		if err != nil {
			return nil, err
		}
		q.QueueID = queue.ID
		out = append(out, q)
	}
	return out, nil
}

// CreateRoutingProfile creates a routing profile. Errors: ENOTFOUND for the instance or a queue; ECONFLICT if
// the instance has a routing profile with the name.
func (s *Service) CreateRoutingProfile(ctx context.Context, instanceID string, in RoutingProfileInput) (*parley.RoutingProfile, error) {
	var p *parley.RoutingProfile
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		p, err = s.putRoutingProfile(ctx, tx, inst, "", in)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.configChanged(ctx, inst.ID)
	return p, nil
}

func (s *Service) putRoutingProfile(ctx context.Context, tx parley.Tx, inst *parley.Instance, id string, in RoutingProfileInput) (*parley.RoutingProfile, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	out, err := getQueue(ctx, tx, inst.ID, in.DefaultOutboundQueueID)
	if err != nil {
		return nil, err
	}
	queues, err := resolveQueues(ctx, tx, inst.ID, in.Queues)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = newID()
	}
	p := &parley.RoutingProfile{ID: id, InstanceID: inst.ID, ARN: arn(inst, arnRoutingProfile, id), Name: in.Name,
		Description: in.Description, DefaultOutboundQueueID: out.ID, ChatConcurrency: in.ChatConcurrency,
		Queues: queues}
	if err := tx.PutRoutingProfile(ctx, p); err != nil {
		return nil, duplicate(err, "a routing profile named %q exists in instance %s", in.Name, inst.ID)
	}
	return p, nil
}

// RoutingProfile returns a routing profile of an instance by id or ARN; ENOTFOUND (ROUTING_PROFILE) if none.
func (s *Service) RoutingProfile(ctx context.Context, instanceID, id string) (*parley.RoutingProfile, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return getRoutingProfile(ctx, s.store, inst.ID, id)
}

// ListRoutingProfiles returns the routing profiles of an instance ordered by name.
func (s *Service) ListRoutingProfiles(ctx context.Context, instanceID string) ([]*parley.RoutingProfile, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return s.store.ListRoutingProfiles(ctx, inst.ID)
}

// ProfileQueue is a queue of a routing profile with the queue itself (ListRoutingProfileQueues).
type ProfileQueue struct {
	parley.RoutingProfileQueue
	Queue *parley.Queue
}

// RoutingProfileQueues returns the queues of a routing profile, in the profile's order.
func (s *Service) RoutingProfileQueues(ctx context.Context, instanceID, id string) ([]ProfileQueue, error) {
	p, err := s.RoutingProfile(ctx, instanceID, id)
	if err != nil {
		return nil, err
	}
	out := make([]ProfileQueue, 0, len(p.Queues))
	for _, pq := range p.Queues {
		q, err := s.store.GetQueue(ctx, pq.QueueID)
		if err != nil {
			return nil, err
		}
		out = append(out, ProfileQueue{RoutingProfileQueue: pq, Queue: q})
	}
	return out, nil
}

// updateRoutingProfile applies change to a routing profile of an instance in one transaction.
func (s *Service) updateRoutingProfile(ctx context.Context, instanceID, id string, change func(tx parley.Tx, p *parley.RoutingProfile) error) error {
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		p, err := getRoutingProfile(ctx, tx, inst.ID, id)
		if err != nil {
			return err
		}
		if err := change(tx, p); err != nil {
			return err
		}
		return tx.PutRoutingProfile(ctx, p)
	})
	if err != nil {
		return err
	}
	s.configChanged(ctx, inst.ID)
	return nil
}

// AssociateRoutingProfileQueues adds queues to a routing profile; a (queue, channel) the profile already serves
// gets the new priority and delay. Errors: ENOTFOUND for the profile or a queue; EINVALID for a bad entry or a
// list that would exceed MaxQueuesPerProfile.
func (s *Service) AssociateRoutingProfileQueues(ctx context.Context, instanceID, id string, queues []parley.RoutingProfileQueue) error {
	var c check
	checkProfileQueues(&c, "QueueConfigs", queues)
	if c.err != nil {
		return c.err
	}
	return s.updateRoutingProfile(ctx, instanceID, id, func(tx parley.Tx, p *parley.RoutingProfile) error {
		add, err := resolveQueues(ctx, tx, p.InstanceID, queues)
		if err != nil {
			return err
		}
		for _, q := range add {
			replaced := false
			for i, old := range p.Queues {
				if old.QueueID == q.QueueID && old.Channel == q.Channel {
					p.Queues[i], replaced = q, true
				}
			}
			if !replaced {
				p.Queues = append(p.Queues, q)
			}
		}
		if len(p.Queues) > MaxQueuesPerProfile {
			return parley.Invalid("QueueConfigs", "a routing profile may serve at most %d queues", MaxQueuesPerProfile)
		}
		return nil
	})
}

// UpdateRoutingProfileConcurrency sets a routing profile's chat slots (1..10, or 0 for no chats).
func (s *Service) UpdateRoutingProfileConcurrency(ctx context.Context, instanceID, id string, chat int) error {
	var c check
	c.rng("ChatConcurrency", chat, 0, MaxChatConcurrency)
	if c.err != nil {
		return c.err
	}
	return s.updateRoutingProfile(ctx, instanceID, id, func(_ parley.Tx, p *parley.RoutingProfile) error {
		p.ChatConcurrency = chat
		return nil
	})
}
