package client

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/parley-chat/parley/wire"
)

// StreamingInput is the input of StartContactStreaming.
type StreamingInput struct {
	// Endpoint, Region, Credentials and HTTPClient are as in StartChatInput.
	Endpoint    string
	Region      string
	Credentials Credentials
	HTTPClient  *http.Client

	// InstanceID, ContactID (the chat's initial contact) and EndpointARN (an SNS topic ARN) are required.
	InstanceID  string
	ContactID   string
	EndpointARN string
	// ClientToken makes retries idempotent: the same token on the same contact returns the same stream.
	// Default: a random UUID, reused across the call's own retries.
	ClientToken string
}

// StartContactStreaming streams every item of a chat to an SNS topic (StartContactStreaming,
// POST /contact/start-streaming, signed with SigV4) and returns the StreamingId.
func StartContactStreaming(ctx context.Context, in StreamingInput) (string, error) {
	token := in.ClientToken
	if token == "" {
		token = newClientToken()
	}
	req := &wire.StartContactStreamingRequest{InstanceID: &in.InstanceID, ContactID: &in.ContactID, ClientToken: &token,
		ChatStreamingConfiguration: &wire.ChatStreamingConfiguration{StreamingEndpointArn: &in.EndpointARN}}
	svc := connectService{in.Endpoint, in.Region, in.Credentials, in.HTTPClient}
	var out wire.StartContactStreamingResponse
	if err := svc.transport().call(ctx, request{op: "StartContactStreaming", method: http.MethodPost,
		path: wire.PathStartContactStreaming, in: req}, &out); err != nil {
		return "", err
	}
	return out.StreamingID, nil
}

// Participant calls the Participant Service for participants it holds the tokens of, without a WebSocket: what
// a server-side integration whose items arrive by message streaming needs (a channel bridge). Its methods are
// safe for concurrent use. Transient failures are retried with the same ClientToken.
type Participant struct {
	// Endpoint is the base URL of the Participant Service, for example parley's http://127.0.0.1:8080.
	// Default https://participant.connect.{Region}.amazonaws.com.
	Endpoint string
	// Region is used for the default endpoint only. Default us-west-2.
	Region string
	// HTTPClient sends the requests. Default http.DefaultClient.
	HTTPClient *http.Client
}

func (p Participant) transport() *transport {
	ep := strings.TrimSuffix(p.Endpoint, "/")
	if ep == "" {
		region := p.Region
		if region == "" {
			region = defaultRegion
		}
		ep = "https://participant.connect." + region + ".amazonaws.com"
	}
	hc := p.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &transport{endpoint: ep, hc: hc, log: discard, retries: 2, backoff: 200 * time.Millisecond}
}

// Connection is a ConnectionToken and when it expires.
type Connection struct {
	Token  string
	Expiry time.Time
}

// Connect calls CreateParticipantConnection with a ParticipantToken for CONNECTION_CREDENTIALS and
// ConnectParticipant set: the participant counts as connected (for a streamed chat's customer, the contact
// flow starts), and the returned token authorizes SendMessage.
func (p Participant) Connect(ctx context.Context, participantToken string) (Connection, error) {
	t := true
	req := wire.CreateParticipantConnectionRequest{Type: []string{wire.ConnectionTypeCredentials}, ConnectParticipant: &t}
	var out wire.CreateParticipantConnectionResponse
	if err := p.transport().call(ctx, request{op: "CreateParticipantConnection", method: http.MethodPost,
		path: wire.PathCreateParticipantConnection, bearer: participantToken, in: req}, &out); err != nil {
		return Connection{}, err
	}
	if out.ConnectionCredentials == nil || out.ConnectionCredentials.ConnectionToken == "" {
		return Connection{}, &APIError{Operation: "CreateParticipantConnection", Code: codeUnknown,
			StatusCode: http.StatusOK, Message: "the answer has no ConnectionCredentials.ConnectionToken"}
	}
	exp, _ := wire.ParseTime(out.ConnectionCredentials.Expiry)
	return Connection{Token: out.ConnectionCredentials.ConnectionToken, Expiry: exp}, nil
}

// SendMessage sends a message with a ConnectionToken. clientToken makes it idempotent: the service stores
// one message for any number of calls with the same token (empty: a random one).
func (p Participant) SendMessage(ctx context.Context, connectionToken, contentType, content, clientToken string) (SendResult, error) {
	if clientToken == "" {
		clientToken = newClientToken()
	}
	var out wire.SendMessageResponse
	if err := p.transport().call(ctx, request{op: "SendMessage", method: http.MethodPost, path: wire.PathSendMessage,
		bearer: connectionToken, in: wire.SendMessageRequest{ContentType: &contentType, Content: &content,
			ClientToken: &clientToken}}, &out); err != nil {
		return SendResult{}, err
	}
	return SendResult{ID: out.ID, AbsoluteTime: out.AbsoluteTime}, nil
}

// AttachmentURL returns a pre-signed URL of an attachment of the chat (GetAttachment).
func (p Participant) AttachmentURL(ctx context.Context, connectionToken, attachmentID string) (string, error) {
	var out wire.GetAttachmentResponse
	if err := p.transport().call(ctx, request{op: "GetAttachment", method: http.MethodPost, path: wire.PathGetAttachment,
		bearer: connectionToken, in: wire.GetAttachmentRequest{AttachmentID: &attachmentID}}, &out); err != nil {
		return "", err
	}
	return out.URL, nil
}

// Disconnect leaves the chat (DisconnectParticipant).
func (p Participant) Disconnect(ctx context.Context, connectionToken string) error {
	ct := newClientToken()
	return p.transport().call(ctx, request{op: "DisconnectParticipant", method: http.MethodPost,
		path: wire.PathDisconnectParticipant, bearer: connectionToken,
		in: wire.DisconnectParticipantRequest{ClientToken: &ct}}, nil)
}
