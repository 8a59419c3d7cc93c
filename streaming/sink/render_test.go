package sink_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/streaming/sink"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	account  = "123456789012"
	instance = "dddddddd-b64e-40c5-921b-109fd92499ae"
	chain    = "33333333-abc5-46db-9ad5-d772559ab556"
	customer = "bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7"
	agent    = "aaaaaaaa-1111-4d95-b76c-dcbca8b4b5f7"
)

var (
	contact = &parley.Contact{ID: chain, InitialContactID: chain, InstanceID: instance, Channel: "CHAT"}
	at      = time.Date(2021, 9, 8, 13, 28, 24, 656_000_000, time.UTC)
)

// item returns an item of the contact with the fields every item has.
func item(id string, typ parley.ItemType, contentType string) *parley.Item {
	return &parley.Item{ChainID: chain, ContactID: chain, Seq: 7, ID: id, Type: typ, ContentType: contentType, Time: at}
}

func from(it *parley.Item, participant, name string, role parley.Role) *parley.Item {
	it.ParticipantID, it.DisplayName, it.Role = participant, name, role
	return it
}

// renderCases are the items of the golden files, one file each under testdata.
func renderCases() map[string]*parley.Item {
	text := func(id, participant, name string, role parley.Role, content string) *parley.Item {
		it := from(item(id, parley.ItemMessage, parley.ContentTextPlain), participant, name, role)
		it.Content = content
		return it
	}
	markdown := text("10000000-0000-4000-8000-000000000009", agent, "Sam", parley.RoleAgent, "**Order** <#42> & co")
	markdown.ContentType = parley.ContentTextMarkdown
	interactive := from(item("10000000-0000-4000-8000-000000000006", parley.ItemMessage, parley.ContentInteractive),
		"cccccccc-0000-4000-8000-000000000003", "BOT", parley.RoleSystem)
	interactive.Content = `{"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"How was your chat?","elements":[{"title":"Good"},{"title":"Bad"}]}}}`
	response := text("10000000-0000-4000-8000-000000000007", customer, "Jane", parley.RoleCustomer,
		`{"templateIdentifier":"","templateType":"QuickReply","data":{"content":{"title":"Good"}}}`)
	response.ContentType = parley.ContentInteractiveResponse
	attachment := from(item("10000000-0000-4000-8000-000000000008", parley.ItemAttachment, ""), customer, "Jane", parley.RoleCustomer)
	attachment.Attachments = []parley.Attachment{{ID: "a1b2c3d4-0000-4000-8000-000000000001", Name: "invoice.pdf",
		ContentType: "application/pdf", Status: "APPROVED"}}
	joined := from(item("20000000-0000-4000-8000-000000000001", parley.ItemEvent, parley.EventParticipantJoined), agent, "Sam", parley.RoleAgent)
	left := from(item("20000000-0000-4000-8000-000000000002", parley.ItemEvent, parley.EventParticipantLeft), customer, "Jane", parley.RoleCustomer)
	ended := item("20000000-0000-4000-8000-000000000003", parley.ItemEvent, parley.EventChatEnded)
	ended.Role = parley.RoleSystem
	silent := from(item("20000000-0000-4000-8000-000000000004", parley.ItemEvent, parley.EventParticipantJoined),
		"eeeeeeee-0000-4000-8000-000000000005", "Supervisor", parley.RoleSupervisor)
	silent.Recipient = silent.ParticipantID
	typing := from(item("20000000-0000-4000-8000-000000000005", parley.ItemEvent, parley.EventTyping), customer, "Jane", parley.RoleCustomer)
	typing.Transient = true
	receipt := from(item("20000000-0000-4000-8000-000000000006", parley.ItemMessageMetadata, parley.EventMessageMetadata), customer, "Jane", parley.RoleCustomer)
	receipt.Receipt = &parley.Receipt{MessageID: "10000000-0000-4000-8000-000000000002", Recipient: customer, ReadAt: at}
	transferred := text("10000000-0000-4000-8000-000000000010", agent, "Alex", parley.RoleAgent, "I'm taking over from Sam.")
	transferred.ContactID = "44444444-0000-4000-8000-000000000001"
	return map[string]*parley.Item{
		"message-customer":          text("10000000-0000-4000-8000-000000000001", customer, "Jane", parley.RoleCustomer, "help"),
		"message-agent":             text("10000000-0000-4000-8000-000000000002", agent, "Sam", parley.RoleAgent, "Hi, I'm Sam. How can I help?"),
		"message-system":            text("10000000-0000-4000-8000-000000000003", "cccccccc-0000-4000-8000-000000000003", "SYSTEM_MESSAGE", parley.RoleSystem, "Thanks for waiting."),
		"message-custom-bot":        text("10000000-0000-4000-8000-000000000004", "cccccccc-0000-4000-8000-000000000004", "Bot", parley.RoleCustomBot, "Your order shipped."),
		"message-supervisor":        text("10000000-0000-4000-8000-000000000005", "eeeeeeee-0000-4000-8000-000000000005", "Supervisor", parley.RoleSupervisor, "Joining to help."),
		"message-markdown":          markdown,
		"message-interactive":       interactive,
		"message-interactive-reply": response,
		"attachment":                attachment,
		"event-participant-joined":  joined,
		"event-participant-left":    left,
		"event-chat-ended":          ended,
		"event-silent-joined":       silent,
		"event-typing":              typing,
		"event-receipt":             receipt,
		"message-after-transfer":    transferred,
	}
}

// notification is a golden file: the Message decoded, and the message attributes.
type notification struct {
	Message           map[string]any    `json:"Message"`
	MessageAttributes map[string]string `json:"MessageAttributes"`
}

// TestRenderGolden compares each rendered notification with its golden file field by field. Run with -update to
// accept a deliberate change.
func TestRenderGolden(t *testing.T) {
	for name, it := range renderCases() {
		t.Run(name, func(t *testing.T) {
			c := *contact
			c.ID = it.ContactID
			msg, attrs, err := sink.Render(&c, it, account)
			if err != nil {
				t.Fatal(err)
			}
			got := notification{MessageAttributes: attrs}
			if err := json.Unmarshal([]byte(msg), &got.Message); err != nil {
				t.Fatalf("Message %q is not a JSON object: %v", msg, err)
			}
			path := filepath.Join("testdata", name+".json")
			if *update {
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want notification
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("notification differs from %s (-want +got):\n%s", path, d)
			}
		})
	}
}

// TestRenderDocumentedExample renders the notification of Amazon Connect's documentation (the SNS payload page):
// the same Message fields and the same eight attributes, value for value.
func TestRenderDocumentedExample(t *testing.T) {
	c := &parley.Contact{ID: chain, InitialContactID: chain, InstanceID: instance}
	it := &parley.Item{ChainID: chain, ContactID: chain, ID: "333333333-be0d-4a44-889d-d2a86fc06f0c",
		Type: parley.ItemMessage, ContentType: "text/plain", Content: "help", ParticipantID: customer,
		DisplayName: "Jane", Role: parley.RoleCustomer, Time: at}
	msg, attrs, err := sink.Render(c, it, "999999999999")
	if err != nil {
		t.Fatal(err)
	}
	const documented = `{"AbsoluteTime":"2021-09-08T13:28:24.656Z","Content":"help","ContentType":"text/plain","Id":"333333333-be0d-4a44-889d-d2a86fc06f0c","Type":"MESSAGE","ParticipantId":"bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7","DisplayName":"Jane","ParticipantRole":"CUSTOMER","InitialContactId":"33333333-abc5-46db-9ad5-d772559ab556","ContactId":"33333333-abc5-46db-9ad5-d772559ab556"}`
	var got, want map[string]any
	if err := json.Unmarshal([]byte(msg), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(documented), &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Message (-documented +rendered):\n%s", d)
	}
	wantAttrs := map[string]string{
		"InitialContactId": chain, "MessageVisibility": "ALL", "Type": "MESSAGE", "AccountId": "999999999999",
		"ContentType": "text/plain", "InstanceId": instance, "ContactId": chain, "ParticipantRole": "CUSTOMER",
	}
	if d := cmp.Diff(wantAttrs, attrs); d != "" {
		t.Errorf("attributes (-documented +rendered):\n%s", d)
	}
}

// TestRenderRejects: what cannot become a notification is an error, not a half-empty payload.
func TestRenderRejects(t *testing.T) {
	ok := item("10000000-0000-4000-8000-000000000001", parley.ItemMessage, parley.ContentTextPlain)
	for name, tc := range map[string]struct {
		c  *parley.Contact
		it *parley.Item
	}{
		"no contact": {nil, ok},
		"no item":    {contact, nil},
		"no id":      {contact, &parley.Item{ChainID: chain, ContactID: chain, Type: parley.ItemMessage}},
		"no type":    {contact, &parley.Item{ChainID: chain, ContactID: chain, ID: "x"}},
	} {
		if _, _, err := sink.Render(tc.c, tc.it, account); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
