package connect

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// SendChatIntegrationEvent: an external channel's event as a chat's customer, the chat identified by SourceId,
// DestinationId and Subtype, started when none is active (chat/integration.go).
//
// Connect maps DestinationId (an End User Messaging phone number ARN) to an instance and a flow. parley takes
// an instance (id or ARN), whose chats start on its default inbound flow, or a contact flow ARN
// (arn:…:instance/{id}/contact-flow/{id}), whose chats start on that flow; or any DestinationId configured to
// map to one of those (WithIntegrationDestinations), so that integrations written for Connect send their phone
// number ARNs unchanged.

// WithIntegrationDestinations maps SendChatIntegrationEvent DestinationIds (an End User Messaging phone number
// ARN, say) to the instance (id or ARN) or contact flow ARN where their chats start.
func WithIntegrationDestinations(m map[string]string) Option {
	return func(h *handler) { h.destinations = m }
}

func (h *handler) sendChatIntegrationEvent(ctx context.Context, in *wire.SendChatIntegrationEventRequest) (*wire.SendChatIntegrationEventResponse, error) {
	typ, ct, content := *in.Event.Type, deref(in.Event.ContentType), deref(in.Event.Content)
	switch {
	case typ != chat.IntegrationDisconnect && ct == "":
		return nil, parley.Errorf(parley.EREQUEST, "Event.ContentType is required when Event.Type is %s", typ)
	case typ == chat.IntegrationMessage && content == "":
		return nil, parley.Errorf(parley.EREQUEST, "Event.Content is required when Event.Type is MESSAGE")
	}
	instanceID, flowID, err := h.integrationDestination(ctx, *in.DestinationID)
	if err != nil {
		return nil, err
	}
	source, subtype := *in.SourceID, deref(in.Subtype)
	start := chat.StartChatInput{InstanceID: instanceID, ContactFlowID: flowID, DisplayName: source}
	ns := in.NewSessionDetails
	if ns != nil {
		if ns.ParticipantDetails != nil && deref(ns.ParticipantDetails.DisplayName) != "" {
			start.DisplayName = *ns.ParticipantDetails.DisplayName
		}
		start.Attributes, start.SupportedContentTypes = ns.Attributes, ns.SupportedMessagingContentTypes
	}
	if subtype != "" {
		start.SegmentAttributes, _ = json.Marshal(map[string]any{"connect:Subtype": map[string]string{"ValueString": subtype}})
	}
	out, created, release, err := h.svc.IntegrationChat(ctx, chat.IntegrationKey(source, *in.DestinationID, subtype),
		start, typ != chat.IntegrationDisconnect)
	if err != nil {
		return nil, err
	}
	defer release()
	if out == nil {
		return &wire.SendChatIntegrationEventResponse{}, nil // a disconnect without a chat: nothing to do
	}
	if created && ns != nil && ns.StreamingConfiguration != nil && ns.StreamingConfiguration.StreamingEndpointArn != nil {
		s, err := h.streaming()
		if err != nil {
			return nil, err
		}
		if _, err := s.StartContactStreaming(ctx, instanceID, out.ContactID, *ns.StreamingConfiguration.StreamingEndpointArn,
			"integration"); err != nil {
			// The chat must not outlive its failed setup: a retry would find it and never stream it. Ended, it
			// makes the retry start a new chat.
			if stopErr := h.svc.StopContact(ctx, instanceID, out.ContactID); stopErr != nil {
				h.log.WarnContext(ctx, "end an integration chat whose streaming failed", "contact_id", out.ContactID, "err", stopErr)
			}
			return nil, err
		}
	}
	if err := h.svc.IntegrationEventAs(ctx, out.ParticipantToken, typ, ct, content, ""); err != nil {
		return nil, err
	}
	return &wire.SendChatIntegrationEventResponse{InitialContactID: out.ContactID, NewChatCreated: created}, nil
}

// integrationDestination reads DestinationId: an instance (its default inbound flow) or a contact flow ARN.
func (h *handler) integrationDestination(ctx context.Context, dest string) (instanceID, flowID string, err error) {
	notFound := parley.NotFound("INSTANCE", "DestinationId %q is neither an instance nor a contact flow ARN of this server", dest)
	if target, ok := h.destinations[dest]; ok {
		notFound = parley.NotFound("INSTANCE", "DestinationId %q is configured to start chats on %q, which is neither an instance nor a contact flow ARN of this server", dest, target)
		dest = target
	}
	inst, flow, hasFlow := dest, "", false
	if i := strings.Index(dest, "/contact-flow/"); i >= 0 {
		inst, flow, hasFlow = dest[:i], dest[i+len("/contact-flow/"):], true
	}
	in, err := h.svc.Instance(ctx, inst)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return "", "", notFound
	}
	if err != nil {
		return "", "", err
	}
	flows, err := h.svc.ListContactFlows(ctx, in.ID, nil)
	if err != nil {
		return "", "", err
	}
	for _, f := range flows {
		if (hasFlow && f.ID == flow) || (!hasFlow && f.Name == parley.DefaultFlowName) {
			return in.ID, f.ID, nil
		}
	}
	return "", "", notFound
}
