package streaming

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/parley-chat/parley"
)

// MaxStreams is how many streams a chat may have at once, as Amazon Connect's limit of two SNS topics per
// contact.
const MaxStreams = 2

// LeaseName is the lease whose holder delivers the outbox.
const LeaseName = "outbox"

// Config tunes the delivery worker. The zero value of a field means its default.
type Config struct {
	// NodeID names this process as the owner of the "outbox" lease. Default: a new random id.
	NodeID string
	// Workers is how many streams are delivered in parallel. Default 64: a webhook takes one request per item,
	// one stream at a time, so a receiver 10 ms away takes at most Workers × 100 items a second.
	Workers int
	// RetryBase is the longest wait before the first retry of a failed delivery; each later retry waits up
	// to twice as long as the one before, at most RetryCap; each wait is drawn between half and all of that
	// (jitter). Defaults 1s and 30s.
	RetryBase time.Duration
	RetryCap  time.Duration
	// MaxAttempts dead-letters an item after this many failed deliveries. Default 120 (about an hour at the
	// cap); negative: no limit.
	MaxAttempts int
	// MaxAge dead-letters an item that fails when it is older than this. Default 24h; negative: no limit.
	MaxAge time.Duration
	// DeliverTimeout bounds one call of Endpoint.Deliver. Default 10s.
	DeliverTimeout time.Duration
	// Linger is how long a stream that got new items waits before its worker turn, so that the items of a busy
	// chat go out together (batches to SNS, fewer stream reads and cursor saves) rather than one turn each.
	// Default 50ms; negative: no wait.
	Linger time.Duration
	// ScanInterval is how often the worker looks in the store for streams behind their chains that nobody rang
	// for (after a restart, items committed on another node, a lost wake-up). Default 5s.
	ScanInterval time.Duration
	// Batch is how many items of one stream a worker takes in one turn before letting other streams go.
	// Default 64.
	Batch int
	// LeaseTTL is the lease's lifetime (lease.DefaultTTL when zero).
	LeaseTTL time.Duration
}

func (c *Config) defaults() {
	if c.NodeID == "" {
		c.NodeID = uuid.NewString()
	}
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.RetryBase <= 0 {
		c.RetryBase = time.Second
	}
	if c.RetryCap <= 0 {
		c.RetryCap = 30 * time.Second
	}
	if c.RetryCap < c.RetryBase {
		c.RetryCap = c.RetryBase
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 120
	}
	if c.MaxAge == 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.DeliverTimeout <= 0 {
		c.DeliverTimeout = 10 * time.Second
	}
	if c.Linger == 0 {
		c.Linger = 50 * time.Millisecond
	}
	if c.ScanInterval <= 0 {
		c.ScanInterval = 5 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 64
	}
}

// Service is message streaming: the StartContactStreaming and StopContactStreaming operations, the chat.Observer
// that stops streams at a chat's end and rings the worker, the delivery worker (Run) and the dead-letter
// operations.
type Service struct {
	store    parley.Store
	endpoint Endpoint // nil: items wait
	clock    parley.Clock
	log      *slog.Logger
	cfg      Config

	// chains remembers, per chain, the active streams Committing last saw, so that Committed knows which
	// streams to ring. It is a hint: the streams' cursors are the truth, and the periodic scan finds what a
	// wrong hint missed.
	chainsMu sync.Mutex
	chains   map[string][]string

	d dispatcher

	// items holds the items of streamed chains committed lately, for delivery without a store read; contacts
	// the contacts of the items delivered lately.
	items    itemCache
	contacts contactCache
	// streams keeps the stream rows the worker read lately.
	streams streamCache
	// cur saves the streams' cursors in batches (cursors.go).
	cur cursors
	// bus, when set (Follow), brings the items other nodes commit on the chains in fol.
	bus parley.Bus
	fol follows

	delivered, retried, dead, storeReads atomic.Int64
}

// New returns the streaming service over store. endpoint delivers the items; with a nil endpoint streams can
// still be started and their items wait after their cursors (the worker logs that it has no endpoint and delivers
// nothing). clock nil means the system clock, log nil discards.
func New(store parley.Store, endpoint Endpoint, clock parley.Clock, log *slog.Logger, cfg Config) *Service {
	cfg.defaults()
	if clock == nil {
		clock = parley.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, endpoint: endpoint, clock: clock, log: log, cfg: cfg, chains: map[string][]string{}}
	s.d.init()
	s.cur.init()
	return s
}

// StartContactStreaming starts streaming the chat of contactID (any contact of the chain) to endpointARN and
// returns the StreamingId. A retry with the same clientToken returns the same StreamingId (whatever happened
// since); starting an endpoint the chat already streams to returns that stream's id. Errors: ENOTFOUND
// (instance, contact), EINVALID (not a standard SNS topic ARN of the instance's Region), EREQUEST (the chat
// has ended; clientToken reused with another endpoint), ELIMIT (the chat already has MaxStreams streams).
func (s *Service) StartContactStreaming(ctx context.Context, instanceID, contactID, endpointARN, clientToken string) (string, error) {
	c, inst, err := s.contactOf(ctx, instanceID, contactID)
	if err != nil {
		return "", err
	}
	if err := checkEndpointARN(endpointARN, inst); err != nil {
		return "", err
	}
	var id string
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		if clientToken != "" {
			st, err := tx.StreamByClientToken(ctx, c.InitialContactID, clientToken)
			if err == nil {
				if st.EndpointARN != endpointARN {
					return parley.Errorf(parley.EREQUEST, "ClientToken %s was used to stream to another endpoint", clientToken)
				}
				id = st.ID
				return nil
			}
			if !parley.IsCode(err, parley.ENOTFOUND) {
				return err
			}
		}
		cur, err := tx.ActiveContact(ctx, c.InitialContactID)
		if err != nil {
			return err
		}
		if !cur.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", contactID)
		}
		active, err := tx.ListStreams(ctx, c.InitialContactID, true)
		if err != nil {
			return err
		}
		for _, st := range active {
			if st.EndpointARN == endpointARN {
				id = st.ID
				return nil
			}
		}
		if len(active) >= MaxStreams {
			return parley.Errorf(parley.ELIMIT, "contact %s already streams to %d endpoints, the most a contact may have",
				contactID, MaxStreams)
		}
		from, err := startAfter(ctx, tx, cur)
		if err != nil {
			return err
		}
		st := &parley.Stream{ID: uuid.NewString(), InstanceID: inst.ID, ChainID: c.InitialContactID, ContactID: c.ID,
			EndpointARN: endpointARN, ClientToken: clientToken, StartedAt: s.clock.Now(), Cursor: from}
		if err := tx.InsertStream(ctx, st); err != nil {
			return err
		}
		id = st.ID
		return nil
	})
	if err != nil {
		return "", err
	}
	s.d.pokeStore(id, false) // the items before the start, when it streams them
	if s.bus != nil {
		// The node delivering may be another: it follows the chain from now on (Follow).
		ev := &parley.Event{Kind: parley.EventStreamStarted, InstanceID: inst.ID, Time: s.clock.Now(), Contact: c, Data: []byte(id)}
		if err := s.bus.PublishEvent(ctx, ev); err != nil {
			s.log.WarnContext(ctx, "streaming: announcing a stream failed; its items wait for the next scan", "streaming_id", id, "err", err)
		}
	}
	s.log.InfoContext(ctx, "streaming started", "contact_id", c.ID, "streaming_id", id, "endpoint", endpointARN)
	return id, nil
}

// startAfter returns the Seq a new stream of c's chain starts after: the chain's newest, as Amazon Connect
// streams only what comes after the start, unless the customer has not connected yet. Amazon Connect starts a
// chat's flow only once its customer is connected (for a streamed chat, by CreateParticipantConnection with
// ConnectParticipant), so the integrator that calls StartChatContact, StartContactStreaming, then
// CreateParticipantConnection receives everything the flow says. parley runs the flow's first step inside
// StartChatContact; streaming the chat from its first item gives the integrator the same items, in order.
func startAfter(ctx context.Context, tx parley.Tx, c *parley.Contact) (int64, error) {
	ps, err := tx.ListParticipants(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.Role == parley.RoleCustomer && p.Connected {
			return tx.LastSeq(ctx, c.InitialContactID)
		}
	}
	return 0, nil
}

// StopContactStreaming stops a stream of the chat of contactID. Items already committed are still delivered.
// Stopping a stopped stream (or one whose chat ended) succeeds. Errors: ENOTFOUND (instance, contact, a
// stream that is not the chat's).
func (s *Service) StopContactStreaming(ctx context.Context, instanceID, contactID, streamingID string) error {
	c, _, err := s.contactOf(ctx, instanceID, contactID)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		st, err := tx.GetStream(ctx, streamingID)
		if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && st.ChainID != c.InitialContactID) {
			return parley.NotFound("STREAM", "streaming configuration %s not found on contact %s", streamingID, contactID)
		}
		if err != nil {
			return err
		}
		last, err := tx.LastSeq(ctx, st.ChainID)
		if err != nil {
			return err
		}
		return tx.StopStream(ctx, st.ID, s.clock.Now(), last)
	})
	if err != nil {
		return err
	}
	s.forgetChain(c.InitialContactID)
	s.streams.drop(streamingID)
	s.log.InfoContext(ctx, "streaming stopped", "contact_id", c.ID, "streaming_id", streamingID)
	return nil
}

// DeadLetter is a dead-lettered outbox entry with its stream's endpoint.
type DeadLetter struct {
	parley.OutboxEntry
	InstanceID  string
	EndpointARN string
}

// DeadLetters returns up to limit (<= 0: all) dead-lettered entries of an instance, by stream then Seq.
// Errors: ENOTFOUND (instance).
func (s *Service) DeadLetters(ctx context.Context, instanceID string, limit int) ([]DeadLetter, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	es, err := s.store.ListOutbox(ctx, parley.OutboxQuery{InstanceID: inst.ID, Dead: true, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetter, 0, len(es))
	streams := map[string]*parley.Stream{}
	for _, e := range es {
		st, ok := streams[e.StreamID]
		if !ok {
			if st, err = s.store.GetStream(ctx, e.StreamID); err != nil {
				return nil, err
			}
			streams[e.StreamID] = st
		}
		out = append(out, DeadLetter{OutboxEntry: *e, InstanceID: st.InstanceID, EndpointARN: st.EndpointARN})
	}
	return out, nil
}

// Replay makes the dead-lettered entries of an instance (of one stream when streamingID is set) pending again,
// due now, and returns how many. Errors: ENOTFOUND (instance; a stream that is not the instance's).
func (s *Service) Replay(ctx context.Context, instanceID, streamingID string) (int, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return 0, err
	}
	if streamingID != "" {
		st, err := s.store.GetStream(ctx, streamingID)
		if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && st.InstanceID != inst.ID) {
			return 0, parley.NotFound("STREAM", "streaming configuration %s not found in instance %s", streamingID, inst.ID)
		}
		if err != nil {
			return 0, err
		}
	}
	var n int
	err = s.store.Update(ctx, func(tx parley.Tx) (err error) {
		n, err = tx.ReplayOutbox(ctx, parley.OutboxQuery{InstanceID: inst.ID, StreamID: streamingID}, s.clock.Now())
		return err
	})
	if err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "outbox replayed", "instance_id", inst.ID, "streaming_id", streamingID, "entries", n)
	if n > 0 {
		s.d.scanSoon()
	}
	return n, nil
}

// Stats is a snapshot of the streaming metrics.
type Stats struct {
	Backlog   int64 // streamed items waiting for delivery (not dead)
	DeadCount int64 // items dead-lettered and not replayed
	Delivered int64 // items delivered by this process since New
	Retried   int64 // failed deliveries that were scheduled for a retry, since New
	Dead      int64 // items this process dead-lettered since New
	Leading   bool  // whether this process holds the "outbox" lease
	Following int   // chats whose items this process hears on the bus for its streams (Follow; with several nodes)
	// StoreReads counts the turns, since New, that read a stream's items from the store rather than the item
	// cache: items from before this process cached them, after a gap, or found by a scan.
	StoreReads int64
}

// Stats returns the metrics: the outbox's backlog and dead letters (read from the store) and this process's
// counters.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	pending, dead, err := s.store.CountOutbox(ctx)
	if err != nil {
		return Stats{}, err
	}
	return Stats{Backlog: pending, DeadCount: dead, Delivered: s.delivered.Load(), Retried: s.retried.Load(),
		Dead: s.dead.Load(), Leading: s.d.leading.Load(), Following: s.following(), StoreReads: s.storeReads.Load()}, nil
}

// instance finds an instance by id or ARN.
func (s *Service) instance(ctx context.Context, idOrARN string) (*parley.Instance, error) {
	return parley.LookupInstance(ctx, s.store, idOrARN)
}

// contactOf finds a contact of an instance.
func (s *Service) contactOf(ctx context.Context, instanceID, contactID string) (*parley.Contact, *parley.Instance, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.GetContact(ctx, contactID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && c.InstanceID != inst.ID) {
		return nil, nil, parley.NotFound("CONTACT", "contact %s not found in instance %s", contactID, inst.ID)
	}
	return c, inst, err
}

// checkEndpointARN accepts the ARN of a standard (not FIFO) SNS topic in the instance's Region, as Amazon
// Connect does: arn:<partition>:sns:<region>:<account>:<topic>.
func checkEndpointARN(arn string, inst *parley.Instance) error {
	const field = "ChatStreamingConfiguration.StreamingEndpointArn"
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "sns" ||
		parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return parley.Invalid(field, "StreamingEndpointArn %q is not the ARN of an SNS topic", arn)
	}
	if strings.HasSuffix(parts[5], ".fifo") {
		return parley.Invalid(field, "StreamingEndpointArn %q is a FIFO topic: streaming needs a standard topic", arn)
	}
	if ip := strings.Split(inst.ARN, ":"); len(ip) >= 4 && ip[3] != "" && ip[3] != parts[3] {
		return parley.Invalid(field, "StreamingEndpointArn %q is not in the instance's Region %s", arn, ip[3])
	}
	return nil
}
