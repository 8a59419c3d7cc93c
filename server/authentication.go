package server

import (
	"time"

	"github.com/parley-chat/parley/auth/oidc"
)

// openAuthentication gives the chat service the OpenID Connect provider of Config.Authentication, which the
// Authenticate Customer block signs customers in with (chat/authn.go). Nothing is fetched from the provider
// until a customer signs in, so a provider that is down delays no start. ID tokens are checked against the
// service's clock.
func (m *Main) openAuthentication() error {
	if !m.cfg.Authentication.Enabled() {
		return nil
	}
	var now func() time.Time
	if m.cfg.Clock != nil {
		now = m.cfg.Clock.Now
	}
	p, err := oidc.New(m.cfg.Authentication, nil, now)
	if err != nil {
		return err
	}
	m.svc.SetIdentityProvider(p)
	m.log.Info("customer authentication enabled", "issuer", m.cfg.Authentication.Issuer,
		"discovery_url", m.cfg.Authentication.DiscoveryURL, "client_id", m.cfg.Authentication.ClientID)
	return nil
}
