package agent

import (
	"testing"
	"time"
)

func TestLockout(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLockout()
	l.now = func() time.Time { return now }
	for range freeLogins {
		l.failed("u", "ip")
	}
	if d := l.wait("u", "ip"); d != 0 {
		t.Fatalf("locked after %d failures: %v", freeLogins, d)
	}
	l.failed("u", "ip")
	if d := l.wait("u"); d != time.Second {
		t.Fatalf("after one more failure: wait %v, want 1s", d)
	}
	l.failed("u", "ip")
	l.failed("u", "ip")
	if d := l.wait("other-user", "ip"); d != 4*time.Second {
		t.Errorf("the address waits %v, want 4s (doubling)", d)
	}
	for range 30 {
		l.failed("u")
	}
	if d := l.wait("u"); d != maxLockout {
		t.Errorf("the wait is capped at %v, got %v", maxLockout, d)
	}
	l.succeeded("u")
	if d := l.wait("u"); d != 0 {
		t.Errorf("a success clears the username: %v", d)
	}
	now = now.Add(2 * maxLockout)
	if d := l.wait("ip"); d != 0 {
		t.Errorf("the lock expires: %v", d)
	}
}
