package connect

import (
	"cmp"
	"context"
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

// Page size of the admin list operations when the request gives no MaxResults (the model gives the maximum:
// MaxResult1000, and MaxResult100 for ListRoutingProfileQueues).
const defaultAdminPage = 100

// adminRoutes are the admin operations parley serves. Their shapes (wire/connect_admin_gen.go) and checks
// (validate_admin_gen.go, with admin_validate.go) are generated from botocore's Connect model. Each is served
// by the generic handler (operation.go) with one of the calls below.
var adminRoutes = []route{
	operation(kindAdmin, "CreateQueue", http.MethodPut, wire.PathCreateQueue, create(createQueueInput, adminService.CreateQueue, createdQueue)),
	operation(kindAdmin, "DescribeQueue", http.MethodGet, wire.PathDescribeQueue, describe[wire.DescribeQueueRequest](adminService.Queue, describeQueue)),
	operation(kindAdmin, "ListQueues", http.MethodGet, wire.PathListQueues, list[wire.ListQueuesResponse](listing{kind: "queues"}, listQueues, queueSummary)),
	operation(kindAdmin, "UpdateQueueMaxContacts", http.MethodPost, wire.PathUpdateQueueMaxContacts, (*handler).updateQueueMaxContacts),
	operation(kindAdmin, "UpdateQueueHoursOfOperation", http.MethodPost, wire.PathUpdateQueueHoursOfOperation,
		set(func(b *wire.UpdateQueueHoursOfOperationRequest) *string { return b.HoursOfOperationID }, adminService.UpdateQueueHoursOfOperation)),
	operation(kindAdmin, "UpdateQueueStatus", http.MethodPost, wire.PathUpdateQueueStatus,
		set(func(b *wire.UpdateQueueStatusRequest) *string { return b.Status }, adminService.UpdateQueueStatus)),

	operation(kindAdmin, "CreateRoutingProfile", http.MethodPut, wire.PathCreateRoutingProfile, create(createRoutingProfileInput, adminService.CreateRoutingProfile, createdRoutingProfile)),
	operation(kindAdmin, "DescribeRoutingProfile", http.MethodGet, wire.PathDescribeRoutingProfile, describe[wire.DescribeRoutingProfileRequest](adminService.RoutingProfile, describeRoutingProfile)),
	operation(kindAdmin, "ListRoutingProfiles", http.MethodGet, wire.PathListRoutingProfiles, list[wire.ListRoutingProfilesResponse](listing{kind: "routing-profiles"}, instanceList[wire.ListRoutingProfilesRequest](adminService.ListRoutingProfiles), profileSummary)),
	operation(kindAdmin, "AssociateRoutingProfileQueues", http.MethodPost, wire.PathAssociateRoutingProfileQueues, (*handler).associateRoutingProfileQueues),
	operation(kindAdmin, "ListRoutingProfileQueues", http.MethodGet, wire.PathListRoutingProfileQueues, list[wire.ListRoutingProfileQueuesResponse](listing{kind: "routing-profile-queues"}, routingProfileQueues, profileQueueSummary)),
	operation(kindAdmin, "UpdateRoutingProfileConcurrency", http.MethodPost, wire.PathUpdateRoutingProfileConcurrency, (*handler).updateRoutingProfileConcurrency),

	operation(kindAdmin, "CreateUser", http.MethodPut, wire.PathCreateUser, create(createUserInput, adminService.CreateUser, createdUser)),
	operation(kindAdmin, "DescribeUser", http.MethodGet, wire.PathDescribeUser, describe[wire.DescribeUserRequest](adminService.User, describeUser)),
	operation(kindAdmin, "ListUsers", http.MethodGet, wire.PathListUsers, list[wire.ListUsersResponse](listing{kind: "users"}, instanceList[wire.ListUsersRequest](adminService.ListUsers), userSummary)),
	operation(kindAdmin, "UpdateUserRoutingProfile", http.MethodPost, wire.PathUpdateUserRoutingProfile,
		set(func(b *wire.UpdateUserRoutingProfileRequest) *string { return b.RoutingProfileID }, adminService.UpdateUserRoutingProfile)),
	operation(kindAdmin, "DeleteUser", http.MethodDelete, wire.PathDeleteUser, (*handler).deleteUser),
	operation(kindAdmin, "PutUserStatus", http.MethodPut, wire.PathPutUserStatus,
		set(func(b *wire.PutUserStatusRequest) *string { return b.AgentStatusID }, adminService.PutUserStatus)),

	operation(kindAdmin, "CreateAgentStatus", http.MethodPut, wire.PathCreateAgentStatus, create(createAgentStatusInput, adminService.CreateAgentStatus, createdAgentStatus)),
	operation(kindAdmin, "ListAgentStatuses", http.MethodGet, wire.PathListAgentStatuses, list[wire.ListAgentStatusResponse](listing{kind: "agent-statuses"}, listAgentStatuses, agentStatusSummary)),

	operation(kindAdmin, "CreateHoursOfOperation", http.MethodPut, wire.PathCreateHoursOfOperation, create(createHoursInput, adminService.CreateHoursOfOperation, createdHours)),
	operation(kindAdmin, "DescribeHoursOfOperation", http.MethodGet, wire.PathDescribeHoursOfOperation, describe[wire.DescribeHoursOfOperationRequest](adminService.HoursOfOperation, describeHoursOfOperation)),
	operation(kindAdmin, "ListHoursOfOperations", http.MethodGet, wire.PathListHoursOfOperations, list[wire.ListHoursOfOperationsResponse](listing{kind: "hours"}, instanceList[wire.ListHoursOfOperationsRequest](adminService.ListHoursOfOperations), hoursSummary)),

	operation(kindAdmin, "CreateQuickConnect", http.MethodPut, wire.PathCreateQuickConnect, create(createQuickConnectInput, adminService.CreateQuickConnect, createdQuickConnect)),
	operation(kindAdmin, "DescribeQuickConnect", http.MethodGet, wire.PathDescribeQuickConnect, describe[wire.DescribeQuickConnectRequest](adminService.QuickConnect, describeQuickConnect)),
	operation(kindAdmin, "ListQuickConnects", http.MethodGet, wire.PathListQuickConnects, list[wire.ListQuickConnectsResponse](listing{kind: "quick-connects"}, listQuickConnects, quickConnectSummary)),

	operation(kindAdmin, "ListSecurityProfiles", http.MethodGet, wire.PathListSecurityProfiles, list[wire.ListSecurityProfilesResponse](listing{kind: "security-profiles"}, instanceList[wire.ListSecurityProfilesRequest](adminService.ListSecurityProfiles), securityProfileSummary)),
}

// failAdmin writes an error of an admin operation.
func (h *handler) failAdmin(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.ConnectAdmin, err)
}

// The calls the admin operations share. They read the instance and the resource an operation names from its
// input's path labels: the instance first, then, for some, the resource (QueueId, UserId, ...).

// resource returns the instance and the resource (or "") that in's path labels name.
func resource(in any) (instanceID, id string) {
	labels := pathLabels(in)
	if len(labels) > 1 {
		id = *labels[1]
	}
	return *labels[0], id
}

// create is the call of a Create operation: convert the checked input (convert may still refuse it), create the
// resource (do), answer what out says of it.
func create[In, X, R, Out any](convert func(*In) (X, error), do func(adminService, context.Context, string, X) (R, error),
	out func(R) *Out) func(*handler, context.Context, *In) (*Out, error) {
	return func(h *handler, ctx context.Context, in *In) (*Out, error) {
		x, err := convert(in)
		if err != nil {
			return nil, err
		}
		instanceID, _ := resource(in)
		r, err := do(h.adm, ctx, instanceID, x)
		if err != nil {
			return nil, err
		}
		return out(r), nil
	}
}

// describe is the call of a Describe operation: get the resource the path names, answer what out says of it.
func describe[In, R, Out any](get func(adminService, context.Context, string, string) (R, error),
	out func(R) *Out) func(*handler, context.Context, *In) (*Out, error) {
	return func(h *handler, ctx context.Context, in *In) (*Out, error) {
		instanceID, id := resource(in)
		r, err := get(h.adm, ctx, instanceID, id)
		if err != nil {
			return nil, err
		}
		return out(r), nil
	}
}

// set is the call of an operation that sets one member (a required one, checked) of the resource the path names.
func set[In any](member func(*In) *string,
	do func(adminService, context.Context, string, string, string) error) func(*handler, context.Context, *In) (*none, error) {
	return func(h *handler, ctx context.Context, in *In) (*none, error) {
		instanceID, id := resource(in)
		return nil, do(h.adm, ctx, instanceID, id, *member(in))
	}
}

// listing is what a list operation's call needs: the kind of its page tokens and its page size when the
// request gives none (zero: the admin default).
type listing struct {
	kind string
	def  int
}

// list is the call of a list operation: read the page the input asks for, fetch every item, answer an Out
// holding the page of items (converted by item) and the token of the next page.
func list[Out, In, T, Item any](l listing, fetch func(h *handler, ctx context.Context, in *In) ([]T, error),
	item func(T) Item) func(*handler, context.Context, *In) (*Out, error) {
	l.def = cmp.Or(l.def, defaultAdminPage)
	pageOf, setPage := pageGetter[In](), pageSetter[Out, Item]()
	return func(h *handler, ctx context.Context, in *In) (*Out, error) {
		maxResults, nextToken := pageOf(in)
		q, err := page(maxResults, nextToken, l.kind, l.def)
		if err != nil {
			return nil, err
		}
		all, err := fetch(h, ctx, in)
		if err != nil {
			return nil, err
		}
		pg, next := paginate(all, q, l.kind)
		items := make([]Item, 0, len(pg))
		for _, t := range pg {
			items = append(items, item(t))
		}
		out := new(Out)
		setPage(out, items, next)
		return out, nil
	}
}

// pageGetter returns the function that reads a list operation's MaxResults and NextToken from its input. The
// input is a generated shape; the fields are found when the route is built, and a missing one fails then.
func pageGetter[In any]() func(in *In) (maxResults *int, nextToken *string) {
	t := reflect.TypeFor[In]()
	mr, ok1 := t.FieldByName("MaxResults")
	nt, ok2 := t.FieldByName("NextToken")
	if !ok1 || !ok2 || mr.Type != reflect.TypeFor[*int]() || nt.Type != reflect.TypeFor[*string]() {
		panic("connect: " + t.String() + " has no MaxResults *int and NextToken *string")
	}
	return func(in *In) (*int, *string) {
		v := reflect.ValueOf(in).Elem()
		return v.FieldByIndex(mr.Index).Interface().(*int), v.FieldByIndex(nt.Index).Interface().(*string)
	}
}

// pageSetter returns the function that puts a page and the next page's token into a list operation's response:
// its one field of type []Item and its field NextToken. The response is a generated shape; the fields are found
// when the route is built, and a missing one fails then.
func pageSetter[Out, Item any]() func(out *Out, page []Item, next string) {
	t := reflect.TypeFor[Out]()
	var items []int
	for i := range t.NumField() {
		if t.Field(i).Type == reflect.TypeFor[[]Item]() {
			items = append(items, i)
		}
	}
	nt, ok := t.FieldByName("NextToken")
	if len(items) != 1 || !ok || nt.Type.Kind() != reflect.String {
		panic("connect: " + t.String() + " has not one []" + reflect.TypeFor[Item]().String() + " and NextToken string")
	}
	return func(out *Out, page []Item, next string) {
		v := reflect.ValueOf(out).Elem()
		v.Field(items[0]).Set(reflect.ValueOf(page))
		v.FieldByIndex(nt.Index).SetString(next)
	}
}

// instanceList adapts an admin service list method to list's fetch.
func instanceList[In, T any](f func(adminService, context.Context, string) ([]T, error)) func(*handler, context.Context, *In) ([]T, error) {
	return func(h *handler, ctx context.Context, in *In) ([]T, error) {
		instanceID, _ := resource(in)
		return f(h.adm, ctx, instanceID)
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
func listQueues(h *handler, ctx context.Context, in *wire.ListQueuesRequest) ([]*parley.Queue, error) {
	if len(in.QueueTypes) > 0 && !slices.Contains(in.QueueTypes, "STANDARD") {
		return nil, nil
	}
	return h.adm.ListQueues(ctx, in.InstanceID)
}

func queueSummary(q *parley.Queue) wire.QueueSummary {
	return wire.QueueSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QueueType: "STANDARD"}
}

func (h *handler) updateQueueMaxContacts(ctx context.Context, in *wire.UpdateQueueMaxContactsRequest) (*none, error) {
	maxContacts := 0 // absent: no limit
	if in.MaxContacts != nil {
		maxContacts = *in.MaxContacts
	}
	return nil, h.adm.UpdateQueueMaxContacts(ctx, in.InstanceID, in.QueueID, maxContacts)
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

func profileSummary(p *parley.RoutingProfile) wire.RoutingProfileSummary {
	return wire.RoutingProfileSummary{ID: p.ID, Arn: p.ARN, Name: p.Name}
}

func (h *handler) associateRoutingProfileQueues(ctx context.Context, in *wire.AssociateRoutingProfileQueuesRequest) (*none, error) {
	// ManualAssignmentQueueConfigs are accepted and ignored: parley has no manual assignment.
	return nil, h.adm.AssociateRoutingProfileQueues(ctx, in.InstanceID, in.RoutingProfileID, queueConfigs(in.QueueConfigs))
}

func routingProfileQueues(h *handler, ctx context.Context, in *wire.ListRoutingProfileQueuesRequest) ([]admin.ProfileQueue, error) {
	return h.adm.RoutingProfileQueues(ctx, in.InstanceID, in.RoutingProfileID)
}

func profileQueueSummary(pq admin.ProfileQueue) wire.RoutingProfileQueueConfigSummary {
	return wire.RoutingProfileQueueConfigSummary{QueueID: pq.Queue.ID, QueueArn: pq.Queue.ARN, QueueName: pq.Queue.Name,
		Priority: pq.Priority, Delay: pq.Delay, Channel: string(pq.Channel)}
}

func (h *handler) updateRoutingProfileConcurrency(ctx context.Context, in *wire.UpdateRoutingProfileConcurrencyRequest) (*none, error) {
	chat := chatConcurrency(in.MediaConcurrencies)
	if chat < 0 {
		// Only other channels: nothing parley keeps changes, but the profile must exist.
		_, err := h.adm.RoutingProfile(ctx, in.InstanceID, in.RoutingProfileID)
		return nil, err
	}
	return nil, h.adm.UpdateRoutingProfileConcurrency(ctx, in.InstanceID, in.RoutingProfileID, chat)
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

func (h *handler) deleteUser(ctx context.Context, in *wire.DeleteUserRequest) (*none, error) {
	return nil, h.adm.DeleteUser(ctx, in.InstanceID, in.UserID)
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

func listAgentStatuses(h *handler, ctx context.Context, in *wire.ListAgentStatusRequest) ([]*parley.AgentStatus, error) {
	return h.adm.ListAgentStatuses(ctx, in.InstanceID, in.AgentStatusTypes)
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

func hoursSummary(ho *parley.HoursOfOperation) wire.HoursOfOperationSummary {
	return wire.HoursOfOperationSummary{ID: ho.ID, Arn: ho.ARN, Name: ho.Name}
}

func createdHours(ho *parley.HoursOfOperation) *wire.CreateHoursOfOperationResponse {
	return &wire.CreateHoursOfOperationResponse{HoursOfOperationID: ho.ID, HoursOfOperationArn: ho.ARN}
}

// Security profiles.

func securityProfileSummary(p *parley.SecurityProfile) wire.SecurityProfileSummary {
	return wire.SecurityProfileSummary{ID: p.ID, Arn: p.ARN, Name: p.Name}
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
		c.PhoneConfig = &wire.PhoneNumberQuickConnectConfig{PhoneNumber: &q.PhoneNumber}
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

func listQuickConnects(h *handler, ctx context.Context, in *wire.ListQuickConnectsRequest) ([]*parley.QuickConnect, error) {
	return h.adm.ListQuickConnects(ctx, in.InstanceID, in.QuickConnectTypes)
}

func quickConnectSummary(q *parley.QuickConnect) wire.QuickConnectSummary {
	return wire.QuickConnectSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QuickConnectType: q.Type}
}
