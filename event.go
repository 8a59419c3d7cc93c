package parley

import "time"

// EventKind names a domain event.
type EventKind string

// Domain events. Each is published on the Bus after the change it describes has committed, so whoever acts on
// it — on this node or another — can read the store and find the change there.
const (
	// EventContactQueued: Contact entered a queue (a new chat whose flow transfers it to a queue, or the new
	// contact of a transfer).
	EventContactQueued EventKind = "contact.queued"
	// EventContactAccepted: an agent (UserID) joined Contact.
	EventContactAccepted EventKind = "contact.accepted"
	// EventContactTransferred: Contact is the new contact of a transfer; PreviousContactID names the contact the
	// transfer ended. An EventContactEnded for that contact and an EventContactQueued for this one follow.
	EventContactTransferred EventKind = "contact.transferred"
	// EventContactEnded: Contact ended, for whatever reason (its DisconnectReason says which).
	EventContactEnded EventKind = "contact.ended"
	// EventAgentStatus: User set an agent status (PutUserStatus, the agent API).
	EventAgentStatus EventKind = "agent.status"
	// EventConfigChanged: the configuration of InstanceID changed (users, routing profiles, queues).
	EventConfigChanged EventKind = "config.changed"
	// EventAgentNotice: the routing service told UserID something (an offer, its withdrawal, a state change).
	// Data is the notice, in the agents package's own JSON; every node delivers it to the user's open streams.
	EventAgentNotice EventKind = "agent.notice"
	// EventAgentAction: an agent asked a node that does not route to act (reject an offer, clear after-contact
	// work); Data says what, in the agents package's own JSON. The routing node carries it out.
	EventAgentAction EventKind = "agent.action"
	// EventStreamStarted: StartContactStreaming started a stream on Contact's chain (or found it started); Data is
	// its StreamingId. The node delivering the streaming outbox listens to the chain from then on.
	EventStreamStarted EventKind = "stream.started"
)

// Event is a domain event: something that committed and that other parts of parley act on. Events are plain
// data and travel between nodes (a networked Bus serializes them): Contact and User are snapshots taken when
// the change committed, never shared with the store.
type Event struct {
	Kind       EventKind
	InstanceID string
	Time       time.Time
	// Contact is set on contact events.
	Contact *Contact
	// PreviousContactID is set on EventContactTransferred.
	PreviousContactID string
	// UserID is set on agent events and on EventContactAccepted.
	UserID string
	// User is set on EventAgentStatus: the user as committed.
	User *User
	// Data is a payload whose shape belongs to the producer (EventAgentNotice, EventAgentAction).
	Data []byte
	// Value is the payload as a Go value, set instead of Data when the Bus delivers in process only (see
	// InProcessBus): the producer's subscribers then skip encoding and decoding. A networked bus never sees it.
	Value any
}

// InProcessBus is implemented by a Bus whose subscribers all live in the publishing process (bus/local). A
// publisher may then put an event's payload in Event.Value instead of encoding it into Event.Data.
type InProcessBus interface {
	InProcess() bool
}
