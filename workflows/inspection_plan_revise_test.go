package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// A daily 08:00 patrol is revised on Sunday 03-08 to weekly on Mondays at
// 10:00: the next occurrence moves from 03-09 08:00 to 03-09 10:00 (and is
// created the default create_ahead before 10:00, not 08:00) and
// 03-10 gets none. Deactivated on 03-12, the workflow ends cleanly and
// 03-16 gets none either. Revisions of another plan or with a bad time are
// refused by the validator.
func TestInspectionPlanRevisedThenDeactivated(t *testing.T) {
	h := newInspHarness(t, at(7, 7, 0))
	var mu sync.Mutex
	plan := pumpPlan() // starts Monday 03-02
	plan.Name, plan.Cadence, plan.At = "每日巡逻", models.CadenceDaily, "08:00"
	current := func() models.InspectionPlan {
		mu.Lock()
		defer mu.Unlock()
		return plan
	}
	var ins *activities.Inspections
	h.env.OnActivity(ins.LoadPlan, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.PlanInput) (activities.PlanResult, error) {
			return activities.PlanResult{Plan: current(), Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	var created []time.Time
	h.env.OnWorkflow(Inspection, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in InspectionInput) (InspectionResult, error) {
			created = append(created, workflow.Now(ctx))
			return InspectionResult{InspectionID: in.InspectionID, Status: models.InspectionCompleted}, nil
		})
	views := map[string]PlanView{}
	type revision struct {
		label string
		edit  func(*models.InspectionPlan)
		save  bool // the store is written before the update is sent
	}
	// revise sends the revisions rs, in order, at when.
	revise := func(when string, rs ...revision) {
		d, _ := time.Parse("01-02 15:04", when)
		h.env.RegisterDelayedCallback(func() {
			for _, r := range rs {
				mu.Lock()
				p := plan
				r.edit(&p)
				if r.save {
					plan = p
				}
				mu.Unlock()
				label := r.label
				h.env.UpdateWorkflow(PlanReviseUpdate, label, &testsuite.TestUpdateCallback{
					OnAccept: func() {},
					OnReject: func(err error) { h.errs[label] = err },
					OnComplete: func(v any, err error) {
						h.errs[label] = err
						if pv, ok := v.(PlanView); ok {
							views[label] = pv
						}
					},
				}, PlanRevision{Plan: p})
			}
		}, at(d.Day(), d.Hour(), d.Minute()).Sub(h.start))
	}
	revise("03-08 09:00", revision{"other", func(p *models.InspectionPlan) { p.ID = 99 }, false})
	revise("03-08 09:30", revision{"bad-time", func(p *models.InspectionPlan) { p.At = "25:00" }, false})
	revise("03-08 12:00", revision{"weekly", func(p *models.InspectionPlan) { p.Cadence, p.At = models.CadenceWeekly, "10:00" }, true})
	revise("03-12 12:00", revision{"off", func(p *models.InspectionPlan) { p.Active = false }, true})

	h.env.ExecuteWorkflow(InspectionPlanRun, InspectionPlanInput{PlanID: plan.ID})
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("plan workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("got %v, want the deactivated plan to end cleanly", err)
	}
	got := []string{}
	for _, o := range h.opened {
		got = append(got, o.ScheduledAt.In(shanghai).Format("01-02 15:04 Mon"))
	}
	wantLines(t, "occurrences", got, []string{"03-07 08:00 Sat", "03-08 08:00 Sun", "03-09 10:00 Mon"})
	// Each created the default create_ahead (30m) before its start, the
	// revised one before its new start 10:00.
	for i, o := range h.opened {
		want := models.DefaultPolicy().Inspection.CreateAt(o.ScheduledAt, PlanWorkflowID(plan.ID))
		if i >= len(created) || !created[i].Equal(want) || !want.Before(o.ScheduledAt) || want.Before(o.ScheduledAt.Add(-30*time.Minute)) {
			t.Errorf("occurrence %d (%s): got created %v, want %s, in the 30m before its start", i, o.ScheduledAt, created, want)
		}
	}
	h.wantRefused("other", ErrTypeInvalidInput, "plan_id")
	h.wantRefused("bad-time", ErrTypeInvalidInput, "at")
	for _, l := range []string{"weekly", "off"} {
		if h.errs[l] != nil {
			t.Errorf("%s: got %v, want accepted", l, h.errs[l])
		}
	}
	if v := views["weekly"]; !v.Active || !v.Next.Equal(at(9, 10, 0)) {
		t.Errorf("weekly: got %+v, want active, next 03-09 10:00", v)
	}
	if v := views["off"]; v.Active {
		t.Errorf("off: got %+v, want inactive", v)
	}
}
