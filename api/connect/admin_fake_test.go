package connect

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
)

// fakeAdmin stands in for *admin.Service. It records each call (method name and arguments after ctx) and answers
// with err when set, else with its canned objects.
type fakeAdmin struct {
	mu    sync.Mutex
	calls []call
	err   error

	queue    *parley.Queue
	profile  *parley.RoutingProfile
	pqueues  []admin.ProfileQueue
	user     *parley.User
	users    []*parley.User
	status   *parley.AgentStatus
	statuses []*parley.AgentStatus
	hours    *parley.HoursOfOperation
	qc       *parley.QuickConnect
	profiles []*parley.SecurityProfile
}

// call is one recorded call.
type call struct {
	name string
	args []any
}

func (f *fakeAdmin) rec(name string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{name, args})
	return f.err
}

// last returns the last call, or a zero call.
func (f *fakeAdmin) last() call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return call{}
	}
	return f.calls[len(f.calls)-1]
}

func orErr[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

func (f *fakeAdmin) CreateQueue(_ context.Context, instanceID string, in admin.QueueInput) (*parley.Queue, error) {
	return orErr(f.queue, f.rec("CreateQueue", instanceID, in))
}
func (f *fakeAdmin) Queue(_ context.Context, instanceID, queueID string) (*parley.Queue, error) {
	return orErr(f.queue, f.rec("Queue", instanceID, queueID))
}
func (f *fakeAdmin) ListQueues(_ context.Context, instanceID string) ([]*parley.Queue, error) {
	return orErr([]*parley.Queue{f.queue}, f.rec("ListQueues", instanceID))
}
func (f *fakeAdmin) UpdateQueueMaxContacts(_ context.Context, instanceID, queueID string, n int) error {
	return f.rec("UpdateQueueMaxContacts", instanceID, queueID, n)
}
func (f *fakeAdmin) UpdateQueueHoursOfOperation(_ context.Context, instanceID, queueID, hoursID string) error {
	return f.rec("UpdateQueueHoursOfOperation", instanceID, queueID, hoursID)
}
func (f *fakeAdmin) UpdateQueueStatus(_ context.Context, instanceID, queueID, status string) error {
	return f.rec("UpdateQueueStatus", instanceID, queueID, status)
}
func (f *fakeAdmin) CreateRoutingProfile(_ context.Context, instanceID string, in admin.RoutingProfileInput) (*parley.RoutingProfile, error) {
	return orErr(f.profile, f.rec("CreateRoutingProfile", instanceID, in))
}
func (f *fakeAdmin) RoutingProfile(_ context.Context, instanceID, id string) (*parley.RoutingProfile, error) {
	return orErr(f.profile, f.rec("RoutingProfile", instanceID, id))
}
func (f *fakeAdmin) ListRoutingProfiles(_ context.Context, instanceID string) ([]*parley.RoutingProfile, error) {
	return orErr([]*parley.RoutingProfile{f.profile}, f.rec("ListRoutingProfiles", instanceID))
}
func (f *fakeAdmin) RoutingProfileQueues(_ context.Context, instanceID, id string) ([]admin.ProfileQueue, error) {
	return orErr(f.pqueues, f.rec("RoutingProfileQueues", instanceID, id))
}
func (f *fakeAdmin) AssociateRoutingProfileQueues(_ context.Context, instanceID, id string, qs []parley.RoutingProfileQueue) error {
	return f.rec("AssociateRoutingProfileQueues", instanceID, id, qs)
}
func (f *fakeAdmin) UpdateRoutingProfileConcurrency(_ context.Context, instanceID, id string, chat int) error {
	return f.rec("UpdateRoutingProfileConcurrency", instanceID, id, chat)
}
func (f *fakeAdmin) CreateUser(_ context.Context, instanceID string, in admin.UserInput) (*parley.User, error) {
	return orErr(f.user, f.rec("CreateUser", instanceID, in))
}
func (f *fakeAdmin) User(_ context.Context, instanceID, userID string) (*parley.User, error) {
	return orErr(f.user, f.rec("User", instanceID, userID))
}
func (f *fakeAdmin) ListUsers(_ context.Context, instanceID string) ([]*parley.User, error) {
	return orErr(f.users, f.rec("ListUsers", instanceID))
}
func (f *fakeAdmin) UpdateUserRoutingProfile(_ context.Context, instanceID, userID, rp string) error {
	return f.rec("UpdateUserRoutingProfile", instanceID, userID, rp)
}
func (f *fakeAdmin) DeleteUser(_ context.Context, instanceID, userID string) error {
	return f.rec("DeleteUser", instanceID, userID)
}
func (f *fakeAdmin) PutUserStatus(_ context.Context, instanceID, userID, statusID string) error {
	return f.rec("PutUserStatus", instanceID, userID, statusID)
}
func (f *fakeAdmin) CreateAgentStatus(_ context.Context, instanceID string, in admin.AgentStatusInput) (*parley.AgentStatus, error) {
	return orErr(f.status, f.rec("CreateAgentStatus", instanceID, in))
}
func (f *fakeAdmin) ListAgentStatuses(_ context.Context, instanceID string, types []string) ([]*parley.AgentStatus, error) {
	return orErr(f.statuses, f.rec("ListAgentStatuses", instanceID, types))
}
func (f *fakeAdmin) CreateHoursOfOperation(_ context.Context, instanceID string, in admin.HoursInput) (*parley.HoursOfOperation, error) {
	return orErr(f.hours, f.rec("CreateHoursOfOperation", instanceID, in))
}
func (f *fakeAdmin) HoursOfOperation(_ context.Context, instanceID, id string) (*parley.HoursOfOperation, error) {
	return orErr(f.hours, f.rec("HoursOfOperation", instanceID, id))
}
func (f *fakeAdmin) ListHoursOfOperations(_ context.Context, instanceID string) ([]*parley.HoursOfOperation, error) {
	return orErr([]*parley.HoursOfOperation{f.hours}, f.rec("ListHoursOfOperations", instanceID))
}
func (f *fakeAdmin) CreateQuickConnect(_ context.Context, instanceID string, in admin.QuickConnectInput) (*parley.QuickConnect, error) {
	return orErr(f.qc, f.rec("CreateQuickConnect", instanceID, in))
}
func (f *fakeAdmin) QuickConnect(_ context.Context, instanceID, id string) (*parley.QuickConnect, error) {
	return orErr(f.qc, f.rec("QuickConnect", instanceID, id))
}
func (f *fakeAdmin) ListQuickConnects(_ context.Context, instanceID string, types []string) ([]*parley.QuickConnect, error) {
	return orErr([]*parley.QuickConnect{f.qc}, f.rec("ListQuickConnects", instanceID, types))
}
func (f *fakeAdmin) ListSecurityProfiles(_ context.Context, instanceID string) ([]*parley.SecurityProfile, error) {
	return orErr(f.profiles, f.rec("ListSecurityProfiles", instanceID))
}

var _ adminService = (*fakeAdmin)(nil)

// newAdminHandler returns the handler over a fake admin service (and a chat backend that expects no call), with
// a dev-mode verifier.
func newAdminHandler(t testing.TB, f *fakeAdmin) http.Handler {
	t.Helper()
	return newHandler(&fakeBackend{t: t}, f, devVerifier(t), slog.New(slog.DiscardHandler))
}

// newFakeAdmin returns a fake with a canned object of each kind.
func newFakeAdmin() *fakeAdmin {
	const inst = "arn:aws:connect:us-west-2:123456789012:instance/i-1"
	q := &parley.Queue{ID: "q-1", InstanceID: "i-1", ARN: inst + "/queue/q-1", Name: "Sales", Description: "d",
		HoursOfOperationID: "h-1", MaxContacts: 7, Status: "ENABLED"}
	return &fakeAdmin{
		queue: q,
		profile: &parley.RoutingProfile{ID: "rp-1", InstanceID: "i-1", ARN: inst + "/routing-profile/rp-1",
			Name: "Basic", Description: "basic", DefaultOutboundQueueID: "q-1", ChatConcurrency: 3,
			Queues: []parley.RoutingProfileQueue{{QueueID: "q-1", Channel: "CHAT", Priority: 1},
				{QueueID: "q-1", Channel: "TASK", Priority: 2, Delay: 5}}},
		pqueues: []admin.ProfileQueue{
			{RoutingProfileQueue: parley.RoutingProfileQueue{QueueID: "q-1", Channel: "CHAT", Priority: 1}, Queue: q},
			{RoutingProfileQueue: parley.RoutingProfileQueue{QueueID: "q-1", Channel: "TASK", Priority: 2, Delay: 5}, Queue: q},
		},
		user: &parley.User{ID: "u-1", InstanceID: "i-1", ARN: inst + "/agent/u-1", Username: "ada", FirstName: "Ada",
			RoutingProfileID: "rp-1", SecurityProfileIDs: []string{"sp-1"}, AutoAccept: true,
			AfterContactWorkTimeLimit: 30},
		users: []*parley.User{{ID: "u-1", ARN: "arn:u-1", Username: "a"}, {ID: "u-2", ARN: "arn:u-2", Username: "b"},
			{ID: "u-3", ARN: "arn:u-3", Username: "c"}},
		status: &parley.AgentStatus{ID: "st-1", ARN: inst + "/agent-state/st-1", Name: "Lunch", Type: "CUSTOM"},
		statuses: []*parley.AgentStatus{{ID: "st-0", ARN: "arn:st-0", Name: "Available", Type: "ROUTABLE"},
			{ID: "st-1", ARN: "arn:st-1", Name: "Lunch", Type: "CUSTOM"}},
		hours: &parley.HoursOfOperation{ID: "h-1", ARN: inst + "/operating-hours/h-1", Name: "Office",
			TimeZone: "Europe/Paris", Config: []parley.HoursConfig{{Day: "MONDAY", StartHours: 0, EndHours: 17, EndMinutes: 30}}},
		qc: &parley.QuickConnect{ID: "qc-1", ARN: inst + "/transfer-destination/qc-1", Name: "To sales", Type: "QUEUE",
			QueueID: "q-1", ContactFlowID: "f-1"},
		profiles: []*parley.SecurityProfile{{ID: "sp-1", ARN: "arn:sp-1", Name: "Admin"}},
	}
}
