package sink_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/streaming"
	"github.com/parley-chat/parley/streaming/sink"
)

// BenchmarkSNSDeliverBatch: one PublishBatch of 10 chat messages (80 bytes of content, as parley bench chat
// sends) to a receiver that reads the request and answers a canned success, so that the numbers are mostly
// the sender's.
func BenchmarkSNSDeliverBatch(b *testing.B) {
	var ok strings.Builder
	ok.WriteString(`<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>`)
	for i := range streaming.MaxBatch {
		fmt.Fprintf(&ok, `<member><Id>%d</Id><MessageId>8b3f2c1e-6b5a-4c1d-9e2f-%012d</MessageId></member>`, i, i)
	}
	ok.WriteString(`</Successful><Failed></Failed></PublishBatchResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></PublishBatchResponse>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, ok.String())
	}))
	defer srv.Close()
	r, err := sink.NewRouter(context.Background(), sink.Config{SNSEndpoint: srv.URL}, sink.Options{AccountID: account, AWS: staticAWS()})
	if err != nil {
		b.Fatal(err)
	}
	var ds []streaming.Delivery
	for i := range streaming.MaxBatch {
		it := from(item(fmt.Sprintf("33333333-be0d-4a44-889d-d2a86fc06f%02d", i), parley.ItemMessage, "text/plain"), customer, "Jane", parley.RoleCustomer)
		it.Content = fmt.Sprintf("%080d", i)
		ds = append(ds, streaming.Delivery{Contact: contact, Item: it})
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := r.DeliverBatch(context.Background(), topicARN, "stream-1", ds); n != len(ds) || err != nil {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ds)), "µs/item")
}
