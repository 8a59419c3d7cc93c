// Package testserver starts the whole parley server in-process for tests: the same server.Main that
// `parley serve` runs, on a random loopback port, with its data in a test temp dir.
//
// With PARLEY_TEST_CLUSTER set to a postgres:// URL, every server keeps its data in a fresh schema of that
// database and its bus on NATS (PARLEY_TEST_NATS, default nats://127.0.0.1:4222), so that a whole suite runs
// against the scale-out stack: PARLEY_TEST_CLUSTER=postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/auth/oidc/oidctest"
	"github.com/parley-chat/parley/server"
)

// Server is a running test server.
type Server struct {
	*server.Main
	URL           string // http://127.0.0.1:PORT: both APIs and the WebSocket
	Region        string
	InstanceID    string
	ContactFlowID string
}

// Option changes the configuration before start.
type Option func(*server.Config)

// Start runs a server until the test ends. Logs go to t.Log at debug level when PARLEY_TEST_LOG is set.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	if dsn := os.Getenv("PARLEY_TEST_CLUSTER"); dsn != "" && cfg.Database == "" {
		cluster(t, &cfg, dsn)
	}
	if cfg.Database != "" && cfg.Channels.Enabled() {
		t.Skip("PARLEY_TEST_CLUSTER: the channel bridges do not run on a shared database (parley bridge does)")
	}
	m := server.New(cfg, logger(t))
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	in, flow := m.Instance()
	return &Server{Main: m, URL: m.URL(), Region: m.Config().Region, InstanceID: in.ID, ContactFlowID: flow.ID}
}

// StartWithSignIn runs a server whose customers sign in at a fake OpenID Connect provider (as Ann, subject
// user-7), with oidctest.SignInTwiceFlow created on it through the Connect API; it returns the server and that
// flow's id.
func StartWithSignIn(t testing.TB, opts ...Option) (*Server, string) {
	t.Helper()
	fake := oidctest.New(t, oidctest.User{Subject: "user-7", GivenName: "Ann"})
	srv := Start(t, append([]Option{func(c *server.Config) {
		c.Authentication = oidc.Config{Issuer: fake.URL, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret}
	}}, opts...)...)
	cc := connect.NewFromConfig(aws.Config{Region: srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	f, err := cc.CreateContactFlow(context.Background(), &connect.CreateContactFlowInput{InstanceId: aws.String(srv.InstanceID),
		Name: aws.String("Sign in"), Type: ctypes.ContactFlowTypeContactFlow, Content: aws.String(oidctest.SignInTwiceFlow)})
	if err != nil {
		t.Fatal(err)
	}
	return srv, aws.ToString(f.ContactFlowId)
}

// DropSockets abruptly closes every open WebSocket, as a network cut would; REST keeps working.
func (s *Server) DropSockets() { s.Gateway().DropAll() }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func logger(t testing.TB) *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// clusters remembers the schema of each data directory, so that a test that restarts a server on its data
// directory finds its data again.
var clusters sync.Map // data dir → server.Config (Database, Secret, NATSPrefix)

// cluster points cfg at a fresh schema of the Postgres database dsn (dropped when the test ends) and at NATS.
func cluster(t testing.TB, cfg *server.Config, dsn string) {
	t.Helper()
	if v, ok := clusters.Load(cfg.DataDir); ok {
		c := v.(server.Config)
		cfg.Database, cfg.Secret, cfg.NATSPrefix, cfg.NATS = c.Database, c.Secret, c.NATSPrefix, c.NATS
		return
	}
	defer func() { clusters.Store(cfg.DataDir, *cfg) }()
	var schema string
	cfg.Database, schema = PostgresSchema(t, dsn)
	cfg.NATS, cfg.NATSPrefix = NATSURL(t), schema
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	cfg.Secret = hex.EncodeToString(secret)
}

// ClusterDeps returns the DSN of a fresh schema of the test Postgres (PARLEY_TEST_POSTGRES, default the
// machine's) and the NATS URL (PARLEY_TEST_NATS), for tests that start several nodes; it skips the test, saying
// why, when either does not answer.
func ClusterDeps(t testing.TB) (dsn, natsURL string) {
	t.Helper()
	dsn, _ = PostgresSchema(t, PostgresURL())
	return dsn, NATSURL(t)
}

// PostgresURL returns the test database's URL (PARLEY_TEST_POSTGRES, default the local test database), whose
// schemas PostgresSchema makes.
func PostgresURL() string {
	if base := os.Getenv("PARLEY_TEST_POSTGRES"); base != "" {
		return base
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PostgresSchema creates a schema of a random name in the database base names, dropped when the test ends, and
// returns base with that schema as its search path; it skips the test when the database does not answer.
func PostgresSchema(t testing.TB, base string) (dsn, schema string) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		t.Skipf("Postgres not reachable (set PARLEY_TEST_POSTGRES or PARLEY_TEST_CLUSTER): %v", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema = "parley_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, schema
}

// NATSURL returns the test NATS server's URL (PARLEY_TEST_NATS, default nats://127.0.0.1:4222); it skips the
// test when the server does not answer.
func NATSURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("PARLEY_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Skipf("NATS not reachable at %s (set PARLEY_TEST_NATS): %v", url, err)
	}
	nc.Close()
	return url
}
