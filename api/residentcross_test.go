package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// foreignRecords are the records of every household but estate A's
// fixture household: estate A's second household (the payer) and all of
// estate B's.
type foreignRecords struct {
	tickets, bills []uint64
}

func (h *linkHarness) foreignRecords() foreignRecords {
	h.t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	// A ticket and a bill of the other household of estate A.
	tk := models.Ticket{EstateID: h.a.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
		Description: "漏水", HouseholdID: &h.a.payer.ID, Channel: models.ReportPhone, FirstReceiverID: h.a.staff.ID}
	tk, _, err := h.store.CreateTicket(ctx, all, &tk, "")
	h.must(err)
	bill, err := h.store.IssueBill(ctx, all, h.a.payer.ID, models.Month{Year: 2030, Month: 2}, 9000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	return foreignRecords{tickets: []uint64{tk.ID, h.b.ticket.ID}, bills: []uint64{bill.ID, h.b.bill.ID}}
}

// TestResidentLinksStayInTheirHousehold: a link acts on its own
// household's records only. No link can be issued about another
// household's ticket or bill, and no page takes another household's record
// from its form.
func TestResidentLinksStayInTheirHousehold(t *testing.T) {
	h := newLinkHarness(t)
	foreign := h.foreignRecords()
	tok := h.tokens[models.RoleCustomerService]
	issue := func(purpose models.LinkPurpose, subject uint64) {
		t.Helper()
		h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/links", h.a.resident.ID), tok,
			map[string]any{"purpose": purpose, "subject_id": subject}, nil), http.StatusBadRequest, codeInvalidInput, "subject_id")
	}
	for _, id := range foreign.tickets {
		issue(models.LinkConfirm, id)
		issue(models.LinkRate, id)
	}
	for _, id := range foreign.bills {
		issue(models.LinkDispute, id)
		issue(models.LinkPromise, id)
	}

	// Every page that takes a record from its form, with the field that
	// names it and the purpose of its link.
	pages := []struct {
		path    string
		purpose models.LinkPurpose
		field   string
		ids     []uint64
		form    url.Values
	}{
		{auth.DisputePath, models.LinkDispute, "bill_id", foreign.bills, url.Values{"reason": {"面积有误"}}},
	}
	for _, p := range pages {
		l := h.issue(h.a.resident.ID, p.purpose, 0, 0)
		for _, id := range p.ids {
			form := url.Values{}
			for k, v := range p.form {
				form[k] = v
			}
			form.Set(p.field, strconv.FormatUint(id, 10))
			code, body := h.page(p.path, h.links.LinkToken(l.ID), form)
			if code != http.StatusBadRequest || !strings.Contains(body, "此链接不能办理") {
				t.Errorf("%s with %s %d of another household: got %d %q, want 400 refused", p.path, p.field, id, code, body)
			}
		}
	}

}

// TestResidentLinkBillOfItsOwn: a link naming a bill acts on that bill
// only, even another of its own household.
func TestResidentLinkBillOfItsOwn(t *testing.T) {
	h := newLinkHarness(t)
	l := h.issue(h.a.resident.ID, models.LinkDispute, h.a.bill.ID, 0)
	code, body := h.page(auth.DisputePath, h.links.LinkToken(l.ID), url.Values{"bill_id": {"0"}, "reason": {"面积有误"}})
	wantPage(t, "no bill", code, body, http.StatusBadRequest, "此链接不能办理")
	other, err := h.store.IssueBill(context.Background(), store.AllEstates(), h.a.household.ID, models.Month{Year: 2030, Month: 3}, 9000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	code, body = h.page(auth.DisputePath, h.links.LinkToken(l.ID), url.Values{"bill_id": {strconv.FormatUint(other.ID, 10)}, "reason": {"面积有误"}})
	wantPage(t, "another bill", code, body, http.StatusBadRequest, "此链接不能办理")
}
