package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// TestDashboardStaysInsideTheCallersEstates: the numbers and the chart of
// one's own estate; another estate's is 404, as if it did not exist.
func TestDashboardStaysInsideTheCallersEstates(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr := h.tokens[models.RoleEstateManager]
	var d dashboardBody
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/dashboard?estate_id=%d", h.a.estate.ID), mgr, nil, &d), http.StatusOK)
	if d.EstateID != h.a.estate.ID || d.OpenTotal != 1 || len(d.SLA) == 0 {
		t.Errorf("own estate: got estate %d, %d open, %d SLA rows; want %d, 1 open (the fixture's ticket), some rows", d.EstateID, d.OpenTotal, len(d.SLA), h.a.estate.ID)
	}
	h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/dashboard?estate_id=%d", h.b.estate.ID), mgr, nil, nil), http.StatusNotFound, codeNotFound, "")
	h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/dashboard/charts/sla.svg?estate_id=%d", h.b.estate.ID), mgr, nil, nil), http.StatusNotFound, codeNotFound, "")

	req := httptest.NewRequest(http.MethodGet, "/api/v1/dashboard/charts/sla.svg", nil)
	req.Header.Set("Authorization", "Bearer "+mgr)
	rec := httptest.NewRecorder()
	h.srv.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "image/svg+xml") || !strings.Contains(rec.Body.String(), "<svg") {
		t.Errorf("SLA chart: got %d %q %.60q, want 200 image/svg+xml", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

// TestSystemNamesTheTemporalUI: managers and administrators learn where the
// Temporal Web UI is; every other role gets the namespace alone.
func TestSystemNamesTheTemporalUI(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	srv := New(Options{Store: s, TemporalUIURL: "http://127.0.0.1:8233", Namespace: "wuye"})
	h := newHarness(t, s)
	tests := []struct {
		give models.Role
		want string
	}{
		{models.RoleEstateManager, "http://127.0.0.1:8233"},
		{models.RoleCompanyAdmin, "http://127.0.0.1:8233"},
		{models.RoleSupervisor, ""},
		{models.RoleCustomerService, ""},
		{models.RoleTechnician, ""},
		{models.RoleFinance, ""},
	}
	for _, tt := range tests {
		var got systemInfo
		req := httptest.NewRequest(http.MethodGet, "/api/v1/system", nil)
		req.Header.Set("Authorization", "Bearer "+h.tokens[tt.give])
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /api/v1/system as %s: got %d, want 200", tt.give, rec.Code)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.TemporalUIURL != tt.want || got.Namespace != "wuye" {
			t.Errorf("GET /api/v1/system as %s: got %+v (%v), want the UI's URL %q and the namespace", tt.give, got, err, tt.want)
		}
	}
}

// TestDashboardArrearsAndListAddresses: the managers' view counts the
// estate's open case and carries the collection and follow-up numbers; the
// ticket and arrears lists name each household by building and unit.
func TestDashboardArrearsAndListAddresses(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr := h.tokens[models.RoleEstateManager]
	var d dashboardBody
	h.wantStatus(h.do(http.MethodGet, "/api/v1/dashboard", mgr, nil, &d), http.StatusOK)
	a := d.Arrears
	if a.Cases != 1 || len(a.Stages) != 1 || a.Stages[0].Stage != models.StageDunning {
		t.Errorf("arrears: got %d cases %+v, want the fixture's one dunning case", a.Cases, a.Stages)
	}
	if len(a.Collection) != 2 || len(d.FollowUps.OnTime) != 2 {
		t.Errorf("collection %+v, follow-ups on time %+v: want last month and this month each", a.Collection, d.FollowUps.OnTime)
	}

	var tickets struct {
		Items []ticketRow `json:"items"`
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/tickets", mgr, nil, &tickets), http.StatusOK)
	if len(tickets.Items) != 1 || tickets.Items[0].Address != "1栋 101" {
		t.Errorf("ticket list: got %+v, want the fixture's ticket at 1栋 101", tickets.Items)
	}
	var cases arrearsList
	h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears", mgr, nil, &cases), http.StatusOK)
	if len(cases.Items) != 1 || cases.Items[0].Address != "1栋 101" || cases.Items[0].HouseholdID != h.a.household.ID {
		t.Errorf("arrears list: got %+v, want household %d at 1栋 101", cases.Items, h.a.household.ID)
	}
}

// TestDashboardNamesCalendarGaps: from 45 days before a new year, the
// dashboard names each estate whose calendar lists none of its holidays.
func TestDashboardNamesCalendarGaps(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	h := newHarness(t, s)
	get := func(now time.Time, token, query string) dashboardBody {
		t.Helper()
		srv := New(Options{Store: s, Now: func() time.Time { return now }})
		req := httptest.NewRequest(http.MethodGet, "/api/v1/dashboard"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var d dashboardBody
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &d) != nil {
			t.Fatalf("GET /api/v1/dashboard%s: got %d %s", query, rec.Code, rec.Body.String())
		}
		return d
	}
	mgr, admin := h.tokens[models.RoleEstateManager], h.tokens[models.RoleCompanyAdmin]
	own := fmt.Sprintf("?estate_id=%d", h.a.estate.ID)
	if d := get(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), mgr, own); len(d.CalendarGaps) != 0 {
		t.Errorf("in June: got gaps %+v, want none (2026 is listed)", d.CalendarGaps)
	}
	december := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if d := get(december, mgr, own); len(d.CalendarGaps) != 1 || d.CalendarGaps[0].EstateID != h.a.estate.ID || d.CalendarGaps[0].Year != 2027 {
		t.Errorf("in December: got gaps %+v, want estate %d missing 2027", d.CalendarGaps, h.a.estate.ID)
	}
	if d := get(december, admin, ""); len(d.CalendarGaps) != 2 {
		t.Errorf("company-wide in December: got gaps %+v, want both estates", d.CalendarGaps)
	}
}
