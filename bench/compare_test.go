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

func TestCompareStream(t *testing.T) {
	chat := func(rate, cpu float64, stream *StreamReport) *Report {
		return &Report{Scenario: ScenarioChat, Target: TargetParley, ServerProc: &ProcReport{CPU: cpu},
			Chat: &ChatReport{AckedRate: rate, Stream: stream}}
	}
	st := func(drain, cpu float64) *StreamReport { return &StreamReport{To: "SNS", DrainSeconds: drain, CPU: cpu} }
	c, err := CompareStream([]*Report{
		chat(10000, 1.3, nil), chat(8000, 1.2, st(0.5, 0.3)),
		chat(12000, 1.4, nil), chat(9000, 1.3, st(1.5, 0.2)),
		chat(11000, 1.35, nil), chat(10000, 1.25, st(0.2, 0.25)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Rounds != 3 || c.Without != 11000 || c.With != 9000 || c.Ratio != 9000.0/11000 || c.DrainSeconds != 1.5 ||
		c.WithoutCPU != 1.35 || c.WithCPU != 1.25 || c.ReceiverCPU != 0.25 || c.To != "SNS" ||
		len(c.Paired) != 3 || c.Paired[0] != 0.8 || c.Paired[1] != 0.75 {
		t.Errorf("CompareStream = %+v", *c)
	}
	var b strings.Builder
	c.Text(&b)
	if !strings.Contains(b.String(), "with / without = 0.82 (rounds: 0.80, 0.75, 0.91)") ||
		!strings.Contains(b.String(), "1.50 s after the load stopped") {
		t.Errorf("Text:\n%s", b.String())
	}
	// A round whose receiver never had everything makes the comparison say so.
	c, err = CompareStream([]*Report{chat(10000, 1, nil), chat(9000, 1, st(-1, 0))})
	if err != nil || c.DrainSeconds != -1 {
		t.Errorf("CompareStream with an undrained round = %+v, %v", c, err)
	}
	for _, bad := range [][]*Report{
		{chat(10000, 1, nil)},
		{chat(9000, 1, st(0, 0)), chat(10000, 1, nil)},
		{{Scenario: ScenarioIdle, Idle: &IdleReport{}}},
	} {
		if _, err := CompareStream(bad); err == nil {
			t.Errorf("CompareStream(%d reports out of turn) = nil error", len(bad))
		}
	}
}
