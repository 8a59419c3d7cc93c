package sink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/parley-chat/parley"
)

// SNS publishes notifications to SNS topics with aws-sdk-go-v2, one Publish per item, in the region of the
// topic's ARN. The SDK does not retry: the streaming core does, with its own backoff, so one Deliver is one
// request.
type SNS struct {
	aws       aws.Config
	endpoint  string
	accountID string

	mu      sync.Mutex
	clients map[string]*sns.Client // by region
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
	return &SNS{aws: cfg, endpoint: o.Endpoint, accountID: o.AccountID, clients: map[string]*sns.Client{}}, nil
}

// Deliver publishes the notification of item it of contact c to the topic endpointARN. Errors: permanent for a
// malformed ARN and for SNS's NotFound, InvalidParameter(Value), AuthorizationError and InvalidSecurity;
// anything else (throttling, 5xx, network, credentials) is worth retrying.
func (s *SNS) Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error {
	t, err := ParseTopic(endpointARN)
	if err != nil {
		return err
	}
	msg, attrs, err := Render(c, it, s.accountID)
	if err != nil {
		return Permanent(err)
	}
	return s.publish(ctx, t, msg, attrs)
}

// Publish publishes a rendered notification to a topic.
func (s *SNS) Publish(ctx context.Context, topicARN, message string, attrs map[string]string) error {
	t, err := ParseTopic(topicARN)
	if err != nil {
		return err
	}
	return s.publish(ctx, t, message, attrs)
}

func (s *SNS) publish(ctx context.Context, t Topic, message string, attrs map[string]string) error {
	in := &sns.PublishInput{TopicArn: aws.String(t.ARN), Message: aws.String(message),
		MessageAttributes: make(map[string]types.MessageAttributeValue, len(attrs))}
	for k, v := range attrs {
		in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if _, err := s.client(t.Region).Publish(ctx, in); err != nil {
		return snsError(t.ARN, err)
	}
	return nil
}

// publishBatch publishes up to 10 rendered notifications to a topic in one PublishBatch, in order, and returns
// how many of them, from the first, SNS took; when fewer than all, err is the first refused one's error.
func (s *SNS) publishBatch(ctx context.Context, t Topic, msgs []rendered) (int, error) {
	in := &sns.PublishBatchInput{TopicArn: aws.String(t.ARN)}
	for i, m := range msgs {
		e := types.PublishBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), Message: aws.String(m.message),
			MessageAttributes: make(map[string]types.MessageAttributeValue, len(m.attrs))}
		for k, v := range m.attrs {
			e.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
		in.PublishBatchRequestEntries = append(in.PublishBatchRequestEntries, e)
	}
	out, err := s.client(t.Region).PublishBatch(ctx, in)
	if err != nil {
		return 0, snsError(t.ARN, err)
	}
	first := len(msgs)
	var ferr error
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(msgs) || i >= first {
			continue
		}
		first = i
		ferr = fmt.Errorf("sink: publish to %s: %s: %s", t.ARN, aws.ToString(f.Code), aws.ToString(f.Message))
		if f.SenderFault {
			ferr = Permanent(ferr)
		}
	}
	return first, ferr
}

// rendered is a notification ready to publish.
type rendered struct {
	message string
	attrs   map[string]string
}

// client returns the region's client, made once.
func (s *SNS) client(region string) *sns.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c
	}
	c := sns.NewFromConfig(s.aws, func(o *sns.Options) {
		o.Region = region
		o.Retryer = aws.NopRetryer{}
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
	})
	s.clients[region] = c
	return c
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
