package notify_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

const secret = "0123456789abcdef-test"

// gateway is an httptest webhook receiver answering with status.
type gateway struct {
	status int
	delay  time.Duration
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.reqs, g.bodies = append(g.reqs, r), append(g.bodies, b)
	g.mu.Unlock()
	if g.delay > 0 {
		select {
		case <-time.After(g.delay):
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(g.status)
	_, _ = w.Write([]byte(`{"error":"echo of 13812345678"}`))
}

func TestWebhookChannelPosts(t *testing.T) {
	g := &gateway{status: http.StatusAccepted}
	srv := httptest.NewServer(g)
	defer srv.Close()
	ch := notify.WebhookChannel{URL: srv.URL + "/sms?token=abc", Secret: secret, Client: srv.Client()}
	out := notify.Outgoing{
		Key: "ticket-12/received", To: "13812345678", RecipientKind: models.RecipientResident,
		Template: notify.TemplateTicketReceived, Subject: "报修已受理", Body: "【阳光花园】您的报修已受理，工单号T-12。",
		Params: map[string]string{"ticket_no": "T-12"},
	}
	if err := ch.Send(context.Background(), out); err != nil {
		t.Fatalf("send: %v", err)
	}
	if len(g.reqs) != 1 {
		t.Fatalf("requests: got %d, want 1", len(g.reqs))
	}
	r, body := g.reqs[0], g.bodies[0]
	if r.Method != http.MethodPost || r.URL.Path != "/sms" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("request: got %s %s %q, want a JSON POST to /sms", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	if got, want := r.Header.Get(notify.HeaderSignature), notify.Sign(secret, body); !hmac.Equal([]byte(got), []byte(want)) || !strings.HasPrefix(got, "sha256=") {
		t.Errorf("signature: got %q, want %q", got, want)
	}
	if r.Header.Get(notify.HeaderKey) != out.Key || r.Header.Get(notify.HeaderIdempotencyKey) != out.Key {
		t.Errorf("keys: got %q and %q, want %q", r.Header.Get(notify.HeaderKey), r.Header.Get(notify.HeaderIdempotencyKey), out.Key)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	want := map[string]any{"key": out.Key, "to": "13812345678", "template": out.Template, "subject": out.Subject, "body": out.Body,
		"params": map[string]any{"ticket_no": "T-12"}}
	gotJSON, _ := json.Marshal(p)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("payload: got %s, want %s", gotJSON, wantJSON)
	}
}

func TestWebhookChannelErrors(t *testing.T) {
	tests := []struct {
		status        int
		wantErr       bool
		wantPermanent bool
	}{
		{http.StatusOK, false, false},
		{http.StatusNoContent, false, false},
		{http.StatusBadRequest, true, true},
		{http.StatusUnauthorized, true, true},
		{http.StatusUnprocessableEntity, true, true},
		{http.StatusRequestTimeout, true, false},
		{http.StatusTooManyRequests, true, false},
		{http.StatusInternalServerError, true, false},
		{http.StatusBadGateway, true, false},
		{http.StatusMovedPermanently, true, false},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(&gateway{status: tt.status})
			defer srv.Close()
			ch := notify.WebhookChannel{URL: srv.URL + "/?token=abc", Secret: secret, Client: &http.Client{
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}}
			err := ch.Send(context.Background(), notify.Outgoing{Key: "k", To: "13812345678", RecipientKind: models.RecipientResident})
			if (err != nil) != tt.wantErr || notify.IsPermanent(err) != tt.wantPermanent {
				t.Errorf("got %v, want error=%v permanent=%v", err, tt.wantErr, tt.wantPermanent)
			}
			if err != nil && (strings.Contains(err.Error(), "token=abc") || strings.Contains(err.Error(), "13812345678")) {
				t.Errorf("error %q leaks the URL's token or the gateway's answer", err)
			}
		})
	}
}

func TestWebhookChannelNeedsAnAddress(t *testing.T) {
	g := &gateway{status: http.StatusOK}
	srv := httptest.NewServer(g)
	defer srv.Close()
	err := notify.WebhookChannel{URL: srv.URL, Secret: secret}.Send(context.Background(), notify.Outgoing{Key: "k", RecipientKind: models.RecipientStaff})
	if !notify.IsPermanent(err) || !errors.Is(err, notify.ErrNoAddress) || len(g.reqs) != 0 {
		t.Errorf("got %v after %d requests, want a permanent ErrNoAddress and no request", err, len(g.reqs))
	}
}

func TestWebhookChannelHonoursContext(t *testing.T) {
	srv := httptest.NewServer(&gateway{status: http.StatusOK, delay: 5 * time.Second})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := notify.WebhookChannel{URL: srv.URL + "/?token=abc", Secret: secret}.Send(ctx, notify.Outgoing{Key: "k", To: "13900001111", RecipientKind: models.RecipientStaff})
	if err == nil || notify.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a retryable deadline error", err)
	}
	if err != nil && strings.Contains(err.Error(), "token=abc") {
		t.Errorf("error %q leaks the URL", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v, want the context's 100ms deadline honoured", d)
	}
}
