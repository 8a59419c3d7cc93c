package chat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/parley-chat/parley"
)

// Chat integration events (SendChatIntegrationEvent): an external channel identifies a chat by its source (the
// customer: a phone number), its destination (where the customer wrote to) and a subtype, and sends messages,
// events and disconnects as that customer. The first event for an identity without an active chat starts one.
//
// The identity's chats are StartChatContact's idempotency records: the n-th chat of an identity is started with
// the ClientToken "integration:<hash of the identity>:n", so two events racing to start the same chat get the
// same one, on one node or several. A process remembers the last n of each identity it saw; another process
// finds it by reading the records from 1 up.

// integrationChats remembers the generation of each identity's current chat (up to maxIntegrationGens
// identities; past that it forgets them all and reads them from the records again); locks serializes the events
// of one identity in this process, an entry living while some event of the identity holds or waits for it.
type integrationChats struct {
	mu    sync.Mutex
	locks map[string]*integrationLock
	gen   map[string]int
}

type integrationLock struct {
	sync.Mutex
	refs int
}

const maxIntegrationGens = 1 << 16

func (ic *integrationChats) lock(key string) func() {
	ic.mu.Lock()
	if ic.locks == nil {
		ic.locks, ic.gen = map[string]*integrationLock{}, map[string]int{}
	}
	l := ic.locks[key]
	if l == nil {
		l = &integrationLock{}
		ic.locks[key] = l
	}
	l.refs++
	ic.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		ic.mu.Lock()
		defer ic.mu.Unlock()
		if l.refs--; l.refs == 0 {
			delete(ic.locks, key)
		}
	}
}

// IntegrationKey identifies an integration chat: the customer (SourceId), where they wrote (DestinationId) and
// the channel's subtype.
func IntegrationKey(source, destination, subtype string) string {
	h := sha256.Sum256([]byte(source + "\x00" + destination + "\x00" + subtype))
	return hex.EncodeToString(h[:16])
}

// IntegrationChat returns the active chat of an integration identity, or, when create is set, starts one with
// start (its ClientToken is set here); without create and without an active chat out is nil. created reports a
// new chat. The caller runs the identity's event while holding release, so that
// the events of one identity are handled in the order they came.
func (s *Service) IntegrationChat(ctx context.Context, key string, start StartChatInput, create bool) (out *StartChatOutput, created bool, release func(), err error) {
	release = s.integrations.lock(key)
	defer func() {
		if err != nil {
			release()
		}
	}()
	inst, err := s.Instance(ctx, start.InstanceID)
	if err != nil {
		return nil, false, nil, err
	}
	scope := "StartChatContact:" + inst.ID
	token := func(n int) string { return fmt.Sprintf("integration:%s:%d", key, n) }
	s.integrations.mu.Lock()
	n := s.integrations.gen[key]
	s.integrations.mu.Unlock()
	if n == 0 { // not seen by this process: find the last chat from the records
		for {
			if _, err := s.store.Idempotent(ctx, scope, token(n+1)); parley.IsCode(err, parley.ENOTFOUND) {
				break
			} else if err != nil {
				return nil, false, nil, err
			}
			n++
		}
	}
	if n > 0 {
		prev, err := s.replayStart(ctx, scope, token(n))
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, false, nil, err
		}
		if err == nil {
			c, err := s.store.ActiveContact(ctx, prev.ContactID)
			if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
				return nil, false, nil, err
			}
			if err == nil && c.Active() {
				s.rememberIntegration(key, n)
				return prev, false, release, nil
			}
		}
	}
	if !create {
		return nil, false, release, nil
	}
	start.ClientToken = token(n + 1)
	out, err = s.StartChat(ctx, start)
	if err != nil {
		return nil, false, nil, err
	}
	s.rememberIntegration(key, n+1)
	return out, true, release, nil
}

func (s *Service) rememberIntegration(key string, n int) {
	s.integrations.mu.Lock()
	defer s.integrations.mu.Unlock()
	if _, ok := s.integrations.gen[key]; !ok && len(s.integrations.gen) >= maxIntegrationGens {
		clear(s.integrations.gen)
	}
	s.integrations.gen[key] = n
}

// Integration event types.
const (
	IntegrationMessage    = "MESSAGE"
	IntegrationEvent      = "EVENT"
	IntegrationDisconnect = "DISCONNECT"
)

// IntegrationEventAs performs an integration event as the customer of a chat (by their ParticipantToken): a
// message, an event, or the customer's disconnect. The customer counts as connected from the first event (as
// with CreateParticipantConnection's ConnectParticipant); no ConnectionToken is made, so an event costs one
// write. clientToken makes a message or an event idempotent.
func (s *Service) IntegrationEventAs(ctx context.Context, participantToken, typ, contentType, content, clientToken string) error {
	p, err := s.store.ParticipantByToken(ctx, hashToken(participantToken))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return parley.Errorf(parley.EACCESS, "invalid ParticipantToken")
	}
	if err != nil {
		return err
	}
	c, err := s.store.ActiveContact(ctx, p.ChainID)
	if err != nil {
		return err
	}
	caller := &Caller{Participant: p, Contact: c}
	if err := caller.active(); err != nil {
		return err
	}
	if !p.Connected {
		if _, err := s.commit(ctx, func(tx parley.Tx, _ *Change) error {
			return s.markConnected(ctx, tx, p.ID, s.now())
		}); err != nil {
			return err
		}
		p.Connected = true
	}
	switch typ {
	case IntegrationMessage:
		_, err = s.SendMessage(ctx, caller, contentType, content, clientToken)
	case IntegrationEvent:
		_, err = s.SendEvent(ctx, caller, contentType, content, clientToken)
	case IntegrationDisconnect:
		err = s.Disconnect(ctx, caller, clientToken)
	default:
		err = parley.Invalid("Event.Type", "Event.Type must be MESSAGE, EVENT or DISCONNECT")
	}
	return err
}
