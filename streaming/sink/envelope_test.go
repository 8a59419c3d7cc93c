package sink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
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

// envelopeOf is n's envelope with the attributes of m.
func envelopeOf(n *Notification, m map[string]string) []byte {
	a := attrsFrom(m)
	return appendEnvelope(nil, n, &a)
}

func checkEnvelope(t testing.TB, n Notification, attrs map[string]string) {
	t.Helper()
	want := jsonEnvelope(t, n, attrs)
	if got := envelopeOf(&n, attrs); !bytes.Equal(got, want) {
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

// fill sets every field of the value v points to, recursively: strings to s plus the field's name, slices to
// one element, pointers to a new value.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), s+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), s)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s)
	default:
		panic("fill: " + v.Kind().String())
	}
}

func checkItem(t testing.TB, w wire.Item) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&w); err != nil {
		t.Fatal(err)
	}
	want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	got, err := appendItem(nil, &w)
	if err != nil || got != string(want) {
		t.Errorf("appendItem = %s, %v\n want %s", got, err, want)
	}
}

// TestItemAsJSON: the hand-written Message is encoding/json's encoding of wire.Item, every field set or none;
// a field added to wire.Item and not to appendItem fails here.
func TestItemAsJSON(t *testing.T) {
	var w wire.Item
	fill(reflect.ValueOf(&w).Elem(), "<\"ü\u2028\x01&>")
	checkItem(t, w)
	checkItem(t, wire.Item{})
	checkItem(t, wire.Item{Type: "MESSAGE", MessageMetadata: &wire.MessageMetadata{MessageID: "m"}})
}

func FuzzItemAsJSON(f *testing.F) {
	f.Add("hello", "Jane")
	f.Add("\"<&>\u2028\xff\x00", "")
	f.Fuzz(func(t *testing.T, content, name string) {
		checkItem(t, wire.Item{AbsoluteTime: "2021-09-08T13:28:24.656Z", Content: content, ContentType: "text/plain",
			ID: "id", Type: "MESSAGE", DisplayName: name, ContactID: "c"})
	})
}

// TestRenderAttrsInOrder: the attributes render gives the senders are Render's, in the order of their names
// (SNS's form and the envelope list them so); attrsOf sorts a map's and refuses more than SNS takes.
func TestRenderAttrsInOrder(t *testing.T) {
	c := &parley.Contact{ID: "c-2", InitialContactID: "c-1", InstanceID: "i-1"}
	msg := &parley.Item{ChainID: "c-1", ContactID: "c-2", Seq: 3, ID: "m-1", Type: parley.ItemMessage,
		ContentType: parley.ContentTextPlain, Content: "hi", ParticipantID: "p-1", Role: parley.RoleCustomer,
		Time: time.Unix(1e9, 0)}
	private := &parley.Item{ChainID: "c-1", ContactID: "c-2", Seq: 4, ID: "e-1", Type: parley.ItemEvent,
		ContentType: parley.EventParticipantJoined, Recipient: "p-9", Time: time.Unix(1e9, 0)}
	for _, it := range []*parley.Item{msg, private} {
		_, a, err := render(c, it, "123456789012")
		if err != nil {
			t.Fatal(err)
		}
		_, m, err := Render(c, it, "123456789012")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(a.list(), func(x, y [2]string) int { return strings.Compare(x[0], y[0]) }) {
			t.Errorf("item %s: attributes not in the order of their names: %v", it.ID, a.list())
		}
		if d := cmp.Diff(m, a.toMap()); d != "" || len(a.list()) != len(m) {
			t.Errorf("item %s: render's attributes are not Render's (-Render +render):\n%s", it.ID, d)
		}
	}

	many := map[string]string{}
	for i := range maxAttrs + 1 {
		many[fmt.Sprintf("a%02d", i)] = "v"
	}
	if _, err := attrsOf(many); err == nil || !IsPermanent(err) {
		t.Errorf("attrsOf of %d attributes: err = %v, want a permanent error", len(many), err)
	}
	delete(many, "a05")
	a, err := attrsOf(many)
	if err != nil || len(a.list()) != maxAttrs || a.list()[5][0] != "a06" {
		t.Errorf("attrsOf of %d attributes: %v, %v; want them all, in order", len(many), a.list(), err)
	}
}
