package agents

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-chat/parley"
)

// Read views across nodes. The routing state lives in the leader's memory only, so a node that does not route
// asks the leader for every view built from it (an agent's state, the live contacts, the agents, the queues'
// status, the real-time metrics' live view, a queue's metrics for the flows) as an action of kind actRead, and
// the leader answers with the view encoded in the answer's Data. Nothing is cached: a view is as fresh as one
// round trip on the bus. When no leader answers within readTimeout (no node holds the lease, between one
// leader's death and the lease's expiry), the node answers from its own memory, which is empty, and logs it: a
// view that says "nothing is happening" for a few seconds is better than read endpoints and contact flows that
// fail.

// actRead asks the leader for a read view; the view's kind is in action.Read.
const actRead = "read"

// Read views a node asks the leader for.
const (
	readState        = "state"         // State of action.UserID
	readLiveContacts = "live-contacts" // LiveContacts
	readAgents       = "agents"        // Agents
	readQueueStatus  = "queue-status"  // QueueStatus of the instance action.Arg
	readLiveView     = "live-view"     // LiveView
	readQueueMetrics = "queue-metrics" // QueueMetrics of the queue action.Arg
)

// readTimeout bounds how long a read waits for the leader; shorter than ForwardTimeout, because a read has a
// fallback and its callers (the workspace polling, a flow's CheckMetricData) should not hang on it.
func (s *Service) readTimeout() time.Duration { return min(s.cfg.ForwardTimeout, 2*time.Second) }

// remoteRead returns the view kind from the leader, or local() when this node leads or no leader answered.
func remoteRead[T any](ctx context.Context, s *Service, kind, userID, arg string, local func() (T, error)) (T, error) {
	if s.isLeader() {
		return local()
	}
	rctx, cancel := context.WithTimeout(ctx, s.readTimeout())
	defer cancel()
	r, err := s.forward(rctx, action{Act: actRead, Read: kind, UserID: userID, Arg: arg})
	if err == nil {
		var v T
		if err = json.Unmarshal(r.Data, &v); err == nil {
			return v, nil
		}
	}
	if ctx.Err() != nil { // the caller gave up: nothing to tell
		return local()
	}
	s.log.Warn("routing view: no view from the routing node; answering from this node's memory", "view", kind,
		"node_id", s.cfg.NodeID, "err", err)
	return local()
}

// noErr adapts a view that cannot fail to remoteRead.
func noErr[T any](f func() T) func() (T, error) { return func() (T, error) { return f(), nil } }

// readLocal builds the view a follower asked for, on the leader, encoded for the answer.
func (s *Service) readLocal(ctx context.Context, a *action) (json.RawMessage, error) {
	var v any
	var err error
	switch a.Read {
	case readState:
		v = s.localState(a.UserID)
	case readLiveContacts:
		v = s.localLiveContacts()
	case readAgents:
		v = s.localAgents()
	case readQueueStatus:
		v, err = s.localQueueStatus(ctx, a.Arg)
	case readLiveView:
		v = s.localLiveView()
	case readQueueMetrics:
		v = s.localQueueMetrics(a.Arg)
	default:
		return nil, parley.Errorf(parley.EINVALID, "unknown read view %q", a.Read)
	}
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, parley.Internal(err)
	}
	return data, nil
}
