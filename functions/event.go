package functions

import (
	"strings"

	"github.com/parley-chat/parley/flow"
)

// Event is the input event Amazon Connect sends a Lambda function from a flow (Name "ContactFlowEvent"). Its
// members are written in the order and with the nulls Connect uses for a chat contact, so a function written
// for Connect reads it unchanged.
type Event struct {
	Details Details `json:"Details"`
	Name    string  `json:"Name"`
}

// Details holds the contact's data and the action's parameters.
type Details struct {
	ContactData ContactData       `json:"ContactData"`
	Parameters  map[string]string `json:"Parameters"`
}

// ContactData is the contact as the function sees it. Members Connect sends as null on a chat (no endpoint, no
// queue yet, no name) are pointers.
type ContactData struct {
	Attributes        map[string]string       `json:"Attributes"`
	AwsRegion         string                  `json:"AwsRegion"`
	Channel           string                  `json:"Channel"`
	ContactID         string                  `json:"ContactId"`
	CustomerEndpoint  *Endpoint               `json:"CustomerEndpoint"`
	CustomerID        *string                 `json:"CustomerId"`
	Description       *string                 `json:"Description"`
	InitialContactID  string                  `json:"InitialContactId"`
	InitiationMethod  string                  `json:"InitiationMethod"`
	InstanceARN       string                  `json:"InstanceARN"`
	LanguageCode      *string                 `json:"LanguageCode"`
	MediaStreams      MediaStreams            `json:"MediaStreams"`
	Name              *string                 `json:"Name"`
	PreviousContactID string                  `json:"PreviousContactId"`
	Queue             *Queue                  `json:"Queue"`
	References        map[string]Reference    `json:"References"`
	RelatedContactID  *string                 `json:"RelatedContactId"`
	SegmentAttributes map[string]SegmentValue `json:"SegmentAttributes"`
	SystemEndpoint    *Endpoint               `json:"SystemEndpoint"`
	Tags              map[string]string       `json:"Tags"`
}

// Endpoint is a customer or system endpoint.
type Endpoint struct {
	Address string `json:"Address"`
	Type    string `json:"Type"`
}

// Queue is the contact's working queue. OutboundCallerID is voice only: always null on a chat.
type Queue struct {
	ARN              string    `json:"ARN"`
	Name             string    `json:"Name"`
	OutboundCallerID *Endpoint `json:"OutboundCallerId"`
}

// MediaStreams is voice only: a chat's customer audio is null.
type MediaStreams struct {
	Customer struct {
		Audio *struct{} `json:"Audio"`
	} `json:"Customer"`
}

// Reference is a contact reference (parley keeps none yet).
type Reference struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// SegmentValue is a segment attribute's value as the event writes it.
type SegmentValue struct {
	ValueString string `json:"ValueString"`
}

// NewEvent builds the event Connect sends for an invocation with these parameters on contact c. As on Connect,
// a contact without a previous or initial contact names itself there.
func NewEvent(params map[string]string, c flow.Contact) Event {
	d := ContactData{
		Attributes:        nonNil(c.Attributes),
		AwsRegion:         region(c.InstanceARN),
		Channel:           c.Channel,
		ContactID:         c.ContactID,
		CustomerEndpoint:  endpoint(c.CustomerEndpoint),
		CustomerID:        optional(c.CustomerID),
		Description:       optional(c.Description),
		InitialContactID:  or(c.InitialContactID, c.ContactID),
		InitiationMethod:  c.InitiationMethod,
		InstanceARN:       c.InstanceARN,
		LanguageCode:      optional(c.LanguageCode),
		Name:              optional(c.Name),
		PreviousContactID: or(c.PreviousContactID, c.ContactID),
		References:        map[string]Reference{},
		RelatedContactID:  optional(c.RelatedContactID),
		SegmentAttributes: map[string]SegmentValue{},
		SystemEndpoint:    endpoint(c.SystemEndpoint),
		Tags:              map[string]string{},
	}
	if d.Channel == "" {
		d.Channel = "CHAT"
	}
	if c.Queue.ARN != "" || c.Queue.Name != "" {
		d.Queue = &Queue{ARN: c.Queue.ARN, Name: c.Queue.Name}
	}
	for k, v := range c.SegmentAttributes {
		d.SegmentAttributes[k] = SegmentValue{ValueString: v}
	}
	return Event{Name: "ContactFlowEvent", Details: Details{ContactData: d, Parameters: nonNil(params)}}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func endpoint(e flow.Endpoint) *Endpoint {
	if e.Address == "" && e.Type == "" {
		return nil
	}
	return &Endpoint{Address: e.Address, Type: e.Type}
}

// region reads the region of an ARN (arn:partition:service:region:account:resource).
func region(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}
