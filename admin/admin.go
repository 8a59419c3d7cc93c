// Package admin is parley's configuration plane: the business logic behind the Amazon Connect admin APIs
// (queues, routing profiles, users, agent statuses, hours of operation, quick connects, security profiles), the
// defaults every instance gets, and the declarative YAML bootstrap file applied at start.
//
// The API layer (api/connect) validates requests against the Connect model and calls a Service; the Service
// resolves ids and ARNs within the instance, fills in defaults and ARNs, derives a user's role from its security
// profiles, checks references across objects ("the routing profile's queues exist in the instance"), and stores
// each change in one transaction. Errors are *parley.Error: EINVALID naming the field, ENOTFOUND naming the
// resource kind, ECONFLICT for a duplicate name.
//
// Service is safe for concurrent use. Password hashing (slow on purpose) always happens outside store
// transactions, so that it never holds up the store's writer. Every committed change that matters to routing is
// announced on the Bus as a domain event (parley.EventAgentStatus, parley.EventConfigChanged), so the routing
// service hears of it on whichever node it runs.
package admin

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/parley-chat/parley"
)

// Config tunes the service. The zero value of each field means its default.
type Config struct {
	// Region and AccountID make up the ARNs the service hands out. Defaults: us-west-2, 000000000000 (the same
	// as chat.Config's, so that every ARN of an instance agrees).
	Region    string
	AccountID string
	// NoDemoAgent stops EnsureDefaults from creating the demo agent.
	NoDemoAgent bool
}

// Service implements the configuration operations.
type Service struct {
	store parley.Store
	bus   parley.Bus
	clock parley.Clock
	log   *slog.Logger
	cfg   Config
	// functions reports whether a Lambda function ARN is mapped to an endpoint (nil: none is).
	functions func(arn string) bool
}

// New returns a service over store that announces its changes on bus. A nil clock is the system clock, a nil
// log discards.
func New(store parley.Store, bus parley.Bus, clock parley.Clock, log *slog.Logger, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-west-2"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if clock == nil {
		clock = parley.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, bus: bus, clock: clock, log: log, cfg: cfg}
}

// statusChanged announces a committed status change: the routing service starts or stops offering contacts to
// the user.
func (s *Service) statusChanged(ctx context.Context, u *parley.User) {
	cp := *u
	cp.SecurityProfileIDs = slices.Clone(u.SecurityProfileIDs)
	cp.PasswordHash = "" // events cross the network on a cluster's bus: no secret travels with them
	s.announce(ctx, &parley.Event{Kind: parley.EventAgentStatus, InstanceID: u.InstanceID, UserID: u.ID, User: &cp})
}

// configChanged announces a committed change that matters to routing: a routing profile's queues or
// concurrency, a queue's limit, hours or status, a user's routing profile, a deleted user, objects created by
// the API or the bootstrap file. Only the instance is named; the routing service rereads what it needs.
func (s *Service) configChanged(ctx context.Context, instanceID string) {
	s.announce(ctx, &parley.Event{Kind: parley.EventConfigChanged, InstanceID: instanceID})
}

// announce publishes an event. A failure is logged: the routing service rebuilds from the store when it takes
// over, and the next change announces again.
func (s *Service) announce(ctx context.Context, ev *parley.Event) {
	ev.Time = s.now()
	if err := s.bus.PublishEvent(context.WithoutCancel(ctx), ev); err != nil {
		s.log.WarnContext(ctx, "bus publish failed", "event", ev.Kind, "instance_id", ev.InstanceID, "err", err)
	}
}

// now is the service's time, at the millisecond precision of the wire and the store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

func newID() string { return uuid.NewString() }

// InstanceARN returns the ARN of the instance with the given id.
func (s *Service) InstanceARN(id string) string {
	return "arn:aws:connect:" + s.cfg.Region + ":" + s.cfg.AccountID + ":instance/" + id
}

// ARN path segments of the resource kinds, as Amazon Connect forms them (instance/<id>/<kind>/<id>).
const (
	arnQueue           = "queue"
	arnRoutingProfile  = "routing-profile"
	arnUser            = "agent"
	arnAgentStatus     = "agent-state"
	arnHours           = "operating-hours"
	arnQuickConnect    = "transfer-destination"
	arnSecurityProfile = "security-profile"
)

func arn(inst *parley.Instance, kind, id string) string { return inst.ARN + "/" + kind + "/" + id }

// idOf accepts an id or an ARN ("arn:...:instance/<i>/queue/<id>") and returns the id.
func idOf(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			return s[i+1:]
		}
	}
	return s
}

// Instance returns the instance with the given id or ARN; ENOTFOUND (INSTANCE) if there is none.
func (s *Service) Instance(ctx context.Context, idOrARN string) (*parley.Instance, error) {
	return instance(ctx, s.store, idOrARN)
}

func instance(ctx context.Context, r parley.Reader, idOrARN string) (*parley.Instance, error) {
	return parley.LookupInstance(ctx, r, idOrARN)
}

// owned resolves a lookup of an object by id within an instance: a missing object, or one of another instance,
// is ENOTFOUND for resource, naming ref (what the caller asked for).
func owned[T any](v T, err error, instanceOf func(T) string, instanceID, resource, what, ref string) (T, error) {
	var zero T
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && instanceOf(v) != instanceID) {
		return zero, parley.NotFound(resource, "%s %s not found in instance %s", what, ref, instanceID)
	}
	if err != nil {
		return zero, err
	}
	return v, nil
}

func getQueue(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.Queue, error) {
	q, err := r.GetQueue(ctx, idOf(ref))
	return owned(q, err, func(q *parley.Queue) string { return q.InstanceID }, instanceID, "QUEUE", "queue", ref)
}

func getRoutingProfile(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.RoutingProfile, error) {
	p, err := r.GetRoutingProfile(ctx, idOf(ref))
	return owned(p, err, func(p *parley.RoutingProfile) string { return p.InstanceID }, instanceID,
		"ROUTING_PROFILE", "routing profile", ref)
}

func getUser(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.User, error) {
	u, err := r.GetUser(ctx, idOf(ref))
	return owned(u, err, func(u *parley.User) string { return u.InstanceID }, instanceID, "USER", "user", ref)
}

func getHours(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.HoursOfOperation, error) {
	h, err := r.GetHoursOfOperation(ctx, idOf(ref))
	return owned(h, err, func(h *parley.HoursOfOperation) string { return h.InstanceID }, instanceID,
		"HOURS_OF_OPERATION", "hours of operation", ref)
}

func getQuickConnect(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.QuickConnect, error) {
	q, err := r.GetQuickConnect(ctx, idOf(ref))
	return owned(q, err, func(q *parley.QuickConnect) string { return q.InstanceID }, instanceID,
		"QUICK_CONNECT", "quick connect", ref)
}

func getAgentStatus(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.AgentStatus, error) {
	st, err := r.GetAgentStatus(ctx, idOf(ref))
	return owned(st, err, func(st *parley.AgentStatus) string { return st.InstanceID }, instanceID,
		"AGENT_STATUS", "agent status", ref)
}

func getContactFlow(ctx context.Context, r parley.Reader, instanceID, ref string) (*parley.ContactFlow, error) {
	f, err := r.GetContactFlow(ctx, instanceID, idOf(ref))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.NotFound("CONTACT_FLOW", "contact flow %s not found in instance %s", ref, instanceID)
	}
	return f, err
}

// duplicate turns a store ECONFLICT (a name taken) into a client-safe message naming the object.
func duplicate(err error, format string, args ...any) error {
	if parley.IsCode(err, parley.ECONFLICT) {
		return &parley.Error{Code: parley.ECONFLICT, Message: fmt.Sprintf(format, args...), Err: err}
	}
	return err
}

// check validates the fields of an input and keeps the first failure. Lengths count Unicode code points, as
// the Connect model's constraints do.
type check struct{ err error }

func (c *check) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = parley.Invalid(field, format, args...)
	}
}

// str checks a string's length (min 0: optional) and refuses control characters.
func (c *check) str(field, s string, min, max int) {
	if !utf8.ValidString(s) {
		c.fail(field, "%s is not valid UTF-8", field)
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		c.fail(field, "%s must not be empty", field)
	case n < min:
		c.fail(field, "%s must be at least %d characters long", field, min)
	case max > 0 && n > max:
		c.fail(field, "%s must be at most %d characters long (got %d)", field, max, n)
	case strings.ContainsFunc(s, unicode.IsControl) && !strings.HasSuffix(field, "Description"):
		c.fail(field, "%s must not contain control characters", field)
	}
}

func (c *check) rng(field string, v, min, max int) {
	if v < min || v > max {
		c.fail(field, "%s must be between %d and %d (got %d)", field, min, max, v)
	}
}

func (c *check) enum(field, v string, values ...string) {
	for _, x := range values {
		if v == x {
			return
		}
	}
	c.fail(field, "%s must be one of %v (got %q)", field, values, v)
}

// Channels of routing profiles and quick connects in the Connect model. parley routes CHAT only; the others are
// stored so that a routing profile copied from Amazon Connect reads back as it was written.
var channels = []string{"VOICE", "CHAT", "TASK", "EMAIL"}
