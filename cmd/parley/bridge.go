package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"gopkg.in/yaml.v3"

	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/client"
)

// bridgeCmd runs the channel bridges on their own against any Connect-compatible endpoint, Amazon Connect
// included: the channels' webhooks, and the endpoint of the streaming subscription that brings the chats'
// items (docs/channels.md, "parley bridge").
func bridgeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley bridge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	listen := fs.String("listen", env("PARLEY_BRIDGE_LISTEN", "127.0.0.1:8081"), "address of the webhooks and the streaming endpoint (env PARLEY_BRIDGE_LISTEN)")
	data := fs.String("data", env("PARLEY_BRIDGE_DATA", "parley-bridge"), "directory of the bridge's database (env PARLEY_BRIDGE_DATA)")
	endpoint := fs.String("endpoint", env("PARLEY_BRIDGE_ENDPOINT", ""), "base URL of the Connect-compatible service, e.g. parley's http://127.0.0.1:8080; empty: Amazon Connect (env PARLEY_BRIDGE_ENDPOINT)")
	region := fs.String("region", env("PARLEY_REGION", env("AWS_REGION", "us-west-2")), "AWS region (env PARLEY_REGION, AWS_REGION)")
	instanceID := fs.String("instance-id", env("PARLEY_BRIDGE_INSTANCE_ID", ""), "instance the chats start in (env PARLEY_BRIDGE_INSTANCE_ID)")
	flowID := fs.String("flow-id", env("PARLEY_BRIDGE_FLOW_ID", ""), "contact flow the chats start on (env PARLEY_BRIDGE_FLOW_ID)")
	secret := fs.String("streaming-secret", env("PARLEY_BRIDGE_STREAMING_SECRET", ""), "secret of parley's webhook subscription to the topic, for X-Parley-Signature (env PARLEY_BRIDGE_STREAMING_SECRET)")
	publicURL := fs.String("public-url", env("PARLEY_BRIDGE_PUBLIC_URL", ""), "base URL the providers reach the bridge at; Twilio signs over it (env PARLEY_BRIDGE_PUBLIC_URL; default http://LISTEN)")
	configPath := fs.String("config", env("PARLEY_CONFIG", ""), "YAML file with a channels: section (env PARLEY_CONFIG)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var file struct {
		Channels channels.Config `yaml:"channels"`
	}
	if *configPath != "" {
		b, err := os.ReadFile(*configPath)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if err := yaml.Unmarshal(b, &file); err != nil {
			return fmt.Errorf("config file %s: %w", *configPath, err)
		}
	}
	cc := file.Channels
	if err := cc.ApplyEnv(getenv); err != nil {
		return err
	}
	var missing []string
	for name, v := range map[string]string{"--instance-id": *instanceID, "--flow-id": *flowID, "channels.topic_arn (PARLEY_CHANNELS_TOPIC_ARN)": cc.TopicARN} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bridge: missing %s", strings.Join(missing, ", "))
	}
	if !cc.Enabled() {
		return errors.New("bridge: no channel configured (channels: in --config, or PARLEY_FACEBOOK_*, PARLEY_WHATSAPP_*, PARLEY_SMS_*, PARLEY_TWILIO_*)")
	}
	log, err := newLogger(stderr, env("PARLEY_LOG_LEVEL", "info"), env("PARLEY_LOG_FORMAT", "text"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	defer ln.Close()
	if *publicURL == "" {
		*publicURL = "http://" + ln.Addr().String()
	}
	chans, err := cc.Channels(ctx, channels.BuildOptions{PublicURL: *publicURL, Region: *region,
		Log: log.With("component", "channels")})
	if err != nil {
		return err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(*region))
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	be := &channels.API{ConnectEndpoint: *endpoint, ParticipantEndpoint: *endpoint, Region: *region,
		InstanceID: *instanceID, FlowID: *flowID, TopicARN: cc.TopicARN}
	if awsCfg.Credentials != nil {
		if _, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
			log.Warn("no AWS credentials: Connect API calls go unsigned (parley accepts them on loopback without access keys)", "err", err)
		} else {
			be.CredentialsFrom = awsCredentials(awsCfg.Credentials)
		}
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	b, err := channels.New(filepath.Join(*data, "channels.db"), be, chans, channels.Options{EndedMessage: cc.EndedMessage,
		Log: log.With("component", "channels")})
	if err != nil {
		return err
	}
	defer b.Close()
	mux := http.NewServeMux()
	mux.Handle("/webhook/", b.Handler())
	mux.Handle("/webhook/streaming", &channels.Receiver{Bridge: b, Secret: *secret, VerifySNS: channels.NewSNSVerifier(nil).Verify,
		Log: log.With("component", "streaming")})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Run(runCtx) }()
	go srv.Serve(ln)
	fmt.Fprintf(stdout, "parley bridge: channels %s on http://%s (webhooks /webhook/<channel>, streaming /webhook/streaming)\n",
		strings.Join(b.Channels(), ", "), ln.Addr())
	<-ctx.Done()
	shut, cancelShut := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShut()
	err = srv.Shutdown(shut)
	cancel()
	<-done
	return err
}

// awsCredentials reads credentials from the AWS chain at every call (the chain caches them and refreshes them
// before they expire).
func awsCredentials(p aws.CredentialsProvider) func(context.Context) (client.Credentials, error) {
	return func(ctx context.Context) (client.Credentials, error) {
		c, err := p.Retrieve(ctx)
		if err != nil {
			return client.Credentials{}, fmt.Errorf("AWS credentials: %w", err)
		}
		return client.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
	}
}
