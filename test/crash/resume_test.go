package crash_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
)

// TestClusterResume is DESIGN §3.4 across a node loss, for clients with sockets. Three nodes share Postgres and
// NATS behind a load balancer that sends every request to node 1 while it is up and to node 2 after. Each chat's
// customer (the Go client, which resumes as ChatJS does) reaches the chat through the balancer, so its socket
// is on node 1; its bot is on node 3 and sends a message every 40 ms. Node 1 gets SIGKILL under this traffic.
// Every customer must see its connection lost and established again, through node 2, and must have received
// every message its bot had acknowledged: each once, in send order, live or from the resume's transcript read.
func TestClusterResume(t *testing.T) {
	skipUnlessCrashable(t, "three nodes and a kill take about 20 s")
	dsn, natsURL := testserver.ClusterDeps(t)
	bin := buildServer(t)

	var secret [32]byte
	var prefix [4]byte
	_, _ = rand.Read(secret[:])
	_, _ = rand.Read(prefix[:])
	nodes := make([]*node, 3)
	for i := range nodes {
		nodes[i] = startNode(t, bin, "--database", dsn, "--secret", hex.EncodeToString(secret[:]),
			"--nats", natsURL, "--nats-prefix", "parley_resume_"+hex.EncodeToString(prefix[:]))
	}
	var victimDown atomic.Bool
	lb := serve(t, &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		target := nodes[0].u
		if victimDown.Load() {
			target = nodes[1].u
		}
		r.SetURL(target)
		r.Out.Host = r.In.Host // as signed
	}})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	instances, err := client.ListInstances(ctx, client.ListInput{Endpoint: lb})
	if err != nil || len(instances) == 0 {
		t.Fatalf("ListInstances: %v (%d)", err, len(instances))
	}
	flows, err := client.ListContactFlows(ctx, client.ListInput{Endpoint: lb}, instances[0].ID, "CONTACT_FLOW")
	if err != nil || len(flows) == 0 {
		t.Fatalf("ListContactFlows: %v (%d)", err, len(flows))
	}
	instanceID, flowID := instances[0].ID, flows[0].ID
	for _, f := range flows {
		if f.Name == parley.DefaultFlowName {
			flowID = f.ID
		}
	}

	const chats = 8
	type chatRun struct {
		customer, bot *client.Session
		mu            sync.Mutex
		acked, seen   []string // the bot's messages: acknowledged to it, received by the customer
		lost, resumed time.Time
	}
	runs := make([]*chatRun, chats)
	for i := range runs {
		c := &chatRun{}
		runs[i] = c
		details, err := client.StartChat(ctx, client.StartChatInput{Endpoint: lb, InstanceID: instanceID,
			ContactFlowID: flowID, DisplayName: fmt.Sprintf("Customer %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		botDetails, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: nodes[2].url,
			InstanceID: instanceID, ContactID: details.ContactID, DisplayName: "Bot"})
		if err != nil {
			t.Fatal(err)
		}
		if c.customer, err = client.NewSession(details, client.Options{Endpoint: lb}); err != nil {
			t.Fatal(err)
		}
		c.customer.OnMessage(func(e client.Event) {
			if e.Item.Type == client.ItemTypeMessage && e.Item.ParticipantRole == client.RoleCustomBot {
				c.mu.Lock()
				c.seen = append(c.seen, e.Item.ID)
				c.mu.Unlock()
			}
		})
		c.customer.OnConnectionLost(func(client.Event) {
			c.mu.Lock()
			c.lost = time.Now()
			c.mu.Unlock()
		})
		c.customer.OnConnectionEstablished(func(client.Event) {
			c.mu.Lock()
			if !c.lost.IsZero() {
				c.resumed = time.Now()
			}
			c.mu.Unlock()
		})
		if c.bot, err = client.NewSession(botDetails, client.Options{Endpoint: nodes[2].url}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*client.Session{c.customer, c.bot} {
			if err := s.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			defer s.Close()
		}
	}

	// The bots send until told to stop; a send the bot's node does not acknowledge is retried by the client with
	// the same ClientToken, so every message is acknowledged once.
	sendCtx, stopSending := context.WithCancel(ctx)
	var senders sync.WaitGroup
	for i, c := range runs {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for k := 0; sendCtx.Err() == nil; k++ {
				r, err := c.bot.SendMessage(ctx, client.ContentTypeTextPlain, fmt.Sprintf("chat %d message %d", i, k))
				if err != nil {
					t.Errorf("chat %d: bot SendMessage %d: %v", i, k, err)
					return
				}
				c.mu.Lock()
				c.acked = append(c.acked, r.ID)
				c.mu.Unlock()
				time.Sleep(40 * time.Millisecond)
			}
		}()
	}
	time.Sleep(2 * time.Second)
	killed := time.Now()
	victimDown.Store(true)
	nodes[0].kill()
	time.Sleep(4 * time.Second)
	stopSending()
	senders.Wait()

	// Every customer must catch up with its bot.
	deadline := time.Now().Add(30 * time.Second)
	var slowest time.Duration
	for i, c := range runs {
		for {
			c.mu.Lock()
			done := len(c.seen) >= len(c.acked) && !c.resumed.IsZero()
			c.mu.Unlock()
			if done || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		c.mu.Lock()
		if c.resumed.IsZero() {
			t.Errorf("chat %d: the customer's connection was not lost and established again (lost at %v)", i, c.lost)
		} else {
			slowest = max(slowest, c.resumed.Sub(killed))
		}
		if fmt.Sprint(c.seen) != fmt.Sprint(c.acked) {
			t.Errorf("chat %d: the customer received %d of the bot's messages, the bot had %d acknowledged; "+
				"received %v, acknowledged %v", i, len(c.seen), len(c.acked), c.seen, c.acked)
		}
		c.mu.Unlock()
	}
	t.Logf("%d customers resumed on node 2; the slowest %v after the kill", chats, slowest.Round(time.Millisecond))
}

// node is a `parley serve` process.
type node struct {
	url  string
	u    *url.URL
	cmd  *exec.Cmd
	done chan struct{}
}

// startNode starts a node on a free loopback port with the cluster flags args and waits until it is healthy; the
// test's end stops it.
func startNode(t *testing.T, bin string, args ...string) *node {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", addr, "--data", filepath.Join(t.TempDir(), "data"),
		"--log-level", "warn"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = testLog{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{url: "http://" + addr, u: &url.URL{Scheme: "http", Host: addr}, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(20 * time.Second):
			n.kill()
		}
	})
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(n.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		select {
		case <-n.done:
			t.Fatalf("node %s exited at start", addr)
		default:
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("node %s not healthy after 30 s: %v", addr, err)
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
}

// serve serves h on a loopback port until the test ends and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	u := url.URL{Scheme: "http", Host: ln.Addr().String()}
	return u.String()
}
