package sink_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/wire"
)

const secret = "s3cr3t-of-the-subscription"

// delivery is one request a receiver verified.
type delivery struct {
	n      sink.Notification
	header http.Header
}

// receiver is a webhook consumer built on sink.Verify: it keeps what it verified and answers with status
// (200 when zero); with visit set it confirms by GETting the SubscribeURL, as SNS receivers do.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	got      []delivery
	rejected int
	status   int  // answer to notifications
	cstatus  int  // answer to confirmations
	visit    bool // GET the SubscribeURL
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, secret: secret}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	n, err := sink.Verify(r, rc.secret)
	if err != nil {
		rc.mu.Lock()
		rc.rejected++
		rc.mu.Unlock()
		status := http.StatusBadRequest
		if errors.Is(err, sink.ErrSignature) {
			status = http.StatusForbidden
		}
		http.Error(w, err.Error(), status)
		return
	}
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{n, r.Header.Clone()})
	status, visit := rc.status, rc.visit
	if n.Type == sink.TypeSubscriptionConfirmation {
		status = rc.cstatus
	}
	rc.mu.Unlock()
	if n.Type == sink.TypeSubscriptionConfirmation && visit {
		resp, err := http.Get(n.SubscribeURL)
		if err != nil {
			rc.t.Errorf("GET SubscribeURL: %v", err)
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(b), "<SubscriptionArn>") {
				rc.t.Errorf("GET SubscribeURL: %d %s", resp.StatusCode, b)
			}
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func (rc *receiver) set(status, cstatus int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status, rc.cstatus = status, cstatus
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// ofType returns the verified envelopes of one type.
func (rc *receiver) ofType(typ string) []sink.Notification {
	var out []sink.Notification
	for _, d := range rc.deliveries() {
		if d.n.Type == typ {
			out = append(out, d.n)
		}
	}
	return out
}

var clock = time.Date(2026, 12, 3, 23, 0, 0, 123_000_000, time.UTC)

// newRouter returns a router with webhook subscriptions, the confirm handler served on its own server.
func newRouter(t *testing.T, subs map[string][]sink.Subscription, o sink.Options) *sink.Router {
	t.Helper()
	var r *sink.Router
	confirm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.ConfirmHandler().ServeHTTP(w, req)
	}))
	t.Cleanup(confirm.Close)
	if o.PublicURL == "" {
		o.PublicURL = confirm.URL
	}
	o.AccountID = account
	o.Now = func() time.Time { return clock }
	var err error
	r, err = sink.NewRouter(context.Background(), sink.Config{Subscriptions: subs}, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestWebhookDelivery: a subscription is confirmed once, then each item arrives in SNS's envelope with SNS's
// headers, signed, in order; the Message and attributes are Render's.
func TestWebhookDelivery(t *testing.T) {
	rc := newReceiver(t)
	r := newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: rc.srv.URL + "/hook", Secret: secret}}}, sink.Options{})
	names := []string{"message-customer", "message-agent", "attachment", "event-chat-ended"}
	for _, name := range names {
		if err := r.Deliver(context.Background(), topicARN, "stream-1", contact, renderCases()[name]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	got := rc.deliveries()
	if len(got) != 1+len(names) {
		t.Fatalf("%d deliveries, want a confirmation and %d notifications", len(got), len(names))
	}
	conf := got[0].n
	if conf.Type != sink.TypeSubscriptionConfirmation || conf.TopicArn != topicARN || conf.Token == "" ||
		!strings.HasPrefix(conf.SubscribeURL, "http://127.0.0.1:") || !strings.Contains(conf.SubscribeURL, "/streaming/confirm?") {
		t.Errorf("first delivery %+v, want a SubscriptionConfirmation", conf)
	}
	if !r.Webhooks().Confirmed(topicARN, rc.srv.URL+"/hook") {
		t.Error("the subscription is not confirmed after a 200")
	}
	ids := map[string]bool{}
	for i, name := range names {
		d := got[i+1]
		msg, attrs, _ := sink.Render(contact, renderCases()[name], account)
		wantAttrs := map[string]sink.Attribute{}
		for k, v := range attrs {
			wantAttrs[k] = sink.Attribute{Type: "String", Value: v}
		}
		want := sink.Notification{Type: "Notification", MessageID: d.n.MessageID, TopicArn: topicARN, Message: msg,
			Timestamp: "2026-12-03T23:00:00.123Z", MessageAttributes: wantAttrs}
		if d := cmp.Diff(want, d.n); d != "" {
			t.Errorf("%s: envelope (-want +got):\n%s", name, d)
		}
		if ids[d.n.MessageID] || len(d.n.MessageID) != 36 {
			t.Errorf("%s: MessageId %q is not a fresh UUID", name, d.n.MessageID)
		}
		ids[d.n.MessageID] = true
		for h, v := range map[string]string{
			"X-Amz-Sns-Message-Type": "Notification", "X-Amz-Sns-Message-Id": d.n.MessageID,
			"X-Amz-Sns-Topic-Arn": topicARN, "Content-Type": "text/plain; charset=UTF-8",
		} {
			if got := d.header.Get(h); got != v {
				t.Errorf("%s: %s: %q, want %q", name, h, got, v)
			}
		}
		if sub := d.header.Get("X-Amz-Sns-Subscription-Arn"); !strings.HasPrefix(sub, topicARN+":") {
			t.Errorf("%s: subscription ARN %q", name, sub)
		}
		it, err := d.n.Item()
		if err != nil || it.ID != renderCases()[name].ID {
			t.Errorf("%s: Item() = %+v, %v", name, it, err)
		}
	}
	// The raw body is what is signed: a receiver with another secret refuses every delivery.
	rc.mu.Lock()
	rc.secret = "another secret"
	rc.mu.Unlock()
	err := r.Deliver(context.Background(), topicARN, "stream-1", contact, renderCases()["message-system"])
	if !sink.IsPermanent(err) {
		t.Errorf("delivery refused with 403: %v, want a permanent error", err)
	}
}

// TestWebhookMessageIDStable: the MessageId of an item on a stream is the same on every delivery attempt (and
// every node), and differs between streams and items.
func TestWebhookMessageIDStable(t *testing.T) {
	a, b := newReceiver(t), newReceiver(t)
	subs := map[string][]sink.Subscription{topicARN: {{URL: a.srv.URL, Secret: secret}, {URL: b.srv.URL, Secret: secret}}}
	r1 := newRouter(t, subs, sink.Options{})
	r2 := newRouter(t, subs, sink.Options{}) // another node
	it := renderCases()["message-agent"]
	for _, r := range []*sink.Router{r1, r2} {
		if err := r.Deliver(context.Background(), topicARN, "stream-1", contact, it); err != nil {
			t.Fatal(err)
		}
	}
	if err := r1.Deliver(context.Background(), topicARN, "stream-2", contact, it); err != nil {
		t.Fatal(err)
	}
	na, nb := a.ofType("Notification"), b.ofType("Notification")
	if len(na) != 3 || len(nb) != 3 {
		t.Fatalf("%d and %d notifications, want 3 each", len(na), len(nb))
	}
	if na[0].MessageID != na[1].MessageID || na[0].MessageID != nb[0].MessageID || na[2].MessageID == na[0].MessageID {
		t.Errorf("MessageIds %s %s %s / %s: want one per stream and item", na[0].MessageID, na[1].MessageID, na[2].MessageID, nb[0].MessageID)
	}
}

// TestWebhookErrors: 4xx but 408 and 429 are permanent, the rest retriable; nothing is delivered before
// confirmation; a retry does not resend to the subscription that already took the notification.
func TestWebhookErrors(t *testing.T) {
	it := renderCases()["message-agent"]
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{500, false}, {502, false}, {503, false}, {429, false}, {408, false}, {400, true}, {403, true}, {404, true}, {410, true}} {
		rc := newReceiver(t)
		rc.set(tc.status, 0)
		r := newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: rc.srv.URL, Secret: secret}}}, sink.Options{})
		err := r.Deliver(context.Background(), topicARN, "s", contact, it)
		if err == nil || sink.IsPermanent(err) != tc.permanent {
			t.Errorf("answer %d: %v, want permanent=%v", tc.status, err, tc.permanent)
		}
	}

	// A receiver that is down: retriable.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	r := newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: down.URL, Secret: secret}}}, sink.Options{})
	if err := r.Deliver(context.Background(), topicARN, "s", contact, it); err == nil || sink.IsPermanent(err) {
		t.Errorf("receiver down: %v, want a retriable error", err)
	}

	// A confirmation refused with 400: permanent, and no notification goes out; once the receiver accepts, the
	// next delivery confirms and delivers.
	rc := newReceiver(t)
	rc.set(0, 400)
	r = newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: rc.srv.URL, Secret: secret}}}, sink.Options{})
	if err := r.Deliver(context.Background(), topicARN, "s", contact, it); !sink.IsPermanent(err) {
		t.Errorf("confirmation refused: %v, want a permanent error", err)
	}
	if n := rc.ofType("Notification"); len(n) != 0 {
		t.Errorf("%d notifications before confirmation", len(n))
	}
	rc.set(0, 0)
	if err := r.Deliver(context.Background(), topicARN, "s", contact, it); err != nil {
		t.Fatal(err)
	}
	if c, n := rc.ofType("SubscriptionConfirmation"), rc.ofType("Notification"); len(c) != 2 || len(n) != 1 {
		t.Errorf("%d confirmations and %d notifications, want 2 and 1", len(c), len(n))
	}

	// Two subscriptions, one failing for a while: retriable, even when the other one's failure is permanent;
	// the retry reaches only the one that failed.
	good, flaky, gone := newReceiver(t), newReceiver(t), newReceiver(t)
	flaky.set(503, 0)
	gone.set(404, 0)
	r = newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: good.srv.URL, Secret: secret},
		{URL: flaky.srv.URL, Secret: secret}, {URL: gone.srv.URL, Secret: secret}}}, sink.Options{})
	if err := r.Deliver(context.Background(), topicARN, "s", contact, it); err == nil || sink.IsPermanent(err) {
		t.Fatalf("one subscription retriable, one permanent: %v, want a retriable error", err)
	}
	flaky.set(0, 0)
	err := r.Deliver(context.Background(), topicARN, "s", contact, it)
	if !sink.IsPermanent(err) {
		t.Errorf("only the permanent failure left: %v, want a permanent error", err)
	}
	if n := len(good.ofType("Notification")); n != 1 {
		t.Errorf("the healthy receiver got the notification %d times, want 1", n)
	}
	if n := len(flaky.ofType("Notification")); n != 2 {
		t.Errorf("the flaky receiver got %d requests, want 2 (a 503, then the retry)", n)
	}
}

// TestWebhookConfirmByVisit: a receiver written for SNS GETs the SubscribeURL and may answer anything; the
// subscription is confirmed. A wrong token confirms nothing.
func TestWebhookConfirmByVisit(t *testing.T) {
	rc := newReceiver(t)
	rc.visit = true
	rc.set(0, 500)
	r := newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: rc.srv.URL, Secret: secret}}}, sink.Options{})
	if err := r.Deliver(context.Background(), topicARN, "s", contact, renderCases()["message-agent"]); err != nil {
		t.Fatal(err)
	}
	if n := rc.ofType("Notification"); len(n) != 1 {
		t.Fatalf("%d notifications, want 1", len(n))
	}

	srv := httptest.NewServer(r.ConfirmHandler())
	defer srv.Close()
	for path, want := range map[string]int{
		"/streaming/confirm?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=00": 404,
		"/streaming/confirm?Action=Subscribe&TopicArn=" + topicARN + "&Token=00":           400,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// TestWebhookConcurrentConfirm: deliveries racing on a new subscription send one confirmation.
func TestWebhookConcurrentConfirm(t *testing.T) {
	rc := newReceiver(t)
	r := newRouter(t, map[string][]sink.Subscription{topicARN: {{URL: rc.srv.URL, Secret: secret}}}, sink.Options{})
	var wg sync.WaitGroup
	cases := renderCases()
	for _, it := range cases {
		wg.Go(func() {
			if err := r.Deliver(context.Background(), topicARN, "s", contact, it); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if c, n := rc.ofType("SubscriptionConfirmation"), rc.ofType("Notification"); len(c) != 1 || len(n) != len(cases) {
		t.Errorf("%d confirmations and %d notifications, want 1 and %d", len(c), len(n), len(cases))
	}
}

// TestVerify: what Verify accepts and refuses.
func TestVerify(t *testing.T) {
	n := sink.Notification{Type: "Notification", MessageID: "m1", TopicArn: topicARN, Message: `{"Id":"i1","Type":"MESSAGE"}`,
		Timestamp: wire.FormatTime(clock), MessageAttributes: map[string]sink.Attribute{"Type": {"String", "MESSAGE"}}}
	body, _ := json.Marshal(n)
	req := func(body []byte, sig, typ string) *http.Request {
		r := httptest.NewRequest("POST", "/hook", strings.NewReader(string(body)))
		if sig != "" {
			r.Header.Set(sink.SignatureHeader, sig)
		}
		if typ != "" {
			r.Header.Set("x-amz-sns-message-type", typ)
		}
		return r
	}
	r := req(body, sink.Sign(body, secret), "Notification")
	got, err := sink.Verify(r, secret)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(n, got); d != "" {
		t.Errorf("(-sent +verified):\n%s", d)
	}
	if again, _ := io.ReadAll(r.Body); string(again) != string(body) {
		t.Error("the body cannot be read again after Verify")
	}
	tampered := []byte(strings.Replace(string(body), "MESSAGE", "EVENT", 1))
	bad := func(b []byte, s string) []byte {
		return []byte(strings.Replace(string(b), `"Type":"Notification"`, s, 1))
	}
	for name, tc := range map[string]struct {
		r    *http.Request
		want error
	}{
		"no signature":      {req(body, "", ""), sink.ErrSignature},
		"other secret":      {req(body, sink.Sign(body, "other"), ""), sink.ErrSignature},
		"tampered body":     {req(tampered, sink.Sign(body, secret), ""), sink.ErrSignature},
		"sha1":              {req(body, strings.Replace(sink.Sign(body, secret), "sha256", "sha1", 1), ""), sink.ErrSignature},
		"not hex":           {req(body, "sha256=zz", ""), sink.ErrSignature},
		"short":             {req(body, sink.Sign(body, secret)[:20], ""), sink.ErrSignature},
		"long":              {req(body, sink.Sign(body, secret)+"00", ""), sink.ErrSignature},
		"type mismatch":     {req(body, sink.Sign(body, secret), "SubscriptionConfirmation"), sink.ErrMalformed},
		"not JSON":          {req([]byte("nope"), sink.Sign([]byte("nope"), secret), ""), sink.ErrMalformed},
		"unknown type":      {req(bad(body, `"Type":"Other"`), sink.Sign(bad(body, `"Type":"Other"`), secret), ""), sink.ErrMalformed},
		"confirm, no token": {req(bad(body, `"Type":"SubscriptionConfirmation"`), sink.Sign(bad(body, `"Type":"SubscriptionConfirmation"`), secret), ""), sink.ErrMalformed},
	} {
		if _, err := sink.Verify(tc.r, secret); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if _, err := sink.Verify(req(body, sink.Sign(body, ""), ""), ""); !errors.Is(err, sink.ErrSignature) {
		t.Errorf("empty secret: %v, want ErrSignature", err)
	}
	// VerifyBody, from the raw body and header values, answers as Verify does.
	if got, err := sink.VerifyBody(body, sink.Sign(body, secret), "Notification", secret); err != nil || cmp.Diff(n, got) != "" {
		t.Errorf("VerifyBody: %+v, %v", got, err)
	}
	if _, err := sink.VerifyBody(tampered, sink.Sign(body, secret), "", secret); !errors.Is(err, sink.ErrSignature) {
		t.Errorf("VerifyBody of a tampered body: %v, want ErrSignature", err)
	}
}

// FuzzVerify: Verify never panics, accepts only signed complete envelopes, and leaves the body readable.
func FuzzVerify(f *testing.F) {
	n := sink.Notification{Type: "Notification", MessageID: "m1", TopicArn: topicARN, Message: "{}", Timestamp: "2026-12-03T23:00:00.123Z",
		MessageAttributes: map[string]sink.Attribute{"Type": {"String", "MESSAGE"}}}
	body, _ := json.Marshal(n)
	f.Add(body, true, "", "Notification")
	f.Add([]byte(`{"Type":"SubscriptionConfirmation","MessageId":"x","Token":"t","TopicArn":"a","Timestamp":"2026-12-03T23:00:00Z"}`), true, "", "")
	f.Add([]byte(`{"Type":"Notification"}`), false, "sha256=00", "")
	f.Add([]byte(`[]`), true, "", "Notification")
	f.Fuzz(func(t *testing.T, body []byte, sign bool, sig, typ string) {
		if sign {
			sig = sink.Sign(body, secret)
		}
		r := httptest.NewRequest("POST", "/hook", strings.NewReader(string(body)))
		r.Header.Set(sink.SignatureHeader, sig)
		r.Header.Set("X-Amz-Sns-Message-Type", typ)
		n, err := sink.Verify(r, secret)
		if again, _ := io.ReadAll(r.Body); string(again) != string(body) {
			t.Fatal("body not restored")
		}
		if err != nil {
			if !errors.Is(err, sink.ErrSignature) && !errors.Is(err, sink.ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !strings.EqualFold(sig, sink.Sign(body, secret)) {
			t.Fatalf("accepted a body whose signature %q is not its own", sig)
		}
		if n.Type != "Notification" && n.Type != "SubscriptionConfirmation" || n.MessageID == "" || n.TopicArn == "" {
			t.Fatalf("accepted an incomplete envelope %+v", n)
		}
	})
}
