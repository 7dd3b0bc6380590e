package workflows

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// act is the handler of FollowUpActionUpdate: it changes the state at once,
// records the transition, sends what the action calls for and answers with
// the new view.
func (s *followUpState) act(ctx workflow.Context, a FollowUpAction) (FollowUpView, error) {
	now := workflow.Now(ctx)
	// The state may have moved between validation and this handler.
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	typ := a.Action
	detail := actionDetail(ctx, map[string]string{"reason": a.Reason, "note": a.Note})
	var then func(ctx workflow.Context, seq int64)
	switch a.Action {
	case VisitSchedule:
		s.status, s.scheduled, s.remindAt = models.FollowUpScheduled, a.At.In(s.loc), true
		detail["scheduled_at"] = s.scheduled.Format(time.RFC3339)
	case VisitReassign:
		detail["from_assignee_id"] = strconv.FormatUint(s.assignee, 10)
		detail["assignee_id"] = strconv.FormatUint(a.AssigneeID, 10)
		s.assignee = a.AssigneeID
		then = func(ctx workflow.Context, seq int64) {
			s.remindStaff(ctx, s.assignee, fmt.Sprintf("%s/%d/assigned/staff-%d", s.wfID(), seq, s.assignee), s.due)
		}
	case VisitAttempt:
		try := models.FollowUpAttempt{At: now, Outcome: a.Outcome, Note: a.Note, ByID: a.ActorID}
		detail["outcome"], detail["attempt"] = string(a.Outcome), strconv.Itoa(len(s.attempts)+1)
		if len(s.attempts)+1 >= s.in.Policy.FollowUp.MaxAttempts {
			s.attempts = append(s.attempts, try)
			s.status, s.closedAt, s.scheduled, s.remindAt = models.FollowUpUnreachable, now, time.Time{}, false
			s.summary = s.attemptsSummary()
			detail["summary"] = s.summary
			break
		}
		next := models.NextAttemptAt(now, s.due, s.in.Policy.FollowUp.MaxAttempts-len(s.attempts)-1)
		if a.At != nil {
			next = *a.At
		}
		next = next.In(s.loc)
		try.NextAt = &next
		s.attempts = append(s.attempts, try)
		s.status, s.scheduled, s.remindAt = models.FollowUpScheduled, next, true
		detail["next_at"] = next.Format(time.RFC3339)
	case VisitRecord:
		v := *a.Visit
		v.RecordedBy = a.ActorID
		v.VisitedAt = v.VisitedAt.In(s.loc)
		v.Items = append([]models.VisitItem{}, v.Items...)
		s.visit, s.scheduled, s.remindAt = &v, time.Time{}, false
		s.status = models.FollowUpCompleted
		for _, it := range v.Items {
			if it.Kind.OpensTicket() {
				s.status = models.FollowUpTicketsOpen
			}
		}
		detail["satisfaction"], detail["items"] = strconv.Itoa(v.Satisfaction), strconv.Itoa(len(v.Items))
		if s.status == models.FollowUpTicketsOpen {
			// The tickets open before the record, so that it names them.
			s.openVisitTickets(ctx, now)
			detail["ticket_ids"] = idList(s.ticketIDs())
		} else {
			s.closedAt = now
			s.summary = s.visitSummary()
			detail["summary"] = s.summary
		}
	case VisitCancel, VisitMovedOut:
		s.status, s.closedAt, s.scheduled, s.remindAt = models.FollowUpCancelled, now, time.Time{}, false
		s.cancelReason = a.Reason
		if a.Action == VisitMovedOut {
			s.cancelReason = "moved_out"
			if a.Reason != "" {
				s.cancelReason += ": " + a.Reason
			}
		}
		s.summary = "取消：" + s.cancelReason
		typ = "cancelled"
	}
	s.woken = true
	rec := s.snapshot(ctx, now, typ, a.ActorID, from, detail)
	s.write(ctx, rec)
	if then != nil {
		then(ctx, rec.Progress.Revision)
	}
	return s.view(workflow.Now(ctx)), nil
}

// check is the validator of FollowUpActionUpdate: it refuses, without
// changing anything, an action that the follow-up's status, the caller's
// role or the action's own fields do not allow, checked in that order:
// InvalidState, Forbidden, InvalidInput. Every action needs the visit still
// to be made.
func (s *followUpState) check(ctx workflow.Context, a FollowUpAction) error {
	if err := checkActor(a.ActorID, a.ActorRole); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	desk := isDesk(a.ActorRole)
	var allowed bool
	var input func() error
	switch a.Action {
	case VisitSchedule:
		allowed, input = desk, func() error { return s.checkTime("at", a.At, now, true) }
	case VisitReassign:
		allowed = isManager(a.ActorRole) || (desk && a.ActorID == s.assignee)
		input = func() error {
			if err := needID("assignee_id", a.AssigneeID); err != nil {
				return err
			}
			if a.AssigneeID == s.assignee {
				return invalidInput("assignee_id", "该回访已由这名员工负责")
			}
			return visitMaxText("reason", a.Reason, 500)
		}
	case VisitAttempt:
		allowed = desk
		input = func() error {
			if !a.Outcome.Valid() {
				return invalidInput("outcome", "应为 not_home（不在家）或 not_reachable（联系不上）")
			}
			if err := visitMaxText("note", a.Note, 500); err != nil {
				return err
			}
			return s.checkTime("next_at", a.At, now, false)
		}
	case VisitRecord:
		allowed = desk
		input = func() error {
			if a.Visit == nil {
				return invalidInput("visit", "必填")
			}
			var ve *models.ValidationError
			if err := a.Visit.Validate(now, s.in.MovedInAt); errors.As(err, &ve) {
				return invalidInput("visit."+ve.Field, ve.Reason)
			} else if err != nil {
				return invalidInput("visit", err.Error())
			}
			return nil
		}
	case VisitCancel:
		allowed = isManager(a.ActorRole)
		input = func() error {
			if err := needText("reason", a.Reason); err != nil {
				return err
			}
			return visitMaxText("reason", a.Reason, 150)
		}
	case VisitMovedOut:
		allowed, input = desk, func() error { return visitMaxText("reason", a.Reason, 150) }
	default:
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case !s.status.AwaitingVisit():
		return invalidState(s.status, "回访在当前状态下不能执行此操作")
	case !allowed:
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此回访执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	return input()
}

// checkTime checks the time of a try: required or not, in the future, and
// not after the window's end while the window is open.
func (s *followUpState) checkTime(field string, at *time.Time, now time.Time, required bool) error {
	switch {
	case at == nil && required:
		return invalidInput(field, "必填")
	case at == nil:
		return nil
	case at.Before(now):
		return invalidInput(field, fmt.Sprintf("%s 已过去，应为现在或以后的时间", at.Format(time.RFC3339)))
	case now.Before(s.due) && at.After(s.due):
		return invalidInput(field, fmt.Sprintf("%s 超出回访期限，应不晚于 %s", at.Format(time.RFC3339), s.due.Format(time.RFC3339)))
	}
	return nil
}

// checkActor refuses an action without the staff member who takes it or
// with an unknown role.
func checkActor(id uint64, role models.Role) error {
	if id == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !role.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", role))
	}
	return nil
}

func visitMaxText(field, text string, n int) error {
	if utf8.RuneCountInString(text) > n {
		return invalidInput(field, fmt.Sprintf("不能超过 %d 个字", n))
	}
	return nil
}
