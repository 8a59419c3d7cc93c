package sink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// Subscription is one webhook receiving a topic's notifications: streaming.subscriptions in the YAML.
type Subscription struct {
	// URL is the http(s) URL the notifications are POSTed to.
	URL string `yaml:"url"`
	// Secret keys the HMAC-SHA256 of SignatureHeader; the receiver checks it (Verify).
	Secret string `yaml:"secret"`
}

// ConfirmPath is where parley serves the SubscribeURL of its SubscriptionConfirmation messages
// (Webhooks.ConfirmHandler).
const ConfirmPath = "/streaming/confirm"

// DefaultWebhookTimeout bounds one webhook request when WebhookOptions.Client is nil.
const DefaultWebhookTimeout = 15 * time.Second

// maxRemembered is how many delivered notifications a subscription remembers, so that the retry of a topic
// whose other subscription failed does not send them again.
const maxRemembered = 1024

// Webhooks delivers notifications to the webhook subscriptions of topics, in SNS's HTTP(S) envelope, signed.
//
// A subscription is confirmed before its first notification: parley POSTs it a SubscriptionConfirmation and
// counts a 2xx answer (or a GET of the SubscribeURL) as confirmation. Confirmation is remembered in memory, so
// a restarted parley confirms again before its first notification; receivers answer both with 2xx.
type Webhooks struct {
	topics     map[string][]*subscription
	client     *http.Client
	poster     *poster // nil when WebhookOptions.Client is set
	confirmURL string
	now        func() time.Time
	log        *slog.Logger
	accountID  string
}

type subscription struct {
	topic, arn string
	Subscription
	target    *target
	confirmed atomic.Bool
	confirm   chan struct{} // holds the token of the one confirmation in flight

	mu     sync.Mutex
	sent   map[string]bool // MessageIds delivered, at most maxRemembered
	sentAt []string

	macs sync.Pool // HMAC-SHA256 keyed with Secret, reset between uses
}

// sign is Sign(body, s.Secret) with a reused HMAC.
func (s *subscription) sign(body []byte) string {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, []byte(s.Secret))
	}
	m.Reset()
	m.Write(body)
	var sum [sha256.Size]byte
	sig := "sha256=" + hex.EncodeToString(m.Sum(sum[:0]))
	s.macs.Put(m)
	return sig
}

// WebhookOptions configure Webhooks.
type WebhookOptions struct {
	// AccountID is the AccountId attribute of every notification.
	AccountID string
	// ConfirmURL is the absolute URL of ConfirmHandler (the server's public URL + ConfirmPath), sent as
	// SubscribeURL. Empty leaves SubscribeURL out: a 2xx answer then is the only way to confirm.
	ConfirmURL string
	// Client makes the requests. Default: a client that does not follow redirects, with a
	// DefaultWebhookTimeout timeout.
	Client *http.Client
	// Now is the clock of the Timestamp field. Default time.Now.
	Now func() time.Time
	// Log receives confirmations. Default: discarded.
	Log *slog.Logger

	roots *x509.CertPool // the CAs parley's own client trusts (tests); nil: the system's
}

// ValidateSubscriptions checks streaming.subscriptions: topic ARNs that ParseTopic accepts, absolute http(s)
// URLs without user info, a secret for each, no URL twice on a topic.
func ValidateSubscriptions(subs map[string][]Subscription) error {
	for topic, list := range subs {
		if _, err := ParseTopic(topic); err != nil {
			return fmt.Errorf("streaming.subscriptions: %w", err)
		}
		if len(list) == 0 {
			return fmt.Errorf("streaming.subscriptions: %s has no subscription", topic)
		}
		seen := map[string]bool{}
		for _, s := range list {
			u, err := url.Parse(s.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				return fmt.Errorf("streaming.subscriptions: %s: %q is not an http(s) URL", topic, s.URL)
			}
			if s.Secret == "" {
				return fmt.Errorf("streaming.subscriptions: %s: %s needs a secret", topic, s.URL)
			}
			if seen[s.URL] {
				return fmt.Errorf("streaming.subscriptions: %s: %s is subscribed twice", topic, s.URL)
			}
			seen[s.URL] = true
		}
	}
	return nil
}

// NewWebhooks returns the webhook sink of the subscriptions (topic ARN → subscriptions).
func NewWebhooks(subs map[string][]Subscription, o WebhookOptions) (*Webhooks, error) {
	if err := ValidateSubscriptions(subs); err != nil {
		return nil, err
	}
	w := &Webhooks{topics: map[string][]*subscription{}, client: o.Client, confirmURL: o.ConfirmURL,
		now: o.Now, log: o.Log, accountID: o.AccountID}
	if w.client == nil {
		w.poster = newPoster(DefaultWebhookTimeout, o.roots)
		// For receivers behind a proxy. Keep a connection per delivery worker open to each receiver: with
		// http.DefaultTransport's two idle connections per host, every other delivery paid for a new TCP
		// connection.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 128
		w.client = &http.Client{Timeout: DefaultWebhookTimeout, Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	for topic, list := range subs {
		for _, s := range list {
			t, err := newTarget(s.URL)
			if err != nil {
				return nil, err
			}
			sub := &subscription{topic: topic, arn: topic + ":" + hashID(s.URL), Subscription: s, target: t,
				confirm: make(chan struct{}, 1), sent: map[string]bool{}}
			w.topics[topic] = append(w.topics[topic], sub)
		}
	}
	return w, nil
}

// Has reports whether topicARN has webhook subscriptions.
func (w *Webhooks) Has(topicARN string) bool { return w != nil && len(w.topics[topicARN]) > 0 }

// Confirmed reports whether the subscription of the URL target to topicARN is confirmed.
func (w *Webhooks) Confirmed(topicARN, target string) bool {
	for _, s := range w.topics[topicARN] {
		if s.URL == target {
			return s.confirmed.Load()
		}
	}
	return false
}

// Deliver sends the notification of item it of contact c to every subscription of endpointARN. Its MessageId
// is the same for every subscription and every retry of the item on this stream. Errors: permanent for a
// malformed ARN, a topic without subscriptions, and when every failing receiver answered 4xx (except 408 and
// 429); otherwise retriable.
func (w *Webhooks) Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error {
	t, err := ParseTopic(endpointARN)
	if err != nil {
		return err
	}
	msg, attrs, err := render(c, it, w.accountID)
	if err != nil {
		return Permanent(err)
	}
	return w.publish(ctx, t.ARN, messageID(streamingID, t.ARN, it.ID), msg, &attrs)
}

// Publish sends a rendered notification to every subscription of topicARN, under a new MessageId.
func (w *Webhooks) Publish(ctx context.Context, topicARN, message string, attrs map[string]string) error {
	a, err := attrsOf(attrs)
	if err != nil {
		return err
	}
	return w.publish(ctx, topicARN, newMessageID(), message, &a)
}

func (w *Webhooks) publish(ctx context.Context, topic, id, message string, attrs *attrs) error {
	subs := w.topics[topic]
	if len(subs) == 0 {
		return permanentf("sink: %s has no webhook subscription", topic)
	}
	n := Notification{Type: TypeNotification, MessageID: id, TopicArn: topic, Message: message,
		Timestamp: wire.FormatTime(w.now())}
	bp := envelopes.Get().(*[]byte)
	body := appendEnvelope(slices.Grow((*bp)[:0], envelopeSize(&n, attrs)), &n, attrs)
	defer func() {
		if cap(body) <= 64<<10 { // a rare big one is not kept
			*bp = body
			envelopes.Put(bp)
		}
	}()
	var errs []error
	permanent := true
	// Which subscriptions took the notification matters only to a retry after another one failed.
	multi := len(subs) > 1
	for _, s := range subs {
		if multi && s.delivered(id) {
			continue
		}
		err := w.confirm(ctx, s)
		if err == nil {
			err = w.post(ctx, s, TypeNotification, id, body)
		}
		if err != nil {
			errs = append(errs, err)
			permanent = permanent && IsPermanent(err)
			continue
		}
		if multi {
			s.remember(id)
		}
	}
	switch {
	case len(errs) == 0:
		return nil
	case permanent:
		return Permanent(errors.Join(errs...))
	default:
		// Not wrapped: a permanent failure of one receiver must not make the retriable ones look permanent.
		return errors.New(errors.Join(errs...).Error())
	}
}

// envelopes holds the buffers of envelopes being sent: a post copies its body before it returns.
var envelopes = sync.Pool{New: func() any { return new([]byte) }}

// confirm sends s its SubscriptionConfirmation unless it is confirmed; one at a time per subscription.
func (w *Webhooks) confirm(ctx context.Context, s *subscription) error {
	if s.confirmed.Load() {
		return nil
	}
	select {
	case s.confirm <- struct{}{}:
		defer func() { <-s.confirm }()
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.confirmed.Load() {
		return nil
	}
	token := s.token()
	n := Notification{Type: TypeSubscriptionConfirmation, MessageID: newMessageID(), Token: token, TopicArn: s.topic,
		Message: "You have chosen to subscribe to the topic " + s.topic +
			".\nTo confirm the subscription, answer this request with a 2xx status or visit the SubscribeURL included in this message.",
		Timestamp: wire.FormatTime(w.now())}
	if w.confirmURL != "" {
		n.SubscribeURL = w.confirmURL + "?" + url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {s.topic},
			"Token": {token}}.Encode()
	}
	body := appendEnvelope(make([]byte, 0, envelopeSize(&n, nil)), &n, nil)
	// A receiver may GET the SubscribeURL before it answers (ConfirmHandler): confirmed whatever it answers.
	if err := w.post(ctx, s, TypeSubscriptionConfirmation, n.MessageID, body); err != nil && !s.confirmed.Load() {
		return fmt.Errorf("sink: confirming the subscription: %w", err)
	}
	if !s.confirmed.Swap(true) {
		w.log.Info("streaming subscription confirmed", "topic_arn", s.topic, "url", s.URL)
	}
	return nil
}

// post sends one signed envelope; a 2xx answer is success.
func (w *Webhooks) post(ctx context.Context, s *subscription, typ, id string, body []byte) error {
	if w.poster == nil || !s.target.direct {
		return w.postClient(ctx, s, typ, id, body)
	}
	h := make([]byte, 0, 512)
	h = append(h, "Content-Type: text/plain; charset=UTF-8\r\nUser-Agent: parley-streaming\r\n"...)
	h = appendHeader(h, HeaderMessageType, typ)
	h = appendHeader(h, HeaderMessageID, id)
	h = appendHeader(h, HeaderTopicARN, s.topic)
	if typ == TypeNotification {
		h = appendHeader(h, HeaderSubscriptionARN, s.arn)
	}
	h = appendHeader(h, SignatureHeader, s.sign(body))
	status, snippet, err := w.poster.post(ctx, s.target, h, body, 256)
	if err != nil {
		return fmt.Errorf("sink: POST %s: %w", s.URL, err)
	}
	return answerError(s.URL, status, http.StatusText(status), snippet)
}

// appendHeader appends the header line "name: value\r\n".
func appendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// answerError is nil for a 2xx answer, else the error of a receiver's answer: permanent for a 4xx other than
// 408 and 429.
func answerError(target string, code int, status string, snippet []byte) error {
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("sink: POST %s: %d %s: %q", target, code, status, strings.TrimSpace(string(snippet)))
	if code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests {
		return Permanent(err)
	}
	return err
}

// postClient is post through the net/http client.
func (w *Webhooks) postClient(ctx context.Context, s *subscription, typ, id string, body []byte) error {
	// A copy: net/http may still read a body after Do returns, and body's buffer is reused.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(bytes.Clone(body)))
	if err != nil {
		return Permanent(err)
	}
	// The names are canonical already: no Set.
	h := req.Header
	h["Content-Type"] = []string{"text/plain; charset=UTF-8"} // as SNS sends it
	h["User-Agent"] = []string{"parley-streaming"}
	h[HeaderMessageType] = []string{typ}
	h[HeaderMessageID] = []string{id}
	h[HeaderTopicARN] = []string{s.topic}
	if typ == TypeNotification {
		h[HeaderSubscriptionARN] = []string{s.arn}
	}
	h[SignatureHeader] = []string{s.sign(body)}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("sink: POST %s: %w", s.URL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscard))
	return answerError(s.URL, resp.StatusCode, strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))), snippet)
}

// ConfirmHandler serves the SubscribeURL (GET ConfirmPath?Action=ConfirmSubscription&TopicArn=…&Token=…):
// it confirms the subscription the token belongs to and answers SNS's ConfirmSubscriptionResponse.
func (w *Webhooks) ConfirmHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		topic, token := q.Get("TopicArn"), q.Get("Token")
		if r.Method != http.MethodGet && r.Method != http.MethodHead || q.Get("Action") != "ConfirmSubscription" {
			confirmError(rw, http.StatusBadRequest, "InvalidParameter", "want GET with Action=ConfirmSubscription")
			return
		}
		for _, s := range w.topics[topic] {
			if hmac.Equal([]byte(token), []byte(s.token())) {
				if !s.confirmed.Swap(true) {
					w.log.Info("streaming subscription confirmed", "topic_arn", s.topic, "url", s.URL)
				}
				rw.Header().Set("Content-Type", "text/xml")
				fmt.Fprintf(rw, `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
					`<ConfirmSubscriptionResult><SubscriptionArn>%s</SubscriptionArn></ConfirmSubscriptionResult>`+
					`<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
					xmlText(s.arn), newMessageID())
				return
			}
		}
		confirmError(rw, http.StatusNotFound, "NotFound", "no subscription has this token")
	})
}

func confirmError(rw http.ResponseWriter, status int, code, msg string) {
	rw.Header().Set("Content-Type", "text/xml")
	rw.WriteHeader(status)
	fmt.Fprintf(rw, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>`+
		`<Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, code, xmlText(msg), newMessageID())
}

// token is the subscription's confirmation token: only parley and the receiver, which hold the secret, can
// make it, and it is the same on every node.
func (s *subscription) token() string {
	m := hmac.New(sha256.New, []byte(s.Secret))
	m.Write([]byte("parley-subscription\x00" + s.topic + "\x00" + s.URL))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *subscription) delivered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[id]
}

func (s *subscription) remember(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent[id] {
		return
	}
	if len(s.sentAt) >= maxRemembered {
		delete(s.sent, s.sentAt[0])
		s.sentAt = s.sentAt[1:]
	}
	s.sent[id] = true
	s.sentAt = append(s.sentAt, id)
}

// messageID is the MessageId of an item's notification on a stream: a UUID-shaped hash, so that retries,
// other nodes and other subscriptions use the same one.
func messageID(streamingID, topic, itemID string) string {
	return hashID(streamingID + "\x00" + topic + "\x00" + itemID)
}

// hashID is a name-based (version 5) UUID of s.
func hashID(s string) string { return uuid.NewSHA1(uuidSpace, []byte(s)).String() }

// uuidSpace is the namespace of parley's name-based UUIDs.
var uuidSpace = uuid.MustParse("9a1c4c52-5f4e-4d0e-9b39-6c1f6a0b2d11")

func newMessageID() string { return uuid.NewString() }

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
