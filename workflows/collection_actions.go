package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// caseDesk are the roles that may record any task's outcome besides its
// assignee.
var caseDesk = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleCompanyAdmin}

// caseManagers approve plans and legal referral.
var caseManagers = []models.Role{models.RoleEstateManager, models.RoleCompanyAdmin}

// MaxPromiseDays bounds how far off a promise to pay may pause the ladder:
// the promised date is from today to today plus this many days.
const MaxPromiseDays = 90

// check is the validator of CollectionActionUpdate: state first
// (InvalidState with the stage), then role (Forbidden), then fields
// (InvalidInput).
func (s *collectionState) check(now time.Time, a CaseAction) error {
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if s.c.Stage == models.StageClosed {
		return invalidState(s.c.Stage, "催缴案件已结案")
	}
	if (a.ActorRole == ResidentLinkRole) != (a.Action == ActPromise) {
		// A resident's ID is no staff member's: they may promise, and
		// only they.
		return forbidden(fmt.Sprintf("角色 %s 不能执行 %s 操作", a.ActorRole, a.Action))
	}
	switch a.Action {
	case ActPromise:
		if s.c.Stage == models.StageLegal || s.c.Stage == models.StageLegalPending {
			return invalidState(s.c.Stage, "案件已转法务处理")
		}
		return checkPromise(now, s.loc, a.PromisedOn)
	case ActTaskOutcome:
		i := slices.IndexFunc(s.c.Tasks, func(t OpenTask) bool { return t.TaskID == a.TaskID })
		if i < 0 {
			return invalidState(s.c.Stage, fmt.Sprintf("催缴任务 %d 不是本案件的待办任务", a.TaskID))
		}
		if s.c.Tasks[i].Action == models.ActionFormalNotice {
			return invalidState(s.c.Stage, "送达任务请记录送达情况")
		}
		if a.ActorID != s.c.Tasks[i].AssigneeID && !slices.Contains(caseDesk, a.ActorRole) {
			return forbidden("只有该任务的负责人或客服可以记录任务结果")
		}
		if !a.Outcome.Valid() {
			return invalidInput("outcome", fmt.Sprintf("“%s”无效，可选值：%v", a.Outcome, models.TaskOutcomes()))
		}
		if a.Outcome == models.OutcomePromised {
			return checkPromise(now, s.loc, a.PromisedOn)
		}
		return nil
	case ActPlanApprove:
		if s.c.Stage == models.StageLegal || s.c.Stage == models.StageLegalPending {
			return invalidState(s.c.Stage, "案件正待法务审批或已转法务")
		}
		if s.c.Plan != nil {
			return invalidState(s.c.Stage, fmt.Sprintf("分期方案 %d 已在执行中", s.c.Plan.PlanID))
		}
		if !slices.Contains(caseManagers, a.ActorRole) {
			return forbidden("只有项目经理可以批准分期方案")
		}
		if a.PlanID == 0 {
			return invalidInput("plan_id", "必填")
		}
		// The instalment at fault, by its field, and the reason alone.
		if err := fieldError("", models.ValidateInstalments(a.Plan, models.DateOf(now, s.loc))); err != nil {
			return err
		}
		return nil
	case ActLegalDecision:
		if s.c.Stage != models.StageLegalPending {
			return invalidState(s.c.Stage, "没有待审批的转法务申请")
		}
		if !slices.Contains(caseManagers, a.ActorRole) {
			return forbidden("只有项目经理可以审批转法务")
		}
		if a.Approve && !models.LegalReferralAllowed(s.c.NoticeServedAt, now, s.in.Policy.Dunning) {
			return invalidState(s.c.Stage, "书面催告的答复期限尚未届满")
		}
		if len([]rune(a.Reason)) > models.MaxReasonLen {
			return invalidInput("reason", fmt.Sprintf("不能超过 %d 个字", models.MaxReasonLen))
		}
		return nil
	case ActRecordService:
		return s.checkService(now, a)
	case ActLegalDocument, ActLegalOutcome:
		return s.checkLegal(now, a)
	}
	return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
}

// act is the handler of CollectionActionUpdate.
func (s *collectionState) act(ctx workflow.Context, a CaseAction) (CaseView, error) {
	now := workflow.Now(ctx)
	if err := s.check(now, a); err != nil {
		return s.view(now), err
	}
	s.woken = true
	detail := actionDetail(ctx, map[string]string{"note": a.Note, "reason": a.Reason})
	switch a.Action {
	case ActPromise:
		s.promise(now, a.PromisedOn, detail)
		detail["by"], detail["resident_id"] = string(ResidentLinkRole), strconv.FormatUint(a.ActorID, 10)
		s.record(ctx, "promise", 0, "", string(models.OutcomePromised), detail)
	case ActTaskOutcome:
		s.taskOutcome(ctx, now, a, detail)
	case ActPlanApprove:
		s.c.Plan = &ActivePlan{PlanID: a.PlanID, Instalments: slices.Clone(a.Plan), ApprovedAt: now, PaidBefore: s.acct.Account.Paid}
		s.pause(Pause{Reason: PausePlan, Ref: a.PlanID, Since: now})
		detail["plan_id"] = strconv.FormatUint(a.PlanID, 10)
		detail["instalments"] = strconv.Itoa(len(a.Plan))
		s.record(ctx, "plan_approved", a.ActorID, "", "", detail)
		err := workflow.ExecuteActivity(dbCall(ctx), s.a().SetPlanStatus, activities.PlanStatusInput{PlanID: a.PlanID,
			From: []models.PlanStatus{models.PlanProposed}, To: models.PlanActive, By: a.ActorID, At: now}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("plan status", "plan", a.PlanID, "error", err)
		}
	case ActRecordService:
		s.recordService(ctx, now, a, detail)
	case ActLegalDecision:
		if a.Approve {
			s.c.Stage = models.StageLegal
			s.c.Legal = &LegalMatter{ReferredAt: now, Status: LegalReferred}
			s.c.Tasks = nil // no more automatic steps, nor escalations of old tasks
			s.record(ctx, "legal_approved", a.ActorID, "", "", detail)
			for _, id := range s.staffWithRole(ctx, models.RoleLegal) {
				s.notifyStaff(ctx, id, "legal_case_assigned", s.key(fmt.Sprintf("legal/staff-%d", id)), map[string]string{
					"location": s.acct.Location, "amount": yuan(s.acct.Account.Total), "case_no": s.caseNo(),
				})
			}
		} else {
			s.c.Stage = models.StageDunning
			s.c.Reached-- // the referral is a step still to take
			s.c.LegalRequestedAt = time.Time{}
			s.c.LegalNotBefore = now.Add(s.in.Policy.Dunning.FormalNoticePeriod.Std())
			s.restage()
			detail["ask_again"] = s.c.LegalNotBefore.Format(time.RFC3339)
			s.record(ctx, "legal_rejected", a.ActorID, "", "", detail)
		}
	case ActLegalDocument, ActLegalOutcome:
		s.recordLegal(ctx, now, a, detail)
	}
	return s.view(workflow.Now(ctx)), nil
}

// taskOutcome records a call's or visit's outcome and what follows from it:
// a promise pauses the ladder until the promised date is over; a refusal
// because of a service complaint opens a complaint ticket and pauses until
// it closes.
func (s *collectionState) taskOutcome(ctx workflow.Context, now time.Time, a CaseAction, detail map[string]string) {
	i := slices.IndexFunc(s.c.Tasks, func(t OpenTask) bool { return t.TaskID == a.TaskID })
	task := s.c.Tasks[i]
	s.c.Tasks = slices.Delete(s.c.Tasks, i, i+1)
	ch := models.ChannelPhone
	if task.Action == models.ActionVisit {
		ch = models.ChannelVisit
	}
	detail["task_id"] = strconv.FormatUint(task.TaskID, 10)
	var promised *time.Time
	if a.Outcome == models.OutcomePromised {
		s.promise(now, a.PromisedOn, detail)
		p := models.DateTime(a.PromisedOn)
		promised = &p
	}
	s.record(ctx, "task_outcome", a.ActorID, ch, string(a.Outcome), detail)
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().CompleteTask, activities.TaskOutcomeInput{TaskID: task.TaskID,
		Outcome: a.Outcome, Note: a.Note, PromisedOn: promised, By: a.ActorID, At: now}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("complete task", "task", task.TaskID, "error", err)
	}
	if a.Outcome == models.OutcomeRefusesComplaint {
		s.openComplaint(ctx, now, task, a)
	}
}

// checkPromise refuses a promised date outside today (at now in loc) to
// MaxPromiseDays after it.
func checkPromise(now time.Time, loc *time.Location, on models.Date) error {
	today := models.DateOf(now, loc)
	if on.IsZero() || on.Before(today) || on.After(today.AddDays(MaxPromiseDays)) {
		return invalidInput("promised_on", fmt.Sprintf("日期须在 %s 至 %s 之间", today, today.AddDays(MaxPromiseDays)))
	}
	return nil
}

// promise pauses the ladder until the promised date is over, whoever
// promised: a call's or visit's outcome, or the resident through their
// link.
func (s *collectionState) promise(now time.Time, on models.Date, detail map[string]string) {
	s.pause(Pause{Reason: PausePromise, Since: now, Until: on.AddDays(1).In(s.loc)})
	detail["promised_on"] = on.String()
}

// openComplaint creates the complaint ticket and starts its workflow as a
// child that outlives the case; the ladder waits until the complaint closes.
func (s *collectionState) openComplaint(ctx workflow.Context, now time.Time, task OpenTask, a CaseAction) {
	var tk *activities.Tickets
	var res activities.OpenedTicket
	desc := fmt.Sprintf("催缴案件%d：业主因服务问题拒绝缴费。%s", s.c.CaseID, a.Note)
	err := workflow.ExecuteActivity(dbCall(ctx), tk.OpenComplaint, activities.ComplaintInput{
		Key: s.key(fmt.Sprintf("complaint-%d", task.TaskID)), EstateID: s.in.EstateID, HouseholdID: s.in.HouseholdID,
		ResidentID: s.acct.ResidentID, FirstReceiverID: a.ActorID, Description: desc, ReportedAt: now,
	}).Get(ctx, &res)
	if err != nil {
		workflow.GetLogger(ctx).Error("open complaint", "case", s.c.CaseID, "error", err)
		return
	}
	ticketID := res.Ticket.ID
	s.pause(Pause{Reason: PauseComplaint, Ref: ticketID, Since: now})
	s.complaints = append(s.complaints, ticketID)
	s.record(ctx, "complaint_opened", a.ActorID, "", "", map[string]string{"ticket_id": strconv.FormatUint(ticketID, 10)})
	child := startTicket(ctx, res)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var out TicketResult
		if err := child.Get(ctx, &out); err != nil {
			workflow.GetLogger(ctx).Warn("complaint ticket", "ticket", ticketID, "error", err)
		}
		s.complaints = slices.DeleteFunc(s.complaints, func(id uint64) bool { return id == ticketID })
		done := workflow.Now(ctx)
		if i := slices.IndexFunc(s.c.Pauses, func(p Pause) bool { return p.Reason == PauseComplaint && p.Ref == ticketID }); i >= 0 {
			held := s.unpause(i, done)
			s.record(ctx, "resumed", 0, "", "", map[string]string{"reason": PauseComplaint,
				"ticket_id": strconv.FormatUint(ticketID, 10), "held": held.String()})
		}
		s.woken = true
	})
}

func forbidden(msg string) error {
	return temporal.NewApplicationError(msg, ErrTypeForbidden)
}
