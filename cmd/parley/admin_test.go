package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// TestAdminResetPassword: on a stopped server's data directory, `parley admin users` lists the demo agent and
// `parley admin reset-password` gives it a new password, with which it logs in once the server runs again; a
// running server's data directory is refused with a hint.
func TestAdminResetPassword(t *testing.T) {
	dir := t.TempDir()
	start := func() *server.Main {
		m := server.New(server.Config{DataDir: dir, Listen: "127.0.0.1:0"}, nil)
		if err := m.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := start()
	if _, _, err := runParley(t, "", "admin", "users", "--data", dir); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("admin on a running server's data: %v", err)
	}
	// A chat with a message, whose transcript is read from the data directory once the server stopped.
	inst, flow := m.Instance()
	cd, err := client.StartChat(testContext(t), client.StartChatInput{Endpoint: m.URL(), InstanceID: inst.ID,
		ContactFlowID: flow.ID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := client.NewSession(cd, client.Options{Endpoint: m.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Connect(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.SendMessage(testContext(t), client.ContentTypeTextPlain, "hello from the data"); err != nil {
		t.Fatal(err)
	}
	sess.Close()
	m.Close()
	if out, _, err := runParley(t, "", "transcript", cd.ContactID, "--data", dir); err != nil ||
		!strings.Contains(out, "CUSTOMER Ann: hello from the data") {
		t.Errorf("transcript on a data directory: %v\n%s", err, out)
	}

	out, _, err := runParley(t, "", "admin", "users", "--data", dir)
	if err != nil || !strings.Contains(out, "agent") {
		t.Fatalf("admin users: %v, %q", err, out)
	}
	if _, _, err := runParley(t, "", "transcript", "no-such-contact", "--data", dir); err == nil ||
		!strings.Contains(err.Error(), "not found") {
		t.Errorf("transcript of an unknown contact on a data directory: %v", err)
	}
	out, _, err = runParley(t, "", "admin", "reset-password", "--data", dir, "--user", "agent")
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.TrimSpace(out[strings.LastIndex(out, ":")+1:])
	if len(pw) < 12 {
		t.Fatalf("reset-password printed %q", out)
	}
	if _, _, err := runParley(t, "", "admin", "reset-password", "--data", dir, "--user", "agent", "--password", "short"); err == nil {
		t.Error("a password that breaks the policy was accepted")
	}
	if _, _, err := runParley(t, "", "admin", "reset-password", "--data", dir, "--user", "nobody"); err == nil {
		t.Error("an unknown user was accepted")
	}

	m = start()
	defer m.Close()
	body, _ := json.Marshal(wire.LoginRequest{Username: "agent", Password: pw})
	resp, err := http.Post(m.URL()+"/agent/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login with the new password: %d", resp.StatusCode)
	}
}

// TestAdminServer: `parley admin --server` on a running server, logged in as a user with the Admin security
// profile: it lists the instance, the users, the queues with a waiting chat and that chat among the live
// contacts, and resets the demo agent's password, with which the agent then logs in. A supervisor's login, a
// wrong password and a missing one are refused with what to do.
func TestAdminServer(t *testing.T) {
	ctx := testContext(t)
	bootstrap := filepath.Join(t.TempDir(), "bootstrap.yaml")
	users := `users:
  - {username: boss, password: Admin-pass-1, first_name: Bea, security_profiles: [Admin]}
  - {username: sup, password: Super-pass-1, security_profiles: [CallCenterManager]}
`
	if err := os.WriteFile(bootstrap, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, func(c *server.Config) { c.Bootstrap = bootstrap })
	env := map[string]string{"PARLEY_SERVER": srv.URL, "PARLEY_ADMIN_USER": "boss", "PARLEY_ADMIN_PASSWORD": "Admin-pass-1"}
	admin := func(env map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"admin"}, args...), func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	with := func(kv ...string) map[string]string {
		e := maps.Clone(env)
		for i := 0; i < len(kv); i += 2 {
			e[kv[i]] = kv[i+1]
		}
		return e
	}

	out, err := admin(env, "instances")
	if err != nil || !strings.Contains(out, srv.InstanceID) || !strings.Contains(out, "parley") {
		t.Errorf("admin instances: %v\n%s", err, out)
	}
	out, err = admin(env, "users")
	if err != nil || !strings.Contains(out, "boss") || !strings.Contains(out, "admin") || !strings.Contains(out, "agent") {
		t.Errorf("admin users: %v\n%s", err, out)
	}

	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	// The default flow queues the chat on BasicQueue, where no agent is available: wait until it is there.
	for {
		out, err = admin(env, "contacts")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, cd.ContactID) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the chat %s never showed in admin contacts:\n%s", cd.ContactID, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(out, "QUEUED") || !strings.Contains(out, "BasicQueue") {
		t.Errorf("admin contacts:\n%s", out)
	}
	out, err = admin(env, "queues")
	if err != nil || !regexp.MustCompile(`(?m)^BasicQueue\s+\S+\s+1\s`).MatchString(out) {
		t.Errorf("admin queues, want BasicQueue with 1 waiting: %v\n%s", err, out)
	}

	// The chat's transcript, as text and as JSON, through the top-level command.
	sess, err := client.NewSession(cd, client.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.SendMessage(ctx, client.ContentTypeTextPlain, "where is my parcel?"); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := run(ctx, []string{"transcript", cd.ContactID}, func(k string) string { return env[k] }, &text, io.Discard); err != nil ||
		!regexp.MustCompile(`(?m)^\S+Z\s+CUSTOMER\s+Ann: where is my parcel\?$`).MatchString(text.String()) {
		t.Errorf("parley transcript: %v\n%s", err, text.String())
	}
	out, err = admin(env, "transcript", "--format", "json", cd.ContactID)
	var tr wire.ContactTranscriptResponse
	if err != nil || json.Unmarshal([]byte(out), &tr) != nil || tr.InitialContactID != cd.ContactID ||
		!strings.Contains(out, `"Content": "where is my parcel?"`) {
		t.Errorf("admin transcript --format json: %v\n%s", err, out)
	}
	if _, err := admin(env, "transcript"); err == nil {
		t.Error("admin transcript without a contact: no error")
	}

	_, demoPassword, _ := srv.DemoAgent()
	before, err := client.Login(ctx, client.LoginInput{Endpoint: srv.URL, Username: "agent", Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	out, err = admin(env, "reset-password", "--user", "agent")
	if err != nil {
		t.Fatal(err)
	}
	// A new password logs out whoever used the old one.
	if _, err := before.State(ctx); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Errorf("a session from before reset-password: %v, want UnauthorizedException", err)
	}
	pw := strings.TrimSpace(out[strings.LastIndex(out, ":")+1:])
	body, _ := json.Marshal(wire.LoginRequest{Username: "agent", Password: pw})
	resp, err := http.Post(srv.URL+"/agent/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login with the reset password %q: %d", pw, resp.StatusCode)
	}
	if out, err = admin(env, "reset-password", "--user", "agent", "--password", "Chosen-pass-2"); err != nil || !strings.Contains(out, "set") {
		t.Errorf("reset-password --password: %v, %q", err, out)
	}
	if _, err = admin(env, "reset-password", "--user", "agent", "--password", "short"); err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("a password the policy refuses: %v", err)
	}
	if _, err = admin(env, "reset-password", "--user", "nobody"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("an unknown user: %v", err)
	}

	// The API itself refuses a supervisor the admin operations.
	body, _ = json.Marshal(wire.LoginRequest{Username: "sup", Password: "Super-pass-1"})
	var login wire.LoginResponse
	if resp, err = http.Post(srv.URL+"/agent/v1/login", "application/json", bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/agent/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /agent/v1/users as a supervisor: %d, want 403", resp.StatusCode)
	}

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{with("PARLEY_ADMIN_USER", "sup", "PARLEY_ADMIN_PASSWORD", "Super-pass-1"), "Admin security profile"},
		{with("PARLEY_ADMIN_PASSWORD", "Wrong-pass-1"), "wrong username or password"},
		{with("PARLEY_ADMIN_PASSWORD", ""), "PARLEY_ADMIN_PASSWORD"},
		{with("PARLEY_ADMIN_USER", ""), "--login"},
		{with("PARLEY_SERVER", "127.0.0.1:8080"), "http://"},
	} {
		if _, err := admin(tc.env, "users"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("admin users with %v: %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
}
