package chat

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// Client-token scopes: a token identifies a request of one participant for one operation.
const (
	scopeMessage    = "message:"
	scopeEvent      = "event:"
	scopeDisconnect = "disconnect:"
)

var errEnded = parley.Errorf(parley.EACCESS, "the chat has ended")

// ParticipantInstance returns the instance of the participant a ParticipantToken names (for per-instance
// throttling before any work). Errors: EACCESS for an unknown token.
func (s *Service) ParticipantInstance(ctx context.Context, participantToken string) (string, error) {
	p, err := s.store.ParticipantByToken(ctx, hashToken(participantToken))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return "", parley.Errorf(parley.EACCESS, "invalid ParticipantToken")
	}
	if err != nil {
		return "", err
	}
	c, err := s.store.GetContact(ctx, p.ChainID)
	if err != nil {
		return "", err
	}
	return c.InstanceID, nil
}

// CreateConnection is CreateParticipantConnection, authenticated by the ParticipantToken. Errors: EACCESS for an
// unknown token, a participant who left, or an ended chat (HTTP 403, which ChatJS reads as "chat ended").
func (s *Service) CreateConnection(ctx context.Context, participantToken string, in ConnectionInput) (*ConnectionOutput, error) {
	p, err := s.store.ParticipantByToken(ctx, hashToken(participantToken))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.Errorf(parley.EACCESS, "invalid ParticipantToken")
	}
	if err != nil {
		return nil, err
	}
	c, err := s.store.ActiveContact(ctx, p.ChainID)
	if err != nil {
		return nil, err
	}
	if !c.Active() || p.State != parley.ParticipantJoined {
		return nil, errEnded
	}
	now := s.now()
	out := &ConnectionOutput{}
	var conn *parley.Connection
	if in.Credentials {
		out.ConnectionToken = newConnectionToken()
		out.ConnectionExpiry = now.Add(s.cfg.ConnectionTokenTTL)
		conn = &parley.Connection{TokenHash: hashToken(out.ConnectionToken), ParticipantID: p.ID, ExpiresAt: out.ConnectionExpiry}
	}
	if in.Websocket {
		out.SocketExpiry = now.Add(s.cfg.SocketURLTTL)
		out.SocketURL = s.cfg.SocketURL + "?token=" + url.QueryEscape(s.socketToken(p.ID, out.SocketExpiry))
	}
	if conn != nil || !p.Connected {
		if _, err := s.commit(ctx, func(tx parley.Tx, _ *Change) error {
			if conn != nil {
				if err := tx.InsertConnection(ctx, conn); err != nil {
					return err
				}
			}
			return s.markConnected(ctx, tx, p.ID, now)
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markConnected records that a participant connected; the customer's first connection stops the connect-window
// timer and starts the chat-duration one.
func (s *Service) markConnected(ctx context.Context, tx parley.Tx, participantID string, now time.Time) error {
	p, err := tx.GetParticipant(ctx, participantID)
	if err != nil {
		return err
	}
	if p.Connected {
		return nil
	}
	p.Connected = true
	if err := tx.UpdateParticipant(ctx, p); err != nil {
		return err
	}
	if p.Role != parley.RoleCustomer {
		return nil
	}
	c, err := tx.ActiveContact(ctx, p.ChainID)
	if err != nil || !c.Active() || !c.ConnectedAt.IsZero() {
		return err
	}
	c.ConnectedAt, c.DueAt, c.UpdatedAt = now, s.chatEnd(c), now
	return tx.UpdateContact(ctx, c)
}

// Authenticate finds the participant behind a ConnectionToken. Errors: EACCESS for an unknown or expired token.
// The caller may have left or its chat may have ended: each operation decides what that means.
func (s *Service) Authenticate(ctx context.Context, connectionToken string) (*Caller, error) {
	key := sha256.Sum256([]byte(connectionToken))
	now := s.now()
	if c, expiry, ok := s.auth.get(key, now); ok {
		if !now.Before(expiry) {
			return nil, errConnectionExpired
		}
		return c, nil
	}
	conn, err := s.store.Connection(ctx, key[:])
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.Errorf(parley.EACCESS, "invalid ConnectionToken")
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(conn.ExpiresAt) {
		return nil, errConnectionExpired
	}
	p, err := s.store.GetParticipant(ctx, conn.ParticipantID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.ActiveContact(ctx, p.ChainID)
	if err != nil {
		return nil, err
	}
	caller := &Caller{Participant: p, Contact: c}
	s.auth.put(key, conn.ExpiresAt, caller, now)
	return caller, nil
}

var errConnectionExpired = parley.Errorf(parley.EACCESS, "the ConnectionToken has expired: call CreateParticipantConnection for a new one")

// active fails with EACCESS unless the caller is still in an active chat.
func (c *Caller) active() error {
	if !c.Contact.Active() {
		return errEnded
	}
	if c.Participant.State != parley.ParticipantJoined {
		return parley.Errorf(parley.EACCESS, "the participant has left the chat")
	}
	return nil
}

// SendMessage stores a message from the caller and returns it. A retry with the same ClientToken returns the
// first item and stores nothing. Errors: EACCESS (left, ended), EINVALID (content type or content).
func (s *Service) SendMessage(ctx context.Context, c *Caller, contentType, content, clientToken string) (*parley.Item, error) {
	if err := c.active(); err != nil {
		return nil, err
	}
	if err := s.mayShow(ctx, c); err != nil {
		return nil, err
	}
	if err := checkMessage("", contentType, content, c.Contact.SupportedContentTypes); err != nil {
		return nil, err
	}
	return s.appendIdempotent(ctx, c, scopeMessage, clientToken, func(now time.Time) *parley.Item {
		return s.message(c.Contact, c.Participant, contentType, content, now)
	})
}

// mayShow fails for a supervisor who monitors silently: it sees everything and sends nothing until it barges in.
func (s *Service) mayShow(ctx context.Context, c *Caller) error {
	if c.Participant.Role == parley.RoleSupervisor && !s.barged(ctx, c.Participant) {
		return parley.Errorf(parley.EACCESS, "you are monitoring silently: barge in before sending")
	}
	return nil
}

// appendIdempotent stores the item that build makes, in a transaction that first checks the chat is still
// active. With a ClientToken, a request already done returns its item instead.
//
// The ClientToken is looked up only when the append fails: ChatJS and the SDKs send one with every message, and
// a retry is rare, so the common case costs no read. A retry's append is refused by the unique (participant,
// ClientToken) index (ECONFLICT), or by the re-check if the chat has ended since the first request (EACCESS);
// either way the first request's item is the answer.
//
// On a store that appends in batches the append goes in a batch with other requests' (batch.go), unless the
// batch sends it back to a transaction of its own.
func (s *Service) appendIdempotent(ctx context.Context, c *Caller, scope, clientToken string, build func(time.Time) *parley.Item) (*parley.Item, error) {
	token := ""
	if clientToken != "" {
		token = scope + clientToken
	}
	var it *parley.Item
	err := parley.ErrNotBatched
	if s.batch != nil {
		it, err = s.batch.append(ctx, c, token, build)
	}
	if errors.Is(err, parley.ErrNotBatched) {
		it, err = s.appendOne(ctx, c, token, build)
	}
	if err != nil && token != "" && (parley.IsCode(err, parley.ECONFLICT) || parley.IsCode(err, parley.EACCESS)) {
		first, ferr := s.store.ItemByClientToken(ctx, c.Participant.ChainID, c.Participant.ID, token)
		if ferr == nil {
			return first, nil
		}
		if parley.IsCode(err, parley.ECONFLICT) || !parley.IsCode(ferr, parley.ENOTFOUND) {
			return nil, ferr
		}
	}
	if err != nil {
		return nil, err
	}
	return it, nil
}

// appendOne is appendIdempotent's append in a transaction of its own.
func (s *Service) appendOne(ctx context.Context, c *Caller, token string, build func(time.Time) *parley.Item) (*parley.Item, error) {
	var it *parley.Item
	_, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		contact, p, err := s.stillActive(ctx, tx, c)
		if err != nil {
			return err
		}
		if c.Participant.Role == parley.RoleCustomer && waiting(contact.FlowState) {
			ch.flowWaits = true // the message may be the input the contact's flow waits for
		}
		it = build(s.now())
		it.ClientToken = token
		if ch.flowWaits {
			hideViewAnswer(ch, contact, it)
		}
		if it.Type == parley.ItemMessage {
			if err := s.resetTimers(ctx, tx, ch, contact, p, it.Time); err != nil {
				return err
			}
		}
		if err := ch.Append(ctx, it); err != nil {
			return err
		}
		return s.checkItemCap(it)
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// stillActive re-reads the contact and participant inside a transaction, so nothing is appended after chat.ended.
// It returns the chain's contact as it stands in the transaction.
func (s *Service) stillActive(ctx context.Context, tx parley.Tx, c *Caller) (*parley.Contact, *parley.Participant, error) {
	contact, err := tx.ActiveContact(ctx, c.Contact.InitialContactID)
	if err != nil {
		return nil, nil, err
	}
	p, err := tx.GetParticipant(ctx, c.Participant.ID)
	if err != nil {
		return nil, nil, err
	}
	if contact.ID != c.Contact.ID && contact.Active() {
		// The chain moved on (a transfer) since the caller was authenticated: items go to the new contact.
		c.Contact = contact
	}
	return contact, p, (&Caller{Participant: p, Contact: contact}).active()
}

// SendEvent stores an event from the caller: typing (delivered live, not in transcripts), the deprecated
// connection acknowledgement (marks the participant connected), and delivered/read receipts, which become
// MESSAGEMETADATA items and receipts on the transcript's messages. Receipts are not deduplicated by ClientToken:
// ChatJS sends them all with one constant token. Errors: EACCESS, EINVALID.
func (s *Service) SendEvent(ctx context.Context, c *Caller, contentType, content, clientToken string) (*parley.Item, error) {
	if err := c.active(); err != nil {
		return nil, err
	}
	if !parley.ClientEvent(contentType) {
		return nil, parley.Invalid("ContentType", "ContentType %q is not an event participants can send", contentType)
	}
	if err := s.mayShow(ctx, c); err != nil {
		return nil, err
	}
	if content != "" && !utf8.ValidString(content) {
		return nil, parley.Invalid("Content", "Content is not valid UTF-8")
	}
	switch contentType {
	case parley.EventMessageRead, parley.EventMessageDelivered:
		return s.receipt(ctx, c, contentType, content)
	case parley.EventConnectionAcknowledged:
		it, err := s.appendIdempotent(ctx, c, scopeEvent, clientToken, func(now time.Time) *parley.Item {
			it := s.event(c.Contact, c.Participant, contentType, now)
			it.Transient = true
			return it
		})
		if err != nil {
			return nil, err
		}
		if !c.Participant.Connected {
			_, err = s.commit(ctx, func(tx parley.Tx, _ *Change) error {
				return s.markConnected(ctx, tx, c.Participant.ID, s.now())
			})
		}
		return it, err
	default: // typing
		return s.appendIdempotent(ctx, c, scopeEvent, clientToken, func(now time.Time) *parley.Item {
			it := s.event(c.Contact, c.Participant, contentType, now)
			it.Content = content
			it.Transient = true
			return it
		})
	}
}

func (s *Service) receipt(ctx context.Context, c *Caller, contentType, content string) (*parley.Item, error) {
	var rc wire.ReceiptContent
	if content == "" || json.Unmarshal([]byte(content), &rc) != nil || rc.MessageID == "" {
		return nil, parley.Invalid("Content", `Content of a receipt must be a JSON object {"messageId":"<Id>"}`)
	}
	msg, err := s.store.GetItem(ctx, rc.MessageID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && (msg.ChainID != c.Contact.InitialContactID ||
		(msg.Type != parley.ItemMessage && msg.Type != parley.ItemAttachment))) {
		return nil, parley.Invalid("Content", "messageId %q is not a message of this chat", rc.MessageID)
	}
	if err != nil {
		return nil, err
	}
	var it *parley.Item
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		if _, _, err := s.stillActive(ctx, tx, c); err != nil {
			return err
		}
		now := s.now()
		r := &parley.Receipt{MessageID: msg.ID, MessageSeq: msg.Seq, Recipient: c.Participant.ID}
		if contentType == parley.EventMessageRead {
			r.ReadAt = now
		} else {
			r.DeliveredAt = now
		}
		it = s.event(c.Contact, c.Participant, parley.EventMessageMetadata, now)
		it.Type, it.Receipt = parley.ItemMessageMetadata, r
		if err := ch.Append(ctx, it); err != nil {
			return err
		}
		return s.checkItemCap(it)
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// Disconnect is DisconnectParticipant. The customer's or the agent's leaving ends the chat for everyone; a bot or
// a supervisor leaves a chat that goes on, and gets a chat.ended of its own. A retry with the ClientToken of a disconnect that
// succeeded succeeds again. Errors: EACCESS (already left or chat ended).
func (s *Service) Disconnect(ctx context.Context, c *Caller, clientToken string) error {
	token := ""
	if clientToken != "" {
		token = scopeDisconnect + clientToken
		if _, err := s.store.ItemByClientToken(ctx, c.Participant.ChainID, c.Participant.ID, token); err == nil {
			return nil
		}
	}
	if err := c.active(); err != nil {
		return err
	}
	// The customer leaving ends the chat; so does the agent, unless the contact's flow set a disconnect flow
	// (CustomerRemaining), which then runs for the customer who remains. A bot or a supervisor leaves a chat
	// that goes on.
	if r := c.Participant.Role; r == parley.RoleCustomer || r == parley.RoleAgent {
		reason := parley.ReasonCustomerDisconnect
		if r == parley.RoleAgent {
			reason = parley.ReasonAgentDisconnect
			if remains, err := s.agentLeft(ctx, c.Contact.ID, c.Participant, token); remains || err != nil {
				return err // the customer remains with the contact's disconnect flow
			}
		}
		err := s.end(ctx, c.Contact.ID, reason, c.Participant, token)
		if parley.IsCode(err, parley.ECONFLICT) {
			return nil // the same disconnect, retried concurrently
		}
		return err
	}
	_, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		if _, _, err := s.stillActive(ctx, tx, c); err != nil {
			return err
		}
		now := s.now()
		left := s.event(c.Contact, c.Participant, parley.EventParticipantLeft, now)
		left.ClientToken = token
		ended := s.event(c.Contact, nil, parley.EventChatEnded, now)
		ended.Recipient = c.Participant.ID
		for _, it := range []*parley.Item{left, ended} {
			if err := ch.Append(ctx, it); err != nil {
				return err
			}
		}
		p := *c.Participant
		p.State, p.LeftAt = parley.ParticipantLeft, now
		return tx.UpdateParticipant(ctx, &p)
	})
	if parley.IsCode(err, parley.ECONFLICT) && token != "" {
		return nil
	}
	return err
}

// AuthenticateSocket checks the credential of a WebSocket URL. EINVALID: not a credential this server issued.
// EACCESS: expired, participant left, or chat ended.
func (s *Service) AuthenticateSocket(ctx context.Context, token string) (SocketIdentity, error) {
	pid, err := s.parseSocketToken(token, s.now())
	if err != nil {
		return SocketIdentity{}, err
	}
	p, err := s.store.GetParticipant(ctx, pid)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return SocketIdentity{}, parley.Errorf(parley.EINVALID, "unknown participant")
	}
	if err != nil {
		return SocketIdentity{}, err
	}
	c, err := s.store.ActiveContact(ctx, p.ChainID)
	if err != nil {
		return SocketIdentity{}, err
	}
	if err := (&Caller{Participant: p, Contact: c}).active(); err != nil {
		return SocketIdentity{}, err
	}
	return SocketIdentity{ParticipantID: p.ID, ContactID: c.ID, ChainID: c.InitialContactID, Role: p.Role}, nil
}

// Subscribed records that a participant's socket subscribed to the chat.
func (s *Service) Subscribed(ctx context.Context, id SocketIdentity) {
	p, err := s.store.GetParticipant(ctx, id.ParticipantID)
	if err != nil || p.Connected {
		return
	}
	if _, err := s.commit(ctx, func(tx parley.Tx, _ *Change) error {
		return s.markConnected(ctx, tx, id.ParticipantID, s.now())
	}); err != nil {
		s.log.Warn("mark connected", "participant_id", id.ParticipantID, "err", err)
	}
}

// LastSeq returns the newest Seq of a chain.
func (s *Service) LastSeq(ctx context.Context, chainID string) (int64, error) {
	return s.store.LastSeq(ctx, chainID)
}

// ItemsAfter returns up to limit items of a chain with Seq > after, in order (for sockets that saw a gap).
func (s *Service) ItemsAfter(ctx context.Context, chainID string, after int64, limit int) ([]*parley.Item, error) {
	return s.store.ListItems(ctx, parley.ItemQuery{ChainID: chainID, AfterSeq: after, Limit: limit})
}
