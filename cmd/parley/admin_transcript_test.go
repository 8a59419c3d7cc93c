package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// TestTranscriptPersistentChat: `parley transcript` of a chat that continues a past one (persistent chat) prints
// the past session first, each contact's items under a "--- contact ID" line, the same through a running server
// (the agent API) and from the stopped server's data directory; --format json has every item with its ContactId.
// The past contact's own transcript has no marker: it spans one contact.
func TestTranscriptPersistentChat(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	bootstrap := filepath.Join(t.TempDir(), "bootstrap.yaml")
	if err := os.WriteFile(bootstrap, []byte("users:\n  - {username: boss, password: Admin-pass-1, security_profiles: [Admin]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := server.New(server.Config{DataDir: dir, Listen: "127.0.0.1:0", Bootstrap: bootstrap}, nil)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	inst, flow := m.Instance()
	visit := func(text string, customize func(*wire.StartChatContactRequest)) string {
		t.Helper()
		cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: m.URL(), InstanceID: inst.ID,
			ContactFlowID: flow.ID, DisplayName: "Ann", Customize: customize})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := client.NewSession(cd, client.Options{Endpoint: m.URL()})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if err := sess.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := sess.SendMessage(ctx, client.ContentTypeTextPlain, text); err != nil {
			t.Fatal(err)
		}
		if err := sess.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
		return cd.ContactID
	}
	past := visit("my order is late", nil)
	next := visit("it is still late", func(r *wire.StartChatContactRequest) {
		typ := "ENTIRE_PAST_SESSION"
		r.PersistentChat = &wire.PersistentChat{RehydrationType: &typ, SourceContactID: &past}
	})

	env := map[string]string{"PARLEY_SERVER": m.URL(), "PARLEY_ADMIN_USER": "boss", "PARLEY_ADMIN_PASSWORD": "Admin-pass-1"}
	transcript := func(env map[string]string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"transcript"}, args...), func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("parley transcript %v: %v", args, err)
		}
		return out.String()
	}
	// lines keeps the marker and message lines, without their times.
	lines := func(text string) []string {
		var out []string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "--- ") {
				out = append(out, l)
			} else if _, rest, ok := strings.Cut(l, "  "); ok && strings.Contains(rest, "Ann: ") {
				out = append(out, strings.TrimSpace(rest))
			}
		}
		return out
	}
	want := []string{"--- contact " + past, "CUSTOMER Ann: my order is late", "--- contact " + next, "CUSTOMER Ann: it is still late"}
	live := transcript(env, next)
	if got := lines(live); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parley transcript through the server:\n%s\nwant the lines\n%s", live, strings.Join(want, "\n"))
	}
	if got := lines(transcript(env, past)); strings.Join(got, "\n") != "CUSTOMER Ann: my order is late" {
		t.Errorf("the past contact's transcript: %v", got)
	}
	var doc wire.ContactTranscriptResponse
	if err := json.Unmarshal([]byte(transcript(env, next, "--format", "json")), &doc); err != nil || doc.InitialContactID != next {
		t.Fatalf("--format json: %v, %+v", err, doc)
	}
	contacts := map[string]bool{}
	for _, it := range doc.Transcript {
		contacts[it.ContactID] = true
	}
	if !contacts[past] || !contacts[next] || len(contacts) != 2 {
		t.Errorf("--format json has items of the contacts %v, want %s and %s", contacts, past, next)
	}

	m.Close()
	if offline := transcript(nil, next, "--data", dir); offline != live {
		t.Errorf("from the data directory:\n%s\nthrough the server:\n%s", offline, live)
	}
}
