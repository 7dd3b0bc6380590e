package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// MaxLookup bounds the households one caller lookup finds.
const MaxLookup = 20

// CallerHousehold is a household found for a caller with what the desk needs
// to answer the call: its residents (owners first), its open tickets and its
// follow-ups not yet finished.
type CallerHousehold struct {
	models.Household
	Residents   []models.Resident
	OpenTickets []models.Ticket
	FollowUps   []models.FollowUp
}

// closedTicket and finishedFollowUp are the statuses LookupHouseholds leaves out.
var (
	closedTicket     = []models.TicketStatus{models.StatusClosed, models.StatusCancelled}
	finishedFollowUp = []models.FollowUpStatus{models.FollowUpCompleted, models.FollowUpUnreachable, models.FollowUpCancelled}
)

// LookupHouseholds finds the households inside scope that l may mean: those
// with a resident whose phone is one of l.Phones (only with matchPhone, for
// the callers who may reveal phones: to anyone else a hit would confirm a
// number the lists mask), whose name contains l.Name, or in one of l.Rooms.
// Active households come first; at most MaxLookup.
func (s *Store) LookupHouseholds(ctx context.Context, scope Scope, l models.Lookup, matchPhone bool) ([]CallerHousehold, error) {
	db := s.db.WithContext(ctx)
	found := s.householdMatch(l, matchPhone)
	out := []CallerHousehold{}
	if found == nil {
		return out, nil
	}
	var hs []models.Household
	if err := householdQuery(db, scope).Where(found).Order("households.status, buildings.name, units.number, households.id").
		Limit(MaxLookup).Find(&hs).Error; err != nil {
		return nil, fmt.Errorf("look up households: %w", translate(err))
	}
	if len(hs) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(hs))
	byID := make(map[uint64]int, len(hs))
	for i, h := range hs {
		ids[i], byID[h.ID] = h.ID, i
		out = append(out, CallerHousehold{Household: h, Residents: []models.Resident{},
			OpenTickets: []models.Ticket{}, FollowUps: []models.FollowUp{}})
	}
	rs, err := ofHouseholds[models.Resident](db, ids, "role, id")
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		h := &out[byID[r.HouseholdID]]
		h.Residents = append(h.Residents, r)
	}
	ts, err := ofHouseholds[models.Ticket](db, ids, "id", when(true, "status NOT IN ?", closedTicket))
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		h := &out[byID[*t.HouseholdID]]
		h.OpenTickets = append(h.OpenTickets, t)
	}
	fs, err := ofHouseholds[models.FollowUp](db, ids, "due_at, id", when(true, "status NOT IN ?", finishedFollowUp))
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		h := &out[byID[f.HouseholdID]]
		h.FollowUps = append(h.FollowUps, f)
	}
	return out, nil
}

// householdMatch is the condition on households (joined with their units
// and buildings, householdQuery) that l may mean: a resident's phone (only
// with matchPhone), a resident's name, or a room; nil when l means none.
func (s *Store) householdMatch(l models.Lookup, matchPhone bool) *gorm.DB {
	residents := func(query string, args ...any) *gorm.DB {
		return s.db.Model(&models.Resident{}).Select("household_id").Where(query, args...)
	}
	var found *gorm.DB
	or := func(query string, args ...any) {
		if found == nil {
			found = s.db.Where(query, args...)
		} else {
			found = found.Or(query, args...)
		}
	}
	if matchPhone && len(l.Phones) > 0 {
		or("households.id IN (?)", residents("phone IN ?", l.Phones))
	}
	if l.Name != "" {
		or("households.id IN (?)", residents("name LIKE ? ESCAPE '!'", "%"+escapeLike(l.Name)+"%"))
	}
	for _, r := range l.Rooms {
		if names := r.BuildingNames(); names != nil {
			or("buildings.name IN ? AND units.number IN ?", names, r.UnitNumbers())
		} else {
			or("units.number IN ?", r.UnitNumbers())
		}
	}
	return found
}

// searchText is the cond of a list's search box: rows whose id is the
// ticket number the text may be (idColumn, "" for none), whose household
// (householdColumn) is a room or has a resident named so, or with the text
// inside one of textColumns. Phones are never matched: lists mask them.
func (s *Store) searchText(text, idColumn, householdColumn string, textColumns ...string) cond {
	return func(q *gorm.DB) *gorm.DB {
		text = strings.TrimSpace(text)
		if text == "" {
			return q
		}
		l := models.ParseLookup(text)
		match := s.db.Where("1 = 0")
		if idColumn != "" && l.TicketID != 0 {
			match = match.Or(idColumn+" = ?", l.TicketID)
		}
		if found := s.householdMatch(l, false); found != nil {
			match = match.Or(householdColumn+" IN (?)", householdQuery(s.db, AllEstates()).Select("households.id").Where(found))
		}
		like := "%" + escapeLike(text) + "%"
		for _, col := range textColumns {
			match = match.Or(col+" LIKE ? ESCAPE '!'", like)
		}
		return q.Where(match)
	}
}

// ofHouseholds reads the records of type T of the households ids that meet
// every cond, in order.
func ofHouseholds[T any](db *gorm.DB, ids []uint64, order string, conds ...cond) ([]T, error) {
	var out []T
	q := db.Where("household_id IN ?", ids)
	for _, c := range conds {
		q = c(q)
	}
	if err := q.Order(order).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("%T of %d households: %w", out, len(ids), translate(err))
	}
	return out, nil
}
