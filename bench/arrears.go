package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// receiptRows gives each of pays its receipt (收据), numbered on from the
// estate's counter of the payment's year, as recording a payment does: a
// payment without one is a state the service never leaves, which its start
// repairs (store.issueMissingReceipts), one receipt at a time.
func receiptRows(db *gorm.DB, estate uint64, pays []models.FeePayment, loc *time.Location) error {
	if len(pays) == 0 {
		return nil
	}
	var e models.Estate
	if err := db.Select("id", "code").First(&e, estate).Error; err != nil {
		return fmt.Errorf("estate %d: %w", estate, err)
	}
	year := pays[0].PaidAt.In(loc).Year()
	var c models.ReceiptCounter
	if err := db.Where(models.ReceiptCounter{EstateID: estate, Year: year}).FirstOrCreate(&c).Error; err != nil {
		return fmt.Errorf("receipt counter: %w", err)
	}
	rs := make([]models.Receipt, len(pays))
	for i, p := range pays {
		c.Last++
		rs[i] = models.Receipt{EstateID: estate, Year: year, Seq: c.Last, Number: models.ReceiptNumber(e.Code, year, c.Last),
			PaymentID: p.ID, HouseholdID: p.HouseholdID, AmountFen: p.AmountFen, IssuedBy: p.RecordedBy, IssuedAt: p.PaidAt.UTC()}
	}
	if err := db.CreateInBatches(rs, 500).Error; err != nil {
		return fmt.Errorf("insert receipts: %w", err)
	}
	if err := db.Model(&models.ReceiptCounter{}).Where("estate_id = ? AND year = ?", estate, year).Update("last", c.Last).Error; err != nil {
		return fmt.Errorf("receipt counter: %w", err)
	}
	return nil
}

// arrearsRows writes n households in arrears into an estate by batched
// inserts: one unit each (1,000 to a building), three monthly bills (the
// two periods before this one and this one, due per the estate's fees), a
// payment of half a month from every other household, and a collection
// case whose owed amount and oldest unpaid due date follow from those. Half
// the cases are dunning, a tenth each reminding, paused, awaiting a legal
// decision, in legal hands and closed.
func arrearsRows(ctx context.Context, db *gorm.DB, estate uint64, n int, now time.Time, loc *time.Location, fees models.FeePolicy) error {
	const perBuilding = 1000
	db = db.WithContext(ctx)
	local := now.In(loc)
	var periods []models.Month
	for k := -2; k <= 0; k++ {
		m := time.Date(local.Year(), local.Month()+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
		periods = append(periods, models.Month{Year: m.Year(), Month: m.Month()})
	}
	today := models.DateOf(now, loc)
	stages := []models.CaseStage{models.StageReminding, models.StageDunning, models.StageDunning, models.StageDunning,
		models.StagePaused, models.StageDunning, models.StageLegalPending, models.StageLegal, models.StageDunning, models.StageClosed}
	segments := []models.Segment{models.SegmentGood, models.SegmentStandard, models.SegmentStandard, models.SegmentFastTrack}
	for b := 0; b*perBuilding < n; b++ {
		bd := models.Building{EstateID: estate, Name: fmt.Sprintf("欠费%d栋", b+1)}
		if err := db.Create(&bd).Error; err != nil {
			return fmt.Errorf("insert building: %w", err)
		}
		count := min(perBuilding, n-b*perBuilding)
		units := make([]models.Unit, count)
		for i := range units {
			units[i] = models.Unit{EstateID: estate, BuildingID: bd.ID, Number: strconv.Itoa(101 + i), Floor: i/4 + 1, Area: 89_00}
		}
		if err := db.CreateInBatches(units, 500).Error; err != nil {
			return fmt.Errorf("insert units: %w", err)
		}
		movedIn := models.DateTime(today.AddDays(-400))
		hs := make([]models.Household, count)
		for i := range hs {
			hs[i] = models.Household{EstateID: estate, UnitID: units[i].ID, Status: models.HouseholdActive, MovedInOn: &movedIn}
		}
		if err := db.CreateInBatches(hs, 500).Error; err != nil {
			return fmt.Errorf("insert households: %w", err)
		}
		var bills []models.HouseholdBill
		var pays []models.FeePayment
		cases := make([]models.CollectionCase, count)
		for i, h := range hs {
			k := b*perBuilding + i
			amount := models.Money(20000 + k%7*1000)
			paid := models.Money(0)
			if k%2 == 0 {
				paid = amount / 2
				pays = append(pays, models.FeePayment{EstateID: estate, HouseholdID: h.ID, AmountFen: paid,
					PaidAt: now.Add(-72 * time.Hour), PaidOn: models.DateTime(today.AddDays(-3)), Channel: models.PayWeChat,
					Reference: fmt.Sprintf("arrears-%d", h.ID), RecordedBy: 1})
			}
			var oldest *time.Time
			for _, p := range periods {
				due := models.DateTime(models.BillDueDate(p, fees))
				bills = append(bills, models.HouseholdBill{EstateID: estate, HouseholdID: h.ID, Period: p.String(),
					AmountFen: amount, DueOn: due, OriginalDueOn: due})
				if oldest == nil {
					oldest = &due
				}
			}
			st := stages[k%len(stages)]
			cs := models.CollectionCase{EstateID: estate, HouseholdID: h.ID, Key: fmt.Sprintf("collection-%d/bench", h.ID),
				WorkflowID: fmt.Sprintf("collection-%d", h.ID), OpenedAt: oldest.Add(24 * time.Hour),
				CaseProgress: models.CaseProgress{Stage: st, Segment: segments[k%len(segments)], StepReached: k % 4,
					OwedFen: 3*amount - paid, OldestDueOn: oldest, CheckedAt: &now, Revision: 1}}
			switch st {
			case models.StageClosed:
				cs.OwedFen, cs.OldestDueOn, cs.ClosedAt = 0, nil, &now
			case models.StageDunning, models.StageReminding:
				next := now.Add(time.Duration(1+k%96) * time.Hour)
				cs.NextStep, cs.NextStepAt = "sms", &next
			case models.StagePaused:
				until := now.Add(7 * 24 * time.Hour)
				cs.PausedReason, cs.PausedUntil = "promise", &until
			}
			cases[i] = cs
		}
		if err := db.CreateInBatches(bills, 500).Error; err != nil {
			return fmt.Errorf("insert bills: %w", err)
		}
		if err := db.CreateInBatches(pays, 500).Error; err != nil {
			return fmt.Errorf("insert payments: %w", err)
		}
		if err := receiptRows(db, estate, pays, loc); err != nil {
			return err
		}
		if err := db.CreateInBatches(cases, 500).Error; err != nil {
			return fmt.Errorf("insert cases: %w", err)
		}
	}
	return nil
}
