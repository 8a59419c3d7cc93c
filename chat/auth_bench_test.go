package chat_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

// benchChats starts a service on a real SQLite file and n chats, and returns the service and one
// ConnectionToken per chat (the customer's).
func benchChats(b *testing.B, n int, cfg chat.Config) (*chat.Service, []string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "parley.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	bus := local.New()
	b.Cleanup(func() {
		bus.Close()
		st.Close()
	})
	cfg.Secret = bytes.Repeat([]byte{7}, 32)
	cfg.SocketURL = "ws://127.0.0.1:1/ws"
	svc, err := chat.New(st, bus, nil, nil, cfg)
	if err != nil {
		b.Fatal(err)
	}
	in, flow, err := svc.Bootstrap(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, n)
	for i := range tokens {
		out, err := svc.StartChat(ctx, chat.StartChatInput{InstanceID: in.ID, ContactFlowID: flow.ID,
			DisplayName: fmt.Sprintf("Customer %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		conn, err := svc.CreateConnection(ctx, out.ParticipantToken, chat.ConnectionInput{Credentials: true, Websocket: true})
		if err != nil {
			b.Fatal(err)
		}
		tokens[i] = conn.ConnectionToken
	}
	return svc, tokens
}

// BenchmarkAuthenticate measures finding the participant behind a ConnectionToken, which every SendMessage,
// SendEvent and GetTranscript does first: served from the cache (the default) and from the store (three reads:
// the connection, the participant, the chain's active contact).
func BenchmarkAuthenticate(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", 0}, {"store", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			svc, tokens := benchChats(b, 100, chat.Config{AuthCacheTTL: bc.ttl})
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := svc.Authenticate(ctx, tokens[i%len(tokens)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
