package parley

// Content types of messages and events (Participant Service documentation and amazon-connect-chatjs constants).
const (
	ContentTextPlain           = "text/plain"
	ContentTextMarkdown        = "text/markdown"
	ContentJSON                = "application/json"
	ContentInteractive         = "application/vnd.amazonaws.connect.message.interactive"
	ContentInteractiveResponse = "application/vnd.amazonaws.connect.message.interactive.response"

	eventPrefix                 = "application/vnd.amazonaws.connect.event."
	EventTyping                 = eventPrefix + "typing"
	EventConnectionAcknowledged = eventPrefix + "connection.acknowledged"
	EventMessageDelivered       = eventPrefix + "message.delivered"
	EventMessageRead            = eventPrefix + "message.read"
	EventMessageMetadata        = eventPrefix + "message.metadata"
	EventParticipantJoined      = eventPrefix + "participant.joined"
	EventParticipantLeft        = eventPrefix + "participant.left"
	EventParticipantInvited     = eventPrefix + "participant.invited"
	EventChatEnded              = eventPrefix + "chat.ended"
	EventTransferSucceeded      = eventPrefix + "transfer.succeeded"
	EventTransferFailed         = eventPrefix + "transfer.failed"
	EventParticipantIdle        = eventPrefix + "participant.idle"
	EventParticipantReturned    = eventPrefix + "participant.returned"
	EventAutoDisconnection      = eventPrefix + "participant.autodisconnection"
)

// MessageContentLimit returns the largest Content, in characters, that a message of content type ct may carry,
// and whether ct may be sent by a participant at all (SendMessage, StartChatContact's InitialMessage).
func MessageContentLimit(ct string) (limit int, ok bool) {
	switch ct {
	case ContentTextPlain, ContentTextMarkdown:
		return 1024, true
	case ContentJSON:
		return 12000, true
	case ContentInteractiveResponse:
		return 12288, true
	}
	return 0, false
}

// SupportedContentType reports whether ct may appear in StartChatContact's SupportedMessagingContentTypes.
func SupportedContentType(ct string) bool {
	switch ct {
	case ContentTextPlain, ContentTextMarkdown, ContentJSON, ContentInteractive, ContentInteractiveResponse:
		return true
	}
	return false
}

// ClientEvent reports whether ct is an event content type that participants may send with SendEvent.
func ClientEvent(ct string) bool {
	switch ct {
	case EventTyping, EventConnectionAcknowledged, EventMessageDelivered, EventMessageRead:
		return true
	}
	return false
}
