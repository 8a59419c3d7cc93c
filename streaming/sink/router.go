package sink

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/streaming"
)

// Config is the streaming section of parley's configuration that says where notifications go.
type Config struct {
	// SNSEndpoint replaces SNS's regional endpoint (streaming.sns_endpoint, PARLEY_SNS_ENDPOINT,
	// --sns-endpoint). Setting it turns SNS publishing on even when no AWS credentials are found.
	SNSEndpoint string `yaml:"sns_endpoint"`
	// Subscriptions are webhook subscriptions by topic ARN (streaming.subscriptions).
	Subscriptions map[string][]Subscription `yaml:"subscriptions"`
}

// Validate checks the subscriptions and the endpoint.
func (c Config) Validate() error {
	if c.SNSEndpoint != "" && !strings.HasPrefix(c.SNSEndpoint, "http://") && !strings.HasPrefix(c.SNSEndpoint, "https://") {
		return fmt.Errorf("streaming.sns_endpoint: %q is not an http(s) URL", c.SNSEndpoint)
	}
	return ValidateSubscriptions(c.Subscriptions)
}

// Handler receives the notifications of a topic in process: the Message and its attributes, as a webhook or
// an SNS subscriber would. An error is retried unless IsPermanent.
type Handler func(ctx context.Context, message string, attrs map[string]string) error

// Router is the Deliver of the streaming core: it renders each item once and sends it by the first route the
// topic has, in this order: a Handler registered in process, webhook subscriptions, SNS (when an endpoint is
// configured or AWS credentials are found). A topic with none of them is a permanent error.
type Router struct {
	accountID string
	webhooks  *Webhooks
	sns       *SNS
	snsAlways bool // an endpoint or an explicit AWS configuration: no credential check
	log       *slog.Logger
	now       func() time.Time

	mu       sync.RWMutex
	handlers map[string]Handler
	credOK   bool
	credErr  error
	credAt   time.Time
}

// Options are what NewRouter takes from the server besides the streaming configuration.
type Options struct {
	// AccountID is the AccountId attribute (the server's account_id).
	AccountID string
	// PublicURL is the base URL the server is reached at; the SubscribeURL of confirmations is
	// PublicURL + ConfirmPath. Empty leaves SubscribeURL out.
	PublicURL string
	// HTTPClient makes webhook requests. Default: see WebhookOptions.Client.
	HTTPClient *http.Client
	// AWS, when set, supplies SNS's credentials and HTTP client instead of the standard chain.
	AWS *aws.Config
	// Log receives confirmations and the SNS availability. Default: discarded.
	Log *slog.Logger
	// Now is the clock of envelope Timestamps. Default time.Now.
	Now func() time.Time
}

// credRetry is how long a failed AWS credential lookup is remembered before the next SNS-bound item looks
// again (the lookup may wait on the instance metadata service).
const credRetry = time.Minute

// NewRouter returns the router of a streaming configuration. It reads the AWS configuration (files and
// environment) but contacts nothing: credentials are looked up at the first item bound for SNS.
func NewRouter(ctx context.Context, cfg Config, o Options) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Router{accountID: o.AccountID, log: o.Log, now: o.Now, handlers: map[string]Handler{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	confirm := ""
	if o.PublicURL != "" {
		confirm = strings.TrimSuffix(o.PublicURL, "/") + ConfirmPath
	}
	var err error
	r.webhooks, err = NewWebhooks(cfg.Subscriptions, WebhookOptions{AccountID: o.AccountID, ConfirmURL: confirm,
		Client: o.HTTPClient, Now: r.now, Log: r.log})
	if err != nil {
		return nil, err
	}
	r.sns, err = NewSNS(ctx, SNSOptions{Endpoint: cfg.SNSEndpoint, AccountID: o.AccountID, AWS: o.AWS})
	if err != nil {
		if cfg.SNSEndpoint != "" {
			return nil, err
		}
		r.log.Warn("streaming to SNS is off: the AWS configuration does not load", "err", err)
		r.sns = nil
	}
	r.snsAlways = cfg.SNSEndpoint != "" || o.AWS != nil
	return r, nil
}

// Register makes h the receiver of topicARN's notifications, in place of any other route; a later Register
// of the same topic replaces h. It panics if ParseTopic refuses topicARN, as nothing could ever reach it.
//
// h's type is spelled out rather than Handler, so that Router satisfies interfaces written without this
// package.
func (r *Router) Register(topicARN string, h func(ctx context.Context, message string, attrs map[string]string) error) {
	if _, err := ParseTopic(topicARN); err != nil {
		panic(err)
	}
	if h == nil {
		panic("sink: Register with a nil handler")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[topicARN] = h
}

// Unregister removes the handler of topicARN.
func (r *Router) Unregister(topicARN string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.handlers, topicARN)
}

// ConfirmHandler serves the SubscribeURL of webhook confirmations; mount it at "GET " + ConfirmPath.
func (r *Router) ConfirmHandler() http.Handler { return r.webhooks.ConfirmHandler() }

// Webhooks returns the router's webhook sink (for Confirmed).
func (r *Router) Webhooks() *Webhooks { return r.webhooks }

// Deliver sends the notification of item it of contact c to endpointARN. streamingID is the stream's id
// (StartContactStreaming's StreamingId); with the item's Id it makes the webhook MessageId. Errors:
// permanent when the ARN is malformed, the item cannot be rendered, the topic has no route, or the route
// refuses it for good; otherwise retriable.
func (r *Router) Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error {
	t, err := ParseTopic(endpointARN)
	if err != nil {
		return err
	}
	r.mu.RLock()
	h := r.handlers[t.ARN]
	r.mu.RUnlock()
	return r.deliver(ctx, t, h, streamingID, c, it)
}

// deliver is Deliver to a parsed topic whose handler, if any, is h.
func (r *Router) deliver(ctx context.Context, t Topic, h Handler, streamingID string, c *parley.Contact, it *parley.Item) error {
	msg, attrs, err := render(c, it, r.accountID)
	if err != nil {
		return Permanent(err)
	}
	switch {
	case h != nil:
		return h(ctx, msg, attrs.toMap())
	case r.webhooks.Has(t.ARN):
		return r.webhooks.publish(ctx, t.ARN, messageID(streamingID, t.ARN, it.ID), msg, &attrs)
	}
	if err := r.snsReady(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return permanentf("sink: %s has no in-process handler and no webhook subscription, and SNS is not available: %v", t.ARN, err)
	}
	_, err = r.sns.publishBatch(ctx, t, []rendered{{msg, attrs}})
	return err
}

// DeliverBatch sends consecutive items of one stream: to SNS in PublishBatch requests shared with the other
// streams of the topic (see SNS), to a handler or webhooks one by one (their receivers take one notification
// per call). It returns how many were delivered, from the first;
// when fewer than all, err is the error of the next one.
func (r *Router) DeliverBatch(ctx context.Context, endpointARN, streamingID string, ds []streaming.Delivery) (int, error) {
	t, err := ParseTopic(endpointARN)
	if err != nil {
		return 0, err
	}
	r.mu.RLock()
	h := r.handlers[t.ARN]
	r.mu.RUnlock()
	if h != nil || r.webhooks.Has(t.ARN) {
		for i, d := range ds {
			if err := r.deliver(ctx, t, h, streamingID, d.Contact, d.Item); err != nil {
				return i, err
			}
		}
		return len(ds), nil
	}
	if err := r.snsReady(ctx); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, permanentf("sink: %s has no in-process handler and no webhook subscription, and SNS is not available: %v", t.ARN, err)
	}
	msgs := make([]rendered, 0, len(ds))
	var renderErr error
	for _, d := range ds {
		msg, attrs, err := render(d.Contact, d.Item, r.accountID)
		if err != nil {
			renderErr = Permanent(err)
			break
		}
		msgs = append(msgs, rendered{msg, attrs})
	}
	if len(msgs) == 0 {
		return 0, renderErr
	}
	n, err := r.sns.publishBatch(ctx, t, msgs)
	if n == len(msgs) && renderErr != nil {
		return n, renderErr // the ones before it went out
	}
	return n, err
}

// snsReady reports whether SNS may be used: an endpoint or an explicit configuration is set, or the standard
// chain yields credentials (looked up once, or again credRetry after a failure).
func (r *Router) snsReady(ctx context.Context) error {
	if r.sns == nil {
		return fmt.Errorf("the AWS configuration does not load")
	}
	if r.snsAlways {
		return nil
	}
	r.mu.RLock()
	ok, err, at := r.credOK, r.credErr, r.credAt
	r.mu.RUnlock()
	if ok {
		return nil
	}
	if err != nil && r.now().Sub(at) < credRetry {
		return err
	}
	if r.sns.aws.Credentials == nil {
		err = fmt.Errorf("none configured")
	} else if _, err = r.sns.aws.Credentials.Retrieve(ctx); err != nil && ctx.Err() != nil {
		return ctx.Err() // cut short, not missing: remember nothing
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.credErr, r.credAt = fmt.Errorf("no AWS credentials: %w", err), r.now()
		return r.credErr
	}
	if !r.credOK {
		r.log.Info("streaming to SNS with credentials from the AWS chain")
	}
	r.credOK, r.credErr = true, nil
	return nil
}
