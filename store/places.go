package store

import (
	"cmp"
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateBuilding adds a building to an estate inside scope.
func (s *Store) CreateBuilding(ctx context.Context, scope Scope, b *models.Building) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, b.EstateID); err != nil {
			return err
		}
		return translate(tx.Create(b).Error)
	})
	if err != nil {
		return fmt.Errorf("create building %q: %w", b.Name, err)
	}
	return nil
}

// Building reads one building inside scope.
func (s *Store) Building(ctx context.Context, scope Scope, id uint64) (models.Building, error) {
	return scoped[models.Building](s, ctx, scope, id, "building")
}

// BuildingFilter narrows a building list.
type BuildingFilter struct{ EstateID uint64 }

// Buildings lists buildings inside scope, by estate and name.
func (s *Store) Buildings(ctx context.Context, scope Scope, f BuildingFilter, page Page) (List[models.Building], error) {
	return listIn[models.Building](s, ctx, scope, f.EstateID, page, "estate_id, name")
}

// CreateUnit adds a unit to a building inside scope; the unit takes the
// building's estate.
func (s *Store) CreateUnit(ctx context.Context, scope Scope, u *models.Unit) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b models.Building
		if err := scope.where(tx, "estate_id").First(&b, u.BuildingID).Error; err != nil {
			return refError("building_id", "楼栋", u.BuildingID, err)
		}
		u.EstateID = b.EstateID
		u.PropertyType = cmp.Or(u.PropertyType, models.PropertyResidential)
		u.Occupancy = cmp.Or(u.Occupancy, models.OccupancyOccupied)
		return translate(tx.Create(u).Error)
	})
	if err != nil {
		return fmt.Errorf("create unit %q: %w", u.Number, err)
	}
	return nil
}

// UpdateUnit writes a unit's floor, area, property type and occupancy
// inside scope; bills already issued keep what they were priced on.
func (s *Store) UpdateUnit(ctx context.Context, scope Scope, u *models.Unit) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var cur models.Unit
		if err := scope.where(tx, "estate_id").First(&cur, u.ID).Error; err != nil {
			return translate(err)
		}
		return translate(tx.Model(&cur).Select("Floor", "Area", "PropertyType", "Occupancy").Updates(u).Error)
	})
	if err != nil {
		return fmt.Errorf("update unit %d: %w", u.ID, err)
	}
	return nil
}

// Unit reads one unit inside scope.
func (s *Store) Unit(ctx context.Context, scope Scope, id uint64) (models.Unit, error) {
	return scoped[models.Unit](s, ctx, scope, id, "unit")
}

// UnitFilter narrows a unit list.
type UnitFilter struct{ EstateID, BuildingID uint64 }

// Units lists units inside scope, by building and number.
func (s *Store) Units(ctx context.Context, scope Scope, f UnitFilter, page Page) (List[models.Unit], error) {
	return listIn[models.Unit](s, ctx, scope, f.EstateID, page, "building_id, number", eq("building_id", f.BuildingID))
}

// CreateHousehold registers a household in a unit inside scope. A unit has at
// most one active household (models.ErrConflict otherwise).
func (s *Store) CreateHousehold(ctx context.Context, scope Scope, h *models.Household) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u models.Unit
		if err := scope.where(tx, "estate_id").First(&u, h.UnitID).Error; err != nil {
			return refError("unit_id", "房屋", h.UnitID, err)
		}
		var active int64
		if err := tx.Model(&models.Household{}).Where("unit_id = ? AND status = ?", u.ID, models.HouseholdActive).
			Count(&active).Error; err != nil {
			return translate(err)
		}
		if active > 0 {
			return fmt.Errorf("%w: unit %d already has an active household", models.ErrConflict, u.ID)
		}
		h.EstateID = u.EstateID
		if h.Status == "" {
			h.Status = models.HouseholdActive
		}
		return translate(tx.Create(h).Error)
	})
	if err != nil {
		return fmt.Errorf("create household in unit %d: %w", h.UnitID, err)
	}
	return nil
}

func householdQuery(db *gorm.DB, scope Scope) *gorm.DB {
	q := db.Model(&models.Household{}).
		Select("households.*, buildings.name AS building, units.number AS unit_number").
		Joins("JOIN units ON units.id = households.unit_id").
		Joins("JOIN buildings ON buildings.id = units.building_id")
	return scope.where(q, "households.estate_id")
}

// Household reads one household inside scope, with its address.
func (s *Store) Household(ctx context.Context, scope Scope, id uint64) (models.Household, error) {
	var h models.Household
	if err := householdQuery(s.db.WithContext(ctx), scope).Where("households.id = ?", id).Take(&h).Error; err != nil {
		return h, fmt.Errorf("household %d: %w", id, translate(err))
	}
	return h, nil
}

// HouseholdFilter narrows a household list. Query matches a unit number or a
// resident's name.
type HouseholdFilter struct {
	EstateID, BuildingID, UnitID uint64
	Status                       models.HouseholdStatus
	Query                        string
}

// HouseholdSorts are the orders of the household list, by field name.
var HouseholdSorts = SortKeys[models.Household]{
	"id":          idKey(func(h models.Household) uint64 { return h.ID }),
	"building":    {Column: "building", Value: func(h models.Household) any { return h.Building }},
	"unit_number": {Column: "unit_number", Value: func(h models.Household) any { return h.UnitNumber }},
	"unit_id":     {Column: "unit_id", Value: func(h models.Household) any { return h.UnitID }},
	"status":      {Column: "status", Value: func(h models.Household) any { return h.Status }},
	"moved_in_on": {Column: "moved_in_on", Nullable: true, Value: func(h models.Household) any { return h.MovedInOn }},
}

// Households lists households inside scope: by building and unit number
// when page names neither a sort nor a cursor and is no export batch, else
// in page.Sort (HouseholdSorts), by default by building name then id.
func (s *Store) Households(ctx context.Context, scope Scope, f HouseholdFilter, page Page) (List[models.Household], error) {
	q := s.householdsQuery(ctx, scope, f)
	if page.Sort.Field == "" && page.After == "" && !page.Batch {
		return list[models.Household](q, page, "buildings.name, units.number, households.id")
	}
	// The joined columns are named plainly outside the join, as the sort
	// keys and the cursor name them.
	out, err := sortedList(s.db.WithContext(ctx).Table("(?) AS households", q), page, HouseholdSorts, Sort{Field: "building"})
	if err != nil {
		return out, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

// householdsQuery is the query of the households inside scope that f
// keeps, with their buildings and unit numbers.
func (s *Store) householdsQuery(ctx context.Context, scope Scope, f HouseholdFilter) *gorm.DB {
	q := householdQuery(s.db.WithContext(ctx), scope)
	if f.EstateID != 0 {
		q = q.Where("households.estate_id = ?", f.EstateID)
	}
	if f.BuildingID != 0 {
		q = q.Where("units.building_id = ?", f.BuildingID)
	}
	if f.UnitID != 0 {
		q = q.Where("households.unit_id = ?", f.UnitID)
	}
	if f.Status != "" {
		q = q.Where("households.status = ?", f.Status)
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("units.number LIKE ? ESCAPE '!' OR households.id IN (?)", like,
			s.db.Model(&models.Resident{}).Select("household_id").Where("name LIKE ? ESCAPE '!'", like))
	}
	return q
}

// refEstate checks that a referenced estate exists inside scope.
func refEstate(tx *gorm.DB, scope Scope, id uint64) error {
	if !scope.Allows(id) {
		return models.Invalid("estate_id", "小区 %d 不存在", id)
	}
	var e models.Estate
	if err := tx.Select("id").First(&e, id).Error; err != nil {
		return refError("estate_id", "小区", id, err)
	}
	return nil
}

// refError reports a reference to a record that does not exist (or lies
// outside the caller's scope) as invalid input naming the field.
func refError(field, what string, id uint64, err error) error {
	if err = translate(err); err == models.ErrNotFound {
		return models.Invalid(field, "%s %d 不存在，或不属于您所在的小区", what, id)
	}
	return err
}

// escapeLike makes user text literal inside a LIKE pattern written with
// ESCAPE '!' (a backslash would mean different things to SQLite and MySQL).
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '!' {
			out = append(out, '!')
		}
		out = append(out, r)
	}
	return string(out)
}

// HouseholdAddresses reads the addresses ("1栋 101") of the households
// inside scope among ids in one query; ids outside scope are left out.
func (s *Store) HouseholdAddresses(ctx context.Context, scope Scope, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var hs []models.Household
	if err := householdQuery(s.db.WithContext(ctx), scope).Where("households.id IN ?", ids).Find(&hs).Error; err != nil {
		return nil, fmt.Errorf("addresses of %d households: %w", len(ids), translate(err))
	}
	for _, h := range hs {
		out[h.ID] = h.Address()
	}
	return out, nil
}
