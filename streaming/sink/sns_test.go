package sink_test

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/streaming"
	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/streaming/sink/snstest"
)

const topicARN = "arn:aws:sns:eu-west-3:123456789012:parley-stream"

// staticAWS is an AWS configuration with fixed test credentials.
func staticAWS() *aws.Config {
	return &aws.Config{Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
	})}
}

func newSNS(t *testing.T, fake *snstest.Server) *sink.SNS {
	t.Helper()
	fake.SecretAccessKey = "secret" // staticAWS's: every request's signature is checked
	s, err := sink.NewSNS(context.Background(), sink.SNSOptions{Endpoint: fake.URL, AccountID: account, AWS: staticAWS()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSNSPublish: the official SDK publishes the rendered Message and the attributes, as String attributes,
// to the topic, signed for the topic's region.
func TestSNSPublish(t *testing.T) {
	fake := snstest.New(t)
	fake.CreateTopic(topicARN)
	s := newSNS(t, fake)
	for _, name := range []string{"message-customer", "event-chat-ended", "attachment"} {
		it := renderCases()[name]
		if err := s.Deliver(context.Background(), topicARN, "stream-1", contact, it); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	got := fake.Publishes()
	if len(got) != 3 {
		t.Fatalf("%d publishes, want 3", len(got))
	}
	for i, name := range []string{"message-customer", "event-chat-ended", "attachment"} {
		msg, attrs, _ := sink.Render(contact, renderCases()[name], account)
		p := got[i]
		if p.TopicArn != topicARN || p.Region != "eu-west-3" {
			t.Errorf("%s: published to %s signed for %q, want %s in eu-west-3", name, p.TopicArn, p.Region, topicARN)
		}
		if p.Message != msg {
			t.Errorf("%s: Message %s, want %s", name, p.Message, msg)
		}
		want := map[string]snstest.Attribute{}
		for k, v := range attrs {
			want[k] = snstest.Attribute{DataType: "String", StringValue: v}
		}
		if d := cmp.Diff(want, p.MessageAttributes); d != "" {
			t.Errorf("%s: attributes (-want +got):\n%s", name, d)
		}
	}
}

// TestSNSErrors: what SNS refuses for good is permanent, the rest retriable; a retriable failure leaves
// nothing published, and the retry publishes.
func TestSNSErrors(t *testing.T) {
	fake := snstest.New(t)
	fake.CreateTopic(topicARN)
	s := newSNS(t, fake)
	it := renderCases()["message-agent"]
	for _, tc := range []struct {
		code      string
		permanent bool
	}{
		{snstest.InternalError, false},
		{snstest.Throttled, false},
		{"ServiceUnavailable", false},
		{snstest.NotFound, true},
		{snstest.InvalidParameter, true},
		{snstest.AuthorizationError, true},
	} {
		fake.FailNext(tc.code, 1)
		err := s.Deliver(context.Background(), topicARN, "stream-1", contact, it)
		if err == nil {
			t.Errorf("%s: no error", tc.code)
			continue
		}
		if sink.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tc.code, err, !tc.permanent, tc.permanent)
		}
	}
	if n := len(fake.Publishes()); n != 0 {
		t.Fatalf("%d publishes after failures only", n)
	}
	if n := fake.Requests(); n != 6 {
		t.Errorf("%d requests for 6 failures: the SDK retried on its own", n)
	}
	if err := s.Deliver(context.Background(), topicARN, "stream-1", contact, it); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(fake.Publishes()); n != 1 {
		t.Errorf("%d publishes after the retry, want 1", n)
	}

	// A topic that does not exist, and ARNs that are not standard SNS topics: permanent.
	for _, arn := range []string{"arn:aws:sns:eu-west-3:123456789012:nope", "arn:aws:sns:eu-west-3:123456789012:t.fifo",
		"arn:aws:sqs:eu-west-3:123456789012:q", "arn:aws:sns:eu-west-3:1234:t", "not-an-arn", ""} {
		err := s.Deliver(context.Background(), arn, "stream-1", contact, it)
		if !sink.IsPermanent(err) {
			t.Errorf("%q: %v, want a permanent error", arn, err)
		}
	}

	// An endpoint that does not answer: retriable.
	down, err := sink.NewSNS(context.Background(), sink.SNSOptions{Endpoint: "http://127.0.0.1:1", AWS: staticAWS()})
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Deliver(context.Background(), topicARN, "stream-1", contact, it); err == nil || sink.IsPermanent(err) {
		t.Errorf("unreachable endpoint: %v, want a retriable error", err)
	}
}

// TestSNSDefaultChain: without an explicit configuration the credentials come from the standard chain (here
// the environment).
func TestSNSDefaultChain(t *testing.T) {
	envCredentials(t)
	t.Setenv("AWS_REGION", "us-east-1") // the topic's region wins
	fake := snstest.New(t)
	fake.SecretAccessKey = "secret"
	fake.CreateTopic(topicARN)
	s, err := sink.NewSNS(context.Background(), sink.SNSOptions{Endpoint: fake.URL, AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(context.Background(), topicARN, "stream-1", contact, renderCases()["message-agent"]); err != nil {
		t.Fatal(err)
	}
	if p := fake.Publishes(); len(p) != 1 || p[0].Region != "eu-west-3" {
		t.Errorf("publishes %+v, want one signed for eu-west-3", p)
	}
}

// TestRouterDeliverBatch: consecutive items bound for SNS go out in one PublishBatch, in order, with the same
// Message and attributes as single publishes; a refused batch delivers none.
func TestRouterDeliverBatch(t *testing.T) {
	fake := snstest.New(t)
	fake.SecretAccessKey = "secret"
	fake.CreateTopic(topicARN)
	r, err := sink.NewRouter(context.Background(), sink.Config{SNSEndpoint: fake.URL}, sink.Options{AccountID: account, AWS: staticAWS()})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"message-customer", "event-chat-ended", "attachment"}
	var ds []streaming.Delivery
	for _, name := range names {
		ds = append(ds, streaming.Delivery{Contact: contact, Item: renderCases()[name]})
	}
	n, err := r.DeliverBatch(context.Background(), topicARN, "stream-1", ds)
	if n != 3 || err != nil {
		t.Fatalf("DeliverBatch = %d, %v", n, err)
	}
	if fake.Requests() != 1 {
		t.Errorf("%d requests, want one PublishBatch", fake.Requests())
	}
	got := fake.Publishes()
	for i, name := range names {
		msg, attrs, _ := sink.Render(contact, renderCases()[name], account)
		if got[i].Message != msg || got[i].MessageAttributes["ContactId"].StringValue != attrs["ContactId"] ||
			len(got[i].MessageAttributes) != len(attrs) || got[i].Region != "eu-west-3" {
			t.Errorf("entry %d (%s) = %+v", i, name, got[i])
		}
	}
	fake.FailNext(snstest.InternalError, 1)
	if n, err := r.DeliverBatch(context.Background(), topicARN, "stream-1", ds); n != 0 || err == nil || sink.IsPermanent(err) {
		t.Errorf("a failing PublishBatch = %d, %v; want 0 and a retriable error", n, err)
	}
}

// TestSNSCABundle: SNS over TLS trusts the CAs of AWS_CA_BUNDLE when the configuration is the default one, as
// the SDK does, and without it not a certificate the system does not know.
func TestSNSCABundle(t *testing.T) {
	dir := envCredentials(t)
	fake := snstest.New(t)
	fake.SecretAccessKey = "secret"
	fake.CreateTopic(topicARN)
	ts := httptest.NewUnstartedServer(fake)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	ts.StartTLS()
	defer ts.Close()
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	deliver := func() error {
		s, err := sink.NewSNS(context.Background(), sink.SNSOptions{Endpoint: ts.URL, AccountID: account})
		if err != nil {
			t.Fatal(err)
		}
		return s.Deliver(context.Background(), topicARN, "stream-1", contact, renderCases()["message-agent"])
	}
	if err := deliver(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without AWS_CA_BUNDLE: %v, want a certificate error", err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	if err := deliver(); err != nil {
		t.Errorf("with AWS_CA_BUNDLE: %v", err)
	}
	if n := len(fake.Publishes()); n != 1 {
		t.Errorf("%d publishes, want 1", n)
	}
}

// envCredentials makes the standard AWS chain find only the environment's access key AKIDENV (secret "secret"):
// no configuration or credentials file, no instance metadata. It returns the empty directory the files would
// be in.
func envCredentials(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	return dir
}
