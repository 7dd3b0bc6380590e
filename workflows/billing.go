package workflows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// BillingScheduleID is the ID of an estate's billing schedule:
// "billing-<estateID>".
func BillingScheduleID(estateID uint64) string {
	return "billing-" + strconv.FormatUint(estateID, 10)
}

// BillingRunWorkflowID is the workflow ID of an estate's scheduled billing
// runs, "billing-run-<estateID>" (the schedule appends each run's time).
func BillingRunWorkflowID(estateID uint64) string {
	return "billing-run-" + strconv.FormatUint(estateID, 10)
}

// billingHour is the local hour of the scheduled run on the billing day.
const billingHour = 1

// billingCatchup is how late a run missed during an outage still starts;
// BillingPeriod bills the right month however late inside it.
const billingCatchup = 7 * 24 * time.Hour

// BillingRunInput starts the scheduled billing run of an estate, with the
// time zone and billing day the schedule was last synced with.
type BillingRunInput struct {
	EstateID   uint64
	TimeZone   string
	BillingDay int
	// JitterWindow is how far the run is spread after its hour
	// (changeBillingRunJitter): the policy's, set by SyncBillingSchedule;
	// zero (a run started by hand, a schedule synced before it) puts off
	// nothing.
	JitterWindow models.Duration
}

// changeBillingRunJitter, version 1: a scheduled billing run first waits
// models.Jitter of its estate's run ID inside the jitter window, so that
// the estates billing at 01:00 on one day do not all run (and start their
// households' collections) at once; billing has no promise to the minute,
// and BillingPeriod bills the same month however late in the window.
// Before it, the run began at the schedule's time.
const changeBillingRunJitter = "billing-run-jitter"

// BillingRunResult is what a run issued.
type BillingRunResult struct {
	Period   models.Month
	Created  int
	Existing int
	NoItems  int
}

// BillingPeriod is the month a billing run at now bills: the month before
// the one whose billing day (at 01:00 in loc) last passed. On time that is
// the month just ended in the estate's zone; a run caught up days late
// after an outage still bills it.
func BillingPeriod(now time.Time, loc *time.Location, billingDay int) models.Month {
	local := now.In(loc)
	y, m, d := local.Date()
	if d < billingDay || (d == billingDay && local.Hour() < billingHour) {
		m-- // this month's billing day is still ahead
	}
	p := time.Date(y, m-1, 1, 0, 0, 0, 0, time.UTC)
	return models.Month{Year: p.Year(), Month: p.Month()}
}

// BillingRun issues an estate's bills of the month just ended, itemised from
// its fee standards, meter readings and fee items (the activity calls the
// same store.RunBilling as the API's run), then tells each billed household's collection process (starting
// it). Running it twice is safe: bills are unique per household and period.
func BillingRun(ctx workflow.Context, in BillingRunInput) (BillingRunResult, error) {
	loc, err := zone(in.TimeZone)
	if err != nil {
		return BillingRunResult{}, err
	}
	period := BillingPeriod(workflow.Now(ctx), loc, max(in.BillingDay, 1))
	if workflow.GetVersion(ctx, changeBillingRunJitter, workflow.DefaultVersion, 1) >= 1 {
		// Put off inside the window (the month taken at the
		// schedule's time), the same for the estate every month.
		if wait := models.Jitter(BillingRunWorkflowID(in.EstateID), in.JitterWindow); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return BillingRunResult{}, err
			}
		}
	}
	var a *activities.Collections
	var run activities.BillingRunResult
	if err := workflow.ExecuteActivity(billingWrite(ctx), a.RunBilling, activities.BillingRunInput{EstateID: in.EstateID, Period: period}).Get(ctx, &run); err != nil {
		return BillingRunResult{}, fmt.Errorf("billing run of estate %d for %s: %w", in.EstateID, period, err)
	}
	out := BillingRunResult{Period: period, Created: run.Run.Created, Existing: run.Run.Existing, NoItems: run.Run.NoItems}
	if len(run.Run.BillIDs) == 0 {
		return out, nil
	}
	nudge := activities.NudgeBillsInput{EstateID: in.EstateID, Policy: run.Policy, TimeZone: run.TimeZone, At: workflow.Now(ctx)}
	for i, id := range run.Run.BillIDs {
		nudge.Bills = append(nudge.Bills, activities.IssuedBill{HouseholdID: run.Run.HouseholdIDs[i], BillID: id})
	}
	if err := workflow.ExecuteActivity(billingNudges(ctx), a.NudgeBills, nudge).Get(ctx, nil); err != nil {
		return out, fmt.Errorf("tell the collections of estate %d's %s bills: %w", in.EstateID, period, err)
	}
	return out, nil
}

// SyncBillingSchedule makes an estate's billing schedule match its policy:
// with AutoBilling on, schedule BillingScheduleID runs BillingRun at 01:00
// on the billing day in the estate's time zone, spread over jitter (the
// policy's release.jitter_window) (created, or updated when it exists; a
// pause set by an operator is kept); with AutoBilling off the schedule is
// deleted. Safe to call any number of times.
func SyncBillingSchedule(ctx context.Context, c client.Client, e models.Estate, fees models.FeePolicy, jitter models.Duration) error {
	id := BillingScheduleID(e.ID)
	h := c.ScheduleClient().GetHandle(ctx, id)
	if !fees.AutoBilling {
		var nf *serviceerror.NotFound
		if err := h.Delete(ctx); err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("delete billing schedule of estate %d: %w", e.ID, err)
		}
		return nil
	}
	spec := client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			DayOfMonth: []client.ScheduleRange{{Start: fees.BillingDay}},
			Hour:       []client.ScheduleRange{{Start: billingHour}},
		}},
		TimeZoneName: e.TimeZone,
	}
	action := &client.ScheduleWorkflowAction{ID: BillingRunWorkflowID(e.ID), Workflow: BillingRun, TaskQueue: TaskQueue,
		Args: []any{BillingRunInput{EstateID: e.ID, TimeZone: e.TimeZone, BillingDay: fees.BillingDay, JitterWindow: jitter}}}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id, Spec: spec, Action: action,
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: billingCatchup})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create billing schedule of estate %d: %w", e.ID, err)
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &spec, action
		s.Policy = &client.SchedulePolicies{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: billingCatchup}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("update billing schedule of estate %d: %w", e.ID, err)
	}
	return nil
}
