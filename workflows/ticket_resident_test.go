package workflows

import (
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// byResident is the resident's answer through the signed link.
func byResident(id uint64, ok bool) TicketAction {
	a := act(ActConfirm, id, ResidentLinkRole)
	a.Accepted = ok
	return a
}

func TestResidentConfirmsThroughTheLink(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 10), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 10, 30), "too early", byResident(resident, true))
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.do(at(2, 11, 10), "a note", act(ActNote, resident, ResidentLinkRole))
	h.do(at(2, 11, 20), "another resident", byResident(resident+100, true))
	h.do(at(2, 11, 30), "confirm", byResident(resident, true))
	h.do(at(2, 11, 40), "again", byResident(resident, true))
	h.do(at(2, 13, 0), "visit", visit(5))
	h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "confirm", "visit")
	h.wantRefused("too early", ErrTypeInvalidState, string(models.StatusInProgress))
	h.wantRefused("a note", ErrTypeForbidden, string(ResidentLinkRole))
	h.wantRefused("another resident", ErrTypeForbidden, string(ResidentLinkRole))
	h.wantRefused("again", ErrTypeInvalidState, string(models.StatusReturnVisit))

	var confirmUntil string
	for _, s := range h.sends {
		if s.In.Template == notify.TemplateTicketDoneConfirm {
			confirmUntil = s.In.Params["confirm_until"]
		}
	}
	if want := strconv.FormatInt(at(2, 11, 0).Add(3*24*time.Hour).Unix(), 10); confirmUntil != want {
		t.Errorf("confirm_until of ticket_done_confirm: got %q, want %s (the window's end)", confirmUntil, want)
	}
	for _, r := range h.records {
		if e := r.Event; e.Type == ActConfirm {
			if e.ActorID != nil || e.Detail["by"] != string(ResidentLinkRole) || e.Detail["resident_id"] != strconv.FormatUint(resident, 10) ||
				e.ToStatus != string(models.StatusReturnVisit) {
				t.Errorf("confirm event: got actor %v, detail %v, to %s; want no staff, the resident, return_visit", e.ActorID, e.Detail, e.ToStatus)
			}
		}
	}
}

// TestConfirmRequestBeforeTheLink: a ticket completed before the link
// existed replays without the window's end in its message.
func TestConfirmRequestBeforeTheLink(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.env.OnGetVersion(changeResidentConfirmLink, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 10), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.do(at(2, 12, 0), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "cancel")
	for _, s := range h.sends {
		if _, ok := s.In.Params["confirm_until"]; ok && s.In.Template == notify.TemplateTicketDoneConfirm {
			t.Errorf("ticket_done_confirm before the change: got params %v, want no confirm_until", s.In.Params)
		}
	}
}

// ratedByResident is the resident's rating through their link.
func ratedByResident(id uint64, score int) TicketAction {
	a := act(ActReturnVisit, id, ResidentLinkRole)
	a.Score, a.Comments = score, "修得不彻底"
	return a
}

// TestResidentRatesThroughTheLink: the resident's rating is the return
// visit, only for their own ticket, only once it awaits the visit and with a
// score of 1 to 5; a low score opens the follow-up complaint as a staff
// visit's would.
func TestResidentRatesThroughTheLink(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.env.SetDetachedChildWait(false)
	worked(h, 2)
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.do(at(2, 11, 10), "too early", ratedByResident(resident, 4))
	h.do(at(2, 11, 30), "confirm", byResident(resident, true))
	h.do(at(2, 11, 40), "another resident", ratedByResident(resident+100, 4))
	h.do(at(2, 11, 50), "no score", ratedByResident(resident, 0))
	h.do(at(2, 12, 0), "rate", ratedByResident(resident, 1))
	h.do(at(2, 12, 10), "again", ratedByResident(resident, 5))
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "confirm", "rate")
	h.wantRefused("too early", ErrTypeInvalidState, string(models.StatusCompleted))
	h.wantRefused("another resident", ErrTypeForbidden, string(ResidentLinkRole))
	h.wantRefused("no score", ErrTypeInvalidInput, "score")
	if res.Score != 1 || res.FollowUpID == 0 || len(h.followUp) != 1 {
		t.Errorf("result: got %+v and follow-ups %+v, want score 1 and the low score's complaint", res, h.followUp)
	}
	for _, r := range h.records {
		if e := r.Event; e.Type == ActReturnVisit && (e.ActorID != nil || e.Detail["by"] != string(ResidentLinkRole) || e.Detail["score"] != "1") {
			t.Errorf("return visit event: got actor %v, detail %v; want the resident's score 1", e.ActorID, e.Detail)
		}
	}
}
