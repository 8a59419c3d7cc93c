package chat

import (
	"context"
	"errors"

	"github.com/parley-chat/parley"
)

// InitiationOutbound is the InitiationMethod of a chat the business starts (StartOutboundChatContact).
const InitiationOutbound = "OUTBOUND"

// OutboundChatInput is StartOutboundChatContact's input once the API resolved its endpoints: the chat's
// customer is the person at the destination, reached through a channel bridge. DisplayName is the customer's;
// InitialMessage and Persistent are not part of the operation and must be unset.
type OutboundChatInput struct {
	StartChatInput
	// InitialSystemMessage, when set, is stored as a SYSTEM message before the flow's first messages.
	InitialSystemMessage *Message
}

// StartOutboundChat is the chat half of StartOutboundChatContact: it stores a chat with InitiationMethod
// OUTBOUND, whose customer participant the caller (the channel bridge) connects, and runs the contact flow's
// first step, as StartChat does. A retried ClientToken answers the first answer; the tokens are kept apart from
// StartChatContact's. Errors: those of StartChat; EINVALID for an InitialSystemMessage the chat does not accept.
func (s *Service) StartOutboundChat(ctx context.Context, in OutboundChatInput) (*StartChatOutput, error) {
	if in.InitialMessage != nil || in.Persistent != nil {
		return nil, parley.Internal(errors.New("chat: an outbound chat has no InitialMessage or PersistentChat"))
	}
	req, err := s.checkStart(ctx, in.StartChatInput)
	if err != nil {
		return nil, err
	}
	if m := in.InitialSystemMessage; m != nil {
		if err := checkMessage("InitialSystemMessage.", m.ContentType, m.Content, req.types); err != nil {
			return nil, err
		}
	}
	req.scope = "StartOutboundChatContact:" + req.inst.ID
	req.method, req.systemMessage = InitiationOutbound, in.InitialSystemMessage
	return s.start(ctx, req)
}
