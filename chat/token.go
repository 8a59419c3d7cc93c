package chat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley"
)

// Tokens. All bearer tokens are at least 256 bits of unpredictable data; only their SHA-256 hashes are stored.
//
//   - ParticipantToken: "P" + base64url(HMAC(secret, "participant\x00" + participantID)). Deriving it from the
//     participant id lets an idempotent retry of StartChatContact or CreateParticipant return the same token
//     without storing it; the stored hash is the lookup key. It is revoked when the participant leaves.
//   - ConnectionToken: "C" + 32 random bytes, base64url. Stored by hash with its expiry.
//   - WebSocket URL credential: "<participantID>.<expiry ms>.<MAC>", verified without a store read; it is
//     short-lived, so it needs no revocation list (the participant's state is checked on every upgrade).
var b64 = base64.RawURLEncoding

func (s *Service) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.cfg.Secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (s *Service) participantToken(participantID string) string {
	return "P" + b64.EncodeToString(s.mac("participant", participantID))
}

func newConnectionToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "C" + b64.EncodeToString(b[:])
}

// hashToken is the stored form of a bearer token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func (s *Service) socketToken(participantID string, expiry time.Time) string {
	exp := strconv.FormatInt(expiry.UnixMilli(), 10)
	return participantID + "." + exp + "." + b64.EncodeToString(s.mac("socket", participantID, exp))
}

// parseSocketToken verifies a WebSocket URL credential. It returns EINVALID for a token this server did not
// issue, EACCESS for an expired one.
func (s *Service) parseSocketToken(token string, now time.Time) (participantID string, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", parley.Errorf(parley.EINVALID, "malformed WebSocket credential")
	}
	got, err := b64.DecodeString(parts[2])
	if err != nil || subtle.ConstantTimeCompare(got, s.mac("socket", parts[0], parts[1])) != 1 {
		return "", parley.Errorf(parley.EINVALID, "invalid WebSocket credential")
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", parley.Errorf(parley.EINVALID, "malformed WebSocket credential")
	}
	if now.After(time.UnixMilli(ms)) {
		return "", parley.Errorf(parley.EACCESS, "the WebSocket URL has expired: call CreateParticipantConnection for a new one")
	}
	return parts[0], nil
}

// pageToken is the opaque GetTranscript NextToken: the chain, the scan direction and the Seq bound, MACed so a
// forged or altered token is refused clearly.
func (s *Service) pageToken(chainID string, forward bool, bound int64) string {
	dir := "B"
	if forward {
		dir = "F"
	}
	body := dir + strconv.FormatInt(bound, 10)
	return body + "." + b64.EncodeToString(s.mac("page", chainID, body)[:16])
}

func (s *Service) parsePageToken(chainID, token string) (forward bool, bound int64, err error) {
	bad := parley.Invalid("NextToken", "NextToken is not a token from this transcript")
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(body) < 2 {
		return false, 0, bad
	}
	got, err := b64.DecodeString(sig)
	if err != nil || subtle.ConstantTimeCompare(got, s.mac("page", chainID, body)[:16]) != 1 {
		return false, 0, bad
	}
	bound, err = strconv.ParseInt(body[1:], 10, 64)
	if err != nil || (body[0] != 'F' && body[0] != 'B') {
		return false, 0, bad
	}
	return body[0] == 'F', bound, nil
}
