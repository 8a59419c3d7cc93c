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

// TestParticipantTokenIsRandom: 1000 tokens are distinct and each carries 32 bytes.
func TestParticipantTokenIsRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newParticipantToken()
		raw, err := b64.DecodeString(strings.TrimPrefix(tok, "P"))
		if !strings.HasPrefix(tok, "P") || err != nil || len(raw) != 32 {
			t.Fatalf("token %q: want \"P\" and 32 bytes in base64url", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q issued twice", tok)
		}
		seen[tok] = true
	}
}

// TestSealedToken: a sealed token opens with the secret and the participant id it was sealed for, and with
// nothing else; the sealed form does not contain the token.
func TestSealedToken(t *testing.T) {
	s := testService(t)
	tok := newParticipantToken()
	sealed := s.sealToken("p1", tok)
	if bytes.Contains(sealed, []byte(tok[1:])) {
		t.Fatal("the sealed token holds the token")
	}
	if again := s.sealToken("p1", tok); bytes.Equal(again, sealed) {
		t.Error("sealing twice gave the same bytes: the nonce is not random")
	}
	if got, err := s.sealer(participantSeal).Open(nil, nil, sealed, []byte("p1")); err != nil || string(got) != tok {
		t.Fatalf("open = %q, %v; want %q", got, err, tok)
	}
	if _, err := s.sealer(participantSeal).Open(nil, nil, sealed, []byte("p2")); err == nil {
		t.Error("a token sealed for p1 opens for p2")
	}
	other, err := New(nil, nil, nil, nil, Config{Secret: bytes.Repeat([]byte{8}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.sealer(participantSeal).Open(nil, nil, sealed, []byte("p1")); err == nil {
		t.Error("a token sealed under one secret opens under another")
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	if _, err := s.sealer(participantSeal).Open(nil, nil, flipped, []byte("p1")); err == nil {
		t.Error("an altered sealed token opens")
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
	tok := s.pageToken("chain-1", true, 42, 0)
	fwd, bound, back, err := s.parsePageToken("chain-1", tok)
	if err != nil || !fwd || bound != 42 || back != 0 {
		t.Fatalf("parse = %v %d %d %v", fwd, bound, back, err)
	}
	past := s.pageToken("chain-1", false, 7, 3)
	if fwd, bound, back, err := s.parsePageToken("chain-1", past); err != nil || fwd || bound != 7 || back != 3 {
		t.Fatalf("parse of a history token = %v %d %d %v", fwd, bound, back, err)
	}
	if _, _, _, err := s.parsePageToken("chain-2", tok); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("token of another chain: %v", err)
	}
	for _, bad := range []string{"", "F42", "F43." + strings.Split(tok, ".")[1], "X42.abc", tok + "x"} {
		if _, _, _, err := s.parsePageToken("chain-1", bad); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}
