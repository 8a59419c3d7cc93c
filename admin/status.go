package admin

import (
	"context"

	"github.com/parley-chat/parley"
)

// Agent status states.
const (
	StatusEnabled  = "ENABLED"
	StatusDisabled = "DISABLED"
)

// MaxDisplayOrder is the largest DisplayOrder of an agent status (the model's AgentStatusOrderNumber).
const MaxDisplayOrder = 50

// AgentStatusInput describes a custom agent status ("Lunch", "Training") to create or update.
type AgentStatusInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 0..250
	State       string // ENABLED or DISABLED
	// DisplayOrder (1..50) orders the statuses in the agent's list; 0 puts the status after the others.
	DisplayOrder int
}

func (in *AgentStatusInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 0, 250)
	c.enum("State", in.State, StatusEnabled, StatusDisabled)
	if in.DisplayOrder != 0 {
		c.rng("DisplayOrder", in.DisplayOrder, 1, MaxDisplayOrder)
	}
	return c.err
}

// CreateAgentStatus creates a custom (CUSTOM type) agent status. Errors: ENOTFOUND for the instance; ECONFLICT
// if the instance has a status with the name.
func (s *Service) CreateAgentStatus(ctx context.Context, instanceID string, in AgentStatusInput) (*parley.AgentStatus, error) {
	var st *parley.AgentStatus
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		st, err = s.putAgentStatus(ctx, tx, inst, nil, parley.StatusCustom, in)
		return err
	})
	return st, err
}

// putAgentStatus stores a status of the given type: new when old is nil, else over old.
func (s *Service) putAgentStatus(ctx context.Context, tx parley.Tx, inst *parley.Instance, old *parley.AgentStatus, typ string, in AgentStatusInput) (*parley.AgentStatus, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	st := &parley.AgentStatus{InstanceID: inst.ID, Name: in.Name, Description: in.Description, Type: typ,
		State: in.State, DisplayOrder: in.DisplayOrder}
	if old != nil {
		st.ID = old.ID
	} else {
		st.ID = newID()
	}
	if st.DisplayOrder == 0 {
		if old != nil {
			st.DisplayOrder = old.DisplayOrder
		} else {
			all, err := tx.ListAgentStatuses(ctx, inst.ID)
			if err != nil {
				return nil, err
			}
			for _, o := range all {
				st.DisplayOrder = max(st.DisplayOrder, o.DisplayOrder)
			}
			st.DisplayOrder = min(st.DisplayOrder+1, MaxDisplayOrder)
		}
	}
	st.ARN = arn(inst, arnAgentStatus, st.ID)
	if err := tx.PutAgentStatus(ctx, st); err != nil {
		return nil, duplicate(err, "an agent status named %q exists in instance %s", in.Name, inst.ID)
	}
	return st, nil
}

// ListAgentStatuses returns the agent statuses of an instance in display order, only those of the given types
// (ROUTABLE, CUSTOM, OFFLINE) when types is not empty.
func (s *Service) ListAgentStatuses(ctx context.Context, instanceID string, types []string) ([]*parley.AgentStatus, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListAgentStatuses(ctx, inst.ID)
	if err != nil || len(types) == 0 {
		return all, err
	}
	return filter(all, types, func(st *parley.AgentStatus) string { return st.Type }), nil
}

// ListSecurityProfiles returns the security profiles of an instance ordered by name.
func (s *Service) ListSecurityProfiles(ctx context.Context, instanceID string) ([]*parley.SecurityProfile, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return s.store.ListSecurityProfiles(ctx, inst.ID)
}

// filter keeps the values whose key is one of keys.
func filter[T any](vs []T, keys []string, key func(T) string) []T {
	var out []T
	for _, v := range vs {
		for _, k := range keys {
			if key(v) == k {
				out = append(out, v)
				break
			}
		}
	}
	return out
}
