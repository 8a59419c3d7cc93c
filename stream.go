package parley

import "time"

// Stream is a chat's message streaming to one endpoint, started by StartContactStreaming: every item appended to
// the chain (InitialContactID) after the stream started, until it is stopped or the chat ends, is delivered to
// EndpointARN. A stream belongs to the chain, so it survives transfers.
type Stream struct {
	ID          string // the StreamingId
	InstanceID  string
	ChainID     string // InitialContactID of the contact it was started on
	ContactID   string // the contact StartContactStreaming named
	EndpointARN string
	// ClientToken is StartContactStreaming's idempotency token, unique per chain.
	ClientToken string
	StartedAt   time.Time
	StoppedAt   time.Time // zero while the stream runs
}

// Active reports whether the stream still takes new items.
func (s *Stream) Active() bool { return s.StoppedAt.IsZero() }

// OutboxEntry is one item of a streamed chain waiting to be delivered to one stream's endpoint. Entries are
// written in the transaction that appends the item and deleted once delivered; an entry that could not be
// delivered is retried at NextAt, or is dead (dead-lettered) until replayed.
type OutboxEntry struct {
	StreamID  string
	Seq       int64 // the item's Seq in its chain
	ChainID   string
	ItemID    string
	CreatedAt time.Time
	// Attempts counts the failed deliveries so far.
	Attempts  int
	NextAt    time.Time // when the next attempt may run
	LastError string
	Dead      bool
}

// OutboxQuery selects outbox entries: pending ones (Dead false) or dead ones (Dead true), of one stream when
// StreamID is set, of the streams of one instance when InstanceID is set, ordered by StreamID then Seq, at most
// Limit (0 means no limit).
type OutboxQuery struct {
	StreamID   string
	InstanceID string
	Dead       bool
	Limit      int
}
