package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
	m.Close()

	out, _, err := runParley(t, "", "admin", "users", "--data", dir)
	if err != nil || !strings.Contains(out, "agent") {
		t.Fatalf("admin users: %v, %q", err, out)
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
