// Package throttle holds parley's limits: token buckets for the request rates of the Connect and Participant
// APIs, per participant and per client address, and the caps on stored items, concurrent chats and open
// connections that go with them (Config, the `limits:` section of the configuration).
//
// Three profiles:
//   - "default": limits a real customer, agent or bot never meets, on by default, so that one leaked token or
//     one script cannot flood a chat or the server (Defaults).
//   - "connect": the default limits plus Amazon Connect's own API quotas (ConnectQuotas, per account for the
//     Connect API and per instance for the Participant API) and its concurrent-chats quota, so a team can test
//     its client's retry and backoff against Connect's real numbers.
//   - "off": no rate limits and no caps (connection caps stay: they protect the process's descriptors).
//
// Every limit answers 429 ThrottlingException with Retry-After (LimitExceededException for the concurrent
// chats, ServiceQuotaExceededException for a chat's item cap). A Limiter is safe for concurrent use.
package throttle

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parley-chat/parley"
)

// Rate is a token bucket: Rate requests a second on average, Burst at once.
type Rate struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

func (r Rate) set() bool { return r.Rate > 0 || r.Burst > 0 }

// Profiles.
const (
	ProfileDefault = "default"
	ProfileConnect = "connect"
	ProfileOff     = "off"
)

// Config is the `limits:` section of parley's configuration. In YAML it is either a profile name
// (`limits: connect`) or a mapping whose `profile` picks the base that its other keys override. A zero field
// takes the profile's value.
type Config struct {
	// Profile is default (""), connect or off.
	Profile string `yaml:"profile"`
	// Participant rates are per participant.
	Participant ParticipantRates `yaml:"participant"`
	// Unauthenticated is per client address: requests whose bearer token authenticates nobody (an unknown,
	// forged or revoked ParticipantToken or ConnectionToken). Requests with a valid token never spend it.
	Unauthenticated Rate `yaml:"unauthenticated"`
	// ChatItems caps the items stored in one chat by its participants (messages, events, receipts,
	// attachments): beyond it SendMessage, SendEvent and StartAttachmentUpload answer
	// ServiceQuotaExceededException. The chat itself can still end. -1: no cap.
	ChatItems int `yaml:"chat_items"`
	// ConcurrentChats caps the active chats of one instance: StartChatContact beyond it answers
	// LimitExceededException, as Connect's "concurrent active chats per instance" quota. -1: no cap.
	ConcurrentChats int `yaml:"concurrent_chats"`
	// Operations sets or overrides the rate of API operations by name (SendMessage, StartChatContact, …): the
	// Connect API's per account, the Participant API's per instance.
	Operations map[string]Rate `yaml:"operations"`
	// Connections caps open connections (package server applies it to its listener).
	Connections Connections `yaml:"connections"`
}

// ParticipantRates are the rates of one participant's requests.
type ParticipantRates struct {
	// Messages counts SendMessage and SendEvent together (typing, receipts).
	Messages Rate `yaml:"messages"`
	// Transcripts counts GetTranscript.
	Transcripts Rate `yaml:"transcripts"`
	// Attachments counts StartAttachmentUpload, CompleteAttachmentUpload and GetAttachment together.
	Attachments Rate `yaml:"attachments"`
}

// Connections caps the server's open connections.
type Connections struct {
	// Max is the most connections open at once, WebSocket connections included. Default: the process's
	// descriptor limit less 256 for files and overflow connections. -1: no cap.
	Max int `yaml:"max"`
	// PerIP is the most connections open at once from one client address. Default 5,000 (offices and mobile
	// carriers put many customers behind one address). -1: no cap.
	PerIP int `yaml:"per_ip"`
}

// UnmarshalYAML reads a profile name or a mapping.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Profile = n.Value
		return nil
	}
	type plain Config
	return n.Decode((*plain)(c))
}

// Defaults are the default profile's limits. A person types far below them; a bot may send 10 messages a
// second without ever meeting them; a ChatJS client's typing events and receipts fit in the burst; a transcript
// of 35 attachments (Connect's per-chat maximum) can be read at once.
var Defaults = Config{
	Profile: ProfileDefault,
	Participant: ParticipantRates{
		Messages:    Rate{Rate: 20, Burst: 100},
		Transcripts: Rate{Rate: 5, Burst: 30},
		Attachments: Rate{Rate: 5, Burst: 100},
	},
	Unauthenticated: Rate{Rate: 5, Burst: 50},
	ChatItems:       100_000,
	ConcurrentChats: -1,
}

// ConnectConcurrentChats is Amazon Connect's default quota of concurrent active chats per instance.
const ConnectConcurrentChats = 500

// Resolve returns the configuration with the profile's values in every field left zero; Validate first.
func (c Config) Resolve() Config {
	base := Defaults
	switch c.Profile {
	case ProfileOff:
		base = Config{ChatItems: -1, ConcurrentChats: -1}
	case ProfileConnect:
		base.ConcurrentChats = ConnectConcurrentChats
	}
	base.Profile = c.Profile
	if base.Profile == "" {
		base.Profile = ProfileDefault
	}
	pick := func(dst *Rate, v Rate) {
		if v.set() {
			*dst = v
		}
	}
	pick(&base.Participant.Messages, c.Participant.Messages)
	pick(&base.Participant.Transcripts, c.Participant.Transcripts)
	pick(&base.Participant.Attachments, c.Participant.Attachments)
	pick(&base.Unauthenticated, c.Unauthenticated)
	if c.ChatItems != 0 {
		base.ChatItems = c.ChatItems
	}
	if c.ConcurrentChats != 0 {
		base.ConcurrentChats = c.ConcurrentChats
	}
	base.Operations = c.Operations
	base.Connections = c.Connections
	return base
}

// Validate checks the profile and the rates.
func (c Config) Validate() error {
	switch c.Profile {
	case "", ProfileDefault, ProfileConnect, ProfileOff:
	default:
		return fmt.Errorf("limits: unknown profile %q (default, connect or off)", c.Profile)
	}
	var errs []error
	check := func(name string, r Rate) {
		if r.set() && (r.Rate <= 0 || r.Burst < 1) {
			errs = append(errs, fmt.Errorf("limits.%s: rate must be positive and burst at least 1", name))
		}
	}
	check("participant.messages", c.Participant.Messages)
	check("participant.transcripts", c.Participant.Transcripts)
	check("participant.attachments", c.Participant.Attachments)
	check("unauthenticated", c.Unauthenticated)
	for op, r := range c.Operations {
		if !r.set() {
			r.Rate = -1 // an empty rate is a mistake too
		}
		check("operations."+op, r)
	}
	for name, v := range map[string]int{"chat_items": c.ChatItems, "concurrent_chats": c.ConcurrentChats,
		"connections.max": c.Connections.Max, "connections.per_ip": c.Connections.PerIP} {
		if v < -1 {
			errs = append(errs, fmt.Errorf("limits.%s: %d is neither a count nor -1 (no cap)", name, v))
		}
	}
	return errors.Join(errs...)
}

// CheckOperations fails for an operation of Operations that is not among known (the APIs' operation names), so
// that a misspelled name is refused instead of silently limiting nothing.
func (c Config) CheckOperations(known []string) error {
	for op := range c.Operations {
		if !slices.Contains(known, op) {
			return fmt.Errorf("limits.operations.%s: no such operation (names are the Connect and Participant API operations, e.g. SendMessage, StartChatContact)", op)
		}
	}
	return nil
}

// ConnectQuotas are Amazon Connect's default API throttling quotas (rate/burst per second): the Connect API's
// per account and Region, the Participant API's per instance. Connect operations not listed get
// ConnectDefault.
var ConnectQuotas = map[string]Rate{
	"StartChatContact": {5, 8}, "StartContactStreaming": {5, 8}, "StopContactStreaming": {5, 8},
	"CreateParticipant": {5, 8}, "UpdateParticipantRoleConfig": {5, 8}, "CreatePersistentContactAssociation": {5, 8},
	"GetContactAttributes": {10, 15}, "UpdateContactAttributes": {10, 15}, "DescribeContact": {10, 15},
	"StopContact": {10, 15}, "UpdateContact": {10, 15},
	"SendChatIntegrationEvent": {17, 26},
	// The Participant API.
	"SendMessage": {10, 15}, "SendEvent": {10, 15}, "GetTranscript": {8, 12}, "GetAttachment": {8, 12},
	"CreateParticipantConnection": {6, 9}, "DisconnectParticipant": {3, 5},
	"StartAttachmentUpload": {2, 5}, "CompleteAttachmentUpload": {2, 5},
}

// ConnectDefault is Connect's quota of every other Connect API operation.
var ConnectDefault = Rate{2, 5}

// The buckets of a participant's requests and of unauthenticated requests, keyed like operations.
const (
	Messages        = "participant.messages"
	Transcripts     = "participant.transcripts"
	Attachments     = "participant.attachments"
	Unauthenticated = "unauthenticated"
)

// maxBuckets is how many buckets a limiter keeps before it drops the full ones (scopes such as participants
// and client addresses come and go); pruneEvery spaces the drops, so a crowd of busy scopes costs one sweep
// a second, not one per new scope.
const (
	maxBuckets = 100_000
	pruneEvery = time.Second
)

// Limiter holds the buckets. A nil *Limiter allows everything.
type Limiter struct {
	cfg   Config
	rates map[string]Rate
	def   *Rate // for Connect operations not in rates; nil: unlimited
	clock parley.Clock

	mu       sync.Mutex
	buckets  map[key]*bucket
	prunedAt time.Time
}

type key struct{ op, scope string }

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns the limiter of cfg (resolved against its profile), nil when it limits no rate. Buckets refill
// by the system clock.
func New(cfg Config) *Limiter {
	return NewWithClock(cfg, nil)
}

// NewWithClock is New with buckets that refill by clock's time (nil: the system clock), so that a test with a
// fake clock counts exact bursts.
func NewWithClock(cfg Config, clock parley.Clock) *Limiter {
	cfg = cfg.Resolve()
	if clock == nil {
		clock = parley.SystemClock{}
	}
	l := &Limiter{cfg: cfg, rates: map[string]Rate{}, clock: clock, buckets: map[key]*bucket{}}
	if cfg.Profile == ProfileConnect {
		for op, r := range ConnectQuotas {
			l.rates[op] = r
		}
		d := ConnectDefault
		l.def = &d
	}
	for op, r := range map[string]Rate{Messages: cfg.Participant.Messages, Transcripts: cfg.Participant.Transcripts,
		Attachments: cfg.Participant.Attachments, Unauthenticated: cfg.Unauthenticated} {
		if r.set() {
			l.rates[op] = r
		}
	}
	for op, r := range cfg.Operations {
		l.rates[op] = r
	}
	if len(l.rates) == 0 && l.def == nil {
		return nil
	}
	return l
}

// Config returns the resolved configuration the limiter applies (the zero Config for a nil limiter).
func (l *Limiter) Config() Config {
	if l == nil {
		return Config{}
	}
	return l.cfg
}

// Limits reports whether op has a rate (so a caller can skip the work of finding its scope).
func (l *Limiter) Limits(op string) bool {
	if l == nil {
		return false
	}
	_, ok := l.rates[op]
	return ok
}

// Allow takes a token for op in scope and reports whether there was one. connectAPI says op is a Connect API
// operation (which the Connect default covers when op has no rate of its own).
func (l *Limiter) Allow(op, scope string, connectAPI bool) bool {
	if l == nil {
		return true
	}
	r, ok := l.rates[op]
	if !ok {
		if !connectAPI || l.def == nil {
			return true
		}
		r = *l.def
	}
	now := l.clock.Now()
	k := key{op, scope}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[k]
	if b == nil {
		if len(l.buckets) >= maxBuckets && now.Sub(l.prunedAt) >= pruneEvery {
			l.prune(now)
		}
		b = &bucket{tokens: float64(r.Burst), at: now}
		l.buckets[k] = b
	}
	b.tokens = min(float64(r.Burst), b.tokens+now.Sub(b.at).Seconds()*r.Rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune drops the buckets that have refilled: forgetting them changes nothing.
func (l *Limiter) prune(now time.Time) {
	l.prunedAt = now
	for k, b := range l.buckets {
		r, ok := l.rates[k.op]
		if !ok && l.def != nil {
			r = *l.def
		}
		if r.Rate <= 0 || b.tokens+now.Sub(b.at).Seconds()*r.Rate >= float64(r.Burst) {
			delete(l.buckets, k)
		}
	}
}
