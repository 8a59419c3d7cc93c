// Package startchat serves POST /start-chat, the "start chat" backend Amazon's sample widgets and mobile
// samples call (amazon-connect-chat-ui-examples' startChatContactAPI): it starts a chat as a customer and
// answers {"data":{"startChatResult":…,"featurePermissions":…}}, ready for ChatJS. Because it is public and
// unauthenticated, it only starts chats in the instances and flows it allows, from the origins it allows, with
// the attributes it allows, at a bounded rate per client address.
package startchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/throttle"
)

// Path is where the endpoint is served.
const Path = "/start-chat"

// maxBody bounds a request body.
const maxBody = 64 << 10

// Config is the start_chat section of parley's configuration.
type Config struct {
	// Allow lists the instances (id or ARN) chats may start in, each with the flows (ids) allowed there; an
	// empty Flows allows the instance's default inbound flow only. Default: the default instance and its
	// default inbound flow.
	Allow []Allowed `yaml:"allow"`
	// Origins are the allowed values of a browser's Origin header ("*": any). Default: any origin on a
	// loopback host (http(s)://localhost, 127.0.0.1 or [::1], any port). Requests without an Origin (from a
	// server, or a mobile app) are not checked.
	Origins []string `yaml:"origins"`
	// Attributes are the contact attribute keys a client may set; others are dropped. customerName is always
	// set to the display name, as Amazon's sample backend does. Default: none.
	Attributes []string `yaml:"attributes"`
	// Rate limits the requests of one client address. Default 1 a second, bursts of 10.
	Rate throttle.Rate `yaml:"rate"`
}

// Allowed is an instance and its allowed flows.
type Allowed struct {
	Instance string   `yaml:"instance"`
	Flows    []string `yaml:"flows"`
}

// Starter starts chats: the chat service.
type Starter interface {
	StartChat(ctx context.Context, in chat.StartChatInput) (*chat.StartChatOutput, error)
	// CustomerOf checks that a ParticipantToken is the customer's of a contact's chat (persistent chat).
	CustomerOf(ctx context.Context, participantToken, contactID string) error
	Instance(ctx context.Context, idOrARN string) (*parley.Instance, error)
	ListContactFlows(ctx context.Context, instanceID string, types []string) ([]*parley.ContactFlow, error)
}

// Options are what the handler takes from the server besides the configuration.
type Options struct {
	// DefaultInstance is the instance chats start in when the request names none.
	DefaultInstance string
	// Attachments says whether the server takes attachments (featurePermissions.ATTACHMENTS).
	Attachments bool
	// Log receives refusals and failures. Default: discarded.
	Log *slog.Logger
	// Now is the clock of the rate limit. Default time.Now.
	Now func() time.Time
}

// Handler serves Path.
type Handler struct {
	svc  Starter
	cfg  Config
	o    Options
	log  *slog.Logger
	rate *throttle.Limiter
}

// New returns the handler.
func New(svc Starter, cfg Config, o Options) *Handler {
	if cfg.Rate.Rate <= 0 || cfg.Rate.Burst < 1 {
		cfg.Rate = throttle.Rate{Rate: 1, Burst: 10}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, cfg: cfg, o: o, log: o.Log,
		rate: throttle.New(throttle.Config{Operations: map[string]throttle.Rate{"StartChat": cfg.Rate}})}
}

// request is the body clients send (the union of what Amazon's samples send).
type request struct {
	InstanceID         string `json:"InstanceId"`
	ConnectInstanceID  string `json:"ConnectInstanceId"`
	ContactFlowID      string `json:"ContactFlowId"`
	ParticipantDetails *struct {
		DisplayName string `json:"DisplayName"`
	} `json:"ParticipantDetails"`
	CustomerName   string            `json:"customerName"`
	Attributes     map[string]string `json:"Attributes"`
	InitialMessage *struct {
		ContentType string `json:"ContentType"`
		Content     string `json:"Content"`
	} `json:"InitialMessage"`
	SupportedMessagingContentTypes []string `json:"SupportedMessagingContentTypes"`
	ChatDurationInMinutes          int      `json:"ChatDurationInMinutes"`
	PersistentChat                 *struct {
		RehydrationType string `json:"RehydrationType"`
		SourceContactID string `json:"SourceContactId"`
		// ParticipantToken is parley's extension: the past chat's customer ParticipantToken, the proof that the
		// client had that chat.
		ParticipantToken string `json:"ParticipantToken"`
	} `json:"PersistentChat"`
}

// Result is the startChatResult of the answer.
type Result struct {
	ContactID              string `json:"ContactId"`
	ParticipantID          string `json:"ParticipantId"`
	ParticipantToken       string `json:"ParticipantToken"`
	ContinuedFromContactID string `json:"ContinuedFromContactId,omitempty"`
}

// Response is the answer's body.
type Response struct {
	Data struct {
		StartChatResult    *Result         `json:"startChatResult,omitempty"`
		FeaturePermissions map[string]bool `json:"featurePermissions,omitempty"`
		Error              *Error          `json:"Error,omitempty"`
	} `json:"data"`
}

// Error is the body of a refusal: a code and a message that say what to fix, nothing of the server's insides.
type Error struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// ServeHTTP answers POST and its CORS preflight.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin != "" {
		if !h.originAllowed(origin) {
			h.fail(w, http.StatusForbidden, "Forbidden", "this origin may not start chats")
			return
		}
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Add("Vary", "Origin")
		hd.Set("Access-Control-Allow-Headers", "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-Snippet-Id")
		hd.Set("Access-Control-Allow-Methods", "POST,OPTIONS")
		hd.Set("Access-Control-Max-Age", "600")
	}
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "POST, OPTIONS")
		h.fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST")
		return
	}
	if !h.rate.Allow("StartChat", httpapi.ClientIP(r), false) {
		h.fail(w, http.StatusTooManyRequests, "TooManyRequests", "too many chats started from this address; try again shortly")
		return
	}
	var req request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		h.fail(w, http.StatusRequestEntityTooLarge, "BadRequest", fmt.Sprintf("the body must be JSON of at most %d bytes", maxBody))
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		h.fail(w, http.StatusBadRequest, "BadRequest", "the body is not the JSON of a start-chat request")
		return
	}
	in, err := h.input(r.Context(), &req)
	if err != nil {
		h.refuse(w, err)
		return
	}
	out, err := h.svc.StartChat(r.Context(), in)
	if err != nil {
		h.refuse(w, err)
		return
	}
	var resp Response
	resp.Data.StartChatResult = &Result{ContactID: out.ContactID, ParticipantID: out.ParticipantID,
		ParticipantToken: out.ParticipantToken, ContinuedFromContactID: out.ContinuedFromContactID}
	resp.Data.FeaturePermissions = map[string]bool{
		"MESSAGING_MARKDOWN": slices.Contains(in.SupportedContentTypes, parley.ContentTextMarkdown),
		"ATTACHMENTS":        h.o.Attachments}
	writeJSON(w, http.StatusOK, resp)
}

// input checks a request against the allow-lists and turns it into StartChatContact's input.
func (h *Handler) input(ctx context.Context, req *request) (chat.StartChatInput, error) {
	instRef := req.InstanceID
	if instRef == "" {
		instRef = req.ConnectInstanceID
	}
	if instRef == "" {
		instRef = h.o.DefaultInstance
	}
	inst, err := h.svc.Instance(ctx, instRef)
	if err != nil {
		return chat.StartChatInput{}, err
	}
	flowID, err := h.flow(ctx, inst, req.ContactFlowID)
	if err != nil {
		return chat.StartChatInput{}, err
	}
	name := req.CustomerName
	if req.ParticipantDetails != nil && strings.TrimSpace(req.ParticipantDetails.DisplayName) != "" {
		name = req.ParticipantDetails.DisplayName
	}
	if name = strings.TrimSpace(name); name == "" {
		name = "Customer"
	}
	attrs := map[string]string{}
	for k, v := range req.Attributes {
		if slices.Contains(h.cfg.Attributes, k) {
			attrs[k] = v
		}
	}
	attrs["customerName"] = name
	in := chat.StartChatInput{InstanceID: inst.ID, ContactFlowID: flowID, DisplayName: name, Attributes: attrs,
		SupportedContentTypes: req.SupportedMessagingContentTypes, DurationMinutes: req.ChatDurationInMinutes}
	if len(in.SupportedContentTypes) == 0 {
		in.SupportedContentTypes = []string{parley.ContentTextPlain}
	}
	if m := req.InitialMessage; m != nil && m.Content != "" {
		ct := m.ContentType
		if ct == "" {
			ct = parley.ContentTextPlain
		}
		in.InitialMessage = &chat.Message{ContentType: ct, Content: m.Content}
	}
	if p := req.PersistentChat; p != nil && (p.RehydrationType != "" || p.SourceContactID != "") {
		// Continuing a chat shows its transcript: only its customer may, and proves it with the chat's
		// ParticipantToken.
		if err := h.svc.CustomerOf(ctx, p.ParticipantToken, p.SourceContactID); err != nil {
			return chat.StartChatInput{}, err
		}
		in.Persistent = &chat.PersistentChat{RehydrationType: p.RehydrationType, SourceContactID: p.SourceContactID}
	}
	return in, nil
}

// flow returns the flow to start on: the one asked for if the allow-list has it, else (none asked) the
// instance's first allowed flow or its default inbound flow.
func (h *Handler) flow(ctx context.Context, inst *parley.Instance, asked string) (string, error) {
	if i := strings.LastIndex(asked, "/contact-flow/"); i >= 0 {
		asked = asked[i+len("/contact-flow/"):]
	}
	var allowed []string
	known := len(h.cfg.Allow) == 0 && inst.ID == h.o.DefaultInstance
	for _, a := range h.cfg.Allow {
		if a.Instance == inst.ID || a.Instance == inst.ARN {
			known, allowed = true, a.Flows
		}
	}
	if !known {
		return "", errForbidden("chats may not be started in this instance here")
	}
	if len(allowed) == 0 {
		flows, err := h.svc.ListContactFlows(ctx, inst.ID, nil)
		if err != nil {
			return "", err
		}
		for _, f := range flows {
			if f.Name == parley.DefaultFlowName {
				allowed = []string{f.ID}
			}
		}
	}
	switch {
	case asked == "" && len(allowed) > 0:
		return allowed[0], nil
	case slices.Contains(allowed, asked):
		return asked, nil
	}
	return "", errForbidden("chats may not be started on this contact flow here")
}

type forbidden string

func (f forbidden) Error() string { return string(f) }

func errForbidden(msg string) error { return forbidden(msg) }

// refuse answers an error: the allow-list's 403, the chat service's own errors by their code (their messages
// are written for clients), anything else as a 500 that says nothing more.
func (h *Handler) refuse(w http.ResponseWriter, err error) {
	var fb forbidden
	var pe *parley.Error
	switch {
	case errors.As(err, &fb):
		h.fail(w, http.StatusForbidden, "Forbidden", string(fb))
	case errors.As(err, &pe) && pe.Code == parley.ENOTFOUND:
		h.fail(w, http.StatusNotFound, "ResourceNotFound", pe.Message)
	case errors.As(err, &pe) && pe.Code == parley.EACCESS:
		h.fail(w, http.StatusForbidden, "Forbidden", pe.Message)
	case errors.As(err, &pe) && (pe.Code == parley.EINVALID || pe.Code == parley.EREQUEST):
		h.fail(w, http.StatusBadRequest, "BadRequest", pe.Message)
	case errors.As(err, &pe) && (pe.Code == parley.ETHROTTLE || pe.Code == parley.ELIMIT || pe.Code == parley.EQUOTA):
		h.fail(w, http.StatusTooManyRequests, "TooManyRequests", pe.Message)
	default:
		h.log.Error("start-chat failed", "err", err)
		h.fail(w, http.StatusInternalServerError, "InternalError", "the chat could not be started; try again")
	}
}

func (h *Handler) fail(w http.ResponseWriter, status int, code, msg string) {
	var resp Response
	resp.Data.Error = &Error{Code: code, Message: msg}
	writeJSON(w, status, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// originAllowed checks an Origin against the configuration (default: loopback hosts only).
func (h *Handler) originAllowed(origin string) bool {
	if len(h.cfg.Origins) == 0 {
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return false
		}
		host := u.Hostname()
		if host == "localhost" {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return slices.Contains(h.cfg.Origins, "*") || slices.Contains(h.cfg.Origins, origin)
}
