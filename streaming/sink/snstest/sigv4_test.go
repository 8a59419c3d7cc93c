package snstest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// checkFastPath: whenever expectedAuth builds the Authorization header itself, it is the one the SDK's signer
// gives the same request. It reports whether expectedAuth did.
func checkFastPath(t *testing.T, r *http.Request, signed string) bool {
	t.Helper()
	s := &Server{signer: v4.NewSigner()}
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	const hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	fast, ok := s.expectedAuth(r, "secret", "AKID", "us-west-2", at, signed, hash)
	if !ok {
		return false
	}
	sdk, err := s.signAgain(r, "secret", "AKID", "us-west-2", at, signed, hash)
	if err != nil || fast != sdk {
		t.Fatalf("host %q signed %q header %q:\nexpectedAuth %s\nSDK          %s %v", r.Host, signed, r.Header, fast, sdk, err)
	}
	return true
}

func request(host, path string, length int64, header http.Header) *http.Request {
	return &http.Request{Method: http.MethodPost, Host: host, URL: &url.URL{Path: path}, ContentLength: length, Header: header}
}

// TestSignatureFastPath: the SDK's own requests take the fast path, and it signs as the SDK does.
func TestSignatureFastPath(t *testing.T) {
	var captured *http.Request
	stop := errors.New("captured")
	for _, token := range []string{"", "FwoGZXIvYXdzEJr//////////wEaDP"} {
		c := sns.New(sns.Options{Region: "us-west-2", BaseEndpoint: aws.String("http://127.0.0.1:4566"), Retryer: aws.NopRetryer{},
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", SessionToken: token}, nil
			}),
			HTTPClient: doFunc(func(r *http.Request) (*http.Response, error) {
				captured = r
				_, _ = io.Copy(io.Discard, r.Body)
				return nil, stop
			})})
		if _, err := c.Publish(context.Background(), &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-west-2:1:t"),
			Message: aws.String("m")}); !errors.Is(err, stop) {
			t.Fatal(err)
		}
		_, signed, _ := strings.Cut(captured.Header.Get("Authorization"), "SignedHeaders=")
		signed, _, _ = strings.Cut(signed, ",")
		r := request(captured.URL.Host, "/", captured.ContentLength, captured.Header)
		s := &Server{signer: v4.NewSigner()}
		at, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if _, ok := s.expectedAuth(r, "secret", "AKID", "us-west-2", at, signed, "x"); !ok {
			t.Errorf("the SDK's request (signed %q) is not on the fast path", signed)
		}
	}
	for _, tc := range []struct {
		host, path, signed string
		length             int64
		header             http.Header
		fast               bool
	}{
		{"127.0.0.1:4566", "/", "content-length;content-type;host;x-amz-date", 10, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, true},
		{"127.0.0.1:4566", "/", "content-type;host;x-amz-date;x-amz-security-token", 0, http.Header{"Content-Type": {"a", "b c"}, "X-Amz-Security-Token": {"t"}}, true},
		{"sns.us-west-2.amazonaws.com", "/", "host;x-amz-date;x-extra", -1, http.Header{}, true},
		{"example.com:80", "/", "host;x-amz-date", 0, http.Header{}, false},
		{"example.com", "/", "content-type;host;x-amz-date", 0, http.Header{"Content-Type": {" a  b "}}, false},
		{"example.com", "/", "host;user-agent;x-amz-date", 0, http.Header{"User-Agent": {"ua"}}, false},
		{"example.com", "/", "x-amz-date;host", 0, http.Header{}, false},
		{"example.com", "/a b", "host;x-amz-date", 0, http.Header{}, false},
	} {
		if fast := checkFastPath(t, request(tc.host, tc.path, tc.length, tc.header), tc.signed); fast != tc.fast {
			t.Errorf("%q %q %q: fast path %v, want %v", tc.host, tc.path, tc.signed, fast, tc.fast)
		}
	}
}

// FuzzSignatureFastPath holds expectedAuth to the SDK's signer.
func FuzzSignatureFastPath(f *testing.F) {
	f.Add("127.0.0.1:4566", "/", "content-length;content-type;host;x-amz-date", "Content-Type", "text/plain", "", int64(10))
	f.Add("example.com", "/", "host;x-amz-date;x-amz-security-token;x-b", "X-B", "a  b", "tok", int64(0))
	f.Add("example.com:80", "/x", "host;user-agent;x-amz-date", "User-Agent", " v", " t ", int64(-1))
	f.Fuzz(func(t *testing.T, host, path, signed, name, value, token string, length int64) {
		h := http.Header{}
		h.Add(name, value)
		if token != "" {
			h.Set("X-Amz-Security-Token", token)
		}
		_ = checkFastPath(t, request(host, path, length, h), signed)
	})
}

type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
