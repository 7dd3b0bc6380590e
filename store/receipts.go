package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// Receipts (收据) are issued by issueReceipt inside the transaction that
// records their payment (RecordPayment) or reissues them: the estate's
// counter row of the year is locked FOR UPDATE, incremented, and the
// receipt takes the new number. A rolled-back transaction rolls the counter
// back with it, so the numbers of an estate's year have no gaps and no
// repeats however many payments arrive at once.

// ensureReceiptCounter creates the counter row of an estate's year unless
// it exists, in its own statement: inside the payment's transaction two
// first payments of a year would both insert it, and on MySQL their
// duplicate-key locks deadlock.
func ensureReceiptCounter(db *gorm.DB, estateID uint64, year int) error {
	var n int64
	if err := db.Model(&models.ReceiptCounter{}).Where("estate_id = ? AND year = ?", estateID, year).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n > 0 {
		return nil
	}
	var err error
	for range 3 { // concurrent first inserts of one row may deadlock on MySQL; the row exists after any of them
		err = db.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.ReceiptCounter{EstateID: estateID, Year: year}).Error
		if err == nil {
			return nil
		}
	}
	return translate(err)
}

// receiptYear is the year of at in the estate's zone, loaded from tz.
func receiptYear(at time.Time, tz string) int {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return at.In(loc).Year()
}

// issueReceipt gives payment p its next receipt number of year in its
// estate (code) inside tx, issued by by at at; replaces names the voided
// receipt a reissue replaces. The counter row must exist
// (ensureReceiptCounter).
func issueReceipt(tx *gorm.DB, p models.FeePayment, code string, year int, by uint64, at time.Time, replaces *uint64) (models.Receipt, error) {
	var c models.ReceiptCounter
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("estate_id = ? AND year = ?", p.EstateID, year).First(&c).Error
	if err != nil {
		return models.Receipt{}, fmt.Errorf("receipt counter of estate %d for %d: %w", p.EstateID, year, translate(err))
	}
	c.Last++
	if err := tx.Model(&models.ReceiptCounter{}).Where("estate_id = ? AND year = ?", p.EstateID, year).Update("last", c.Last).Error; err != nil {
		return models.Receipt{}, translate(err)
	}
	r := models.Receipt{EstateID: p.EstateID, Year: year, Seq: c.Last, Number: models.ReceiptNumber(code, year, c.Last),
		PaymentID: p.ID, HouseholdID: p.HouseholdID, AmountFen: p.AmountFen, IssuedBy: by, IssuedAt: at.UTC(), ReplacesID: replaces}
	if err := tx.Create(&r).Error; err != nil {
		return r, translate(err)
	}
	return r, nil
}

// estateOf reads the code and time zone of an estate inside tx.
func estateOf(tx *gorm.DB, id uint64) (models.Estate, error) {
	var e models.Estate
	if err := tx.Select("id", "code", "time_zone").First(&e, id).Error; err != nil {
		return e, fmt.Errorf("estate %d: %w", id, translate(err))
	}
	return e, nil
}

// Receipt reads one receipt inside scope.
func (s *Store) Receipt(ctx context.Context, scope Scope, id uint64) (models.Receipt, error) {
	return scoped[models.Receipt](s, ctx, scope, id, "receipt")
}

// PaymentReceipt reads the receipt of a payment inside scope that is not
// voided; models.ErrNotFound when every receipt of it is voided.
func (s *Store) PaymentReceipt(ctx context.Context, scope Scope, paymentID uint64) (models.Receipt, error) {
	var r models.Receipt
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("payment_id = ? AND voided_at IS NULL", paymentID)
	if err := q.Order("id DESC").First(&r).Error; err != nil {
		return r, fmt.Errorf("receipt of payment %d: %w", paymentID, translate(err))
	}
	return r, nil
}

// ReceiptFilter narrows a receipt list.
type ReceiptFilter struct {
	EstateID    uint64
	HouseholdID uint64
	PaymentID   uint64
	Number      string
}

// Receipts lists receipts inside scope, newest first.
func (s *Store) Receipts(ctx context.Context, scope Scope, f ReceiptFilter, page Page) (List[models.Receipt], error) {
	return listIn[models.Receipt](s, ctx, scope, f.EstateID, page, "issued_at DESC, id DESC",
		eq("household_id", f.HouseholdID), eq("payment_id", f.PaymentID), eq("number", f.Number))
}

// VoidReceipt voids a receipt inside scope at now, with a reason: the
// receipt keeps its number and its payment stands. A receipt voided
// already is models.ErrInvalidState.
func (s *Store) VoidReceipt(ctx context.Context, scope Scope, id uint64, reason string, by uint64, now time.Time) (models.Receipt, error) {
	var r models.Receipt
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&r, id).Error; err != nil {
			return translate(err)
		}
		if r.Voided() {
			return fmt.Errorf("%w: receipt %d was voided at %s", models.ErrInvalidState, r.ID, r.VoidedAt.Format(time.RFC3339))
		}
		at := now.UTC()
		r.VoidedAt, r.VoidedBy, r.VoidReason = &at, &by, reason
		return translate(tx.Model(&models.Receipt{}).Where("id = ?", r.ID).
			Updates(map[string]any{"voided_at": at, "voided_by": by, "void_reason": reason}).Error)
	})
	if err != nil {
		return r, fmt.Errorf("void receipt %d: %w", id, err)
	}
	return r, nil
}

// ReissueReceipt gives the payment of a voided receipt inside scope a new
// receipt with the next number, issued by by at now. The receipt not
// voided, or its payment holding another receipt that is not, is
// models.ErrInvalidState.
func (s *Store) ReissueReceipt(ctx context.Context, scope Scope, id uint64, by uint64, now time.Time) (models.Receipt, error) {
	var out models.Receipt
	old, err := s.Receipt(ctx, scope, id)
	if err != nil {
		return out, err
	}
	e, err := estateOf(s.db.WithContext(ctx), old.EstateID)
	if err != nil {
		return out, err
	}
	year := receiptYear(now, e.TimeZone)
	if err := ensureReceiptCounter(s.db.WithContext(ctx), old.EstateID, year); err != nil {
		return out, fmt.Errorf("reissue receipt %d: %w", id, err)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// The payment's row serializes the receipts of one payment.
		var p models.FeePayment
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&p, old.PaymentID).Error; err != nil {
			return translate(err)
		}
		var live []models.Receipt
		if err := tx.Where("payment_id = ? AND voided_at IS NULL", p.ID).Find(&live).Error; err != nil {
			return translate(err)
		}
		if err := tx.First(&old, id).Error; err != nil {
			return translate(err)
		}
		switch {
		case !old.Voided():
			return fmt.Errorf("%w: receipt %d is not voided", models.ErrInvalidState, id)
		case len(live) > 0:
			return fmt.Errorf("%w: payment %d holds receipt %s", models.ErrInvalidState, p.ID, live[0].Number)
		}
		out, err = issueReceipt(tx, p, e.Code, year, by, now, &old.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("reissue receipt %d: %w", id, err)
	}
	return out, nil
}

// issueMissingReceipts gives every payment without a receipt one, in
// payment ID order, issued by who recorded it when it was recorded (its
// year in the estate's zone): the payments of a database from before
// receipts, and those an older process recorded during a rolling upgrade.
// Migrate runs it every time; a payment with any receipt, voided or not,
// is left alone.
func issueMissingReceipts(db *gorm.DB) error {
	db = db.Session(&gorm.Session{NewDB: true})
	estates := map[uint64]models.Estate{}
	for {
		var batch []models.FeePayment
		err := db.Where("NOT EXISTS (SELECT 1 FROM receipts r WHERE r.payment_id = fee_payments.id)").
			Order("id").Limit(500).Find(&batch).Error
		if err != nil {
			return fmt.Errorf("payments without a receipt: %w", translate(err))
		}
		if len(batch) == 0 {
			return nil
		}
		for _, p := range batch {
			e, ok := estates[p.EstateID]
			if !ok {
				var err error
				if e, err = estateOf(db, p.EstateID); err != nil {
					return err
				}
				estates[p.EstateID] = e
			}
			year := receiptYear(p.CreatedAt, e.TimeZone)
			if err := ensureReceiptCounter(db, p.EstateID, year); err != nil {
				return fmt.Errorf("receipt of payment %d: %w", p.ID, err)
			}
			err := db.Transaction(func(tx *gorm.DB) error {
				_, err := issueReceipt(tx, p, e.Code, year, p.RecordedBy, p.CreatedAt, nil)
				return err
			})
			if err != nil {
				return fmt.Errorf("receipt of payment %d: %w", p.ID, err)
			}
		}
	}
}
