package nats

import (
	"strings"
	"testing"
)

func TestTokenIsValidAndInjective(t *testing.T) {
	ids := []string{"", "a", "A", "0b7d2c4e-1f7a-4c3e-9d1b-6a2f8e5c7d90", "a.b", "a_b", "_61", "_", "*", ">", "a b",
		"ünï", strings.Repeat("k", maxPlainToken), strings.Repeat("k", maxPlainToken+1)}
	seen := map[string]string{}
	for _, id := range ids {
		tok := token(id)
		if tok == "" || strings.ContainsAny(tok, ".*> \t\r\n") {
			t.Errorf("token(%q) = %q, not a valid subject token", id, tok)
		}
		if prev, dup := seen[tok]; dup {
			t.Errorf("token(%q) = token(%q) = %q", id, prev, tok)
		}
		seen[tok] = id
	}
	if got := token("0b7d2c4e-1f7a-4c3e-9d1b-6a2f8e5c7d90"); got != "0b7d2c4e-1f7a-4c3e-9d1b-6a2f8e5c7d90" {
		t.Errorf("a UUID is its own token, got %q", got)
	}
}

func TestValidPrefix(t *testing.T) {
	for prefix, want := range map[string]bool{"parley": true, "a.b": true, "a-b_c": true, "": false, "a..b": false,
		".a": false, "a.": false, "a.*": false, "a.>": false, "a b": false, "a\tb": false} {
		if got := validPrefix(prefix); got != want {
			t.Errorf("validPrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact("nats://u:secret@a:4222, nats://b:4222,nats://tok@c")
	if strings.Contains(got, "secret") || !strings.Contains(got, "nats://b:4222") {
		t.Errorf("redact = %q", got)
	}
}
