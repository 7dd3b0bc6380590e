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

// started assigns the visit, records the start, tells the assignee and
// welcomes the residents. Reminders already past at the start (a late
// registration) are skipped.
func (s *followUpState) started(ctx workflow.Context) {
	s.loadEstate(ctx)
	s.assignee = s.pickAssignee(ctx)
	now := workflow.Now(ctx)
	for s.reminded < len(s.reminders) && !s.reminders[s.reminded].After(now) {
		s.reminded++
	}
	rec := s.snapshot(ctx, now, "registered", s.in.RegisteredBy, "", map[string]string{
		"assignee_id": strconv.FormatUint(s.assignee, 10), "due": s.due.Format(time.RFC3339),
		"moved_in_at": s.in.MovedInAt.Format(time.RFC3339),
	})
	s.write(ctx, rec)
	s.remindStaff(ctx, s.assignee, fmt.Sprintf("%s/assigned/%d/staff-%d", s.wfID(), rec.Progress.Revision, s.assignee), s.due)
	for _, id := range s.in.ResidentIDs {
		s.notifyResident(ctx, id, "welcome", fmt.Sprintf("%s/welcome/resident-%d", s.wfID(), id),
			map[string]string{"estate": s.estateName, "location": s.in.Location, "service_phone": s.servicePhone})
	}
}

func (s *followUpState) pickAssignee(ctx workflow.Context) uint64 {
	var st *activities.Staff
	var res activities.AssigneeResult
	in := activities.AssigneeInput{EstateID: s.in.EstateID, RegistrarID: s.in.RegisteredBy, PreferRegistrar: s.in.Policy.FollowUp.AssignRegistrar}
	if err := workflow.ExecuteActivity(dbLookup(ctx), st.AssignFollowUp, in).Get(ctx, &res); err != nil || res.StaffID == 0 {
		workflow.GetLogger(ctx).Error("follow-up assignee", "follow_up", s.in.FollowUpID, "error", err)
		return s.in.RegisteredBy
	}
	return res.StaffID
}

// fire acts on timer t, due at now (see fireDue).
func (s *followUpState) fire(ctx workflow.Context, now time.Time, t followUpTimer) {
	switch t.kind {
	case timerFollowUpReminder:
		n := s.reminded + 1
		s.reminded++
		rec := s.snapshot(ctx, now, "reminder", 0, s.status, map[string]string{
			"reminder": strconv.Itoa(n), "notified": strconv.FormatUint(s.assignee, 10), "due": s.due.Format(time.RFC3339)})
		s.write(ctx, rec)
		s.remindStaff(ctx, s.assignee, fmt.Sprintf("%s/remind-%d/staff-%d", s.wfID(), n, s.assignee), s.due)
	case timerFollowUpAppointment:
		s.remindAt = false
		rec := s.snapshot(ctx, now, "appointment_due", 0, s.status, map[string]string{
			"scheduled_at": s.scheduled.Format(time.RFC3339), "notified": strconv.FormatUint(s.assignee, 10)})
		s.write(ctx, rec)
		s.remindStaff(ctx, s.assignee, fmt.Sprintf("%s/%d/appointment/staff-%d", s.wfID(), rec.Progress.Revision, s.assignee), s.scheduled)
	case timerEscalate:
		s.level, s.escalateAt = climb(s.in.Policy.Escalation, s.level, s.escalateAt)
		s.escalate(ctx, now)
	}
}

// escalate tells every active staff member with the role of the level
// reached, and the assignee, that the visit is overdue, and records who was
// told.
func (s *followUpState) escalate(ctx workflow.Context, now time.Time) {
	role := s.in.Policy.Escalation.Levels[s.level-1].Role
	detail := map[string]string{"level": strconv.Itoa(s.level), "role": string(role), "due": s.due.Format(time.RFC3339)}
	rec := s.snapshot(ctx, now, "escalation", 0, s.status, detail)
	prefix := fmt.Sprintf("%s/escalate/%d", s.wfID(), s.level)
	params := map[string]string{"case_no": s.caseNo(), "topic": s.topic(), "due": s.clock(s.due)}
	if oneEscalation(ctx) {
		s.escalateOnce(ctx, activities.EscalateInput{FollowUp: &rec, Role: role, Owner: s.assignee}, "followup_overdue", prefix, params)
		return
	}
	ids := s.escalationList(ctx, role, s.assignee)
	detail["notified"] = idList(ids) // rec holds detail: written below
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "followup_overdue", activities.StaffKey(prefix, id), params)
	}
}

// openVisitTickets opens a ticket for each repair or complaint the visit
// raised, then starts each as a child Ticket workflow that outlives this
// one, and waits for each in its own coroutine. All rows are created before
// any child starts, so that the visit's record names every ticket.
func (s *followUpState) openVisitTickets(ctx workflow.Context, now time.Time) {
	s.opening = true
	defer func() { s.opening, s.woken = false, true }()
	var tk *activities.Tickets
	var opened []activities.OpenedTicket
	for i := range s.visit.Items {
		item := &s.visit.Items[i]
		if !item.Kind.OpensTicket() {
			continue
		}
		in := activities.VisitTicketInput{
			Key: fmt.Sprintf("%s/item-%d", s.wfID(), i+1), EstateID: s.in.EstateID, Kind: models.TicketKind(item.Kind),
			Urgency: item.Urgency, Category: item.Category, Description: item.Text, HouseholdID: s.in.HouseholdID,
			ResidentID: s.in.ResidentIDs[0], Channel: models.ReportWalkIn, ReceiverID: s.visit.RecordedBy, ReportedAt: now,
		}
		if in.Urgency == "" || in.Kind == models.TicketComplaint {
			in.Urgency = models.UrgencyNormal
		}
		if in.Category == "" {
			in.Category = "入住回访"
		}
		if s.visit.Channel == models.VisitByPhone {
			in.Channel = models.ReportPhone
		}
		var res activities.OpenedTicket
		if err := workflow.ExecuteActivity(dbCall(ctx), tk.OpenVisitTicket, in).Get(ctx, &res); err != nil {
			workflow.GetLogger(ctx).Error("open visit ticket", "follow_up", s.in.FollowUpID, "item", i+1, "error", err)
			continue
		}
		id := res.Ticket.ID
		item.TicketID = &id
		s.tickets = append(s.tickets, &visitTicket{id: id, item: i, status: res.Ticket.Status})
		opened = append(opened, res)
	}
	for i, res := range opened {
		s.awaitTicket(ctx, s.tickets[len(s.tickets)-len(opened)+i], res)
	}
}

// awaitTicket starts the child workflow of ticket vt and marks it closed
// when the child ends.
func (s *followUpState) awaitTicket(ctx workflow.Context, vt *visitTicket, res activities.OpenedTicket) {
	child := startTicket(ctx, res)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var r TicketResult
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			// Already started by an earlier run: it cannot be waited on here.
			workflow.GetLogger(ctx).Warn("start visit ticket", "ticket", vt.id, "error", err)
			r.Status = res.Ticket.Status
		} else if err := child.Get(ctx, &r); err != nil {
			workflow.GetLogger(ctx).Warn("visit ticket ended in error", "ticket", vt.id, "error", err)
			r.Status = models.StatusCancelled
		}
		// Hold the close back until this ticket's transition is written:
		// before the change the follow-up could complete, and end, while
		// the last ticket_closed was still being recorded, losing it.
		holdClose := workflow.GetVersion(ctx, changeRecordLastTicketClose, workflow.DefaultVersion, 1) >= 1
		if holdClose {
			s.recording++
		}
		vt.closed, vt.status, s.woken = true, r.Status, true
		rec := s.snapshot(ctx, workflow.Now(ctx), "ticket_closed", 0, s.status, map[string]string{
			"ticket_id": strconv.FormatUint(vt.id, 10), "ticket_status": string(r.Status)})
		s.write(ctx, rec)
		if holdClose {
			s.recording--
			s.woken = true
		}
	})
}

// complete closes the follow-up once its visit's tickets are all closed.
func (s *followUpState) complete(ctx workflow.Context) {
	now := workflow.Now(ctx)
	from := s.status
	s.status, s.closedAt = models.FollowUpCompleted, now
	s.summary = s.visitSummary()
	rec := s.snapshot(ctx, now, "completed", 0, from, map[string]string{"summary": s.summary})
	s.write(ctx, rec)
}

// visitSummary sums up a recorded visit: satisfaction, items by kind and
// the tickets opened.
func (s *followUpState) visitSummary() string {
	v := s.visit
	count := map[models.VisitItemKind]int{}
	for _, it := range v.Items {
		count[it.Kind]++
	}
	out := fmt.Sprintf("%s回访，满意度%d分；报修%d项，投诉%d项，建议%d项，表扬%d项", s.clock(v.VisitedAt), v.Satisfaction,
		count[models.ItemRepair], count[models.ItemComplaint], count[models.ItemSuggestion], count[models.ItemPraise])
	if len(s.tickets) > 0 {
		nos := make([]string, len(s.tickets))
		for i, t := range s.tickets {
			nos[i] = fmt.Sprintf("#%d(%s)", t.id, t.status)
		}
		out += "；工单" + strings.Join(nos, "、") + "均已关闭"
	}
	return out
}

// attemptsSummary lists the failed attempts of an unreachable visit.
func (s *followUpState) attemptsSummary() string {
	parts := make([]string, len(s.attempts))
	for i, a := range s.attempts {
		parts[i] = fmt.Sprintf("%s %s", s.clock(a.At), a.Outcome)
	}
	return fmt.Sprintf("%d次未能回访：%s", len(s.attempts), strings.Join(parts, "；"))
}

// snapshot takes the next revision of the read model and its event, and
// brings the search attributes up to date. Call it right after changing the
// state, before waiting on anything.
func (s *followUpState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.FollowUpStatus, detail map[string]string) activities.FollowUpRecordInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due := time.Time{}
	if s.status.AwaitingVisit() {
		due = s.due
	}
	s.upsert(ctx, "followup", string(s.status), s.level, due)
	return activities.FollowUpRecordInput{FollowUpID: s.in.FollowUpID, Progress: s.progress(), Event: ev}
}

// write records a snapshot: the follow-up goes on whatever the outcome.
func (s *followUpState) write(ctx workflow.Context, in activities.FollowUpRecordInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordFollowUp, in, in.Event.Key)
}

// remindStaff tells staffID that the visit is due by due.
func (s *followUpState) remindStaff(ctx workflow.Context, staffID uint64, key string, due time.Time) {
	s.notifyStaff(ctx, staffID, "followup_reminder", key,
		map[string]string{"case_no": s.caseNo(), "topic": s.topic(), "due": s.clock(due)})
}

func (s *followUpState) wfID() string   { return FollowUpWorkflowID(s.in.MoveInID) }
func (s *followUpState) caseNo() string { return "回访" + strconv.FormatUint(s.in.FollowUpID, 10) }
func (s *followUpState) topic() string  { return "入住回访 " + s.in.Location }
