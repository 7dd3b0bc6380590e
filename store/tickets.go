package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateTicket adds a ticket inside scope. With a non-empty key a second call
// with the same key returns the ticket the first one created and created =
// false; a key used in an estate outside scope is models.ErrConflict.
func (s *Store) CreateTicket(ctx context.Context, scope Scope, t *models.Ticket, key string) (models.Ticket, bool, error) {
	got, created, err := createOnce(s.db.WithContext(ctx), "idempotency_key", key, t, func() error {
		return s.insertTicket(ctx, scope, t, key)
	})
	if err != nil {
		return models.Ticket{}, false, fmt.Errorf("create ticket: %w", err)
	}
	if !scope.Allows(got.EstateID) {
		return models.Ticket{}, false, fmt.Errorf("ticket by key: %w: key used in another estate", models.ErrConflict)
	}
	return got, created, nil
}

// insertTicket completes a new ticket's defaults and inserts it, checking
// that what it refers to lies in its estate inside scope.
func (s *Store) insertTicket(ctx context.Context, scope Scope, t *models.Ticket, key string) error {
	t.IdempotencyKey = nil
	if key != "" {
		t.IdempotencyKey = &key
	}
	if t.Status == "" {
		t.Status = models.StatusNew
	}
	if t.ReportedAt.IsZero() {
		t.ReportedAt = s.now()
	}
	t.ReportedAt = t.ReportedAt.UTC()
	if t.Appointment != nil {
		at := t.Appointment.UTC()
		t.Appointment = &at
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, t.EstateID); err != nil {
			return err
		}
		if t.HouseholdID != nil {
			var h models.Household
			if err := tx.Where("estate_id = ?", t.EstateID).First(&h, *t.HouseholdID).Error; err != nil {
				return refError("household_id", "住户", *t.HouseholdID, err)
			}
		}
		if t.ResidentID != nil {
			var r models.Resident
			if err := tx.Where("estate_id = ?", t.EstateID).First(&r, *t.ResidentID).Error; err != nil {
				return refError("resident_id", "居民", *t.ResidentID, err)
			}
		}
		if err := tx.Create(t).Error; err != nil {
			return translate(err)
		}
		if err := syncTicketSLA(tx, t.ID); err != nil {
			return err
		}
		return moveTicketTotal(tx, ticketTotal{}, ticketTotal{EstateID: t.EstateID, Status: t.Status, Urgency: t.Urgency})
	})
}

// Ticket reads one ticket inside scope.
func (s *Store) Ticket(ctx context.Context, scope Scope, id uint64) (models.Ticket, error) {
	return scoped[models.Ticket](s, ctx, scope, id, "ticket")
}

// TicketFilter narrows a ticket list. Breached keeps tickets whose nearest
// pending deadline is before Now; AtRisk those warned of it but not yet past
// it (warn_at <= Now < next_due_at). A zero Now is the store's clock.
type TicketFilter struct {
	EstateID   uint64
	Status     models.TicketStatus
	Kind       models.TicketKind
	Urgency    models.Urgency
	AssigneeID uint64
	Breached   bool
	AtRisk     bool
	Now        time.Time
	// Search is the search box's text (searchText): a ticket number, a
	// room, a resident's name, or words of the category, description or
	// location.
	Search string
}

// TicketSorts are the orders of the ticket list, by field name.
var TicketSorts = SortKeys[models.Ticket]{
	"id":           idKey(func(t models.Ticket) uint64 { return t.ID }),
	"next_due_at":  {Column: "next_due_at", Nullable: true, Value: func(t models.Ticket) any { return t.NextDueAt }},
	"reported_at":  {Column: "reported_at", Value: func(t models.Ticket) any { return t.ReportedAt }},
	"created_at":   {Column: "created_at", Value: func(t models.Ticket) any { return t.CreatedAt }},
	"urgency":      {Column: "urgency", Value: func(t models.Ticket) any { return t.Urgency }},
	"status":       {Column: "status", Value: func(t models.Ticket) any { return t.Status }},
	"kind":         {Column: "kind", Value: func(t models.Ticket) any { return t.Kind }},
	"category":     {Column: "category", Value: func(t models.Ticket) any { return t.Category }},
	"assignee_id":  {Column: "assignee_id", Nullable: true, Value: func(t models.Ticket) any { return t.AssigneeID }},
	"household_id": {Column: "household_id", Nullable: true, Value: func(t models.Ticket) any { return t.HouseholdID }},
}

// breachedAt and atRiskAt are the conditions of a ticket past its nearest
// deadline at now, and warned of it but not yet past (args: now, and now,
// now): the list's filters and the dashboard's counts. A closed ticket has
// no next due time.
const (
	breachedAt = "next_due_at < ?"
	atRiskAt   = "warn_at <= ? AND next_due_at > ?"
)

// Tickets lists tickets inside scope in page.Sort (TicketSorts), by default
// nearest deadline first (tickets without one last), then by id.
func (s *Store) Tickets(ctx context.Context, scope Scope, f TicketFilter, page Page) (List[models.Ticket], error) {
	now := s.nowOr(f.Now).UTC()
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, TicketSorts, Sort{Field: "next_due_at"},
		eq("status", f.Status), eq("kind", f.Kind), eq("urgency", f.Urgency), eq("assignee_id", f.AssigneeID),
		when(f.Breached, breachedAt, now), when(f.AtRisk, atRiskAt, now, now),
		s.searchText(f.Search, "id", "household_id", "category", "description", "location"))
	if err != nil {
		return out, fmt.Errorf("list tickets: %w", err)
	}
	return out, nil
}

// TicketEvents lists the history of a ticket inside scope, oldest first.
func (s *Store) TicketEvents(ctx context.Context, scope Scope, ticketID uint64) ([]models.CaseEvent, error) {
	if _, err := s.Ticket(ctx, scope, ticketID); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindTicket, ID: ticketID})
}

// TicketChange is one transition of a ticket: its new progress and the event
// that explains it. Event.Key identifies the transition.
type TicketChange struct {
	TicketID uint64
	Progress models.TicketProgress
	Event    models.CaseEvent
}

// RecordTicketChange writes the event and the ticket's new progress in one
// transaction (recordChange: idempotent by the event's key, never older
// over newer).
func (s *Store) RecordTicketChange(ctx context.Context, c TicketChange) (recorded bool, err error) {
	p := c.Progress
	p.NextDueAt, p.WarnAt, p.OnHoldSince, p.ClosedAt = utc(p.NextDueAt), utc(p.WarnAt), utc(p.OnHoldSince), utc(p.ClosedAt)
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindTicket, ID: c.TicketID},
		row: &models.Ticket{TicketProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// StaffToNotify lists the active staff with role in an estate, by id; for
// RoleCompanyAdmin the company-level staff (no estate) with that role.
func (s *Store) StaffToNotify(ctx context.Context, estateID uint64, role models.Role) ([]uint64, error) {
	q := s.db.WithContext(ctx).Model(&models.Staff{}).Where("role = ? AND active = ?", role, true)
	if role == models.RoleCompanyAdmin {
		q = q.Where("estate_id IS NULL")
	} else {
		q = q.Where("estate_id = ?", estateID)
	}
	ids := []uint64{}
	if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("staff to notify in estate %d as %s: %w", estateID, role, translate(err))
	}
	return ids, nil
}
