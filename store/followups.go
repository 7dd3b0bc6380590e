package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// FollowUp reads one follow-up inside scope.
func (s *Store) FollowUp(ctx context.Context, scope Scope, id uint64) (models.FollowUp, error) {
	return scoped[models.FollowUp](s, ctx, scope, id, "follow-up")
}

// FollowUpFilter narrows a follow-up list. Overdue keeps visits not yet made
// whose window ended before Now; AwaitingVisit those not yet made at all;
// DueBefore those due before it. A zero Now is the store's clock.
type FollowUpFilter struct {
	EstateID      uint64
	Status        models.FollowUpStatus
	AssigneeID    uint64
	HouseholdID   uint64
	DueBefore     time.Time
	Overdue       bool
	AwaitingVisit bool
	Now           time.Time
	// Search is the search box's text (searchText): a room, a resident's
	// name, a follow-up's number, or words of its summary.
	Search string
}

// FollowUpSorts are the orders of the follow-up list, by field name.
var FollowUpSorts = SortKeys[models.FollowUp]{
	"id":           idKey(func(f models.FollowUp) uint64 { return f.ID }),
	"due_at":       {Column: "due_at", Value: func(f models.FollowUp) any { return f.DueAt }},
	"moved_in_at":  {Column: "moved_in_at", Value: func(f models.FollowUp) any { return f.MovedInAt }},
	"created_at":   {Column: "created_at", Value: func(f models.FollowUp) any { return f.CreatedAt }},
	"scheduled_at": {Column: "scheduled_at", Nullable: true, Value: func(f models.FollowUp) any { return f.ScheduledAt }},
	"status":       {Column: "status", Value: func(f models.FollowUp) any { return f.Status }},
	"assignee_id":  {Column: "assignee_id", Nullable: true, Value: func(f models.FollowUp) any { return f.AssigneeID }},
	"household_id": {Column: "household_id", Value: func(f models.FollowUp) any { return f.HouseholdID }},
}

var awaitingVisit = []models.FollowUpStatus{models.FollowUpPending, models.FollowUpScheduled}

// FollowUps lists follow-ups inside scope in page.Sort (FollowUpSorts), by
// default soonest due first, then by id.
func (s *Store) FollowUps(ctx context.Context, scope Scope, f FollowUpFilter, page Page) (List[models.FollowUp], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, FollowUpSorts, Sort{Field: "due_at"},
		s.searchText(f.Search, "id", "household_id", "summary"),
		eq("status", f.Status), eq("assignee_id", f.AssigneeID), eq("household_id", f.HouseholdID),
		when(!f.DueBefore.IsZero(), "due_at < ?", f.DueBefore.UTC()),
		when(f.Overdue || f.AwaitingVisit, "status IN ?", awaitingVisit),
		when(f.Overdue, "due_at < ?", s.nowOr(f.Now).UTC()))
	if err != nil {
		return out, fmt.Errorf("list follow-ups: %w", err)
	}
	return out, nil
}

// FollowUpEvents lists the history of a follow-up inside scope, oldest first.
func (s *Store) FollowUpEvents(ctx context.Context, scope Scope, followUpID uint64) ([]models.CaseEvent, error) {
	if _, err := s.FollowUp(ctx, scope, followUpID); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindFollowUp, ID: followUpID})
}

// FollowUpChange is one transition of a follow-up: its new progress and the
// event that explains it. Event.Key identifies the transition.
type FollowUpChange struct {
	FollowUpID uint64
	Progress   models.FollowUpProgress
	Event      models.CaseEvent
}

// RecordFollowUpChange writes the event and the follow-up's new progress in
// one transaction (recordChange).
func (s *Store) RecordFollowUpChange(ctx context.Context, c FollowUpChange) (recorded bool, err error) {
	p := c.Progress
	p.DueAt, p.ScheduledAt, p.ClosedAt = p.DueAt.UTC(), utc(p.ScheduledAt), utc(p.ClosedAt)
	if p.Attempts == nil {
		p.Attempts = []models.FollowUpAttempt{}
	}
	if p.TicketIDs == nil {
		p.TicketIDs = []uint64{}
	}
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindFollowUp, ID: c.FollowUpID},
		row: &models.FollowUp{FollowUpProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// FollowUpAssignee picks who makes a follow-up visit in an estate: the
// registrar when preferRegistrar and they are active customer service of the
// estate; else the active customer-service member with the least open work
// of every kind (leastLoaded); else the registrar.
func (s *Store) FollowUpAssignee(ctx context.Context, estateID, registrarID uint64, preferRegistrar bool) (uint64, error) {
	db := s.db.WithContext(ctx)
	cs := db.Model(&models.Staff{}).Where("estate_id = ? AND role = ? AND active = ?", estateID, models.RoleCustomerService, true)
	if preferRegistrar {
		var n int64
		if err := cs.Session(&gorm.Session{}).Where("id = ?", registrarID).Count(&n).Error; err != nil {
			return 0, fmt.Errorf("follow-up assignee in estate %d: %w", estateID, translate(err))
		}
		if n > 0 {
			return registrarID, nil
		}
	}
	var ids []uint64
	if err := cs.Session(&gorm.Session{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("follow-up assignee in estate %d: %w", estateID, translate(err))
	}
	if len(ids) == 0 {
		return registrarID, nil
	}
	best, err := s.leastLoaded(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("follow-up assignee in estate %d: %w", estateID, err)
	}
	return best, nil
}

// ResidentTickets lists, inside scope, the tickets about a resident or their
// household, newest first (at most MaxPageSize).
func (s *Store) ResidentTickets(ctx context.Context, scope Scope, residentID, householdID uint64) ([]models.Ticket, error) {
	out := []models.Ticket{}
	err := scope.where(s.db.WithContext(ctx), "estate_id").Where("resident_id = ? OR household_id = ?", residentID, householdID).
		Order("reported_at DESC, id DESC").Limit(MaxPageSize).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("tickets of resident %d: %w", residentID, translate(err))
	}
	return out, nil
}
