package admin

import (
	"context"

	"github.com/parley-chat/parley"
)

// Queue statuses.
const (
	QueueEnabled  = "ENABLED"
	QueueDisabled = "DISABLED"
)

// QueueInput describes a queue to create or update.
type QueueInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 0..250 characters
	// HoursOfOperationID (an id or ARN of hours of the instance) is required.
	HoursOfOperationID string
	// MaxContacts is how many contacts may wait at once; 0 means no limit.
	MaxContacts int
	// QuickConnectIDs must name quick connects of the instance. parley checks them but does not keep them
	// (agents see every quick connect of their instance).
	QuickConnectIDs []string
	// Status is ENABLED (the default when empty) or DISABLED.
	Status string
}

func (in *QueueInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 0, 250)
	c.str("HoursOfOperationId", in.HoursOfOperationID, 1, 500)
	if in.MaxContacts < 0 {
		c.fail("MaxContacts", "MaxContacts must not be negative (got %d)", in.MaxContacts)
	}
	if len(in.QuickConnectIDs) > 50 {
		c.fail("QuickConnectIds", "QuickConnectIds must have at most 50 items (got %d)", len(in.QuickConnectIDs))
	}
	if in.Status != "" {
		c.enum("Status", in.Status, QueueEnabled, QueueDisabled)
	}
	return c.err
}

// CreateQueue creates a queue. Errors: ENOTFOUND for the instance, the hours or a quick connect; ECONFLICT if
// the instance has a queue with the name.
func (s *Service) CreateQueue(ctx context.Context, instanceID string, in QueueInput) (*parley.Queue, error) {
	var q *parley.Queue
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		q, err = s.putQueue(ctx, tx, inst, "", in)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.configChanged(ctx, inst.ID)
	return q, nil
}

// putQueue validates in and stores it as the queue with the given id (a new queue when id is empty).
func (s *Service) putQueue(ctx context.Context, tx parley.Tx, inst *parley.Instance, id string, in QueueInput) (*parley.Queue, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	h, err := getHours(ctx, tx, inst.ID, in.HoursOfOperationID)
	if err != nil {
		return nil, err
	}
	for _, ref := range in.QuickConnectIDs {
		if _, err := getQuickConnect(ctx, tx, inst.ID, ref); err != nil {
			return nil, err
		}
	}
	if id == "" {
		id = newID()
	}
	q := &parley.Queue{ID: id, InstanceID: inst.ID, ARN: arn(inst, arnQueue, id), Name: in.Name,
		Description: in.Description, HoursOfOperationID: h.ID, MaxContacts: in.MaxContacts, Status: in.Status}
	if q.Status == "" {
		q.Status = QueueEnabled
	}
	if err := tx.PutQueue(ctx, q); err != nil {
		return nil, duplicate(err, "a queue named %q exists in instance %s", in.Name, inst.ID)
	}
	return q, nil
}

// Queue returns a queue of an instance by id or ARN; ENOTFOUND (QUEUE) if the instance has none.
func (s *Service) Queue(ctx context.Context, instanceID, queueID string) (*parley.Queue, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return getQueue(ctx, s.store, inst.ID, queueID)
}

// ListQueues returns the queues of an instance ordered by name.
func (s *Service) ListQueues(ctx context.Context, instanceID string) ([]*parley.Queue, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return s.store.ListQueues(ctx, inst.ID)
}

// updateQueue applies change to a queue of an instance in one transaction.
func (s *Service) updateQueue(ctx context.Context, instanceID, queueID string, change func(tx parley.Tx, q *parley.Queue) error) error {
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		q, err := getQueue(ctx, tx, inst.ID, queueID)
		if err != nil {
			return err
		}
		if err := change(tx, q); err != nil {
			return err
		}
		return tx.PutQueue(ctx, q)
	})
	if err != nil {
		return err
	}
	s.configChanged(ctx, inst.ID)
	return nil
}

// UpdateQueueMaxContacts sets how many contacts may wait in a queue (0: no limit).
func (s *Service) UpdateQueueMaxContacts(ctx context.Context, instanceID, queueID string, maxContacts int) error {
	if maxContacts < 0 {
		return parley.Invalid("MaxContacts", "MaxContacts must not be negative (got %d)", maxContacts)
	}
	return s.updateQueue(ctx, instanceID, queueID, func(_ parley.Tx, q *parley.Queue) error {
		q.MaxContacts = maxContacts
		return nil
	})
}

// UpdateQueueHoursOfOperation sets a queue's hours; ENOTFOUND if the instance has no such hours.
func (s *Service) UpdateQueueHoursOfOperation(ctx context.Context, instanceID, queueID, hoursID string) error {
	return s.updateQueue(ctx, instanceID, queueID, func(tx parley.Tx, q *parley.Queue) error {
		h, err := getHours(ctx, tx, q.InstanceID, hoursID)
		if err != nil {
			return err
		}
		q.HoursOfOperationID = h.ID
		return nil
	})
}

// UpdateQueueStatus enables or disables a queue.
func (s *Service) UpdateQueueStatus(ctx context.Context, instanceID, queueID, status string) error {
	var c check
	c.enum("Status", status, QueueEnabled, QueueDisabled)
	if c.err != nil {
		return c.err
	}
	return s.updateQueue(ctx, instanceID, queueID, func(_ parley.Tx, q *parley.Queue) error {
		q.Status = status
		return nil
	})
}
