package wire

import "encoding/json"

// Connect Service operation paths (the @http traits of the connect model). Paths with labels are given as the
// prefix before the first label.
const (
	PathStartChatContact                   = "/contact/chat"
	PathCreateParticipant                  = "/contact/create-participant"
	PathStopContact                        = "/contact/stop"
	PathDescribeContactPrefix              = "/contacts/"           // {InstanceId}/{ContactId}
	PathGetContactAttributesPrefix         = "/contact/attributes/" // {InstanceId}/{InitialContactId}
	PathUpdateContactAttributes            = "/contact/attributes"
	PathListInstances                      = "/instance"
	PathListContactFlowsPrefix             = "/contact-flows-summary/" // {InstanceId}
	PathStartOutboundChatContact           = "/contact/outbound-chat"
	PathStartContactStreaming              = "/contact/start-streaming"
	PathStopContactStreaming               = "/contact/stop-streaming"
	PathTransferContact                    = "/contact/transfer"
	PathParticipantRoleConfigPrefix        = "/contact/participant-role-config/" // {InstanceId}/{ContactId}
	PathSendChatIntegrationEvent           = "/chat-integration-event"
	PathPersistentContactAssociationPrefix = "/contact/persistent-contact-association/" // {InstanceId}/{InitialContactId}
	PathUpdateParticipantAuthentication    = "/contact/update-participant-authentication"
	PathStartContactMediaProcessing        = "/contact/start-contact-media-processing"
	PathStopContactMediaProcessing         = "/contact/stop-contact-media-processing"
)

// Enum values of the Connect Service used by the chat operations.
const (
	ResponseModeIncremental = "INCREMENTAL"
	ResponseModeComplete    = "COMPLETE"

	RehydrationEntirePastSession = "ENTIRE_PAST_SESSION"
	RehydrationFromSegment       = "FROM_SEGMENT"

	DisconnectOnCustomerExitAgent = "AGENT"

	CapabilitySend = "SEND"

	IdentityManagementConnectManaged = "CONNECT_MANAGED"
	InstanceStatusActive             = "ACTIVE"
)

// ContactFlowTypes are the values of the ContactFlowType enum (aws-sdk-go-v2 service/connect v1.175.2).
var ContactFlowTypes = []string{
	"CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD", "AGENT_WHISPER",
	"OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "CAMPAIGN",
}

// StartChatContactRequest is the body of StartChatContact.
type StartChatContactRequest struct {
	InstanceID                     *string                          `json:"InstanceId,omitempty"`
	ContactFlowID                  *string                          `json:"ContactFlowId,omitempty"`
	Attributes                     map[string]string                `json:"Attributes,omitempty"`
	ParticipantDetails             *ParticipantDetails              `json:"ParticipantDetails,omitempty"`
	ParticipantConfiguration       *ParticipantConfiguration        `json:"ParticipantConfiguration,omitempty"`
	InitialMessage                 *ChatMessage                     `json:"InitialMessage,omitempty"`
	ClientToken                    *string                          `json:"ClientToken,omitempty"`
	ChatDurationInMinutes          *int                             `json:"ChatDurationInMinutes,omitempty"`
	SupportedMessagingContentTypes []string                         `json:"SupportedMessagingContentTypes,omitempty"`
	PersistentChat                 *PersistentChat                  `json:"PersistentChat,omitempty"`
	RelatedContactID               *string                          `json:"RelatedContactId,omitempty"`
	SegmentAttributes              map[string]SegmentAttributeValue `json:"SegmentAttributes,omitempty"`
	CustomerID                     *string                          `json:"CustomerId,omitempty"`
	DisconnectOnCustomerExit       []string                         `json:"DisconnectOnCustomerExit,omitempty"`
}

// ParticipantDetails identifies the customer of a new chat.
type ParticipantDetails struct {
	DisplayName *string `json:"DisplayName,omitempty"`
}

// ParticipantConfiguration is the configuration of the customer participant.
type ParticipantConfiguration struct {
	ResponseMode *string `json:"ResponseMode,omitempty"`
}

// ChatMessage is a message's content type and content.
type ChatMessage struct {
	ContentType *string `json:"ContentType,omitempty"`
	Content     *string `json:"Content,omitempty"`
}

// PersistentChat asks for a chat that continues a past one.
type PersistentChat struct {
	RehydrationType *string `json:"RehydrationType,omitempty"`
	SourceContactID *string `json:"SourceContactId,omitempty"`
}

// SegmentAttributeValue is a value of a segment attribute. It nests through ValueMap and ValueList.
type SegmentAttributeValue struct {
	ValueString  *string                          `json:"ValueString,omitempty"`
	ValueMap     map[string]SegmentAttributeValue `json:"ValueMap,omitempty"`
	ValueInteger *int32                           `json:"ValueInteger,omitempty"`
	ValueList    []SegmentAttributeValue          `json:"ValueList,omitempty"`
	ValueArn     *string                          `json:"ValueArn,omitempty"`
}

// StartChatContactResponse is its response.
type StartChatContactResponse struct {
	ContactID              string `json:"ContactId,omitempty"`
	ParticipantID          string `json:"ParticipantId,omitempty"`
	ParticipantToken       string `json:"ParticipantToken,omitempty"`
	ContinuedFromContactID string `json:"ContinuedFromContactId,omitempty"`
}

// CreateParticipantRequest is the body of CreateParticipant.
type CreateParticipantRequest struct {
	InstanceID         *string                  `json:"InstanceId,omitempty"`
	ContactID          *string                  `json:"ContactId,omitempty"`
	ClientToken        *string                  `json:"ClientToken,omitempty"`
	ParticipantDetails *ParticipantDetailsToAdd `json:"ParticipantDetails,omitempty"`
}

// ParticipantDetailsToAdd describes the participant that CreateParticipant adds.
type ParticipantDetailsToAdd struct {
	ParticipantRole         *string                  `json:"ParticipantRole,omitempty"`
	DisplayName             *string                  `json:"DisplayName,omitempty"`
	ParticipantCapabilities *ParticipantCapabilities `json:"ParticipantCapabilities,omitempty"`
}

// ParticipantCapabilities are a participant's video and screen-sharing capabilities (WebRTC only).
type ParticipantCapabilities struct {
	Video       *string `json:"Video,omitempty"`
	ScreenShare *string `json:"ScreenShare,omitempty"`
}

// CreateParticipantResponse is its response.
type CreateParticipantResponse struct {
	ParticipantCredentials *ParticipantTokenCredentials `json:"ParticipantCredentials,omitempty"`
	ParticipantID          string                       `json:"ParticipantId,omitempty"`
}

// ParticipantTokenCredentials carry a ParticipantToken and its expiry (an ISO 8601 string, see FormatTime).
type ParticipantTokenCredentials struct {
	ParticipantToken string `json:"ParticipantToken,omitempty"`
	Expiry           string `json:"Expiry,omitempty"`
}

// StopContactRequest is the body of StopContact.
type StopContactRequest struct {
	ContactID        *string           `json:"ContactId,omitempty"`
	InstanceID       *string           `json:"InstanceId,omitempty"`
	DisconnectReason *DisconnectReason `json:"DisconnectReason,omitempty"`
}

// DisconnectReason is why StopContact ends a contact (outbound campaigns only).
type DisconnectReason struct {
	Code *string `json:"Code,omitempty"`
}

// DescribeContactResponse is the response of DescribeContact.
type DescribeContactResponse struct {
	Contact *Contact `json:"Contact,omitempty"`
}

// Contact is the chat part of the Connect Service's Contact shape. Timestamps are epoch seconds.
type Contact struct {
	Arn                        string            `json:"Arn,omitempty"`
	ID                         string            `json:"Id,omitempty"`
	InitialContactID           string            `json:"InitialContactId,omitempty"`
	PreviousContactID          string            `json:"PreviousContactId,omitempty"`
	RelatedContactID           string            `json:"RelatedContactId,omitempty"`
	InitiationMethod           string            `json:"InitiationMethod,omitempty"`
	Channel                    string            `json:"Channel,omitempty"`
	QueueInfo                  *QueueInfo        `json:"QueueInfo,omitempty"`
	AgentInfo                  *AgentInfo        `json:"AgentInfo,omitempty"`
	InitiationTimestamp        *EpochSeconds     `json:"InitiationTimestamp,omitempty"`
	DisconnectTimestamp        *EpochSeconds     `json:"DisconnectTimestamp,omitempty"`
	LastUpdateTimestamp        *EpochSeconds     `json:"LastUpdateTimestamp,omitempty"`
	ConnectedToSystemTimestamp *EpochSeconds     `json:"ConnectedToSystemTimestamp,omitempty"`
	CustomerID                 string            `json:"CustomerId,omitempty"`
	SegmentAttributes          json.RawMessage   `json:"SegmentAttributes,omitempty"`
	DisconnectReason           string            `json:"DisconnectReason,omitempty"`
	Attributes                 map[string]string `json:"Attributes,omitempty"`
}

// QueueInfo says which queue a contact was put in.
type QueueInfo struct {
	ID               string        `json:"Id,omitempty"`
	EnqueueTimestamp *EpochSeconds `json:"EnqueueTimestamp,omitempty"`
}

// AgentInfo says which agent accepted a contact.
type AgentInfo struct {
	ID                        string        `json:"Id,omitempty"`
	AcceptedByAgentTimestamp  *EpochSeconds `json:"AcceptedByAgentTimestamp,omitempty"`
	ConnectedToAgentTimestamp *EpochSeconds `json:"ConnectedToAgentTimestamp,omitempty"`
}

// GetContactAttributesResponse is the response of GetContactAttributes. Attributes is always present.
type GetContactAttributesResponse struct {
	Attributes map[string]string `json:"Attributes"`
}

// UpdateContactAttributesRequest is the body of UpdateContactAttributes.
type UpdateContactAttributesRequest struct {
	InitialContactID *string           `json:"InitialContactId,omitempty"`
	InstanceID       *string           `json:"InstanceId,omitempty"`
	Attributes       map[string]string `json:"Attributes,omitempty"`
}

// ListInstancesResponse is the response of ListInstances (GET /instance?maxResults=&nextToken=).
type ListInstancesResponse struct {
	InstanceSummaryList []InstanceSummary `json:"InstanceSummaryList"`
	NextToken           string            `json:"NextToken,omitempty"`
}

// InstanceSummary describes an instance.
type InstanceSummary struct {
	ID                     string        `json:"Id,omitempty"`
	Arn                    string        `json:"Arn,omitempty"`
	IdentityManagementType string        `json:"IdentityManagementType,omitempty"`
	InstanceAlias          string        `json:"InstanceAlias,omitempty"`
	CreatedTime            *EpochSeconds `json:"CreatedTime,omitempty"`
	ServiceRole            string        `json:"ServiceRole,omitempty"`
	InstanceStatus         string        `json:"InstanceStatus,omitempty"`
	InboundCallsEnabled    bool          `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   bool          `json:"OutboundCallsEnabled"`
	InstanceAccessURL      string        `json:"InstanceAccessUrl,omitempty"`
}

// ListContactFlowsResponse is the response of ListContactFlows
// (GET /contact-flows-summary/{InstanceId}?contactFlowTypes=&maxResults=&nextToken=).
type ListContactFlowsResponse struct {
	ContactFlowSummaryList []ContactFlowSummary `json:"ContactFlowSummaryList"`
	NextToken              string               `json:"NextToken,omitempty"`
}

// ContactFlowSummary describes a contact flow.
type ContactFlowSummary struct {
	ID                string `json:"Id,omitempty"`
	Arn               string `json:"Arn,omitempty"`
	Name              string `json:"Name,omitempty"`
	ContactFlowType   string `json:"ContactFlowType,omitempty"`
	ContactFlowState  string `json:"ContactFlowState,omitempty"`
	ContactFlowStatus string `json:"ContactFlowStatus,omitempty"`
}
