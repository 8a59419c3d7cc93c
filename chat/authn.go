package chat

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/flow"
)

// Customer authentication in a chat (the Authenticate Customer block), as Amazon Connect runs it with a Cognito
// user pool, here with the OpenID Connect provider the operator configures:
//
//  1. The flow's AuthenticateParticipant action starts a session: an authentication.initiated event carries its
//     SessionId to the customer, and the flow waits (flow/authenticate.go), its session in the flow state.
//  2. The customer's client calls GetAuthenticationUrl with the SessionId and a RedirectUri (AuthenticationURL):
//     the provider's authorization URL, with a state, a nonce and a PKCE challenge.
//  3. The provider sends the customer's browser back to the RedirectUri with a code and the state, and the page
//     there (the business's backend) calls UpdateParticipantAuthentication with them, or with the provider's
//     error (UpdateAuthentication): parley redeems the code at the provider's token endpoint, validates the ID
//     token (package auth/oidc), and the flow goes on: on success with the customer's id (the token's subject)
//     as the contact's CustomerId, the segment attribute connect:CustomerAuthentication AUTHENTICATED, and the
//     token's claims as $.Customer; on a failure on its error branch. CancelParticipantAuthentication takes the
//     OptedOut branch, and the action's time limit its TimeLimitExceeded branch (authentication.timeout). A
//     session whose URL is not asked for within flow.AuthURLWindow expires (authentication.expired) and takes
//     TimeLimitExceeded then.
//
// Nothing secret is stored: the state, the nonce and the code verifier are derived from the server secret, the
// contact and the session (authSecret), so the state names its contact and proves it was issued for the session
// the contact waits on, and a session's secrets die with it.

// IdentityProvider signs customers in (*oidc.Provider is one).
type IdentityProvider interface {
	AuthorizeURL(ctx context.Context, r oidc.Request) (string, error)
	Exchange(ctx context.Context, code, redirectURI, codeVerifier, nonce string) (*oidc.Identity, error)
}

// SetIdentityProvider gives the Authenticate Customer block its provider; without one the block takes its error
// branch and the authentication operations answer that authentication is not configured. Call it before serving.
func (s *Service) SetIdentityProvider(p IdentityProvider) { s.identity = p }

// Content types of the authentication events.
const (
	eventAuthInitiated = "application/vnd.amazonaws.connect.event.authentication.initiated"
	eventAuthSucceeded = "application/vnd.amazonaws.connect.event.authentication.succeeded"
	eventAuthFailed    = "application/vnd.amazonaws.connect.event.authentication.failed"
	eventAuthTimeout   = "application/vnd.amazonaws.connect.event.authentication.timeout"
	eventAuthCancelled = "application/vnd.amazonaws.connect.event.authentication.cancelled"
	eventAuthExpired   = "application/vnd.amazonaws.connect.event.authentication.expired"

	eventDisplayNameUpdated = "application/vnd.amazonaws.connect.event.participant.displayname.updated"
)

// The longest DisplayName (ParticipantDetails.DisplayName) and CustomerId the model allows.
const (
	maxDisplayName = 256
	maxCustomerID  = 128
)

// segmentAuthentication is the segment attribute that says the customer authenticated, as pre-chat
// authentication sets it with StartChatContact.
const segmentAuthentication = "connect:CustomerAuthentication"

var errAuthNotConfigured = parley.Errorf(parley.EREQUEST,
	"customer authentication is not configured on this server (the authentication: section)")

// StartAuthentication implements flow.Authenticator: a new session, announced to the chat.
func (e *flowEnv) StartAuthentication(context.Context) (string, error) {
	if e.s.identity == nil {
		return "", errAuthNotConfigured
	}
	id := uuid.NewString() // the model's SessionId is 36 characters
	e.effect(func(ctx context.Context, _ parley.Tx, ch *Change, c *parley.Contact, now time.Time) error {
		return ch.Append(ctx, authEvent(e.s, c, eventAuthInitiated, id, now))
	})
	return id, nil
}

// EndAuthentication implements flow.Authenticator: the event that ends the session and, on success, the
// customer's identity on the contact.
func (e *flowEnv) EndAuthentication(_ context.Context, r flow.AuthResult) error {
	ct := map[flow.AuthOutcome]string{flow.AuthSucceeded: eventAuthSucceeded, flow.AuthFailed: eventAuthFailed,
		flow.AuthTimedOut: eventAuthTimeout, flow.AuthCancelled: eventAuthCancelled, flow.AuthExpired: eventAuthExpired}[r.Outcome]
	if ct == "" {
		return errors.New("unknown authentication outcome " + string(r.Outcome))
	}
	if r.Outcome == flow.AuthSucceeded {
		e.c.CustomerID = r.CustomerID
	}
	e.effect(func(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, now time.Time) error {
		if r.Outcome != flow.AuthSucceeded {
			return ch.Append(ctx, authEvent(e.s, c, ct, r.SessionID, now))
		}
		c.CustomerID = r.CustomerID
		seg, err := withSegment(c.SegmentAttributes, segmentAuthentication,
			`{"ValueMap":{"Status":{"ValueString":"AUTHENTICATED"}}}`)
		if err != nil {
			return err
		}
		c.SegmentAttributes = seg
		if err := ch.Append(ctx, authEvent(e.s, c, ct, r.SessionID, now)); err != nil {
			return err
		}
		return e.s.renameCustomer(ctx, tx, ch, c, r.Customer["FirstName"], now)
	})
	return nil
}

// renameCustomer gives the contact's customer the first name they signed in with as their display name, as
// Connect does with the profile's first name, and tells the chat (participant.displayname.updated). The event
// makes the participants' cached credentials reload the name (authcache.go).
func (s *Service) renameCustomer(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, name string, now time.Time) error {
	if name = strings.TrimSpace(name); name == "" {
		return nil
	}
	if r := []rune(name); len(r) > maxDisplayName {
		name = string(r[:maxDisplayName])
	}
	ps, err := tx.ListParticipants(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Role != parley.RoleCustomer || p.DisplayName == name {
			continue
		}
		p.DisplayName = name
		if err := tx.UpdateParticipant(ctx, p); err != nil {
			return err
		}
		if err := ch.Append(ctx, s.event(c, p, eventDisplayNameUpdated, now)); err != nil {
			return err
		}
	}
	return nil
}

// authEvent is an authentication event of a session, from the system.
func authEvent(s *Service, c *parley.Contact, contentType, sessionID string, now time.Time) *parley.Item {
	it := s.event(c, nil, contentType, now)
	b, _ := json.Marshal(struct{ SessionId string }{sessionID})
	it.Content = string(b)
	return it
}

// withSegment returns segment attributes (a JSON object, or nil) with key set to the JSON value v.
func withSegment(raw []byte, key, v string) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
	}
	m[key] = json.RawMessage(v)
	return json.Marshal(m)
}

// authSecret derives a session's secrets from the server secret: purpose "state", "nonce" or "verifier".
func (s *Service) authSecret(purpose, contactID, sessionID string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("customer-authentication\x00" + purpose + "\x00" + contactID + "\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// authState is the OAuth state of a session: the contact's id and a MAC of the session.
func (s *Service) authState(contactID, sessionID string) string {
	return contactID + "." + s.authSecret("state", contactID, sessionID)
}

// authWaiting returns the sign-in c's flow waits for, nil when it waits for none.
func authWaiting(c *parley.Contact) (*flow.State, *flow.AuthSession) {
	if !c.Active() || !waiting(c.FlowState) {
		return nil, nil
	}
	var st flow.State
	if json.Unmarshal(c.FlowState, &st) != nil || st.Wait != flow.WaitAuthentication || st.Authentication == nil {
		return nil, nil
	}
	return &st, st.Authentication
}

// customerSession checks that the caller is the customer of a chat whose flow waits on the session sessionID
// and returns the contact as stored now. Errors: EREQUEST (not configured), EACCESS (not the customer),
// EINVALID (another session, or none).
func (s *Service) customerSession(ctx context.Context, caller *Caller, sessionID string) (*parley.Contact, *flow.State, error) {
	if s.identity == nil {
		return nil, nil, errAuthNotConfigured
	}
	if caller.Participant.Role != parley.RoleCustomer {
		return nil, nil, parley.Errorf(parley.EACCESS, "only the customer of a chat authenticates")
	}
	c, err := s.store.GetContact(ctx, caller.Contact.ID)
	if err != nil {
		return nil, nil, err
	}
	st, session := authWaiting(c)
	if session == nil || session.ID != sessionID {
		return nil, nil, parley.Invalid("SessionId", "SessionId is not the authentication session this chat waits on")
	}
	return c, st, nil
}

// AuthenticationURL is GetAuthenticationUrl: the provider's sign-in URL for the session sessionID, which sends
// the customer back to redirectURI. It may be asked within a minute of the session's start (flow.AuthURLWindow);
// once asked, the session no longer expires. Errors: those of customerSession, EINVALID (RedirectUri not an
// absolute http(s) URL), EREQUEST (too late).
func (s *Service) AuthenticationURL(ctx context.Context, caller *Caller, sessionID, redirectURI string) (string, error) {
	c, st, err := s.customerSession(ctx, caller, sessionID)
	if err != nil {
		return "", err
	}
	if u, err := url.Parse(redirectURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", parley.Invalid("RedirectUri", "RedirectUri must be an absolute http or https URL")
	}
	if s.now().Sub(st.Authentication.Started) > flow.AuthURLWindow {
		return "", parley.Errorf(parley.EREQUEST,
			"the authentication URL must be asked for within a minute of the authentication.initiated event")
	}
	// The code exchange must repeat the redirect URI: it is kept with the session, whose timer moves from its
	// expiry to the action's time limit.
	if st.AuthenticationURLAsked(redirectURI) {
		state, err := json.Marshal(st)
		if err != nil {
			return "", err
		}
		_, err = s.commit(ctx, func(tx parley.Tx, _ *Change) error {
			cur, err := tx.GetContact(ctx, c.ID)
			if err != nil {
				return err
			}
			if !bytes.Equal(cur.FlowState, c.FlowState) {
				return parley.Errorf(parley.EREQUEST, "the authentication session has ended")
			}
			cur.FlowState, cur.FlowWakeAt = state, st.Until
			return tx.UpdateContact(ctx, cur)
		})
		if err != nil {
			return "", err
		}
	}
	return s.identity.AuthorizeURL(ctx, oidc.Request{RedirectURI: redirectURI, State: s.authState(c.ID, sessionID),
		Nonce: s.authSecret("nonce", c.ID, sessionID), CodeVerifier: s.authSecret("verifier", c.ID, sessionID)})
}

// CancelAuthentication is CancelParticipantAuthentication: the customer opts out, and the flow takes its
// OptedOut branch. Errors: those of customerSession.
func (s *Service) CancelAuthentication(ctx context.Context, caller *Caller, sessionID string) error {
	c, _, err := s.customerSession(ctx, caller, sessionID)
	if err != nil {
		return err
	}
	return s.advance(ctx, c.ID, flow.Authenticated(flow.AuthResult{SessionID: sessionID, Outcome: flow.AuthCancelled}))
}

// AuthenticationUpdate is UpdateParticipantAuthentication's input: the query parameters the provider sent the
// customer back with.
type AuthenticationUpdate struct {
	InstanceID             string
	State                  string
	Code, Error, ErrorDesc string
}

// UpdateAuthentication is UpdateParticipantAuthentication: it ends the session the state names with the
// provider's answer (a code, redeemed and validated here, or an error) and moves the flow on; a code that does not
// give a valid ID token fails the sign-in, not the call. Errors: EREQUEST (not configured; a state that names no
// waiting session of the instance), EINVALID (neither or both of Code and Error).
func (s *Service) UpdateAuthentication(ctx context.Context, in AuthenticationUpdate) error {
	if s.identity == nil {
		return errAuthNotConfigured
	}
	if (in.Code == "") == (in.Error == "") {
		return parley.Invalid("Code", "exactly one of Code and Error is required")
	}
	inst, err := s.Instance(ctx, in.InstanceID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return parley.Errorf(parley.EREQUEST, "InstanceId %s does not name an instance", in.InstanceID)
	}
	if err != nil {
		return err
	}
	noSession := parley.Errorf(parley.EREQUEST, "State does not name an authentication session in progress")
	contactID, _, _ := strings.Cut(in.State, ".")
	c, err := s.store.GetContact(ctx, contactID)
	if parley.IsCode(err, parley.ENOTFOUND) || err == nil && c.InstanceID != inst.ID {
		return noSession
	}
	if err != nil {
		return err
	}
	_, session := authWaiting(c)
	if session == nil || !hmac.Equal([]byte(in.State), []byte(s.authState(c.ID, session.ID))) {
		return noSession
	}
	if session.RedirectURI == "" {
		return parley.Errorf(parley.EREQUEST, "GetAuthenticationUrl was not called for this authentication session")
	}
	res := flow.AuthResult{SessionID: session.ID, Outcome: flow.AuthFailed}
	if in.Error != "" {
		res.Detail = strings.TrimSpace("the identity provider answered " + in.Error + " " + in.ErrorDesc)
	} else {
		id, err := s.identity.Exchange(ctx, in.Code, session.RedirectURI, s.authSecret("verifier", c.ID, session.ID),
			s.authSecret("nonce", c.ID, session.ID))
		switch {
		case err != nil:
			res.Detail = err.Error()
		case utf8.RuneCountInString(id.Subject) > maxCustomerID:
			res.Detail = fmt.Sprintf("the ID token's subject is longer than a CustomerId (%d characters)", maxCustomerID)
		default:
			res = flow.AuthResult{SessionID: session.ID, Outcome: flow.AuthSucceeded, CustomerID: id.Subject,
				Customer: customerAttributes(id)}
		}
	}
	if res.Outcome == flow.AuthFailed {
		s.log.InfoContext(ctx, "customer authentication failed", "contact_id", c.ID, "err", res.Detail)
	}
	return s.advance(ctx, c.ID, flow.Authenticated(res))
}

// customerAttributes are the $.Customer attributes of an identity: Customer Profiles' names for the standard
// claims.
func customerAttributes(id *oidc.Identity) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"FirstName": id.GivenName, "LastName": id.FamilyName,
		"EmailAddress": id.Email, "PhoneNumber": id.PhoneNumber} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
