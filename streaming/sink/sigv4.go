package sink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SigV4 for the requests parley's own client sends to SNS. They all have one shape: POST to the path "/" of a
// plain host, no query, a form body, the same few headers. For that shape the canonical request is a fixed
// template, so it is written directly into the request's header block, and the signing key is derived once a
// day rather than looked up per request; aws-sdk-go-v2's signer builds an http.Request's canonical headers
// from maps and sorts them each time, which cost as much as hashing the body. TestSigV4MatchesSDK holds the
// two to the same Authorization header; requests of any other shape (a path under the endpoint, headers the
// endpoint asks for) are signed by the SDK's signer.

// formContentType is the Content-Type of the query protocol's bodies.
const formContentType = "application/x-www-form-urlencoded"

// userAgent is the User-Agent of parley's SNS requests.
var userAgent = "parley-streaming " + aws.SDKName + "/" + aws.SDKVersion

// sigv4 signs requests to one host for one region's SNS.
type sigv4 struct {
	host, region string

	mu     sync.Mutex
	secret string // the signing key below is derived from secret and day
	day    string
	key    []byte
}

// appendSigned appends the header lines (each ending in CRLF; Host and Content-Length are the poster's) of a
// request carrying body, signed at now with creds.
func (s *sigv4) appendSigned(h []byte, creds aws.Credentials, body []byte, now time.Time) []byte {
	var dateBuf [16]byte
	amzDate := now.UTC().AppendFormat(dateBuf[:0], "20060102T150405Z")
	day := string(amzDate[:8])
	// The SDK signs Content-Length only when there is a body.
	signed := "content-length;content-type;host;x-amz-date"
	if len(body) == 0 {
		signed = signed[len("content-length;"):]
	}
	if creds.SessionToken != "" {
		signed += ";x-amz-security-token"
	}

	sum := sha256.Sum256(body)
	var payloadHash [2 * sha256.Size]byte
	hex.Encode(payloadHash[:], sum[:])
	canon := make([]byte, 0, 256+len(s.host)+len(creds.SessionToken))
	canon = append(canon, "POST\n/\n\n"...)
	if len(body) > 0 {
		canon = append(canon, "content-length:"...)
		canon = strconv.AppendInt(canon, int64(len(body)), 10)
		canon = append(canon, '\n')
	}
	canon = append(canon, "content-type:"+formContentType+"\nhost:"...)
	canon = append(canon, s.host...)
	canon = append(canon, "\nx-amz-date:"...)
	canon = append(canon, amzDate...)
	if creds.SessionToken != "" {
		canon = append(canon, "\nx-amz-security-token:"...)
		canon = append(canon, creds.SessionToken...)
	}
	canon = append(canon, "\n\n"...)
	canon = append(canon, signed...)
	canon = append(canon, '\n')
	canon = append(canon, payloadHash[:]...)
	canonSum := sha256.Sum256(canon)

	scope := day + "/" + s.region + "/sns/aws4_request"
	m := hmac.New(sha256.New, s.signingKey(creds.SecretAccessKey, day))
	m.Write([]byte("AWS4-HMAC-SHA256\n"))
	m.Write(amzDate)
	m.Write([]byte("\n" + scope + "\n"))
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], canonSum[:])
	m.Write(hexSum[:])
	var mac [sha256.Size]byte
	var sig [2 * sha256.Size]byte
	hex.Encode(sig[:], m.Sum(mac[:0]))

	h = appendHeader(h, "Content-Type", formContentType)
	h = appendHeader(h, "User-Agent", userAgent)
	h = append(h, "X-Amz-Date: "...)
	h = append(h, amzDate...)
	h = append(h, "\r\n"...)
	if creds.SessionToken != "" {
		h = appendHeader(h, "X-Amz-Security-Token", creds.SessionToken)
	}
	h = append(h, "Authorization: AWS4-HMAC-SHA256 Credential="...)
	h = append(h, creds.AccessKeyID...)
	h = append(h, '/')
	h = append(h, scope...)
	h = append(h, ", SignedHeaders="...)
	h = append(h, signed...)
	h = append(h, ", Signature="...)
	h = append(h, sig[:]...)
	return append(h, "\r\n"...)
}

// signingKey returns the key of secret for the day (YYYYMMDD), kept until either changes.
func (s *sigv4) signingKey(secret, day string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil || s.secret != secret || s.day != day {
		key := []byte("AWS4" + secret)
		for _, part := range [...]string{day, s.region, "sns", "aws4_request"} {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(part))
			key = m.Sum(nil)
		}
		s.secret, s.day, s.key = secret, day, key
	}
	return s.key
}
