package admin

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
)

// UserInput describes a user to create or update.
type UserInput struct {
	Username string // 1..100 characters, unique in the instance
	// Password, when not empty, must follow Amazon Connect's policy (8..64 characters, upper, lower, digit);
	// it is stored only as a slow hash. A user without a password cannot log in.
	Password  string
	FirstName string // 0..255
	LastName  string // 0..300
	Email     string
	// SecurityProfileIDs (1..10 ids or ARNs of the instance's profiles) decide the user's role.
	SecurityProfileIDs []string
	// RoutingProfileID (id or ARN) must name a routing profile of the instance.
	RoutingProfileID          string
	AutoAccept                bool
	AfterContactWorkTimeLimit int // seconds, 0: no limit
}

func (in *UserInput) check() error {
	var c check
	c.str("Username", in.Username, 1, 100)
	if in.Password != "" {
		if msg := auth.CheckPolicy(in.Password); msg != "" {
			c.fail("Password", "Password %s", msg)
		}
	}
	c.str("IdentityInfo.FirstName", in.FirstName, 0, 255)
	c.str("IdentityInfo.LastName", in.LastName, 0, 300)
	c.str("IdentityInfo.Email", in.Email, 0, 320)
	if n := len(in.SecurityProfileIDs); n < 1 || n > 10 {
		c.fail("SecurityProfileIds", "SecurityProfileIds must have 1 to 10 items (got %d)", n)
	}
	for i, id := range in.SecurityProfileIDs {
		c.str(fmt.Sprintf("SecurityProfileIds[%d]", i), id, 1, 500)
	}
	c.str("RoutingProfileId", in.RoutingProfileID, 1, 500)
	if in.AfterContactWorkTimeLimit < 0 {
		c.fail("PhoneConfig.AfterContactWorkTimeLimit", "AfterContactWorkTimeLimit must not be negative")
	}
	return c.err
}

// RoleFor derives a user's role from the names of its security profiles: Admin gives admin, CallCenterManager
// gives supervisor, anything else agent.
func RoleFor(profileNames []string) parley.UserRole {
	switch {
	case slices.Contains(profileNames, parley.ProfileAdmin):
		return parley.UserAdmin
	case slices.Contains(profileNames, parley.ProfileCallCenterManager):
		return parley.UserSupervisor
	}
	return parley.UserAgent
}

// hashPassword hashes a non-empty password; the empty password gives the empty hash.
func hashPassword(pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	return auth.HashPassword(pw)
}

// CreateUser creates a user. Errors: ENOTFOUND for the instance, a security profile or the routing profile;
// ECONFLICT if the instance has a user with the username; EINVALID for a password that breaks the policy.
func (s *Service) CreateUser(ctx context.Context, instanceID string, in UserInput) (*parley.User, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, parley.Internal(err)
	}
	var u *parley.User
	var inst *parley.Instance
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		u, err = s.putUser(ctx, tx, inst, nil, in, hash)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.configChanged(ctx, inst.ID)
	return u, nil
}

// putUser validates in and stores it: as a new user when old is nil, else over old (keeping its id, status,
// creation time and, when hash is empty, its password).
func (s *Service) putUser(ctx context.Context, tx parley.Tx, inst *parley.Instance, old *parley.User, in UserInput, hash string) (*parley.User, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	profiles, err := tx.ListSecurityProfiles(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	var ids, names []string
	for _, ref := range in.SecurityProfileIDs {
		i := slices.IndexFunc(profiles, func(p *parley.SecurityProfile) bool { return p.ID == idOf(ref) })
		if i < 0 {
			return nil, parley.NotFound("SECURITY_PROFILE", "security profile %s not found in instance %s", ref, inst.ID)
		}
		if !slices.Contains(ids, profiles[i].ID) {
			ids, names = append(ids, profiles[i].ID), append(names, profiles[i].Name)
		}
	}
	rp, err := getRoutingProfile(ctx, tx, inst.ID, in.RoutingProfileID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &parley.User{InstanceID: inst.ID, Username: in.Username, PasswordHash: hash, FirstName: in.FirstName,
		LastName: in.LastName, Email: in.Email, RoutingProfileID: rp.ID, SecurityProfileIDs: ids,
		Role: RoleFor(names), AutoAccept: in.AutoAccept, AfterContactWorkTimeLimit: in.AfterContactWorkTimeLimit,
		CreatedAt: now, UpdatedAt: now}
	if old != nil {
		u.ID, u.StatusID, u.StatusSince, u.CreatedAt = old.ID, old.StatusID, old.StatusSince, old.CreatedAt
		if hash == "" {
			u.PasswordHash = old.PasswordHash
		}
	} else {
		u.ID = newID()
		// A new user starts Offline, as in Amazon Connect.
		if st, err := statusOfType(ctx, tx, inst.ID, parley.StatusOffline); err != nil {
			return nil, err
		} else if st != nil {
			u.StatusID, u.StatusSince = st.ID, now
		}
	}
	u.ARN = arn(inst, arnUser, u.ID)
	if old != nil && sameUser(old, u) {
		return old, nil // nothing changed: keep UpdatedAt (re-applying a bootstrap file is a no-op)
	}
	if err := tx.PutUser(ctx, u); err != nil {
		return nil, duplicate(err, "a user named %q exists in instance %s", in.Username, inst.ID)
	}
	return u, nil
}

// sameUser reports whether a and b differ at most in UpdatedAt. (The times that are not compared here come
// from the store on both sides, so DeepEqual compares them exactly.)
func sameUser(a, b *parley.User) bool {
	x, y := *a, *b
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

// statusOfType returns the first enabled agent status of the given type in the instance, or nil.
func statusOfType(ctx context.Context, r parley.Reader, instanceID, typ string) (*parley.AgentStatus, error) {
	sts, err := r.ListAgentStatuses(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	for _, st := range sts {
		if st.Type == typ && st.State == StatusEnabled {
			return st, nil
		}
	}
	return nil, nil
}

// User returns a user of an instance by id or ARN; ENOTFOUND (USER) if the instance has none.
func (s *Service) User(ctx context.Context, instanceID, userID string) (*parley.User, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return getUser(ctx, s.store, inst.ID, userID)
}

// ListUsers returns the users of an instance ordered by username.
func (s *Service) ListUsers(ctx context.Context, instanceID string) ([]*parley.User, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, inst.ID)
}

// UpdateUserRoutingProfile assigns a routing profile to a user.
func (s *Service) UpdateUserRoutingProfile(ctx context.Context, instanceID, userID, routingProfileID string) error {
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		u, err := getUser(ctx, tx, inst.ID, userID)
		if err != nil {
			return err
		}
		rp, err := getRoutingProfile(ctx, tx, inst.ID, routingProfileID)
		if err != nil {
			return err
		}
		u.RoutingProfileID, u.UpdatedAt = rp.ID, s.now()
		return tx.PutUser(ctx, u)
	})
	if err != nil {
		return err
	}
	s.configChanged(ctx, inst.ID)
	return nil
}

// DeleteUser deletes a user of an instance and ends its sessions.
func (s *Service) DeleteUser(ctx context.Context, instanceID, userID string) error {
	var inst *parley.Instance
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		var err error
		if inst, err = instance(ctx, tx, instanceID); err != nil {
			return err
		}
		u, err := getUser(ctx, tx, inst.ID, userID)
		if err != nil {
			return err
		}
		return tx.DeleteUser(ctx, u.ID)
	})
	if err != nil {
		return err
	}
	s.configChanged(ctx, inst.ID)
	return nil
}

// PutUserStatus sets a user's agent status (an enabled status of the instance) and, after the commit, announces
// it on the bus — also when the status is set again, which clears Missed. StatusSince changes only when the
// status does. Errors: ENOTFOUND for the user or the
// status; EREQUEST for a disabled status.
func (s *Service) PutUserStatus(ctx context.Context, instanceID, userID, statusID string) error {
	var u *parley.User
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		if u, err = getUser(ctx, tx, inst.ID, userID); err != nil {
			return err
		}
		st, err := getAgentStatus(ctx, tx, inst.ID, statusID)
		if err != nil {
			return err
		}
		if st.State != StatusEnabled {
			return parley.Errorf(parley.EREQUEST, "agent status %s is disabled", st.Name)
		}
		// Setting a status, even the one the agent has, ends Missed; the routing node does the same when it hears
		// of it, but a status set while no node routes must not find the agent Missed after the takeover.
		if err := tx.DeleteAgentMissed(ctx, u.ID); err != nil {
			return err
		}
		if u.StatusID == st.ID {
			return nil
		}
		u.StatusID, u.StatusSince = st.ID, s.now()
		return tx.PutUser(ctx, u)
	})
	if err != nil {
		return err
	}
	s.statusChanged(ctx, u)
	return nil
}

// ResetPassword gives a user a new password: password, or, when empty, a generated one, which it returns. It is
// the operator's way back into a lost account (`parley admin reset-password`), so it asks for no old password;
// it ends the user's sessions.
// Errors: ENOTFOUND (no such user in the instance), EINVALID (a password that breaks Connect's policy).
func (s *Service) ResetPassword(ctx context.Context, instanceID, username, password string) (string, error) {
	if password == "" {
		var err error
		if password, err = auth.NewPassword(16); err != nil {
			return "", err
		}
	}
	if why := auth.CheckPolicy(password); why != "" {
		return "", parley.Invalid("Password", "the password %s", why)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		u, err := tx.UserByUsername(ctx, instanceID, username)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		return tx.DeleteUserAgentSessions(ctx, u.ID) // whoever knew the old password is logged out
	})
	if err != nil {
		return "", err
	}
	return password, nil
}
