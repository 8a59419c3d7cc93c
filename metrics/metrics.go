// Package metrics exposes what an operator watches as Prometheus metrics (prometheus/client_golang): the APIs'
// requests by operation and status with their latency, and, read at each scrape, the sockets, the chats, the
// queues and their oldest contact, the agents by activity, the streaming outbox, the store's commits and their
// latency, and the bus's delivery lag.
//
// A Metrics is safe for concurrent use. Request is called on every answered request and only touches
// counters; everything else is read when Prometheus scrapes.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parley-chat/parley/agents"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/gateway"
	"github.com/parley-chat/parley/internal/durhist"
	"github.com/parley-chat/parley/streaming"
)

// Sources are where the scrape-time numbers come from; a nil one is left out.
type Sources struct {
	Sockets     func() gateway.Stats
	Live        func() agents.LiveView
	Streaming   func(ctx context.Context) (streaming.Stats, error)
	ActiveChats func(ctx context.Context) (int, error)
	// Commits is the store's writer: transactions and the updates they carried (SQLite's group commit).
	Commits     func() (batches, updates int64)
	Connections func() int
	// CommitLatency is the chat core's store updates; BusLag is items from their time to this node's sockets.
	CommitLatency func() durhist.Snapshot
	BusLag        func() durhist.Snapshot
}

// Metrics is the registry and the request counters.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	throttled *prometheus.CounterVec
}

// New registers parley's metrics, the Go runtime's and the process's.
func New(src Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_requests_total",
		Help: "API requests answered, by API, operation and HTTP status."}, []string{"api", "operation", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "parley_request_duration_seconds",
		Help:    "API request latency, by API and operation.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"api", "operation"})
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_throttled_requests_total",
		Help: "Requests refused by a limit (HTTP 429), by API and operation."}, []string{"api", "operation"})
	m.reg.MustRegister(m.requests, m.latency, m.throttled, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &scrape{src: src})
	return m
}

// Request implements httpapi.Observer.
func (m *Metrics) Request(api httpapi.API, operation string, status int, d time.Duration) {
	if operation == "" {
		operation = "unknown"
	}
	a := api.String()
	m.requests.WithLabelValues(a, operation, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(a, operation).Observe(d.Seconds())
	if status == http.StatusTooManyRequests {
		m.throttled.WithLabelValues(a, operation).Inc()
	}
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	descSockets     = prometheus.NewDesc("parley_sockets", "Open WebSocket connections, by state.", []string{"state"}, nil)
	descSlow        = prometheus.NewDesc("parley_slow_consumer_closes_total", "Sockets closed because they fell behind.", nil, nil)
	descGapReads    = prometheus.NewDesc("parley_socket_gap_reads_total", "Items sockets read from the store after a missed bus message.", nil, nil)
	descConnections = prometheus.NewDesc("parley_connections", "Open client connections, WebSockets included (limits.connections counts them).", nil, nil)
	descActive      = prometheus.NewDesc("parley_active_chats", "Active chats.", nil, nil)
	descWaiting     = prometheus.NewDesc("parley_queue_waiting_contacts", "Contacts waiting in a queue, not offered.", []string{"queue"}, nil)
	descOldest      = prometheus.NewDesc("parley_queue_oldest_contact_age_seconds", "Age of the oldest waiting contact of a queue.", []string{"queue"}, nil)
	descAgents      = prometheus.NewDesc("parley_agents", "Agents the routing knows, by activity.", []string{"activity"}, nil)
	descBacklog     = prometheus.NewDesc("parley_streaming_outbox_backlog", "Streamed items waiting for delivery.", nil, nil)
	descDead        = prometheus.NewDesc("parley_streaming_outbox_dead", "Streamed items dead-lettered and not replayed.", nil, nil)
	descDelivered   = prometheus.NewDesc("parley_streaming_delivered_total", "Streamed items this process delivered.", nil, nil)
	descStoreReads  = prometheus.NewDesc("parley_streaming_store_reads_total", "Turns of the streaming worker that read items from the store rather than its item cache.", nil, nil)
	descBatches     = prometheus.NewDesc("parley_store_commits_total", "Transactions the store's writer committed.", nil, nil)
	descUpdates     = prometheus.NewDesc("parley_store_updates_total", "Updates those transactions carried (updates per commit: the group-commit batch).", nil, nil)
	descCommit      = prometheus.NewDesc("parley_store_update_duration_seconds", "Latency of the chat core's store updates (a group commit's wait included).", nil, nil)
	descBusLag      = prometheus.NewDesc("parley_bus_delivery_seconds", "From an item's time (taken in its storing transaction) to the bus bringing it to this node's sockets.", nil, nil)
)

// scrape reads the sources when Prometheus asks.
type scrape struct{ src Sources }

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSockets, descSlow, descGapReads, descConnections, descActive, descWaiting,
		descOldest, descAgents, descBacklog, descDead, descDelivered, descStoreReads, descBatches, descUpdates, descCommit, descBusLag} {
		ch <- d
	}
}

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	if f := s.src.Sockets; f != nil {
		st := f()
		gauge(descSockets, float64(st.Open-st.Subscribed), "open")
		gauge(descSockets, float64(st.Subscribed), "subscribed")
		counter(descSlow, float64(st.SlowConsumerCloses))
		counter(descGapReads, float64(st.GapReads))
	}
	if f := s.src.Connections; f != nil {
		gauge(descConnections, float64(f()))
	}
	if f := s.src.ActiveChats; f != nil {
		if n, err := f(ctx); err == nil {
			gauge(descActive, float64(n))
		}
	}
	if f := s.src.Live; f != nil {
		lv := f()
		waiting, oldest := map[string]int{}, map[string]time.Time{}
		for _, c := range lv.Waiting {
			waiting[c.QueueID]++
			if o, ok := oldest[c.QueueID]; !ok || c.EnqueuedAt.Before(o) {
				oldest[c.QueueID] = c.EnqueuedAt
			}
		}
		for q, n := range waiting {
			gauge(descWaiting, float64(n), q)
			gauge(descOldest, lv.Time.Sub(oldest[q]).Seconds(), q)
		}
		activity := map[string]int{}
		for _, a := range lv.Agents {
			activity[string(a.Activity)]++
		}
		for a, n := range activity {
			gauge(descAgents, float64(n), a)
		}
	}
	if f := s.src.Streaming; f != nil {
		if st, err := f(ctx); err == nil {
			gauge(descBacklog, float64(st.Backlog))
			gauge(descDead, float64(st.DeadCount))
			counter(descDelivered, float64(st.Delivered))
			counter(descStoreReads, float64(st.StoreReads))
		}
	}
	if f := s.src.Commits; f != nil {
		b, u := f()
		counter(descBatches, float64(b))
		counter(descUpdates, float64(u))
	}
	histogram := func(d *prometheus.Desc, f func() durhist.Snapshot) {
		if f != nil {
			h := f()
			ch <- prometheus.MustNewConstHistogram(d, h.Count, h.SumSeconds, h.Buckets)
		}
	}
	histogram(descCommit, s.src.CommitLatency)
	histogram(descBusLag, s.src.BusLag)
}
