package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// errTooBig is returned by frameReader.next for a message larger than the limit (closed with 1009).
var errTooBig = errors.New("message too big")

// frameReader decodes the frames a client sends: it checks each header (masking, reserved bits and opcodes,
// control frame rules, continuation order), unmasks payloads, assembles fragmented data messages up to max
// bytes and returns control frames as they come, even between fragments.
//
// Payload memory grows only as bytes actually arrive, never on a peer-declared length. A frameReader is used by
// one goroutine at a time.
type frameReader struct {
	r   io.Reader
	max int // largest data message accepted, in bytes
	hdr [ws.MaxHeaderSize - 2]byte
	ctl [ws.MaxControlFramePayloadSize]byte
	msg []byte    // the data message being assembled
	op  ws.OpCode // opcode of the data message being assembled; 0 when none is
}

// next returns the next complete data message or control frame. The payload is valid until the next call.
// Errors: errTooBig, a ws.ProtocolError for a frame that breaks RFC 6455, or the reader's error.
func (fr *frameReader) next() (ws.OpCode, []byte, error) {
	for {
		h, err := ws.ReadHeaderBuffer(fr.r, fr.hdr[:])
		if err != nil {
			return 0, nil, err
		}
		state := ws.StateServerSide
		if fr.op != 0 {
			state = state.Set(ws.StateFragmented)
		}
		if err := ws.CheckHeader(h, state); err != nil {
			return 0, nil, err
		}
		if h.OpCode.IsControl() {
			p := fr.ctl[:h.Length] // CheckHeader bounded it to 125
			if _, err := io.ReadFull(fr.r, p); err != nil {
				return 0, nil, err
			}
			ws.Cipher(p, h.Mask, 0)
			return h.OpCode, p, nil
		}
		if h.OpCode != ws.OpContinuation {
			fr.op, fr.msg = h.OpCode, fr.msg[:0]
		}
		if h.Length > int64(fr.max-len(fr.msg)) {
			return 0, nil, errTooBig
		}
		start := len(fr.msg)
		fr.msg, err = readAppend(fr.r, fr.msg, int(h.Length))
		if err != nil {
			return 0, nil, err
		}
		ws.Cipher(fr.msg[start:], h.Mask, 0)
		if h.Fin {
			op := fr.op
			fr.op = 0
			return op, fr.msg, nil
		}
	}
}

// readAppend reads exactly n bytes from r and appends them to buf, growing buf as the bytes arrive.
func readAppend(r io.Reader, buf []byte, n int) ([]byte, error) {
	for n > 0 {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n, max(512, cap(buf))))
		}
		k := min(n, cap(buf)-len(buf))
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+m]
		n -= m
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}

// prefixReader reads p first, then r: the bytes read from the socket before a frame reader was attached.
type prefixReader struct {
	p []byte
	r io.Reader
}

func (pr *prefixReader) Read(b []byte) (int, error) {
	if len(pr.p) > 0 {
		n := copy(b, pr.p)
		pr.p = pr.p[n:]
		return n, nil
	}
	return pr.r.Read(b)
}

// readBuf is the read side of a socket while bytes are arriving. An idle socket holds none: the reader waits
// for the first byte of a burst with a 1-byte read, then borrows a readBuf for the burst and returns it when
// its buffer is drained.
type readBuf struct {
	src prefixReader
	br  *bufio.Reader
	fr  frameReader
}

const (
	readBufSize = 1024 // ChatJS frames are < 100 bytes; bigger payloads bypass the buffer
	keepMsgCap  = 4096 // larger message buffers are not pooled
)

var readBufPool = sync.Pool{New: func() any {
	rb := &readBuf{}
	rb.br = bufio.NewReaderSize(&rb.src, readBufSize)
	rb.fr.r = rb.br
	return rb
}}

func getReadBuf(nc net.Conn, prefix []byte, maxMsg int) *readBuf {
	rb := readBufPool.Get().(*readBuf)
	rb.src = prefixReader{p: prefix, r: nc}
	rb.br.Reset(&rb.src)
	rb.fr.max = maxMsg
	return rb
}

// drained reports whether the burst is over: nothing buffered and no fragmented message in progress.
func (rb *readBuf) drained() bool {
	return rb.br.Buffered() == 0 && len(rb.src.p) == 0 && rb.fr.op == 0
}

func putReadBuf(rb *readBuf) {
	rb.src = prefixReader{}
	rb.br.Reset(&rb.src)
	rb.fr.op = 0
	if cap(rb.fr.msg) > keepMsgCap {
		rb.fr.msg = nil
	} else {
		rb.fr.msg = rb.fr.msg[:0]
	}
	readBufPool.Put(rb)
}

// Inbound frames ChatJS sends, byte for byte (protocol reference §1.2); the decoder matches them before it
// falls back to encoding/json.
var (
	reqHeartbeat     = []byte(`{"topic":"aws/heartbeat"}`)
	reqPing          = []byte(`{"topic":"aws/ping"}`)
	reqSubscribeChat = []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	topicsChat       = []string{wire.TopicChat}
)

// inbound is a decoded client frame. Topics is set for aws/subscribe and aws/unsubscribe (never nil for them).
type inbound struct {
	Topic  string
	Topics []string
}

// decodeInbound decodes a client text frame. ok is false for anything that is not a JSON object with a string
// topic; such frames are ignored.
func decodeInbound(p []byte) (in inbound, ok bool) {
	switch {
	case bytes.Equal(p, reqHeartbeat):
		return inbound{Topic: wire.TopicHeartbeat}, true
	case bytes.Equal(p, reqPing):
		return inbound{Topic: wire.TopicPing}, true
	case bytes.Equal(p, reqSubscribeChat):
		return inbound{Topic: wire.TopicSubscribe, Topics: topicsChat}, true
	}
	var f struct {
		Topic   string          `json:"topic"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(p, &f); err != nil {
		return inbound{}, false
	}
	in.Topic = f.Topic
	if f.Topic == wire.TopicSubscribe || f.Topic == wire.TopicUnsubscribe {
		var c wire.SubscribeContent
		if len(f.Content) > 0 && json.Unmarshal(f.Content, &c) == nil {
			in.Topics = c.Topics
		}
		if in.Topics == nil {
			in.Topics = []string{} // the ack's content.topics must be an array
		}
	}
	return in, true
}

// serverFrame returns a complete unmasked, final server frame: header and payload in one slice, ready to be
// written as is (and shared between sockets).
func serverFrame(op ws.OpCode, payload []byte) []byte {
	n := len(payload)
	var hdr [10]byte
	hdr[0] = 0x80 | byte(op)
	h := 2
	switch {
	case n <= 125:
		hdr[1] = byte(n)
	case n <= 0xffff:
		hdr[1] = 126
		hdr[2], hdr[3] = byte(n>>8), byte(n)
		h = 4
	default:
		hdr[1] = 127
		for i := range 8 {
			hdr[2+i] = byte(uint64(n) >> (56 - 8*i))
		}
		h = 10
	}
	f := make([]byte, h+n)
	copy(f, hdr[:h])
	copy(f[h:], payload)
	return f
}

// closeFrame returns a close frame with code and reason, the reason cut to fit the 125-byte control payload
// without splitting a UTF-8 sequence.
func closeFrame(code ws.StatusCode, reason string) []byte {
	const maxReason = ws.MaxControlFramePayloadSize - 2
	if len(reason) > maxReason {
		reason = reason[:maxReason]
		for len(reason) > 0 && !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	p := make([]byte, 2+len(reason))
	ws.PutCloseFrameBody(p, code, reason)
	return serverFrame(ws.OpClose, p)
}

// Replies to ChatJS's frames, exactly as the protocol reference §1.3 gives them.
var (
	replyHeartbeat     = serverFrame(ws.OpText, []byte(`{"topic":"aws/heartbeat"}`))
	replyPing          = serverFrame(ws.OpText, []byte(`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`))
	replySubscribeChat = serverFrame(ws.OpText, []byte(`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`))
)

// subscribeReply acknowledges an aws/subscribe with the topics the client asked for.
func subscribeReply(topics []string) []byte {
	if len(topics) == 1 && topics[0] == wire.TopicChat {
		return replySubscribeChat
	}
	if topics == nil {
		topics = []string{}
	}
	content, err := json.Marshal(wire.SubscribeContent{Status: "success", Topics: topics})
	if err != nil { // []string always marshals
		panic(err)
	}
	p, err := json.Marshal(wire.Frame{Topic: wire.TopicSubscribe, Content: content})
	if err != nil {
		panic(err)
	}
	return serverFrame(ws.OpText, p)
}

// chatFrame encodes an item as the aws/chat frame ChatJS expects: content is the item's JSON as a string, with
// ContactId and InitialContactId set.
func chatFrame(it *parley.Item) ([]byte, error) {
	w := chat.WireItem(it, true)
	p, err := wire.ChatFrame(&w)
	if err != nil {
		return nil, err
	}
	return serverFrame(ws.OpText, p), nil
}
