package api

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/worker"
)

// temporalMetrics are the Temporal names deploy/prometheus/alerts.yml and
// deploy/grafana/wuye.json may use besides the service's own. Read from the
// sources of the versions in go.mod; check them again when those change.
var temporalMetrics = []string{
	// Server, go.temporal.io/server common/metrics/metric_defs.go (v1.32.1;
	// the same names in the 1.29 image of docker-compose.yml), as its
	// default Prometheus reporter writes them: counters without _total.
	"approximate_backlog_count",       // matching, gauge: tasks waiting per task queue
	"approximate_backlog_age_seconds", // matching, gauge: age of the oldest waiting task
	"no_poller_tasks",                 // matching, counter: tasks added with no recent poller
	"service_requests",                // every service, counter, by operation (RPC name)
	"persistence_requests",            // counter: requests to the server's database
	"persistence_errors",              // counter: those that failed
	// Go SDK, go.temporal.io/sdk internal/common/metrics/constants.go
	// (v1.50.0), emitted only by a worker with an SDK metrics handler.
	"temporal_workflow_task_execution_failed",
	"temporal_workflow_task_schedule_to_start_latency", // timer: a histogram
	"temporal_activity_schedule_to_start_latency",      // timer: a histogram
	// Prometheus's own series for every scrape target.
	"up",
}

// serviceMetrics is every metric name the service's /metrics registers,
// collected from the collectors' descriptions (families with no series yet
// included).
func serviceMetrics(t *testing.T, s *store.Store) []string {
	t.Helper()
	// The worker's failed-task counter, which app hands in.
	srv := New(Options{Store: s, Collectors: []prometheus.Collector{worker.NewTaskFailures()}})
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	var names []string
	for _, c := range srv.metricsCollectors() {
		ch := make(chan *prometheus.Desc, 256)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				names = append(names, m[1])
			}
		}
	}
	return names
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promWords    = []string{"and", "or", "unless", "bool", "offset", "inf", "nan"}
)

// metricNames is the metric names a PromQL expression selects: identifiers
// that are not label names (inside {...} or by/without(...)), functions or
// aggregations (followed by "("), keywords, or parts of numbers and
// durations. Enough for the expressions of deploy/, not a PromQL parser.
func metricNames(expr string) []string {
	e := promString.ReplaceAllString(expr, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRanges.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(e, -1) {
		name := e[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsAny(e[loc[0]-1:loc[0]], "0123456789.") {
			continue // 1e3, 5m after offset
		}
		if rest := strings.TrimLeft(e[loc[1]:], " \t\n"); strings.HasPrefix(rest, "(") {
			continue // a function or an aggregation
		}
		if slices.Contains(promWords, strings.ToLower(name)) {
			continue
		}
		out = append(out, name)
	}
	return out
}

func TestMetricNamesOfAnExpression(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{`up{job="wuye-api"} == 0`, []string{"up"}},
		{`max(delta(wuye_tickets_breached[30m])) > 0`, []string{"wuye_tickets_breached"}},
		{`sum by (instance) (increase(wuye_db_errors_total[10m])) > 5`, []string{"wuye_db_errors_total"}},
		{`a / on (x) group_left (y) b offset 1h and bool c{le="0.5"}`, []string{"a", "b", "c"}},
		{"histogram_quantile(0.99, sum by (le, task_queue) (\n rate(x_bucket{namespace=\"wuye\"}[5m]))) > 1e3", []string{"x_bucket"}},
	}
	for _, tt := range tests {
		if got := metricNames(tt.give); !slices.Equal(got, tt.want) {
			t.Errorf("metricNames(%q): got %q, want %q", tt.give, got, tt.want)
		}
	}
}

// knownMetric: a registered name, or a histogram's series of one.
func knownMetric(known []string, name string) bool {
	if slices.Contains(known, name) {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(known, base) {
			return true
		}
	}
	return false
}

// TestAlertRulesUseKnownMetrics: every alert in deploy/prometheus/alerts.yml
// is complete and selects only metrics the service registers or Temporal's
// listed above, so a renamed metric cannot leave an alert that never fires.
func TestAlertRulesUseKnownMetrics(t *testing.T) {
	known := append(serviceMetrics(t, storetest.SQLite(t, storetest.Options{})), temporalMetrics...)
	raw, err := os.ReadFile("../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatalf("parse alerts.yml: %v", err)
	}
	seen := map[string]bool{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || seen[r.Alert] {
				t.Errorf("group %s: rule %q: want a unique alert name", g.Name, r.Alert)
			}
			seen[r.Alert] = true
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: want a severity label and a summary", r.Alert)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			names := metricNames(r.Expr)
			if len(names) == 0 {
				t.Errorf("alert %s: expr %q selects no metric", r.Alert, r.Expr)
			}
			for _, n := range names {
				if !knownMetric(known, n) {
					t.Errorf("alert %s: %s is neither registered by the service nor a known Temporal metric", r.Alert, n)
				}
			}
		}
	}
	for _, want := range []string{"WuyeSLABreachesRising", "WuyeEscalationsFiring", "WuyeMessagesFailing", "WuyeDatabaseErrors", "WuyeWorkflowTaskFailures",
		"TemporalTaskQueueBacklog", "TemporalScheduleToStartSlow", "TemporalWorkflowTaskFailures", "TemporalSDKWorkflowTaskExecutionFailed"} {
		if !seen[want] {
			t.Errorf("alerts.yml: no %s", want)
		}
	}
}

// TestDashboardUsesKnownMetrics: deploy/grafana/wuye.json parses, each
// panel queries something, and every query uses the same names as the alerts.
func TestDashboardUsesKnownMetrics(t *testing.T) {
	known := append(serviceMetrics(t, storetest.SQLite(t, storetest.Options{})), temporalMetrics...)
	raw, err := os.ReadFile("../deploy/grafana/wuye.json")
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
		Panels []json.RawMessage `json:"panels"`
	}
	var dash struct {
		UID    string  `json:"uid"`
		Title  string  `json:"title"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("parse wuye.json: %v", err)
	}
	if dash.UID == "" || dash.Title == "" {
		t.Errorf("dashboard: got uid %q title %q, want both", dash.UID, dash.Title)
	}
	queries := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			if len(p.Panels) > 0 {
				t.Errorf("row %q: collapsed panels are not checked, want them at the top level", p.Title)
			}
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: no query", p.Title)
		}
		for _, q := range p.Targets {
			queries++
			for _, n := range metricNames(q.Expr) {
				if !knownMetric(known, n) {
					t.Errorf("panel %q: %s is neither registered by the service nor a known Temporal metric", p.Title, n)
				}
			}
		}
	}
	if queries < 10 {
		t.Errorf("dashboard: got %d queries, want the alerts' metrics charted", queries)
	}
}
