package connect

import (
	"context"
	"net/http"

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

// adminOp is op for an admin operation: it answers InvalidRequestException when the handler has no admin
// service, and reports ECONFLICT as the Connect admin operations do (DuplicateResourceException).
func adminOp(name, method, pattern string, serve func(h *handler, w http.ResponseWriter, r *http.Request, labels []string)) route {
	return op(name, method, pattern, func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		if h.adm == nil {
			h.fail(w, r, parley.Errorf(parley.EREQUEST, "%s is not supported by this server", name))
			return
		}
		if !validUTF8(labels) {
			h.failAdmin(w, r, parley.Errorf(parley.EINVALID, "path labels must be valid UTF-8"))
			return
		}
		serve(h, w, r, labels)
	})
}

// adminRoutes are the admin operations parley serves (aws-sdk-go-v2 service/connect v1.175.2 paths).
var adminRoutes = []route{
	adminOp("CreateQueue", http.MethodPut, wire.PathQueuesPrefix+"{InstanceId}", (*handler).createQueue),
	adminOp("DescribeQueue", http.MethodGet, wire.PathQueuesPrefix+"{InstanceId}/{QueueId}", (*handler).describeQueue),
	adminOp("ListQueues", http.MethodGet, wire.PathQueuesSummaryPrefix+"{InstanceId}", (*handler).listQueues),
	adminOp("UpdateQueueMaxContacts", http.MethodPost,
		wire.PathQueuesPrefix+"{InstanceId}/{QueueId}"+wire.SuffixQueueMaxContacts, (*handler).updateQueueMaxContacts),
	adminOp("UpdateQueueHoursOfOperation", http.MethodPost,
		wire.PathQueuesPrefix+"{InstanceId}/{QueueId}"+wire.SuffixQueueHoursOfOperation, (*handler).updateQueueHours),
	adminOp("UpdateQueueStatus", http.MethodPost,
		wire.PathQueuesPrefix+"{InstanceId}/{QueueId}"+wire.SuffixQueueStatus, (*handler).updateQueueStatus),

	adminOp("CreateRoutingProfile", http.MethodPut, wire.PathRoutingProfilesPrefix+"{InstanceId}",
		(*handler).createRoutingProfile),
	adminOp("DescribeRoutingProfile", http.MethodGet, wire.PathRoutingProfilesPrefix+"{InstanceId}/{RoutingProfileId}",
		(*handler).describeRoutingProfile),
	adminOp("ListRoutingProfiles", http.MethodGet, wire.PathRoutingProfilesSummaryPrefix+"{InstanceId}",
		(*handler).listRoutingProfiles),
	adminOp("AssociateRoutingProfileQueues", http.MethodPost,
		wire.PathRoutingProfilesPrefix+"{InstanceId}/{RoutingProfileId}"+wire.SuffixRoutingProfileAssociate,
		(*handler).associateRoutingProfileQueues),
	adminOp("ListRoutingProfileQueues", http.MethodGet,
		wire.PathRoutingProfilesPrefix+"{InstanceId}/{RoutingProfileId}"+wire.SuffixRoutingProfileQueues,
		(*handler).listRoutingProfileQueues),
	adminOp("UpdateRoutingProfileConcurrency", http.MethodPost,
		wire.PathRoutingProfilesPrefix+"{InstanceId}/{RoutingProfileId}"+wire.SuffixRoutingProfileConcurrency,
		(*handler).updateRoutingProfileConcurrency),

	adminOp("CreateUser", http.MethodPut, wire.PathUsersPrefix+"{InstanceId}", (*handler).createUser),
	adminOp("DescribeUser", http.MethodGet, wire.PathUsersPrefix+"{InstanceId}/{UserId}", (*handler).describeUser),
	adminOp("ListUsers", http.MethodGet, wire.PathUsersSummaryPrefix+"{InstanceId}", (*handler).listUsers),
	adminOp("UpdateUserRoutingProfile", http.MethodPost,
		wire.PathUsersPrefix+"{InstanceId}/{UserId}"+wire.SuffixUserRoutingProfile, (*handler).updateUserRoutingProfile),
	adminOp("DeleteUser", http.MethodDelete, wire.PathUsersPrefix+"{InstanceId}/{UserId}", (*handler).deleteUser),
	adminOp("PutUserStatus", http.MethodPut, wire.PathUsersPrefix+"{InstanceId}/{UserId}"+wire.SuffixUserStatus,
		(*handler).putUserStatus),

	adminOp("CreateAgentStatus", http.MethodPut, wire.PathAgentStatusPrefix+"{InstanceId}", (*handler).createAgentStatus),
	adminOp("ListAgentStatuses", http.MethodGet, wire.PathAgentStatusPrefix+"{InstanceId}", (*handler).listAgentStatuses),

	adminOp("CreateHoursOfOperation", http.MethodPut, wire.PathHoursOfOperationsPrefix+"{InstanceId}",
		(*handler).createHoursOfOperation),
	adminOp("DescribeHoursOfOperation", http.MethodGet,
		wire.PathHoursOfOperationsPrefix+"{InstanceId}/{HoursOfOperationId}", (*handler).describeHoursOfOperation),
	adminOp("ListHoursOfOperations", http.MethodGet, wire.PathHoursOfOperationsSummaryPrefix+"{InstanceId}",
		(*handler).listHoursOfOperations),

	adminOp("CreateQuickConnect", http.MethodPut, wire.PathQuickConnectsPrefix+"{InstanceId}", (*handler).createQuickConnect),
	adminOp("DescribeQuickConnect", http.MethodGet, wire.PathQuickConnectsPrefix+"{InstanceId}/{QuickConnectId}",
		(*handler).describeQuickConnect),
	adminOp("ListQuickConnects", http.MethodGet, wire.PathQuickConnectsPrefix+"{InstanceId}", (*handler).listQuickConnects),

	adminOp("ListSecurityProfiles", http.MethodGet, wire.PathSecurityProfilesSummaryPrefix+"{InstanceId}",
		(*handler).listSecurityProfiles),
}

// failAdmin writes an error of an admin operation.
func (h *handler) failAdmin(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.ConnectAdmin, err)
}

// decode reads a request body, or fails the request and returns false.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := httpapi.DecodeJSON(r, MaxBody, v); err != nil {
		h.failAdmin(w, r, err)
		return false
	}
	return true
}

// instanceOK checks the InstanceId label of an operation without a body.
func (h *handler) instanceOK(w http.ResponseWriter, r *http.Request, instanceID string) bool {
	var c httpapi.Check
	checkInstance(&c, instanceID)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return false
	}
	return true
}

// done answers an operation without output members, or its error.
func (h *handler) done(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

// list answers a list operation: it parses maxResults and nextToken, calls fetch, and writes the page built by
// build.
func list[T any](h *handler, w http.ResponseWriter, r *http.Request, instanceID, kind string, def, max int,
	fetch func() ([]T, error), build func(page []T, next string) any) {
	if !h.instanceOK(w, r, instanceID) {
		return
	}
	q, err := parseListQuery(r, def, max, kind)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	all, err := fetch()
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	page, next := paginate(all, q, kind)
	httpapi.WriteJSON(w, http.StatusOK, build(page, next))
}

// Queues.

func (h *handler) createQueue(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateQueueRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createQueueInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	q, err := h.adm.CreateQueue(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateQueueResponse{QueueArn: q.ARN, QueueID: q.ID})
}

func queueOut(q *parley.Queue) *wire.Queue {
	out := &wire.Queue{Name: q.Name, QueueArn: q.ARN, QueueID: q.ID, Description: q.Description,
		HoursOfOperationID: q.HoursOfOperationID, Status: q.Status}
	if q.MaxContacts > 0 {
		out.MaxContacts = &q.MaxContacts
	}
	return out
}

func (h *handler) describeQueue(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	q, err := h.adm.Queue(r.Context(), labels[0], labels[1])
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.DescribeQueueResponse{Queue: queueOut(q)})
}

func (h *handler) listQueues(w http.ResponseWriter, r *http.Request, labels []string) {
	types := r.URL.Query()["queueTypes"]
	var c httpapi.Check
	checkTypes(&c, "QueueTypes", types, 2, wire.QueueTypes)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	list(h, w, r, labels[0], "queues", defaultAdminPage, maxAdminPage, func() ([]*parley.Queue, error) {
		qs, err := h.adm.ListQueues(r.Context(), labels[0])
		// parley's queues are all STANDARD; agent queues do not exist.
		if err != nil || len(types) == 0 || contains(types, "STANDARD") {
			return qs, err
		}
		return nil, nil
	}, func(page []*parley.Queue, next string) any {
		resp := wire.ListQueuesResponse{QueueSummaryList: make([]wire.QueueSummary, 0, len(page)), NextToken: next}
		for _, q := range page {
			resp.QueueSummaryList = append(resp.QueueSummaryList,
				wire.QueueSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QueueType: "STANDARD"})
		}
		return resp
	})
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func (h *handler) updateQueueMaxContacts(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.UpdateQueueMaxContactsRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.Int("MaxContacts", req.MaxContacts, false, 0, int(^uint32(0)>>1))
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	maxContacts := 0 // absent: no limit
	if req.MaxContacts != nil {
		maxContacts = *req.MaxContacts
	}
	h.done(w, r, h.adm.UpdateQueueMaxContacts(r.Context(), labels[0], labels[1], maxContacts))
}

func (h *handler) updateQueueHours(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.UpdateQueueHoursOfOperationRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.String("HoursOfOperationId", req.HoursOfOperationID, true, 0, 0)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	h.done(w, r, h.adm.UpdateQueueHoursOfOperation(r.Context(), labels[0], labels[1], *req.HoursOfOperationID))
}

func (h *handler) updateQueueStatus(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.UpdateQueueStatusRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.Enum("Status", req.Status, true, wire.QueueStatuses...)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	h.done(w, r, h.adm.UpdateQueueStatus(r.Context(), labels[0], labels[1], *req.Status))
}

// Routing profiles.

func (h *handler) createRoutingProfile(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateRoutingProfileRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createRoutingProfileInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	p, err := h.adm.CreateRoutingProfile(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateRoutingProfileResponse{RoutingProfileArn: p.ARN,
		RoutingProfileID: p.ID})
}

func (h *handler) describeRoutingProfile(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	p, err := h.adm.RoutingProfile(r.Context(), labels[0], labels[1])
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	out := &wire.RoutingProfile{InstanceID: p.InstanceID, Name: p.Name, RoutingProfileArn: p.ARN, RoutingProfileID: p.ID,
		Description: p.Description, DefaultOutboundQueueID: p.DefaultOutboundQueueID,
		MediaConcurrencies: []wire.MediaConcurrency{}, AssociatedQueueIDs: []string{}}
	if p.ChatConcurrency > 0 {
		ch, n := string(parley.ChannelChat), p.ChatConcurrency
		out.MediaConcurrencies = append(out.MediaConcurrencies, wire.MediaConcurrency{Channel: &ch, Concurrency: &n})
	}
	for _, q := range p.Queues {
		if !contains(out.AssociatedQueueIDs, q.QueueID) {
			out.AssociatedQueueIDs = append(out.AssociatedQueueIDs, q.QueueID)
		}
	}
	out.NumberOfAssociatedQueues = int64(len(out.AssociatedQueueIDs))
	httpapi.WriteJSON(w, http.StatusOK, wire.DescribeRoutingProfileResponse{RoutingProfile: out})
}

func (h *handler) listRoutingProfiles(w http.ResponseWriter, r *http.Request, labels []string) {
	list(h, w, r, labels[0], "routing-profiles", defaultAdminPage, maxAdminPage,
		func() ([]*parley.RoutingProfile, error) { return h.adm.ListRoutingProfiles(r.Context(), labels[0]) },
		func(page []*parley.RoutingProfile, next string) any {
			resp := wire.ListRoutingProfilesResponse{RoutingProfileSummaryList: make([]wire.Summary, 0, len(page)),
				NextToken: next}
			for _, p := range page {
				resp.RoutingProfileSummaryList = append(resp.RoutingProfileSummaryList,
					wire.Summary{ID: p.ID, Arn: p.ARN, Name: p.Name})
			}
			return resp
		})
}

func (h *handler) associateRoutingProfileQueues(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.AssociateRoutingProfileQueuesRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	queues := queueConfigs(&c, "QueueConfigs", req.QueueConfigs)
	manualQueueConfigs(&c, req.ManualAssignmentQueueConfigs)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	h.done(w, r, h.adm.AssociateRoutingProfileQueues(r.Context(), labels[0], labels[1], queues))
}

func (h *handler) listRoutingProfileQueues(w http.ResponseWriter, r *http.Request, labels []string) {
	list(h, w, r, labels[0], "routing-profile-queues", defaultAdminPage, maxProfileQueues,
		func() ([]admin.ProfileQueue, error) {
			return h.adm.RoutingProfileQueues(r.Context(), labels[0], labels[1])
		},
		func(page []admin.ProfileQueue, next string) any {
			resp := wire.ListRoutingProfileQueuesResponse{
				RoutingProfileQueueConfigSummaryList: make([]wire.RoutingProfileQueueConfigSummary, 0, len(page)),
				NextToken:                            next}
			for _, pq := range page {
				resp.RoutingProfileQueueConfigSummaryList = append(resp.RoutingProfileQueueConfigSummaryList,
					wire.RoutingProfileQueueConfigSummary{QueueID: pq.Queue.ID, QueueArn: pq.Queue.ARN,
						QueueName: pq.Queue.Name, Priority: pq.Priority, Delay: pq.Delay, Channel: string(pq.Channel)})
			}
			return resp
		})
}

func (h *handler) updateRoutingProfileConcurrency(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.UpdateRoutingProfileConcurrencyRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.Required("MediaConcurrencies", req.MediaConcurrencies != nil)
	chat := mediaConcurrencies(&c, req.MediaConcurrencies)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	if chat < 0 {
		// Only other channels: nothing parley keeps changes, but the profile must exist.
		_, err := h.adm.RoutingProfile(r.Context(), labels[0], labels[1])
		h.done(w, r, err)
		return
	}
	h.done(w, r, h.adm.UpdateRoutingProfileConcurrency(r.Context(), labels[0], labels[1], chat))
}

// Users.

func (h *handler) createUser(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateUserRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createUserInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	u, err := h.adm.CreateUser(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateUserResponse{UserID: u.ID, UserArn: u.ARN})
}

func (h *handler) describeUser(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	u, err := h.adm.User(r.Context(), labels[0], labels[1])
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	soft, chat := "SOFT_PHONE", string(parley.ChannelChat)
	autoAccept, acw := u.AutoAccept, u.AfterContactWorkTimeLimit
	out := &wire.User{ID: u.ID, Arn: u.ARN, Username: u.Username,
		IdentityInfo: &wire.UserIdentityInfo{FirstName: nonEmpty(u.FirstName), LastName: nonEmpty(u.LastName),
			Email: nonEmpty(u.Email)},
		PhoneConfig:        &wire.UserPhoneConfig{PhoneType: &soft, AutoAccept: &autoAccept, AfterContactWorkTimeLimit: &acw},
		SecurityProfileIDs: u.SecurityProfileIDs, RoutingProfileID: u.RoutingProfileID,
		AutoAcceptConfigs: []wire.AutoAcceptConfig{{Channel: &chat, AutoAccept: &autoAccept}},
		AfterContactWorkConfigs: []wire.AfterContactWorkConfigPerChannel{{Channel: &chat,
			AfterContactWorkConfig: &wire.AfterContactWorkConfig{AfterContactWorkTimeLimit: &acw}}},
		LastModifiedTime: wire.Epoch(u.UpdatedAt)}
	httpapi.WriteJSON(w, http.StatusOK, wire.DescribeUserResponse{User: out})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request, labels []string) {
	list(h, w, r, labels[0], "users", defaultAdminPage, maxAdminPage,
		func() ([]*parley.User, error) { return h.adm.ListUsers(r.Context(), labels[0]) },
		func(page []*parley.User, next string) any {
			resp := wire.ListUsersResponse{UserSummaryList: make([]wire.UserSummary, 0, len(page)), NextToken: next}
			for _, u := range page {
				resp.UserSummaryList = append(resp.UserSummaryList, wire.UserSummary{ID: u.ID, Arn: u.ARN,
					Username: u.Username, LastModifiedTime: wire.Epoch(u.UpdatedAt)})
			}
			return resp
		})
}

func (h *handler) updateUserRoutingProfile(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.UpdateUserRoutingProfileRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.String("RoutingProfileId", req.RoutingProfileID, true, 0, 0)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	h.done(w, r, h.adm.UpdateUserRoutingProfile(r.Context(), labels[0], labels[1], *req.RoutingProfileID))
}

func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	h.done(w, r, h.adm.DeleteUser(r.Context(), labels[0], labels[1]))
}

func (h *handler) putUserStatus(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.PutUserStatusRequest
	if !h.decode(w, r, &req) {
		return
	}
	var c httpapi.Check
	checkInstance(&c, labels[0])
	c.String("AgentStatusId", req.AgentStatusID, true, 0, 0)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	h.done(w, r, h.adm.PutUserStatus(r.Context(), labels[0], labels[1], *req.AgentStatusID))
}

// Agent statuses.

func (h *handler) createAgentStatus(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateAgentStatusRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createAgentStatusInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	st, err := h.adm.CreateAgentStatus(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateAgentStatusResponse{AgentStatusARN: st.ARN, AgentStatusID: st.ID})
}

func (h *handler) listAgentStatuses(w http.ResponseWriter, r *http.Request, labels []string) {
	types := r.URL.Query()["AgentStatusTypes"]
	var c httpapi.Check
	checkTypes(&c, "AgentStatusTypes", types, 3, wire.AgentStatusTypes)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	list(h, w, r, labels[0], "agent-statuses", defaultAdminPage, maxAdminPage,
		func() ([]*parley.AgentStatus, error) { return h.adm.ListAgentStatuses(r.Context(), labels[0], types) },
		func(page []*parley.AgentStatus, next string) any {
			resp := wire.ListAgentStatusesResponse{AgentStatusSummaryList: make([]wire.AgentStatusSummary, 0, len(page)),
				NextToken: next}
			for _, st := range page {
				resp.AgentStatusSummaryList = append(resp.AgentStatusSummaryList,
					wire.AgentStatusSummary{ID: st.ID, Arn: st.ARN, Name: st.Name, Type: st.Type})
			}
			return resp
		})
}

// Hours of operation.

func (h *handler) createHoursOfOperation(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateHoursOfOperationRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createHoursInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	ho, err := h.adm.CreateHoursOfOperation(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateHoursOfOperationResponse{HoursOfOperationID: ho.ID,
		HoursOfOperationArn: ho.ARN})
}

func (h *handler) describeHoursOfOperation(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	ho, err := h.adm.HoursOfOperation(r.Context(), labels[0], labels[1])
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	out := &wire.HoursOfOperation{HoursOfOperationID: ho.ID, HoursOfOperationArn: ho.ARN, Name: ho.Name,
		Description: ho.Description, TimeZone: ho.TimeZone, Config: make([]wire.HoursOfOperationConfig, 0, len(ho.Config))}
	for _, c := range ho.Config {
		c := c
		out.Config = append(out.Config, wire.HoursOfOperationConfig{Day: &c.Day,
			StartTime: &wire.HoursOfOperationTimeSlice{Hours: &c.StartHours, Minutes: &c.StartMinutes},
			EndTime:   &wire.HoursOfOperationTimeSlice{Hours: &c.EndHours, Minutes: &c.EndMinutes}})
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.DescribeHoursOfOperationResponse{HoursOfOperation: out})
}

func (h *handler) listHoursOfOperations(w http.ResponseWriter, r *http.Request, labels []string) {
	list(h, w, r, labels[0], "hours", defaultAdminPage, maxAdminPage,
		func() ([]*parley.HoursOfOperation, error) { return h.adm.ListHoursOfOperations(r.Context(), labels[0]) },
		func(page []*parley.HoursOfOperation, next string) any {
			resp := wire.ListHoursOfOperationsResponse{HoursOfOperationSummaryList: make([]wire.Summary, 0, len(page)),
				NextToken: next}
			for _, ho := range page {
				resp.HoursOfOperationSummaryList = append(resp.HoursOfOperationSummaryList,
					wire.Summary{ID: ho.ID, Arn: ho.ARN, Name: ho.Name})
			}
			return resp
		})
}

// Quick connects.

func (h *handler) createQuickConnect(w http.ResponseWriter, r *http.Request, labels []string) {
	var req wire.CreateQuickConnectRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := createQuickConnectInput(labels[0], &req)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	q, err := h.adm.CreateQuickConnect(r.Context(), labels[0], in)
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CreateQuickConnectResponse{QuickConnectARN: q.ARN, QuickConnectID: q.ID})
}

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

func (h *handler) describeQuickConnect(w http.ResponseWriter, r *http.Request, labels []string) {
	if !h.instanceOK(w, r, labels[0]) {
		return
	}
	q, err := h.adm.QuickConnect(r.Context(), labels[0], labels[1])
	if err != nil {
		h.failAdmin(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.DescribeQuickConnectResponse{QuickConnect: &wire.QuickConnect{
		QuickConnectARN: q.ARN, QuickConnectID: q.ID, Name: q.Name, Description: q.Description,
		QuickConnectConfig: quickConnectConfig(q)}})
}

func (h *handler) listQuickConnects(w http.ResponseWriter, r *http.Request, labels []string) {
	types := r.URL.Query()["QuickConnectTypes"]
	var c httpapi.Check
	checkTypes(&c, "QuickConnectTypes", types, 4, wire.QuickConnectTypes)
	if err := c.Err(); err != nil {
		h.failAdmin(w, r, err)
		return
	}
	list(h, w, r, labels[0], "quick-connects", defaultAdminPage, maxAdminPage,
		func() ([]*parley.QuickConnect, error) { return h.adm.ListQuickConnects(r.Context(), labels[0], types) },
		func(page []*parley.QuickConnect, next string) any {
			resp := wire.ListQuickConnectsResponse{QuickConnectSummaryList: make([]wire.QuickConnectSummary, 0, len(page)),
				NextToken: next}
			for _, q := range page {
				resp.QuickConnectSummaryList = append(resp.QuickConnectSummaryList,
					wire.QuickConnectSummary{ID: q.ID, Arn: q.ARN, Name: q.Name, QuickConnectType: q.Type})
			}
			return resp
		})
}

func (h *handler) listSecurityProfiles(w http.ResponseWriter, r *http.Request, labels []string) {
	list(h, w, r, labels[0], "security-profiles", defaultAdminPage, maxAdminPage,
		func() ([]*parley.SecurityProfile, error) { return h.adm.ListSecurityProfiles(r.Context(), labels[0]) },
		func(page []*parley.SecurityProfile, next string) any {
			resp := wire.ListSecurityProfilesResponse{SecurityProfileSummaryList: make([]wire.Summary, 0, len(page)),
				NextToken: next}
			for _, p := range page {
				resp.SecurityProfileSummaryList = append(resp.SecurityProfileSummaryList,
					wire.Summary{ID: p.ID, Arn: p.ARN, Name: p.Name})
			}
			return resp
		})
}
