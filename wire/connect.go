package wire

import "encoding/json"

// PathListContactFlowsPrefix is PathListContactFlows up to its label, for the clients that append the escaped
// instance id.
const PathListContactFlowsPrefix = "/contact-flows-summary/"

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
	Name                       string            `json:"Name,omitempty"`
	Description                string            `json:"Description,omitempty"`
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
	QueuePriority              *int64            `json:"QueuePriority,omitempty"`
	QueueTimeAdjustmentSeconds *int32            `json:"QueueTimeAdjustmentSeconds,omitempty"`
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
