// Package participant serves the Amazon Connect Participant Service (connectparticipant, 2018-09-07) over HTTP:
// restJson1, authenticated only by the X-Amz-Bearer header (a SigV4 Authorization header, which the SDKs and
// ChatJS send signed with empty keys, is ignored). It validates every member against the model and delegates to
// the chat service.
//
// The handler is stateless and safe for concurrent use.
package participant

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/throttle"
	"github.com/parley-chat/parley/wire"
)

// The checks of the model's constraints are generated (validate_gen.go). By hand: the X-Amz-Bearer token
// (bearer, before the body is read), CreateParticipantConnection's Type (its wording, and parley refuses
// WEBRTC_CONNECTION), CompleteAttachmentUpload's AttachmentIds (a golden file pins its wording), and the rules
// the model cannot state (GetTranscript's StartPosition: a parseable time, one member at most).
//
//go:generate go run ../../internal/smithygen -model connectparticipant.json -mode checks -out validate_gen.go -ops CompleteAttachmentUpload,CreateParticipantConnection,DisconnectParticipant,GetAttachment,GetTranscript,SendEvent,SendMessage,StartAttachmentUpload -custom CompleteAttachmentUploadRequest.AttachmentIds=checkAttachmentIDs,CreateParticipantConnectionRequest.Type=checkConnectionTypes

// maxBody bounds request bodies: a 16,384-character Content escaped as \uXXXX surrogate pairs is about 200 KB.
const maxBody = 256 << 10

// Handler serves the Participant Service.
type Handler struct {
	svc *chat.Service
	att *chat.Attachments // nil: attachments are not enabled
	log *slog.Logger
	mux *http.ServeMux
	// limits throttles the operations per instance; nil: no throttling.
	limits *throttle.Limiter
}

// WithThrottle applies the limiter's rates to the operations, per instance, answering ThrottlingException (429)
// beyond them.
func WithThrottle(l *throttle.Limiter) Option {
	return func(h *Handler) { h.limits = l }
}

// Operations are the Participant API operations a limiter throttles (per instance), as throttling.operations
// may name them.
var Operations = []string{"CreateParticipantConnection", "SendMessage", "SendEvent", "GetTranscript",
	"DisconnectParticipant", "StartAttachmentUpload", "CompleteAttachmentUpload", "GetAttachment", "DescribeView",
	"GetAuthenticationUrl", "CancelParticipantAuthentication"}

// New returns the Participant Service handler, to be mounted at /participant/.
func New(svc *chat.Service, log *slog.Logger, opts ...Option) http.Handler {
	h := &Handler{svc: svc, log: log, mux: http.NewServeMux()}
	for _, o := range opts {
		o(h)
	}
	h.mux.HandleFunc("POST "+wire.PathCreateParticipantConnection, h.createConnection)
	h.mux.HandleFunc("POST "+wire.PathSendMessage, h.authed("SendMessage", h.sendMessage))
	h.mux.HandleFunc("POST "+wire.PathSendEvent, h.authed("SendEvent", h.sendEvent))
	h.mux.HandleFunc("POST "+wire.PathGetTranscript, h.authed("GetTranscript", h.getTranscript))
	h.mux.HandleFunc("POST "+wire.PathDisconnectParticipant, h.authed("DisconnectParticipant", h.disconnect))
	if h.att != nil {
		h.mux.HandleFunc("POST "+wire.PathStartAttachmentUpload, h.authed("StartAttachmentUpload", h.startAttachmentUpload))
		h.mux.HandleFunc("POST "+wire.PathCompleteAttachmentUpload, h.authed("CompleteAttachmentUpload", h.completeAttachmentUpload))
		h.mux.HandleFunc("POST "+wire.PathGetAttachment, h.authed("GetAttachment", h.getAttachment))
	} else {
		for _, path := range []string{wire.PathStartAttachmentUpload, wire.PathCompleteAttachmentUpload, wire.PathGetAttachment} {
			h.mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, errNoAttachments) })
		}
	}
	h.mux.HandleFunc("GET "+wire.PathDescribeViewPrefix+"{ViewToken...}", h.authed("DescribeView", h.describeView))
	h.authenticationRoutes()
	h.mux.HandleFunc("/", h.unknown)
	return httpapi.Middleware(log, httpapi.Participant, h.mux)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.Participant, err)
}

// participantGroup maps operations to the per-participant bucket they spend.
var participantGroup = map[string]string{
	"SendMessage": throttle.Messages, "SendEvent": throttle.Messages,
	"GetTranscript":         throttle.Transcripts,
	"StartAttachmentUpload": throttle.Attachments, "CompleteAttachmentUpload": throttle.Attachments,
	"GetAttachment": throttle.Attachments,
}

// failAuth answers a request whose token authenticated nobody. Such failures spend the client address's
// unauthenticated bucket; once it is empty they answer ThrottlingException instead, so one address cannot
// make the server look up token after token. A valid token never spends it.
func (h *Handler) failAuth(w http.ResponseWriter, r *http.Request, err error) {
	if parley.IsCode(err, parley.EACCESS) && !h.limits.Allow(throttle.Unauthenticated, httpapi.ClientIP(r), false) {
		err = parley.Errorf(parley.ETHROTTLE, "Rate exceeded: too many requests with invalid tokens from this address (limits.unauthenticated)")
	}
	h.fail(w, r, err)
}

func (h *Handler) unknown(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-Errortype", "UnknownOperationException")
	httpapi.WriteJSON(w, http.StatusNotFound, wire.Error{Type: "UnknownOperationException",
		Message: "no Participant Service operation for " + r.Method + " " + r.URL.Path})
}

// bearer returns the X-Amz-Bearer token, checked against the model (required, 1..1000 characters).
func bearer(r *http.Request, member string) (string, error) {
	tok := strings.TrimSpace(r.Header.Get(wire.HeaderBearer))
	var c httpapi.Check
	if tok == "" {
		c.Fail(member, "%s is required in the %s header", member, wire.HeaderBearer)
	} else {
		c.Len(member, tok, 1, 1000)
	}
	return tok, c.Err()
}

type authedFunc func(w http.ResponseWriter, r *http.Request, c *chat.Caller)

// authed authenticates the ConnectionToken before calling f.
func (h *Handler) authed(op string, f authedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		httpapi.SetOperation(r.Context(), op)
		tok, err := bearer(r, "ConnectionToken")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		c, err := h.svc.Authenticate(r.Context(), tok)
		if err != nil {
			h.failAuth(w, r, err)
			return
		}
		if !h.limits.Allow(op, c.Contact.InstanceID, false) {
			h.fail(w, r, parley.Errorf(parley.ETHROTTLE, "Rate exceeded for %s", op))
			return
		}
		if group := participantGroup[op]; group != "" && !h.limits.Allow(group, c.Participant.ID, false) {
			h.fail(w, r, parley.Errorf(parley.ETHROTTLE, "Rate exceeded for %s: this participant sends too fast (limits.%s)", op, group))
			return
		}
		f(w, r, c)
	}
}

func (h *Handler) createConnection(w http.ResponseWriter, r *http.Request) {
	httpapi.SetOperation(r.Context(), "CreateParticipantConnection")
	tok, err := bearer(r, "ParticipantToken")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.limits.Limits("CreateParticipantConnection") {
		inst, err := h.svc.ParticipantInstance(r.Context(), tok)
		if err != nil {
			h.failAuth(w, r, err)
			return
		}
		if !h.limits.Allow("CreateParticipantConnection", inst, false) {
			h.fail(w, r, parley.Errorf(parley.ETHROTTLE, "Rate exceeded for CreateParticipantConnection"))
			return
		}
	}
	var req wire.CreateParticipantConnectionRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateCreateParticipantConnectionRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	in := chat.ConnectionInput{Websocket: slices.Contains(req.Type, wire.ConnectionTypeWebsocket),
		Credentials: slices.Contains(req.Type, wire.ConnectionTypeCredentials)}
	in.ConnectParticipant = req.ConnectParticipant != nil && *req.ConnectParticipant
	out, err := h.svc.CreateConnection(r.Context(), tok, in)
	if err != nil {
		h.failAuth(w, r, err)
		return
	}
	var resp wire.CreateParticipantConnectionResponse
	if in.Websocket {
		resp.Websocket = &wire.Websocket{URL: out.SocketURL, ConnectionExpiry: wire.FormatTime(out.SocketExpiry)}
	}
	if in.Credentials {
		resp.ConnectionCredentials = &wire.ConnectionCredentials{ConnectionToken: out.ConnectionToken,
			Expiry: wire.FormatTime(out.ConnectionExpiry)}
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
}

// checkConnectionTypes checks CreateParticipantConnection's Type: the model's list length and enum, in
// parley's words, and WEBRTC_CONNECTION, which parley does not serve.
func checkConnectionTypes(c *httpapi.Check, field string, types []string) {
	if types != nil && len(types) == 0 {
		c.Fail(field, "%s must list at least one connection type", field)
	}
	for _, t := range types {
		switch t {
		case wire.ConnectionTypeWebsocket, wire.ConnectionTypeCredentials:
		case wire.ConnectionTypeWebRTC:
			c.Fail(field, "%s WEBRTC_CONNECTION is not supported: parley serves chat only", field)
		default:
			c.Fail(field, "%s %q must be one of [WEBSOCKET CONNECTION_CREDENTIALS WEBRTC_CONNECTION]", field, t)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (h *Handler) sendMessage(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.SendMessageRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateSendMessageRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.svc.SendMessage(r.Context(), c, *req.ContentType, *req.Content, deref(req.ClientToken))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.SendMessageResponse{ID: it.ID, AbsoluteTime: wire.FormatTime(it.Time)})
}

func (h *Handler) sendEvent(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.SendEventRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateSendEventRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.svc.SendEvent(r.Context(), c, *req.ContentType, deref(req.Content), deref(req.ClientToken))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.SendEventResponse{ID: it.ID, AbsoluteTime: wire.FormatTime(it.Time)})
}

func (h *Handler) getTranscript(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.GetTranscriptRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateGetTranscriptRequest(&v, &req)
	q := chat.TranscriptQuery{ContactID: deref(req.ContactID), NextToken: deref(req.NextToken),
		ScanDirection: deref(req.ScanDirection), SortOrder: deref(req.SortOrder)}
	if req.MaxResults != nil {
		q.MaxResults = *req.MaxResults
	}
	if sp := req.StartPosition; sp != nil {
		// What the model cannot say: AbsoluteTime must parse, and only one member may be set.
		set := 0
		if sp.ID != nil {
			set++
			q.StartID = *sp.ID
		}
		if sp.AbsoluteTime != nil {
			set++
			if t, err := wire.ParseTime(*sp.AbsoluteTime); err != nil {
				v.Fail("StartPosition.AbsoluteTime", "StartPosition.AbsoluteTime must be an ISO 8601 time such as 2019-11-08T02:41:28.172Z")
			} else {
				q.StartTime = t
			}
		}
		if sp.MostRecent != nil {
			set++
			q.MostRecent, q.HasMostRecent = *sp.MostRecent, true
		}
		if set > 1 {
			v.Fail("StartPosition", "StartPosition must set only one of Id, AbsoluteTime and MostRecent")
		}
	}
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.svc.GetTranscript(r.Context(), c, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	resp := wire.GetTranscriptResponse{InitialContactID: page.InitialContactID, NextToken: page.NextToken,
		Transcript: make([]wire.Item, 0, len(page.Items))}
	for _, it := range page.Items {
		resp.Transcript = append(resp.Transcript, chat.WireItem(it, false))
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
}

func (h *Handler) disconnect(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.DisconnectParticipantRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateDisconnectParticipantRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Disconnect(r.Context(), c, deref(req.ClientToken)); err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}
