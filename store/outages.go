package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateOutage adds a planned outage inside scope, announced and ending at
// its planned end; its workflow then drives it.
func (s *Store) CreateOutage(ctx context.Context, scope Scope, o *models.Outage) error {
	o.StartsAt, o.PlannedEnd = o.StartsAt.UTC(), o.PlannedEnd.UTC()
	o.Status, o.EndsAt = models.OutageAnnounced, o.PlannedEnd
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, o.EstateID); err != nil {
			return err
		}
		return translate(tx.Create(o).Error)
	})
	if err != nil {
		return fmt.Errorf("create outage: %w", err)
	}
	return nil
}

// Outage reads one outage inside scope.
func (s *Store) Outage(ctx context.Context, scope Scope, id uint64) (models.Outage, error) {
	return scoped[models.Outage](s, ctx, scope, id, "outage")
}

// OutageFilter narrows an outage list; Active keeps those not yet restored
// or cancelled.
type OutageFilter struct {
	EstateID uint64
	Status   models.OutageStatus
	Utility  models.Utility
	Active   bool
}

// OutageSorts are the orders of the outage list.
var OutageSorts = SortKeys[models.Outage]{
	"id":        idKey(func(o models.Outage) uint64 { return o.ID }),
	"starts_at": {Column: "starts_at", Value: func(o models.Outage) any { return o.StartsAt }},
	"status":    {Column: "status", Value: func(o models.Outage) any { return o.Status }},
}

var activeOutage = []models.OutageStatus{models.OutageAnnounced, models.OutageOngoing, models.OutageOverdue}

// Outages lists outages inside scope, soonest start first by default.
func (s *Store) Outages(ctx context.Context, scope Scope, f OutageFilter, page Page) (List[models.Outage], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, OutageSorts, Sort{Field: "starts_at"},
		eq("status", f.Status), eq("utility", f.Utility), when(f.Active, "status IN ?", activeOutage))
	if err != nil {
		return out, fmt.Errorf("list outages: %w", err)
	}
	return out, nil
}

// OutageEvents lists the history of an outage inside scope, oldest first.
func (s *Store) OutageEvents(ctx context.Context, scope Scope, id uint64) ([]models.CaseEvent, error) {
	if _, err := s.Outage(ctx, scope, id); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindOutage, ID: id})
}

// OutageChange is one transition of an outage.
type OutageChange struct {
	OutageID uint64
	Progress models.OutageProgress
	Event    models.CaseEvent
}

// RecordOutageChange writes the event and the outage's new progress in one
// transaction (recordChange).
func (s *Store) RecordOutageChange(ctx context.Context, c OutageChange) (bool, error) {
	p := c.Progress
	p.EndsAt, p.AnnouncedAt, p.RemindedAt, p.RestoredAt = p.EndsAt.UTC(), utc(p.AnnouncedAt), utc(p.RemindedAt), utc(p.RestoredAt)
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindOutage, ID: c.OutageID},
		row: &models.Outage{OutageProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// LinkOutageTicket links ticket id to the active outage that explains it
// (models.OutageSpan.Explains under the estate's policy) and returns that
// outage; a zero outage (and no error) when none does. Linking twice
// returns the first link's outage.
func (s *Store) LinkOutageTicket(ctx context.Context, ticketID uint64, now time.Time) (models.Outage, error) {
	var out models.Outage
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var link models.OutageTicket
		err := tx.Where("ticket_id = ?", ticketID).Take(&link).Error
		if err == nil {
			return translate(tx.First(&out, link.OutageID).Error)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
		var t models.Ticket
		if err := tx.First(&t, ticketID).Error; err != nil {
			return translate(err)
		}
		if t.HouseholdID == nil || t.Kind != models.TicketRepair {
			return nil
		}
		var h models.Household
		if err := householdQuery(tx, AllEstates()).Where("households.id = ?", *t.HouseholdID).Take(&h).Error; err != nil {
			return translate(err)
		}
		var pol models.EstatePolicy
		if err := tx.Where("estate_id = ?", t.EstateID).Order("version DESC").Take(&pol).Error; err != nil {
			return translate(err)
		}
		var cands []models.Outage
		if err := tx.Where("estate_id = ? AND status IN ? AND starts_at <= ?", t.EstateID, activeOutage, t.ReportedAt.UTC()).
			Order("starts_at, id").Find(&cands).Error; err != nil {
			return translate(err)
		}
		r := models.RepairReport{EstateID: t.EstateID, Kind: t.Kind, Building: h.Building, Category: t.Category, At: t.ReportedAt}
		i := slices.IndexFunc(cands, func(o models.Outage) bool { return o.Span().Explains(r, pol.Policy.Notice) })
		if i < 0 {
			return nil
		}
		out = cands[i]
		return translate(tx.Create(&models.OutageTicket{OutageID: out.ID, TicketID: ticketID, EstateID: t.EstateID, LinkedAt: now.UTC()}).Error)
	})
	if err != nil {
		return models.Outage{}, fmt.Errorf("link ticket %d to an outage: %w", ticketID, err)
	}
	return out, nil
}

// LinkedTicket is a ticket an outage explains, with its link.
type LinkedTicket struct {
	models.Ticket
	LinkedAt   time.Time  `json:"linked_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// OutageTickets lists the tickets linked to outage id inside scope, oldest
// link first (at most MaxPageSize).
func (s *Store) OutageTickets(ctx context.Context, scope Scope, id uint64) ([]LinkedTicket, error) {
	if _, err := s.Outage(ctx, scope, id); err != nil {
		return nil, err
	}
	var links []models.OutageTicket
	if err := s.db.WithContext(ctx).Where("outage_id = ?", id).Order("linked_at, id").Limit(MaxPageSize).Find(&links).Error; err != nil {
		return nil, fmt.Errorf("tickets of outage %d: %w", id, translate(err))
	}
	ids := make([]uint64, len(links))
	for i, l := range links {
		ids[i] = l.TicketID
	}
	var ts []models.Ticket
	if err := s.db.WithContext(ctx).Where("id IN ?", append(ids, 0)).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("tickets of outage %d: %w", id, translate(err))
	}
	out := []LinkedTicket{}
	for _, l := range links {
		if i := slices.IndexFunc(ts, func(t models.Ticket) bool { return t.ID == l.TicketID }); i >= 0 {
			out = append(out, LinkedTicket{Ticket: ts[i], LinkedAt: l.LinkedAt, AnsweredAt: l.AnsweredAt})
		}
	}
	return out, nil
}

// MarkOutageTicketsAnswered records that the linked tickets ids of outage
// id were answered at; tickets already answered keep their time.
func (s *Store) MarkOutageTicketsAnswered(ctx context.Context, id uint64, ids []uint64, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.OutageTicket{}).
		Where("outage_id = ? AND ticket_id IN ? AND answered_at IS NULL", id, append(ids, 0)).
		Update("answered_at", at.UTC()).Error
	if err != nil {
		return fmt.Errorf("answer tickets of outage %d: %w", id, translate(err))
	}
	return nil
}
