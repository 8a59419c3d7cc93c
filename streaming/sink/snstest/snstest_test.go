package snstest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
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

// TestSignatures: with a secret key the fake checks SigV4 as SNS does: the official SDK's requests pass, with or
// without a session token; a wrong secret, a changed body or no signature are refused.
func TestSignatures(t *testing.T) {
	fake := snstest.New(t)
	fake.SecretAccessKey = "right"
	const topic = "arn:aws:sns:eu-west-3:123456789012:t"
	fake.CreateTopic(topic)
	client := func(secret, token string) *sns.Client {
		return sns.New(sns.Options{Region: "eu-west-3", BaseEndpoint: aws.String(fake.URL), Retryer: aws.NopRetryer{},
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: secret, SessionToken: token}, nil
			})})
	}
	in := &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m & n = 100% ✓")}
	for _, tc := range []struct {
		name, secret, token, code string
	}{
		{"right secret", "right", "", ""},
		{"session token", "right", "FwoGZXIvYXdzEJr//////////wEaDP", ""},
		{"wrong secret", "wrong", "", "SignatureDoesNotMatch"},
	} {
		_, err := client(tc.secret, tc.token).Publish(context.Background(), in)
		var api smithy.APIError
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != "" && (!errors.As(err, &api) || api.ErrorCode() != tc.code):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// A signed request whose body was changed after signing.
	tamper := sns.New(sns.Options{Region: "eu-west-3", BaseEndpoint: aws.String(fake.URL), Retryer: aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "right"}, nil
		}),
		HTTPClient: doFunc(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			body = bytes.Replace(body, []byte("Message=m"), []byte("Message=M"), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			return http.DefaultClient.Do(r)
		})})
	_, err := tamper.Publish(context.Background(), in)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("changed body: %v, want SignatureDoesNotMatch", err)
	}
	resp, err := http.Post(fake.URL, "application/x-www-form-urlencoded",
		strings.NewReader("Action=Publish&Version=2010-03-31&TopicArn="+topic+"&Message=m"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned request: %s, want 403", resp.Status)
	}
	if p := fake.Publishes(); len(p) != 2 {
		t.Errorf("%d published, want the 2 signed with the right secret", len(p))
	}
}

type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
