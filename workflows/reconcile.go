package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The daily reconciliation (对账) runs on one schedule for the whole
// company, not one per estate: the statement folder (WUYE_RECON_DIR) is the
// company's setting, an estate added later is covered without a schedule
// of its own, and an operator pauses one schedule. Each estate's days are
// still its own: the run works out "yesterday" in every estate's zone.
const (
	// ReconcileScheduleID is the company's reconciliation schedule.
	ReconcileScheduleID = "reconciliation"
	// ReconcileWorkflowID is the workflow ID of its runs (the schedule
	// appends each run's time).
	ReconcileWorkflowID = "reconciliation-run"
	// reconcileHour is the local hour of the daily run: providers publish
	// the day before's statement in the morning (WeChat Pay from 10:00).
	reconcileHour = 11
	// reconcileDays is how many days back each run reads: yesterday and the
	// two before, so a file dropped late or a day missed in an outage is
	// still reconciled (a file read before is not read twice).
	reconcileDays = 3
)

// ReconcileInput starts a daily reconciliation; Days is how many days back
// it reads (reconcileDays when 0).
type ReconcileInput struct {
	Days int
}

// ReconcileResult is what a run found in the folder.
type ReconcileResult struct {
	Files []activities.FolderFile
}

// ReconcileDays are the days a run at now reconciles for an estate in loc:
// the days-many before today there, oldest first.
func ReconcileDays(now time.Time, loc *time.Location, days int) []models.Date {
	today := models.DateOf(now, loc)
	out := make([]models.Date, 0, days)
	for i := days; i >= 1; i-- {
		out = append(out, today.AddDays(-i))
	}
	return out
}

// DailyReconciliation reconciles the statement files of the last days of
// every estate found in the folder with the recorded payments. Safe to run
// any number of times: a file reconciled before is not reconciled again.
func DailyReconciliation(ctx workflow.Context, in ReconcileInput) (ReconcileResult, error) {
	days := in.Days
	if days <= 0 {
		days = reconcileDays
	}
	var a *activities.Reconciler
	var estates []activities.ReconcileEstate
	if err := workflow.ExecuteActivity(dbCall(ctx), a.ReconcileEstates).Get(ctx, &estates); err != nil {
		return ReconcileResult{}, fmt.Errorf("list estates: %w", err)
	}
	var out ReconcileResult
	for _, e := range estates {
		loc, err := zone(e.TimeZone)
		if err != nil {
			workflow.GetLogger(ctx).Warn("reconciliation: estate skipped", "estate_id", e.EstateID, "err", err)
			continue
		}
		for _, d := range ReconcileDays(workflow.Now(ctx), loc, days) {
			var files []activities.FolderFile
			err := workflow.ExecuteActivity(reconcileRead(ctx), a.ReconcileFolder, activities.ReconcileFolderInput{EstateID: e.EstateID, Day: d}).Get(ctx, &files)
			if err != nil {
				return out, fmt.Errorf("reconcile estate %d on %s: %w", e.EstateID, d, err)
			}
			out.Files = append(out.Files, files...)
		}
	}
	return out, nil
}

// reconcileRead reads and compares an estate's statement files of a day:
// up to 5 minutes an attempt, retried for a day.
func reconcileRead(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute, ScheduleToCloseTimeout: 24 * time.Hour, RetryPolicy: billingBackoff(),
	})
}

// SyncReconcileSchedule makes the company's reconciliation schedule match
// the configuration: with a statement folder, ReconcileScheduleID runs
// DailyReconciliation at 11:00 every day in tz (created, or updated when it
// exists; an operator's pause is kept); without one the schedule is
// deleted. Safe to call any number of times.
func SyncReconcileSchedule(ctx context.Context, c client.Client, dir, tz string) error {
	h := c.ScheduleClient().GetHandle(ctx, ReconcileScheduleID)
	if dir == "" {
		var nf *serviceerror.NotFound
		if err := h.Delete(ctx); err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("delete the reconciliation schedule: %w", err)
		}
		return nil
	}
	spec := client.ScheduleSpec{
		Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: reconcileHour}}}},
		TimeZoneName: tz,
	}
	action := &client.ScheduleWorkflowAction{ID: ReconcileWorkflowID, Workflow: DailyReconciliation, TaskQueue: TaskQueue,
		Args: []any{ReconcileInput{}}}
	policy := client.SchedulePolicies{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: 24 * time.Hour}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: ReconcileScheduleID, Spec: spec, Action: action,
		Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create the reconciliation schedule: %w", err)
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action, s.Policy = &spec, action, &policy
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("update the reconciliation schedule: %w", err)
	}
	return nil
}
