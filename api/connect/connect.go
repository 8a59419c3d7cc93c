// Package connect serves the chat part of the Amazon Connect Service API (restJson1, SigV4, signing name
// "connect") so that the unmodified AWS SDKs and the AWS CLI can start and manage chats against parley:
// StartChatContact, CreateParticipant, StopContact, DescribeContact, GetContactAttributes,
// UpdateContactAttributes, UpdateParticipantRoleConfig, ListInstances and ListContactFlows; StartContactStreaming
// and StopContactStreaming, with parley's dead-letter operations of the streaming outbox (streaming.go), served by
// the streaming package; StartOutboundChatContact, ListPhoneNumbersV2 and ListPhoneNumbers (outbound.go), from the
// numbers of the channel bridge's SMS and WhatsApp channels; and the admin operations that configure an
// instance (queues, routing profiles, users and their status, agent statuses, hours of operation, quick
// connects, security profiles; admin*.go), served by the admin package; and the real-time metrics
// GetCurrentMetricData and GetCurrentUserData (metrics*.go), computed from the agents package's live view. The
// other operations of the chat subset of the model answer InvalidRequestException ("not supported by parley
// yet"); any other path answers UnknownOperationException. The admin operations report a duplicate name as
// DuplicateResourceException.
//
// Every request is authenticated by a sigv4.Verifier and validated against every constraint of the model
// before the chat service sees it. One generic handler serves every operation (operation.go): it binds the
// path labels and query string, decodes the body, runs the checks, calls the operation and answers its output.
// The checks are generated from the models (validate_gen.go from the Smithy chat subset, validate_admin_gen.go
// from botocore's whole Connect model), with what the models cannot say written by hand (validate.go,
// admin_validate.go, metrics_validate.go). The handler must see the request path exactly as the client signed
// it, so mount it at the root of its listener (not behind http.StripPrefix).
//
// The handler is stateless and safe for concurrent use.
package connect

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/api/sigv4"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/throttle"
	"github.com/parley-chat/parley/wire"
)

// MaxBody is the largest request body the handler reads.
const MaxBody = 1 << 20

// backend is the part of *chat.Service the handler uses; tests substitute a fake.
type backend interface {
	Instance(ctx context.Context, idOrARN string) (*parley.Instance, error)
	ListInstances(ctx context.Context) ([]*parley.Instance, error)
	ListContactFlows(ctx context.Context, instanceID string, types []string) ([]*parley.ContactFlow, error)
	StartChat(ctx context.Context, in chat.StartChatInput) (*chat.StartChatOutput, error)
	StartOutboundChat(ctx context.Context, in chat.OutboundChatInput) (*chat.StartChatOutput, error)
	IntegrationChat(ctx context.Context, key string, start chat.StartChatInput, create bool) (*chat.StartChatOutput, bool, func(), error)
	IntegrationEventAs(ctx context.Context, participantToken, typ, contentType, content, clientToken string) error
	CreateParticipant(ctx context.Context, in chat.CreateParticipantInput) (*chat.CreateParticipantOutput, error)
	StopContact(ctx context.Context, instanceID, contactID string) error
	DescribeContact(ctx context.Context, instanceID, contactID string) (*parley.Contact, error)
	ContactAttributes(ctx context.Context, instanceID, initialContactID string) (map[string]string, error)
	UpdateContactAttributes(ctx context.Context, instanceID, initialContactID string, attrs map[string]string) error
	UpdateParticipantRoleConfig(ctx context.Context, instanceID, contactID string, settings []chat.TimerSetting) error
	TransferContact(ctx context.Context, in chat.TransferInput) (*parley.Contact, error)
	UpdateRoutingData(ctx context.Context, instanceID, contactID string, priority *int64, adjust *time.Duration) error
	AssociatePersistentChat(ctx context.Context, instanceID, contactID string, p chat.PersistentChat, clientToken string) (string, error)
	SearchContacts(ctx context.Context, in chat.SearchInput) (*chat.SearchOutput, error)
}

var _ backend = (*chat.Service)(nil)

type handler struct {
	svc     backend
	adm     adminService     // nil: the admin operations answer InvalidRequestException
	live    liveService      // nil: the real-time metrics answer InvalidRequestException
	streams streamingService // nil: message streaming answers InvalidRequestException
	chans   channelService   // nil: no instance owns a phone number
	// chansInstance is the instance that owns the numbers of chans.
	chansInstance string
	verifier      *sigv4.Verifier
	limits        *throttle.Limiter // nil: no throttling
	// destinations maps SendChatIntegrationEvent DestinationIds to an instance or a contact flow ARN.
	destinations map[string]string
	log          *slog.Logger
}

// WithThrottle applies the limiter's rates to the operations (scope: the account), answering
// ThrottlingException (429) beyond them.
func WithThrottle(l *throttle.Limiter) Option {
	return func(h *handler) { h.limits = l }
}

// New returns the Connect API handler over svc and adm (the admin operations; nil leaves them unsupported).
// Requests are authenticated by verifier, which must not be nil (a verifier without keys is dev mode; the caller
// decides where that is allowed). The handler is wrapped in httpapi.Middleware, so responses carry
// x-amzn-RequestId, Date and CORS headers. Options add what is optional (WithAgents: the real-time metrics).
func New(svc *chat.Service, adm *admin.Service, verifier *sigv4.Verifier, log *slog.Logger, opts ...Option) http.Handler {
	if adm == nil {
		return newHandler(svc, nil, verifier, log, opts...)
	}
	return newHandler(svc, adm, verifier, log, opts...)
}

func newHandler(svc backend, adm adminService, verifier *sigv4.Verifier, log *slog.Logger, opts ...Option) http.Handler {
	if verifier == nil {
		panic("connect.New: nil verifier")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{svc: svc, adm: adm, verifier: verifier, log: log}
	for _, o := range opts {
		o(h)
	}
	return httpapi.Middleware(log, httpapi.Connect, http.HandlerFunc(h.serve))
}

// route is one operation of the model: its method, its path (the prefix before the labels when it has labels,
// and the literal suffix after them, if any), its label names and its handler (nil: not supported yet).
type route struct {
	name   string
	method string
	path   string
	labels []string
	suffix string
	serve  func(h *handler, w http.ResponseWriter, r *http.Request, labels []string)
}

// op builds a route from a path pattern such as "/queues/{InstanceId}/{QueueId}/max-contacts". Labels are whole
// path segments and follow each other.
func op(name, method, pattern string, serve func(h *handler, w http.ResponseWriter, r *http.Request, labels []string)) route {
	rt := route{name: name, method: method, path: pattern, serve: serve}
	i := strings.IndexByte(pattern, '{')
	if i < 0 {
		return rt
	}
	rt.path = pattern[:i]
	rest := pattern[i:]
	for strings.HasPrefix(rest, "{") {
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			panic("connect: bad route pattern " + pattern)
		}
		rt.labels = append(rt.labels, rest[1:j])
		rest = strings.TrimPrefix(rest[j+1:], "/")
	}
	if rest != "" {
		rt.suffix = "/" + rest
	}
	return rt
}

var routes = append(append([]route{
	operation(kindChat, "StartChatContact", http.MethodPut, wire.PathStartChatContact, (*handler).startChatContact),
	operation(kindChat, "CreateParticipant", http.MethodPost, wire.PathCreateParticipant, (*handler).createParticipant),
	operation(kindChat, "StopContact", http.MethodPost, wire.PathStopContact,
		func(h *handler, ctx context.Context, in *wire.StopContactRequest) (*wire.StopContactResponse, error) {
			return nil, h.svc.StopContact(ctx, *in.InstanceID, *in.ContactID)
		}),
	operation(kindChat, "DescribeContact", http.MethodGet, wire.PathDescribeContact, (*handler).describeContact),
	operation(kindChat, "GetContactAttributes", http.MethodGet, wire.PathGetContactAttributes,
		(*handler).getContactAttributes),
	operation(kindChat, "UpdateContactAttributes", http.MethodPost, wire.PathUpdateContactAttributes,
		func(h *handler, ctx context.Context, in *wire.UpdateContactAttributesRequest) (*wire.UpdateContactAttributesResponse, error) {
			return nil, h.svc.UpdateContactAttributes(ctx, *in.InstanceID, *in.InitialContactID, in.Attributes)
		}),
	operation(kindChat, "UpdateParticipantRoleConfig", http.MethodPut, wire.PathUpdateParticipantRoleConfig,
		(*handler).updateParticipantRoleConfig),
	operation(kindChat, "ListInstances", http.MethodGet, wire.PathListInstances,
		list[wire.ListInstancesResponse](listing{kind: "instances", def: maxInstancesPage}, listInstances, instanceSummary)),
	operation(kindChat, "ListContactFlows", http.MethodGet, wire.PathListContactFlows,
		list[wire.ListContactFlowsResponse](listing{kind: "flows"}, listContactFlows, flowSummary)),

	operation(kindRequest, "StartOutboundChatContact", http.MethodPut, wire.PathStartOutboundChatContact,
		(*handler).startOutboundChatContact),
	operation(kindChat, "TransferContact", http.MethodPost, wire.PathTransferContact, (*handler).transferContact),
	operation(kindChat, "SearchContacts", http.MethodPost, wire.PathSearchContacts, (*handler).searchContacts),
	operation(kindChat, "UpdateContactRoutingData", http.MethodPost, wire.PathUpdateContactRoutingData,
		(*handler).updateContactRoutingData),
	operation(kindChat, "SendChatIntegrationEvent", http.MethodPost, wire.PathSendChatIntegrationEvent,
		(*handler).sendChatIntegrationEvent),
	operation(kindChat, "CreatePersistentContactAssociation", http.MethodPost, wire.PathCreatePersistentContactAssociation,
		func(h *handler, ctx context.Context, in *wire.CreatePersistentContactAssociationRequest) (*wire.CreatePersistentContactAssociationResponse, error) {
			from, err := h.svc.AssociatePersistentChat(ctx, in.InstanceID, in.InitialContactID,
				chat.PersistentChat{RehydrationType: deref(in.RehydrationType), SourceContactID: deref(in.SourceContactID)},
				deref(in.ClientToken))
			if err != nil {
				return nil, err
			}
			return &wire.CreatePersistentContactAssociationResponse{ContinuedFromContactID: from}, nil
		}),
	op("UpdateParticipantAuthentication", http.MethodPost, wire.PathUpdateParticipantAuthentication,
		(*handler).updateParticipantAuthentication),
	op("StartContactMediaProcessing", http.MethodPost, wire.PathStartContactMediaProcessing, nil),
	op("StopContactMediaProcessing", http.MethodPost, wire.PathStopContactMediaProcessing, nil),
}, adminRoutes...), append(append(append(append(flowRoutes, metricsRoutes...), streamingRoutes...), phoneNumberRoutes...), viewRoutes...)...)

// Operations returns the names of the Connect API operations the handler routes (served or not), as
// throttling.operations may name them.
func Operations() []string {
	names := make([]string, len(routes))
	for i, rt := range routes {
		names[i] = rt.name
	}
	return names
}

// match finds the route of r and its decoded labels.
func match(r *http.Request) (*route, []string) {
	p := r.URL.EscapedPath()
	for i := range routes {
		rt := &routes[i]
		if rt.method != r.Method {
			continue
		}
		if len(rt.labels) == 0 {
			if p == rt.path {
				return rt, nil
			}
			continue
		}
		if !strings.HasPrefix(p, rt.path) || !strings.HasSuffix(p, rt.suffix) || strings.HasSuffix(p, "/") ||
			len(p) <= len(rt.path)+len(rt.suffix) {
			continue
		}
		// Split the escaped path: a label's "/" arrives as %2F and must not split it.
		parts := strings.Split(p[len(rt.path):len(p)-len(rt.suffix)], "/")
		if len(parts) != len(rt.labels) {
			continue
		}
		labels := make([]string, len(parts))
		ok := true
		for i, part := range parts {
			var err error
			if labels[i], err = url.PathUnescape(part); err != nil || part == "" {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		return rt, labels
	}
	return nil, nil
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	id, err := h.verifier.Verify(r)
	if err != nil {
		h.log.InfoContext(r.Context(), "connect API request not authenticated", "method", r.Method,
			"path", r.URL.Path, "access_key_id", id.AccessKeyID, "err", err,
			"request_id", httpapi.RequestID(r.Context()))
		h.fail(w, r, err)
		return
	}
	r = r.WithContext(sigv4.NewContext(r.Context(), id))
	rt, labels := match(r)
	if rt != nil {
		httpapi.SetOperation(r.Context(), rt.name)
	}
	switch {
	case rt == nil:
		if name := modelOperationOf(r); name != "" {
			httpapi.SetOperation(r.Context(), name)
			h.fail(w, r, unsupported("%s", name))
			return
		}
		h.fail(w, r, parley.Errorf(httpapi.EUnknownOperation, "Unknown operation: %s %s", r.Method,
			truncate(r.URL.EscapedPath(), 200)))
	case rt.serve == nil:
		h.fail(w, r, unsupported("%s", rt.name))
	case !h.limits.Allow(rt.name, "account", true):
		h.fail(w, r, parley.Errorf(parley.ETHROTTLE, "Rate exceeded for %s", rt.name))
	default:
		rt.serve(h, w, r, labels)
	}
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.Connect, err)
}

func (h *handler) startChatContact(ctx context.Context, in *wire.StartChatContactRequest) (*wire.StartChatContactResponse, error) {
	sin, err := startChatInput(in)
	if err != nil {
		return nil, err
	}
	out, err := h.svc.StartChat(ctx, sin)
	if err != nil {
		return nil, err
	}
	return &wire.StartChatContactResponse{ContactID: out.ContactID, ParticipantID: out.ParticipantID,
		ParticipantToken: out.ParticipantToken, ContinuedFromContactID: out.ContinuedFromContactID}, nil
}

func (h *handler) createParticipant(ctx context.Context, in *wire.CreateParticipantRequest) (*wire.CreateParticipantResponse, error) {
	out, err := h.svc.CreateParticipant(ctx, createParticipantInput(in))
	if err != nil {
		return nil, err
	}
	resp := &wire.CreateParticipantResponse{ParticipantID: out.ParticipantID,
		ParticipantCredentials: &wire.ParticipantTokenCredentials{ParticipantToken: out.ParticipantToken}}
	if !out.Expiry.IsZero() {
		resp.ParticipantCredentials.Expiry = wire.FormatTime(out.Expiry)
	}
	return resp, nil
}

// updateParticipantRoleConfig checks what the model's unions cannot say (one channel, one value per timer) and
// sets the chat's participant timers.
func (h *handler) updateParticipantRoleConfig(ctx context.Context, in *wire.UpdateParticipantRoleConfigRequest) (*wire.UpdateParticipantRoleConfigResponse, error) {
	if in.ChannelConfiguration.Chat == nil {
		return nil, parley.Invalid("ChannelConfiguration.Chat", "ChannelConfiguration must set Chat")
	}
	var settings []chat.TimerSetting
	for i, t := range in.ChannelConfiguration.Chat.ParticipantTimerConfigList {
		v := t.TimerValue
		if (v.ParticipantTimerAction == nil) == (v.ParticipantTimerDurationInMinutes == nil) {
			f := fmt.Sprintf("ChannelConfiguration.Chat.ParticipantTimerConfigList[%d].TimerValue", i)
			return nil, parley.Invalid(f, "%s must set exactly one of ParticipantTimerAction and ParticipantTimerDurationInMinutes", f)
		}
		minutes := parley.TimerUnset
		if v.ParticipantTimerDurationInMinutes != nil {
			minutes = *v.ParticipantTimerDurationInMinutes
		}
		settings = append(settings, chat.TimerSetting{Role: parley.Role(*t.ParticipantRole), Type: *t.TimerType, Minutes: minutes})
	}
	return nil, h.svc.UpdateParticipantRoleConfig(ctx, in.InstanceID, in.ContactID, settings)
}

// transferContact is TransferContact for chats: parley's extension of an operation Connect keeps for tasks and
// emails (chat.TransferContact).
func (h *handler) transferContact(ctx context.Context, in *wire.TransferContactRequest) (*wire.TransferContactResponse, error) {
	next, err := h.svc.TransferContact(ctx, chat.TransferInput{InstanceID: deref(in.InstanceID), ContactID: deref(in.ContactID),
		QueueID: deref(in.QueueID), UserID: deref(in.UserID), FlowID: deref(in.ContactFlowID), ClientToken: deref(in.ClientToken)})
	if err != nil {
		return nil, err
	}
	inst, err := h.svc.Instance(ctx, next.InstanceID)
	if err != nil {
		return nil, err
	}
	return &wire.TransferContactResponse{ContactID: next.ID, ContactArn: inst.ARN + "/contact/" + next.ID}, nil
}

// updateContactRoutingData sets a contact's queue priority and routing age; routing criteria (agent
// proficiencies) are not modelled by parley's routing and are refused.
func (h *handler) updateContactRoutingData(ctx context.Context, in *wire.UpdateContactRoutingDataRequest) (*none, error) {
	if in.RoutingCriteria != nil {
		return nil, parley.Invalid("RoutingCriteria", "RoutingCriteria are not supported by parley: its routing has no agent proficiencies")
	}
	var adjust *time.Duration
	if in.QueueTimeAdjustmentSeconds != nil {
		d := time.Duration(*in.QueueTimeAdjustmentSeconds) * time.Second
		adjust = &d
	}
	return nil, h.svc.UpdateRoutingData(ctx, in.InstanceID, in.ContactID, in.QueuePriority, adjust)
}

func (h *handler) describeContact(ctx context.Context, in *wire.DescribeContactRequest) (*wire.DescribeContactResponse, error) {
	contact, err := h.svc.DescribeContact(ctx, in.InstanceID, in.ContactID)
	if err != nil {
		return nil, err
	}
	inst, err := h.svc.Instance(ctx, contact.InstanceID)
	if err != nil {
		return nil, err
	}
	return &wire.DescribeContactResponse{Contact: h.contactOut(ctx, contact, inst.ARN)}, nil
}

// contactOut is the wire form of c. Timestamps are epoch seconds; zero times are left out.
func (h *handler) contactOut(ctx context.Context, c *parley.Contact, instanceARN string) *wire.Contact {
	out := &wire.Contact{
		Arn:                        instanceARN + "/contact/" + c.ID,
		ID:                         c.ID,
		InitialContactID:           c.InitialContactID,
		PreviousContactID:          c.PreviousContactID,
		RelatedContactID:           c.RelatedContactID,
		InitiationMethod:           c.InitiationMethod,
		Channel:                    string(c.Channel),
		InitiationTimestamp:        wire.Epoch(c.InitiatedAt),
		DisconnectTimestamp:        wire.Epoch(c.EndedAt),
		LastUpdateTimestamp:        wire.Epoch(c.UpdatedAt),
		ConnectedToSystemTimestamp: wire.Epoch(c.ConnectedAt),
		CustomerID:                 c.CustomerID,
		DisconnectReason:           c.DisconnectReason,
		Attributes:                 c.Attributes,
		Name:                       c.Name,
		Description:                c.Description,
	}
	if c.QueuePriority != 0 || c.QueueTimeAdjustment != 0 { // set by a flow
		prio, adjust := int64(max(c.QueuePriority, 0)), int32(c.QueueTimeAdjustment/time.Second)
		if prio == 0 {
			prio = parley.DefaultQueuePriority
		}
		out.QueuePriority, out.QueueTimeAdjustmentSeconds = &prio, &adjust
	}
	if out.InitiationMethod == "" {
		out.InitiationMethod = "API"
	}
	if out.Channel == "" {
		out.Channel = string(parley.ChannelChat)
	}
	if c.QueueID != "" {
		out.QueueInfo = &wire.QueueInfo{ID: c.QueueID, EnqueueTimestamp: wire.Epoch(c.EnqueuedAt)}
	}
	if c.AgentID != "" {
		out.AgentInfo = &wire.AgentInfo{ID: c.AgentID, AcceptedByAgentTimestamp: wire.Epoch(c.AgentConnectedAt),
			ConnectedToAgentTimestamp: wire.Epoch(c.AgentConnectedAt)}
	}
	if len(c.SegmentAttributes) > 0 {
		if json.Valid(c.SegmentAttributes) {
			out.SegmentAttributes = json.RawMessage(c.SegmentAttributes)
		} else {
			h.log.ErrorContext(ctx, "stored segment attributes are not JSON", "contact_id", c.ID)
		}
	}
	return out
}

func (h *handler) getContactAttributes(ctx context.Context, in *wire.GetContactAttributesRequest) (*wire.GetContactAttributesResponse, error) {
	attrs, err := h.svc.ContactAttributes(ctx, in.InstanceID, in.InitialContactID)
	if err != nil {
		return nil, err
	}
	if attrs == nil {
		attrs = map[string]string{}
	}
	return &wire.GetContactAttributesResponse{Attributes: attrs}, nil
}

// Page size of ListInstances when the request gives no MaxResults: the model's maximum (MaxResult10).
// ListContactFlows' is the admin default.
const maxInstancesPage = 10

// Values of ListInstances' InstanceSummary.
const (
	identityManagementConnectManaged = "CONNECT_MANAGED"
	instanceStatusActive             = "ACTIVE"
)

func listInstances(h *handler, ctx context.Context, _ *wire.ListInstancesRequest) ([]*parley.Instance, error) {
	return h.svc.ListInstances(ctx)
}

func instanceSummary(in *parley.Instance) wire.InstanceSummary {
	return wire.InstanceSummary{ID: in.ID, Arn: in.ARN, IdentityManagementType: identityManagementConnectManaged,
		InstanceAlias: in.Alias, CreatedTime: wire.Epoch(in.CreatedAt), ServiceRole: serviceRole(in.ARN),
		InstanceStatus: instanceStatusActive}
}

func listContactFlows(h *handler, ctx context.Context, in *wire.ListContactFlowsRequest) ([]*parley.ContactFlow, error) {
	return h.svc.ListContactFlows(ctx, in.InstanceID, in.ContactFlowTypes)
}

func flowSummary(f *parley.ContactFlow) wire.ContactFlowSummary {
	return wire.ContactFlowSummary{ID: f.ID, Arn: f.ARN, Name: f.Name, ContactFlowType: f.Type,
		ContactFlowState: cmp.Or(f.State, "ACTIVE"), ContactFlowStatus: cmp.Or(f.Status, "PUBLISHED")}
}

// listQuery is the maxResults and nextToken of a list operation.
type listQuery struct {
	size   int
	offset int
}

// page returns the page that a list operation's checked MaxResults (def when absent) and NextToken (a token
// paginate issued for kind) ask for.
func page(maxResults *int, nextToken *string, kind string, def int) (listQuery, error) {
	lq := listQuery{size: def}
	if maxResults != nil {
		lq.size = *maxResults
	}
	if nextToken != nil {
		off, ok := decodeToken(*nextToken, kind)
		if !ok {
			return lq, parley.Invalid("NextToken", "NextToken is not valid")
		}
		lq.offset = off
	}
	return lq, nil
}

// paginate returns the page of all that q asks for and the token of the next page ("" on the last page). The
// token is an offset, so pages follow the backend's order; it must be stable.
func paginate[T any](all []T, q listQuery, kind string) ([]T, string) {
	if q.offset >= len(all) {
		return nil, ""
	}
	end := min(q.offset+q.size, len(all))
	next := ""
	if end < len(all) {
		next = encodeToken(kind, end)
	}
	return all[q.offset:end], next
}

func encodeToken(kind string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(offset)))
}

func decodeToken(tok, kind string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	k, n, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return 0, false
	}
	off, err := strconv.Atoi(n)
	if err != nil || off < 0 {
		return 0, false
	}
	return off, true
}

// serviceRole is the service-linked role AWS reports for an instance, derived from the instance ARN
// (arn:<partition>:connect:<region>:<account>:instance/<id>).
func serviceRole(instanceARN string) string {
	parts := strings.SplitN(instanceARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
		return ""
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] +
		":role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect"
}

// truncate shortens s to at most n bytes, on a rune boundary, for messages that echo client input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
