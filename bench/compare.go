package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Comparison summarizes rounds of the same scenario against parley and against the relay, run alternately by
// the same generator, so that the ratio is taken under the same conditions (neighbours on a shared machine
// move both). Each figure is the median over the rounds.
type Comparison struct {
	Scenario string `json:"scenario"`
	Rounds   int    `json:"rounds"`
	// Parley and Relay are the medians of each target's headline figure: delivered messages per second (chat)
	// or RSS per socket in bytes (idle).
	Parley float64 `json:"parley"`
	Relay  float64 `json:"relay"`
	// Ratio is Parley / Relay.
	Ratio float64 `json:"ratio"`
	// ParleyP99 and RelayP99 are the medians of the end-to-end (chat) or heartbeat answer (idle) p99 in ms.
	ParleyP99 float64 `json:"parley_p99_ms"`
	RelayP99  float64 `json:"relay_p99_ms"`
	// ParleyCPU and RelayCPU are the medians of the server's CPU in cores.
	ParleyCPU float64 `json:"parley_server_cpu_cores"`
	RelayCPU  float64 `json:"relay_server_cpu_cores"`
}

// Compare summarizes reports of one scenario, some against parley and some against the relay.
func Compare(reports []*Report) (*Comparison, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("bench: nothing to compare")
	}
	c := &Comparison{Scenario: reports[0].Scenario}
	var figs, p99s, cpus [2][]float64 // [0] parley, [1] relay
	for _, r := range reports {
		if r.Scenario != c.Scenario {
			return nil, fmt.Errorf("bench: cannot compare %s with %s", r.Scenario, c.Scenario)
		}
		i := 0
		if r.Target == TargetRelay {
			i = 1
		}
		switch {
		case r.Chat != nil:
			figs[i] = append(figs[i], r.Chat.DeliveredRate)
			p99s[i] = append(p99s[i], r.Chat.EndToEnd.P99)
		case r.Idle != nil:
			figs[i] = append(figs[i], r.Idle.RSSPerSocket)
			p99s[i] = append(p99s[i], r.Idle.BeatLatency.P99)
		default:
			return nil, fmt.Errorf("bench: the %s scenario has no baseline to compare with", r.Scenario)
		}
		if r.ServerProc != nil {
			cpus[i] = append(cpus[i], r.ServerProc.CPU)
		}
	}
	if len(figs[0]) == 0 || len(figs[1]) == 0 {
		return nil, fmt.Errorf("bench: a comparison needs reports of both targets")
	}
	c.Rounds = min(len(figs[0]), len(figs[1]))
	c.Parley, c.Relay = median(figs[0]), median(figs[1])
	c.ParleyP99, c.RelayP99 = median(p99s[0]), median(p99s[1])
	c.ParleyCPU, c.RelayCPU = median(cpus[0]), median(cpus[1])
	if c.Relay > 0 {
		c.Ratio = c.Parley / c.Relay
	}
	return c, nil
}

// median returns the median of xs (the mean of the middle two for an even count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Text writes the comparison for people.
func (c *Comparison) Text(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "comparison, %s scenario, median of %d rounds (relay and parley alternately):\n", c.Scenario, c.Rounds)
	switch c.Scenario {
	case ScenarioChat:
		fmt.Fprintf(&b, "  parley %.0f msg/s, relay %.0f msg/s: parley / relay = %.2f\n", c.Parley, c.Relay, c.Ratio)
		fmt.Fprintf(&b, "  end-to-end p99: parley %.2f ms, relay %.2f ms\n", c.ParleyP99, c.RelayP99)
	case ScenarioIdle:
		fmt.Fprintf(&b, "  RSS per socket: parley %.2f KiB, relay %.2f KiB: parley / relay = %.2f\n",
			c.Parley/1024, c.Relay/1024, c.Ratio)
		fmt.Fprintf(&b, "  heartbeat answer p99: parley %.2f ms, relay %.2f ms\n", c.ParleyP99, c.RelayP99)
	}
	fmt.Fprintf(&b, "  server CPU: parley %.2f cores, relay %.2f cores\n", c.ParleyCPU, c.RelayCPU)
	io.WriteString(w, b.String())
}

// StreamComparison summarizes rounds of the chat scenario run alternately without streaming and with it
// (--compare-stream): the cost of streaming to the chat, as issue 12's "≥ 0.8× the same run without streaming"
// asks. Throughput is durable (acknowledged) messages per second.
type StreamComparison struct {
	Rounds int    `json:"rounds"`
	To     string `json:"to"`
	// Without and With are the medians of the acknowledged rate; Ratio is With / Without, and Paired the ratio
	// of each round's two runs.
	Without float64   `json:"without"`
	With    float64   `json:"with"`
	Ratio   float64   `json:"ratio"`
	Paired  []float64 `json:"paired"`
	// DrainSeconds is the slowest round's time from the end of the load until the receiver had every message
	// (-1: a round's receiver never had them all within its wait).
	DrainSeconds float64 `json:"drain_seconds"`
	// WithoutCPU and WithCPU are the medians of the server's CPU in cores; ReceiverCPU of the receiver's, when
	// it ran in a process of its own.
	WithoutCPU  float64 `json:"without_server_cpu_cores"`
	WithCPU     float64 `json:"with_server_cpu_cores"`
	ReceiverCPU float64 `json:"receiver_cpu_cores,omitempty"`
}

// CompareStream summarizes chat reports taken in pairs, without streaming then with it.
func CompareStream(reports []*Report) (*StreamComparison, error) {
	c := &StreamComparison{}
	var without, with, cpu0, cpu1, recv []float64
	for i, r := range reports {
		if r.Chat == nil {
			return nil, fmt.Errorf("bench: the %s scenario has no streaming to compare", r.Scenario)
		}
		streamed := r.Chat.Stream != nil
		if streamed != (i%2 == 1) {
			return nil, fmt.Errorf("bench: report %d: want runs without streaming and with it in turn", i+1)
		}
		rate, cpu := r.Chat.AckedRate, 0.0
		if r.ServerProc != nil {
			cpu = r.ServerProc.CPU
		}
		if !streamed {
			without, cpu0 = append(without, rate), append(cpu0, cpu)
			continue
		}
		with, cpu1 = append(with, rate), append(cpu1, cpu)
		if s := r.Chat.Stream; s.DrainSeconds < 0 || c.DrainSeconds < 0 {
			c.DrainSeconds = -1
		} else {
			c.DrainSeconds = max(c.DrainSeconds, s.DrainSeconds)
		}
		c.To = r.Chat.Stream.To
		if r.Chat.Stream.CPU > 0 {
			recv = append(recv, r.Chat.Stream.CPU)
		}
		if w := without[len(without)-1]; w > 0 {
			c.Paired = append(c.Paired, rate/w)
		}
	}
	if len(with) == 0 || len(with) != len(without) {
		return nil, fmt.Errorf("bench: a streaming comparison needs whole rounds (a run without streaming, then one with it)")
	}
	c.Rounds = len(with)
	c.Without, c.With = median(without), median(with)
	c.WithoutCPU, c.WithCPU, c.ReceiverCPU = median(cpu0), median(cpu1), median(recv)
	if c.Without > 0 {
		c.Ratio = c.With / c.Without
	}
	return c, nil
}

// Text writes the streaming comparison for people.
func (c *StreamComparison) Text(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "streaming comparison, median of %d rounds (without streaming, then streaming to %s):\n", c.Rounds, c.To)
	paired := make([]string, len(c.Paired))
	for i, p := range c.Paired {
		paired[i] = fmt.Sprintf("%.2f", p)
	}
	fmt.Fprintf(&b, "  without %.0f msg/s, with %.0f msg/s: with / without = %.2f (rounds: %s)\n",
		c.Without, c.With, c.Ratio, strings.Join(paired, ", "))
	drain := "not within the wait, in a round"
	if c.DrainSeconds >= 0 {
		drain = fmt.Sprintf("%.2f s after the load stopped, at the latest", c.DrainSeconds)
	}
	fmt.Fprintf(&b, "  every message streamed %s\n", drain)
	fmt.Fprintf(&b, "  server CPU: %.2f cores without, %.2f with", c.WithoutCPU, c.WithCPU)
	if c.ReceiverCPU > 0 {
		fmt.Fprintf(&b, "; the receiver's process %.2f", c.ReceiverCPU)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}
