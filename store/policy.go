package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// Policy reads an estate's current policy.
func (s *Store) Policy(ctx context.Context, scope Scope, estateID uint64) (models.EstatePolicy, error) {
	var p models.EstatePolicy
	if !scope.Allows(estateID) {
		return p, fmt.Errorf("policy of estate %d: %w", estateID, models.ErrNotFound)
	}
	if err := s.reader(ctx).First(&p, "estate_id = ?", estateID).Error; err != nil {
		return p, fmt.Errorf("policy of estate %d: %w", estateID, translate(err))
	}
	return p, nil
}

// SetPolicy replaces an estate's policy and records the change. When
// wantVersion is not zero it must be the current version, so that two
// managers editing at once do not silently overwrite each other
// (models.ErrConflict otherwise).
func (s *Store) SetPolicy(ctx context.Context, scope Scope, estateID uint64, wantVersion int, p models.Policy, by *uint64) (models.EstatePolicy, error) {
	var out models.EstatePolicy
	if !scope.Allows(estateID) {
		return out, fmt.Errorf("policy of estate %d: %w", estateID, models.ErrNotFound)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var cur models.EstatePolicy
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&cur, "estate_id = ?", estateID).Error; err != nil {
			return translate(err)
		}
		if wantVersion != 0 && wantVersion != cur.Version {
			return fmt.Errorf("%w: policy is at version %d, not %d", models.ErrConflict, cur.Version, wantVersion)
		}
		if err := s.writePolicy(tx, estateID, cur.Version+1, p, by); err != nil {
			return err
		}
		// The fees decide how payments settle bills (the allocation, the
		// late fees paid first): every ledger of the estate again.
		if err := settleEstate(tx, estateID); err != nil {
			return err
		}
		return translate(tx.First(&out, "estate_id = ?", estateID).Error)
	})
	if err != nil {
		return out, fmt.Errorf("set policy of estate %d: %w", estateID, err)
	}
	return out, nil
}

// PolicyChanges lists an estate's policy history, newest first.
func (s *Store) PolicyChanges(ctx context.Context, scope Scope, estateID uint64, page Page) (List[models.PolicyChange], error) {
	if !scope.Allows(estateID) {
		return List[models.PolicyChange]{}, fmt.Errorf("policy of estate %d: %w", estateID, models.ErrNotFound)
	}
	q := s.db.WithContext(ctx).Model(&models.PolicyChange{}).Where("estate_id = ?", estateID)
	return list[models.PolicyChange](q, page, "version DESC")
}

// writePolicy saves version of an estate's policy, now, and records the
// change.
func (s *Store) writePolicy(tx *gorm.DB, estateID uint64, version int, p models.Policy, by *uint64) error {
	row := models.EstatePolicy{EstateID: estateID, Version: version, Policy: p, UpdatedBy: by, UpdatedAt: s.now()}
	if err := tx.Save(&row).Error; err != nil {
		return translate(err)
	}
	change := models.PolicyChange{EstateID: estateID, Version: version, ChangedBy: by, Policy: p}
	return translate(tx.Create(&change).Error)
}
