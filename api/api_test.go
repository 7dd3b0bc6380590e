package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wuye/wuye/console"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

type storeT = store.Store

func TestSignInAndOut(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	h.wantError(h.do(http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": "a-technician", "password": "wrong-password"}, nil),
		http.StatusUnauthorized, codeUnauthorized, "")
	h.wantError(h.do(http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": "nobody", "password": testPassword}, nil),
		http.StatusUnauthorized, codeUnauthorized, "")
	tok := h.signIn("a-technician", testPassword)
	var me models.Staff
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", tok, nil, &me), http.StatusOK)
	if me.Username != "a-technician" || me.Role != models.RoleTechnician {
		t.Errorf("me: got %s %s, want a-technician technician", me.Username, me.Role)
	}
	if strings.Contains(string(h.do(http.MethodGet, "/api/v1/me", tok, nil, nil).body), "$2a$") {
		t.Error("me: got a password hash in the body, want none")
	}
	h.wantStatus(h.do(http.MethodDelete, "/api/v1/sessions/current", tok, nil, nil), http.StatusNoContent)
	h.wantError(h.do(http.MethodGet, "/api/v1/me", tok, nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
}

func TestChangePasswordEndsOldPassword(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleFinance]
	h.wantError(h.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": "nope-nope", "new_password": "another-pass-2"}, nil),
		http.StatusBadRequest, codeInvalidInput, "current_password")
	h.wantError(h.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": testPassword, "new_password": "short"}, nil),
		http.StatusBadRequest, codeInvalidInput, "new_password")
	h.wantStatus(h.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": testPassword, "new_password": "another-pass-2"}, nil), http.StatusNoContent)
	h.wantError(h.do(http.MethodGet, "/api/v1/me", tok, nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
	h.signIn("a-finance", "another-pass-2")
}

func TestBadInputNamesTheField(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleCustomerService]
	tests := []struct {
		path  string
		give  any
		field string
	}{
		{"/api/v1/buildings", `{"estate_id": 1, "name": "9栋", "colour": "red"}`, "colour"},
		{"/api/v1/buildings", `{"estate_id": "one", "name": "9栋"}`, "estate_id"},
		{"/api/v1/buildings", `{"name": "9栋"}`, "estate_id"},
		{"/api/v1/buildings", `{"estate_id": 1,`, "body"},
		{"/api/v1/buildings", ``, "body"},
		{"/api/v1/buildings", `[1,2]`, "body"},
		{"/api/v1/buildings", map[string]any{"estate_id": h.b.estate.ID, "name": "9栋"}, "estate_id"},
		{"/api/v1/units", map[string]any{"building_id": h.b.building.ID, "number": "1"}, "building_id"},
		{"/api/v1/households", map[string]any{"unit_id": h.b.unit.ID}, "unit_id"},
		{"/api/v1/residents", map[string]any{"household_id": h.a.household.ID, "name": "李四", "phone": "13900000000", "role": "landlord"}, "role"},
		{"/api/v1/residents", map[string]any{"household_id": h.a.household.ID, "name": "李四", "phone": "call me", "role": "owner"}, "phone"},
		{"/api/v1/residents", map[string]any{"household_id": h.a.household.ID, "name": "李四", "phone": "1381234567", "role": "owner"}, "phone"},
		{"/api/v1/residents", map[string]any{"household_id": h.b.household.ID, "name": "李四", "phone": "13900000000", "role": "owner"}, "household_id"},
	}
	for _, tt := range tests {
		h.wantError(h.do(http.MethodPost, tt.path, tok, tt.give, nil), http.StatusBadRequest, codeInvalidInput, tt.field)
	}
	for _, q := range []string{"page=0", "page_size=1000", "estate_id=abc", "status=gone"} {
		res := h.do(http.MethodGet, "/api/v1/households?"+q, tok, nil, nil)
		field, _, _ := strings.Cut(q, "=")
		h.wantError(res, http.StatusBadRequest, codeInvalidInput, field)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/households/abc", tok, nil, nil), http.StatusNotFound, codeNotFound, "")
	h.wantError(h.do(http.MethodGet, "/api/v1/nowhere", tok, nil, nil), http.StatusNotFound, codeNotFound, "")
}

func TestCreateAndSearchHouseholds(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tok := h.tokens[models.RoleCustomerService]
		var b models.Building
		h.wantStatus(h.do(http.MethodPost, "/api/v1/buildings", tok, map[string]any{"estate_id": h.a.estate.ID, "name": "3栋"}, &b), http.StatusCreated)
		h.wantError(h.do(http.MethodPost, "/api/v1/buildings", tok, map[string]any{"estate_id": h.a.estate.ID, "name": "3栋"}, nil), http.StatusConflict, codeConflict, "")
		var u models.Unit
		h.wantStatus(h.do(http.MethodPost, "/api/v1/units", tok, map[string]any{"building_id": b.ID, "number": "1-1201", "floor": 12, "area_m2": 120.5}, &u), http.StatusCreated)
		if u.EstateID != h.a.estate.ID || u.Area != 120_50 || u.PropertyType != models.PropertyResidential || u.Occupancy != models.OccupancyOccupied {
			t.Errorf("unit: got estate %d, area %v, %q, %q, want the building's %d, 120.50 m², residential, occupied", u.EstateID, u.Area, u.PropertyType, u.Occupancy, h.a.estate.ID)
		}
		for field, bad := range map[string]map[string]any{
			"area_m2":       {"building_id": b.ID, "number": "x1", "area_m2": 120.555},
			"property_type": {"building_id": b.ID, "number": "x2", "property_type": "villa"},
			"occupancy":     {"building_id": b.ID, "number": "x3", "occupancy": "rented"},
		} {
			h.wantError(h.do(http.MethodPost, "/api/v1/units", tok, bad, nil), http.StatusBadRequest, codeInvalidInput, field)
		}
		var shop models.Unit
		h.wantStatus(h.do(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", u.ID), h.tokens[models.RoleFinance],
			map[string]any{"area_m2": "98.07", "property_type": "shop", "occupancy": "vacant"}, &shop), http.StatusOK)
		if shop.Area != 98_07 || shop.PropertyType != models.PropertyShop || shop.Occupancy != models.OccupancyVacant || shop.Number != "1-1201" || shop.Floor != 12 {
			t.Errorf("patched unit: got %+v, want 98.07 m², shop, vacant, the rest kept", shop)
		}
		h.wantError(h.do(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", u.ID), tok, map[string]any{"area_m2": -1}, nil), http.StatusBadRequest, codeInvalidInput, "area_m2")
		var hh models.Household
		h.wantStatus(h.do(http.MethodPost, "/api/v1/households", tok, map[string]any{"unit_id": u.ID}, &hh), http.StatusCreated)
		if hh.Building != "3栋" || hh.UnitNumber != "1-1201" {
			t.Errorf("household address: got %q %q, want 3栋 1-1201", hh.Building, hh.UnitNumber)
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/households", tok, map[string]any{"unit_id": u.ID}, nil), http.StatusConflict, codeConflict, "")
		h.wantStatus(h.do(http.MethodPost, "/api/v1/residents", tok, map[string]any{"household_id": hh.ID, "name": "欧阳娜娜", "phone": "13711112222", "role": "tenant"}, nil), http.StatusCreated)
		var found listBody[models.Household]
		h.wantStatus(h.do(http.MethodGet, "/api/v1/households?q="+"欧阳", tok, nil, &found), http.StatusOK)
		if found.Total != 1 || found.Items[0].ID != hh.ID {
			t.Errorf("search by resident name: got %+v, want household %d", found, hh.ID)
		}
	})
}

// TestPhonesMaskedByRole: the owner file and the resident list mask the
// phone for every role; the whole number comes from a reveal only
// (TestPhoneReveal).
func TestPhonesMaskedByRole(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	path := fmt.Sprintf("/api/v1/residents/%d", h.a.resident.ID)
	for _, role := range models.Roles() {
		var got residentView
		h.wantStatus(h.do(http.MethodGet, path, h.tokens[role], nil, &got), http.StatusOK)
		if want := "138****5678"; got.Phone != want || !got.PhoneMasked {
			t.Errorf("resident phone for %s: got %q (masked %v), want %q", role, got.Phone, got.PhoneMasked, want)
		}
		var list listBody[residentView]
		h.wantStatus(h.do(http.MethodGet, "/api/v1/residents", h.tokens[role], nil, &list), http.StatusOK)
		for _, r := range list.Items {
			if !strings.Contains(r.Phone, "****") {
				t.Errorf("resident list for %s: got phone %q, want it masked", role, r.Phone)
			}
		}
	}
}

// TestPhoneSearchOnlyForPhoneRoles: a whole number finds its resident only
// for the roles that see phones whole; for the others the search is by name
// alone, so that it cannot confirm a number the list masks.
func TestPhoneSearchOnlyForPhoneRoles(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	for _, role := range models.Roles() {
		tests := []struct {
			give string
			want int64
		}{
			{h.a.resident.Phone, 0},
			{h.a.resident.Name, 1},
		}
		if slices.Contains(phoneRoles, role) {
			tests[0].want = 1
		}
		for _, tt := range tests {
			var got listBody[residentView]
			h.wantStatus(h.do(http.MethodGet, "/api/v1/residents?q="+url.QueryEscape(tt.give), h.tokens[role], nil, &got), http.StatusOK)
			if got.Total != tt.want {
				t.Errorf("residents?q=%s as %s: got %d, want %d", tt.give, role, got.Total, tt.want)
			}
		}
	}
}

// TestStaffPhonesMaskedByRole: a staff member's phone is whole for the roles
// that manage staff and for the account itself, masked for everyone else,
// wherever it shows: the account, the staff list, and the address of a
// message sent to that staff member.
func TestStaffPhonesMaskedByRole(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: h.store, Temporal: &fakeTemporal{}, Log: log}).Handler())
	t.Cleanup(h.srv.Close)
	ctx := context.Background()
	const whole, masked = "13900001111", "139****1111"
	phone := whole
	tech, err := h.store.UpdateStaff(ctx, store.AllEstates(), h.a.staff.ID, store.StaffUpdate{Phone: &phone})
	h.must(err)
	_, _, err = h.store.ClaimMessage(ctx, &models.Message{Key: "escalate-1", EstateID: h.a.estate.ID, RecipientKind: models.RecipientStaff,
		RecipientID: tech.ID, Channel: "log", Address: whole, Template: "ticket_escalated", Subject: "升级", Body: "工单升级", Ref: ticketRef(h.a.ticket.ID)})
	h.must(err)
	for _, role := range models.Roles() {
		want := masked
		if role == models.RoleEstateManager || role == models.RoleCompanyAdmin {
			want = whole
		}
		tok := h.tokens[role]
		var one staffView
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/staff/%d", tech.ID), tok, nil, &one), http.StatusOK)
		if one.Phone != want || one.PhoneMasked != (want == masked) {
			t.Errorf("staff %d as %s: got phone %q (masked %v), want %q", tech.ID, role, one.Phone, one.PhoneMasked, want)
		}
		var list listBody[staffView]
		h.wantStatus(h.do(http.MethodGet, "/api/v1/staff?role=technician", tok, nil, &list), http.StatusOK)
		for _, st := range list.Items {
			if st.ID == tech.ID && st.Phone != want {
				t.Errorf("staff list as %s: got phone %q, want %q", role, st.Phone, want)
			}
		}
		var ticket ticketDetail
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", h.a.ticket.ID), tok, nil, &ticket), http.StatusOK)
		if len(ticket.Messages) != 1 || ticket.Messages[0].Address != want {
			t.Errorf("ticket messages as %s: got %+v, want one to %q", role, ticket.Messages, want)
		}
	}
	// The account itself sees its own phone, in /me and when it signs in.
	var in signInResponse
	h.wantStatus(h.do(http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": tech.Username, "password": testPassword}, &in), http.StatusCreated)
	var me staffView
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", in.Token, nil, &me), http.StatusOK)
	var own staffView
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/staff/%d", tech.ID), in.Token, nil, &own), http.StatusOK)
	for what, got := range map[string]string{"sign-in": in.Staff.Phone, "me": me.Phone, "own account": own.Phone} {
		if got != whole {
			t.Errorf("%s of the account itself: got phone %q, want %q", what, got, whole)
		}
	}
}

func TestPolicyEditing(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tok := h.tokens[models.RoleEstateManager]
		path := fmt.Sprintf("/api/v1/estates/%d/policy", h.a.estate.ID)
		var cur models.EstatePolicy
		h.wantStatus(h.do(http.MethodGet, path, tok, nil, &cur), http.StatusOK)
		p := cur.Policy
		p.Repair.WarnAtPercent = 150
		h.wantError(h.do(http.MethodPut, path, tok, map[string]any{"version": cur.Version, "policy": p}, nil),
			http.StatusBadRequest, codeInvalidInput, "policy.repair.warn_at_percent")
		h.wantError(h.do(http.MethodPut, path, tok, `{"version":1,"policy":{"repair":{"confirm_window":"-3d"}}}`, nil),
			http.StatusBadRequest, codeInvalidInput, "policy.repair.confirm_window")
		h.wantError(h.do(http.MethodPut, path, tok, `{"version":1,"policy":{"repair":{"tiers":[{"contact":"5分钟"}]}}}`, nil),
			http.StatusBadRequest, codeInvalidInput, "policy.repair.tiers[0].contact")
		p.Repair.WarnAtPercent = 70
		p.Repair.EscalateMilestones = []models.Milestone{models.MilestoneOnSite, models.MilestoneResolve}
		h.wantError(h.do(http.MethodPut, path, tok, map[string]any{"version": cur.Version, "policy": p}, nil),
			http.StatusBadRequest, codeInvalidInput, "policy.repair.escalate_milestones[1]")
		p.Repair.EscalateMilestones = []models.Milestone{models.MilestoneOnSite, models.MilestoneComplete}
		var next models.EstatePolicy
		h.wantStatus(h.do(http.MethodPut, path, tok, map[string]any{"version": cur.Version, "policy": p}, &next), http.StatusOK)
		if next.Version != cur.Version+1 || next.Policy.Repair.WarnAtPercent != 70 || len(next.Policy.Repair.EscalateMilestones) != 2 || next.UpdatedBy == nil {
			t.Errorf("after PUT: got version %d warn %d by %v, want %d, 70, the manager", next.Version, next.Policy.Repair.WarnAtPercent, next.UpdatedBy, cur.Version+1)
		}
		h.wantError(h.do(http.MethodPut, path, tok, map[string]any{"version": cur.Version, "policy": p}, nil), http.StatusConflict, codeConflict, "")
		var hist listBody[models.PolicyChange]
		h.wantStatus(h.do(http.MethodGet, path+"/changes", tok, nil, &hist), http.StatusOK)
		if hist.Total != 2 || hist.Items[0].ChangedBy == nil {
			t.Errorf("policy history: got %+v, want 2 versions, the newest with its author", hist)
		}
	})
}

func TestStaffManagementLimits(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr := h.tokens[models.RoleEstateManager]
	newStaff := map[string]any{"username": "new-kefu", "name": "新客服", "role": "customer_service", "password": "initial-pass"}
	var st models.Staff
	h.wantStatus(h.do(http.MethodPost, "/api/v1/staff", mgr, newStaff, &st), http.StatusCreated)
	if st.EstateID == nil || *st.EstateID != h.a.estate.ID || !st.MustChangePassword {
		t.Errorf("staff made by a manager: got estate %v must-change %v, want the manager's estate and a forced change", st.EstateID, st.MustChangePassword)
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/staff", mgr, newStaff, nil), http.StatusConflict, codeConflict, "")
	admin := map[string]any{"username": "boss", "name": "b", "role": "company_admin", "password": "initial-pass"}
	h.wantError(h.do(http.MethodPost, "/api/v1/staff", mgr, admin, nil), http.StatusForbidden, codeForbidden, "")
	other := map[string]any{"estate_id": h.b.estate.ID, "username": "spy", "name": "s", "role": "technician", "password": "initial-pass"}
	h.wantError(h.do(http.MethodPost, "/api/v1/staff", mgr, other, nil), http.StatusBadRequest, codeInvalidInput, "estate_id")
	me := h.do(http.MethodGet, "/api/v1/me", mgr, nil, nil)
	var self models.Staff
	_ = json.Unmarshal(me.body, &self)
	h.wantError(h.do(http.MethodPatch, fmt.Sprintf("/api/v1/staff/%d", self.ID), mgr, map[string]any{"active": false}, nil), http.StatusBadRequest, codeInvalidInput, "role")
	h.wantStatus(h.do(http.MethodPatch, fmt.Sprintf("/api/v1/staff/%d", st.ID), mgr, map[string]any{"active": false}, nil), http.StatusOK)
	h.wantError(h.do(http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": "new-kefu", "password": "initial-pass"}, nil), http.StatusUnauthorized, codeUnauthorized, "")
}

// TestStaffEmail: an account may carry an email address, where the email
// channel reaches it; a bad one is refused naming the field, and clearing it
// is allowed.
func TestStaffEmail(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr := h.tokens[models.RoleEstateManager]
	newStaff := map[string]any{"username": "mail-kefu", "name": "客服", "role": "customer_service", "password": "initial-pass",
		"email": "Kefu <kefu@example.com>"}
	h.wantError(h.do(http.MethodPost, "/api/v1/staff", mgr, newStaff, nil), http.StatusBadRequest, codeInvalidInput, "email")
	newStaff["email"] = "kefu@example.com"
	var st models.Staff
	h.wantStatus(h.do(http.MethodPost, "/api/v1/staff", mgr, newStaff, &st), http.StatusCreated)
	c, err := h.store.StaffContact(context.Background(), st.ID)
	if err != nil || c.Email != "kefu@example.com" {
		t.Errorf("contact: got %+v, %v, want the email kept", c, err)
	}
	path := fmt.Sprintf("/api/v1/staff/%d", st.ID)
	h.wantError(h.do(http.MethodPatch, path, mgr, map[string]any{"email": "not-an-address"}, nil), http.StatusBadRequest, codeInvalidInput, "email")
	h.wantStatus(h.do(http.MethodPatch, path, mgr, map[string]any{"email": ""}, &st), http.StatusOK)
	if c, err = h.store.StaffContact(context.Background(), st.ID); err != nil || c.Email != "" {
		t.Errorf("contact after clearing: got %+v, %v, want no email", c, err)
	}
}

func TestIntegrationTokens(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	admin, mgr := h.tokens[models.RoleCompanyAdmin], h.tokens[models.RoleEstateManager]
	var tok createTokenResponse
	h.wantStatus(h.do(http.MethodPost, "/api/v1/tokens", admin, map[string]any{"name": "呼叫中心", "staff_id": h.a.staff.ID}, &tok), http.StatusCreated)
	var me models.Staff
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", tok.Token, nil, &me), http.StatusOK)
	if me.ID != h.a.staff.ID {
		t.Errorf("token acts as: got staff %d, want %d", me.ID, h.a.staff.ID)
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/tokens", admin, map[string]any{"name": "x", "staff_id": 999999}, nil), http.StatusBadRequest, codeInvalidInput, "staff_id")
	h.wantError(h.do(http.MethodPost, "/api/v1/tokens", mgr, map[string]any{"name": "x", "staff_id": h.b.staff.ID}, nil), http.StatusForbidden, codeForbidden, "")
	h.wantStatus(h.do(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", tok.Info.ID), mgr, nil, nil), http.StatusNoContent)
	h.wantError(h.do(http.MethodGet, "/api/v1/me", tok.Token, nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
}

// TestManagersManageOnlyBelowThemselves: an estate manager creates, changes,
// resets and deactivates only accounts ranking below their own, so one
// manager cannot make a peer who then takes the first one over; only company
// administrators make managers or mint tokens for others, and nobody mints
// one for an account of their rank or above but their own.
func TestManagersManageOnlyBelowThemselves(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	admin, mgr := h.tokens[models.RoleCompanyAdmin], h.tokens[models.RoleEstateManager]
	peer := h.addStaff("a-manager-2", models.RoleEstateManager, &h.a.estate.ID)
	admin2 := h.addStaff("admin-2", models.RoleCompanyAdmin, nil)
	var self, sup models.Staff
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", mgr, nil, &self), http.StatusOK)
	var sups listBody[models.Staff]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/staff?role=supervisor", mgr, nil, &sups), http.StatusOK)
	if len(sups.Items) != 1 {
		t.Fatalf("supervisors of estate A: got %d, want 1", len(sups.Items))
	}
	sup = sups.Items[0]
	peerToken := models.APIToken{StaffID: peer.ID, Name: "peer", Prefix: "wyt_peer", TokenHash: "hash-peer"}
	h.must(h.store.CreateAPIToken(context.Background(), &peerToken))
	newStaff := func(username string, role models.Role) map[string]any {
		return map[string]any{"estate_id": h.a.estate.ID, "username": username, "name": username, "role": role, "password": "initial-pass"}
	}
	staff := func(id uint64) string { return fmt.Sprintf("/api/v1/staff/%d", id) }
	tests := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"manager makes a manager", mgr, http.MethodPost, "/api/v1/staff", newStaff("mgr-3", models.RoleEstateManager), http.StatusForbidden},
		{"manager makes a supervisor", mgr, http.MethodPost, "/api/v1/staff", newStaff("sup-2", models.RoleSupervisor), http.StatusCreated},
		{"manager resets a peer's password", mgr, http.MethodPatch, staff(peer.ID), map[string]any{"password": "taken-over-1"}, http.StatusForbidden},
		{"manager deactivates a peer", mgr, http.MethodPatch, staff(peer.ID), map[string]any{"active": false}, http.StatusForbidden},
		{"manager renames a peer", mgr, http.MethodPatch, staff(peer.ID), map[string]any{"name": "改名"}, http.StatusForbidden},
		{"manager promotes a technician to manager", mgr, http.MethodPatch, staff(h.a.staff.ID), map[string]any{"role": "estate_manager"}, http.StatusForbidden},
		{"manager resets a supervisor's password", mgr, http.MethodPatch, staff(sup.ID), map[string]any{"password": "reset-by-boss"}, http.StatusOK},
		{"manager sets their own password without the current one", mgr, http.MethodPatch, staff(self.ID), map[string]any{"password": "no-current-1"}, http.StatusBadRequest},
		{"manager mints a token for a technician", mgr, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "staff_id": h.a.staff.ID}, http.StatusForbidden},
		{"manager mints a token for a peer", mgr, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "staff_id": peer.ID}, http.StatusForbidden},
		{"manager mints a token for themselves", mgr, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "自用"}, http.StatusCreated},
		{"manager revokes a peer's token", mgr, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", peerToken.ID), nil, http.StatusForbidden},
		{"administrator makes a manager", admin, http.MethodPost, "/api/v1/staff", newStaff("mgr-4", models.RoleEstateManager), http.StatusCreated},
		{"administrator mints a token for a manager", admin, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "staff_id": peer.ID}, http.StatusCreated},
		{"administrator mints a token for another administrator", admin, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "staff_id": admin2.ID}, http.StatusForbidden},
		{"administrator revokes a manager's token", admin, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", peerToken.ID), nil, http.StatusNoContent},
		{"administrator deactivates a manager", admin, http.MethodPatch, staff(peer.ID), map[string]any{"active": false}, http.StatusOK},
	}
	for _, tt := range tests {
		res := h.do(tt.method, tt.path, tt.token, tt.body, nil)
		if res.status != tt.want {
			t.Errorf("%s (%s): got %d %s, want %d", tt.name, res.req, res.status, res.body, tt.want)
		}
	}
	// The manager is still who they were: same password, still active.
	h.signIn("a-estate_manager", testPassword)
}

// TestAPITokensAreNotPasswords: an API token, whatever its scope, never
// mints or revokes tokens, changes a password or manages staff; a read token
// calls only GET routes; a new password, chosen or reset by a manager, revokes
// every token of the account.
func TestAPITokensAreNotPasswords(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mint := func(session string, body map[string]any) string {
		t.Helper()
		var out createTokenResponse
		h.wantStatus(h.do(http.MethodPost, "/api/v1/tokens", session, body, &out), http.StatusCreated)
		return out.Token
	}
	admin := h.tokens[models.RoleCompanyAdmin]
	read, write := mint(admin, map[string]any{"name": "报表"}), mint(admin, map[string]any{"name": "缴费", "scope": "write"})
	staffPath := fmt.Sprintf("/api/v1/staff/%d", h.a.staff.ID)
	building := func(name string) map[string]any { return map[string]any{"estate_id": h.a.estate.ID, "name": name} }
	tests := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"mint a token", write, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "子令牌", "scope": "write"}, http.StatusForbidden},
		{"mint a token for another", write, http.MethodPost, "/api/v1/tokens", map[string]any{"name": "子令牌", "staff_id": h.a.staff.ID}, http.StatusForbidden},
		{"revoke a token", write, http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", h.a.token.ID), nil, http.StatusForbidden},
		{"change the password", write, http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "taken-over-1"}, http.StatusForbidden},
		{"add staff", write, http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": h.a.estate.ID, "username": "mole", "name": "内鬼", "role": "estate_manager", "password": "mole-password"}, http.StatusForbidden},
		{"reset a password", write, http.MethodPatch, staffPath, map[string]any{"password": "taken-over-1"}, http.StatusForbidden},
		{"deactivate staff", write, http.MethodPatch, staffPath, map[string]any{"active": false}, http.StatusForbidden},
		{"write with a read token", read, http.MethodPost, "/api/v1/buildings", building("8栋"), http.StatusForbidden},
		{"read with a read token", read, http.MethodGet, "/api/v1/households", nil, http.StatusOK},
		{"read itself with a read token", read, http.MethodGet, "/api/v1/me", nil, http.StatusOK},
		{"write with a write token", write, http.MethodPost, "/api/v1/buildings", building("9栋"), http.StatusCreated},
	}
	for _, tt := range tests {
		res := h.do(tt.method, tt.path, tt.token, tt.body, nil)
		if res.status != tt.want {
			t.Errorf("%s (%s): got %d %s, want %d", tt.name, res.req, res.status, res.body, tt.want)
		}
		if tt.want == http.StatusForbidden {
			h.wantError(res, http.StatusForbidden, codeForbidden, "")
		}
	}
	// A read token is refused by every route that is not a GET, before the
	// route does anything.
	ids := recordIDs(h.a)
	for _, r := range New(Options{Store: h.store}).routes() {
		if r.public || r.method == http.MethodGet || !slices.Contains(r.roles, models.RoleCompanyAdmin) {
			continue
		}
		h.wantError(h.do(r.method, fillPath(r.path, ids[r.path]), read, nil, nil), http.StatusForbidden, codeForbidden, "")
	}

	// A password changed by its owner revokes the owner's tokens; one reset
	// by a manager revokes the tokens of the account reset.
	mgr := h.signIn("a-estate_manager", testPassword)
	own := mint(mgr, map[string]any{"name": "自用", "scope": "write"})
	techTok := mint(admin, map[string]any{"name": "维修 App", "staff_id": h.a.staff.ID, "scope": "write"})
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", own, nil, nil), http.StatusOK)
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", techTok, nil, nil), http.StatusOK)
	h.wantStatus(h.do(http.MethodPatch, staffPath, h.tokens[models.RoleEstateManager], map[string]any{"password": "reset-by-boss"}, nil), http.StatusOK)
	h.wantError(h.do(http.MethodGet, "/api/v1/me", techTok, nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
	h.wantStatus(h.do(http.MethodPut, "/api/v1/me/password", mgr, map[string]string{"current_password": testPassword, "new_password": "new-manager-pass"}, nil), http.StatusNoContent)
	h.wantError(h.do(http.MethodGet, "/api/v1/me", own, nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
}

func TestCookieSessionRefusesCrossSiteWrites(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleCustomerService]
	for _, tt := range []struct {
		site string
		want int
	}{{"cross-site", http.StatusForbidden}, {"same-origin", http.StatusCreated}} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/v1/buildings", strings.NewReader(fmt.Sprintf(`{"estate_id":%d,"name":"%s"}`, h.a.estate.ID, tt.site)))
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		req.Header.Set("Sec-Fetch-Site", tt.site)
		resp, err := h.srv.Client().Do(req)
		h.must(err)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("cookie POST from %s: got %d, want %d", tt.site, resp.StatusCode, tt.want)
		}
	}
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := New(Options{Store: storetest.SQLite(t, storetest.Options{})})
	srvDoc := s.openAPIDocument()
	raw, err := json.Marshal(srvDoc)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi: got %q, want 3.x", doc.OpenAPI)
	}
	for _, r := range s.Engine().Routes() {
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("registered route %s %s: missing from openapi.json", r.Method, r.Path)
		}
	}
	if !strings.Contains(string(raw), `"Policy"`) || !strings.Contains(string(raw), `"warn_at_percent"`) {
		t.Error("openapi: got no Policy schema with its fields, want the request bodies described")
	}
	// Operation IDs are unique identifiers; an :action is one of the named
	// actions, an :id a positive integer.
	type operation struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name, In string
			Schema   struct {
				Type string   `json:"type"`
				Enum []string `json:"enum"`
			} `json:"schema"`
		} `json:"parameters"`
	}
	schemas := srvDoc["components"].(map[string]any)["schemas"].(map[string]any)
	for name := range schemas {
		if strings.Contains(name, "github") || !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`).MatchString(name) {
			t.Errorf("schema name %q, want a short identifier", name)
		}
	}
	if _, ok := schemas["ticketRowList"]; !ok {
		t.Error("schemas: got no ticketRowList, want list bodies named after their items")
	}
	ids := map[string]string{}
	validID := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if !validID.MatchString(op.OperationID) {
				t.Errorf("%s %s: operationId %q, want letters, digits and _", method, path, op.OperationID)
			}
			if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s %s: operationId %q also names %s", method, path, op.OperationID, other)
			}
			ids[op.OperationID] = method + " " + path
			for _, p := range op.Parameters {
				switch {
				case p.In != "path":
				case p.Name == "action" && (p.Schema.Type != "string" || len(p.Schema.Enum) == 0):
					t.Errorf("%s %s: :action is %s with values %v, want a string of the named actions", method, path, p.Schema.Type, p.Schema.Enum)
				case p.Name == "id" && p.Schema.Type != "integer":
					t.Errorf("%s %s: :id is %s, want integer", method, path, p.Schema.Type)
				}
			}
		}
	}
}

// TestOneTimePasswordMustBeChanged: an account made by a manager (or the
// first administrator with a generated password) can only read itself,
// change its password or sign out until it has chosen its own password.
func TestOneTimePasswordMustBeChanged(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mgr := h.tokens[models.RoleEstateManager]
	h.wantStatus(h.do(http.MethodPost, "/api/v1/staff", mgr, map[string]any{"username": "fresh", "name": "新人",
		"role": "customer_service", "password": "one-time-pass"}, nil), http.StatusCreated)
	tok := h.signIn("fresh", "one-time-pass")
	h.wantError(h.do(http.MethodGet, "/api/v1/households", tok, nil, nil), http.StatusForbidden, codePasswordChange, "")
	var me models.Staff
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", tok, nil, &me), http.StatusOK)
	if !me.MustChangePassword {
		t.Error("me: got must_change_password false, want true for a one-time password")
	}
	h.wantError(h.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": "one-time-pass", "new_password": "one-time-pass"}, nil),
		http.StatusBadRequest, codeInvalidInput, "new_password")
	h.wantStatus(h.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": "one-time-pass", "new_password": "my-own-pass"}, nil), http.StatusNoContent)
	tok = h.signIn("fresh", "my-own-pass")
	h.wantStatus(h.do(http.MethodGet, "/api/v1/households", tok, nil, nil), http.StatusOK)
}

// TestResponseHeaders: every answer says nosniff; every API answer, the
// owner file first of all, says no-store (personal data stays out of caches),
// errors included; the console's files keep their own caching.
func TestResponseHeaders(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	srv := New(Options{Store: h.store, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	console.Register(srv.Engine())
	h.srv.Close()
	h.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(h.srv.Close)
	tok := h.tokens[models.RoleCustomerService]
	tests := []struct {
		method, path, token string
		body                any
		wantStatus          int
		wantCache           string
	}{
		{http.MethodGet, fmt.Sprintf("/api/v1/residents/%d", h.a.resident.ID), tok, nil, http.StatusOK, "no-store"},
		{http.MethodGet, "/api/v1/residents", tok, nil, http.StatusOK, "no-store"},
		{http.MethodGet, "/api/v1/me", tok, nil, http.StatusOK, "no-store"},
		{http.MethodGet, "/api/v1/me", "", nil, http.StatusUnauthorized, "no-store"},
		{http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": "a-technician", "password": "wrong-password"}, http.StatusUnauthorized, "no-store"},
		{http.MethodGet, "/api/v1/nowhere", tok, nil, http.StatusNotFound, "no-store"},
		{http.MethodGet, "/api/v1/openapi.json", "", nil, http.StatusOK, "no-store"},
		{http.MethodGet, "/healthz", "", nil, http.StatusOK, ""},
		{http.MethodGet, "/console/", "", nil, http.StatusOK, "no-cache"},
		{http.MethodGet, "/console/js/app.js", "", nil, http.StatusOK, "no-cache"},
	}
	for _, tt := range tests {
		res := h.do(tt.method, tt.path, tt.token, tt.body, nil)
		h.wantStatus(res, tt.wantStatus)
		if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: got X-Content-Type-Options %q, want nosniff", res.req, got)
		}
		if got := res.header.Get("Cache-Control"); got != tt.wantCache {
			t.Errorf("%s: got Cache-Control %q, want %q", res.req, got, tt.wantCache)
		}
	}
}
