// Package oidc signs chat customers in with the OpenID Connect provider the operator configures, for the
// Authenticate Customer flow block (the AuthenticateParticipant action): parley stands where Amazon Connect puts
// an Amazon Cognito user pool.
//
// It reads the provider's discovery document and its signing keys (JWKS), builds the authorization URL of the
// authorization code flow (with PKCE S256, a nonce and the caller's state), exchanges a code at the token
// endpoint, and validates the ID token it gets back: the signature with a key of the provider's JWKS and an
// asymmetric algorithm the provider announces (never "none", never an HMAC), the issuer, the audience (and the
// authorized party when there are several), the expiry and issue time, and the nonce. Only a validated token's
// claims reach the caller.
//
// A Provider is safe for concurrent use. It fetches the discovery document on first use and keeps it for an
// hour, and refetches the JWKS when a token names a key it does not know (at most once a minute), so that the
// provider may rotate its keys.
package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Config is the provider the operator configures (the authentication: section of parley's configuration).
type Config struct {
	// Issuer is the provider's issuer URL (https://login.example.com/realms/shop). Its discovery document is
	// Issuer + "/.well-known/openid-configuration", and the document must name the same issuer.
	Issuer string `yaml:"issuer"`
	// DiscoveryURL is the discovery document's URL, when it is not under Issuer; the issuer is then the one it
	// names.
	DiscoveryURL string `yaml:"discovery_url"`
	// ClientID and ClientSecret are parley's client at the provider. Without a secret parley is a public client
	// and relies on PKCE alone.
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// Scopes are requested at sign-in. Default: openid profile email ("openid" is always requested).
	Scopes []string `yaml:"scopes"`
}

// Enabled reports whether a provider is configured.
func (c Config) Enabled() bool { return c.ClientID != "" || c.Issuer != "" || c.DiscoveryURL != "" }

// Validate checks a configured provider's settings.
func (c Config) Validate() error {
	if c.ClientID == "" {
		return errors.New("authentication: client_id is required")
	}
	if c.Issuer == "" && c.DiscoveryURL == "" {
		return errors.New("authentication: issuer or discovery_url is required")
	}
	for name, u := range map[string]string{"issuer": c.Issuer, "discovery_url": c.DiscoveryURL} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("authentication: %s %q is not an http(s) URL", name, u)
		}
	}
	return nil
}

// Request is what the authorization URL carries.
type Request struct {
	// RedirectURI is where the provider sends the customer back, with the code and the state; it must be one the
	// provider has registered for the client.
	RedirectURI string
	State       string
	Nonce       string
	// CodeVerifier is the PKCE secret; the URL carries its S256 challenge, and Exchange must be given it.
	CodeVerifier string
}

// Identity is the customer a validated ID token names, with its standard claims.
type Identity struct {
	Subject     string
	Email       string
	GivenName   string
	FamilyName  string
	Name        string
	PhoneNumber string
}

// Provider is an OpenID Connect provider.
type Provider struct {
	cfg    Config
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	meta    *metadata
	metaAt  time.Time
	keys    jose.JSONWebKeySet
	keysAt  time.Time
	keysSet bool
}

// metadata is the part of the discovery document parley uses (OpenID Connect Discovery 1.0, section 3).
type metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	SigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
}

// Cache lifetimes and bounds.
const (
	metadataTTL  = time.Hour
	keysMinAge   = time.Minute // a JWKS is refetched for an unknown key at most this often
	maxDocument  = 1 << 20
	clockLeeway  = time.Minute
	fetchTimeout = 10 * time.Second
)

// asymmetric are the signature algorithms parley accepts on an ID token.
var asymmetric = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// New returns the provider of a validated Config. client makes its HTTP requests (nil: a client with a 10 s
// timeout); now is the clock ID tokens are checked against (nil: the system clock). Nothing is fetched yet.
func New(cfg Config, client *http.Client, now func() time.Time) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	if now == nil {
		now = time.Now
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile", "email"}
	} else if !slices.Contains(cfg.Scopes, "openid") {
		cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
	}
	return &Provider{cfg: cfg, client: client, now: now}, nil
}

// AuthorizeURL returns the URL that signs the customer in: the provider's authorization endpoint with the
// code flow's parameters.
func (p *Provider) AuthorizeURL(ctx context.Context, r Request) (string, error) {
	m, err := p.metadata(ctx)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(m.AuthorizationEndpoint)
	if err != nil {
		return "", fmt.Errorf("oidc: authorization_endpoint: %w", err)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", p.cfg.ClientID)
	q.Set("redirect_uri", r.RedirectURI)
	q.Set("scope", strings.Join(p.cfg.Scopes, " "))
	q.Set("state", r.State)
	q.Set("nonce", r.Nonce)
	q.Set("code_challenge", Challenge(r.CodeVerifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Challenge is the PKCE S256 challenge of a code verifier (RFC 7636, section 4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Exchange redeems an authorization code at the token endpoint and returns the identity of its validated ID
// token. redirectURI, codeVerifier and nonce must be those of the Request the code answers.
func (p *Provider) Exchange(ctx context.Context, code, redirectURI, codeVerifier, nonce string) (*Identity, error) {
	m, err := p.metadata(ctx)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {codeVerifier}, "client_id": {p.cfg.ClientID}}
	basic := p.cfg.ClientSecret != "" && (len(m.TokenAuthMethods) == 0 || slices.Contains(m.TokenAuthMethods, "client_secret_basic"))
	if p.cfg.ClientSecret != "" && !basic {
		form.Set("client_secret", p.cfg.ClientSecret) // client_secret_post
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("oidc: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749, section 2.3.1: the id and secret are form-encoded before they are joined.
		req.SetBasicAuth(url.QueryEscape(p.cfg.ClientID), url.QueryEscape(p.cfg.ClientSecret))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return nil, fmt.Errorf("oidc: token endpoint: %w", err)
	}
	var tr struct {
		IDToken          string `json:"id_token"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &tr); err != nil && resp.StatusCode == http.StatusOK {
		return nil, fmt.Errorf("oidc: token endpoint answered something other than JSON")
	}
	if resp.StatusCode != http.StatusOK || tr.Error != "" {
		if tr.Error == "" {
			tr.Error = resp.Status
		}
		return nil, fmt.Errorf("oidc: the provider refused the code: %s %s", tr.Error, tr.ErrorDescription)
	}
	if tr.IDToken == "" {
		return nil, errors.New("oidc: the token response has no id_token")
	}
	return p.Verify(ctx, tr.IDToken, nonce)
}

// claims are the ID token claims parley reads beyond the registered ones.
type claims struct {
	Nonce       string `json:"nonce"`
	AZP         string `json:"azp"`
	Email       string `json:"email"`
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
}

// Verify validates an ID token (OpenID Connect Core 1.0, section 3.1.3.7) and returns its identity.
func (p *Provider) Verify(ctx context.Context, raw, nonce string) (*Identity, error) {
	m, err := p.metadata(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := jwt.ParseSigned(raw, p.algorithms(m))
	if err != nil {
		return nil, fmt.Errorf("oidc: the ID token is not a signed JWT with an accepted algorithm: %w", err)
	}
	if len(tok.Headers) != 1 {
		return nil, errors.New("oidc: the ID token must carry exactly one signature")
	}
	keys, err := p.keysFor(ctx, m, tok.Headers[0].KeyID)
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	var extra claims
	verified := false
	for _, k := range keys {
		if k.Algorithm != "" && k.Algorithm != tok.Headers[0].Algorithm || k.Use != "" && k.Use != "sig" {
			continue
		}
		if err := tok.Claims(k.Key, &std, &extra); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, errors.New("oidc: the ID token's signature does not verify with the provider's keys")
	}
	if std.Expiry == nil || std.IssuedAt == nil {
		return nil, errors.New("oidc: the ID token has no exp or iat claim")
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: m.Issuer, AnyAudience: jwt.Audience{p.cfg.ClientID}, Time: p.now()},
		clockLeeway)
	if err != nil {
		return nil, fmt.Errorf("oidc: the ID token is not valid here: %w", err)
	}
	if len(std.Audience) > 1 && extra.AZP != p.cfg.ClientID || extra.AZP != "" && extra.AZP != p.cfg.ClientID {
		return nil, errors.New("oidc: the ID token was issued to another party (azp)")
	}
	if subtle.ConstantTimeCompare([]byte(extra.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return nil, errors.New("oidc: the ID token's nonce is not the one of this sign-in")
	}
	if std.Subject == "" {
		return nil, errors.New("oidc: the ID token has no subject")
	}
	return &Identity{Subject: std.Subject, Email: extra.Email, GivenName: extra.GivenName,
		FamilyName: extra.FamilyName, Name: extra.Name, PhoneNumber: extra.PhoneNumber}, nil
}

// algorithms are the asymmetric algorithms the provider announces for ID tokens (RS256 when it announces none,
// the default of OpenID Connect Discovery).
func (p *Provider) algorithms(m *metadata) []jose.SignatureAlgorithm {
	if len(m.SigningAlgs) == 0 {
		return []jose.SignatureAlgorithm{jose.RS256}
	}
	var algs []jose.SignatureAlgorithm
	for _, a := range asymmetric {
		if slices.Contains(m.SigningAlgs, string(a)) {
			algs = append(algs, a)
		}
	}
	return algs
}

// metadata returns the discovery document, fetching it when it is missing or older than an hour.
func (p *Provider) metadata(ctx context.Context) (*metadata, error) {
	p.mu.Lock()
	if p.meta != nil && p.now().Sub(p.metaAt) < metadataTTL {
		m := p.meta
		p.mu.Unlock()
		return m, nil
	}
	p.mu.Unlock()
	where := p.cfg.DiscoveryURL
	if where == "" {
		where = strings.TrimSuffix(p.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	}
	var m metadata
	if err := p.fetch(ctx, where, &m); err != nil {
		return nil, fmt.Errorf("oidc: discovery document: %w", err)
	}
	if p.cfg.Issuer != "" && m.Issuer != p.cfg.Issuer {
		return nil, fmt.Errorf("oidc: the discovery document names the issuer %q, not %q", m.Issuer, p.cfg.Issuer)
	}
	if m.Issuer == "" || m.AuthorizationEndpoint == "" || m.TokenEndpoint == "" || m.JWKSURI == "" {
		return nil, errors.New("oidc: the discovery document lacks issuer, authorization_endpoint, token_endpoint or jwks_uri")
	}
	p.mu.Lock()
	p.meta, p.metaAt = &m, p.now()
	p.mu.Unlock()
	return &m, nil
}

// keysFor returns the provider's keys that may have signed a token with the key id kid (all of them when kid
// is empty), refetching the JWKS when it has none such and was not fetched in the last minute.
func (p *Provider) keysFor(ctx context.Context, m *metadata, kid string) ([]jose.JSONWebKey, error) {
	pick := func(set jose.JSONWebKeySet) []jose.JSONWebKey {
		if kid == "" {
			return set.Keys
		}
		return set.Key(kid)
	}
	p.mu.Lock()
	keys, fresh := pick(p.keys), p.keysSet && p.now().Sub(p.keysAt) < keysMinAge
	p.mu.Unlock()
	if len(keys) > 0 || fresh {
		if len(keys) == 0 {
			return nil, fmt.Errorf("oidc: the provider has no key %q", kid)
		}
		return keys, nil
	}
	var set jose.JSONWebKeySet
	if err := p.fetch(ctx, m.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("oidc: JWKS: %w", err)
	}
	p.mu.Lock()
	p.keys, p.keysAt, p.keysSet = set, p.now(), true
	p.mu.Unlock()
	if keys = pick(set); len(keys) == 0 {
		return nil, fmt.Errorf("oidc: the provider has no key %q", kid)
	}
	return keys, nil
}

// fetch GETs a JSON document.
func (p *Provider) fetch(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocument)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}
