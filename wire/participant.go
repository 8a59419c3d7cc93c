package wire

// Paths of the Participant Service operations whose shapes are not generated (those of the others are in
// participant_gen.go): DescribeView (participant_view.go) and the ones parley answers as unsupported.
const (
	PathDescribeViewPrefix = "/participant/views/"

	// HeaderBearer carries the ParticipantToken or ConnectionToken.
	HeaderBearer = "X-Amz-Bearer"
)

// Connection types.
const (
	ConnectionTypeWebsocket   = "WEBSOCKET"
	ConnectionTypeCredentials = "CONNECTION_CREDENTIALS"
	ConnectionTypeWebRTC      = "WEBRTC_CONNECTION"
)

// ReceiptContent is the Content of message.read and message.delivered events. Clients may add keys (ChatJS
// adds "disableThrottle").
type ReceiptContent struct {
	MessageID string `json:"messageId"`
}

// Scan directions and sort orders of GetTranscript.
const (
	ScanForward     = "FORWARD"
	ScanBackward    = "BACKWARD"
	SortAscending   = "ASCENDING"
	SortDescending  = "DESCENDING"
	DefaultPageSize = 10
	MaxPageSize     = 100
)
