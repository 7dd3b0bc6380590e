package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// snapshot takes the next revision of the read model and its event, and
// brings the search attributes up to date. Call it right after changing the
// state, before waiting on anything.
func (s *ticketState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.TicketStatus, detail map[string]string) activities.RecordInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due, _, _ := s.nextDue()
	s.upsert(ctx, string(s.in.Kind), string(s.status), s.level, due)
	return activities.RecordInput{TicketID: s.in.TicketID, Progress: s.progress(), Event: ev}
}

// write records a snapshot: the ticket goes on whatever the outcome.
func (s *ticketState) write(ctx workflow.Context, in activities.RecordInput) {
	var c *activities.Cases
	writeTransition(ctx, c.Record, in, in.Event.Key)
}

// started records the report and tells the resident it was received.
func (s *ticketState) started(ctx workflow.Context) {
	now := workflow.Now(ctx)
	s.loadEstate(ctx)
	detail := map[string]string{"kind": string(s.in.Kind), "urgency": string(s.in.Urgency)}
	for _, d := range s.deadlines {
		detail["due_"+string(d.Milestone)] = d.Due.Format(time.RFC3339)
	}
	if s.in.ResidentID == 0 {
		// Nobody to reach: no message goes to the reporter, and the work
		// is confirmed by the desk or when the window ends.
		detail["contact"] = "none"
	}
	rec := s.snapshot(ctx, now, "reported", s.in.FirstReceiverID, "", detail)
	s.write(ctx, rec)
	template := "ticket_received"
	params := map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "service_phone": s.servicePhone}
	if s.complaintVoice(ctx) {
		template = "complaint_received"
		params["answer_by"] = s.answerBy()
	}
	s.tellResident(ctx, template, s.key(rec.Progress.Revision, template, "resident", s.in.ResidentID), params)
	s.reported = true
}

// complaintVoice reports whether the ticket is a complaint that speaks to
// its resident as one (see changeComplaintMessages); false for a repair,
// which records no marker.
func (s *ticketState) complaintVoice(ctx workflow.Context) bool {
	return s.in.Kind == models.TicketComplaint &&
		workflow.GetVersion(ctx, changeComplaintMessages, workflow.DefaultVersion, 1) >= 1
}

// answerBy is when the complaint's answer is promised, as messages show it
// (the policy's answer window); the resolution's once answered.
func (s *ticketState) answerBy() string {
	for _, m := range []models.Milestone{models.MilestoneAnswer, models.MilestoneResolve} {
		if d := s.pending(m); d != nil {
			return s.clock(d.Due)
		}
	}
	return s.clock(time.Time{})
}

// complaintInProgress tells the complainant that someone follows the
// complaint up (处理中), and by when they will hear the answer.
func (s *ticketState) complaintInProgress(ctx workflow.Context, seq int64) {
	if !s.complaintVoice(ctx) {
		return
	}
	// Acknowledged in the ticket's first task, the handler runs before
	// started(): 受理 goes first, and the estate's name is read by then.
	if err := workflow.Await(ctx, func() bool { return s.reported }); err != nil {
		return
	}
	s.tellResident(ctx, "complaint_in_progress", s.key(seq, "complaint_in_progress", "resident", s.in.ResidentID),
		map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "answer_by": s.answerBy()})
}

// complaintAnswer sends the complainant the answer staff recorded (答复).
func (s *ticketState) complaintAnswer(answer string) func(workflow.Context, int64) {
	return func(ctx workflow.Context, seq int64) {
		if !s.complaintVoice(ctx) {
			return
		}
		s.tellResident(ctx, "complaint_answer", s.key(seq, "complaint_answer", "resident", s.in.ResidentID),
			map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "answer": answer, "service_phone": s.servicePhone})
	}
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
	case timerBreach:
		s.breach(ctx, now, t.dl)
	case timerClimb:
		t.dl.Level = s.reachNext(now)
		s.escalate(ctx, now, t.dl.name(), t.dl.Level, t.dl.Due)
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

// breach handles, under one ladder, the breach of deadline d: the first
// breach of a milestone that escalates starts the ticket's ladder, and one
// once the next level is due (no breach was open to climb to it) reaches
// that level; any other is recorded at the level reached ("breach"), and
// nobody new is told. A milestone the policy does not escalate is passed
// over.
func (s *ticketState) breach(ctx workflow.Context, now time.Time, d *deadline) {
	d.Breached = true
	if !s.escalates(d) {
		return
	}
	if s.level == 0 || (!s.nextLevelAt.IsZero() && !now.Before(s.nextLevelAt)) {
		d.Level = s.reachNext(now)
		s.escalate(ctx, now, d.name(), d.Level, d.Due)
		return
	}
	d.Level = s.level
	s.write(ctx, s.snapshot(ctx, now, "breach", 0, s.status, map[string]string{
		"milestone": d.name(), "due": d.Due.Format(time.RFC3339), "level": strconv.Itoa(s.level),
		"role": string(s.in.Policy.Escalation.Levels[s.level-1].Role), "notified": "",
	}))
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
	stage := "返工次数"
	if !due.IsZero() {
		stage = milestoneOf(what).Label()
	}
	prefix := fmt.Sprintf("%s/escalate/%s/%d", s.wfID(), what, level)
	params := map[string]string{"ticket_no": s.ticketNo(), "summary": s.in.Category, "stage": stage,
		"due": s.clock(due), "level": strconv.Itoa(level)}
	if oneEscalation(ctx) {
		s.escalateOnce(ctx, activities.EscalateInput{Ticket: &rec, Role: role, Owner: s.in.FirstReceiverID}, "escalation", prefix, params)
		return
	}
	ids := s.escalationList(ctx, role, s.in.FirstReceiverID)
	detail["notified"] = idList(ids) // rec holds detail: written below
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "escalation", activities.StaffKey(prefix, id), params)
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
		Description: fmt.Sprintf("%s%d回访评分%d分：%s", s.kindWord(ctx), s.in.TicketID, s.score, s.comments),
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

// kindWord names the ticket in a record people read: 投诉 for a complaint
// (see changeComplaintMessages), 工单 otherwise.
func (s *ticketState) kindWord(ctx workflow.Context) string {
	if s.complaintVoice(ctx) {
		return "投诉"
	}
	return "工单"
}

// assigned tells the assignee, and the first receiver, of the assignment.
// The notifier completes the text from the ticket's record (address,
// resident, the deadline to meet, whom it went to): see
// activities.Notifier.Send.
func (s *ticketState) assigned(ctx workflow.Context, seq int64) {
	due, _, _ := s.nextDue()
	params := map[string]string{"ticket_no": s.ticketNo(), "urgency": string(s.in.Urgency),
		"location": s.location(), "summary": s.in.Category, "due": s.clock(due)}
	s.notifyStaff(ctx, s.assignee, "ticket_assigned", s.key(seq, "ticket_assigned", "staff", s.assignee), params)
	if first := s.in.FirstReceiverID; first != s.assignee {
		s.notifyStaff(ctx, first, "ticket_assigned", s.key(seq, "ticket_assigned", "staff", first), params)
	}
}

// onTheWay tells the resident who is coming and by when.
func (s *ticketState) onTheWay(ctx workflow.Context, seq int64) {
	if s.in.ResidentID == 0 {
		return
	}
	tech := s.brief(ctx, s.assignee).StaffName
	eta := s.clock(workflow.Now(ctx))
	if d := s.pending(models.MilestoneOnSite); d != nil {
		eta = s.clock(d.Due)
	}
	s.tellResident(ctx, "technician_on_way", s.key(seq, "technician_on_way", "resident", s.in.ResidentID),
		map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "technician": tech, "eta": eta})
}

// doneConfirm asks the resident to confirm the work.
func (s *ticketState) doneConfirm(ctx workflow.Context, seq int64) {
	params := map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "confirm_by": s.clock(s.confirmBy)}
	if workflow.GetVersion(ctx, changeResidentConfirmLink, workflow.DefaultVersion, 1) >= 1 {
		params["confirm_until"] = strconv.FormatInt(s.confirmBy.Unix(), 10)
	}
	template := "ticket_done_confirm"
	if s.complaintVoice(ctx) {
		// 结案: the complaint is resolved; objecting reopens it.
		template, params["service_phone"] = "complaint_closed", s.servicePhone
	}
	s.tellResident(ctx, template, s.key(seq, template, "resident", s.in.ResidentID), params)
}

// hurried tells the assignee (the first receiver while nobody is
// assigned) and the people of the escalation level the ticket has reached
// that its resident pressed 催单 about overdue deadline d, and records who
// was told.
func (s *ticketState) hurried(d *deadline) func(workflow.Context, int64) {
	return func(ctx workflow.Context, seq int64) {
		to := s.assignee
		if to == 0 {
			to = s.in.FirstReceiverID
		}
		ids := []uint64{to}
		if s.level > 0 {
			ids = append(ids, s.escalationList(ctx, s.in.Policy.Escalation.Levels[s.level-1].Role, 0)...)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		params := map[string]string{"ticket_no": s.ticketNo(), "summary": s.in.Category, "stage": d.Milestone.Label(),
			"due": s.clock(d.Due), "count": strconv.Itoa(s.hurries)}
		for _, id := range ids {
			s.notifyStaff(ctx, id, "ticket_hurried", s.key(seq, "ticket_hurried", "staff", id), params)
		}
	}
}

// completedNotice tells the first receiver (首问负责人) that the assignee
// has completed the repair and the resident's confirmation is awaited;
// nothing when the first receiver did the work.
func (s *ticketState) completedNotice(ctx workflow.Context, seq int64) {
	first := s.in.FirstReceiverID
	if first == 0 || first == s.assignee {
		return
	}
	tech := s.brief(ctx, s.assignee).StaffName
	if tech == "" {
		tech = "维修人员" // the name could not be read: the message goes anyway
	}
	s.notifyStaff(ctx, first, "ticket_completed", s.key(seq, "ticket_completed", "staff", first),
		map[string]string{"ticket_no": s.ticketNo(), "summary": s.in.Category, "technician": tech})
}

// visitDue tells the first receiver that the return visit is due.
func (s *ticketState) visitDue(ctx workflow.Context, seq int64) {
	template := "return_visit_due"
	if s.complaintVoice(ctx) {
		template = "complaint_return_visit_due" // the visit asks about the complaint
	}
	s.notifyStaff(ctx, s.in.FirstReceiverID, template, s.key(seq, template, "staff", s.in.FirstReceiverID),
		map[string]string{"ticket_no": s.ticketNo(), "due": s.clock(s.visitBy)})
}

// closedNotice tells the first receiver (and an assignee other than it) how
// the ticket ended.
func (s *ticketState) closedNotice(outcome string) func(workflow.Context, int64) {
	return func(ctx workflow.Context, seq int64) {
		params := map[string]string{"ticket_no": s.ticketNo(), "outcome": outcome}
		s.notifyStaff(ctx, s.in.FirstReceiverID, "ticket_closed", s.key(seq, "ticket_closed", "staff", s.in.FirstReceiverID), params)
		if s.assignee != 0 && s.assignee != s.in.FirstReceiverID {
			s.notifyStaff(ctx, s.assignee, "ticket_closed", s.key(seq, "ticket_closed", "staff", s.assignee), params)
		}
	}
}

// tellResident queues a message to the ticket's resident, sent once quiet
// hours are over. Without a resident there is no one to tell.
func (s *ticketState) tellResident(ctx workflow.Context, template, key string, params map[string]string) {
	if s.in.ResidentID == 0 {
		return
	}
	s.notifyResident(ctx, s.in.ResidentID, template, key, params)
}

// key names one message: "ticket-12/3/ticket_assigned/staff-5".
func (s *ticketState) key(seq int64, template, kind string, id uint64) string {
	return fmt.Sprintf("%s/%d/%s/%s-%d", s.wfID(), seq, template, kind, id)
}

func (s *ticketState) wfID() string     { return TicketWorkflowID(s.in.TicketID) }
func (s *ticketState) ticketNo() string { return strconv.FormatUint(s.in.TicketID, 10) }

func (s *ticketState) location() string {
	if s.in.Location != "" || s.in.HouseholdID == 0 {
		return s.in.Location
	}
	return fmt.Sprintf("住户%d", s.in.HouseholdID)
}
