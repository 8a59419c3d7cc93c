package sink

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/parley-chat/parley"
)

// SNS publishes notifications to SNS topics with aws-sdk-go-v2, in the region of the topic's ARN: concurrent
// deliveries to one topic go out together in PublishBatch requests (snsbatch.go), a lone one with Publish. The
// SDK does not retry: the streaming core does, with its own backoff.
type SNS struct {
	aws       aws.Config
	poster    *poster // nil when SNSOptions.AWS brings its own HTTP client
	endpoint  string
	accountID string

	mu      sync.Mutex
	regions map[string]*snsRegion  // see snsquery.go
	queues  map[string]*topicQueue // by topic ARN: see snsbatch.go
}

// SNSOptions configure an SNS sink.
type SNSOptions struct {
	// Endpoint, when set, replaces SNS's regional endpoint (streaming.sns_endpoint): a local fake, a
	// VPC endpoint, an SNS-compatible service.
	Endpoint string
	// AccountID is the AccountId attribute of every notification (the server's account_id).
	AccountID string
	// AWS supplies credentials and the HTTP client. Nil loads the standard chain (environment, shared
	// files, SSO, container and instance roles) with config.LoadDefaultConfig.
	AWS *aws.Config
}

// NewSNS returns an SNS sink. It only reads the AWS configuration; credentials are fetched at the first
// publish.
func NewSNS(ctx context.Context, o SNSOptions) (*SNS, error) {
	var cfg aws.Config
	if o.AWS != nil {
		cfg = o.AWS.Copy()
	} else {
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("sink: AWS configuration: %w", err)
		}
	}
	var p *poster
	if bc, ok := sdkClient(cfg.HTTPClient, o.AWS == nil); ok {
		// Requests go out through parley's own HTTP client (poster.go), trusting the CAs the SDK's client
		// trusts (AWS_CA_BUNDLE, ca_bundle): the SDK's, net/http's, costs two goroutine hand-offs and a 32 KiB
		// copy buffer per request. The SDK's client, kept for endpoints behind a proxy, keeps 128 idle
		// connections per host rather than 10.
		var roots *x509.CertPool
		if tr := bc.GetTransport(); tr.TLSClientConfig != nil {
			roots = tr.TLSClientConfig.RootCAs
		}
		p = newPoster(DefaultWebhookTimeout, roots)
		cfg.HTTPClient = bc.WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 128 })
	}
	return &SNS{aws: cfg, poster: p, endpoint: o.Endpoint, accountID: o.AccountID, regions: map[string]*snsRegion{},
		queues: map[string]*topicQueue{}}, nil
}

// sdkClient returns the SDK client parley may replace with its own: the one the default configuration made
// (loaded), or a new one when the given configuration has none. A client of the caller's is theirs to keep.
func sdkClient(c aws.HTTPClient, loaded bool) (*awshttp.BuildableClient, bool) {
	if c == nil {
		return awshttp.NewBuildableClient(), true
	}
	bc, ok := c.(*awshttp.BuildableClient)
	return bc, ok && loaded
}

// Deliver publishes the notification of item it of contact c to the topic endpointARN. Errors: permanent for a
// malformed ARN and for SNS's NotFound, InvalidParameter(Value), AuthorizationError and InvalidSecurity;
// anything else (throttling, 5xx, network, credentials) is worth retrying.
func (s *SNS) Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error {
	t, err := ParseTopic(endpointARN)
	if err != nil {
		return err
	}
	msg, attrs, err := render(c, it, s.accountID)
	if err != nil {
		return Permanent(err)
	}
	_, err = s.publishBatch(ctx, t, []rendered{{msg, attrs}})
	return err
}

// Publish publishes a rendered notification to a topic.
func (s *SNS) Publish(ctx context.Context, topicARN, message string, attrs map[string]string) error {
	t, err := ParseTopic(topicARN)
	if err != nil {
		return err
	}
	a, err := attrsOf(attrs)
	if err != nil {
		return err
	}
	return s.publish(ctx, t, &rendered{message, a})
}

func (s *SNS) publish(ctx context.Context, t Topic, m *rendered) error {
	r, err := s.region(ctx, t.Region)
	if err != nil {
		return err
	}
	if _, err := r.post(ctx, publishBody(t.ARN, m)); err != nil {
		return snsError(t.ARN, err)
	}
	return nil
}

// send publishes the entries of parts, in order, in one request: Publish for a single entry, PublishBatch
// otherwise. whole is the request's error (nothing published); else errs holds each entry's error, nil for
// the ones SNS took.
func (s *SNS) send(ctx context.Context, t Topic, parts []part) (errs []error, whole error) {
	var msgs []*rendered
	for _, p := range parts {
		for i := p.from; i < p.to; i++ {
			msgs = append(msgs, &p.c.msgs[i])
		}
	}
	if len(msgs) == 1 {
		if err := s.publish(ctx, t, msgs[0]); err != nil {
			return nil, err
		}
		return []error{nil}, nil
	}
	r, err := s.region(ctx, t.Region)
	if err != nil {
		return nil, err
	}
	// parley's client copies the body before post returns, so its buffer is used again; net/http's may still
	// read it after.
	var body []byte
	if r.poster != nil {
		bp := forms.Get().(*[]byte)
		body = publishBatchBody(*bp, t.ARN, msgs)
		defer func() {
			if cap(body) <= maxPooledForm {
				*bp = body
				forms.Put(bp)
			}
		}()
	} else {
		body = publishBatchBody(nil, t.ARN, msgs)
	}
	data, err := r.post(ctx, body)
	if err != nil {
		return nil, snsError(t.ARN, err)
	}
	out, err := decodeBatchAnswer(data)
	if err != nil {
		return nil, snsError(t.ARN, err)
	}
	errs = make([]error, len(msgs))
	for _, f := range out.Failed {
		i, err := strconv.Atoi(f.ID)
		if err != nil || i < 0 || i >= len(msgs) {
			continue
		}
		errs[i] = fmt.Errorf("sink: publish to %s: %s: %s", t.ARN, f.Code, f.Message)
		if f.SenderFault {
			errs[i] = Permanent(errs[i])
		}
	}
	// An entry SNS lists neither as failed nor as published was not published.
	ok := make(map[string]bool, len(out.Successful))
	for _, e := range out.Successful {
		ok[e.ID] = true
	}
	for i := range errs {
		if errs[i] == nil && !ok[strconv.Itoa(i)] {
			errs[i] = fmt.Errorf("sink: publish to %s: PublishBatch did not answer for entry %d", t.ARN, i)
		}
	}
	return errs, nil
}

// forms holds the buffers of PublishBatch bodies sent by parley's client; one bigger than maxPooledForm (a
// batch of long messages) is not kept.
var forms = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

const maxPooledForm = 128 << 10

// rendered is a notification ready to publish.
type rendered struct {
	message string
	attrs   attrs
}

// region returns how to reach the region's SNS, resolved once.
func (s *SNS) region(ctx context.Context, name string) (*snsRegion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.regions[name]; ok {
		return r, nil
	}
	r, err := newRegion(ctx, s.aws, s.endpoint, name, s.poster)
	if err != nil {
		return nil, err
	}
	s.regions[name] = r
	return r, nil
}

// snsError marks the errors no retry can fix as permanent.
func snsError(arn string, err error) error {
	err = fmt.Errorf("sink: publish to %s: %w", arn, err)
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NotFound", "InvalidParameter", "InvalidParameterValue", "AuthorizationError", "InvalidSecurity":
			return Permanent(err)
		}
	}
	return err
}
