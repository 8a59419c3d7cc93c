package gateway

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// BenchmarkFanout measures delivering one item to N subscribed sockets over loopback TCP: publish on the bus,
// encode once, queue on every socket, write, and every client has read the frame. The clients read raw bytes
// into a fixed buffer, so allocations are the server's.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, n int) {
	h := newHarness(b, Options{})
	const content = "Hi, thanks for waiting. Let me look up your order: it should arrive on Tuesday."
	// Every item encodes to the same length (fixed-width ids).
	frameLen := len(must(chatFrame(h.be.commit("other", "", content))))

	var wg sync.WaitGroup
	for i := range n {
		c := h.subscribe("bench", fmt.Sprintf("p%d", i%2))
		nc := c.NetConn()
		go func() {
			buf := make([]byte, frameLen)
			for {
				if _, err := io.ReadFull(nc, buf); err != nil {
					return
				}
				wg.Done()
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		wg.Add(n)
		h.publish("bench", "", content)
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/delivery")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkIdleSocketMemory opens idle subscribed sockets and reports the Go heap and stack they hold, per
// socket (not RSS: kernel socket buffers and runtime overhead are not counted). The clients are raw TCP
// connections with a hand-written handshake, so that they add little.
func BenchmarkIdleSocketMemory(b *testing.B) {
	const n = 2000
	h := newHarness(b, Options{})
	token := h.be.participant("idle", "cust")
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	var heap, stack float64
	for b.Loop() {
		b.StopTimer()
		// Start from a settled heap: the previous round's sockets are gone on both sides, and stacks of
		// parked goroutines shrink at GC by half per cycle at most.
		for h.gw.Stats().Open > 0 {
			time.Sleep(time.Millisecond)
		}
		var ms0, ms1 runtime.MemStats
		for range 4 {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms0)
		b.StartTimer()
		conns := make([]net.Conn, 0, n)
		for range n {
			conns = append(conns, rawSubscribe(b, addr, token))
		}
		b.StopTimer()
		for range 4 {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms1)
		// The client ends of the connections live in this process too; they are counted, so this is an upper
		// bound for the server's share.
		heap = float64(int64(ms1.HeapInuse)-int64(ms0.HeapInuse)) / n
		stack = float64(int64(ms1.StackInuse)-int64(ms0.StackInuse)) / n
		for _, c := range conns {
			c.Close()
		}
		b.StartTimer()
	}
	b.ReportMetric(heap+stack, "B/idle-socket")
	b.ReportMetric(heap, "heap-B/idle-socket")
	b.ReportMetric(stack, "stack-B/idle-socket")
}

// rawSubscribe opens a socket with a minimal client and subscribes it to aws/chat.
func rawSubscribe(tb testing.TB, addr, token string) net.Conn {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	req := "GET /ws?token=" + token + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReaderSize(c, 512)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			tb.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
	}
	if _, err := c.Write(clientFrame(true, ws.OpText, reqSubscribeChat, testMask)); err != nil {
		tb.Fatal(err)
	}
	ack := make([]byte, len(replySubscribeChat))
	if _, err := io.ReadFull(br, ack); err != nil || !bytes.Equal(ack, replySubscribeChat) {
		tb.Fatalf("ack %q, %v", ack, err)
	}
	return c
}
