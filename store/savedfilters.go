package store

import (
	"context"
	"fmt"

	"github.com/wuye/wuye/models"
)

// CreateSavedFilter saves f for its staff member; a name the person already
// gave a filter of the same list is models.ErrConflict.
func (s *Store) CreateSavedFilter(ctx context.Context, f *models.SavedFilter) error {
	f.ID = 0
	if err := s.db.WithContext(ctx).Create(f).Error; err != nil {
		return fmt.Errorf("save filter %q: %w", f.Name, translate(err))
	}
	return nil
}

// SavedFilters lists the filters staffID saved, of list unless it is "",
// by list and name.
func (s *Store) SavedFilters(ctx context.Context, staffID uint64, list string) ([]models.SavedFilter, error) {
	out := []models.SavedFilter{}
	q := match(s.db.WithContext(ctx).Where("staff_id = ?", staffID), "list", list)
	if err := q.Order("list, name, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("saved filters of staff %d: %w", staffID, translate(err))
	}
	return out, nil
}

// DeleteSavedFilter deletes the filter id of staffID; another person's is
// models.ErrNotFound, like one that does not exist.
func (s *Store) DeleteSavedFilter(ctx context.Context, staffID, id uint64) error {
	res := s.db.WithContext(ctx).Where("id = ? AND staff_id = ?", id, staffID).Delete(&models.SavedFilter{})
	if res.Error != nil {
		return fmt.Errorf("delete saved filter %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("saved filter %d: %w", id, models.ErrNotFound)
	}
	return nil
}
