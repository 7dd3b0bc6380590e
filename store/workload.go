package store

import "context"

// OpenWork counts, for each staff member of ids, the work still open in
// their name: tickets neither closed nor cancelled, follow-up visits still
// to make and open collection tasks (the measure the automatic assignment
// balances). Staff without open work are left out.
func (s *Store) OpenWork(ctx context.Context, ids []uint64) (map[uint64]int64, error) {
	if len(ids) == 0 {
		return map[uint64]int64{}, nil
	}
	return s.openWork(ctx, ids)
}
