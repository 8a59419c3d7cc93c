package participant_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/parley-chat/parley/api/participant"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/wire"
)

// benchHandler returns the Participant Service handler over a real SQLite file, and one ConnectionToken per chat
// for n chats.
func benchHandler(b *testing.B, n int) (http.Handler, []string) {
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
	svc, err := chat.New(st, bus, nil, nil, chat.Config{Secret: bytes.Repeat([]byte{7}, 32), SocketURL: "ws://127.0.0.1:1/ws"})
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
	return participant.New(svc, nil), tokens
}

// sendMessage makes one SendMessage request, as ChatJS sends it (with a ClientToken), and checks the answer.
func sendMessage(tb testing.TB, h http.Handler, token string, g, n int) {
	body := `{"ContentType":"text/plain","Content":"Hello, I would like to change my delivery address.","ClientToken":"ct-` +
		strconv.Itoa(g) + "-" + strconv.Itoa(n) + `"}`
	r := httptest.NewRequest(http.MethodPost, wire.PathSendMessage, bytes.NewBufferString(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(wire.HeaderBearer, token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"Id":"`)) {
		tb.Errorf("SendMessage: %d %s", w.Code, w.Body)
	}
}

// BenchmarkSendMessage measures SendMessage through the HTTP handler: decoding and validating the request,
// authenticating the ConnectionToken, the durable append (group commit, fsync), ringing the bus and writing
// the answer. "serial" is one chat at a time (each message waits for its own fsync); "parallel" is 256 chats
// at once, where group commit shares the fsyncs.
func BenchmarkSendMessage(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		h, tokens := benchHandler(b, 1)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			sendMessage(b, h, tokens[0], 0, n)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		const chats = 256
		h, tokens := benchHandler(b, chats)
		b.ReportAllocs()
		b.SetParallelism(chats / 2) // goroutines per GOMAXPROCS (2 here); each sends in its own chat
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			g := int(next.Add(1) - 1)
			tok := tokens[g%chats]
			n := 0
			for pb.Next() {
				n++
				sendMessage(b, h, tok, g, n)
			}
		})
	})
}
