package faults

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// gateway is a webhook gateway that fails until recover, then answers
// slowly, and counts requests and deliveries per message key.
type gateway struct {
	mu        sync.Mutex
	recoverAt time.Time
	slow      time.Duration
	requests  map[string]int
	delivered map[string]int
	times     map[string][]time.Time
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p notify.WebhookPayload
	_ = json.Unmarshal(body, &p)
	key := r.Header.Get(notify.HeaderIdempotencyKey)
	g.mu.Lock()
	g.requests[key]++
	g.times[key] = append(g.times[key], time.Now())
	down := time.Now().Before(g.recoverAt)
	g.mu.Unlock()
	if key == "" || p.Key != key {
		http.Error(w, "no key", http.StatusBadRequest)
		return
	}
	if down {
		http.Error(w, "gateway down", http.StatusServiceUnavailable)
		return
	}
	time.Sleep(g.slow)
	g.mu.Lock()
	g.delivered[key]++
	g.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (g *gateway) snapshot() (requests, delivered map[string]int, times map[string][]time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	requests, delivered, times = map[string]int{}, map[string]int{}, map[string][]time.Time{}
	for k, v := range g.requests {
		requests[k] = v
	}
	for k, v := range g.delivered {
		delivered[k] = v
	}
	for k, v := range g.times {
		times[k] = append([]time.Time(nil), v...)
	}
	return
}

// TestGatewayDownThenSlow sends notifications through a webhook gateway
// that fails for a while and then answers slowly: every message is retried
// with growing pauses, delivered exactly once when the gateway is back, and
// its log shows each attempt.
func TestGatewayDownThenSlow(t *testing.T) {
	g := &gateway{recoverAt: time.Now().Add(time.Hour), slow: 500 * time.Millisecond,
		requests: map[string]int{}, delivered: map[string]int{}, times: map[string][]time.Time{}}
	gw := httptest.NewServer(g)
	t.Cleanup(gw.Close)

	dir := t.TempDir()
	dumpLogOnFailure(t, dir)
	s := start(t, dir, map[string]string{
		"WUYE_NOTIFY_CHANNEL": "webhook", "WUYE_NOTIFY_WEBHOOK_URL": gw.URL + "/send",
		"WUYE_NOTIFY_WEBHOOK_SECRET": "fault-test-secret-0123456789",
	})
	e := setup(t, s, "GW", 2*time.Second)
	desk := e.Clients[models.RoleCustomerService]
	var tk struct {
		ID uint64 `json:"id"`
	}
	if err := desk.Call(context.Background(), http.MethodPost, "/api/v1/tickets", svc.CriticalRepair(e.ID), http.StatusCreated, &tk); err != nil {
		t.Fatal(err)
	}
	// The deadlines pass and the escalation messages start failing.
	waitFor(t, time.Minute, "failed attempts", func() bool {
		req, _, _ := g.snapshot()
		for _, n := range req {
			if n >= 3 {
				return true
			}
		}
		return false
	})
	g.mu.Lock()
	g.recoverAt = time.Now()
	g.mu.Unlock()

	// The process sends an escalation's messages one after another, so new
	// messages keep appearing for a while after the gateway is back: wait
	// until every message is sent and none has appeared for 3 seconds.
	allSent := func(v ticketView) bool {
		for _, m := range v.Messages {
			if m.Status != string(models.MessageSent) {
				return false
			}
		}
		return len(v.Messages) > 0
	}
	var v ticketView
	waitFor(t, 2*time.Minute, "every message sent, and no new one for 3 s", func() bool {
		before := getTicket(t, desk, tk.ID)
		if !allSent(before) {
			return false
		}
		time.Sleep(3 * time.Second) // also: a second delivery would show up now
		v = getTicket(t, desk, tk.ID)
		return allSent(v) && len(v.Messages) == len(before.Messages)
	})
	requests, delivered, times := g.snapshot()
	db := readDB(t, s.SQLitePath())
	for _, m := range v.Messages {
		if delivered[m.Key] != 1 {
			t.Errorf("message %s: delivered %d times, want exactly once", m.Key, delivered[m.Key])
		}
		if m.Attempts != requests[m.Key] {
			t.Errorf("message %s: got %d attempts in the record, the gateway saw %d requests", m.Key, m.Attempts, requests[m.Key])
		}
		var failed, ok int
		rows, err := db.Query(`SELECT a.ok FROM message_attempts a JOIN messages m ON m.id = a.message_id WHERE m.message_key = ? ORDER BY a.attempt`, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var good bool
			if err := rows.Scan(&good); err != nil {
				t.Fatal(err)
			}
			if good {
				ok++
			} else {
				failed++
			}
		}
		rows.Close()
		if ok != 1 || failed+ok != requests[m.Key] {
			t.Errorf("message %s attempts: got %d failed and %d ok, want %d failed then 1 ok", m.Key, failed, ok, requests[m.Key]-1)
		}
		// Backoff: the pauses between attempts grow.
		ts := times[m.Key]
		if len(ts) >= 4 {
			first, last := ts[1].Sub(ts[0]), ts[len(ts)-1].Sub(ts[len(ts)-2])
			if last <= first {
				t.Errorf("message %s: pauses between attempts got %v then %v, want growing (backoff)", m.Key, first, last)
			}
		}
	}
	var retried int
	for _, m := range v.Messages {
		if requests[m.Key] > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Errorf("messages: got none retried, want the escalations retried while the gateway was down: %+v", v.Messages)
	}
}
