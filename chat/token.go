package chat

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley"
)

// Tokens. Every bearer token carries 256 bits from crypto/rand; the store keeps its SHA-256 hash, the lookup key,
// and never the token in the clear.
//
//   - ParticipantToken: "P" + base64url(32 random bytes). A retried StartChatContact or CreateParticipant must
//     answer the token the first request did, so the customer's and a bot's participant also keep it sealed
//     (TokenSealed): AES-256-GCM under a key derived from the secret, HMAC(secret, "participant-token-seal\x00"),
//     with the participant id as additional data, so the database alone yields no usable token and a sealed
//     token copied to another participant's row does not open. An agent or a supervisor gets its token once,
//     from JoinAgent or JoinSupervisor, and nothing keeps more than its hash. The token is revoked when the
//     participant leaves.
//     Participants stored before sealed tokens existed (SQLite schema version 10) have none: their token was
//     derived, "P" + base64url(HMAC(secret, "participant\x00" + participantID + "\x00")), and a replay derives it
//     again (legacyParticipantToken), so that chats started before an upgrade keep their idempotent retries.
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

// randomToken is prefix + base64url(32 bytes from crypto/rand).
func randomToken(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + b64.EncodeToString(b[:])
}

func newParticipantToken() string { return randomToken("P") }

func newConnectionToken() string { return randomToken("C") }

// participantSeal is the sealer purpose of ParticipantTokens.
const participantSeal = "participant-token-seal"

// sealer is the AEAD that seals tokens for a purpose ("participant-token-seal" for ParticipantTokens,
// "view-token" for view tokens), under a key derived from the secret for that purpose. It draws a random nonce
// for each seal and puts it before the ciphertext; one seal per customer or bot participant, or per view shown,
// stays far below the 2^32 seals a key may make that way.
func (s *Service) sealer(purpose string) cipher.AEAD {
	block, err := aes.NewCipher(s.mac(purpose))
	if err != nil {
		panic(err) // the key is a SHA-256 MAC: always 32 bytes
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// sealToken is the stored form of a participant's token that a replay can open (Participant.TokenSealed).
func (s *Service) sealToken(participantID, token string) []byte {
	return s.sealer(participantSeal).Seal(nil, nil, []byte(token), []byte(participantID))
}

// storedParticipantToken returns the ParticipantToken of a stored participant, for the replay of the request
// that created it: the sealed copy opened, or for a participant stored before sealed tokens, the token derived
// the old way. It fails (EINTERNAL) when the sealed copy does not open or the token does not match the stored
// hash: the secret changed, or the row did.
func (s *Service) storedParticipantToken(ctx context.Context, participantID string) (string, error) {
	p, err := s.store.GetParticipant(ctx, participantID)
	if err != nil {
		return "", err
	}
	var token string
	if p.TokenSealed != nil {
		b, err := s.sealer(participantSeal).Open(nil, nil, p.TokenSealed, []byte(participantID))
		if err != nil {
			return "", parley.Internal(fmt.Errorf("open the sealed token of participant %s: %w", participantID, err))
		}
		token = string(b)
	} else {
		token = s.legacyParticipantToken(participantID)
	}
	if subtle.ConstantTimeCompare(hashToken(token), p.TokenHash) != 1 {
		return "", parley.Internal(fmt.Errorf("the token of participant %s does not match its stored hash", participantID))
	}
	return token, nil
}

// legacyParticipantToken is how ParticipantTokens were made before they were random; only participants stored
// then, who have no sealed token, still use it.
func (s *Service) legacyParticipantToken(participantID string) string {
	return "P" + b64.EncodeToString(s.mac("participant", participantID))
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

// pageToken is the opaque GetTranscript NextToken: the chain, the scan direction, the Seq bound and, in a
// persistent chat's history, how many sessions back the scan is (persistent.go), MACed so a forged or altered
// token is refused clearly.
func (s *Service) pageToken(chainID string, forward bool, bound int64, back int) string {
	dir := "B"
	if forward {
		dir = "F"
	}
	body := segmentBody(dir, bound, back)
	return body + "." + b64.EncodeToString(s.mac("page", chainID, body)[:16])
}

func (s *Service) parsePageToken(chainID, token string) (forward bool, bound int64, back int, err error) {
	bad := parley.Invalid("NextToken", "NextToken is not a token from this transcript")
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(body) < 2 {
		return false, 0, 0, bad
	}
	got, err := b64.DecodeString(sig)
	if err != nil || subtle.ConstantTimeCompare(got, s.mac("page", chainID, body)[:16]) != 1 {
		return false, 0, 0, bad
	}
	forward, bound, back, ok = parseSegmentBody(body)
	if !ok {
		return false, 0, 0, bad
	}
	return forward, bound, back, nil
}
