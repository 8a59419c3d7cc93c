package sink

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

// The message attributes of every notification, as Amazon Connect sets them on what it publishes.
const (
	AttrInitialContactID  = "InitialContactId"
	AttrContactID         = "ContactId"
	AttrParticipantRole   = "ParticipantRole"
	AttrInstanceID        = "InstanceId"
	AttrAccountID         = "AccountId"
	AttrType              = "Type"
	AttrContentType       = "ContentType"
	AttrMessageVisibility = "MessageVisibility"
)

// The values of the MessageVisibility attribute: who, of the customer and the agent side, sees the item.
const (
	VisibilityAll      = "ALL"
	VisibilityCustomer = "CUSTOMER"
	VisibilityAgent    = "AGENT"
)

// Render returns the notification Connect publishes for an item of contact c: the Message, which is the item
// in the shape the WebSocket carries (chat.WireItem: AbsoluteTime, Content, ContentType, Id, Type,
// ParticipantId, DisplayName, ParticipantRole, Attachments, MessageMetadata, ContactId, InitialContactId; empty
// fields left out), and the message attributes that repeat its routing data for subscription filters.
//
// Attributes with no value are left out, as SNS refuses empty ones. MessageVisibility is ALL, except for an
// item addressed to one participant (Item.Recipient: a monitoring supervisor's own participant.joined, the
// chat.ended of a bot or supervisor that leaves a chat that goes on): parley addresses items only to
// participants of the agent side, so those are AGENT, and a customer-facing bridge that applies Connect's rule
// ((MessageVisibility == CUSTOMER or ALL) and ParticipantRole != CUSTOMER) never shows them to the customer.
func Render(c *parley.Contact, it *parley.Item, accountID string) (message string, attrs map[string]string, err error) {
	if c == nil || it == nil {
		return "", nil, errors.New("sink: Render needs a contact and an item")
	}
	w := chat.WireItem(it, true)
	if w.ContactID == "" {
		w.ContactID = c.ID
	}
	if w.InitialContactID == "" {
		w.InitialContactID = c.InitialContactID
	}
	if w.InitialContactID == "" {
		w.InitialContactID = w.ContactID
	}
	if w.ID == "" || w.Type == "" || w.ContactID == "" {
		return "", nil, errors.New("sink: an item needs an Id, a Type and a contact")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // Connect's JSON leaves <, > and & alone; the JSON is the same either way
	if err := enc.Encode(&w); err != nil {
		return "", nil, err
	}
	visibility := VisibilityAll
	if it.Recipient != "" {
		visibility = VisibilityAgent
	}
	attrs = map[string]string{}
	for k, v := range map[string]string{
		AttrInitialContactID:  w.InitialContactID,
		AttrContactID:         w.ContactID,
		AttrParticipantRole:   w.ParticipantRole,
		AttrInstanceID:        c.InstanceID,
		AttrAccountID:         accountID,
		AttrType:              w.Type,
		AttrContentType:       w.ContentType,
		AttrMessageVisibility: visibility,
	} {
		if v != "" {
			attrs[k] = v
		}
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), attrs, nil
}
