package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/streaming/sink"
)

// TestBridgeStandalone: `parley bridge` against a parley server, through the public APIs only, as it would run
// against Amazon Connect: a Messenger customer's message starts a chat on the server, and a participant's reply
// comes back through the server's webhook subscription to the bridge's streaming endpoint and out to the Send
// API.
func TestBridgeStandalone(t *testing.T) {
	ctx := testContext(t)
	const topic = "arn:aws:sns:us-west-2:000000000000:bridge"
	const secret = "stream-secret"

	var mu sync.Mutex
	var sent []string
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Recipient struct{ ID string }
			Message   struct{ Text string }
		}
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		sent = append(sent, body.Recipient.ID+": "+body.Message.Text)
		mu.Unlock()
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(graph.Close)

	// The bridge's address is chosen first: the server's subscription names it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := testserver.Start(t, func(c *server.Config) {
		c.Streaming.Subscriptions = map[string][]sink.Subscription{topic: {{URL: "http://" + addr + "/webhook/streaming", Secret: secret}}}
	})
	data := t.TempDir()
	env := map[string]string{
		"PARLEY_FACEBOOK_APP_SECRET": "app", "PARLEY_FACEBOOK_VERIFY_TOKEN": "verify", "PARLEY_FACEBOOK_PAGE_TOKEN": "page",
		"PARLEY_FACEBOOK_API_URL": graph.URL, "PARLEY_CHANNELS_TOPIC_ARN": topic,
	}
	// The AWS chain reads the process environment: static keys, so that it never asks the metadata service.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(data, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(data, "none"))
	bctx, stop := context.WithCancel(ctx)
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(bctx, []string{"bridge", "--listen", addr, "--data", data, "--endpoint", srv.URL,
			"--instance-id", srv.InstanceID, "--flow-id", srv.ContactFlowID, "--streaming-secret", secret},
			func(k string) string { return env[k] }, out, io.Discard)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("parley bridge: %v", err)
		}
	})
	waitOutput(t, out, "parley bridge: channels facebook on http://"+addr)

	body := `{"object":"page","entry":[{"id":"PAGE","messaging":[{"sender":{"id":"psid-7"},"message":{"mid":"m-1","text":"hi from the bridge"}}]}]}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook/facebook", strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", channels.SignMeta([]byte(body), "app"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook = %d", resp.StatusCode)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "channels.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var contactID string
	for deadline := time.Now().Add(testWait); ; time.Sleep(20 * time.Millisecond) {
		db.QueryRow(`SELECT contact_id FROM conversations WHERE state = 'open'`).Scan(&contactID)
		if contactID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no chat started")
		}
	}
	bot, _ := botSession(t, ctx, srv, contactID)
	tr, err := bot.GetTranscript(ctx, client.TranscriptInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range tr.Transcript {
		found = found || (it.Content == "hi from the bridge" && it.ParticipantRole == "CUSTOMER")
	}
	if !found {
		t.Fatalf("the customer's message is not in the chat: %+v", tr.Transcript)
	}
	if _, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "hello from the bot"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(testWait); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		got := fmt.Sprint(sent)
		mu.Unlock()
		if strings.Contains(got, "psid-7: hello from the bot") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Send API got %s", got)
		}
	}
}
