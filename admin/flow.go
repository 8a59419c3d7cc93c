package admin

import (
	"context"
	"errors"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
)

// Contact flow types (Connect's ContactFlowType) and states.
const (
	FlowTypeContactFlow   = "CONTACT_FLOW"
	FlowTypeCustomerQueue = "CUSTOMER_QUEUE"
	FlowStateActive       = "ACTIVE"
	FlowStateArchived     = "ARCHIVED"
	FlowStatusPublished   = "PUBLISHED"
	FlowStatusSaved       = "SAVED"
	arnFlow               = "contact-flow"
)

// flowTypes are the ContactFlowType values of the Connect model.
var flowTypes = []string{FlowTypeContactFlow, FlowTypeCustomerQueue, "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD",
	"AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "CAMPAIGN"}

// FlowInput describes a contact flow to create.
type FlowInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 0..500 characters
	Type        string // a ContactFlowType
	Content     string // Flow Language JSON
	// Status is PUBLISHED (the default: the content is validated, as Connect does) or SAVED (stored as it is).
	Status string
}

func (in *FlowInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 0, 500)
	c.enum("Type", in.Type, flowTypes...)
	if in.Status != "" {
		c.enum("Status", in.Status, FlowStatusPublished, FlowStatusSaved)
	}
	if in.Content == "" {
		c.fail("Content", "Content must not be empty")
	}
	return c.err
}

// SetFunctions tells the service which Lambda function ARNs flows may invoke (those mapped to an endpoint); nil
// refuses every function. Call it before serving.
func (s *Service) SetFunctions(configured func(arn string) bool) { s.functions = configured }

// CheckFlow validates flow content as CreateContactFlow does: an EFLOW error whose Problems say what is wrong,
// naming each action's Identifier and Type. References to queues, flows and hours must name resources of the
// instance; Lambda functions must be configured.
func (s *Service) CheckFlow(ctx context.Context, instanceID, content string) error {
	inst, err := instance(ctx, s.store, instanceID)
	if err != nil {
		return err
	}
	_, err = flow.Check(ctx, []byte(content), &resolver{s: s, r: s.store, inst: inst.ID})
	return flowErr(err)
}

// flowErr turns flow.Problems into Connect's InvalidContactFlowException.
func flowErr(err error) error {
	var probs flow.Problems
	if !errors.As(err, &probs) {
		return err
	}
	e := &parley.Error{Code: parley.EFLOW, Message: "The flow is not valid."}
	for _, p := range probs {
		e.Problems = append(e.Problems, p.Message)
	}
	return e
}

// resolver answers a flow's references from the store, within one instance.
type resolver struct {
	s    *Service
	r    parley.Reader
	inst string
}

func (r *resolver) QueueExists(ctx context.Context, ref string) (bool, error) {
	return exists(getQueue(ctx, r.r, r.inst, ref))
}

func (r *resolver) FlowExists(ctx context.Context, ref string) (bool, error) {
	return exists(r.r.GetContactFlow(ctx, r.inst, idOf(ref)))
}

func (r *resolver) HoursExists(ctx context.Context, ref string) (bool, error) {
	return exists(getHours(ctx, r.r, r.inst, ref))
}

func (r *resolver) FunctionConfigured(_ context.Context, arn string) (bool, error) {
	return r.s.functions != nil && r.s.functions(arn), nil
}

// AgentExists implements flow.AgentResolver: a user of the instance.
func (r *resolver) AgentExists(ctx context.Context, ref string) (bool, error) {
	return exists(getUser(ctx, r.r, r.inst, ref))
}

// exists turns a lookup into an existence answer: ENOTFOUND is false, other errors are errors.
func exists[T any](_ T, err error) (bool, error) {
	if parley.IsCode(err, parley.ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}

// CreateContactFlow creates a flow. A PUBLISHED flow's content is validated first (EFLOW with its problems).
// Errors: ENOTFOUND for the instance, EINVALID, EFLOW, ECONFLICT if the instance has a flow with the name.
func (s *Service) CreateContactFlow(ctx context.Context, instanceID string, in FlowInput) (*parley.ContactFlow, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = FlowStatusPublished
	}
	if in.Status == FlowStatusPublished {
		if err := s.CheckFlow(ctx, instanceID, in.Content); err != nil {
			return nil, err
		}
	}
	var f *parley.ContactFlow
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		if err := flowNameFree(ctx, tx, inst.ID, "", in.Name); err != nil {
			return err
		}
		id := newID()
		f = &parley.ContactFlow{ID: id, InstanceID: inst.ID, ARN: inst.ARN + "/" + arnFlow + "/" + id, Name: in.Name,
			Type: in.Type, State: FlowStateActive, Status: in.Status, Description: in.Description, Content: in.Content}
		return tx.PutContactFlow(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	s.configChanged(ctx, f.InstanceID)
	return f, nil
}

// flowNameFree fails with ECONFLICT when another flow of the instance (not id) has the name.
func flowNameFree(ctx context.Context, r parley.Reader, instanceID, id, name string) error {
	flows, err := r.ListContactFlows(ctx, instanceID)
	if err != nil {
		return err
	}
	for _, f := range flows {
		if f.ID != id && strings.EqualFold(f.Name, name) {
			return parley.Errorf(parley.ECONFLICT, "a contact flow named %q exists in instance %s", name, instanceID)
		}
	}
	return nil
}

// ContactFlow returns a flow of the instance by id or ARN. Errors: ENOTFOUND.
func (s *Service) ContactFlow(ctx context.Context, instanceID, ref string) (*parley.ContactFlow, error) {
	return getFlow(ctx, s.store, instanceID, ref)
}

func getFlow(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.ContactFlow, error) {
	inst, err := instance(ctx, r, instanceID)
	if err != nil {
		return nil, err
	}
	f, err := r.GetContactFlow(ctx, inst.ID, idOf(ref))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.NotFound("CONTACT_FLOW", "contact flow %s not found in instance %s", ref, inst.ID)
	}
	return f, err
}

// UpdateContactFlowContent replaces a flow's content, validated as CreateContactFlow validates a PUBLISHED flow.
// Contacts whose run waits in the flow go on with the new content. Errors: ENOTFOUND, EINVALID, EFLOW.
func (s *Service) UpdateContactFlowContent(ctx context.Context, instanceID, ref, content string) error {
	if content == "" {
		return parley.Invalid("Content", "Content must not be empty")
	}
	if err := s.CheckFlow(ctx, instanceID, content); err != nil {
		return err
	}
	return s.updateFlow(ctx, instanceID, ref, func(f *parley.ContactFlow) error {
		f.Content, f.Status = content, FlowStatusPublished
		return nil
	})
}

// UpdateContactFlowName renames a flow and sets its description (nil keeps it). Errors: ENOTFOUND, EINVALID,
// ECONFLICT.
func (s *Service) UpdateContactFlowName(ctx context.Context, instanceID, ref string, name, description *string) error {
	var c check
	if name != nil {
		c.str("Name", *name, 1, 127)
	}
	if description != nil {
		c.str("Description", *description, 0, 500)
	}
	if c.err != nil {
		return c.err
	}
	return s.updateFlow(ctx, instanceID, ref, func(f *parley.ContactFlow) error {
		if name != nil {
			f.Name = *name
		}
		if description != nil {
			f.Description = *description
		}
		return nil
	})
}

// UpdateContactFlowMetadata sets a flow's name, description and state (ACTIVE or ARCHIVED); nil keeps one.
// Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) UpdateContactFlowMetadata(ctx context.Context, instanceID, ref string, name, description, state *string) error {
	if state != nil {
		var c check
		c.enum("ContactFlowState", *state, FlowStateActive, FlowStateArchived)
		if c.err != nil {
			return c.err
		}
	}
	if err := s.UpdateContactFlowName(ctx, instanceID, ref, name, description); err != nil || state == nil {
		return err
	}
	return s.updateFlow(ctx, instanceID, ref, func(f *parley.ContactFlow) error {
		f.State = *state
		return nil
	})
}

// updateFlow changes a flow in one transaction, keeping names unique, and announces the change (the chat core
// drops the flows it keeps parsed).
func (s *Service) updateFlow(ctx context.Context, instanceID, ref string, change func(*parley.ContactFlow) error) error {
	var inst string
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		f, err := getFlow(ctx, tx, instanceID, ref)
		if err != nil {
			return err
		}
		if err := change(f); err != nil {
			return err
		}
		if err := flowNameFree(ctx, tx, f.InstanceID, f.ID, f.Name); err != nil {
			return err
		}
		inst = f.InstanceID
		return tx.PutContactFlow(ctx, f)
	})
	if err == nil {
		s.configChanged(ctx, inst)
	}
	return err
}

// DeleteContactFlow deletes a flow. Chats that run it finish their run; new chats cannot start on it. Errors:
// ENOTFOUND.
func (s *Service) DeleteContactFlow(ctx context.Context, instanceID, ref string) error {
	var inst string
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		f, err := getFlow(ctx, tx, instanceID, ref)
		if err != nil {
			return err
		}
		inst = f.InstanceID
		return tx.DeleteContactFlow(ctx, f.InstanceID, f.ID)
	})
	if err == nil {
		s.configChanged(ctx, inst)
	}
	return err
}
