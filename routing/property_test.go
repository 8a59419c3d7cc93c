package routing_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("routing.seed", 0, "run TestRandomized with only this seed")

// rngChooser takes its choices from a seeded generator.
type rngChooser struct{ r *rand.Rand }

func (c rngChooser) intn(n int) int { return c.r.IntN(n) }

// TestRandomized routes 200 contacts to 20 agents with mixed slots and overlapping profiles, under a simulated
// clock, with random accepts, rejects, ignored offers, releases, status and profile changes, logouts and
// abandons. After every operation the engine must agree with the model and keep the invariants (see sim.check);
// at the end every contact must have been connected, released or removed. It runs fixed seeds and one fresh one;
// a failure prints its seed, and -routing.seed reruns just that one.
func TestRandomized(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, uint64(time.Now().UnixNano())}
	if testing.Short() {
		seeds = seeds[len(seeds)-3:]
	}
	if *seedFlag != 0 {
		seeds = []uint64{*seedFlag}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runRandomized(t, seed) })
	}
}

func runRandomized(t *testing.T, seed uint64) {
	ch := rngChooser{rand.New(rand.NewPCG(seed, seed^0x5eed))}
	w := &world{
		queues:     []string{"billing", "sales", "support", "vip", "returns", "fr"},
		maxSlots:   10,
		delays:     []time.Duration{0, 0, 0, 5 * time.Second, 20 * time.Second, 60 * time.Second},
		steps:      []time.Duration{0, 100 * time.Millisecond, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second},
		contacts:   200,
		priorities: 3,
	}
	for i := range 20 {
		w.agents = append(w.agents, fmt.Sprintf("a%02d", i))
	}
	w.makeHome(ch)
	s := newSim(t, fmt.Sprintf("seed %d (rerun: go test ./routing -run 'TestRandomized/%d$' -routing.seed=%d)",
		seed, seed, seed), 30*time.Second)
	for _, id := range w.agents {
		st := w.home[id]
		st.Routable = ch.intn(5) != 0
		s.setAgent(st)
	}
	enqueued := 0
	steps := 0
	for ; enqueued < w.contacts || steps < 2000; steps++ {
		s.step(ch, w, &enqueued)
	}
	s.finish(w)
	for i := 1; i <= w.contacts; i++ {
		id := fmt.Sprintf("c%03d", i)
		if s.done[id] == "" {
			s.fatalf("contact %s was neither connected, released nor removed", id)
		}
	}
	outcomes := map[string]int{}
	for _, how := range s.done {
		outcomes[how]++
	}
	t.Logf("seed %d: %d steps, %d offers, outcomes %v", seed, steps, s.offersMade, outcomes)
	if s.offersMade < w.contacts {
		t.Errorf("only %d offers made for %d contacts: the simulation exercises too little", s.offersMade, w.contacts)
	}
}

// FuzzEngine drives a small world (4 agents, 3 queues, up to 40 contacts) with operations decoded from the input
// and checks the engine against the model and the invariants after each one.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add([]byte("accept reject release timeout: a chat reaches a person"))
	seed := make([]byte, 600)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		ch := &byteChooser{b: data}
		w := &world{
			agents:     []string{"a", "b", "c", "d"},
			queues:     []string{"x", "y", "z"},
			maxSlots:   3,
			delays:     []time.Duration{0, 0, 10 * time.Second, 40 * time.Second},
			steps:      []time.Duration{0, time.Second, 9 * time.Second, 10 * time.Second, 30 * time.Second},
			contacts:   40,
			priorities: 2,
		}
		w.makeHome(ch)
		s := newSim(t, fmt.Sprintf("fuzz input %q", data), 10*time.Second)
		for _, id := range w.agents {
			s.setAgent(w.home[id])
		}
		enqueued := 0
		for steps := 0; len(ch.b) > 0 && steps < 400; steps++ {
			s.step(ch, w, &enqueued)
		}
		s.finish(w)
	})
}
