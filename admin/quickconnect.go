package admin

import (
	"context"
	"regexp"

	"github.com/parley-chat/parley"
)

// Quick connect types.
const (
	QuickConnectUser  = "USER"
	QuickConnectQueue = "QUEUE"
	QuickConnectPhone = "PHONE_NUMBER"
	QuickConnectFlow  = "FLOW"
)

// phoneNumber is the model's PhoneNumber pattern (E.164).
var phoneNumber = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// QuickConnectInput describes a quick connect (a transfer destination) to create or update.
type QuickConnectInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 0..250
	Type        string // USER, QUEUE, PHONE_NUMBER or FLOW
	// UserID (USER) and QueueID (QUEUE), ids or ARNs, must name objects of the instance.
	UserID  string
	QueueID string
	// ContactFlowID (required for FLOW; optional otherwise) must name a flow of the instance when set. parley
	// does not run transfer flows yet: transfers go straight to the user or queue.
	ContactFlowID string
	// PhoneNumber (PHONE_NUMBER) is an E.164 number. parley stores it but has no telephony.
	PhoneNumber string
}

func (in *QuickConnectInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 0, 250)
	c.enum("QuickConnectConfig.QuickConnectType", in.Type, QuickConnectUser, QuickConnectQueue, QuickConnectPhone,
		QuickConnectFlow)
	c.str("QuickConnectConfig.ContactFlowId", in.ContactFlowID, 0, 500)
	switch in.Type {
	case QuickConnectUser:
		c.str("QuickConnectConfig.UserConfig.UserId", in.UserID, 1, 500)
	case QuickConnectQueue:
		c.str("QuickConnectConfig.QueueConfig.QueueId", in.QueueID, 1, 500)
	case QuickConnectPhone:
		if !phoneNumber.MatchString(in.PhoneNumber) {
			c.fail("QuickConnectConfig.PhoneConfig.PhoneNumber", "PhoneNumber must be an E.164 number such as +15555550100")
		}
	case QuickConnectFlow:
		c.str("QuickConnectConfig.FlowConfig.ContactFlowId", in.ContactFlowID, 1, 500)
	}
	return c.err
}

// CreateQuickConnect creates a quick connect. Errors: ENOTFOUND for the instance or the destination; ECONFLICT
// if the instance has a quick connect with the name.
func (s *Service) CreateQuickConnect(ctx context.Context, instanceID string, in QuickConnectInput) (*parley.QuickConnect, error) {
	var q *parley.QuickConnect
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		q, err = s.putQuickConnect(ctx, tx, inst, "", in)
		return err
	})
	return q, err
}

func (s *Service) putQuickConnect(ctx context.Context, tx parley.Tx, inst *parley.Instance, id string, in QuickConnectInput) (*parley.QuickConnect, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if id == "" {
		id = newID()
	}
	q := &parley.QuickConnect{ID: id, InstanceID: inst.ID, ARN: arn(inst, arnQuickConnect, id), Name: in.Name,
		Description: in.Description, Type: in.Type}
	switch in.Type {
	case QuickConnectUser:
		u, err := getUser(ctx, tx, inst.ID, in.UserID)
		if err != nil {
			return nil, err
		}
		q.UserID = u.ID
	case QuickConnectQueue:
		qu, err := getQueue(ctx, tx, inst.ID, in.QueueID)
		if err != nil {
			return nil, err
		}
		q.QueueID = qu.ID
	case QuickConnectPhone:
		q.PhoneNumber = in.PhoneNumber
	}
	if in.ContactFlowID != "" {
		f, err := getContactFlow(ctx, tx, inst.ID, in.ContactFlowID)
		if err != nil {
			return nil, err
		}
		q.ContactFlowID = f.ID
	}
	if err := tx.PutQuickConnect(ctx, q); err != nil {
		return nil, duplicate(err, "a quick connect named %q exists in instance %s", in.Name, inst.ID)
	}
	return q, nil
}

// QuickConnect returns a quick connect of an instance by id or ARN; ENOTFOUND (QUICK_CONNECT) if none.
func (s *Service) QuickConnect(ctx context.Context, instanceID, id string) (*parley.QuickConnect, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return getQuickConnect(ctx, s.store, inst.ID, id)
}

// ListQuickConnects returns the quick connects of an instance ordered by name, only those of the given types
// when types is not empty.
func (s *Service) ListQuickConnects(ctx context.Context, instanceID string, types []string) ([]*parley.QuickConnect, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListQuickConnects(ctx, inst.ID)
	if err != nil || len(types) == 0 {
		return all, err
	}
	return filter(all, types, func(q *parley.QuickConnect) string { return q.Type }), nil
}
