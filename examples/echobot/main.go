// Command echobot joins a running chat as a bot (CreateParticipant with role CUSTOM_BOT) and echoes every
// message the other participants send, until the chat ends. It is an example of package client.
//
//	go run ./examples/echobot -instance-id <InstanceId> -contact-id <ContactId>
//
// The endpoint defaults to a local parley server; pass -endpoint "" to use Amazon Connect in -region (the
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN environment variables sign CreateParticipant).
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"

	"github.com/parley-chat/parley/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("echobot", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:8080", "Amazon Connect endpoint (empty: AWS)")
	region := fs.String("region", "us-west-2", "AWS region")
	instanceID := fs.String("instance-id", "", "Amazon Connect instance id")
	contactID := fs.String("contact-id", "", "the chat to join")
	if err := fs.Parse(args); err != nil {
		return err
	}
	creds := client.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}

	bot, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: *endpoint, Region: *region,
		Credentials: creds, InstanceID: *instanceID, ContactID: *contactID, DisplayName: "Echo"})
	if err != nil {
		return err
	}
	s, err := client.NewSession(bot, client.Options{Endpoint: *endpoint, Region: *region})
	if err != nil {
		return err
	}
	defer s.Close()
	s.OnMessage(func(e client.Event) {
		if e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantID != bot.ParticipantID {
			_ = s.SendReadReceipt(e.Item.ID)
			if _, err := s.SendMessage(ctx, e.Item.ContentType, e.Item.Content); err != nil {
				log.Print(err)
			}
		}
	})
	ended := make(chan struct{})
	s.OnEnded(func(client.Event) { close(ended) })
	if err := s.Connect(ctx); err != nil {
		return err
	}
	if _, err := s.SendMessage(ctx, client.ContentTypeTextPlain, "Hi, I repeat what you say."); err != nil {
		return err
	}
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		return s.Disconnect(context.WithoutCancel(ctx)) // leave the chat politely
	}
}
