package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthcheckAsksTheLocalServer(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	_, port, _ := strings.Cut(srv.Listener.Addr().String(), "127.0.0.1:")
	t.Setenv("TEMPORAL_ADDRESS", "")
	t.Setenv("WUYE_HTTP_ADDR", ":"+port)

	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck"}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Errorf("healthcheck against a healthy server: got exit %d %q, want 0", code, stderr.String())
	}
	status.Store(http.StatusServiceUnavailable)
	stderr.Reset()
	if code := run(context.Background(), []string{"healthcheck"}, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "503") {
		t.Errorf("healthcheck against a failing server: got exit %d %q, want 1 naming the status", code, stderr.String())
	}
	srv.Close()
	if code := run(context.Background(), []string{"healthcheck"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 1 {
		t.Errorf("healthcheck with nothing listening: got exit %d, want 1", code)
	}
}
