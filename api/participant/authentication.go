package participant

import (
	"net/http"

	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// Customer authentication (the Authenticate Customer block): GetAuthenticationUrl and
// CancelParticipantAuthentication, served by the chat service (chat/authn.go). Their checks are generated into a
// file of their own.
//
//go:generate go run ../../internal/smithygen -model connectparticipant.json -mode checks -out validate_auth_gen.go -ops CancelParticipantAuthentication,GetAuthenticationUrl

// authenticationRoutes registers the authentication operations.
func (h *Handler) authenticationRoutes() {
	h.mux.HandleFunc("POST "+wire.PathGetAuthenticationUrl, h.authed("GetAuthenticationUrl", h.getAuthenticationURL))
	h.mux.HandleFunc("POST "+wire.PathCancelParticipantAuthentication,
		h.authed("CancelParticipantAuthentication", h.cancelAuthentication))
}

func (h *Handler) getAuthenticationURL(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.GetAuthenticationUrlRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateGetAuthenticationUrlRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.svc.AuthenticationURL(r.Context(), c, *req.SessionID, *req.RedirectUri)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.GetAuthenticationUrlResponse{AuthenticationURL: u})
}

func (h *Handler) cancelAuthentication(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.CancelParticipantAuthenticationRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateCancelParticipantAuthenticationRequest(&v, &req)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.CancelAuthentication(r.Context(), c, *req.SessionID); err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.CancelParticipantAuthenticationResponse{})
}
