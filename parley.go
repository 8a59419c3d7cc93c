// Package parley holds the domain of the parley chat service: contacts, participants, transcript items, the
// error type that carries AWS error codes, and the interfaces at the seams (Store, Bus, Clock).
//
// It imports only the standard library. Adapters (store/sqlite, bus/local, api/..., gateway) depend on it, never
// the other way round. Values of the types here are plain data: they are not safe for concurrent mutation, and
// every function that receives one may keep it only by copying.
package parley

import "time"

// Channel is how a contact reached the contact center.
type Channel string

// Channels.
const (
	ChannelChat Channel = "CHAT"
)

// DefaultFlowName is the name of the flow a new instance's chats start on when the caller names none (parley
// chat, the benchmarks): it places the chat in BasicQueue.
const DefaultFlowName = "Default inbound flow"

// Role is a participant's role in a chat, as in the Participant Service model.
type Role string

// Roles.
const (
	RoleAgent      Role = "AGENT"
	RoleCustomer   Role = "CUSTOMER"
	RoleSystem     Role = "SYSTEM"
	RoleCustomBot  Role = "CUSTOM_BOT"
	RoleSupervisor Role = "SUPERVISOR"
)

// Valid reports whether r is one of the model's roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAgent, RoleCustomer, RoleSystem, RoleCustomBot, RoleSupervisor:
		return true
	}
	return false
}

// ContactState is the lifecycle state of a contact.
type ContactState string

// Contact states. A contact starts ACTIVE and ends exactly once.
const (
	ContactActive ContactState = "ACTIVE"
	ContactEnded  ContactState = "ENDED"
)

// Disconnect reasons recorded on a contact when it ends (DescribeContact's DisconnectReason).
const (
	ReasonCustomerDisconnect = "CUSTOMER_DISCONNECT"
	ReasonAgentDisconnect    = "AGENT_DISCONNECT"
	ReasonAPI                = "API"
	ReasonExpired            = "EXPIRED"
	ReasonNeverConnected     = "CUSTOMER_NEVER_CONNECTED"
	ReasonTransferred        = "TRANSFERRED"
)

// Instance is an Amazon Connect instance: the tenant that owns flows, queues and contacts.
type Instance struct {
	ID        string
	ARN       string
	Alias     string
	CreatedAt time.Time
}

// ContactFlow is a contact flow in Amazon Connect's Flow Language.
type ContactFlow struct {
	ID          string
	InstanceID  string
	ARN         string
	Name        string
	Type        string // CONTACT_FLOW, CUSTOMER_QUEUE, ...
	State       string // ACTIVE | ARCHIVED
	Status      string // PUBLISHED | SAVED
	Description string
	Content     string // Flow Language JSON
}

// Queue is a routing queue. Contacts wait in it until an agent whose routing profile serves it accepts them.
type Queue struct {
	ID                 string
	InstanceID         string
	ARN                string
	Name               string
	Description        string
	HoursOfOperationID string
	// MaxContacts is how many contacts may wait at once; 0 means no limit.
	MaxContacts int
	Status      string // ENABLED | DISABLED
}

// Contact is one chat contact. Contacts created by a transfer share InitialContactID; the transcript and the
// item sequence belong to the chain (InitialContactID), so every contact of a chain sees one total order.
type Contact struct {
	ID                string
	InstanceID        string
	InitialContactID  string // equals ID for the first contact of a chain
	PreviousContactID string
	RelatedContactID  string
	// ContinuedFromContactID is the past contact whose chat session this chain continues (persistent chat): its
	// transcript begins with the past chain's items up to that contact's last one. Empty for a new session.
	ContinuedFromContactID string
	Channel                Channel
	InitiationMethod       string // API, TRANSFER, ...
	State                  ContactState
	FlowID                 string
	QueueID                string
	CustomerID             string
	Attributes             map[string]string
	SegmentAttributes      []byte // JSON object, stored verbatim
	// SupportedContentTypes are the message content types the customer's client accepts (always includes
	// text/plain).
	SupportedContentTypes []string
	DurationMinutes       int
	InitiatedAt           time.Time
	ConnectedAt           time.Time // zero until the customer first connects
	EndedAt               time.Time // zero while active
	// DueAt is when the contact's next timer fires: the connect window while the customer has not connected,
	// then the end of the chat duration. Zero once ended.
	DueAt            time.Time
	DisconnectReason string
	UpdatedAt        time.Time
	// EnqueuedAt is when the contact entered QueueID; zero while not queued.
	EnqueuedAt time.Time
	// QueuePriority and QueueTimeAdjustment are the contact's routing behavior (a flow's
	// UpdateContactRoutingBehavior): a lower priority is served first (0: the default, DefaultQueuePriority), and
	// the adjustment counts as time already waited when contacts of one priority are ordered.
	QueuePriority       int
	QueueTimeAdjustment time.Duration
	// Name, Description and LanguageCode are the contact's data as a flow's UpdateContactData sets it.
	Name, Description, LanguageCode string
	// AgentID is the user who accepted the contact, AgentConnectedAt when.
	AgentID          string
	AgentConnectedAt time.Time
	// FlowState is the contact's run of its contact flow (package flow's State, as JSON); nil before the flow
	// starts. FlowWakeAt is when the run's timer fires (a Wait, an input's time limit); zero when none.
	FlowState  []byte
	FlowWakeAt time.Time
	// Timers are the chat's participant timers (UpdateParticipantRoleConfig); a transfer's new contact keeps
	// them, as Connect's persist for the life of the chat.
	Timers ParticipantTimers
}

// DefaultQueuePriority is a contact's routing priority when no flow set one, as in Connect (1 is served first).
const DefaultQueuePriority = 5

// ParticipantTimers are a chat's idle and auto-disconnect timers per role, in minutes, as
// UpdateParticipantRoleConfig sets them: 0 when never set (the server's default then applies to the customer),
// TimerUnset when removed.
type ParticipantTimers struct {
	CustomerIdle, CustomerDisconnect, AgentIdle, AgentDisconnect int
}

// TimerUnset marks a participant timer that UpdateParticipantRoleConfig removed ("Unset").
const TimerUnset = -1

// FlowRecord is one action a contact's flow ran: its flow log, for the people who debug flows.
type FlowRecord struct {
	ContactID string
	// Seq orders a contact's records; the store assigns it.
	Seq        int64
	Time       time.Time
	FlowID     string
	Identifier string
	Type       string
	// Result is what the action's conditions were compared with; Error the error branch it took and Detail
	// why; Branch the transition taken and Next where it led.
	Result string
	Error  string
	Detail string
	Branch string
	Next   string
}

// Active reports whether the contact has not ended.
func (c *Contact) Active() bool { return c.State == ContactActive }

// ParticipantState is whether a participant is still in the chat.
type ParticipantState string

// Participant states.
const (
	ParticipantJoined ParticipantState = "JOINED"
	ParticipantLeft   ParticipantState = "LEFT"
)

// Participant is one party of a contact. Its ParticipantToken is never stored in the clear: its hash is the
// lookup key, and TokenSealed an encrypted copy that only the server's secret opens.
type Participant struct {
	ID          string
	ContactID   string
	ChainID     string // InitialContactID of the contact
	Role        Role
	DisplayName string
	// UserID is the agent or supervisor behind an AGENT or SUPERVISOR participant.
	UserID    string
	TokenHash []byte
	// TokenSealed is the ParticipantToken sealed under a key derived from the server's secret (chat/token.go),
	// kept so that a retried StartChatContact or CreateParticipant answers the same token. Nil when the token is
	// never answered again, and for participants stored before sealed tokens existed.
	TokenSealed []byte
	State       ParticipantState
	Connected   bool // has called CreateParticipantConnection (or acknowledged)
	JoinedAt    time.Time
	LeftAt      time.Time
	// TimerAt is when the participant's next idle or auto-disconnect timer fires, zero when none runs; IdleAt is
	// when the participant was marked idle, zero while it is not (chat/timers.go).
	TimerAt time.Time
	IdleAt  time.Time
}

// Connection is an issued ConnectionToken (stored by hash).
type Connection struct {
	TokenHash     []byte
	ParticipantID string
	ExpiresAt     time.Time
}

// ItemType is the Type of a transcript item as the clients see it.
type ItemType string

// Item types. MESSAGEMETADATA is not in the model's enum but is what the WebSocket carries for receipts.
const (
	ItemMessage         ItemType = "MESSAGE"
	ItemEvent           ItemType = "EVENT"
	ItemAttachment      ItemType = "ATTACHMENT"
	ItemMessageMetadata ItemType = "MESSAGEMETADATA"
)

// Item is one message or event of a chat. Seq is its position in the chain's total order, assigned by the store
// inside the transaction that stores it; ID is the one Id the item has everywhere.
type Item struct {
	ChainID       string // InitialContactID
	ContactID     string
	Seq           int64
	ID            string
	Type          ItemType
	ContentType   string
	Content       string
	ParticipantID string
	DisplayName   string
	Role          Role
	Time          time.Time
	// ClientToken is the idempotency key of the request that created the item, scoped by the store to the
	// participant; empty for items that are not idempotent (system events, receipts).
	ClientToken string
	// Recipient, when set, is the only participant who sees the item (for example the chat.ended sent to a
	// participant who left a chat that goes on).
	Recipient string
	// Transient items (typing, acknowledgements) are delivered live but never returned by GetTranscript.
	Transient   bool
	Attachments []Attachment
	// Receipt is set on MESSAGEMETADATA items.
	Receipt *Receipt
	// Receipts is filled on MESSAGE and ATTACHMENT items read for a transcript (never stored on the item).
	Receipts []Receipt
	// Revises, when set, makes the item a revision of the item with that Id: it goes out on sockets under that
	// Id, so clients replace what they show (ChatJS and the chat widget replace items by Id), and it is always
	// Transient, because the transcript shows the revised item itself, updated in place. An attachment's status
	// change after a scan is sent this way (docs/decisions/0004-attachments.md).
	Revises string
}

// Clone returns a copy of it that shares no slice or pointer with it, so that one side may change or reuse its
// item while the other keeps the copy (a bus hands subscribers a clone of what was published).
func (it *Item) Clone() *Item {
	cp := *it
	if it.Attachments != nil {
		cp.Attachments = append([]Attachment(nil), it.Attachments...)
	}
	if it.Receipt != nil {
		r := *it.Receipt
		cp.Receipt = &r
	}
	if it.Receipts != nil {
		cp.Receipts = append([]Receipt(nil), it.Receipts...)
	}
	return &cp
}

// Attachment describes a file attached to an item.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Status      string // APPROVED | REJECTED | IN_PROGRESS
}

// Receipt says that Recipient has had messages delivered or read. A receipt covers the referenced message and
// every earlier message of the chain not sent by the recipient.
type Receipt struct {
	MessageID   string
	MessageSeq  int64
	Recipient   string
	DeliveredAt time.Time
	ReadAt      time.Time
}

// Clock tells the time. Tests inject a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
