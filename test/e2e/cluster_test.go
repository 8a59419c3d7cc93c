package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

// TestCluster: two nodes on one Postgres database and one NATS server, started at the same moment, create one
// instance; each answers /healthz with the store's and the bus's state; a chat started on one node is served by
// both: the customer on node B and a bot on node A see each other's messages live on their sockets, and either
// node reads the whole transcript. A node with another secret refuses to join.
func TestCluster(t *testing.T) {
	dsn, natsURL := testserver.ClusterDeps(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	prefix := "parley_test_" + hex.EncodeToString(secret[:4])
	node := func(c *server.Config) {
		c.Database, c.NATS, c.NATSPrefix, c.Secret = dsn, natsURL, prefix, hex.EncodeToString(secret)
	}
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
