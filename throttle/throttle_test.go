package throttle

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	if l := New(Config{Profile: ProfileOff}); l != nil || !l.Allow("SendMessage", "i", false) {
		t.Fatal("the off profile limits")
	}
	clk := &clock{time.Unix(0, 0)}
	l := NewWithClock(Config{Profile: ProfileConnect, Operations: map[string]Rate{"GetTranscript": {1, 2}}}, clk)
	count := func(op, scope string, connect bool) int {
		n := 0
		for l.Allow(op, scope, connect) {
			n++
		}
		return n
	}
	for _, c := range []struct {
		op, scope string
		connect   bool
		burst     int
	}{
		{"SendMessage", "inst-1", false, 15},
		{"SendMessage", "inst-2", false, 15}, // another instance has its own bucket
		{"StartChatContact", "account", true, 8},
		{"ListQueues", "account", true, 5}, // Connect's default
		{"GetTranscript", "inst-1", false, 2},
		{Messages, "participant-1", false, Defaults.Participant.Messages.Burst},
		{Messages, "participant-2", false, Defaults.Participant.Messages.Burst},
		{Unauthenticated, "192.0.2.1", false, Defaults.Unauthenticated.Burst},
	} {
		if got := count(c.op, c.scope, c.connect); got != c.burst {
			t.Errorf("%s in %s: burst of %d, want %d", c.op, c.scope, got, c.burst)
		}
	}
	clk.t = clk.t.Add(time.Second) // a second refills Rate tokens
	if got := count("SendMessage", "inst-1", false); got != 10 {
		t.Errorf("after 1 s: %d SendMessage, want 10", got)
	}
	if !l.Allow("SomethingNew", "x", false) {
		t.Error("a participant operation without a rate was limited")
	}
	if err := (Config{Operations: map[string]Rate{"X": {0, 1}}}).Validate(); err == nil {
		t.Error("a zero rate validated")
	}
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }
