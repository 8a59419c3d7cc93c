package sink_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/streaming/sink/snstest"
)

// noAWS empties the standard credential chain for the test.
func noAWS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SNS", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
}

// TestRouterDispatch: a registered handler wins over webhooks, webhooks over SNS; a topic with no route is a
// permanent error; each route gets the same rendered notification.
func TestRouterDispatch(t *testing.T) {
	const (
		inProcess = "arn:aws:sns:us-west-2:123456789012:bridge"
		hooked    = "arn:aws:sns:us-west-2:123456789012:hooked"
		published = "arn:aws:sns:ap-south-1:210987654321:published"
	)
	rc := newReceiver(t)
	fake := snstest.New(t)
	fake.CreateTopic(published)
	subs := map[string][]sink.Subscription{
		inProcess: {{URL: rc.srv.URL + "/shadowed", Secret: secret}},
		hooked:    {{URL: rc.srv.URL, Secret: secret}},
	}
	var err error
	r, err := sink.NewRouter(context.Background(), sink.Config{SNSEndpoint: fake.URL, Subscriptions: subs},
		sink.Options{AccountID: account, AWS: staticAWS()})
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		Msg   string
		Attrs map[string]string
	}
	var calls []call
	r.Register(inProcess, func(_ context.Context, msg string, attrs map[string]string) error {
		calls = append(calls, call{msg, attrs})
		return nil
	})
	it := renderCases()["message-customer"]
	msg, attrs, _ := sink.Render(contact, it, account)
	for _, topic := range []string{inProcess, hooked, published} {
		if err := r.Deliver(context.Background(), topic, "s", contact, it); err != nil {
			t.Fatalf("%s: %v", topic, err)
		}
	}
	if d := cmp.Diff([]call{{msg, attrs}}, calls); d != "" {
		t.Errorf("in-process handler (-want +got):\n%s", d)
	}
	if n := rc.ofType("Notification"); len(n) != 1 || n[0].TopicArn != hooked || n[0].Message != msg {
		t.Errorf("webhook got %+v, want the notification of %s only", n, hooked)
	}
	if p := fake.Publishes(); len(p) != 1 || p[0].TopicArn != published || p[0].Message != msg || p[0].Region != "ap-south-1" {
		t.Errorf("SNS got %+v, want the notification of %s", p, published)
	}

	// Handler errors are the handler's: retriable unless it says permanent.
	r.Register(inProcess, func(context.Context, string, map[string]string) error { return errors.New("busy") })
	if err := r.Deliver(context.Background(), inProcess, "s", contact, it); err == nil || sink.IsPermanent(err) {
		t.Errorf("handler failure: %v, want retriable", err)
	}
	r.Register(inProcess, func(context.Context, string, map[string]string) error { return sink.Permanent(errors.New("no")) })
	if err := r.Deliver(context.Background(), inProcess, "s", contact, it); !sink.IsPermanent(err) {
		t.Errorf("handler refusal: %v, want permanent", err)
	}
	// Unregistered, the topic falls back to its webhook.
	r.Unregister(inProcess)
	if err := r.Deliver(context.Background(), inProcess, "s", contact, it); err != nil {
		t.Fatal(err)
	}
	if n := rc.ofType("Notification"); len(n) != 2 || n[1].TopicArn != inProcess {
		t.Errorf("after Unregister the webhook got %d notifications", len(n))
	}
	for _, arn := range []string{"", "arn:aws:sns:us-west-2:123456789012:t.fifo", "arn:aws:sqs:us-west-2:123456789012:q"} {
		if err := r.Deliver(context.Background(), arn, "s", contact, it); !sink.IsPermanent(err) {
			t.Errorf("%q: %v, want permanent", arn, err)
		}
	}
}

// TestRouterNoRoute: without a handler, a subscription, an SNS endpoint or AWS credentials, an item has nowhere
// to go: a permanent error, not an endless retry.
func TestRouterNoRoute(t *testing.T) {
	noAWS(t)
	r, err := sink.NewRouter(context.Background(), sink.Config{}, sink.Options{AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	err = r.Deliver(context.Background(), topicARN, "s", contact, renderCases()["message-agent"])
	if !sink.IsPermanent(err) {
		t.Errorf("no route: %v, want a permanent error", err)
	}

	// Credentials in the chain turn SNS on (the endpoint comes from the SDK's own setting here, so that the
	// router's configuration has none).
	fake := snstest.New(t)
	fake.CreateTopic(topicARN)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL_SNS", fake.URL)
	r, err = sink.NewRouter(context.Background(), sink.Config{}, sink.Options{AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Deliver(context.Background(), topicARN, "s", contact, renderCases()["message-agent"]); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_ENDPOINT_URL_SNS", "")
	// An endpoint alone turns SNS on: without credentials the publish fails, but retriably (credentials may
	// come), not as an item with nowhere to go.
	r, err = sink.NewRouter(context.Background(), sink.Config{SNSEndpoint: fake.URL}, sink.Options{AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Deliver(context.Background(), topicARN, "s", contact, renderCases()["message-agent"]); err == nil || sink.IsPermanent(err) {
		t.Errorf("endpoint without credentials: %v, want a retriable error", err)
	}
	if n := len(fake.Publishes()); n != 1 {
		t.Errorf("%d publishes, want 1", n)
	}
}

// deliverer is the interface the streaming core calls; every sink satisfies it.
type deliverer interface {
	Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error
}

var (
	_ deliverer = (*sink.Router)(nil)
	_ deliverer = (*sink.SNS)(nil)
	_ deliverer = (*sink.Webhooks)(nil)
)

// registrar is how the channel bridges see the router, written without this package's types.
type registrar interface {
	Register(topicARN string, h func(ctx context.Context, message string, attrs map[string]string) error)
}

var _ registrar = (*sink.Router)(nil)

// TestValidateSubscriptions: each refusal names what is wrong; a valid section passes.
func TestValidateSubscriptions(t *testing.T) {
	topic := "arn:aws:sns:us-west-2:123456789012:stream"
	ok := sink.Subscription{URL: "https://hooks.example.com/in", Secret: "s"}
	if err := sink.ValidateSubscriptions(map[string][]sink.Subscription{topic: {ok}}); err != nil {
		t.Fatalf("valid subscriptions refused: %v", err)
	}
	for _, c := range []struct {
		subs map[string][]sink.Subscription
		want string
	}{
		{map[string][]sink.Subscription{"not-an-arn": {ok}}, "streaming.subscriptions"},
		{map[string][]sink.Subscription{topic: {}}, "has no subscription"},
		{map[string][]sink.Subscription{topic: {{URL: "ftp://x/", Secret: "s"}}}, "is not an http(s) URL"},
		{map[string][]sink.Subscription{topic: {{URL: "https://x/"}}}, "needs a secret"},
		{map[string][]sink.Subscription{topic: {ok, ok}}, "subscribed twice"},
	} {
		err := sink.ValidateSubscriptions(c.subs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.subs, err, c.want)
		}
	}
}
