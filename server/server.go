// Package server assembles parley: it opens the store, starts the bus, the chat service, its timers, message
// streaming (the outbox observer and its delivery worker), the WebSocket gateway and the HTTP APIs, and shuts
// them down in order. Main is the whole program as a value, so tests run exactly what `parley serve` runs.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/agents"
	agentapi "github.com/parley-chat/parley/api/agent"
	"github.com/parley-chat/parley/api/connect"
	"github.com/parley-chat/parley/api/files"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/api/participant"
	"github.com/parley-chat/parley/api/sigv4"
	"github.com/parley-chat/parley/api/startchat"
	"github.com/parley-chat/parley/auth/oidc"
	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/functions"
	"github.com/parley-chat/parley/gateway"
	"github.com/parley-chat/parley/metrics"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/streaming"
	"github.com/parley-chat/parley/streaming/sink"
	"github.com/parley-chat/parley/throttle"
	"github.com/parley-chat/parley/transcripts"
	"github.com/parley-chat/parley/web"
)

// Config is parley's configuration. The zero value of a field means its default; cmd/parley fills it from
// flags, PARLEY_* environment variables and an optional YAML file.
type Config struct {
	// DataDir holds the SQLite database and the server secret. Default ./parley-data.
	DataDir string `yaml:"data"`
	// Database is a postgres:// URL to keep everything in Postgres, shared by any number of nodes (DESIGN §6),
	// instead of SQLite under DataDir. Nodes sharing it must share Secret. Default: SQLite.
	Database string `yaml:"database"`
	// NATS is the URL of the NATS server that carries the bus between nodes (nats://host:4222). Default: the
	// in-process bus of one node.
	NATS string `yaml:"nats"`
	// NATSPrefix starts every subject, so clusters sharing a NATS server stay apart. Default: derived from
	// Database.
	NATSPrefix string `yaml:"nats_prefix"`
	// Listen is the HTTP and WebSocket address. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// PublicURL is the base URL clients reach the server at, when it differs from the listen address (TLS
	// terminated by a proxy, another host name). WebSocket URLs are derived from it (https → wss).
	PublicURL string `yaml:"public_url"`
	// Region and AccountID appear in ARNs and in the settings printed for clients. Defaults us-west-2 and
	// 000000000000.
	Region    string `yaml:"region"`
	AccountID string `yaml:"account_id"`
	// AccessKeys are the SigV4 keys accepted on the Connect API (access key id → secret key). Without keys the
	// server accepts any signature, which it allows only on a loopback listener.
	AccessKeys map[string]string `yaml:"access_keys"`
	// Secret (hex, at least 32 bytes) keys tokens and URLs. Default: generated once into DataDir/secret. Nodes
	// that share a database must share it.
	Secret string `yaml:"secret"`
	// InstanceAlias names the default instance created on first start. Default "parley".
	InstanceAlias string `yaml:"instance_alias"`
	// Bootstrap is a declarative YAML file (see admin.File) applied to the default instance at every start.
	Bootstrap string `yaml:"bootstrap"`
	// Functions maps the Lambda function ARNs flows invoke to the http(s) URLs that play them (package
	// functions POSTs them Connect's ContactFlowEvent). A flow naming an ARN not mapped here is refused at
	// creation, as Connect refuses a function it cannot invoke. Default: none.
	Functions map[string]string `yaml:"functions"`
	// Streaming says where StartContactStreaming's items go: webhook subscriptions by topic ARN, and the SNS
	// endpoint (package streaming/sink; docs/streaming-endpoints.md). Default: SNS's regional endpoints with
	// the standard AWS credential chain, no webhooks.
	Streaming sink.Config `yaml:"streaming"`
	// Channels configures the channel bridges (Messenger, WhatsApp, SMS through Pinpoint or Twilio): package
	// channels, docs/channels.md. Default: none.
	Channels channels.Config `yaml:"channels"`
	// StartChat configures POST /start-chat, the start-chat backend of Amazon's sample widgets: allowed
	// instances, flows, origins and attributes, and its rate per client (package api/startchat).
	StartChat startchat.Config `yaml:"start_chat"`
	// TrustedProxies are the addresses or CIDR prefixes of the proxies in front of parley (a load balancer):
	// requests from them are counted by the client address X-Forwarded-For names (realip.go), so that per-address
	// limits count clients. Default: none, and X-Forwarded-For is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Limits are the request rates and caps (package throttle): a profile (default, connect or off) and
	// overrides. Default: the default profile, which a real customer never meets.
	Limits throttle.Config `yaml:"limits"`
	// IntegrationDestinations maps SendChatIntegrationEvent DestinationIds, as Connect takes them (an End User
	// Messaging phone number ARN), to where their chats start: an instance (id or ARN; its default inbound
	// flow) or a contact flow ARN. Without an entry, DestinationId must itself be one of those.
	IntegrationDestinations map[string]string `yaml:"integration_destinations"`
	// Attachments configures file attachments: limits, storage (files or S3), scanning.
	Attachments AttachmentsConfig `yaml:"attachments"`
	// Authentication is the OpenID Connect provider the Authenticate Customer flow block signs customers in with
	// (package auth/oidc; docs/configuration.md). Default: none, and the block takes its error branch.
	Authentication oidc.Config `yaml:"authentication"`
	// Transcripts exports the transcript of every ended chat contact, as Amazon Connect writes it to S3, to a
	// directory or a bucket (docs/transcripts.md). Default: no export.
	Transcripts TranscriptsConfig `yaml:"transcripts"`
	// Retention deletes ended chats, with their attachments, once they are older than it. Default: kept forever.
	Retention RetentionConfig `yaml:"retention"`
	// CustomerIdle is the customer's idle timer on chats whose UpdateParticipantRoleConfig set none, and
	// CustomerAutoDisconnect the auto-disconnect timer that starts when the customer goes idle (chat.Config).
	// Defaults 10m and 15m; "off" runs no such timer, as Amazon Connect does.
	CustomerIdle           Timer `yaml:"customer_idle"`
	CustomerAutoDisconnect Timer `yaml:"customer_auto_disconnect"`
	// OfferTimeout is how long an agent has to accept an offered chat. Default 30s.
	OfferTimeout time.Duration `yaml:"offer_timeout"`
	// BodyTimeout bounds reading a request's body, and writing its answer, on every HTTP request but WebSocket
	// upgrades; UploadTimeout does so for attachment uploads. A client that stalls is cut off, so a few
	// thousand stalled requests cannot hold the server's descriptors. Defaults 30s and 10m.
	BodyTimeout   time.Duration `yaml:"body_timeout"`
	UploadTimeout time.Duration `yaml:"upload_timeout"`
	// Metrics, when set, serves Prometheus metrics at /metrics on this address, its own listener (package
	// metrics; docs/configuration.md). Default off.
	Metrics string `yaml:"metrics"`
	// Pprof, when set, serves net/http/pprof on this address (its own listener, never the API's). It must be a
	// loopback address: profiles expose the process's memory. Default off.
	Pprof string `yaml:"pprof"`
	// ShutdownTimeout bounds graceful shutdown. Default 10s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// StreamingEndpoint, when set, delivers the items of streamed chats (StartContactStreaming) instead of the
	// router Streaming configures (in-process receivers such as the channel bridges, webhooks, SNS). Tests set it.
	StreamingEndpoint streaming.Endpoint `yaml:"-"`
	// StreamingDelivery tunes the streaming outbox's delivery (workers, retries, dead-lettering); its NodeID
	// is the chat service's.
	StreamingDelivery streaming.Config `yaml:"-"`
	// Chat holds the chat service's tunables (timers, token lifetimes).
	Chat chat.Config `yaml:"-"`
	// Clock is the service's time source (tests inject a fake one). Default: the system clock.
	Clock parley.Clock `yaml:"-"`
}

// Timer is a duration of the configuration that may be "off" (a negative Timer); zero means the default.
type Timer time.Duration

// UnmarshalText reads a positive duration such as "10m", or "off".
func (t *Timer) UnmarshalText(b []byte) error {
	if string(b) == "off" {
		*t = -1
		return nil
	}
	d, err := time.ParseDuration(string(b))
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither a positive duration (such as 10m) nor off", b)
	}
	*t = Timer(d)
	return nil
}

// WithDefaults returns c with the defaults of the fields it leaves unset, as New applies them.
func (c Config) WithDefaults() Config {
	c.defaults()
	return c
}

func (c *Config) defaults() {
	if c.DataDir == "" {
		c.DataDir = "parley-data"
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Region == "" {
		c.Region = "us-west-2"
	}
	if c.AccountID == "" {
		c.AccountID = "000000000000"
	}
	if c.InstanceAlias == "" {
		c.InstanceAlias = "parley"
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.BodyTimeout <= 0 {
		c.BodyTimeout = 30 * time.Second
	}
	if c.UploadTimeout <= 0 {
		c.UploadTimeout = 10 * time.Minute
	}
	if c.OfferTimeout <= 0 {
		c.OfferTimeout = 30 * time.Second
	}
}

// Main is a running parley server.
type Main struct {
	cfg Config
	log *slog.Logger

	store parley.Store
	pg    *postgres.Store // the store, when it is Postgres (several nodes)
	bus   parley.Bus
	svc   *chat.Service
	att   *chat.Attachments
	blob  parley.Blob // the attachments' bytes
	// exporter and sweeper are the transcript export and the retention sweep, when configured (transcripts.go).
	exporter *transcripts.Exporter
	sweeper  *transcripts.Sweeper
	gw       *gateway.Gateway
	// onBusReconnect, once the gateway exists, has every socket read what the bus may have lost while it was cut off.
	onBusReconnect atomic.Pointer[func()]
	http           *http.Server
	ln             net.Listener
	conns          *capListener // ln, counting
	baseURL        string
	pprof          *http.Server // nil unless Config.Pprof is set
	pprofLn        net.Listener
	metrics        *metrics.Metrics // nil unless Config.Metrics is set
	metricsHS      *http.Server
	metricsLn      net.Listener

	instance  *parley.Instance
	flow      *parley.ContactFlow
	admin     *admin.Service
	defaults  *admin.Defaults
	agents    *agents.Service
	functions *functions.Invoker
	streaming *streaming.Service
	router    *sink.Router     // nil when Config.StreamingEndpoint replaces it
	bridge    *channels.Bridge // nil without channels

	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed sync.Once
	err    error
}

// New returns a server that Start will run.
func New(cfg Config, log *slog.Logger) *Main {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Main{cfg: cfg, log: log}
}

// Start opens the store, creates the default instance on first start, listens and serves in the background.
// On error everything opened so far is closed.
func (m *Main) Start(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	verifier, err := sigv4.New(sigv4.Config{Keys: m.cfg.AccessKeys}, m.log)
	if err != nil {
		return err
	}
	if err := m.cfg.Limits.Validate(); err != nil {
		return err
	}
	if m.cfg.Authentication.Enabled() {
		if err := m.cfg.Authentication.Validate(); err != nil {
			return err
		}
	}
	if err := m.cfg.Limits.CheckOperations(append(connect.Operations(), participant.Operations...)); err != nil {
		return err
	}
	if err := checkListen(m.cfg.Listen); err != nil {
		return err
	}
	if verifier.DevMode() {
		// Decided before listening, so a refused configuration never opens a socket.
		if !loopbackAddr(m.cfg.Listen) {
			return fmt.Errorf("no access keys configured: refusing to accept unsigned Connect API calls on %s "+
				"(configure access_keys / PARLEY_ACCESS_KEYS, or listen on a loopback address)", m.cfg.Listen)
		}
		m.log.Warn("no access keys configured: the Connect API accepts any SigV4 signature (loopback only)")
	}
	ln, err := net.Listen("tcp", m.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.cfg.Listen, err)
	}
	m.conns = newCapListener(ln, m.cfg.Limits.Connections)
	m.ln = m.conns
	if err := os.MkdirAll(m.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if fi, err := os.Stat(m.cfg.DataDir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		// A directory that existed before: the chats and the server secret are the owner's only.
		m.log.Warn("the data directory was readable by others: narrowed to 0700", "data", m.cfg.DataDir,
			"mode", fi.Mode().Perm().String())
		if err := os.Chmod(m.cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
	}
	secret, err := loadSecret(m.cfg.Secret, filepath.Join(m.cfg.DataDir, "secret"))
	if err != nil {
		return err
	}
	if m.cfg.clustered() && m.cfg.Secret == "" {
		return errors.New("a shared database needs a shared secret: set secret / PARLEY_SECRET (hex, 32 bytes or more) on every node")
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	if m.pg != nil {
		if err := m.checkClusterSecret(ctx, secret); err != nil {
			return err
		}
		if m.cfg.Channels.Enabled() {
			return errors.New("channels: the channel bridges keep their state on one node; with a shared database " +
				"run them in one `parley bridge` process instead")
		}
	}
	if err := m.openBus(ctx); err != nil {
		return err
	}

	m.baseURL, err = baseURL(m.cfg.PublicURL, ln.Addr())
	if err != nil {
		return err
	}
	cc := m.cfg.Chat
	cc.Region, cc.AccountID, cc.Secret = m.cfg.Region, m.cfg.AccountID, secret
	cc.SocketURL = socketURL(m.baseURL)
	if m.cfg.CustomerIdle != 0 {
		cc.CustomerIdle = time.Duration(m.cfg.CustomerIdle)
	}
	if m.cfg.CustomerAutoDisconnect != 0 {
		cc.CustomerAutoDisconnect = time.Duration(m.cfg.CustomerAutoDisconnect)
	}
	limits := m.cfg.Limits.Resolve()
	cc.MaxChatItems, cc.MaxActiveChats = max(limits.ChatItems, 0), max(limits.ConcurrentChats, 0)
	cc.Retention = m.cfg.Retention.Contacts
	m.svc, err = chat.New(m.store, m.bus, m.cfg.Clock, m.log, cc)
	if err != nil {
		return err
	}
	sc := m.cfg.StreamingDelivery
	sc.NodeID = m.svc.Config().NodeID
	endpoint := m.cfg.StreamingEndpoint
	if endpoint == nil {
		m.router, err = sink.NewRouter(ctx, m.cfg.Streaming, sink.Options{AccountID: m.cfg.AccountID,
			PublicURL: m.baseURL, Log: m.log.With("component", "streaming")})
		if err != nil {
			return fmt.Errorf("streaming: %w", err)
		}
		endpoint = m.router
	}
	m.streaming = streaming.New(m.store, endpoint, m.cfg.Clock, m.log.With("component", "streaming"), sc)
	if m.cfg.NATS != "" {
		m.streaming.Follow(m.bus) // items committed on other nodes ring the outbox's holder at once
	}
	m.svc.Observe(m.streaming) // stops streams at chat end and rings the worker for committed items
	if err := m.openAttachments(); err != nil {
		return err
	}
	if err := m.openAuthentication(); err != nil {
		return err
	}
	if err := m.openTranscripts(); err != nil {
		return err
	}
	m.admin = admin.New(m.store, m.bus, m.cfg.Clock, m.log, admin.Config{Region: m.cfg.Region, AccountID: m.cfg.AccountID})
	m.functions = &functions.Invoker{URLs: m.cfg.Functions, Log: m.log.With("component", "functions")}
	m.admin.SetFunctions(m.functions.Configured)
	// Nodes that start together on an empty database create the default instance and its configuration once.
	err = m.exclusive(ctx, "bootstrap", m.svc.Config().NodeID, func() error {
		var err error
		if m.instance, m.flow, err = m.svc.Bootstrap(ctx, m.cfg.InstanceAlias); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
		return m.bootstrapConfig(ctx)
	})
	if err != nil {
		return err
	}
	m.agents = agents.New(m.store, m.bus, m.svc, m.admin, m.cfg.Clock, m.log,
		agents.Config{OfferTimeout: m.cfg.OfferTimeout, NodeID: m.svc.Config().NodeID})
	m.svc.SetFlowServices(m.functions, m.agents)
	if err := m.agents.Start(ctx); err != nil {
		return fmt.Errorf("start routing: %w", err)
	}
	m.gw = gateway.New(m.svc, m.bus, m.log, gateway.Options{})
	catchUp := m.gw.CatchUp
	m.onBusReconnect.Store(&catchUp)
	if err := m.openChannels(ctx); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", m.healthz)
	limiter := throttle.NewWithClock(m.cfg.Limits, m.cfg.Clock)
	mux.Handle("/participant/", participant.New(m.svc, m.log, participant.WithAttachments(m.att),
		participant.WithThrottle(limiter)))
	mux.Handle("/attachments/", files.New(m.att, m.log))
	if m.cfg.Authentication.Enabled() {
		mux.HandleFunc("GET "+AuthCallbackPath, m.authCallback)
	}
	pages, err := web.New(web.Page{Base: m.baseURL, InstanceID: m.instance.ID, FlowID: m.flow.ID})
	if err != nil {
		return err
	}
	mux.HandleFunc("GET /widget.js", pages.Widget)
	mux.HandleFunc("GET /{$}", pages.Index)
	mux.HandleFunc("GET /agent/{$}", pages.Agent)
	mux.HandleFunc("GET /agent/agent.js", pages.AgentJS)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle(startchat.Path, startchat.New(m.svc, m.cfg.StartChat, startchat.Options{DefaultInstance: m.instance.ID,
		Attachments: m.att != nil, Log: m.log.With("component", "start-chat")}))
	mux.Handle("/ws", m.gw)
	// Without access keys the Connect API and the agent API serve only requests that name the server by a
	// loopback host and come from no page or a loopback page (devmode.go).
	guard := func(h http.Handler) http.Handler { return h }
	if verifier.DevMode() {
		publicHost := ""
		if u, err := url.Parse(m.cfg.PublicURL); err == nil && m.cfg.PublicURL != "" {
			publicHost = u.Hostname()
		}
		guard = func(h http.Handler) http.Handler { return devGuard(h, publicHost) }
	}
	mux.Handle("/agent/v1/", guard(agentapi.New(m.agents, m.log)))
	if m.bridge != nil {
		mux.Handle("/webhook/", m.bridge.Handler())
	}
	if m.router != nil {
		mux.Handle("GET "+sink.ConfirmPath, m.router.ConfirmHandler())
	}
	mux.Handle("/", guard(connect.New(m.svc, m.admin, verifier, m.log, connect.WithAgents(m.agents),
		connect.WithStreaming(m.streaming), connect.WithThrottle(limiter),
		connect.WithIntegrationDestinations(m.cfg.IntegrationDestinations), connect.WithChannels(m.bridge, m.instance.ID))))
	proxies, err := parseProxies(m.cfg.TrustedProxies)
	if err != nil {
		return err
	}
	handler := realIP(deadlines(mux, m.cfg.BodyTimeout, m.cfg.UploadTimeout), proxies)
	if m.cfg.Metrics != "" {
		if err := m.startMetrics(); err != nil {
			return err
		}
		handler = httpapi.WithObserver(handler, m.metrics)
	}
	m.http = &http.Server{Handler: overflowGuard(handler),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes,
		ConnContext: connContext,
		ErrorLog:    slog.NewLogLogger(m.log.Handler(), slog.LevelDebug)}
	if m.cfg.Pprof != "" {
		if err := m.startPprof(); err != nil {
			return err
		}
	}

	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.wg.Add(4)
	go func() {
		defer m.wg.Done()
		m.svc.Run(runCtx)
	}()
	go func() {
		defer m.wg.Done()
		m.streaming.Run(runCtx) // delivers while this node holds the "outbox" lease
	}()
	go m.runAttachments(runCtx)
	m.runTranscripts(runCtx)
	if m.bridge != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.bridge.Run(runCtx)
		}()
	}
	go func() {
		defer m.wg.Done()
		if err := m.http.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("http server", "err", err)
		}
	}()
	m.log.Info("parley serving", "listen", ln.Addr().String(), "url", m.baseURL, "data", m.cfg.DataDir,
		"instance_id", m.instance.ID)
	return nil
}

// Run starts the server and serves until ctx is done, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return m.Close()
}

// Close shuts down in order: stop accepting and drain HTTP requests, close sockets with "going away", stop the
// timers and the streaming worker, close the bus, close the store. It is safe to call more than once.
func (m *Main) Close() error {
	m.closed.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), m.cfg.ShutdownTimeout)
		defer cancel()
		var errs []error
		if m.http != nil {
			// Hijacked WebSocket connections are not tracked by Shutdown; the gateway closes them next.
			errs = append(errs, m.http.Shutdown(ctx))
		} else if m.ln != nil {
			errs = append(errs, m.ln.Close())
		}
		if m.pprof != nil {
			errs = append(errs, m.pprof.Close())
		} else if m.pprofLn != nil {
			errs = append(errs, m.pprofLn.Close())
		}
		if m.metricsHS != nil {
			errs = append(errs, m.metricsHS.Close())
		} else if m.metricsLn != nil {
			errs = append(errs, m.metricsLn.Close())
		}
		if m.gw != nil {
			errs = append(errs, m.gw.Close(ctx))
		}
		if m.agents != nil {
			m.agents.Close()
		}
		if m.cancel != nil {
			m.cancel()
		}
		m.wg.Wait()
		if m.svc != nil {
			m.svc.Close() // flow steps already queued finish while the bus and the store are still open
		}
		if m.bridge != nil {
			errs = append(errs, m.bridge.Close())
		}
		if m.functions != nil {
			errs = append(errs, m.functions.Close()) // waits for asynchronous invocations
		}
		if m.bus != nil {
			errs = append(errs, m.bus.Close())
		}
		if m.store != nil {
			errs = append(errs, m.store.Close())
		}
		m.err = errors.Join(errs...)
	})
	return m.err
}

// URL is the base URL of both APIs (the endpoint clients override), e.g. http://127.0.0.1:8080.
func (m *Main) URL() string { return m.baseURL }

// OpenConns is the number of client connections open now (WebSockets included), as limits.connections counts
// them.
func (m *Main) OpenConns() int { return m.conns.Open() }

// Addr is the address the server listens on.
func (m *Main) Addr() net.Addr { return m.ln.Addr() }

// Instance returns the default instance and its default inbound contact flow.
func (m *Main) Instance() (*parley.Instance, *parley.ContactFlow) { return m.instance, m.flow }

// Store returns the store (for tests and embedding).
func (m *Main) Store() parley.Store { return m.store }

// Service returns the chat service (for tests and embedding).
func (m *Main) Service() *chat.Service { return m.svc }

// Admin returns the configuration service (for wiring its UserStatusListener, tests and embedding).
func (m *Main) Admin() *admin.Service { return m.admin }

// DemoAgent returns the demo agent's username, and its password when this start created the agent ("" on
// later starts: the password is shown once). ok is false when the instance has no demo agent.
func (m *Main) DemoAgent() (username, password string, ok bool) {
	if m.defaults == nil || m.defaults.DemoAgent == nil {
		return "", "", false
	}
	return m.defaults.DemoAgent.Username, m.defaults.DemoPassword, true
}

// bootstrapConfig gives the default instance its default configuration (idempotent), then applies the
// bootstrap file, if any, in one transaction.
func (m *Main) bootstrapConfig(ctx context.Context) error {
	var file *admin.File
	if m.cfg.Bootstrap != "" {
		var err error
		if file, err = admin.LoadFile(m.cfg.Bootstrap, os.Getenv); err != nil {
			return err
		}
	}
	var err error
	if m.defaults, err = m.admin.EnsureDefaults(ctx, m.instance.ID); err != nil {
		return fmt.Errorf("bootstrap defaults: %w", err)
	}
	if file == nil {
		return nil
	}
	res, err := m.admin.Apply(ctx, m.instance.ID, file)
	if err != nil {
		return fmt.Errorf("bootstrap file %s: %w", m.cfg.Bootstrap, err)
	}
	if m.instance, err = m.admin.Instance(ctx, m.instance.ID); err != nil { // the file may rename it
		return err
	}
	if d := m.defaults; d.DemoAgent != nil && slices.Contains(res.PasswordsSet, d.DemoAgent.Username) {
		d.DemoPassword = "" // the file set another password: the generated one is void
	}
	m.log.Info("bootstrap file applied", "file", m.cfg.Bootstrap, "created", len(res.Created),
		"updated", len(res.Updated))
	return nil
}

// Streaming returns the message streaming service (its Stats are the outbox's metrics).
func (m *Main) Streaming() *streaming.Service { return m.streaming }

// StreamingRouter returns the router streamed items go through (nil when Config.StreamingEndpoint replaces it):
// in-process receivers such as the channel bridges Register their topic on it.
func (m *Main) StreamingRouter() *sink.Router { return m.router }

// Agents returns the agent and routing service.
func (m *Main) Agents() *agents.Service { return m.agents }

// Bus returns the bus: items and domain events of every change (tests subscribe to watch them).
func (m *Main) Bus() parley.Bus { return m.bus }

// Gateway returns the WebSocket gateway (for tests: DropAll simulates a network cut).
func (m *Main) Gateway() *gateway.Gateway { return m.gw }

// Config returns the effective configuration.
func (m *Main) Config() Config { return m.cfg }

// PprofAddr is the address net/http/pprof listens on, or nil when Config.Pprof is not set.
func (m *Main) PprofAddr() net.Addr {
	if m.pprofLn == nil {
		return nil
	}
	return m.pprofLn.Addr()
}

// MetricsAddr is the address /metrics listens on, or nil when Config.Metrics is not set.
func (m *Main) MetricsAddr() net.Addr {
	if m.metricsLn == nil {
		return nil
	}
	return m.metricsLn.Addr()
}

// startMetrics serves the Prometheus metrics on their own listener.
func (m *Main) startMetrics() error {
	src := metrics.Sources{
		CommitLatency: m.svc.CommitLatency,
		BusLag:        m.gw.BusLag,
		Sockets:       m.gw.Stats,
		Connections:   m.conns.Open,
		Live:          m.agents.LiveView,
		Streaming:     m.streaming.Stats,
		ActiveChats: func(ctx context.Context) (int, error) {
			insts, err := m.store.ListInstances(ctx)
			if err != nil {
				return 0, err
			}
			n := 0
			for _, in := range insts {
				cs, err := m.store.ListActiveContacts(ctx, in.ID)
				if err != nil {
					return 0, err
				}
				n += len(cs)
			}
			return n, nil
		},
	}
	if st, ok := m.store.(*sqlite.Store); ok {
		src.Commits = func() (int64, int64) { s := st.Stats(); return s.Batches, s.Updates }
	}
	m.metrics = metrics.New(src)
	ln, err := net.Listen("tcp", m.cfg.Metrics)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", m.cfg.Metrics, err)
	}
	m.metricsLn = ln
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler())
	m.metricsHS = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelDebug)}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.metricsHS.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("metrics server", "err", err)
		}
	}()
	m.log.Info("metrics serving", "listen", ln.Addr().String())
	return nil
}

// startPprof serves the runtime profiles (net/http/pprof) on their own loopback listener, for the load
// generator and for operators chasing a performance problem (docs/benchmarks.md).
func (m *Main) startPprof() error {
	if !loopbackAddr(m.cfg.Pprof) {
		return fmt.Errorf("pprof: %s is not a loopback address: profiles expose the process's memory", m.cfg.Pprof)
	}
	ln, err := net.Listen("tcp", m.cfg.Pprof)
	if err != nil {
		return fmt.Errorf("pprof: listen on %s: %w", m.cfg.Pprof, err)
	}
	m.pprofLn = ln
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelDebug)}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.pprof.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("pprof server", "err", err)
		}
	}()
	m.log.Info("pprof serving", "listen", ln.Addr().String())
	return nil
}

// health is GET /healthz's answer.
type health struct {
	Status string `json:"status"` // "ok" or "unavailable"
	Store  string `json:"store"`  // "ok" or what failed
	Bus    string `json:"bus"`
	Node   string `json:"node"`
}

// healthz answers 200 with the store's and the bus's state when both work, 503 when either does not, so a load
// balancer drains a node that lost one of them.
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h := health{Status: "ok", Store: "ok", Bus: "ok", Node: m.svc.Config().NodeID}
	if _, err := m.store.ListInstances(ctx); err != nil {
		h.Status, h.Store = "unavailable", err.Error()
	}
	if hb, ok := m.bus.(interface{ Healthy() error }); ok {
		if err := hb.Healthy(); err != nil {
			h.Status, h.Bus = "unavailable", err.Error()
		}
	}
	status := http.StatusOK
	if h.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(h)
}

// checkListen says precisely what is wrong with a listen address, before anything else judges it.
func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: want HOST:PORT, for example 127.0.0.1:8080 or :8080 (%v)", addr, err)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("listen address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if strings.ContainsAny(host, " /?#@") {
		return fmt.Errorf("listen address %q: host %q is not an IP address or a host name", addr, host)
	}
	return nil
}

// loopbackAddr reports whether a listen address can only be reached from this machine: a loopback IP or
// "localhost". An empty host (every interface) is not.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// baseURL is the URL clients use: the public URL when configured, else the listen address (an unspecified
// address such as 0.0.0.0 is shown as 127.0.0.1, the form ChatJS accepts for plain ws://).
func baseURL(public string, addr net.Addr) (string, error) {
	if public != "" {
		u, err := url.Parse(public)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("public URL %q must be an http:// or https:// URL", public)
		}
		return strings.TrimRight(u.String(), "/"), nil
	}
	ta := addr.(*net.TCPAddr)
	host := ta.IP.String()
	if ta.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(ta.Port)), nil
}

// socketURL derives the WebSocket endpoint from the base URL: http → ws, https → wss.
func socketURL(base string) string {
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + "/ws"
	}
	return "ws://" + strings.TrimPrefix(base, "http://") + "/ws"
}

// loadSecret decodes a configured hex secret, or reads (creating on first use) the secret file.
func loadSecret(configured, path string) ([]byte, error) {
	if configured != "" {
		b, err := hex.DecodeString(configured)
		if err != nil || len(b) < 32 {
			return nil, errors.New("secret must be at least 32 bytes, hex-encoded")
		}
		return b, nil
	}
	if b, err := os.ReadFile(path); err == nil {
		s, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(s) < 32 {
			return nil, fmt.Errorf("%s is not a hex secret of at least 32 bytes", path)
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil { // it signs every token
				return nil, err
			}
		}
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(s)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return s, nil
}

// deadlines bounds the time a request may take to send its body and to take its answer: upload for attachment
// uploads (PUT under /attachments/), body for every other request. WebSocket upgrades are left alone: the
// gateway keeps its own deadlines on the sockets.
func deadlines(next http.Handler, body, upload time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			d := body
			if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/attachments/") {
				d = upload
			}
			rc := http.NewResponseController(w)
			at := time.Now().Add(d)
			_ = rc.SetReadDeadline(at)
			_ = rc.SetWriteDeadline(at.Add(d))
			// The read deadline stays: it also bounds the server's reading the rest of a body the handler left
			// unread (to keep the connection alive); the next request sets its own. The write deadline would
			// outlive the request on a kept-alive connection.
			defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
		}
		next.ServeHTTP(w, r)
	})
}
