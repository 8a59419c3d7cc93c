package client

// Content types of messages (SendMessage, StartChatInput.InitialMessage, SupportedMessagingContentTypes).
const (
	ContentTypeTextPlain           = "text/plain"
	ContentTypeTextMarkdown        = "text/markdown"
	ContentTypeJSON                = "application/json"
	ContentTypeInteractive         = "application/vnd.amazonaws.connect.message.interactive"
	ContentTypeInteractiveResponse = "application/vnd.amazonaws.connect.message.interactive.response"
)

// Content types of events: the ones a participant sends with SendEvent (typing, read, delivered) and the ones the
// service pushes.
const (
	ContentTypeTyping                 = "application/vnd.amazonaws.connect.event.typing"
	ContentTypeMessageDelivered       = "application/vnd.amazonaws.connect.event.message.delivered"
	ContentTypeMessageRead            = "application/vnd.amazonaws.connect.event.message.read"
	ContentTypeMessageMetadata        = "application/vnd.amazonaws.connect.event.message.metadata"
	ContentTypeConnectionAcknowledged = "application/vnd.amazonaws.connect.event.connection.acknowledged"
	ContentTypeParticipantJoined      = "application/vnd.amazonaws.connect.event.participant.joined"
	ContentTypeParticipantLeft        = "application/vnd.amazonaws.connect.event.participant.left"
	ContentTypeParticipantInvited     = "application/vnd.amazonaws.connect.event.participant.invited"
	ContentTypeParticipantIdle        = "application/vnd.amazonaws.connect.event.participant.idle"
	ContentTypeParticipantReturned    = "application/vnd.amazonaws.connect.event.participant.returned"
	ContentTypeAutoDisconnection      = "application/vnd.amazonaws.connect.event.participant.autodisconnection"
	ContentTypeChatEnded              = "application/vnd.amazonaws.connect.event.chat.ended"
	ContentTypeTransferSucceeded      = "application/vnd.amazonaws.connect.event.transfer.succeeded"
	ContentTypeTransferFailed         = "application/vnd.amazonaws.connect.event.transfer.failed"
	ContentTypeDisplayNameUpdated     = "application/vnd.amazonaws.connect.event.participant.displayname.updated"
)

// Content types of the events of customer authentication (the Authenticate Customer flow block), each delivered
// as its own event type. The Content of each is {"SessionId":"…"} (AuthenticationSessionID reads it).
const (
	ContentTypeAuthenticationInitiated = "application/vnd.amazonaws.connect.event.authentication.initiated"
	ContentTypeAuthenticationSucceeded = "application/vnd.amazonaws.connect.event.authentication.succeeded"
	ContentTypeAuthenticationFailed    = "application/vnd.amazonaws.connect.event.authentication.failed"
	ContentTypeAuthenticationTimeout   = "application/vnd.amazonaws.connect.event.authentication.timeout"
	ContentTypeAuthenticationExpired   = "application/vnd.amazonaws.connect.event.authentication.expired"
	ContentTypeAuthenticationCancelled = "application/vnd.amazonaws.connect.event.authentication.cancelled"
)

// Item types (wire.Item.Type) that the session looks at.
const (
	ItemTypeMessage         = "MESSAGE"
	ItemTypeEvent           = "EVENT"
	ItemTypeAttachment      = "ATTACHMENT"
	ItemTypeMessageMetadata = "MESSAGEMETADATA"
)

// Participant roles (wire.Item.ParticipantRole, CreateParticipantInput.ParticipantRole).
const (
	RoleCustomer   = "CUSTOMER"
	RoleAgent      = "AGENT"
	RoleSystem     = "SYSTEM"
	RoleCustomBot  = "CUSTOM_BOT"
	RoleSupervisor = "SUPERVISOR"
)

// The ClientTokens of read and delivered receipts. ChatJS sends every receipt with one of these constants
// instead of a fresh token, and the session does the same so that servers treat both clients alike.
const (
	ReadReceiptClientToken      = "INCOMING_READ_RECEIPT"
	DeliveredReceiptClientToken = "INCOMING_DELIVERED_RECEIPT"
)
