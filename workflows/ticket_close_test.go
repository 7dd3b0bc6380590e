package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// worked dispatches, accepts, contacts and arrives at 10:01, 10:02, 10:03
// and 10:10.
func worked(h *harness, day int) {
	h.do(at(day, 10, 1), "dispatch", dispatch(tech))
	h.do(at(day, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(day, 10, 3), "contact", act(ActContact, receiver, models.RoleCustomerService))
	h.do(at(day, 10, 10), "arrive", act(ActArrive, tech, models.RoleTechnician))
}

// rejectedTwice: the ticket is worked on day 2, completed at 11:00 and
// 13:00, and rejected at 12:00 and 14:00.
func rejectedTwice(h *harness) {
	worked(h, 2)
	h.do(at(2, 11, 0), "complete 1", complete(tech))
	h.do(at(2, 12, 0), "reject 1", confirm(false))
	h.do(at(2, 13, 0), "complete 2", complete(tech))
	h.do(at(2, 14, 0), "reject 2", confirm(false))
}

func TestRejectionReopensForRework(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0))
	in.Policy.Repair.MaxReopens = 1
	h := newHarness(t, in)
	rejectedTwice(h)
	var v TicketView
	h.query(at(2, 12, 1), &v)
	h.do(at(2, 15, 0), "complete 3", complete(tech))
	h.do(at(2, 16, 0), "confirm", confirm(true))
	h.do(at(2, 17, 0), "visit", visit(4))
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete 1", "reject 1", "complete 2", "reject 2", "complete 3", "confirm", "visit")

	if v.Status != models.StatusInProgress || v.ReopenCount != 1 || v.AssigneeID != tech || len(v.Deadlines) != 4 {
		t.Fatalf("after the first rejection: got %s, reopens %d, assignee %d, %d deadlines", v.Status, v.ReopenCount, v.AssigneeID, len(v.Deadlines))
	}
	if d := v.Deadlines[3]; d.Milestone != models.MilestoneComplete || d.Round != 1 || d.Done || !d.Due.Equal(at(2, 20, 0)) {
		t.Errorf("rework deadline: got %+v, want complete round 1 due 20:00 (8h from the reopen)", d)
	}
	if !v.Deadlines[2].Done {
		t.Errorf("first completion: got %+v, want done", v.Deadlines[2])
	}
	// The second rejection is more than MaxReopens (1): it escalates.
	wantLines(t, "events", h.events("confirm", "escalation"), []string{
		"03-02 12:00 confirm completed>in_progress",
		"03-02 14:00 confirm completed>in_progress",
		"03-02 14:00 escalation in_progress>in_progress reopen-2 L1 [9,21]",
		"03-02 16:00 confirm completed>return_visit",
	})
	wantLines(t, "rework messages", h.sendsOf("ticket_assigned"), []string{
		"03-02 10:01 ticket_assigned staff-5", "03-02 10:01 ticket_assigned staff-9",
		"03-02 12:00 ticket_assigned staff-5", "03-02 12:00 ticket_assigned staff-9",
		"03-02 14:00 ticket_assigned staff-5", "03-02 14:00 ticket_assigned staff-9",
	})
	if res.ReopenCount != 2 || res.EscalationLevel != 1 || res.Status != models.StatusClosed || res.Score != 4 || res.FollowUpID != 0 {
		t.Errorf("result: got %+v, want closed, 2 reopens, level 1, score 4, no follow-up", res)
	}
}

func TestAutoConfirmThenMissedReturnVisit(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0))
	in.ResidentID = 0 // reported for a common area: no resident to message
	h := newHarness(t, in)
	worked(h, 2)
	h.do(at(2, 11, 0), "complete", complete(tech))
	var v TicketView
	h.query(at(5, 11, 1), &v)
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete")

	wantLines(t, "events", h.events("complete", "auto_confirm", "return_visit_missed"), []string{
		"03-02 11:00 complete in_progress>completed",
		"03-05 11:00 auto_confirm completed>return_visit",
		"03-12 11:00 return_visit_missed return_visit>closed",
	})
	wantLines(t, "messages", h.sendsOf(), []string{
		"03-02 10:01 ticket_assigned staff-5", "03-02 10:01 ticket_assigned staff-9",
		"03-02 11:00 ticket_completed staff-9",
		"03-05 11:00 return_visit_due staff-9",
		"03-12 11:00 ticket_closed staff-9", "03-12 11:00 ticket_closed staff-5",
	})
	if v.Status != models.StatusReturnVisit || !v.ReturnVisitBy.Equal(at(12, 11, 0)) {
		t.Errorf("after auto-confirmation: got %s, visit by %v", v.Status, v.ReturnVisitBy)
	}
	if res.Status != models.StatusClosed || !res.VisitMissed || !res.ClosedAt.Equal(at(12, 11, 0)) {
		t.Errorf("result: got %+v, want closed at 03-12 11:00 with the visit missed", res)
	}
	for _, r := range h.records {
		if r.Event.Type == "auto_confirm" && (r.Progress.NextDueKind != models.MilestoneReturnVisit || !r.Progress.NextDueAt.Equal(at(12, 11, 0))) {
			t.Errorf("read model after auto-confirmation: got next due %s at %v", r.Progress.NextDueKind, r.Progress.NextDueAt)
		}
	}
}

func TestLowScoreOpensAFollowUpComplaint(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	// The complaint runs as a real child; the parent does not wait for it.
	h.env.SetDetachedChildWait(false)
	var child TicketInput
	var childID string
	h.env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		childID = info.WorkflowExecution.ID
		if err := args.Get(&child); err != nil {
			t.Errorf("child input: %v", err)
		}
	})
	worked(h, 2)
	h.do(at(2, 11, 0), "complete", complete(tech))
	h.do(at(2, 12, 0), "confirm", confirm(true))
	h.do(at(2, 13, 0), "visit", visit(1))
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "confirm", "visit")

	if len(h.followUp) != 1 || h.followUp[0].Key != "lowscore-12" || h.followUp[0].ParentID != 12 {
		t.Fatalf("follow-up: got %+v, want one with key lowscore-12", h.followUp)
	}
	if childID != "ticket-77" || child.Kind != models.TicketComplaint || child.ParentTicketID != 12 || child.FirstReceiverID != receiver {
		t.Errorf("child: got id %q, input %+v; want ticket-77, a complaint of ticket 12 owned by %d", childID, child, receiver)
	}
	if res.FollowUpID != 77 || res.Score != 1 {
		t.Errorf("result: got %+v, want follow-up 77 and score 1", res)
	}
	// The complaint goes on after the parent ends: look at ticket 12 alone,
	// and no longer at what the child writes.
	h.freeze(12)
	wantLines(t, "events", h.events("return_visit", "follow_up_opened"), []string{
		"03-02 13:00 return_visit return_visit>closed",
		"03-02 13:00 follow_up_opened closed>closed",
	})
	if p := h.last().Progress; p.FollowUpID == nil || *p.FollowUpID != 77 {
		t.Errorf("read model: got follow-up %v, want 77", p.FollowUpID)
	}
}

func TestCancelClosesAtOnce(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 10, 0)))
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "cancel", cancel())
	res := h.run()
	h.wantOK("dispatch", "cancel")
	if res.Status != models.StatusCancelled || !res.ClosedAt.Equal(at(2, 10, 2)) {
		t.Errorf("result: got %+v, want cancelled at 10:02", res)
	}
	if got := h.env.Now().In(shanghai); !got.Equal(at(2, 10, 2)) {
		t.Errorf("workflow ended at %s, want 10:02 (no timer left running)", got)
	}
	if e := h.last().Event; e.Detail["reason"] != "业主撤销" || *e.ActorID != supervisor {
		t.Errorf("cancel event: got %+v", e)
	}
}

func TestComplaintAcknowledgeAnswerResolve(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	var start TicketView
	h.query(at(2, 10, 0).Add(time.Second), &start)
	h.do(at(2, 10, 5), "ack by technician", act(ActAcknowledge, tech, models.RoleTechnician))
	answer := act(ActAnswer, receiver, models.RoleCustomerService)
	answer.Note = "已联系施工方，明日起22点后停止施工"
	h.do(at(2, 10, 6), "answer too early", answer)
	h.do(at(2, 10, 10), "acknowledge", act(ActAcknowledge, receiver, models.RoleCustomerService))
	h.do(at(2, 10, 11), "arrive on a complaint", act(ActArrive, receiver, models.RoleCustomerService))
	h.do(at(2, 12, 0), "answer", answer)
	resolve := complete(receiver)
	resolve.ActorRole, resolve.ChargeFen = models.RoleCustomerService, 0
	h.do(at(3, 9, 0), "resolve", resolve)
	h.do(at(3, 10, 0), "confirm", confirm(true))
	h.do(at(3, 11, 0), "visit", visit(4))
	res := h.run()
	h.wantOK("acknowledge", "answer", "resolve", "confirm", "visit")
	h.wantRefused("ack by technician", ErrTypeForbidden, "technician")
	h.wantRefused("answer too early", ErrTypeInvalidState, "new")
	h.wantRefused("arrive on a complaint", ErrTypeInvalidInput, "action")

	want := []struct {
		m   models.Milestone
		due time.Time
	}{{models.MilestoneAcknowledge, at(2, 10, 30)}, {models.MilestoneAnswer, at(3, 10, 0)}, {models.MilestoneResolve, at(5, 10, 0)}}
	for i, w := range want {
		if d := start.Deadlines[i]; d.Milestone != w.m || !d.Due.Equal(w.due) {
			t.Errorf("deadline %d: got %s %s, want %s %s", i, d.Milestone, d.Due.In(shanghai), w.m, w.due)
		}
	}
	if start.AssigneeID != receiver {
		t.Errorf("owner: got %d, want the first receiver %d", start.AssigneeID, receiver)
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 10:00 reported >new",
		"03-02 10:10 acknowledge new>acknowledged",
		"03-02 12:00 answer acknowledged>answered",
		"03-03 09:00 complete answered>completed",
		"03-03 10:00 confirm completed>return_visit",
		"03-03 11:00 return_visit return_visit>closed",
	})
	wantLines(t, "resident messages", h.sendsOf("complaint_received", "complaint_in_progress", "complaint_answer", "complaint_closed",
		"ticket_received", "ticket_done_confirm"), []string{
		"03-02 10:00 complaint_received resident-3",
		"03-02 10:10 complaint_in_progress resident-3",
		"03-02 12:00 complaint_answer resident-3",
		"03-03 09:00 complaint_closed resident-3",
	})
	if res.Status != models.StatusClosed || res.EscalationLevel != 0 {
		t.Errorf("result: got %+v", res)
	}
}

func TestComplaintEscalatesWhenNotAcknowledged(t *testing.T) {
	h := ackThenCancel(t, at(2, 11, 0), at(2, 11, 30))
	wantLines(t, "events", h.events("warning", "escalation"), []string{
		"03-02 10:24 warning new>new acknowledge L [9]",
		"03-02 10:30 escalation new>new acknowledge L1 [9,21]",
		"03-02 11:00 escalation new>new acknowledge L2 [9,31]",
	})
}
