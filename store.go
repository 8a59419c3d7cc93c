package parley

import (
	"context"
	"errors"
	"strings"
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
	Leases
	// Update runs fn in a read-write transaction and commits if fn returns nil; otherwise it rolls back and
	// returns fn's error. fn may be called more than once (retries after a serialization failure) and must not
	// have side effects outside the transaction. A nil result always means committed. If ctx ends before fn
	// runs, Update returns ctx's error and fn never runs; once fn has run, Update waits for the outcome.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store's resources.
	Close() error
}

// BatchAppender is an optional ability of a Store: it stores the appends of many requests, each to its own
// chain, in one transaction, where Update would need one transaction (and its round trips) per request. A store
// whose writes are cheap already (SQLite's single writer commits many Updates at once) does without it.
type BatchAppender interface {
	// AppendBatch runs b in one transaction. For each append it locks the chain's newest contact and the
	// participant (as ActiveContact and GetParticipant do inside Update), calls Build, stores the item it
	// returns at the chain's next Seq (the appends of one chain in the order of b.Appends) and the participant
	// it returns, then runs b.Committing, and commits.
	//
	// A nil result means committed: each append then has Item set (stored, Seq assigned) or Err (nothing of it
	// stored; ENOTFOUND (CONTACT or PARTICIPANT), Build's error, or ErrNotBatched). An error means nothing was
	// stored: a failure of the batch as a whole (b.Committing's error, the database's), or ErrNotBatched when
	// the batch cannot be stored as one (an item's Id or ClientToken exists, an item would pass b.MaxSeq); the
	// caller then stores each append in a transaction of its own. Like Update, AppendBatch may run the
	// transaction more than once (Build and Committing too), and returns ctx's error without running anything
	// if ctx has ended.
	AppendBatch(ctx context.Context, b *Batch) error
}

// ErrNotBatched says that an append, or a whole batch, must be stored in a transaction of its own (Update):
// BatchAppender stores only the plain case.
var ErrNotBatched = errors.New("parley: the append needs a transaction of its own")

// Batch is the work of BatchAppender.AppendBatch.
type Batch struct {
	Appends []*BatchAppend
	// MaxSeq, when positive, is the highest Seq an item may take: a batch that would pass it in any chain
	// stores nothing (ErrNotBatched).
	MaxSeq int64
	// Committing, when set, runs inside the transaction after the items and participants were stored, before
	// the commit, with each append's Item or Err set as they stand if the batch commits; its error rolls the
	// whole batch back and is AppendBatch's. It must use only tx.
	Committing func(ctx context.Context, tx Tx) error
}

// BatchAppend is one request of a Batch: an item for the chain ChainID from the participant ParticipantID.
type BatchAppend struct {
	ChainID       string
	ParticipantID string
	// Build runs inside the transaction with the chain's newest contact and the participant as they stand
	// there (after the batch's earlier appends of the same participant), both locked; it must not modify c.
	// It returns the item to store in the chain (the store assigns its Seq) and, when it changed the
	// participant, the participant to store (the fields UpdateParticipant writes). An error fails this
	// append only. Build may run more than once.
	Build func(c *Contact, p *Participant) (*Item, *Participant, error)

	// Set by AppendBatch when it returns nil: the stored item, or why there is none.
	Item *Item
	Err  error
}

// Reader is the read side of a Store, usable in and out of transactions.
type Reader interface {
	GetInstance(ctx context.Context, id string) (*Instance, error)
	ListInstances(ctx context.Context) ([]*Instance, error)
	GetContactFlow(ctx context.Context, instanceID, id string) (*ContactFlow, error)
	ListContactFlows(ctx context.Context, instanceID string) ([]*ContactFlow, error)
	// ListQueues returns the queues of an instance ordered by name.
	ListQueues(ctx context.Context, instanceID string) ([]*Queue, error)
	// GetQueue returns a queue by id; ENOTFOUND (QUEUE) if there is none.
	GetQueue(ctx context.Context, id string) (*Queue, error)

	// GetUser returns a user by id; ENOTFOUND (USER) if there is none.
	GetUser(ctx context.Context, id string) (*User, error)
	// UserByUsername returns the user of an instance with the given username (exact match); ENOTFOUND (USER)
	// if there is none.
	UserByUsername(ctx context.Context, instanceID, username string) (*User, error)
	// ListUsers returns the users of an instance ordered by username.
	ListUsers(ctx context.Context, instanceID string) ([]*User, error)
	// GetRoutingProfile returns a routing profile by id, with its queues in the order they were put;
	// ENOTFOUND (ROUTING_PROFILE) if there is none.
	GetRoutingProfile(ctx context.Context, id string) (*RoutingProfile, error)
	// ListRoutingProfiles returns the routing profiles of an instance, with their queues, ordered by name.
	ListRoutingProfiles(ctx context.Context, instanceID string) ([]*RoutingProfile, error)
	// GetHoursOfOperation returns hours by id; ENOTFOUND (HOURS_OF_OPERATION) if there are none.
	GetHoursOfOperation(ctx context.Context, id string) (*HoursOfOperation, error)
	// ListHoursOfOperations returns the hours of an instance ordered by name.
	ListHoursOfOperations(ctx context.Context, instanceID string) ([]*HoursOfOperation, error)
	// GetQuickConnect returns a quick connect by id; ENOTFOUND (QUICK_CONNECT) if there is none.
	GetQuickConnect(ctx context.Context, id string) (*QuickConnect, error)
	// ListQuickConnects returns the quick connects of an instance ordered by name.
	ListQuickConnects(ctx context.Context, instanceID string) ([]*QuickConnect, error)
	// GetAgentStatus returns an agent status by id; ENOTFOUND (AGENT_STATUS) if there is none.
	GetAgentStatus(ctx context.Context, id string) (*AgentStatus, error)
	// ListAgentStatuses returns the agent statuses of an instance ordered by DisplayOrder, then name.
	ListAgentStatuses(ctx context.Context, instanceID string) ([]*AgentStatus, error)
	// ListSecurityProfiles returns the security profiles of an instance ordered by name.
	ListSecurityProfiles(ctx context.Context, instanceID string) ([]*SecurityProfile, error)
	// GetView returns a view by id; ENOTFOUND (VIEW) if there is none.
	GetView(ctx context.Context, id string) (*View, error)
	// ListViews returns the views of an instance ordered by name.
	ListViews(ctx context.Context, instanceID string) ([]*View, error)
	// AgentSession finds a logged-in session by the hash of its token, expired or not (the caller checks
	// ExpiresAt); ENOTFOUND (AGENT_SESSION) if there is none.
	AgentSession(ctx context.Context, tokenHash []byte) (*AgentSession, error)
	AgentStateReader

	GetContact(ctx context.Context, id string) (*Contact, error)
	// ListActiveContacts returns the ACTIVE contacts of an instance, oldest (InitiatedAt) first.
	ListActiveContacts(ctx context.Context, instanceID string) ([]*Contact, error)
	// ListContacts returns the contacts of an instance, active or ended, whose InitiatedAt is in [From, To),
	// oldest first (then in insertion order), at most Limit (> 0) of them.
	ListContacts(ctx context.Context, q ContactQuery) ([]*Contact, error)
	// ActiveContact returns the newest contact (by InitiatedAt) of the chain whose InitialContactID is chainID,
	// whatever its state: while the chain goes on it is the one contact that is active. ENOTFOUND (CONTACT) if
	// the chain has no contact.
	ActiveContact(ctx context.Context, chainID string) (*Contact, error)
	// DueContacts returns up to limit (<= 0: all) active contacts whose DueAt is not zero and not after t,
	// earliest first.
	DueContacts(ctx context.Context, t time.Time, limit int) ([]*Contact, error)
	// DueFlows returns up to limit (<= 0: all) active contacts whose FlowWakeAt is not zero and not after t,
	// earliest first.
	DueFlows(ctx context.Context, t time.Time, limit int) ([]*Contact, error)
	// ListFlowLog returns a contact's flow log in Seq order.
	ListFlowLog(ctx context.Context, contactID string) ([]FlowRecord, error)
	// DueParticipants returns up to limit (<= 0: all) JOINED participants whose TimerAt is not zero and not
	// after t, earliest first.
	DueParticipants(ctx context.Context, t time.Time, limit int) ([]*Participant, error)

	GetParticipant(ctx context.Context, id string) (*Participant, error)
	// ParticipantByToken finds a participant by the hash of its ParticipantToken.
	ParticipantByToken(ctx context.Context, tokenHash []byte) (*Participant, error)
	// ListParticipants returns the participants of a contact in the order they joined.
	ListParticipants(ctx context.Context, contactID string) ([]*Participant, error)
	// ListParticipantsByUser returns the participants whose UserID is userID in the order they joined; only
	// those still JOINED when joinedOnly is set.
	ListParticipantsByUser(ctx context.Context, userID string, joinedOnly bool) ([]*Participant, error)
	// Connection finds an issued ConnectionToken by its hash (expired ones too: the caller checks ExpiresAt).
	Connection(ctx context.Context, tokenHash []byte) (*Connection, error)

	// GetItem returns the item with the given Id.
	GetItem(ctx context.Context, id string) (*Item, error)
	// ItemByClientToken returns the item of chainID that participantID created with clientToken (the token as
	// stored, already scoped by the caller, e.g. "message:<token>").
	ItemByClientToken(ctx context.Context, chainID, participantID, clientToken string) (*Item, error)
	// ListItems returns items of one chain, see ItemQuery.
	ListItems(ctx context.Context, q ItemQuery) ([]*Item, error)
	// LastSeq returns the Seq of the newest item of the chain, 0 when it has none.
	LastSeq(ctx context.Context, chainID string) (int64, error)
	// ListReceipts returns the receipts recorded on the chain whose MessageSeq is at least fromSeq, in the order
	// they were recorded.
	ListReceipts(ctx context.Context, chainID string, fromSeq int64) ([]Receipt, error)

	// Idempotent returns the result stored under (scope, token), or ENOTFOUND.
	Idempotent(ctx context.Context, scope, token string) ([]byte, error)

	// GetFile returns an attachment's record; ENOTFOUND (ATTACHMENT) if there is none.
	GetFile(ctx context.Context, id string) (*File, error)
	// FileByClientToken returns the attachment participantID started with clientToken; ENOTFOUND (ATTACHMENT)
	// if there is none.
	FileByClientToken(ctx context.Context, participantID, clientToken string) (*File, error)
	// CountFiles returns how many attachments were started on a contact (completed or not).
	CountFiles(ctx context.Context, contactID string) (int, error)
	// ListFiles returns attachments by status, see FileQuery.
	ListFiles(ctx context.Context, q FileQuery) ([]*File, error)

	// GetStream returns a stream by its StreamingId; ENOTFOUND (STREAM) if there is none.
	GetStream(ctx context.Context, id string) (*Stream, error)
	// StreamByClientToken returns the stream of chainID started with clientToken; ENOTFOUND (STREAM) if there
	// is none.
	StreamByClientToken(ctx context.Context, chainID, clientToken string) (*Stream, error)
	// ListStreams returns the streams of a chain in the order they started; only those still active when
	// activeOnly is set.
	ListStreams(ctx context.Context, chainID string, activeOnly bool) ([]*Stream, error)
	// StreamsBehind returns the ids of up to limit (<= 0: all) streams whose chain holds items after their
	// Cursor (up to their LastSeq once stopped), in id order.
	StreamsBehind(ctx context.Context, limit int) ([]string, error)
	// ListOutbox returns outbox entries, see OutboxQuery.
	ListOutbox(ctx context.Context, q OutboxQuery) ([]*OutboxEntry, error)
	// OutboxStreams returns the ids of up to limit (<= 0: all) streams that have pending (not dead) entries.
	OutboxStreams(ctx context.Context, limit int) ([]string, error)
	// CountOutbox returns how many streamed items wait for delivery (the items after the cursors of the streams
	// not done that are addressed to everyone, and the pending entries) and how many entries are dead.
	CountOutbox(ctx context.Context) (pending, dead int64, err error)
}

// FileQuery selects attachments across chats: those whose Status is Status ("" selects attachments whose upload
// was started but never completed), created before CreatedBefore when it is not zero, oldest (CreatedAt) first,
// at most Limit (0 means no limit).
type FileQuery struct {
	Status        string
	CreatedBefore time.Time
	Limit         int
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

// ContactQuery selects contacts of an instance by the time they were initiated.
type ContactQuery struct {
	InstanceID string
	From, To   time.Time
	Limit      int
}

// Tx is a read-write transaction.
type Tx interface {
	Reader

	PutInstance(ctx context.Context, in *Instance) error
	PutContactFlow(ctx context.Context, f *ContactFlow) error
	// DeleteContactFlow deletes a flow of an instance; ENOTFOUND (CONTACT_FLOW) if there is none.
	DeleteContactFlow(ctx context.Context, instanceID, id string) error
	// PutQueue creates or replaces a queue (matched by id); ECONFLICT if another queue of the instance has
	// its name.
	PutQueue(ctx context.Context, q *Queue) error

	// The configuration of an instance. Each Put creates or replaces the object with the given id; ECONFLICT
	// if another object of the same kind in the instance has its name (its username, for users). The
	// instance must exist.

	PutUser(ctx context.Context, u *User) error
	// DeleteUser deletes a user and its agent sessions; ENOTFOUND (USER) if there is none.
	DeleteUser(ctx context.Context, id string) error
	// PutRoutingProfile stores a routing profile with its queue list, which replaces the stored one whole.
	// The queues must exist.
	PutRoutingProfile(ctx context.Context, p *RoutingProfile) error
	PutHoursOfOperation(ctx context.Context, h *HoursOfOperation) error
	PutQuickConnect(ctx context.Context, q *QuickConnect) error
	PutAgentStatus(ctx context.Context, s *AgentStatus) error
	PutSecurityProfile(ctx context.Context, p *SecurityProfile) error
	PutView(ctx context.Context, v *View) error
	// DeleteView deletes a view; ENOTFOUND (VIEW) if there is none.
	DeleteView(ctx context.Context, id string) error
	// PutAgentSession stores a session; ECONFLICT if its token hash exists. The user must exist.
	PutAgentSession(ctx context.Context, s *AgentSession) error
	// DeleteAgentSession deletes a session (logout). Deleting a missing session is not an error.
	DeleteAgentSession(ctx context.Context, tokenHash []byte) error
	// DeleteUserAgentSessions deletes every session of a user (its password changed). None is not an error.
	DeleteUserAgentSessions(ctx context.Context, userID string) error
	AgentStateWriter

	// InsertContact stores a new contact; ECONFLICT if the id exists.
	InsertContact(ctx context.Context, c *Contact) error
	// UpdateContact overwrites the mutable fields of a contact: State, FlowID, QueueID, Attributes,
	// SegmentAttributes, ConnectedAt, EndedAt, DueAt, DisconnectReason, UpdatedAt, EnqueuedAt, AgentID,
	// AgentConnectedAt, FlowState, FlowWakeAt, Timers, QueuePriority, QueueTimeAdjustment, Name, Description,
	// LanguageCode, CustomerID, RelatedContactID and ContinuedFromContactID.
	UpdateContact(ctx context.Context, c *Contact) error
	// AppendFlowLog appends records to their contact's flow log, assigning each its Seq (the contact's next).
	AppendFlowLog(ctx context.Context, recs []FlowRecord) error

	// InsertParticipant stores a new participant (with its UserID); ECONFLICT if its id or token hash exists.
	InsertParticipant(ctx context.Context, p *Participant) error
	// UpdateParticipant overwrites a participant's State, Connected, DisplayName, LeftAt, TimerAt and IdleAt.
	UpdateParticipant(ctx context.Context, p *Participant) error
	InsertConnection(ctx context.Context, c *Connection) error
	// DeleteConnections revokes every ConnectionToken of a participant.
	DeleteConnections(ctx context.Context, participantID string) error

	// AppendItem assigns it.Seq (the chain's next sequence number) and stores the item. If it.ClientToken is not
	// empty and the chain already holds an item of it.ParticipantID with that token, it returns ECONFLICT and
	// stores nothing. (A participant belongs to one chain, so its tokens are unique per participant.)
	// If it.Receipt is set, the receipt is recorded too (ListReceipts).
	AppendItem(ctx context.Context, it *Item) error

	// PutIdempotent stores the result of a request under (scope, token); ECONFLICT if one exists.
	PutIdempotent(ctx context.Context, scope, token string, result []byte) error

	// InsertFile stores a new attachment record; ECONFLICT if its id exists or its participant already used its
	// ClientToken. The contact and the participant must exist.
	InsertFile(ctx context.Context, f *File) error
	// UpdateFile overwrites an attachment's Status, ItemID and CompletedAt; ENOTFOUND (ATTACHMENT) if it does
	// not exist.
	UpdateFile(ctx context.Context, f *File) error
	// DeleteFile deletes an attachment record; ENOTFOUND (ATTACHMENT) if there is none.
	DeleteFile(ctx context.Context, id string) error
	// SetItemAttachments replaces the Attachments of a stored item (an attachment's status changed); ENOTFOUND
	// (ITEM) if there is no item with that Id.
	SetItemAttachments(ctx context.Context, itemID string, atts []Attachment) error

	// InsertStream stores a new stream (with its Cursor: the Seq its delivery starts after); ECONFLICT if its id
	// exists or its chain already has a stream with its ClientToken.
	InsertStream(ctx context.Context, st *Stream) error
	// StopStream sets a stream's StoppedAt to at and its LastSeq to lastSeq unless it is already stopped;
	// ENOTFOUND (STREAM) if there is none.
	StopStream(ctx context.Context, id string, at time.Time, lastSeq int64) error
	// AdvanceStreams moves each stream's Cursor to its entry of cursors (stream id → Seq), never back, in one
	// statement: the streaming worker saves the cursors of all the streams that delivered together. Ids of
	// streams that do not exist (deleted with their chat) are skipped.
	AdvanceStreams(ctx context.Context, cursors map[string]int64) error
	// FailStream records the failed deliveries of a stream's item: it overwrites FailingSeq, Attempts, NextAt and
	// LastError from st (matched by ID); ENOTFOUND (STREAM) if there is none.
	FailStream(ctx context.Context, st *Stream) error
	// InsertOutbox stores new outbox entries; ECONFLICT if one exists for the same stream and Seq.
	InsertOutbox(ctx context.Context, entries []*OutboxEntry) error
	// UpdateOutbox overwrites an entry's Attempts, NextAt, LastError and Dead; ENOTFOUND (OUTBOX) if it does
	// not exist.
	UpdateOutbox(ctx context.Context, e *OutboxEntry) error
	// DeleteOutbox deletes a delivered entry. Deleting a missing entry is not an error.
	DeleteOutbox(ctx context.Context, streamID string, seq int64) error
	// ReplayOutbox makes the dead entries q selects (q.Dead and q.Limit are ignored) pending again, with no
	// attempts, due at at, and returns how many it changed.
	ReplayOutbox(ctx context.Context, q OutboxQuery, at time.Time) (int, error)
}

// Bus carries what other parts of parley — on this node or another — must hear about after a commit: items of
// a chain (a doorbell for the sockets) and domain events (contacts queued and ended, agent status, configuration).
// The store always has the change first: the Bus never carries the only copy of anything, and a subscriber that
// sees a gap in Seq reads the store.
type Bus interface {
	// Publish announces an item that has been committed. It must not block on subscribers.
	Publish(ctx context.Context, it *Item) error
	// Subscribe calls fn for every item published on chainID until the returned function is called. fn must
	// not block; it may be called concurrently for different chains, and in any order of Seq. The subscription
	// is effective when Subscribe returns (a networked bus subscribes and flushes first). A Publish already
	// running may call fn once more after unsubscribe returns. Items may be shared between subscribers: fn must
	// treat them as read-only.
	Subscribe(chainID string, fn func(*Item)) (unsubscribe func())
	// PublishEvent announces a committed domain event to every event subscriber, on every node.
	PublishEvent(ctx context.Context, ev *Event) error
	// SubscribeEvents calls fn for every domain event published from now on, until the returned function is
	// called. Events of one publisher arrive in the order published; fn may be called concurrently for events of
	// different publishers. fn must not block for long (the in-process bus calls it on the publisher's
	// goroutine). Events may be shared between subscribers: fn must treat them as read-only.
	SubscribeEvents(fn func(*Event)) (unsubscribe func())
	// Close stops delivery.
	Close() error
}

// Leases grants exclusive duties across the nodes sharing a store: the duty that only one node may do at a time
// (make routing offers, fire timers, run flow steps, deliver the streaming outbox) is a named lease, held by one
// owner until it expires or is released (docs/decisions/0007-events-and-claims.md). The Store implements it, so
// a lease is exactly as shared as the data the duty acts on.
type Leases interface {
	// AcquireLease gives the lease name to owner until until, if it is free, expired at now, or already owner's
	// (a renewal). It returns the holder after the call: owner if the call won, another owner (and that
	// owner's expiry) if not.
	AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (holder string, holderUntil time.Time, err error)
	// ReleaseLease gives up owner's lease (the next AcquireLease by anyone wins at once). Releasing a lease
	// owner does not hold is not an error.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// LookupInstance returns the instance r knows by id or ARN (arn:aws:connect:REGION:ACCOUNT:instance/ID), as every
// API names instances; ENOTFOUND (resource INSTANCE) if there is none.
func LookupInstance(ctx context.Context, r Reader, idOrARN string) (*Instance, error) {
	id := idOrARN
	if strings.HasPrefix(id, "arn:") {
		_, after, ok := strings.Cut(id, ":instance/")
		if !ok || strings.Contains(after, "/") {
			return nil, NotFound("INSTANCE", "instance %s not found", idOrARN)
		}
		id = after
	}
	in, err := r.GetInstance(ctx, id)
	if IsCode(err, ENOTFOUND) {
		return nil, NotFound("INSTANCE", "instance %s not found", idOrARN)
	}
	return in, err
}

// Archive is the optional ability of a Store (a type assertion) to keep the two duties that come after a chat:
// exporting each ended contact's transcript once (package transcripts) and deleting chats past their retention.
// Each method runs in its own short transaction, so neither duty ever holds up the chats going on.
type Archive interface {
	// PendingExports returns up to limit (> 0) ended contacts whose EndedAt is not before since and that
	// MarkExported has not marked, earliest EndedAt first.
	PendingExports(ctx context.Context, since time.Time, limit int) ([]*Contact, error)
	// MarkExported records that the transcript of contact id was exported at at. Marking twice is not an error.
	MarkExported(ctx context.Context, id string, at time.Time) error
	// ExpiredChains returns up to limit (> 0) chains (InitialContactIDs) every contact of which ended before
	// before — and, when exportedOnly, has been marked exported — the chains that ended first first.
	ExpiredChains(ctx context.Context, before time.Time, exportedOnly bool, limit int) ([]string, error)
	// PurgeChain begins deleting a chain: in one transaction it deletes the chain's contacts, their
	// participants, connections, attachment records, flow logs, streams, outbox entries, export marks and
	// after-contact work, and
	// records a Purge holding the ids of the attachments, whose bytes the caller deletes. The chain's items
	// go afterwards, in batches (PurgeItems). A chain with no contact left is not an error.
	PurgeChain(ctx context.Context, chainID string) error
	// Purges returns up to limit (> 0) purges begun and not finished, oldest first.
	Purges(ctx context.Context, limit int) ([]Purge, error)
	// PurgeItems deletes up to limit (> 0) items of a purged chain and returns how many; once the chain has
	// none left it finishes the purge and returns 0.
	PurgeItems(ctx context.Context, chainID string, limit int) (int, error)
	// DeleteIdempotent deletes up to limit (> 0) idempotency records stored before before and returns how many.
	DeleteIdempotent(ctx context.Context, before time.Time, limit int) (int, error)
}

// Purge is a chain whose deletion has begun: its contacts are gone, its items and attachment bytes not yet.
type Purge struct {
	ChainID string
	// FileIDs are the attachments the chain had, whose bytes ("uploads/<id>", "files/<id>") are to be deleted.
	FileIDs []string
}

// The routing state that outlives the routing node (docs/decisions/0004-routing.md): besides each agent's chosen
// status (User.StatusID) and the active contacts, the node that takes routing over reads which agents are in
// Missed and which ended contacts hold an agent in after-contact work. The routing node writes them when they
// change, which is rarely (an offer timing out, a contact ending with an agent, a Clear).

// AgentMissed records that an agent let an offer time out while it had the status StatusID, chosen at
// StatusSince: it gets no offers until it sets a status again. A record whose status no longer matches the
// user's is stale (the agent chose a status since) and means nothing.
type AgentMissed struct {
	UserID      string
	StatusID    string
	StatusSince time.Time
	MissedAt    time.Time
}

// AfterContactWork is an agent's after-contact work on a contact that ended while the agent handled it: the
// agent keeps the contact's slot until it clears the work or Until passes.
type AfterContactWork struct {
	ContactID string
	UserID    string
	// ParticipantID is the agent's participant in the contact.
	ParticipantID string
	EndedAt       time.Time
	EndReason     string
	// Until is when the after-contact-work limit ends the work; zero when the agent has no limit.
	Until time.Time
}

// AgentStateReader reads the routing state of agents (part of Reader).
type AgentStateReader interface {
	// ListAgentsMissed returns the Missed records of the users of an instance, by user id.
	ListAgentsMissed(ctx context.Context, instanceID string) ([]*AgentMissed, error)
	// ListAfterContactWork returns the after-contact work on the contacts of an instance, by EndedAt, then
	// ContactID.
	ListAfterContactWork(ctx context.Context, instanceID string) ([]*AfterContactWork, error)
}

// AgentStateWriter writes the routing state of agents (part of Tx). A user's records go with the user
// (DeleteUser), a contact's after-contact work with the contact (Archive.PurgeChain).
type AgentStateWriter interface {
	// PutAgentMissed creates or replaces the Missed record of m.UserID. The user must exist.
	PutAgentMissed(ctx context.Context, m *AgentMissed) error
	// DeleteAgentMissed deletes a user's Missed record. Deleting a missing record is not an error.
	DeleteAgentMissed(ctx context.Context, userID string) error
	// PutAfterContactWork creates or replaces the after-contact work on w.ContactID. The contact and the user
	// must exist.
	PutAfterContactWork(ctx context.Context, w *AfterContactWork) error
	// DeleteAfterContactWork deletes the after-contact work on a contact. Deleting a missing one is not an
	// error.
	DeleteAfterContactWork(ctx context.Context, contactID string) error
}
