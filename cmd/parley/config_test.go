package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
)

// TestConfigPrecedence: flags win over PARLEY_* variables, which win over the YAML file, which wins over the
// defaults.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "parley.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:7001\nregion: eu-west-1\ndata: /from/file\n"+
		"public_url: https://file.example.com\naccess_keys:\n  AKFILE: filesecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARLEY_CONFIG": file, "PARLEY_REGION": "eu-central-1", "PARLEY_DATA": "/from/env"}
	getenv := func(k string) string { return env[k] }
	o, err := loadOptions([]string{"--data", "/from/flag"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.DataDir != "/from/flag" || o.Region != "eu-central-1" || o.Listen != "127.0.0.1:7001" ||
		o.PublicURL != "https://file.example.com" || o.AccessKeys["AKFILE"] != "filesecret" || o.LogLevel != "info" {
		t.Fatalf("options = %+v", o)
	}
	env["PARLEY_ACCESS_KEYS"] = "AK1:s1,AK2:s2"
	o, err = loadOptions(nil, getenv, io.Discard)
	if err != nil || len(o.AccessKeys) != 2 || o.AccessKeys["AK2"] != "s2" {
		t.Fatalf("access keys from the environment: %+v, %v", o.AccessKeys, err)
	}
}

// TestConfigFunctions: the Lambda endpoints come from the YAML map, replaced as a whole by PARLEY_FUNCTIONS,
// replaced by --functions.
func TestConfigFunctions(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:state-lookup"
	file := filepath.Join(t.TempDir(), "parley.yaml")
	if err := os.WriteFile(file, []byte("functions:\n  "+fn+": http://127.0.0.1:9000/file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARLEY_CONFIG": file}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"YAML", nil, "", "http://127.0.0.1:9000/file"},
		{"environment over YAML", nil, fn + "=http://127.0.0.1:9000/env", "http://127.0.0.1:9000/env"},
		{"flag over environment", []string{"--functions", fn + "=http://127.0.0.1:9000/flag"}, fn + "=http://127.0.0.1:9000/env",
			"http://127.0.0.1:9000/flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env["PARLEY_FUNCTIONS"] = tc.env
			o, err := loadOptions(tc.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Functions[fn]; got != tc.want || len(o.Functions) != 1 {
				t.Errorf("functions = %v, want %s → %s", o.Functions, fn, tc.want)
			}
		})
	}
}

// TestConfigCustomerTimers: the customer's default timers come from the YAML file, PARLEY_* and flags in that
// order of precedence; "off" is a negative Timer (no timer), unset is zero (the chat service's default).
func TestConfigCustomerTimers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "parley.yaml")
	if err := os.WriteFile(file, []byte("customer_idle: 20m\ncustomer_auto_disconnect: off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name             string
		args             []string
		env              map[string]string
		idle, disconnect server.Timer
	}{
		{"defaults", nil, nil, 0, 0},
		{"YAML", nil, map[string]string{"PARLEY_CONFIG": file}, server.Timer(20 * time.Minute), -1},
		{"environment over YAML", nil, map[string]string{"PARLEY_CONFIG": file, "PARLEY_CUSTOMER_IDLE": "off",
			"PARLEY_CUSTOMER_AUTO_DISCONNECT": "5m"}, -1, server.Timer(5 * time.Minute)},
		{"flag over environment", []string{"--customer-idle", "90s"}, map[string]string{"PARLEY_CUSTOMER_IDLE": "off"},
			server.Timer(90 * time.Second), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env = tc.env
			o, err := loadOptions(tc.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.CustomerIdle != tc.idle || o.CustomerAutoDisconnect != tc.disconnect {
				t.Errorf("customer timers %v, %v; want %v, %v", o.CustomerIdle, o.CustomerAutoDisconnect, tc.idle, tc.disconnect)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("listen: [\n"), 0o600)
	unknown := filepath.Join(dir, "unknown.yaml")
	_ = os.WriteFile(unknown, []byte("lisen: 127.0.0.1:1\n"), 0o600)
	badFunctions := filepath.Join(dir, "functions.yaml")
	_ = os.WriteFile(badFunctions, []byte("functions:\n  state-lookup: http://127.0.0.1:1\n"), 0o600)
	none := func(string) string { return "" }
	for name, args := range map[string][]string{
		"bad yaml":                    {"--config", bad},
		"unknown yaml key":            {"--config", unknown},
		"missing file":                {"--config", filepath.Join(dir, "nope.yaml")},
		"bad access keys":             {"--access-keys", "nocolon"},
		"bad functions":               {"--functions", "arn:aws:lambda:us-east-1:123456789012:function:f=ftp://x"},
		"functions no arn":            {"--functions", "http://127.0.0.1:1"},
		"yaml functions":              {"--config", badFunctions},
		"unknown flag":                {"--nope"},
		"stray argument":              {"extra"},
		"bad log level":               {"--log-level", "loud"},
		"bad idle timer":              {"--customer-idle", "soon"},
		"negative timer":              {"--customer-auto-disconnect", "-5m"},
		"bad retention":               {"--retention-contacts", "90d"},
		"bad offer timeout":           {"--offer-timeout", "soon"},
		"zero offer timeout":          {"--offer-timeout", "0s"},
		"two transcript destinations": {"--transcripts-dir", dir, "--transcripts-bucket", "b"},
	} {
		o, err := loadOptions(args, none, io.Discard)
		if err == nil && name == "bad log level" {
			_, err = newLogger(io.Discard, o.LogLevel, o.LogFormat)
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestConfigStreaming: the SNS endpoint from YAML, PARLEY_SNS_ENDPOINT and --sns-endpoint; webhook
// subscriptions from YAML, checked.
func TestConfigStreaming(t *testing.T) {
	const topic = "arn:aws:sns:us-west-2:123456789012:parley-stream"
	dir := t.TempDir()
	file := filepath.Join(dir, "parley.yaml")
	if err := os.WriteFile(file, []byte("streaming:\n  sns_endpoint: http://127.0.0.1:4566\n  subscriptions:\n"+
		"    "+topic+":\n      - url: https://hooks.example.com/parley\n        secret: s1\n"+
		"      - url: http://127.0.0.1:9000/hook\n        secret: s2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARLEY_CONFIG": file}
	getenv := func(k string) string { return env[k] }
	o, err := loadOptions(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	subs := o.Streaming.Subscriptions[topic]
	if o.Streaming.SNSEndpoint != "http://127.0.0.1:4566" || len(subs) != 2 || subs[1].URL != "http://127.0.0.1:9000/hook" || subs[1].Secret != "s2" {
		t.Fatalf("streaming = %+v", o.Streaming)
	}
	env["PARLEY_SNS_ENDPOINT"] = "http://127.0.0.1:4567"
	if o, err = loadOptions(nil, getenv, io.Discard); err != nil || o.Streaming.SNSEndpoint != "http://127.0.0.1:4567" {
		t.Fatalf("endpoint from the environment: %q, %v", o.Streaming.SNSEndpoint, err)
	}
	if o, err = loadOptions([]string{"--sns-endpoint", "https://sns.eu-west-1.amazonaws.com"}, getenv, io.Discard); err != nil ||
		o.Streaming.SNSEndpoint != "https://sns.eu-west-1.amazonaws.com" {
		t.Fatalf("endpoint from the flag: %q, %v", o.Streaming.SNSEndpoint, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("streaming:\n  subscriptions:\n    "+topic+":\n      - url: https://hooks.example.com/parley\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env["PARLEY_CONFIG"] = bad
	if _, err := loadOptions(nil, getenv, io.Discard); err == nil {
		t.Error("a subscription without a secret was accepted")
	}
}

// TestConfigLimits: `limits:` is a profile name or a mapping of a profile and overrides; PARLEY_LIMITS and
// --limits pick the profile over the file; an unknown profile or a zero rate is refused; unset, the default
// profile applies.
func TestConfigLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, yaml string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	o, err := loadOptions(nil, getenv, io.Discard)
	if err != nil || o.Limits.Resolve().Profile != throttle.ProfileDefault ||
		o.Limits.Resolve().Participant.Messages != throttle.Defaults.Participant.Messages {
		t.Fatalf("default limits = %+v, %v; want the default profile", o.Limits.Resolve(), err)
	}
	env["PARLEY_CONFIG"] = write("scalar.yaml", "limits: connect\n")
	if o, err = loadOptions(nil, getenv, io.Discard); err != nil || o.Limits.Profile != throttle.ProfileConnect {
		t.Fatalf("limits: connect = %+v, %v", o.Limits, err)
	}
	env["PARLEY_CONFIG"] = write("map.yaml", "limits:\n  profile: connect\n  chat_items: 500\n"+
		"  participant:\n    messages: {rate: 50, burst: 100}\n  operations:\n    SendMessage: {rate: 40, burst: 80}\n")
	o, err = loadOptions(nil, getenv, io.Discard)
	if r := o.Limits.Resolve(); err != nil || r.Profile != throttle.ProfileConnect || r.ChatItems != 500 ||
		r.ConcurrentChats != throttle.ConnectConcurrentChats ||
		r.Participant.Messages != (throttle.Rate{Rate: 50, Burst: 100}) ||
		r.Participant.Transcripts != throttle.Defaults.Participant.Transcripts ||
		r.Operations["SendMessage"] != (throttle.Rate{Rate: 40, Burst: 80}) {
		t.Fatalf("limits from YAML = %+v, %v", r, err)
	}
	env["PARLEY_LIMITS"] = "off"
	if o, err = loadOptions(nil, getenv, io.Discard); err != nil || o.Limits.Profile != throttle.ProfileOff || o.Limits.ChatItems != 500 {
		t.Fatalf("PARLEY_LIMITS=off over the file: %+v, %v", o.Limits, err)
	}
	if o, err = loadOptions([]string{"--limits", "default"}, getenv, io.Discard); err != nil || o.Limits.Profile != throttle.ProfileDefault {
		t.Fatalf("--limits default over the environment: %+v, %v", o.Limits, err)
	}
	env["PARLEY_LIMITS"] = "sometimes"
	if _, err := loadOptions(nil, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("PARLEY_LIMITS=sometimes: %v", err)
	}
	delete(env, "PARLEY_LIMITS")
	env["PARLEY_CONFIG"] = write("bad.yaml", "limits:\n  operations:\n    SendMessage: {rate: 0, burst: 10}\n")
	if _, err := loadOptions(nil, getenv, io.Discard); err == nil {
		t.Error("a zero rate was accepted")
	}
	env["PARLEY_CONFIG"] = write("bad2.yaml", "limits:\n  chat_items: -5\n")
	if _, err := loadOptions(nil, getenv, io.Discard); err == nil {
		t.Error("chat_items -5 was accepted")
	}
}

// TestConfigIntegrationDestinations: SendChatIntegrationEvent's destination map comes from the YAML file.
func TestConfigIntegrationDestinations(t *testing.T) {
	const phone = "arn:aws:sms-voice:us-west-2:123456789012:phone-number/phone-number-1"
	const flow = "arn:aws:connect:us-west-2:000000000000:instance/i-1/contact-flow/f-1"
	file := filepath.Join(t.TempDir(), "parley.yaml")
	if err := os.WriteFile(file, []byte("integration_destinations:\n  "+phone+": "+flow+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := loadOptions(nil, func(k string) string { return map[string]string{"PARLEY_CONFIG": file}[k] }, io.Discard)
	if err != nil || len(o.IntegrationDestinations) != 1 || o.IntegrationDestinations[phone] != flow {
		t.Fatalf("integration destinations = %v, %v", o.IntegrationDestinations, err)
	}
}

// TestConfigTranscripts: the transcripts: and retention: sections, and the PARLEY_TRANSCRIPTS_* and
// PARLEY_RETENTION_CONTACTS variables over them.
func TestConfigTranscripts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "parley.yaml")
	yaml := "transcripts:\n  s3:\n    bucket: chats\n    endpoint: http://127.0.0.1:9000\n  prefix: exports\nretention:\n  contacts: 2160h\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := loadOptions([]string{"--config", file}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Transcripts.S3.Bucket != "chats" || o.Transcripts.S3.Endpoint != "http://127.0.0.1:9000" ||
		o.Transcripts.Prefix != "exports" || o.Retention.Contacts != 2160*time.Hour {
		t.Errorf("from YAML: transcripts %+v, retention %+v", o.Transcripts, o.Retention)
	}
	env := map[string]string{"PARLEY_TRANSCRIPTS_DIR": "/var/lib/parley/transcripts", "PARLEY_RETENTION_CONTACTS": "720h"}
	o, err = loadOptions(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Transcripts.Dir != env["PARLEY_TRANSCRIPTS_DIR"] || o.Retention.Contacts != 720*time.Hour {
		t.Errorf("from the environment: transcripts %+v, retention %+v", o.Transcripts, o.Retention)
	}
}

// TestConfigOfferTimeout: offer_timeout in YAML, PARLEY_OFFER_TIMEOUT over it, --offer-timeout over both.
func TestConfigOfferTimeout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "parley.yaml")
	if err := os.WriteFile(file, []byte("offer_timeout: 45s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, c := range []struct {
		env, flag string
		want      time.Duration
	}{{"", "", 45 * time.Second}, {"20s", "", 20 * time.Second}, {"20s", "1m", time.Minute}} {
		env["PARLEY_OFFER_TIMEOUT"] = c.env
		args := []string{"--config", file}
		if c.flag != "" {
			args = append(args, "--offer-timeout", c.flag)
		}
		o, err := loadOptions(args, getenv, io.Discard)
		if err != nil {
			t.Fatalf("env %q, flag %q: %v", c.env, c.flag, err)
		}
		if o.OfferTimeout != c.want {
			t.Errorf("env %q, flag %q: offer timeout %v, want %v", c.env, c.flag, o.OfferTimeout, c.want)
		}
	}
}
