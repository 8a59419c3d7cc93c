package server

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/chat"
)

// openAuthentication gives the chat service the OpenID Connect provider of Config.Authentication, which the
// Authenticate Customer block signs customers in with (chat/authn.go). Nothing is fetched from the provider
// until a customer signs in, so a provider that is down delays no start. ID tokens are checked against the system
// clock, as the provider stamps them, whatever clock runs the chats' timers.
func (m *Main) openAuthentication() error {
	if !m.cfg.Authentication.Enabled() {
		return nil
	}
	p, err := oidc.New(m.cfg.Authentication, nil, nil)
	if err != nil {
		return err
	}
	m.svc.SetIdentityProvider(p)
	m.log.Info("customer authentication enabled", "issuer", m.cfg.Authentication.Issuer,
		"discovery_url", m.cfg.Authentication.DiscoveryURL, "client_id", m.cfg.Authentication.ClientID)
	return nil
}

// AuthCallbackPath is parley's own page for the provider to send customers back to: a RedirectUri for
// GetAuthenticationUrl (public_url + this path, registered at the provider) when no backend of the business's
// calls UpdateParticipantAuthentication, as Connect's hosted widget has Connect handle the sign-in.
const AuthCallbackPath = "/authentication/callback"

// Pages the callback answers. They repeat nothing of the request.
const (
	authDonePage    = "<!doctype html><title>Signed in</title><p>Thank you. You can close this window and return to the chat.</p>"
	authDeclinePage = "<!doctype html><title>Not signed in</title><p>The sign-in did not complete. You can close this window and return to the chat.</p>"
	authStalePage   = "<!doctype html><title>Sign-in expired</title><p>This sign-in link is no longer valid. Return to the chat to try again.</p>"
)

// authCallback is UpdateParticipantAuthentication for a browser the provider sends back with code and state (or
// error and error_description): the state names the contact, and so the instance.
func (m *Main) authCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := chat.AuthenticationUpdate{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"),
		ErrorDesc: q.Get("error_description")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the URL carries the code
	page, status := authDonePage, http.StatusOK
	contactID, _, _ := strings.Cut(in.State, ".")
	c, err := m.store.GetContact(r.Context(), contactID)
	if err == nil && len(in.State) <= 1000 && len(in.Code) <= 2048 && len(in.Error) <= 2048 && len(in.ErrorDesc) <= 2048 {
		in.InstanceID = c.InstanceID
		err = m.svc.UpdateAuthentication(r.Context(), in)
	} else if err == nil {
		err = errors.New("a query parameter is too long")
	}
	switch {
	case err != nil:
		m.log.InfoContext(r.Context(), "authentication callback refused", "err", err)
		page, status = authStalePage, http.StatusBadRequest
	case in.Error != "":
		page = authDeclinePage
	}
	w.WriteHeader(status)
	io.WriteString(w, page)
}
