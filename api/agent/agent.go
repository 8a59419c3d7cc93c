// Package agent serves parley's agent API (docs/agent-api.md): login, status, offers, accept/reject, transfers,
// after-contact work, supervisor views, and a WebSocket stream of agent events. Chatting itself goes through the
// Participant Service with the ParticipantToken an accepted contact carries.
//
// The handler is safe for concurrent use; each event stream has one goroutine that writes and one that reads
// (to notice the client closing).
package agent

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/agents"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

const maxBody = 64 << 10

// errForbidden is a role failure: an authenticated user who may not do this.
var errForbidden = &parley.Error{Code: httpapi.EForbidden,
	Message: "this operation needs the CallCenterManager or Admin security profile"}

type handler struct {
	svc      *agents.Service
	log      *slog.Logger
	upgrader websocket.Upgrader
	lock     *lockout // failed logins
}

// New returns the agent API handler, to be mounted at /agent/v1/.
func New(svc *agents.Service, log *slog.Logger) http.Handler {
	h := &handler{svc: svc, log: log, lock: newLockout(), upgrader: websocket.Upgrader{
		ReadBufferSize: 512, WriteBufferSize: 1024,
		CheckOrigin: func(*http.Request) bool { return true }, // the session token is the gate
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /agent/v1/login", h.login)
	mux.HandleFunc("POST /agent/v1/logout", h.authed(h.logout))
	mux.HandleFunc("GET /agent/v1/me", h.authed(h.me))
	mux.HandleFunc("PUT /agent/v1/status", h.authed(h.status))
	mux.HandleFunc("GET /agent/v1/contacts", h.authed(h.contacts))
	mux.HandleFunc("POST /agent/v1/contacts/{id}/{action}", h.authed(h.contactAction))
	mux.HandleFunc("GET /agent/v1/contacts/{id}/transcript", h.authed(h.transcript))
	mux.HandleFunc("GET /agent/v1/quick-connects", h.authed(h.quickConnects))
	mux.HandleFunc("GET /agent/v1/events", h.events)
	mux.HandleFunc("GET /agent/v1/queues", h.supervisor(h.queues))
	mux.HandleFunc("GET /agent/v1/live-contacts", h.supervisor(h.liveContacts))
	mux.HandleFunc("GET /agent/v1/agents", h.supervisor(h.agentList))
	mux.HandleFunc("GET /agent/v1/instance", h.admin(h.instance))
	mux.HandleFunc("GET /agent/v1/users", h.admin(h.users))
	mux.HandleFunc("PUT /agent/v1/users/{username}/password", h.admin(h.resetPassword))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", "UnknownOperationException")
		httpapi.WriteJSON(w, http.StatusNotFound, wire.Error{Type: "UnknownOperationException",
			Message: "no agent API operation for " + r.Method + " " + r.URL.Path})
	})
	return httpapi.Middleware(log, httpapi.Agent, mux)
}

// decode reads a JSON body whatever its Content-Type says: this API is parley's own, and `curl -d` labels JSON
// as a form.
func decode(r *http.Request, v any) error {
	r.Header.Del("Content-Type")
	return httpapi.DecodeJSON(r, maxBody, v)
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.Agent, err)
}

type tokenKey struct{}

func bearer(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return r.URL.Query().Get("token")
}

func (h *handler) authed(f func(http.ResponseWriter, *http.Request, *parley.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			h.fail(w, r, parley.Errorf(parley.EACCESS, "log in first: send Authorization: Bearer <token>"))
			return
		}
		u, err := h.svc.Authenticate(r.Context(), tok)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), tokenKey{}, tok)
		f(w, r.WithContext(ctx), u)
	}
}

func (h *handler) supervisor(f func(http.ResponseWriter, *http.Request, *parley.User)) http.HandlerFunc {
	return h.authed(func(w http.ResponseWriter, r *http.Request, u *parley.User) {
		if u.Role != parley.UserSupervisor && u.Role != parley.UserAdmin {
			h.fail(w, r, errForbidden)
			return
		}
		f(w, r, u)
	})
}

func userView(u *parley.User) wire.AgentUser {
	return wire.AgentUser{ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName,
		Role: string(u.Role), InstanceID: u.InstanceID, RoutingProfileID: u.RoutingProfileID, AutoAccept: u.AutoAccept}
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	v.Len("Username", req.Username, 1, 100)
	v.Len("Password", req.Password, 1, 256)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	keys := []string{userKey(req.InstanceID, req.Username), "addr:" + httpapi.ClientIP(r)}
	if d := h.lock.wait(keys...); d > 0 {
		retryAfter(w, d)
		h.fail(w, r, parley.Errorf(parley.ETHROTTLE, "too many failed logins; try again in %s", d.Round(time.Second)))
		return
	}
	tok, exp, u, err := h.svc.Login(r.Context(), req.InstanceID, req.Username, req.Password)
	if parley.IsCode(err, parley.EACCESS) {
		h.lock.failed(keys...)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.lock.succeeded(keys[0])
	httpapi.WriteJSON(w, http.StatusOK, wire.LoginResponse{Token: tok, Expiry: wire.FormatTime(exp), User: userView(u)})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, u *parley.User) {
	if err := h.svc.Logout(r.Context(), u, r.Context().Value(tokenKey{}).(string)); err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

func (h *handler) me(w http.ResponseWriter, r *http.Request, u *parley.User) {
	httpapi.WriteJSON(w, http.StatusOK, struct {
		User  wire.AgentUser  `json:"User"`
		State wire.AgentState `json:"State"`
	}{userView(u), h.describedState(r.Context(), u)})
}

// describedState is the agent's state with its contacts' queue and customer names, as /contacts has them.
func (h *handler) describedState(ctx context.Context, u *parley.User) wire.AgentState {
	st := h.svc.State(u)
	h.svc.Describe(ctx, st.Contacts)
	return stateJSON(st)
}

func (h *handler) status(w http.ResponseWriter, r *http.Request, u *parley.User) {
	var req wire.StatusRequest
	if err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	v.Len("Status", req.Status, 1, 127)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.SetStatus(r.Context(), u, req.Status); err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		State wire.AgentState `json:"State"`
	}{h.describedState(r.Context(), u)})
}

func (h *handler) contacts(w http.ResponseWriter, r *http.Request, u *parley.User) {
	httpapi.WriteJSON(w, http.StatusOK, wire.AgentContactsResponse{Contacts: contactsJSON(h.describe(r.Context(), h.svc.Contacts(u)))})
}

// transcript is a page of a contact's transcript, active or ended, past sessions first (agents.ContactTranscript);
// NextToken is opaque.
func (h *handler) transcript(w http.ResponseWriter, r *http.Request, u *parley.User) {
	size := 0
	if v := r.URL.Query().Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			h.fail(w, r, parley.Invalid("MaxResults", "MaxResults must be between 1 and 200"))
			return
		}
		size = n
	}
	page, err := h.svc.ContactTranscript(r.Context(), u, r.PathValue("id"), r.URL.Query().Get("NextToken"), size)
	if parley.IsCode(err, parley.EACCESS) {
		err = &parley.Error{Code: httpapi.EForbidden, Message: "only a supervisor, or an agent who handled the contact, may read its transcript"}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, chat.WireHistory(page))
}

func (h *handler) contactAction(w http.ResponseWriter, r *http.Request, u *parley.User) {
	id, action := r.PathValue("id"), r.PathValue("action")
	ctx := r.Context()
	var err error
	switch action {
	case "accept":
		var c *agents.ContactView
		if c, err = h.svc.Accept(ctx, u, id); err == nil {
			httpapi.WriteJSON(w, http.StatusOK, contactJSON(h.describe(ctx, []agents.ContactView{*c})[0]))
			return
		}
	case "reject":
		err = h.svc.Reject(ctx, u, id)
	case "end":
		err = h.svc.End(ctx, u, id)
	case "clear":
		err = h.svc.Clear(ctx, u, id)
	case "transfer":
		var req wire.TransferRequest
		if err = decode(r, &req); err == nil {
			var next string
			to := agents.TransferTarget{QueueID: req.QueueID, QuickConnectID: req.QuickConnectID, UserID: req.UserID}
			if next, err = h.svc.Transfer(ctx, u, id, to); err == nil {
				httpapi.WriteJSON(w, http.StatusOK, wire.TransferResponse{ContactID: next})
				return
			}
		}
	case "monitor":
		if u.Role != parley.UserSupervisor && u.Role != parley.UserAdmin {
			err = errForbidden
			break
		}
		var m *agents.Monitoring
		if m, err = h.svc.Monitor(ctx, u, id); err == nil {
			httpapi.WriteJSON(w, http.StatusOK, wire.MonitorResponse{ContactID: m.ContactID, ParticipantID: m.ParticipantID,
				ParticipantToken: m.ParticipantToken})
			return
		}
	case "barge":
		if u.Role != parley.UserSupervisor && u.Role != parley.UserAdmin {
			err = errForbidden
			break
		}
		err = h.svc.Barge(ctx, u, id)
	default:
		err = parley.NotFound("OPERATION", "no contact action %q (accept, reject, transfer, end, clear, monitor, barge)", action)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

func (h *handler) quickConnects(w http.ResponseWriter, r *http.Request, u *parley.User) {
	qcs, err := h.svc.QuickConnects(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := wire.QuickConnectsResponse{QuickConnects: []wire.AgentQuickConnect{}}
	for _, q := range qcs {
		out.QuickConnects = append(out.QuickConnects, wire.AgentQuickConnect{ID: q.ID, Name: q.Name, Type: q.Type,
			QueueID: q.QueueID, UserID: q.UserID})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (h *handler) queues(w http.ResponseWriter, r *http.Request, u *parley.User) {
	qs, err := h.svc.QueueStatus(r.Context(), u.InstanceID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]wire.QueueStatus, 0, len(qs))
	for _, q := range qs {
		out = append(out, wire.QueueStatus{ID: q.ID, Name: q.Name, Waiting: q.Waiting,
			OldestContactAgeSeconds: int64(q.OldestContactAge / time.Second), AgentsAvailable: q.AgentsAvailable,
			AgentsOnContact: q.AgentsOnContact})
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Queues []wire.QueueStatus `json:"Queues"`
	}{out})
}

func (h *handler) liveContacts(w http.ResponseWriter, r *http.Request, u *parley.User) {
	cs := h.svc.InstanceContacts(r.Context(), u.InstanceID, h.svc.LiveContacts())
	httpapi.WriteJSON(w, http.StatusOK, wire.AgentContactsResponse{Contacts: contactsJSON(h.describe(r.Context(), cs))})
}

func (h *handler) agentList(w http.ResponseWriter, r *http.Request, u *parley.User) {
	var out []wire.AgentState
	for _, st := range h.svc.InstanceAgents(r.Context(), u.InstanceID, h.svc.Agents()) {
		out = append(out, stateJSON(st))
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Agents []wire.AgentState `json:"Agents"`
	}{out})
}

// events streams the agent's events over a WebSocket until the client closes or the stream falls behind.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	u, err := h.svc.Authenticate(r.Context(), tok)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	sub := h.svc.Subscribe(u)
	defer h.svc.Unsubscribe(u, sub)
	closed := make(chan struct{})
	go func() { // read until the client goes away; the stream is one-way
		defer close(closed)
		conn.SetReadLimit(4096)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	defer func() {
		conn.Close()
		<-closed
	}()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				_ = conn.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "stream fell behind: reconnect"), time.Now().Add(time.Second))
				return
			}
			if ev.Contact != nil {
				ev.Contact = &h.describe(r.Context(), []agents.ContactView{*ev.Contact})[0]
			}
			if ev.State != nil {
				st := *ev.State
				st.Contacts = h.describe(r.Context(), slices.Clone(st.Contacts))
				ev.State = &st
			}
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := conn.WriteJSON(eventJSON(ev)); err != nil {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
				return
			}
		case <-closed:
			return
		}
	}
}

// The agent API's JSON shapes of the agents service's views. A time that does not apply (zero) is left out.

func stateJSON(st agents.State) wire.AgentState {
	out := wire.AgentState{UserID: st.UserID, Username: st.Username, Status: "Offline", StatusType: parley.StatusOffline,
		System: systemStates[st.System], Slots: st.Slots, Contacts: contactsJSON(st.Contacts)}
	if st.Status != nil {
		out.Status, out.StatusType, out.Since = st.Status.Name, st.Status.Type, wire.FormatTime(st.StatusSince)
	}
	return out
}

// describe fills in the views' queue and customer names.
func (h *handler) describe(ctx context.Context, views []agents.ContactView) []agents.ContactView {
	h.svc.Describe(ctx, views)
	return views
}

// contactsJSON keeps nil nil (sent as null) and empty empty (sent as []), as the service answered.
func contactsJSON(cs []agents.ContactView) []wire.AgentContact {
	if cs == nil {
		return nil
	}
	out := make([]wire.AgentContact, 0, len(cs))
	for _, c := range cs {
		out = append(out, contactJSON(c))
	}
	return out
}

func contactJSON(c agents.ContactView) wire.AgentContact {
	return wire.AgentContact{ContactID: c.ContactID, InitialContactID: c.InitialContactID, QueueID: c.QueueID,
		State: contactStates[c.State], AgentID: c.AgentID, OfferDeadline: timeJSON(c.OfferDeadline),
		ConnectedAt: timeJSON(c.ConnectedAt), EndedAt: timeJSON(c.EndedAt), EndReason: c.EndReason,
		QueueName: c.QueueName, CustomerName: c.CustomerName, CustomerID: c.CustomerID, Attributes: c.Attributes,
		ParticipantID: c.ParticipantID, ParticipantToken: c.ParticipantToken}
}

func timeJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return wire.FormatTime(t)
}

// contactStates, systemStates and eventTypes name the service's states and event kinds in the agent API.
var (
	contactStates = map[agents.ContactState]string{
		agents.ContactOffered:   wire.AgentContactOffered,
		agents.ContactConnected: wire.AgentContactConnected,
		agents.ContactACW:       wire.AgentContactACW,
		agents.ContactQueued:    "QUEUED", // live contacts only; wire has no constant for it
	}
	systemStates = map[agents.SystemState]string{
		agents.SystemAvailable: wire.SystemAvailable,
		agents.SystemPending:   wire.SystemPending,
		agents.SystemBusy:      wire.SystemBusy,
		agents.SystemACW:       wire.SystemACW,
		agents.SystemMissed:    wire.SystemMissed,
		agents.SystemCustom:    wire.SystemCustom,
		agents.SystemOffline:   wire.SystemOffline,
	}
	eventTypes = map[agents.EventKind]string{
		agents.EventState:            wire.EventState,
		agents.EventOffer:            wire.EventOffer,
		agents.EventOfferWithdrawn:   wire.EventOfferWithdrawn,
		agents.EventContactConnected: wire.EventContactConnected,
		agents.EventContactEnded:     wire.EventContactEnded,
		agents.EventContactCleared:   wire.EventContactCleared,
	}
)

func eventJSON(ev agents.Event) wire.AgentEvent {
	out := wire.AgentEvent{Type: eventTypes[ev.Kind], ContactID: ev.ContactID, Reason: ev.Reason}
	if ev.State != nil {
		st := stateJSON(*ev.State)
		out.State = &st
	}
	if ev.Contact != nil {
		c := contactJSON(*ev.Contact)
		out.Contact = &c
	}
	return out
}
