package js_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

// agentBot is the demo agent answering through the agent API and the Participant API: it accepts every offer
// and answers each customer message with "Agent: got <message>".
type agentBot struct {
	t     *testing.T
	base  string
	token string
	mu    sync.Mutex
	seen  map[string]bool
	said  []string
}

func (a *agentBot) call(method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, a.base+path, &body)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" && strings.HasPrefix(path, "/agent/") {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// run serves chats until ctx ends.
func (a *agentBot) run(ctx context.Context) {
	conns := map[string]string{} // contact → the agent's ConnectionToken
	p := client.Participant{Endpoint: a.base}
	for ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		var list wire.AgentContactsResponse
		if err := a.call("GET", "/agent/v1/contacts", nil, &list); err != nil {
			continue
		}
		for _, c := range list.Contacts {
			if c.State == wire.AgentContactOffered {
				var acc wire.AgentContact
				if err := a.call("POST", "/agent/v1/contacts/"+c.ContactID+"/accept", nil, &acc); err == nil {
					if conn, err := p.Connect(ctx, acc.ParticipantToken); err == nil {
						conns[c.ContactID] = conn.Token
						p.SendMessage(ctx, conn.Token, "text/markdown", "Thanks for **waiting**.", "")
					}
				}
			}
		}
		for _, tok := range conns {
			var tr wire.GetTranscriptResponse
			req, _ := http.NewRequestWithContext(ctx, "POST", a.base+wire.PathGetTranscript,
				strings.NewReader(`{"MaxResults":100,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING"}`))
			req.Header.Set(wire.HeaderBearer, tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			json.NewDecoder(resp.Body).Decode(&tr)
			resp.Body.Close()
			for _, it := range tr.Transcript {
				if it.ParticipantRole != "CUSTOMER" || it.Type != "MESSAGE" || a.seen[it.ID] {
					continue
				}
				a.seen[it.ID] = true
				reply := "Agent: got " + it.Content
				if _, err := p.SendMessage(ctx, tok, "text/plain", reply, ""); err == nil {
					a.mu.Lock()
					a.said = append(a.said, reply)
					a.mu.Unlock()
				}
			}
		}
	}
}

// TestWidgetInChromium: the widget served by parley, on parley's demo page, in headless Chromium: a customer
// opens it by its button, writes in the "Message" box, the demo agent answers, the page is reloaded and the
// chat resumes with its transcript, a second message gets its answer, and the customer ends the chat. The
// controls are found by role and accessible name; the transcript is an ARIA live log.
func TestWidgetInChromium(t *testing.T) {
	node, dir := browserPrereqs(t)
	srv := testserver.Start(t)
	user, password, ok := srv.DemoAgent()
	if !ok {
		t.Fatal("no demo agent")
	}
	menuFlow(t, srv)
	agent := &agentBot{t: t, base: srv.URL, seen: map[string]bool{}}
	var lr wire.LoginResponse
	if err := agent.call("POST", "/agent/v1/login", wire.LoginRequest{Username: user, Password: password}, &lr); err != nil {
		t.Fatal(err)
	}
	agent.token = lr.Token
	if err := agent.call("PUT", "/agent/v1/status", wire.StatusRequest{Status: "Available"}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); agent.run(actx) }()
	defer func() { stop(); <-done }()

	runBrowser(t, ctx, node, dir, "widget.browser.js", "PAGE_URL="+srv.URL+"/")
	agent.mu.Lock()
	defer agent.mu.Unlock()
	if len(agent.said) != 3 || agent.said[0] != "Agent: got Support" {
		t.Errorf("the agent answered %q, want the menu choice and two messages answered", agent.said)
	}
}

// TestAgentWorkspaceInChromium: the widget and the agent workspace, both served by parley, chat with each other
// in headless Chromium (workspace.browser.js says how).
func TestAgentWorkspaceInChromium(t *testing.T) {
	node, dir := browserPrereqs(t)
	srv := testserver.Start(t)
	user, password, ok := srv.DemoAgent()
	if !ok {
		t.Fatal("no demo agent")
	}
	chatjs := filepath.Join(dir, "node_modules", "amazon-connect-chatjs", "dist", "amazon-connect-chat.js")
	if _, err := os.Stat(chatjs); err != nil {
		t.Skipf("%s missing: run scripts/test.sh or npm ci in test/js", chatjs)
	}
	page := pageServer(t, chatjs)
	quickConnect(t, srv, "Back to the queue")
	supervisorUser(t, srv, "sam", "Passw0rd-sam")
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.DropSockets()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(drop.Close)
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	runBrowser(t, ctx, node, dir, "workspace.browser.js", "BASE_URL="+srv.URL, "AGENT_USER="+user,
		"AGENT_PASSWORD="+password, "CHATJS_PAGE_URL="+page, "DROP_URL="+drop.URL, "SUPERVISOR_USER=sam",
		"SUPERVISOR_PASSWORD=Passw0rd-sam")
}

// pageServer serves, on its own loopback origin, a page that loads the unmodified ChatJS, and returns its URL.
func pageServer(t *testing.T, chatjs string) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><title>ChatJS page</title>` +
			`<script src="/amazon-connect-chat.js"></script></head><body>a site using ChatJS</body></html>`))
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /amazon-connect-chat.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, chatjs) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// quickConnect creates, with the official SDK, a QUEUE quick connect to BasicQueue on the instance's queue
// transfer flow.
func quickConnect(t *testing.T, srv *testserver.Server, name string) {
	ctx := context.Background()
	cc := sdk(srv)
	fs, err := cc.ListContactFlows(ctx, &connect.ListContactFlowsInput{InstanceId: aws.String(srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	queue, flow := basicQueue(t, cc, srv), ""
	for _, f := range fs.ContactFlowSummaryList {
		if aws.ToString(f.Name) == "Default queue transfer" {
			flow = aws.ToString(f.Id)
		}
	}
	if _, err := cc.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: aws.String(srv.InstanceID),
		Name: aws.String(name), QuickConnectConfig: &ctypes.QuickConnectConfig{QuickConnectType: ctypes.QuickConnectTypeQueue,
			QueueConfig: &ctypes.QueueQuickConnectConfig{QueueId: aws.String(queue), ContactFlowId: aws.String(flow)}}}); err != nil {
		t.Fatalf("CreateQuickConnect (queue %q, flow %q): %v", queue, flow, err)
	}
}

// supervisorUser creates, with the official SDK, a user with the CallCenterManager security profile.
func supervisorUser(t *testing.T, srv *testserver.Server, name, password string) {
	ctx := context.Background()
	cc := sdk(srv)
	sps, err := cc.ListSecurityProfiles(ctx, &connect.ListSecurityProfilesInput{InstanceId: aws.String(srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	rps, err := cc.ListRoutingProfiles(ctx, &connect.ListRoutingProfilesInput{InstanceId: aws.String(srv.InstanceID)})
	if err != nil || len(rps.RoutingProfileSummaryList) == 0 {
		t.Fatalf("ListRoutingProfiles: %v", err)
	}
	var sp string
	for _, p := range sps.SecurityProfileSummaryList {
		if aws.ToString(p.Name) == "CallCenterManager" {
			sp = aws.ToString(p.Id)
		}
	}
	if _, err := cc.CreateUser(ctx, &connect.CreateUserInput{InstanceId: aws.String(srv.InstanceID), Username: aws.String(name),
		Password: aws.String(password), RoutingProfileId: rps.RoutingProfileSummaryList[0].Id, SecurityProfileIds: []string{sp},
		PhoneConfig: &ctypes.UserPhoneConfig{PhoneType: ctypes.PhoneTypeSoftPhone}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
}

// menuFlowContent offers a ListPicker; "Support" queues the chat on %QUEUE%, anything else says goodbye.
const menuFlowContent = `{"Version":"2019-10-30","StartAction":"Menu","Actions":[
{"Identifier":"Menu","Type":"GetParticipantInput","Parameters":{"Text":"{\"templateType\":\"ListPicker\",\"version\":\"1.0\",\"data\":{\"content\":{\"title\":\"How can we help?\",\"elements\":[{\"title\":\"Billing\"},{\"title\":\"Support\"}]}}}","StoreInput":"False","InputTimeLimitSeconds":"300"},
 "Transitions":{"NextAction":"Bye","Conditions":[{"NextAction":"Ok","Condition":{"Operator":"Equals","Operands":["Support"]}}],
  "Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingCondition"},{"NextAction":"Bye","ErrorType":"InputTimeLimitExceeded"}]}},
{"Identifier":"Ok","Type":"MessageParticipant","Parameters":{"Text":"Support it is: **one moment** please."},"Transitions":{"NextAction":"SetQueue"}},
{"Identifier":"SetQueue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"Transfer","Errors":[{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"Bye","Errors":[{"NextAction":"Bye","ErrorType":"QueueAtCapacity"},{"NextAction":"Bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"Bye","Type":"MessageParticipant","Parameters":{"Text":"Goodbye."},"Transitions":{"NextAction":"End"}},
{"Identifier":"End","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// menuFlow makes the instance's default inbound flow menuFlowContent, through the official SDK.
func menuFlow(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	cc := sdk(srv)
	queue := basicQueue(t, cc, srv)
	if _, err := cc.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: aws.String(srv.InstanceID),
		ContactFlowId: aws.String(srv.ContactFlowID), Content: aws.String(strings.ReplaceAll(menuFlowContent, "%QUEUE%", queue))}); err != nil {
		t.Fatalf("UpdateContactFlowContent: %v", err)
	}
}

// browserPrereqs returns node and this directory, skipping the test when Node.js, Debian's Chromium or the npm
// packages are missing (scripts/test.sh installs them).
func browserPrereqs(t *testing.T) (node, dir string) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: install Node.js >= 20 (scripts/test.sh expects it preinstalled)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s missing: scripts/test.sh installs Debian's chromium (apt-get install -y chromium)", chromiumPath)
	}
	if dir, err = filepath.Abs("."); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		t.Skip("playwright-core missing: run scripts/test.sh or npm ci in test/js")
	}
	return node, dir
}

// runBrowser runs a browser script with env (plus CHROMIUM and SCREENSHOTS: a temporary directory, or
// docs/images with PARLEY_UPDATE_SCREENSHOTS set), its output in the test log, and fails the test if it fails.
func runBrowser(t *testing.T, ctx context.Context, node, dir, script string, env ...string) {
	t.Helper()
	shots := t.TempDir()
	if os.Getenv("PARLEY_UPDATE_SCREENSHOTS") != "" {
		shots = filepath.Join(dir, "..", "..", "docs", "images")
	}
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CHROMIUM="+chromiumPath, "SCREENSHOTS="+shots, "NO_COLOR=1"), env...)
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	out := &lineLogger{t: t}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	out.flush()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v (killed)", script, nodeTimeout)
	}
	if err != nil {
		t.Fatalf("node %s: %v; see the output above", script, err)
	}
}

// sdk is the official Connect client pointed at srv.
func sdk(srv *testserver.Server) *connect.Client {
	return connect.NewFromConfig(aws.Config{Region: srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

// basicQueue returns the id of the instance's BasicQueue.
func basicQueue(t *testing.T, cc *connect.Client, srv *testserver.Server) string {
	qs, err := cc.ListQueues(context.Background(), &connect.ListQueuesInput{InstanceId: aws.String(srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs.QueueSummaryList {
		if aws.ToString(q.Name) == "BasicQueue" {
			return aws.ToString(q.Id)
		}
	}
	t.Fatal("no BasicQueue")
	return ""
}
