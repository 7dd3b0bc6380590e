package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// UseNonce records that provider used nonce at now, first pruning the
// nonces seen before now − window (a replay that old fails the timestamp
// check anyway). A nonce the provider already used is models.ErrConflict.
func (s *Store) UseNonce(ctx context.Context, provider, nonce string, now time.Time, window time.Duration) error {
	db := s.db.WithContext(ctx)
	if err := db.Where("seen_at < ?", now.Add(-window).UTC()).Delete(&models.PaymentNonce{}).Error; err != nil {
		return fmt.Errorf("prune payment nonces: %w", translate(err))
	}
	err := translate(db.Create(&models.PaymentNonce{Provider: provider, Nonce: nonce, SeenAt: now.UTC()}).Error)
	if err != nil {
		return fmt.Errorf("nonce of %s: %w", provider, err)
	}
	return nil
}

// Payment reads one payment inside scope.
func (s *Store) Payment(ctx context.Context, scope Scope, id uint64) (models.FeePayment, error) {
	return scoped[models.FeePayment](s, ctx, scope, id, "payment")
}

// PaymentByReference reads the payment of an estate inside scope with
// reference (a provider's transaction ID).
func (s *Store) PaymentByReference(ctx context.Context, scope Scope, estateID uint64, reference string) (models.FeePayment, error) {
	var p models.FeePayment
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("estate_id = ? AND reference = ?", estateID, reference)
	if err := q.First(&p).Error; err != nil {
		return p, fmt.Errorf("payment %q: %w", reference, translate(err))
	}
	return p, nil
}

// ReversePayment records r, a refund or reversal of payment r.ReversalOf
// inside scope, and adds it to the payment's ReversedFen (ReversedAt once
// nothing is left). The same reference in the same estate is the same
// reversal: the first is returned with created false, or
// models.ErrConflict when it names another payment or amount. An amount
// the payment no longer holds is a *models.ValidationError
// (models.CheckReversal). The payment as it now stands is returned too.
func (s *Store) ReversePayment(ctx context.Context, scope Scope, r *models.PaymentReversal) (models.PaymentReversal, models.FeePayment, bool, error) {
	var (
		out     models.PaymentReversal
		p       models.FeePayment
		created bool
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx.Clauses(clause.Locking{Strength: "UPDATE"}), "estate_id").First(&p, r.ReversalOf).Error; err != nil {
			return translate(err)
		}
		r.EstateID, r.HouseholdID, r.At = p.EstateID, p.HouseholdID, r.At.UTC()
		err := tx.Where("estate_id = ? AND reference = ?", r.EstateID, r.Reference).First(&out).Error
		if err == nil {
			if out.ReversalOf != r.ReversalOf || out.AmountFen != r.AmountFen {
				return fmt.Errorf("%w: the reference names reversal %d of another payment or amount", models.ErrConflict, out.ID)
			}
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
		if err := models.CheckReversal(r.Kind, r.AmountFen, p); err != nil {
			return err
		}
		if err := translate(tx.Create(r).Error); err != nil {
			return err
		}
		p.ReversedFen += r.AmountFen
		upd := map[string]any{"reversed_fen": p.ReversedFen}
		if p.ReversedFen >= p.AmountFen {
			p.ReversedAt = &r.At
			upd["reversed_at"] = r.At
		}
		out, created = *r, true
		if err := tx.Model(&models.FeePayment{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
			return translate(err)
		}
		return settleHouseholds(tx, []uint64{p.HouseholdID})
	})
	if err != nil {
		return out, p, false, fmt.Errorf("reverse payment %d: %w", r.ReversalOf, err)
	}
	return out, p, created, nil
}

// Reversals lists the refunds and reversals of a payment, oldest first.
func (s *Store) Reversals(ctx context.Context, scope Scope, paymentID uint64) ([]models.PaymentReversal, error) {
	out := []models.PaymentReversal{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("reversal_of = ?", paymentID)
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("reversals of payment %d: %w", paymentID, translate(err))
	}
	return out, nil
}
