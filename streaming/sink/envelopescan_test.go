package sink

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	written := envelopeOf(&n, attrs)
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

// goldenEnvelopes are the envelopes of the golden files' items, as a webhook receives them.
func goldenEnvelopes(tb testing.TB) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("golden files: %v %v", paths, err)
	}
	var out [][]byte
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		var golden struct {
			Message           json.RawMessage
			MessageAttributes map[string]string
		}
		if err := json.Unmarshal(data, &golden); err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		var msg bytes.Buffer
		if err := json.Compact(&msg, golden.Message); err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		n := Notification{Type: TypeNotification, MessageID: "3f9c2d4e-0000-4000-8000-00000000000" + string(rune('a'+i%6)),
			TopicArn: "arn:aws:sns:us-west-2:123456789012:t", Message: msg.String(), Timestamp: "2021-09-08T13:28:24.860Z"}
		out = append(out, envelopeOf(&n, golden.MessageAttributes))
	}
	return out
}

// checkScan: when scanEnvelope decodes body, encoding/json decodes it without error into the same
// Notification. It reports whether scanEnvelope did.
func checkScan(t *testing.T, body []byte) bool {
	t.Helper()
	got, ok := scanEnvelope(body)
	if !ok {
		return false
	}
	var want Notification
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("scanEnvelope decoded %q, encoding/json refuses it: %v", body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nscanEnvelope  %#v\nencoding/json %#v", body, got, want)
	}
	return true
}

// FuzzScanEnvelope holds scanEnvelope to encoding/json (checkScan); what it leaves, Verify gives to
// encoding/json.
func FuzzScanEnvelope(f *testing.F) {
	for _, b := range envelopeSeeds() {
		f.Add(b)
	}
	for _, b := range goldenEnvelopes(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkScan(t, body) })
}

// TestScanEnvelopeTakesParleys: the envelopes parley writes (the golden files' items among them) are decoded
// as encoding/json decodes them, never left to it.
func TestScanEnvelopeTakesParleys(t *testing.T) {
	for _, b := range append(envelopeSeeds()[:3], goldenEnvelopes(t)...) {
		if !checkScan(t, b) {
			t.Errorf("scanEnvelope left %q to encoding/json", b)
		}
	}
	for _, b := range envelopeSeeds()[3:] {
		checkScan(t, b)
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
