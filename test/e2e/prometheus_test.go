package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// TestPrometheusMetrics: with metrics on, /metrics (on its own listener) counts the requests each API answered
// by operation and status, the throttled ones, and shows the sockets, the active chats and a queue's waiting
// contacts at the time of the scrape.
func TestPrometheusMetrics(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.Metrics = "127.0.0.1:0"
		c.Limits = throttle.Config{Participant: throttle.ParticipantRates{Transcripts: throttle.Rate{Rate: 0.001, Burst: 1}}}
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	dial(t, cust.URL)
	e.send(cust.Token, "hello")
	e.transcript(cust.Token)                                           // one page: the burst of 1
	postParticipant(t, e, "/participant/transcript", cust.Token, `{}`) // throttled

	resp, err := http.Get("http://" + e.srv.MetricsAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	wants := []string{
		`parley_requests_total{api="participant",code="200",operation="SendMessage"} 1`,
		`parley_requests_total{api="connect",code="200",operation="StartChatContact"} 1`,
		`parley_requests_total{api="participant",code="429",operation="GetTranscript"} 1`,
		`parley_throttled_requests_total{api="participant",operation="GetTranscript"} 1`,
		`parley_request_duration_seconds_count{api="participant",operation="SendMessage"} 1`,
		`parley_sockets{state="subscribed"} 1`,
		`parley_active_chats 1`,
		`parley_queue_waiting_contacts{queue=`,
		`go_goroutines`,
	}
	if e.srv.Config().Database == "" {
		wants = append(wants, `parley_store_commits_total`) // SQLite's writer; Postgres has no one writer
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", text)
	}
}
