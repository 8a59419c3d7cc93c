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
func ChatFrame(it *Item) ([]byte, error) {
	inner, err := json.Marshal(it)
	if err != nil {
		return nil, err
	}
	content, err := json.Marshal(string(inner))
	if err != nil {
		return nil, err
	}
	return json.Marshal(Frame{Topic: TopicChat, ContentType: "application/json", Content: content})
}
