package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(Environment{})
	if err != nil {
		t.Fatalf("Load(empty): %v", err)
	}
	if c.HTTPAddr != ":8080" || c.DBDriver != DriverSQLite || c.TemporalNamespace != "wuye" {
		t.Errorf("got %q %q %q, want :8080 sqlite wuye", c.HTTPAddr, c.DBDriver, c.TemporalNamespace)
	}
	if !c.EmbeddedTemporal() {
		t.Error("got external Temporal, want embedded when TEMPORAL_ADDRESS is unset")
	}
	if c.Location.String() != "Asia/Shanghai" {
		t.Errorf("got location %v, want Asia/Shanghai", c.Location)
	}
	if got, want := c.SQLitePath(), "data/wuye.db"; got != want {
		t.Errorf("got SQLite path %q, want %q", got, want)
	}
	if c.PublicURL != DefaultPublicURL || c.TemporalUIURL != "" {
		t.Errorf("got public URL %q, Temporal UI URL %q, want %q and none", c.PublicURL, c.TemporalUIURL, DefaultPublicURL)
	}
	if c.SessionTTL != 12*time.Hour {
		t.Errorf("got session TTL %v, want 12h", c.SessionTTL)
	}
	if c.StickyTimeout != time.Minute {
		t.Errorf("got sticky timeout %v, want 1m (the SDK's 5s replays every task of a burst)", c.StickyTimeout)
	}
	if len(c.TrustedProxies) != 0 {
		t.Errorf("got trusted proxies %v, want none", c.TrustedProxies)
	}
	c, err = Load(Environment{"WUYE_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
	if err != nil || !slices.Equal(c.TrustedProxies, []string{"10.0.0.0/8", "127.0.0.1"}) {
		t.Errorf("got trusted proxies %v, %v, want 10.0.0.0/8 and 127.0.0.1", c.TrustedProxies, err)
	}
}

func TestLoadExternalTemporal(t *testing.T) {
	c, err := Load(Environment{
		"TEMPORAL_ADDRESS": "temporal:7233", "TEMPORAL_NAMESPACE": "prod",
		"WUYE_DB_DRIVER": "mysql", "WUYE_DB_DSN": "root:@tcp(db:3306)/wuye",
		"WUYE_LINK_SECRET": strings.Repeat("k", 32), "WUYE_PAYLOAD_KEYS": "k1:" + strings.Repeat("A", 43) + "=",
		"WUYE_PUBLIC_URL": "https://wuye.example.com",
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.EmbeddedTemporal() || c.Temporal.HostPort != "temporal:7233" || c.Temporal.Namespace != "prod" {
		t.Errorf("got %+v, want external temporal:7233 namespace prod", c.Temporal)
	}
}

func TestLoadRejectsEachBadValue(t *testing.T) {
	tests := []struct {
		give Environment
		want string
	}{
		{Environment{"WUYE_HTTP_ADDR": "8080"}, "WUYE_HTTP_ADDR"},
		{Environment{"WUYE_HTTP_ADDR": ":99999"}, "WUYE_HTTP_ADDR"},
		{Environment{"WUYE_DATA_DIR": " "}, "WUYE_DATA_DIR"},
		{Environment{"WUYE_DEBUG_ADDR": "6060"}, "WUYE_DEBUG_ADDR"},
		{Environment{"WUYE_WORKFLOW_CACHE_SIZE": "0"}, "WUYE_WORKFLOW_CACHE_SIZE"},
		{Environment{"WUYE_MEMORY_LIMIT": "1GB"}, "WUYE_MEMORY_LIMIT"},
		{Environment{"WUYE_DEBUG_ADDR": ":8080"}, "must not be the API's address"},
		{Environment{"WUYE_DB_DRIVER": "postgres"}, "WUYE_DB_DRIVER"},
		{Environment{"WUYE_DB_DRIVER": "mysql"}, "WUYE_DB_DSN"},
		{Environment{"WUYE_DB_CONN_MAX_LIFETIME": "soon"}, "WUYE_DB_CONN_MAX_LIFETIME"},
		{Environment{"WUYE_DB_CONN_MAX_LIFETIME": "0s"}, "WUYE_DB_CONN_MAX_LIFETIME"},
		{Environment{"WUYE_TIMEZONE": "Mars/Olympus"}, "WUYE_TIMEZONE"},
		{Environment{"WUYE_LOG_LEVEL": "loud"}, "WUYE_LOG_LEVEL"},
		{Environment{"WUYE_WORKER_STICKY_TIMEOUT": "500ms"}, "WUYE_WORKER_STICKY_TIMEOUT"},
		{Environment{"WUYE_WORKER_STICKY_TIMEOUT": "1h"}, "WUYE_WORKER_STICKY_TIMEOUT"},
		{Environment{"WUYE_LOG_FORMAT": "xml"}, "WUYE_LOG_FORMAT"},
		{Environment{"WUYE_TEMPORAL_PORT": "0"}, "WUYE_TEMPORAL_PORT"},
		{Environment{"WUYE_TEMPORAL_UI_PORT": "-1"}, "WUYE_TEMPORAL_UI_PORT"},
		{Environment{"WUYE_ADMIN_PASSWORD": "short"}, "WUYE_ADMIN_PASSWORD"},
		{Environment{"WUYE_SESSION_TTL": "1s"}, "WUYE_SESSION_TTL"},
		{Environment{"TEMPORAL_ADDRESS": "no-port"}, "TEMPORAL_ADDRESS"},
		{Environment{"TEMPORAL_API_KEY": "k"}, "TEMPORAL_API_KEY"},
		{Environment{"TEMPORAL_ADDRESS": "temporal:7233"}, "WUYE_LINK_SECRET: required with TEMPORAL_ADDRESS"},
		{Environment{"WUYE_LINK_SECRET": "too-short-to-sign"}, "WUYE_LINK_SECRET: got 17 bytes, want at least 32"},
		{Environment{"WUYE_PUBLIC_URL": "wuye.example.com"}, "WUYE_PUBLIC_URL"},
		{Environment{"TEMPORAL_ADDRESS": "temporal:7233", "WUYE_LINK_SECRET": strings.Repeat("k", 32)}, "WUYE_PUBLIC_URL: required with TEMPORAL_ADDRESS"},
		{Environment{"WUYE_TEMPORAL_UI_URL": "temporal-ui:8080"}, "WUYE_TEMPORAL_UI_URL"},
		{Environment{"WUYE_TEMPORAL_UI_URL": "ftp://temporal.example.com"}, "WUYE_TEMPORAL_UI_URL"},
		{Environment{"WUYE_TIMEZONE": "Local"}, "WUYE_TIMEZONE"},
		{Environment{"TEMPORAL_ADDRESS": "temporal:7233"}, "WUYE_PAYLOAD_KEYS: required with TEMPORAL_ADDRESS"},
		{Environment{"WUYE_PAYLOAD_KEYS": "k1:too-short-to-sign"}, "WUYE_PAYLOAD_KEYS: payload key \"k1\": want 32 bytes"},
		{Environment{"WUYE_PAYLOAD_KEYS": "k1:" + strings.Repeat("A", 43) + "=", "WUYE_PAYLOAD_KEYS_FILE": "/run/keys"}, "set one, not both"},
		{Environment{"WUYE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "WUYE_TRUSTED_PROXIES"},
		{Environment{"WUYE_ATTACHMENTS_S3_BUCKET": "photos"}, "WUYE_ATTACHMENTS_S3_ACCESS_KEY_ID"},
		{Environment{"WUYE_ATTACHMENTS_S3_ACCESS_KEY_ID": "k", "WUYE_ATTACHMENTS_S3_SECRET_ACCESS_KEY": "too-short-to-sign"}, "WUYE_ATTACHMENTS_S3_BUCKET"},
		{Environment{"WUYE_ATTACHMENTS_S3_BUCKET": "photos", "WUYE_ATTACHMENTS_S3_ENDPOINT": "minio:9000"}, "WUYE_ATTACHMENTS_S3_ENDPOINT"},
		{Environment{"WUYE_ATTACHMENTS_MAX_MB": "0"}, "WUYE_ATTACHMENTS_MAX_MB"},
		{Environment{"WUYE_ATTACHMENTS_PER_HOUR": "0"}, "WUYE_ATTACHMENTS_PER_HOUR"},
		{Environment{"WUYE_ATTACHMENTS_RESIDENT_PER_HOUR": "2"}, "WUYE_ATTACHMENTS_RESIDENT_PER_HOUR"},
	}
	for _, tt := range tests {
		_, err := Load(tt.give)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v): got %v, want an error naming %s", tt.give, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "too-short-to-sign") {
			t.Errorf("Load(%v): got %v, which shows the secret, want it kept out", tt.give, err)
		}
	}
}

func TestLoadAttachmentsS3(t *testing.T) {
	c, err := Load(Environment{})
	if _, ok := c.AttachmentsS3(); err != nil || ok || c.AttachmentsDir() != "data/attachments" {
		t.Errorf("default: got S3 %v, dir %q, %v, want data/attachments", ok, c.AttachmentsDir(), err)
	}
	c, err = Load(Environment{"WUYE_ATTACHMENTS_S3_ENDPOINT": "http://minio:9000", "WUYE_ATTACHMENTS_S3_BUCKET": "photos",
		"WUYE_ATTACHMENTS_S3_ACCESS_KEY_ID": "wuye", "WUYE_ATTACHMENTS_S3_SECRET_ACCESS_KEY": "secret-key", "WUYE_ATTACHMENTS_S3_PATH_STYLE": "true"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got, ok := c.AttachmentsS3()
	if !ok || got.Bucket != "photos" || got.Region != "us-east-1" || !got.PathStyle || got.SecretAccessKey != "secret-key" {
		t.Errorf("got %+v, %v, want the bucket photos on minio, path style, region us-east-1", got, ok)
	}
}

func TestLoadListsEveryProblem(t *testing.T) {
	_, err := Load(Environment{"WUYE_LOG_LEVEL": "loud", "WUYE_DB_DRIVER": "oracle"})
	if err == nil {
		t.Fatal("got nil, want an error")
	}
	for _, want := range []string{"WUYE_LOG_LEVEL", "WUYE_DB_DRIVER"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %s", err, want)
		}
	}
}

// TestPublicURLAndTemporalUIURL: the embedded default keeps its local
// address, a cluster deployment states where residents reach it, and the
// Temporal Web UI's address is taken as given (without a trailing slash, as
// the console appends paths to it).
func TestPublicURLAndTemporalUIURL(t *testing.T) {
	cluster := Environment{"TEMPORAL_ADDRESS": "temporal:7233", "WUYE_LINK_SECRET": strings.Repeat("k", 32),
		"WUYE_PAYLOAD_KEYS": "k1:" + strings.Repeat("A", 43) + "="}
	tests := []struct {
		name     string
		give     Environment
		wantURL  string
		wantUI   string
		embedded bool
	}{
		{"embedded default", Environment{}, DefaultPublicURL, "", true},
		{"embedded, set", Environment{"WUYE_PUBLIC_URL": "https://wuye.example.com", "WUYE_TEMPORAL_UI_URL": "http://127.0.0.1:8233/"},
			"https://wuye.example.com", "http://127.0.0.1:8233", true},
		{"cluster", with(cluster, "WUYE_PUBLIC_URL", "https://wuye.example.com"), "https://wuye.example.com", "", false},
		{"cluster with a UI", with(with(cluster, "WUYE_PUBLIC_URL", "https://wuye.example.com"), "WUYE_TEMPORAL_UI_URL", "https://temporal.example.com/ui"),
			"https://wuye.example.com", "https://temporal.example.com/ui", false},
	}
	for _, tt := range tests {
		c, err := Load(tt.give)
		if err != nil {
			t.Errorf("%s: Load: %v", tt.name, err)
			continue
		}
		if c.PublicURL != tt.wantURL || c.TemporalUIURL != tt.wantUI || c.EmbeddedTemporal() != tt.embedded {
			t.Errorf("%s: got %q %q embedded=%v, want %q %q embedded=%v", tt.name, c.PublicURL, c.TemporalUIURL, c.EmbeddedTemporal(), tt.wantURL, tt.wantUI, tt.embedded)
		}
	}
	if _, err := Load(cluster); err == nil || !strings.Contains(err.Error(), "WUYE_PUBLIC_URL") {
		t.Errorf("cluster without WUYE_PUBLIC_URL: got %v, want it required", err)
	}
}

// with is e plus name=value, e unchanged.
func with(e Environment, name, value string) Environment {
	out := Environment{name: value}
	for k, v := range e {
		if k != name {
			out[k] = v
		}
	}
	return out
}

func TestTracingOn(t *testing.T) {
	tests := []struct {
		give Environment
		want bool
	}{
		{give: Environment{}, want: false},
		{give: Environment{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, want: true},
		{give: Environment{"WUYE_TRACING": "otlp"}, want: true},
		{give: Environment{"WUYE_TRACING": "off", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, want: false},
	}
	for _, tt := range tests {
		c, err := Load(tt.give)
		if err != nil {
			t.Fatalf("Load(%v): %v", tt.give, err)
		}
		if got := c.TracingOn(); got != tt.want {
			t.Errorf("TracingOn() with %v: got %v, want %v", tt.give, got, tt.want)
		}
	}
	if _, err := Load(Environment{"WUYE_TRACING": "jaeger"}); err == nil {
		t.Errorf("Load(WUYE_TRACING=jaeger): got no error, want one")
	}
}

func TestMemoryLimit(t *testing.T) {
	tests := []struct {
		give Environment
		want int64
	}{
		{Environment{}, 768 << 20},
		{Environment{"WUYE_MEMORY_LIMIT": "2GiB"}, 2 << 30},
		{Environment{"WUYE_MEMORY_LIMIT": "off"}, 0},
		// The operator's GOMEMLIMIT is the Go runtime's own, and wins.
		{Environment{"GOMEMLIMIT": "3GiB"}, 0},
		{Environment{"GOMEMLIMIT": "3GiB", "WUYE_MEMORY_LIMIT": "1GiB"}, 0},
	}
	for _, tt := range tests {
		c, err := Load(tt.give)
		if err != nil || c.MemoryLimit != tt.want {
			t.Errorf("Load(%v): got memory limit %d, %v, want %d", tt.give, c.MemoryLimit, err, tt.want)
		}
	}
}

func TestParseMemoryLimit(t *testing.T) {
	good := map[string]int64{
		"768MiB": 768 << 20, "1GiB": 1 << 30, " 1 GiB ": 1 << 30, "1TiB": 1 << 40,
		"65536KiB": 64 << 20, "134217728": 128 << 20, "134217728B": 128 << 20, "off": 0, "0": 0,
	}
	for give, want := range good {
		if got, err := ParseMemoryLimit(give); err != nil || got != want {
			t.Errorf("ParseMemoryLimit(%q): got %d, %v, want %d", give, got, err, want)
		}
	}
	for _, give := range []string{"", "1GB", "1.5GiB", "-1GiB", "63MiB", "lots", "9999999999TiB", "MiB"} {
		if got, err := ParseMemoryLimit(give); err == nil {
			t.Errorf("ParseMemoryLimit(%q): got %d, want an error", give, got)
		}
	}
}
