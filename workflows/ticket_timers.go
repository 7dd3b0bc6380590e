package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// started records the report and tells the resident it was received.
func (s *ticketState) started(ctx workflow.Context) {
	now := workflow.Now(ctx)
	s.loadEstate(ctx)
	detail := map[string]string{"kind": string(s.in.Kind), "urgency": string(s.in.Urgency)}
	for _, d := range s.deadlines {
		detail["due_"+string(d.Milestone)] = d.Due.Format(time.RFC3339)
	}
	rec := s.snapshot(ctx, now, "reported", s.in.FirstReceiverID, "", detail)
	s.write(ctx, rec)
	s.tellResident(ctx, "ticket_received", s.key(rec.Progress.Revision, "ticket_received", "resident", s.in.ResidentID),
		map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "service_phone": s.servicePhone})
}

// fire acts on timer t, due at now (see fireDue).
func (s *ticketState) fire(ctx workflow.Context, now time.Time, t timer) {
	switch t.kind {
	case timerWarn:
		s.warn(ctx, now, t.dl)
	case timerEscalate:
		d := t.dl
		d.Level, d.EscalateAt = climb(s.in.Policy.Escalation, d.Level, d.EscalateAt)
		s.level = max(s.level, d.Level)
		s.escalate(ctx, now, d.name(), d.Level, d.Due)
	case timerConfirm:
		from := s.status
		s.confirmed(now)
		rec := s.snapshot(ctx, now, "auto_confirm", 0, from, map[string]string{})
		s.write(ctx, rec)
		s.visitDue(ctx, rec.Progress.Revision)
	case timerVisit:
		from := s.status
		s.visitMissed = true
		s.close(now, models.StatusClosed)
		rec := s.snapshot(ctx, now, "return_visit_missed", 0, from, map[string]string{})
		s.write(ctx, rec)
		s.closedNotice("return visit missed")(ctx, rec.Progress.Revision)
	}
}

// warn tells the assignee (or the first receiver) that d is near.
func (s *ticketState) warn(ctx workflow.Context, now time.Time, d *deadline) {
	d.Warned = true
	to := s.assignee
	if to == 0 {
		to = s.in.FirstReceiverID
	}
	rec := s.snapshot(ctx, now, "warning", 0, s.status, map[string]string{
		"milestone": d.name(), "due": d.Due.Format(time.RFC3339), "notified": strconv.FormatUint(to, 10),
	})
	s.write(ctx, rec)
	s.notifyStaff(ctx, to, "sla_warning", fmt.Sprintf("%s/warn/%s/staff-%d", s.wfID(), d.name(), to),
		map[string]string{"ticket_no": s.ticketNo(), "stage": d.Milestone.Label(), "due": s.clock(d.Due)})
}

// escalate notifies every active staff member with the role of level, and
// the first receiver, that the ticket reached it for what (a deadline's
// name, or "reopen-n"), and records who was told.
func (s *ticketState) escalate(ctx workflow.Context, now time.Time, what string, level int, due time.Time) {
	role := s.in.Policy.Escalation.Levels[level-1].Role
	detail := map[string]string{"milestone": what, "level": strconv.Itoa(level), "role": string(role)}
	if !due.IsZero() {
		detail["due"] = due.Format(time.RFC3339)
	}
	rec := s.snapshot(ctx, now, "escalation", 0, s.status, detail)
	ids := s.escalationList(ctx, role, s.in.FirstReceiverID)
	detail["notified"] = idList(ids) // rec holds detail: written below
	s.write(ctx, rec)

	stage := "返工次数"
	if !due.IsZero() {
		stage = models.Milestone(strings.SplitN(what, "-r", 2)[0]).Label()
	}
	for _, id := range ids {
		s.notifyStaff(ctx, id, "escalation", fmt.Sprintf("%s/escalate/%s/%d/staff-%d", s.wfID(), what, level, id),
			map[string]string{"ticket_no": s.ticketNo(), "summary": s.in.Category, "stage": stage,
				"due": s.clock(due), "level": strconv.Itoa(level)})
	}
}

// finish opens the follow-up complaint of a low return-visit score, as a
// child workflow that outlives this one.
func (s *ticketState) finish(ctx workflow.Context) {
	if !s.wantFollowUp {
		return
	}
	var t *activities.Tickets
	var res activities.OpenedTicket
	in := activities.ComplaintFollowUpInput{
		Key: "lowscore-" + s.ticketNo(), ParentID: s.in.TicketID, EstateID: s.in.EstateID, Category: s.in.Category,
		Description: fmt.Sprintf("工单%d回访评分%d分：%s", s.in.TicketID, s.score, s.comments),
		HouseholdID: optID(s.in.HouseholdID), Location: s.in.Location, ResidentID: optID(s.in.ResidentID),
		FirstReceiverID: s.in.FirstReceiverID, ReportedAt: workflow.Now(ctx),
	}
	if err := workflow.ExecuteActivity(dbCall(ctx), t.OpenFollowUp, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("open follow-up complaint", "ticket", s.in.TicketID, "error", err)
		return
	}
	child := startTicket(ctx, res)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		// Already started (a retried close): the complaint runs anyway.
		workflow.GetLogger(ctx).Warn("start follow-up complaint", "ticket", res.Ticket.ID, "error", err)
	}
	s.followUpID = res.Ticket.ID
	rec := s.snapshot(ctx, workflow.Now(ctx), "follow_up_opened", 0, s.status, map[string]string{
		"follow_up_id": strconv.FormatUint(res.Ticket.ID, 10), "score": strconv.Itoa(s.score),
	})
	s.write(ctx, rec)
}
