package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// smsOutbox records the texts a fake SMS provider was asked to send, by recipient.
type smsOutbox struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (o *smsOutbox) add(to, body string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[to] = append(o.sent[to], body)
}

func (o *smsOutbox) wait(t *testing.T, to, want string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		o.mu.Lock()
		got := strings.Join(o.sent[to], "\n")
		o.mu.Unlock()
		if strings.Contains(got, want) {
			return
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	t.Fatalf("no SMS containing %q to %s; sent %q", want, to, o.sent[to])
}

// fakePinpoint is Amazon Pinpoint's SendMessages for app-1, which records the texts sent from number in out.
func fakePinpoint(t *testing.T, out *smsOutbox, number string) *httptest.Server {
	pinpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Addresses            map[string]any
			MessageConfiguration struct {
				SMSMessage struct{ Body, OriginationNumber string }
			}
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil || r.URL.Path != "/v1/apps/app-1/messages" {
			t.Errorf("pinpoint: %s %s", r.URL.Path, b)
		}
		var to string
		for a := range req.Addresses {
			to = a
		}
		if req.MessageConfiguration.SMSMessage.OriginationNumber != number {
			t.Errorf("sent from %q", req.MessageConfiguration.SMSMessage.OriginationNumber)
		}
		out.add(to, req.MessageConfiguration.SMSMessage.Body)
		fmt.Fprintf(w, `{"ApplicationId":"app-1","Result":{%q:{"DeliveryStatus":"SUCCESSFUL","StatusCode":200}}}`, to)
	}))
	t.Cleanup(pinpoint.Close)
	return pinpoint
}

// postSMS posts a customer's SMS from one number to another to the server's /webhook/sms, as Pinpoint's
// two-way SMS notifies it through SNS (unsigned: the channel is configured to skip the verification).
func postSMS(t *testing.T, base, from, to, id, text string) {
	t.Helper()
	msg, _ := json.Marshal(map[string]string{"originationNumber": from, "destinationNumber": to,
		"messageBody": text, "inboundMessageId": id})
	env, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "sns-" + id, "TopicArn": "arn:aws:sns:us-west-2:1:sms",
		"Message": string(msg), "Timestamp": "2026-12-04T02:00:00.000Z", "SignatureVersion": "1"})
	resp, err := http.Post(base+"/webhook/sms", "text/plain", strings.NewReader(string(env)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook = %d", resp.StatusCode)
	}
}

// agentReply accepts the offered chat as the demo agent and sends text through the Participant API.
func agentReply(t *testing.T, e *env, agent *agentClient, text string) string {
	t.Helper()
	offer := agent.until(wire.EventOffer)
	var accepted wire.AgentContact
	agent.must("POST", "/contacts/"+offer.Contact.ContactID+"/accept", nil, &accepted)
	conn := e.connect(accepted.ParticipantToken)
	e.send(conn.Token, text)
	return conn.Token
}

// TestSMSChatWithAgent: a customer on SMS through Amazon Pinpoint's two-way SMS (an SNS notification at
// /webhook/sms) chats with an agent: the flow's greeting and the agent's reply go out through Pinpoint's
// SendMessages, and SNS's redelivery of a message is stored once.
func TestSMSChatWithAgent(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	out := &smsOutbox{sent: map[string][]string{}}
	pinpoint := fakePinpoint(t, out, "+12065550100")
	e := newEnv(t, func(c *server.Config) {
		c.Channels.SMS = channels.SMSConfig{PinpointAppID: "app-1", Number: "+12065550100", PinpointEndpoint: pinpoint.URL,
			InsecureSkipVerify: true} // the local "SNS" cannot sign; channels' tests verify signatures
		c.Channels.Flow = "First contact flow"
	})
	user, password, _ := e.srv.DemoAgent()
	agent := login(t, e.srv.URL, user, password)

	notify := func(id, text string) { postSMS(t, e.srv.URL, "+14255550182", "+12065550100", id, text) }
	notify("in-1", "hello by SMS")
	notify("in-1", "hello by SMS") // SNS delivers at least once
	out.wait(t, "+14255550182", "Hello, thanks for contacting us.")
	agentToken := agentReply(t, e, agent, "Hi, this is the agent")
	out.wait(t, "+14255550182", "Hi, this is the agent")
	var n int
	for _, it := range e.transcript(agentToken) {
		if it.Content != nil && *it.Content == "hello by SMS" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the customer's message is in the chat %d times", n)
	}
}

// TestTwilioChatWithAgent: the same over Twilio: a signed incoming-message webhook starts the chat, replies go
// out through the Messages API; a badly signed one is refused.
func TestTwilioChatWithAgent(t *testing.T) {
	out := &smsOutbox{sent: map[string][]string{}}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if u, p, _ := r.BasicAuth(); u != "AC1" || p != "tok" || r.PostForm.Get("From") != "+12065550101" {
			t.Errorf("twilio: auth %s:%s form %v", u, p, r.PostForm)
		}
		out.add(r.PostForm.Get("To"), r.PostForm.Get("Body"))
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sid":"SMx"}`)
	}))
	t.Cleanup(api.Close)
	e := newEnv(t, func(c *server.Config) {
		c.Channels.Twilio = channels.TwilioConfig{AccountSID: "AC1", AuthToken: "tok", From: "+12065550101", APIURL: api.URL}
		c.Channels.Flow = "First contact flow"
	})
	user, password, _ := e.srv.DemoAgent()
	agent := login(t, e.srv.URL, user, password)
	form := url.Values{"From": {"+14255550199"}, "To": {"+12065550101"}, "Body": {"hello by Twilio"}, "MessageSid": {"SM1"}}
	post := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/webhook/twilio", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(channels.TwilioSignature("wrong", e.srv.URL+"/webhook/twilio", form)); code != http.StatusForbidden {
		t.Errorf("badly signed webhook = %d, want 403", code)
	}
	if code := post(channels.TwilioSignature("tok", e.srv.URL+"/webhook/twilio", form)); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	out.wait(t, "+14255550199", "Hello, thanks for contacting us.")
	agentReply(t, e, agent, "Twilio reply from the agent")
	out.wait(t, "+14255550199", "Twilio reply from the agent")
}
