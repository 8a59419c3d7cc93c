package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/streaming"
)

// Environment of the child process TestStreamingSurvivesKill9 runs: a server on a data dir whose streaming
// endpoint POSTs every delivery to a receiver.
const (
	childDirEnv      = "PARLEY_E2E_STREAM_CHILD_DIR"
	childReceiverEnv = "PARLEY_E2E_STREAM_RECEIVER"
)

// received is what the child's endpoint POSTs for each delivery.
type received struct {
	Stream string `json:"stream"`
	ID     string `json:"id"`
	Seq    int64  `json:"seq"`
	Type   string `json:"type"`
}

// postEndpoint delivers by POSTing a received to a URL; any answer but 200 is an error (retried).
type postEndpoint struct{ url string }

func (p postEndpoint) Deliver(ctx context.Context, _, streamingID string, _ *parley.Contact, it *parley.Item) error {
	b, _ := json.Marshal(received{Stream: streamingID, ID: it.ID, Seq: it.Seq, Type: string(it.Type)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}

// runChild serves until the parent kills it, after printing its URL.
func runChild(dir, receiver string) {
	m := server.New(server.Config{DataDir: dir, Listen: "127.0.0.1:0", StreamingEndpoint: postEndpoint{url: receiver},
		StreamingDelivery: streaming.Config{RetryBase: 5 * time.Millisecond, RetryCap: 50 * time.Millisecond,
			ScanInterval: 100 * time.Millisecond}}, nil)
	if err := m.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	in, flow := m.Instance()
	fmt.Printf("READY %s %s %s\n", m.URL(), in.ID, flow.ID)
	select {}
}

// receiver records the deliveries; it is slow (so a backlog builds up) and refuses every fourth request (so
// deliveries are retried).
type receiver struct {
	mu    sync.Mutex
	n     int
	got   []received
	delay time.Duration
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var rec received
	if err := json.NewDecoder(req.Body).Decode(&rec); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.n%4 == 0 {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	r.got = append(r.got, rec)
}

func (r *receiver) snapshot() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// child is a server running in a child process.
type child struct {
	cmd                     *exec.Cmd
	url, instanceID, flowID string
}

func startChild(t *testing.T, dir, receiverURL string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamingSurvivesKill9$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childReceiverEnv+"="+receiverURL)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	t.Cleanup(func() { c.kill() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "READY" {
			c.url, c.instanceID, c.flowID = f[1], f[2], f[3]
			go func() { // keep draining the child's stdout
				for sc.Scan() {
				}
			}()
			return c
		}
	}
	t.Fatalf("the child server did not start: %v", sc.Err())
	return nil
}

// kill ends the child with SIGKILL: no shutdown, nothing flushed.
func (c *child) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// TestStreamingSurvivesKill9: a server streaming a chat to a slow, flaky receiver is killed with SIGKILL in the
// middle of the backlog; a new server on the same data dir delivers every message that was acknowledged, the
// first deliveries of the stream in Seq order.
func TestStreamingSurvivesKill9(t *testing.T) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		runChild(dir, os.Getenv(childReceiverEnv))
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rcv := &receiver{delay: 10 * time.Millisecond}
	rs := httptest.NewServer(rcv)
	defer rs.Close()
	dir := t.TempDir()

	c1 := startChild(t, dir, rs.URL)
	const region = "us-west-2" // the server's default
	cc := connect.NewFromConfig(aws.Config{Region: region, Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDPARLEYTEST", SecretAccessKey: "secret"}, nil
		})}, func(o *connect.Options) { o.BaseEndpoint = aws.String(c1.url) })
	e := &env{t: t, cc: cc, pc: participantClient(c1.url, region)}
	out, err := cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(c1.instanceID),
		ContactFlowId: aws.String(c1.flowID), ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cc.StartContactStreaming(ctx(t), &connect.StartContactStreamingInput{InstanceId: aws.String(c1.instanceID),
		ContactId: out.ContactId, ChatStreamingConfiguration: &ctypes.ChatStreamingConfiguration{
			StreamingEndpointArn: aws.String("arn:aws:sns:us-west-2:000000000000:kill9")}})
	if err != nil {
		t.Fatal(err)
	}
	cust := e.connect(*out.ParticipantToken)
	var acked []string
	for i := range 60 {
		acked = append(acked, *e.send(cust.Token, fmt.Sprint("m", i)).Id)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(rcv.snapshot()) < 10 {
		if time.Now().After(deadline) {
			t.Fatal("no deliveries before the kill")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c1.kill()
	before := len(rcv.snapshot())
	if before >= len(acked) {
		t.Fatalf("the backlog drained before the kill (%d deliveries): nothing tested", before)
	}

	startChild(t, dir, rs.URL)
	want := map[string]bool{}
	for _, id := range acked {
		want[id] = true
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		seen := map[string]bool{}
		for _, r := range rcv.snapshot() {
			seen[r.ID] = true
		}
		missing := 0
		for id := range want {
			if !seen[id] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged messages never delivered after the restart", missing)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// First deliveries in Seq order; repeats (a delivery the kill cut before it was recorded) are allowed.
	var last int64
	firsts := map[string]bool{}
	for _, r := range rcv.snapshot() {
		if r.Stream != *st.StreamingId {
			t.Errorf("delivery to stream %s, want %s", r.Stream, *st.StreamingId)
		}
		if firsts[r.ID] {
			continue
		}
		firsts[r.ID] = true
		if r.Seq <= last {
			t.Errorf("item %s (Seq %d) first delivered after Seq %d", r.ID, r.Seq, last)
		}
		last = r.Seq
	}
	t.Logf("%d deliveries before the kill, %d in all", before, len(rcv.snapshot()))
}

// recordEndpoint records the Seq of every delivered item per stream.
type recordEndpoint struct {
	mu   sync.Mutex
	seqs map[string][]int64
}

func (r *recordEndpoint) Deliver(_ context.Context, _, streamingID string, _ *parley.Contact, it *parley.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs[streamingID] = append(r.seqs[streamingID], it.Seq)
	return nil
}

func (r *recordEndpoint) of(id string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seqs[id]...)
}

// TestStreamingBeforeConnect: a stream started before the customer connected carries the chat from its first
// item (Connect starts the flow only once the customer is connected, so the integrator misses nothing the flow
// says); a stream started after the customer connected carries only what follows.
func TestStreamingBeforeConnect(t *testing.T) {
	rec := &recordEndpoint{seqs: map[string][]int64{}}
	e := newEnv(t, func(c *server.Config) { c.StreamingEndpoint = rec })
	start := func(contactID, token string) string {
		out, err := e.cc.StartContactStreaming(ctx(t), &connect.StartContactStreamingInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactId: aws.String(contactID), ClientToken: aws.String(token),
			ChatStreamingConfiguration: &ctypes.ChatStreamingConfiguration{StreamingEndpointArn: aws.String("arn:aws:sns:us-west-2:000000000000:t")}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.StreamingId)
	}
	early := e.startChat()
	earlyID := start(early.ContactID, "a")
	cust := e.connect(early.ParticipantToken)
	e.send(cust.Token, "hello")

	late := e.startChat()
	lateCust := e.connect(late.ParticipantToken)
	lateID := start(late.ContactID, "b")
	e.send(lateCust.Token, "hello")

	waitSeqs := func(id string, n int) []int64 {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if s := rec.of(id); len(s) >= n || time.Now().After(deadline) {
				return s
			}
		}
	}
	all := e.transcript(cust.Token)
	if got := waitSeqs(earlyID, len(all)); len(got) < len(all) || got[0] != 1 {
		t.Errorf("stream started before the customer connected delivered seqs %v; the chat has %d items", got, len(all))
	}
	if got := waitSeqs(lateID, 1); len(got) == 0 || got[0] == 1 {
		t.Errorf("stream started after the customer connected delivered seqs %v, want only later items", got)
	}
}
