package streaming

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestBackoff: with the defaults the first retry comes within a second, later ones double up to 30 seconds,
// and each is drawn between half and all of its bound.
func TestBackoff(t *testing.T) {
	s := New(nil, nil, nil, nil, Config{})
	bounds := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
		30 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, bound := range bounds {
		n := i + 1
		seen := map[time.Duration]bool{}
		for range 200 {
			d := s.backoff(n)
			if d < bound/2 || d > bound {
				t.Fatalf("backoff(%d) = %v, want between %v and %v", n, d, bound/2, bound)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("backoff(%d) has no jitter: always %v", n, seen)
		}
	}
	if d := s.backoff(1000); d > 30*time.Second {
		t.Errorf("backoff(1000) = %v, over the cap", d)
	}
}

type sinkErr struct{ permanent bool }

func (e sinkErr) Error() string   { return "sink" }
func (e sinkErr) Permanent() bool { return e.permanent }

// TestPermanent: an error is permanent when it, or an error it wraps, says so.
func TestPermanent(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errors.New("x"), false},
		{Permanent(errors.New("x")), true},
		{fmt.Errorf("publish: %w", Permanent(errors.New("x"))), true},
		{sinkErr{permanent: true}, true},
		{fmt.Errorf("wrapped: %w", sinkErr{permanent: false}), false},
		{nil, false},
	} {
		if got := IsPermanent(tc.err); got != tc.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	inner := errors.New("inner")
	if !errors.Is(Permanent(inner), inner) {
		t.Error("Permanent hides the error it wraps")
	}
}
