package sink

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/wire"
)

// The envelope types a webhook receives, in its Type field and its x-amz-sns-message-type header.
const (
	TypeNotification             = "Notification"
	TypeSubscriptionConfirmation = "SubscriptionConfirmation"
)

// Headers of a webhook delivery. The SNS ones are those SNS sends to an HTTP(S) subscriber; SignatureHeader
// is parley's: "sha256=" and the hex HMAC-SHA256 of the raw body keyed with the subscription's secret.
const (
	SignatureHeader       = "X-Parley-Signature"
	HeaderMessageType     = "X-Amz-Sns-Message-Type"
	HeaderMessageID       = "X-Amz-Sns-Message-Id"
	HeaderTopicARN        = "X-Amz-Sns-Topic-Arn"
	HeaderSubscriptionARN = "X-Amz-Sns-Subscription-Arn"
)

// MaxEnvelope bounds the body Verify reads: SNS's 256 KB message limit, with room for JSON escaping and the
// envelope's other fields.
const MaxEnvelope = 1 << 20

// Notification is the JSON body of a webhook delivery: SNS's HTTP(S) envelope without SNS's own signature
// fields (SignatureVersion, Signature, SigningCertURL), for which SignatureHeader stands. Type is
// TypeNotification (Message is the item's JSON, MessageAttributes its attributes) or
// TypeSubscriptionConfirmation (Token and SubscribeURL are set, Message is prose).
type Notification struct {
	Type              string               `json:"Type"`
	MessageID         string               `json:"MessageId"`
	Token             string               `json:"Token,omitempty"`
	TopicArn          string               `json:"TopicArn"`
	Message           string               `json:"Message"`
	SubscribeURL      string               `json:"SubscribeURL,omitempty"`
	Timestamp         string               `json:"Timestamp"`
	MessageAttributes map[string]Attribute `json:"MessageAttributes,omitempty"`
}

// Attribute is a message attribute in the envelope: {"Type":"String","Value":"..."}.
type Attribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// Attr returns the value of the message attribute name, "" when absent.
func (n Notification) Attr(name string) string { return n.MessageAttributes[name].Value }

// Item decodes the Message of a TypeNotification: the streamed item.
func (n Notification) Item() (wire.Item, error) {
	var it wire.Item
	if n.Type != TypeNotification {
		return it, fmt.Errorf("sink: a %s carries no item", n.Type)
	}
	if err := json.Unmarshal([]byte(n.Message), &it); err != nil {
		return it, fmt.Errorf("sink: the Message is not an item: %w", err)
	}
	return it, nil
}

// Errors of Verify.
var (
	// ErrSignature: the signature header is missing, malformed or does not match the body.
	ErrSignature = errors.New("sink: bad or missing " + SignatureHeader)
	// ErrMalformed: the signed body is not a notification envelope.
	ErrMalformed = errors.New("sink: malformed notification")
)

// Sign returns the SignatureHeader value for a body: "sha256=<hex HMAC-SHA256 of body keyed with secret>".
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reads a webhook delivery, checks its SignatureHeader against the raw body in constant time and
// returns the envelope. It leaves r.Body readable again from the start. Errors wrap ErrSignature (answer 403)
// or ErrMalformed (answer 400), or are the body's read error; a receiver acts on nothing that failed.
//
// A receiver answers a TypeNotification with 2xx once it has kept it (parley retries anything else but
// 4xx), and a TypeSubscriptionConfirmation with 2xx to confirm the subscription; it may also GET SubscribeURL,
// as SNS receivers do.
func Verify(r *http.Request, secret string) (Notification, error) {
	if secret == "" {
		return Notification{}, fmt.Errorf("%w: no secret to check it with", ErrSignature)
	}
	var body []byte
	if r.ContentLength > 0 && r.ContentLength <= MaxEnvelope {
		body = make([]byte, 0, r.ContentLength+1)
	}
	body, err := readSome(body, r.Body, MaxEnvelope+1)
	if err != nil {
		return Notification{}, err
	}
	rb := &bodyReader{}
	rb.Reset(body)
	r.Body = rb
	return VerifyBody(body, r.Header.Get(SignatureHeader), r.Header.Get(HeaderMessageType), secret)
}

// VerifyBody is Verify for a receiver that has the delivery's raw body and headers but no *http.Request (a
// serverless function, a server of its own): signature is the SignatureHeader's value, messageType the
// HeaderMessageType's ("" if absent).
func VerifyBody(body []byte, signature, messageType, secret string) (Notification, error) {
	if secret == "" {
		return Notification{}, fmt.Errorf("%w: no secret to check it with", ErrSignature)
	}
	if len(body) > MaxEnvelope {
		return Notification{}, fmt.Errorf("%w: body over %d bytes", ErrMalformed, MaxEnvelope)
	}
	sig, ok := strings.CutPrefix(signature, "sha256=")
	var hexSig [2 * sha256.Size]byte
	var got, want [sha256.Size]byte
	if !ok || len(sig) != len(hexSig) {
		return Notification{}, ErrSignature
	}
	copy(hexSig[:], sig)
	if _, err := hex.Decode(got[:], hexSig[:]); err != nil {
		return Notification{}, ErrSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if !hmac.Equal(got[:], m.Sum(want[:0])) {
		return Notification{}, ErrSignature
	}
	return decode(body, messageType)
}

// bodyReader is the body Verify leaves in the request: the one it read, from the start.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// decode parses a signed body and checks that it is a complete envelope.
func decode(body []byte, headerType string) (Notification, error) {
	n, ok := scanEnvelope(body)
	if !ok {
		var j Notification // not n: what encoding/json decodes into is on the heap
		if err := json.Unmarshal(body, &j); err != nil {
			return Notification{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		n = j
	}
	bad := func(why string) (Notification, error) { return Notification{}, fmt.Errorf("%w: %s", ErrMalformed, why) }
	switch {
	case n.Type != TypeNotification && n.Type != TypeSubscriptionConfirmation:
		return bad(fmt.Sprintf("unknown Type %q", n.Type))
	case headerType != "" && headerType != n.Type:
		return bad(fmt.Sprintf("%s %q but Type %q", HeaderMessageType, headerType, n.Type))
	case n.MessageID == "" || n.TopicArn == "" || n.Timestamp == "":
		return bad("MessageId, TopicArn and Timestamp are required")
	case n.Type == TypeSubscriptionConfirmation && n.Token == "":
		return bad("a SubscriptionConfirmation needs a Token")
	case n.Type == TypeNotification && n.Message == "":
		return bad("a Notification needs a Message")
	}
	if _, err := wire.ParseTime(n.Timestamp); err != nil {
		return bad("Timestamp: " + err.Error())
	}
	for k, a := range n.MessageAttributes {
		if k == "" || a.Type == "" {
			return bad("a message attribute needs a name and a Type")
		}
	}
	return n, nil
}

// DecodeEnvelope parses an envelope whose authenticity was checked by other means (an SNS delivery, verified
// with SNS's own signature) and checks that it is complete, as Verify does.
func DecodeEnvelope(body []byte) (Notification, error) { return decode(body, "") }
