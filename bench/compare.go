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
