package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/streaming/sink"
)

// TestCluster: two nodes on one Postgres database and one NATS server, started at the same moment, create one
// instance; each answers /healthz with the store's and the bus's state; a chat started on one node is served by
// both: the customer on node B and a bot on node A see each other's messages live on their sockets, and either
// node reads the whole transcript. A node with another secret refuses to join.
func TestCluster(t *testing.T) {
	node, dsn, natsURL, prefix := clusterNode(t)
	var nodes [2]*testserver.Server
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i] = testserver.Start(t, node)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	a, b := nodes[0], nodes[1]
	if a.InstanceID != b.InstanceID || a.ContactFlowID != b.ContactFlowID {
		t.Fatalf("the nodes created two instances: %s and %s", a.InstanceID, b.InstanceID)
	}
	for _, n := range nodes {
		resp, err := http.Get(n.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		var h map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if resp.StatusCode != 200 || h["store"] != "ok" || h["bus"] != "ok" {
			t.Errorf("healthz of %s: %d %v", n.URL, resp.StatusCode, h)
		}
	}

	ea := &env{t: t, srv: a, cc: connectClient(a), pc: participantClient(a.URL, a.Region)}
	eb := &env{t: t, srv: b, cc: connectClient(b), pc: participantClient(b.URL, b.Region)}
	ch := ea.startChat()
	cust := eb.connect(ch.ParticipantToken) // the customer is served by node B
	if !strings.HasPrefix(cust.URL, strings.Replace(b.URL, "http", "ws", 1)) {
		t.Fatalf("node B handed out the socket URL %s", cust.URL)
	}
	cs := dial(t, cust.URL)
	botToken, _ := ea.addBot(ch.ContactID)
	bot := ea.connect(botToken) // the bot is served by node A
	bs := dial(t, bot.URL)

	sent := eb.send(cust.Token, "hello from node B")
	if got := bs.until("text/plain"); got[len(got)-1].ID != *sent.Id {
		t.Fatalf("the bot on node A got %+v", got)
	}
	reply := ea.send(bot.Token, "hello from node A")
	for {
		it := cs.next()
		if it.ContentType == "text/plain" && it.ID == *reply.Id {
			break
		}
	}
	var texts []string
	for _, it := range ea.transcript(bot.Token) {
		if it.Content != nil && (*it.Content == "hello from node B" || *it.Content == "hello from node A") {
			texts = append(texts, *it.Content)
		}
	}
	if strings.Join(texts, "|") != "hello from node B|hello from node A" {
		t.Errorf("node A's transcript: %v", texts)
	}

	other := make([]byte, 32)
	_, _ = rand.Read(other)
	m := server.New(server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Database: dsn, NATS: natsURL,
		NATSPrefix: prefix, Secret: hex.EncodeToString(other)}, nil)
	if err := m.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "secret") {
		m.Close()
		t.Errorf("a node with another secret: %v, want a refusal that names the secret", err)
	}
}

// clusterNode returns the configuration of a test cluster's nodes (a fresh Postgres schema, NATS under a prefix
// of the test's, one secret), and its parts; it skips the test without Postgres or NATS.
func clusterNode(t *testing.T) (node func(*server.Config), dsn, natsURL, prefix string) {
	dsn, natsURL = testserver.ClusterDeps(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	prefix = "parley_test_" + hex.EncodeToString(secret[:4])
	return func(c *server.Config) {
		c.Database, c.NATS, c.NATSPrefix, c.Secret = dsn, natsURL, prefix, hex.EncodeToString(secret)
	}, dsn, natsURL, prefix
}

// TestClusterScansOnce: two nodes look for attachments to scan every 20 ms; an attachment uploaded through one is
// scanned once, by one node, while the scan takes its time.
func TestClusterScansOnce(t *testing.T) {
	hook := newScanHook(t)
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	node, _, _, _ := clusterNode(t)
	scanning := func(c *server.Config) {
		node(c)
		c.Attachments.ScanURL = hs.URL
		c.Attachments.SweepInterval = 20 * time.Millisecond
	}
	a := testserver.Start(t, scanning)
	b := testserver.Start(t, scanning)
	ea := &env{t: t, srv: a, cc: connectClient(a), pc: participantClient(a.URL, a.Region)}
	eb := &env{t: t, srv: b, cc: connectClient(b), pc: participantClient(b.URL, b.Region)}
	ch := ea.startChat()
	cust := eb.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	up := eb.sendFile(cust.Token, "once.png", "image/png", pattern(4000))
	if first := cs.nextAttachment(); first.Attachments[0].Status != "IN_PROGRESS" {
		t.Fatalf("first item = %+v, want IN_PROGRESS", first)
	}
	time.Sleep(300 * time.Millisecond) // 15 sweeps of each node while the scanner holds the first request
	hook.answer("once.png") <- "APPROVED"
	if rev := cs.nextAttachment(); rev.Attachments[0].Status != "APPROVED" || rev.Attachments[0].AttachmentID != up.ID {
		t.Fatalf("after the scan: %+v, want APPROVED", rev)
	}
	time.Sleep(100 * time.Millisecond)
	hook.mu.Lock()
	calls := hook.calls["once.png"]
	hook.mu.Unlock()
	if calls != 1 {
		t.Errorf("the scanner was asked %d times about one attachment, want once", calls)
	}
}

// TestClusterStreamsAtOnce: in a cluster, the node holding the streaming outbox delivers the items the other
// node commits as they come. The nodes look in the store for streams behind only once an hour, so an item that
// only the scan would find never arrives: a webhook subscriber gets the messages of a chat whose customer is on
// node B and whose bot is on node A, and of a chat started, streamed and written on one node, on each node.
func TestClusterStreamsAtOnce(t *testing.T) {
	const topic = "arn:aws:sns:us-west-2:000000000000:cluster-chats"
	const secret = "cluster-secret"
	var mu sync.Mutex
	got := map[string]bool{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := sink.Verify(r, secret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		var m struct{ Type, Content string }
		if n.Type == "Notification" && json.Unmarshal([]byte(n.Message), &m) == nil && m.Type == "MESSAGE" {
			mu.Lock()
			got[m.Content] = true
			mu.Unlock()
		}
	}))
	t.Cleanup(receiver.Close)
	node, _, _, _ := clusterNode(t)
	streamingNode := func(c *server.Config) {
		node(c)
		c.Streaming.Subscriptions = map[string][]sink.Subscription{topic: {{URL: receiver.URL, Secret: secret}}}
		c.StreamingDelivery.ScanInterval = time.Hour
	}
	a := testserver.Start(t, streamingNode)
	b := testserver.Start(t, streamingNode)
	ea := &env{t: t, srv: a, cc: connectClient(a), pc: participantClient(a.URL, a.Region)}
	eb := &env{t: t, srv: b, cc: connectClient(b), pc: participantClient(b.URL, b.Region)}
	// startStream starts a chat through e and streams it from there.
	startStream := func(e *env, token string) chat {
		ch := e.startChat()
		if _, err := e.cc.StartContactStreaming(ctx(t), &connect.StartContactStreamingInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactId: aws.String(ch.ContactID), ClientToken: aws.String(token),
			ChatStreamingConfiguration: &ctypes.ChatStreamingConfiguration{StreamingEndpointArn: aws.String(topic)}}); err != nil {
			t.Fatalf("StartContactStreaming: %v", err)
		}
		return ch
	}
	// sendAll sends three messages as token through e and waits until the subscriber has them.
	sendAll := func(e *env, token, who string) {
		var want []string
		for i := range 3 {
			text := fmt.Sprintf("%s, %d", who, i)
			e.send(token, text)
			want = append(want, text)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			var missing []string
			for _, text := range want {
				if !got[text] {
					missing = append(missing, text)
				}
			}
			mu.Unlock()
			if len(missing) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the subscriber never got %q", missing)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// A chat streamed from node A, its customer on node B and a bot on node A. One node's messages, then the
	// other's, each waited for: whichever node does not hold the outbox, its messages are delivered while the
	// holder commits nothing.
	ch := startStream(ea, "cluster-stream")
	cust := eb.connect(ch.ParticipantToken)
	botToken, _ := ea.addBot(ch.ContactID)
	bot := ea.connect(botToken)
	sendAll(eb, cust.Token, "customer on node B")
	sendAll(ea, bot.Token, "bot on node A")

	// A chat started, streamed and written on one node only, on each node: the holder hears of the stream the
	// other node started.
	for _, e := range []*env{ea, eb} {
		ch := startStream(e, "single-node-stream")
		cust := e.connect(ch.ParticipantToken)
		sendAll(e, cust.Token, "customer of a chat on "+e.srv.URL)
	}
}
