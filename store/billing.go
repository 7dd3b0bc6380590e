package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// householdIn reads a household inside scope for a write that references it:
// one outside scope (or absent) is invalid input naming field.
func householdIn(tx *gorm.DB, scope Scope, field string, id uint64) (models.Household, error) {
	var h models.Household
	err := scope.where(tx.Select("id", "estate_id", "unit_id", "status"), "estate_id").First(&h, id).Error
	if err != nil {
		return h, refError(field, "住户", id, err)
	}
	return h, nil
}

// CreateFeeItem adds a recurring charge to a household inside scope.
func (s *Store) CreateFeeItem(ctx context.Context, scope Scope, it *models.FeeItem) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		h, err := householdIn(tx, scope, "household_id", it.HouseholdID)
		if err != nil {
			return err
		}
		it.EstateID = h.EstateID
		return translate(tx.Create(it).Error)
	})
	if err != nil {
		return fmt.Errorf("create fee item: %w", err)
	}
	return nil
}

// FeeItemFilter narrows a fee-item list.
type FeeItemFilter struct {
	EstateID    uint64
	HouseholdID uint64
}

// FeeItems lists fee items inside scope, by household then id.
func (s *Store) FeeItems(ctx context.Context, scope Scope, f FeeItemFilter, page Page) (List[models.FeeItem], error) {
	return listIn[models.FeeItem](s, ctx, scope, f.EstateID, page, "household_id, id", eq("household_id", f.HouseholdID))
}

// IssueBill creates the bill of a household for period, due per fees. A bill
// for the same household and period already issued is models.ErrConflict.
func (s *Store) IssueBill(ctx context.Context, scope Scope, householdID uint64, period models.Month, amount models.Money, fees models.FeePolicy, by *uint64) (models.HouseholdBill, error) {
	var b models.HouseholdBill
	err := s.tx(ctx, func(tx *gorm.DB) error {
		h, err := householdIn(tx, scope, "household_id", householdID)
		if err != nil {
			return err
		}
		due := models.DateTime(models.BillDueDate(period, fees))
		b = models.HouseholdBill{EstateID: h.EstateID, HouseholdID: h.ID, Period: period.String(), AmountFen: amount,
			DueOn: due, OriginalDueOn: due, IssuedBy: by}
		if err := tx.Create(&b).Error; err != nil {
			return translate(err)
		}
		return settleHouseholds(tx, []uint64{h.ID})
	})
	if err != nil {
		return b, fmt.Errorf("issue bill of household %d for %s: %w", householdID, period, err)
	}
	return b, nil
}

// billingInput reads what a billing run of an estate and period prices:
// its active households with their units, its standards, the period's
// readings, the active fee items and the households already billed.
func billingInput(db *gorm.DB, estateID uint64, period models.Month) (models.BillingInput, error) {
	in := models.BillingInput{Period: period, Billed: map[uint64]bool{}}
	err := db.Table("households").
		Select("households.id AS household_id, units.id AS unit_id, "+concat(db, "buildings.name", "'-'", "units.number")+" AS label, "+
			"units.property_type, units.occupancy, units.area_centi AS area").
		Joins("JOIN units ON units.id = households.unit_id").
		Joins("JOIN buildings ON buildings.id = units.building_id").
		Where("households.estate_id = ? AND households.status = ?", estateID, models.HouseholdActive).
		Order("households.id").Scan(&in.Households).Error
	if err != nil {
		return in, translate(err)
	}
	if in.Standards, err = estateStandards(db, estateID); err != nil {
		return in, err
	}
	if err := db.Where("estate_id = ? AND period = ?", estateID, period.String()).Find(&in.Readings).Error; err != nil {
		return in, translate(err)
	}
	if err := db.Where("estate_id = ? AND active = ?", estateID, true).Find(&in.Items).Error; err != nil {
		return in, translate(err)
	}
	var billed []uint64
	if err := db.Model(&models.HouseholdBill{}).Where("estate_id = ? AND period = ?", estateID, period.String()).Pluck("household_id", &billed).Error; err != nil {
		return in, translate(err)
	}
	for _, id := range billed {
		in.Billed[id] = true
	}
	return in, nil
}

// concat is SQL joining parts as text on the store's database.
func concat(db *gorm.DB, parts ...string) string {
	if db.Dialector.Name() == "mysql" {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return strings.Join(parts, " || ")
}

// PreviewBilling is what a billing run of an estate inside scope would issue
// for period (models.PreviewBilling over its households, standards,
// readings and fee items); it writes nothing.
func (s *Store) PreviewBilling(ctx context.Context, scope Scope, estateID uint64, period models.Month) (models.BillingPreview, error) {
	db := s.db.WithContext(ctx)
	if err := refEstate(db, scope, estateID); err != nil {
		return models.BillingPreview{}, err
	}
	in, err := billingInput(db, estateID, period)
	if err != nil {
		return models.BillingPreview{}, fmt.Errorf("billing preview of estate %d for %s: %w", estateID, period, err)
	}
	return models.PreviewBilling(in), nil
}

// issueChunk is how many bills a billing run writes per transaction.
const issueChunk = 500

// RunBilling issues period's bills to the households of an estate inside
// scope, itemised: exactly what PreviewBilling shows (one line per
// applicable fee standard and per active fee item; the bill's amount is the
// sum of its lines). Households already billed for period are counted as
// Existing, not billed again, so a second run (or one racing another) is
// safe; every other skipped household counts in NoItems and is listed in
// Skipped with its reason. The API's run and the scheduled one both call it.
func (s *Store) RunBilling(ctx context.Context, scope Scope, estateID uint64, period models.Month, fees models.FeePolicy, by *uint64) (models.BillingRun, error) {
	run := models.BillingRun{EstateID: estateID, Period: period.String(), By: by, BillIDs: []uint64{}, HouseholdIDs: []uint64{}}
	if !scope.Allows(estateID) {
		return run, models.Invalid("estate_id", "小区 %d 不存在", estateID)
	}
	pre, err := s.PreviewBilling(ctx, scope, estateID, period)
	if err != nil {
		return run, err
	}
	db := s.db.WithContext(ctx)
	run.Skipped = pre.Skipped
	for _, sk := range pre.Skipped {
		if sk.Reason == models.SkipAlreadyBilled {
			run.Existing++
		} else {
			run.NoItems++
		}
	}
	if err := translate(db.Create(&run).Error); err != nil {
		return run, fmt.Errorf("billing run of estate %d: %w", estateID, err)
	}
	due := models.DateTime(models.BillDueDate(period, fees))
	for start := 0; start < len(pre.Households); start += issueChunk {
		chunk := pre.Households[start:min(start+issueChunk, len(pre.Households))]
		bills := make([]models.HouseholdBill, len(chunk))
		for i, c := range chunk {
			bills[i] = models.HouseholdBill{EstateID: estateID, HouseholdID: c.HouseholdID, Period: period.String(),
				AmountFen: c.AmountFen, DueOn: due, OriginalDueOn: due, RunID: &run.ID, IssuedBy: by, Lines: c.Lines}
		}
		err := s.tx(ctx, func(tx *gorm.DB) error { return createBills(tx, bills) })
		if errors.Is(err, models.ErrConflict) {
			// Another run billed some of them meanwhile: one by one.
			for i := range bills {
				bills[i].ID = 0
				e := s.tx(ctx, func(tx *gorm.DB) error { return createBills(tx, bills[i:i+1]) })
				switch {
				case errors.Is(e, models.ErrConflict):
					bills[i].ID = 0
					run.Existing++
				case e != nil:
					return run, fmt.Errorf("billing run of estate %d: household %d: %w", estateID, bills[i].HouseholdID, e)
				}
			}
		} else if err != nil {
			return run, fmt.Errorf("billing run of estate %d: %w", estateID, err)
		}
		for _, b := range bills {
			if b.ID != 0 {
				run.Created++
				run.BillIDs = append(run.BillIDs, b.ID)
				run.HouseholdIDs = append(run.HouseholdIDs, b.HouseholdID)
			}
		}
	}
	err = db.Model(&models.BillingRun{}).Where("id = ?", run.ID).
		Updates(map[string]any{"created": run.Created, "existing": run.Existing, "no_items": run.NoItems}).Error
	if err != nil {
		return run, fmt.Errorf("billing run of estate %d: %w", estateID, translate(err))
	}
	return run, nil
}

// createBills inserts bills and their lines.
func createBills(tx *gorm.DB, bills []models.HouseholdBill) error {
	if err := translate(tx.Omit(clause.Associations).CreateInBatches(bills, 200).Error); err != nil {
		return err
	}
	var lines []models.BillLine
	households := make([]uint64, 0, len(bills))
	for _, b := range bills {
		households = append(households, b.HouseholdID)
		for _, l := range b.Lines {
			l.BillID = b.ID
			lines = append(lines, l)
		}
	}
	if len(lines) > 0 {
		if err := translate(tx.CreateInBatches(lines, 300).Error); err != nil {
			return err
		}
	}
	return settleHouseholds(tx, households)
}

// withLines fills the Lines of bills, in one query.
func withLines(db *gorm.DB, bills []models.HouseholdBill) error {
	if len(bills) == 0 {
		return nil
	}
	ids := make([]uint64, len(bills))
	at := make(map[uint64]int, len(bills))
	for i, b := range bills {
		ids[i], at[b.ID] = b.ID, i
	}
	var lines []models.BillLine
	if err := db.Where("bill_id IN ?", ids).Order("bill_id, id").Find(&lines).Error; err != nil {
		return translate(err)
	}
	for _, l := range lines {
		bills[at[l.BillID]].Lines = append(bills[at[l.BillID]].Lines, l)
	}
	return nil
}

// Bill reads one bill inside scope.
// Its Lines are read with it.
func (s *Store) Bill(ctx context.Context, scope Scope, id uint64) (models.HouseholdBill, error) {
	b, err := scoped[models.HouseholdBill](s, ctx, scope, id, "bill")
	if err != nil {
		return b, err
	}
	bills := []models.HouseholdBill{b}
	if err := withLines(s.db.WithContext(ctx), bills); err != nil {
		return b, fmt.Errorf("lines of bill %d: %w", id, err)
	}
	return bills[0], nil
}

// BillFilter narrows a bill list.
type BillFilter struct {
	EstateID    uint64
	HouseholdID uint64
	Period      string
}

// Bills lists bills inside scope, newest period first.
// Each with its Lines.
func (s *Store) Bills(ctx context.Context, scope Scope, f BillFilter, page Page) (List[models.HouseholdBill], error) {
	l, err := sortedIn(s, ctx, scope, f.EstateID, page, BillSorts, Sort{Field: "period", Desc: true},
		eq("household_id", f.HouseholdID), eq("period", f.Period))
	if err == nil {
		err = withLines(s.db.WithContext(ctx), l.Items)
	}
	return l, err
}

// AdjustBill records a credit (amount < 0) or debit note on a bill inside
// scope, with a reason (models.CheckAdjustment bounds it); the bill itself
// is never edited: its AdjustedFen sums its notes and Statement reads them.
func (s *Store) AdjustBill(ctx context.Context, scope Scope, billID uint64, amount models.Money, reason string, by uint64) (models.BillAdjustment, error) {
	var a models.BillAdjustment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b models.HouseholdBill
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&b, billID).Error; err != nil {
			return translate(err)
		}
		var err error
		a, err = s.adjust(tx, b, amount, reason, by)
		return err
	})
	if err != nil {
		return a, fmt.Errorf("adjust bill %d: %w", billID, err)
	}
	return a, nil
}

// adjust records a note of amount on b, locked by the caller's transaction
// tx, and adds it to the bill's AdjustedFen.
func (s *Store) adjust(tx *gorm.DB, b models.HouseholdBill, amount models.Money, reason string, by uint64) (models.BillAdjustment, error) {
	if err := models.CheckAdjustment(b, amount); err != nil {
		return models.BillAdjustment{}, err
	}
	a := models.BillAdjustment{EstateID: b.EstateID, HouseholdID: b.HouseholdID, BillID: b.ID, AmountFen: amount, Reason: reason, By: by}
	if err := tx.Create(&a).Error; err != nil {
		return a, translate(err)
	}
	if err := tx.Model(&models.HouseholdBill{}).Where("id = ?", b.ID).
		Updates(map[string]any{"adjusted_fen": gorm.Expr("adjusted_fen + ?", int64(amount)), "updated_at": s.now().UTC()}).Error; err != nil {
		return a, translate(err)
	}
	return a, settleHouseholds(tx, []uint64{b.HouseholdID})
}

// Adjustments lists a bill's credit and debit notes inside scope, oldest first.
func (s *Store) Adjustments(ctx context.Context, scope Scope, billID uint64) ([]models.BillAdjustment, error) {
	out := []models.BillAdjustment{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("bill_id = ?", billID)
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("adjustments of bill %d: %w", billID, translate(err))
	}
	return out, nil
}

// BillSorts are the orders of the bill list, by field name.
var BillSorts = SortKeys[models.HouseholdBill]{
	"id":           idKey(func(b models.HouseholdBill) uint64 { return b.ID }),
	"period":       {Column: "period", Value: func(b models.HouseholdBill) any { return b.Period }},
	"due_on":       {Column: "due_on", Value: func(b models.HouseholdBill) any { return b.DueOn }},
	"amount_fen":   {Column: "amount_fen", Value: func(b models.HouseholdBill) any { return b.AmountFen }},
	"household_id": {Column: "household_id", Value: func(b models.HouseholdBill) any { return b.HouseholdID }},
	"created_at":   {Column: "created_at", Value: func(b models.HouseholdBill) any { return b.CreatedAt }},
}

// Ledger is everything Statement needs about one household.
type Ledger struct {
	Household models.Household
	Bills     []models.HouseholdBill
	Payments  []models.FeePayment
}

// Arith returns the ledger's bills and payments as Statement reads them.
func (l Ledger) Arith() ([]models.Bill, []models.Payment) {
	bills := make([]models.Bill, len(l.Bills))
	for i, b := range l.Bills {
		bills[i] = b.Arith()
	}
	pays := make([]models.Payment, len(l.Payments))
	for i, p := range l.Payments {
		pays[i] = p.Arith()
	}
	return bills, pays
}

// HouseholdLedger reads a household inside scope with all its bills and
// payments.
func (s *Store) HouseholdLedger(ctx context.Context, scope Scope, householdID uint64) (Ledger, error) {
	var l Ledger
	h, err := s.Household(ctx, scope, householdID)
	if err != nil {
		return l, err
	}
	l.Household = h
	db := s.db.WithContext(ctx)
	if err := db.Where("household_id = ?", householdID).Order("due_on, id").Find(&l.Bills).Error; err != nil {
		return l, fmt.Errorf("bills of household %d: %w", householdID, translate(err))
	}
	if err := db.Where("household_id = ?", householdID).Order("paid_on, id").Find(&l.Payments).Error; err != nil {
		return l, fmt.Errorf("payments of household %d: %w", householdID, translate(err))
	}
	return l, nil
}

// RecordPayment records a payment inside scope; PaidOn is taken from PaidAt
// in loc. The same reference in the same estate is the same payment: the
// first record is returned with created false, or models.ErrConflict when
// its household or amount differ. A new payment gets its receipt (收据) in
// the same transaction, numbered in the year of the store's clock in loc
// (PaymentReceipt reads it).
func (s *Store) RecordPayment(ctx context.Context, scope Scope, p *models.FeePayment, loc *time.Location) (models.FeePayment, bool, error) {
	var out models.FeePayment
	created := false
	if loc == nil {
		loc = time.UTC
	}
	now := s.now()
	year := now.In(loc).Year()
	h, err := householdIn(s.db.WithContext(ctx), scope, "household_id", p.HouseholdID)
	if err == nil {
		err = ensureReceiptCounter(s.db.WithContext(ctx), h.EstateID, year)
	}
	if err != nil {
		return out, false, fmt.Errorf("record payment %q: %w", p.Reference, err)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		h, err := householdIn(tx, scope, "household_id", p.HouseholdID)
		if err != nil {
			return err
		}
		p.EstateID = h.EstateID
		p.PaidAt = p.PaidAt.UTC()
		p.PaidOn = models.DateTime(models.DateOf(p.PaidAt, loc))
		err = tx.Where("estate_id = ? AND reference = ?", p.EstateID, p.Reference).First(&out).Error
		if err == nil {
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
		e, err := estateOf(tx, p.EstateID)
		if err != nil {
			return err
		}
		if err := translate(tx.Create(p).Error); err != nil {
			return err
		}
		if _, err := issueReceipt(tx, *p, e.Code, year, p.RecordedBy, now, nil); err != nil {
			return err
		}
		out, created = *p, true
		return settleHouseholds(tx, []uint64{p.HouseholdID})
	})
	if errors.Is(err, models.ErrConflict) {
		// The same reference recorded by a concurrent request.
		err = translate(s.db.WithContext(ctx).Where("estate_id = ? AND reference = ?", p.EstateID, p.Reference).First(&out).Error)
	}
	if err != nil {
		return out, false, fmt.Errorf("record payment %q: %w", p.Reference, err)
	}
	if !created && (out.HouseholdID != p.HouseholdID || out.AmountFen != p.AmountFen) {
		return out, false, fmt.Errorf("record payment %q: %w: the reference names payment %d of another household or amount",
			p.Reference, models.ErrConflict, out.ID)
	}
	return out, created, nil
}

// PaymentFilter narrows a payment list.
type PaymentFilter struct {
	EstateID    uint64
	HouseholdID uint64
}

// Payments lists payments inside scope, newest first.
func (s *Store) Payments(ctx context.Context, scope Scope, f PaymentFilter, page Page) (List[models.FeePayment], error) {
	return sortedIn(s, ctx, scope, f.EstateID, page, PaymentSorts, Sort{Field: "paid_at", Desc: true}, eq("household_id", f.HouseholdID))
}

// PaymentSorts are the orders of the payment list, by field name.
var PaymentSorts = SortKeys[models.FeePayment]{
	"id":           idKey(func(p models.FeePayment) uint64 { return p.ID }),
	"paid_at":      {Column: "paid_at", Value: func(p models.FeePayment) any { return p.PaidAt }},
	"amount_fen":   {Column: "amount_fen", Value: func(p models.FeePayment) any { return p.AmountFen }},
	"household_id": {Column: "household_id", Value: func(p models.FeePayment) any { return p.HouseholdID }},
	"channel":      {Column: "channel", Value: func(p models.FeePayment) any { return p.Channel }},
}

// OpenDispute records a resident's dispute of a bill inside scope at now
// (today in loc). It is models.ErrInvalidState once the bill is less than
// fees.DisputeBeforeDueDays days from due, or while another dispute of it is
// open.
func (s *Store) OpenDispute(ctx context.Context, scope Scope, billID uint64, reason string, by uint64, now time.Time, loc *time.Location, fees models.FeePolicy) (models.BillDispute, error) {
	var d models.BillDispute
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b models.HouseholdBill
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&b, billID).Error; err != nil {
			return translate(err)
		}
		if b.Disputed {
			return fmt.Errorf("%w: bill %d is already disputed", models.ErrInvalidState, b.ID)
		}
		due := models.DateOf(b.DueOn, time.UTC)
		if !models.DisputeAllowed(due, models.DateOf(now, loc), fees) {
			return fmt.Errorf("%w: bill %d is due on %s; disputes close %d days before", models.ErrInvalidState, b.ID, due, fees.DisputeBeforeDueDays)
		}
		d = models.BillDispute{EstateID: b.EstateID, HouseholdID: b.HouseholdID, BillID: b.ID, Reason: reason,
			Status: models.DisputeOpen, OpenedBy: by, OpenedAt: now.UTC()}
		if err := tx.Create(&d).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&b).Update("disputed", true).Error; err != nil {
			return translate(err)
		}
		return settleHouseholds(tx, []uint64{b.HouseholdID})
	})
	if err != nil {
		return d, fmt.Errorf("dispute bill %d: %w", billID, err)
	}
	return d, nil
}

// Dispute reads one dispute inside scope.
func (s *Store) Dispute(ctx context.Context, scope Scope, id uint64) (models.BillDispute, error) {
	return scoped[models.BillDispute](s, ctx, scope, id, "dispute")
}

// ResolveDispute closes an open dispute inside scope at now: with a
// corrected amount the bill comes to it through a credit or debit note of
// the difference (the issued bill is never edited), else the bill is
// upheld. Either way the
// bill's due date moves by the days the dispute was open
// (models.DisputeShiftDays), so the disputed time owes no late fee. A
// dispute not open is models.ErrInvalidState.
func (s *Store) ResolveDispute(ctx context.Context, scope Scope, id uint64, corrected *models.Money, note string, by uint64, now time.Time) (models.BillDispute, error) {
	var d models.BillDispute
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&d, id).Error; err != nil {
			return translate(err)
		}
		if d.Status != models.DisputeOpen {
			return fmt.Errorf("%w: dispute %d is %s", models.ErrInvalidState, d.ID, d.Status)
		}
		var b models.HouseholdBill
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&b, d.BillID).Error; err != nil {
			return translate(err)
		}
		at := now.UTC()
		d.Status, d.ResolvedBy, d.ResolvedAt, d.Resolution = models.DisputeUpheld, &by, &at, note
		d.ShiftDays = models.DisputeShiftDays(d.OpenedAt, at)
		upd := map[string]any{"disputed": false, "due_on": b.DueOn.AddDate(0, 0, d.ShiftDays), "updated_at": s.now().UTC()}
		if corrected != nil {
			d.Status, d.CorrectedFen = models.DisputeCorrected, corrected
		}
		if err := tx.Save(&d).Error; err != nil {
			return translate(err)
		}
		// The correction is a credit or debit note of the difference; the
		// issued bill is never edited.
		if corrected != nil && *corrected != b.AmountFen+b.AdjustedFen {
			if _, err := s.adjust(tx, b, *corrected-(b.AmountFen+b.AdjustedFen), fmt.Sprintf("账单异议 #%d 更正", d.ID), by); err != nil {
				return err
			}
		}
		if err := tx.Model(&models.HouseholdBill{}).Where("id = ?", b.ID).Updates(upd).Error; err != nil {
			return translate(err)
		}
		return settleHouseholds(tx, []uint64{b.HouseholdID})
	})
	if err != nil {
		return d, fmt.Errorf("resolve dispute %d: %w", id, err)
	}
	return d, nil
}

// Disputes lists the disputes of a household inside scope, oldest first.
func (s *Store) Disputes(ctx context.Context, scope Scope, householdID uint64) ([]models.BillDispute, error) {
	out := []models.BillDispute{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("household_id = ?", householdID)
	if err := q.Order("opened_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("disputes of household %d: %w", householdID, translate(err))
	}
	return out, nil
}

// WaiveLateFee forgives amount of a bill's late fee inside scope, with a
// reason; Statement never lets a waiver exceed the fee accrued.
func (s *Store) WaiveLateFee(ctx context.Context, scope Scope, billID uint64, amount models.Money, reason string, by uint64) (models.LateFeeWaiver, error) {
	var w models.LateFeeWaiver
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b models.HouseholdBill
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&b, billID).Error; err != nil {
			return translate(err)
		}
		w = models.LateFeeWaiver{EstateID: b.EstateID, BillID: b.ID, AmountFen: amount, Reason: reason, By: by}
		if err := tx.Create(&w).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&models.HouseholdBill{}).Where("id = ?", b.ID).
			Update("waived_fen", gorm.Expr("waived_fen + ?", int64(amount))).Error; err != nil {
			return translate(err)
		}
		return settleHouseholds(tx, []uint64{b.HouseholdID})
	})
	if err != nil {
		return w, fmt.Errorf("waive late fee of bill %d: %w", billID, err)
	}
	return w, nil
}

// CreatePlan records a proposed instalment plan for a household inside scope.
func (s *Store) CreatePlan(ctx context.Context, scope Scope, p *models.InstalmentPlan) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		h, err := householdIn(tx, scope, "household_id", p.HouseholdID)
		if err != nil {
			return err
		}
		p.EstateID, p.Status = h.EstateID, models.PlanProposed
		return translate(tx.Create(p).Error)
	})
	if err != nil {
		return fmt.Errorf("create plan: %w", err)
	}
	return nil
}

// Plan reads one plan inside scope.
func (s *Store) Plan(ctx context.Context, scope Scope, id uint64) (models.InstalmentPlan, error) {
	return scoped[models.InstalmentPlan](s, ctx, scope, id, "plan")
}

// Plans lists the plans of a household inside scope, oldest first.
func (s *Store) Plans(ctx context.Context, scope Scope, householdID uint64) ([]models.InstalmentPlan, error) {
	out := []models.InstalmentPlan{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("household_id = ?", householdID)
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("plans of household %d: %w", householdID, translate(err))
	}
	return out, nil
}

// SetPlanStatus moves a plan from one of the statuses from to status at at;
// by is the approver when status is active. A plan already in status is left
// as it is (a retried call); any other is models.ErrInvalidState.
func (s *Store) SetPlanStatus(ctx context.Context, id uint64, from []models.PlanStatus, status models.PlanStatus, by *uint64, at time.Time) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var p models.InstalmentPlan
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&p, id).Error; err != nil {
			return translate(err)
		}
		if p.Status == status {
			return nil
		}
		ok := false
		for _, f := range from {
			ok = ok || p.Status == f
		}
		if !ok {
			return fmt.Errorf("%w: plan %d is %s", models.ErrInvalidState, id, p.Status)
		}
		at := at.UTC()
		upd := map[string]any{"status": status, "updated_at": s.now().UTC()}
		if status == models.PlanActive {
			upd["approved_by"], upd["approved_at"] = by, at
		} else {
			upd["ended_at"] = at
		}
		return translate(tx.Model(&models.InstalmentPlan{}).Where("id = ?", id).Updates(upd).Error)
	})
	if err != nil {
		return fmt.Errorf("plan %d to %s: %w", id, status, err)
	}
	return nil
}
