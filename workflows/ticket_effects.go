package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// snapshot takes the next revision of the read model and its event, and
// brings the search attributes up to date. Call it right after changing the
// state, before waiting on anything.
func (s *ticketState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.TicketStatus, detail map[string]string) activities.RecordInput {
	s.seq++
	s.upsertSearch(ctx)
	return activities.RecordInput{
		TicketID: s.in.TicketID,
		Progress: s.progress(),
		Event: transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail}.
			event(s.wfID(), s.seq, now),
	}
}

// write records a snapshot; the activity retries until the database takes
// it. A permanent failure is logged: the ticket goes on.
func (s *ticketState) write(ctx workflow.Context, in activities.RecordInput) {
	var t *activities.Tickets
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		// No MaximumAttempts: a database write is retried until it succeeds.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	if err := workflow.ExecuteActivity(actx, t.Record, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("record ticket transition", "key", in.Event.Key, "error", err)
	}
}

func (s *ticketState) upsertSearch(ctx workflow.Context) {
	due, _, _ := s.nextDue()
	s.sa.upsert(ctx, s.in.EstateID, string(s.in.Kind), string(s.status), s.level, due, "ticket", s.in.TicketID)
}

// assigned tells the assignee, and the first receiver, of the assignment.
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
	s.notifyResident(ctx, "technician_on_way", s.key(seq, "technician_on_way", "resident", s.in.ResidentID),
		map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "technician": tech, "eta": eta})
}

// doneConfirm asks the resident to confirm the work.
func (s *ticketState) doneConfirm(ctx workflow.Context, seq int64) {
	params := map[string]string{"estate": s.estateName, "ticket_no": s.ticketNo(), "confirm_by": s.clock(s.confirmBy)}
	if workflow.GetVersion(ctx, changeResidentConfirmLink, workflow.DefaultVersion, 1) >= 1 {
		params["confirm_until"] = strconv.FormatInt(s.confirmBy.Unix(), 10)
	}
	s.notifyResident(ctx, "ticket_done_confirm", s.key(seq, "ticket_done_confirm", "resident", s.in.ResidentID), params)
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
	s.notifyStaff(ctx, s.in.FirstReceiverID, "return_visit_due", s.key(seq, "return_visit_due", "staff", s.in.FirstReceiverID),
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

// notifyStaff sends at once: staff messages ignore quiet hours.
func (s *ticketState) notifyStaff(ctx workflow.Context, staffID uint64, template, key string, params map[string]string) {
	if staffID == 0 {
		return
	}
	s.send(ctx, activities.SendInput{Key: key, EstateID: s.in.EstateID, RecipientKind: models.RecipientStaff,
		RecipientID: staffID, Template: template, Params: params, Ref: "ticket:" + s.ticketNo()})
}

// notifyResident queues a message to the resident. One coroutine sends the
// queue in order, each message once quiet hours are over, so that the
// ticket's own timers keep running meanwhile. Without a resident there is
// no one to tell.
func (s *ticketState) notifyResident(ctx workflow.Context, template, key string, params map[string]string) {
	if s.in.ResidentID == 0 {
		return
	}
	s.outbox = append(s.outbox, activities.SendInput{Key: key, EstateID: s.in.EstateID,
		RecipientKind: models.RecipientResident, RecipientID: s.in.ResidentID, Template: template,
		Params: params, Ref: "ticket:" + s.ticketNo()})
	if len(s.outbox) > 1 {
		return // the coroutine is already draining the queue
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		for len(s.outbox) > 0 {
			now := workflow.Now(ctx)
			if at := s.in.Policy.QuietHours.NextAllowed(now, s.loc); at.After(now) {
				if err := workflow.Sleep(ctx, at.Sub(now)); err != nil {
					return
				}
			}
			s.send(ctx, s.outbox[0])
			s.outbox = s.outbox[1:]
		}
	})
}

func (s *ticketState) send(ctx workflow.Context, in activities.SendInput) {
	var n *activities.Notifier
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
	})
	if err := workflow.ExecuteActivity(actx, n.Send, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("notification not sent", "key", in.Key, "error", err)
	}
}

// loadBrief reads the estate's name and service phone for messages.
func (s *ticketState) loadBrief(ctx workflow.Context) {
	b := s.brief(ctx, 0)
	s.estateName, s.servicePhone = b.EstateName, b.ServicePhone
}

func (s *ticketState) brief(ctx workflow.Context, staffID uint64) activities.BriefResult {
	var t *activities.Tickets
	var res activities.BriefResult
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	in := activities.BriefInput{EstateID: s.in.EstateID, StaffID: staffID}
	if err := workflow.ExecuteActivity(actx, t.Brief, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("ticket brief", "ticket", s.in.TicketID, "error", err)
	}
	return res
}

// key names one message: "ticket-12/3/ticket_assigned/staff-5".
func (s *ticketState) key(seq int64, template, kind string, id uint64) string {
	return fmt.Sprintf("%s/%d/%s/%s-%d", s.wfID(), seq, template, kind, id)
}

func (s *ticketState) wfID() string     { return TicketWorkflowID(s.in.TicketID) }
func (s *ticketState) ticketNo() string { return strconv.FormatUint(s.in.TicketID, 10) }

// clock shows t in the estate's time zone, "01-02 15:04".
func (s *ticketState) clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(s.loc).Format("01-02 15:04")
}

func (s *ticketState) location() string {
	if s.in.Location != "" || s.in.HouseholdID == 0 {
		return s.in.Location
	}
	return fmt.Sprintf("住户%d", s.in.HouseholdID)
}

// stageName is a milestone's name in messages.
func stageName(m models.Milestone) string {
	switch m {
	case models.MilestoneContact:
		return "联系业主"
	case models.MilestoneOnSite:
		return "到场"
	case models.MilestoneComplete:
		return "完工"
	case models.MilestoneAcknowledge:
		return "受理"
	case models.MilestoneAnswer:
		return "答复"
	case models.MilestoneResolve:
		return "解决"
	case models.MilestoneReturnVisit:
		return "回访"
	}
	return string(m)
}
