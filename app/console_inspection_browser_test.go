package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// TestConsoleInspectionInABrowser: a technician opens an occurrence of a
// pump check, completes it from the action bar with the checklist's
// results and a finding, then rectifies the finding; the page shows the
// occurrence completed, and the list page shows the ledger.
func TestConsoleInspectionInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "INSB", func(*models.Policy) {})
	admin := as[models.RoleCompanyAdmin]
	var eq idOnly
	admin.mustCall(http.MethodPost, "/api/v1/equipment", map[string]any{"estate_id": estateID, "code": "SB-01", "name": "生活水泵",
		"type": "pump", "location": "地下泵房"}, &eq, http.StatusCreated)
	// The occurrence is opened and started as a plan's workflow would,
	// created ahead of its start (create-ahead): the page says it has not
	// started yet, and it may be completed early.
	ctx := context.Background()
	plan := models.InspectionPlan{EstateID: estateID, EquipmentID: &eq.ID, Name: "水泵月度保养", Cadence: models.CadenceMonthly,
		StartsOn: time.Now().UTC(), At: "10:00", AssigneeRole: models.RoleTechnician, Active: true,
		Checklist: []models.ChecklistItem{{Text: "出口压力正常", Required: true}, {Text: "无异响"}}}
	if err := a.Store.CreateInspectionPlan(ctx, store.AllEstates(), &plan); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(20 * time.Minute) // the start
	row, err := a.Store.OpenInspection(ctx, &models.Inspection{EstateID: estateID, PlanID: plan.ID, ScheduledAt: now, PlanName: plan.Name,
		Checklist: plan.Checklist, InspectionProgress: models.InspectionProgress{Status: models.InspectionOpen, DueAt: now.Add(72 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.InspectionInput{InspectionID: row.ID, Plan: plan, ScheduledAt: now, DueAt: now.Add(72 * time.Hour),
		Location: "地下泵房", Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}
	if _, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.InspectionWorkflowID(row.ID),
		TaskQueue: workflows.TaskQueue}, workflows.Inspection, in); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, base)
	b.signIn("INSB-technician", "staff-password")
	bar := `#inspection-actions`
	b.do("open the occurrence",
		chromedp.Navigate(fmt.Sprintf("%s/console/#/inspections/%d", base, row.ID)),
		chromedp.WaitVisible(chromedp.CSS(bar+` button[data-action=complete]`)),
	)
	if got := b.text(`#inspection-ahead`); !strings.Contains(got, "尚未到开始时间") {
		t.Errorf("an occurrence created ahead: got %q beside its start, want it said not started yet", got)
	}
	b.do("complete it before its start",
		chromedp.Click(chromedp.CSS(bar+` button[data-action=complete]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=complete]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=complete] input[name="findings[0].text"]`), "电机轻微异响"),
		chromedp.Click(chromedp.CSS(`form[data-form=complete] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(bar+` button[data-action=rectify]`)),
	)
	if got := b.text(`#inspection-status`); got != "整改中" {
		t.Errorf("after completing: got status %q, want 整改中", got)
	}
	b.do("rectify the finding",
		chromedp.Click(chromedp.CSS(bar+` button[data-action=rectify]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=rectify]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=rectify] input[name=note]`), "已加注润滑油"),
		chromedp.Click(chromedp.CSS(`form[data-form=rectify] button[type=submit]`)),
	)
	waitFor(t, 30*time.Second, "the page to show the occurrence completed", func() bool {
		b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#inspection-status`)))
		return b.text(`#inspection-status`) == "已完成"
	})
	if page := b.text(`#view`); !strings.Contains(page, "一般隐患：电机轻微异响") || !strings.Contains(page, "已整改") {
		t.Errorf("page: got %q, want the finding shown rectified", page)
	}
	b.shot("inspection-completed")
	b.do("the list page", chromedp.Navigate(base+"/console/#/inspections"), chromedp.WaitVisible(chromedp.CSS(`#equipment-list`)))
	if got := b.text(`#equipment-list`); !strings.Contains(got, "生活水泵") || !strings.Contains(got, "水泵") {
		t.Errorf("ledger: got %q, want the pump", got)
	}
	if nav := b.text(`#nav`); !strings.Contains(nav, "设备巡检") {
		t.Errorf("technician's menu: got %q, want 设备巡检", nav)
	}

	// The estate manager sees the estate's inspections on 管理看板.
	b.signOut()
	b.signIn("INSB-estate_manager", "staff-password")
	b.do("the dashboard", chromedp.Navigate(base+"/console/#/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#inspections-section`)))
	if got := b.text(`#inspections-section`); !strings.Contains(got, "逾期未巡检") || !strings.Contains(got, "法定检验临近") {
		t.Errorf("dashboard: got %q, want the inspection counts", got)
	}
	if nav := b.text(`#nav`); strings.Contains(nav, "设备巡检") {
		t.Errorf("manager's menu: got %q, want no 设备巡检 (one header row at 1366 px)", nav)
	}

	// The manager edits the plan: a bad time is refused in Chinese beside
	// the field, a good one saved (the plan's workflow starts and computes
	// its next occurrence); then deactivates it after confirming, which
	// ends the workflow.
	form := `form[data-form=edit-plan]`
	b.do("edit the plan",
		chromedp.Navigate(base+"/console/#/inspections"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`button[data-edit-plan="%d"]`, plan.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-edit-plan="%d"]`, plan.ID))),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+` input[name=at]`), "25:00"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .err[data-for=at]`)),
	)
	if got := b.text(form + ` .err[data-for=at]`); !strings.HasPrefix(got, "时间应在 00:00 到 23:59 之间") {
		t.Errorf("bad time: got %q, want the Chinese refusal", got)
	}
	b.do("save the plan",
		chromedp.SetValue(chromedp.CSS(form+` input[name=at]`), "14:30"),
		chromedp.SetValue(chromedp.CSS(form+` select[name=cadence]`), "weekly"),
		chromedp.SetValue(chromedp.CSS(form+` input[name="checklist[1].text"]`), "无异响、无渗漏"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(form)),
		chromedp.WaitVisible(chromedp.CSS(`#plan-list`)),
	)
	if got := b.text(`#plan-list`); !strings.Contains(got, "14:30") || !strings.Contains(got, "每周") {
		t.Errorf("plan list after the edit: got %q, want weekly at 14:30", got)
	}
	saved, err := a.Store.InspectionPlan(ctx, store.AllEstates(), plan.ID)
	if err != nil || saved.At != "14:30" || saved.Cadence != models.CadenceWeekly || saved.Checklist[1].Text != "无异响、无渗漏" {
		t.Fatalf("saved plan: got %+v (%v)", saved, err)
	}
	running := func() bool {
		d, err := a.Temporal.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(plan.ID), "")
		return err == nil && d.WorkflowExecutionInfo.Status == enums.WORKFLOW_EXECUTION_STATUS_RUNNING
	}
	if !running() {
		t.Fatal("the edited plan's workflow is not running")
	}
	b.do("deactivate the plan",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-deactivate-plan="%d"]`, plan.ID))),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-dialog`)),
	)
	if got := b.text(`#confirm-dialog`); !strings.Contains(got, "停用巡检计划") || !strings.Contains(got, "已开始的任务照常进行") {
		t.Errorf("confirmation: got %q", got)
	}
	b.do("confirm",
		chromedp.Click(chromedp.CSS(`#confirm-dialog button[data-confirm=yes]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`button[data-reactivate-plan="%d"]`, plan.ID))),
	)
	if got := b.text(fmt.Sprintf(`td.plan-state[data-plan="%d"]`, plan.ID)); got != "已停用" {
		t.Errorf("plan state: got %q, want 已停用", got)
	}
	waitFor(t, 10*time.Second, "the deactivated plan's workflow to end", func() bool { return !running() })
	b.shot("inspection-plan-deactivated")

	// The ledger entry is edited in its form too.
	eqForm := `form[data-form=edit-equipment]`
	b.do("edit the equipment",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-edit-equipment="%d"]`, eq.ID))),
		chromedp.WaitVisible(chromedp.CSS(eqForm)),
		chromedp.SetValue(chromedp.CSS(eqForm+` input[name=contractor]`), "某某机电维保公司"),
		chromedp.Click(chromedp.CSS(eqForm+` button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(eqForm)),
		chromedp.WaitVisible(chromedp.CSS(`#equipment-list`)),
	)
	if got := b.text(`#equipment-list`); !strings.Contains(got, "某某机电维保公司") {
		t.Errorf("ledger after the edit: got %q, want the new contractor", got)
	}
}
