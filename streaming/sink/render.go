package sink

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unsafe"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
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
	message, a, err := render(c, it, accountID)
	if err != nil {
		return "", nil, err
	}
	return message, a.toMap(), nil
}

// render is Render with the attributes as a list, which the senders use: a map costs more to build and to
// walk in order than the rest of the notification.
func render(c *parley.Contact, it *parley.Item, accountID string) (message string, a attrs, err error) {
	if c == nil || it == nil {
		return "", a, errors.New("sink: Render needs a contact and an item")
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
		return "", a, errors.New("sink: an item needs an Id, a Type and a contact")
	}
	message, err = appendItem(make([]byte, 0, 400+len(w.Content)*5/4), &w)
	if err != nil {
		return "", a, err
	}
	visibility := VisibilityAll
	if it.Recipient != "" {
		visibility = VisibilityAgent
	}
	// In the order of their names.
	for _, kv := range [...][2]string{
		{AttrAccountID, accountID},
		{AttrContactID, w.ContactID},
		{AttrContentType, w.ContentType},
		{AttrInitialContactID, w.InitialContactID},
		{AttrInstanceID, c.InstanceID},
		{AttrMessageVisibility, visibility},
		{AttrParticipantRole, w.ParticipantRole},
		{AttrType, w.Type},
	} {
		if kv[1] != "" {
			a.kv[a.n] = kv
			a.n++
		}
	}
	return message, a, nil
}

// maxAttrs is how many message attributes SNS takes on a message.
const maxAttrs = 10

// attrs are a notification's message attributes (name, value), in the order of their names, which is the order
// SNS's form and the webhook envelope list them in.
type attrs struct {
	n  int
	kv [maxAttrs][2]string
}

// list returns the attributes in order; a nil *attrs has none.
func (a *attrs) list() [][2]string {
	if a == nil {
		return nil
	}
	return a.kv[:a.n]
}

func (a *attrs) toMap() map[string]string {
	m := make(map[string]string, a.n)
	for _, kv := range a.list() {
		m[kv[0]] = kv[1]
	}
	return m
}

// attrsOf returns the attributes of m in order; an error when there are more than SNS takes.
func attrsOf(m map[string]string) (attrs, error) {
	var a attrs
	if len(m) > maxAttrs {
		return a, permanentf("sink: %d message attributes; SNS takes at most %d", len(m), maxAttrs)
	}
	for k, v := range m {
		a.kv[a.n] = [2]string{k, v}
		a.n++
	}
	slices.SortFunc(a.list(), func(x, y [2]string) int { return strings.Compare(x[0], y[0]) })
	return a, nil
}

// appendItem returns the JSON of w, byte for byte what encoding/json writes with HTML characters left alone
// (Connect's JSON leaves <, > and & alone; the JSON is the same either way): the fields in wire.Item's order,
// empty ones left out. The string fields are written by hand, as every streamed item is rendered once per
// stream; Attachments and MessageMetadata, on few items, by encoding/json.
func appendItem(b []byte, w *wire.Item) (string, error) {
	o := object{b: append(b, '{')}
	o.str("AbsoluteTime", w.AbsoluteTime)
	o.str("Content", w.Content)
	o.str("ContentType", w.ContentType)
	o.str("Id", w.ID)
	o.str("Type", w.Type)
	o.str("ParticipantId", w.ParticipantID)
	o.str("DisplayName", w.DisplayName)
	o.str("ParticipantRole", w.ParticipantRole)
	if len(w.Attachments) > 0 {
		if err := o.json("Attachments", w.Attachments); err != nil {
			return "", err
		}
	}
	if w.MessageMetadata != nil {
		if err := o.json("MessageMetadata", w.MessageMetadata); err != nil {
			return "", err
		}
	}
	o.str("RelatedContactId", w.RelatedContactID)
	o.str("ContactId", w.ContactID)
	o.str("InitialContactId", w.InitialContactID)
	o.b = append(o.b, '}')
	// The buffer is not written again: the string shares it (as strings.Builder does) rather than copy it.
	return unsafe.String(unsafe.SliceData(o.b), len(o.b)), nil
}

// object appends the members of a JSON object.
type object struct {
	b []byte
	n int
}

func (o *object) name(name string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

// str adds a string member, unless v is empty (omitempty).
func (o *object) str(name, v string) {
	if v != "" {
		o.name(name)
		o.b = appendJSONString(o.b, v)
	}
}

// json adds a member encoded by encoding/json, HTML characters left alone.
func (o *object) json(name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	o.name(name)
	o.b = append(o.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	return nil
}
