package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/streaming/sink/snstest"
)

const batchTopic = "arn:aws:sns:eu-west-3:123456789012:parley-batch"

// gatedSNS is a fake SNS whose first held requests wait until release is closed; it records the entries of
// every request.
type gatedSNS struct {
	fake    *snstest.Server
	url     string
	held    int           // requests to hold
	arrived chan struct{} // one send per held request that arrived
	release chan struct{}

	mu      sync.Mutex
	n       int
	entries []int // entries per request, in arrival order
}

func newGatedSNS(t *testing.T, held int) *gatedSNS {
	t.Helper()
	g := &gatedSNS{fake: snstest.New(t), held: held, arrived: make(chan struct{}, held), release: make(chan struct{})}
	g.fake.SecretAccessKey = "secret" // every request's signature is checked
	g.fake.CreateTopic(batchTopic)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n := 1
		if f.Get("Action") == "PublishBatch" {
			for n = 0; f.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Id", n+1)) != ""; n++ {
			}
		}
		g.mu.Lock()
		g.n++
		hold := g.n <= g.held
		g.entries = append(g.entries, n)
		g.mu.Unlock()
		if hold {
			g.arrived <- struct{}{}
			<-g.release
		}
		g.fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-g.release:
		default:
			close(g.release)
		}
	})
	g.url = srv.URL
	return g
}

func (g *gatedSNS) requests() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.entries...)
}

func newTestSNS(t *testing.T, endpoint string) *SNS {
	t.Helper()
	cfg := &aws.Config{Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
	})}
	s, err := NewSNS(context.Background(), SNSOptions{Endpoint: endpoint, AccountID: "123456789012", AWS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// msgs returns n notifications of stream name: "name-0", "name-1"... with valid attributes.
func msgs(name string, n, size int) []rendered {
	var ms []rendered
	for i := range n {
		m := fmt.Sprintf("%s-%d", name, i)
		if size > len(m) {
			m += strings.Repeat("x", size-len(m))
		}
		ms = append(ms, rendered{message: m, attrs: attrsFrom(map[string]string{"ContactId": name, "Type": "MESSAGE"})})
	}
	return ms
}

type result struct {
	n   int
	err error
}

// publishAsync calls publishBatch on its own goroutine.
func publishAsync(ctx context.Context, s *SNS, ms []rendered) <-chan result {
	c := make(chan result, 1)
	go func() {
		n, err := s.publishBatch(ctx, Topic{ARN: batchTopic, Region: "eu-west-3"}, ms)
		c <- result{n, err}
	}()
	return c
}

// waitQueued waits until the topic has n calls waiting.
func waitQueued(t *testing.T, s *SNS, n int) {
	t.Helper()
	q := s.queue(batchTopic)
	for {
		q.mu.Lock()
		got := len(q.waiting)
		q.mu.Unlock()
		if got == n {
			return
		}
		if got > n {
			t.Fatalf("%d calls waiting, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdTwo starts two lone calls that the fake holds, so that the topic has partialInFlight requests in flight.
func holdTwo(t *testing.T, s *SNS, g *gatedSNS) []<-chan result {
	t.Helper()
	if partialInFlight != 2 {
		t.Fatalf("the test holds 2 requests; partialInFlight is %d", partialInFlight)
	}
	rs := []<-chan result{publishAsync(context.Background(), s, msgs("a", 1, 0)),
		publishAsync(context.Background(), s, msgs("b", 1, 0))}
	<-g.arrived
	<-g.arrived
	return rs
}

// TestSNSCoalesces: calls for a topic that arrive while it has requests in flight go out together in one
// PublishBatch, each stream's entries in order, and each call gets its own answer.
func TestSNSCoalesces(t *testing.T) {
	g := newGatedSNS(t, 2)
	s := newTestSNS(t, g.url)
	first := holdTwo(t, s, g)
	var rs []<-chan result
	for i, name := range []string{"c", "d", "e", "f"} {
		rs = append(rs, publishAsync(context.Background(), s, msgs(name, 2, 0)))
		waitQueued(t, s, i+1)
	}
	close(g.release)
	for i, c := range append(first, rs...) {
		want := 2
		if i < 2 {
			want = 1
		}
		if r := <-c; r.n != want || r.err != nil {
			t.Errorf("call %d = %d, %v; want %d, nil", i, r.n, r.err, want)
		}
	}
	if got := g.requests(); len(got) != 3 || got[2] != 8 {
		t.Errorf("entries per request %v, want [1 1 8]", got)
	}
	var got []string
	for _, p := range g.fake.Publishes() {
		if p.Message != "a-0" && p.Message != "b-0" {
			got = append(got, p.Message)
		}
	}
	if want := "c-0 c-1 d-0 d-1 e-0 e-1 f-0 f-1"; strings.Join(got, " ") != want {
		t.Errorf("published %v besides a-0 and b-0, want %s", got, want)
	}
}

// TestSNSBatchLimits: a request holds at most 10 entries and 256 KiB; a call that does not fit goes out in
// consecutive requests, in order.
func TestSNSBatchLimits(t *testing.T) {
	g := newGatedSNS(t, 0)
	s := newTestSNS(t, g.url)
	big := msgs("big", 10, 60<<10) // 4 fit in 256 KiB
	if r := <-publishAsync(context.Background(), s, big); r.n != 10 || r.err != nil {
		t.Fatalf("publishBatch = %d, %v", r.n, r.err)
	}
	if got := fmt.Sprint(g.requests()); got != "[4 4 2]" {
		t.Errorf("entries per request %s, want [4 4 2]", got)
	}
	small := msgs("small", 10, 0)
	if r := <-publishAsync(context.Background(), s, append(small, msgs("more", 1, 0)...)); r.n != 11 || r.err != nil {
		t.Fatalf("publishBatch of 11 = %d, %v", r.n, r.err)
	}
	if got := fmt.Sprint(g.requests()[3:]); got != "[10 1]" {
		t.Errorf("entries per request %s, want [10 1]", got)
	}
	ps := g.fake.Publishes()
	if len(ps) != 21 {
		t.Fatalf("%d published, want 21", len(ps))
	}
	for i, p := range ps[:10] {
		if !strings.HasPrefix(p.Message, fmt.Sprintf("big-%d", i)) {
			t.Errorf("published %d: %.10s…, want big-%d", i, p.Message, i)
		}
	}
}

// TestSNSCoalescedFailures: in a shared request, an entry SNS refuses fails its own call from that entry on
// and leaves the other calls alone; a refused request fails every call in it, retriably.
func TestSNSCoalescedFailures(t *testing.T) {
	g := newGatedSNS(t, 2)
	s := newTestSNS(t, g.url)
	first := holdTwo(t, s, g)
	x := msgs("x", 3, 0)
	x[1].attrs = attrsFrom(map[string]string{"ContactId": "x", "Type": ""}) // SNS refuses an empty attribute value: InvalidParameterValue, the sender's fault
	rx := publishAsync(context.Background(), s, x)
	waitQueued(t, s, 1)
	ry := publishAsync(context.Background(), s, msgs("y", 2, 0))
	waitQueued(t, s, 2)
	close(g.release)
	for _, c := range first {
		<-c
	}
	if r := <-rx; r.n != 1 || !IsPermanent(r.err) {
		t.Errorf("x = %d, %v; want 1 and a permanent error", r.n, r.err)
	}
	if r := <-ry; r.n != 2 || r.err != nil {
		t.Errorf("y = %d, %v; want 2, nil", r.n, r.err)
	}
	if got := fmt.Sprint(g.requests()); got != "[1 1 5]" {
		t.Errorf("entries per request %s, want [1 1 5]", got)
	}

	g2 := newGatedSNS(t, 2)
	s2 := newTestSNS(t, g2.url)
	first = holdTwo(t, s2, g2)
	g2.fake.FailNext(snstest.InternalError, 3) // the two held ones and the shared one
	rs := []<-chan result{publishAsync(context.Background(), s2, msgs("p", 2, 0))}
	waitQueued(t, s2, 1)
	rs = append(rs, publishAsync(context.Background(), s2, msgs("q", 1, 0)))
	waitQueued(t, s2, 2)
	close(g2.release)
	for i, c := range append(first, rs...) {
		if r := <-c; r.n != 0 || r.err == nil || IsPermanent(r.err) {
			t.Errorf("call %d = %d, %v; want 0 and a retriable error", i, r.n, r.err)
		}
	}
	if n := len(g2.fake.Publishes()); n != 0 {
		t.Errorf("%d published after refused requests", n)
	}
}

// TestSNSWaitingCallCancelled: a call whose ctx ends while it waits leaves the queue and returns ctx.Err();
// nothing of it is published, and the others go on.
func TestSNSWaitingCallCancelled(t *testing.T) {
	g := newGatedSNS(t, 2)
	s := newTestSNS(t, g.url)
	first := holdTwo(t, s, g)
	ctx, cancel := context.WithCancel(context.Background())
	rz := publishAsync(ctx, s, msgs("z", 2, 0))
	waitQueued(t, s, 1)
	cancel()
	if r := <-rz; r.n != 0 || !errors.Is(r.err, context.Canceled) {
		t.Errorf("cancelled call = %d, %v; want 0, context.Canceled", r.n, r.err)
	}
	waitQueued(t, s, 0)
	close(g.release)
	for _, c := range first {
		if r := <-c; r.n != 1 || r.err != nil {
			t.Errorf("held call = %d, %v", r.n, r.err)
		}
	}
	if r := <-publishAsync(context.Background(), s, msgs("w", 1, 0)); r.n != 1 || r.err != nil {
		t.Errorf("a later call = %d, %v", r.n, r.err)
	}
	for _, p := range g.fake.Publishes() {
		if strings.HasPrefix(p.Message, "z-") {
			t.Errorf("the cancelled call's %s was published", p.Message)
		}
	}
}

// TestSNSCoalescedOrder: many streams publishing at once, each its items one call after another, as the
// streaming core does: every item is published once, each stream's in order.
func TestSNSCoalescedOrder(t *testing.T) {
	g := newGatedSNS(t, 0)
	s := newTestSNS(t, g.url)
	const streams, calls = 16, 20
	var wg sync.WaitGroup
	for i := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("s%02d", i)
			seq := 0
			for c := range calls {
				var ms []rendered
				for range 1 + (i+c)%3 {
					ms = append(ms, rendered{message: fmt.Sprintf("%s-%04d", name, seq),
						attrs: attrsFrom(map[string]string{"ContactId": name})})
					seq++
				}
				if n, err := s.publishBatch(context.Background(), Topic{ARN: batchTopic, Region: "eu-west-3"}, ms); n != len(ms) || err != nil {
					t.Errorf("%s call %d = %d, %v", name, c, n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	next := map[string]int{}
	total := 0
	for _, p := range g.fake.Publishes() {
		name, seq, _ := strings.Cut(p.Message, "-")
		if want := fmt.Sprintf("%04d", next[name]); seq != want {
			t.Fatalf("%s: published %s after %d items, want %s", name, seq, next[name], want)
		}
		next[name]++
		total++
	}
	want := 0
	for i := range streams {
		for c := range calls {
			want += 1 + (i+c)%3
		}
	}
	if total != want {
		t.Errorf("%d published, want %d", total, want)
	}
	t.Logf("%d items in %d requests", total, len(g.requests()))
}

// sdkBody returns the form body service/sns sends for in.
func sdkBody(t *testing.T, call func(*sns.Client) error) url.Values {
	t.Helper()
	var body []byte
	c := sns.New(sns.Options{Region: "eu-west-3", BaseEndpoint: aws.String("http://127.0.0.1:1"), Retryer: aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, nil
		}),
		HTTPClient: doFunc(func(r *http.Request) (*http.Response, error) {
			body, _ = io.ReadAll(r.Body)
			return nil, errors.New("captured")
		})})
	_ = call(c)
	v, err := url.ParseQuery(string(body))
	if err != nil || len(v) == 0 {
		t.Fatalf("the SDK's body %q: %v", body, err)
	}
	return v
}

type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestSNSQueryMatchesSDK: the Publish and PublishBatch bodies parley builds are the forms service/sns sends for
// the same notifications: the same fields, the same values, whatever the characters.
func TestSNSQueryMatchesSDK(t *testing.T) {
	odd := []rendered{
		{message: `{"Content":"a b&c=d+e%f\n\"ü ✓ 😀 <x> ~._-*'()!"}`, attrs: attrsFrom(map[string]string{"ContactId": "c 1&2", "Type": "MESSAGE",
			"ParticipantRole": "CUSTOMER", "InitialContactId": "ü✓", "AccountId": "000000000000", "InstanceId": "i",
			"ContentType": "text/plain; charset=utf-8", "MessageVisibility": "ALL"})},
		{message: "plain", attrs: attrsFrom(map[string]string{"Type": "EVENT"})},
		{message: strings.Repeat("x", 3000) + "+"},
	}
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	sdkAttrs := func(m rendered) map[string]types.MessageAttributeValue {
		a := map[string]types.MessageAttributeValue{}
		for _, kv := range m.attrs.list() {
			a[kv[0]] = str(kv[1])
		}
		return a
	}
	for i, m := range odd {
		want := sdkBody(t, func(c *sns.Client) error {
			_, err := c.Publish(context.Background(), &sns.PublishInput{TopicArn: aws.String(batchTopic), Message: aws.String(m.message),
				MessageAttributes: sdkAttrs(m)})
			return err
		})
		got, err := url.ParseQuery(string(publishBody(batchTopic, &m)))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Publish %d (-SDK +parley):\n%s", i, d)
		}
	}
	in := &sns.PublishBatchInput{TopicArn: aws.String(batchTopic)}
	var ms []*rendered
	for i := range 10 {
		m := &odd[i%len(odd)]
		ms = append(ms, m)
		in.PublishBatchRequestEntries = append(in.PublishBatchRequestEntries, types.PublishBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), Message: aws.String(m.message), MessageAttributes: sdkAttrs(*m)})
	}
	want := sdkBody(t, func(c *sns.Client) error { _, err := c.PublishBatch(context.Background(), in); return err })
	got, err := url.ParseQuery(string(publishBatchBody(nil, batchTopic, ms)))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("PublishBatch (-SDK +parley):\n%s", d)
	}
}

// TestDecodeBatchAnswer: SNS's answers to PublishBatch, read by the scan or by encoding/xml, give the same
// entries.
func TestDecodeBatchAnswer(t *testing.T) {
	const head = `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>`
	const tail = `</PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>`
	for _, tc := range []struct {
		name, body string
		ok         []string
		failed     []string // Id:Code:SenderFault
	}{
		{"all published", head + `<Failed/><Successful><member><MessageId>m0</MessageId><Id>0</Id><SequenceNumber>1</SequenceNumber></member>` +
			`<member><Id>1</Id><MessageId>m1</MessageId></member></Successful>` + tail, []string{"0", "1"}, nil},
		{"empty Failed element, indented", head + "\n  <Failed>\n  </Failed>\n  <Successful>\n    <member>\n      <Id>7</Id>\n    </member>\n  </Successful>\n" + tail,
			[]string{"7"}, nil},
		{"no Failed element", head + `<Successful><member><Id>2</Id></member></Successful>` + tail, []string{"2"}, nil},
		{"some failed", head + `<Failed><member><Id>1</Id><Code>InvalidParameter</Code><Message>bad</Message><SenderFault>true</SenderFault></member>` +
			`<member><Id>2</Id><Code>InternalError</Code><Message>oops</Message><SenderFault>false</SenderFault></member></Failed>` +
			`<Successful><member><Id>0</Id></member></Successful>` + tail, []string{"0"}, []string{"1:InvalidParameter:true", "2:InternalError:false"}},
		{"all failed", head + `<Successful/><Failed><member><Id>0</Id><Code>InternalError</Code><SenderFault>false</SenderFault></member></Failed>` + tail,
			nil, []string{"0:InternalError:false"}},
		{"an escaped Id", head + `<Failed/><Successful><member><Id>a&amp;b</Id></member></Successful>` + tail, []string{"a&b"}, nil},
	} {
		out, err := decodeBatchAnswer([]byte(tc.body))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var ok, failed []string
		for _, s := range out.Successful {
			ok = append(ok, s.ID)
		}
		for _, f := range out.Failed {
			failed = append(failed, fmt.Sprintf("%s:%s:%v", f.ID, f.Code, f.SenderFault))
		}
		if fmt.Sprint(ok) != fmt.Sprint(tc.ok) || fmt.Sprint(failed) != fmt.Sprint(tc.failed) {
			t.Errorf("%s: published %v, failed %v; want %v, %v", tc.name, ok, failed, tc.ok, tc.failed)
		}
	}
	if _, err := decodeBatchAnswer([]byte("<html>busy</html")); err == nil {
		t.Error("an answer that is not XML decoded")
	}
}

// TestFormSizeBounds: the forms are built in the buffer formSize sizes, without growing it.
func TestFormSizeBounds(t *testing.T) {
	attrs := map[string]string{"InitialContactId": "c9d1f4ce-0000-4000-8000-000000000001", "ContactId": "c9d1f4ce-0000-4000-8000-000000000002",
		"ParticipantRole": "CUSTOMER", "InstanceId": "b6d2e0f1-0000-4000-8000-000000000003", "AccountId": "123456789012",
		"Type": "MESSAGE", "ContentType": "text/plain", "MessageVisibility": "ALL"}
	m := &rendered{message: strings.Repeat(`{"Content":"é \"x\""}`, 20), attrs: attrsFrom(attrs)}
	msgs := make([]*rendered, 10)
	for i := range msgs {
		msgs[i] = m
	}
	topic := "arn:aws:sns:us-west-2:123456789012:stream"
	if n := growAllocs(func() { publishBatchBody(nil, topic, msgs) }); n > 1 {
		t.Errorf("PublishBatch body: %v allocations, want 1", n)
	}
	buf := publishBatchBody(nil, topic, msgs)
	if n := growAllocs(func() { buf = publishBatchBody(buf, topic, msgs) }); n != 0 {
		t.Errorf("PublishBatch body in a reused buffer (grown once to the worst case): %v allocations, want 0", n)
	}
	if n := growAllocs(func() { publishBody(topic, m) }); n > 1 {
		t.Errorf("Publish body: %v allocations, want 1", n)
	}
}

// attrsFrom is attrsOf for a map that fits.
func attrsFrom(m map[string]string) attrs {
	a, err := attrsOf(m)
	if err != nil {
		panic(err)
	}
	return a
}

// growAllocs is the allocations of one f.
func growAllocs(f func()) float64 { return testing.AllocsPerRun(10, f) }

// BenchmarkPublishBatchBody: the form of a PublishBatch of 10 chat messages, in a reused buffer as the sender
// builds it.
func BenchmarkPublishBatchBody(b *testing.B) {
	attrs := map[string]string{"InitialContactId": "c9d1f4ce-0000-4000-8000-000000000001", "ContactId": "c9d1f4ce-0000-4000-8000-000000000002",
		"ParticipantRole": "CUSTOMER", "InstanceId": "b6d2e0f1-0000-4000-8000-000000000003", "AccountId": "123456789012",
		"Type": "MESSAGE", "ContentType": "text/plain", "MessageVisibility": "ALL"}
	m := &rendered{message: `{"AbsoluteTime":"2026-12-04T15:06:44.123Z","Content":"` + strings.Repeat("0", 80) +
		`","ContentType":"text/plain","Id":"33333333-be0d-4a44-889d-d2a86fc06f01","Type":"MESSAGE","ParticipantId":"` +
		`c9d1f4ce-0000-4000-8000-000000000009","DisplayName":"Jane","ParticipantRole":"CUSTOMER","ContactId":` +
		`"c9d1f4ce-0000-4000-8000-000000000002","InitialContactId":"c9d1f4ce-0000-4000-8000-000000000001"}`, attrs: attrsFrom(attrs)}
	msgs := make([]*rendered, 10)
	for i := range msgs {
		msgs[i] = m
	}
	buf := make([]byte, 0, 1) // a reused buffer, as the sender's pool holds
	b.ReportAllocs()
	for b.Loop() {
		buf = publishBatchBody(buf, "arn:aws:sns:us-west-2:123456789012:stream", msgs)
	}
	b.SetBytes(int64(len(buf)))
}
