package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// A customer and an echo bot chat against a parley server started in-process.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "parley-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv := server.New(server.Config{DataDir: dir, Listen: "127.0.0.1:0"}, nil)
	if err := srv.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	instance, flow := srv.Instance()
	endpoint := srv.URL()

	// The customer starts a chat; a bot joins it.
	customer, err := client.StartChat(ctx, client.StartChatInput{Endpoint: endpoint, InstanceID: instance.ID,
		ContactFlowID: flow.ID, DisplayName: "Ann"})
	if err != nil {
		log.Fatal(err)
	}
	botDetails, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: endpoint,
		InstanceID: instance.ID, ContactID: customer.ContactID, DisplayName: "Echo"})
	if err != nil {
		log.Fatal(err)
	}

	// The bot echoes what the customer says.
	bot, err := client.NewSession(botDetails, client.Options{Endpoint: endpoint})
	if err != nil {
		log.Fatal(err)
	}
	defer bot.Close()
	bot.OnMessage(func(e client.Event) {
		if e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantRole == client.RoleCustomer {
			if _, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "echo: "+e.Item.Content); err != nil {
				log.Print(err)
			}
		}
	})
	if err := bot.Connect(ctx); err != nil {
		log.Fatal(err)
	}

	// The customer says hello, reads the answer, and leaves.
	s, err := client.NewSession(customer, client.Options{Endpoint: endpoint})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	events := s.Events()
	if err := s.Connect(ctx); err != nil {
		log.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, client.ContentTypeTextPlain, "hello"); err != nil {
		log.Fatal(err)
	}
	for e := range events {
		switch e.Type {
		case client.EventMessage:
			if e.Item.Type == client.ItemTypeMessage {
				fmt.Printf("%s: %s\n", e.Item.DisplayName, e.Item.Content)
			}
			if e.Item.ParticipantRole == client.RoleCustomBot && e.Item.Type == client.ItemTypeMessage {
				if err := s.Disconnect(ctx); err != nil {
					log.Fatal(err)
				}
			}
		case client.EventEnded:
			fmt.Println("the chat has ended")
		}
	}
	// Output:
	// Ann: hello
	// Echo: echo: hello
	// the chat has ended
}

// Join a chat on Amazon Connect with the chat details your backend got from StartChatContact, as ChatJS's
// ChatSession.create does.
func ExampleNewSession() {
	ctx := context.Background()
	details := client.ChatDetails{ContactID: "…", ParticipantID: "…", ParticipantToken: "…"}
	s, err := client.NewSession(details, client.Options{
		Region: "eu-west-2", // https://participant.connect.eu-west-2.amazonaws.com
		Logger: slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	s.OnMessage(func(e client.Event) {
		fmt.Printf("%s: %s\n", e.Item.DisplayName, e.Item.Content)
		if e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantID != details.ParticipantID {
			_ = s.SendReadReceipt(e.Item.ID) // throttled like ChatJS's
		}
	})
	s.OnTyping(func(e client.Event) { fmt.Println(e.Item.DisplayName, "is typing") })
	s.OnConnectionLost(func(e client.Event) { fmt.Println("reconnecting:", e.Err) })
	ended := make(chan struct{})
	s.OnEnded(func(client.Event) { close(ended) })
	if err := s.Connect(ctx); err != nil {
		log.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, client.ContentTypeTextPlain, "Hi!"); err != nil {
		log.Fatal(err)
	}
	<-ended
}

// Read a whole transcript, oldest first, page by page.
func ExampleSession_Transcript() {
	ctx := context.Background()
	var s *client.Session // a connected session
	for it, err := range s.Transcript(ctx, client.TranscriptInput{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(it.AbsoluteTime, it.DisplayName, it.Content)
	}
	// The 10 latest messages, as ChatJS's getTranscript would ask.
	page, err := s.GetTranscript(ctx, client.TranscriptInput{MaxResults: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Transcript), page.NextToken)
	// Everything after a known item.
	id := "item-id"
	for it, err := range s.Transcript(ctx, client.TranscriptInput{StartPosition: &wire.StartPosition{ID: &id}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(it.Content)
	}
}

// Consume every event from one channel instead of callbacks.
func ExampleSession_Events() {
	ctx := context.Background()
	var s *client.Session // a session, not connected yet
	events := s.Events()  // before Connect, to see every event
	if err := s.Connect(ctx); err != nil {
		log.Fatal(err)
	}
	for e := range events { // closed after ended, connectionBroken or Close
		switch e.Type {
		case client.EventMessage:
			fmt.Println(e.Item.DisplayName+":", e.Item.Content)
		case client.EventConnectionLost:
			fmt.Println("connection lost, reconnecting:", e.Err)
		case client.EventEnded:
			fmt.Println("ended")
		}
	}
}

// Service errors are *APIError values carrying the AWS error type.
func ExampleIsAccessDenied() {
	err := fmt.Errorf("reconnect: %w", &client.APIError{Operation: "CreateParticipantConnection",
		Code: client.CodeAccessDenied, StatusCode: 403, Message: "the chat has ended"})
	fmt.Println(client.IsAccessDenied(err), errors.Is(err, client.ErrAccessDenied), client.IsThrottling(err))
	var ae *client.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.Code, ae.StatusCode)
	}
	fmt.Println(err)
	// Output:
	// true true false
	// AccessDeniedException 403
	// reconnect: CreateParticipantConnection: AccessDeniedException (403): the chat has ended
}

func ExampleEventType_String() {
	fmt.Println(client.EventMessage, client.EventReadReceipt, client.EventConnectionEstablished, client.EventEnded)
	// Output: message readReceipt connectionEstablished ended
}
