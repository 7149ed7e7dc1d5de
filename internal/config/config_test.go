package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/config"
	"github.com/spf13/pflag"
)

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "aims.conf")
	secret := filepath.Join(dir, "db-url")
	os.WriteFile(secret, []byte("postgres://aims:pw@db/aims\n"), 0o600)
	os.WriteFile(file, []byte("# aims settings\nAIMS_ADDR=:7000\nAIMS_DATA_DIR=/from/file\nAIMS_LOG_LEVEL=\"debug\"\nAIMS_CHECKPOINT_INTERVAL=30s\n"), 0o600)
	env := map[string]string{config.FileEnv: file, "AIMS_DATA_DIR": "/from/env", "AIMS_DATABASE_URL_FILE": secret}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	config.AddServerFlags(fs)
	if err := fs.Parse([]string{"--addr", ":9000"}); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want, src string }{
		{"addr", c.Addr, ":9000", "flag"},
		{"data-dir", c.DataDir, "/from/env", "env"},
		{"log-level", c.LogLevel, "debug", "file"},
		{"database", c.DatabaseURL, "postgres://aims:pw@db/aims", "env"},
		{"log-format", c.LogFormat, "json", "default"},
	}
	for _, ch := range checks {
		if ch.got != ch.want || c.Sources[ch.name] != ch.src {
			t.Errorf("%s = %q from %s, want %q from %s", ch.name, ch.got, c.Sources[ch.name], ch.want, ch.src)
		}
	}
	if c.CheckpointInterval != 30*time.Second {
		t.Errorf("checkpoint interval %v", c.CheckpointInterval)
	}
	if c.KeyFile() != "/from/env/log-signing.key" {
		t.Errorf("key file %q", c.KeyFile())
	}
	for _, row := range c.Redacted() {
		if strings.Contains(row[1], "pw") {
			t.Errorf("redacted configuration shows the password: %v", row)
		}
	}
}

func TestInvalidSettingsAreNamed(t *testing.T) {
	env := map[string]string{"AIMS_MAX_BODY_BYTES": "lots", "AIMS_DATABASE_URL": "mysql://x", "AIMS_TLS_CERT_FILE": "c.pem",
		"AIMS_PUBLIC_URL": "aims.example", "AIMS_SESSION_LIFETIME": "forever"}
	_, err := config.Load(nil, func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("invalid settings accepted")
	}
	for _, want := range []string{"max-body-bytes (AIMS_MAX_BODY_BYTES from env)", "session-lifetime"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	env = map[string]string{"AIMS_DATABASE_URL": "mysql://x", "AIMS_TLS_CERT_FILE": "c.pem", "AIMS_PUBLIC_URL": "aims.example"}
	_, err = config.Load(nil, func(k string) string { return env[k] })
	for _, want := range []string{"AIMS_DATABASE_URL", "tls-cert-file and tls-key-file", "AIMS_PUBLIC_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./aims-data" || c.DatabaseURL != "" || c.MaxBodyBytes != 1<<20 || c.SecureCookies() {
		t.Errorf("defaults: %+v", c)
	}
	c.PublicURL = "https://aims.example.org"
	if !c.SecureCookies() {
		t.Error("an https public URL must make cookies Secure")
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table true.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `AIMS_") {
			cells := strings.Split(line, "|")
			rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = line
		}
	}
	for _, s := range config.Settings {
		line, ok := rows[s.Env]
		if !ok {
			t.Errorf("README does not list %s", s.Env)
			continue
		}
		delete(rows, s.Env)
		cells := strings.Split(line, "|")
		if flag := strings.Trim(strings.TrimSpace(cells[2]), "`"); flag != "--"+s.Name {
			t.Errorf("README gives %s the flag %s, want --%s", s.Env, flag, s.Name)
		}
		if def := strings.Trim(strings.TrimSpace(cells[3]), "`"); def != s.Default {
			t.Errorf("README gives %s the default %q, want %q", s.Env, def, s.Default)
		}
	}
	for env := range rows {
		t.Errorf("README lists %s, which is not a setting", env)
	}
}
