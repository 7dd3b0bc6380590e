package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// The collection rate (收缴率) comes from summary rows the store rewrites in
// the transaction of every ledger write (a bill issued, adjusted, disputed
// or waived, a payment recorded or reversed, an opening balance, a fee
// policy), for the reasons the SLA summary is (sla_summary.go):
// bill_settlements hold each bill's principal and the part the household's
// payments settle (models.Statement over its whole ledger, every payment
// recorded), collection_periods their sums per estate, period and due date.
// A payment dated after the dashboard's today would count in the summary
// and not in the rate as of today: where one exists, the rate is counted
// from the ledgers (RecountCollectionRates).

// settledAsOf is the statement date of the settlements: after every
// payment, so that every recorded payment counts.
var settledAsOf = models.Date{Year: 9999, Month: 12, Day: 31}

// periodKey is a row of collection_periods.
type periodKey struct {
	estate uint64
	period string
	due    time.Time
}

// settleHouseholds settles the ledgers of households ids again, inside tx,
// and moves the collection sums by the difference.
func settleHouseholds(tx *gorm.DB, ids []uint64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var old []models.BillSettlement
		if err := tx.Where("household_id IN ?", chunk).Order("bill_id").Find(&old).Error; err != nil {
			return fmt.Errorf("settlements: %w", translate(err))
		}
		var now []models.BillSettlement
		err := settleLedgers(tx, chunk, settledAsOf, func(h models.HouseholdBill, l models.AccountLine) {
			now = append(now, models.BillSettlement{BillID: l.BillID, HouseholdID: h.HouseholdID, EstateID: h.EstateID,
				Period: l.Period.String(), DueOn: models.DateTime(l.Due), Principal: l.Principal, Paid: l.PrincipalPaid})
		})
		if err != nil {
			return fmt.Errorf("settle households: %w", err)
		}
		sums := map[periodKey][3]int64{}
		periodSums(sums, old, -1)
		periodSums(sums, now, 1)
		if err := writeSettlements(tx, old, now); err != nil {
			return err
		}
		if err := addPeriodSums(tx, sums); err != nil {
			return err
		}
	}
	return nil
}

// writeSettlements makes the settlements old (in bill order) into now,
// bill by bill: a changed one updated, a new one inserted, one whose bill
// is gone deleted, each by its primary key (replaceRows).
func writeSettlements(tx *gorm.DB, old, now []models.BillSettlement) error {
	slices.SortFunc(now, func(a, b models.BillSettlement) int { return cmp.Compare(a.BillID, b.BillID) })
	var before, after, fresh, gone []models.BillSettlement
	i := 0
	for _, n := range now {
		for ; i < len(old) && old[i].BillID < n.BillID; i++ {
			gone = append(gone, old[i])
		}
		if i < len(old) && old[i].BillID == n.BillID {
			before, after = append(before, old[i]), append(after, n)
			i++
		} else {
			fresh = append(fresh, n)
		}
	}
	gone = append(gone, old[i:]...)
	same := func(a, b models.BillSettlement) bool {
		return a.DueOn.Equal(b.DueOn) && a.Principal == b.Principal && a.Paid == b.Paid && a.Period == b.Period
	}
	if err := replaceRows(tx, before, after, same); err != nil {
		return fmt.Errorf("settlements: %w", err)
	}
	if len(fresh) > 0 {
		if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
			return fmt.Errorf("settlements: %w", translate(err))
		}
	}
	for _, g := range gone {
		if err := tx.Delete(&g).Error; err != nil {
			return fmt.Errorf("settlements: %w", translate(err))
		}
	}
	return nil
}

// periodSums adds sign times rows into sums.
func periodSums(sums map[periodKey][3]int64, rows []models.BillSettlement, sign int64) {
	for _, r := range rows {
		k := periodKey{r.EstateID, r.Period, r.DueOn.UTC()}
		c := sums[k]
		c[0] += sign
		c[1] += sign * int64(r.Principal)
		c[2] += sign * int64(r.Paid)
		sums[k] = c
	}
}

// addPeriodSums adds sums to collection_periods, in a fixed order.
func addPeriodSums(tx *gorm.DB, sums map[periodKey][3]int64) error {
	keys := changed(sums, func(a, b periodKey) int {
		return cmp.Or(cmp.Compare(a.estate, b.estate), cmp.Compare(a.period, b.period), a.due.Compare(b.due))
	})
	for _, k := range keys {
		c := sums[k]
		row := models.CollectionPeriod{EstateID: k.estate, Period: k.period, DueOn: k.due, Bills: c[0], BilledFen: models.Money(c[1]), PaidFen: models.Money(c[2])}
		err := addTo(tx, &row, []string{"estate_id", "period", "due_on"}, map[string]int64{"bills": c[0], "billed_fen": c[1], "paid_fen": c[2]})
		if err != nil {
			return fmt.Errorf("collection of %s in estate %d: %w", k.period, k.estate, translate(err))
		}
	}
	return nil
}

// settleEstate settles every ledger of an estate again: after its fee
// policy changes.
func settleEstate(tx *gorm.DB, estateID uint64) error {
	var ids []uint64
	if err := tx.Model(&models.HouseholdBill{}).Where("estate_id = ?", estateID).Distinct("household_id").Pluck("household_id", &ids).Error; err != nil {
		return fmt.Errorf("households of estate %d: %w", estateID, translate(err))
	}
	return settleHouseholds(tx, ids)
}

// collectionUpgrade names the one-time backfill of the settlements.
const collectionUpgrade = "collection_periods"

// fillCollection settles every ledger once, at the first start of the
// version that keeps the settlements.
func fillCollection(db *gorm.DB) error {
	return once(db, collectionUpgrade, rebuildCollection)
}

// rebuildCollection replaces the settlements and their sums with those of
// every ledger.
func rebuildCollection(tx *gorm.DB) error {
	if err := clearTables(tx, &models.BillSettlement{}, &models.CollectionPeriod{}); err != nil {
		return fmt.Errorf("collection summary: %w", err)
	}
	var ids []uint64
	if err := tx.Model(&models.HouseholdBill{}).Distinct("household_id").Pluck("household_id", &ids).Error; err != nil {
		return fmt.Errorf("collection summary: %w", translate(err))
	}
	return settleHouseholds(tx, ids)
}

// CollectionRates returns the collection of this month's and last month's
// billing periods (in f.Loc), oldest first, from the collection sums: a
// few rows per estate. Where a payment is dated after today the rate is
// counted from the ledgers, as the sums count every payment.
func (s *Store) CollectionRates(ctx context.Context, scope Scope, f DashboardFilter) ([]MonthCollection, error) {
	out, periods, today := s.collectionMonths(f)
	if later, err := paidAfter(s, ctx, scope, f.EstateID, today); err != nil || later {
		if err != nil {
			return nil, fmt.Errorf("collection rates: %w", err)
		}
		return s.RecountCollectionRates(ctx, scope, f)
	}
	var rows []models.CollectionPeriod
	err := queryIn[models.CollectionPeriod](s, ctx, scope, f.EstateID).
		Select("period, due_on, SUM(bills) AS bills, SUM(billed_fen) AS billed_fen, SUM(paid_fen) AS paid_fen").
		Where("period IN ?", periods).Group("period, due_on").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("collection rates: %w", translate(err))
	}
	for _, r := range rows {
		for i := range out {
			if r.Period != out[i].Period {
				continue
			}
			out[i].Bills += r.Bills
			out[i].BilledFen += r.BilledFen
			out[i].PaidFen += r.PaidFen
			if models.CountsForCollection(models.DateOf(r.DueOn, time.UTC), today) {
				out[i].DueBills += r.Bills
				out[i].DueFen += r.BilledFen
				out[i].DuePaidFen += r.PaidFen
			}
		}
	}
	return out, nil
}

// paidAfter reports whether a payment inside scope (and estate estateID
// unless 0) is dated after today: the sums count it, a rate as of today
// does not.
func paidAfter(s *Store, ctx context.Context, scope Scope, estateID uint64, today models.Date) (bool, error) {
	var n int64
	err := queryIn[models.FeePayment](s, ctx, scope, estateID).Where("paid_on > ?", models.DateTime(today)).Limit(1).Count(&n).Error
	return n > 0, translate(err)
}

// Collections counts into each of cs (models.Collection: its span of
// periods) the bills of estate estateID inside scope (every estate of scope
// when 0), as of today, from the collection sums; where a payment is dated
// after today, from the ledgers (RecountCollections).
func (s *Store) Collections(ctx context.Context, scope Scope, estateID uint64, today models.Date, cs []models.Collection) ([]models.Collection, error) {
	if len(cs) == 0 {
		return cs, nil
	}
	if later, err := paidAfter(s, ctx, scope, estateID, today); err != nil || later {
		if err != nil {
			return nil, fmt.Errorf("collections of estate %d: %w", estateID, err)
		}
		return s.RecountCollections(ctx, scope, estateID, today, cs)
	}
	from, to := collectionSpan(cs)
	var rows []models.CollectionPeriod
	err := queryIn[models.CollectionPeriod](s, ctx, scope, estateID).
		Select("period, SUM(bills) AS bills, SUM(billed_fen) AS billed_fen, SUM(paid_fen) AS paid_fen").
		Where("period BETWEEN ? AND ?", from.String(), to.String()).Group("period").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("collections of estate %d: %w", estateID, translate(err))
	}
	for _, r := range rows {
		var m models.Month
		if err := m.UnmarshalText([]byte(r.Period)); err != nil {
			return nil, fmt.Errorf("collections of estate %d: period %q: %w", estateID, r.Period, err)
		}
		for i := range cs {
			if cs[i].Counts(m) {
				cs[i].Bills += r.Bills
				cs[i].BilledFen += r.BilledFen
				cs[i].CollectedFen += r.PaidFen
			}
		}
	}
	return cs, nil
}
