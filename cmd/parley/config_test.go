package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
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

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("listen: [\n"), 0o600)
	unknown := filepath.Join(dir, "unknown.yaml")
	_ = os.WriteFile(unknown, []byte("lisen: 127.0.0.1:1\n"), 0o600)
	none := func(string) string { return "" }
	for name, args := range map[string][]string{
		"bad yaml":         {"--config", bad},
		"unknown yaml key": {"--config", unknown},
		"missing file":     {"--config", filepath.Join(dir, "nope.yaml")},
		"bad access keys":  {"--access-keys", "nocolon"},
		"unknown flag":     {"--nope"},
		"stray argument":   {"extra"},
		"bad log level":    {"--log-level", "loud"},
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
