package app

import (
	"context"
	"net/http"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// TestRestartEnsuresInspectionWorkflows: a plan whose row is there without
// its workflow (a restored database) gets its workflow after a restart,
// from the start-up's background pass; a plan whose workflow is running
// keeps the same run.
func TestRestartEnsuresInspectionWorkflows(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	a := startApp(t, cfg)
	admin := signIn(t, a, "admin", e2ePassword)
	var estate, running idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "ENS", "name": "测试小区"}, &estate, http.StatusCreated)
	plan := map[string]any{"estate_id": estate.ID, "name": "每日巡逻", "cadence": "daily", "at": "08:00",
		"checklist": []map[string]any{{"text": "消防通道畅通", "required": true}}, "assignee_role": "technician"}
	admin.mustCall(http.MethodPost, "/api/v1/inspection-plans", plan, &running, http.StatusCreated)
	ctx := context.Background()
	restored := models.InspectionPlan{EstateID: estate.ID, Name: "恢复的计划", Cadence: models.CadenceDaily, StartsOn: time.Now().UTC(), At: "09:00",
		AssigneeRole: models.RoleTechnician, Active: true, Checklist: []models.ChecklistItem{{Text: "水泵房无积水", Required: true}}}
	if err := a.Store.CreateInspectionPlan(ctx, store.AllEstates(), &restored); err != nil {
		t.Fatal(err)
	}
	d, err := a.Temporal.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(running.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	runID := d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	if _, err := a.Temporal.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(restored.ID), ""); err == nil {
		t.Fatal("the restored plan has a workflow before the restart: the test proves nothing")
	}

	a.Stop(ctx)
	b := startApp(t, cfg)
	waitFor(t, time.Minute, "the restored plan's workflow", func() bool {
		d, err := b.Temporal.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(restored.ID), "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING
	})
	d, err = b.Temporal.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(running.ID), "")
	if err != nil || d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != runID ||
		d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the running plan after the restart: got %v, %v; want run %s still running", d.GetWorkflowExecutionInfo(), err, runID)
	}
}
