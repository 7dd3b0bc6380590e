package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateEstate adds an estate together with its first policy (version 1).
func (s *Store) CreateEstate(ctx context.Context, e *models.Estate, policy models.Policy, by *uint64) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return translate(err)
		}
		return s.writePolicy(tx, e.ID, 1, policy, by)
	})
	if err != nil {
		return fmt.Errorf("create estate %q: %w", e.Code, err)
	}
	return nil
}

// Estate reads one estate inside scope.
func (s *Store) Estate(ctx context.Context, scope Scope, id uint64) (models.Estate, error) {
	var e models.Estate
	q := scope.where(s.reader(ctx), "id")
	if err := q.First(&e, id).Error; err != nil {
		return e, fmt.Errorf("estate %d: %w", id, translate(err))
	}
	return e, nil
}

// Estates lists the estates inside scope, by code.
func (s *Store) Estates(ctx context.Context, scope Scope, page Page) (List[models.Estate], error) {
	q := scope.where(s.reader(ctx).Model(&models.Estate{}), "id")
	return list[models.Estate](q, page, "code")
}

// EstateByCode reads an estate by its unique code (all scopes).
func (s *Store) EstateByCode(ctx context.Context, code string) (models.Estate, error) {
	var e models.Estate
	if err := s.db.WithContext(ctx).Where("code = ?", code).First(&e).Error; err != nil {
		return e, fmt.Errorf("estate %q: %w", code, translate(err))
	}
	return e, nil
}

// UpdateEstate saves the editable fields of an estate inside scope. A new
// time zone recounts the estate's SLA days (sla_summary.go) in it.
func (s *Store) UpdateEstate(ctx context.Context, scope Scope, e *models.Estate) error {
	if !scope.Allows(e.ID) {
		return fmt.Errorf("estate %d: %w", e.ID, models.ErrNotFound)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		before, err := estateZone(tx, e.ID)
		if err != nil {
			return err
		}
		if err := tx.Model(e).Select("Name", "Address", "TimeZone", "ServicePhone", "UpdatedAt").Updates(e).Error; err != nil {
			return translate(err)
		}
		if after := zoneOf(e.TimeZone); after.String() != before.String() {
			return rebuildSLADays(tx, e.ID, after)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update estate %d: %w", e.ID, err)
	}
	return nil
}
