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
	"github.com/parley-chat/parley/auth"
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
	// Passwords are checked and hashed before the transaction: an existing user whose hash already matches
	// keeps it (no new salt on every start).
	hashes := make([]string, len(f.Users))
	for i, fu := range f.Users {
		if fu.Password == "" {
			continue
		}
		if msg := auth.CheckPolicy(fu.Password); msg != "" {
			return nil, fmt.Errorf("bootstrap: users[%d] %q: %w", i, fu.Username,
				parley.Invalid("Password", "password %s", msg))
		}
		old, err := s.store.UserByUsername(ctx, inst.ID, fu.Username)
		if err == nil {
			if ok, _ := auth.CheckPassword(old.PasswordHash, fu.Password); ok {
				continue
			}
		} else if !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		if hashes[i], err = auth.HashPassword(fu.Password); err != nil {
			return nil, err
		}
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

// note records a created or updated object.
func (r *ApplyResult) note(existed bool, kind, name string) {
	if existed {
		r.Updated = append(r.Updated, kind+" "+name)
	} else {
		r.Created = append(r.Created, kind+" "+name)
	}
}

func (s *Service) apply(ctx context.Context, tx parley.Tx, instanceID string, f *File, hashes []string, res *ApplyResult) error {
	inst, err := instance(ctx, tx, instanceID)
	if err != nil {
		return err
	}
	if a := f.Instance.Alias; a != "" && a != inst.Alias {
		if len(a) > 45 || !aliasPattern.MatchString(a) {
			return fmt.Errorf("bootstrap: instance: %w", parley.Invalid("InstanceAlias",
				"alias %q must be 1 to 45 letters, digits and inner hyphens", a))
		}
		inst.Alias = a
		if err := tx.PutInstance(ctx, inst); err != nil {
			return err
		}
		res.note(true, "instance", a)
	}

	for i, fh := range f.Hours {
		in := HoursInput{Name: fh.Name, Description: fh.Description, TimeZone: fh.TimeZone}
		if in.TimeZone == "" {
			in.TimeZone = "UTC"
		}
		in.Config, err = hoursConfig(fh.Config)
		if err == nil {
			err = upsert(res, "hours", fh.Name, func() ([]*parley.HoursOfOperation, error) {
				return tx.ListHoursOfOperations(ctx, inst.ID)
			}, func(h *parley.HoursOfOperation) string { return h.Name },
				func(h *parley.HoursOfOperation) string { return h.ID },
				func(id string) error { _, err := s.putHours(ctx, tx, inst, id, in); return err })
		}
		if err != nil {
			return fmt.Errorf("bootstrap: hours[%d] %q: %w", i, fh.Name, err)
		}
	}

	for i, fs := range f.AgentStatuses {
		in := AgentStatusInput{Name: fs.Name, Description: fs.Description, State: fs.State,
			DisplayOrder: fs.DisplayOrder}
		if in.State == "" {
			in.State = StatusEnabled
		}
		all, err := tx.ListAgentStatuses(ctx, inst.ID)
		if err == nil {
			old := byName(all, fs.Name, func(st *parley.AgentStatus) string { return st.Name })
			typ := parley.StatusCustom
			if old != nil {
				typ = old.Type // Available and Offline keep their type
			}
			_, err = s.putAgentStatus(ctx, tx, inst, old, typ, in)
			res.note(old != nil, "agent status", fs.Name)
		}
		if err != nil {
			return fmt.Errorf("bootstrap: agent_statuses[%d] %q: %w", i, fs.Name, err)
		}
	}

	for i, fq := range f.Queues {
		err := func() error {
			hoursName := fq.Hours
			if hoursName == "" {
				hoursName = DefaultHoursName
			}
			all, err := tx.ListHoursOfOperations(ctx, inst.ID)
			if err != nil {
				return err
			}
			h := byName(all, hoursName, func(h *parley.HoursOfOperation) string { return h.Name })
			if h == nil {
				return parley.NotFound("HOURS_OF_OPERATION", "no hours of operation named %q", hoursName)
			}
			in := QueueInput{Name: fq.Name, Description: fq.Description, HoursOfOperationID: h.ID,
				MaxContacts: fq.MaxContacts, Status: fq.Status}
			return upsert(res, "queue", fq.Name, func() ([]*parley.Queue, error) {
				return tx.ListQueues(ctx, inst.ID)
			}, func(q *parley.Queue) string { return q.Name }, func(q *parley.Queue) string { return q.ID },
				func(id string) error { _, err := s.putQueue(ctx, tx, inst, id, in); return err })
		}()
		if err != nil {
			return fmt.Errorf("bootstrap: queues[%d] %q: %w", i, fq.Name, err)
		}
	}

	for i, fp := range f.RoutingProfiles {
		err := func() error {
			queues, err := tx.ListQueues(ctx, inst.ID)
			if err != nil {
				return err
			}
			queueID := func(name string) (string, error) {
				q := byName(queues, name, func(q *parley.Queue) string { return q.Name })
				if q == nil {
					return "", parley.NotFound("QUEUE", "no queue named %q", name)
				}
				return q.ID, nil
			}
			in := RoutingProfileInput{Name: fp.Name, Description: fp.Description, ChatConcurrency: fp.ChatConcurrency}
			if in.Description == "" {
				in.Description = fp.Name
			}
			if in.ChatConcurrency == 0 {
				in.ChatConcurrency = DefaultChatConcurrency
			}
			for _, fq := range fp.Queues {
				id, err := queueID(fq.Queue)
				if err != nil {
					return err
				}
				pq := parley.RoutingProfileQueue{QueueID: id, Channel: parley.Channel(fq.Channel),
					Priority: fq.Priority, Delay: fq.Delay}
				if pq.Channel == "" {
					pq.Channel = parley.ChannelChat
				}
				if pq.Priority == 0 {
					pq.Priority = 1
				}
				in.Queues = append(in.Queues, pq)
			}
			out := fp.DefaultOutboundQueue
			switch {
			case out != "":
				if in.DefaultOutboundQueueID, err = queueID(out); err != nil {
					return err
				}
			case len(in.Queues) > 0:
				in.DefaultOutboundQueueID = in.Queues[0].QueueID
			default:
				return parley.Invalid("default_outbound_queue", "a routing profile without queues needs a default_outbound_queue")
			}
			return upsert(res, "routing profile", fp.Name, func() ([]*parley.RoutingProfile, error) {
				return tx.ListRoutingProfiles(ctx, inst.ID)
			}, func(p *parley.RoutingProfile) string { return p.Name },
				func(p *parley.RoutingProfile) string { return p.ID },
				func(id string) error { _, err := s.putRoutingProfile(ctx, tx, inst, id, in); return err })
		}()
		if err != nil {
			return fmt.Errorf("bootstrap: routing_profiles[%d] %q: %w", i, fp.Name, err)
		}
	}

	for i, fu := range f.Users {
		err := func() error {
			profiles, err := tx.ListSecurityProfiles(ctx, inst.ID)
			if err != nil {
				return err
			}
			names := fu.SecurityProfiles
			if len(names) == 0 {
				names = []string{parley.ProfileAgent}
			}
			in := UserInput{Username: fu.Username, FirstName: fu.FirstName, LastName: fu.LastName, Email: fu.Email,
				AutoAccept: fu.AutoAccept, AfterContactWorkTimeLimit: fu.AfterContactWorkTimeLimit}
			for _, n := range names {
				p := byName(profiles, n, func(p *parley.SecurityProfile) string { return p.Name })
				if p == nil {
					return parley.NotFound("SECURITY_PROFILE", "no security profile named %q", n)
				}
				in.SecurityProfileIDs = append(in.SecurityProfileIDs, p.ID)
			}
			rpName := fu.RoutingProfile
			if rpName == "" {
				rpName = DefaultRoutingProfileName
			}
			rps, err := tx.ListRoutingProfiles(ctx, inst.ID)
			if err != nil {
				return err
			}
			rp := byName(rps, rpName, func(p *parley.RoutingProfile) string { return p.Name })
			if rp == nil {
				return parley.NotFound("ROUTING_PROFILE", "no routing profile named %q", rpName)
			}
			in.RoutingProfileID = rp.ID
			old, err := tx.UserByUsername(ctx, inst.ID, fu.Username)
			if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
				return err
			}
			if _, err := s.putUser(ctx, tx, inst, old, in, hashes[i]); err != nil {
				return err
			}
			res.note(old != nil, "user", fu.Username)
			if hashes[i] != "" {
				res.PasswordsSet = append(res.PasswordsSet, fu.Username)
			}
			return nil
		}()
		if err != nil {
			return fmt.Errorf("bootstrap: users[%d] %q: %w", i, fu.Username, err)
		}
	}

	for i, fq := range f.QuickConnects {
		err := func() error {
			in := QuickConnectInput{Name: fq.Name, Description: fq.Description}
			set := 0
			if fq.User != "" {
				set++
				u, err := tx.UserByUsername(ctx, inst.ID, fq.User)
				if parley.IsCode(err, parley.ENOTFOUND) {
					return parley.NotFound("USER", "no user named %q", fq.User)
				} else if err != nil {
					return err
				}
				in.Type, in.UserID = QuickConnectUser, u.ID
			}
			if fq.Queue != "" {
				set++
				qs, err := tx.ListQueues(ctx, inst.ID)
				if err != nil {
					return err
				}
				q := byName(qs, fq.Queue, func(q *parley.Queue) string { return q.Name })
				if q == nil {
					return parley.NotFound("QUEUE", "no queue named %q", fq.Queue)
				}
				in.Type, in.QueueID = QuickConnectQueue, q.ID
			}
			if fq.PhoneNumber != "" {
				set++
				in.Type, in.PhoneNumber = QuickConnectPhone, fq.PhoneNumber
			}
			if fq.ContactFlow != "" {
				flows, err := tx.ListContactFlows(ctx, inst.ID)
				if err != nil {
					return err
				}
				fl := byName(flows, fq.ContactFlow, func(f *parley.ContactFlow) string { return f.Name })
				if fl == nil {
					fl = byName(flows, idOf(fq.ContactFlow), func(f *parley.ContactFlow) string { return f.ID })
				}
				if fl == nil {
					return parley.NotFound("CONTACT_FLOW", "no contact flow named %q", fq.ContactFlow)
				}
				in.ContactFlowID = fl.ID
				if set == 0 {
					set, in.Type = 1, QuickConnectFlow
				}
			}
			if set != 1 {
				return parley.Invalid("quick_connect", "set exactly one of user, queue, phone_number (or only contact_flow)")
			}
			return upsert(res, "quick connect", fq.Name, func() ([]*parley.QuickConnect, error) {
				return tx.ListQuickConnects(ctx, inst.ID)
			}, func(q *parley.QuickConnect) string { return q.Name }, func(q *parley.QuickConnect) string { return q.ID },
				func(id string) error { _, err := s.putQuickConnect(ctx, tx, inst, id, in); return err })
		}()
		if err != nil {
			return fmt.Errorf("bootstrap: quick_connects[%d] %q: %w", i, fq.Name, err)
		}
	}
	return nil
}

// upsert finds the object named name in list's result and calls put with its id (or "" when there is none),
// noting the outcome in res.
func upsert[T any](res *ApplyResult, kind, name string, list func() ([]T, error),
	nameOf, idOf func(T) string, put func(id string) error) error {
	all, err := list()
	if err != nil {
		return err
	}
	id := ""
	for _, v := range all {
		if nameOf(v) == name {
			id = idOf(v)
			break
		}
	}
	if err := put(id); err != nil {
		return err
	}
	res.note(id != "", kind, name)
	return nil
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
