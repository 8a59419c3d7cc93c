package chat_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

// tokenFixture is a chat service on a SQLite file that a test can open again (a restart), with the secret of
// openTimerFixture.
type tokenFixture struct {
	*flowFixture
	path string
	clk  *fakeClock
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "parley.db")
	clk := &fakeClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	return &tokenFixture{flowFixture: openTimerFixture(t, path, clk, chat.Config{}), path: path, clk: clk}
}

// restart closes the service and its store and opens them again on the same file.
func (f *tokenFixture) restart() {
	f.t.Helper()
	f.svc.Close()
	if err := f.st.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.flowFixture = openTimerFixture(f.t, f.path, f.clk, chat.Config{})
}

func (f *tokenFixture) startChat(clientToken string) *chat.StartChatOutput {
	f.t.Helper()
	out, err := f.svc.StartChat(f.t.Context(), chat.StartChatInput{InstanceID: f.inst.ID,
		ContactFlowID: f.defaultFlow(), DisplayName: "Ann", ClientToken: clientToken})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *tokenFixture) addBot(contactID, clientToken string) *chat.CreateParticipantOutput {
	f.t.Helper()
	out, err := f.svc.CreateParticipant(f.t.Context(), chat.CreateParticipantInput{InstanceID: f.inst.ID,
		ContactID: contactID, ClientToken: clientToken, Role: parley.RoleCustomBot})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// whoIs returns the participant a ParticipantToken connects as.
func (f *tokenFixture) whoIs(participantToken string) string {
	f.t.Helper()
	ctx := f.t.Context()
	conn, err := f.svc.CreateConnection(ctx, participantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		f.t.Fatalf("CreateParticipantConnection: %v", err)
	}
	c, err := f.svc.Authenticate(ctx, conn.ConnectionToken)
	if err != nil {
		f.t.Fatalf("Authenticate: %v", err)
	}
	return c.Participant.ID
}

// derived is the ParticipantToken parley derived before tokens were random: HMAC(secret, "participant\0" +
// participantID + "\0"), with openTimerFixture's secret.
func derived(participantID string) string {
	m := hmac.New(sha256.New, bytes.Repeat([]byte{5}, 32))
	m.Write([]byte("participant\x00" + participantID + "\x00"))
	return "P" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestParticipantTokensAreRandom: every participant's token is 256 random bits, not derived from its id, and
// connects as that participant only.
func TestParticipantTokensAreRandom(t *testing.T) {
	f := newTokenFixture(t)
	a, b := f.startChat(""), f.startChat("")
	bot := f.addBot(a.ContactID, "")
	agent := f.agent(a.ContactID)
	tokens := map[string]string{a.ParticipantID: a.ParticipantToken, b.ParticipantID: b.ParticipantToken,
		bot.ParticipantID: bot.ParticipantToken}
	for pid, tok := range tokens {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "P"))
		if !strings.HasPrefix(tok, "P") || err != nil || len(raw) != 32 {
			t.Errorf("token %q: want \"P\" and 32 bytes in base64url", tok)
		}
		if tok == derived(pid) {
			t.Errorf("the token of %s is derived from its id and the secret", pid)
		}
		if got := f.whoIs(tok); got != pid {
			t.Errorf("the token of %s connects as %s", pid, got)
		}
	}
	if a.ParticipantToken == b.ParticipantToken {
		t.Error("two chats got the same token")
	}
	if agent.Participant.ID == a.ParticipantID || agent.Participant.ID == bot.ParticipantID {
		t.Error("the agent connected as another participant")
	}
}

// TestParticipantTokenReplay: a retried StartChatContact or CreateParticipant answers the first request's token,
// also after a restart, and that token still connects.
func TestParticipantTokenReplay(t *testing.T) {
	f := newTokenFixture(t)
	first := f.startChat("start-1")
	bot := f.addBot(first.ContactID, "bot-1")
	if again := f.startChat("start-1"); *again != *first {
		t.Fatalf("retried StartChatContact = %+v, want %+v", again, first)
	}
	if again := f.addBot(first.ContactID, "bot-1"); *again != *bot {
		t.Fatalf("retried CreateParticipant = %+v, want %+v", again, bot)
	}
	f.restart()
	if again := f.startChat("start-1"); *again != *first {
		t.Fatalf("StartChatContact retried after a restart = %+v, want %+v", again, first)
	}
	if again := f.addBot(first.ContactID, "bot-1"); !again.Expiry.Equal(bot.Expiry) ||
		again.ParticipantID != bot.ParticipantID || again.ParticipantToken != bot.ParticipantToken {
		t.Fatalf("CreateParticipant retried after a restart = %+v, want %+v", again, bot)
	}
	if got := f.whoIs(first.ParticipantToken); got != first.ParticipantID {
		t.Errorf("the customer's token connects as %s after a restart", got)
	}
	if got := f.whoIs(bot.ParticipantToken); got != bot.ParticipantID {
		t.Errorf("the bot's token connects as %s after a restart", got)
	}
	if other := f.startChat("start-2"); other.ParticipantToken == first.ParticipantToken {
		t.Error("another ClientToken got the same token")
	}
}

// TestNoPlaintextTokenAtRest: the database files hold no ParticipantToken, neither as text nor as its bytes.
func TestNoPlaintextTokenAtRest(t *testing.T) {
	f := newTokenFixture(t)
	customer := f.startChat("start-1")
	bot := f.addBot(customer.ContactID, "bot-1")
	_, agentToken, err := f.svc.JoinAgent(t.Context(), customer.ContactID,
		&parley.User{ID: "u-1", InstanceID: f.inst.ID, Username: "zoe"})
	if err != nil {
		t.Fatal(err)
	}
	f.restart() // the WAL now holds every write; reading both files sees them all
	files, err := filepath.Glob(f.path + "*")
	if err != nil || len(files) == 0 {
		t.Fatalf("database files: %v, %v", files, err)
	}
	for _, tok := range []string{customer.ParticipantToken, bot.ParticipantToken, agentToken} {
		raw, _ := base64.RawURLEncoding.DecodeString(tok[1:])
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(tok[1:])) || bytes.Contains(b, raw) {
				t.Errorf("%s holds the token %s", filepath.Base(name), tok)
			}
		}
	}
}

// TestParticipantTokenReplayBeforeUpgrade: a participant stored before tokens were sealed (the hash of the
// derived token, no sealed copy) is answered its derived token on a retry, and that token connects.
func TestParticipantTokenReplayBeforeUpgrade(t *testing.T) {
	f := newTokenFixture(t)
	first := f.startChat("start-1")
	f.svc.Close()
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	old := sha256.Sum256([]byte(derived(first.ParticipantID)))
	if _, err := db.Exec(`UPDATE participants SET token_hash = ?, token_sealed = NULL WHERE id = ?`, old[:],
		first.ParticipantID); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f.flowFixture = openTimerFixture(t, f.path, f.clk, chat.Config{})

	again := f.startChat("start-1")
	if again.ParticipantID != first.ParticipantID || again.ParticipantToken != derived(first.ParticipantID) {
		t.Fatalf("retry of a chat started before the upgrade = %+v, want the derived token %s", again,
			derived(first.ParticipantID))
	}
	if got := f.whoIs(again.ParticipantToken); got != first.ParticipantID {
		t.Errorf("the derived token connects as %s", got)
	}
}
