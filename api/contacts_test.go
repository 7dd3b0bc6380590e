package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestHouseholdContact: the ticket, follow-up and arrears answers carry whom
// to call (联系人): the household's residents, owners first, phones masked,
// and the service needs of its move-in.
func TestHouseholdContact(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	withTemporal(h, &fakeTemporal{})
	ctx := context.Background()
	all := store.AllEstates()
	tenant := models.Resident{HouseholdID: h.a.household.ID, Name: "李租户", Phone: "13900000001", Role: models.ResidentTenant}
	h.must(h.store.CreateResident(ctx, all, &tenant))
	owner := models.Resident{HouseholdID: h.a.household.ID, Name: "王业主", Phone: "13900000002", Role: models.ResidentOwner}
	h.must(h.store.CreateResident(ctx, all, &owner))
	wantNames := []string{h.a.resident.Name, "王业主", "李租户"}

	desk := h.tokens[models.RoleCustomerService]
	var ticket ticketDetail
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", h.a.ticket.ID), desk, nil, &ticket), http.StatusOK)
	var followUp followUpDetail
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/follow-ups/%d", h.a.followUp.ID), desk, nil, &followUp), http.StatusOK)
	var arrears arrearsView
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", h.a.household.ID), desk, nil, &arrears), http.StatusOK)
	for what, c := range map[string]*householdContact{"ticket": ticket.Contact, "follow-up": followUp.Contact, "arrears": arrears.Contact} {
		if c == nil {
			t.Errorf("%s: got no contact, want household %d's", what, h.a.household.ID)
			continue
		}
		var names []string
		for _, r := range c.Residents {
			names = append(names, r.Name)
			if !r.PhoneMasked || !strings.Contains(r.Phone, "****") {
				t.Errorf("%s: got phone %q (masked %v) for %s, want it masked", what, r.Phone, r.PhoneMasked, r.Name)
			}
		}
		if c.HouseholdID != h.a.household.ID || !slices.Equal(names, wantNames) {
			t.Errorf("%s: got household %d residents %v, want %d %v (owners first)", what, c.HouseholdID, names, h.a.household.ID, wantNames)
		}
		if c.ServiceNeeds == nil {
			t.Errorf("%s: got no service needs, want those of the household's move-in", what)
		}
	}
}

// TestPhoneReveal: the roles that call residents get the whole number from
// a reveal, which is recorded; the others get 403, as does an API token;
// another estate's resident 404. Managers read the log of their estates only; the owner file stays
// masked after a reveal.
func TestPhoneReveal(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	path := fmt.Sprintf("/api/v1/residents/%d/phone-reveal", h.a.resident.ID)
	for _, role := range models.Roles() {
		var got phoneReveal
		r := h.do(http.MethodPost, path, h.tokens[role], map[string]any{"ref": "ticket:" + string(role)}, &got)
		if !slices.Contains(phoneRoles, role) {
			h.wantError(r, http.StatusForbidden, codeForbidden, "")
			continue
		}
		h.wantStatus(r, http.StatusOK)
		if got.Phone != h.a.resident.Phone || got.ResidentID != h.a.resident.ID || got.HouseholdID != h.a.household.ID || got.RevealedAt.IsZero() {
			t.Errorf("reveal as %s: got %+v, want the whole phone %q", role, got, h.a.resident.Phone)
		}
	}
	desk := h.tokens[models.RoleCustomerService]
	h.wantStatus(h.do(http.MethodPost, path, desk, nil, nil), http.StatusOK) // no body: no ref
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/phone-reveal", h.b.resident.ID), desk, map[string]any{}, nil),
		http.StatusNotFound, codeNotFound, "")
	h.wantError(h.do(http.MethodPost, path, desk, map[string]any{"ref": strings.Repeat("x", 101)}, nil), http.StatusBadRequest, codeInvalidInput, "ref")
	// A reveal is a person's click: an API token, even a write token of
	// customer service, gets 403.
	var me staffView
	h.wantStatus(h.do(http.MethodGet, "/api/v1/me", desk, nil, &me), http.StatusOK)
	var minted createTokenResponse
	h.wantStatus(h.do(http.MethodPost, "/api/v1/tokens", h.tokens[models.RoleCompanyAdmin],
		map[string]any{"name": "呼叫中心", "staff_id": me.ID, "scope": "write"}, &minted), http.StatusCreated)
	h.wantError(h.do(http.MethodPost, path, minted.Token, map[string]any{}, nil), http.StatusForbidden, codeForbidden, "")

	var file ownerFile
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/residents/%d", h.a.resident.ID), desk, nil, &file), http.StatusOK)
	if !file.PhoneMasked || file.Phone == h.a.resident.Phone {
		t.Errorf("owner file after a reveal: got phone %q, want it masked", file.Phone)
	}

	h.must(h.store.RecordPhoneReveal(context.Background(), store.AllEstates(),
		&models.PhoneReveal{ResidentID: h.b.resident.ID, StaffID: h.b.staff.ID, RevealedAt: time.Now()}))
	var log listBody[phoneRevealView]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/phone-reveals", h.tokens[models.RoleEstateManager], nil, &log), http.StatusOK)
	if want := int64(len(phoneRoles) + 1); log.Total != want {
		t.Fatalf("estate A's log: got %d reveals, want %d", log.Total, want)
	}
	latest := log.Items[0]
	if latest.ResidentID != h.a.resident.ID || latest.ResidentName != h.a.resident.Name || latest.ResidentPhone != "138****5678" ||
		latest.StaffName == "" || latest.Address == "" || latest.EstateID != h.a.estate.ID || latest.HouseholdID != h.a.household.ID {
		t.Errorf("latest reveal: got %+v, want resident %d (masked) with the staff member's name", latest, h.a.resident.ID)
	}
	byRef := map[string]bool{}
	for _, r := range log.Items {
		byRef[r.Ref] = true
	}
	if !byRef["ticket:"+string(models.RoleCustomerService)] || !byRef[""] {
		t.Errorf("refs: got %v, want the pages the reveals came from", byRef)
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/phone-reveals?estate_id=%d", h.b.estate.ID), h.tokens[models.RoleEstateManager], nil, &log), http.StatusOK)
	if log.Total != 0 {
		t.Errorf("estate B's log for estate A's manager: got %d reveals, want none", log.Total)
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/phone-reveals?estate_id=%d", h.b.estate.ID), h.tokens[models.RoleCompanyAdmin], nil, &log), http.StatusOK)
	if log.Total != 1 || log.Items[0].ResidentID != h.b.resident.ID {
		t.Errorf("estate B's log for the company admin: got %+v, want the reveal of resident %d", log.Items, h.b.resident.ID)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/phone-reveals", desk, nil, nil), http.StatusForbidden, codeForbidden, "")
}
