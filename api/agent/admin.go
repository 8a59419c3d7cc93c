package agent

import (
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/wire"
)

// An admin's operations on its instance: what `parley admin --server` calls (docs/agent-api.md, "Admins").

// errNotAdmin is the role failure of the admin operations.
var errNotAdmin = &parley.Error{Code: httpapi.EForbidden, Message: "this operation needs the Admin security profile"}

func (h *handler) admin(f func(http.ResponseWriter, *http.Request, *parley.User)) http.HandlerFunc {
	return h.authed(func(w http.ResponseWriter, r *http.Request, u *parley.User) {
		if u.Role != parley.UserAdmin {
			h.fail(w, r, errNotAdmin)
			return
		}
		f(w, r, u)
	})
}

func (h *handler) instance(w http.ResponseWriter, r *http.Request, u *parley.User) {
	inst, err := h.svc.Instance(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.AgentInstance{ID: inst.ID, Arn: inst.ARN, Alias: inst.Alias,
		CreatedTime: wire.FormatTime(inst.CreatedAt)})
}

func (h *handler) users(w http.ResponseWriter, r *http.Request, u *parley.User) {
	users, err := h.svc.Users(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := wire.AgentUsersResponse{Users: make([]wire.AgentUser, 0, len(users))}
	for _, v := range users {
		out.Users = append(out.Users, userView(v))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (h *handler) resetPassword(w http.ResponseWriter, r *http.Request, u *parley.User) {
	var req wire.PasswordRequest
	if err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	username := r.PathValue("username")
	var v httpapi.Check
	v.Len("Username", username, 1, 100)
	v.Len("Password", req.Password, 0, 64)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	pw, err := h.svc.ResetPassword(r.Context(), u, username, req.Password)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var out wire.PasswordResponse
	if req.Password == "" {
		out.Password = pw
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}
