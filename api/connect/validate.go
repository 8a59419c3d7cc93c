package connect

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// The constraints of the model's input shapes are checked by generated code (validate_gen.go). What is written
// here by hand is what the model cannot say: the rules its documentation states in prose (attribute keys and
// size, content types, mutually exclusive members), and the model's own checks of Attributes and
// SegmentAttributes, which sit in the same walk as those rules and keep the words tests pin. The first failure
// is reported, naming the member (nested members as "Outer.Inner", list members as "List[i]", map entries as
// "Map.key").
//
//go:generate go run ../../internal/smithygen -model connect-chat-subset.json -mode checks -dispatch Chat -out validate_gen.go -ops CreateParticipant,CreatePersistentContactAssociation,DescribeContact,GetContactAttributes,StartChatContact,SendChatIntegrationEvent,StartContactStreaming,StartOutboundChatContact,StopContact,StopContactStreaming,TransferContact,UpdateContactAttributes,UpdateParticipantRoleConfig -custom StartChatContactRequest.Attributes=checkAttributes,NewSessionDetails.Attributes=checkAttributes,StartChatContactRequest.SegmentAttributes=checkSegmentAttributes,StartOutboundChatContactRequest.Attributes=checkAttributes,StartOutboundChatContactRequest.SegmentAttributes=checkSegmentAttributes,UpdateContactAttributesRequest.Attributes=checkAttributes

// Attribute limits from the StartChatContact and UpdateContactAttributes documentation.
const (
	maxAttributeBytes = 32768 // across all keys and values, UTF-8 bytes
	maxAttributeLen   = 32767 // key and value length (model)
)

// startChatInput applies the documented rules to a StartChatContact request that passed the model's checks and
// converts it to the service's input.
func startChatInput(req *wire.StartChatContactRequest) (chat.StartChatInput, error) {
	if req.RelatedContactID != nil && req.PersistentChat != nil {
		return chat.StartChatInput{}, parley.Invalid("RelatedContactId",
			"RelatedContactId and PersistentChat cannot both be set")
	}
	if err := checkContentTypes(req); err != nil {
		return chat.StartChatInput{}, err
	}
	in := chat.StartChatInput{
		InstanceID:            *req.InstanceID,
		ContactFlowID:         *req.ContactFlowID,
		Attributes:            req.Attributes,
		DisplayName:           *req.ParticipantDetails.DisplayName,
		ClientToken:           deref(req.ClientToken),
		SupportedContentTypes: req.SupportedMessagingContentTypes,
		RelatedContactID:      deref(req.RelatedContactID),
		CustomerID:            deref(req.CustomerID),
	}
	if p := req.PersistentChat; p != nil {
		in.Persistent = &chat.PersistentChat{RehydrationType: deref(p.RehydrationType), SourceContactID: deref(p.SourceContactID)}
	}
	if req.ChatDurationInMinutes != nil {
		in.DurationMinutes = *req.ChatDurationInMinutes
	}
	if m := req.InitialMessage; m != nil {
		in.InitialMessage = &chat.Message{ContentType: *m.ContentType, Content: *m.Content}
	}
	if len(req.SegmentAttributes) > 0 {
		b, err := json.Marshal(req.SegmentAttributes)
		if err != nil {
			return chat.StartChatInput{}, parley.Internal(err)
		}
		in.SegmentAttributes = b
	}
	return in, nil
}

// checkContentTypes applies the documented rules on SupportedMessagingContentTypes, InitialMessage and the
// connect:Guide subtype.
func checkContentTypes(req *wire.StartChatContactRequest) error {
	if types := req.SupportedMessagingContentTypes; types != nil {
		for i, ct := range types {
			if !parley.SupportedContentType(ct) {
				return parley.Invalid(fmt.Sprintf("SupportedMessagingContentTypes[%d]", i),
					"SupportedMessagingContentTypes[%d] %q is not supported: use text/plain, text/markdown, "+
						"application/json, %s or %s", i, ct, parley.ContentInteractive, parley.ContentInteractiveResponse)
			}
		}
		if !slices.Contains(types, parley.ContentTextPlain) {
			return parley.Invalid("SupportedMessagingContentTypes",
				"SupportedMessagingContentTypes must contain text/plain")
		}
	}
	if m := req.InitialMessage; m != nil {
		limit, ok := parley.MessageContentLimit(*m.ContentType)
		if !ok {
			return parley.Invalid("InitialMessage.ContentType",
				"InitialMessage.ContentType %q is not supported: use text/plain, text/markdown, application/json or %s",
				*m.ContentType, parley.ContentInteractiveResponse)
		}
		if n := utf8.RuneCountInString(*m.Content); n > limit {
			return parley.Invalid("InitialMessage.Content",
				"InitialMessage.Content must be at most %d characters long for %s (got %d)", limit, *m.ContentType, n)
		}
	}
	if v, ok := req.SegmentAttributes["connect:Subtype"]; ok && v.ValueString != nil &&
		*v.ValueString == "connect:Guide" {
		types := req.SupportedMessagingContentTypes
		if !slices.Contains(types, parley.ContentInteractive) || !slices.Contains(types, parley.ContentInteractiveResponse) {
			return parley.Invalid("SupportedMessagingContentTypes", "SupportedMessagingContentTypes must contain %s "+
				"and %s to set the connect:Guide subtype", parley.ContentInteractive, parley.ContentInteractiveResponse)
		}
	}
	return nil
}

// checkAttributes checks a contact attribute map: key length 1..32767 with only ASCII letters, digits, '-' and
// '_'; value length 0..32767; at most 32,768 UTF-8 bytes across all keys and values.
func checkAttributes(c *httpapi.Check, field string, attrs map[string]string) {
	total := 0
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[k]
		switch {
		case k == "":
			c.Fail(field, "%s keys must not be empty", field)
		case !utf8.ValidString(k) || utf8.RuneCountInString(k) > maxAttributeLen:
			c.Fail(field, "%s keys must be at most %d characters long", field, maxAttributeLen)
		case !attributeKey(k, false):
			c.Fail(field, "%s key %q may contain only letters, digits, '-' and '_'", field, truncate(k, 64))
		}
		c.Len(field+"."+truncate(k, 64), v, 0, maxAttributeLen)
		total += len(k) + len(v)
	}
	if total > maxAttributeBytes {
		c.Fail(field, "%s may hold at most %d UTF-8 bytes across all keys and values (got %d)", field,
			maxAttributeBytes, total)
	}
}

// attributeKey reports whether k has only ASCII letters, digits, '-' and '_' (and ':' when colon is set:
// system segment attributes are named like "connect:Subtype").
func attributeKey(k string, colon bool) bool {
	for i := 0; i < len(k); i++ {
		switch b := k[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '-', b == '_':
		case b == ':' && colon:
		default:
			return false
		}
	}
	return true
}

// checkSegmentAttributes checks SegmentAttributes: top-level keys 1..128 characters of letters, digits, '-',
// '_' and ':' (the documentation omits ':', but the system attributes it describes, such as connect:Subtype,
// carry it); values recursively (ValueString and ValueArn 0..1024, ValueMap keys 1..128).
func checkSegmentAttributes(c *httpapi.Check, field string, attrs map[string]wire.SegmentAttributeValue) {
	if c.Err() != nil || attrs == nil {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if !attributeKey(k, true) {
			c.Fail(field, "%s key %q may contain only letters, digits, '-', '_' and ':'", field, truncate(k, 64))
			return
		}
	}
	s := segmentChecker{c: c, path: []string{field}}
	s.checkMap(attrs)
}

// segmentChecker walks nested segment attribute values. It builds a member's name only when it reports a
// failure, so that deep nesting costs linear time.
type segmentChecker struct {
	c    *httpapi.Check
	path []string
}

func (s *segmentChecker) field() string { return strings.Join(s.path, "") }

func (s *segmentChecker) checkMap(m map[string]wire.SegmentAttributeValue) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			f := s.field()
			s.c.Fail(f, "%s keys must be 1 to 128 characters long (got %d)", f, n)
			return
		}
		s.path = append(s.path, "."+k)
		s.checkValue(m[k])
		s.path = s.path[:len(s.path)-1]
		if s.c.Err() != nil {
			return
		}
	}
}

func (s *segmentChecker) checkValue(v wire.SegmentAttributeValue) {
	for _, m := range []struct {
		name string
		val  *string
	}{{".ValueString", v.ValueString}, {".ValueArn", v.ValueArn}} {
		if m.val != nil && utf8.RuneCountInString(*m.val) > 1024 {
			f := s.field() + m.name
			s.c.Fail(f, "%s must be at most 1024 characters long (got %d)", f, utf8.RuneCountInString(*m.val))
			return
		}
	}
	if v.ValueMap != nil {
		s.path = append(s.path, ".ValueMap")
		s.checkMap(v.ValueMap)
		s.path = s.path[:len(s.path)-1]
	}
	for i, e := range v.ValueList {
		if s.c.Err() != nil {
			return
		}
		s.path = append(s.path, fmt.Sprintf(".ValueList[%d]", i))
		s.checkValue(e)
		s.path = s.path[:len(s.path)-1]
	}
}

// createParticipantInput converts a CreateParticipant request that passed the model's checks.
func createParticipantInput(req *wire.CreateParticipantRequest) chat.CreateParticipantInput {
	return chat.CreateParticipantInput{
		InstanceID:  *req.InstanceID,
		ContactID:   *req.ContactID,
		ClientToken: deref(req.ClientToken),
		Role:        parley.Role(deref(req.ParticipantDetails.ParticipantRole)),
		DisplayName: deref(req.ParticipantDetails.DisplayName),
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
