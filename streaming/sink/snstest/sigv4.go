package snstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fake checks a signature by computing the Authorization header the request should carry and comparing it
// with the one it does. For the requests SDKs send (path "/", no query, a plain host, sorted lower-case signed
// headers whose values need no trimming) it builds the canonical request itself, with a signing key kept per
// secret, day and region; for anything else it asks aws-sdk-go-v2's signer to sign the request again, which
// defines what the fast path must match (TestSignatureFastPath, FuzzSignatureFastPath).

// ignoredHeaders are the headers aws-sdk-go-v2's signer never signs.
var ignoredHeaders = map[string]bool{"authorization": true, "user-agent": true, "x-amzn-trace-id": true,
	"expect": true, "transfer-encoding": true}

// signingKeys keeps SigV4 signing keys by secret, day and region.
type signingKeys struct {
	mu   sync.Mutex
	keys map[[3]string][]byte
}

// get returns the signing key of secret for the day (YYYYMMDD), region and service sns.
func (k *signingKeys) get(secret, day, region string) []byte {
	id := [3]string{secret, day, region}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[id]; ok {
		return key
	}
	key := []byte("AWS4" + secret)
	for _, part := range []string{day, region, "sns", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	if k.keys == nil || len(k.keys) > 64 {
		k.keys = map[[3]string][]byte{}
	}
	k.keys[id] = key
	return key
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// expectedAuth returns the Authorization header aws-sdk-go-v2's signer would give r, signed at at with secret
// for the credential akid/day/region/sns/aws4_request and the signed headers of the client's list; ok is false
// when r is not of the plain kind this builds by itself.
func (s *Server) expectedAuth(r *http.Request, secret, akid, region string, at time.Time, signed, payloadHash string) (auth string, ok bool) {
	u := r.URL
	if u.Path != "/" || u.RawPath != "" || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery || !plainHost(r.Host) {
		return "", false
	}
	amzDate := at.UTC().Format("20060102T150405Z")
	token := r.Header.Get("X-Amz-Security-Token")
	canon := make([]byte, 0, 512)
	canon = append(canon, r.Method...)
	canon = append(canon, "\n/\n\n"...)
	var seenHost, seenLength, seenDate, seenToken bool
	prev := ""
	for h := range strings.SplitSeq(signed, ";") {
		if h <= prev || !lowerToken(h) || ignoredHeaders[h] {
			return "", false // unsorted, repeated, not lower case, or dropped by the SDK
		}
		prev = h
		canon = append(canon, h...)
		canon = append(canon, ':')
		switch h {
		case "host":
			seenHost = true
			canon = append(canon, r.Host...)
		case "content-length":
			seenLength = true
			canon = strconv.AppendInt(canon, r.ContentLength, 10)
		case "x-amz-date":
			seenDate = true
			canon = append(canon, amzDate...)
		case "x-amz-security-token":
			seenToken = true
			if !clean(token) {
				return "", false
			}
			canon = append(canon, token...)
		default:
			for i, v := range r.Header.Values(h) {
				if !clean(v) {
					return "", false
				}
				if i > 0 {
					canon = append(canon, ',')
				}
				canon = append(canon, v...)
			}
		}
		canon = append(canon, '\n')
	}
	if !seenHost || seenLength != (r.ContentLength > 0) || !seenDate || seenToken != (token != "") {
		return "", false // the SDK would sign another list
	}
	canon = append(canon, '\n')
	canon = append(canon, signed...)
	canon = append(canon, '\n')
	canon = append(canon, payloadHash...)
	sum := sha256.Sum256(canon)

	day := amzDate[:8]
	scope := day + "/" + region + "/sns/aws4_request"
	m := hmac.New(sha256.New, s.keys.get(secret, day, region))
	m.Write([]byte("AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"))
	var hexSum [64]byte
	hex.Encode(hexSum[:], sum[:])
	m.Write(hexSum[:])
	var mac [sha256.Size]byte
	return "AWS4-HMAC-SHA256 Credential=" + akid + "/" + scope + ", SignedHeaders=" + signed +
		", Signature=" + hex.EncodeToString(m.Sum(mac[:0])), true
}

// plainHost reports whether host is a name or IPv4 address with an optional port other than 80, which the SDK
// signs as it is.
func plainHost(host string) bool {
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" || hasPort && (port == "" || port == "80" || len(port) > 5) {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	for _, c := range []byte(port) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lowerToken reports whether h is a non-empty header name of lower-case letters, digits and dashes.
func lowerToken(h string) bool {
	if h == "" {
		return false
	}
	for _, c := range []byte(h) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// clean reports whether the SDK signs v as it is: no space to trim at its ends, no run of spaces to collapse.
func clean(v string) bool {
	return strings.TrimSpace(v) == v && !strings.Contains(v, "  ")
}
