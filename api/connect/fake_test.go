package connect

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/sigv4"
	"github.com/parley-chat/parley/chat"
)

// fakeBackend stands in for *chat.Service. Each method calls its function field when set; otherwise the call
// is unexpected: it is reported as a test failure and answered with an error.
type fakeBackend struct {
	t  testing.TB
	mu sync.Mutex
	// calls records the method names called, in order.
	calls []string

	instance          func(idOrARN string) (*parley.Instance, error)
	listInstances     func() ([]*parley.Instance, error)
	listContactFlows  func(instanceID string, types []string) ([]*parley.ContactFlow, error)
	startChat         func(in chat.StartChatInput) (*chat.StartChatOutput, error)
	createParticipant func(in chat.CreateParticipantInput) (*chat.CreateParticipantOutput, error)
	stopContact       func(instanceID, contactID string) error
	describeContact   func(instanceID, contactID string) (*parley.Contact, error)
	contactAttributes func(instanceID, initialContactID string) (map[string]string, error)
	updateAttributes  func(instanceID, initialContactID string, attrs map[string]string) error
	roleConfig        func(instanceID, contactID string, settings []chat.TimerSetting) error
	transfer          func(in chat.TransferInput) (*parley.Contact, error)
}

var errUnexpected = errors.New("unexpected call to the chat service")

func (f *fakeBackend) record(name string, set bool) bool {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.mu.Unlock()
	if !set {
		f.t.Errorf("unexpected call to %s", name)
	}
	return set
}

// called returns the recorded calls.
func (f *fakeBackend) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeBackend) Instance(_ context.Context, idOrARN string) (*parley.Instance, error) {
	if !f.record("Instance", f.instance != nil) {
		return nil, errUnexpected
	}
	return f.instance(idOrARN)
}

func (f *fakeBackend) ListInstances(context.Context) ([]*parley.Instance, error) {
	if !f.record("ListInstances", f.listInstances != nil) {
		return nil, errUnexpected
	}
	return f.listInstances()
}

func (f *fakeBackend) ListContactFlows(_ context.Context, instanceID string, types []string) ([]*parley.ContactFlow, error) {
	if !f.record("ListContactFlows", f.listContactFlows != nil) {
		return nil, errUnexpected
	}
	return f.listContactFlows(instanceID, types)
}

func (f *fakeBackend) StartChat(_ context.Context, in chat.StartChatInput) (*chat.StartChatOutput, error) {
	if !f.record("StartChat", f.startChat != nil) {
		return nil, errUnexpected
	}
	return f.startChat(in)
}

// StartOutboundChat is not faked: StartOutboundChatContact is tested against the whole server (test/e2e).
func (f *fakeBackend) StartOutboundChat(context.Context, chat.OutboundChatInput) (*chat.StartChatOutput, error) {
	f.record("StartOutboundChat", false)
	return nil, errUnexpected
}

func (f *fakeBackend) CreateParticipant(_ context.Context, in chat.CreateParticipantInput) (*chat.CreateParticipantOutput, error) {
	if !f.record("CreateParticipant", f.createParticipant != nil) {
		return nil, errUnexpected
	}
	return f.createParticipant(in)
}

func (f *fakeBackend) StopContact(_ context.Context, instanceID, contactID string) error {
	if !f.record("StopContact", f.stopContact != nil) {
		return errUnexpected
	}
	return f.stopContact(instanceID, contactID)
}

func (f *fakeBackend) DescribeContact(_ context.Context, instanceID, contactID string) (*parley.Contact, error) {
	if !f.record("DescribeContact", f.describeContact != nil) {
		return nil, errUnexpected
	}
	return f.describeContact(instanceID, contactID)
}

func (f *fakeBackend) ContactAttributes(_ context.Context, instanceID, initialContactID string) (map[string]string, error) {
	if !f.record("ContactAttributes", f.contactAttributes != nil) {
		return nil, errUnexpected
	}
	return f.contactAttributes(instanceID, initialContactID)
}

func (f *fakeBackend) UpdateContactAttributes(_ context.Context, instanceID, initialContactID string, attrs map[string]string) error {
	if !f.record("UpdateContactAttributes", f.updateAttributes != nil) {
		return errUnexpected
	}
	return f.updateAttributes(instanceID, initialContactID, attrs)
}

func (f *fakeBackend) SearchContacts(context.Context, chat.SearchInput) (*chat.SearchOutput, error) {
	f.record("SearchContacts", false)
	return nil, errUnexpected
}

func (f *fakeBackend) AssociatePersistentChat(context.Context, string, string, chat.PersistentChat, string) (string, error) {
	f.record("AssociatePersistentChat", false)
	return "", errUnexpected
}

func (f *fakeBackend) UpdateRoutingData(context.Context, string, string, *int64, *time.Duration) error {
	f.record("UpdateRoutingData", false)
	return errUnexpected
}

func (f *fakeBackend) TransferContact(_ context.Context, in chat.TransferInput) (*parley.Contact, error) {
	if !f.record("TransferContact", f.transfer != nil) {
		return nil, errUnexpected
	}
	return f.transfer(in)
}

func (f *fakeBackend) UpdateParticipantRoleConfig(_ context.Context, instanceID, contactID string, settings []chat.TimerSetting) error {
	if !f.record("UpdateParticipantRoleConfig", f.roleConfig != nil) {
		return errUnexpected
	}
	return f.roleConfig(instanceID, contactID, settings)
}

// Test credentials of keyed verifiers.
const (
	testKeyID  = "AKIDCONNECTTEST"
	testSecret = "connect-test-secret"
	testRegion = "us-west-2"
)

func devVerifier(t testing.TB) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.New(sigv4.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func keyedVerifier(t testing.TB) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.New(sigv4.Config{Keys: map[string]string{testKeyID: testSecret}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newTestHandler returns the handler over f with a dev-mode verifier.
func newTestHandler(t testing.TB, f *fakeBackend) http.Handler {
	t.Helper()
	f.t = t
	return newHandler(f, nil, devVerifier(t), slog.New(slog.DiscardHandler))
}

var testInstance = &parley.Instance{
	ID:        "11111111-2222-3333-4444-555555555555",
	ARN:       "arn:aws:connect:us-west-2:123456789012:instance/11111111-2222-3333-4444-555555555555",
	Alias:     "parley-test",
	CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC),
}

func (f *fakeBackend) IntegrationChat(context.Context, string, chat.StartChatInput, bool) (*chat.StartChatOutput, bool, func(), error) {
	f.record("IntegrationChat", false)
	return nil, false, nil, errUnexpected
}

func (f *fakeBackend) IntegrationEventAs(context.Context, string, string, string, string, string) error {
	f.record("IntegrationEventAs", false)
	return errUnexpected
}
