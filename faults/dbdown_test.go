package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// proxy forwards TCP connections to a backend until cut: then it drops
// every open connection and refuses new ones until restored.
type proxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	down    bool
	conns   map[net.Conn]bool
}

func newProxy(t *testing.T, backend string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, backend: backend, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		b, err := net.DialTimeout("tcp", p.backend, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[b] = true, true
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(b, c)
		go pipe(c, b)
	}
}

// cut drops every connection and refuses new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestDatabaseUnreachable runs the service on MySQL through a proxy and
// cuts it while a ticket's deadlines pass: the API answers 503
// "unavailable" without internal detail, recovers by itself once the
// database is back, and the read model ends as the process says.
func TestDatabaseUnreachable(t *testing.T) {
	dsn := storetest.MySQLDSN(t)
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, cfg.Addr)
	cfg.Addr = px.addr()
	cfg.Timeout = 2 * time.Second

	dir := t.TempDir()
	dumpLogOnFailure(t, dir)
	s := start(t, dir, map[string]string{"WUYE_DB_DRIVER": "mysql", "WUYE_DB_DSN": cfg.FormatDSN()})
	e := setup(t, s, "DBD", 3*time.Second)
	desk := e.Clients[models.RoleCustomerService]
	ctx := context.Background()
	var tk struct {
		ID uint64 `json:"id"`
	}
	if err := desk.Call(ctx, http.MethodPost, "/api/v1/tickets", svc.CriticalRepair(e.ID), http.StatusCreated, &tk); err != nil {
		t.Fatal(err)
	}

	px.cut()
	cutAt := time.Now()
	unavailable := func(method, path string, body any) bool {
		r, err := desk.Do(ctx, method, path, "", body)
		if err != nil {
			t.Fatalf("%s %s with the database cut: %v", method, path, err)
		}
		var e svc.APIError
		_ = json.Unmarshal(r.Body, &e)
		if r.Status != http.StatusServiceUnavailable {
			return false
		}
		if e.Error.Code != "unavailable" || strings.Contains(strings.ToLower(e.Error.Message), "mysql") || strings.Contains(e.Error.Message, "tcp") {
			t.Errorf("%s %s with the database cut: got %s, want code unavailable and no internal detail", method, path, r.Body)
		}
		return true
	}
	waitFor(t, 30*time.Second, "503 from the ticket list", func() bool { return unavailable(http.MethodGet, "/api/v1/tickets", nil) })
	if !unavailable(http.MethodPost, "/api/v1/tickets", svc.CriticalRepair(e.ID)) {
		t.Errorf("POST /api/v1/tickets with the database cut: want 503 unavailable")
	}
	if !unavailable(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil) {
		t.Errorf("GET /api/v1/tickets/%d with the database cut: want 503 unavailable", tk.ID)
	}
	// The deadlines pass while the database is away: the process escalates
	// and its activities keep retrying the writes.
	time.Sleep(time.Until(cutAt.Add(6 * time.Second)))
	px.restore()

	var v struct {
		Ticket struct {
			Status          string `json:"status"`
			EscalationLevel int    `json:"escalation_level"`
			Revision        int64  `json:"revision"`
		} `json:"ticket"`
		Process *struct {
			Status          string `json:"status"`
			EscalationLevel int    `json:"escalation_level"`
		} `json:"process"`
		Escalations []models.CaseEvent `json:"escalations"`
		Timeline    []models.CaseEvent `json:"timeline"`
	}
	// The contact and on-site deadlines fall due together: one climbs to
	// level 1, the other is recorded there as a breach (one ladder per
	// ticket).
	breaches := func() []models.CaseEvent {
		out := append([]models.CaseEvent(nil), v.Escalations...)
		for _, e := range v.Timeline {
			if e.Type == "breach" {
				out = append(out, e)
			}
		}
		return out
	}
	waitFor(t, time.Minute, "the API back", func() bool {
		r, err := desk.Do(ctx, http.MethodGet, "/api/v1/tickets", "", nil)
		return err == nil && r.Status == http.StatusOK
	})
	waitFor(t, 2*time.Minute, "the read model to catch up with the process", func() bool {
		r, err := desk.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", tk.ID), "", nil)
		if err != nil || r.Status != http.StatusOK || json.Unmarshal(r.Body, &v) != nil || v.Process == nil {
			return false
		}
		return len(breaches()) >= 2 && v.Ticket.EscalationLevel == v.Process.EscalationLevel && v.Ticket.Status == v.Process.Status
	})
	if len(v.Escalations) != 1 {
		t.Errorf("escalations: got %d, want 1 (the second deadline is a breach at the same level)", len(v.Escalations))
	}
	seen := map[string]int{}
	for _, esc := range breaches() {
		seen[esc.Detail["milestone"]+"/"+esc.Detail["level"]]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("escalation %s: got %d events, want 1", k, n)
		}
	}
}
