package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parley-chat/parley/functions"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// options is everything `parley serve` reads: the server's Config plus logging.
type options struct {
	server.Config `yaml:",inline"`
	LogLevel      string `yaml:"log_level"`
	LogFormat     string `yaml:"log_format"`
}

// setting is one configuration value, settable by flag, environment variable and YAML key. def is the default
// -h shows: the value the server takes when none is set.
type setting struct {
	flag, env, def, usage string
	dst                   *string
}

// Defaults of the logging settings.
const (
	defaultLogLevel  = "info"
	defaultLogFormat = "text"
)

// loadOptions applies, lowest precedence first: defaults, the YAML file (--config or PARLEY_CONFIG), PARLEY_*
// environment variables, flags.
func loadOptions(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{LogLevel: defaultLogLevel, LogFormat: defaultLogFormat}
	d := server.Config{}.WithDefaults()
	var configPath, accessKeys, functionList, customerIdle, customerAutoDisconnect, proxies, retention, offerTimeout string
	settings := []setting{
		{"data", "PARLEY_DATA", d.DataDir, "data directory (SQLite database, server secret)", &o.DataDir},
		{"database", "PARLEY_DATABASE", "", "postgres:// URL of a database shared by several nodes (default: SQLite in the data directory)", &o.Database},
		{"nats", "PARLEY_NATS", "", "nats:// URL of the NATS server that carries the bus between nodes (default: in-process)", &o.NATS},
		{"nats-prefix", "PARLEY_NATS_PREFIX", "", "subject prefix, so clusters can share a NATS server (default: derived from the database)", &o.NATSPrefix},
		{"listen", "PARLEY_LISTEN", d.Listen, "HTTP and WebSocket listen address", &o.Listen},
		{"public-url", "PARLEY_PUBLIC_URL", "", "base URL clients reach the server at (https → wss WebSocket URLs)", &o.PublicURL},
		{"region", "PARLEY_REGION", d.Region, "AWS region shown in ARNs and client settings", &o.Region},
		{"access-keys", "PARLEY_ACCESS_KEYS", "", "SigV4 keys for the Connect API: id:secret[,id:secret...]", &accessKeys},
		{"secret", "PARLEY_SECRET", "", "hex secret for tokens (default: generated into the data dir)", &o.Secret},
		{"bootstrap", "PARLEY_BOOTSTRAP", "", "YAML file of queues, routing profiles, users... applied at every start", &o.Bootstrap},
		{"functions", "PARLEY_FUNCTIONS", "", "HTTP endpoints of the Lambda functions flows invoke: arn=url[,arn=url...]", &functionList},
		{"sns-endpoint", "PARLEY_SNS_ENDPOINT", "", "endpoint URL of SNS (or an SNS-compatible service) for streaming; credentials from the AWS chain", &o.Streaming.SNSEndpoint},
		{"attachment-bucket", "PARLEY_ATTACHMENT_BUCKET", "", "S3 bucket for attachments (default: files under the data dir)", &o.Attachments.S3.Bucket},
		{"attachment-endpoint", "PARLEY_ATTACHMENT_ENDPOINT", "", "endpoint URL of an S3-compatible service for the attachment bucket", &o.Attachments.S3.Endpoint},
		{"attachment-scan-url", "PARLEY_ATTACHMENT_SCAN_URL", "", "webhook that approves or rejects every attachment", &o.Attachments.ScanURL},
		{"transcripts-dir", "PARLEY_TRANSCRIPTS_DIR", "", "directory to export ended chats' transcripts to, in Amazon Connect's layout (default: no export)", &o.Transcripts.Dir},
		{"transcripts-bucket", "PARLEY_TRANSCRIPTS_BUCKET", "", "S3 bucket to export ended chats' transcripts to", &o.Transcripts.S3.Bucket},
		{"transcripts-endpoint", "PARLEY_TRANSCRIPTS_ENDPOINT", "", "endpoint URL of an S3-compatible service for the transcripts bucket", &o.Transcripts.S3.Endpoint},
		{"transcripts-prefix", "PARLEY_TRANSCRIPTS_PREFIX", "", "key prefix of exported transcripts (default connect/<instance alias>/ChatTranscripts)", &o.Transcripts.Prefix},
		{"retention-contacts", "PARLEY_RETENTION_CONTACTS", "", "delete ended chats and their attachments this long after they ended, e.g. 2160h (default: keep forever)", &retention},
		{"offer-timeout", "PARLEY_OFFER_TIMEOUT", d.OfferTimeout.String(), "how long an agent has to accept an offered chat before it goes to another (and the agent is Missed)", &offerTimeout},
		{"customer-idle", "PARLEY_CUSTOMER_IDLE", "", "customer idle timer where UpdateParticipantRoleConfig set none: a duration, or off (default 10m)", &customerIdle},
		{"customer-auto-disconnect", "PARLEY_CUSTOMER_AUTO_DISCONNECT", "", "auto-disconnect timer after the customer went idle: a duration, or off (default 15m)", &customerAutoDisconnect},
		{"trusted-proxies", "PARLEY_TRUSTED_PROXIES", "", "addresses or CIDR prefixes of the proxies in front of parley, comma-separated: their X-Forwarded-For names the client", &proxies},
		{"limits", "PARLEY_LIMITS", throttle.ProfileDefault, "limits profile: default (limits no real client meets), connect (plus Amazon Connect's API quotas) or off", &o.Limits.Profile},
		{"auth-issuer", "PARLEY_AUTH_ISSUER", "", "issuer URL of the OpenID Connect provider customers sign in with (Authenticate Customer)", &o.Authentication.Issuer},
		{"auth-client-id", "PARLEY_AUTH_CLIENT_ID", "", "parley's client id at that provider", &o.Authentication.ClientID},
		{"auth-client-secret", "PARLEY_AUTH_CLIENT_SECRET", "", "parley's client secret at that provider", &o.Authentication.ClientSecret},
		{"metrics", "PARLEY_METRICS", "", "serve Prometheus metrics at /metrics on this address, e.g. 127.0.0.1:9090 (default off)", &o.Metrics},
		{"pprof", "PARLEY_PPROF", "", "serve net/http/pprof on this loopback address, e.g. 127.0.0.1:6060 (default off)", &o.Pprof},
		{"log-level", "PARLEY_LOG_LEVEL", defaultLogLevel, "debug, info, warn or error", &o.LogLevel},
		{"log-format", "PARLEY_LOG_FORMAT", defaultLogFormat, "text or json", &o.LogFormat},
	}
	fs := flag.NewFlagSet("parley serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&configPath, "config", "", "YAML configuration file (env PARLEY_CONFIG)")
	flagVals := map[string]*string{}
	for _, s := range settings {
		v := new(string)
		flagVals[s.flag] = v
		fs.StringVar(v, s.flag, s.def, s.usage+" (env "+s.env+")") // shown by -h; a flag counts only when set
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if !set["config"] {
		configPath = getenv("PARLEY_CONFIG")
	}
	if configPath != "" {
		b, err := os.ReadFile(configPath)
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(o); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config file %s: %w", configPath, err)
		}
	}
	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			*s.dst = v
		}
		if set[s.flag] {
			*s.dst = *flagVals[s.flag]
		}
	}
	if proxies != "" {
		o.TrustedProxies = strings.Split(proxies, ",")
	}
	if accessKeys != "" {
		keys, err := parseAccessKeys(accessKeys)
		if err != nil {
			return nil, err
		}
		o.AccessKeys = keys
	}
	for _, t := range []struct {
		name, v string
		dst     *server.Timer
	}{{"customer-idle", customerIdle, &o.CustomerIdle}, {"customer-auto-disconnect", customerAutoDisconnect, &o.CustomerAutoDisconnect}} {
		if t.v == "" {
			continue
		}
		if err := t.dst.UnmarshalText([]byte(t.v)); err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	if retention != "" {
		d, err := time.ParseDuration(retention)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("retention-contacts: %q is not a positive duration (such as 2160h)", retention)
		}
		o.Retention.Contacts = d
	}
	if offerTimeout != "" {
		d, err := time.ParseDuration(offerTimeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("offer-timeout: %q is not a positive duration (such as 45s)", offerTimeout)
		}
		o.OfferTimeout = d
	}
	if o.OfferTimeout < 0 {
		return nil, errors.New("offer_timeout: must be a positive duration (such as 45s)")
	}
	if o.Retention.Contacts < 0 {
		return nil, errors.New("retention.contacts: must be a positive duration (such as 2160h)")
	}
	if err := o.Transcripts.Validate(); err != nil {
		return nil, err
	}
	if functionList != "" {
		fns, err := functions.ParseList(functionList)
		if err != nil {
			return nil, err
		}
		o.Functions = fns
	} else if err := functions.Validate(o.Functions); err != nil {
		return nil, fmt.Errorf("config file %s: %w", configPath, err)
	}
	if err := o.Streaming.Validate(); err != nil {
		return nil, err
	}
	if err := o.Limits.Validate(); err != nil {
		return nil, err
	}
	if err := o.Channels.ApplyEnv(getenv); err != nil {
		return nil, err
	}
	if err := o.Channels.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// parseAccessKeys reads "id:secret,id2:secret2".
func parseAccessKeys(s string) (map[string]string, error) {
	keys := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("access keys: %q is not id:secret", pair)
		}
		keys[id] = secret
	}
	return keys, nil
}
