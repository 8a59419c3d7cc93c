package agents

import (
	"time"

	"github.com/parley-chat/parley"
)

// ContactState is where a contact stands with the agent who holds it. The names are the ones the agent API
// shows, which keeps logs and error messages readable; the API maps them explicitly all the same.
type ContactState string

// Contact states.
const (
	ContactOffered   ContactState = "OFFERED"
	ContactConnected ContactState = "CONNECTED"
	ContactACW       ContactState = "AFTER_CONTACT_WORK"
	// ContactConnecting is an offer whose accept is in flight (HeldContact.State only; the agent's own view
	// shows it as still offered).
	ContactConnecting ContactState = "CONNECTING"
	// ContactQueued is a contact that waits in a queue and is offered to no one (LiveContacts only).
	ContactQueued ContactState = "QUEUED"
)

// SystemState is what the routing makes of an agent: its chosen status combined with the contacts it holds.
type SystemState string

// System states, in the order State applies them: Missed wins over everything, then Busy, Pending, ACW, and
// the chosen status's type.
const (
	SystemMissed    SystemState = "Missed"
	SystemBusy      SystemState = "Busy"
	SystemPending   SystemState = "Pending"
	SystemACW       SystemState = "AfterContactWork"
	SystemAvailable SystemState = "Available"
	SystemCustom    SystemState = "Unavailable"
	SystemOffline   SystemState = "Offline"
)

// State is an agent as its workspace sees it.
type State struct {
	UserID   string
	Username string
	// Status is the status the agent chose; nil when it has none (it counts as offline). StatusSince is when
	// it chose it.
	Status      *parley.AgentStatus
	StatusSince time.Time
	System      SystemState
	Slots       int
	// Contacts are the contacts the agent holds (offered, connected, after-contact work); never nil.
	Contacts []ContactView
}

// ContactView is a contact as the agent who holds it sees it. A time that does not apply is zero.
type ContactView struct {
	ContactID        string
	InitialContactID string
	QueueID          string
	QueueName        string // filled by Describe
	State            ContactState
	AgentID          string
	// OfferDeadline is set while the contact is offered.
	OfferDeadline time.Time
	ConnectedAt   time.Time
	// EndedAt and EndReason are set once the chat ended (after-contact work).
	EndedAt      time.Time
	EndReason    string
	CustomerName string // filled once the agent accepted, or by Describe
	// CustomerID is the contact's CustomerId: the customer StartChatContact named, or the one who signed in with
	// the Authenticate Customer block.
	CustomerID string
	// Attributes are the contact's; callers must not change them.
	Attributes       map[string]string
	ParticipantID    string
	ParticipantToken string
}

// TransferTarget is where a transfer goes: exactly one of a queue, a quick connect or a user.
type TransferTarget struct {
	QueueID        string
	QuickConnectID string
	UserID         string
}

// Monitoring is a supervisor's seat on a contact it monitors: the participant it joined as and its token.
type Monitoring struct {
	ContactID        string
	ParticipantID    string
	ParticipantToken string
}

// QueueView is the live state of a queue as a supervisor sees it.
type QueueView struct {
	ID      string
	Name    string
	Waiting int
	// OldestContactAge is how long the oldest waiting contact has waited; zero when none waits.
	OldestContactAge time.Duration
	// AgentsAvailable counts the agents that could take one of its contacts now; AgentsOnContact the agents
	// connected to one of them.
	AgentsAvailable int
	AgentsOnContact int
}
