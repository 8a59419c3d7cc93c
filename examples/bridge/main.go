// Command bridge relays one participant's side of a chat to standard output and standard input: every message
// from the others is printed as "Name: text", every line read becomes a message, and end of input leaves the
// chat. It is the skeleton of a channel bridge (SMS, Messenger, a ticketing system): replace the two ends.
//
//	go run ./examples/bridge -participant-token <ParticipantToken> -participant-id <ParticipantId>
//
// The token comes from StartChatContact or CreateParticipant. The endpoint defaults to a local parley server;
// pass -endpoint "" to use Amazon Connect in -region.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/parley-chat/parley/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("bridge", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:8080", "Participant Service endpoint (empty: AWS)")
	region := fs.String("region", "us-west-2", "AWS region")
	token := fs.String("participant-token", "", "the participant's ParticipantToken")
	id := fs.String("participant-id", "", "the participant's ParticipantId (to tell its own messages apart)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := client.NewSession(client.ChatDetails{ParticipantToken: *token, ParticipantID: *id},
		client.Options{Endpoint: *endpoint, Region: *region})
	if err != nil {
		return err
	}
	defer s.Close()

	// Chat → out. Our own messages come back too: they are told apart by ParticipantId (which the session
	// learns from the echo of its first message when -participant-id is not given).
	ended := make(chan struct{})
	s.OnMessage(func(e client.Event) {
		if e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantID != s.ChatDetails().ParticipantID {
			fmt.Fprintf(out, "%s: %s\n", e.Item.DisplayName, e.Item.Content)
			_ = s.SendDeliveredReceipt(e.Item.ID)
		}
	})
	s.OnEnded(func(client.Event) { close(ended) })
	if err := s.Connect(ctx); err != nil {
		return err
	}

	// in → chat, until end of input; then leave and wait for the end.
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				if err := s.Disconnect(ctx); err != nil {
					return err
				}
				lines = nil
				continue
			}
			if line == "" {
				continue
			}
			if _, err := s.SendMessage(ctx, client.ContentTypeTextPlain, line); err != nil {
				return err
			}
		case <-ended:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
