package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/parley-chat/parley/wire"
)

// Customer authentication (the Authenticate Customer flow block) from the customer's side, as ChatJS does it:
// the flow sends authentication.initiated (EventAuthenticationInitiated) with a session id; within a minute the
// customer's client asks GetAuthenticationURL for the identity provider's sign-in URL and opens it in a browser,
// or calls CancelAuthentication to go on without signing in. The provider sends the browser back to the
// redirect URI, whose page completes the sign-in (on parley, its own page /authentication/callback does), and the
// outcome arrives as one of the other authentication events.

// OnAuthenticationInitiated registers f for EventAuthenticationInitiated.
func (s *Session) OnAuthenticationInitiated(f func(Event)) {
	s.disp.on(EventAuthenticationInitiated, f)
}

// OnAuthenticationSuccessful registers f for EventAuthenticationSuccessful.
func (s *Session) OnAuthenticationSuccessful(f func(Event)) {
	s.disp.on(EventAuthenticationSuccessful, f)
}

// OnAuthenticationFailed registers f for EventAuthenticationFailed.
func (s *Session) OnAuthenticationFailed(f func(Event)) { s.disp.on(EventAuthenticationFailed, f) }

// OnAuthenticationTimeout registers f for EventAuthenticationTimeout.
func (s *Session) OnAuthenticationTimeout(f func(Event)) { s.disp.on(EventAuthenticationTimeout, f) }

// OnAuthenticationExpired registers f for EventAuthenticationExpired.
func (s *Session) OnAuthenticationExpired(f func(Event)) { s.disp.on(EventAuthenticationExpired, f) }

// OnAuthenticationCanceled registers f for EventAuthenticationCanceled.
func (s *Session) OnAuthenticationCanceled(f func(Event)) { s.disp.on(EventAuthenticationCanceled, f) }

// AuthenticationSessionID returns the SessionId an authentication event carries in its Content
// ({"SessionId":"…"}), or "" when it carries none.
func AuthenticationSessionID(it wire.Item) string {
	var c struct{ SessionId string }
	if json.Unmarshal([]byte(it.Content), &c) != nil {
		return ""
	}
	return c.SessionId
}

// GetAuthenticationURL returns the identity provider's sign-in URL for the authentication session sessionID
// (GetAuthenticationUrl), which sends the customer's browser back to redirectURI. Only the customer may ask, within
// a minute of the authentication.initiated event; later, or for a session the chat no longer waits on, the
// service answers with an *APIError (ValidationException).
func (s *Session) GetAuthenticationURL(ctx context.Context, sessionID, redirectURI string) (string, error) {
	tok, err := s.token()
	if err != nil {
		return "", err
	}
	var out wire.GetAuthenticationUrlResponse
	err = s.api.call(ctx, request{op: "GetAuthenticationUrl", method: http.MethodPost, path: wire.PathGetAuthenticationUrl,
		bearer: tok, in: wire.GetAuthenticationUrlRequest{SessionID: &sessionID, RedirectUri: &redirectURI}}, &out)
	if err != nil {
		return "", err
	}
	return out.AuthenticationURL, nil
}

// CancelAuthentication ends the authentication session sessionID without signing in
// (CancelParticipantAuthentication): the flow takes its opted-out branch and authentication.cancelled follows.
func (s *Session) CancelAuthentication(ctx context.Context, sessionID string) error {
	tok, err := s.token()
	if err != nil {
		return err
	}
	return s.api.call(ctx, request{op: "CancelParticipantAuthentication", method: http.MethodPost,
		path: wire.PathCancelParticipantAuthentication, bearer: tok,
		in: wire.CancelParticipantAuthenticationRequest{SessionID: &sessionID}}, nil)
}
