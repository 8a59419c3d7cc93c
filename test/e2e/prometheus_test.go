package e2e

import (
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// TestPrometheusMetrics: with metrics on, /metrics (on its own listener) parses as Prometheus's text format. It
// counts the requests each API answered by operation and status, and the throttled ones; it shows the sockets,
// the active chats and a queue's waiting contacts at the time of the scrape; and the request, store-update and
// bus-delivery histograms move when messages go through.
func TestPrometheusMetrics(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.Metrics = "127.0.0.1:0"
		c.Limits = throttle.Config{Participant: throttle.ParticipantRates{Transcripts: throttle.Rate{Rate: 0.001, Burst: 1}}}
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	e.send(cust.Token, "hello")
	cs.until("text/plain")
	e.transcript(cust.Token)                                           // one page: the burst of 1
	postParticipant(t, e, "/participant/transcript", cust.Token, `{}`) // throttled

	url := "http://" + e.srv.MetricsAddr().String() + "/metrics"
	first := scrape(t, url)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64 // -1: present, any value
	}{
		{"parley_requests_total", map[string]string{"api": "participant", "code": "200", "operation": "SendMessage"}, 1},
		{"parley_requests_total", map[string]string{"api": "connect", "code": "200", "operation": "StartChatContact"}, 1},
		{"parley_requests_total", map[string]string{"api": "participant", "code": "429", "operation": "GetTranscript"}, 1},
		{"parley_throttled_requests_total", map[string]string{"api": "participant", "operation": "GetTranscript"}, 1},
		{"parley_request_duration_seconds", map[string]string{"api": "participant", "operation": "SendMessage"}, 1},
		{"parley_sockets", map[string]string{"state": "subscribed"}, 1},
		{"parley_active_chats", nil, 1},
		{"parley_queue_waiting_contacts", nil, 1},
		{"parley_store_update_duration_seconds", nil, -1},
		{"parley_bus_delivery_seconds", nil, -1},
		{"go_goroutines", nil, -1},
	} {
		got, ok := value(first, c.name, c.labels)
		if !ok {
			t.Errorf("/metrics lacks %s%v", c.name, c.labels)
		} else if c.want >= 0 && got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if e.srv.Config().Database == "" {
		if _, ok := value(first, "parley_store_commits_total", nil); !ok { // SQLite's writer; Postgres has no one writer
			t.Error("/metrics lacks parley_store_commits_total")
		}
	}

	// Two more messages move the counters and the histograms.
	e.send(cust.Token, "one")
	e.send(cust.Token, "two")
	cs.until("text/plain")
	cs.until("text/plain")
	second := scrape(t, url)
	for _, name := range []string{"parley_store_update_duration_seconds", "parley_bus_delivery_seconds"} {
		a, _ := value(first, name, nil)
		b, _ := value(second, name, nil)
		if b < a+2 {
			t.Errorf("%s counted %v, then %v after two messages: want at least 2 more", name, a, b)
		}
	}
	sent := map[string]string{"api": "participant", "code": "200", "operation": "SendMessage"}
	if n, _ := value(second, "parley_requests_total", sent); n != 3 {
		t.Errorf("SendMessage requests after three messages: %v", n)
	}
}

// scrape reads and parses /metrics.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// value is the value of the first series of a family whose labels include labels: a counter's or a gauge's value,
// a histogram's count.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			if have[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}
