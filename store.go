package parley

import (
	"context"
	"time"
)

// Store keeps everything durable. Every write happens inside Update, in one transaction that commits before
// Update returns nil: that is how the service keeps "durable before acknowledged" (a response goes out only
// after Update returned). Reads outside a transaction see committed data only.
//
// Implementations must be safe for concurrent use. Errors: lookups of missing rows return an *Error with code
// ENOTFOUND; a uniqueness violation (an item's ClientToken reused by the same participant, an existing id)
// returns ECONFLICT; anything else is returned as is (the API layer reports it as an internal error).
type Store interface {
	Reader
	// Update runs fn in a read-write transaction and commits if fn returns nil; otherwise it rolls back and
	// returns fn's error. fn may be called more than once (retries after a serialization failure) and must not
	// have side effects outside the transaction. A nil result always means committed. If ctx ends before fn
	// runs, Update returns ctx's error and fn never runs; once fn has run, Update waits for the outcome.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store's resources.
	Close() error
}

// Reader is the read side of a Store, usable in and out of transactions.
type Reader interface {
	GetInstance(ctx context.Context, id string) (*Instance, error)
	ListInstances(ctx context.Context) ([]*Instance, error)
	GetContactFlow(ctx context.Context, instanceID, id string) (*ContactFlow, error)
	ListContactFlows(ctx context.Context, instanceID string) ([]*ContactFlow, error)
	ListQueues(ctx context.Context, instanceID string) ([]*Queue, error)

	GetContact(ctx context.Context, id string) (*Contact, error)
	// DueContacts returns up to limit (<= 0: all) active contacts whose DueAt is not zero and not after t,
	// earliest first.
	DueContacts(ctx context.Context, t time.Time, limit int) ([]*Contact, error)

	GetParticipant(ctx context.Context, id string) (*Participant, error)
	// ParticipantByToken finds a participant by the hash of its ParticipantToken.
	ParticipantByToken(ctx context.Context, tokenHash []byte) (*Participant, error)
	// ListParticipants returns the participants of a contact in the order they joined.
	ListParticipants(ctx context.Context, contactID string) ([]*Participant, error)
	// Connection finds an issued ConnectionToken by its hash (expired ones too: the caller checks ExpiresAt).
	Connection(ctx context.Context, tokenHash []byte) (*Connection, error)

	// GetItem returns the item with the given Id.
	GetItem(ctx context.Context, id string) (*Item, error)
	// ItemByClientToken returns the item that participantID created with clientToken (the token as stored,
	// already scoped by the caller, e.g. "message:<token>").
	ItemByClientToken(ctx context.Context, participantID, clientToken string) (*Item, error)
	// ListItems returns items of one chain, see ItemQuery.
	ListItems(ctx context.Context, q ItemQuery) ([]*Item, error)
	// LastSeq returns the Seq of the newest item of the chain, 0 when it has none.
	LastSeq(ctx context.Context, chainID string) (int64, error)
	// ListReceipts returns the receipts recorded on the chain whose MessageSeq is at least fromSeq, in the order
	// they were recorded.
	ListReceipts(ctx context.Context, chainID string, fromSeq int64) ([]Receipt, error)

	// Idempotent returns the result stored under (scope, token), or ENOTFOUND.
	Idempotent(ctx context.Context, scope, token string) ([]byte, error)
}

// ItemQuery selects items of one chain by sequence number.
//
// Items are returned in ascending Seq order when Descending is false, descending otherwise. With Descending
// false the items have Seq > AfterSeq (and Seq < BeforeSeq if BeforeSeq > 0); with Descending true they have
// Seq < BeforeSeq (0 means no bound) and Seq > AfterSeq. At most Limit items are returned (0 means no limit).
type ItemQuery struct {
	ChainID    string
	AfterSeq   int64
	BeforeSeq  int64
	Descending bool
	Limit      int
	// Transcript restricts the result to what GetTranscript shows: no transient items, no MESSAGEMETADATA items.
	Transcript bool
	// Viewer, when set, hides items addressed to another participant (Item.Recipient).
	Viewer string
	// SinceTime, when not zero, restricts to items with Time >= SinceTime (ascending) or Time <= SinceTime
	// (descending).
	SinceTime time.Time
}

// Tx is a read-write transaction.
type Tx interface {
	Reader

	PutInstance(ctx context.Context, in *Instance) error
	PutContactFlow(ctx context.Context, f *ContactFlow) error
	PutQueue(ctx context.Context, q *Queue) error

	// InsertContact stores a new contact; ECONFLICT if the id exists.
	InsertContact(ctx context.Context, c *Contact) error
	// UpdateContact overwrites the mutable fields of a contact: State, FlowID, QueueID, Attributes,
	// SegmentAttributes, ConnectedAt, EndedAt, DueAt, DisconnectReason and UpdatedAt.
	UpdateContact(ctx context.Context, c *Contact) error

	InsertParticipant(ctx context.Context, p *Participant) error
	// UpdateParticipant overwrites a participant's State, Connected, DisplayName and LeftAt.
	UpdateParticipant(ctx context.Context, p *Participant) error
	InsertConnection(ctx context.Context, c *Connection) error
	// DeleteConnections revokes every ConnectionToken of a participant.
	DeleteConnections(ctx context.Context, participantID string) error

	// AppendItem assigns it.Seq (the chain's next sequence number) and stores the item. If it.ClientToken is not
	// empty and the participant already stored an item with that token, it returns ECONFLICT and stores nothing.
	// If it.Receipt is set, the receipt is recorded too (ListReceipts).
	AppendItem(ctx context.Context, it *Item) error

	// PutIdempotent stores the result of a request under (scope, token); ECONFLICT if one exists.
	PutIdempotent(ctx context.Context, scope, token string, result []byte) error
}

// Bus wakes whoever waits for new items of a chain (the WebSocket gateway, other nodes). It is a doorbell: it
// may carry the item to save a read, but the store always has it first, and a subscriber that sees a gap in
// Seq reads the store.
type Bus interface {
	// Publish announces an item that has been committed. It must not block on subscribers.
	Publish(ctx context.Context, it *Item) error
	// Subscribe calls fn for every item published on chainID until the returned function is called. fn must
	// not block; it may be called concurrently for different chains, and in any order of Seq.
	Subscribe(chainID string, fn func(*Item)) (unsubscribe func())
	// Close stops delivery.
	Close() error
}
