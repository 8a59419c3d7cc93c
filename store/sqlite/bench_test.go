package sqlite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/sqlite"
)

// benchItem is a typical chat message: about 100 bytes of text and a ClientToken, so the append also maintains
// the token index.
func benchItem(chain string, n int64) *parley.Item {
	return &parley.Item{
		ChainID:       chain,
		ContactID:     chain,
		ID:            fmt.Sprintf("%s-%d", chain, n),
		Type:          parley.ItemMessage,
		ContentType:   parley.ContentTextPlain,
		Content:       strings.Repeat("hello parley ", 8),
		ParticipantID: "p-" + chain,
		DisplayName:   "Customer",
		Role:          parley.RoleCustomer,
		Time:          time.Now(),
		ClientToken:   fmt.Sprintf("message:%d", n),
	}
}

// BenchmarkAppendItem measures one durable append per Update, one caller at a time: each append waits for its
// own fsync.
func BenchmarkAppendItem(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := b.Context()
	b.ReportAllocs()
	var n int64
	cpu := cpuTime()
	for b.Loop() {
		n++
		it := benchItem("chain", n)
		if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
			b.Fatal(err)
		}
	}
	reportThroughput(b, n, cpuTime()-cpu)
}

// reportThroughput reports appends per second and the process's CPU time per append.
func reportThroughput(b *testing.B, appends int64, cpu time.Duration) {
	b.ReportMetric(float64(appends)/b.Elapsed().Seconds(), "appends/s")
	if cpu > 0 && appends > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(appends), "cpu-µs/append")
	}
}

// BenchmarkAppendItemParallel measures durable appends from many concurrent callers (32 goroutines per
// GOMAXPROCS), each on its own chain, as when many chats are active: group commit lets one transaction and one
// fsync cover many appends.
func BenchmarkAppendItemParallel(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := b.Context()
	b.ReportAllocs()
	b.SetParallelism(32)
	var chains, total atomic.Int64
	before, cpu := s.Stats(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		chain := fmt.Sprintf("chain-%d", chains.Add(1))
		var n int64
		for pb.Next() {
			n++
			it := benchItem(chain, n)
			if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
				b.Error(err)
				return
			}
		}
		total.Add(n)
	})
	after := s.Stats()
	reportThroughput(b, total.Load(), cpuTime()-cpu)
	if batches := after.Batches - before.Batches; batches > 0 {
		b.ReportMetric(float64(after.Updates-before.Updates)/float64(batches), "appends/batch")
	}
}

// BenchmarkClientTokenAfterRestart measures the first ClientToken check on a long chat after the store opens
// again (the writer's cache is cold): a retry of the chain's first message, which must be refused, and a new
// message, which must be stored. Both run on the writer, so their cost is time every other chat waits.
func BenchmarkClientTokenAfterRestart(b *testing.B) {
	const chainLen = 50000
	path := filepath.Join(b.TempDir(), "parley.db")
	s, err := sqlite.Open(b.Context(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	for n := int64(1); n <= chainLen; n += 1000 {
		err := s.Update(b.Context(), func(tx parley.Tx) error {
			for i := n; i < n+1000; i++ {
				if err := tx.AppendItem(b.Context(), benchItem("chain", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	next := int64(chainLen)
	for _, bc := range []struct {
		name string
		item func() *parley.Item
		want parley.Code
	}{
		{"retry", func() *parley.Item { return benchItem("chain", 1) }, parley.ECONFLICT},
		{"new", func() *parley.Item { next++; return benchItem("chain", next) }, ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := b.Context()
			for b.Loop() {
				b.StopTimer()
				s, err := sqlite.Open(ctx, path, nil)
				if err != nil {
					b.Fatal(err)
				}
				it := bc.item()
				b.StartTimer()
				err = s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) })
				b.StopTimer()
				if got := parley.ErrorCode(err); got != bc.want {
					b.Fatalf("append: %v, want code %q", err, bc.want)
				}
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkAppendLongChain measures appends with a ClientToken to a chat of 50,000 items, 100 to a transaction
// so that the fsync does not hide the work per append: what a long-lived chat costs the writer per message.
func BenchmarkAppendLongChain(b *testing.B) {
	const chainLen = 50000
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "parley.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	appendN := func(from, n int64) {
		err := s.Update(ctx, func(tx parley.Tx) error {
			for i := from; i < from+n; i++ {
				if err := tx.AppendItem(ctx, benchItem("chain", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for n := int64(1); n <= chainLen; n += 1000 {
		appendN(n, 1000)
	}
	next, cpu := int64(chainLen+1), cpuTime()
	for b.Loop() {
		appendN(next, 100)
		next += 100
	}
	reportThroughput(b, next-chainLen-1, cpuTime()-cpu)
}
