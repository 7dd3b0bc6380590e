package store

import (
	"cmp"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// The dashboard's open tickets per status and urgency come from
// ticket_status_totals (models.TicketStatusTotal), moved by the store in
// the transaction that creates a ticket or records its progress, for the
// reasons the SLA summary is (sla_summary.go): reading them is a few rows
// per estate, where counting the tickets walked every open one.

// ticketTotal is the part of a ticket its total counts it under.
type ticketTotal struct {
	EstateID uint64
	Status   models.TicketStatus
	Urgency  models.Urgency
}

// ticketTotalOf reads the estate, status and urgency of ticket id.
func ticketTotalOf(tx *gorm.DB, id uint64) (ticketTotal, error) {
	return keysOf[ticketTotal](tx, &models.Ticket{}, "estate_id, status, urgency", id)
}

// moveTicketTotal takes a ticket out of its total as before and counts it
// as after (either zero for none).
func moveTicketTotal(tx *gorm.DB, before, after ticketTotal) error {
	return moveTotal(tx, before, after, func(t ticketTotal, sign int64) (any, []string, map[string]int64) {
		return &models.TicketStatusTotal{EstateID: t.EstateID, Status: t.Status, Urgency: t.Urgency, Tickets: sign},
			[]string{"estate_id", "status", "urgency"}, map[string]int64{"tickets": sign}
	})
}

// ticketTotalsUpgrade names the one-time backfill of the status totals.
const ticketTotalsUpgrade = "ticket_status_totals"

// fillTicketTotals counts the status totals from every ticket once, at the
// first start of the version that keeps them.
func fillTicketTotals(db *gorm.DB) error {
	return once(db, ticketTotalsUpgrade, rebuildTicketTotals)
}

// rebuildTicketTotals replaces the status totals with a count of every
// ticket.
func rebuildTicketTotals(tx *gorm.DB) error {
	if err := clearTables(tx, &models.TicketStatusTotal{}); err != nil {
		return fmt.Errorf("ticket status totals: %w", err)
	}
	err := tx.Exec(`INSERT INTO ticket_status_totals (estate_id, status, urgency, tickets)
		SELECT estate_id, status, urgency, COUNT(*) FROM tickets GROUP BY estate_id, status, urgency`).Error
	if err != nil {
		return fmt.Errorf("ticket status totals: %w", err)
	}
	return nil
}

// openCounts is how the dashboard counts the open tickets of a query of
// tickets (q) or of their totals (totals), per status and urgency.
type openCounts func(q func() *gorm.DB, totals func() *gorm.DB) ([]OpenCount, error)

// openFromTotals reads the open tickets per status and urgency from the
// status totals.
func openFromTotals(_ func() *gorm.DB, totals func() *gorm.DB) ([]OpenCount, error) {
	var rows []OpenCount
	err := totals().Where("status IN ?", models.OpenTicketStatuses()).
		Select("status, urgency, SUM(tickets) AS count").Group("status, urgency").Having("SUM(tickets) > 0").Scan(&rows).Error
	return sumOpen(rows), translate(err)
}

// recountOpen counts the open tickets per status and urgency from the
// tickets themselves (idx_ticket_open, grouped by estate in the index's
// order, so without a sort): the oracle the totals are held to.
func recountOpen(q func() *gorm.DB, _ func() *gorm.DB) ([]OpenCount, error) {
	var rows []OpenCount
	err := q().Where("status IN ?", models.OpenTicketStatuses()).
		Select("status, urgency, COUNT(*) AS count").Group("estate_id, status, urgency").Scan(&rows).Error
	return sumOpen(rows), translate(err)
}

// sumOpen orders counts by status and urgency and adds up those alike.
func sumOpen(rows []OpenCount) []OpenCount {
	slices.SortStableFunc(rows, func(a, b OpenCount) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), cmp.Compare(a.Urgency, b.Urgency))
	})
	out := []OpenCount{}
	for _, o := range rows {
		if n := len(out); n > 0 && out[n-1].Status == o.Status && out[n-1].Urgency == o.Urgency {
			out[n-1].Count += o.Count
		} else {
			out = append(out, o)
		}
	}
	return out
}
