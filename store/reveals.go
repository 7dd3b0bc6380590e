package store

import (
	"context"
	"fmt"

	"github.com/wuye/wuye/models"
)

// RecordPhoneReveal records that r.StaffID revealed the whole phone of
// resident r.ResidentID inside scope; the resident gives the estate and
// household.
func (s *Store) RecordPhoneReveal(ctx context.Context, scope Scope, r *models.PhoneReveal) error {
	res, err := s.Resident(ctx, scope, r.ResidentID)
	if err != nil {
		return fmt.Errorf("record phone reveal: %w", err)
	}
	if len([]rune(r.Ref)) > models.MaxRevealRefLen {
		return models.Invalid("ref", "最多 %d 个字符", models.MaxRevealRefLen)
	}
	r.EstateID, r.HouseholdID = res.EstateID, res.HouseholdID
	if err := translate(s.db.WithContext(ctx).Create(r).Error); err != nil {
		return fmt.Errorf("record phone reveal of resident %d: %w", r.ResidentID, err)
	}
	return nil
}

// PhoneRevealFilter narrows the reveal log.
type PhoneRevealFilter struct {
	EstateID, StaffID, ResidentID uint64
}

// PhoneReveals lists the reveals inside scope, latest first.
func (s *Store) PhoneReveals(ctx context.Context, scope Scope, f PhoneRevealFilter, page Page) (List[models.PhoneReveal], error) {
	return listIn[models.PhoneReveal](s, ctx, scope, f.EstateID, page, "revealed_at DESC, id DESC",
		eq("staff_id", f.StaffID), eq("resident_id", f.ResidentID))
}
