package api

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wuye/wuye/codec"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// TestCodecServerOpensPayloadsForAdministrators: the Temporal Web UI, at its
// own origin, decodes a sealed payload through /codec/decode with an
// administrator's session; other roles and strangers are refused.
func TestCodecServerOpensPayloadsForAdministrators(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	key, err := codec.NewKey("k1")
	h.must(err)
	c, err := codec.New([]codec.Key{key})
	h.must(err)
	const ui = "http://127.0.0.1:8233"
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: h.store, Log: log, TemporalUIURL: ui + "/namespaces/wuye",
		Codec: converter.NewPayloadCodecHTTPHandler(c)}).Handler())

	plain, err := converter.GetDefaultDataConverter().ToPayload("13812345678")
	h.must(err)
	sealed, err := c.Encode([]*commonpb.Payload{plain})
	h.must(err)
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: sealed})
	h.must(err)

	decode := func(token, origin string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+CodecPath+"/decode", bytes.NewReader(body))
		h.must(err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "same-site")
		}
		resp, err := h.srv.Client().Do(req)
		h.must(err)
		defer resp.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		return resp, out.String()
	}

	resp, out := decode(h.tokens[models.RoleCompanyAdmin], ui)
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, base64.StdEncoding.EncodeToString(plain.Data)) {
		t.Errorf("admin from the UI: got %d %s, want 200 with the payload opened", resp.StatusCode, out)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != ui {
		t.Errorf("CORS: got Access-Control-Allow-Origin %q, want %q", got, ui)
	}
	if resp, _ := decode(h.tokens[models.RoleEstateManager], ui); resp.StatusCode != http.StatusForbidden {
		t.Errorf("estate manager: got %d, want 403", resp.StatusCode)
	}
	if resp, _ := decode("", ui); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session: got %d, want 401", resp.StatusCode)
	}
	if resp, _ := decode(h.tokens[models.RoleCompanyAdmin], "http://evil.example"); resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin with the admin's cookie: got %d (CORS %q), want 403 and no CORS", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	pre, err := http.NewRequest(http.MethodOptions, h.srv.URL+CodecPath+"/decode", nil)
	h.must(err)
	pre.Header.Set("Origin", ui)
	pre.Header.Set("Access-Control-Request-Method", http.MethodPost)
	presp, err := h.srv.Client().Do(pre)
	h.must(err)
	presp.Body.Close()
	if presp.StatusCode != http.StatusNoContent || presp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight: got %d %v, want 204 allowing credentials", presp.StatusCode, presp.Header)
	}
}
