package store

import (
	"context"
	"fmt"

	"github.com/wuye/wuye/models"
)

// StaffNames reads the names of the staff among ids in one query, for the
// assignee (处理人) column of a list: ids come from records inside the
// caller's scope, so an assignee of the company level is named too.
func (s *Store) StaffNames(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []models.Staff
	if err := s.db.WithContext(ctx).Select("id", "name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("names of %d staff: %w", len(ids), translate(err))
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// ResidentsByID reads the residents inside scope among ids in one query;
// ids outside scope are left out.
func (s *Store) ResidentsByID(ctx context.Context, scope Scope, ids []uint64) (map[uint64]models.Resident, error) {
	out := map[uint64]models.Resident{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []models.Resident
	if err := scope.where(s.db.WithContext(ctx), "estate_id").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("%d residents: %w", len(ids), translate(err))
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
