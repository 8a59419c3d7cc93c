package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/wire"
)

// defaultRegion is ChatJS's default region.
const defaultRegion = "us-west-2"

// ChatDetails identify a participant of a chat: what StartChatContact and CreateParticipant return, and what
// NewSession needs (as ChatJS's ChatSession.create takes chatDetails).
type ChatDetails struct {
	ContactID        string `json:"ContactId"`
	ParticipantID    string `json:"ParticipantId"`
	ParticipantToken string `json:"ParticipantToken"`
	// InitialContactID is the first contact of the chain (it differs from ContactID after a transfer). Empty
	// means ContactID.
	InitialContactID string `json:"InitialContactId,omitempty"`
}

// Message is a message's content type and content.
type Message struct {
	ContentType string
	Content     string
}

// connectService is where and how to call the Amazon Connect Service.
type connectService struct {
	Endpoint    string
	Region      string
	Credentials Credentials
	HTTPClient  *http.Client
}

func (c connectService) transport() *transport {
	region := c.Region
	if region == "" {
		region = defaultRegion
	}
	ep := strings.TrimSuffix(c.Endpoint, "/")
	if ep == "" {
		ep = "https://connect." + region + ".amazonaws.com"
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &transport{endpoint: ep, hc: hc, log: discard, retries: 2, backoff: 200 * time.Millisecond,
		sign: sigV4(c.Credentials, region)}
}

// StartChatInput is the input of StartChat: where the Amazon Connect Service is, how to sign, and the members of
// StartChatContact.
type StartChatInput struct {
	// Endpoint is the base URL of the Amazon Connect Service, for example parley's http://127.0.0.1:8080.
	// Default https://connect.{Region}.amazonaws.com.
	Endpoint string
	// Region is the AWS region of the signature (and of the default endpoint). Default us-west-2.
	Region string
	// Credentials sign the request (SigV4, service "connect"). The zero value sends it unsigned.
	Credentials Credentials
	// HTTPClient sends the request. Default http.DefaultClient.
	HTTPClient *http.Client

	// InstanceID and ContactFlowID are required.
	InstanceID    string
	ContactFlowID string
	// DisplayName is the customer's name in the chat (required by the service).
	DisplayName string
	// Attributes are the contact attributes.
	Attributes map[string]string
	// InitialMessage, when set, becomes the customer's first message.
	InitialMessage *Message
	// SupportedMessagingContentTypes are the content types the customer's client can show; it must contain
	// text/plain. Empty leaves the service's default (text/plain).
	SupportedMessagingContentTypes []string
	// ClientToken makes retries idempotent. Default: a random UUID, reused across the call's own retries.
	ClientToken string
	// ChatDurationInMinutes is how long the chat may last (60 to 10080). Zero means the service default (25 h).
	ChatDurationInMinutes int
	// Customize, when set, is called with the request body just before it is sent, to set members this struct
	// does not have (SegmentAttributes, PersistentChat, RelatedContactId, CustomerId, …).
	Customize func(*wire.StartChatContactRequest)
}

// StartChat starts a chat contact as a customer (StartChatContact, PUT /contact/chat, signed with SigV4) and
// returns the customer's chat details, ready for NewSession. Transient failures are retried with the same
// ClientToken. Errors from the service are *APIError (InvalidParameterException, ResourceNotFoundException, …).
func StartChat(ctx context.Context, in StartChatInput) (ChatDetails, error) {
	token := in.ClientToken
	if token == "" {
		token = newClientToken()
	}
	req := &wire.StartChatContactRequest{
		InstanceID:                     &in.InstanceID,
		ContactFlowID:                  &in.ContactFlowID,
		Attributes:                     in.Attributes,
		ParticipantDetails:             &wire.ParticipantDetails{DisplayName: &in.DisplayName},
		ClientToken:                    &token,
		SupportedMessagingContentTypes: in.SupportedMessagingContentTypes,
	}
	if in.InitialMessage != nil {
		req.InitialMessage = &wire.ChatMessage{ContentType: &in.InitialMessage.ContentType, Content: &in.InitialMessage.Content}
		if in.InitialMessage.ContentType == "" {
			ct := ContentTypeTextPlain
			req.InitialMessage.ContentType = &ct
		}
	}
	if in.ChatDurationInMinutes != 0 {
		req.ChatDurationInMinutes = &in.ChatDurationInMinutes
	}
	if in.Customize != nil {
		in.Customize(req)
	}
	svc := connectService{in.Endpoint, in.Region, in.Credentials, in.HTTPClient}
	var out wire.StartChatContactResponse
	err := svc.transport().call(ctx, request{op: "StartChatContact", method: http.MethodPut,
		path: wire.PathStartChatContact, in: req}, &out)
	if err != nil {
		return ChatDetails{}, err
	}
	return ChatDetails{ContactID: out.ContactID, ParticipantID: out.ParticipantID, ParticipantToken: out.ParticipantToken}, nil
}

// CreateParticipantInput is the input of CreateParticipant.
type CreateParticipantInput struct {
	// Endpoint, Region, Credentials and HTTPClient are as in StartChatInput.
	Endpoint    string
	Region      string
	Credentials Credentials
	HTTPClient  *http.Client

	// InstanceID and ContactID (the chat) are required.
	InstanceID string
	ContactID  string
	// DisplayName is the participant's name in the chat.
	DisplayName string
	// ParticipantRole is the role of the new participant. Default CUSTOM_BOT (the only role Amazon Connect
	// accepts for chat).
	ParticipantRole string
	// ClientToken makes retries idempotent. Default: a random UUID.
	ClientToken string
}

// CreateParticipant adds a participant to a running chat (CreateParticipant, POST /contact/create-participant,
// signed with SigV4), typically a CUSTOM_BOT, and returns its chat details, ready for NewSession.
func CreateParticipant(ctx context.Context, in CreateParticipantInput) (ChatDetails, error) {
	token := in.ClientToken
	if token == "" {
		token = newClientToken()
	}
	role := in.ParticipantRole
	if role == "" {
		role = RoleCustomBot
	}
	req := &wire.CreateParticipantRequest{InstanceID: &in.InstanceID, ContactID: &in.ContactID, ClientToken: &token,
		ParticipantDetails: &wire.ParticipantDetailsToAdd{ParticipantRole: &role, DisplayName: &in.DisplayName}}
	svc := connectService{in.Endpoint, in.Region, in.Credentials, in.HTTPClient}
	var out wire.CreateParticipantResponse
	err := svc.transport().call(ctx, request{op: "CreateParticipant", method: http.MethodPost,
		path: wire.PathCreateParticipant, in: req}, &out)
	if err != nil {
		return ChatDetails{}, err
	}
	d := ChatDetails{ContactID: in.ContactID, ParticipantID: out.ParticipantID}
	if out.ParticipantCredentials != nil {
		d.ParticipantToken = out.ParticipantCredentials.ParticipantToken
	}
	return d, nil
}

// ListInput says where the Amazon Connect Service is, for ListInstances and ListContactFlows.
type ListInput struct {
	// Endpoint, Region, Credentials and HTTPClient are as in StartChatInput.
	Endpoint    string
	Region      string
	Credentials Credentials
	HTTPClient  *http.Client
}

// ListInstances lists the Amazon Connect instances (ListInstances, GET /instance), following every page.
func ListInstances(ctx context.Context, in ListInput) ([]wire.InstanceSummary, error) {
	t := connectService(in).transport()
	var all []wire.InstanceSummary
	next := ""
	for range 1000 {
		q := url.Values{"maxResults": {"10"}}
		if next != "" {
			q.Set("nextToken", next)
		}
		var out wire.ListInstancesResponse
		if err := t.call(ctx, request{op: "ListInstances", method: http.MethodGet, path: wire.PathListInstances,
			query: q}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.InstanceSummaryList...)
		if out.NextToken == "" || out.NextToken == next {
			break
		}
		next = out.NextToken
	}
	return all, nil
}

// ListContactFlows lists an instance's contact flows of the given types (ListContactFlows,
// GET /contact-flows-summary/{InstanceId}), following every page. No types means every type.
func ListContactFlows(ctx context.Context, in ListInput, instanceID string, types ...string) ([]wire.ContactFlowSummary, error) {
	t := connectService(in).transport()
	var all []wire.ContactFlowSummary
	next := ""
	for range 1000 {
		q := url.Values{"maxResults": {strconv.Itoa(100)}}
		for _, ty := range types {
			q.Add("contactFlowTypes", ty)
		}
		if next != "" {
			q.Set("nextToken", next)
		}
		var out wire.ListContactFlowsResponse
		if err := t.call(ctx, request{op: "ListContactFlows", method: http.MethodGet,
			path: wire.PathListContactFlowsPrefix + url.PathEscape(instanceID), query: q}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.ContactFlowSummaryList...)
		if out.NextToken == "" || out.NextToken == next {
			break
		}
		next = out.NextToken
	}
	return all, nil
}

// FlowLog returns the flow log of a contact: every action its flows ran (parley's own operation,
// GET /parley/contact-flow-log/{InstanceId}/{ContactId}, signed like the Connect API).
func FlowLog(ctx context.Context, in ListInput, instanceID, contactID string) ([]wire.FlowLogRecord, error) {
	path := strings.NewReplacer("{InstanceId}", url.PathEscape(instanceID), "{ContactId}", url.PathEscape(contactID)).
		Replace(wire.PathFlowLog)
	var out wire.FlowLogResponse
	if err := connectService(in).transport().call(ctx, request{op: "DescribeContactFlowLog", method: http.MethodGet,
		path: path}, &out); err != nil {
		return nil, err
	}
	return out.Records, nil
}
