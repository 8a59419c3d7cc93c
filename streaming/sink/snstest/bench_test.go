package snstest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/parley-chat/parley/streaming/sink/snstest"
)

// signedBatch returns a PublishBatch of ten chat messages with eight attributes each, as the official SDK
// sends it to url signed with secret: its headers and body.
func signedBatch(tb testing.TB, url, topic, secret string) (http.Header, []byte) {
	tb.Helper()
	var header http.Header
	var body []byte
	stop := errors.New("captured")
	c := sns.New(sns.Options{Region: "us-west-2", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDBENCH", SecretAccessKey: secret}, nil
		}),
		HTTPClient: doFunc(func(r *http.Request) (*http.Response, error) {
			header = r.Header.Clone()
			header.Set("Content-Length", fmt.Sprint(r.ContentLength))
			body, _ = io.ReadAll(r.Body)
			return nil, stop
		})})
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	in := &sns.PublishBatchInput{TopicArn: aws.String(topic)}
	for i := range 10 {
		in.PublishBatchRequestEntries = append(in.PublishBatchRequestEntries, types.PublishBatchRequestEntry{
			Id: aws.String(fmt.Sprint(i)),
			Message: aws.String(fmt.Sprintf(`{"AbsoluteTime":"2026-12-04T12:00:00.000Z","Content":"%080d",`+
				`"ContentType":"text/plain","Id":"33333333-be0d-4a44-889d-d2a86fc06f%02d","Type":"MESSAGE",`+
				`"ParticipantId":"p-1","DisplayName":"Jane","ParticipantRole":"CUSTOMER"}`, i, i)),
			MessageAttributes: map[string]types.MessageAttributeValue{"InitialContactId": str("c-1"),
				"ContactId": str("c-1"), "ParticipantRole": str("CUSTOMER"), "InstanceId": str("i-1"),
				"AccountId": str("123456789012"), "Type": str("MESSAGE"), "ContentType": str("text/plain"),
				"MessageVisibility": str("ALL")},
		})
	}
	if _, err := c.PublishBatch(context.Background(), in); !errors.Is(err, stop) {
		tb.Fatalf("capturing the request: %v", err)
	}
	return header, body
}

// BenchmarkServePublishBatch: what the fake spends on a signed PublishBatch of ten notifications (the bench's
// SNS receiver), the signature checked.
func BenchmarkServePublishBatch(b *testing.B) {
	fake := snstest.New(b)
	fake.Keep = false
	fake.SecretAccessKey = "bench"
	const topic = "arn:aws:sns:us-west-2:123456789012:chat"
	fake.CreateTopic(topic)
	header, body := signedBatch(b, fake.URL, topic, "bench")
	r := httptest.NewRequest(http.MethodPost, fake.URL+"/", nil)
	r.Header = header
	r.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		r.Form, r.PostForm = nil, nil // parsed again, by a fake that uses r.ParseForm
		w.Body.Reset()
		w.Code = 200
		fake.ServeHTTP(w, r)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte("<Failed></Failed>")) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
