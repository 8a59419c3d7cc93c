package gateway

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// clientFrame builds a masked client frame.
func clientFrame(fin bool, op ws.OpCode, payload []byte, mask [4]byte) []byte {
	var b []byte
	first := byte(op)
	if fin {
		first |= 0x80
	}
	b = append(b, first)
	n := len(payload)
	switch {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, mask[:]...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	return b
}

var testMask = [4]byte{0x12, 0x34, 0x56, 0x78}

func TestFrameReader(t *testing.T) {
	text := []byte(`{"topic":"aws/heartbeat"}`)
	big := bytes.Repeat([]byte("a"), 70000)
	tests := []struct {
		name    string
		in      []byte
		max     int
		want    []string // "op:payload" of each returned frame
		wantErr error
	}{
		{
			name: "text",
			in:   clientFrame(true, ws.OpText, text, testMask),
			max:  1024,
			want: []string{"1:" + string(text)},
		},
		{
			name: "fragments with a ping between",
			in: cat(
				clientFrame(false, ws.OpText, []byte("hel"), testMask),
				clientFrame(true, ws.OpPing, []byte("p"), testMask),
				clientFrame(false, ws.OpContinuation, []byte("lo "), testMask),
				clientFrame(true, ws.OpContinuation, []byte("world"), testMask),
			),
			max:  1024,
			want: []string{"9:p", "1:hello world"},
		},
		{
			name: "64-bit length",
			in:   clientFrame(true, ws.OpBinary, big, testMask),
			max:  1 << 20,
			want: []string{"2:" + string(big)},
		},
		{
			name:    "too big",
			in:      clientFrame(true, ws.OpText, big, testMask),
			max:     64 << 10,
			wantErr: errTooBig,
		},
		{
			name: "too big across fragments",
			in: cat(
				clientFrame(false, ws.OpText, big[:40000], testMask),
				clientFrame(true, ws.OpContinuation, big[:40000], testMask),
			),
			max:     64 << 10,
			wantErr: errTooBig,
		},
		{
			name:    "unmasked",
			in:      append([]byte{0x81, 0x02}, "hi"...),
			max:     1024,
			wantErr: ws.ErrProtocolMaskRequired,
		},
		{
			name:    "continuation first",
			in:      clientFrame(true, ws.OpContinuation, []byte("x"), testMask),
			max:     1024,
			wantErr: ws.ErrProtocolContinuationUnexpected,
		},
		{
			name: "new message inside a fragmented one",
			in: cat(
				clientFrame(false, ws.OpText, []byte("a"), testMask),
				clientFrame(true, ws.OpText, []byte("b"), testMask),
			),
			max:     1024,
			wantErr: ws.ErrProtocolContinuationExpected,
		},
		{
			name:    "control frame too long",
			in:      clientFrame(true, ws.OpPing, bytes.Repeat([]byte("x"), 126), testMask),
			max:     1024,
			wantErr: ws.ErrProtocolControlPayloadOverflow,
		},
		{
			name:    "fragmented control frame",
			in:      clientFrame(false, ws.OpPing, nil, testMask),
			max:     1024,
			wantErr: ws.ErrProtocolControlNotFinal,
		},
		{
			name:    "reserved opcode",
			in:      clientFrame(true, ws.OpCode(0x3), nil, testMask),
			max:     1024,
			wantErr: ws.ErrProtocolOpCodeReserved,
		},
		{
			name:    "rsv bit",
			in:      append([]byte{0xc1, 0x80}, testMask[:]...),
			max:     1024,
			wantErr: ws.ErrProtocolNonZeroRsv,
		},
		{
			name:    "truncated payload",
			in:      clientFrame(true, ws.OpText, text, testMask)[:10],
			max:     1024,
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name:    "declared 2^62 bytes, sends 3",
			in:      append([]byte{0x81, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, "abc"...),
			max:     1 << 30,
			wantErr: errTooBig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := &frameReader{r: bytes.NewReader(tt.in), max: tt.max}
			var got []string
			var err error
			for {
				var op ws.OpCode
				var p []byte
				op, p, err = fr.next()
				if err != nil {
					break
				}
				got = append(got, string('0'+rune(op))+":"+string(p))
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != io.EOF {
				t.Errorf("err = %v, want EOF after the frames", err)
			}
			if tt.want != nil && !equalStrings(got, tt.want) {
				t.Errorf("frames = %.80q, want %.80q", got, tt.want)
			}
		})
	}
}

// TestFrameReaderLyingLength: a peer that declares a huge frame and sends little makes the reader allocate
// about what it sent, not what it declared.
func TestFrameReaderLyingLength(t *testing.T) {
	in := append([]byte{0x81, 0x80 | 126, 0xff, 0xff, 1, 2, 3, 4}, "abc"...) // declares 65535, sends 3
	fr := &frameReader{r: bytes.NewReader(in), max: 1 << 20}
	if _, _, err := fr.next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	if c := cap(fr.msg); c > 4096 {
		t.Errorf("allocated %d bytes for 3 received", c)
	}
}

func TestUnmaskMatchesNaive(t *testing.T) {
	// The gateway relies on ws.Cipher (assembly on amd64/arm64) to unmask whole payloads.
	for n := range 300 {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i * 7)
		}
		want := make([]byte, n)
		for i := range p {
			want[i] = p[i] ^ testMask[i%4]
		}
		got := append([]byte(nil), p...)
		ws.Cipher(got, testMask, 0)
		if !bytes.Equal(got, want) {
			t.Fatalf("Cipher of %d bytes differs from the naive xor", n)
		}
	}
}

func TestDecodeInbound(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		topic  string
		topics []string
	}{
		{in: `{"topic":"aws/heartbeat"}`, ok: true, topic: "aws/heartbeat"},
		{in: `{"topic":"aws/ping"}`, ok: true, topic: "aws/ping"},
		{in: `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`, ok: true, topic: "aws/subscribe", topics: []string{"aws/chat"}},
		{in: `{"topic":"aws/subscribe","content":{"topics":"aws/chat"}}`, ok: true, topic: "aws/subscribe", topics: []string{}},
		{in: `{"topic":"aws/subscribe","content":"x"}`, ok: true, topic: "aws/subscribe", topics: []string{}},
		{in: `{"topic":"aws/unsubscribe","content":{"topics":["aws/chat"]}}`, ok: true, topic: "aws/unsubscribe", topics: []string{"aws/chat"}},
		{in: `{"topic":"x"}`, ok: true, topic: "x"},
		{in: `{"topic":1}`},
		{in: `[]`},
		{in: ``},
		{in: `nope`},
	}
	for _, tt := range tests {
		in, ok := decodeInbound([]byte(tt.in))
		if ok != tt.ok || in.Topic != tt.topic || !equalStrings(in.Topics, tt.topics) || (tt.topics != nil && in.Topics == nil) {
			t.Errorf("decodeInbound(%s) = %+v, %v; want topic %q topics %q ok %v", tt.in, in, ok, tt.topic, tt.topics, tt.ok)
		}
	}
}

func TestCloseFrameReasonCut(t *testing.T) {
	reason := string(bytes.Repeat([]byte("é"), 100)) // 200 bytes
	f := closeFrame(ws.StatusPolicyViolation, reason)
	if f[1] > 125 {
		t.Fatalf("close payload %d bytes", f[1])
	}
	code, got := ws.ParseCloseFrameData(f[2:])
	if code != ws.StatusPolicyViolation || !utf8.ValidString(got) || len(got) < 120 {
		t.Errorf("close frame %d %q", code, got)
	}
}

func TestServerFrameLengths(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		p := bytes.Repeat([]byte("x"), n)
		f := serverFrame(ws.OpText, p)
		h, err := ws.ReadHeader(bytes.NewReader(f))
		if err != nil || h.Length != int64(n) || !h.Fin || h.Masked || h.OpCode != ws.OpText {
			t.Fatalf("n=%d: header %+v, err %v", n, h, err)
		}
		if !bytes.Equal(f[len(f)-n:], p) || len(f) != ws.HeaderSize(h)+n {
			t.Fatalf("n=%d: bad frame layout", n)
		}
	}
}

// FuzzReadFrame feeds arbitrary bytes to the inbound frame reader and the frame decoder: they must not panic,
// must respect the size limits, and every subscribe reply they lead to must be valid JSON with a topics array.
func FuzzReadFrame(f *testing.F) {
	f.Add(clientFrame(true, ws.OpText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`), testMask))
	f.Add(clientFrame(true, ws.OpText, []byte(`{"topic":"aws/subscribe","content":{"topics":["a","b"]}}`), testMask))
	f.Add(clientFrame(true, ws.OpText, []byte(`{"topic":"aws/heartbeat"}`), testMask))
	f.Add(cat(clientFrame(false, ws.OpText, []byte(`{"topic":`), testMask),
		clientFrame(true, ws.OpPing, []byte("p"), testMask),
		clientFrame(true, ws.OpContinuation, []byte(`"aws/ping"}`), testMask)))
	f.Add(clientFrame(true, ws.OpClose, []byte{0x03, 0xe8, 'b', 'y', 'e'}, testMask))
	f.Add([]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0x81, 0x02, 'h', 'i'})
	const limit = 512
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := &frameReader{r: bytes.NewReader(data), max: limit}
		for range 64 {
			op, p, err := fr.next()
			if err != nil {
				return
			}
			switch {
			case op.IsControl():
				if len(p) > ws.MaxControlFramePayloadSize {
					t.Fatalf("control payload of %d bytes", len(p))
				}
			case len(p) > limit:
				t.Fatalf("message of %d bytes, limit %d", len(p), limit)
			}
			if op != ws.OpText {
				continue
			}
			in, ok := decodeInbound(p)
			if ok && (in.Topic == "aws/subscribe" || in.Topic == "aws/unsubscribe") {
				reply := subscribeReply(in.Topics)
				h, err := ws.ReadHeader(bytes.NewReader(reply))
				if err != nil {
					t.Fatal(err)
				}
				var got struct {
					Content struct {
						Topics []string `json:"topics"`
					} `json:"content"`
				}
				body := reply[ws.HeaderSize(h):]
				if err := json.Unmarshal(body, &got); err != nil || got.Content.Topics == nil {
					t.Fatalf("reply %s: %v", body, err)
				}
			}
		}
	})
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
