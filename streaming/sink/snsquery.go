package sink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

// SNS's requests are built here rather than by service/sns's Publish and PublishBatch: under load, the SDK's
// per-request middleware stack and its query encoder (a map of every form field, sorted, then escaped) cost
// about as much CPU as the chat message being streamed. Everything else is the SDK's: the client options of
// the region (credentials chain, endpoint settings, HTTP client) come from sns.NewFromConfig, and the URL from
// SNS's endpoint resolver. Requests sent by parley's own client are signed by sigv4.go, which gives the
// headers the SDK's SigV4 signer gives; the others by the SDK's signer. The body is the query
// protocol's form, as the SDK sends it (Action, Version, TopicArn, the entries and their attributes).

// snsVersion is the query protocol's API version of SNS.
const snsVersion = "2010-03-31"

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 1 << 20

// snsRegion is how requests reach one region's SNS.
type snsRegion struct {
	name   string
	url    string
	header http.Header // headers the endpoint asks for
	creds  aws.CredentialsProvider
	client sns.HTTPClient
	signer *v4.Signer
	poster *poster // replaces client unless nil
	target *target // url's, for poster
	sig    *sigv4  // signs poster's requests, unless nil (see sigv4.go)
}

// newRegion resolves a region's endpoint with the options service/sns would use.
func newRegion(ctx context.Context, cfg aws.Config, endpoint, region string, p *poster) (*snsRegion, error) {
	o := sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.Region = region
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}).Options()
	ep, err := o.EndpointResolverV2.ResolveEndpoint(ctx, sns.EndpointParameters{
		Region:       aws.String(region),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		Endpoint:     o.BaseEndpoint,
	})
	if err != nil {
		return nil, Permanent(fmt.Errorf("sink: SNS endpoint of %s: %w", region, err))
	}
	u := ep.URI
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	u.RawPath = ""
	r := &snsRegion{name: region, url: u.String(), header: ep.Headers, creds: o.Credentials, client: o.HTTPClient,
		signer: v4.NewSigner()}
	if p != nil {
		if t, err := newTarget(r.url); err == nil && t.direct {
			r.poster, r.target = p, t
			if u.Path == "/" && u.RawQuery == "" && len(ep.Headers) == 0 {
				r.sig = &sigv4{host: u.Host, region: region}
			}
		}
	}
	return r, nil
}

// post sends a signed form body and returns the body of a 2xx answer; a non-2xx answer is an *snsAPIError.
func (r *snsRegion) post(ctx context.Context, body []byte) ([]byte, error) {
	if r.creds == nil {
		return nil, fmt.Errorf("no AWS credentials to sign the request with")
	}
	creds, err := r.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	if r.sig != nil {
		return r.send(ctx, r.sig.appendSigned(make([]byte, 0, 512), creds, body, time.Now()), body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", formContentType)
	req.Header.Set("User-Agent", userAgent)
	sum := sha256.Sum256(body)
	if err := r.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sns", r.name, time.Now()); err != nil {
		return nil, err
	}
	if r.poster != nil {
		h := make([]byte, 0, 512)
		for k, vs := range req.Header {
			for _, v := range vs {
				h = appendHeader(h, k, v)
			}
		}
		return r.send(ctx, h, body)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, apiError(resp.StatusCode, data)
	}
	return data, nil
}

// send sends a request through the poster: the header lines h, the body.
func (r *snsRegion) send(ctx context.Context, h, body []byte) ([]byte, error) {
	status, data, err := r.poster.post(ctx, r.target, h, body, maxAnswer)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, apiError(status, data)
	}
	return data, nil
}

// snsAPIError is an error SNS answered. It is a smithy.APIError, as the SDK's errors are.
type snsAPIError struct {
	Status  int
	Code    string
	Message string
	Type    string // Sender or Receiver
}

func (e *snsAPIError) Error() string {
	return fmt.Sprintf("api error %s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}
func (e *snsAPIError) ErrorCode() string    { return e.Code }
func (e *snsAPIError) ErrorMessage() string { return e.Message }
func (e *snsAPIError) ErrorFault() smithy.ErrorFault {
	switch {
	case e.Type == "Sender":
		return smithy.FaultClient
	case e.Type == "Receiver" || e.Status >= 500:
		return smithy.FaultServer
	}
	return smithy.FaultUnknown
}

var _ smithy.APIError = (*snsAPIError)(nil)

// apiError decodes SNS's ErrorResponse; an answer without one keeps its status.
func apiError(status int, body []byte) error {
	var er struct {
		Error struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	e := &snsAPIError{Status: status}
	if xml.Unmarshal(body, &er) == nil && er.Error.Code != "" {
		e.Code, e.Message, e.Type = er.Error.Code, er.Error.Message, er.Error.Type
		return e
	}
	e.Code, e.Message = http.StatusText(status), strings.TrimSpace(string(body[:min(len(body), 256)]))
	if e.Code == "" {
		e.Code = "HTTP" + strconv.Itoa(status)
	}
	return e
}

// publishBatchResponse is SNS's answer to PublishBatch.
type publishBatchResponse struct {
	Successful []struct {
		ID string `xml:"Id"`
	} `xml:"PublishBatchResult>Successful>member"`
	Failed []struct {
		ID          string `xml:"Id"`
		Code        string `xml:"Code"`
		Message     string `xml:"Message"`
		SenderFault bool   `xml:"SenderFault"`
	} `xml:"PublishBatchResult>Failed>member"`
}

// decodeBatchAnswer decodes SNS's answer to PublishBatch. The usual answer, every entry published, is read
// by a scan for the Ids of <Successful> under an empty <Failed>; any other shape goes to encoding/xml, which
// costs about as much as the rest of the request.
func decodeBatchAnswer(data []byte) (publishBatchResponse, error) {
	var out publishBatchResponse
	if res, ok := element(data, "PublishBatchResult"); ok {
		failed, hasFailed := element(res, "Failed")
		succ, hasSucc := element(res, "Successful")
		if hasSucc && (!hasFailed || len(bytes.TrimSpace(failed)) == 0) {
			for {
				id, ok := element(succ, "Id")
				if !ok {
					return out, nil
				}
				if bytes.ContainsAny(id, "&<") {
					break
				}
				out.Successful = append(out.Successful, struct {
					ID string `xml:"Id"`
				}{string(id)})
				succ = succ[bytes.Index(succ, []byte("</Id>"))+len("</Id>"):]
			}
			out = publishBatchResponse{}
		}
	}
	if err := xml.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("SNS's answer to PublishBatch does not decode: %w", err)
	}
	return out, nil
}

// element returns the content of the first <name>…</name> (or <name/>, empty) in data, when it has no
// attributes.
func element(data []byte, name string) ([]byte, bool) {
	open := "<" + name
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(open))
		if j < 0 {
			return nil, false
		}
		i += j + len(open)
		switch {
		case bytes.HasPrefix(data[i:], []byte("/>")):
			return nil, true
		case bytes.HasPrefix(data[i:], []byte(">")):
			i++
			end := bytes.Index(data[i:], []byte("</"+name+">"))
			if end < 0 {
				return nil, false
			}
			return data[i : i+end], true
		}
		// a longer name with the same start (<IdX>): look further
	}
}

// form builds a query protocol body. Keys are made of unreserved characters only (letters, digits, dots),
// so they are written as they are; values are escaped as url.QueryEscape does.
type form struct{ b []byte }

func (f *form) value(v string) {
	f.b = append(f.b, '=')
	f.b = appendQueryEscape(f.b, v)
}

// add adds key=value.
func (f *form) add(key, value string) {
	if len(f.b) > 0 {
		f.b = append(f.b, '&')
	}
	f.b = append(f.b, key...)
	f.value(value)
}

// addMember adds <prefix><n>.<field>=value, as in "PublishBatchRequestEntries.member.1.Id".
func (f *form) addMember(prefix string, n int, field, value string) {
	f.b = append(f.b, '&')
	f.b = append(f.b, prefix...)
	f.b = strconv.AppendInt(f.b, int64(n), 10)
	f.b = append(f.b, '.')
	f.b = append(f.b, field...)
	f.value(value)
}

// addAttrs adds a notification's message attributes, with prefix before the "MessageAttributes.entry." keys
// ("" or "PublishBatchRequestEntries.member.<n>."), in the order of their names as the SDK does.
func (f *form) addAttrs(prefix []byte, a *attrs) {
	for i, kv := range a.list() {
		f.addAttr(prefix, i+1, "Name", kv[0])
		f.addAttr(prefix, i+1, "Value.DataType", "String")
		f.addAttr(prefix, i+1, "Value.StringValue", kv[1])
	}
}

// addAttr adds <prefix>MessageAttributes.entry.<n>.<field>=value.
func (f *form) addAttr(prefix []byte, n int, field, value string) {
	f.b = append(f.b, '&')
	f.b = append(f.b, prefix...)
	f.b = append(f.b, "MessageAttributes.entry."...)
	f.b = strconv.AppendInt(f.b, int64(n), 10)
	f.b = append(f.b, '.')
	f.b = append(f.b, field...)
	f.value(value)
}

// entryIDs are the Ids of a batch's entries.
var entryIDs = [maxBatchEntries]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// formSize bounds what the form fields of m take, escaping included, when their keys start with a prefix of
// prefixLen bytes ("" for Publish, "PublishBatchRequestEntries.member.<n>." for PublishBatch): each of an
// attribute's three fields repeats the prefix and "MessageAttributes.entry.<i>.".
func formSize(m *rendered, prefixLen int) int {
	return formBound(m, prefixLen, escapedLen)
}

// formBound is formSize with escaped(s) for what s takes escaped: escapedLen, or the cheaper worst case
// maxEscapedLen.
func formBound(m *rendered, prefixLen int, escaped func(string) int) int {
	n := 2*(prefixLen+16) + escaped(m.message)
	for _, kv := range m.attrs.list() {
		n += 3*(prefixLen+32) + 36 + escaped(kv[0]) + escaped(kv[1])
	}
	return n
}

// maxEscapedLen bounds escapedLen(s) without reading s: every byte escaped.
func maxEscapedLen(s string) int { return 3 * len(s) }

// publishBody is the form of Publish.
func publishBody(topic string, m *rendered) []byte {
	f := form{b: make([]byte, 0, 200+len(topic)*3+formSize(m, 0))}
	f.add("Action", "Publish")
	f.add("Version", snsVersion)
	f.add("TopicArn", topic)
	f.add("Message", m.message)
	f.addAttrs(nil, &m.attrs)
	return f.b
}

// publishBatchBody appends the form of PublishBatch to dst[:0]; entry i has the Id "i". A dst that holds the
// worst case (every byte escaped) is used as it is; a nil dst is allocated at the size the form needs, and a
// smaller one (a reused buffer) at the worst case, so that the next forms need not measure their escapes.
func publishBatchBody(dst []byte, topic string, msgs []*rendered) []byte {
	size := func(escaped func(string) int) int {
		n := 200 + len(topic)*3
		for _, m := range msgs {
			n += 16 + formBound(m, len("PublishBatchRequestEntries.member.10."), escaped)
		}
		return n
	}
	if worst := size(maxEscapedLen); cap(dst) < worst {
		if dst == nil {
			worst = size(escapedLen)
		}
		dst = make([]byte, 0, worst)
	}
	f := form{b: dst[:0]}
	f.add("Action", "PublishBatch")
	f.add("Version", snsVersion)
	f.add("TopicArn", topic)
	const p = "PublishBatchRequestEntries.member."
	var buf [64]byte
	for i, m := range msgs {
		f.addMember(p, i+1, "Id", entryIDs[i])
		f.addMember(p, i+1, "Message", m.message)
		prefix := append(strconv.AppendInt(append(buf[:0], p...), int64(i+1), 10), '.')
		f.addAttrs(prefix, &m.attrs)
	}
	return f.b
}

// escapedLen is len(url.QueryEscape(s)).
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && s[i] != ' ' {
			n += 2
		}
	}
	return n
}

// unreservedByte holds the bytes url.QueryEscape leaves as they are.
var unreservedByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

func unreserved(c byte) bool { return unreservedByte[c] }

// appendQueryEscape appends url.QueryEscape(s) to b without making a string of it; runs of bytes that stay as
// they are (most of an id, a word) are copied at once.
func appendQueryEscape(b []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for len(s) > 0 {
		i := 0
		for i < len(s) && unreservedByte[s[i]] {
			i++
		}
		b = append(b, s[:i]...)
		if i == len(s) {
			break
		}
		if c := s[i]; c == ' ' {
			b = append(b, '+')
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
		s = s[i+1:]
	}
	return b
}
