package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/api"
	"github.com/wuye/wuye/models"
)

// bodyRoute is a route of the API that takes a JSON body.
type bodyRoute struct{ method, path string }

func (r bodyRoute) String() string { return r.method + " " + r.path }

// bodyRoutes reads the routes that take a body from the OpenAPI document,
// which the route table generates: a new route is fuzzed without being
// listed here.
func bodyRoutes(tb testing.TB) []bodyRoute {
	tb.Helper()
	rec := httptest.NewRecorder()
	api.New(api.Options{Log: slog.New(slog.DiscardHandler)}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody any `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	var out []bodyRoute
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.RequestBody != nil {
				out = append(out, bodyRoute{strings.ToUpper(method), path})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Fixture ids: the fuzz service starts on an empty database and creates its
// records in this order, so their ids are known before it runs.
const (
	fzEstate    = 1
	fzBuilding  = 1
	fzUnit      = 1
	fzHousehold = 1
	fzResident  = 1
	fzTicket    = 1
	fzTech      = 2 // staff 1 is the first administrator
	fzDesk      = 3
	// A second household in unit 2, for the move-out route, so that the
	// first stays in for every other route.
	fzUnit2     = 2
	fzMovingOut = 2
	fzBill      = 1 // household 1's, due in 2030: still open to dispute
	fzDispute   = 1 // open, on fzBill
)

// validFuzzBodies holds one valid body per route that takes one: the seed
// corpus. A route missing here fails FuzzRequestBodies.
func validFuzzBodies() map[string]string {
	policy, _ := json.Marshal(models.DefaultPolicy())
	return map[string]string{
		"POST /api/v1/sessions":                         `{"username":"admin","password":"` + e2ePassword + `"}`,
		"PUT /api/v1/me/password":                       `{"current_password":"fuzz-desk-password","new_password":"fuzz-desk-password"}`,
		"POST /api/v1/tokens":                           fmt.Sprintf(`{"name":"监控","staff_id":%d}`, fzTech),
		"POST /api/v1/staff":                            fmt.Sprintf(`{"estate_id":%d,"username":"fz-new","name":"新员工","role":"technician","password":"staff-password"}`, fzEstate),
		"PATCH /api/v1/staff/{id}":                      `{"name":"王师傅","phone":"13900000000","active":true}`,
		"POST /api/v1/estates":                          `{"code":"FZ2","name":"第二小区","time_zone":"Asia/Shanghai"}`,
		"PATCH /api/v1/estates/{id}":                    `{"name":"新名字","service_phone":"400-800-1234"}`,
		"PUT /api/v1/estates/{id}/policy":               `{"version":1,"policy":` + string(policy) + `}`,
		"POST /api/v1/buildings":                        fmt.Sprintf(`{"estate_id":%d,"name":"2栋"}`, fzEstate),
		"POST /api/v1/units":                            fmt.Sprintf(`{"building_id":%d,"number":"202","floor":2,"area_m2":89.5}`, fzBuilding),
		"POST /api/v1/households":                       fmt.Sprintf(`{"unit_id":%d,"moved_in_on":"2026-01-02T00:00:00Z"}`, fzUnit),
		"POST /api/v1/residents":                        fmt.Sprintf(`{"household_id":%d,"name":"李四","phone":"13812345678","role":"tenant"}`, fzHousehold),
		"PATCH /api/v1/residents/{id}":                  `{"name":"李四","role":"owner"}`,
		"POST /api/v1/residents/{id}/phone-reveal":      `{"ref":"ticket:1"}`,
		"POST /api/v1/tickets":                          fmt.Sprintf(`{"estate_id":%d,"kind":"repair","urgency":"normal","category":"门窗","description":"窗户关不上","household_id":%d,"channel":"phone"}`, fzEstate, fzHousehold),
		"POST /api/v1/tickets/{id}/actions/{action}":    `{"note":"已联系业主"}`,
		"POST /api/v1/fee-items":                        fmt.Sprintf(`{"household_id":%d,"name":"物业费","amount_fen":12000}`, fzHousehold),
		"POST /api/v1/bills":                            fmt.Sprintf(`{"household_id":%d,"period":"2030-02","amount_fen":12000}`, fzHousehold),
		"POST /api/v1/billing-runs":                     fmt.Sprintf(`{"estate_id":%d,"period":"2030-03"}`, fzEstate),
		"POST /api/v1/payments":                         fmt.Sprintf(`{"household_id":%d,"amount_fen":100,"paid_at":"2026-01-05T10:00:00+08:00","channel":"wechat","reference":"fz-1"}`, fzHousehold),
		"POST /api/v1/plans":                            fmt.Sprintf(`{"household_id":%d,"reason":"失业","instalments":[{"due":"2030-05-01","amount_fen":6000}]}`, fzHousehold),
		"POST /api/v1/move-ins":                         fmt.Sprintf(`{"household_id":%d,"resident_ids":[%d]}`, fzHousehold, fzResident),
		"POST /api/v1/follow-ups/{id}/actions/{action}": `{"note":"已回访"}`,
		"POST /api/v1/bills/{id}/disputes":              `{"reason":"面积计算有误"}`,
		"POST /api/v1/bills/{id}/waivers":               `{"amount_fen":500,"reason":"首次逾期，予以减免"}`,
		"POST /api/v1/disputes/{id}/resolve":            `{"corrected_fen":11000,"resolution":"按实测面积更正"}`,
		// No collection task exists among the fixtures (only a case's
		// ladder creates one): this one stops at 404 before its body.
		"POST /api/v1/collection-tasks/{id}/outcome":           `{"outcome":"promised","promised_on":"2030-05-01","note":"业主承诺月底前缴清"}`,
		"POST /api/v1/households/{id}/arrears/legal-decision":  `{"approve":false,"reason":"先与业主协商分期"}`,
		"POST /api/v1/letters/{id}/service":                    `{"delivery_method":"post","tracking_no":"SF1234567890","served_on":"2030-05-01"}`,
		"POST /api/v1/households/{id}/move-out":                `{"moved_out_at":"2026-01-03T10:00:00+08:00","reason":"房屋出售"}`,
		"POST /api/v1/households/{id}/arrears/legal-documents": `{"kind":"evidence","name":"催缴函送达回执","date":"2026-01-02"}`,
		"POST /api/v1/households/{id}/arrears/legal-outcome":   `{"outcome":"filed","date":"2026-01-02","court":"浦东新区人民法院","case_no":"(2026)沪0115民初1号"}`,
	}
}

// fuzzPathIDs fills a route's path parameters with fixture records.
var fuzzPathParam = regexp.MustCompile(`\{(\w+)\}`)

func fillFuzzPath(path string) string {
	id := map[string]int{"/api/v1/staff/{id}": fzTech, "/api/v1/tickets/{id}/actions/{action}": fzTicket,
		"/api/v1/households/{id}/move-out": fzMovingOut, "/api/v1/bills/{id}/disputes": fzBill,
		"/api/v1/bills/{id}/waivers": fzBill, "/api/v1/disputes/{id}/resolve": fzDispute}[path]
	if id == 0 {
		id = 1
	}
	return fuzzPathParam.ReplaceAllStringFunc(path, func(m string) string {
		if m == "{action}" {
			return "note"
		}
		return fmt.Sprint(id)
	})
}

// fuzzService is the whole service on a fresh database with the fixtures,
// started on first use in each fuzzing process.
type fuzzService struct {
	once    sync.Once
	err     error
	app     *App
	base    string
	admin   string // token
	desk    string // token, for the password route
	started bool
}

func (s *fuzzService) start(t *testing.T, dir string) {
	s.once.Do(func() { s.err = s.boot(t, dir) })
	if s.err != nil {
		t.Fatalf("start the service: %v", s.err)
	}
}

func (s *fuzzService) boot(t *testing.T, dir string) error {
	cfg := testConfig(t, dir)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := Start(context.Background(), cfg, Options{Out: io.Discard, Log: log})
	if err != nil {
		return err
	}
	s.app, s.base, s.started = a, "http://"+a.Addr(), true
	if s.admin, err = s.signIn("admin", e2ePassword); err != nil {
		return err
	}
	steps := []struct {
		path string
		body string
		want uint64
	}{
		{"/api/v1/estates", `{"code":"FZ","name":"模糊测试小区"}`, fzEstate},
		{"/api/v1/buildings", fmt.Sprintf(`{"estate_id":%d,"name":"1栋"}`, fzEstate), fzBuilding},
		{"/api/v1/units", fmt.Sprintf(`{"building_id":%d,"number":"101"}`, fzBuilding), fzUnit},
		{"/api/v1/households", fmt.Sprintf(`{"unit_id":%d}`, fzUnit), fzHousehold},
		{"/api/v1/residents", fmt.Sprintf(`{"household_id":%d,"name":"张三","phone":"13812345678","role":"owner"}`, fzHousehold), fzResident},
		{"/api/v1/staff", fmt.Sprintf(`{"estate_id":%d,"username":"fz-tech","name":"王师傅","role":"technician","password":"staff-password"}`, fzEstate), fzTech},
		{"/api/v1/staff", fmt.Sprintf(`{"estate_id":%d,"username":"fz-desk","name":"客服","role":"customer_service","password":"fuzz-desk-password"}`, fzEstate), fzDesk},
		{"/api/v1/tickets", fmt.Sprintf(`{"estate_id":%d,"kind":"repair","urgency":"urgent","category":"水电","description":"停电","household_id":%d,"channel":"phone"}`, fzEstate, fzHousehold), fzTicket},
		{"/api/v1/units", fmt.Sprintf(`{"building_id":%d,"number":"102"}`, fzBuilding), fzUnit2},
		{"/api/v1/households", fmt.Sprintf(`{"unit_id":%d}`, fzUnit2), fzMovingOut},
		{"/api/v1/bills", fmt.Sprintf(`{"household_id":%d,"period":"2030-01","amount_fen":12000}`, fzHousehold), fzBill},
		{fmt.Sprintf("/api/v1/bills/%d/disputes", fzBill), `{"reason":"金额有误"}`, fzDispute},
	}
	for _, st := range steps {
		status, raw, err := s.send(http.MethodPost, st.path, s.admin, []byte(st.body))
		if err != nil {
			return err
		}
		var got struct {
			ID uint64 `json:"id"`
		}
		_ = json.Unmarshal(raw, &got)
		if status != http.StatusCreated || got.ID != st.want {
			return fmt.Errorf("fixture %s: got %d %s, want 201 with id %d", st.path, status, raw, st.want)
		}
	}
	// The desk account chooses its own password at its first sign-in.
	if s.desk, err = s.signIn("fz-desk", "fuzz-desk-password"); err != nil {
		return err
	}
	status, raw, err := s.send(http.MethodPut, "/api/v1/me/password", s.desk,
		[]byte(`{"current_password":"fuzz-desk-password","new_password":"fuzz-desk-own-password"}`))
	if err != nil || status != http.StatusNoContent {
		return fmt.Errorf("fz-desk chooses a password: %d %s %v", status, raw, err)
	}
	s.desk, err = s.signIn("fz-desk", "fuzz-desk-own-password")
	return err
}

func (s *fuzzService) signIn(user, password string) (string, error) {
	status, raw, err := s.send(http.MethodPost, "/api/v1/sessions", "", []byte(fmt.Sprintf(`{"username":%q,"password":%q}`, user, password)))
	if err != nil || status != http.StatusCreated {
		return "", fmt.Errorf("sign in %s: %d %s %v", user, status, raw, err)
	}
	var out struct {
		Token string `json:"token"`
	}
	return out.Token, json.Unmarshal(raw, &out)
}

func (s *fuzzService) send(method, path, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// FuzzRequestBodies sends any body to every route that takes one, as a
// company administrator, on the whole service (real database, real
// workflows): never a 5xx, and a 400 always names the field.
func FuzzRequestBodies(f *testing.F) {
	routes := bodyRoutes(f)
	valid := validFuzzBodies()
	var missing []string
	for i, r := range routes {
		body, ok := valid[r.String()]
		if !ok {
			missing, body = append(missing, r.String()), "{}"
		}
		f.Add(uint8(i), []byte(body))
	}
	if len(missing) > 0 {
		// Still fuzzed, from an empty object: add a valid body to reach
		// past validation sooner.
		f.Logf("no valid body in validFuzzBodies for %v", missing)
	}
	f.Add(uint8(0), []byte(`{"username":`))
	f.Add(uint8(1), []byte(`[]`))
	dir := f.TempDir()
	svc := &fuzzService{}
	f.Cleanup(func() {
		if svc.started {
			svc.app.Stop(context.Background())
		}
	})
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		svc.start(t, dir)
		r := routes[int(route)%len(routes)]
		token := svc.admin
		if r.path == "/api/v1/me/password" {
			token = svc.desk
		}
		status, raw, err := svc.send(r.method, fillFuzzPath(r.path), token, body)
		if err != nil {
			t.Fatalf("%s with %q: %v", r, body, err)
		}
		if status >= http.StatusInternalServerError {
			t.Fatalf("%s with %q: got %d %s, want no 5xx", r, body, status, raw)
		}
		if status == http.StatusBadRequest && strings.HasPrefix(r.path, "/r/") {
			// The resident's pages answer in HTML, their bad links and forms
			// with a Chinese page of their own.
			if !bytes.HasPrefix(raw, []byte("<!doctype html>")) {
				t.Fatalf("%s with %q: got 400 %s, want the resident's error page", r, body, raw)
			}
			return
		}
		if status == http.StatusBadRequest {
			var e struct {
				Error struct{ Code, Field string } `json:"error"`
			}
			if err := json.Unmarshal(raw, &e); err != nil || e.Error.Field == "" {
				t.Fatalf("%s with %q: got 400 %s, want an error naming the field", r, body, raw)
			}
		}
	})
}
