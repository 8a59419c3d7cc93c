package chat

// Temporary stubs: the signatures are final, the bodies are being written.

import (
	"context"
	"errors"
	"log/slog"

	"github.com/parley-chat/parley"
)

var errTODO = errors.New("not implemented yet")

// New returns a service over store and bus.
func New(store parley.Store, bus parley.Bus, clock parley.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	return nil, errTODO
}

// Instance returns the instance with the given id or ARN; ENOTFOUND (resource INSTANCE) if none.
func (s *Service) Instance(ctx context.Context, idOrARN string) (*parley.Instance, error) {
	return nil, errTODO
}

// ListInstances returns every instance.
func (s *Service) ListInstances(ctx context.Context) ([]*parley.Instance, error) { return nil, errTODO }

// ListContactFlows returns the flows of an instance, only those of the given types when types is not empty.
func (s *Service) ListContactFlows(ctx context.Context, instanceID string, types []string) ([]*parley.ContactFlow, error) {
	return nil, errTODO
}

// StartChat is StartChatContact. Errors: ENOTFOUND for an unknown instance or flow, EINVALID for content that
// breaks the model's rules (the Field names the member), EREQUEST for PersistentChat.
func (s *Service) StartChat(ctx context.Context, in StartChatInput) (*StartChatOutput, error) {
	return nil, errTODO
}

// CreateParticipant adds a CUSTOM_BOT participant to an active chat. Errors: ENOTFOUND (instance, contact),
// EREQUEST (ended contact, unsupported role), EQUOTA (a bot is already on the contact).
func (s *Service) CreateParticipant(ctx context.Context, in CreateParticipantInput) (*CreateParticipantOutput, error) {
	return nil, errTODO
}

// StopContact ends a contact. Stopping an ended contact is not an error. Errors: ENOTFOUND.
func (s *Service) StopContact(ctx context.Context, instanceID, contactID string) error {
	return errTODO
}

// DescribeContact returns a contact of the instance. Errors: ENOTFOUND.
func (s *Service) DescribeContact(ctx context.Context, instanceID, contactID string) (*parley.Contact, error) {
	return nil, errTODO
}

// ContactAttributes returns the attributes of the contact with the given initial contact id. Errors: ENOTFOUND.
func (s *Service) ContactAttributes(ctx context.Context, instanceID, initialContactID string) (map[string]string, error) {
	return nil, errTODO
}

// UpdateContactAttributes merges attrs into the contact's attributes (an empty value keeps the key with an
// empty value, as Connect does). Errors: ENOTFOUND, EINVALID (attribute size limits).
func (s *Service) UpdateContactAttributes(ctx context.Context, instanceID, initialContactID string, attrs map[string]string) error {
	return errTODO
}
