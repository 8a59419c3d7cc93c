// Package testserver starts the whole parley server in-process for tests: the same server.Main that
// `parley serve` runs, on a random loopback port, with its data in a test temp dir.
package testserver

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/parley-chat/parley/server"
)

// Server is a running test server.
type Server struct {
	*server.Main
	URL           string // http://127.0.0.1:PORT: both APIs and the WebSocket
	Region        string
	InstanceID    string
	ContactFlowID string
}

// Option changes the configuration before start.
type Option func(*server.Config)

// Start runs a server until the test ends. Logs go to t.Log at debug level when PARLEY_TEST_LOG is set.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	m := server.New(cfg, logger(t))
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	in, flow := m.Instance()
	return &Server{Main: m, URL: m.URL(), Region: m.Config().Region, InstanceID: in.ID, ContactFlowID: flow.ID}
}

// DropSockets abruptly closes every open WebSocket, as a network cut would; REST keeps working.
func (s *Server) DropSockets() { s.Gateway().DropAll() }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func logger(t testing.TB) *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
