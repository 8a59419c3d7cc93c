// Package durhist is a histogram of durations with fixed buckets, kept in atomic counters: what a hot path
// (a commit, a bus delivery) records on every call at the cost of two atomic adds, and what package metrics
// reads at a scrape, without the hot path's package depending on Prometheus.
//
// A Histogram is safe for concurrent use; its zero value is not usable: make one with New.
package durhist

import (
	"sort"
	"sync/atomic"
	"time"
)

// Histogram counts durations into buckets by upper bound.
type Histogram struct {
	bounds []time.Duration
	counts []atomic.Uint64 // counts[i]: durations <= bounds[i] and > bounds[i-1]; the last counts the rest
	sum    atomic.Int64    // nanoseconds
}

// New returns a histogram with the given upper bounds, sorted here.
func New(bounds ...time.Duration) *Histogram {
	b := append([]time.Duration(nil), bounds...)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return &Histogram{bounds: b, counts: make([]atomic.Uint64, len(b)+1)}
}

// Default is bounds from 0.1 ms to 5 s, for latencies of one machine's operations.
func Default() *Histogram {
	ms := time.Millisecond
	return New(ms/10, ms/4, ms/2, ms, 2*ms+ms/2, 5*ms, 10*ms, 25*ms, 50*ms, 100*ms, 250*ms, 500*ms, time.Second,
		5*time.Second)
}

// Observe records one duration; a negative one counts as zero. A nil Histogram records nothing.
func (h *Histogram) Observe(d time.Duration) {
	if h == nil {
		return
	}
	d = max(d, 0)
	i := sort.Search(len(h.bounds), func(i int) bool { return d <= h.bounds[i] })
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// Snapshot is a histogram's state at one moment, in Prometheus's form: cumulative counts by upper bound in
// seconds.
type Snapshot struct {
	Count      uint64
	SumSeconds float64
	Buckets    map[float64]uint64
}

// Snapshot reads the histogram. Concurrent Observes may be half counted (in a bucket, not yet in the sum).
func (h *Histogram) Snapshot() Snapshot {
	s := Snapshot{Buckets: make(map[float64]uint64, len(h.bounds))}
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		s.Buckets[b.Seconds()] = cum
	}
	s.Count = cum + h.counts[len(h.bounds)].Load()
	s.SumSeconds = time.Duration(h.sum.Load()).Seconds()
	return s
}
