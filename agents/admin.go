package agents

import (
	"context"

	"github.com/parley-chat/parley"
)

// Instance returns the instance of the user's session.
func (s *Service) Instance(ctx context.Context, u *parley.User) (*parley.Instance, error) {
	return parley.LookupInstance(ctx, s.store, u.InstanceID)
}

// Users lists the users of the user's instance, ordered by username.
func (s *Service) Users(ctx context.Context, u *parley.User) ([]*parley.User, error) {
	return s.admin.ListUsers(ctx, u.InstanceID)
}

// ResetPassword gives a user of the user's instance a new password: password, or a generated one when it is
// empty, which it returns. Errors: ENOTFOUND (no such username), EREQUEST (a password the policy refuses).
func (s *Service) ResetPassword(ctx context.Context, u *parley.User, username, password string) (string, error) {
	return s.admin.ResetPassword(ctx, u.InstanceID, username, password)
}
