package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// The dashboard's SLA figures come from summary rows the store keeps up to
// date itself, in the transaction that records a ticket's progress
// (recordChange, insertTicket), rather than from rollups a schedule
// refreshes: every process already writes through that one path, so the
// summary can never lag the read model, and the dashboard gives at once the
// numbers a full recount gives (RecountDashboard, the old computation, is
// the oracle the tests hold it to). Two tables:
//
//   - sla_deadlines (models.SLADeadline): one row per deadline with its
//     outcome and due time, indexed by estate, outcome and due time. It
//     answers what depends on the clock: today's breaches, the current
//     week (a deadline not yet done counts only once due), and estates
//     whose time zone is not the dashboard's.
//   - sla_days (models.SLADay): per estate, local day and urgency, the
//     deadlines that count once the day is over and those met. The weeks
//     before this one are a handful of these rows per estate.
//
// Bulk loaders that insert tickets without the store (the benchmark's
// seeding) call RebuildSummaries afterwards.

// slaTicket is the part of a ticket its summary rows are made from.
type slaTicket struct {
	ID        uint64
	EstateID  uint64
	Urgency   models.Urgency
	Status    models.TicketStatus
	ClosedAt  *time.Time
	Deadlines []models.TicketDeadline `gorm:"serializer:json"`
}

// slaRows are the summary rows of ticket t.
func slaRows(t slaTicket) []models.SLADeadline {
	out := make([]models.SLADeadline, 0, len(t.Deadlines))
	for i, d := range t.Deadlines {
		out = append(out, models.SLADeadline{TicketID: t.ID, Seq: i, EstateID: t.EstateID, Urgency: t.Urgency,
			Outcome: models.DeadlineOutcome(d, t.Status, t.ClosedAt), DueAt: d.Due.UTC()})
	}
	return out
}

// slaDayKey is a row of sla_days.
type slaDayKey struct {
	estate  uint64
	day     string
	urgency models.Urgency
}

// slaCount is the counters of a row of sla_days (models.SLADay).
type slaCount struct{ due, met, open int64 }

// slaCounts adds sign times each counted row of rows into days, by the
// local day (in loc) it falls due.
func slaCounts(days map[slaDayKey]slaCount, rows []models.SLADeadline, loc *time.Location, sign int64) {
	for _, r := range rows {
		if r.Outcome == models.SLAVoid {
			continue
		}
		k := slaDayKey{r.EstateID, r.DueAt.In(loc).Format(time.DateOnly), r.Urgency}
		c := days[k]
		c.due += sign
		switch r.Outcome {
		case models.SLAMet:
			c.met += sign
		case models.SLAOpen:
			c.open += sign
		}
		days[k] = c
	}
}

// zoneOf is the location an estate's local days are counted in: its time
// zone, UTC when it names none the system knows (as the API reads it).
func zoneOf(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// estateZone reads the time zone of an estate.
func estateZone(tx *gorm.DB, estateID uint64) (*time.Location, error) {
	var tz string
	if err := tx.Model(&models.Estate{}).Where("id = ?", estateID).Pluck("time_zone", &tz).Error; err != nil {
		return nil, fmt.Errorf("time zone of estate %d: %w", estateID, translate(err))
	}
	return zoneOf(tz), nil
}

// syncTicketSLA rewrites the summary rows of ticket id from its row, inside
// tx: its deadlines' rows, and the day counts by the difference.
func syncTicketSLA(tx *gorm.DB, id uint64) error {
	var t slaTicket
	if err := tx.Model(&models.Ticket{}).Select("id, estate_id, urgency, status, closed_at, deadlines").
		Where("id = ?", id).Take(&t).Error; err != nil {
		return fmt.Errorf("sla summary of ticket %d: %w", id, translate(err))
	}
	var old []models.SLADeadline
	if err := tx.Where("ticket_id = ?", id).Order("seq").Find(&old).Error; err != nil {
		return fmt.Errorf("sla summary of ticket %d: %w", id, translate(err))
	}
	rows := slaRows(t)
	if slices.EqualFunc(old, rows, func(a, b models.SLADeadline) bool { return a.DueAt.Equal(b.DueAt) && sameSLA(a, b) }) {
		return nil
	}
	loc, err := estateZone(tx, t.EstateID)
	if err != nil {
		return err
	}
	days := map[slaDayKey]slaCount{}
	slaCounts(days, old, loc, -1)
	slaCounts(days, rows, loc, 1)
	if err := replaceRows(tx, old, rows, func(a, b models.SLADeadline) bool { return a.DueAt.Equal(b.DueAt) && sameSLA(a, b) }); err != nil {
		return fmt.Errorf("sla summary of ticket %d: %w", id, err)
	}
	return addSLADays(tx, days)
}

// addTo adds deltas to the columns of row, a counter of a summary whose
// primary key row holds, or inserts row where there is none yet. The update
// comes first: on MySQL it locks the one existing row, where an insert that
// finds a duplicate locks the gap before it too, and concurrent writers of
// neighbouring counters would deadlock.
func addTo(tx *gorm.DB, row any, key []string, deltas map[string]int64) error {
	set := make(map[string]any, len(deltas))
	for col, d := range deltas {
		set[col] = gorm.Expr(col+" + ?", d)
	}
	res := tx.Model(row).Updates(set) // where the primary key is row's
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	cols := make([]clause.Column, len(key))
	for i, k := range key {
		cols[i] = clause.Column{Name: k}
	}
	return tx.Clauses(clause.OnConflict{Columns: cols, DoUpdates: clause.Assignments(set)}).Create(row).Error
}

// changed lists the keys of deltas whose delta is not zero, in the order
// compare gives: summary rows are written in one order, so that concurrent
// transactions lock them alike.
func changed[K, C comparable](deltas map[K]C, compare func(a, b K) int) []K {
	var zero C
	keys := make([]K, 0, len(deltas))
	for k, c := range deltas {
		if c != zero {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compare)
	return keys
}

// replaceRows makes the rows old (read in primary-key order) into rows
// (the same keys first, in that order, then any new ones), each by its
// primary key: the row updated where it changed, the new ones inserted,
// those gone deleted. Never a delete over a range: on MySQL it would lock the
// gaps around it, where concurrent writers insert.
func replaceRows[T any](tx *gorm.DB, old, rows []T, same func(a, b T) bool) error {
	for i := range rows {
		switch {
		case i >= len(old):
			if err := tx.Create(&rows[i]).Error; err != nil {
				return translate(err)
			}
		case !same(old[i], rows[i]):
			if err := tx.Select("*").Updates(&rows[i]).Error; err != nil {
				return translate(err)
			}
		}
	}
	for i := len(rows); i < len(old); i++ {
		if err := tx.Delete(&old[i]).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// sameSLA compares two summary rows but for their due times.
func sameSLA(a, b models.SLADeadline) bool {
	a.DueAt, b.DueAt = time.Time{}, time.Time{}
	return a == b
}

// addSLADays adds days' counts to sla_days, creating the rows missing, in
// a fixed order so that concurrent transactions lock rows alike.
func addSLADays(tx *gorm.DB, days map[slaDayKey]slaCount) error {
	keys := changed(days, func(a, b slaDayKey) int {
		return cmp.Or(cmp.Compare(a.estate, b.estate), cmp.Compare(a.day, b.day), cmp.Compare(a.urgency, b.urgency))
	})
	for _, k := range keys {
		c := days[k]
		row := models.SLADay{EstateID: k.estate, Day: k.day, Urgency: k.urgency, Due: c.due, Met: c.met, Open: c.open}
		if err := addTo(tx, &row, []string{"estate_id", "day", "urgency"}, map[string]int64{"due": c.due, "met": c.met, "open": c.open}); err != nil {
			return fmt.Errorf("sla day %s of estate %d: %w", k.day, k.estate, translate(err))
		}
	}
	return nil
}

// slaUpgrade names the one-time backfill of the SLA summary in upgrades.
const slaUpgrade = "sla_summary"

// fillSLASummary builds the SLA summary from every ticket once, at the first
// start of the version that keeps it (a row in upgrades marks it done):
// from then on the store keeps it up to date as it records progress.
func fillSLASummary(db *gorm.DB) error {
	return once(db, slaUpgrade, rebuildSLA)
}

// slaOpenUpgrade names the one-time recount of the day rows that gave them
// their count of deadlines not done (models.SLADay.Open).
const slaOpenUpgrade = "sla_days_open"

// fillSLADaysOpen recounts every estate's day rows from its deadline rows
// once, at the first start of the version that counts the deadlines not
// done: the rows written before it hold none.
func fillSLADaysOpen(db *gorm.DB) error {
	return once(db, slaOpenUpgrade, func(tx *gorm.DB) error {
		var estates []models.Estate
		if err := tx.Select("id, time_zone").Order("id").Find(&estates).Error; err != nil {
			return fmt.Errorf("sla days: estates: %w", translate(err))
		}
		for _, e := range estates {
			if err := rebuildSLADays(tx, e.ID, zoneOf(e.TimeZone)); err != nil {
				return err
			}
		}
		return nil
	})
}

// once runs the upgrade fill under name unless a row of upgrades says it
// ran, and records that it did, in one transaction.
func once(db *gorm.DB, name string, fill func(tx *gorm.DB) error) error {
	db = db.Session(&gorm.Session{NewDB: true}) // migrate's db shares one statement
	var n int64
	if err := db.Model(&models.Upgrade{}).Where("name = ?", name).Count(&n).Error; err != nil {
		return fmt.Errorf("upgrade %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := fill(tx); err != nil {
			return err
		}
		return tx.Create(&models.Upgrade{Name: name, DoneAt: time.Now().UTC()}).Error
	})
}

// RebuildSummaries recounts the summary rows (the SLA summary, the arrears
// stage totals, the ticket status totals and the collection sums) from every ticket, case and ledger:
// for loaders that insert rows without the store.
func (s *Store) RebuildSummaries(ctx context.Context) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := rebuildSLA(tx); err != nil {
			return err
		}
		if err := rebuildCaseTotals(tx); err != nil {
			return err
		}
		if err := rebuildTicketTotals(tx); err != nil {
			return err
		}
		return rebuildCollection(tx)
	})
}

// clearTables deletes every row of the tables of rows.
func clearTables(tx *gorm.DB, rows ...any) error {
	for _, m := range rows {
		if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error; err != nil {
			return fmt.Errorf("clear: %w", translate(err))
		}
	}
	return nil
}

// rebuildSLA replaces the SLA summary with one made from every ticket. The
// tickets are read first (SQLite's one connection is busy while rows
// stream), only the columns the summary needs.
func rebuildSLA(tx *gorm.DB) error {
	if err := clearTables(tx, &models.SLADeadline{}, &models.SLADay{}); err != nil {
		return fmt.Errorf("sla summary: %w", err)
	}
	var zones []models.Estate
	if err := tx.Select("id, time_zone").Find(&zones).Error; err != nil {
		return fmt.Errorf("sla summary: estates: %w", err)
	}
	locs := map[uint64]*time.Location{}
	for _, e := range zones {
		locs[e.ID] = zoneOf(e.TimeZone)
	}
	var rows []models.SLADeadline
	days := map[slaDayKey]slaCount{}
	err := eachSLATicket(tx.Model(&models.Ticket{}).Order("id"), func(t slaTicket) {
		r := slaRows(t)
		loc := locs[t.EstateID]
		if loc == nil {
			loc = time.UTC
		}
		slaCounts(days, r, loc, 1)
		rows = append(rows, r...)
	})
	if err != nil {
		return fmt.Errorf("sla summary: tickets: %w", err)
	}
	if err := tx.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("sla summary: deadlines: %w", err)
	}
	out := make([]models.SLADay, 0, len(days))
	for k, c := range days {
		if c != (slaCount{}) {
			out = append(out, models.SLADay{EstateID: k.estate, Day: k.day, Urgency: k.urgency, Due: c.due, Met: c.met, Open: c.open})
		}
	}
	if err := tx.CreateInBatches(out, 500).Error; err != nil {
		return fmt.Errorf("sla summary: days: %w", err)
	}
	return nil
}

// eachSLATicket reads the tickets of q, whole, then hands them to fn one at
// a time, decoding each one's deadlines without reflection (eachSLARow).
func eachSLATicket(q *gorm.DB, fn func(t slaTicket)) error {
	var raw []struct {
		ID, EstateID uint64
		Urgency      models.Urgency
		Status       models.TicketStatus
		ClosedAt     *time.Time
		Deadlines    []byte
	}
	if err := q.Select("id, estate_id, urgency, status, closed_at, deadlines").Find(&raw).Error; err != nil {
		return err
	}
	for _, r := range raw {
		ds, err := decodeDeadlines(r.Deadlines, nil)
		if err != nil {
			return fmt.Errorf("ticket %d: deadlines: %w", r.ID, err)
		}
		fn(slaTicket{ID: r.ID, EstateID: r.EstateID, Urgency: r.Urgency, Status: r.Status, ClosedAt: r.ClosedAt, Deadlines: ds})
	}
	return nil
}

// rebuildSLADays recounts the day rows of an estate from its deadline rows
// in time zone loc: after the estate's time zone changes.
func rebuildSLADays(tx *gorm.DB, estateID uint64, loc *time.Location) error {
	if err := tx.Where("estate_id = ?", estateID).Delete(&models.SLADay{}).Error; err != nil {
		return fmt.Errorf("sla days of estate %d: %w", estateID, translate(err))
	}
	var rows []models.SLADeadline
	if err := tx.Where("estate_id = ? AND outcome <> ?", estateID, models.SLAVoid).Find(&rows).Error; err != nil {
		return fmt.Errorf("sla days of estate %d: %w", estateID, translate(err))
	}
	days := map[slaDayKey]slaCount{}
	slaCounts(days, rows, loc, 1)
	return addSLADays(tx, days)
}
