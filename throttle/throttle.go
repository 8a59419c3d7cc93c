// Package throttle limits the request rate of the Connect and Participant APIs the way Amazon Connect's
// throttling quotas do: a token bucket per operation and scope (the account for the Connect API, the instance
// for the Participant API), answered with 429 ThrottlingException when empty. It is off by default — parley
// serves as fast as it can — and turned on to reproduce Connect's limits (Config.ConnectQuotas) or to protect a
// server (Config.Operations).
//
// A Limiter is safe for concurrent use.
package throttle

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parley-chat/parley"
)

// Rate is a token bucket: Rate requests a second on average, Burst at once.
type Rate struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

// Config is the throttling section of parley's configuration.
type Config struct {
	// ConnectQuotas applies Amazon Connect's default API throttling quotas (ConnectQuotas below).
	ConnectQuotas bool `yaml:"connect_quotas"`
	// Operations sets or overrides the rate of operations by name (SendMessage, StartChatContact, …).
	Operations map[string]Rate `yaml:"operations"`
}

// Validate checks the rates.
func (c Config) Validate() error {
	for op, r := range c.Operations {
		if r.Rate <= 0 || r.Burst < 1 {
			return fmt.Errorf("throttling.operations.%s: rate must be positive and burst at least 1", op)
		}
	}
	return nil
}

// CheckOperations fails for an operation of Operations that is not among known (the APIs' operation names), so
// that a misspelled name is refused instead of silently limiting nothing.
func (c Config) CheckOperations(known []string) error {
	for op := range c.Operations {
		if !slices.Contains(known, op) {
			return fmt.Errorf("throttling.operations.%s: no such operation (names are the Connect and Participant API operations, e.g. SendMessage, StartChatContact)", op)
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

// maxBuckets is how many buckets a limiter keeps before it drops the full ones (scopes such as client addresses
// come and go).
const maxBuckets = 10000

// Limiter holds the buckets.
type Limiter struct {
	rates map[string]Rate
	def   *Rate // for Connect operations not in rates; nil: unlimited
	clock parley.Clock

	mu      sync.Mutex
	buckets map[key]*bucket
}

type key struct{ op, scope string }

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns the limiter of cfg, nil when cfg limits nothing (a nil *Limiter allows everything). Buckets refill
// by the system clock.
func New(cfg Config) *Limiter {
	return NewWithClock(cfg, nil)
}

// NewWithClock is New with buckets that refill by clock's time (nil: the system clock), so that a test with a
// fake clock counts exact bursts.
func NewWithClock(cfg Config, clock parley.Clock) *Limiter {
	if !cfg.ConnectQuotas && len(cfg.Operations) == 0 {
		return nil
	}
	if clock == nil {
		clock = parley.SystemClock{}
	}
	l := &Limiter{rates: map[string]Rate{}, clock: clock, buckets: map[key]*bucket{}}
	if cfg.ConnectQuotas {
		for op, r := range ConnectQuotas {
			l.rates[op] = r
		}
		d := ConnectDefault
		l.def = &d
	}
	for op, r := range cfg.Operations {
		l.rates[op] = r
	}
	return l
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
		if len(l.buckets) >= maxBuckets {
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
