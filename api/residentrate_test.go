package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// residentTicket is a repair ticket of estate A's resident.
func (h *linkHarness) residentTicket() models.Ticket {
	h.t.Helper()
	tk := models.Ticket{EstateID: h.a.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
		Description: "漏水", HouseholdID: &h.a.household.ID, ResidentID: &h.a.resident.ID, Channel: models.ReportPhone, FirstReceiverID: h.a.staff.ID}
	tk, _, err := h.store.CreateTicket(context.Background(), store.AllEstates(), &tk, "")
	h.must(err)
	return tk
}

// setResidentRating turns residents' rating on or off in estate A.
func (h *linkHarness) setResidentRating(on bool) {
	h.t.Helper()
	ctx := context.Background()
	p, err := h.store.Policy(ctx, store.AllEstates(), h.a.estate.ID)
	h.must(err)
	p.Policy.Repair.ResidentRating = on
	_, err = h.store.SetPolicy(ctx, store.AllEstates(), h.a.estate.ID, p.Version, p.Policy, nil)
	h.must(err)
}

// TestResidentRatesByLink: the rate link's page asks for 1 to 5 stars and
// a comment while the repair awaits its return visit; the rating goes to
// the process as the resident's return visit under the link's update ID,
// after which the link is used. A repair not yet confirmed, or an estate
// that does not let residents rate, gets its page and 409.
func TestResidentRatesByLink(t *testing.T) {
	h := newLinkHarness(t)
	tk := h.residentTicket()
	l := h.issue(h.a.resident.ID, models.LinkRate, tk.ID, 0)
	token := h.links.LinkToken(l.ID)

	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusCompleted})
	code, body := h.page(auth.RatePath, token, nil)
	wantPage(t, "not confirmed yet", code, body, http.StatusConflict, "请先确认维修完成")

	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusReturnVisit})
	code, body = h.page(auth.RatePath, token, nil)
	wantPage(t, "open", code, body, http.StatusOK, "非常满意")
	if !strings.Contains(body, `name="comments"`) || !strings.Contains(body, fmt.Sprintf("工单号%d", tk.ID)) {
		t.Errorf("open: got %q, want the stars, the comment box and the ticket number", body)
	}

	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusReturnVisit})
	code, body = h.page(auth.RatePath, token, url.Values{"comments": {"还行"}})
	wantPage(t, "no score", code, body, http.StatusBadRequest, "请选择评分")
	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusReturnVisit})
	code, body = h.page(auth.RatePath, token, url.Values{"score": {"6"}})
	wantPage(t, "score 6", code, body, http.StatusBadRequest, "1 到 5 星")

	u := h.expectUpdate()
	h.ticketState(tk.ID, workflows.TicketView{Status: models.StatusReturnVisit})
	code, body = h.page(auth.RatePath, token, url.Values{"score": {"2"}, "comments": {"师傅迟到了"}})
	wantPage(t, "rate", code, body, http.StatusOK, "客服人员会尽快与您联系")
	if a, ok := u.opts.Args[0].(workflows.TicketAction); !ok || a.Action != workflows.ActReturnVisit || a.Score != 2 || a.Comments != "师傅迟到了" ||
		a.ActorRole != workflows.ResidentLinkRole || a.ActorID != h.a.resident.ID || u.opts.UpdateID != fmt.Sprintf("resident-link-r%d", l.ID) {
		t.Errorf("rate: got update %+v, want the resident's return visit of 2 under the link's ID", u.opts)
	}
	code, body = h.page(auth.RatePath, token, url.Values{"score": {"5"}})
	wantPage(t, "again", code, body, http.StatusConflict, "已处理")

	h.setResidentRating(false)
	off := h.issue(h.a.resident.ID, models.LinkRate, tk.ID, 0)
	code, body = h.page(auth.RatePath, h.links.LinkToken(off.ID), nil)
	wantPage(t, "rating off", code, body, http.StatusConflict, "暂未开放在线评价")
	h.tc.AssertExpectations(t)
}

// TestResidentConfirmsAndRates: with rating open, the confirmation page
// offers the stars; an acceptance with a score is the confirm and then the
// return visit, each under its own update ID. With rating off the page
// offers none and a score sent anyway is not sent on.
func TestResidentConfirmsAndRates(t *testing.T) {
	h := newLinkHarness(t)
	tk := h.residentTicket()
	until := h.now.Add(72 * time.Hour)
	completed := workflows.TicketView{Status: models.StatusCompleted, ConfirmBy: &until}
	l := h.issue(h.a.resident.ID, models.LinkConfirm, tk.ID, 0)
	token := h.links.LinkToken(l.ID)

	h.ticketState(tk.ID, completed)
	code, body := h.page(auth.ConfirmPath, token, nil)
	wantPage(t, "open", code, body, http.StatusOK, "确认完成并提交评价")
	if !strings.Contains(body, `name="score"`) || strings.Contains(body, "required") {
		t.Errorf("open: got %q, want optional stars", body)
	}
	confirm, visit := h.expectUpdate(), h.expectUpdate()
	h.ticketState(tk.ID, completed)
	code, body = h.page(auth.ConfirmPath, token, url.Values{"accepted": {"true"}, "score": {"5"}, "comments": {"很好"}})
	wantPage(t, "confirm and rate", code, body, http.StatusOK, "已确认维修完成。您的评价已提交")
	if a, _ := confirm.opts.Args[0].(workflows.TicketAction); a.Action != workflows.ActConfirm || !a.Accepted || confirm.opts.UpdateID != fmt.Sprintf("resident-link-r%d", l.ID) {
		t.Errorf("confirm: got %+v, want the acceptance under the link's ID", confirm.opts)
	}
	if a, _ := visit.opts.Args[0].(workflows.TicketAction); a.Action != workflows.ActReturnVisit || a.Score != 5 || a.Comments != "很好" ||
		a.ActorID != h.a.resident.ID || visit.opts.UpdateID != fmt.Sprintf("resident-link-r%d-rate", l.ID) {
		t.Errorf("rating: got %+v, want the return visit of 5 under the link's ID and -rate", visit.opts)
	}

	h.setResidentRating(false)
	off := h.issue(h.a.resident.ID, models.LinkConfirm, tk.ID, 0)
	h.ticketState(tk.ID, completed)
	code, body = h.page(auth.ConfirmPath, h.links.LinkToken(off.ID), nil)
	wantPage(t, "rating off", code, body, http.StatusOK, "确认完成")
	if strings.Contains(body, `name="score"`) {
		t.Errorf("rating off: got %q, want no stars", body)
	}
	h.expectUpdate()
	h.ticketState(tk.ID, completed)
	code, body = h.page(auth.ConfirmPath, h.links.LinkToken(off.ID), url.Values{"accepted": {"true"}, "score": {"1"}})
	wantPage(t, "score sent anyway", code, body, http.StatusOK, "感谢您的确认")
	h.tc.AssertExpectations(t)
}
