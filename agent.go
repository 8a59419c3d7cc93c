package parley

import "time"

// Users, agent states, queues, routing profiles, hours of operation and quick connects: the configuration of a
// contact center, shaped like Amazon Connect's so the Connect admin APIs map onto it directly.

// Security profiles built into every instance. A user's role in parley follows from its profiles.
const (
	ProfileAdmin             = "Admin"
	ProfileAgent             = "Agent"
	ProfileCallCenterManager = "CallCenterManager"
)

// UserRole is what a user may do in parley's agent API.
type UserRole string

// User roles, from the least to the most privileged.
const (
	UserAgent      UserRole = "agent"
	UserSupervisor UserRole = "supervisor"
	UserAdmin      UserRole = "admin"
)

// SecurityProfile is a named set of permissions (Connect's security profiles; parley knows three by name).
type SecurityProfile struct {
	ID         string
	InstanceID string
	ARN        string
	Name       string
}

// User is a person who logs in: an agent, a supervisor or an admin.
type User struct {
	ID         string
	InstanceID string
	ARN        string
	Username   string
	// PasswordHash is the encoded slow hash of the password; empty for users who cannot log in.
	PasswordHash       string
	FirstName          string
	LastName           string
	Email              string
	RoutingProfileID   string
	SecurityProfileIDs []string
	// Role is derived from the security profiles by the service and stored for quick checks.
	Role UserRole
	// AutoAccept makes offered chats connect without the agent accepting.
	AutoAccept bool
	// AfterContactWorkTimeLimit, in seconds, ends after-contact work by itself; 0 means no limit.
	AfterContactWorkTimeLimit int
	// StatusID is the agent status the user set (an AgentStatus of the instance); StatusSince when.
	StatusID    string
	StatusSince time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Agent status types, as in Connect.
const (
	StatusRoutable = "ROUTABLE" // "Available": contacts are offered
	StatusCustom   = "CUSTOM"   // a named unavailable state ("Lunch", "Training")
	StatusOffline  = "OFFLINE"
)

// AgentStatus is a status an agent can set. Every instance has Available (ROUTABLE) and Offline (OFFLINE).
type AgentStatus struct {
	ID           string
	InstanceID   string
	ARN          string
	Name         string
	Description  string
	Type         string // ROUTABLE | CUSTOM | OFFLINE
	State        string // ENABLED | DISABLED
	DisplayOrder int
}

// RoutingProfile says which queues an agent serves, in which order, and how many chats at once.
type RoutingProfile struct {
	ID                     string
	InstanceID             string
	ARN                    string
	Name                   string
	Description            string
	DefaultOutboundQueueID string
	// ChatConcurrency is the number of chat slots (1..10, default 3).
	ChatConcurrency int
	Queues          []RoutingProfileQueue
}

// RoutingProfileQueue is one queue of a routing profile. Lower Priority is served first; a contact is offered
// to agents of this profile only after it has waited Delay seconds.
type RoutingProfileQueue struct {
	QueueID  string
	Channel  Channel
	Priority int // 1..99
	Delay    int // seconds, 0..9999
}

// HoursOfOperation are the weekly hours a queue is open, in a time zone.
type HoursOfOperation struct {
	ID          string
	InstanceID  string
	ARN         string
	Name        string
	Description string
	TimeZone    string // IANA name, e.g. Europe/Paris
	Config      []HoursConfig
}

// HoursConfig is one opening interval on a day of the week. An end before the start runs past midnight.
type HoursConfig struct {
	Day          string // MONDAY ... SUNDAY
	StartHours   int
	StartMinutes int
	EndHours     int
	EndMinutes   int
}

// QuickConnect is a named transfer destination: a user or a queue.
type QuickConnect struct {
	ID            string
	InstanceID    string
	ARN           string
	Name          string
	Description   string
	Type          string // USER | QUEUE | PHONE_NUMBER
	UserID        string
	QueueID       string
	ContactFlowID string
	PhoneNumber   string
}

// AgentSession is a logged-in session of a user (stored by the hash of its token).
type AgentSession struct {
	TokenHash []byte
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// weekdays maps HoursConfig.Day to time.Weekday.
var weekdays = map[string]time.Weekday{"SUNDAY": time.Sunday, "MONDAY": time.Monday, "TUESDAY": time.Tuesday,
	"WEDNESDAY": time.Wednesday, "THURSDAY": time.Thursday, "FRIDAY": time.Friday, "SATURDAY": time.Saturday}

// OpenAt reports whether the hours are open at t, read in their time zone. An interval whose end is before its
// start runs past midnight into the next day; one whose end equals its start is open all day. It fails only for
// an unknown time zone.
func (h *HoursOfOperation) OpenAt(t time.Time) (bool, error) {
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return false, Errorf(EINVALID, "hours of operation %s: unknown time zone %q", h.ID, h.TimeZone)
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	for _, c := range h.Config {
		day, ok := weekdays[c.Day]
		if !ok {
			continue
		}
		start, end := c.StartHours*60+c.StartMinutes, c.EndHours*60+c.EndMinutes
		switch {
		case start == end: // all day
			if local.Weekday() == day {
				return true, nil
			}
		case start < end:
			if local.Weekday() == day && minute >= start && minute < end {
				return true, nil
			}
		default: // past midnight: [start, 24:00) on day, [00:00, end) on the next day
			if local.Weekday() == day && minute >= start || local.Weekday() == (day+1)%7 && minute < end {
				return true, nil
			}
		}
	}
	return false, nil
}
