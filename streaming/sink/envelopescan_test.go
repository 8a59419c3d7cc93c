package sink

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/parley-chat/parley/wire"
)

// envelopeSeeds are envelopes as parley writes them, and the shapes encoding/json takes that parley does not
// write (escapes, other key orders, white space, null, unknown keys).
func envelopeSeeds() [][]byte {
	n := Notification{Type: TypeNotification, MessageID: "3f9c", TopicArn: "arn:aws:sns:us-west-2:1:t",
		Message: `{"Content":"héllo \"you\" \u2028 😀 <b>&amp;</b>\n","Id":"x"}`, Timestamp: wire.FormatTime(time.Unix(1e9, 0)),
		MessageAttributes: map[string]Attribute{"Type": {"String", "MESSAGE"}, "ContentType": {"String", "text/plain"}}}
	attrs := map[string]string{"Type": "MESSAGE", "ContentType": "text/plain"}
	written := appendEnvelope(nil, &n, attrs)
	c := Notification{Type: TypeSubscriptionConfirmation, MessageID: "m", Token: "tok", TopicArn: "arn", Message: "hi",
		SubscribeURL: "https://x/?a=1&b=2", Timestamp: "2026-01-01T00:00:00.000Z"}
	confirm, _ := json.Marshal(c)
	return [][]byte{
		written, confirm,
		[]byte(` { "Type" : "Notification" , "Message":"a\/b\\c\"d\b\f\n\r\t\u0041\u00e9\ud83d\ude00", "MessageAttributes": {} } `),
		[]byte(`{"type":"Notification"}`), // case-insensitive key: encoding/json's
		[]byte(`{"Type":null}`),           // null leaves the field alone
		[]byte(`{"Type":"a","Type":"b"}`), // the last wins
		[]byte(`{"Other":1,"Type":"a"}`),  // unknown keys are skipped
		[]byte(`{"Message":"\ud800"}`),    // a lone surrogate becomes U+FFFD
		[]byte("{\"Message\":\"\xff\"}"),  // invalid UTF-8 too
		[]byte(`{"MessageAttributes":{"a":{"Type":"S","Value":"v","Value":"w"}}}`),
		[]byte(`{"MessageAttributes":{"a":{"Type":"S"},"a":{"Value":"v"}}}`),
		[]byte(`{"MessageAttributes":null}`),
		[]byte(`{"Type":"a"} x`),
		[]byte(`{"Type":"a",}`),
		[]byte(`{}`),
		[]byte(``),
	}
}

// FuzzScanEnvelope holds scanEnvelope to encoding/json: whenever it decodes, encoding/json decodes the same
// bytes without error into the same Notification.
func FuzzScanEnvelope(f *testing.F) {
	for _, b := range envelopeSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanEnvelope(body)
		if !ok {
			return
		}
		var want Notification
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("scanEnvelope decoded %q, encoding/json refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nscanEnvelope  %#v\nencoding/json %#v", body, got, want)
		}
	})
}

// TestScanEnvelopeTakesParleys: what parley writes never needs encoding/json.
func TestScanEnvelopeTakesParleys(t *testing.T) {
	for _, b := range envelopeSeeds()[:3] {
		if _, ok := scanEnvelope(b); !ok {
			t.Errorf("scanEnvelope left %q to encoding/json", b)
		}
	}
}

func BenchmarkDecodeEnvelope(b *testing.B) {
	body := envelopeSeeds()[0]
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := scanEnvelope(body); !ok {
				b.Fatal("not scanned")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var n Notification
			if err := json.Unmarshal(body, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
