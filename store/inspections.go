package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// CreateEquipment adds an entry to an estate's equipment ledger (设备台账)
// inside scope; a code the estate already uses is models.ErrConflict.
func (s *Store) CreateEquipment(ctx context.Context, scope Scope, e *models.Equipment) error {
	e.InstalledOn, e.StatutoryDueOn = utc(e.InstalledOn), utc(e.StatutoryDueOn)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, e.EstateID); err != nil {
			return err
		}
		return translate(tx.Create(e).Error)
	})
	if err != nil {
		return fmt.Errorf("create equipment %q: %w", e.Code, err)
	}
	return nil
}

// Equipment reads one ledger entry inside scope.
func (s *Store) Equipment(ctx context.Context, scope Scope, id uint64) (models.Equipment, error) {
	return scoped[models.Equipment](s, ctx, scope, id, "equipment")
}

// EquipmentFilter narrows the ledger. StatutoryBefore keeps active entries
// whose statutory inspection is due before it.
type EquipmentFilter struct {
	EstateID        uint64
	Type            models.EquipmentType
	StatutoryBefore time.Time
}

// EquipmentSorts are the orders of the ledger, by field name.
var EquipmentSorts = SortKeys[models.Equipment]{
	"id":               idKey(func(e models.Equipment) uint64 { return e.ID }),
	"code":             {Column: "code", Value: func(e models.Equipment) any { return e.Code }},
	"type":             {Column: "type", Value: func(e models.Equipment) any { return e.Type }},
	"statutory_due_on": {Column: "statutory_due_on", Nullable: true, Value: func(e models.Equipment) any { return e.StatutoryDueOn }},
}

// Equipments lists the ledger inside scope, by default by code.
func (s *Store) Equipments(ctx context.Context, scope Scope, f EquipmentFilter, page Page) (List[models.Equipment], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, EquipmentSorts, Sort{Field: "code"},
		eq("type", f.Type),
		when(!f.StatutoryBefore.IsZero(), "active = ? AND statutory_due_on IS NOT NULL AND statutory_due_on < ?", true, f.StatutoryBefore.UTC()))
	if err != nil {
		return out, fmt.Errorf("list equipment: %w", err)
	}
	return out, nil
}

// StatutoryDue lists an estate's active equipment whose statutory
// inspection is due before before, soonest first (at most MaxPageSize): the
// daily statutory check reads it.
func (s *Store) StatutoryDue(ctx context.Context, estateID uint64, before time.Time) ([]models.Equipment, error) {
	out := []models.Equipment{}
	err := s.db.WithContext(ctx).Where("estate_id = ? AND active = ? AND statutory_due_on IS NOT NULL AND statutory_due_on < ?",
		estateID, true, before.UTC()).Order("statutory_due_on, id").Limit(MaxPageSize).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("statutory due in estate %d: %w", estateID, translate(err))
	}
	return out, nil
}

// CreateInspectionPlan adds a plan inside scope; its equipment, when named,
// must be of the same estate.
func (s *Store) CreateInspectionPlan(ctx context.Context, scope Scope, p *models.InspectionPlan) error {
	p.StartsOn = p.StartsOn.UTC()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, p.EstateID); err != nil {
			return err
		}
		if p.EquipmentID != nil {
			var n int64
			if err := tx.Model(&models.Equipment{}).Where("id = ? AND estate_id = ?", *p.EquipmentID, p.EstateID).Count(&n).Error; err != nil {
				return translate(err)
			}
			if n == 0 {
				return models.Invalid("equipment_id", "小区 %[2]d 中没有设备 %[1]d", *p.EquipmentID, p.EstateID)
			}
		}
		return translate(tx.Create(p).Error)
	})
	if err != nil {
		return fmt.Errorf("create inspection plan %q: %w", p.Name, err)
	}
	return nil
}

// InspectionPlan reads one plan inside scope.
func (s *Store) InspectionPlan(ctx context.Context, scope Scope, id uint64) (models.InspectionPlan, error) {
	return scoped[models.InspectionPlan](s, ctx, scope, id, "inspection plan")
}

// InspectionPlanFilter narrows the plan list.
type InspectionPlanFilter struct {
	EstateID    uint64
	EquipmentID uint64
	Cadence     models.Cadence
}

// InspectionPlanSorts are the orders of the plan list.
var InspectionPlanSorts = SortKeys[models.InspectionPlan]{
	"id":      idKey(func(p models.InspectionPlan) uint64 { return p.ID }),
	"name":    {Column: "name", Value: func(p models.InspectionPlan) any { return p.Name }},
	"cadence": {Column: "cadence", Value: func(p models.InspectionPlan) any { return p.Cadence }},
}

// InspectionPlans lists plans inside scope, by default by id.
func (s *Store) InspectionPlans(ctx context.Context, scope Scope, f InspectionPlanFilter, page Page) (List[models.InspectionPlan], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, InspectionPlanSorts, Sort{Field: "id"},
		eq("equipment_id", f.EquipmentID), eq("cadence", f.Cadence))
	if err != nil {
		return out, fmt.Errorf("list inspection plans: %w", err)
	}
	return out, nil
}

// editScoped reads row id of T inside scope for update in tx, lets change
// edit it (its error aborts the edit) and saves the columns cols.
func editScoped[T any](tx *gorm.DB, scope Scope, id uint64, change func(*T) error, cols ...string) (T, error) {
	var v T
	if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&v, id).Error; err != nil {
		return v, translate(err)
	}
	if err := change(&v); err != nil {
		return v, err
	}
	return v, translate(tx.Model(&v).Select(cols).Updates(&v).Error)
}

// UpdateEquipment edits ledger entry id inside scope: change sees the entry
// as stored and edits it (its error aborts the edit); the ledger fields
// and Active are saved (a code the estate already uses is
// models.ErrConflict). Retiring the entry (Active false) deactivates its
// active plans in the same transaction; their IDs are returned so that
// their workflows can be ended.
func (s *Store) UpdateEquipment(ctx context.Context, scope Scope, id uint64, change func(*models.Equipment) error) (models.Equipment, []uint64, error) {
	var (
		e       models.Equipment
		retired []uint64
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		e, err = editScoped(tx, scope, id, func(e *models.Equipment) error {
			if err := change(e); err != nil {
				return err
			}
			e.InstalledOn, e.StatutoryDueOn = utc(e.InstalledOn), utc(e.StatutoryDueOn)
			return nil
		}, "Code", "Name", "Type", "Location", "Maker", "InstalledOn", "Contractor", "StatutoryDueOn", "Active")
		if err != nil || e.Active {
			return err
		}
		plans := tx.Model(&models.InspectionPlan{}).Where("equipment_id = ? AND active = ?", e.ID, true)
		if err := plans.Order("id").Pluck("id", &retired).Error; err != nil {
			return translate(err)
		}
		if len(retired) == 0 {
			return nil
		}
		return translate(tx.Model(&models.InspectionPlan{}).Where("id IN ?", retired).
			Updates(map[string]any{"active": false, "updated_at": s.now().UTC()}).Error)
	})
	if err != nil {
		return e, nil, fmt.Errorf("update equipment %d: %w", id, err)
	}
	return e, retired, nil
}

// UpdateInspectionPlan edits plan id inside scope: change sees the plan as
// stored and edits it (its error aborts the edit); what staff may change
// (name, cadence, start, time, working days, checklist, assignee, due
// window, Active) is saved. An active plan's equipment must be active
// (models.ErrInvalidState: a plan of retired equipment is not reactivated).
func (s *Store) UpdateInspectionPlan(ctx context.Context, scope Scope, id uint64, change func(*models.InspectionPlan) error) (models.InspectionPlan, error) {
	var p models.InspectionPlan
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		p, err = editScoped(tx, scope, id, func(p *models.InspectionPlan) error {
			if err := change(p); err != nil {
				return err
			}
			p.StartsOn = p.StartsOn.UTC()
			if !p.Active || p.EquipmentID == nil {
				return nil
			}
			var n int64
			if err := tx.Model(&models.Equipment{}).Where("id = ? AND active = ?", *p.EquipmentID, true).Count(&n).Error; err != nil {
				return translate(err)
			}
			if n == 0 {
				return fmt.Errorf("%w: equipment %d is retired", models.ErrInvalidState, *p.EquipmentID)
			}
			return nil
		}, "Name", "Cadence", "StartsOn", "At", "WorkdaysOnly", "Checklist", "AssigneeRole", "AssigneeID", "DueWithin", "Active")
		return err
	})
	if err != nil {
		return p, fmt.Errorf("update inspection plan %d: %w", id, err)
	}
	return p, nil
}

// OpenInspection creates the row of one occurrence, once per its
// OccurrenceKey: a second call (a retried activity) reads the first.
func (s *Store) OpenInspection(ctx context.Context, in *models.Inspection) (models.Inspection, error) {
	in.ScheduledAt, in.DueAt = in.ScheduledAt.UTC(), in.DueAt.UTC()
	in.Key = models.OccurrenceKey(in.PlanID, in.ScheduledAt)
	if in.Results == nil {
		in.Results = []models.ChecklistResult{}
	}
	if in.Findings == nil {
		in.Findings = []models.Finding{}
	}
	db := s.db.WithContext(ctx)
	out, _, err := createOnce(db, "occurrence_key", in.Key, in, func() error { return translate(db.Create(in).Error) })
	if err != nil {
		return out, fmt.Errorf("open inspection %q: %w", in.Key, err)
	}
	return out, nil
}

// Inspection reads one occurrence inside scope.
func (s *Store) Inspection(ctx context.Context, scope Scope, id uint64) (models.Inspection, error) {
	return scoped[models.Inspection](s, ctx, scope, id, "inspection")
}

// InspectionFilter narrows the occurrence list. Overdue keeps those not
// done whose due time is before Now (zero: the store's clock);
// OpenFindings those with a finding still to rectify.
type InspectionFilter struct {
	EstateID     uint64
	PlanID       uint64
	EquipmentID  uint64
	Status       models.InspectionStatus
	AssigneeID   uint64
	Overdue      bool
	OpenFindings bool
	Now          time.Time
}

// InspectionSorts are the orders of the occurrence list.
var InspectionSorts = SortKeys[models.Inspection]{
	"id":           idKey(func(i models.Inspection) uint64 { return i.ID }),
	"due_at":       {Column: "due_at", Value: func(i models.Inspection) any { return i.DueAt }},
	"scheduled_at": {Column: "scheduled_at", Value: func(i models.Inspection) any { return i.ScheduledAt }},
	"status":       {Column: "status", Value: func(i models.Inspection) any { return i.Status }},
}

var awaitingWork = []models.InspectionStatus{models.InspectionOpen, models.InspectionMissed}

// Inspections lists occurrences inside scope, by default soonest due first.
func (s *Store) Inspections(ctx context.Context, scope Scope, f InspectionFilter, page Page) (List[models.Inspection], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, InspectionSorts, Sort{Field: "due_at"},
		eq("plan_id", f.PlanID), eq("equipment_id", f.EquipmentID), eq("status", f.Status), eq("assignee_id", f.AssigneeID),
		when(f.Overdue, "status IN ? AND due_at < ?", awaitingWork, s.nowOr(f.Now).UTC()),
		when(f.OpenFindings, "open_findings > 0"))
	if err != nil {
		return out, fmt.Errorf("list inspections: %w", err)
	}
	return out, nil
}

// InspectionEvents lists the history of an occurrence inside scope, oldest
// first.
func (s *Store) InspectionEvents(ctx context.Context, scope Scope, id uint64) ([]models.CaseEvent, error) {
	if _, err := s.Inspection(ctx, scope, id); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindInspection, ID: id})
}

// InspectionChange is one transition of an occurrence: its new progress
// and the event that explains it.
type InspectionChange struct {
	InspectionID uint64
	Progress     models.InspectionProgress
	Event        models.CaseEvent
}

// RecordInspectionChange writes the event and the occurrence's new
// progress in one transaction (recordChange).
func (s *Store) RecordInspectionChange(ctx context.Context, c InspectionChange) (recorded bool, err error) {
	p := c.Progress
	p.DueAt, p.RectifyBy, p.DoneAt, p.ClosedAt = p.DueAt.UTC(), utc(p.RectifyBy), utc(p.DoneAt), utc(p.ClosedAt)
	if p.Results == nil {
		p.Results = []models.ChecklistResult{}
	}
	if p.Findings == nil {
		p.Findings = []models.Finding{}
	}
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindInspection, ID: c.InspectionID},
		row: &models.Inspection{InspectionProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// InspectionCounts are the estate dashboard's inspection numbers.
type InspectionCounts struct {
	// Overdue: occurrences not done past their due time.
	Overdue int64 `json:"overdue"`
	// OpenFindings: findings (隐患) not yet rectified.
	OpenFindings int64 `json:"open_findings"`
	// StatutoryDueSoon: active equipment whose statutory inspection is due
	// within the policy's first warning (or overdue).
	StatutoryDueSoon int64 `json:"statutory_due_soon"`
}

// InspectionCountsOf counts an estate's inspection numbers at now, with
// statutory inspections due within soon counted as due soon.
func (s *Store) InspectionCountsOf(ctx context.Context, scope Scope, estateID uint64, now time.Time, soon time.Duration) (InspectionCounts, error) {
	var out InspectionCounts
	if !scope.Allows(estateID) {
		return out, fmt.Errorf("inspections of estate %d: %w", estateID, models.ErrNotFound)
	}
	db := s.db.WithContext(ctx)
	var open struct{ N int64 }
	err := errors.Join(
		db.Model(&models.Inspection{}).Where("estate_id = ? AND status IN ? AND due_at < ?", estateID, awaitingWork, now.UTC()).Count(&out.Overdue).Error,
		db.Model(&models.Inspection{}).Select("COALESCE(SUM(open_findings), 0) AS n").Where("estate_id = ? AND open_findings > 0", estateID).Scan(&open).Error,
		db.Model(&models.Equipment{}).Where("estate_id = ? AND active = ? AND statutory_due_on IS NOT NULL AND statutory_due_on < ?",
			estateID, true, now.Add(soon).UTC()).Count(&out.StatutoryDueSoon).Error,
	)
	if err != nil {
		return out, fmt.Errorf("inspections of estate %d: %w", estateID, translate(err))
	}
	out.OpenFindings = open.N
	return out, nil
}

// ActivePlans lists the IDs of every active plan and of every estate with
// equipment under statutory inspection, for the start-up that makes sure
// each has its workflow.
func (s *Store) ActivePlans(ctx context.Context) (plans, estates []uint64, err error) {
	db := s.db.WithContext(ctx)
	err = errors.Join(
		db.Model(&models.InspectionPlan{}).Where("active = ?", true).Order("id").Pluck("id", &plans).Error,
		db.Model(&models.Equipment{}).Where("active = ? AND statutory_due_on IS NOT NULL", true).Distinct().Order("estate_id").Pluck("estate_id", &estates).Error,
	)
	if err != nil {
		return nil, nil, fmt.Errorf("active plans: %w", translate(err))
	}
	return plans, estates, nil
}
