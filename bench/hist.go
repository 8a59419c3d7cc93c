package bench

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in microseconds, from 1 µs to 2 minutes, with 3 significant digits.
const (
	histMin    = 1
	histMax    = int64(2 * time.Minute / time.Microsecond)
	histDigits = 3
	histShards = 16
)

// latency is a concurrent latency recorder: HdrHistograms in shards, so recording goroutines rarely contend;
// the shards are merged for the report.
type latency struct {
	shards [histShards]struct {
		mu sync.Mutex
		h  *hdrhistogram.Histogram
		_  [40]byte
	}
}

func newLatency() *latency {
	l := &latency{}
	for i := range l.shards {
		l.shards[i].h = hdrhistogram.New(histMin, histMax, histDigits)
	}
	return l
}

// record adds one observation; hint picks the shard (any number, e.g. the recording goroutine's index).
func (l *latency) record(hint int, d time.Duration) {
	us := d.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	s := &l.shards[uint(hint)%histShards]
	s.mu.Lock()
	_ = s.h.RecordValue(us)
	s.mu.Unlock()
}

// merged returns one histogram with every shard's observations.
func (l *latency) merged() *hdrhistogram.Histogram {
	h := hdrhistogram.New(histMin, histMax, histDigits)
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		h.Merge(s.h)
		s.mu.Unlock()
	}
	return h
}

// Latency is the summary of a latency distribution, in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p99_9_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func summarize(h *hdrhistogram.Histogram) Latency {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{
		Count: h.TotalCount(),
		P50:   ms(h.ValueAtQuantile(50)),
		P90:   ms(h.ValueAtQuantile(90)),
		P99:   ms(h.ValueAtQuantile(99)),
		P999:  ms(h.ValueAtQuantile(99.9)),
		Max:   ms(h.Max()),
		Mean:  h.Mean() / 1000,
	}
}

// summary merges and summarizes.
func (l *latency) summary() Latency { return summarize(l.merged()) }

// snapshot is a histogram in a form that crosses process boundaries (worker → coordinator).
func (l *latency) snapshot() *hdrhistogram.Snapshot { return l.merged().Export() }

// add merges a snapshot exported by a worker.
func (l *latency) add(s *hdrhistogram.Snapshot) {
	if s == nil {
		return
	}
	h := hdrhistogram.Import(s)
	sh := &l.shards[0]
	sh.mu.Lock()
	sh.h.Merge(h)
	sh.mu.Unlock()
}
