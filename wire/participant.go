package wire

// Participant Service operation paths.
const (
	PathCreateParticipantConnection = "/participant/connection"
	PathSendMessage                 = "/participant/message"
	PathSendEvent                   = "/participant/event"
	PathGetTranscript               = "/participant/transcript"
	PathDisconnectParticipant       = "/participant/disconnect"
	PathStartAttachmentUpload       = "/participant/start-attachment-upload"
	PathCompleteAttachmentUpload    = "/participant/complete-attachment-upload"
	PathGetAttachment               = "/participant/attachment"
	PathDescribeViewPrefix          = "/participant/views/"
	PathGetAuthenticationURL        = "/participant/authentication-url"
	PathCancelAuthentication        = "/participant/cancel-authentication"

	// HeaderBearer carries the ParticipantToken or ConnectionToken.
	HeaderBearer = "X-Amz-Bearer"
)

// Connection types.
const (
	ConnectionTypeWebsocket   = "WEBSOCKET"
	ConnectionTypeCredentials = "CONNECTION_CREDENTIALS"
	ConnectionTypeWebRTC      = "WEBRTC_CONNECTION"
)

// CreateParticipantConnectionRequest is the body of CreateParticipantConnection.
type CreateParticipantConnectionRequest struct {
	Type               []string `json:"Type,omitempty"`
	ConnectParticipant *bool    `json:"ConnectParticipant,omitempty"`
}

// CreateParticipantConnectionResponse is its response.
type CreateParticipantConnectionResponse struct {
	Websocket             *Websocket             `json:"Websocket,omitempty"`
	ConnectionCredentials *ConnectionCredentials `json:"ConnectionCredentials,omitempty"`
}

// Websocket is where the participant's WebSocket connects.
type Websocket struct {
	URL              string `json:"Url,omitempty"`
	ConnectionExpiry string `json:"ConnectionExpiry,omitempty"`
}

// ConnectionCredentials carry the ConnectionToken.
type ConnectionCredentials struct {
	ConnectionToken string `json:"ConnectionToken,omitempty"`
	Expiry          string `json:"Expiry,omitempty"`
}

// SendMessageRequest is the body of SendMessage.
type SendMessageRequest struct {
	ContentType *string `json:"ContentType,omitempty"`
	Content     *string `json:"Content,omitempty"`
	ClientToken *string `json:"ClientToken,omitempty"`
}

// SendMessageResponse is its response.
type SendMessageResponse struct {
	ID              string                     `json:"Id"`
	AbsoluteTime    string                     `json:"AbsoluteTime"`
	MessageMetadata *MessageProcessingMetadata `json:"MessageMetadata,omitempty"`
}

// MessageProcessingMetadata is the status of in-flight message processing.
type MessageProcessingMetadata struct {
	MessageProcessingStatus string `json:"MessageProcessingStatus,omitempty"`
}

// SendEventRequest is the body of SendEvent.
type SendEventRequest struct {
	ContentType *string `json:"ContentType,omitempty"`
	Content     *string `json:"Content,omitempty"`
	ClientToken *string `json:"ClientToken,omitempty"`
}

// SendEventResponse is its response.
type SendEventResponse struct {
	ID           string `json:"Id"`
	AbsoluteTime string `json:"AbsoluteTime"`
}

// ReceiptContent is the Content of message.read and message.delivered events. Clients may add keys (ChatJS
// adds "disableThrottle").
type ReceiptContent struct {
	MessageID string `json:"messageId"`
}

// Scan directions and sort orders of GetTranscript.
const (
	ScanForward     = "FORWARD"
	ScanBackward    = "BACKWARD"
	SortAscending   = "ASCENDING"
	SortDescending  = "DESCENDING"
	DefaultPageSize = 10
	MaxPageSize     = 100
)

// GetTranscriptRequest is the body of GetTranscript.
type GetTranscriptRequest struct {
	ContactID     *string        `json:"ContactId,omitempty"`
	MaxResults    *int           `json:"MaxResults,omitempty"`
	NextToken     *string        `json:"NextToken,omitempty"`
	ScanDirection *string        `json:"ScanDirection,omitempty"`
	SortOrder     *string        `json:"SortOrder,omitempty"`
	StartPosition *StartPosition `json:"StartPosition,omitempty"`
}

// StartPosition says where GetTranscript starts. At most one member is meaningful.
type StartPosition struct {
	ID           *string `json:"Id,omitempty"`
	AbsoluteTime *string `json:"AbsoluteTime,omitempty"`
	MostRecent   *int    `json:"MostRecent,omitempty"`
}

// GetTranscriptResponse is its response.
type GetTranscriptResponse struct {
	InitialContactID string `json:"InitialContactId,omitempty"`
	Transcript       []Item `json:"Transcript"`
	NextToken        string `json:"NextToken,omitempty"`
}

// DisconnectParticipantRequest is the body of DisconnectParticipant.
type DisconnectParticipantRequest struct {
	ClientToken *string `json:"ClientToken,omitempty"`
}

// Item is a transcript item, as returned by GetTranscript and, with ContactId and InitialContactId, pushed on
// the WebSocket.
type Item struct {
	AbsoluteTime     string           `json:"AbsoluteTime,omitempty"`
	Content          string           `json:"Content,omitempty"`
	ContentType      string           `json:"ContentType,omitempty"`
	ID               string           `json:"Id,omitempty"`
	Type             string           `json:"Type,omitempty"`
	ParticipantID    string           `json:"ParticipantId,omitempty"`
	DisplayName      string           `json:"DisplayName,omitempty"`
	ParticipantRole  string           `json:"ParticipantRole,omitempty"`
	Attachments      []AttachmentItem `json:"Attachments,omitempty"`
	MessageMetadata  *MessageMetadata `json:"MessageMetadata,omitempty"`
	RelatedContactID string           `json:"RelatedContactId,omitempty"`
	ContactID        string           `json:"ContactId,omitempty"`
	InitialContactID string           `json:"InitialContactId,omitempty"`
}

// AttachmentItem describes an attachment on an item.
type AttachmentItem struct {
	ContentType    string `json:"ContentType,omitempty"`
	AttachmentID   string `json:"AttachmentId,omitempty"`
	AttachmentName string `json:"AttachmentName,omitempty"`
	Status         string `json:"Status,omitempty"`
}

// MessageMetadata carries receipts: on MESSAGEMETADATA items pushed on the WebSocket, and on MESSAGE items of a
// transcript.
type MessageMetadata struct {
	MessageID               string    `json:"MessageId,omitempty"`
	Receipts                []Receipt `json:"Receipts,omitempty"`
	MessageProcessingStatus string    `json:"MessageProcessingStatus,omitempty"`
}

// Receipt is one recipient's delivered/read times.
type Receipt struct {
	DeliveredTimestamp     string `json:"DeliveredTimestamp,omitempty"`
	ReadTimestamp          string `json:"ReadTimestamp,omitempty"`
	RecipientParticipantID string `json:"RecipientParticipantId,omitempty"`
}
