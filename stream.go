package parley

import "time"

// Stream is a chat's message streaming to one endpoint, started by StartContactStreaming: every item appended to
// the chain (InitialContactID) after the stream started, until it is stopped or the chat ends, is delivered to
// EndpointARN. A stream belongs to the chain, so it survives transfers.
//
// The chain's items are the stream's outbox: Cursor is how far delivery got, and the items after it (up to
// LastSeq once the stream stopped) wait for delivery. Nothing is written per item: a delivered batch moves the
// cursor once.
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

	// Cursor is the Seq of the chain's item up to which the stream is done: every item at or before it was
	// delivered, dead-lettered, or is not streamed (it is addressed to one participant, or came before the
	// start).
	Cursor int64
	// LastSeq is, once the stream stopped, the Seq of the last item it delivers (the chain's newest when it
	// stopped); 0 while it runs. A stopped stream is finished when Cursor reaches LastSeq.
	LastSeq int64
	// The failed deliveries of the item FailingSeq, the first after Cursor the endpoint took no answer for:
	// how many, when the next may run, and the last error. They describe that item only while FailingSeq >
	// Cursor.
	FailingSeq int64
	Attempts   int
	NextAt     time.Time
	LastError  string
}

// Active reports whether the stream still takes new items.
func (s *Stream) Active() bool { return s.StoppedAt.IsZero() }

// Done reports whether the stream will never deliver another item of its chain: it stopped and its cursor
// reached its last item.
func (s *Stream) Done() bool { return !s.Active() && s.Cursor >= s.LastSeq }

// Failing returns the attempts, next attempt and last error recorded for the item seq: zero values unless the
// failures are that item's.
func (s *Stream) Failing(seq int64) (attempts int, next time.Time, lastError string) {
	if s.FailingSeq != seq || seq <= s.Cursor {
		return 0, time.Time{}, ""
	}
	return s.Attempts, s.NextAt, s.LastError
}

// OutboxEntry is one item of a stream that delivery does not reach through the stream's cursor: an item
// dead-lettered (Dead), or one replayed from the dead letters and waiting for its delivery. Entries are written
// when an item is dead-lettered, made pending by a replay, and deleted once delivered; a pending entry that
// fails is retried at NextAt, or is dead again.
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
