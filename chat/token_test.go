package chat

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

func testService(t *testing.T) *Service {
	t.Helper()
	s, err := New(nil, nil, nil, nil, Config{Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewNeedsSecret(t *testing.T) {
	if _, err := New(nil, nil, nil, nil, Config{Secret: []byte("short")}); err == nil {
		t.Fatal("New accepted a short secret")
	}
}

func TestParticipantTokenIsDerivedAndKeyed(t *testing.T) {
	s := testService(t)
	a, b := s.participantToken("p1"), s.participantToken("p1")
	if a != b {
		t.Fatal("the same participant got two tokens")
	}
	if a == s.participantToken("p2") {
		t.Fatal("two participants share a token")
	}
	other, _ := New(nil, nil, nil, nil, Config{Secret: bytes.Repeat([]byte{8}, 32)})
	if a == other.participantToken("p1") {
		t.Fatal("the token does not depend on the secret")
	}
	if len(a) < 40 {
		t.Fatalf("token %q is too short to carry 256 bits", a)
	}
}

func TestSocketToken(t *testing.T) {
	s := testService(t)
	now := time.Now()
	tok := s.socketToken("p1", now.Add(time.Minute))
	if pid, err := s.parseSocketToken(tok, now); err != nil || pid != "p1" {
		t.Fatalf("parse = %q, %v", pid, err)
	}
	if _, err := s.parseSocketToken(tok, now.Add(2*time.Minute)); !parley.IsCode(err, parley.EACCESS) {
		t.Fatalf("expired token: %v, want EACCESS", err)
	}
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"other participant": "p2." + parts[1] + "." + parts[2],
		"later expiry":      parts[0] + ".99999999999999." + parts[2],
		"no mac":            parts[0] + "." + parts[1],
		"garbage":           "x",
		"bad base64":        parts[0] + "." + parts[1] + ".!!",
	} {
		if _, err := s.parseSocketToken(bad, now); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestPageToken(t *testing.T) {
	s := testService(t)
	tok := s.pageToken("chain-1", true, 42)
	fwd, bound, err := s.parsePageToken("chain-1", tok)
	if err != nil || !fwd || bound != 42 {
		t.Fatalf("parse = %v %d %v", fwd, bound, err)
	}
	if _, _, err := s.parsePageToken("chain-2", tok); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("token of another chain: %v", err)
	}
	for _, bad := range []string{"", "F42", "F43." + strings.Split(tok, ".")[1], "X42.abc", tok + "x"} {
		if _, _, err := s.parsePageToken("chain-1", bad); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}
