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

// serviceDesk may record any letter's service besides its delivery task's
// assignee.
var serviceDesk = append([]models.Role{models.RoleFinance}, caseDesk...)

// issueForDelivery takes the formal notice step (changeNoticeDelivery): it
// issues the printable letter with a delivery task for the step's role. The
// notice counts as served only once staff record its service
// (ActRecordService); until then the legal step waits.
func (s *collectionState) issueForDelivery(ctx workflow.Context, now time.Time, i int, step models.DunningStep, detail map[string]string) {
	_, oldest, _ := s.anchor()
	due := now.Add(s.in.Policy.Dunning.TaskDue.Std())
	var res activities.DemandResult
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().IssueDemand, activities.DemandInput{
		Key: s.key(fmt.Sprintf("notice-%d", i)), CaseID: s.c.CaseID, EstateID: s.in.EstateID, HouseholdID: s.in.HouseholdID,
		ServedAt: now, TimeZone: s.in.TimeZone, Fees: s.in.Policy.Fees, Period: s.in.Policy.Dunning.FormalNoticePeriod.Std(),
		Delivery: &activities.TaskInput{Key: s.key(fmt.Sprintf("notice-%d/delivery", i)), CaseID: s.c.CaseID, EstateID: s.in.EstateID,
			HouseholdID: s.in.HouseholdID, Action: step.Action, Role: step.Role, DueAt: due},
	}).Get(ctx, &res)
	if err != nil {
		workflow.GetLogger(ctx).Error("issue demand letter", "household", s.in.HouseholdID, "error", err)
		s.record(ctx, "step", 0, step.Channel, "failed", detail)
		return
	}
	s.c.Letters = append(s.c.Letters, PendingLetter{LetterID: res.LetterID, TaskID: res.Task.TaskID, AssigneeID: res.Task.AssigneeID, IssuedOn: res.ServedOn})
	detail["letter_id"] = strconv.FormatUint(res.LetterID, 10)
	detail["issued_on"], detail["pay_by"] = res.ServedOn.String(), res.PayBy.String()
	if res.Task.TaskID == 0 {
		detail["error"] = "no staff with role " + string(step.Role)
		s.record(ctx, "step", 0, step.Channel, "awaiting_service", detail)
		return
	}
	s.track(res.Task, step.Action, due, detail)
	s.record(ctx, "step", 0, step.Channel, "awaiting_service", detail)
	s.notifyStaff(ctx, res.Task.AssigneeID, "dunning_task", s.key(fmt.Sprintf("notice-%d/staff-%d", i, res.Task.AssigneeID)), map[string]string{
		"location": s.acct.Location, "period": models.FormatPeriod(oldest.Period), "amount": yuan(s.acct.Account.Total),
		"days_overdue": strconv.Itoa(s.daysOverdue(now)), "action": "送达书面催缴函（函号" + detail["letter_id"] + "）并记录送达",
		"due": s.clock(due),
	})
}

// checkService is the validator of ActRecordService: the letter awaits
// service in this case (else InvalidState), the caller holds its task or
// the service desk (else Forbidden), and the service is well formed
// (models.CheckService, else InvalidInput naming the field).
func (s *collectionState) checkService(now time.Time, a CaseAction) error {
	i := slices.IndexFunc(s.c.Letters, func(l PendingLetter) bool { return l.LetterID == a.LetterID })
	if i < 0 {
		return invalidState(s.c.Stage, fmt.Sprintf("催缴函 %d 不是本案件待送达的函件", a.LetterID))
	}
	l := s.c.Letters[i]
	if a.ActorID != l.AssigneeID && !slices.Contains(serviceDesk, a.ActorRole) {
		return forbidden("只有送达任务的负责人、财务或客服可以记录催缴函的送达情况")
	}
	return fieldError("", models.CheckService(a.Method, a.TrackingNo, a.Proof, a.ServedOn, l.IssuedOn, models.DateOf(now, s.loc)))
}

// recordService records a letter's service: the notice counts as served
// from the start of the served date, so the legal step's period (Civil
// Code Art. 944) runs from it, and the delivery task is done.
func (s *collectionState) recordService(ctx workflow.Context, now time.Time, a CaseAction, detail map[string]string) {
	i := slices.IndexFunc(s.c.Letters, func(l PendingLetter) bool { return l.LetterID == a.LetterID })
	l := s.c.Letters[i]
	s.c.Letters = slices.Delete(s.c.Letters, i, i+1)
	s.c.Tasks = slices.DeleteFunc(s.c.Tasks, func(t OpenTask) bool { return l.TaskID != 0 && t.TaskID == l.TaskID })
	served := a.ServedOn.In(s.loc)
	if served.After(s.c.NoticeServedAt) {
		s.c.NoticeServedAt = served
	}
	s.c.LegalNotBefore = s.c.NoticeServedAt.Add(s.in.Policy.Dunning.FormalNoticePeriod.Std())
	detail["letter_id"] = strconv.FormatUint(l.LetterID, 10)
	detail["method"], detail["served_on"] = string(a.Method), a.ServedOn.String()
	detail["tracking_no"], detail["proof"] = a.TrackingNo, a.Proof
	s.record(ctx, "notice_served", a.ActorID, models.ChannelLetter, string(a.Method), detail)
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().RecordService, activities.ServiceInput{LetterID: l.LetterID, Method: a.Method,
		TrackingNo: a.TrackingNo, Proof: a.Proof, ServedOn: a.ServedOn, By: a.ActorID, At: now}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("record letter service", "letter", l.LetterID, "error", err)
	}
}
