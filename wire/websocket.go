package wire

import "encoding/json"

// WebSocket topics.
const (
	TopicSubscribe   = "aws/subscribe"
	TopicUnsubscribe = "aws/unsubscribe"
	TopicHeartbeat   = "aws/heartbeat"
	TopicPing        = "aws/ping"
	TopicChat        = "aws/chat"
)

// Frame is a WebSocket text frame in either direction. Content is raw JSON: an object for aws/subscribe, a JSON
// string (the encoded Item) for aws/chat.
type Frame struct {
	Topic         string          `json:"topic"`
	ContentType   string          `json:"contentType,omitempty"`
	Content       json.RawMessage `json:"content,omitempty"`
	StatusCode    int             `json:"statusCode,omitempty"`
	StatusContent string          `json:"statusContent,omitempty"`
}

// SubscribeContent is the content of aws/subscribe frames: the request {"topics":[...]} and the reply
// {"status":"success","topics":[...]}.
type SubscribeContent struct {
	Status string   `json:"status,omitempty"`
	Topics []string `json:"topics"`
}

// ChatFrame returns the aws/chat frame that carries an item; the item is JSON-encoded into a string, as ChatJS
// requires.
//
// The bytes are those of json.Marshal(Frame{Topic: TopicChat, ContentType: "application/json", Content:
// <json.Marshal(string(<json.Marshal(it)>))>}), built with one Marshal instead of three: the item's JSON is
// valid UTF-8 with no control characters, no raw '<', '>', '&', U+2028 or U+2029 (Marshal escapes them inside
// strings, and nothing else can hold them), so encoding it as a JSON string only escapes '"' and '\'. Every
// item is encoded once per node however many sockets get it, but at chat rates this was a tenth of the
// gateway's CPU (docs/benchmarks.md).
func ChatFrame(it *Item) ([]byte, error) {
	inner, err := json.Marshal(it)
	if err != nil {
		return nil, err
	}
	n := len(chatFrameHead) + len(inner) + len(chatFrameTail)
	for _, c := range inner {
		if c == '"' || c == '\\' {
			n++
		}
	}
	b := make([]byte, 0, n)
	b = append(b, chatFrameHead...)
	start := 0
	for i, c := range inner {
		if c == '"' || c == '\\' {
			b = append(b, inner[start:i]...)
			b = append(b, '\\', c)
			start = i + 1
		}
	}
	b = append(b, inner[start:]...)
	return append(b, chatFrameTail...), nil
}

const (
	chatFrameHead = `{"topic":"aws/chat","contentType":"application/json","content":"`
	chatFrameTail = `"}`
)
