package api

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// requestIDServer is the API without a store, logging at debug level into
// the returned buffer, with two extra routes: one that fails with a 500
// through respondError and one that panics.
func requestIDServer(t *testing.T) (*Server, *syncBuffer) {
	t.Helper()
	var buf syncBuffer
	s := New(Options{Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s.Engine().GET("/test/fail", func(c *gin.Context) { respondError(c, s.log, errors.New("boom")) })
	s.Engine().GET("/test/panic", func(*gin.Context) { panic("boom") })
	return s, &buf
}

func TestRequestIDHeader(t *testing.T) {
	s, _ := requestIDServer(t)
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name string
		give string // X-Request-ID sent ("" for none)
		want string // echoed ID; "" means a generated one
	}{
		{name: "none", give: ""},
		{name: "sane", give: "abc-123_X.y", want: "abc-123_X.y"},
		{name: "64 characters", give: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "65 characters", give: strings.Repeat("a", 65)},
		{name: "space", give: "abc 123"},
		{name: "log forging", give: "abc\" request_id=evil"},
		{name: "non-ASCII", give: "请求"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/no/such/route", nil)
			if tt.give != "" {
				req.Header.Set(RequestIDHeader, tt.give)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			got := rec.Header().Get(RequestIDHeader)
			if tt.want != "" && got != tt.want {
				t.Errorf("got %s %q, want %q", RequestIDHeader, got, tt.want)
			}
			if tt.want == "" && !generated.MatchString(got) {
				t.Errorf("got %s %q, want 32 hex digits", RequestIDHeader, got)
			}
		})
	}
	// Two generated IDs differ.
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	s.Handler().ServeHTTP(a, httptest.NewRequest(http.MethodGet, "/no/such/route", nil))
	s.Handler().ServeHTTP(b, httptest.NewRequest(http.MethodGet, "/no/such/route", nil))
	if a.Header().Get(RequestIDHeader) == b.Header().Get(RequestIDHeader) {
		t.Errorf("got the same generated ID %q twice, want two", a.Header().Get(RequestIDHeader))
	}
}

func TestRequestIDInLogs(t *testing.T) {
	tests := []struct {
		path string
		give string   // X-Request-ID sent ("" for none)
		msgs []string // the lines that must carry the ID
	}{
		{path: "/test/fail", give: "req-fail-1", msgs: []string{"request failed", "http"}},
		{path: "/test/fail", msgs: []string{"request failed", "http"}},
		// A panic unwinds past the access log, which writes no line.
		{path: "/test/panic", give: "req-panic-1", msgs: []string{"panic in handler"}},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.give, func(t *testing.T) {
			s, buf := requestIDServer(t)
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.give != "" {
				req.Header.Set(RequestIDHeader, tt.give)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("got status %d, want %d", rec.Code, http.StatusInternalServerError)
			}
			id := rec.Header().Get(RequestIDHeader)
			if tt.give != "" && id != tt.give {
				t.Fatalf("got %s %q, want %q", RequestIDHeader, id, tt.give)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			for _, msg := range tt.msgs {
				line := findLine(lines, "msg=\""+msg+"\"", "msg="+msg+" ")
				if line == "" {
					t.Fatalf("got no %q line in\n%s", msg, buf.String())
				}
				if !strings.Contains(line, "request_id="+id) {
					t.Errorf("got %q line %q, want request_id=%s", msg, line, id)
				}
			}
		})
	}
}

// findLine returns the first line containing one of subs, or "".
func findLine(lines []string, subs ...string) string {
	for _, l := range lines {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				return l
			}
		}
	}
	return ""
}

func TestRequestIDHandlerIdempotent(t *testing.T) {
	var buf bytes.Buffer
	h := RequestIDHandler(RequestIDHandler(slog.NewTextHandler(&buf, nil)))
	log := slog.New(h).With("k", "v")
	// A logger handed to New that is already wrapped is not wrapped again.
	s := New(Options{Log: log})
	s.log.InfoContext(WithRequestID(t.Context(), "once"), "hello")
	if got := strings.Count(buf.String(), "request_id="); got != 1 {
		t.Errorf("got %d request_id attributes in %q, want 1", got, buf.String())
	}
	buf.Reset()
	log.Info("no context")
	if strings.Contains(buf.String(), "request_id") {
		t.Errorf("got %q, want no request_id without a request", buf.String())
	}
}
