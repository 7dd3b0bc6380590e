package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestServesTheAppAndItsFiles(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	Register(e)
	tests := []struct {
		give       string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"/", http.StatusFound, "", ""},
		{"/console", http.StatusMovedPermanently, "", ""},
		{"/console/", http.StatusOK, "text/html", `<html lang="zh-CN"`},
		{"/console/tickets/12", http.StatusOK, "text/html", `<html lang="zh-CN"`},
		{"/console/app.css", http.StatusOK, "text/css", ""},
		{"/console/js/app.js", http.StatusOK, "javascript", "import"},
		{"/console/../console.go", http.StatusOK, "text/html", `<html lang="zh-CN"`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.give, nil))
		if rec.Code != tt.wantStatus {
			t.Errorf("GET %s: got %d, want %d", tt.give, rec.Code, tt.wantStatus)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, tt.wantType) {
			t.Errorf("GET %s: got Content-Type %q, want %q", tt.give, ct, tt.wantType)
		}
		if !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("GET %s: got body %.80q, want it to contain %q", tt.give, rec.Body.String(), tt.wantBody)
		}
		if tt.wantStatus == http.StatusOK && rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: got no Content-Security-Policy", tt.give)
		}
		if tt.wantStatus == http.StatusOK && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: got X-Content-Type-Options %q, want nosniff", tt.give, rec.Header().Get("X-Content-Type-Options"))
		}
	}
}

// TestNothingFromTheInternet: no page or script names another origin.
func TestNothingFromTheInternet(t *testing.T) {
	err := walk(func(name, body string) {
		for _, bad := range []string{"http://", "https://", "//cdn", "@import url("} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: got %q, want only same-origin references", name, bad)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
