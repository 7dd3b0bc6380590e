package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// caseTable is how the store keeps one kind of case: its read-model row and
// the columns its process rewrites at every transition.
type caseTable struct {
	// row returns an empty row of the kind, for table and column names.
	row func() any
	// columns are the progress columns a change rewrites (with
	// "revision" and "updated_at").
	columns []string
	// noHousehold: the row has no household_id column (a case about the
	// estate's equipment, its service contract, an outage or a notice; not a household's).
	noHousehold bool
}

var caseTables = map[models.CaseKind]caseTable{
	models.KindTicket: {row: func() any { return &models.Ticket{} }, columns: []string{
		"status", "assignee_id", "escalation_level", "next_due_at", "next_due_kind", "warn_at",
		"deadlines", "held_seconds", "hold_reason", "on_hold_since", "reopen_count", "charge_fen",
		"score", "closed_at", "follow_up_id", "revision", "updated_at",
	}},
	models.KindFollowUp: {row: func() any { return &models.FollowUp{} }, columns: []string{
		"status", "assignee_id", "due_at", "scheduled_at", "attempts", "escalation_level", "visit",
		"ticket_ids", "open_tickets", "summary", "cancel_reason", "closed_at", "revision", "updated_at",
	}},
	models.KindCollection: {row: func() any { return &models.CollectionCase{} }, columns: []string{
		"stage", "segment", "step_reached", "next_step", "next_step_at", "paused_reason", "paused_until",
		"owed_fen", "oldest_due_on", "checked_at", "notice_served_at", "closed_at", "revision", "updated_at",
		"legal_status", "legal_since",
	}},
	models.KindInspection: {row: func() any { return &models.Inspection{} }, noHousehold: true, columns: []string{
		"status", "assignee_id", "due_at", "escalation_level", "results", "findings", "open_findings", "rectify_by",
		"done_at", "done_by", "skip_reason", "closed_at", "revision", "updated_at",
	}},
	models.KindContract: {row: func() any { return &models.Contract{} }, noHousehold: true, columns: []string{
		"status", "term_start", "term_end", "reminders_sent", "next_reminder_at", "escalation_level", "hand_over_note",
		"closed_at", "revision", "updated_at",
	}},

	models.KindOutage: {row: func() any { return &models.Outage{} }, noHousehold: true, columns: []string{
		"status", "ends_at", "announced_at", "reminded_at", "restored_at", "households", "escalation_level",
		"extensions", "note", "revision", "updated_at",
	}},
	models.KindNotice: {row: func() any { return &models.Notice{} }, noHousehold: true, columns: []string{
		"status", "published_at", "households", "capped", "closed_at", "revision", "updated_at",
	}},

	models.KindSurvey: {row: func() any { return &models.SurveyCampaign{} }, columns: []string{
		"status", "invited", "responded", "reminders", "ticket_ids", "callbacks", "next_at", "closed_at", "reason",
		"revision", "updated_at",
	}},
}

// change is one transition of a case: row is its read-model row holding the
// new progress (a *models.Ticket, *models.FollowUp or *models.CollectionCase)
// at revision, and ev the event that explains it (ev.Key identifies it).
type change struct {
	ref      models.CaseRef
	row      any
	revision int64
	ev       models.CaseEvent
	// also, when set, writes what else the transition changes, in the
	// same transaction, once: only when the event is recorded.
	also func(tx *gorm.DB) error
}

// recordChange writes a case's event and its new progress in one
// transaction: the one way every kind of process records a transition. An
// event whose key the case's kind already holds changes nothing and reports
// recorded = false, so a retried activity never writes twice; a progress
// older than the row's (a lower revision) never overwrites a newer one,
// since two writes in flight at once may land in either order.
func (s *Store) recordChange(ctx context.Context, c change) (recorded bool, err error) {
	tbl, ok := caseTables[c.ref.Kind]
	if !ok {
		return false, fmt.Errorf("record change: unknown kind %q", c.ref.Kind)
	}
	if c.ev.Key == "" {
		return false, models.Invalid("event.key", "必填")
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var owner struct {
			EstateID    uint64
			HouseholdID *uint64
		}
		cols := []string{"estate_id", "household_id"}
		if tbl.noHousehold {
			cols = cols[:1]
		}
		if err := tx.Model(tbl.row()).Select(cols).Where("id = ?", c.ref.ID).Take(&owner).Error; err != nil {
			return translate(err)
		}
		var n int64
		if err := tx.Model(&models.CaseEvent{}).Where("kind = ? AND event_key = ?", c.ref.Kind, c.ev.Key).Count(&n).Error; err != nil {
			return translate(err)
		}
		if n > 0 {
			return nil
		}
		ev := c.ev
		ev.ID, ev.Kind, ev.CaseID, ev.EstateID, ev.HouseholdID = 0, c.ref.Kind, c.ref.ID, owner.EstateID, 0
		if owner.HouseholdID != nil {
			ev.HouseholdID = *owner.HouseholdID
		}
		ev.At, ev.Revision = ev.At.UTC(), c.revision
		if err := tx.Create(&ev).Error; err != nil {
			return translate(err)
		}
		if c.also != nil {
			if err := c.also(tx); err != nil {
				return err
			}
		}
		var before summaryKeys
		switch c.ref.Kind {
		case models.KindCollection:
			if before.c, err = caseTotalOf(tx, c.ref.ID); err != nil {
				return err
			}
		case models.KindTicket:
			if before.t, err = ticketTotalOf(tx, c.ref.ID); err != nil {
				return err
			}
		}
		if err := tx.Model(tbl.row()).Where("id = ? AND revision < ?", c.ref.ID, c.revision).
			Select(tbl.columns).Updates(c.row).Error; err != nil {
			return translate(err)
		}
		if err := syncSummaries(tx, c.ref, before); err != nil {
			return err
		}
		recorded = true
		return nil
	})
	if errors.Is(err, models.ErrConflict) {
		return false, nil // the same key recorded by a concurrent attempt
	}
	if err != nil {
		return false, fmt.Errorf("record change %q of %s: %w", c.ev.Key, c.ref, err)
	}
	return recorded, nil
}

// summaryKeys are what a case's summary rows count it under: a
// collection case's stage total, a ticket's status total.
type summaryKeys struct {
	c caseTotal
	t ticketTotal
}

// syncSummaries brings the summary rows of case ref in line with its row
// just written, inside tx: a ticket's SLA rows (syncTicketSLA) and status
// total, a collection case's stage total (each moved from before, what
// counted it until now).
func syncSummaries(tx *gorm.DB, ref models.CaseRef, before summaryKeys) error {
	switch ref.Kind {
	case models.KindTicket:
		if err := syncTicketSLA(tx, ref.ID); err != nil {
			return err
		}
		after, err := ticketTotalOf(tx, ref.ID)
		if err != nil {
			return err
		}
		return moveTicketTotal(tx, before.t, after)
	case models.KindCollection:
		after, err := caseTotalOf(tx, ref.ID)
		if err != nil {
			return err
		}
		return moveCaseTotal(tx, before.c, after)
	}
	return nil
}

// caseEvents lists the journal of one case, oldest first (the events of
// one instant in the order their process made them).
func (s *Store) caseEvents(ctx context.Context, ref models.CaseRef) ([]models.CaseEvent, error) {
	out := []models.CaseEvent{}
	if err := s.db.WithContext(ctx).Where("kind = ? AND case_id = ?", ref.Kind, ref.ID).
		Order("at, revision, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("events of %s: %w", ref, translate(err))
	}
	return out, nil
}

// copyOldJournals moves the events of the journals each kind kept before
// the one case journal (ticket_events, follow_up_events, collection_events)
// into case_events, once per event: it runs at every migration, so rows an
// older process wrote during a rolling upgrade arrive at the next start. The
// old tables are left in place, unread.
func copyOldJournals(db *gorm.DB) error {
	olds := []struct {
		table    string
		kind     models.CaseKind
		caseCol  string
		house    string
		from, to string
		channel  string
		outcome  string
	}{
		{"ticket_events", models.KindTicket, "ticket_id",
			"(SELECT COALESCE(t.household_id, 0) FROM tickets t WHERE t.id = o.ticket_id)", "o.from_status", "o.to_status", "''", "''"},
		{"follow_up_events", models.KindFollowUp, "follow_up_id",
			"(SELECT f.household_id FROM follow_ups f WHERE f.id = o.follow_up_id)", "o.from_status", "o.to_status", "''", "''"},
		{"collection_events", models.KindCollection, "case_id", "o.household_id", "''", "o.stage", "o.channel", "o.outcome"},
	}
	for _, o := range olds {
		if !db.Migrator().HasTable(o.table) {
			continue
		}
		q := fmt.Sprintf(`INSERT INTO case_events (kind, case_id, estate_id, household_id, event_key, type, actor_id,
				from_status, to_status, channel, outcome, detail, at, revision, created_at)
			SELECT ?, o.%s, o.estate_id, COALESCE(%s, 0), o.event_key, o.type, o.actor_id,
				%s, %s, %s, %s, o.detail, o.at, o.revision, o.created_at
			FROM %s o
			WHERE NOT EXISTS (SELECT 1 FROM case_events c WHERE c.kind = ? AND c.event_key = o.event_key)`,
			o.caseCol, o.house, o.from, o.to, o.channel, o.outcome, o.table)
		if err := db.Exec(q, o.kind, o.kind).Error; err != nil {
			return fmt.Errorf("copy %s into case_events: %w", o.table, err)
		}
	}
	return nil
}

// CaseEventByKey reads the event of a case of kind whose key is key:
// models.ErrNotFound when there is none. An activity that records an event
// and acts on it (activities.Escalations) reads back on a retry what its
// earlier attempt recorded.
func (s *Store) CaseEventByKey(ctx context.Context, kind models.CaseKind, key string) (models.CaseEvent, error) {
	var ev models.CaseEvent
	if err := s.db.WithContext(ctx).Where("kind = ? AND event_key = ?", kind, key).Take(&ev).Error; err != nil {
		return ev, fmt.Errorf("event %q of %s: %w", key, kind, translate(err))
	}
	return ev, nil
}
