package wire

import "encoding/json"

// Paths of the Connect Service's chat operations that the generated code (connect_gen.go) does not describe:
// the ones parley answers as unsupported, and ListInstances and ListContactFlows, which the chat subset of the
// model lacks. Paths with labels are given as the prefix before the first label.
const (
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

// Values of ListInstances' InstanceSummary.
const (
	IdentityManagementConnectManaged = "CONNECT_MANAGED"
	InstanceStatusActive             = "ACTIVE"
)

// ContactFlowTypes are the values of the ContactFlowType enum (aws-sdk-go-v2 service/connect v1.175.2).
var ContactFlowTypes = []string{
	"CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD", "AGENT_WHISPER",
	"OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "CAMPAIGN",
}

// Contact is the chat part of the Connect Service's Contact shape (DescribeContact). Timestamps are epoch
// seconds. It is written by hand (-external Contact in wire.go): the model's Contact has some fifty members, of
// which parley fills these, and a generated one would send them in the model's order, not the one parley has
// always sent.
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
