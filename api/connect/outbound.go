package connect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// Outbound chats and phone numbers. The phone numbers an instance owns are those of its channel bridges: the
// numbers of the configured SMS (Amazon Pinpoint, Twilio) and WhatsApp channels. ListPhoneNumbersV2 and
// ListPhoneNumbers list them with stable ids and ARNs derived from the instance, the channel and the number;
// StartOutboundChatContact starts a chat from one of them to a customer's number, and the bridge carries it as
// the customer's conversation on that channel (channels.Bridge.StartOutbound).

// channelService is the part of *channels.Bridge the handler uses.
type channelService interface {
	Numbers() []channels.PhoneNumber
	StartOutbound(ctx context.Context, o channels.OutboundChat) (string, error)
}

var _ channelService = (*channels.Bridge)(nil)

// WithChannels gives instanceID the phone numbers of the channel bridge b: ListPhoneNumbersV2 lists them and
// StartOutboundChatContact starts chats from them. Without it (or with a nil b) no instance owns a number.
func WithChannels(b *channels.Bridge, instanceID string) Option {
	return func(h *handler) {
		if b != nil {
			h.chans, h.chansInstance = b, instanceID
		}
	}
}

// Values of StartOutboundChatContact's endpoints and subtype.
const (
	endpointPhoneNumberARN  = "CONNECT_PHONENUMBER_ARN"
	endpointTelephoneNumber = "TELEPHONE_NUMBER"
	segmentSubtype          = "connect:Subtype"
)

// subtypeKinds maps each connect:Subtype an outbound chat may have to the channel kind its number must be of.
var subtypeKinds = map[string]string{"connect:SMS": "SMS", "connect:WhatsApp": "WHATSAPP"}

// phoneNumber is a channel's number as the Connect API shows it.
type phoneNumber struct {
	channels.PhoneNumber
	id          string
	arn         string // arn:…:connect:<region>:<account>:phone-number/<id> (ListPhoneNumbersV2, the source endpoint)
	instanceARN string // the instance's ARN: the number's TargetArn
	country     string // ISO 3166 alpha-2; "" when the calling code is not known
	typ         string // DID or TOLL_FREE
}

// legacyARN is the number's ARN as ListPhoneNumbers (v1) shows it: under its instance.
func (p phoneNumber) legacyARN() string { return p.instanceARN + "/phone-number/" + p.id }

// phoneNumbers returns the numbers inst owns, in channel name order.
func (h *handler) phoneNumbers(inst *parley.Instance) []phoneNumber {
	if h.chans == nil || inst.ID != h.chansInstance {
		return nil
	}
	var out []phoneNumber
	for _, n := range h.chans.Numbers() {
		sum := sha256.Sum256([]byte(inst.ID + "\x00" + n.Channel + "\x00" + n.Number))
		x := hex.EncodeToString(sum[:16])
		id := x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
		arnPrefix := inst.ARN[:strings.LastIndexByte(inst.ARN, ':')+1]
		country, typ := numberInfo(n.Number)
		out = append(out, phoneNumber{PhoneNumber: n, id: id, arn: arnPrefix + "phone-number/" + id,
			instanceARN: inst.ARN, country: country, typ: typ})
	}
	return out
}

// startOutboundChatContact checks what the model cannot say (the endpoints' types, the destination's form, the
// subtype and its number's channel), then has the bridge start the chat from the owned number and take it as the
// customer's conversation.
func (h *handler) startOutboundChatContact(ctx context.Context, in *wire.StartOutboundChatContactRequest) (*wire.StartOutboundChatContactResponse, error) {
	if h.chans == nil {
		return nil, parley.Errorf(parley.EREQUEST, "StartOutboundChatContact needs an SMS or WhatsApp channel, and this server has none")
	}
	src, dst := in.SourceEndpoint, in.DestinationEndpoint
	if t := deref(src.Type); t != endpointPhoneNumberARN {
		return nil, parley.Errorf(parley.EREQUEST, "SourceEndpoint.Type must be %s (got %q)", endpointPhoneNumberARN, t)
	}
	if t := deref(dst.Type); t != endpointTelephoneNumber {
		return nil, parley.Errorf(parley.EREQUEST, "DestinationEndpoint.Type must be %s (got %q)", endpointTelephoneNumber, t)
	}
	to := deref(dst.Address)
	if !parley.E164(to) {
		return nil, parley.Errorf(parley.EREQUEST, "DestinationEndpoint.Address must be an E.164 phone number such as +15555550100")
	}
	sub, ok := in.SegmentAttributes[segmentSubtype]
	if !ok || sub.ValueString == nil {
		return nil, parley.Errorf(parley.EREQUEST, "SegmentAttributes must set %s (ValueString connect:SMS or connect:WhatsApp)",
			segmentSubtype)
	}
	kind, ok := subtypeKinds[*sub.ValueString]
	if !ok {
		return nil, parley.Errorf(parley.EREQUEST, "SegmentAttributes %s must be connect:SMS or connect:WhatsApp (got %q)",
			segmentSubtype, truncate(*sub.ValueString, 64))
	}
	if in.InitialTemplatedSystemMessage != nil {
		if in.InitialSystemMessage != nil {
			return nil, parley.Errorf(parley.EREQUEST, "InitialSystemMessage and InitialTemplatedSystemMessage cannot both be set")
		}
		return nil, parley.Errorf(parley.EREQUEST,
			"InitialTemplatedSystemMessage is not supported by parley: it has no message templates (knowledge bases)")
	}
	inst, err := h.svc.Instance(ctx, *in.InstanceID)
	if err != nil {
		return nil, err
	}
	address := deref(src.Address)
	owned := h.phoneNumbers(inst)
	i := slices.IndexFunc(owned, func(p phoneNumber) bool { return p.arn == address || p.legacyARN() == address })
	if i < 0 {
		return nil, parley.NotFound("PHONE_NUMBER", "phone number %s not found in instance %s", truncate(address, 256), inst.ID)
	}
	num := owned[i]
	if num.Kind != kind {
		return nil, parley.Errorf(parley.EREQUEST, "phone number %s is a %s number of channel %s; %s %s needs a %s number",
			num.Number, num.Kind, num.Channel, segmentSubtype, *sub.ValueString, kind)
	}

	start := chat.OutboundChatInput{StartChatInput: chat.StartChatInput{
		InstanceID: inst.ID, ContactFlowID: *in.ContactFlowID, DisplayName: to, Attributes: in.Attributes,
		SupportedContentTypes: in.SupportedMessagingContentTypes, RelatedContactID: deref(in.RelatedContactID),
	}}
	if p := in.ParticipantDetails; p != nil {
		start.DisplayName = *p.DisplayName
	}
	if in.ChatDurationInMinutes != nil {
		start.DurationMinutes = *in.ChatDurationInMinutes
	}
	if m := in.InitialSystemMessage; m != nil {
		start.InitialSystemMessage = &chat.Message{ContentType: *m.ContentType, Content: *m.Content}
	}
	if start.SegmentAttributes, err = json.Marshal(in.SegmentAttributes); err != nil {
		return nil, parley.Internal(err)
	}
	token := deref(in.ClientToken)
	if token != "" {
		// The chat's idempotency covers the whole request: the same token to another number is another chat.
		sum := sha256.Sum256([]byte(token + "\x00" + num.id + "\x00" + to))
		start.ClientToken = "outbound-" + hex.EncodeToString(sum[:20])
	}
	id, err := h.chans.StartOutbound(ctx, channels.OutboundChat{Channel: num.Channel, To: to, ClientToken: start.ClientToken,
		Start: func(ctx context.Context) (string, string, error) {
			out, err := h.svc.StartOutboundChat(ctx, start)
			if err != nil {
				return "", "", err
			}
			return out.ContactID, out.ParticipantToken, nil
		},
		Abandon: func(ctx context.Context, contactID string) {
			if err := h.svc.StopContact(ctx, inst.ID, contactID); err != nil {
				h.log.ErrorContext(ctx, "abandoned outbound chat not stopped", "contact_id", contactID, "err", err)
			}
		}})
	if err != nil {
		return nil, err
	}
	return &wire.StartOutboundChatContactResponse{ContactID: id}, nil
}

// failRequest writes an error of an operation whose model has no InvalidParameterException: a failed check
// is an InvalidRequestException with the same message.
func (h *handler) failRequest(w http.ResponseWriter, r *http.Request, err error) {
	if pe, ok := err.(*parley.Error); ok && pe.Code == parley.EINVALID {
		err = &parley.Error{Code: parley.EREQUEST, Field: pe.Field, Message: pe.Message, Err: pe.Err}
	}
	h.fail(w, r, err)
}

var phoneNumberRoutes = []route{
	operation(kindAdmin, "ListPhoneNumbersV2", http.MethodPost, wire.PathListPhoneNumbersV2,
		list[wire.ListPhoneNumbersV2Response](listing{kind: "phone-numbers"}, (*handler).listPhoneNumbersV2,
			func(p phoneNumber) wire.ListPhoneNumbersSummary {
				return wire.ListPhoneNumbersSummary{PhoneNumberID: p.id, PhoneNumberArn: p.arn, PhoneNumber: p.Number,
					PhoneNumberCountryCode: p.country, PhoneNumberType: p.typ, TargetArn: p.instanceARN,
					InstanceID: p.instanceARN[strings.LastIndexByte(p.instanceARN, '/')+1:], PhoneNumberDescription: describeNumber(p.PhoneNumber)}
			})),
	operation(kindAdmin, "ListPhoneNumbers", http.MethodGet, wire.PathListPhoneNumbers,
		list[wire.ListPhoneNumbersResponse](listing{kind: "phone-numbers"}, (*handler).listPhoneNumbers,
			func(p phoneNumber) wire.PhoneNumberSummary {
				return wire.PhoneNumberSummary{ID: p.id, Arn: p.legacyARN(), PhoneNumber: p.Number,
					PhoneNumberType: p.typ, PhoneNumberCountryCode: p.country}
			})),
}

// listPhoneNumbersV2 lists the numbers of the instance InstanceId or TargetArn names, or of every instance.
func (h *handler) listPhoneNumbersV2(ctx context.Context, in *wire.ListPhoneNumbersV2Request) ([]phoneNumber, error) {
	if in.InstanceID != nil && in.TargetArn != nil {
		return nil, parley.Invalid("TargetArn", "TargetArn and InstanceId cannot both be set")
	}
	var insts []*parley.Instance
	if ref := cmpOr(in.InstanceID, in.TargetArn); ref != "" {
		inst, err := h.svc.Instance(ctx, ref)
		if err != nil {
			return nil, err
		}
		insts = []*parley.Instance{inst}
	} else {
		var err error
		if insts, err = h.svc.ListInstances(ctx); err != nil {
			return nil, err
		}
	}
	var out []phoneNumber
	for _, inst := range insts {
		for _, p := range h.phoneNumbers(inst) {
			if filterNumber(p, in.PhoneNumberCountryCodes, in.PhoneNumberTypes) &&
				(in.PhoneNumberPrefix == nil || strings.HasPrefix(p.Number, "+"+strings.TrimPrefix(*in.PhoneNumberPrefix, "+"))) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// listPhoneNumbers lists the numbers of an instance (ListPhoneNumbers, the first version).
func (h *handler) listPhoneNumbers(ctx context.Context, in *wire.ListPhoneNumbersRequest) ([]phoneNumber, error) {
	inst, err := h.svc.Instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	var out []phoneNumber
	for _, p := range h.phoneNumbers(inst) {
		if filterNumber(p, in.PhoneNumberCountryCodes, in.PhoneNumberTypes) {
			out = append(out, p)
		}
	}
	return out, nil
}

// filterNumber reports whether p passes a listing's country and type filters (empty: any).
func filterNumber(p phoneNumber, countries, types []string) bool {
	return (len(countries) == 0 || slices.Contains(countries, p.country)) &&
		(len(types) == 0 || slices.Contains(types, p.typ))
}

func cmpOr(a, b *string) string {
	if a != nil {
		return *a
	}
	return deref(b)
}

// describeNumber is a number's PhoneNumberDescription: the channel that sends from it.
func describeNumber(n channels.PhoneNumber) string {
	return fmt.Sprintf("%s number of parley's %s channel", n.Kind, n.Channel)
}

// callingCodes maps the country calling codes of common countries to their ISO 3166 alpha-2 code (for +1, the
// United States: the North American plan's numbers do not say their country by prefix alone).
var callingCodes = map[string]string{
	"1": "US", "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES", "36": "HU",
	"39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK", "46": "SE", "47": "NO", "48": "PL",
	"49": "DE", "51": "PE", "52": "MX", "54": "AR", "55": "BR", "56": "CL", "57": "CO", "60": "MY", "61": "AU",
	"62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH", "81": "JP", "82": "KR", "84": "VN", "86": "CN",
	"90": "TR", "91": "IN", "92": "PK", "234": "NG", "254": "KE", "351": "PT", "353": "IE", "358": "FI",
	"420": "CZ", "852": "HK", "886": "TW", "966": "SA", "971": "AE", "972": "IL",
}

// numberInfo returns an E.164 number's country (by its calling code, "" when not known) and type: TOLL_FREE
// for the North American toll-free codes, else DID.
func numberInfo(number string) (country, typ string) {
	digits := strings.TrimPrefix(number, "+")
	for n := 3; n >= 1; n-- {
		if len(digits) > n {
			if c, ok := callingCodes[digits[:n]]; ok {
				country = c
				break
			}
		}
	}
	typ = "DID"
	if len(digits) > 4 && digits[0] == '1' && slices.Contains([]string{"800", "833", "844", "855", "866", "877", "888"}, digits[1:4]) {
		typ = "TOLL_FREE"
	}
	return country, typ
}
