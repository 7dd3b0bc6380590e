package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// Why a long-lived workflow per plan, and not a Temporal Schedule per plan:
//
// A plan's occurrences follow the estate's working-day calendar (调休 makeup
// days, holidays that move every year, "monthly on the 31st" clamped to
// the month's end) and its time zone. A Schedule's calendar spec knows
// weekdays and days of the month but not the estate's calendar, which
// managers edit through the policy: it would start occurrences on holidays
// that the workflow then had to cancel, or need its spec rewritten at
// every calendar change. The plan workflow instead computes each next
// occurrence itself with models.NextOccurrence, from the plan and policy
// it reads afresh each time, so an edit to either applies from the next
// occurrence on, and the rule stays one pure, table-tested function.
//
// At rest the workflow is one durable timer: no workflow task runs between
// two occurrences (it wakes create_ahead before a start, see
// changePlanCreateAhead), so thousands of plans cost the engine thousands of
// timers, not thousands of busy workflows. Each occurrence starts as a
// child Inspection workflow with ParentClosePolicy ABANDON (it outlives
// the plan's run), and the plan continues as new every planRunsPerHistory
// occurrences to bound its history. A plan edit is the PlanReviseUpdate (or,
// from older callers, PlanChangedSignal): the timer is dropped and the next
// occurrence computed again.

// planRunsPerHistory is how many occurrences one run of a plan's workflow
// starts before it continues as new (about 20 events each).
const planRunsPerHistory = 100

// changePlanCreateAhead, version 1: a plan's occurrence is created (its
// row, its workflow, the assignee told) the policy's inspection.create_ahead
// before its start, spread over that window per plan by
// models.InspectionPolicy.CreateAt, so that the day's rounds exist before
// the shift and thousands starting at one minute are not all created at
// it; the occurrence's start, due time and escalations are unchanged.
// Before it, an occurrence was created at its start (issue 17).
const changePlanCreateAhead = "create-ahead"

// InspectionPlanInput runs plan PlanID from After (zero: from now).
type InspectionPlanInput struct {
	PlanID uint64
	After  time.Time
}

// InspectionPlanRun starts the occurrences of one plan as they come round,
// until the plan is deactivated or deleted. A staff edit arrives as the
// PlanReviseUpdate: the timer is dropped, the plan read again and the next
// occurrence computed afresh; a revision that deactivates the plan ends the
// workflow (occurrences already started go on: they are abandoned children).
func InspectionPlanRun(ctx workflow.Context, in InspectionPlanInput) error {
	changed := workflow.GetSignalChannel(ctx, PlanChangedSignal)
	rv := &planRevisions{planID: in.PlanID, wake: workflow.NewBufferedChannel(ctx, 1)}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, PlanReviseUpdate, rv.revise,
		workflow.UpdateHandlerOptions{Validator: rv.check}); err != nil {
		return fmt.Errorf("set update handler: %w", err)
	}
	after := in.After
	if after.IsZero() {
		after = workflow.Now(ctx)
	}
	for started := 0; started < planRunsPerHistory; {
		for rv.wake.ReceiveAsync(nil) {
		}
		seen := rv.rev
		if rv.ending {
			return rv.end(ctx, seen)
		}
		var ins *activities.Inspections
		var p activities.PlanResult
		if err := workflow.ExecuteActivity(dbLookup(ctx), ins.LoadPlan, activities.PlanInput{PlanID: in.PlanID}).Get(ctx, &p); err != nil {
			var ae *temporal.ApplicationError
			if errors.As(err, &ae) && ae.NonRetryable() {
				workflow.GetLogger(ctx).Warn("plan gone: its workflow ends", "plan", in.PlanID, "error", err)
				return rv.end(ctx, seen)
			}
			return err
		}
		if !p.Plan.Active {
			return rv.end(ctx, seen)
		}
		loc, err := zone(p.TimeZone)
		if err != nil {
			return err
		}
		next, err := models.NextOccurrence(p.Plan, after, loc, p.Policy.Calendar)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidInput, nil)
		}
		due := p.Policy.Inspection.Due(p.Plan)
		now := workflow.Now(ctx)
		if next.Add(due).Before(now) {
			// Occurrences whose whole window passed while the plan was not
			// running (a new plan starting in the past, an outage) are
			// skipped, not started late all at once.
			after = now.Add(-due)
			continue
		}
		rv.settle(seen, PlanView{Active: true, Next: next})
		create := next
		if workflow.GetVersion(ctx, changePlanCreateAhead, workflow.DefaultVersion, 1) >= 1 {
			create = p.Policy.Inspection.CreateAt(next, PlanWorkflowID(in.PlanID))
		}
		if wait := create.Sub(now); wait > 0 && waitOrChange(ctx, changed, rv.wake, wait) {
			continue // edited: read the plan again
		}
		startOccurrence(ctx, p, next, next.Add(due))
		after = next
		started++
	}
	// A revision not yet answered is read by the next run.
	rv.settle(rv.rev, PlanView{Active: true})
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, InspectionPlanRun, InspectionPlanInput{PlanID: in.PlanID, After: after})
}

// PlanRevision is a staff edit of a running plan: the plan as saved. A
// plan that is no longer active ends the plan's workflow.
type PlanRevision struct {
	Plan models.InspectionPlan
}

// PlanView answers a revision: whether the plan still runs and, when it
// does, its next occurrence as computed from the revised plan (zero when
// the run continued as new before computing it).
type PlanView struct {
	Active bool      `json:"active"`
	Next   time.Time `json:"next"`
}

// planRevisions is what a plan's workflow knows of the revisions sent to
// it: how many (rev), the last answered (settled) and its answer.
type planRevisions struct {
	planID  uint64
	wake    workflow.Channel
	rev     int
	settled int
	view    PlanView
	ending  bool
}

// check is the revision's validator: the plan it carries is this one and,
// when active, valid by the same rule as a new plan.
func (r *planRevisions) check(ctx workflow.Context, in PlanRevision) error {
	if in.Plan.ID != r.planID {
		return invalidInput("plan_id", fmt.Sprintf("%d 无效，应为本计划的编号 %d", in.Plan.ID, r.planID))
	}
	if r.ending {
		return invalidState("inactive", "巡检计划正在停用，不能再修改")
	}
	if !in.Plan.Active {
		return nil
	}
	return fieldErr(in.Plan.Validate(workflow.Now(ctx)))
}

// revise wakes the plan's loop and waits for it to compute the next
// occurrence from the revised plan (or to end, for a deactivation).
func (r *planRevisions) revise(ctx workflow.Context, in PlanRevision) (PlanView, error) {
	r.rev++
	mine := r.rev
	r.ending = !in.Plan.Active
	r.wake.SendAsync(true)
	if err := workflow.Await(ctx, func() bool { return r.settled >= mine }); err != nil {
		return PlanView{}, err
	}
	return r.view, nil
}

// settle answers the revisions up to seen with v.
func (r *planRevisions) settle(seen int, v PlanView) {
	if seen > r.settled {
		r.settled, r.view = seen, v
	}
}

// end answers the revisions up to seen as ended and lets their handlers
// finish before the workflow does.
func (r *planRevisions) end(ctx workflow.Context, seen int) error {
	r.ending = true
	r.settle(max(seen, r.rev), PlanView{})
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// waitOrChange sleeps for wait on one timer, or until the plan is edited
// (the changed signal, or a revision waking it on wake): true when it was.
func waitOrChange(ctx workflow.Context, changed, wake workflow.ReceiveChannel, wait time.Duration) bool {
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	edited := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(workflow.NewTimer(tctx, wait), func(workflow.Future) {})
	sel.AddReceive(changed, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		edited = true
	})
	sel.AddReceive(wake, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		edited = true
	})
	sel.Select(ctx)
	return edited
}

// startOccurrence opens the row of the occurrence at at and starts its
// workflow as an abandoned child; one already started (a retried run) is
// left alone.
func startOccurrence(ctx workflow.Context, p activities.PlanResult, at, due time.Time) {
	var ins *activities.Inspections
	var row models.Inspection
	in := activities.OpenOccurrenceInput{Plan: p.Plan, ScheduledAt: at, DueAt: due}
	if err := workflow.ExecuteActivity(dbCall(ctx), ins.OpenOccurrence, in).Get(ctx, &row); err != nil {
		workflow.GetLogger(ctx).Error("open occurrence", "plan", p.Plan.ID, "at", at, "error", err)
		return
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        InspectionWorkflowID(row.ID),
		ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
	})
	child := workflow.ExecuteChildWorkflow(cctx, Inspection, InspectionInput{InspectionID: row.ID, Plan: p.Plan,
		ScheduledAt: at, DueAt: due, Location: p.Location, Policy: p.Policy, TimeZone: p.TimeZone})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("start occurrence", "inspection", row.ID, "error", err)
	}
}

// RevisePlan brings plan p's workflow in line with p as just saved: an
// active plan's running workflow is revised (and started when none runs,
// e.g. on reactivation), a deactivated plan's workflow ends; a workflow
// already gone is no error then. The view is zero when no run answered.
func RevisePlan(ctx context.Context, c client.Client, p models.InspectionPlan) (PlanView, error) {
	plans := NewClient[PlanView](c, Process{ActionUpdate: PlanReviseUpdate, idPrefix: "inspection-plan-"})
	v, err := plans.Act(ctx, p.ID, "", PlanRevision{Plan: p})
	var nf *serviceerror.NotFound
	switch {
	case !errors.As(err, &nf):
		return v, err
	case p.Active:
		return PlanView{}, StartOnce(ctx, c, PlanWorkflowID(p.ID), enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			InspectionPlanRun, InspectionPlanInput{PlanID: p.ID})
	}
	return PlanView{}, nil
}

// StatutoryCheckInput runs the daily statutory check of an estate.
type StatutoryCheckInput struct {
	EstateID uint64
}

// statutoryDaysPerHistory is how many daily checks one run makes before
// it continues as new.
const statutoryDaysPerHistory = 60

// StatutoryCheck checks an estate's statutory inspection dates (法定检验:
// lifts, fire systems...) once a day at the policy's time: for each
// equipment due within the first warning (30, 7, 1 days ahead by default)
// or overdue, the estate's managers are told once per threshold (the
// message key names it, so a retried or repeated check sends nothing
// twice). One timer a day per estate; it continues as new every
// statutoryDaysPerHistory days.
func StatutoryCheck(ctx workflow.Context, in StatutoryCheckInput) error {
	for day := 0; day < statutoryDaysPerHistory; day++ {
		var ins *activities.Inspections
		var est activities.EstatePolicyResult
		if err := workflow.ExecuteActivity(dbLookup(ctx), ins.EstatePolicy, activities.EstateInput{EstateID: in.EstateID}).Get(ctx, &est); err != nil {
			return err
		}
		loc, err := zone(est.TimeZone)
		if err != nil {
			return err
		}
		now := workflow.Now(ctx)
		if err := workflow.Sleep(ctx, est.Policy.Inspection.NextCheck(now, loc).Sub(now)); err != nil {
			return err
		}
		warnStatutory(ctx, in.EstateID, est.Policy, models.DateOf(workflow.Now(ctx), loc))
	}
	return workflow.NewContinueAsNewError(ctx, StatutoryCheck, in)
}

// warnStatutory sends the warnings due today.
func warnStatutory(ctx workflow.Context, estateID uint64, p models.Policy, today models.Date) {
	days := p.Inspection.WarnDays()
	var ins *activities.Inspections
	var items []activities.StatutoryItem
	in := activities.StatutoryInput{EstateID: estateID, Today: today, Days: slices.Max(days)}
	if err := workflow.ExecuteActivity(dbLookup(ctx), ins.StatutoryDue, in).Get(ctx, &items); err != nil {
		workflow.GetLogger(ctx).Error("statutory due", "estate", estateID, "error", err)
		return
	}
	if len(items) == 0 {
		return
	}
	var st *activities.Staff
	var managers activities.RecipientsResult
	if err := workflow.ExecuteActivity(dbCall(ctx), st.Recipients, activities.RecipientsInput{EstateID: estateID, Role: models.RoleEstateManager}).
		Get(ctx, &managers); err != nil {
		workflow.GetLogger(ctx).Error("statutory recipients", "estate", estateID, "error", err)
		return
	}
	var n *activities.Notifier
	for _, it := range items {
		w, ok := models.StatutoryWarningDue(it.DueOn, today, days)
		if !ok {
			continue
		}
		template := "statutory_due"
		if w.DaysLeft < 0 {
			template = "statutory_overdue"
		}
		for _, id := range managers.StaffIDs {
			msg := activities.SendInput{
				Key:      fmt.Sprintf("%s/equipment-%d/%s/%d/staff-%d", StatutoryWorkflowID(estateID), it.EquipmentID, it.DueOn, w.Threshold, id),
				EstateID: estateID, RecipientKind: models.RecipientStaff, RecipientID: id, Template: template,
				Params: map[string]string{"case_no": "设备" + it.Code, "topic": it.Name, "due": it.DueOn.String()},
				Ref:    "equipment:" + strconv.FormatUint(it.EquipmentID, 10),
			}
			if err := workflow.ExecuteActivity(sendMessage(ctx), n.Send, msg).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("statutory warning not sent", "key", msg.Key, "error", err)
			}
		}
	}
}

// EnsureResult is what EnsureInspections found and did.
type EnsureResult struct {
	// Running were already running by the engine's list, Started were
	// started (or found running by their start), Failed could not be.
	Running, Started, Failed int
	// Listed is false when the list of running workflows failed: every
	// plan was then started once (a running one is left alone).
	Listed bool
}

// ensureParallel is how many starts EnsureInspections has in flight.
const ensureParallel = 8

// runningInspectionsQuery lists the running plan and statutory workflows.
const runningInspectionsQuery = "ExecutionStatus = 'Running' AND WorkflowType IN ('InspectionPlanRun', 'StatutoryCheck')"

// EnsureInspections starts the workflow of each plan and each estate's
// statutory check that is not running (one already running is left
// alone): at start-up, so that plans seeded or restored without their
// workflows converge. The running ones are listed first (pages of the
// engine's visibility, a few calls for thousands of plans) and skipped;
// the others are started ensureParallel at a time. The list may lag a
// start by a moment: a workflow it misses is started once, which finds
// it running and leaves it alone.
func EnsureInspections(ctx context.Context, c client.Client, plans, estates []uint64) (EnsureResult, error) {
	var res EnsureResult
	running, err := runningIDs(ctx, c, runningInspectionsQuery)
	res.Listed = err == nil
	type start struct {
		id     string
		wf, in any
	}
	var todo []start
	for _, id := range plans {
		todo = append(todo, start{PlanWorkflowID(id), InspectionPlanRun, InspectionPlanInput{PlanID: id}})
	}
	for _, id := range estates {
		todo = append(todo, start{StatutoryWorkflowID(id), StatutoryCheck, StatutoryCheckInput{EstateID: id}})
	}
	todo = slices.DeleteFunc(todo, func(s start) bool { return running[s.id] })
	res.Running = len(plans) + len(estates) - len(todo)
	var (
		mu   sync.Mutex
		errs []error
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(ensureParallel, len(todo)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				s := todo[i]
				err := StartOnce(ctx, c, s.id, enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, s.wf, s.in)
				mu.Lock()
				if err != nil {
					res.Failed++
					errs = append(errs, fmt.Errorf("%s: %w", s.id, err))
				} else {
					res.Started++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 3 {
		errs = append(errs[:3], fmt.Errorf("and %d more", len(errs)-3))
	}
	if err != nil && len(todo) > 0 {
		errs = append(errs, fmt.Errorf("list running (every one started instead): %w", err))
	}
	return res, errors.Join(errs...)
}

// runningIDs lists the IDs of the running workflows query finds.
func runningIDs(ctx context.Context, c client.Client, query string) (map[string]bool, error) {
	out := map[string]bool{}
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1000}
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, e := range resp.GetExecutions() {
			out[e.GetExecution().GetWorkflowId()] = true
		}
		if len(resp.GetNextPageToken()) == 0 {
			return out, nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}
