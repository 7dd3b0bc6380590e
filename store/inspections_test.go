package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestInspections(t *testing.T) {
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		estate := ticketEstate(t, s, "INS")
		other := ticketEstate(t, s, "INS2")
		due := time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)
		lift := models.Equipment{EstateID: estate, Code: "DT-01", Name: "1号电梯", Type: models.EquipmentLift, Location: "1号楼",
			StatutoryDueOn: &due, Active: true}
		must(t, s.CreateEquipment(ctx, all, &lift))
		pump := models.Equipment{EstateID: estate, Code: "SB-01", Name: "生活水泵", Type: models.EquipmentPump, Location: "泵房", Active: true}
		must(t, s.CreateEquipment(ctx, all, &pump))
		dup := models.Equipment{EstateID: estate, Code: "DT-01", Name: "x", Type: models.EquipmentLift, Location: "x"}
		wantErr(t, "a second DT-01", s.CreateEquipment(ctx, all, &dup), models.ErrConflict)
		_, err := s.Equipment(ctx, store.Estates(other), lift.ID)
		wantErr(t, "equipment out of scope", err, models.ErrNotFound)

		list, err := s.Equipments(ctx, all, store.EquipmentFilter{EstateID: estate}, store.Page{Size: 1})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].Code != "DT-01" || list.Next == "" {
			t.Fatalf("first page: got %+v, want DT-01 and a next cursor", list)
		}
		list, err = s.Equipments(ctx, all, store.EquipmentFilter{EstateID: estate}, store.Page{Size: 1, After: list.Next})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].Code != "SB-01" {
			t.Fatalf("second page: got %+v, want SB-01", list.Items)
		}
		soon, err := s.StatutoryDue(ctx, estate, now.AddDate(0, 0, 30))
		must(t, err)
		if len(soon) != 1 || soon[0].ID != lift.ID {
			t.Errorf("statutory due: got %+v, want the lift", soon)
		}

		plan := models.InspectionPlan{EstateID: estate, EquipmentID: &pump.ID, Name: "水泵月检", Cadence: models.CadenceMonthly,
			StartsOn: now, At: "09:00", AssigneeRole: models.RoleTechnician, Active: true,
			Checklist: []models.ChecklistItem{{Text: "压力正常", Required: true}}}
		must(t, s.CreateInspectionPlan(ctx, all, &plan))
		bad := plan
		bad.ID, bad.EquipmentID = 0, &lift.ID
		bad.EstateID = other
		wantField(t, "a plan on another estate's equipment", s.CreateInspectionPlan(ctx, all, &bad), "equipment_id")

		at := now.Add(time.Hour)
		in := models.Inspection{EstateID: estate, PlanID: plan.ID, ScheduledAt: at, EquipmentID: &pump.ID, PlanName: plan.Name,
			Checklist: plan.Checklist, InspectionProgress: models.InspectionProgress{Status: models.InspectionOpen, DueAt: at.Add(3 * time.Hour)}}
		first, err := s.OpenInspection(ctx, &in)
		must(t, err)
		again := models.Inspection{EstateID: estate, PlanID: plan.ID, ScheduledAt: at, PlanName: plan.Name,
			InspectionProgress: models.InspectionProgress{Status: models.InspectionOpen, DueAt: at}}
		second, err := s.OpenInspection(ctx, &again)
		must(t, err)
		if first.ID == 0 || second.ID != first.ID || !second.DueAt.Equal(in.DueAt) {
			t.Fatalf("open twice: got ids %d, %d, want one row", first.ID, second.ID)
		}

		fixBy := at.Add(24 * time.Hour)
		p := in.InspectionProgress
		p.Status, p.Revision, p.OpenFindings, p.RectifyBy = models.InspectionRectifying, 2, 1, &fixBy
		p.Findings = []models.Finding{{No: 1, Severity: models.SeverityMajor, Text: "漏水", FoundAt: at, Deadline: fixBy}}
		ev := models.CaseEvent{Key: "insp/2", Type: "finding", At: at, ToStatus: string(p.Status)}
		ok, err := s.RecordInspectionChange(ctx, store.InspectionChange{InspectionID: in.ID, Progress: p, Event: ev})
		must(t, err)
		ok2, err := s.RecordInspectionChange(ctx, store.InspectionChange{InspectionID: in.ID, Progress: p, Event: ev})
		must(t, err)
		if !ok || ok2 {
			t.Errorf("record twice: got %v, %v, want true, false", ok, ok2)
		}
		old := in.InspectionProgress
		old.Revision = 1
		_, err = s.RecordInspectionChange(ctx, store.InspectionChange{InspectionID: in.ID, Progress: old,
			Event: models.CaseEvent{Key: "insp/1", Type: "opened", At: at}})
		must(t, err)
		got, err := s.Inspection(ctx, all, in.ID)
		must(t, err)
		if got.Status != models.InspectionRectifying || got.OpenFindings != 1 || len(got.Findings) != 1 || got.Revision != 2 {
			t.Errorf("row: got %s, %d open, %d findings, revision %d; want rectifying, 1, 1, 2", got.Status, got.OpenFindings, len(got.Findings), got.Revision)
		}
		events, err := s.InspectionEvents(ctx, all, in.ID)
		must(t, err)
		if len(events) != 2 || events[0].Type != "opened" || events[0].HouseholdID != 0 || events[0].EstateID != estate {
			t.Errorf("events: got %+v, want opened then finding", events)
		}

		overdue, err := s.Inspections(ctx, all, store.InspectionFilter{EstateID: estate, OpenFindings: true}, store.Page{})
		must(t, err)
		if len(overdue.Items) != 1 {
			t.Errorf("open findings list: got %d, want 1", len(overdue.Items))
		}
		counts, err := s.InspectionCountsOf(ctx, all, estate, now, 30*models.Day)
		must(t, err)
		if counts != (store.InspectionCounts{Overdue: 0, OpenFindings: 1, StatutoryDueSoon: 1}) {
			t.Errorf("counts: got %+v, want 0 overdue, 1 finding, 1 statutory", counts)
		}
	})
}

func TestInspectionEdits(t *testing.T) {
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		estate := ticketEstate(t, s, "EDT")
		other := ticketEstate(t, s, "EDT2")
		pump := models.Equipment{EstateID: estate, Code: "SB-01", Name: "生活水泵", Type: models.EquipmentPump, Location: "泵房", Active: true}
		must(t, s.CreateEquipment(ctx, all, &pump))
		gate := models.Equipment{EstateID: estate, Code: "DZ-01", Name: "道闸", Type: models.EquipmentGate, Location: "北门", Active: true}
		must(t, s.CreateEquipment(ctx, all, &gate))
		plan := models.InspectionPlan{EstateID: estate, EquipmentID: &pump.ID, Name: "水泵月检", Cadence: models.CadenceMonthly,
			StartsOn: now, At: "09:00", AssigneeRole: models.RoleTechnician, Active: true,
			Checklist: []models.ChecklistItem{{Text: "压力正常", Required: true}}}
		must(t, s.CreateInspectionPlan(ctx, all, &plan))
		patrol := plan
		patrol.ID, patrol.EquipmentID, patrol.Name = 0, nil, "夜间巡逻"
		must(t, s.CreateInspectionPlan(ctx, all, &patrol))

		// An edit is saved; the change sees the stored row; out of scope is 404.
		p, err := s.UpdateInspectionPlan(ctx, all, plan.ID, func(p *models.InspectionPlan) error {
			if p.At != "09:00" {
				t.Errorf("change saw at %q, want the stored 09:00", p.At)
			}
			p.Cadence, p.At, p.WorkdaysOnly = models.CadenceWeekly, "10:30", true
			p.Checklist = append(p.Checklist, models.ChecklistItem{Text: "无渗漏"})
			return nil
		})
		must(t, err)
		got, err := s.InspectionPlan(ctx, all, plan.ID)
		must(t, err)
		if got.Cadence != models.CadenceWeekly || got.At != "10:30" || !got.WorkdaysOnly || len(got.Checklist) != 2 || p.At != "10:30" {
			t.Errorf("edited plan: got %+v", got)
		}
		_, err = s.UpdateInspectionPlan(ctx, store.Estates(other), plan.ID, func(*models.InspectionPlan) error { return nil })
		wantErr(t, "plan out of scope", err, models.ErrNotFound)
		_, err = s.UpdateInspectionPlan(ctx, all, plan.ID, func(p *models.InspectionPlan) error {
			p.Name = "不该保存"
			return models.Invalid("at", "refused")
		})
		wantField(t, "a refused change", err, "at")
		if got, _ := s.InspectionPlan(ctx, all, plan.ID); got.Name != "水泵月检" {
			t.Errorf("refused change saved the name %q", got.Name)
		}

		// Equipment edits; a code already used is a conflict.
		e, retired, err := s.UpdateEquipment(ctx, all, pump.ID, func(e *models.Equipment) error {
			e.Name, e.Contractor = "1号生活水泵", "某某机电"
			return nil
		})
		must(t, err)
		if e.Name != "1号生活水泵" || len(retired) != 0 {
			t.Errorf("edited equipment: got %+v, retired %v", e, retired)
		}
		_, _, err = s.UpdateEquipment(ctx, all, pump.ID, func(e *models.Equipment) error { e.Code = "DZ-01"; return nil })
		wantErr(t, "a code already used", err, models.ErrConflict)
		_, _, err = s.UpdateEquipment(ctx, store.Estates(other), pump.ID, func(*models.Equipment) error { return nil })
		wantErr(t, "equipment out of scope", err, models.ErrNotFound)

		// Retiring the pump deactivates its plan, not the patrol.
		_, retired, err = s.UpdateEquipment(ctx, all, pump.ID, func(e *models.Equipment) error { e.Active = false; return nil })
		must(t, err)
		if len(retired) != 1 || retired[0] != plan.ID {
			t.Errorf("retired plans: got %v, want [%d]", retired, plan.ID)
		}
		if got, _ := s.InspectionPlan(ctx, all, plan.ID); got.Active {
			t.Error("the retired pump's plan is still active")
		}
		if got, _ := s.InspectionPlan(ctx, all, patrol.ID); !got.Active {
			t.Error("the patrol was deactivated with the pump")
		}
		if got, _ := s.Equipment(ctx, all, pump.ID); got.Active || got.Name != "1号生活水泵" {
			t.Errorf("retired pump: got %+v", got)
		}
		plans, _, err := s.ActivePlans(ctx)
		must(t, err)
		for _, id := range plans {
			if id == plan.ID {
				t.Error("active plans list the retired pump's plan")
			}
		}
		// Its plan is not reactivated; the patrol is deactivated and back.
		_, err = s.UpdateInspectionPlan(ctx, all, plan.ID, func(p *models.InspectionPlan) error { p.Active = true; return nil })
		wantErr(t, "reactivate a plan of retired equipment", err, models.ErrInvalidState)
		_, err = s.UpdateInspectionPlan(ctx, all, patrol.ID, func(p *models.InspectionPlan) error { p.Active = false; return nil })
		must(t, err)
		if got, _ := s.InspectionPlan(ctx, all, patrol.ID); got.Active {
			t.Error("deactivated patrol is active")
		}
		_, err = s.UpdateInspectionPlan(ctx, all, patrol.ID, func(p *models.InspectionPlan) error { p.Active = true; return nil })
		must(t, err)
		if got, _ := s.InspectionPlan(ctx, all, patrol.ID); !got.Active {
			t.Error("reactivated patrol is inactive")
		}
	})
}
