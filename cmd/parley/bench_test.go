package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/parley-chat/parley/bench"
)

// TestBenchBoth runs the chat scenario tiny against the relay and parley alternately and checks the comparison
// that ends the report (a smoke test: it never judges a speed).
func TestBenchBoth(t *testing.T) {
	var out bytes.Buffer
	args := []string{"chat", "--target", "both", "--rounds", "1", "--server", "inproc", "--chats", "2",
		"--duration", "1s", "--warmup", "200ms", "--json"}
	if err := run(t.Context(), append([]string{"bench"}, args...), noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Reports    []*bench.Report   `json:"reports"`
		Comparison *bench.Comparison `json:"comparison"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not the JSON report: %v\n%s", err, out.String())
	}
	if len(got.Reports) != 2 || got.Reports[0].Target != bench.TargetRelay || got.Reports[1].Target != bench.TargetParley {
		t.Fatalf("reports: want relay then parley, got %d", len(got.Reports))
	}
	c := got.Comparison
	if c == nil || c.Rounds != 1 || c.Parley <= 0 || c.Relay <= 0 || c.Ratio != c.Parley/c.Relay {
		t.Errorf("comparison %+v", c)
	}

	err := run(t.Context(), []string{"bench", "start", "--target", "both"}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no baseline") {
		t.Errorf("start --target both: got %v, want an error saying it has no baseline", err)
	}
}

// TestBenchCompareStream runs the chat scenario tiny without streaming and with it, to SNS, and checks the
// comparison that ends the report (a smoke test: it never judges a speed).
func TestBenchCompareStream(t *testing.T) {
	var out bytes.Buffer
	args := []string{"chat", "--compare-stream", "--stream-to", "sns", "--rounds", "1", "--server", "inproc",
		"--chats", "2", "--duration", "1s", "--warmup", "200ms", "--json"}
	if err := run(t.Context(), append([]string{"bench"}, args...), noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Reports    []*bench.Report         `json:"reports"`
		Comparison *bench.StreamComparison `json:"comparison"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not the JSON report: %v\n%s", err, out.String())
	}
	if len(got.Reports) != 2 || got.Reports[0].Chat.Stream != nil || got.Reports[1].Chat.Stream == nil {
		t.Fatalf("reports: want one without streaming, then one with it; got %d", len(got.Reports))
	}
	c := got.Comparison
	if c == nil || c.Rounds != 1 || c.Without <= 0 || c.With <= 0 || c.Ratio != c.With/c.Without || c.To != "SNS" ||
		c.DrainSeconds < 0 || len(c.Paired) != 1 {
		t.Errorf("comparison %+v", c)
	}
	err := run(t.Context(), []string{"bench", "idle", "--compare-stream"}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "chat scenario") {
		t.Errorf("idle --compare-stream: got %v, want an error naming the chat scenario", err)
	}
}

// TestBenchSoakFlags checks that `parley bench soak` refuses bad flags before it starts anything (the scenario
// itself runs in test/crash, against a built binary).
func TestBenchSoakFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"soak", "--kill-every", "10ms"}, "100ms or more"},
		{[]string{"soak", "--chats", "5000"}, "at most"},
		{[]string{"soak", "--rate", "-1"}, "rate"},
		{[]string{"soak", "--nodes", "3"}, "several nodes need"},
		{[]string{"soak", "extra"}, "unexpected argument"},
	} {
		err := run(t.Context(), append([]string{"bench"}, tc.args...), noEnv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
