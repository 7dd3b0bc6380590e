package faults

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to read the service's database

	"github.com/wuye/wuye/bench/svc"
)

// binary is the wuye binary built once for the run.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wuye-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	mod, err := svc.ModuleDir(".")
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		binary, err = svc.Build(ctx, mod, dir)
		cancel()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// start runs the service on dir and kills it when the test ends.
func start(t *testing.T, dir string, env map[string]string) *svc.Service {
	t.Helper()
	s, err := svc.Start(context.Background(), svc.Options{Binary: binary, DataDir: dir, Env: env})
	if err != nil {
		t.Fatalf("start wuye: %v", err)
	}
	t.Cleanup(func() { _ = s.Kill() })
	return s
}

// restart starts the service again on the same data directory.
func restart(t *testing.T, s *svc.Service) *svc.Service {
	t.Helper()
	n, err := s.Restart(context.Background())
	if err != nil {
		t.Fatalf("restart wuye: %v", err)
	}
	t.Cleanup(func() { _ = n.Kill() })
	return n
}

// dumpLogOnFailure shows the service's log when the test fails.
func dumpLogOnFailure(t *testing.T, dir string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		raw, _ := os.ReadFile(filepath.Join(dir, "wuye.log"))
		if len(raw) > 20000 {
			raw = raw[len(raw)-20000:]
		}
		t.Logf("service log (tail):\n%s", raw)
	})
}

// readDB opens the service's SQLite database read-only.
func readDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// escalation is one deadline's breach on a ticket's escalation ladder in
// case_events: the "escalation" that climbed a level, or, under the one
// ladder per ticket, the "breach" of a later deadline at the level already
// reached (recorded, nobody told again). Each deadline has one of either.
type escalation struct {
	ticketID  uint64
	at        time.Time
	milestone string
	level     string
	due       time.Time
}

func escalations(t *testing.T, db *sql.DB) []escalation {
	t.Helper()
	rows, err := db.Query(`SELECT case_id, at, detail FROM case_events WHERE kind = 'ticket' AND type IN ('escalation', 'breach')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []escalation
	for rows.Next() {
		var (
			e      escalation
			at     any
			detail string
		)
		if err := rows.Scan(&e.ticketID, &at, &detail); err != nil {
			t.Fatal(err)
		}
		e.at = sqliteTime(t, at)
		var d map[string]string
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			t.Fatal(err)
		}
		e.milestone, e.level = d["milestone"], d["level"]
		e.due, _ = time.Parse(time.RFC3339, d["due"])
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sqliteTime reads a time column as stored by the app (_time_format=sqlite).
func sqliteTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if tm, err := time.Parse(layout, x); err == nil {
				return tm
			}
		}
	}
	t.Fatalf("time column: got %T %v, want a time", v, v)
	return time.Time{}
}

// count runs a COUNT query.
func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// noDuplicates fails when a query grouping by a key finds a key twice.
func noDuplicates(t *testing.T, db *sql.DB, what, q string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s %q: got %d, want 1", what, key, n)
	}
}

// ticketView is what the fault tests read of GET /tickets/{id}.
type ticketView struct {
	Ticket struct {
		ID     uint64 `json:"id"`
		Status string `json:"status"`
	} `json:"ticket"`
	Process      *json.RawMessage `json:"process"`
	ProcessError string           `json:"process_error"`
	Messages     []struct {
		Key      string `json:"key"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
	} `json:"messages"`
}

func getTicket(t *testing.T, c *svc.Client, id uint64) ticketView {
	t.Helper()
	var v ticketView
	if err := c.Call(context.Background(), http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, http.StatusOK, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// waitFor polls done every 250 ms until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func setup(t *testing.T, s *svc.Service, code string, window time.Duration) *svc.Estate {
	t.Helper()
	e, err := svc.SetupEstate(context.Background(), s.Base, code, svc.SecondScale(window))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// rebase points every client of e at a restarted service.
func rebase(e *svc.Estate, s *svc.Service) {
	for _, c := range e.Clients {
		c.Base = s.Base
	}
}

func isIn(s string, set ...string) bool {
	for _, x := range set {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}
