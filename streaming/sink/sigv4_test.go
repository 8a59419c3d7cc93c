package sink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestSigV4MatchesSDK checks that parley's signer gives the headers aws-sdk-go-v2's signer gives the same
// request: with and without a session token, on a host with and without a port, across a change of day (and so
// of signing key) and of secret.
func TestSigV4MatchesSDK(t *testing.T) {
	noon := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, host, region string
		creds              aws.Credentials
		body               string
		at                 time.Time
	}{
		{"keys only", "sns.eu-west-1.amazonaws.com", "eu-west-1",
			aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
			"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A1%3At&Message=hi", noon},
		{"session token", "127.0.0.1:4566", "us-east-1",
			aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "FwoGZXIvYXdzE//token+with/slashes=="},
			strings.Repeat("Message=%7B%22Content%22%3A%22x%22%7D&", 300), noon},
		{"the next day", "sns.us-east-1.amazonaws.com", "us-east-1",
			aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, "Action=Publish", noon.Add(12 * time.Hour)},
		{"another secret the same day", "sns.us-east-1.amazonaws.com", "us-east-1",
			aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "other"}, "Action=Publish", noon.Add(12*time.Hour + time.Minute)},
		{"an empty body", "localhost:9911", "ap-southeast-2",
			aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, "", noon},
	}
	signers := map[string]*sigv4{} // one per host and region, as snsRegion keeps, so the key cache is exercised
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := signers[c.host+" "+c.region]
			if s == nil {
				s = &sigv4{host: c.host, region: c.region}
				signers[c.host+" "+c.region] = s
			}
			got := parseHeaderLines(t, s.appendSigned(nil, c.creds, []byte(c.body), c.at))

			req, err := http.NewRequest(http.MethodPost, "http://"+c.host+"/", bytes.NewReader([]byte(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", formContentType)
			req.Header.Set("User-Agent", userAgent)
			sum := sha256.Sum256([]byte(c.body))
			err = v4.NewSigner().SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), "sns", c.region, c.at)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Content-Type", "User-Agent"} {
				if got.Get(h) != req.Header.Get(h) {
					t.Errorf("%s:\n got %q\nwant %q (aws-sdk-go-v2)", h, got.Get(h), req.Header.Get(h))
				}
			}
			if len(got) != 4+btoi(c.creds.SessionToken != "") {
				t.Errorf("header lines: %v", got)
			}
		})
	}
}

// parseHeaderLines reads "Name: value\r\n" lines.
func parseHeaderLines(t *testing.T, b []byte) http.Header {
	t.Helper()
	h := http.Header{}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("not a header line: %q", line)
		}
		h.Add(name, value)
	}
	return h
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkSigV4 measures signing a 10-entry PublishBatch's worth of body with parley's signer and with
// aws-sdk-go-v2's, as snsRegion.post did before.
func BenchmarkSigV4(b *testing.B) {
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}
	body := bytes.Repeat([]byte("Message=%7B%22Content%22%3A%22x%22%7D&"), 250)
	b.Run("parley", func(b *testing.B) {
		s := &sigv4{host: "sns.us-east-1.amazonaws.com", region: "us-east-1"}
		h := make([]byte, 0, 512)
		for b.Loop() {
			h = s.appendSigned(h[:0], creds, body, time.Now())
		}
	})
	b.Run("sdk", func(b *testing.B) {
		signer := v4.NewSigner()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, "https://sns.us-east-1.amazonaws.com/", bytes.NewReader(body))
			req.Header.Set("Content-Type", formContentType)
			req.Header.Set("User-Agent", userAgent)
			sum := sha256.Sum256(body)
			if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sns", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
