package routing_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/parley-chat/parley/routing"
)

// benchEngine returns an engine with 200 routable agents and 1,000 waiting contacts spread over 10 queues. Each
// agent serves 3 queues with priorities 1..3 and no delay, and has slots chat slots (0 means a mix of 1..10).
func benchEngine(slots int) (*routing.Engine, time.Time) {
	r := rand.New(rand.NewPCG(7, 7))
	e := routing.New(routing.Config{})
	for i := range 200 {
		st := routing.AgentState{ID: fmt.Sprintf("agent-%03d", i), Routable: true, Slots: slots}
		if slots == 0 {
			st.Slots = 1 + r.IntN(10)
		}
		for p := range 3 {
			st.Queues = append(st.Queues, routing.QueueRef{QueueID: fmt.Sprintf("q%d", r.IntN(10)), Priority: p + 1})
		}
		e.SetAgent(st, t0.Add(time.Duration(r.IntN(3600))*time.Second))
	}
	for i := range 1000 {
		ref := routing.ContactRef{ID: fmt.Sprintf("contact-%04d", i), QueueID: fmt.Sprintf("q%d", r.IntN(10)),
			EnqueuedAt: t0.Add(time.Hour + time.Duration(r.IntN(600))*time.Second)}
		if err := e.Enqueue(ref, ref.EnqueuedAt); err != nil {
			panic(err)
		}
	}
	return e, t0.Add(2 * time.Hour)
}

// BenchmarkMatch measures one Match over 1,000 waiting contacts and 200 idle agents, from a fresh engine each
// time: mixed slots (about 1,100 in all, so nearly every contact is placed), or 3 slots each (600 offers, 400
// contacts left waiting).
func BenchmarkMatch(b *testing.B) {
	for _, bc := range []struct {
		name  string
		slots int
	}{{"mixed-slots", 0}, {"3-slots", 3}} {
		b.Run(bc.name, func(b *testing.B) {
			offers := 0
			for b.Loop() {
				b.StopTimer()
				e, now := benchEngine(bc.slots)
				b.StartTimer()
				offers = len(e.Match(now))
			}
			b.ReportMetric(float64(offers), "offers/op")
		})
	}
}

// BenchmarkMatchIdle measures the common call that finds nothing to do: every agent is full and 400 contacts
// wait.
func BenchmarkMatchIdle(b *testing.B) {
	e, now := benchEngine(3)
	e.Match(now)
	for b.Loop() {
		if n := len(e.Match(now)); n != 0 {
			b.Fatalf("Match made %d offers, want none", n)
		}
	}
}

// BenchmarkNextWake measures NextWake with 600 pending offers and 400 waiting contacts.
func BenchmarkNextWake(b *testing.B) {
	e, now := benchEngine(3)
	e.Match(now)
	for b.Loop() {
		e.NextWake(now)
	}
}
