package connect

import (
	"context"
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// UpdateParticipantAuthentication is the backend's half of customer authentication (the Authenticate Customer
// block): the page the identity provider sends the customer back to hands parley the code and state (or the
// provider's error), and the chat service redeems the code and moves the flow on (chat/authn.go). Its checks are
// generated into a file of their own.
//
//go:generate go run ../../internal/smithygen -model connect-chat-subset.json -mode checks -out validate_auth_gen.go -ops UpdateParticipantAuthentication

// authBackend is the part of the chat service that authenticates customers (an optional ability of the backend:
// without it the operation is not supported).
type authBackend interface {
	UpdateAuthentication(ctx context.Context, in chat.AuthenticationUpdate) error
}

var _ authBackend = (*chat.Service)(nil)

func (h *handler) updateParticipantAuthentication(w http.ResponseWriter, r *http.Request, _ []string) {
	svc, ok := h.svc.(authBackend)
	if !ok {
		h.fail(w, r, parley.Errorf(parley.EREQUEST, "UpdateParticipantAuthentication is not supported by this server"))
		return
	}
	var in wire.UpdateParticipantAuthenticationRequest
	if err := httpapi.DecodeJSON(r, MaxBody, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var c httpapi.Check
	validateUpdateParticipantAuthenticationRequest(&c, &in)
	if err := c.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	err := svc.UpdateAuthentication(r.Context(), chat.AuthenticationUpdate{InstanceID: *in.InstanceID, State: *in.State,
		Code: deref(in.Code), Error: deref(in.Error), ErrorDesc: deref(in.ErrorDescription)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.UpdateParticipantAuthenticationResponse{})
}
