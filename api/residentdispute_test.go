package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// TestResidentDisputesByLink: the dispute link lists the household's unpaid
// bills, each with the form inside its dispute window or why not after it;
// a dispute is recorded as staff's are (the resident as no staff member)
// and nudges the collection process; the link is then used.
func TestResidentDisputesByLink(t *testing.T) {
	h := newLinkHarness(t)
	*h.now = time.Now()
	r := h.payerResident()
	ctx := context.Background()
	future, err := h.store.IssueBill(ctx, store.AllEstates(), h.a.payer.ID, models.Month{Year: 2031, Month: 6}, 8000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	l := h.issue(r.ID, models.LinkDispute, 0, 0)
	token := h.links.LinkToken(l.ID)

	code, body := h.page(auth.DisputePath, token, nil)
	wantPage(t, "open", code, body, http.StatusOK, "已过异议期限")
	if strings.Count(body, `name="bill_id"`) != 1 || !strings.Contains(body, `value="`+strconv.FormatUint(future.ID, 10)+`"`) {
		t.Errorf("open: got %q, want one form, for the future bill", body)
	}
	code, body = h.page(auth.DisputePath, token, url.Values{"bill_id": {strconv.FormatUint(future.ID, 10)}, "reason": {" "}})
	wantPage(t, "no reason", code, body, http.StatusBadRequest, "请填写异议原因")

	nudge := h.expectNudge(h.a.payer.ID)
	code, body = h.page(auth.DisputePath, token, url.Values{"bill_id": {strconv.FormatUint(future.ID, 10)}, "reason": {"面积有误"}})
	wantPage(t, "dispute", code, body, http.StatusOK, "暂停催缴")
	ds, err := h.store.Disputes(ctx, store.AllEstates(), h.a.payer.ID)
	h.must(err)
	if len(ds) != 1 || ds[0].BillID != future.ID || ds[0].Reason != "面积有误" || ds[0].OpenedBy != 0 || ds[0].Status != models.DisputeOpen {
		t.Errorf("disputes: got %+v, want the resident's open dispute of bill %d", ds, future.ID)
	}
	if nudge.Kind != workflows.NudgeDispute || len(ds) == 0 || nudge.Ref != ds[0].ID || nudge.ActorID != 0 {
		t.Errorf("nudge: got %+v, want the dispute's, by no staff member", nudge)
	}
	code, body = h.page(auth.DisputePath, token, nil)
	wantPage(t, "again", code, body, http.StatusConflict, "已处理")

	// Past the window: the page says why, and a forged post gets 409.
	late := h.issue(r.ID, models.LinkDispute, 0, 0)
	st, err := h.store.HouseholdLedger(ctx, store.AllEstates(), h.a.payer.ID)
	h.must(err)
	code, body = h.page(auth.DisputePath, h.links.LinkToken(late.ID), url.Values{"bill_id": {strconv.FormatUint(st.Bills[0].ID, 10)}, "reason": {"太贵"}})
	wantPage(t, "past the window", code, body, http.StatusConflict, "异议须在到期日")
	h.tc.AssertExpectations(t)
}
