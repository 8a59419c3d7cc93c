// Package chat is parley's chat core: it starts and ends contacts, adds participants, issues tokens, stores
// messages, events and receipts, reads transcripts and runs the contact timers. The Connect and Participant APIs
// and the WebSocket gateway are thin layers over it.
//
// Every method that changes state goes through one path (commit, in commit.go): a store transaction that
// records the items and domain events it produced, observers that write in the same transaction, then the Bus
// rings with the items and events once committed (durable before acknowledged). On a store that can, the
// participants' messages and events go in batches that take the same steps (batch.go). Contacts queued, accepted,
// transferred and ended are announced only as events on the Bus, so whoever routes them may run on any node. Service is safe for concurrent use; Run owns the timer goroutine.
package chat

import (
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/internal/durhist"
)

// Config tunes the service. The zero value of each field means its default.
type Config struct {
	// Region and AccountID make up the ARNs the service hands out. Defaults: us-west-2, 000000000000.
	Region    string
	AccountID string
	// Secret keys the ParticipantTokens and WebSocket URLs (at least 32 bytes). Required.
	Secret []byte
	// SocketURL is the WebSocket endpoint put in CreateParticipantConnection responses, for example
	// ws://127.0.0.1:8080/ws or wss://chat.example.com/ws. The credential is added as a query parameter.
	SocketURL string
	// ConnectWindow is how long a customer has to call CreateParticipantConnection after StartChatContact
	// before the chat ends (default 5 minutes, as in Amazon Connect).
	ConnectWindow time.Duration
	// ConnectionTokenTTL is the lifetime of a ConnectionToken (default 24 hours, as in Amazon Connect).
	ConnectionTokenTTL time.Duration
	// SocketURLTTL is how long a WebSocket URL may be used to open a socket (default 100 seconds).
	SocketURLTTL time.Duration
	// DefaultChatDuration applies when StartChatContact has no ChatDurationInMinutes (default 25 hours).
	DefaultChatDuration time.Duration
	// CustomerIdle and CustomerAutoDisconnect are the customer's participant timers on a chat whose
	// UpdateParticipantRoleConfig did not set them: the idle timer (default 10 minutes), and the auto-disconnect
	// timer that starts when the customer goes idle (default 15 minutes). They keep a customer who left without
	// disconnecting from holding the chat, and an agent's slot, until the chat duration runs out. Negative: no
	// timer, as Amazon Connect without UpdateParticipantRoleConfig (see chat/timers.go).
	CustomerIdle           time.Duration
	CustomerAutoDisconnect time.Duration
	// TimerInterval is how often Run looks for due contacts (default 1 second).
	TimerInterval time.Duration
	// NodeID names this process among the nodes sharing a store, as the owner of the duties it claims (leases).
	// Default: a new random id at every start.
	NodeID string
	// AuthCacheTTL is how long an authenticated ConnectionToken is served from memory (default 3 seconds;
	// negative disables the cache). Leaving and ending revoke at once whatever the TTL (see authCache).
	AuthCacheTTL time.Duration
	// MaxChatItems caps the items a chat's participants store in it (ServiceQuotaExceededException beyond);
	// MaxActiveChats caps an instance's active chats (LimitExceededException). Zero: no cap (limits.go).
	MaxChatItems   int
	MaxActiveChats int
	// Retention is how long an ended chat is kept before the retention sweep deletes it (package transcripts);
	// persistent chat refuses to continue a chat ended longer ago. Zero: kept forever.
	Retention time.Duration
}

// Service implements the chat operations.
type Service struct {
	// integrations serializes and remembers the chats of SendChatIntegrationEvent (integration.go).
	integrations integrationChats
	// pastEnds remembers the last Seq of past contacts that persistent chats continue from (persistent.go): their
	// chains have ended and never change. Contact id → int64.
	pastEnds sync.Map

	store parley.Store
	bus   parley.Bus
	clock parley.Clock
	log   *slog.Logger
	cfg   Config
	// observers hear about every committed change (see commit).
	observers []Observer
	// Contact flows (flowrun.go): parsed flows, Lambda functions, the routing view, and the workers that hand
	// customers' messages to waiting flows.
	flows       flowCache
	functions   Functions
	routingView RoutingView
	inputs      *flowInputs
	// identity signs customers in for the Authenticate Customer block (authn.go); nil: not configured.
	identity    IdentityProvider
	unsubscribe func() // from the Bus's domain events
	// auth caches authenticated ConnectionTokens (nil: disabled).
	auth *authCache
	// commits is the store's Update latency of every change (commit.go).
	commits *durhist.Histogram
	// batch groups participants' appends into batches, on a store that can (nil otherwise; batch.go).
	batch *batcher
}

// StartChatInput is StartChatContact's input, validated against the model by the API layer.
type StartChatInput struct {
	InstanceID    string // id or ARN
	ContactFlowID string
	Attributes    map[string]string
	DisplayName   string
	// InitialMessage, when set, is stored as the customer's first message.
	InitialMessage *Message
	ClientToken    string
	// DurationMinutes is ChatDurationInMinutes (60..10080); 0 means the default.
	DurationMinutes       int
	SupportedContentTypes []string
	RelatedContactID      string
	SegmentAttributes     []byte // JSON object, or nil
	CustomerID            string
	// Persistent, when set, continues a past chat session (persistent chat).
	Persistent *PersistentChat
}

// Message is a message's content type and content.
type Message struct {
	ContentType string
	Content     string
}

// StartChatOutput is StartChatContact's output.
type StartChatOutput struct {
	ContactID        string
	ParticipantID    string
	ParticipantToken string
	// ContinuedFromContactID is the past contact a persistent chat continues from.
	ContinuedFromContactID string
}

// CreateParticipantInput is CreateParticipant's input.
type CreateParticipantInput struct {
	InstanceID  string
	ContactID   string
	ClientToken string
	Role        parley.Role // only CUSTOM_BOT for now
	DisplayName string
}

// CreateParticipantOutput is CreateParticipant's output.
type CreateParticipantOutput struct {
	ParticipantID    string
	ParticipantToken string
	Expiry           time.Time
}

// ConnectionInput is CreateParticipantConnection's input. Every CreateParticipantConnection marks the
// participant connected (for the customer: the connect window stops), so ConnectParticipant, which Connect needs
// for that on a streamed chat, is accepted from any role and adds nothing more; a call with it alone (no
// Websocket, no Credentials) only marks the participant connected. docs/streaming.md says where that is more
// lenient than Connect.
type ConnectionInput struct {
	Websocket          bool
	Credentials        bool
	ConnectParticipant bool
}

// ConnectionOutput is CreateParticipantConnection's output; members are set for the requested types only.
type ConnectionOutput struct {
	SocketURL        string
	SocketExpiry     time.Time
	ConnectionToken  string
	ConnectionExpiry time.Time
}

// Caller is a participant authenticated by its ConnectionToken.
type Caller struct {
	Participant *parley.Participant
	Contact     *parley.Contact
}

// TranscriptQuery is GetTranscript's input, validated against the model by the API layer.
type TranscriptQuery struct {
	ContactID     string // optional: a contact of the caller's chain
	MaxResults    int    // 0 means the default (10)
	NextToken     string
	ScanDirection string // FORWARD | BACKWARD | "" (default depends on StartPosition)
	SortOrder     string // ASCENDING | DESCENDING | "" (DESCENDING)
	StartID       string
	StartTime     time.Time
	MostRecent    int
	HasMostRecent bool
}

// TranscriptPage is GetTranscript's output.
type TranscriptPage struct {
	InitialContactID string
	Items            []*parley.Item
	NextToken        string
}

// SocketIdentity is who opened a WebSocket.
type SocketIdentity struct {
	ParticipantID string
	ContactID     string
	ChainID       string
	Role          parley.Role
}
