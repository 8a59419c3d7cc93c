package chat

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/parley-chat/parley"
)

// maxTransfers is how many times Amazon Connect lets a contact be transferred.
const maxTransfers = 11

// TransferInput is TransferContact: the contact, exactly one of QueueID and UserID, the flow that takes the
// contact there (an inbound, queue transfer or agent transfer flow, by id or ARN), and the ClientToken.
type TransferInput struct {
	InstanceID, ContactID, QueueID, UserID, FlowID, ClientToken string
}

// TransferContact is the Connect API's TransferContact for chats, a documented extension (Connect transfers
// only tasks and emails this way): the contact moves as the agent API's transfer moves it (Transfer), through
// the given flow, whose TransferContactToQueue queues it on QueueID, or on the user's own queue for UserID. A
// retry with the same ClientToken answers the first transfer's contact. Errors: EREQUEST (both or neither of
// QueueID and UserID, a flow of another type, an ended contact), ENOTFOUND (contact, queue, user, flow), EQUOTA
// (the contact was transferred 11 times already).
func (s *Service) TransferContact(ctx context.Context, in TransferInput) (*parley.Contact, error) {
	if (in.QueueID == "") == (in.UserID == "") {
		return nil, parley.Errorf(parley.EREQUEST, "give exactly one of QueueId and UserId")
	}
	inst, err := s.Instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	scope := "TransferContact:" + inst.ID
	if in.ClientToken != "" {
		if b, err := s.store.Idempotent(ctx, scope, in.ClientToken); err == nil {
			var r idemResult
			if err := json.Unmarshal(b, &r); err != nil {
				return nil, parley.Internal(err)
			}
			if r.PreviousContactID != in.ContactID {
				return nil, parley.Errorf(parley.EIDEM, "ClientToken %s was used for another transfer", in.ClientToken)
			}
			return s.store.GetContact(ctx, r.ContactID)
		} else if !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
	}
	c, err := s.store.GetContact(ctx, in.ContactID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && c.InstanceID != inst.ID) {
		return nil, parley.NotFound("CONTACT", "contact %s not found in instance %s", in.ContactID, inst.ID)
	}
	if err != nil {
		return nil, err
	}
	if !c.Active() {
		return nil, parley.Errorf(parley.EREQUEST, "contact %s has ended: only active contacts can be transferred", c.ID)
	}
	f, _, err := s.flows.load(ctx, s.store, inst.ID, lastARNSegment(in.FlowID))
	if err != nil {
		return nil, parley.NotFound("CONTACT_FLOW", "contact flow %q not found in instance %s", in.FlowID, inst.ID)
	}
	switch f.Type {
	case "CONTACT_FLOW", "QUEUE_TRANSFER", "AGENT_TRANSFER":
	default:
		return nil, parley.Errorf(parley.EREQUEST, "contact flow %s is of type %s: TransferContact takes an inbound, "+
			"queue transfer or agent transfer flow", f.ID, f.Type)
	}
	n, err := s.transfers(ctx, c)
	if err != nil {
		return nil, err
	}
	if n >= maxTransfers {
		return nil, parley.Errorf(parley.EQUOTA, "contact %s was transferred %d times: the limit", c.ID, n)
	}
	queue := in.QueueID
	if in.UserID != "" {
		queue = "agent/" + lastARNSegment(in.UserID)
	} else {
		queue = lastARNSegment(queue)
	}
	next, err := s.transfer(ctx, c.ID, queue, f.ID, func(tx parley.Tx, next *parley.Contact) error {
		if in.ClientToken == "" {
			return nil
		}
		res, _ := json.Marshal(idemResult{ContactID: next.ID, PreviousContactID: c.ID})
		return tx.PutIdempotent(ctx, scope, in.ClientToken, res)
	})
	if parley.IsCode(err, parley.ECONFLICT) && in.ClientToken != "" {
		// A concurrent retry won: answer what it answered.
		return s.TransferContact(ctx, TransferInput{InstanceID: in.InstanceID, ContactID: in.ContactID,
			QueueID: in.QueueID, UserID: in.UserID, FlowID: in.FlowID, ClientToken: in.ClientToken})
	}
	return next, err
}

// transfers counts the transfers that led to c: the TRANSFER contacts before it in its chain.
func (s *Service) transfers(ctx context.Context, c *parley.Contact) (int, error) {
	n := 0
	for c.InitiationMethod == "TRANSFER" && c.PreviousContactID != "" && n <= maxTransfers {
		n++
		prev, err := s.store.GetContact(ctx, c.PreviousContactID)
		if err != nil {
			return 0, err
		}
		c = prev
	}
	return n, nil
}

// UpdateRoutingData is UpdateContactRoutingData: the contact's queue priority (1 is served first) and routing
// age adjustment, as a flow's UpdateContactRoutingBehavior sets them. A contact waiting in its queue takes its
// new place at once. Errors: ENOTFOUND (contact), EREQUEST (ended contact).
func (s *Service) UpdateRoutingData(ctx context.Context, instanceID, contactID string, priority *int64, adjust *time.Duration) error {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return err
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.GetContact(ctx, contactID)
		if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && c.InstanceID != inst.ID) {
			return parley.NotFound("CONTACT", "contact %s not found in instance %s", contactID, inst.ID)
		}
		if err != nil {
			return err
		}
		if !c.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		if priority != nil {
			c.QueuePriority = int(min(*priority, math.MaxInt32))
		}
		if adjust != nil {
			c.QueueTimeAdjustment = *adjust
		}
		now := s.now()
		c.UpdatedAt = now
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		if !c.EnqueuedAt.IsZero() && c.AgentID == "" {
			ch.Emit(parley.EventContactQueued, c, now) // routing gives it its new place
		}
		return nil
	})
	return err
}
