package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// TestResidentPromisesByLink: the promise link shows what the household
// owes and the dates it may choose; a date out of range gets a clear
// Chinese message (400); a good one goes to the household's open case as
// the resident's promise under the link's update ID, after which the link
// is used; a household with no open case is told so (409).
func TestResidentPromisesByLink(t *testing.T) {
	h := newLinkHarness(t)
	*h.now = time.Now()
	r := h.payerResident()
	l := h.issue(r.ID, models.LinkPromise, 0, 0)
	token := h.links.LinkToken(l.ID)
	today := models.DateOf(*h.now, time.FixedZone("CST", 8*3600))

	code, body := h.page(auth.PromisePath, token, nil)
	wantPage(t, "open", code, body, http.StatusOK, `max="`+today.AddDays(workflows.MaxPromiseDays).String()+`"`)
	for _, bad := range []string{today.AddDays(-1).String(), today.AddDays(workflows.MaxPromiseDays + 1).String(), "明天"} {
		code, body = h.page(auth.PromisePath, token, url.Values{"promised_on": {bad}})
		wantPage(t, "date "+bad, code, body, http.StatusBadRequest, "承诺缴费日期须在")
	}
	// No open case: the payer's arrears are not in collection.
	code, body = h.page(auth.PromisePath, token, url.Values{"promised_on": {today.AddDays(10).String()}})
	wantPage(t, "no case", code, body, http.StatusConflict, "请联系物业服务中心")

	// Estate A's fixture household has an open case and an overdue bill.
	_, err := h.store.IssueBill(context.Background(), store.AllEstates(), h.a.household.ID, models.Month{Year: 2026, Month: 1}, 20000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	l = h.issue(h.a.resident.ID, models.LinkPromise, 0, 0)
	token = h.links.LinkToken(l.ID)
	u := h.expectUpdate()
	code, body = h.page(auth.PromisePath, token, url.Values{"promised_on": {today.AddDays(10).String()}})
	wantPage(t, "promise", code, body, http.StatusOK, "承诺期内暂停催缴")
	if a, ok := u.opts.Args[0].(workflows.CaseAction); !ok || a.Action != workflows.ActPromise || a.PromisedOn != today.AddDays(10) ||
		a.ActorRole != workflows.ResidentLinkRole || a.ActorID != h.a.resident.ID ||
		u.opts.WorkflowID != workflows.CollectionWorkflowID(h.a.household.ID) || u.opts.UpdateID != fmt.Sprintf("resident-link-r%d", l.ID) {
		t.Errorf("promise: got update %+v, want the resident's promise on the household's case", u.opts)
	}
	code, body = h.page(auth.PromisePath, token, nil)
	wantPage(t, "again", code, body, http.StatusConflict, "已处理")
	h.tc.AssertExpectations(t)
}
