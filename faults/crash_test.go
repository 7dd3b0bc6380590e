package faults

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// TestKillDuringLoadLosesNothing kills the whole service (SIGKILL, no
// shutdown) while tickets are being created and acted on, restarts it on the
// same data directory, lets clients retry what went unanswered (same
// Idempotency-Key), and finds every ticket once, each with its live process,
// and every deadline escalated exactly once.
func TestKillDuringLoadLosesNothing(t *testing.T) {
	const (
		tickets = 40
		window  = 25 * time.Second
	)
	dir := t.TempDir()
	dumpLogOnFailure(t, dir)
	s := start(t, dir, nil)
	e := setup(t, s, "KILL", window)
	desk := e.Clients[models.RoleCustomerService]
	ctx := context.Background()

	var (
		mu       sync.Mutex
		answered = map[string]uint64{} // key → ticket id, for 2xx answers
		noteKeys = map[uint64][]string{}
		started  atomic.Int32
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < tickets; i += 4 {
				if started.Add(1) == tickets/2 {
					go func() { _ = s.Kill(); close(killed) }()
				}
				key := fmt.Sprintf("kill-load-%d", i)
				r, err := desk.Do(ctx, http.MethodPost, "/api/v1/tickets", key, svc.CriticalRepair(e.ID))
				if err != nil || (r.Status != http.StatusCreated && r.Status != http.StatusOK) {
					continue // unanswered: the client retries after the restart
				}
				var tk struct {
					ID uint64 `json:"id"`
				}
				_ = json.Unmarshal(r.Body, &tk)
				mu.Lock()
				answered[key] = tk.ID
				mu.Unlock()
				nk := fmt.Sprintf("kill-note-%d", i)
				r, err = desk.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/note", tk.ID), nk, map[string]any{"note": "已致电业主"})
				if err == nil && r.Status == http.StatusOK {
					mu.Lock()
					noteKeys[tk.ID] = append(noteKeys[tk.ID], nk)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	<-killed
	t.Logf("before the kill: %d of %d creations answered 2xx", len(answered), tickets)

	s = restart(t, s)
	rebase(e, s)
	// The clients retry every creation with its key: answered ones return
	// the same ticket, unanswered ones create it or find the row the killed
	// process wrote, and start its process if it had not started.
	ids := map[uint64]string{}
	for i := range tickets {
		key := fmt.Sprintf("kill-load-%d", i)
		r, err := desk.Do(ctx, http.MethodPost, "/api/v1/tickets", key, svc.CriticalRepair(e.ID))
		if err != nil || (r.Status != http.StatusCreated && r.Status != http.StatusOK) {
			t.Fatalf("retry %s after restart: got %v %d %s, want 200 or 201", key, err, r.Status, r.Body)
		}
		var tk struct {
			ID uint64 `json:"id"`
		}
		_ = json.Unmarshal(r.Body, &tk)
		if id, ok := answered[key]; ok && (r.Status != http.StatusOK || id != tk.ID) {
			t.Errorf("retry %s after restart: got %d #%d, want 200 #%d (answered before the kill)", key, r.Status, tk.ID, id)
		}
		ids[tk.ID] = key
	}
	if len(ids) != tickets {
		t.Errorf("distinct tickets for %d keys: got %d, want %d", tickets, len(ids), tickets)
	}
	// A process whose last task ran on the killed worker answers its first
	// query only after the engine gives up on that worker's sticky queue
	// (seconds), so the live state may take a moment to come back.
	late := 0
	for id := range ids {
		first := true
		waitFor(t, time.Minute, fmt.Sprintf("ticket %d's live state", id), func() bool {
			v := getTicket(t, desk, id)
			if v.Process == nil && first {
				late, first = late+1, false
			}
			return v.Process != nil
		})
	}
	t.Logf("after the restart: %d of %d tickets showed their live state only on a later read", late, len(ids))

	db := readDB(t, s.SQLitePath())
	if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE estate_id = ?`, e.ID); n != tickets {
		t.Errorf("tickets in the database: got %d, want %d", n, tickets)
	}
	noDuplicates(t, db, "tickets with idempotency key", `SELECT idempotency_key, COUNT(*) FROM tickets WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key HAVING COUNT(*) > 1`)

	// Every ticket escalates its contact and on-site deadlines once each,
	// those that fell due while the service was down included.
	waitFor(t, 3*time.Minute, "every deadline's escalation", func() bool {
		return len(levelOne(escalations(t, db))) >= 2*tickets
	})
	time.Sleep(2 * time.Second) // a duplicate would show up now
	seen := map[string]int{}
	for _, esc := range levelOne(escalations(t, db)) {
		seen[fmt.Sprintf("ticket %d %s", esc.ticketID, esc.milestone)]++
		if esc.at.Before(esc.due) {
			t.Errorf("ticket %d %s escalated at %v, before its deadline %v", esc.ticketID, esc.milestone, esc.at, esc.due)
		}
	}
	for id := range ids {
		for _, m := range []string{"contact", "on_site"} {
			if n := seen[fmt.Sprintf("ticket %d %s", id, m)]; n != 1 {
				t.Errorf("ticket %d %s level-1 escalations: got %d, want 1", id, m, n)
			}
		}
	}
	noDuplicates(t, db, "messages with key", `SELECT message_key, COUNT(*) FROM messages GROUP BY message_key HAVING COUNT(*) > 1`)
	noDuplicates(t, db, "events with key", `SELECT kind || '/' || event_key, COUNT(*) FROM case_events GROUP BY kind, event_key HAVING COUNT(*) > 1`)
	for id, keys := range noteKeys {
		if n := count(t, db, `SELECT COUNT(*) FROM case_events WHERE kind = 'ticket' AND case_id = ? AND type = 'note'`, id); n > len(keys) {
			t.Errorf("ticket %d notes: got %d, want at most the %d sent", id, n, len(keys))
		}
	}
}

func levelOne(all []escalation) []escalation {
	var out []escalation
	for _, e := range all {
		if e.level == "1" && !e.due.IsZero() {
			out = append(out, e)
		}
	}
	return out
}

// TestRestartWithEscalationPending stops the service with a deadline ahead,
// keeps it down past the deadline, and finds the escalation fired once,
// after the restart.
func TestRestartWithEscalationPending(t *testing.T) {
	dir := t.TempDir()
	dumpLogOnFailure(t, dir)
	s := start(t, dir, nil)
	e := setup(t, s, "PEND", 4*time.Second)
	desk := e.Clients[models.RoleCustomerService]
	var tk struct {
		ID uint64 `json:"id"`
	}
	if err := desk.Call(context.Background(), http.MethodPost, "/api/v1/tickets", svc.CriticalRepair(e.ID), http.StatusCreated, &tk); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second) // the deadline passes while nothing runs
	restarted := time.Now()
	s = restart(t, s)
	rebase(e, s)

	db := readDB(t, s.SQLitePath())
	waitFor(t, time.Minute, "the escalations", func() bool { return len(levelOne(escalations(t, db))) >= 2 })
	time.Sleep(3 * time.Second)
	got := levelOne(escalations(t, db))
	if len(got) != 2 {
		t.Fatalf("level-1 escalations: got %d %+v, want 2 (contact and on_site, once each)", len(got), got)
	}
	for _, esc := range got {
		if esc.ticketID != tk.ID || esc.at.Before(restarted) {
			t.Errorf("escalation %+v: want ticket %d, at or after the restart (%v)", esc, tk.ID, restarted)
		}
	}
	v := getTicket(t, desk, tk.ID)
	if v.Process == nil {
		t.Errorf("ticket %d after restart: got no live process (%s)", tk.ID, v.ProcessError)
	}
	noDuplicates(t, db, "messages with key", `SELECT message_key, COUNT(*) FROM messages GROUP BY message_key HAVING COUNT(*) > 1`)
}

// TestConcurrentDuplicateCreates sends the same create with the same
// Idempotency-Key from many clients at once: one ticket, one 201.
func TestConcurrentDuplicateCreates(t *testing.T) {
	const clients = 16
	dir := t.TempDir()
	dumpLogOnFailure(t, dir)
	s := start(t, dir, nil)
	e := setup(t, s, "DUP", time.Hour)
	desk := e.Clients[models.RoleCustomerService]
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		ids      = map[uint64]bool{}
		gate     = make(chan struct{})
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			r, err := desk.Do(context.Background(), http.MethodPost, "/api/v1/tickets", "dup-key-1", svc.CriticalRepair(e.ID))
			if err != nil {
				t.Error(err)
				return
			}
			var tk struct {
				ID uint64 `json:"id"`
			}
			_ = json.Unmarshal(r.Body, &tk)
			mu.Lock()
			statuses[r.Status]++
			ids[tk.ID] = true
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusOK] != clients-1 || len(ids) != 1 {
		t.Errorf("%d identical creates: got statuses %v and tickets %v, want one 201, %d 200 and one ticket", clients, statuses, ids, clients-1)
	}
	db := readDB(t, s.SQLitePath())
	// The key is stored as the caller's own (staff ID and a digest of it).
	if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE idempotency_key LIKE ?`, "%-"+keyDigest("dup-key-1")); n != 1 {
		t.Errorf("tickets with the key: got %d, want 1", n)
	}
	for id := range ids {
		if v := getTicket(t, desk, id); v.Process == nil {
			t.Errorf("ticket %d: got no live process (%s)", id, v.ProcessError)
		}
	}
}

// keyDigest is how the API stores an Idempotency-Key after its caller's ID:
// the first 20 bytes of its SHA-256, in hex.
func keyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:20])
}
