package bench

import (
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	chat := func(target string, rate, p99, cpu float64) *Report {
		return &Report{Scenario: ScenarioChat, Target: target, ServerProc: &ProcReport{CPU: cpu},
			Chat: &ChatReport{DeliveredRate: rate, EndToEnd: Latency{P99: p99}}}
	}
	c, err := Compare([]*Report{
		chat(TargetRelay, 20000, 40, 1.2), chat(TargetParley, 9000, 90, 1.4),
		chat(TargetRelay, 30000, 50, 1.3), chat(TargetParley, 12000, 80, 1.3),
		chat(TargetRelay, 24000, 45, 1.1), chat(TargetParley, 11000, 70, 1.5),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Comparison{Scenario: ScenarioChat, Rounds: 3, Parley: 11000, Relay: 24000, Ratio: 11000.0 / 24000,
		ParleyP99: 80, RelayP99: 45, ParleyCPU: 1.4, RelayCPU: 1.2}
	if *c != want {
		t.Errorf("Compare = %+v, want %+v", *c, want)
	}
	var b strings.Builder
	c.Text(&b)
	if !strings.Contains(b.String(), "parley / relay = 0.46") {
		t.Errorf("Text:\n%s", b.String())
	}

	if _, err := Compare([]*Report{chat(TargetParley, 1, 1, 1)}); err == nil {
		t.Error("Compare without relay reports: got nil error")
	}
	start := &Report{Scenario: ScenarioStart, Target: TargetParley, Start: &StartReport{}}
	if _, err := Compare([]*Report{start, start}); err == nil {
		t.Error("Compare of the start scenario: got nil error")
	}
}
