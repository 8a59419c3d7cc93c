package chat

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/internal/durhist"
)

// New returns a service over store and bus. It fails if the configuration is unusable.
func New(store parley.Store, bus parley.Bus, clock parley.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	if len(cfg.Secret) < 32 {
		return nil, errors.New("chat: Config.Secret must be at least 32 bytes")
	}
	if cfg.Region == "" {
		cfg.Region = "us-west-2"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.ConnectWindow <= 0 {
		cfg.ConnectWindow = 5 * time.Minute
	}
	if cfg.ConnectionTokenTTL <= 0 {
		cfg.ConnectionTokenTTL = 24 * time.Hour
	}
	if cfg.SocketURLTTL <= 0 {
		cfg.SocketURLTTL = 100 * time.Second
	}
	if cfg.DefaultChatDuration <= 0 {
		cfg.DefaultChatDuration = 25 * time.Hour
	}
	if cfg.CustomerIdle == 0 {
		cfg.CustomerIdle = 10 * time.Minute
	}
	if cfg.CustomerAutoDisconnect == 0 {
		cfg.CustomerAutoDisconnect = 15 * time.Minute
	}
	if cfg.TimerInterval <= 0 {
		cfg.TimerInterval = time.Second
	}
	if cfg.NodeID == "" {
		cfg.NodeID = "node-" + newID()
	}
	if cfg.AuthCacheTTL == 0 {
		cfg.AuthCacheTTL = 3 * time.Second
	}
	if clock == nil {
		clock = parley.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, bus: bus, clock: clock, log: log, cfg: cfg, auth: newAuthCache(cfg.AuthCacheTTL),
		commits: durhist.Default()}
	s.batch = newBatcher(s)
	s.inputs = &flowInputs{s: s}
	s.Observe(s.inputs)
	if bus != nil {
		s.unsubscribe = bus.SubscribeEvents(s.configChanged)
	}
	return s, nil
}

// Close stops hearing the Bus and stops the workers that run flow steps, once they have taken the steps queued
// so far. Call it before closing the store.
func (s *Service) Close() {
	if s.unsubscribe != nil {
		s.unsubscribe()
	}
	s.inputs.close()
}

// Config returns the effective configuration (defaults filled in).
func (s *Service) Config() Config { return s.cfg }

// now is the service's time, at the millisecond precision of the wire and the store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// newID returns a new id for a contact, participant or item: a version 7 UUID, whose leading 48 bits are the
// time in milliseconds. Ids made close in time sort close together, so the store's unique index on item ids
// takes each new id at its end instead of in a random page (one page written per batch of messages rather than
// one per message); the 74 random bits keep ids unguessable.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// ARNs.
func (s *Service) instanceARN(id string) string {
	return "arn:aws:connect:" + s.cfg.Region + ":" + s.cfg.AccountID + ":instance/" + id
}

// lastARNSegment accepts an id or an ARN ("arn:...:instance/<id>", ".../contact-flow/<id>") and returns the id.
func lastARNSegment(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			return s[i+1:]
		}
	}
	return s
}

// Instance returns the instance with the given id or ARN; ENOTFOUND (resource INSTANCE) if none.
func (s *Service) Instance(ctx context.Context, idOrARN string) (*parley.Instance, error) {
	return parley.LookupInstance(ctx, s.store, idOrARN)
}

// ListInstances returns every instance.
func (s *Service) ListInstances(ctx context.Context) ([]*parley.Instance, error) {
	return s.store.ListInstances(ctx)
}

// ListContactFlows returns the flows of an instance, only those of the given types when types is not empty.
func (s *Service) ListContactFlows(ctx context.Context, instanceID string, types []string) ([]*parley.ContactFlow, error) {
	in, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	flows, err := s.store.ListContactFlows(ctx, in.ID)
	if err != nil || len(types) == 0 {
		return flows, err
	}
	var out []*parley.ContactFlow
	for _, f := range flows {
		for _, t := range types {
			if f.Type == t {
				out = append(out, f)
				break
			}
		}
	}
	return out, nil
}

// defaultFlowContent is the default inbound flow in Amazon Connect's Flow Language: set the working queue and
// transfer to it. Routing to agents arrives with the routing work; until then the contact waits in the queue.
const defaultFlowContent = `{"Version":"2019-10-30","StartAction":"set-queue","Actions":[` +
	`{"Identifier":"set-queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},` +
	`"Transitions":{"NextAction":"transfer","Errors":[{"NextAction":"disconnect","ErrorType":"NoMatchingError"}]}},` +
	`{"Identifier":"transfer","Type":"TransferContactToQueue","Parameters":{},` +
	`"Transitions":{"NextAction":"disconnect","Errors":[{"NextAction":"disconnect","ErrorType":"QueueAtCapacity"},` +
	`{"NextAction":"disconnect","ErrorType":"NoMatchingError"}]}},` +
	`{"Identifier":"disconnect","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// Bootstrap makes sure at least one instance exists: on an empty store it creates the default instance with a
// default queue and a default inbound contact flow. It returns the first instance and its default inbound flow
// (parley.DefaultFlowName; else its first CONTACT_FLOW).
func (s *Service) Bootstrap(ctx context.Context, alias string) (*parley.Instance, *parley.ContactFlow, error) {
	var in *parley.Instance
	var flow *parley.ContactFlow
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		ins, err := tx.ListInstances(ctx)
		if err != nil {
			return err
		}
		if len(ins) > 0 {
			in = ins[0]
			flows, err := tx.ListContactFlows(ctx, in.ID)
			if err != nil {
				return err
			}
			for _, f := range flows {
				if f.Type == "CONTACT_FLOW" && (flow == nil || f.Name == parley.DefaultFlowName) {
					flow = f
				}
			}
			return nil
		}
		id := newID()
		in = &parley.Instance{ID: id, ARN: s.instanceARN(id), Alias: alias, CreatedAt: s.now()}
		if err := tx.PutInstance(ctx, in); err != nil {
			return err
		}
		qid := newID()
		q := &parley.Queue{ID: qid, InstanceID: id, ARN: in.ARN + "/queue/" + qid, Name: "BasicQueue",
			Description: "Default queue", Status: "ENABLED"}
		if err := tx.PutQueue(ctx, q); err != nil {
			return err
		}
		fid := newID()
		flow = &parley.ContactFlow{ID: fid, InstanceID: id, ARN: in.ARN + "/contact-flow/" + fid,
			Name: parley.DefaultFlowName, Type: "CONTACT_FLOW", State: "ACTIVE", Status: "PUBLISHED",
			Description: "Places the chat in BasicQueue",
			Content:     strings.ReplaceAll(defaultFlowContent, "%QUEUE%", q.ARN)}
		return tx.PutContactFlow(ctx, flow)
	})
	if err != nil {
		return nil, nil, err
	}
	return in, flow, nil
}
