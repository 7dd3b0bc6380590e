package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// recordInspectionFindingRectified: a daily plan on a pump, due two
// minutes from now, starts its first occurrence; the technician completes
// it with a minor finding, then rectifies it, and the occurrence closes.
// Both histories are kept: the occurrence's, closed, and the plan's,
// asleep on the timer of its next occurrence.
func recordInspectionFindingRectified(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-INSP", recordingPolicy)
	admin, tech := r.as[models.RoleCompanyAdmin], r.as[models.RoleTechnician]
	var eq idOnly
	admin.mustCall(http.MethodPost, "/api/v1/equipment", map[string]any{"estate_id": r.estateID, "code": "SB-01", "name": "生活水泵",
		"type": "pump", "location": "地下泵房"}, &eq, http.StatusCreated)
	plan, id := r.firstOccurrence(map[string]any{"estate_id": r.estateID, "equipment_id": eq.ID, "name": "水泵日检", "cadence": "daily",
		"assignee_role": "technician", "checklist": []map[string]any{{"text": "出口压力正常", "required": true}, {"text": "无异响"}}})
	path := fmt.Sprintf("/api/v1/inspections/%d", id)
	var d struct {
		Inspection models.Inspection `json:"inspection"`
		Process    *struct{}         `json:"process"`
	}
	waitFor(t, 30*time.Second, "the occurrence's process", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Process != nil
	})
	tech.mustCall(http.MethodPost, path+"/actions/complete", map[string]any{
		"results":  []map[string]any{{"item": 0, "ok": true, "note": "0.45MPa"}, {"item": 1, "ok": false}},
		"findings": []map[string]any{{"severity": "minor", "text": "电机轻微异响"}}}, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/rectify", map[string]any{"no": 1, "note": "已加注润滑油"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the occurrence to close", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Inspection.Status == models.InspectionCompleted
	})
	return []string{workflows.InspectionWorkflowID(id), workflows.PlanWorkflowID(plan)}
}

// firstOccurrence has the company admin create plan (its first occurrence
// two minutes from now) and waits for that occurrence; it returns the
// plan's id and the occurrence's.
func (r *ticketRecording) firstOccurrence(plan map[string]any) (planID, id uint64) {
	r.t.Helper()
	admin := r.as[models.RoleCompanyAdmin]
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		r.t.Fatal(err)
	}
	at := time.Now().In(loc).Add(2 * time.Minute)
	plan["starts_on"], plan["at"] = at.Format("2006-01-02"), at.Format("15:04")
	var created idOnly
	admin.mustCall(http.MethodPost, "/api/v1/inspection-plans", plan, &created, http.StatusCreated)
	var list struct {
		Items []idOnly `json:"items"`
	}
	waitFor(r.t, 4*time.Minute, "the first occurrence", func() bool {
		admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/inspections?plan_id=%d", created.ID), nil, &list, http.StatusOK)
		return len(list.Items) == 1
	})
	return created.ID, list.Items[0].ID
}

// recordInspectionMissedEscalatedV1: a daily plan's first occurrence,
// due five seconds after it starts, is missed and escalates to the
// supervisor, then the estate manager, each escalation one Escalate
// activity ("inspection-one-escalation", version 1); the technician then
// completes it. The occurrence's history is kept.
func recordInspectionMissedEscalatedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-INSP-ESC", recordingPolicy)
	admin, tech := r.as[models.RoleCompanyAdmin], r.as[models.RoleTechnician]
	_, id := r.firstOccurrence(map[string]any{"estate_id": r.estateID, "name": "消防通道日检", "cadence": "daily", "due_within": "5s",
		"assignee_role": "technician", "checklist": []map[string]any{{"text": "通道畅通", "required": true}}})
	path := fmt.Sprintf("/api/v1/inspections/%d", id)
	var d struct {
		Inspection models.Inspection  `json:"inspection"`
		Events     []models.CaseEvent `json:"events"`
	}
	waitFor(t, 45*time.Second, "the occurrence missed and escalated twice", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return escalationsNotified(d.Events, "escalation") == 2 && d.Inspection.EscalationLevel == 2
	})
	tech.mustCall(http.MethodPost, path+"/actions/complete", map[string]any{
		"results": []map[string]any{{"item": 0, "ok": true}}}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the occurrence to close", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Inspection.Status == models.InspectionCompleted
	})
	return []string{workflows.InspectionWorkflowID(id)}
}

// recordInspectionPlanRevised: a daily plan due in an hour is revised to
// weekly at another time (its workflow drops the timer and computes the
// next occurrence afresh), then deactivated, which ends its workflow.
func recordInspectionPlanRevised(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-PLAN", recordingPolicy)
	admin := r.as[models.RoleCompanyAdmin]
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().In(loc).Add(time.Hour)
	var plan idOnly
	admin.mustCall(http.MethodPost, "/api/v1/inspection-plans", map[string]any{"estate_id": r.estateID,
		"name": "夜间巡逻", "cadence": "daily", "starts_on": at.Format("2006-01-02"), "at": at.Format("15:04"),
		"assignee_role": "technician", "checklist": []map[string]any{{"text": "消防通道畅通", "required": true}}},
		&plan, http.StatusCreated)
	var edited struct {
		Next *time.Time `json:"next_occurrence"`
	}
	admin.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/inspection-plans/%d", plan.ID),
		map[string]any{"cadence": "weekly", "at": at.Add(2 * time.Hour).Format("15:04")}, &edited, http.StatusOK)
	if edited.Next == nil {
		t.Fatal("the revised plan answered no next occurrence")
	}
	admin.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/inspection-plans/%d", plan.ID), map[string]any{"active": false}, nil, http.StatusOK)
	return []string{workflows.PlanWorkflowID(plan.ID)}
}

// recordInspectionPlanCreateAheadV1: a daily plan in an estate whose
// policy creates occurrences a minute ahead ("create-ahead", version 1)
// creates its first occurrence (row, workflow, technicians told) within
// the minute before its start, then sleeps until the next day's creation;
// deactivated, its workflow ends. The plan's history is kept.
func recordInspectionPlanCreateAheadV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-AHEAD", func(p *models.Policy) {
		recordingPolicy(p)
		p.Inspection.CreateAhead = models.Duration(time.Minute)
	})
	admin := r.as[models.RoleCompanyAdmin]
	plan, id := r.firstOccurrence(map[string]any{"estate_id": r.estateID, "name": "早班巡逻", "cadence": "daily",
		"assignee_role": "technician", "checklist": []map[string]any{{"text": "消防通道畅通", "required": true}}})
	var d struct {
		Inspection models.Inspection `json:"inspection"`
	}
	admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/inspections/%d", id), nil, &d, http.StatusOK)
	if early := d.Inspection.ScheduledAt.Sub(d.Inspection.CreatedAt); early <= 0 || early > time.Minute+5*time.Second {
		t.Fatalf("occurrence created at %s for %s: got %s ahead, want within the minute before its start",
			d.Inspection.CreatedAt, d.Inspection.ScheduledAt, early)
	}
	admin.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/inspection-plans/%d", plan), map[string]any{"active": false}, nil, http.StatusOK)
	return []string{workflows.PlanWorkflowID(plan)}
}
