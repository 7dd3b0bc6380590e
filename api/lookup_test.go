package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func (h *harness) lookup(role models.Role, q string) lookupAnswer {
	h.t.Helper()
	var out lookupAnswer
	h.wantStatus(h.do(http.MethodGet, "/api/v1/lookup?q="+url.QueryEscape(q), h.tokens[role], nil, &out), http.StatusOK)
	return out
}

// TestLookupHousehold: customer service finds the household by phone or
// room, with its owner, open ticket, follow-up and what it owes as the
// arrears answer says.
func TestLookupHousehold(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	fees := models.DefaultPolicy().Fees
	_, err := h.store.IssueBill(context.Background(), store.AllEstates(), h.a.household.ID, models.Month{Year: 2025, Month: 1}, 30000, fees, nil)
	h.must(err)
	// What the arrears answer says it owes (the arrears route itself needs
	// Temporal, which this harness does not start).
	l, err := h.store.HouseholdLedger(context.Background(), store.AllEstates(), h.a.household.ID)
	h.must(err)
	loc, err := time.LoadLocation(h.a.estate.TimeZone)
	h.must(err)
	bills, pays := l.Arith()
	owed := models.Statement(bills, pays, models.DateOf(time.Now(), loc), fees).Total
	if owed < 30000 {
		t.Fatalf("owed: got %d, want at least the 30000 billed", owed)
	}

	for _, q := range []string{"13812345678", "+86 138-1234-5678", "1栋101", "1号楼101", "1-101", "业主"} {
		got := h.lookup(models.RoleCustomerService, q)
		if len(got.Households) != 1 {
			t.Errorf("%q: got %d households, want only estate A's", q, len(got.Households))
			continue
		}
		hh := got.Households[0]
		if hh.ID != h.a.household.ID || hh.Address != "1栋 101" {
			t.Errorf("%q: got household %d at %q, want %d at 1栋 101", q, hh.ID, hh.Address, h.a.household.ID)
		}
		if len(hh.Residents) != 1 || hh.Residents[0].Name != "业主A" || hh.Residents[0].Phone != "138****5678" {
			t.Errorf("%q: got residents %+v, want 业主A with the phone masked", q, hh.Residents)
		}
		if !slices.ContainsFunc(hh.OpenTickets, func(tk lookupTicket) bool { return tk.ID == h.a.ticket.ID && tk.Summary == "漏水" }) {
			t.Errorf("%q: got open tickets %+v, want ticket %d 漏水", q, hh.OpenTickets, h.a.ticket.ID)
		}
		if len(hh.FollowUps) != 1 || hh.FollowUps[0].ID != h.a.followUp.ID {
			t.Errorf("%q: got %d follow-ups, want follow-up %d", q, len(hh.FollowUps), h.a.followUp.ID)
		}
		if hh.OwedFen != owed {
			t.Errorf("%q: got owed %d, want the arrears total %d", q, hh.OwedFen, owed)
		}
		if want := fmt.Sprintf("#/arrears/%d", h.a.household.ID); hh.Link != want {
			t.Errorf("%q: got link %q, want %q", q, hh.Link, want)
		}
	}
}

// TestLookupPhoneOnlyForPhoneRoles: like the resident list, a whole number
// finds a household only for the roles that may reveal phones; the others
// find it by room. The phone is masked for every role.
func TestLookupPhoneOnlyForPhoneRoles(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	for _, role := range models.Roles() {
		byPhone := h.lookup(role, "13812345678")
		if want := slices.Contains(phoneRoles, role); (len(byPhone.Households) > 0) != want || byPhone.PhoneSearched != want {
			t.Errorf("phone as %s: got %d households (phone searched %v), want found=%v", role, len(byPhone.Households), byPhone.PhoneSearched, want)
		}
		byRoom := h.lookup(role, "1栋101")
		if len(byRoom.Households) == 0 || len(byRoom.Households[0].Residents) == 0 {
			t.Errorf("room as %s: got %+v, want the household with its resident", role, byRoom.Households)
			continue
		}
		r := byRoom.Households[0].Residents[0]
		if r.Phone != "138****5678" || !r.PhoneMasked {
			t.Errorf("room as %s: got phone %q (masked %v), want it masked", role, r.Phone, r.PhoneMasked)
		}
	}
}

// TestLookupTicket: a ticket number finds a ticket of the caller's estates
// only.
func TestLookupTicket(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	for _, q := range []string{fmt.Sprintf("#%d", h.a.ticket.ID), fmt.Sprintf("工单%d", h.a.ticket.ID), fmt.Sprint(h.a.ticket.ID)} {
		got := h.lookup(models.RoleCustomerService, q)
		if got.Ticket == nil || got.Ticket.ID != h.a.ticket.ID || got.Ticket.Status != h.a.ticket.Status {
			t.Errorf("%q: got ticket %+v, want ticket %d", q, got.Ticket, h.a.ticket.ID)
		}
		if !slices.Contains(got.Kinds, models.LookupTicket) {
			t.Errorf("%q: got kinds %v, want ticket among them", q, got.Kinds)
		}
	}
	if got := h.lookup(models.RoleCustomerService, fmt.Sprintf("#%d", h.b.ticket.ID)); got.Ticket != nil {
		t.Errorf("estate B's ticket from A: got %+v, want none", got.Ticket)
	}
	if got := h.lookup(models.RoleCustomerService, "#99999"); got.Ticket != nil || len(got.Households) != 0 {
		t.Errorf("unknown ticket: got %+v, want nothing", got)
	}
}

func TestLookupRefusesEmptyOrLongQuery(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleCustomerService]
	for _, q := range []string{"", "%20%20", url.QueryEscape(strings.Repeat("张", maxLookupQuery+1))} {
		h.wantError(h.do(http.MethodGet, "/api/v1/lookup?q="+q, tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "q")
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/lookup?q="+url.QueryEscape(strings.Repeat("张", maxLookupQuery)), tok, nil, nil), http.StatusOK)
}
