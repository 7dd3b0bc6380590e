package workflows

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// answered is the complaint's answer by the first receiver.
func answered(text string) TicketAction {
	a := act(ActAnswer, receiver, models.RoleCustomerService)
	a.Note = text
	return a
}

// resolved is the complaint's resolution by the first receiver.
func resolved() TicketAction {
	a := complete(receiver)
	a.ActorRole, a.ChargeFen, a.Materials = models.RoleCustomerService, 0, ""
	a.Summary = "施工方已调整作业时间"
	return a
}

// handled takes a complaint reported on 03-02 at 10:00 through to its
// return visit with score, and runs it.
func handled(h *harness, score int) {
	h.t.Helper()
	h.do(at(2, 10, 10), "acknowledge", act(ActAcknowledge, receiver, models.RoleCustomerService))
	h.do(at(2, 12, 0), "answer", answered("已处理。"))
	h.do(at(3, 9, 0), "resolve", resolved())
	h.do(at(3, 10, 0), "confirm", confirm(true))
	h.do(at(3, 11, 0), "visit", visit(score))
	h.run()
	h.wantOK("acknowledge", "answer", "resolve", "confirm", "visit")
}

// TestComplaintSpeaksAsAComplaint: the complainant hears 受理 (with the
// answer's deadline), 处理中, the answer's own text and 结案 (with the
// confirmation window), in that order; the return visit due and its record
// speak of the complaint.
func TestComplaintSpeaksAsAComplaint(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	const text = "已联系施工方，明日起22点后停止施工。"
	h.do(at(2, 10, 10), "acknowledge", act(ActAcknowledge, receiver, models.RoleCustomerService))
	h.do(at(2, 11, 0), "blank answer", answered("   "))
	h.do(at(2, 11, 1), "long answer", answered(strings.Repeat("长", models.MaxComplaintAnswer+1)))
	h.do(at(2, 12, 0), "answer", answered(text))
	h.do(at(3, 9, 0), "resolve", resolved())
	h.do(at(3, 10, 0), "confirm", byResident(resident, true))
	h.do(at(3, 11, 0), "visit", visit(4))
	res := h.run()
	h.wantOK("acknowledge", "answer", "resolve", "confirm", "visit")
	h.wantRefused("blank answer", ErrTypeInvalidInput, "note")
	h.wantRefused("long answer", ErrTypeInvalidInput, "note")

	wantLines(t, "messages to the resident", h.sendsOf("complaint_received", "complaint_in_progress", "complaint_answer",
		"complaint_closed", "ticket_received", "ticket_done_confirm", "technician_on_way"), []string{
		"03-02 10:00 complaint_received resident-3",
		"03-02 10:10 complaint_in_progress resident-3",
		"03-02 12:00 complaint_answer resident-3",
		"03-03 09:00 complaint_closed resident-3",
	})
	wantLines(t, "return visit due", h.sendsOf("complaint_return_visit_due", "return_visit_due"), []string{
		"03-03 10:00 complaint_return_visit_due staff-9",
	})
	for _, s := range h.sends {
		p := s.In.Params
		switch s.In.Template {
		case notify.TemplateComplaintReceived, notify.TemplateComplaintInProgress:
			if p["answer_by"] != "03-03 10:00" { // the policy's answer window: 24 hours
				t.Errorf("%s: got answer_by %q, want 03-03 10:00", s.In.Template, p["answer_by"])
			}
		case notify.TemplateComplaintAnswer:
			if p["answer"] != text {
				t.Errorf("answer: got %q, want the text recorded %q", p["answer"], text)
			}
		case notify.TemplateComplaintClosed:
			if want := strconv.FormatInt(at(3, 9, 0).Add(3*24*time.Hour).Unix(), 10); p["confirm_until"] != want || p["confirm_by"] == "" {
				t.Errorf("close: got params %v, want confirm_by and confirm_until %s", p, want)
			}
		}
		// Every resident message renders, in Chinese, as a complaint.
		if s.In.RecipientKind == models.RecipientResident {
			subject, body, err := notify.Render(s.In.Template, p)
			if err != nil || !strings.Contains(subject+body, "投诉") || strings.Contains(subject+body, "维修") {
				t.Errorf("%s: got %q %q, %v; want complaint wording", s.In.Template, subject, body, err)
			}
		}
	}
	for _, r := range h.records {
		if e := r.Event; e.Type == ActReturnVisit && e.Detail["visit_of"] != "complaint" {
			t.Errorf("return visit record: got detail %v, want visit_of complaint", e.Detail)
		}
	}
	if res.Status != models.StatusClosed || res.Score != 4 {
		t.Errorf("result: got %+v", res)
	}
}

// TestComplaintObjectionReopens: a complainant who objects to the close by
// the link hears that it is handled again, and the next close asks again.
func TestComplaintObjectionReopens(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	h.do(at(2, 10, 10), "acknowledge", act(ActAcknowledge, receiver, models.RoleCustomerService))
	h.do(at(2, 12, 0), "answer", answered("已处理。"))
	h.do(at(3, 9, 0), "resolve", resolved())
	h.do(at(3, 10, 0), "object", byResident(resident, false))
	h.do(at(3, 15, 0), "resolve again", resolved())
	h.do(at(3, 16, 0), "confirm", byResident(resident, true))
	h.do(at(3, 17, 0), "visit", visit(5))
	h.run()
	h.wantOK("acknowledge", "answer", "resolve", "object", "resolve again", "confirm", "visit")
	wantLines(t, "messages to the resident", h.sendsOf("complaint_in_progress", "complaint_closed"), []string{
		"03-02 10:10 complaint_in_progress resident-3",
		"03-03 09:00 complaint_closed resident-3",
		"03-03 10:00 complaint_in_progress resident-3",
		"03-03 15:00 complaint_closed resident-3",
	})
}

// ackThenCancel runs a complaint reported on 03-02 at 10:00, acknowledged
// at ack and cancelled at end.
func ackThenCancel(t *testing.T, ack, end time.Time) *harness {
	t.Helper()
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	h.do(ack, "acknowledge", act(ActAcknowledge, receiver, models.RoleCustomerService))
	h.do(end, "cancel", cancel())
	h.run()
	h.wantOK("acknowledge", "cancel")
	return h
}

// TestComplaintAcknowledgedAtOnce: acknowledged in the ticket's first
// workflow task (before the start has read the estate), the complainant
// still hears 受理 first and 处理中 with the estate's name.
func TestComplaintAcknowledgedAtOnce(t *testing.T) {
	h := ackThenCancel(t, at(2, 10, 0), at(2, 10, 1))
	wantLines(t, "messages to the resident", h.sendsOf("complaint_received", "complaint_in_progress"), []string{
		"03-02 10:00 complaint_received resident-3",
		"03-02 10:00 complaint_in_progress resident-3",
	})
	for _, s := range h.sends {
		if s.In.Template == notify.TemplateComplaintInProgress && s.In.Params["estate"] != "阳光花园" {
			t.Errorf("in progress: got estate %q, want 阳光花园", s.In.Params["estate"])
		}
	}
}

// TestComplaintLowScoreRecordSaysComplaint: the follow-up a low visit score
// opens names the complaint it came from.
func TestComplaintLowScoreRecordSaysComplaint(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	h.env.SetDetachedChildWait(false)
	handled(h, 1)
	if len(h.followUp) != 1 || !strings.HasPrefix(h.followUp[0].Description, "投诉12回访评分1分") {
		t.Errorf("follow-up: got %+v, want one described as 投诉12回访评分1分", h.followUp)
	}
}

// TestComplaintBeforeItsOwnMessages: a complaint started before
// changeComplaintMessages replays with the repair's wording and no answer
// message.
func TestComplaintBeforeItsOwnMessages(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	h.env.OnGetVersion(changeComplaintMessages, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	handled(h, 4)
	wantLines(t, "messages", h.sendsOf(), []string{
		"03-02 10:00 ticket_received resident-3",
		"03-03 09:00 ticket_done_confirm resident-3",
		"03-03 10:00 return_visit_due staff-9",
		"03-03 11:00 ticket_closed staff-9",
	})
}

// TestReporterContactIsAsked: a ticket reported by someone the desk
// recorded only by phone names that contact as its resident (see
// store.ReporterContact): they hear of the report, get the confirmation
// link, and the ticket waits for their answer rather than confirming itself.
func TestReporterContactIsAsked(t *testing.T) {
	const contact = uint64(88)
	in := ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0))
	in.HouseholdID, in.ResidentID = 0, contact
	h := newHarness(t, in)
	var waiting TicketView
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 10), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.query(at(4, 11, 0), &waiting)
	h.do(at(4, 12, 0), "confirm", byResident(contact, true))
	h.do(at(4, 13, 0), "visit", visit(5))
	h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "confirm", "visit")
	wantLines(t, "messages to the reporter", h.sendsOf("ticket_received", "technician_on_way", "ticket_done_confirm"), []string{
		"03-02 10:00 ticket_received resident-88",
		"03-02 10:02 technician_on_way resident-88",
		"03-02 11:00 ticket_done_confirm resident-88",
	})
	if waiting.Status != models.StatusCompleted {
		t.Errorf("two days on: got %s, want still completed, waiting for the reporter's answer", waiting.Status)
	}
	if len(h.events("auto_confirm")) != 0 {
		t.Errorf("events: got %v, want no auto_confirm", h.events())
	}
	if d := h.records[0].Event.Detail; d["contact"] != "" {
		t.Errorf("reported: got detail %v, want no contact note", d)
	}
}

// TestNoContactKeepsTodaysBehaviour: with nobody to reach, nothing goes to
// a resident, the timeline says so, and the work confirms itself when the
// window ends.
func TestNoContactKeepsTodaysBehaviour(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0))
	in.ResidentID = 0
	h := newHarness(t, in)
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 10), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.do(at(5, 12, 0), "visit", visit(5))
	h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "visit")
	for _, s := range h.sends {
		if s.In.RecipientKind == models.RecipientResident {
			t.Errorf("sent %s to a resident, want nothing without a contact", s.In.Template)
		}
	}
	if d := h.records[0].Event.Detail; d["contact"] != "none" {
		t.Errorf("reported: got detail %v, want contact none", d)
	}
	wantLines(t, "events", h.events("complete", "auto_confirm"), []string{
		"03-02 11:00 complete in_progress>completed",
		"03-05 11:00 auto_confirm completed>return_visit",
	})
}
