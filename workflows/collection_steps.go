package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// fire acts on timer t, due at now (see fireDue).
func (s *collectionState) fire(ctx workflow.Context, now time.Time, t collectionTimer) {
	switch t.kind {
	case timerReminder:
		s.c.Reminded = append(s.c.Reminded, t.key)
		s.remind(ctx, t)
	case timerStep:
		s.takeStep(ctx, now, t.step)
	case timerTaskEsc:
		s.escalateTask(ctx, now, t.task)
	case timerLegalAgain:
		s.c.LegalReminders++
		s.c.LegalRemindAt = now.Add(s.in.Policy.Dunning.LegalDecisionReminder.Std())
		s.askLegal(ctx, now)
	case timerPromiseEnd:
		held := s.unpause(s.pauseIndex(PausePromise), now)
		s.refresh(ctx, now)
		s.record(ctx, "resumed", 0, "", "", map[string]string{"reason": PausePromise, "held": held.String()})
		s.settle(ctx, now)
	case timerPlanCheck:
		s.checkPlan(ctx, now)
	}
}

// remind sends a polite reminder (温馨提示) before or on a due date.
func (s *collectionState) remind(ctx workflow.Context, t collectionTimer) {
	template := "payment_reminder_before"
	if strings.HasSuffix(t.key, "/d-0") {
		template = "payment_reminder_due"
	}
	s.contact(ctx, template, s.key("remind/"+t.key), models.ChannelSMS, t.at, map[string]string{
		"estate": s.acct.EstateName, "period": t.what, "amount": yuan(t.amt), "due_date": monthDay(t.due),
		"service_phone": s.acct.Phone,
	})
}

// takeStep carries out ladder step i.
func (s *collectionState) takeStep(ctx workflow.Context, now time.Time, i int) {
	step := s.ladder()[i]
	if step.Action == models.ActionLegalReferral && !models.LegalReferralAllowed(s.c.NoticeServedAt, now, s.in.Policy.Dunning) {
		// The written demand's period has not run yet (or none was
		// served): the referral waits until it has (Civil Code Art. 944).
		if s.c.NoticeServedAt.IsZero() {
			s.c.LegalNotBefore = now.Add(s.in.Policy.Dunning.FormalNoticePeriod.Std())
		} else {
			s.c.LegalNotBefore = s.c.NoticeServedAt.Add(s.in.Policy.Dunning.FormalNoticePeriod.Std())
		}
		s.record(ctx, "legal_deferred", 0, "", "", map[string]string{"not_before": s.c.LegalNotBefore.Format(time.RFC3339)})
		return
	}
	s.c.Reached = i
	s.restage()
	s.refresh(ctx, now)
	_, oldest, _ := s.anchor()
	detail := map[string]string{"step": strconv.Itoa(i), "action": string(step.Action), "segment": string(s.c.Segment),
		"owed_fen": strconv.FormatInt(int64(s.acct.Account.Total), 10)}
	switch step.Action {
	case models.ActionMessage:
		s.c.Messages++
		s.record(ctx, "step", 0, step.Channel, "queued", detail)
		s.contact(ctx, s.messageTemplate(step), s.key(fmt.Sprintf("step-%d", i)), step.Channel, s.stepDue(now, step), map[string]string{
			"estate": s.acct.EstateName, "period": models.FormatPeriod(oldest.Period), "amount": yuan(s.acct.Account.Total),
			"due_date": monthDay(oldest.Due), "service_phone": s.acct.Phone,
		})
	case models.ActionPhoneCall, models.ActionVisit:
		due := now.Add(s.in.Policy.Dunning.TaskDue.Std())
		var res activities.TaskCreated
		err := workflow.ExecuteActivity(dbCall(ctx), s.a().CreateTask, activities.TaskInput{
			Key: s.key(fmt.Sprintf("task-%d", i)), CaseID: s.c.CaseID, EstateID: s.in.EstateID, HouseholdID: s.in.HouseholdID,
			Action: step.Action, Role: step.Role, DueAt: due,
		}).Get(ctx, &res)
		if err != nil {
			workflow.GetLogger(ctx).Error("create dunning task", "household", s.in.HouseholdID, "error", err)
			detail["error"] = "no staff with role " + string(step.Role)
			s.record(ctx, "step", 0, step.Channel, "unassigned", detail)
			return
		}
		s.track(res, step.Action, due, detail)
		s.record(ctx, "step", 0, step.Channel, "assigned", detail)
		s.notifyStaff(ctx, res.AssigneeID, "dunning_task", s.key(fmt.Sprintf("task-%d/staff-%d", i, res.AssigneeID)), map[string]string{
			"location": s.acct.Location, "period": models.FormatPeriod(oldest.Period), "amount": yuan(s.acct.Account.Total),
			"days_overdue": strconv.Itoa(s.daysOverdue(now)), "action": step.Action.Label(), "due": s.clock(due),
		})
	case models.ActionFormalNotice:
		if workflow.GetVersion(ctx, changeNoticeDelivery, workflow.DefaultVersion, 1) >= 1 {
			s.issueForDelivery(ctx, now, i, step, detail)
			return
		}
		var res activities.DemandResult
		err := workflow.ExecuteActivity(dbCall(ctx), s.a().IssueDemand, activities.DemandInput{
			Key: s.key(fmt.Sprintf("notice-%d", i)), CaseID: s.c.CaseID, EstateID: s.in.EstateID, HouseholdID: s.in.HouseholdID,
			ServedAt: now, TimeZone: s.in.TimeZone, Fees: s.in.Policy.Fees, Period: s.in.Policy.Dunning.FormalNoticePeriod.Std(),
		}).Get(ctx, &res)
		if err != nil {
			workflow.GetLogger(ctx).Error("issue demand letter", "household", s.in.HouseholdID, "error", err)
			s.record(ctx, "step", 0, step.Channel, "failed", detail)
			return
		}
		s.c.NoticeServedAt = now
		detail["letter_id"] = strconv.FormatUint(res.LetterID, 10)
		detail["served_on"], detail["pay_by"] = res.ServedOn.String(), res.PayBy.String()
		s.record(ctx, "step", 0, step.Channel, "issued", detail)
		for _, id := range s.staffWithRole(ctx, step.Role) {
			s.notifyStaff(ctx, id, "dunning_task", s.key(fmt.Sprintf("notice-%d/staff-%d", i, id)), map[string]string{
				"location": s.acct.Location, "period": models.FormatPeriod(oldest.Period), "amount": yuan(s.acct.Account.Total),
				"days_overdue": strconv.Itoa(s.daysOverdue(now)), "action": "送达书面催缴函（函号" + detail["letter_id"] + "）",
				"due": monthDay(res.ServedOn.AddDays(3)),
			})
		}
	case models.ActionLegalReferral:
		s.c.Stage = models.StageLegalPending
		s.c.LegalRemindAt = now.Add(s.in.Policy.Dunning.LegalDecisionReminder.Std())
		s.record(ctx, "legal_requested", 0, "", "", detail)
		s.askLegal(ctx, now)
	}
}

// track keeps the task res the step created, due at due, among the case's
// open tasks (escalating from the policy's first level) and names it in
// the step's detail.
func (s *collectionState) track(res activities.TaskCreated, action models.DunningAction, due time.Time, detail map[string]string) {
	t := OpenTask{TaskID: res.TaskID, AssigneeID: res.AssigneeID, Action: action, DueAt: due}
	if at, ok := s.in.Policy.Escalation.EscalationAt(due, 1); ok {
		t.EscalateAt = at
	}
	s.c.Tasks = append(s.c.Tasks, t)
	detail["task_id"] = strconv.FormatUint(res.TaskID, 10)
	detail["assignee_id"] = strconv.FormatUint(res.AssigneeID, 10)
}

// askLegal asks the estate managers to decide on legal referral.
func (s *collectionState) askLegal(ctx workflow.Context, now time.Time) {
	for _, id := range s.staffWithRole(ctx, models.RoleEstateManager) {
		s.notifyStaff(ctx, id, "legal_approval_needed", s.key(fmt.Sprintf("legal-ask-%d/staff-%d", s.c.LegalReminders, id)), map[string]string{
			"location": s.acct.Location, "amount": yuan(s.acct.Account.Total), "days_overdue": strconv.Itoa(s.daysOverdue(now)),
			"case_no": s.caseNo(),
		})
	}
}

// escalateTask climbs the escalation chain for an overdue task: it tells
// the staff with the role of the level reached, and the task's assignee,
// and records the escalation with the task's new level.
func (s *collectionState) escalateTask(ctx workflow.Context, now time.Time, i int) {
	t := &s.c.Tasks[i]
	t.Level, t.EscalateAt = climb(s.in.Policy.Escalation, t.Level, t.EscalateAt)
	task := *t
	role := s.in.Policy.Escalation.Levels[task.Level-1].Role
	detail := map[string]string{"task_id": strconv.FormatUint(task.TaskID, 10), "level": strconv.Itoa(task.Level), "role": string(role)}
	prefix := s.key(fmt.Sprintf("task-%d/escalate-%d", task.TaskID, task.Level))
	params := map[string]string{"task_no": strconv.FormatUint(task.TaskID, 10), "location": s.acct.Location, "action": task.Action.Label(),
		"due": s.clock(task.DueAt), "level": strconv.Itoa(task.Level)}
	if workflow.GetVersion(ctx, changeCollectionOneEscalation, workflow.DefaultVersion, 1) >= 1 {
		rec := s.change(ctx, "task_escalated", 0, "", "", detail)
		rec.Task = &store.TaskLevel{TaskID: task.TaskID, Level: task.Level}
		s.escalateOnce(ctx, activities.EscalateInput{Case: &rec, Role: role, Owner: task.AssigneeID}, "dunning_task_overdue", prefix, params)
		return
	}
	s.record(ctx, "task_escalated", 0, "", "", detail)
	if err := workflow.ExecuteActivity(dbCall(ctx), s.a().EscalateTask, activities.EscalateTaskInput{TaskID: task.TaskID, Level: task.Level}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("escalate task", "task", task.TaskID, "error", err)
	}
	for _, id := range s.escalationList(ctx, role, task.AssigneeID) {
		s.notifyStaff(ctx, id, "dunning_task_overdue", activities.StaffKey(prefix, id), params)
	}
}

// checkPlan checks the next instalment after its grace: kept, the plan goes
// on (or completes); missed, it breaks and the ladder resumes where it was.
func (s *collectionState) checkPlan(ctx workflow.Context, now time.Time) {
	p := s.c.Plan
	s.refresh(ctx, now)
	var due models.Money
	for _, in := range p.Instalments[:p.Kept+1] {
		due += in.AmountFen
	}
	paid := s.acct.Account.Paid - p.PaidBefore
	detail := map[string]string{"plan_id": strconv.FormatUint(p.PlanID, 10), "instalment": strconv.Itoa(p.Kept + 1),
		"due_fen": strconv.FormatInt(int64(due), 10), "paid_fen": strconv.FormatInt(int64(paid), 10)}
	if paid >= due || s.acct.Account.Total == 0 {
		p.Kept++
		if p.Kept < len(p.Instalments) && s.acct.Account.Total > 0 {
			s.record(ctx, "instalment_kept", 0, "", "", detail)
			return
		}
		s.endPlan(ctx, now, models.PlanCompleted, "plan_completed", detail)
		return
	}
	s.endPlan(ctx, now, models.PlanBroken, "plan_broken", detail)
}

func (s *collectionState) endPlan(ctx workflow.Context, now time.Time, status models.PlanStatus, typ string, detail map[string]string) {
	p := s.c.Plan
	s.c.Plan = nil
	if i := s.pauseIndex(PausePlan); i >= 0 {
		detail["held"] = s.unpause(i, now).String()
	}
	s.record(ctx, typ, 0, "", "", detail)
	err := workflow.ExecuteActivity(dbCall(ctx), s.a().SetPlanStatus, activities.PlanStatusInput{PlanID: p.PlanID,
		From: []models.PlanStatus{models.PlanActive}, To: status, At: now}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("plan status", "plan", p.PlanID, "error", err)
	}
	s.settle(ctx, now)
}

// close ends the case: everything is paid.
func (s *collectionState) close(ctx workflow.Context, now time.Time) {
	if s.c.Stage == models.StageClosed {
		return
	}
	if s.c.Plan != nil {
		p := s.c.Plan
		s.c.Plan = nil
		_ = workflow.ExecuteActivity(dbCall(ctx), s.a().SetPlanStatus, activities.PlanStatusInput{PlanID: p.PlanID,
			From: []models.PlanStatus{models.PlanActive}, To: models.PlanCompleted, At: now}).Get(ctx, nil)
	}
	for len(s.c.Pauses) > 0 {
		s.unpause(0, now)
	}
	s.c.Tasks = nil
	s.c.Stage, s.c.ClosedAt = models.StageClosed, now
	s.record(ctx, "closed", 0, "", "", map[string]string{"step_reached": strconv.Itoa(s.c.Reached)})
	if err := workflow.ExecuteActivity(dbCall(ctx), s.a().CloseTasks, s.c.CaseID).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("close tasks", "case", s.c.CaseID, "error", err)
	}
}

// record takes the next revision of the read model with its event and
// writes them; a permanent failure is logged and the case goes on.
func (s *collectionState) record(ctx workflow.Context, typ string, actor uint64, ch models.Channel, outcome string, detail map[string]string) {
	rec := s.change(ctx, typ, actor, ch, outcome, detail)
	var c *activities.Cases
	writeTransition(ctx, c.RecordCase, rec, rec.Event.Key)
}

// change takes the next revision of the read model with its event (and
// upserts the case's search attributes): the transition record writes, or
// an escalation records with its own.
func (s *collectionState) change(ctx workflow.Context, typ string, actor uint64, ch models.Channel, outcome string, detail map[string]string) activities.RecordCaseInput {
	s.transitions++
	now := workflow.Now(ctx)
	if typ == "legal_requested" {
		s.c.LegalRequestedAt = now // the legal queue shows since when the case waits
	}
	ev := s.next(now, transition{Type: typ, Actor: actor, To: string(s.c.Stage), Channel: ch, Outcome: outcome, Detail: detail})
	if workflow.GetVersion(ctx, changeCollectionSearchAttributes, workflow.DefaultVersion, 1) >= 1 {
		s.upsert(ctx, string(models.KindCollection), string(s.c.Stage), s.taskLevel(), s.nextTimer(now).at)
	}
	return activities.RecordCaseInput{CaseID: s.c.CaseID, Progress: s.progress(now), Event: ev}
}

// taskLevel is the highest escalation level among the case's open tasks.
func (s *collectionState) taskLevel() int {
	level := 0
	for _, t := range s.c.Tasks {
		level = max(level, t.Level)
	}
	return level
}

// stepDue is when ladder step step fell due, taken at now: its rung's
// place on the case's clock, so that the households whose ladders count
// from one day share their steps' batches however late each process woke.
func (s *collectionState) stepDue(now time.Time, step models.DunningStep) time.Time {
	if d, ok := s.overdueFor(now); ok && d > step.After.Std() {
		return now.Add(-(d - step.After.Std()))
	}
	return now
}

// contact queues a message to the household's resident, due at due, sent
// at its slot in the release batch of its estate's channel ch due that
// minute (changeReleaseRate) once quiet hours are over, unless the case
// closed or went to legal meanwhile, and records the contact with its
// channel ch and outcome.
func (s *collectionState) contact(ctx workflow.Context, template, key string, ch models.Channel, due time.Time, params map[string]string) {
	if s.acct.ResidentID == 0 {
		s.record(ctx, "contact", 0, ch, "no_resident", map[string]string{"template": template})
		return
	}
	var rel *release
	if workflow.GetVersion(ctx, changeReleaseRate, workflow.DefaultVersion, 1) >= 1 {
		rel = s.newRelease(s.in.Policy.Release, ch, due)
	}
	s.queue(ctx, outgoing{
		release: rel,
		msg:     s.message(models.RecipientResident, s.acct.ResidentID, template, key, params),
		drop:    func() bool { return s.c.Stage == models.StageClosed || s.c.Stage == models.StageLegal },
		sent: func(ctx workflow.Context, res activities.SendResult, err error) {
			outcome := string(res.Status)
			if err != nil {
				outcome = string(models.MessageFailed)
			}
			detail := map[string]string{"template": template, "message_id": strconv.FormatUint(res.MessageID, 10)}
			if err == nil && res.Delivery == models.DeliverySent &&
				workflow.GetVersion(ctx, changeContactDelivered, workflow.DefaultVersion, 1) >= 1 {
				// Sent by a gateway: a contact once its receipt says so.
				s.c.Contacting = append(s.c.Contacting, PendingContact{Key: key, Template: template, Channel: res.Channel})
				detail["channel"] = string(res.Channel)
				s.record(ctx, "contact_sent", 0, "", outcome, detail)
				s.claimHeard(ctx, key) // its outcome may have come first
				return
			}
			if err == nil && res.Delivery == models.DeliveryDelivered {
				ch, outcome = res.Channel, string(res.Delivery) // email: delivered once taken
				s.c.Delivered++
			}
			s.record(ctx, "contact", 0, ch, outcome, detail)
		},
	})
}

// delivered hears where a contact sent by a gateway stands (caseCore's
// delivery hook): delivered, it counts as a contact, by the channel that
// delivered it; failed on every channel, it is recorded as failed and
// counts as none. Other messages (to staff) are not contacts: false.
func (s *collectionState) delivered(ctx workflow.Context, key string, res activities.SendResult, err error) bool {
	i := slices.IndexFunc(s.c.Contacting, func(p PendingContact) bool { return p.Key == key })
	if i < 0 {
		return false
	}
	p := s.c.Contacting[i]
	s.c.Contacting = slices.Delete(s.c.Contacting, i, i+1)
	detail := map[string]string{"template": p.Template, "key": key}
	if err != nil || res.Delivery != models.DeliveryDelivered {
		detail["channel"] = string(p.Channel)
		s.record(ctx, "contact_failed", 0, "", string(models.DeliveryFailed), detail)
		return true
	}
	s.c.Delivered++
	s.record(ctx, "contact", 0, res.Channel, string(models.DeliveryDelivered), detail)
	return true
}

// messageTemplate is the resident template of a message step: its own when
// it names a payment template, else the polite first reminder for the first
// message step and the second for later ones.
func (s *collectionState) messageTemplate(step models.DunningStep) string {
	switch step.Template {
	case "payment_overdue_polite", "payment_overdue_second":
		return step.Template
	}
	if s.c.Messages <= 1 {
		return "payment_overdue_polite"
	}
	return "payment_overdue_second"
}

// daysOverdue counts the days the oldest unpaid bill is past its due date.
func (s *collectionState) daysOverdue(now time.Time) int {
	_, oldest, ok := s.anchor()
	if !ok {
		return 0
	}
	return max(models.DateOf(now, s.loc).DaysSince(oldest.Due), 0)
}

// key names a message or task of this case: "collection-4/7/<what>".
func (s *collectionState) key(what string) string { return s.journal + "/" + what }

func (s *collectionState) caseNo() string { return strconv.FormatUint(s.c.CaseID, 10) }

// yuan shows an amount without the symbol: "1,280.00" (templates add 元).
func yuan(m models.Money) string { return strings.TrimPrefix(m.String(), "¥") }

func monthDay(d models.Date) string { return fmt.Sprintf("%d月%d日", int(d.Month), d.Day) }
