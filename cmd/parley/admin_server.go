package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// adminServer is the admin commands on a running server, through its agent API (docs/agent-api.md) with the
// session of a user with the Admin security profile. It sees the instance of that user.
type adminServer struct {
	base  string // the server's URL, without a trailing slash
	token string
	hc    *http.Client
}

// dialAdminServer logs in to the server at base as login.
func dialAdminServer(ctx context.Context, base, instance, login, password string) (*adminServer, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want the server's http:// or https:// URL", base)
	}
	if login == "" {
		return nil, errors.New("--server: name an admin user with --login (or PARLEY_ADMIN_USER)")
	}
	if password == "" {
		return nil, fmt.Errorf("--server: set PARLEY_ADMIN_PASSWORD to the password of %s", login)
	}
	s := &adminServer{base: strings.TrimSuffix(base, "/"), hc: &http.Client{Timeout: 30 * time.Second}}
	var resp wire.LoginResponse
	if err := s.call(ctx, http.MethodPost, "/login", wire.LoginRequest{Username: login, Password: password, InstanceID: instance}, &resp); err != nil {
		return nil, fmt.Errorf("log in to %s as %s: %w", s.base, login, err)
	}
	s.token = resp.Token
	if resp.User.Role != string(parley.UserAdmin) {
		err := fmt.Errorf("%s is a user with the role %s: the admin commands need one with the Admin security profile", login, resp.User.Role)
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// call sends a request to the agent API and decodes its answer into out; an error answer becomes an error
// that says its type and message.
func (s *adminServer) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+"/agent/v1"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e wire.Error
		if json.Unmarshal(b, &e) != nil || e.Message == "" {
			return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
		}
		return fmt.Errorf("%s: %s", e.Type, e.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the agent API's JSON: %w", method, path, err)
	}
	return nil
}

// Close ends the session.
func (s *adminServer) Close() error {
	if s.token == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.call(ctx, http.MethodPost, "/logout", nil, nil)
}

// Instances is the instance of the admin's session: a session sees no other.
func (s *adminServer) Instances(ctx context.Context) ([]*parley.Instance, error) {
	var in wire.AgentInstance
	if err := s.call(ctx, http.MethodGet, "/instance", nil, &in); err != nil {
		return nil, err
	}
	created, _ := time.Parse(time.RFC3339, in.CreatedTime)
	return []*parley.Instance{{ID: in.ID, ARN: in.Arn, Alias: in.Alias, CreatedAt: created}}, nil
}

func (s *adminServer) Queues(ctx context.Context) ([]wire.QueueStatus, bool, error) {
	var out struct{ Queues []wire.QueueStatus }
	err := s.call(ctx, http.MethodGet, "/queues", nil, &out)
	return out.Queues, true, err
}

func (s *adminServer) Users(ctx context.Context) ([]wire.AgentUser, error) {
	var out wire.AgentUsersResponse
	err := s.call(ctx, http.MethodGet, "/users", nil, &out)
	return out.Users, err
}

func (s *adminServer) Contacts(ctx context.Context) ([]wire.AgentContact, error) {
	var out wire.AgentContactsResponse
	err := s.call(ctx, http.MethodGet, "/live-contacts", nil, &out)
	return out.Contacts, err
}

func (s *adminServer) ResetPassword(ctx context.Context, username, password string) (string, error) {
	var out wire.PasswordResponse
	err := s.call(ctx, http.MethodPut, "/users/"+url.PathEscape(username)+"/password", wire.PasswordRequest{Password: password}, &out)
	return firstNonEmpty(out.Password, password), err
}
