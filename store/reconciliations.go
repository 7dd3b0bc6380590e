package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// Statement is a provider's statement of one estate's channel for one day,
// read and ready to compare (package statement reads the file).
type Statement struct {
	EstateID uint64
	Channel  models.PaymentChannel
	Day      models.Date    // the estate's civil date the statement covers
	Loc      *time.Location // the estate's zone
	Rows     []models.StatementRow
	Digest   string // SHA-256 of the file, hex
	FileName string
	Source   models.ReconcileSource
	By       *uint64
}

// Reconcile compares a statement with the payments recorded for its
// estate inside scope (models.Reconcile) and stores the reconciliation with
// its mismatches. The same file for the same estate, channel and day is
// the same reconciliation: the first is returned with created false, so
// the daily schedule and a finance user may both read a file safely.
func (s *Store) Reconcile(ctx context.Context, scope Scope, st Statement) (models.Reconciliation, bool, error) {
	if !scope.Allows(st.EstateID) {
		return models.Reconciliation{}, false, fmt.Errorf("reconcile estate %d: %w", st.EstateID, models.ErrNotFound)
	}
	day := models.DateTime(st.Day)
	if r, err := s.reconciliationOf(ctx, st.EstateID, st.Channel, day, st.Digest); err == nil || !errors.Is(err, models.ErrNotFound) {
		return r, false, err
	}
	from, to := st.Day.In(st.Loc), st.Day.AddDays(1).In(st.Loc)
	pays, err := s.statementPayments(ctx, st, from, to)
	if err != nil {
		return models.Reconciliation{}, false, err
	}
	out := models.Reconcile(st.Rows, pays, from, to)
	r := models.Reconciliation{EstateID: st.EstateID, Channel: st.Channel, Day: day, Digest: st.Digest, FileName: st.FileName,
		Source: st.Source, Rows: out.Rows, Matched: out.Matched, Skipped: out.Skipped, MismatchCount: len(out.Mismatches), By: st.By}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return translate(err)
		}
		for i := range out.Mismatches {
			out.Mismatches[i].ReconciliationID, out.Mismatches[i].EstateID = r.ID, r.EstateID
		}
		if len(out.Mismatches) == 0 {
			return nil
		}
		return translate(tx.CreateInBatches(out.Mismatches, 200).Error)
	})
	if errors.Is(err, models.ErrConflict) {
		// The same file reconciled by a concurrent request.
		r, err = s.reconciliationOf(ctx, st.EstateID, st.Channel, day, st.Digest)
		return r, false, err
	}
	if err != nil {
		return r, false, fmt.Errorf("reconcile %s of estate %d on %s: %w", st.Channel, st.EstateID, st.Day, err)
	}
	r.Mismatches = out.Mismatches
	return r, true, nil
}

// reconciliationOf reads the reconciliation of a file, with its mismatches.
func (s *Store) reconciliationOf(ctx context.Context, estateID uint64, ch models.PaymentChannel, day time.Time, digest string) (models.Reconciliation, error) {
	var r models.Reconciliation
	err := s.db.WithContext(ctx).Where("estate_id = ? AND channel = ? AND day = ? AND digest = ?", estateID, ch, day, digest).First(&r).Error
	if err != nil {
		return r, fmt.Errorf("reconciliation of %s: %w", digest, translate(err))
	}
	return r, s.mismatchesOf(ctx, &r)
}

// statementPayments reads the payments a statement is compared with: the
// estate's payments of its channel paid in [from, to), and those of any
// channel and day that its rows name by reference.
func (s *Store) statementPayments(ctx context.Context, st Statement, from, to time.Time) ([]models.FeePayment, error) {
	db := s.db.WithContext(ctx)
	var pays []models.FeePayment
	err := db.Where("estate_id = ? AND channel = ? AND paid_at >= ? AND paid_at < ?", st.EstateID, st.Channel, from.UTC(), to.UTC()).
		Order("id").Find(&pays).Error
	if err != nil {
		return nil, fmt.Errorf("payments of estate %d from %s: %w", st.EstateID, from, translate(err))
	}
	refs := make([]string, 0, len(st.Rows))
	for _, r := range st.Rows {
		refs = append(refs, r.Reference)
	}
	for len(refs) > 0 {
		chunk := refs[:min(len(refs), 500)]
		refs = refs[len(chunk):]
		var named []models.FeePayment
		if err := db.Where("estate_id = ? AND reference IN ?", st.EstateID, chunk).Find(&named).Error; err != nil {
			return nil, fmt.Errorf("payments of estate %d by reference: %w", st.EstateID, translate(err))
		}
		pays = append(pays, named...)
	}
	return pays, nil
}

// mismatchesOf reads r's mismatches into it, in their order.
func (s *Store) mismatchesOf(ctx context.Context, r *models.Reconciliation) error {
	r.Mismatches = []models.Mismatch{}
	if err := s.db.WithContext(ctx).Where("reconciliation_id = ?", r.ID).Order("id").Find(&r.Mismatches).Error; err != nil {
		return fmt.Errorf("mismatches of reconciliation %d: %w", r.ID, translate(err))
	}
	return nil
}

// Reconciliation reads one reconciliation inside scope with its mismatches.
func (s *Store) Reconciliation(ctx context.Context, scope Scope, id uint64) (models.Reconciliation, error) {
	r, err := scoped[models.Reconciliation](s, ctx, scope, id, "reconciliation")
	if err != nil {
		return r, err
	}
	return r, s.mismatchesOf(ctx, &r)
}

// ReconciliationFilter narrows a reconciliation list.
type ReconciliationFilter struct {
	EstateID uint64
	Channel  models.PaymentChannel
	Day      models.Date
}

// Reconciliations lists reconciliations inside scope (without their
// mismatches), the latest day first.
func (s *Store) Reconciliations(ctx context.Context, scope Scope, f ReconciliationFilter, page Page) (List[models.Reconciliation], error) {
	var day time.Time
	if !f.Day.IsZero() {
		day = models.DateTime(f.Day)
	}
	return listIn[models.Reconciliation](s, ctx, scope, f.EstateID, page, "day DESC, id DESC",
		eq("channel", f.Channel), eq("day", day))
}
