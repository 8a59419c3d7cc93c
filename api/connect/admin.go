package connect

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"reflect"
	"slices"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/wire"
)

// adminService is the part of *admin.Service the handler uses; tests substitute a fake.
type adminService interface {
	CreateQueue(ctx context.Context, instanceID string, in admin.QueueInput) (*parley.Queue, error)
	Queue(ctx context.Context, instanceID, queueID string) (*parley.Queue, error)
	ListQueues(ctx context.Context, instanceID string) ([]*parley.Queue, error)
	UpdateQueueMaxContacts(ctx context.Context, instanceID, queueID string, maxContacts int) error
	UpdateQueueHoursOfOperation(ctx context.Context, instanceID, queueID, hoursID string) error
	UpdateQueueStatus(ctx context.Context, instanceID, queueID, status string) error

	CreateRoutingProfile(ctx context.Context, instanceID string, in admin.RoutingProfileInput) (*parley.RoutingProfile, error)
	RoutingProfile(ctx context.Context, instanceID, id string) (*parley.RoutingProfile, error)
	ListRoutingProfiles(ctx context.Context, instanceID string) ([]*parley.RoutingProfile, error)
	RoutingProfileQueues(ctx context.Context, instanceID, id string) ([]admin.ProfileQueue, error)
	AssociateRoutingProfileQueues(ctx context.Context, instanceID, id string, queues []parley.RoutingProfileQueue) error
	UpdateRoutingProfileConcurrency(ctx context.Context, instanceID, id string, chat int) error

	CreateUser(ctx context.Context, instanceID string, in admin.UserInput) (*parley.User, error)
	User(ctx context.Context, instanceID, userID string) (*parley.User, error)
	ListUsers(ctx context.Context, instanceID string) ([]*parley.User, error)
	UpdateUserRoutingProfile(ctx context.Context, instanceID, userID, routingProfileID string) error
	DeleteUser(ctx context.Context, instanceID, userID string) error
	PutUserStatus(ctx context.Context, instanceID, userID, statusID string) error

	CreateAgentStatus(ctx context.Context, instanceID string, in admin.AgentStatusInput) (*parley.AgentStatus, error)
	ListAgentStatuses(ctx context.Context, instanceID string, types []string) ([]*parley.AgentStatus, error)

	CreateHoursOfOperation(ctx context.Context, instanceID string, in admin.HoursInput) (*parley.HoursOfOperation, error)
	HoursOfOperation(ctx context.Context, instanceID, id string) (*parley.HoursOfOperation, error)
	ListHoursOfOperations(ctx context.Context, instanceID string) ([]*parley.HoursOfOperation, error)

	CreateQuickConnect(ctx context.Context, instanceID string, in admin.QuickConnectInput) (*parley.QuickConnect, error)
	QuickConnect(ctx context.Context, instanceID, id string) (*parley.QuickConnect, error)
	ListQuickConnects(ctx context.Context, instanceID string, types []string) ([]*parley.QuickConnect, error)

	ListSecurityProfiles(ctx context.Context, instanceID string) ([]*parley.SecurityProfile, error)
}

var _ adminService = (*admin.Service)(nil)

// Page sizes of the admin list operations (model: MaxResult1000, default 100; ListRoutingProfileQueues
// MaxResult100).
const (
	defaultAdminPage = 100
	maxAdminPage     = 1000
	maxProfileQueues = 100
)

// adminRoutes are the admin operations parley serves (aws-sdk-go-v2 service/connect v1.175.2 paths). The model
// parley generates from (the chat subset) does not describe them: their shapes (wire/connect_admin.go) and
// checks (admin_validate.go) are written by hand. Each is served by the generic handler (operation.go) with
// one of the calls below.
var adminRoutes = []route{
	operation(kindAdmin, "CreateQueue", http.MethodPut, wire.PathCreateQueue, create(createQueueInput, adminService.CreateQueue, createdQueue)),
	operation(kindAdmin, "DescribeQueue", http.MethodGet, wire.PathDescribeQueue, describe(adminService.Queue, describeQueue)),
	operation(kindAdmin, "ListQueues", http.MethodGet, wire.PathListQueues, list[wire.ListQueuesResponse](queueListing, listQueues, queueSummary)),
	operation(kindAdmin, "UpdateQueueMaxContacts", http.MethodPost, wire.PathUpdateQueueMaxContacts, (*handler).updateQueueMaxContacts),
	operation(kindAdmin, "UpdateQueueHoursOfOperation", http.MethodPost, wire.PathUpdateQueueHoursOfOperation,
		set("HoursOfOperationId", nil, func(b *wire.UpdateQueueHoursOfOperationRequest) *string { return b.HoursOfOperationID }, adminService.UpdateQueueHoursOfOperation)),
	operation(kindAdmin, "UpdateQueueStatus", http.MethodPost, wire.PathUpdateQueueStatus,
		set("Status", wire.QueueStatuses, func(b *wire.UpdateQueueStatusRequest) *string { return b.Status }, adminService.UpdateQueueStatus)),

	operation(kindAdmin, "CreateRoutingProfile", http.MethodPut, wire.PathCreateRoutingProfile, create(createRoutingProfileInput, adminService.CreateRoutingProfile, createdRoutingProfile)),
	operation(kindAdmin, "DescribeRoutingProfile", http.MethodGet, wire.PathDescribeRoutingProfile, describe(adminService.RoutingProfile, describeRoutingProfile)),
	operation(kindAdmin, "ListRoutingProfiles", http.MethodGet, wire.PathListRoutingProfiles, list[wire.ListRoutingProfilesResponse](listing{kind: "routing-profiles"}, instanceList(adminService.ListRoutingProfiles), profileSummary)),
	operation(kindAdmin, "AssociateRoutingProfileQueues", http.MethodPost, wire.PathAssociateRoutingProfileQueues, (*handler).associateRoutingProfileQueues),
	operation(kindAdmin, "ListRoutingProfileQueues", http.MethodGet, wire.PathListRoutingProfileQueues, list[wire.ListRoutingProfileQueuesResponse](listing{kind: "routing-profile-queues", max: maxProfileQueues}, routingProfileQueues, profileQueueSummary)),
	operation(kindAdmin, "UpdateRoutingProfileConcurrency", http.MethodPost, wire.PathUpdateRoutingProfileConcurrency, (*handler).updateRoutingProfileConcurrency),

	operation(kindAdmin, "CreateUser", http.MethodPut, wire.PathCreateUser, create(createUserInput, adminService.CreateUser, createdUser)),
	operation(kindAdmin, "DescribeUser", http.MethodGet, wire.PathDescribeUser, describe(adminService.User, describeUser)),
	operation(kindAdmin, "ListUsers", http.MethodGet, wire.PathListUsers, list[wire.ListUsersResponse](listing{kind: "users"}, instanceList(adminService.ListUsers), userSummary)),
	operation(kindAdmin, "UpdateUserRoutingProfile", http.MethodPost, wire.PathUpdateUserRoutingProfile,
		set("RoutingProfileId", nil, func(b *wire.UpdateUserRoutingProfileRequest) *string { return b.RoutingProfileID }, adminService.UpdateUserRoutingProfile)),
	operation(kindAdmin, "DeleteUser", http.MethodDelete, wire.PathDeleteUser, (*handler).deleteUser),
	operation(kindAdmin, "PutUserStatus", http.MethodPut, wire.PathPutUserStatus,
		set("AgentStatusId", nil, func(b *wire.PutUserStatusRequest) *string { return b.AgentStatusID }, adminService.PutUserStatus)),

	operation(kindAdmin, "CreateAgentStatus", http.MethodPut, wire.PathCreateAgentStatus, create(createAgentStatusInput, adminService.CreateAgentStatus, createdAgentStatus)),
	operation(kindAdmin, "ListAgentStatuses", http.MethodGet, wire.PathListAgentStatuses, list[wire.ListAgentStatusesResponse](agentStatusListing, filteredList(adminService.ListAgentStatuses), agentStatusSummary)),

	operation(kindAdmin, "CreateHoursOfOperation", http.MethodPut, wire.PathCreateHoursOfOperation, create(createHoursInput, adminService.CreateHoursOfOperation, createdHours)),
	operation(kindAdmin, "DescribeHoursOfOperation", http.MethodGet, wire.PathDescribeHoursOfOperation, describe(adminService.HoursOfOperation, describeHoursOfOperation)),
	operation(kindAdmin, "ListHoursOfOperations", http.MethodGet, wire.PathListHoursOfOperations, list[wire.ListHoursOfOperationsResponse](listing{kind: "hours"}, instanceList(adminService.ListHoursOfOperations), hoursSummary)),

	operation(kindAdmin, "CreateQuickConnect", http.MethodPut, wire.PathCreateQuickConnect, create(createQuickConnectInput, adminService.CreateQuickConnect, createdQuickConnect)),
	operation(kindAdmin, "DescribeQuickConnect", http.MethodGet, wire.PathDescribeQuickConnect, describe(adminService.QuickConnect, describeQuickConnect)),
	operation(kindAdmin, "ListQuickConnects", http.MethodGet, wire.PathListQuickConnects, list[wire.ListQuickConnectsResponse](quickConnectListing, filteredList(adminService.ListQuickConnects), quickConnectSummary)),

	operation(kindAdmin, "ListSecurityProfiles", http.MethodGet, wire.PathListSecurityProfiles, list[wire.ListSecurityProfilesResponse](listing{kind: "security-profiles"}, instanceList(adminService.ListSecurityProfiles), securityProfileSummary)),
}

// The type filters of the list operations (query member, name in messages, most values, enum).
var (
	queueListing        = listing{kind: "queues", filter: &typeFilter{"queueTypes", "QueueTypes", 2, wire.QueueTypes}}
	agentStatusListing  = listing{kind: "agent-statuses", filter: &typeFilter{"AgentStatusTypes", "AgentStatusTypes", 3, wire.AgentStatusTypes}}
	quickConnectListing = listing{kind: "quick-connects", filter: &typeFilter{"QuickConnectTypes", "QuickConnectTypes", 4, wire.QuickConnectTypes}}
)

// failAdmin writes an error of an admin operation.
func (h *handler) failAdmin(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.ConnectAdmin, err)
}

// The calls the admin operations share.

// create is the call of a Create operation: check and convert the body (check), create the resource (do),
// answer what out says of it.
func create[B, In, R, Out any](check func(*B) (In, error), do func(adminService, context.Context, string, In) (R, error),
	out func(R) *Out) func(*handler, context.Context, *request[B]) (*Out, error) {
	return func(h *handler, ctx context.Context, in *request[B]) (*Out, error) {
		x, err := check(&in.Body)
		if err != nil {
			return nil, err
		}
		r, err := do(h.adm, ctx, in.InstanceID, x)
		if err != nil {
			return nil, err
		}
		return out(r), nil
	}
}

// describe is the call of a Describe operation: get the resource the path names, answer what out says of it.
func describe[R, Out any](get func(adminService, context.Context, string, string) (R, error),
	out func(R) *Out) func(*handler, context.Context, *request[none]) (*Out, error) {
	return func(h *handler, ctx context.Context, in *request[none]) (*Out, error) {
		r, err := get(h.adm, ctx, in.InstanceID, in.ID)
		if err != nil {
			return nil, err
		}
		return out(r), nil
	}
}

// set is the call of an operation that sets one member of the resource the path names: the body's member
// (field; one of enum, when given) is required.
func set[B any](field string, enum []string, member func(*B) *string,
	do func(adminService, context.Context, string, string, string) error) func(*handler, context.Context, *request[B]) (*none, error) {
	return func(h *handler, ctx context.Context, in *request[B]) (*none, error) {
		v := member(&in.Body)
		var c httpapi.Check
		if enum != nil {
			c.Enum(field, v, true, enum...)
		} else {
			c.String(field, v, true, 0, 0)
		}
		if err := c.Err(); err != nil {
			return nil, err
		}
		return nil, do(h.adm, ctx, in.InstanceID, in.ID, *v)
	}
}

// listing is what a list operation's call needs: the kind of its page tokens, its page sizes (zero: the admin
// defaults) and the type filter of its query string, if it has one.
type listing struct {
	kind     string
	def, max int
	filter   *typeFilter
}

// typeFilter is a list operation's filter by type: its query member, its name in messages, how many values it
// may have and the enum's values.
type typeFilter struct {
	query, field string
	max          int
	values       []string
}

// list is the call of a list operation: check the type filter and the page, fetch every item, answer an Out
// holding the page of items (converted by item) and the token of the next page.
func list[Out, T, Item any](l listing, fetch func(h *handler, ctx context.Context, in *request[none], types []string) ([]T, error),
	item func(T) Item) func(*handler, context.Context, *request[none]) (*Out, error) {
	l.def, l.max = cmp.Or(l.def, defaultAdminPage), cmp.Or(l.max, maxAdminPage)
	setPage := pageSetter[Out, Item]()
	return func(h *handler, ctx context.Context, in *request[none]) (*Out, error) {
		var c httpapi.Check
		var types []string
		if f := l.filter; f != nil {
			types = in.Query[f.query]
			checkTypes(&c, f.field, types, f.max, f.values)
		}
		q := checkPage(&c, in.MaxResults, in.NextToken, l.kind, l.def, l.max)
		if err := c.Err(); err != nil {
			return nil, err
		}
		all, err := fetch(h, ctx, in, types)
		if err != nil {
			return nil, err
		}
		page, next := paginate(all, q, l.kind)
		items := make([]Item, 0, len(page))
		for _, t := range page {
			items = append(items, item(t))
		}
		out := new(Out)
		setPage(out, items, next)
		return out, nil
	}
}

// pageSetter returns the function that puts a page and the next page's token into a list operation's response.
// Every list response of the Connect model holds its page first and NextToken second, which it checks here,
// when the route is built (the list responses are written by hand; a mistake fails every test).
func pageSetter[Out, Item any]() func(out *Out, page []Item, next string) {
	t := reflect.TypeFor[Out]()
	if t.Kind() != reflect.Struct || t.NumField() < 2 || t.Field(0).Type != reflect.TypeFor[[]Item]() ||
		t.Field(1).Name != "NextToken" || t.Field(1).Type.Kind() != reflect.String {
		panic("connect: " + t.String() + " is not {[]" + reflect.TypeFor[Item]().String() + "; NextToken string}")
	}
	return func(out *Out, page []Item, next string) {
		v := reflect.ValueOf(out).Elem()
		v.Field(0).Set(reflect.ValueOf(page))
		v.Field(1).SetString(next)
	}
}

// instanceList adapts an admin service list method to list's fetch.
func instanceList[T any](f func(adminService, context.Context, string) ([]T, error)) func(*handler, context.Context, *request[none], []string) ([]T, error) {
	return func(h *handler, ctx context.Context, in *request[none], _ []string) ([]T, error) {
		return f(h.adm, ctx, in.InstanceID)
	}
}

// filteredList adapts an admin service list method that filters by type to list's fetch.
func filteredList[T any](f func(adminService, context.Context, string, []string) ([]T, error)) func(*handler, context.Context, *request[none], []string) ([]T, error) {
	return func(h *handler, ctx context.Context, in *request[none], types []string) ([]T, error) {
		return f(h.adm, ctx, in.InstanceID, types)
	}
}

// Queues.

func createdQueue(q *parley.Queue) *wire.CreateQueueResponse {
	return &wire.CreateQueueResponse{QueueArn: q.ARN, QueueID: q.ID}
}

func describeQueue(q *parley.Queue) *wire.DescribeQueueResponse {
	out := &wire.Queue{Name: q.Name, QueueArn: q.ARN, QueueID: q.ID, Description: q.Description,
		HoursOfOperationID: q.HoursOfOperationID, Status: q.Status}
	if q.MaxContacts > 0 {
		out.MaxContacts = &q.MaxContacts
	}
	return &wire.DescribeQueueResponse{Queue: out}
}

// listQueues lists the queues of the instance that the types filter keeps: parley's queues are all STANDARD;
// agent queues do not exist.
func listQueues(h *handler, ctx context.Context, in *request[none], types []string) ([]*parley.Queue, error) {
	if len(types) > 0 && !slices.Contains(types, "STANDARD") {
		return nil, nil
	}
	return h.adm.ListQueues(ctx, in.InstanceID)
}

func queueSummary(q *parley.Queue) wire.QueueSummary {
	return wire.QueueSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QueueType: "STANDARD"}
}

func (h *handler) updateQueueMaxContacts(ctx context.Context, in *request[wire.UpdateQueueMaxContactsRequest]) (*none, error) {
	var c httpapi.Check
	c.Int("MaxContacts", in.Body.MaxContacts, false, 0, math.MaxInt32)
	if err := c.Err(); err != nil {
		return nil, err
	}
	maxContacts := 0 // absent: no limit
	if in.Body.MaxContacts != nil {
		maxContacts = *in.Body.MaxContacts
	}
	return nil, h.adm.UpdateQueueMaxContacts(ctx, in.InstanceID, in.ID, maxContacts)
}

// Routing profiles.

func describeRoutingProfile(p *parley.RoutingProfile) *wire.DescribeRoutingProfileResponse {
	out := &wire.RoutingProfile{InstanceID: p.InstanceID, Name: p.Name, RoutingProfileArn: p.ARN, RoutingProfileID: p.ID,
		Description: p.Description, DefaultOutboundQueueID: p.DefaultOutboundQueueID,
		MediaConcurrencies: []wire.MediaConcurrency{}, AssociatedQueueIDs: []string{}}
	if p.ChatConcurrency > 0 {
		ch, n := string(parley.ChannelChat), p.ChatConcurrency
		out.MediaConcurrencies = append(out.MediaConcurrencies, wire.MediaConcurrency{Channel: &ch, Concurrency: &n})
	}
	for _, q := range p.Queues {
		if !slices.Contains(out.AssociatedQueueIDs, q.QueueID) {
			out.AssociatedQueueIDs = append(out.AssociatedQueueIDs, q.QueueID)
		}
	}
	out.NumberOfAssociatedQueues = int64(len(out.AssociatedQueueIDs))
	return &wire.DescribeRoutingProfileResponse{RoutingProfile: out}
}

func createdRoutingProfile(p *parley.RoutingProfile) *wire.CreateRoutingProfileResponse {
	return &wire.CreateRoutingProfileResponse{RoutingProfileArn: p.ARN, RoutingProfileID: p.ID}
}

func profileSummary(p *parley.RoutingProfile) wire.Summary {
	return wire.Summary{ID: p.ID, Arn: p.ARN, Name: p.Name}
}

func (h *handler) associateRoutingProfileQueues(ctx context.Context, in *request[wire.AssociateRoutingProfileQueuesRequest]) (*none, error) {
	var c httpapi.Check
	queues := queueConfigs(&c, "QueueConfigs", in.Body.QueueConfigs)
	manualQueueConfigs(&c, in.Body.ManualAssignmentQueueConfigs)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, h.adm.AssociateRoutingProfileQueues(ctx, in.InstanceID, in.ID, queues)
}

func routingProfileQueues(h *handler, ctx context.Context, in *request[none], _ []string) ([]admin.ProfileQueue, error) {
	return h.adm.RoutingProfileQueues(ctx, in.InstanceID, in.ID)
}

func profileQueueSummary(pq admin.ProfileQueue) wire.RoutingProfileQueueConfigSummary {
	return wire.RoutingProfileQueueConfigSummary{QueueID: pq.Queue.ID, QueueArn: pq.Queue.ARN, QueueName: pq.Queue.Name,
		Priority: pq.Priority, Delay: pq.Delay, Channel: string(pq.Channel)}
}

func (h *handler) updateRoutingProfileConcurrency(ctx context.Context, in *request[wire.UpdateRoutingProfileConcurrencyRequest]) (*none, error) {
	var c httpapi.Check
	c.Required("MediaConcurrencies", in.Body.MediaConcurrencies != nil)
	chat := mediaConcurrencies(&c, in.Body.MediaConcurrencies)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if chat < 0 {
		// Only other channels: nothing parley keeps changes, but the profile must exist.
		_, err := h.adm.RoutingProfile(ctx, in.InstanceID, in.ID)
		return nil, err
	}
	return nil, h.adm.UpdateRoutingProfileConcurrency(ctx, in.InstanceID, in.ID, chat)
}

// Users.

func describeUser(u *parley.User) *wire.DescribeUserResponse {
	soft, chat := "SOFT_PHONE", string(parley.ChannelChat)
	autoAccept, acw := u.AutoAccept, u.AfterContactWorkTimeLimit
	return &wire.DescribeUserResponse{User: &wire.User{ID: u.ID, Arn: u.ARN, Username: u.Username,
		IdentityInfo: &wire.UserIdentityInfo{FirstName: nonEmpty(u.FirstName), LastName: nonEmpty(u.LastName),
			Email: nonEmpty(u.Email)},
		PhoneConfig:        &wire.UserPhoneConfig{PhoneType: &soft, AutoAccept: &autoAccept, AfterContactWorkTimeLimit: &acw},
		SecurityProfileIDs: u.SecurityProfileIDs, RoutingProfileID: u.RoutingProfileID,
		AutoAcceptConfigs: []wire.AutoAcceptConfig{{Channel: &chat, AutoAccept: &autoAccept}},
		AfterContactWorkConfigs: []wire.AfterContactWorkConfigPerChannel{{Channel: &chat,
			AfterContactWorkConfig: &wire.AfterContactWorkConfig{AfterContactWorkTimeLimit: &acw}}},
		LastModifiedTime: wire.Epoch(u.UpdatedAt)}}
}

func (h *handler) deleteUser(ctx context.Context, in *request[none]) (*none, error) {
	return nil, h.adm.DeleteUser(ctx, in.InstanceID, in.ID)
}

func createdUser(u *parley.User) *wire.CreateUserResponse {
	return &wire.CreateUserResponse{UserID: u.ID, UserArn: u.ARN}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func userSummary(u *parley.User) wire.UserSummary {
	return wire.UserSummary{ID: u.ID, Arn: u.ARN, Username: u.Username, LastModifiedTime: wire.Epoch(u.UpdatedAt)}
}

// Agent statuses.

func createdAgentStatus(st *parley.AgentStatus) *wire.CreateAgentStatusResponse {
	return &wire.CreateAgentStatusResponse{AgentStatusARN: st.ARN, AgentStatusID: st.ID}
}

func agentStatusSummary(st *parley.AgentStatus) wire.AgentStatusSummary {
	return wire.AgentStatusSummary{ID: st.ID, Arn: st.ARN, Name: st.Name, Type: st.Type}
}

// Hours of operation.

func describeHoursOfOperation(ho *parley.HoursOfOperation) *wire.DescribeHoursOfOperationResponse {
	out := &wire.HoursOfOperation{HoursOfOperationID: ho.ID, HoursOfOperationArn: ho.ARN, Name: ho.Name,
		Description: ho.Description, TimeZone: ho.TimeZone, Config: make([]wire.HoursOfOperationConfig, 0, len(ho.Config))}
	for _, c := range ho.Config {
		out.Config = append(out.Config, wire.HoursOfOperationConfig{Day: &c.Day,
			StartTime: &wire.HoursOfOperationTimeSlice{Hours: &c.StartHours, Minutes: &c.StartMinutes},
			EndTime:   &wire.HoursOfOperationTimeSlice{Hours: &c.EndHours, Minutes: &c.EndMinutes}})
	}
	return &wire.DescribeHoursOfOperationResponse{HoursOfOperation: out}
}

func hoursSummary(ho *parley.HoursOfOperation) wire.Summary {
	return wire.Summary{ID: ho.ID, Arn: ho.ARN, Name: ho.Name}
}

func createdHours(ho *parley.HoursOfOperation) *wire.CreateHoursOfOperationResponse {
	return &wire.CreateHoursOfOperationResponse{HoursOfOperationID: ho.ID, HoursOfOperationArn: ho.ARN}
}

// Security profiles.

func securityProfileSummary(p *parley.SecurityProfile) wire.Summary {
	return wire.Summary{ID: p.ID, Arn: p.ARN, Name: p.Name}
}

// Quick connects.

func quickConnectConfig(q *parley.QuickConnect) *wire.QuickConnectConfig {
	typ := q.Type
	c := &wire.QuickConnectConfig{QuickConnectType: &typ}
	flow := nonEmpty(q.ContactFlowID)
	switch q.Type {
	case admin.QuickConnectUser:
		c.UserConfig = &wire.UserQuickConnectConfig{UserID: &q.UserID, ContactFlowID: flow}
	case admin.QuickConnectQueue:
		c.QueueConfig = &wire.QueueQuickConnectConfig{QueueID: &q.QueueID, ContactFlowID: flow}
	case admin.QuickConnectPhone:
		c.PhoneConfig = &wire.PhoneQuickConnectConfig{PhoneNumber: &q.PhoneNumber}
	case admin.QuickConnectFlow:
		c.FlowConfig = &wire.FlowQuickConnectConfig{ContactFlowID: flow}
	}
	return c
}

func describeQuickConnect(q *parley.QuickConnect) *wire.DescribeQuickConnectResponse {
	return &wire.DescribeQuickConnectResponse{QuickConnect: &wire.QuickConnect{QuickConnectARN: q.ARN,
		QuickConnectID: q.ID, Name: q.Name, Description: q.Description, QuickConnectConfig: quickConnectConfig(q)}}
}

func createdQuickConnect(q *parley.QuickConnect) *wire.CreateQuickConnectResponse {
	return &wire.CreateQuickConnectResponse{QuickConnectARN: q.ARN, QuickConnectID: q.ID}
}

func quickConnectSummary(q *parley.QuickConnect) wire.QuickConnectSummary {
	return wire.QuickConnectSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QuickConnectType: q.Type}
}
