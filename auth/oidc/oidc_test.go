package oidc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
)

var ann = oidctest.User{Subject: "user-42", Email: "ann@example.com", GivenName: "Ann", FamilyName: "Lee"}

func provider(t testing.TB, fake *oidctest.Provider) *oidc.Provider {
	t.Helper()
	p, err := oidc.New(oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signIn follows the authorization URL as a browser would and returns the code and state the provider sends back.
func signIn(t *testing.T, p *oidc.Provider, r oidc.Request) (code, state string) {
	t.Helper()
	u, err := p.AuthorizeURL(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	back := oidctest.SignIn(t, u, r.RedirectURI)
	return back.Get("code"), back.Get("state")
}

var request = oidc.Request{RedirectURI: "https://shop.example.com/signed-in", State: "st-1", Nonce: "n-1",
	CodeVerifier: "a-code-verifier-that-is-long-enough-for-pkce-0123456789"}

func TestExchangeValidatesTheIDToken(t *testing.T) {
	fake := oidctest.New(t, ann)
	p := provider(t, fake)
	code, state := signIn(t, p, request)
	if state != request.State {
		t.Errorf("state %q, want %q", state, request.State)
	}
	id, err := p.Exchange(t.Context(), code, request.RedirectURI, request.CodeVerifier, request.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != ann.Subject || id.Email != ann.Email || id.GivenName != "Ann" || id.FamilyName != "Lee" {
		t.Errorf("identity %+v", id)
	}
	if _, err := p.Exchange(t.Context(), code, request.RedirectURI, request.CodeVerifier, request.Nonce); err == nil {
		t.Error("a code redeemed twice was accepted")
	}
}

func TestExchangeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*oidctest.Provider)
		// change alters what the relying party sends.
		change func(*oidc.Request)
		want   string
	}{
		{name: "provider refuses", setup: (*oidctest.Provider).RefuseCodes, want: "invalid_grant"},
		{name: "bad signature", setup: (*oidctest.Provider).SignWithOtherKey, want: "signature"},
		{name: "wrong nonce", setup: (*oidctest.Provider).WrongNonce, want: "nonce"},
		{name: "wrong verifier", change: func(r *oidc.Request) { r.CodeVerifier += "x" }, want: "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := oidctest.New(t, ann)
			p := provider(t, fake)
			code, _ := signIn(t, p, request)
			if tc.setup != nil {
				tc.setup(fake)
			}
			r := request
			if tc.change != nil {
				tc.change(&r)
			}
			_, err := p.Exchange(t.Context(), code, r.RedirectURI, r.CodeVerifier, r.Nonce)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one about %q", err, tc.want)
			}
		})
	}
}

func TestVerifyChecksAudienceIssuerAndExpiry(t *testing.T) {
	fake := oidctest.New(t, ann)
	tok := fake.IDToken("n-1")
	for _, tc := range []struct {
		name string
		cfg  oidc.Config
		now  time.Time
		want string
	}{
		{name: "another client", cfg: oidc.Config{Issuer: fake.URL, ClientID: "someone-else"}, want: "audience"},
		{name: "expired", cfg: oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID}, now: time.Now().Add(2 * time.Hour), want: "expired"},
		{name: "another issuer", cfg: oidc.Config{Issuer: fake.URL + "/other", DiscoveryURL: fake.URL + "/.well-known/openid-configuration",
			ClientID: oidctest.ClientID}, want: "issuer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now
			if !tc.now.IsZero() {
				now = func() time.Time { return tc.now }
			}
			p, err := oidc.New(tc.cfg, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Verify(t.Context(), tok, "n-1"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one about %q", err, tc.want)
			}
		})
	}
	p := provider(t, fake)
	if _, err := p.Verify(t.Context(), tok, "n-1"); err != nil {
		t.Errorf("a good token: %v", err)
	}
	// A token without a signature ("alg":"none") is never accepted.
	parts := strings.Split(tok, ".")
	unsigned := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	if _, err := p.Verify(t.Context(), unsigned, "n-1"); err == nil {
		t.Error("an unsigned token was accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []oidc.Config{
		{Issuer: "https://idp.example.com"},
		{ClientID: "x"},
		{ClientID: "x", Issuer: "ftp://idp.example.com"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if err := (oidc.Config{ClientID: "x", DiscoveryURL: "https://idp.example.com/.well-known/openid-configuration"}).Validate(); err != nil {
		t.Error(err)
	}
}

// FuzzVerify: Verify refuses what the provider did not sign, without panicking.
func FuzzVerify(f *testing.F) {
	fake := oidctest.New(f, ann)
	p := provider(f, fake)
	good := fake.IDToken("n-1")
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Fuzz(func(t *testing.T, raw string) {
		if id, err := p.Verify(t.Context(), raw, "n-1"); err == nil && id.Subject != ann.Subject {
			t.Errorf("accepted %q as %+v", raw, id)
		}
	})
}
