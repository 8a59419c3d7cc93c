package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parley-chat/parley"
)

// File is a declarative bootstrap file: the configuration an instance should have. Apply creates what is
// missing and updates what differs, matching objects by name (users by username); it never deletes. Names
// refer to objects of the instance, whether defined in the file, created earlier through the API, or defaults
// (BasicQueue, Basic Hours, Basic Routing Profile, the security profiles).
//
// See docs/admin.md for the format and an example.
type File struct {
	Instance        FileInstance         `yaml:"instance"`
	Hours           []FileHours          `yaml:"hours"`
	AgentStatuses   []FileAgentStatus    `yaml:"agent_statuses"`
	Queues          []FileQueue          `yaml:"queues"`
	RoutingProfiles []FileRoutingProfile `yaml:"routing_profiles"`
	Users           []FileUser           `yaml:"users"`
	QuickConnects   []FileQuickConnect   `yaml:"quick_connects"`
}

// FileInstance configures the instance itself.
type FileInstance struct {
	// Alias renames the instance (1..45 letters, digits and inner hyphens, as in Amazon Connect).
	Alias string `yaml:"alias"`
}

// FileHours is a set of hours of operation.
type FileHours struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	TimeZone    string `yaml:"time_zone"` // IANA name; default UTC
	// Config lists opening intervals. Without any, the hours are never open.
	Config []FileHoursConfig `yaml:"config"`
}

// FileHoursConfig is an opening interval on one or more days: day: MONDAY or days: [MONDAY, TUESDAY], with
// start and end as "HH:MM" (24-hour). An end before the start runs past midnight; start and end both "00:00"
// is the whole day.
type FileHoursConfig struct {
	Day   string   `yaml:"day"`
	Days  []string `yaml:"days"`
	Start string   `yaml:"start"`
	End   string   `yaml:"end"`
}

// FileAgentStatus is a custom agent status.
type FileAgentStatus struct {
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	State        string `yaml:"state"` // ENABLED (default) or DISABLED
	DisplayOrder int    `yaml:"display_order"`
}

// FileQueue is a queue.
type FileQueue struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Hours       string `yaml:"hours"`        // name of hours; default "Basic Hours"
	MaxContacts int    `yaml:"max_contacts"` // 0: no limit
	Status      string `yaml:"status"`       // ENABLED (default) or DISABLED
}

// FileRoutingProfile is a routing profile.
type FileRoutingProfile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"` // default: the name
	// ChatConcurrency is the number of chat slots, 1..10; default 3.
	ChatConcurrency int `yaml:"chat_concurrency"`
	// DefaultOutboundQueue is a queue name; default: the first queue listed.
	DefaultOutboundQueue string             `yaml:"default_outbound_queue"`
	Queues               []FileProfileQueue `yaml:"queues"`
}

// FileProfileQueue is a queue of a routing profile.
type FileProfileQueue struct {
	Queue    string `yaml:"queue"`    // queue name
	Channel  string `yaml:"channel"`  // default CHAT
	Priority int    `yaml:"priority"` // 1..99; default 1
	Delay    int    `yaml:"delay"`    // seconds, 0..9999
}

// FileUser is a user.
type FileUser struct {
	Username string `yaml:"username"`
	// Password or PasswordEnv (the name of an environment variable holding it) sets the password, which must
	// follow Amazon Connect's policy. Without either, a new user cannot log in and an existing user keeps its
	// password.
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
	FirstName   string `yaml:"first_name"`
	LastName    string `yaml:"last_name"`
	Email       string `yaml:"email"`
	// SecurityProfiles are profile names (Admin, Agent, CallCenterManager); default [Agent].
	SecurityProfiles []string `yaml:"security_profiles"`
	// RoutingProfile is a routing profile name; default "Basic Routing Profile".
	RoutingProfile            string `yaml:"routing_profile"`
	AutoAccept                bool   `yaml:"auto_accept"`
	AfterContactWorkTimeLimit int    `yaml:"after_contact_work_time_limit"`
}

// FileQuickConnect is a quick connect: set exactly one of user (a username), queue (a queue name),
// phone_number or, for a FLOW quick connect, only contact_flow.
type FileQuickConnect struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	User        string `yaml:"user"`
	Queue       string `yaml:"queue"`
	PhoneNumber string `yaml:"phone_number"`
	// ContactFlow is a flow name or id (required for a FLOW quick connect, optional otherwise).
	ContactFlow string `yaml:"contact_flow"`
}

// LoadFile reads and parses a bootstrap file; see ParseFile.
func LoadFile(path string, getenv func(string) string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bootstrap file: %w", err)
	}
	f, err := ParseFile(b, getenv)
	if err != nil {
		return nil, fmt.Errorf("bootstrap file %s: %w", path, err)
	}
	return f, nil
}

// ParseFile parses a bootstrap file. Unknown keys are errors (they are usually typos). Each password_env is
// resolved with getenv (os.Getenv when nil): a missing or empty variable is an error.
func ParseFile(data []byte, getenv func(string) string) (*File, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	for i := range f.Users {
		u := &f.Users[i]
		if u.PasswordEnv == "" {
			continue
		}
		if u.Password != "" {
			return nil, fmt.Errorf("users[%d] %q: set password or password_env, not both", i, u.Username)
		}
		if u.Password = getenv(u.PasswordEnv); u.Password == "" {
			return nil, fmt.Errorf("users[%d] %q: environment variable %s is not set", i, u.Username, u.PasswordEnv)
		}
	}
	return &f, nil
}

// ApplyResult says what Apply did, as "kind name" strings ("queue Sales", "user alice").
type ApplyResult struct {
	Created []string
	Updated []string
	// PasswordsSet are the usernames whose password Apply set (new users with a password, and existing users
	// whose password differed).
	PasswordsSet []string
}

// aliasPattern is Amazon Connect's instance alias pattern.
var aliasPattern = regexp.MustCompile(`^([\da-zA-Z]+)([-]*[\da-zA-Z])*$`)

// Apply makes the instance match f in one transaction: everything or nothing. Objects are matched by name
// (users by username) and updated in place, keeping their ids; nothing is deleted. Applying the same file
// twice changes nothing the second time. Errors name the entry of the file that failed.
func (s *Service) Apply(ctx context.Context, instanceID string, f *File) (*ApplyResult, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	hashes, err := s.passwordHashes(ctx, inst.ID, f.Users)
	if err != nil {
		return nil, err
	}
	var res *ApplyResult
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		res = &ApplyResult{}
		return s.apply(ctx, tx, inst.ID, f, hashes, res)
	})
	if err != nil {
		return nil, err
	}
	s.configChanged(ctx, inst.ID)
	return res, nil
}

// hoursConfig converts the file's intervals ("HH:MM", one or more days) to HoursConfig values.
func hoursConfig(fcs []FileHoursConfig) ([]parley.HoursConfig, error) {
	var out []parley.HoursConfig
	for i, fc := range fcs {
		ds := fc.Days
		if fc.Day != "" {
			ds = append([]string{fc.Day}, ds...)
		}
		if len(ds) == 0 {
			return nil, parley.Invalid(fmt.Sprintf("config[%d]", i), "config[%d] needs day or days", i)
		}
		sh, sm, err := clock(fc.Start)
		if err != nil {
			return nil, parley.Invalid(fmt.Sprintf("config[%d].start", i), "config[%d].start: %v", i, err)
		}
		eh, em, err := clock(fc.End)
		if err != nil {
			return nil, parley.Invalid(fmt.Sprintf("config[%d].end", i), "config[%d].end: %v", i, err)
		}
		for _, d := range ds {
			out = append(out, parley.HoursConfig{Day: strings.ToUpper(d), StartHours: sh, StartMinutes: sm,
				EndHours: eh, EndMinutes: em})
		}
	}
	return out, nil
}

// clock parses "HH:MM" (24-hour; "" is 00:00).
func clock(s string) (h, m int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	hs, ms, ok := strings.Cut(s, ":")
	if ok {
		h, err = strconv.Atoi(hs)
		if err == nil {
			m, err = strconv.Atoi(ms)
		}
	}
	if !ok || err != nil || len(ms) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("%q is not a time of day such as 09:30", s)
	}
	return h, m, nil
}
