package gateway

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// benchMessage is a typical chat message as the bus delivers it: UUIDs as in production, about 80 bytes of text.
func benchMessage() *parley.Item {
	return &parley.Item{
		ChainID: "a307b665-fe6a-47c0-94c9-e1238918ba14", ContactID: "a307b665-fe6a-47c0-94c9-e1238918ba14", Seq: 42,
		ID: "d2ee0b6e-6b61-498e-a6e7-14356365b0b3", Type: parley.ItemMessage, ContentType: parley.ContentTextPlain,
		Content:       "Hi, thanks for waiting. Let me look up your order: it should arrive on Tuesday.",
		ParticipantID: "1c2142ab-89b0-4a27-9f9f-e32b84e7cfc3", DisplayName: "Agent Smith", Role: parley.RoleAgent,
		Time: time.Date(2026, 3, 21, 6, 33, 1, 515e6, time.UTC),
	}
}

// BenchmarkChatFrame measures encoding an item into the aws/chat frame every socket of its chain gets
// (chat.WireItem, then wire.ChatFrame: the item's JSON as a JSON string inside the frame's JSON, then the
// WebSocket header). It runs once per item per node, whatever the number of sockets.
func BenchmarkChatFrame(b *testing.B) {
	it := benchMessage()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		f, err := chatFrame(it)
		if err != nil {
			b.Fatal(err)
		}
		n = len(f)
	}
	b.SetBytes(int64(n))
}

// BenchmarkDecodeInbound measures recognising the frames ChatJS sends every 10 s on every socket.
func BenchmarkDecodeInbound(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if in, ok := decodeInbound(reqHeartbeat); !ok || in.Topic == "" {
			b.Fatal("heartbeat not recognised")
		}
		if in, ok := decodeInbound(reqPing); !ok || in.Topic == "" {
			b.Fatal("ping not recognised")
		}
	}
}
