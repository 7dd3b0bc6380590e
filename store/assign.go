package store

import (
	"context"
	"fmt"

	"github.com/wuye/wuye/models"
)

// openWork counts, for each of ids, the work still open in their name over
// every kind of process: tickets neither closed nor cancelled, follow-up
// visits still to make, and open collection tasks.
func (s *Store) openWork(ctx context.Context, ids []uint64) (map[uint64]int64, error) {
	db := s.db.WithContext(ctx)
	kinds := []struct {
		what  string
		model any
		where string
		arg   any
	}{
		{"tickets", &models.Ticket{}, "status NOT IN ?", []models.TicketStatus{models.StatusClosed, models.StatusCancelled}},
		{"follow-ups", &models.FollowUp{}, "status IN ?", awaitingVisit},
		{"collection tasks", &models.CollectionTask{}, "status = ?", models.TaskOpen},
	}
	count := make(map[uint64]int64, len(ids))
	for _, k := range kinds {
		var loads []struct {
			AssigneeID uint64
			N          int64
		}
		if err := db.Model(k.model).Select("assignee_id, COUNT(*) AS n").Where("assignee_id IN ?", ids).
			Where(k.where, k.arg).Group("assignee_id").Scan(&loads).Error; err != nil {
			return nil, fmt.Errorf("open %s of staff: %w", k.what, translate(err))
		}
		for _, l := range loads {
			count[l.AssigneeID] += l.N
		}
	}
	return count, nil
}

// leastLoaded picks, of ids in ascending order, the one with the least open
// work (openWork), the lowest id among equals.
func (s *Store) leastLoaded(ctx context.Context, ids []uint64) (uint64, error) {
	count, err := s.openWork(ctx, ids)
	if err != nil {
		return 0, err
	}
	best := ids[0]
	for _, id := range ids[1:] {
		if count[id] < count[best] {
			best = id
		}
	}
	return best, nil
}
