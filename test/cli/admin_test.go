package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

// TestAWSCLIAdmin configures a fresh server from scratch with the unmodified AWS CLI (admin.sh setup: hours, a
// queue, a routing profile serving it and BasicQueue, a user), then routes a chat to that user: the test logs in
// as the user over parley's agent API, sets it Available and opens its event stream; the CLI starts a chat with
// the default flow (admin.sh chat); the user is offered that contact and accepts it; the CLI joins the chat
// with the accept's ParticipantToken and checks the contact and the real-time metrics (admin.sh join). It runs
// once per installed CLI, each against its own fresh server.
func TestAWSCLIAdmin(t *testing.T) {
	eachCLI(t, "admin.sh", adminScenario)
}

// adminScenario runs the three steps of admin.sh against a fresh server, playing the agent in between.
func adminScenario(t *testing.T, bash, script, aws string) {
	srv := testserver.Start(t)
	setup := runStep(t, bash, script, aws, srv, "setup")
	userID, username, password := setup["USER_ID"], setup["USERNAME"], setup["PASSWORD"]
	if userID == "" || username == "" || password == "" || setup["BASIC_QUEUE_ID"] == "" {
		t.Fatalf("admin.sh setup results = %v", setup)
	}

	// The user logs in over the agent API, is Available, and listens for offers.
	var login wire.LoginResponse
	agentCall(t, srv.URL, "", "POST", "/login", wire.LoginRequest{Username: username, Password: password}, &login)
	if login.User.ID != userID || login.Token == "" {
		t.Fatalf("login as %s = %+v, want user %s", username, login.User, userID)
	}
	agentCall(t, srv.URL, login.Token, "PUT", "/status", wire.StatusRequest{Status: "Available"}, nil)
	events := agentEvents(t, srv.URL, login.Token)
	if ev := nextEvent(t, events); ev.Type != wire.EventState || ev.State == nil || ev.State.System != wire.SystemAvailable {
		t.Fatalf("first agent event = %+v, want the state Available", ev)
	}

	contactID := runStep(t, bash, script, aws, srv, "chat")["CONTACT_ID"]
	if contactID == "" {
		t.Fatal("admin.sh chat gave no CONTACT_ID")
	}
	for {
		ev := nextEvent(t, events)
		if ev.Type != wire.EventOffer {
			continue
		}
		if ev.Contact == nil || ev.Contact.ContactID != contactID {
			t.Fatalf("offer %+v, want contact %s", ev.Contact, contactID)
		}
		break
	}
	var accepted wire.AgentContact
	agentCall(t, srv.URL, login.Token, "POST", "/contacts/"+contactID+"/accept", nil, &accepted)
	if accepted.ContactID != contactID || accepted.State != wire.AgentContactConnected || accepted.ParticipantToken == "" {
		t.Fatalf("accept = %+v", accepted)
	}

	runStep(t, bash, script, aws, srv, "join", "USER_ID="+userID, "BASIC_QUEUE_ID="+setup["BASIC_QUEUE_ID"],
		"CONTACT_ID="+contactID, "AGENT_TOKEN="+accepted.ParticipantToken)
}

// runStep runs one step of a script against srv, with its output in the test log, and returns the values it
// printed as "result: NAME=value" lines.
func runStep(t *testing.T, bash, script, aws string, srv *testserver.Server, step string, env ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, script, step)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(),
		"AWS="+aws,
		"ENDPOINT="+srv.URL,
		"REGION="+srv.Region,
		"INSTANCE_ID="+srv.InstanceID,
		"FLOW_ID="+srv.ContactFlowID,
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout bytes.Buffer
	out := &lineLogger{t: t}
	cmd.Stdout = io.MultiWriter(out, &stdout)
	cmd.Stderr = out
	err := cmd.Run()
	out.flush()
	name := filepath.Base(script) + " " + step
	if ctx.Err() != nil {
		t.Fatalf("%s with %s did not finish within %v (killed)", name, aws, scriptTimeout)
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%s with %s failed (exit code %d); see the output above", name, aws, exit.ExitCode())
		}
		t.Fatalf("%s with %s: %v", name, aws, err)
	}
	results := map[string]string{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if kv, ok := strings.CutPrefix(sc.Text(), "result: "); ok {
			if k, v, ok := strings.Cut(kv, "="); ok {
				results[k] = v
			}
		}
	}
	return results
}

// agentCall sends a request to the agent API and decodes its 200 answer into out; any other status fails.
func agentCall(t *testing.T, base, token, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+"/agent/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s /agent/v1%s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s /agent/v1%s: %s: %v", method, path, b, err)
		}
	}
}

// agentEvents opens the agent's event stream; its events arrive on the channel until the test ends.
func agentEvents(t *testing.T, base, token string) <-chan wire.AgentEvent {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http", "ws", 1)+"/agent/v1/events?token="+token, nil)
	if err != nil {
		t.Fatalf("agent event stream: %v", err)
	}
	events := make(chan wire.AgentEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(events)
		for {
			var ev wire.AgentEvent
			if err := ws.ReadJSON(&ev); err != nil {
				return
			}
			select {
			case events <- ev:
			default:
				// The test reads few events; a full buffer means it stopped reading.
				return
			}
		}
	}()
	t.Cleanup(func() { ws.Close(); <-done })
	return events
}

// nextEvent returns the next agent event, failing after 20 s.
func nextEvent(t *testing.T, events <-chan wire.AgentEvent) wire.AgentEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("the agent event stream closed")
		}
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no agent event within 20s")
	}
	return wire.AgentEvent{}
}
