package connect

import (
	"context"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/streaming"
	"github.com/parley-chat/parley/wire"
)

// Message streaming: StartContactStreaming and StopContactStreaming, as Connect, and parley's own operations on
// the streaming outbox's dead letters (PathDeadLetters, PathReplayDeadLetters), SigV4-signed like the rest.

// streamingService is the part of *streaming.Service the handler uses; tests substitute a fake.
type streamingService interface {
	StartContactStreaming(ctx context.Context, instanceID, contactID, endpointARN, clientToken string) (string, error)
	StopContactStreaming(ctx context.Context, instanceID, contactID, streamingID string) error
	DeadLetters(ctx context.Context, instanceID string, limit int) ([]streaming.DeadLetter, error)
	Replay(ctx context.Context, instanceID, streamingID string) (int, error)
	Stats(ctx context.Context) (streaming.Stats, error)
}

var _ streamingService = (*streaming.Service)(nil)

// WithStreaming serves StartContactStreaming, StopContactStreaming and the dead-letter operations from s;
// without it (or with a nil s) they answer InvalidRequestException.
func WithStreaming(s *streaming.Service) Option {
	return func(h *handler) {
		if s != nil {
			h.streams = s
		}
	}
}

func (h *handler) streaming() (streamingService, error) {
	if h.streams == nil {
		return nil, parley.Errorf(parley.EREQUEST, "message streaming is not supported by this server")
	}
	return h.streams, nil
}

var streamingRoutes = []route{
	operation(kindChat, "StartContactStreaming", http.MethodPost, wire.PathStartContactStreaming,
		func(h *handler, ctx context.Context, in *wire.StartContactStreamingRequest) (*wire.StartContactStreamingResponse, error) {
			s, err := h.streaming()
			if err != nil {
				return nil, err
			}
			id, err := s.StartContactStreaming(ctx, *in.InstanceID, *in.ContactID,
				*in.ChatStreamingConfiguration.StreamingEndpointArn, *in.ClientToken)
			if err != nil {
				return nil, err
			}
			return &wire.StartContactStreamingResponse{StreamingID: id}, nil
		}),
	operation(kindChat, "StopContactStreaming", http.MethodPost, wire.PathStopContactStreaming,
		func(h *handler, ctx context.Context, in *wire.StopContactStreamingRequest) (*wire.StopContactStreamingResponse, error) {
			s, err := h.streaming()
			if err != nil {
				return nil, err
			}
			return nil, s.StopContactStreaming(ctx, *in.InstanceID, *in.ContactID, *in.StreamingID)
		}),
	deadLettersRoute,
	replayRoute,
}

// PathDeadLetters is parley's own operation (not Connect's): GET the dead-lettered entries of an instance's
// streaming outbox (at most MaxResults, a query parameter, 1 to 1000, default 100) and the outbox's metrics.
const PathDeadLetters = "/parley/streaming/dead-letters/{InstanceId}"

// PathReplayDeadLetters is parley's own operation: POST makes an instance's dead-lettered entries (only those of
// one stream when the JSON body has a StreamingId) pending again; it answers {"Replayed": n}.
const PathReplayDeadLetters = "/parley/streaming/replay/{InstanceId}"

// DeadLetter is one dead-lettered outbox entry as PathDeadLetters answers it.
type DeadLetter struct {
	StreamingID      string `json:"StreamingId"`
	EndpointARN      string `json:"StreamingEndpointArn"`
	InitialContactID string `json:"InitialContactId"`
	ItemID           string `json:"Id"`
	Seq              int64  `json:"Seq"`
	Attempts         int    `json:"Attempts"`
	LastError        string `json:"LastError"`
	CreatedAt        string `json:"CreatedAt"`
}

// StreamingStats are the outbox's metrics as PathDeadLetters answers them.
type StreamingStats struct {
	Backlog     int64 `json:"Backlog"`
	DeadLetters int64 `json:"DeadLetters"`
	Delivered   int64 `json:"Delivered"`
	Retried     int64 `json:"Retried"`
	Dead        int64 `json:"DeadLettered"`
	Leading     bool  `json:"Leading"`
	Following   int   `json:"Following"`
}

// DeadLettersOutput is PathDeadLetters' answer.
type DeadLettersOutput struct {
	DeadLetters []DeadLetter   `json:"DeadLetters"`
	Stats       StreamingStats `json:"Stats"`
}

var deadLettersRoute = op("ListStreamingDeadLetters", http.MethodGet, PathDeadLetters,
	func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		s, err := h.streaming()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		limit := 100
		if v := r.URL.Query().Get("MaxResults"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				h.fail(w, r, parley.Invalid("MaxResults", "MaxResults must be a number from 1 to 1000"))
				return
			}
			limit = n
		}
		dls, err := s.DeadLetters(r.Context(), labels[0], limit)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		st, err := s.Stats(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		out := DeadLettersOutput{DeadLetters: make([]DeadLetter, 0, len(dls)), Stats: StreamingStats{Backlog: st.Backlog,
			DeadLetters: st.DeadCount, Delivered: st.Delivered, Retried: st.Retried, Dead: st.Dead, Leading: st.Leading,
			Following: st.Following}}
		for _, d := range dls {
			out.DeadLetters = append(out.DeadLetters, DeadLetter{StreamingID: d.StreamID, EndpointARN: d.EndpointARN,
				InitialContactID: d.ChainID, ItemID: d.ItemID, Seq: d.Seq, Attempts: d.Attempts, LastError: d.LastError,
				CreatedAt: wire.FormatTime(d.CreatedAt)})
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	})

var replayRoute = op("ReplayStreamingDeadLetters", http.MethodPost, PathReplayDeadLetters,
	func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		s, err := h.streaming()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var in struct {
			StreamingID string `json:"StreamingId"`
		}
		if r.ContentLength != 0 {
			if err := httpapi.DecodeJSON(r, MaxBody, &in); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		n, err := s.Replay(r.Context(), labels[0], in.StreamingID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Replayed int `json:"Replayed"`
		}{n})
	})
