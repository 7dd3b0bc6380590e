package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/server/temporaltest"

	"github.com/wuye/wuye/bench/svc"
)

// testLinkSecret is a WUYE_LINK_SECRET for the modes that need one.
const testLinkSecret = "start-test-link-secret-of-at-least-32-bytes"

// testPayloadKeys is a WUYE_PAYLOAD_KEYS for the modes that need one.
const testPayloadKeys = "start-test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// startRun is the outcome of run for a start that must fail.
type startRun struct {
	code    int
	stderr  string
	elapsed time.Duration
}

// runStart runs the command with env on top of a quiet embedded default
// (its own data directory, free ports) and returns what it printed. A
// start that wrongly succeeds is stopped by the deadline and exits 0; a
// panic is reported as exit status -1 with its value in stderr.
func runStart(t *testing.T, env map[string]string, args ...string) (r startRun) {
	t.Helper()
	base := map[string]string{
		"WUYE_DATA_DIR": t.TempDir(), "WUYE_HTTP_ADDR": "127.0.0.1:0", "WUYE_ADMIN_PASSWORD": "start-test-password",
		"WUYE_TEMPORAL_UI_PORT": "0", "WUYE_LOG_LEVEL": "warn", "WUYE_DB_DRIVER": "sqlite", "WUYE_DB_DSN": "",
		"TEMPORAL_ADDRESS": "", "TEMPORAL_NAMESPACE": "wuye", "WUYE_LINK_SECRET": "",
		"WUYE_PAYLOAD_KEYS": testPayloadKeys, "WUYE_PUBLIC_URL": "http://127.0.0.1:8080",
	}
	for k, v := range env {
		base[k] = v
	}
	for k, v := range base {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	began := time.Now()
	defer func() {
		if v := recover(); v != nil {
			r = startRun{code: -1, stderr: stderr.String() + fmt.Sprintf("\npanic: %v", v), elapsed: time.Since(began)}
		}
	}()
	code := run(ctx, args, &bytes.Buffer{}, &stderr)
	return startRun{code: code, stderr: stderr.String(), elapsed: time.Since(began)}
}

// check wants exit status 1, no panic, and exactly one line from the
// command itself ("wuye: start: ..."), containing every one of want.
func (r startRun) check(t *testing.T, want ...string) {
	t.Helper()
	t.Logf("exit status %d after %v, stderr:\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stderr)
	if r.code != 1 {
		t.Errorf("exit status: got %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("stderr: got a panic, want a clear error:\n%s", r.stderr)
	}
	var lines []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "wuye:") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("error lines: got %d %q, want one \"wuye: start: ...\" line; stderr:\n%s", len(lines), lines, r.stderr)
	}
	if !strings.HasPrefix(lines[0], "wuye: start: ") {
		t.Errorf("error line: got %q, want it to begin with \"wuye: start: \"", lines[0])
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("error line: got %q, want it to contain %q", lines[0], w)
		}
	}
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestStartFailsOnATakenHTTPPort starts the whole embedded default with its
// HTTP port taken: the last step fails after the engine, the database and
// the worker have started, and each of them must be stopped again.
func TestStartFailsOnATakenHTTPPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	frontend, err := svc.FreePortBlock(4)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := runStart(t, map[string]string{"WUYE_DATA_DIR": dir, "WUYE_HTTP_ADDR": taken.Addr().String(),
		"WUYE_TEMPORAL_PORT": strconv.Itoa(frontend)})
	r.check(t, "start: listen on "+taken.Addr().String()+": ", "address already in use")
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err != nil {
		t.Errorf("embedded store: got %v, want the engine to have started before the listen failed", err)
	}
	// The embedded server was stopped: its ports are free again.
	for p := frontend; p < frontend+4; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d after the failed start: got %v, want it free (the embedded server stopped)", p, err)
			continue
		}
		l.Close()
	}
}

// TestStartFailsWithoutMySQL points the service at a MySQL port where
// nothing listens.
func TestStartFailsWithoutMySQL(t *testing.T) {
	addr := closedPort(t)
	r := runStart(t, map[string]string{"WUYE_DB_DRIVER": "mysql", "WUYE_DB_DSN": "root:@tcp(" + addr + ")/wuye"})
	r.check(t, "start: database: ", addr, "connection refused")
}

// TestStartFailsWithoutTemporal points the api and worker modes at a
// Temporal address where nothing listens: they fail at once.
func TestStartFailsWithoutTemporal(t *testing.T) {
	for _, mode := range []string{"api", "worker"} {
		t.Run(mode, func(t *testing.T) {
			addr := closedPort(t)
			r := runStart(t, map[string]string{"TEMPORAL_ADDRESS": addr, "WUYE_LINK_SECRET": testLinkSecret}, mode)
			r.check(t, "start: connect to Temporal at "+addr+": ", "connection refused")
			if r.elapsed > 30*time.Second {
				t.Errorf("time to fail: got %v, want under 30s", r.elapsed)
			}
		})
	}
}

// TestStartChecksTheNamespace points the api and worker modes at a real
// Temporal server: at a namespace it does not have, then at one where a
// search attribute has the wrong type. Both must refuse to start: before,
// the api mode started and answered ready, and every workflow task that set
// the attribute failed later (BAD_SEARCH_ATTRIBUTES).
func TestStartChecksTheNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	addr := ts.GetFrontendHostPort()
	for _, mode := range []string{"api", "worker"} {
		t.Run(mode+" missing namespace", func(t *testing.T) {
			r := runStart(t, map[string]string{"TEMPORAL_ADDRESS": addr, "TEMPORAL_NAMESPACE": "wuye-missing",
				"WUYE_LINK_SECRET": testLinkSecret}, mode)
			r.check(t, "start: check Temporal at "+addr+": ", `namespace "wuye-missing" does not exist`)
		})
	}

	ns := ts.GetDefaultNamespace()
	_, err := ts.GetDefaultClient().OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ns, SearchAttributes: map[string]enums.IndexedValueType{"WuyeEscalationLevel": enums.INDEXED_VALUE_TYPE_KEYWORD}})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"api", "worker"} {
		t.Run(mode+" wrong search attribute", func(t *testing.T) {
			r := runStart(t, map[string]string{"TEMPORAL_ADDRESS": addr, "TEMPORAL_NAMESPACE": ns,
				"WUYE_LINK_SECRET": testLinkSecret}, mode)
			r.check(t, "start: check Temporal at "+addr+": ", "WuyeEscalationLevel is Keyword, want Int")
			cmd := "\n  temporal operator search-attribute create --namespace " + ns + " --name WuyeEscalationLevel --type Int"
			if !strings.Contains(r.stderr, cmd) {
				t.Errorf("stderr: got %q, want the command %q", r.stderr, cmd)
			}
			// The missing ones were registered on the way.
			if strings.Contains(r.stderr, "--name WuyeStage") {
				t.Errorf("stderr: got %q, want no command for WuyeStage (registered at start)", r.stderr)
			}
		})
	}
}
