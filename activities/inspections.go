package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// InspectionStore is what the inspection activities need of the store.
type InspectionStore interface {
	InspectionPlan(ctx context.Context, scope store.Scope, id uint64) (models.InspectionPlan, error)
	Equipment(ctx context.Context, scope store.Scope, id uint64) (models.Equipment, error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Policy(ctx context.Context, scope store.Scope, estateID uint64) (models.EstatePolicy, error)
	OpenInspection(ctx context.Context, in *models.Inspection) (models.Inspection, error)
	StatutoryDue(ctx context.Context, estateID uint64, before time.Time) ([]models.Equipment, error)
}

// Inspections reads the plans the plan workflows run and opens their
// occurrences (巡检/维保).
type Inspections struct {
	Store InspectionStore
}

// PlanInput names a plan.
type PlanInput struct {
	PlanID uint64
}

// PlanResult is a plan as it stands now, with what its occurrences need:
// the estate's policy and time zone, and where the work is ("" for a
// patrol without equipment).
type PlanResult struct {
	Plan     models.InspectionPlan
	Policy   models.Policy
	TimeZone string
	Location string
}

// LoadPlan reads a plan, its estate's current policy and time zone, and
// its equipment's location; a missing plan fails for good.
func (a *Inspections) LoadPlan(ctx context.Context, in PlanInput) (PlanResult, error) {
	all := store.AllEstates()
	p, err := a.Store.InspectionPlan(ctx, all, in.PlanID)
	if err != nil {
		return PlanResult{}, permanent(fmt.Errorf("load plan: %w", err))
	}
	pol, err := a.Store.Policy(ctx, all, p.EstateID)
	if err != nil {
		return PlanResult{}, permanent(fmt.Errorf("load plan %d: %w", p.ID, err))
	}
	est, err := a.Store.Estate(ctx, all, p.EstateID)
	if err != nil {
		return PlanResult{}, permanent(fmt.Errorf("load plan %d: %w", p.ID, err))
	}
	out := PlanResult{Plan: p, Policy: pol.Policy, TimeZone: est.TimeZone}
	if p.EquipmentID != nil {
		eq, err := a.Store.Equipment(ctx, all, *p.EquipmentID)
		if err != nil {
			return PlanResult{}, permanent(fmt.Errorf("load plan %d: %w", p.ID, err))
		}
		out.Location = eq.Name + " " + eq.Location
	}
	return out, nil
}

// OpenOccurrenceInput is one occurrence of a plan about to start.
type OpenOccurrenceInput struct {
	Plan        models.InspectionPlan
	ScheduledAt time.Time
	DueAt       time.Time
}

// OpenOccurrence creates the row of an occurrence, once per plan and time.
func (a *Inspections) OpenOccurrence(ctx context.Context, in OpenOccurrenceInput) (models.Inspection, error) {
	row := models.Inspection{EstateID: in.Plan.EstateID, PlanID: in.Plan.ID, ScheduledAt: in.ScheduledAt,
		EquipmentID: in.Plan.EquipmentID, PlanName: in.Plan.Name, Checklist: in.Plan.Checklist,
		InspectionProgress: models.InspectionProgress{Status: models.InspectionOpen, AssigneeID: in.Plan.AssigneeID, DueAt: in.DueAt}}
	got, err := a.Store.OpenInspection(ctx, &row)
	if err != nil {
		return got, permanent(err)
	}
	return got, nil
}

// StatutoryInput asks for an estate's statutory inspections due within
// Days of Today.
type StatutoryInput struct {
	EstateID uint64
	Today    models.Date
	Days     int
}

// StatutoryItem is one piece of equipment whose statutory inspection is
// due soon.
type StatutoryItem struct {
	EquipmentID uint64
	Code, Name  string
	DueOn       models.Date
}

// StatutoryDue lists the estate's equipment due within the window (or
// overdue), soonest first.
func (a *Inspections) StatutoryDue(ctx context.Context, in StatutoryInput) ([]StatutoryItem, error) {
	list, err := a.Store.StatutoryDue(ctx, in.EstateID, models.DateTime(in.Today.AddDays(in.Days+1)))
	if err != nil {
		return nil, err
	}
	out := []StatutoryItem{}
	for _, e := range list {
		out = append(out, StatutoryItem{EquipmentID: e.ID, Code: e.Code, Name: e.Name, DueOn: models.DateOf(*e.StatutoryDueOn, time.UTC)})
	}
	return out, nil
}

// EstateInput names an estate.
type EstateInput struct {
	EstateID uint64
}

// EstatePolicyResult is an estate's current policy and time zone.
type EstatePolicyResult struct {
	Policy   models.Policy
	TimeZone string
}

// EstatePolicy reads an estate's current policy and time zone.
func (a *Inspections) EstatePolicy(ctx context.Context, in EstateInput) (EstatePolicyResult, error) {
	all := store.AllEstates()
	pol, err := a.Store.Policy(ctx, all, in.EstateID)
	if err != nil {
		return EstatePolicyResult{}, permanent(fmt.Errorf("estate policy: %w", err))
	}
	est, err := a.Store.Estate(ctx, all, in.EstateID)
	if err != nil {
		return EstatePolicyResult{}, permanent(fmt.Errorf("estate policy: %w", err))
	}
	return EstatePolicyResult{Policy: pol.Policy, TimeZone: est.TimeZone}, nil
}
