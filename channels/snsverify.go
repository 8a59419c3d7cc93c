package channels

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// snsEnvelope is an SNS HTTP(S) delivery: a notification or a subscription message, with SNS's signature.
type snsEnvelope struct {
	Type              string `json:"Type"`
	MessageID         string `json:"MessageId"`
	Token             string `json:"Token"`
	TopicArn          string `json:"TopicArn"`
	Subject           string `json:"Subject"`
	Message           string `json:"Message"`
	SubscribeURL      string `json:"SubscribeURL"`
	Timestamp         string `json:"Timestamp"`
	SignatureVersion  string `json:"SignatureVersion"`
	Signature         string `json:"Signature"`
	SigningCertURL    string `json:"SigningCertURL"`
	MessageAttributes map[string]struct {
		Type  string `json:"Type"`
		Value string `json:"Value"`
	} `json:"MessageAttributes"`
}

// stringToSign is what SNS signs for e: the named fields in a fixed order, each as "name\nvalue\n".
func (e *snsEnvelope) stringToSign() (string, error) {
	var fields [][2]string
	switch e.Type {
	case "Notification":
		fields = [][2]string{{"Message", e.Message}, {"MessageId", e.MessageID}}
		if e.Subject != "" {
			fields = append(fields, [2]string{"Subject", e.Subject})
		}
		fields = append(fields, [2]string{"Timestamp", e.Timestamp}, [2]string{"TopicArn", e.TopicArn},
			[2]string{"Type", e.Type})
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		fields = [][2]string{{"Message", e.Message}, {"MessageId", e.MessageID}, {"SubscribeURL", e.SubscribeURL},
			{"Timestamp", e.Timestamp}, {"Token", e.Token}, {"TopicArn", e.TopicArn}, {"Type", e.Type}}
	default:
		return "", fmt.Errorf("unknown SNS message type %q", e.Type)
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f[0] + "\n" + f[1] + "\n")
	}
	return b.String(), nil
}

// snsCertHost is the host of SNS's signing certificates.
var snsCertHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// SNSVerifier checks SNS's signatures (SignatureVersion 1, SHA1withRSA, and 2, SHA256withRSA) with the
// certificate SNS names, fetched once per URL from SNS's own host over HTTPS.
type SNSVerifier struct {
	hc        *http.Client
	allowHost func(host string) bool

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

// NewSNSVerifier returns a verifier that fetches certificates with hc (nil: http.DefaultClient).
func NewSNSVerifier(hc *http.Client) *SNSVerifier {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &SNSVerifier{hc: hc, allowHost: snsCertHost.MatchString, certs: map[string]*x509.Certificate{}}
}

// Verify checks the signature of an SNS delivery's raw body.
func (v *SNSVerifier) Verify(ctx context.Context, body []byte) error {
	var e snsEnvelope
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("not an SNS message: %v", err)
	}
	return v.verify(ctx, &e)
}

func (v *SNSVerifier) verify(ctx context.Context, e *snsEnvelope) error {
	var h crypto.Hash
	switch e.SignatureVersion {
	case "1":
		h = crypto.SHA1
	case "2":
		h = crypto.SHA256
	default:
		return fmt.Errorf("SNS SignatureVersion %q", e.SignatureVersion)
	}
	sig, err := base64.StdEncoding.DecodeString(e.Signature)
	if err != nil || len(sig) == 0 {
		return errors.New("SNS signature is not base64")
	}
	s, err := e.stringToSign()
	if err != nil {
		return err
	}
	cert, err := v.cert(ctx, e.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("SNS signing certificate has no RSA key")
	}
	var digest []byte
	if h == crypto.SHA1 {
		d := sha1.Sum([]byte(s))
		digest = d[:]
	} else {
		d := sha256.Sum256([]byte(s))
		digest = d[:]
	}
	if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
		return errors.New("SNS signature does not match")
	}
	return nil
}

// cert returns the certificate at u, which must be an https URL on SNS's host.
func (v *SNSVerifier) cert(ctx context.Context, u string) (*x509.Certificate, error) {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" || !v.allowHost(pu.Hostname()) || !strings.HasSuffix(pu.Path, ".pem") {
		return nil, fmt.Errorf("SigningCertURL %q is not an SNS certificate URL", u)
	}
	v.mu.Lock()
	c := v.certs[u]
	v.mu.Unlock()
	if c != nil {
		return c, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch SNS certificate: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch SNS certificate: %s", resp.Status)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("SNS certificate is not PEM")
	}
	if c, err = x509.ParseCertificate(blk.Bytes); err != nil {
		return nil, fmt.Errorf("SNS certificate: %w", err)
	}
	v.mu.Lock()
	v.certs[u] = c
	v.mu.Unlock()
	return c, nil
}

// confirmSubscription confirms an SNS (or SNS-like) subscription by following its SubscribeURL. With snsOnly
// the URL must be an https URL of an amazonaws.com host: the envelope's signature covers it, but a forged topic
// could still name any host.
func confirmSubscription(ctx context.Context, hc *http.Client, subscribeURL string, snsOnly bool) error {
	u, err := url.Parse(subscribeURL)
	if err != nil || subscribeURL == "" {
		return fmt.Errorf("bad SubscribeURL %q", subscribeURL)
	}
	if snsOnly && (u.Scheme != "https" || !(strings.HasSuffix(u.Hostname(), ".amazonaws.com") ||
		strings.HasSuffix(u.Hostname(), ".amazonaws.com.cn"))) {
		return fmt.Errorf("SubscribeURL %q is not an SNS URL", subscribeURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, subscribeURL, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("SubscribeURL answered %s", resp.Status)
	}
	return nil
}
