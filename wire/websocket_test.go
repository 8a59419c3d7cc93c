package wire

import (
	"bytes"
	"encoding/json"
	"testing"
)

// chatFrameReference is ChatFrame as the three json.Marshal calls it stands for.
func chatFrameReference(it *Item) ([]byte, error) {
	inner, err := json.Marshal(it)
	if err != nil {
		return nil, err
	}
	content, err := json.Marshal(string(inner))
	if err != nil {
		return nil, err
	}
	return json.Marshal(Frame{Topic: TopicChat, ContentType: "application/json", Content: content})
}

func TestChatFrameMatchesMarshal(t *testing.T) {
	for _, content := range []string{
		"",
		"hello",
		`quotes " and backslashes \ and \" both`,
		"<b>html</b> & friends",
		"line\nbreak\ttab\r\x00\x1f\x7f",
		"unicode é 日本語 😀 and separators \u2028 \u2029",
		"invalid \xff\xfe utf-8 \xc3",
		`{"templateType":"ListPicker","data":{"content":{"title":"What?"}}}`,
	} {
		it := &Item{AbsoluteTime: "2026-03-21T06:33:01.515Z", Content: content, ContentType: "text/plain",
			ID: "d2ee0b6e", Type: "MESSAGE", ParticipantID: "p-1", DisplayName: `Ann "the" <Agent>`,
			ParticipantRole: "AGENT", ContactID: "c-1", InitialContactID: "c-1",
			Attachments:     []AttachmentItem{{AttachmentName: `a\b".txt`, Status: "APPROVED"}},
			MessageMetadata: &MessageMetadata{MessageID: "m&1", Receipts: []Receipt{{RecipientParticipantID: "r<1>"}}}}
		got, err := ChatFrame(it)
		if err != nil {
			t.Fatal(err)
		}
		want, err := chatFrameReference(it)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("content %q:\n got %s\nwant %s", content, got, want)
		}
	}
}

func FuzzChatFrame(f *testing.F) {
	f.Add("hello", "Ann", "text/plain")
	f.Add(`"\<>&`+"\u2028\xff", "\x00", "application/json")
	f.Fuzz(func(t *testing.T, content, name, contentType string) {
		it := &Item{Content: content, DisplayName: name, ContentType: contentType, Type: "MESSAGE", ID: "x"}
		got, err := ChatFrame(it)
		if err != nil {
			t.Fatal(err)
		}
		want, err := chatFrameReference(it)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
