package main

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBridge: the customer's side of a chat relayed through stdin/stdout while a bot talks to it.
func TestBridge(t *testing.T) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region,
		InstanceID: srv.InstanceID, ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	bd, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: srv.URL,
		InstanceID: srv.InstanceID, ContactID: cd.ContactID, DisplayName: "Bot"})
	if err != nil {
		t.Fatal(err)
	}
	bot, err := client.NewSession(bd, client.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	botEvents := bot.Events()
	if err := bot.Connect(ctx); err != nil {
		t.Fatal(err)
	}

	inR, inW := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-endpoint", srv.URL, "-participant-token", cd.ParticipantToken,
			"-participant-id", cd.ParticipantID}, inR, &out)
	}()
	// stdin → chat: the bot hears the customer.
	if _, err := io.WriteString(inW, "hello from stdin\n"); err != nil {
		t.Fatal(err)
	}
	for e := range botEvents {
		if e.Type == client.EventMessage && e.Item.Content == "hello from stdin" {
			if e.Item.ParticipantID != cd.ParticipantID {
				t.Fatalf("message from %q, want the customer", e.Item.ParticipantID)
			}
			break
		}
	}
	// chat → stdout.
	if _, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "hello stdout"); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "Bot: hello stdout\n") {
		select {
		case <-ctx.Done():
			t.Fatalf("stdout = %q", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	// End of input leaves the chat.
	inW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "Bot: hello stdout\n" {
		t.Fatalf("stdout = %q, want only the bot's message", got)
	}
}
