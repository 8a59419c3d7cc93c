package durhist

import (
	"testing"
	"time"
)

func TestHistogram(t *testing.T) {
	h := New(10*time.Millisecond, time.Millisecond)
	for _, d := range []time.Duration{-time.Second, 0, time.Millisecond, 2 * time.Millisecond, time.Second} {
		h.Observe(d)
	}
	s := h.Snapshot()
	if s.Count != 5 || s.Buckets[0.001] != 3 || s.Buckets[0.01] != 4 || len(s.Buckets) != 2 {
		t.Errorf("snapshot %+v: want 5 in all, 3 at or under 1 ms, 4 at or under 10 ms", s)
	}
	if want := (time.Millisecond + 2*time.Millisecond + time.Second).Seconds(); s.SumSeconds != want {
		t.Errorf("sum %v, want %v", s.SumSeconds, want)
	}
}
