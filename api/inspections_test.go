package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// seedInspections adds the inspection fixture records of an estate.
func (h *harness) seedInspections(f *estateFixture) {
	ctx, all := context.Background(), store.AllEstates()
	f.equipment = models.Equipment{EstateID: f.estate.ID, Code: "DT-01", Name: "1号电梯", Type: models.EquipmentLift, Location: "1栋", Active: true}
	h.must(h.store.CreateEquipment(ctx, all, &f.equipment))
	f.inspPlan = models.InspectionPlan{EstateID: f.estate.ID, EquipmentID: &f.equipment.ID, Name: "电梯月检", Cadence: models.CadenceMonthly,
		StartsOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), At: "09:00", AssigneeRole: models.RoleTechnician, Active: true,
		Checklist: []models.ChecklistItem{{Text: "运行平稳", Required: true}}}
	h.must(h.store.CreateInspectionPlan(ctx, all, &f.inspPlan))
	at := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	in := models.Inspection{EstateID: f.estate.ID, PlanID: f.inspPlan.ID, ScheduledAt: at, PlanName: f.inspPlan.Name, Checklist: f.inspPlan.Checklist,
		InspectionProgress: models.InspectionProgress{Status: models.InspectionOpen, DueAt: at.Add(72 * time.Hour)}}
	var err error
	f.inspection, err = h.store.OpenInspection(ctx, &in)
	h.must(err)
}

func TestEquipmentAndPlanInput(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tok := h.tokens[models.RoleEstateManager]
		lift := map[string]any{"estate_id": h.a.estate.ID, "code": "DT-02", "name": "2号电梯", "type": "lift", "location": "2栋",
			"installed_on": "2020-05-01", "maker": "奥的斯", "contractor": "某电梯维保公司"}
		var got models.Equipment
		h.wantStatus(h.do(http.MethodPost, "/api/v1/equipment", tok, lift, &got), http.StatusCreated)
		if got.ID == 0 || got.InstalledOn == nil || got.InstalledOn.Format("2006-01-02") != "2020-05-01" {
			t.Errorf("created: got %+v, want the lift installed 2020-05-01", got)
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/equipment", tok, lift, nil), http.StatusConflict, codeConflict, "")
		bad := func(field string, v any) map[string]any {
			m := map[string]any{}
			for k, x := range lift {
				m[k] = x
			}
			m["code"], m[field] = "X-"+field, v
			return m
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/equipment", tok, bad("type", "boiler"), nil), http.StatusBadRequest, codeInvalidInput, "type")
		h.wantError(h.do(http.MethodPost, "/api/v1/equipment", tok, bad("installed_on", "2099-01-01"), nil), http.StatusBadRequest, codeInvalidInput, "installed_on")
		h.wantError(h.do(http.MethodPost, "/api/v1/equipment", tok, bad("statutory_due_on", "2090-01-01"), nil), http.StatusBadRequest, codeInvalidInput, "statutory_due_on")
		h.wantError(h.do(http.MethodPost, "/api/v1/equipment", tok, bad("installed_on", "2020-13-01"), nil), http.StatusBadRequest, codeInvalidInput, "installed_on")

		var page struct {
			Items []models.Equipment `json:"items"`
			Next  string             `json:"next_cursor"`
		}
		h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/equipment?estate_id=%d&page_size=1", h.a.estate.ID), tok, nil, &page), http.StatusOK)
		if len(page.Items) != 1 || page.Items[0].Code != "DT-01" || page.Next == "" {
			t.Fatalf("first page: got %+v, want DT-01 and a cursor", page)
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/equipment?page_size=1&cursor="+page.Next, tok, nil, &page), http.StatusOK)
		if len(page.Items) != 1 || page.Items[0].Code != "DT-02" {
			t.Errorf("second page: got %+v, want DT-02", page.Items)
		}
		h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/equipment/%d", h.b.equipment.ID), tok, nil, nil), http.StatusNotFound, codeNotFound, "")

		plan := func(field string, v any) map[string]any {
			m := map[string]any{"estate_id": h.a.estate.ID, "name": "每日巡逻", "cadence": "daily", "at": "08:00",
				"assignee_role": "technician", "checklist": []map[string]any{{"text": "消防通道畅通", "required": true}}}
			m[field] = v
			return m
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/inspection-plans", tok, plan("cadence", "hourly"), nil), http.StatusBadRequest, codeInvalidInput, "cadence")
		h.wantError(h.do(http.MethodPost, "/api/v1/inspection-plans", tok, plan("at", "25:00"), nil), http.StatusBadRequest, codeInvalidInput, "at")
		h.wantError(h.do(http.MethodPost, "/api/v1/inspection-plans", tok, plan("checklist", []any{}), nil), http.StatusBadRequest, codeInvalidInput, "checklist")
		h.wantError(h.do(http.MethodPost, "/api/v1/inspection-plans", tok, plan("equipment_id", h.b.equipment.ID), nil), http.StatusBadRequest, codeInvalidInput, "equipment_id")
		h.wantError(h.do(http.MethodPost, "/api/v1/inspection-plans", h.tokens[models.RoleTechnician], plan("name", "x"), nil), http.StatusForbidden, codeForbidden, "")

		// An occurrence already closed answers 409 with its state, before any process.
		_, err := s.RecordInspectionChange(context.Background(), store.InspectionChange{InspectionID: h.a.inspection.ID,
			Progress: models.InspectionProgress{Status: models.InspectionSkipped, DueAt: h.a.inspection.DueAt, Revision: 1},
			Event:    models.CaseEvent{Key: "test/1", Type: "skip", At: time.Now()}})
		h.must(err)
		r := h.do(http.MethodPost, fmt.Sprintf("/api/v1/inspections/%d/actions/complete", h.a.inspection.ID), tok, map[string]any{}, nil)
		h.wantError(r, http.StatusConflict, codeInvalidState, "")
		h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/inspections/%d/actions/fly", h.a.inspection.ID), tok, map[string]any{}, nil),
			http.StatusBadRequest, codeInvalidInput, "action")
		var list struct {
			Items []models.Inspection `json:"items"`
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inspections?status=skipped", tok, nil, &list), http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].ID != h.a.inspection.ID {
			t.Errorf("skipped list: got %+v, want the fixture's occurrence", list.Items)
		}
		h.wantError(h.do(http.MethodGet, "/api/v1/inspections?status=lost", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "status")
	})
}
