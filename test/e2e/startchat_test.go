package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	awsv1 "github.com/aws/aws-sdk-go/aws"

	"github.com/parley-chat/parley/api/startchat"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// postStartChat posts body to /start-chat with origin (none when empty) and decodes the answer.
func postStartChat(t *testing.T, base, origin, body string) (int, http.Header, startchat.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+startchat.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out startchat.Response
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("start-chat answered %d %s: not JSON", resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, out
}

// flowID returns the id of a flow of the default instance by name.
func flowID(t *testing.T, e *env, name string) string {
	flows, err := e.srv.Service().ListContactFlows(ctx(t), e.srv.InstanceID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flows {
		if f.Name == name {
			return f.ID
		}
	}
	t.Fatalf("no flow %q", name)
	return ""
}

// TestStartChatEndpoint: POST /start-chat as Amazon's sample widgets call it: the answer's contract, a chat the
// customer then joins with the official SDK, the allow-lists of flows, origins and attributes, and bad bodies.
func TestStartChatEndpoint(t *testing.T) {
	e := newEnv(t)
	base := e.srv.URL
	code, hdr, out := postStartChat(t, base, "http://localhost:3000", `{"InstanceId":"`+e.srv.InstanceID+`",
		"ParticipantDetails":{"DisplayName":"Jane"},"SupportedMessagingContentTypes":["text/plain","text/markdown"],
		"Attributes":{"plan":"gold"},"InitialMessage":{"ContentType":"text/plain","Content":"Hi from the widget"}}`)
	r := out.Data.StartChatResult
	if code != 200 || r == nil || r.ContactID == "" || r.ParticipantID == "" || r.ParticipantToken == "" {
		t.Fatalf("start-chat = %d %+v", code, out)
	}
	if p := out.Data.FeaturePermissions; !p["MESSAGING_MARKDOWN"] || !p["ATTACHMENTS"] {
		t.Errorf("featurePermissions %v", p)
	}
	if hdr.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("CORS origin %q", hdr.Get("Access-Control-Allow-Origin"))
	}
	cust := e.connect(r.ParticipantToken)
	found := false
	for _, it := range e.transcript(cust.Token) {
		found = found || (awsv1.StringValue(it.Content) == "Hi from the widget" && awsv1.StringValue(it.DisplayName) == "Jane")
	}
	if !found {
		t.Error("the InitialMessage is not in the chat")
	}
	attrs, err := e.cc.GetContactAttributes(ctx(t), &connect.GetContactAttributesInput{InstanceId: aws.String(e.srv.InstanceID),
		InitialContactId: aws.String(r.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["customerName"] != "Jane" || a["plan"] != "" {
		t.Errorf("attributes %v: customerName set, plan not allow-listed", a)
	}

	// ConnectInstanceId, no ParticipantDetails: a fallback name, never a crash.
	code, _, out = postStartChat(t, base, "", `{"ConnectInstanceId":"`+e.srv.InstanceID+`","customerName":"Kim"}`)
	if code != 200 || out.Data.StartChatResult == nil || out.Data.FeaturePermissions["MESSAGING_MARKDOWN"] {
		t.Fatalf("start-chat without ParticipantDetails = %d %+v", code, out)
	}
	if code, _, out = postStartChat(t, base, "", `{}`); code != 200 {
		t.Fatalf("an empty request = %d %+v", code, out)
	}

	// The preflight, and an origin that is not allowed.
	req, _ := http.NewRequest(http.MethodOptions, base+startchat.Path, nil)
	req.Header.Set("Origin", "http://127.0.0.1:8000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight = %d %v", resp.StatusCode, resp.Header)
	}
	for _, c := range []struct {
		name, origin, body string
		status             int
		code               string
	}{
		{"a foreign origin", "https://evil.example", `{}`, 403, "Forbidden"},
		{"a flow not allowed", "", `{"ContactFlowId":"` + flowID(t, e, "First contact flow") + `"}`, 403, "Forbidden"},
		{"an unknown instance", "", `{"InstanceId":"nope"}`, 404, "ResourceNotFound"},
		{"not JSON", "", `{`, 400, "BadRequest"},
		{"a wrong type", "", `{"ChatDurationInMinutes":"long"}`, 400, "BadRequest"},
		{"a bad duration", "", `{"ChatDurationInMinutes":5}`, 400, "BadRequest"},
		{"too big", "", `{"x":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "BadRequest"},
	} {
		code, _, out := postStartChat(t, base, c.origin, c.body)
		if code != c.status || out.Data.Error == nil || out.Data.Error.Code != c.code || out.Data.StartChatResult != nil {
			t.Errorf("%s: %d %+v, want %d %s", c.name, code, out.Data.Error, c.status, c.code)
		}
		if out.Data.Error != nil && strings.Contains(strings.ToLower(out.Data.Error.Message), "sqlite") {
			t.Errorf("%s: the error leaks internals: %s", c.name, out.Data.Error.Message)
		}
	}
}

// TestStartChatConfigured: configured origins and attributes, and the per-address rate limit.
func TestStartChatConfigured(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.StartChat = startchat.Config{Origins: []string{"https://shop.example"}, Attributes: []string{"plan"},
			Rate: throttle.Rate{Rate: 0.01, Burst: 3}}
	})
	// Without an Allow list only the default instance's default flow is open; with origins set, loopback is not.
	if code, _, _ := postStartChat(t, e.srv.URL, "http://localhost:3000", `{}`); code != 403 {
		t.Errorf("a loopback origin not in the list = %d, want 403", code)
	}
	code, _, out := postStartChat(t, e.srv.URL, "https://shop.example", `{"Attributes":{"plan":"gold","secret":"x"}}`)
	if code != 200 {
		t.Fatalf("start-chat = %d %+v", code, out)
	}
	attrs, err := e.cc.GetContactAttributes(ctx(t), &connect.GetContactAttributesInput{InstanceId: aws.String(e.srv.InstanceID),
		InitialContactId: aws.String(out.Data.StartChatResult.ContactID)})
	if err != nil || attrs.Attributes["plan"] != "gold" || attrs.Attributes["secret"] != "" {
		t.Errorf("attributes %v, %v", attrs, err)
	}
	limited := 0
	for range 4 {
		if code, _, out := postStartChat(t, e.srv.URL, "", `{}`); code == http.StatusTooManyRequests && out.Data.Error.Code == "TooManyRequests" {
			limited++
		}
	}
	if limited != 2 { // burst 3: the chat above took one token (the refused origin none), two more pass
		t.Errorf("%d of 4 requests limited, want 2", limited)
	}
}
