// Package config reads aims' settings from command-line flags, AIMS_*
// environment variables and an optional file, in that order of precedence.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is the effective configuration of one aims process.
type Config struct {
	Addr               string
	DataDir            string
	DatabaseURL        string
	LogKeyFile         string
	PublicURL          string
	TLSCertFile        string
	TLSKeyFile         string
	TrustProxy         bool
	MaxBodyBytes       int64
	DecisionMaxRecords int
	DecisionMaxBytes   int64
	EvidenceDir        string
	EvidenceMaxBytes   int64
	ProfileMaxBytes    int64
	CheckpointInterval time.Duration
	SessionLifetime    time.Duration
	ShutdownTimeout    time.Duration
	LogFormat          string
	LogLevel           string
	Server             string
	Token              string

	// SMTP and reminder settings; see notify.go.
	SMTPHost         string
	SMTPPort         int
	SMTPUsername     string
	SMTPPassword     string
	SMTPFrom         string
	SMTPTLS          string
	ReminderInterval time.Duration

	// Sources says where each setting came from: flag, env, file or default.
	Sources map[string]string
}

// Setting describes one configuration value.
type Setting struct {
	Name    string // flag name, such as data-dir
	Env     string // environment variable, such as AIMS_DATA_DIR
	Default string
	Help    string
	Secret  bool // read from NAME_FILE too, and redacted when printed
	Client  bool // used by commands that talk to a server
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

func str(p func(*Config) *string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error { *p(c) = v; return nil }, func(c *Config) string { return *p(c) }
}

func dur(p func(*Config) *time.Duration) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("want a duration such as 90s or 5m")
			}
			*p(c) = d
			return nil
		}, func(c *Config) string {
			return p(c).String()
		}
}

func setting(name, env, def, help string, secret, client bool, set func(*Config, string) error, get func(*Config) string) Setting {
	return Setting{Name: name, Env: env, Default: def, Help: help, Secret: secret, Client: client, set: set, get: get}
}

// Settings lists every setting, in the order documentation shows them.
var Settings = func() []Setting {
	var s []Setting
	add := func(name, env, def, help string, secret, client bool, set func(*Config, string) error, get func(*Config) string) {
		s = append(s, setting(name, env, def, help, secret, client, set, get))
	}
	set, get := str(func(c *Config) *string { return &c.Addr })
	add("addr", "AIMS_ADDR", ":8080", "address the server listens on", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.DataDir })
	add("data-dir", "AIMS_DATA_DIR", "./aims-data", "directory for the SQLite database, the log signing key and files", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.DatabaseURL })
	add("database", "AIMS_DATABASE_URL", "", "postgres://… to use PostgreSQL; empty for SQLite in the data directory", true, false, set, get)
	set, get = str(func(c *Config) *string { return &c.LogKeyFile })
	add("log-key-file", "AIMS_LOG_KEY_FILE", "", "Ed25519 key that signs log checkpoints; created in the data directory when empty", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.PublicURL })
	add("public-url", "AIMS_PUBLIC_URL", "", "address people use to reach aims, such as https://aims.example.org; https makes cookies Secure", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.TLSCertFile })
	add("tls-cert-file", "AIMS_TLS_CERT_FILE", "", "certificate to serve HTTPS directly", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.TLSKeyFile })
	add("tls-key-file", "AIMS_TLS_KEY_FILE", "", "private key of the certificate", false, false, set, get)
	add("trust-proxy", "AIMS_TRUST_PROXY", "false", "take the client address and scheme from X-Forwarded-For and X-Forwarded-Proto", false, false,
		func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false")
			}
			c.TrustProxy = b
			return nil
		}, func(c *Config) string { return strconv.FormatBool(c.TrustProxy) })
	add("max-body-bytes", "AIMS_MAX_BODY_BYTES", "1048576", "largest request body accepted, in bytes", false, false,
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.MaxBodyBytes = n
			return nil
		}, func(c *Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) })
	add("decision-max-records", "AIMS_DECISION_MAX_RECORDS", "10000", "most decision records or outcomes one request may carry", false, false,
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000000 {
				return fmt.Errorf("want a number of records between 1 and 1000000")
			}
			c.DecisionMaxRecords = n
			return nil
		}, func(c *Config) string { return strconv.Itoa(c.DecisionMaxRecords) })
	add("decision-max-bytes", "AIMS_DECISION_MAX_BYTES", "33554432", "largest body of a request that records decisions or outcomes, in bytes", false, false,
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.DecisionMaxBytes = n
			return nil
		}, func(c *Config) string { return strconv.FormatInt(c.DecisionMaxBytes, 10) })
	set, get = str(func(c *Config) *string { return &c.EvidenceDir })
	add("evidence-dir", "AIMS_EVIDENCE_DIR", "", "folder for evidence files, stored by SHA-256; evidence in the data directory when empty (replicas must share it)", false, false, set, get)
	add("evidence-max-bytes", "AIMS_EVIDENCE_MAX_BYTES", "52428800", "largest evidence file accepted, in bytes", false, false,
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.EvidenceMaxBytes = n
			return nil
		}, func(c *Config) string { return strconv.FormatInt(c.EvidenceMaxBytes, 10) })
	add("profile-max-bytes", "AIMS_PROFILE_MAX_BYTES", "2147483648", "largest data set file accepted for profiling, in bytes; it is read once and not kept", false, false,
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.ProfileMaxBytes = n
			return nil
		}, func(c *Config) string { return strconv.FormatInt(c.ProfileMaxBytes, 10) })
	set, get = dur(func(c *Config) *time.Duration { return &c.CheckpointInterval })
	add("checkpoint-interval", "AIMS_CHECKPOINT_INTERVAL", "1m", "how often grown logs get a signed checkpoint", false, false, set, get)
	set, get = dur(func(c *Config) *time.Duration { return &c.SessionLifetime })
	add("session-lifetime", "AIMS_SESSION_LIFETIME", "12h", "how long a browser session lasts", false, false, set, get)
	set, get = dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })
	add("shutdown-timeout", "AIMS_SHUTDOWN_TIMEOUT", "30s", "how long SIGTERM waits for requests in flight", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.LogFormat })
	add("log-format", "AIMS_LOG_FORMAT", "json", "json or text", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.LogLevel })
	add("log-level", "AIMS_LOG_LEVEL", "info", "debug, info, warn or error", false, false, set, get)
	set, get = str(func(c *Config) *string { return &c.Server })
	add("server", "AIMS_SERVER", "http://localhost:8080", "aims server that everyday commands talk to", false, true, set, get)
	set, get = str(func(c *Config) *string { return &c.Token })
	add("token", "AIMS_TOKEN", "", "API token for everyday commands", true, true, set, get)
	return s
}()

// FileEnv is the environment variable that names an optional configuration
// file of NAME=value lines, using the same names as the environment.
const FileEnv = "AIMS_CONFIG"

// AddServerFlags defines the flags of server-side settings on fs.
func AddServerFlags(fs *pflag.FlagSet, names ...string) {
	addFlags(fs, false, names)
}

// AddClientFlags defines the flags of client settings on fs.
func AddClientFlags(fs *pflag.FlagSet) {
	addFlags(fs, true, nil)
}

func addFlags(fs *pflag.FlagSet, client bool, names []string) {
	for _, s := range Settings {
		if s.Client != client || (len(names) > 0 && !contains(names, s.Name)) || fs.Lookup(s.Name) != nil {
			continue
		}
		help := fmt.Sprintf("%s (env %s)", s.Help, s.Env)
		if s.Default != "" {
			help += fmt.Sprintf(" (default %q)", s.Default)
		}
		fs.String(s.Name, "", help)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Load resolves every setting: a flag set on fs wins over the environment,
// which wins over the file named by --config or AIMS_CONFIG, which wins over
// the default. getenv is os.Getenv outside tests.
func Load(fs *pflag.FlagSet, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	file := getenv(FileEnv)
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			file = f.Value.String()
		}
	}
	fileValues := map[string]string{}
	if file != "" {
		var err error
		if fileValues, err = readFile(file); err != nil {
			return nil, err
		}
	}
	c := &Config{Sources: map[string]string{}}
	var errs []error
	for _, s := range Settings {
		v, src := s.Default, "default"
		if fv, ok := fileValues[s.Env]; ok {
			v, src = fv, "file"
		}
		if s.Secret {
			if path, ok := fileValues[s.Env+"_FILE"]; ok {
				v, src = readSecret(path, &errs, s.Env+"_FILE"), "file"
			}
		}
		if ev, ok := lookup(getenv, s.Env); ok {
			v, src = ev, "env"
		}
		if s.Secret {
			if path, ok := lookup(getenv, s.Env+"_FILE"); ok {
				v, src = readSecret(path, &errs, s.Env+"_FILE"), "env"
			}
		}
		if fs != nil {
			if f := fs.Lookup(s.Name); f != nil && f.Changed {
				v, src = f.Value.String(), "flag"
			}
		}
		if err := s.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s from %s) %q: %w", s.Name, s.Env, src, v, err))
		}
		c.Sources[s.Name] = src
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func readSecret(path string, errs *[]error, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %w", name, err))
		return ""
	}
	return strings.TrimSpace(string(b))
}

// readFile reads NAME=value lines; blank lines and lines starting with # are skipped.
func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read configuration file: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !strings.HasPrefix(k, "AIMS_") {
			return nil, fmt.Errorf("%s:%d: want AIMS_NAME=value", path, n)
		}
		out[k] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out, sc.Err()
}

// Validate checks settings that depend on each other.
func (c *Config) Validate() error {
	var errs []error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, errors.New("database (AIMS_DATABASE_URL) must start with postgres://, postgresql:// or sqlite:"))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("tls-cert-file and tls-key-file must be given together"))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("public-url (AIMS_PUBLIC_URL) must be an http or https URL"))
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, errors.New("log-format (AIMS_LOG_FORMAT) must be json or text"))
	}
	if !contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		errs = append(errs, errors.New("log-level (AIMS_LOG_LEVEL) must be debug, info, warn or error"))
	}
	if c.CheckpointInterval < time.Second {
		errs = append(errs, errors.New("checkpoint-interval must be at least 1s"))
	}
	errs = append(errs, c.validateMail()...)
	return errors.Join(errs...)
}

// KeyFile returns the path of the log signing key.
func (c *Config) KeyFile() string {
	if c.LogKeyFile != "" {
		return c.LogKeyFile
	}
	return filepath.Join(c.DataDir, "log-signing.key")
}

// EvidencePath returns the folder of evidence files.
func (c *Config) EvidencePath() string {
	if c.EvidenceDir != "" {
		return c.EvidenceDir
	}
	return filepath.Join(c.DataDir, "evidence")
}

// SecureCookies reports whether cookies must carry the Secure attribute.
func (c *Config) SecureCookies() bool {
	return c.TLSCertFile != "" || strings.HasPrefix(c.PublicURL, "https://")
}

// Redacted lists every setting with its value and source, secrets hidden,
// for `aims config`.
func (c *Config) Redacted() [][3]string {
	var out [][3]string
	for _, s := range Settings {
		v := s.get(c)
		if s.Secret && v != "" {
			v = redact(s, v)
		}
		out = append(out, [3]string{s.Env, v, c.Sources[s.Name]})
	}
	return out
}

func redact(s Setting, v string) string {
	if u, err := url.Parse(v); err == nil && strings.Contains(v, "://") {
		if _, has := u.User.Password(); u.User != nil && has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", "REDACTED")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	if s.Name == "database" {
		return v
	}
	return "REDACTED"
}
