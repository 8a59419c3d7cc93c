// Package wire holds the JSON shapes of the Amazon Connect Participant Service, the chat part of the Amazon
// Connect Service and the chat WebSocket, exactly as the official clients send and expect them. It is shared by
// the server and the Go client library, so it imports only the standard library.
//
// Member names follow the Smithy models (PascalCase, no jsonName traits). Optional members are pointers or
// omitempty so that an absent member stays absent on the wire.
package wire

import "time"

// TimeLayout is the Participant Service time format: UTC, millisecond precision, Z suffix.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime formats t in the Participant Service time format.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a Participant Service time. It also accepts RFC 3339 with any fraction.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(TimeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// EpochSeconds is a Connect Service timestamp: a JSON number of seconds since the epoch (restJson1 default).
type EpochSeconds float64

// Epoch converts t to EpochSeconds with millisecond precision.
func Epoch(t time.Time) *EpochSeconds {
	if t.IsZero() {
		return nil
	}
	v := EpochSeconds(float64(t.UnixMilli()) / 1000)
	return &v
}

// Error is the body of an error response. Type repeats the x-amzn-ErrorType header for browsers, which cannot
// read that header cross-origin.
type Error struct {
	Type         string `json:"__type"`
	Message      string `json:"message"`
	ResourceID   string `json:"ResourceId,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
}
