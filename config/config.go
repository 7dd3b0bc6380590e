// Package config loads the service's settings from environment variables,
// applies documented defaults and validates every value at start.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/codec"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// Database drivers.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Config is every setting the binary reads. Each field's env tag names its
// variable; README.md's configuration table lists them with their defaults.
type Config struct {
	HTTPAddr string `env:"WUYE_HTTP_ADDR" envDefault:":8080"`
	// DebugAddr, when set, serves Go's profiler (/debug/pprof/) on its own
	// listener, e.g. 127.0.0.1:6060: never on the API's port, off by default.
	DebugAddr string `env:"WUYE_DEBUG_ADDR"`
	DataDir   string `env:"WUYE_DATA_DIR" envDefault:"./data"`
	// DBDriver is "sqlite" (default, a file in DataDir) or "mysql".
	DBDriver string `env:"WUYE_DB_DRIVER" envDefault:"sqlite"`
	// DBDSN overrides the SQLite file path, and is required for MySQL
	// ("user:pass@tcp(host:3306)/wuye").
	DBDSN string `env:"WUYE_DB_DSN"`
	// DBMaxLifetime recycles MySQL connections before the server's wait_timeout.
	DBMaxLifetime time.Duration `env:"WUYE_DB_CONN_MAX_LIFETIME" envDefault:"3m"`
	DBMaxOpen     int           `env:"WUYE_DB_MAX_OPEN_CONNS" envDefault:"20"`

	// Temporal settings follow the SDK's standard variables (TEMPORAL_ADDRESS,
	// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*...). With no
	// TEMPORAL_ADDRESS the binary embeds its own server.
	TemporalNamespace string `env:"TEMPORAL_NAMESPACE" envDefault:"wuye"`
	// WorkflowCacheSize is how many workflows the worker keeps in memory
	// between their tasks (the SDK's sticky cache, shared by the process).
	// A workflow out of the cache is replayed from its history when it next
	// wakes: fewer cached means less memory and more replay work.
	WorkflowCacheSize int `env:"WUYE_WORKFLOW_CACHE_SIZE" envDefault:"4000"`
	// StickyTimeout is how long a workflow task waits for the worker that
	// holds the workflow in its cache before any worker may take it (and
	// replay the workflow from its history). The SDK's 5 s made every task
	// of a burst (2,000 deadlines at one instant drain in about a minute)
	// time out and be replayed, twice the engine's work for each. A worker
	// that stops cleanly, or that the server has not heard from for about
	// 10 s, is passed over at once; only a task sent to a worker in the
	// seconds after it crashed waits this long (the embedded engine restarts
	// with its worker, so a restart waits for nothing).
	StickyTimeout time.Duration `env:"WUYE_WORKER_STICKY_TIMEOUT" envDefault:"1m"`
	// MemoryLimitSetting is WUYE_MEMORY_LIMIT as written: Go's soft memory
	// limit for the process ("768MiB", "1GiB", bytes; "off" for none).
	// MemoryLimit is it in bytes, 0 when off or when the operator set
	// GOMEMLIMIT, which the Go runtime applies itself and wins.
	MemoryLimitSetting string `env:"WUYE_MEMORY_LIMIT" envDefault:"768MiB"`
	MemoryLimit        int64  `env:"-"`
	// EmbeddedTemporalPort is the embedded server's gRPC frontend port.
	EmbeddedTemporalPort int `env:"WUYE_TEMPORAL_PORT" envDefault:"7233"`
	// EmbeddedUIPort is the embedded Temporal Web UI's port; 0 turns it off.
	EmbeddedUIPort int `env:"WUYE_TEMPORAL_UI_PORT" envDefault:"8233"`

	TimeZone string `env:"WUYE_TIMEZONE" envDefault:"Asia/Shanghai"`
	LogLevel string `env:"WUYE_LOG_LEVEL" envDefault:"info"`
	// LogFormat is "text" (default) or "json".
	LogFormat string `env:"WUYE_LOG_FORMAT" envDefault:"text"`
	// Tracing is "otlp" to send OpenTelemetry traces to an OTLP/gRPC
	// collector, "" or "off" for none. OTLPEndpoint, the standard variable
	// the exporter reads too, switches it on by itself.
	Tracing      string `env:"WUYE_TRACING"`
	OTLPEndpoint string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`

	// AdminUsername and AdminPassword seed the first company administrator
	// when the database has no staff; without a password one is generated
	// and printed once.
	AdminUsername string        `env:"WUYE_ADMIN_USERNAME" envDefault:"admin"`
	AdminPassword string        `env:"WUYE_ADMIN_PASSWORD"`
	SessionTTL    time.Duration `env:"WUYE_SESSION_TTL" envDefault:"12h"`
	// SecureCookies marks the session cookie Secure (behind HTTPS in production).
	SecureCookies bool `env:"WUYE_SECURE_COOKIES" envDefault:"false"`
	// TrustedProxies are the addresses or CIDR ranges of the reverse proxies
	// whose X-Forwarded-For names the client; empty trusts none, so the
	// client is the connection's peer and a client cannot pick its address
	// (sign-in throttling counts failures per address).
	TrustedProxies []string `env:"WUYE_TRUSTED_PROXIES" envSeparator:","`
	// LinkSecret signs the links sent to residents (at least 32 bytes).
	// Required with TEMPORAL_ADDRESS, so that every api and worker process
	// shares it; the embedded default generates one in DataDir when unset.
	LinkSecret string `env:"WUYE_LINK_SECRET"`
	// PayloadKeys seal what the service hands to Temporal (package codec):
	// "id:base64,id:base64", 32-byte AES keys, the sealing key first and
	// older ones after it so that older histories still open.
	// PayloadKeysFile names a file holding the same, one key per line.
	// One of them is required with TEMPORAL_ADDRESS; the embedded default
	// generates a key in DataDir when both are unset.
	PayloadKeys     string `env:"WUYE_PAYLOAD_KEYS"`
	PayloadKeysFile string `env:"WUYE_PAYLOAD_KEYS_FILE"`
	// PublicURL is where residents reach the service, for the links in
	// their messages. Required with TEMPORAL_ADDRESS; the embedded default
	// falls back to DefaultPublicURL.
	PublicURL string `env:"WUYE_PUBLIC_URL"`
	// TemporalUIURL is the Temporal Web UI the console links into. Empty
	// means the embedded UI when it runs, else no link.
	TemporalUIURL string `env:"WUYE_TEMPORAL_UI_URL"`
	// ReconDir is the folder the payment providers' statement files are
	// dropped in for the daily reconciliation (对账), one folder per estate
	// code: <dir>/<code>/<channel>-<YYYY-MM-DD>.csv. Empty turns the daily
	// run off (statements can still be uploaded).
	ReconDir string `env:"WUYE_RECON_DIR"`
	// PayProviders are the payment providers (WeChat Pay, Alipay, a bank...)
	// that notify payments at POST /api/v1/payment-notifications/{name}:
	// "name:channel,...", e.g. "wechat:wechat,alipay:alipay,unionpay:bank".
	// Each one's signing secret is WUYE_PAY_SECRET_<NAME> (the name upper-
	// cased, at least 32 bytes); none configured turns the route off (404).
	PayProviders string `env:"WUYE_PAY_PROVIDERS"`
	// PayNotifyWindow is how far a notification's timestamp may lie from
	// the service's clock; nonces are kept this long.
	PayNotifyWindow time.Duration `env:"WUYE_PAY_NOTIFY_WINDOW" envDefault:"5m"`

	// Photos (attachments) are kept in DataDir/attachments unless an S3
	// bucket is named: any S3-compatible object storage (MinIO, a cloud
	// bucket), which every api replica then shares.
	AttachmentsS3Endpoint  string `env:"WUYE_ATTACHMENTS_S3_ENDPOINT"`
	AttachmentsS3Bucket    string `env:"WUYE_ATTACHMENTS_S3_BUCKET"`
	AttachmentsS3Region    string `env:"WUYE_ATTACHMENTS_S3_REGION" envDefault:"us-east-1"`
	AttachmentsS3AccessKey string `env:"WUYE_ATTACHMENTS_S3_ACCESS_KEY_ID"`
	AttachmentsS3Secret    string `env:"WUYE_ATTACHMENTS_S3_SECRET_ACCESS_KEY"`
	AttachmentsS3PathStyle bool   `env:"WUYE_ATTACHMENTS_S3_PATH_STYLE" envDefault:"false"`
	// AttachmentsMaxMB bounds one photo; AttachmentsPerHour the photos one
	// staff member uploads in an hour, AttachmentsResidentPerHour those of
	// one resident's link.
	AttachmentsMaxMB           int `env:"WUYE_ATTACHMENTS_MAX_MB" envDefault:"10"`
	AttachmentsPerHour         int `env:"WUYE_ATTACHMENTS_PER_HOUR" envDefault:"60"`
	AttachmentsResidentPerHour int `env:"WUYE_ATTACHMENTS_RESIDENT_PER_HOUR" envDefault:"12"`

	// Temporal holds the SDK client options when TEMPORAL_ADDRESS is set.
	Temporal client.Options `env:"-"`
	// Location is TimeZone loaded.
	Location *time.Location `env:"-"`
	// Level is LogLevel parsed.
	Level slog.Level `env:"-"`
	// Notify is the notification channel (WUYE_NOTIFY_*; see package notify).
	Notify notify.Config `env:"-"`
	// Pay is PayProviders with their secrets.
	Pay []models.PayProvider `env:"-"`
}

// AttachmentsS3 is the S3 bucket photos are kept in; ok is false when none
// is named (they are kept in DataDir/attachments).
func (c Config) AttachmentsS3() (cfg attachments.S3Config, ok bool) {
	cfg = attachments.S3Config{Endpoint: c.AttachmentsS3Endpoint, Bucket: c.AttachmentsS3Bucket, Region: c.AttachmentsS3Region,
		AccessKeyID: c.AttachmentsS3AccessKey, SecretAccessKey: c.AttachmentsS3Secret, PathStyle: c.AttachmentsS3PathStyle}
	return cfg, c.AttachmentsS3Endpoint != "" || c.AttachmentsS3Bucket != "" || c.AttachmentsS3AccessKey != "" || c.AttachmentsS3Secret != ""
}

// AttachmentsDir is where photos are kept without an S3 bucket.
func (c Config) AttachmentsDir() string { return filepath.Join(c.DataDir, "attachments") }

// DefaultPublicURL is WUYE_PUBLIC_URL for the embedded default when unset.
const DefaultPublicURL = "http://localhost:8080"

// EmbeddedTemporal reports whether the binary must run its own Temporal server.
func (c Config) EmbeddedTemporal() bool { return c.Temporal.HostPort == "" }

// SQLitePath is the app database file when DBDriver is sqlite.
func (c Config) SQLitePath() string {
	if c.DBDSN != "" {
		return c.DBDSN
	}
	return filepath.Join(c.DataDir, "wuye.db")
}

// Environment looks variables up; Load takes one so tests need not touch the
// process environment.
type Environment map[string]string

// OSEnvironment is the process environment.
func OSEnvironment() Environment {
	m := Environment{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// LookupEnv implements envconfig.EnvLookup.
func (e Environment) LookupEnv(key string) (string, bool) {
	v, ok := e[key]
	return v, ok
}

// Environ implements envconfig.EnvLookup.
func (e Environment) Environ() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// Lookup is where Load reads variables from: an Environment, or a recorder
// that notes every name asked for.
type Lookup interface {
	LookupEnv(key string) (string, bool)
	Environ() []string
}

// Load reads and validates the configuration. The error lists every bad
// value, one per line, each naming its variable.
func Load(environ Lookup) (Config, error) {
	var c Config
	var problems []string
	vars := Environment{}
	for _, kv := range environ.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) {
			for _, e := range agg.Errors {
				problems = append(problems, e.Error())
			}
		} else {
			problems = append(problems, err.Error())
		}
	}
	problems = append(problems, c.validate()...)
	if n, err := ParseMemoryLimit(c.MemoryLimitSetting); err != nil {
		problems = append(problems, fmt.Sprintf("WUYE_MEMORY_LIMIT=%q: %v", c.MemoryLimitSetting, err))
	} else if _, operator := vars["GOMEMLIMIT"]; !operator {
		c.MemoryLimit = n
	}
	pay, payProblems := payProviders(c.PayProviders, environ.LookupEnv)
	c.Pay, problems = pay, append(problems, payProblems...)
	if n, err := notify.ConfigFromEnv(environ.LookupEnv); err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	} else {
		c.Notify = n
	}

	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{EnvLookup: environ})
	if err != nil {
		problems = append(problems, fmt.Sprintf("TEMPORAL_*: %v", err))
	} else {
		if prof.Namespace == "" {
			prof.Namespace = c.TemporalNamespace
		}
		opts, err := prof.ToClientOptions(envconfig.ToClientOptionsRequest{})
		if err != nil {
			problems = append(problems, fmt.Sprintf("TEMPORAL_TLS*: %v", err))
		}
		if opts.HostPort != "" {
			if _, _, err := net.SplitHostPort(opts.HostPort); err != nil {
				problems = append(problems, fmt.Sprintf("TEMPORAL_ADDRESS=%q: want host:port", opts.HostPort))
			}
		} else if prof.APIKey != "" || prof.TLS != nil {
			problems = append(problems, "TEMPORAL_API_KEY/TEMPORAL_TLS need TEMPORAL_ADDRESS: the embedded server takes neither")
		}
		c.Temporal = opts
		if opts.HostPort != "" && c.PayloadKeys == "" && c.PayloadKeysFile == "" {
			problems = append(problems, "WUYE_PAYLOAD_KEYS: required with TEMPORAL_ADDRESS (the api and worker modes), or WUYE_PAYLOAD_KEYS_FILE: "+
				"every api and worker process seals workflow payloads with the same keys, e.g. \"k1:$(openssl rand -base64 32)\"")
		}
		if opts.HostPort != "" && c.LinkSecret == "" {
			problems = append(problems, "WUYE_LINK_SECRET: required with TEMPORAL_ADDRESS (the api and worker modes): "+
				"every api and worker process must sign residents' links with the same secret of at least 32 bytes, e.g. from `openssl rand -base64 48`")
		}
		switch {
		case c.PublicURL != "":
		case opts.HostPort != "":
			problems = append(problems, "WUYE_PUBLIC_URL: required with TEMPORAL_ADDRESS (the api and worker modes): "+
				"the address residents reach the service at, the base of the links in their messages, e.g. https://wuye.example.com")
		default:
			c.PublicURL = DefaultPublicURL
		}
	}
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

func (c *Config) validate() []string {
	var p []string
	bad := func(name, value, want string) {
		p = append(p, fmt.Sprintf("%s=%q: %s", name, value, want))
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("WUYE_HTTP_ADDR", c.HTTPAddr, "want [host]:port, e.g. :8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("WUYE_HTTP_ADDR", c.HTTPAddr, "port must be 0-65535")
	}
	if c.DebugAddr != "" {
		if _, port, err := net.SplitHostPort(c.DebugAddr); err != nil {
			bad("WUYE_DEBUG_ADDR", c.DebugAddr, "want host:port, e.g. 127.0.0.1:6060")
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("WUYE_DEBUG_ADDR", c.DebugAddr, "port must be 0-65535")
		} else if c.DebugAddr == c.HTTPAddr {
			bad("WUYE_DEBUG_ADDR", c.DebugAddr, "must not be the API's address (WUYE_HTTP_ADDR)")
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("WUYE_DATA_DIR", c.DataDir, "must not be empty")
	}
	switch c.DBDriver {
	case DriverSQLite:
	case DriverMySQL:
		if c.DBDSN == "" {
			bad("WUYE_DB_DSN", c.DBDSN, "required when WUYE_DB_DRIVER=mysql, e.g. root:pw@tcp(127.0.0.1:3306)/wuye")
		}
	default:
		bad("WUYE_DB_DRIVER", c.DBDriver, `want "sqlite" or "mysql"`)
	}
	if c.DBMaxLifetime <= 0 {
		bad("WUYE_DB_CONN_MAX_LIFETIME", c.DBMaxLifetime.String(), "must be positive and below the server's wait_timeout")
	}
	if c.StickyTimeout < time.Second || c.StickyTimeout > 10*time.Minute {
		bad("WUYE_WORKER_STICKY_TIMEOUT", c.StickyTimeout.String(), "want 1s to 10m")
	}
	if c.WorkflowCacheSize < 1 || c.WorkflowCacheSize > 100000 {
		bad("WUYE_WORKFLOW_CACHE_SIZE", strconv.Itoa(c.WorkflowCacheSize), "want 1 to 100000 workflows")
	}
	if c.DBMaxOpen < 1 {
		bad("WUYE_DB_MAX_OPEN_CONNS", strconv.Itoa(c.DBMaxOpen), "must be at least 1")
	}
	if c.TemporalNamespace == "" {
		bad("TEMPORAL_NAMESPACE", c.TemporalNamespace, "must not be empty")
	}
	if c.EmbeddedTemporalPort < 1 || c.EmbeddedTemporalPort > 65535-10 {
		bad("WUYE_TEMPORAL_PORT", strconv.Itoa(c.EmbeddedTemporalPort), "want 1-65525 (the next ports are used too)")
	}
	if c.EmbeddedUIPort < 0 || c.EmbeddedUIPort > 65535 {
		bad("WUYE_TEMPORAL_UI_PORT", strconv.Itoa(c.EmbeddedUIPort), "want 0 (off) or a port")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" || c.TimeZone == "Local" {
		bad("WUYE_TIMEZONE", c.TimeZone, "want an IANA time zone such as Asia/Shanghai")
	}
	c.Location = loc
	if err := c.Level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("WUYE_LOG_LEVEL", c.LogLevel, "want debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("WUYE_LOG_FORMAT", c.LogFormat, `want "text" or "json"`)
	}
	if c.Tracing != "" && c.Tracing != "off" && c.Tracing != "otlp" {
		bad("WUYE_TRACING", c.Tracing, `want "otlp" or "off"`)
	}
	if strings.TrimSpace(c.AdminUsername) == "" {
		bad("WUYE_ADMIN_USERNAME", c.AdminUsername, "must not be empty")
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		p = append(p, "WUYE_ADMIN_PASSWORD: must be at least 8 characters")
	}
	if c.PayloadKeys != "" && c.PayloadKeysFile != "" {
		p = append(p, "WUYE_PAYLOAD_KEYS and WUYE_PAYLOAD_KEYS_FILE: set one, not both")
	}
	if c.PayloadKeys != "" {
		if _, err := codec.ParseKeys(c.PayloadKeys); err != nil {
			p = append(p, "WUYE_PAYLOAD_KEYS: "+err.Error())
		}
	}
	if c.LinkSecret != "" && len(c.LinkSecret) < auth.MinLinkSecret {
		// The value is a secret: never echoed.
		p = append(p, fmt.Sprintf("WUYE_LINK_SECRET: got %d bytes, want at least %d, e.g. from `openssl rand -base64 48`", len(c.LinkSecret), auth.MinLinkSecret))
	}
	if c.PublicURL != "" && !webURL(c.PublicURL) {
		bad("WUYE_PUBLIC_URL", c.PublicURL, "want the address residents reach the service at, e.g. https://wuye.example.com")
	}
	c.TemporalUIURL = strings.TrimRight(c.TemporalUIURL, "/") // the console appends /namespaces/...
	if c.TemporalUIURL != "" && !webURL(c.TemporalUIURL) {
		bad("WUYE_TEMPORAL_UI_URL", c.TemporalUIURL, "want the Temporal Web UI's base URL, e.g. https://temporal.example.com")
	}
	if c.PayNotifyWindow < time.Minute || c.PayNotifyWindow > time.Hour {
		bad("WUYE_PAY_NOTIFY_WINDOW", c.PayNotifyWindow.String(), "want 1m to 1h")
	}
	if c.SessionTTL < time.Minute {
		bad("WUYE_SESSION_TTL", c.SessionTTL.String(), "must be at least 1m")
	}
	if s3, ok := c.AttachmentsS3(); ok {
		p = append(p, s3.Problems("WUYE_ATTACHMENTS_S3_")...)
	}
	if c.AttachmentsMaxMB < 1 || c.AttachmentsMaxMB > 50 {
		bad("WUYE_ATTACHMENTS_MAX_MB", strconv.Itoa(c.AttachmentsMaxMB), "want 1 to 50 (MB)")
	}
	if c.AttachmentsPerHour < 1 {
		bad("WUYE_ATTACHMENTS_PER_HOUR", strconv.Itoa(c.AttachmentsPerHour), "must be at least 1")
	}
	if c.AttachmentsResidentPerHour < models.MaxReportPhotos {
		bad("WUYE_ATTACHMENTS_RESIDENT_PER_HOUR", strconv.Itoa(c.AttachmentsResidentPerHour), fmt.Sprintf("must be at least %d, the photos of one report", models.MaxReportPhotos))
	}
	for i, proxy := range c.TrustedProxies {
		proxy = strings.TrimSpace(proxy)
		c.TrustedProxies[i] = proxy
		if _, _, err := net.ParseCIDR(proxy); err != nil && net.ParseIP(proxy) == nil {
			bad("WUYE_TRUSTED_PROXIES", proxy, "want IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.0/8,127.0.0.1")
		}
	}
	return p
}

// MinPaySecret is the shortest signing secret of a payment provider, in bytes.
const MinPaySecret = 32

// payProviders parses WUYE_PAY_PROVIDERS and reads each provider's secret;
// the problems name the variables, never a secret's value.
func payProviders(list string, lookup func(string) (string, bool)) ([]models.PayProvider, []string) {
	var (
		out      []models.PayProvider
		problems []string
	)
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, channel, _ := strings.Cut(item, ":")
		p := models.PayProvider{Name: name, Channel: models.PaymentChannel(channel)}
		if !models.ValidProviderName(name) || !p.Channel.Valid() || slices.ContainsFunc(out, func(o models.PayProvider) bool { return o.Name == name }) {
			problems = append(problems, fmt.Sprintf("WUYE_PAY_PROVIDERS=%q: want distinct name:channel pairs (names of a-z, 0-9 and -, up to 32; channels wechat, alipay, bank, card...), e.g. wechat:wechat,unionpay:bank", list))
			continue
		}
		v := "WUYE_PAY_SECRET_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		secret, _ := lookup(v)
		if len(secret) < MinPaySecret {
			// The value is a secret: never echoed.
			problems = append(problems, fmt.Sprintf("%s: got %d bytes, want at least %d for provider %s, e.g. from `openssl rand -base64 48`", v, len(secret), MinPaySecret, name))
			continue
		}
		p.Secret = []byte(secret)
		out = append(out, p)
	}
	return out, problems
}

// webURL reports whether s is an absolute http or https URL with a host.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Variables lists every environment variable the binary reads: the tags of
// Config and the names the Temporal and notifier loaders ask for.
func Variables() []string {
	names := map[string]bool{}
	t := reflect.TypeOf(Config{})
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("env"); name != "" && name != "-" {
			names[name] = true
		}
	}
	rec := recorder(names)
	_, _ = Load(rec)
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// recorder is an empty environment that notes the names looked up.
type recorder map[string]bool

func (r recorder) LookupEnv(key string) (string, bool) {
	r[key] = true
	return "", false
}

func (r recorder) Environ() []string { return nil }

// TracingOn reports whether the service sends OpenTelemetry traces:
// WUYE_TRACING=otlp, or an OTEL_EXPORTER_OTLP_ENDPOINT unless
// WUYE_TRACING=off.
func (c Config) TracingOn() bool {
	return c.Tracing == "otlp" || (c.Tracing == "" && c.OTLPEndpoint != "")
}

// ParseMemoryLimit reads a memory size as GOMEMLIMIT writes it: a number of
// bytes with an optional unit B, KiB, MiB, GiB or TiB, or "off" (also "0")
// for no limit, which it returns as 0. A limit below 64 MiB is refused: the
// service cannot start in less, and the collector would run without pause.
func ParseMemoryLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return 0, nil
	}
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	shift := uint(0)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return 0, errors.New(`want a size such as "768MiB" or "2GiB", or "off"`)
	}
	if n <<= shift; n < 64<<20 {
		return 0, errors.New("want at least 64MiB, or \"off\"")
	}
	return n, nil
}
