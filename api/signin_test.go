package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// testClock is a fixed clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a log destination the handlers and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// signInFrom signs in as if from addr, which the router reads from
// X-Forwarded-For when it trusts the loopback proxy ("" sends none).
func (h *harness) signInFrom(addr, username, password string) response {
	h.t.Helper()
	raw, err := json.Marshal(map[string]string{"username": username, "password": password})
	h.must(err)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/v1/sessions", bytes.NewReader(raw))
	h.must(err)
	req.Header.Set("Content-Type", "application/json")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := h.srv.Client().Do(req)
	h.must(err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	h.must(err)
	return response{status: resp.StatusCode, header: resp.Header, body: body.Bytes(), req: "POST /api/v1/sessions as " + username + " from " + addr}
}

// TestSignInThrottle: after 5 failures for one username every attempt, the
// right password included, gets 429 with Retry-After until the back-off
// (1s, 2s, 4s …) has passed, from any address; an unknown username is
// throttled alike, with the same answers; a client address is throttled on
// its own after 20 failures, whatever the usernames; a success clears the
// username's failures. Each lock is logged without the password and counted
// in /metrics.
func TestSignInThrottle(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		clock := &testClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		var logs syncBuffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		h.srv.Close()
		h.srv = httptest.NewServer(New(Options{Store: s, Log: log, Now: clock.Now, TrustedProxies: []string{"127.0.0.1"}}).Handler())
		t.Cleanup(h.srv.Close)
		const wrong = "wrong-password"
		want := func(res response, status int, retryAfter string) {
			t.Helper()
			code := map[int]string{http.StatusUnauthorized: codeUnauthorized, http.StatusTooManyRequests: codeTooManyAttempts}[status]
			if status == http.StatusCreated {
				h.wantStatus(res, status)
			} else {
				h.wantError(res, status, code, "")
			}
			if got := res.header.Get("Retry-After"); got != retryAfter {
				t.Errorf("%s: got Retry-After %q, want %q", res.req, got, retryAfter)
			}
		}
		// Five failures lock the account for 1s, whatever the address.
		for range 5 {
			want(h.signInFrom("10.0.0.1", "a-technician", wrong), http.StatusUnauthorized, "")
		}
		locked := h.signInFrom("10.0.0.1", "a-technician", testPassword)
		want(locked, http.StatusTooManyRequests, "1")
		want(h.signInFrom("10.0.0.2", "a-technician", testPassword), http.StatusTooManyRequests, "1")
		// Other accounts sign in, from that address and from another.
		want(h.signInFrom("10.0.0.1", "a-finance", testPassword), http.StatusCreated, "")
		want(h.signInFrom("10.0.0.2", "a-legal", testPassword), http.StatusCreated, "")
		// After the back-off one more failure locks it for 2s.
		clock.Add(time.Second)
		want(h.signInFrom("10.0.0.1", "a-technician", wrong), http.StatusUnauthorized, "")
		want(h.signInFrom("10.0.0.1", "a-technician", testPassword), http.StatusTooManyRequests, "2")
		clock.Add(time.Second)
		want(h.signInFrom("10.0.0.1", "a-technician", testPassword), http.StatusTooManyRequests, "1")
		clock.Add(time.Second)
		want(h.signInFrom("10.0.0.1", "a-technician", testPassword), http.StatusCreated, "")
		// The success cleared the account: four failures lock nothing.
		for range 4 {
			want(h.signInFrom("10.0.0.3", "a-technician", wrong), http.StatusUnauthorized, "")
		}
		want(h.signInFrom("10.0.0.3", "a-technician", testPassword), http.StatusCreated, "")

		// An unknown username: the same answers at the same counts.
		var unknownLocked response
		for i := range 6 {
			res := h.signInFrom("10.0.0.4", "nobody", wrong)
			if i < 5 {
				want(res, http.StatusUnauthorized, "")
			} else {
				want(res, http.StatusTooManyRequests, "1")
				unknownLocked = res
			}
		}
		if !bytes.Equal(unknownLocked.body, locked.body) {
			t.Errorf("locked answers: got %s for an unknown username, %s for a known one, want the same", unknownLocked.body, locked.body)
		}

		// An address: 20 failures over as many usernames lock it; another
		// address signs the same account in.
		for i := range 20 {
			want(h.signInFrom("10.0.0.5", "guess-"+string(rune('a'+i)), wrong), http.StatusUnauthorized, "")
		}
		want(h.signInFrom("10.0.0.5", "a-supervisor", testPassword), http.StatusTooManyRequests, "1")
		want(h.signInFrom("10.0.0.6", "a-supervisor", testPassword), http.StatusCreated, "")

		// Locks are logged, never with a password, and counted.
		text := logs.String()
		if n := strings.Count(text, "sign-in locked"); n != 4 {
			t.Errorf("log: got %d sign-in locks, want 4 (account twice, unknown account, address):\n%s", n, text)
		}
		if strings.Contains(text, wrong) || strings.Contains(text, testPassword) {
			t.Errorf("log: got a password in %s", text)
		}
		metrics := h.do(http.MethodGet, "/metrics", h.tokens[models.RoleCompanyAdmin], nil, nil)
		h.wantStatus(metrics, http.StatusOK)
		for _, line := range []string{`wuye_sign_in_lockouts_total{kind="account"} 3`, `wuye_sign_in_lockouts_total{kind="address"} 1`} {
			if !strings.Contains(string(metrics.body), line) {
				t.Errorf("/metrics: got no %q", line)
			}
		}
	})
}

// TestSignInThrottleIgnoresForwardedFor: trusting no proxy (the default), a
// client cannot spread its failures over addresses of its choosing.
func TestSignInThrottleIgnoresForwardedFor(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	for i := range 20 {
		h.wantStatus(h.signInFrom("10.1.0."+string(rune('1'+i%9)), "guess-"+string(rune('a'+i)), "wrong-password"), http.StatusUnauthorized)
	}
	h.wantError(h.signInFrom("10.2.0.1", "a-supervisor", testPassword), http.StatusTooManyRequests, codeTooManyAttempts, "")
}
