package main

import (
	"context"
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

// TestEchoBot: the bot joins a customer's chat, greets, echoes, and returns when the customer leaves.
func TestEchoBot(t *testing.T) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cd, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region,
		InstanceID: srv.InstanceID, ContactFlowID: srv.ContactFlowID, DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := client.NewSession(cd, client.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	events := cust.Events()
	if err := cust.Connect(ctx); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-endpoint", srv.URL, "-region", srv.Region, "-instance-id", srv.InstanceID,
			"-contact-id", cd.ContactID})
	}()

	var got []string
	for e := range events {
		if e.Type != client.EventMessage || e.Item.Type != client.ItemTypeMessage || e.Item.ParticipantRole != client.RoleCustomBot {
			continue
		}
		got = append(got, e.Item.Content)
		switch len(got) {
		case 1: // the greeting: the bot is listening
			if _, err := cust.SendMessage(ctx, client.ContentTypeTextPlain, "ping"); err != nil {
				t.Fatal(err)
			}
		case 2:
			if e.Item.Content != "ping" || e.Item.DisplayName != "Echo" {
				t.Fatalf("bot answered %+v, want the echo of ping", e.Item)
			}
			if err := cust.Disconnect(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != 2 {
		t.Fatalf("bot messages = %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("echobot: %v", err)
	}
}
