package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden records the JSON of every response shape — both APIs, errors, and the WebSocket frames — with ids,
// tokens and times masked, and compares it with testdata/golden. The wire is the contract: a change here is a
// change the official clients see. Run with -update to accept a deliberate change.
func TestGolden(t *testing.T) {
	e := newEnv(t)
	g := &golden{t: t, base: e.srv.URL}

	start := g.call("StartChatContact", "PUT", "/contact/chat", "", fmt.Sprintf(`{"InstanceId":%q,"ContactFlowId":%q,
		"ParticipantDetails":{"DisplayName":"Customer"},"Attributes":{"k":"v"},
		"InitialMessage":{"ContentType":"text/plain","Content":"hello"},"ClientToken":"golden-1"}`,
		e.srv.InstanceID, e.srv.ContactFlowID))
	contactID, ptoken := start["ContactId"].(string), start["ParticipantToken"].(string)
	bot := g.call("CreateParticipant", "POST", "/contact/create-participant", "", fmt.Sprintf(
		`{"InstanceId":%q,"ContactId":%q,"ParticipantDetails":{"ParticipantRole":"CUSTOM_BOT","DisplayName":"Bot"}}`,
		e.srv.InstanceID, contactID))
	conn := g.call("CreateParticipantConnection", "POST", "/participant/connection", ptoken,
		`{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}`)
	ctoken := conn["ConnectionCredentials"].(map[string]any)["ConnectionToken"].(string)
	botConn := g.call("", "POST", "/participant/connection", bot["ParticipantCredentials"].(map[string]any)["ParticipantToken"].(string),
		`{"Type":["CONNECTION_CREDENTIALS"],"ConnectParticipant":true}`)
	btoken := botConn["ConnectionCredentials"].(map[string]any)["ConnectionToken"].(string)

	ws, _, err := websocket.DefaultDialer.Dial(conn["Websocket"].(map[string]any)["Url"].(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	g.frame(ws, "ws-subscribe", `{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	g.frame(ws, "ws-heartbeat", `{"topic":"aws/heartbeat"}`)
	g.frame(ws, "ws-ping", `{"topic":"aws/ping"}`)

	msg := g.call("SendMessage", "POST", "/participant/message", btoken, `{"ContentType":"text/plain","Content":"hi there","ClientToken":"c1"}`)
	g.frame(ws, "ws-message", "")
	g.call("SendEvent", "POST", "/participant/event", ctoken, fmt.Sprintf(
		`{"ContentType":"application/vnd.amazonaws.connect.event.message.read","Content":"{\"messageId\":\"%s\"}","ClientToken":"INCOMING_READ_RECEIPT"}`, msg["Id"]))
	g.frame(ws, "ws-receipt", "")
	g.call("", "POST", "/participant/event", btoken, `{"ContentType":"application/vnd.amazonaws.connect.event.typing"}`)
	g.frame(ws, "ws-typing", "")
	g.call("GetTranscript", "POST", "/participant/transcript", ctoken, `{"MaxResults":2,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING","StartPosition":{}}`)

	inst := e.srv.InstanceID
	g.call("DescribeContact", "GET", "/contacts/"+inst+"/"+contactID, "", "")
	g.call("GetContactAttributes", "GET", "/contact/attributes/"+inst+"/"+contactID, "", "")
	g.call("UpdateContactAttributes", "POST", "/contact/attributes", "", fmt.Sprintf(`{"InstanceId":%q,"InitialContactId":%q,"Attributes":{"k2":"v2"}}`, inst, contactID))
	g.call("ListInstances", "GET", "/instance", "", "")
	g.call("ListContactFlows", "GET", "/contact-flows-summary/"+inst, "", "")
	startStreaming := func(topic, token string) string {
		return fmt.Sprintf(`{"InstanceId":%q,"ContactId":%q,"ChatStreamingConfiguration":{"StreamingEndpointArn":"arn:aws:sns:us-west-2:000000000000:%s"},"ClientToken":%q}`,
			inst, contactID, topic, token)
	}
	stream := g.call("StartContactStreaming", "POST", "/contact/start-streaming", "", startStreaming("golden-1", "s1"))
	g.call("", "POST", "/contact/start-streaming", "", startStreaming("golden-2", "s2"))
	g.call("error-LimitExceeded", "POST", "/contact/start-streaming", "", startStreaming("golden-3", "s3"))
	g.call("StopContactStreaming", "POST", "/contact/stop-streaming", "", fmt.Sprintf(`{"InstanceId":%q,"ContactId":%q,"StreamingId":%q}`,
		inst, contactID, stream["StreamingId"]))

	g.call("error-Validation", "POST", "/participant/message", ctoken, `{"ContentType":"text/plain"}`)
	g.call("error-AccessDenied", "POST", "/participant/message", "not-a-token", `{"ContentType":"text/plain","Content":"x"}`)
	g.call("error-ResourceNotFound", "GET", "/contacts/"+inst+"/no-such-contact", "", "")
	g.call("error-InvalidParameter", "PUT", "/contact/chat", "", fmt.Sprintf(`{"InstanceId":%q,"ContactFlowId":%q,"ParticipantDetails":{"DisplayName":""}}`, inst, e.srv.ContactFlowID))
	g.call("error-UnknownOperation", "POST", "/participant/nothing", ctoken, `{}`)

	g.call("DisconnectParticipant", "POST", "/participant/disconnect", ctoken, `{"ClientToken":"bye"}`)
	g.frame(ws, "ws-left", "")
	g.frame(ws, "ws-ended", "")
	g.call("StopContact", "POST", "/contact/stop", "", fmt.Sprintf(`{"InstanceId":%q,"ContactId":%q}`, inst, contactID))
}

type golden struct {
	t    *testing.T
	base string
}

// call makes a request and, when name is set, compares the masked response with the golden file. It returns
// the unmasked response.
func (g *golden) call(name, method, path, bearer, body string) map[string]any {
	g.t.Helper()
	req, _ := http.NewRequest(method, g.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("X-Amz-Bearer", bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		g.t.Errorf("%s: Content-Type %q", name, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		g.t.Fatalf("%s: %q is not JSON", name, b)
	}
	if name != "" {
		var masked map[string]any // mask works in place: compare a second copy
		_ = json.Unmarshal(b, &masked)
		rec := map[string]any{"status": resp.StatusCode, "body": masked}
		if et := resp.Header.Get("X-Amzn-Errortype"); et != "" {
			rec["x-amzn-ErrorType"] = et
		}
		g.compare(name, rec)
	} else if resp.StatusCode != 200 {
		g.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return m
}

// frame optionally writes a frame, then reads one and compares it with the golden file.
func (g *golden) frame(ws *websocket.Conn, name, send string) {
	g.t.Helper()
	if send != "" {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(send)); err != nil {
			g.t.Fatal(err)
		}
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		g.t.Fatalf("%s: %v", name, err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		g.t.Fatalf("%s: frame %q is not JSON", name, b)
	}
	if s, ok := f["content"].(string); ok { // aws/chat: decode the item for a readable golden file
		var item any
		if err := json.Unmarshal([]byte(s), &item); err != nil {
			g.t.Fatalf("%s: content %q is not a JSON item", name, s)
		}
		f["content"] = map[string]any{"(JSON string)": item}
	}
	g.compare(name, f)
}

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timeRE  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	urlRE   = regexp.MustCompile(`^ws://127\.0\.0\.1:\d+/ws\?token=.+$`)
	anyUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// mask replaces what changes from run to run: ids, tokens, times, ports.
func mask(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			x[k] = mask(k, vv)
		}
		return x
	case []any:
		for i := range x {
			x[i] = mask(key, x[i])
		}
		return x
	case float64:
		if strings.HasSuffix(key, "Timestamp") || key == "CreatedTime" {
			return "<epoch seconds>"
		}
		return x
	case string:
		switch {
		case strings.Contains(key, "Token"):
			return "<token>"
		case uuidRE.MatchString(x):
			return "<uuid>"
		case timeRE.MatchString(x):
			return "<time>"
		case urlRE.MatchString(x):
			return "ws://127.0.0.1:<port>/ws?token=<token>"
		default: // ARNs, messages, JSON content naming ids
			return anyUUID.ReplaceAllString(x, "<uuid>")
		}
	}
	return v
}

func (g *golden) compare(name string, v map[string]any) {
	g.t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(mask("", v)); err != nil {
		g.t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			g.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		g.t.Fatalf("%s: %v (run go test ./test/e2e -run TestGolden -update)", name, err)
	}
	if !bytes.Equal(got, want) {
		g.t.Errorf("%s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}
