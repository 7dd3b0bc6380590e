package workflows

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// act is the handler of the outage's action update: it changes the state
// at once, records the transition, tells the households and answers with
// the new view.
func (s *outageState) act(ctx workflow.Context, a OutageAction) (OutageView, error) {
	now := workflow.Now(ctx)
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	detail := actionDetail(ctx, map[string]string{"note": a.Note, "reason": a.Reason})
	step, typ := "", a.Action
	switch a.Action {
	case OutageRestore:
		s.status, s.restoredAt, s.escalateAt, s.note = models.OutageRestored, now, time.Time{}, a.Note
		step, typ = "restored", "restored"
	case OutageExtend:
		s.extensions++
		detail["from_ends_at"] = s.endsAt.Format(time.RFC3339)
		s.endsAt = a.EndsAt.In(s.loc)
		detail["ends_at"] = s.endsAt.Format(time.RFC3339)
		if s.status == models.OutageOverdue {
			s.status, s.escalateAt = models.OutageOngoing, time.Time{}
		}
		step, typ = "extended-"+strconv.Itoa(s.extensions), "extended"
	case OutageCancel:
		s.status, s.remindAt, s.note = models.OutageCancelled, time.Time{}, a.Reason
		step, typ = "cancelled", "cancelled"
	}
	s.woken = true
	s.write(ctx, s.snapshot(ctx, now, typ, a.ActorID, from, detail))
	s.tell(ctx, step, "told", a.ActorID)
	return s.view(workflow.Now(ctx)), nil
}

// check is the validator of the outage's action update: the status, then
// the caller's role, then the action's fields. Desk staff and technicians
// restore and extend; only a manager cancels, and only before the start.
func (s *outageState) check(ctx workflow.Context, a OutageAction) error {
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !a.ActorRole.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", a.ActorRole))
	}
	field := isDesk(a.ActorRole) || a.ActorRole == models.RoleTechnician
	var statusOK, allowed bool
	var input func() error
	switch a.Action {
	case OutageRestore:
		statusOK = s.status == models.OutageOngoing || s.status == models.OutageOverdue
		allowed, input = field, func() error { return maxText("note", a.Note, 500) }
	case OutageExtend:
		statusOK, allowed = !s.status.Terminal(), field
		input = func() error {
			if a.EndsAt == nil {
				return invalidInput("ends_at", "必填")
			}
			if err := s.in.Policy.Notice.CheckExtension(s.in.StartsAt, s.endsAt, *a.EndsAt); err != nil {
				return fieldError("", err)
			}
			if a.EndsAt.Before(workflow.Now(ctx)) {
				return invalidInput("ends_at", "不能早于现在")
			}
			return nil
		}
	case OutageCancel:
		statusOK, allowed = s.status == models.OutageAnnounced, isManager(a.ActorRole)
		input = func() error {
			if err := needText("reason", a.Reason); err != nil {
				return err
			}
			return maxText("reason", a.Reason, 200)
		}
	default:
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case !statusOK:
		return invalidState(s.status, "停运通知在当前状态下不能执行此操作")
	case !allowed:
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此停水停电通知执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	return input()
}

// allowed answers the allowed-actions query from the validator.
func (s *outageState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, OutageActions(), func(name string) error {
		return s.check(ctx, OutageAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}

// maxText refuses a text of more than n characters.
func maxText(field, text string, n int) error {
	if utf8.RuneCountInString(text) > n {
		return invalidInput(field, fmt.Sprintf("不能超过 %d 个字", n))
	}
	return nil
}
