package sink

import (
	"bytes"
	"encoding/json"
	"testing"
)

// jsonEnvelope is the reference: encoding/json's encoding of the envelope, HTML characters left alone.
func jsonEnvelope(t testing.TB, n Notification, attrs map[string]string) []byte {
	t.Helper()
	if len(attrs) > 0 {
		n.MessageAttributes = map[string]Attribute{}
		for k, v := range attrs {
			n.MessageAttributes[k] = Attribute{Type: "String", Value: v}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkEnvelope(t testing.TB, n Notification, attrs map[string]string) {
	t.Helper()
	want := jsonEnvelope(t, n, attrs)
	if got := appendEnvelope(nil, &n, attrs); !bytes.Equal(got, want) {
		t.Errorf("appendEnvelope:\n got %s\nwant %s", got, want)
	}
}

// TestEnvelopeAsJSON: the hand-written envelope is encoding/json's, byte for byte, whatever the strings hold.
func TestEnvelopeAsJSON(t *testing.T) {
	odd := "\"quotes\" \\ back\\slash <tags> & amp \b\f\n\r\t \x00\x01\x1f\x7f ü ✓ 😀 \u2028 \u2029 \xff\xfe invalid \xe2\x82"
	checkEnvelope(t, Notification{Type: TypeNotification, MessageID: "id", TopicArn: "arn:aws:sns:us-west-2:1:t",
		Message: `{"Content":"` + odd + `"}`, Timestamp: "2021-09-08T13:28:24.860Z"},
		map[string]string{"Type": "MESSAGE", "ContactId": odd, "A" + odd: "x", "MessageVisibility": "ALL", "b": "", "AccountId": "0"})
	checkEnvelope(t, Notification{Type: TypeSubscriptionConfirmation, MessageID: "id", Token: "tok", TopicArn: "arn",
		Message: "You have chosen…\nTo confirm", SubscribeURL: "https://x/streaming/confirm?Action=ConfirmSubscription&Token=a%2Fb",
		Timestamp: "t"}, nil)
	checkEnvelope(t, Notification{}, map[string]string{})
}

func FuzzEnvelopeAsJSON(f *testing.F) {
	f.Add("m", "k", "v", "id")
	f.Add("\"<&>\u2028\xff\x00", "\n", "\\", "")
	f.Fuzz(func(t *testing.T, message, key, value, id string) {
		checkEnvelope(t, Notification{Type: TypeNotification, MessageID: id, TopicArn: key + value, Message: message,
			Timestamp: value}, map[string]string{key: value, "Type": message})
	})
}
