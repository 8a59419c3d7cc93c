package channels

import (
	"context"
	"net/http"

	"github.com/parley-chat/parley/client"
)

// Backend is the Amazon Connect chat API as the bridge uses it: parley's own, or Amazon Connect's.
type Backend interface {
	// StartChat starts a chat as the customer (StartChatContact); clientToken makes it idempotent.
	StartChat(ctx context.Context, in ChatStart) (contactID, participantToken string, err error)
	// StartStreaming streams the chat's items to the bridge's topic (StartContactStreaming).
	StartStreaming(ctx context.Context, contactID, clientToken string) error
	// Connect marks the customer connected and returns a ConnectionToken (CreateParticipantConnection with
	// ConnectParticipant).
	Connect(ctx context.Context, participantToken string) (client.Connection, error)
	// SendMessage sends the customer's text/plain message; clientToken makes it idempotent.
	SendMessage(ctx context.Context, connectionToken, content, clientToken string) error
	// AttachmentURL returns a URL of an attachment of the chat (GetAttachment).
	AttachmentURL(ctx context.Context, connectionToken, attachmentID string) (string, error)
}

// ChatStart is what StartChat needs besides the instance and flow.
type ChatStart struct {
	DisplayName string
	Attributes  map[string]string
	ClientToken string
}

// API is the Backend of a Connect-compatible endpoint reached over HTTP through the public APIs only (package
// client): parley's own listener, another parley, or Amazon Connect itself.
type API struct {
	// ConnectEndpoint and ParticipantEndpoint are the base URLs of the Amazon Connect Service and the
	// Participant Service; for parley both are its URL. Empty means AWS's regional endpoints.
	ConnectEndpoint     string
	ParticipantEndpoint string
	// Region is the AWS region (signatures, default endpoints).
	Region string
	// Credentials sign the Connect Service calls (StartChatContact, StartContactStreaming); CredentialsFrom,
	// when set, is asked for them at every call instead (credentials that expire and are refreshed).
	Credentials     client.Credentials
	CredentialsFrom func(context.Context) (client.Credentials, error)
	// HTTPClient makes every call. Default http.DefaultClient.
	HTTPClient *http.Client
	// InstanceID and FlowID say where chats start; TopicARN is where their items are streamed.
	InstanceID, FlowID, TopicARN string
	// SupportedContentTypes are the content types the channels can show. Default text/plain and
	// text/markdown and interactive messages.
	SupportedContentTypes []string
}

func (a *API) credentials(ctx context.Context) (client.Credentials, error) {
	if a.CredentialsFrom != nil {
		return a.CredentialsFrom(ctx)
	}
	return a.Credentials, nil
}

func (a *API) participant() client.Participant {
	return client.Participant{Endpoint: a.ParticipantEndpoint, Region: a.Region, HTTPClient: a.HTTPClient}
}

// StartChat calls StartChatContact.
func (a *API) StartChat(ctx context.Context, in ChatStart) (string, string, error) {
	types := a.SupportedContentTypes
	if len(types) == 0 {
		types = []string{contentPlain, contentMarkdown, contentInteractive}
	}
	creds, err := a.credentials(ctx)
	if err != nil {
		return "", "", err
	}
	d, err := client.StartChat(ctx, client.StartChatInput{Endpoint: a.ConnectEndpoint, Region: a.Region,
		Credentials: creds, HTTPClient: a.HTTPClient, InstanceID: a.InstanceID, ContactFlowID: a.FlowID,
		DisplayName: in.DisplayName, Attributes: in.Attributes, ClientToken: in.ClientToken,
		SupportedMessagingContentTypes: types})
	return d.ContactID, d.ParticipantToken, err
}

// StartStreaming calls StartContactStreaming.
func (a *API) StartStreaming(ctx context.Context, contactID, clientToken string) error {
	creds, err := a.credentials(ctx)
	if err != nil {
		return err
	}
	_, err = client.StartContactStreaming(ctx, client.StreamingInput{Endpoint: a.ConnectEndpoint, Region: a.Region,
		Credentials: creds, HTTPClient: a.HTTPClient, InstanceID: a.InstanceID, ContactID: contactID,
		EndpointARN: a.TopicARN, ClientToken: clientToken})
	return err
}

// Connect calls CreateParticipantConnection with ConnectParticipant.
func (a *API) Connect(ctx context.Context, participantToken string) (client.Connection, error) {
	return a.participant().Connect(ctx, participantToken)
}

// SendMessage calls SendMessage.
func (a *API) SendMessage(ctx context.Context, connectionToken, content, clientToken string) error {
	_, err := a.participant().SendMessage(ctx, connectionToken, contentPlain, content, clientToken)
	return err
}

// AttachmentURL calls GetAttachment.
func (a *API) AttachmentURL(ctx context.Context, connectionToken, attachmentID string) (string, error) {
	return a.participant().AttachmentURL(ctx, connectionToken, attachmentID)
}
