// Package oidctest is a fake OpenID Connect provider for tests: an httptest server on loopback with a discovery
// document, a JWKS, an authorization endpoint that signs in a preset user at once, and a token endpoint that
// redeems its codes for ID tokens signed with a test RSA key. Tests make it misbehave (refuse codes, sign with
// another key, put another nonce in the token) to see the relying party refuse.
//
// A Provider is safe for concurrent use.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Client id and secret the fake provider knows.
const (
	ClientID     = "parley-test"
	ClientSecret = "s3cret"
)

// User is who signs in at the authorization endpoint.
type User struct {
	Subject, Email, GivenName, FamilyName string
}

// Provider is a running fake provider.
type Provider struct {
	URL string // the issuer; discovery at URL/.well-known/openid-configuration

	t      testing.TB
	key    *rsa.PrivateKey
	other  *rsa.PrivateKey // signs the tokens of BadSignature, under key's id
	server *httptest.Server

	mu    sync.Mutex
	user  User
	codes map[string]grant
	// Misbehaviours.
	refuse       bool
	badSignature bool
	wrongNonce   bool
	tokenCalls   int
}

// grant is what an issued code stands for.
type grant struct {
	redirectURI, nonce, challenge string
}

const keyID = "test-key-1"

// testKeys are the provider's key and the other key, made once per test binary (RSA keys are slow to make).
var (
	keysOnce sync.Once
	testKeys [2]*rsa.PrivateKey
	keysErr  error
)

// New starts a provider that signs in user, until the test ends.
func New(t testing.TB, user User) *Provider {
	t.Helper()
	keysOnce.Do(func() {
		for i := range testKeys {
			if testKeys[i], keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
				return
			}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	p := &Provider{t: t, key: testKeys[0], other: testKeys[1], user: user, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.server = httptest.NewServer(mux)
	t.Cleanup(p.server.Close)
	p.URL = p.server.URL
	return p
}

// RefuseCodes makes the token endpoint answer invalid_grant.
func (p *Provider) RefuseCodes() { p.mu.Lock(); p.refuse = true; p.mu.Unlock() }

// SignWithOtherKey makes ID tokens carry a signature of another key under the published key's id.
func (p *Provider) SignWithOtherKey() { p.mu.Lock(); p.badSignature = true; p.mu.Unlock() }

// WrongNonce makes ID tokens carry a nonce other than the sign-in's.
func (p *Provider) WrongNonce() { p.mu.Lock(); p.wrongNonce = true; p.mu.Unlock() }

// TokenCalls is how many times the token endpoint was called.
func (p *Provider) TokenCalls() int { p.mu.Lock(); defer p.mu.Unlock(); return p.tokenCalls }

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

// authorize signs the user in at once and redirects to redirect_uri with a code and the state, as a provider
// does after its login page.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, checking the client's credentials, the redirect URI and the PKCE verifier.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenCalls++
	id, secret, ok := r.BasicAuth()
	if !ok || id != ClientID || secret != ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	g, known := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if p.refuse || !known || r.PostForm.Get("grant_type") != "authorization_code" ||
		r.PostForm.Get("redirect_uri") != g.redirectURI || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant",
			"error_description": "the code is not valid"})
		return
	}
	nonce := g.nonce
	if p.wrongNonce {
		nonce = "another-nonce"
	}
	signWith := p.key
	if p.badSignature {
		signWith = p.other
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer",
		"expires_in": 3600, "id_token": p.sign(signWith, nonce)})
}

// SignIn follows an authorization URL as the customer's browser does: the provider signs the user in at once
// and redirects to the request's redirect URI, whose query (code and state) SignIn returns. It fails the test
// when the redirect does not lead to a URL that starts with redirectURI.
func SignIn(t testing.TB, authURL, redirectURI string) url.Values {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(back.String(), redirectURI+"?") {
		t.Fatalf("the provider answered %s and sent the browser to %q, want %s", resp.Status, resp.Header.Get("Location"), redirectURI)
	}
	return back.Query()
}

// Browse follows an authorization URL to its end as the customer's browser does: the provider signs the user in
// and sends the browser back to the redirect URI, which (on parley, its callback page) completes the sign-in.
// It fails the test unless the browser ends at a page whose path is landingPath, answered 200.
func Browse(t testing.TB, authURL, landingPath string) {
	t.Helper()
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != landingPath {
		t.Fatalf("the browser ended at %s with %s, want %s answered 200", resp.Request.URL, resp.Status, landingPath)
	}
}

// IDToken returns an ID token for the user with the given nonce, signed with the published key: for tests of
// the relying party's checks.
func (p *Provider) IDToken(nonce string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sign(p.key, nonce)
}

func (p *Provider) sign(key *rsa.PrivateKey, nonce string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		p.t.Error(err)
		return ""
	}
	now := time.Now()
	std := jwt.Claims{Issuer: p.URL, Subject: p.user.Subject, Audience: jwt.Audience{ClientID},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	extra := struct {
		Nonce      string `json:"nonce"`
		Email      string `json:"email,omitempty"`
		GivenName  string `json:"given_name,omitempty"`
		FamilyName string `json:"family_name,omitempty"`
	}{nonce, p.user.Email, p.user.GivenName, p.user.FamilyName}
	tok, err := jwt.Signed(signer).Claims(std).Claims(extra).Serialize()
	if err != nil {
		p.t.Error(err)
	}
	return tok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// SignInTwiceFlow is a contact flow (Flow Language) for tests of customer sign-in: it asks the customer to sign
// in, greets them by the first name they signed in with, and asks again; opting out is answered, and every branch
// ends at a question, so the chat stays open.
const SignInTwiceFlow = `{"Version":"2019-10-30","StartAction":"Auth","Actions":[
{"Identifier":"Auth","Type":"AuthenticateParticipant","Parameters":{"TimeLimitMinutes":"3"},
 "Transitions":{"NextAction":"Hello","Conditions":[{"NextAction":"OptedOut","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
  "Errors":[{"NextAction":"Wait","ErrorType":"TimeLimitExceeded"},{"NextAction":"Wait","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Hello","Type":"MessageParticipant","Parameters":{"Text":"Welcome back $.Customer.FirstName"},"Transitions":{"NextAction":"Again"}},
{"Identifier":"Again","Type":"AuthenticateParticipant","Parameters":{"TimeLimitMinutes":"3"},
 "Transitions":{"NextAction":"Wait","Conditions":[{"NextAction":"OptedOut","Condition":{"Operator":"Equals","Operands":["OptedOut"]}}],
  "Errors":[{"NextAction":"Wait","ErrorType":"TimeLimitExceeded"},{"NextAction":"Wait","ErrorType":"NoMatchingError"}]}},
{"Identifier":"OptedOut","Type":"MessageParticipant","Parameters":{"Text":"You chose not to sign in."},"Transitions":{"NextAction":"Wait"}},
{"Identifier":"Wait","Type":"GetParticipantInput","Parameters":{"Text":"Anything else?","InputTimeLimitSeconds":"600"},"Transitions":{"NextAction":"Wait","Errors":[{"NextAction":"Wait","ErrorType":"InputTimeLimitExceeded"}]}}]}`
