package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// fakeGraph is a local Graph API: it records the Send API calls (POST /v21.0/me/messages) and can be told to
// fail for a while.
type fakeGraph struct {
	*httptest.Server
	t     *testing.T
	mu    sync.Mutex
	sent  []graphSend
	fails int // the next fails calls answer 500
}

type graphSend struct {
	Auth, Proof   string
	Recipient     struct{ ID string } `json:"recipient"`
	MessagingType string              `json:"messaging_type"`
	Message       struct {
		Text         string `json:"text"`
		QuickReplies []struct {
			Title string `json:"title"`
		} `json:"quick_replies"`
	} `json:"message"`
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{t: t}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v21.0/me/messages" {
			t.Errorf("graph: unexpected %s %s", r.Method, r.URL.Path)
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		var s graphSend
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &s); err != nil {
			t.Errorf("graph: body %s: %v", b, err)
		}
		s.Auth, s.Proof = r.Header.Get("Authorization"), r.URL.Query().Get("appsecret_proof")
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.fails > 0 {
			g.fails--
			http.Error(w, `{"error":{"message":"try later","code":2}}`, http.StatusInternalServerError)
			return
		}
		g.sent = append(g.sent, s)
		fmt.Fprint(w, `{"recipient_id":"x","message_id":"m"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

// texts returns the texts sent to psid so far.
func (g *fakeGraph) texts(psid string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, s := range g.sent {
		if s.Recipient.ID == psid {
			out = append(out, s.Message.Text)
		}
	}
	return out
}

// waitText waits until psid was sent a text containing want.
func (g *fakeGraph) waitText(psid, want string) {
	g.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, s := range g.texts(psid) {
			if strings.Contains(s, want) {
				return
			}
		}
	}
	g.t.Fatalf("no message containing %q sent to %s; sent: %q", want, psid, g.texts(psid))
}

const (
	fbSecret = "app-secret"
	fbVerify = "verify-me"
	fbPage   = "page-token"
)

// messengerEnv starts a server with Messenger on, pointed at a fake Graph API.
func messengerEnv(t *testing.T) (*env, *fakeGraph) {
	g := newFakeGraph(t)
	e := newEnv(t, func(c *server.Config) {
		c.Channels.Facebook = channels.MessengerConfig{AppSecret: fbSecret, VerifyToken: fbVerify, PageToken: fbPage,
			APIURL: g.URL + "/v21.0"}
		c.Channels.Flow = "First contact flow" // by name; it greets the customer at once
	})
	return e, g
}

// messengerPost posts a signed webhook body carrying one text message, and returns the status.
func messengerPost(t *testing.T, base, psid, mid, text string) int {
	t.Helper()
	body := fmt.Sprintf(`{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[{"sender":{"id":%q},
		"recipient":{"id":"PAGE"},"timestamp":1,"message":{"mid":%q,"text":%q}}]}]}`, psid, mid, text)
	return postSigned(t, base+"/webhook/facebook", body, channels.SignMeta([]byte(body), fbSecret))
}

func postSigned(t *testing.T, u, body, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// bridgeDB opens the bridge's database read-only, to check the mapping.
func bridgeDB(t *testing.T, e *env) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.srv.Config().DataDir, "channels.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// conversations returns the contact ids of a user's conversations, oldest first, once setup finished.
func conversations(t *testing.T, db *sql.DB, channel, user string) (ids []string, states []string) {
	t.Helper()
	rows, err := db.Query(`SELECT contact_id, state FROM conversations WHERE channel = ? AND user_id = ? ORDER BY generation`,
		channel, user)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, st string
		rows.Scan(&id, &st)
		ids, states = append(ids, id), append(states, st)
	}
	return ids, states
}

// TestMessengerChatWithAgent: a customer on Facebook Messenger chats with an agent end to end: the webhook
// handshake, a signed message starts a chat on the default flow with the starter's attributes, the flow's and
// the agent's messages reach the Send API, a provider retry is stored once, and after the agent ends the chat
// the customer's next message starts a new contact.
func TestMessengerChatWithAgent(t *testing.T) {
	e, g := messengerEnv(t)
	base := e.srv.URL

	// The verification handshake.
	get := func(q url.Values) (int, string) {
		resp, err := http.Get(base + "/webhook/facebook?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {fbVerify}, "hub.challenge": {"1158201444"}}); code != 200 || body != "1158201444" {
		t.Errorf("verification = %d %q", code, body)
	}
	for _, q := range []url.Values{
		{"hub.mode": {"subscribe"}, "hub.verify_token": {"wrong"}, "hub.challenge": {"1"}},
		{"hub.mode": {"unsubscribe"}, "hub.verify_token": {fbVerify}, "hub.challenge": {"1"}},
	} {
		if code, _ := get(q); code != http.StatusForbidden {
			t.Errorf("verification %v = %d, want 403", q, code)
		}
	}
	if code, body := get(nil); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("health = %d %s", code, body)
	}

	user, password, _ := e.srv.DemoAgent()
	agent := login(t, base, user, password)

	if code := messengerPost(t, base, "psid-1", "mid-1", "hello from messenger"); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	offer := agent.until(wire.EventOffer)
	contactID := offer.Contact.ContactID
	// The flow greeted the customer in StartChatContact, before the bridge started streaming: it is streamed
	// all the same (the customer was not connected yet), as Connect's flow starts only once they are.
	g.waitText("psid-1", "Hello, thanks for contacting us.")
	db := bridgeDB(t, e)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ids, st := conversations(t, db, "facebook", "psid-1")
		if len(ids) == 1 && ids[0] == contactID && st[0] == "open" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversations %q %q, offered %s", ids, st, contactID)
		}
	}
	attrs, err := e.cc.GetContactAttributes(ctx(t), &connect.GetContactAttributesInput{
		InstanceId: aws.String(e.srv.InstanceID), InitialContactId: aws.String(contactID)})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["chatframework_Channel"] != "FACEBOOK" || a["chatframework_VendorId"] != "psid-1" {
		t.Errorf("attributes %v", a)
	}

	var accepted wire.AgentContact
	agent.must("POST", "/contacts/"+contactID+"/accept", nil, &accepted)
	out, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(accepted.ParticipantToken), ConnectParticipant: awsv1.Bool(true),
		Type: awsv1.StringSlice([]string{"CONNECTION_CREDENTIALS"})})
	if err != nil {
		t.Fatal(err)
	}
	agentToken := *out.ConnectionCredentials.ConnectionToken
	e.send(agentToken, "Hi, I'm the agent. How can I help?")
	g.waitText("psid-1", "How can I help?")

	// A second message, then Meta's retry of it: one chat message.
	if code := messengerPost(t, base, "psid-1", "mid-2", "my order is late"); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	if code := messengerPost(t, base, "psid-1", "mid-2", "my order is late"); code != 200 {
		t.Fatalf("retried webhook = %d", code)
	}
	customerTexts := func() []string {
		var out []string
		for _, it := range e.transcript(agentToken) {
			if awsv1.StringValue(it.ParticipantRole) == "CUSTOMER" && awsv1.StringValue(it.Type) == "MESSAGE" {
				out = append(out, awsv1.StringValue(it.Content))
			}
		}
		return out
	}
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = customerTexts(); len(got) >= 2 {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // a duplicate would be stored by now
	if got = customerTexts(); len(got) != 2 || got[0] != "hello from messenger" || got[1] != "my order is late" {
		t.Fatalf("customer messages in the chat: %q", got)
	}
	for _, s := range g.sent {
		if s.Auth != "Bearer "+fbPage || s.Proof == "" || s.MessagingType != "RESPONSE" {
			t.Fatalf("send API call %+v", s)
		}
		if strings.Contains(s.Message.Text, "my order is late") || strings.Contains(s.Message.Text, "hello from messenger") {
			t.Fatalf("the customer's own message was echoed back: %+v", s)
		}
	}

	// The Send API fails for a while: the agent's messages are retried and all arrive, in order.
	g.mu.Lock()
	g.fails = 2
	g.mu.Unlock()
	for _, m := range []string{"one", "two", "three"} {
		e.send(agentToken, "step "+m)
	}
	g.waitText("psid-1", "step three")
	var steps []string
	for _, s := range g.texts("psid-1") {
		if strings.HasPrefix(s, "step ") {
			steps = append(steps, s)
		}
	}
	if strings.Join(steps, ",") != "step one,step two,step three" {
		t.Errorf("after the Send API recovered the customer got %q", steps)
	}

	// The agent's last words, then the end of the chat: the words arrive, the conversation ends.
	e.send(agentToken, "Goodbye!")
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(contactID)}); err != nil {
		t.Fatal(err)
	}
	g.waitText("psid-1", "Goodbye!")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, st := conversations(t, db, "facebook", "psid-1"); len(st) == 1 && st[0] == "ended" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the conversation did not end with the chat")
		}
	}
	if code := messengerPost(t, base, "psid-1", "mid-3", "one more thing"); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ids, st := conversations(t, db, "facebook", "psid-1")
		if len(ids) == 2 && st[1] == "open" {
			if ids[1] == contactID {
				t.Fatal("the new message went to the ended contact")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new contact after the chat ended: %q %q", ids, st)
		}
	}
}

// TestMessengerConcurrentFirstMessages: 50 first messages of one customer posted at once start exactly one
// chat, which gets all 50.
func TestMessengerConcurrentFirstMessages(t *testing.T) {
	e, _ := messengerEnv(t)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := messengerPost(t, e.srv.URL, "psid-burst", fmt.Sprintf("mid-%d", i), fmt.Sprintf("message %d", i)); code != 200 {
				t.Errorf("webhook %d = %d", i, code)
			}
		}()
	}
	wg.Wait()
	db := bridgeDB(t, e)
	var pt string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var pending int
		db.QueryRow(`SELECT count(*) FROM inbound WHERE state != 'done'`).Scan(&pending)
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still pending", pending)
		}
	}
	ids, _ := conversations(t, db, "facebook", "psid-burst")
	if len(ids) != 1 {
		t.Fatalf("%d contacts for one customer: %q", len(ids), ids)
	}
	db.QueryRow(`SELECT participant_token FROM conversations WHERE contact_id = ?`, ids[0]).Scan(&pt)
	cust := e.connect(pt)
	seen := map[string]int{}
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.ParticipantRole) == "CUSTOMER" && awsv1.StringValue(it.Type) == "MESSAGE" {
			seen[awsv1.StringValue(it.Content)]++
		}
	}
	for i := range 50 {
		if n := seen[fmt.Sprintf("message %d", i)]; n != 1 {
			t.Errorf("message %d is in the chat %d times", i, n)
		}
	}
}

// TestMessengerRefusesBadRequests: bad or missing signatures answer 403, malformed bodies 400, and nothing of
// them reaches a chat.
func TestMessengerRefusesBadRequests(t *testing.T) {
	e, _ := messengerEnv(t)
	u := e.srv.URL + "/webhook/facebook"
	good := `{"object":"page","entry":[{"id":"P","messaging":[{"sender":{"id":"psid-x"},"message":{"mid":"m","text":"hi"}}]}]}`
	for _, c := range []struct {
		name, body, sig string
		want            int
	}{
		{"no signature", good, "", 403},
		{"wrong secret", good, channels.SignMeta([]byte(good), "other"), 403},
		{"sha1 only", good, "sha1=abcdef", 403},
		{"not hex", good, "sha256=zz", 403},
		{"signed over other bytes", good, channels.SignMeta([]byte(good+" "), fbSecret), 403},
		{"not JSON", "{", channels.SignMeta([]byte("{"), fbSecret), 400},
		{"not a page event", `{"object":"user"}`, channels.SignMeta([]byte(`{"object":"user"}`), fbSecret), 400},
	} {
		if got := postSigned(t, u, c.body, c.sig); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	db := bridgeDB(t, e)
	var n int
	db.QueryRow(`SELECT count(*) FROM inbound`).Scan(&n)
	if n != 0 {
		t.Errorf("%d refused messages were stored", n)
	}
}
