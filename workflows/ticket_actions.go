package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// Change IDs of workflow.GetVersion: each names a change made to the ticket
// workflow while tickets were running, whose old path stays for the
// histories recorded before it (workflows/testdata, replayed by
// TestReplayRecordedHistories).
const (
	// changeNotifyFirstReceiverOnComplete, version 1: a completed repair is
	// reported to its first receiver (ticket_completed). Before it, the first
	// receiver heard only of the return visit and the close.
	changeNotifyFirstReceiverOnComplete = "notify-first-receiver-on-complete"
	// changeResidentConfirmLink, version 1: the resident's ticket_done_confirm
	// carries the end of the confirmation window (confirm_until, Unix
	// seconds), from which the notifier signs the link where the resident
	// answers. Before it, the message had no link.
	changeResidentConfirmLink = "resident-confirm-link"
	// changeComplaintMessages, version 1: a complaint speaks to its
	// resident as a complaint (see complaintVoice): complaint_received with
	// the answer's deadline, complaint_in_progress once acknowledged,
	// complaint_answer carrying the answer, complaint_closed (with the
	// confirmation link) once resolved, and complaint_return_visit_due to
	// the first receiver. Before it, a complaint reused the repair's
	// ticket_received, ticket_done_confirm and return_visit_due, and the
	// resident never heard the answer.
	changeComplaintMessages = "complaint-messages"
	// changeOneLadder, version 1: a ticket climbs one escalation ladder.
	// Its first breach (of a milestone the policy escalates,
	// RepairPolicy.EscalateMilestones) reaches level 1, each next level is
	// due its After from when the level before was reached while a breach
	// is open, and a later breach at the same level is recorded ("breach")
	// without telling anyone again; a reopen past MaxReopens climbs the
	// same ladder. Before it, each deadline climbed its own chain, every
	// milestone escalated, and a critical ticket told the same people once
	// per deadline. Taken once, as the workflow starts (ticketState.run).
	changeOneLadder = "one-ladder"
)

// act is the handler of TicketActionUpdate: it changes the state at once,
// records the transition, sends the notifications it calls for and answers
// with the new view.
func (s *ticketState) act(ctx workflow.Context, a TicketAction) (TicketView, error) {
	now := workflow.Now(ctx)
	// The state may have moved between validation and this handler.
	if err := s.check(now, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	detail := actionDetail(ctx, map[string]string{"reason": a.Reason, "comments": a.Comments})
	var then []func(ctx workflow.Context, seq int64)
	switch a.Action {
	case ActDispatch, ActClaim:
		// A claim is a dispatch to the caller: the same status, messages
		// and deadlines. No history before it holds a claim (the action was
		// unknown and refused), so it needs no workflow.GetVersion.
		if a.Action == ActClaim {
			a.AssigneeID = a.ActorID
		}
		s.assignee, s.status = a.AssigneeID, models.StatusAssigned
		detail["assignee_id"] = strconv.FormatUint(a.AssigneeID, 10)
		then = append(then, s.assigned)
	case ActAccept:
		s.status = models.StatusAccepted
		if s.pending(models.MilestoneOnSite) == nil {
			s.status = models.StatusInProgress // taken over after a transfer, already on site
		}
		then = append(then, s.onTheWay)
	case ActContact:
		s.meet(now, models.MilestoneContact)
	case ActArrive:
		s.status = models.StatusInProgress
		s.meet(now, models.MilestoneContact, models.MilestoneOnSite)
	case ActHold:
		s.resumeTo, s.status, s.holdSince, s.holdReason = s.status, models.StatusOnHold, now, a.HoldReason
		detail["hold_reason"] = string(a.HoldReason)
	case ActResume:
		held := now.Sub(s.holdSince)
		s.shiftPending(s.holdSince, held)
		s.held += held
		s.status, s.holdSince, s.holdReason = s.resumeTo, time.Time{}, ""
		detail["held"] = held.String()
	case ActTransfer:
		detail["from_assignee_id"] = strconv.FormatUint(s.assignee, 10)
		detail["assignee_id"] = strconv.FormatUint(a.AssigneeID, 10)
		s.assignee = a.AssigneeID
		if s.in.Kind == models.TicketRepair {
			// The new technician accepts before working on it.
			if s.status == models.StatusOnHold {
				s.resumeTo = models.StatusAssigned
			} else {
				s.status = models.StatusAssigned
			}
		}
		then = append(then, s.assigned)
	case ActComplete:
		s.meet(now, models.MilestoneContact, models.MilestoneOnSite, models.MilestoneComplete,
			models.MilestoneAcknowledge, models.MilestoneAnswer, models.MilestoneResolve)
		s.status, s.charge = models.StatusCompleted, a.ChargeFen
		s.confirmBy = now.Add(s.in.Policy.Repair.ConfirmWindow.Std())
		detail["summary"], detail["charge_fen"] = a.Summary, strconv.FormatInt(int64(a.ChargeFen), 10)
		if a.Materials != "" {
			detail["materials"] = a.Materials
		}
		then = append(then, s.doneConfirm)
		if s.in.Kind == models.TicketRepair &&
			workflow.GetVersion(ctx, changeNotifyFirstReceiverOnComplete, workflow.DefaultVersion, 1) >= 1 {
			then = append(then, s.completedNotice)
		}
	case ActCancel:
		s.close(now, models.StatusCancelled)
		then = append(then, s.closedNotice("cancelled: "+a.Reason))
	case ActNote:
		detail["note"] = a.Note
	case ActAcknowledge:
		s.status = models.StatusAcknowledged
		s.meet(now, models.MilestoneAcknowledge)
		then = append(then, s.complaintInProgress)
	case ActAnswer:
		s.status = models.StatusAnswered
		s.meet(now, models.MilestoneAcknowledge, models.MilestoneAnswer)
		detail["answer"] = a.Note
		then = append(then, s.complaintAnswer(a.Note))
	case ActConfirm:
		detail["accepted"] = strconv.FormatBool(a.Accepted)
		if a.Accepted {
			s.confirmed(now)
			then = append(then, s.visitDue)
		} else {
			// A complainant who objects hears that it is handled again.
			then = append(s.reopen(now), s.complaintInProgress)
		}
	case ActHurry:
		// No history before it holds a hurry (the resident could only
		// confirm): it needs no workflow.GetVersion.
		d := s.overdue(now)
		s.hurries, s.hurriedAt = s.hurries+1, now
		detail["milestone"], detail["due"] = d.name(), d.Due.Format(time.RFC3339)
		detail["count"] = strconv.Itoa(s.hurries)
		then = append(then, s.hurried(d))
	case ActReturnVisit:
		s.score, s.comments = a.Score, a.Comments
		s.wantFollowUp = s.in.Policy.Repair.LowScoreThreshold > 0 && a.Score <= s.in.Policy.Repair.LowScoreThreshold
		s.close(now, models.StatusClosed)
		detail["score"] = strconv.Itoa(a.Score)
		if s.in.Kind == models.TicketComplaint {
			detail["visit_of"] = string(models.TicketComplaint) // the visit asked about the complaint
		}
		then = append(then, s.closedNotice("return visit score "+strconv.Itoa(a.Score)))
	}
	actor := a.ActorID
	if a.ActorRole == ResidentLinkRole {
		// Not a staff member: the event names the resident in its detail.
		actor, detail["by"], detail["resident_id"] = 0, string(ResidentLinkRole), strconv.FormatUint(a.ActorID, 10)
	}
	s.woken = true
	rec := s.snapshot(ctx, now, a.Action, actor, from, detail)
	s.write(ctx, rec)
	for _, f := range then {
		f(ctx, rec.Progress.Revision)
	}
	return s.view(workflow.Now(ctx)), nil
}

// confirmed starts the return-visit window.
func (s *ticketState) confirmed(now time.Time) {
	s.status, s.confirmBy = models.StatusReturnVisit, time.Time{}
	s.visitFrom, s.visitBy = now, now.Add(s.in.Policy.Repair.ReturnVisitWindow.Std())
}

// reopen sends rejected work back to the assignee with a new completion
// deadline; past MaxReopens it also climbs the escalation chain.
func (s *ticketState) reopen(now time.Time) []func(workflow.Context, int64) {
	s.reopens++
	s.confirmBy = time.Time{}
	m, working := models.MilestoneComplete, models.StatusInProgress
	if s.in.Kind == models.TicketComplaint {
		m, working = models.MilestoneResolve, models.StatusAnswered
	}
	s.status = working
	window, err := models.ReworkWindow(s.in.Policy, s.in.Kind, s.in.Urgency)
	if err == nil {
		s.deadlines = append(s.deadlines, s.newDeadline(m, s.reopens, now, now.Add(window)))
	}
	then := []func(workflow.Context, int64){s.assigned}
	if s.reopens > s.in.Policy.Repair.MaxReopens && s.level < len(s.in.Policy.Escalation.Levels) {
		level := s.level + 1
		if s.oneLadder {
			s.reachNext(now)
		}
		s.level = level
		then = append(then, func(ctx workflow.Context, _ int64) {
			s.escalate(ctx, now, "reopen-"+strconv.Itoa(s.reopens), level, time.Time{})
		})
	}
	return then
}

// close ends the ticket with status.
func (s *ticketState) close(now time.Time, status models.TicketStatus) {
	if s.status == models.StatusOnHold {
		s.held += now.Sub(s.holdSince)
		s.holdSince, s.holdReason = time.Time{}, ""
	}
	s.status, s.closedAt, s.confirmBy = status, now, time.Time{}
}
