package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/streaming/sink/snstest"
	"github.com/parley-chat/parley/wire"
)

// streamTopic is the topic every chat of a --stream run is streamed to; the receiver subscribes to it.
const streamTopic = "arn:aws:sns:us-west-2:000000000000:parley-bench"

// StreamReport is what the receiver of a --stream run got.
type StreamReport struct {
	// Messages is the chat messages that reached the receiver (at least once each), Expected the acknowledged
	// messages of the run (warm-up included).
	Messages int64 `json:"messages"`
	Expected int64 `json:"expected"`
	// Notifications is every notification received (events and redeliveries included).
	Notifications int64 `json:"notifications"`
	// DrainSeconds is how long after the last acknowledged message the receiver had them all; -1: not within
	// the 60 s the run waits.
	DrainSeconds float64 `json:"drain_seconds"`
	// Requests is the HTTP requests that carried them: one per notification to a webhook, one per Publish or
	// PublishBatch to SNS (failed ones included).
	Requests int64 `json:"requests"`
	// Refused is deliveries whose signature or envelope did not check.
	Refused int64 `json:"refused"`
	// To is the receiver: "a webhook" or "SNS".
	To string `json:"to"`
}

// receiver is a webhook subscriber of streamTopic on loopback, or a local SNS that has the topic; either checks
// every request's signature as a real receiver would (HMAC-SHA256, SigV4), and counts what it gets.
type receiver struct {
	secret   string
	srv      *http.Server
	sns      *snstest.Server // the SNS receiver; nil for a webhook
	url      string
	messages atomic.Int64
	all      atomic.Int64
	requests atomic.Int64
	refused  atomic.Int64
}

func startReceiver(to string) (*receiver, error) {
	switch to {
	case "", "webhook":
	case "sns":
		rc := &receiver{sns: snstest.Start()}
		rc.sns.Keep = false
		rc.sns.SecretAccessKey = "bench" // env's: every request's signature is checked, as SNS does
		rc.sns.CreateTopic(streamTopic)
		rc.sns.OnPublish = func(p snstest.Publish) {
			rc.all.Add(1)
			if p.MessageAttributes["Type"].StringValue == "MESSAGE" {
				rc.messages.Add(1)
			}
		}
		return rc, nil
	default:
		return nil, fmt.Errorf("--stream-to %q: want webhook or sns", to)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{secret: newToken(), url: "http://" + ln.Addr().String() + "/"}
	rc.srv = &http.Server{Handler: http.HandlerFunc(rc.serve), ReadHeaderTimeout: 10 * time.Second}
	go rc.srv.Serve(ln)
	return rc, nil
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	rc.requests.Add(1)
	n, err := sink.Verify(r, rc.secret)
	if err != nil {
		rc.refused.Add(1)
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if n.Type != sink.TypeNotification {
		return // the subscription confirmation: a 2xx confirms it
	}
	rc.all.Add(1)
	if n.Attr("Type") == "MESSAGE" {
		rc.messages.Add(1)
	}
}

// config is the streaming section a server needs to deliver streamTopic to the receiver.
func (rc *receiver) config() *sink.Config {
	if rc.sns != nil {
		return &sink.Config{SNSEndpoint: rc.sns.URL}
	}
	return &sink.Config{Subscriptions: map[string][]sink.Subscription{streamTopic: {{URL: rc.url, Secret: rc.secret}}}}
}

// wait waits up to 60 s for expected messages and reports what arrived.
func (rc *receiver) wait(ctx context.Context, expected int64, since time.Time) *StreamReport {
	x := &StreamReport{Expected: expected, DrainSeconds: -1}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if rc.messages.Load() >= expected {
			x.DrainSeconds = time.Since(since).Seconds()
			break
		}
		if sleepCtx(ctx, 20*time.Millisecond) != nil {
			break
		}
	}
	x.Messages, x.Notifications, x.Refused = rc.messages.Load(), rc.all.Load(), rc.refused.Load()
	x.To, x.Requests = "a webhook", rc.requests.Load()
	if rc.sns != nil {
		x.To, x.Requests = "SNS", int64(rc.sns.Requests())
	}
	return x
}

// env is what a server needs besides config to reach the receiver: credentials to sign SNS requests with.
func (rc *receiver) env() []string {
	if rc.sns == nil {
		return nil
	}
	return []string{"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_REGION=us-west-2"}
}

func (rc *receiver) close() error {
	if rc.sns != nil {
		rc.sns.Close()
		return nil
	}
	return rc.srv.Close()
}

// streamingYAML writes a configuration file with the streaming section cfg, for a spawned server.
func streamingYAML(cfg *sink.Config) (string, error) {
	if cfg.SNSEndpoint != "" {
		return fmt.Sprintf("streaming:\n  sns_endpoint: %q\n", cfg.SNSEndpoint), nil
	}
	if len(cfg.Subscriptions) != 1 {
		return "", errors.New("bench: one subscription expected")
	}
	s := cfg.Subscriptions[streamTopic][0]
	return fmt.Sprintf("streaming:\n  subscriptions:\n    %q:\n      - url: %q\n        secret: %q\n", streamTopic, s.URL, s.Secret), nil
}

// startStreaming is StartContactStreaming of a chat to streamTopic.
func (a *api) startStreaming(ctx context.Context, instanceID, contactID string) error {
	topic, token := streamTopic, newToken()
	req := wire.StartContactStreamingRequest{InstanceID: &instanceID, ContactID: &contactID, ClientToken: &token,
		ChatStreamingConfiguration: &wire.ChatStreamingConfiguration{StreamingEndpointArn: &topic}}
	var out wire.StartContactStreamingResponse
	if err := a.do(ctx, http.MethodPost, wire.PathStartContactStreaming, nil, req, &out); err != nil {
		return err
	}
	if out.StreamingID == "" {
		return errors.New("StartContactStreaming: answer without StreamingId")
	}
	return nil
}
