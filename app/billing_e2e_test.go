package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// billingSchedule describes estate id's billing schedule; nil when there
// is none.
func billingSchedule(t *testing.T, a *App, id uint64) *client.ScheduleDescription {
	t.Helper()
	d, err := a.Temporal.ScheduleClient().GetHandle(context.Background(), workflows.BillingScheduleID(id)).Describe(context.Background())
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		t.Fatalf("describe billing schedule of estate %d: %v", id, err)
	}
	return d
}

// wantBillingSchedule checks that the schedule runs BillingRun at 01:00 on
// day in zone.
func wantBillingSchedule(t *testing.T, a *App, id uint64, zone string, day int) {
	t.Helper()
	d := billingSchedule(t, a, id)
	if d == nil {
		t.Fatalf("billing schedule of estate %d: got none, want one", id)
	}
	spec := d.Schedule.Spec
	if spec.TimeZoneName != zone || len(spec.Calendars) != 1 || len(spec.Calendars[0].DayOfMonth) != 1 || len(spec.Calendars[0].Hour) != 1 ||
		spec.Calendars[0].DayOfMonth[0].Start != day || spec.Calendars[0].Hour[0].Start != 1 {
		t.Errorf("billing schedule spec: got %+v, want 01:00 on day %d in %s", spec, day, zone)
	}
	act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || act.Workflow != "BillingRun" || act.ID != workflows.BillingRunWorkflowID(id) || act.TaskQueue != workflows.TaskQueue {
		t.Errorf("billing schedule action: got %+v, want BillingRun as %s", d.Schedule.Action, workflows.BillingRunWorkflowID(id))
	}
}

// TestBillingScheduleFollowsThePolicy: a new estate gets its billing
// schedule; PUT policy moves its day or, with auto billing off, deletes
// it; a start of the service restores a missing one; triggered, it bills
// the month just ended and starts the household's collection.
func TestBillingScheduleFollowsThePolicy(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	admin := signIn(t, a, "admin", e2ePassword)
	var estate idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "SCHED", "name": "排程小区", "time_zone": "America/New_York"}, &estate, http.StatusCreated)
	wantBillingSchedule(t, a, estate.ID, "America/New_York", 1)

	path := fmt.Sprintf("/api/v1/estates/%d/policy", estate.ID)
	var pol models.EstatePolicy
	admin.mustCall(http.MethodGet, path, nil, &pol, http.StatusOK)
	pol.Policy.Fees.BillingDay = 15
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, &pol, http.StatusOK)
	wantBillingSchedule(t, a, estate.ID, "America/New_York", 15)

	pol.Policy.Fees.AutoBilling = false
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, &pol, http.StatusOK)
	if d := billingSchedule(t, a, estate.ID); d != nil {
		t.Fatalf("billing schedule with auto billing off: got %+v, want none", d.Schedule.Spec)
	}
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, &pol, http.StatusOK) // off twice

	pol.Policy.Fees.AutoBilling = true
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, &pol, http.StatusOK)
	wantBillingSchedule(t, a, estate.ID, "America/New_York", 15)

	// A schedule lost (or a database from before schedules) converges at start.
	if err := a.Temporal.ScheduleClient().GetHandle(context.Background(), workflows.BillingScheduleID(estate.ID)).Delete(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.syncBillingSchedules(context.Background())
	wantBillingSchedule(t, a, estate.ID, "America/New_York", 15)

	// Triggered, the schedule bills the household from its fee items and
	// starts its collection (after its jitter: a second here, where the
	// default spreads runs over half an hour).
	pol.Policy.Release.JitterWindow = models.Duration(time.Second)
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, &pol, http.StatusOK)
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estate.ID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/fee-items", map[string]any{"household_id": hh.ID, "name": "物业费", "amount_fen": 25000}, nil, http.StatusCreated)
	ny, _ := time.LoadLocation("America/New_York")
	period := workflows.BillingPeriod(time.Now(), ny, 15)
	if err := a.Temporal.ScheduleClient().GetHandle(context.Background(), workflows.BillingScheduleID(estate.ID)).Trigger(context.Background(), client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var bills struct {
		Items []models.HouseholdBill `json:"items"`
	}
	waitFor(t, 30*time.Second, "the scheduled run's bill", func() bool {
		admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/bills?estate_id=%d", estate.ID), nil, &bills, http.StatusOK)
		return len(bills.Items) == 1
	})
	if b := bills.Items[0]; b.HouseholdID != hh.ID || b.Period != period.String() || b.AmountFen != 25000 || b.RunID == nil {
		t.Errorf("scheduled bill: got %+v, want household %d's %s bill of 25000 from a run", b, hh.ID, period)
	}
	waitFor(t, 30*time.Second, "the household's collection", func() bool {
		_, err := a.Temporal.DescribeWorkflowExecution(context.Background(), workflows.CollectionWorkflowID(hh.ID), "")
		return err == nil
	})
}

// TestBillRetryRepairsAMissedNudge: a bill stored whose nudge never reached
// the process (the signal failed after the write) is repaired by the
// client's retry: the same bill again is 200 with that bill and starts the
// household's collection; another amount for the month is 409.
func TestBillRetryRepairsAMissedNudge(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newRecording(t, a, "RETRY", func(*models.Policy) {})
	fin := r.as[models.RoleFinance]
	b, err := a.Store.IssueBill(context.Background(), store.AllEstates(), r.house, models.Month{Year: 2025, Month: time.March}, 30000,
		models.DefaultPolicy().Fees, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := workflows.CollectionWorkflowID(r.house)
	if _, err := a.Temporal.DescribeWorkflowExecution(context.Background(), id, ""); err == nil {
		t.Fatalf("collection before the retry: got one, want none (the nudge was lost)")
	}
	var got models.HouseholdBill
	req := map[string]any{"household_id": r.house, "period": "2025-03", "amount_fen": 30000}
	fin.mustCall(http.MethodPost, "/api/v1/bills", req, &got, http.StatusOK)
	if got.ID != b.ID {
		t.Errorf("retried bill: got id %d, want %d", got.ID, b.ID)
	}
	if _, err := a.Temporal.DescribeWorkflowExecution(context.Background(), id, ""); err != nil {
		t.Errorf("collection after the retry: got %v, want it running", err)
	}
	req["amount_fen"] = 31000
	fin.mustCall(http.MethodPost, "/api/v1/bills", req, nil, http.StatusConflict)
}
