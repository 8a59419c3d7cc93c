package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/transcripts"
	"github.com/parley-chat/parley/wire"
)

// TestTranscriptExportAndRetention: an ended chat's transcript is written in Amazon Connect's layout, once, under
// Connect's key; once the chat is older than the retention period, persistent chat refuses it, and the sweep
// deletes it so that neither DescribeContact nor SearchContacts find it.
func TestTranscriptExportAndRetention(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	dir := t.TempDir()
	const retention = 90 * 24 * time.Hour
	e := newEnv(t, func(c *server.Config) {
		c.Clock = clk
		c.Chat.TimerInterval = time.Hour
		c.Transcripts.Dir, c.Transcripts.Interval = dir, time.Hour
		c.Retention.Contacts, c.Retention.Interval = retention, time.Hour
	})
	exporter, sweeper := e.srv.Transcripts()
	started := clk.Now()

	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	botToken, botID := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	hello := awsv1.StringValue(e.send(cust.Token, "hello").Id)
	answer := awsv1.StringValue(e.send(bot.Token, "how can I help?").Id)
	file := e.sendFile(cust.Token, "receipt.txt", "text/plain", []byte("paid"))
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)}); err != nil {
		t.Fatal(err)
	}

	n, err := exporter.ExportPending(ctx(t))
	if err != nil || n != 1 {
		t.Fatalf("ExportPending: %d, %v; want 1 transcript", n, err)
	}
	if n, err := exporter.ExportPending(ctx(t)); err != nil || n != 0 {
		t.Fatalf("ExportPending again: %d, %v; want none", n, err)
	}
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := e.srv.Instance()
	key := transcripts.Key(transcripts.DefaultPrefix(in.Alias), ch.ContactID, aws.ToTime(d.Contact.InitiationTimestamp))
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatalf("the exported transcript: %v", err)
	}
	var doc transcripts.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2019-08-26" || doc.AWSAccountID != "000000000000" || doc.InstanceID != e.srv.InstanceID ||
		doc.ContactID != ch.ContactID || doc.InitialContactID != ch.ContactID {
		t.Errorf("document header: %+v", doc)
	}
	var parts []string
	for _, p := range doc.Participants {
		parts = append(parts, p.ParticipantID)
	}
	if strings.Join(parts, ",") != ch.ParticipantID+","+botID {
		t.Errorf("Participants %v, want the customer %s and the bot %s", parts, ch.ParticipantID, botID)
	}
	got := map[string]wire.Item{}
	var ended bool
	for _, it := range doc.Transcript {
		got[it.ID] = it
		ended = ended || it.ContentType == "application/vnd.amazonaws.connect.event.chat.ended"
	}
	if it := got[hello]; it.Content != "hello" || it.ParticipantRole != "CUSTOMER" || it.ParticipantID != ch.ParticipantID {
		t.Errorf("the customer's message: %+v", it)
	}
	if it := got[answer]; it.Content != "how can I help?" || it.ParticipantRole != "CUSTOM_BOT" || it.DisplayName != "Bot" {
		t.Errorf("the bot's message: %+v", it)
	}
	var att *wire.Item
	for _, it := range doc.Transcript {
		if it.Type == "ATTACHMENT" {
			att = &it
		}
	}
	if att == nil || len(att.Attachments) != 1 || att.Attachments[0].AttachmentID != file.ID ||
		att.Attachments[0].AttachmentName != "receipt.txt" {
		t.Errorf("the attachment item: %+v", att)
	}
	if !ended {
		t.Errorf("no chat.ended event in the exported transcript")
	}

	persistent := func() error {
		_, err := e.cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactFlowId:      aws.String(e.srv.ContactFlowID),
			ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("Customer")},
			PersistentChat: &ctypes.PersistentChat{RehydrationType: ctypes.RehydrationTypeEntirePastSession,
				SourceContactId: aws.String(ch.ContactID)}})
		return err
	}
	// A chat that continues this one (persistent chat) outlives it.
	next := e.startChat(func(in *connect.StartChatContactInput) {
		in.PersistentChat = &ctypes.PersistentChat{RehydrationType: ctypes.RehydrationTypeEntirePastSession,
			SourceContactId: aws.String(ch.ContactID)}
	})
	if got := e.messages(e.connect(next.ParticipantToken).Token, "FORWARD", "ASCENDING"); len(got) != 2 {
		t.Fatalf("the continuing chat's transcript: %v; want the past session's two messages", got)
	}
	if n, err := sweeper.Sweep(ctx(t)); err != nil || n != 0 {
		t.Fatalf("Sweep within retention: %d, %v; want nothing deleted", n, err)
	}
	clk.add(retention + time.Minute)
	err = persistent()
	wantCode(t, err, "InvalidRequestException", 400)
	if err != nil && !strings.Contains(err.Error(), "retention period") {
		t.Errorf("persistent chat from a chat past retention: %v; want the retention period named", err)
	}
	if n, err := sweeper.Sweep(ctx(t)); err != nil || n != 1 {
		t.Fatalf("Sweep past retention: %d, %v; want 1 chat deleted", n, err)
	}
	_, err = e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	wantCode(t, err, "ResourceNotFoundException", 404)
	wantCode(t, persistent(), "ResourceNotFoundException", 404)
	out, err := e.cc.SearchContacts(ctx(t), &connect.SearchContactsInput{InstanceId: aws.String(e.srv.InstanceID),
		TimeRange: &ctypes.SearchContactsTimeRange{Type: ctypes.SearchContactsTimeRangeTypeInitiationTimestamp,
			StartTime: aws.Time(started.Add(-time.Hour)), EndTime: aws.Time(started.Add(time.Hour))}})
	if err != nil || len(out.Contacts) != 1 || aws.ToString(out.Contacts[0].Id) != next.ContactID {
		t.Errorf("SearchContacts after the sweep: %+v, %v; want only the continuing chat", out, err)
	}
	if got := e.messages(e.connect(next.ParticipantToken).Token, "FORWARD", "ASCENDING"); len(got) != 0 {
		t.Errorf("the continuing chat's transcript after the sweep: %v; want the deleted history gone", got)
	}
}
