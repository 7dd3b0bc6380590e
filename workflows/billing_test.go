package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The scheduled run bills the month just ended in the estate's zone, not
// in UTC, and tells the collection of every household it billed.
func TestBillingRunBillsTheMonthJustEndedInTheEstatesZone(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		tz    string
		day   int
		start time.Time
		want  models.Month
	}{
		{"01:00 on the 1st in Shanghai is still the 28th in UTC", "Asia/Shanghai", 1,
			time.Date(2026, 3, 1, 1, 0, 0, 0, shanghai), models.Month{Year: 2026, Month: time.February}},
		{"the year wraps", "Asia/Shanghai", 1,
			time.Date(2026, 1, 1, 1, 0, 0, 0, shanghai), models.Month{Year: 2025, Month: time.December}},
		{"the 28th's evening in New York is already the 1st in UTC", "America/New_York", 1,
			time.Date(2026, 2, 28, 20, 0, 0, 0, newYork), models.Month{Year: 2026, Month: time.January}},
		{"billing day 28 in February", "Asia/Shanghai", 28,
			time.Date(2026, 2, 28, 1, 0, 0, 0, shanghai), models.Month{Year: 2026, Month: time.January}},
		{"caught up four days late after an outage", "Asia/Shanghai", 5,
			time.Date(2026, 3, 9, 10, 0, 0, 0, shanghai), models.Month{Year: 2026, Month: time.February}},
		{"triggered by hand before the billing day's hour", "Asia/Shanghai", 5,
			time.Date(2026, 3, 5, 0, 30, 0, 0, shanghai), models.Month{Year: 2026, Month: time.January}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv()
			env.SetStartTime(tt.start)
			var c *activities.Collections
			var ran activities.BillingRunInput
			var ranAt time.Time
			var nudged activities.NudgeBillsInput
			env.OnActivity(c.RunBilling, mockAny, mockAny).Return(
				func(_ context.Context, in activities.BillingRunInput) (activities.BillingRunResult, error) {
					ran, ranAt = in, env.Now()
					return activities.BillingRunResult{Policy: models.DefaultPolicy(), TimeZone: tt.tz, Run: models.BillingRun{
						Created: 2, Existing: 1, BillIDs: []uint64{10, 11}, HouseholdIDs: []uint64{4, 5}}}, nil
				})
			env.OnActivity(c.NudgeBills, mockAny, mockAny).Return(func(_ context.Context, in activities.NudgeBillsInput) error {
				nudged = in
				return nil
			})
			env.ExecuteWorkflow(BillingRun, BillingRunInput{EstateID: 3, TimeZone: tt.tz, BillingDay: tt.day,
				JitterWindow: models.DefaultReleasePolicy().JitterWindow})
			var res BillingRunResult
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatalf("result: got %v, want none", err)
			}
			if ran.Period != tt.want || ran.EstateID != 3 || res.Period != tt.want || res.Created != 2 || res.Existing != 1 {
				t.Errorf("run: got %+v with result %+v, want estate 3, period %s, 2 created, 1 existing", ran, res, tt.want)
			}
			// Put off by the estate's jitter (changeBillingRunJitter), the
			// month taken at the schedule's time.
			jitter := models.Jitter(BillingRunWorkflowID(3), models.DefaultReleasePolicy().JitterWindow)
			if jitter == 0 || !ranAt.Equal(tt.start.Add(jitter)) {
				t.Errorf("run at %s, want %s put off by %s", ranAt, tt.start, jitter)
			}
			want := []activities.IssuedBill{{HouseholdID: 4, BillID: 10}, {HouseholdID: 5, BillID: 11}}
			if nudged.EstateID != 3 || nudged.TimeZone != tt.tz || len(nudged.Bills) != 2 || nudged.Bills[0] != want[0] || nudged.Bills[1] != want[1] {
				t.Errorf("nudged: got %+v, want bills %v of estate 3 in %s", nudged, want, tt.tz)
			}
		})
	}
}

// A second run of the month creates nothing and tells no process; an
// unknown time zone fails the run at once.
func TestBillingRunTwiceAndBadZone(t *testing.T) {
	env := newTestEnv()
	var c *activities.Collections
	env.OnActivity(c.RunBilling, mockAny, mockAny).Return(activities.BillingRunResult{Run: models.BillingRun{Existing: 3,
		BillIDs: []uint64{}, HouseholdIDs: []uint64{}}}, nil)
	env.ExecuteWorkflow(BillingRun, BillingRunInput{EstateID: 3, TimeZone: "Asia/Shanghai", BillingDay: 1})
	var res BillingRunResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Created != 0 || res.Existing != 3 {
		t.Errorf("second run: got %+v, %v, want 3 existing and no error", res, err)
	}
	env.AssertNotCalled(t, "NudgeBills", mockAny, mockAny)

	env = newTestEnv()
	env.ExecuteWorkflow(BillingRun, BillingRunInput{EstateID: 3, TimeZone: "Mars/Olympus"})
	if err := env.GetWorkflowError(); err == nil {
		t.Errorf("unknown zone: got no error, want one")
	}
}
