package snstest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/parley-chat/parley/streaming/sink/snstest"
)

// TestRefusals: the fake refuses what SNS refuses, with SNS's codes, as the official SDK reads them.
func TestRefusals(t *testing.T) {
	fake := snstest.New(t)
	const topic = "arn:aws:sns:us-west-2:123456789012:t"
	fake.CreateTopic(topic)
	c := sns.New(sns.Options{Region: "us-west-2", BaseEndpoint: aws.String(fake.URL), Retryer: aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, nil
		})})
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	for _, tc := range []struct {
		name string
		in   sns.PublishInput
		code string
	}{
		{"ok", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), MessageAttributes: map[string]types.MessageAttributeValue{"a": str("1")}}, ""},
		{"no topic", sns.PublishInput{TopicArn: aws.String(topic + "x"), Message: aws.String("m")}, "NotFound"},
		{"empty message", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("")}, "InvalidParameter"},
		{"empty attribute", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"),
			MessageAttributes: map[string]types.MessageAttributeValue{"a": str("")}}, "InvalidParameterValue"},
	} {
		out, err := c.Publish(context.Background(), &tc.in)
		var api smithy.APIError
		switch {
		case tc.code == "" && (err != nil || aws.ToString(out.MessageId) == ""):
			t.Errorf("%s: %v, want a MessageId", tc.name, err)
		case tc.code != "" && (!errors.As(err, &api) || api.ErrorCode() != tc.code):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	p := fake.Publishes()
	if len(p) != 1 || p[0].Region != "us-west-2" || p[0].MessageAttributes["a"] != (snstest.Attribute{DataType: "String", StringValue: "1"}) {
		t.Errorf("publishes %+v", p)
	}
	if n := fake.Requests(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}
