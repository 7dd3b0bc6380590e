package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wuye/wuye/config"
)

const e2ePassword = "e2e-admin-password"

// testConfig is the embedded default on a temp directory with free ports.
func testConfig(t *testing.T, dataDir string) config.Config {
	t.Helper()
	cfg, err := config.Load(config.Environment{
		"WUYE_DATA_DIR": dataDir, "WUYE_HTTP_ADDR": "127.0.0.1:0", "WUYE_ADMIN_PASSWORD": e2ePassword,
		"WUYE_TEMPORAL_UI_PORT": "0", "WUYE_LOG_LEVEL": "warn",
		// The replay test opens the histories these tests record with it.
		"WUYE_PAYLOAD_KEYS_FILE": filepath.Join("..", "workflows", "testdata", "payload_keys"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedTemporalPort = 0 // free ports: tests run side by side
	return cfg
}

// startApp starts the whole service in this process and stops it at the end.
func startApp(t *testing.T, cfg config.Config) *App {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Start(context.Background(), cfg, Options{Out: io.Discard, Log: log})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { a.Stop(context.Background()) })
	return a
}

// startDemo starts the whole service with the demo estate and its accounts
// (password DemoPassword) and stops it at the end.
func startDemo(t *testing.T) *App {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Start(context.Background(), testConfig(t, t.TempDir()), Options{Out: io.Discard, Log: log, Demo: true})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { a.Stop(context.Background()) })
	return a
}

// client talks JSON to a running App.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *apiClient) call(method, path string, body, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

func (c *apiClient) mustCall(method, path string, body, out any, want int) {
	c.t.Helper()
	var raw json.RawMessage
	got := c.call(method, path, body, &raw)
	if got != want {
		c.t.Fatalf("%s %s: got %d %s, want %d", method, path, got, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatal(err)
		}
	}
}

func signIn(t *testing.T, a *App, username, password string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: "http://" + a.Addr()}
	var s struct {
		Token string `json:"token"`
	}
	c.mustCall(http.MethodPost, "/api/v1/sessions", map[string]string{"username": username, "password": password}, &s, http.StatusCreated)
	c.token = s.Token
	return c
}

// firstSignIn is a new account's first sign-in: it replaces the one-time
// password its manager gave it with its own, then signs in with that.
func firstSignIn(t *testing.T, a *App, username, oneTime, own string) *apiClient {
	t.Helper()
	c := signIn(t, a, username, oneTime)
	c.mustCall(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": oneTime, "new_password": own}, nil, http.StatusNoContent)
	return signIn(t, a, username, own)
}

type idOnly struct {
	ID uint64 `json:"id"`
}

// TestServiceKeepsRecordsAcrossRestart is the newcomer's path: start, sign in
// as the first administrator, create an estate and a household, stop the whole
// process, start it again on the same data directory and find them again.
func TestServiceKeepsRecordsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	a := startApp(t, cfg)

	var ready map[string]string
	c := &apiClient{t: t, base: "http://" + a.Addr()}
	c.mustCall(http.MethodGet, "/readyz", nil, &ready, http.StatusOK)
	if ready["database"] != "ok" || ready["temporal"] != "ok" {
		t.Errorf("readyz: got %v, want database and temporal ok", ready)
	}

	admin := signIn(t, a, "admin", e2ePassword)
	var estate, building, unit, household idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "E2E", "name": "测试小区"}, &estate, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estate.ID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)

	a.Stop(context.Background())
	b := startApp(t, cfg)
	// The session survives too: it lives in the database, not in the process.
	admin.base = "http://" + b.Addr()
	var got struct {
		ID       uint64 `json:"id"`
		Building string `json:"building"`
	}
	admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", household.ID), nil, &got, http.StatusOK)
	if got.ID != household.ID || got.Building != "1栋" {
		t.Errorf("after restart: got household %+v, want %d in 1栋", got, household.ID)
	}
	// The first administrator is created once, not on every start.
	var staff struct {
		Total int `json:"total"`
	}
	admin.mustCall(http.MethodGet, "/api/v1/staff?role=company_admin", nil, &staff, http.StatusOK)
	if staff.Total != 1 {
		t.Errorf("company administrators after restart: got %d, want 1", staff.Total)
	}
}

// TestReadyzReportsTheDatabase turns the database off under a running
// service: /readyz answers 503 naming the database, /healthz still 200.
func TestReadyzReportsTheDatabase(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	c := &apiClient{t: t, base: "http://" + a.Addr()}
	sqlDB, err := a.Store.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}
	var ready map[string]string
	c.mustCall(http.MethodGet, "/readyz", nil, &ready, http.StatusServiceUnavailable)
	if ready["database"] != "unavailable" || ready["temporal"] != "ok" {
		t.Errorf("readyz without a database: got %v, want database unavailable, temporal ok", ready)
	}
	c.mustCall(http.MethodGet, "/healthz", nil, nil, http.StatusOK)
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	status := c.call(http.MethodPost, "/api/v1/sessions", map[string]string{"username": "admin", "password": e2ePassword}, &body)
	if status != http.StatusServiceUnavailable || body.Error.Code != "unavailable" {
		t.Errorf("sign-in without a database: got %d %s, want 503 unavailable", status, body.Error.Code)
	}
	if strings.Contains(body.Error.Message, "sql") || strings.Contains(body.Error.Message, "closed") {
		t.Errorf("sign-in without a database: got message %q, want no internal detail", body.Error.Message)
	}
}

type created struct {
	status int
	id     uint64
}

// get fetches path with c's token and returns the status and the body as
// it came (a photo, the metrics), not decoded.
func (c *apiClient) get(path string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// callWithKey sends a request with an Idempotency-Key header.
func (c *apiClient) callWithKey(method, path, key string, body any) created {
	c.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out idOnly
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return created{status: resp.StatusCode, id: out.ID}
}

// TestStartTellsWhereToGo: the first start prints the console, the API, the
// embedded Temporal server and the first administrator's one-time password,
// and that password must be changed before anything else.
func TestStartTellsWhereToGo(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.AdminPassword = ""
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := Start(context.Background(), cfg, Options{Out: &out, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Stop(context.Background()) })
	text := out.String()
	for _, want := range []string{"http://" + a.Addr() + "/console/", "http://" + a.Addr() + "/api/v1", "Temporal:", `username "admin", one-time password "`} {
		if !strings.Contains(text, want) {
			t.Errorf("start-up output: got %q, want it to contain %q", text, want)
		}
	}
	_, rest, _ := strings.Cut(text, `one-time password "`)
	password, _, _ := strings.Cut(rest, `"`)
	admin := signIn(t, a, "admin", password)
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	if got := admin.call(http.MethodGet, "/api/v1/estates", nil, &body); got != http.StatusForbidden || body.Error.Code != "password_change_required" {
		t.Errorf("estates with the one-time password: got %d %q, want 403 password_change_required", got, body.Error.Code)
	}
}
