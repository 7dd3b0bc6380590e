package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// newYearsEve is 23:30 UTC on 2026-12-31: already 2027 in Shanghai.
var newYearsEve = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)

// receiptsOf lists every receipt of an estate in sequence order.
func receiptsOf(t *testing.T, s *store.Store, estateID uint64) []models.Receipt {
	t.Helper()
	var out []models.Receipt
	must(t, s.DB().Where("estate_id = ?", estateID).Order("year, seq").Find(&out).Error)
	return out
}

// checkGapless fails unless the receipts are numbers 1..n of year, each of
// its own payment.
func checkGapless(t *testing.T, rs []models.Receipt, code string, year, n int) {
	t.Helper()
	if len(rs) != n {
		t.Fatalf("got %d receipts, want %d", len(rs), n)
	}
	payments := map[uint64]bool{}
	for i, r := range rs {
		if r.Year != year || r.Seq != int64(i+1) || r.Number != models.ReceiptNumber(code, year, int64(i+1)) {
			t.Errorf("receipt %d: got %d/%d %q, want %d/%d %q", i, r.Year, r.Seq, r.Number, year, i+1, models.ReceiptNumber(code, year, int64(i+1)))
		}
		if payments[r.PaymentID] {
			t.Errorf("receipt %s: payment %d holds two receipts", r.Number, r.PaymentID)
		}
		payments[r.PaymentID] = true
	}
}

// TestReceiptsGapless records payments from many goroutines at once, each
// reference twice (on MySQL the second of a pair often rolls back after its
// number was taken), and finds every payment holding one receipt numbered
// 1..n in the year of the estate's clock.
func TestReceiptsGapless(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: func() time.Time { return newYearsEve }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		a, hh := arrearsHousehold(t, s, "RA")
		b, hb := arrearsHousehold(t, s, "RB")
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan error, 4*n)
		for i := range 2 * n {
			wg.Go(func() {
				house, ref := hh, fmt.Sprintf("wx-%d", i%n)
				if i%3 == 0 {
					house, ref = hb, fmt.Sprintf("b-%d", i%n)
				}
				p := models.FeePayment{HouseholdID: house, AmountFen: 100, PaidAt: newYearsEve, Channel: models.PayWeChat, Reference: ref, RecordedBy: 1}
				if _, _, err := s.RecordPayment(ctx, all, &p, shanghai); err != nil {
					errs <- fmt.Errorf("payment %s: %w", ref, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var pa, pb int64
		must(t, s.DB().Model(&models.FeePayment{}).Where("estate_id = ?", a).Count(&pa).Error)
		must(t, s.DB().Model(&models.FeePayment{}).Where("estate_id = ?", b).Count(&pb).Error)
		checkGapless(t, receiptsOf(t, s, a), "RA", 2027, int(pa))
		checkGapless(t, receiptsOf(t, s, b), "RB", 2027, int(pb))

		// The same reference again is the same payment and the same receipt.
		first, err := s.PaymentReceipt(ctx, all, receiptsOf(t, s, a)[0].PaymentID)
		must(t, err)
		pay, err := s.Payment(ctx, all, first.PaymentID)
		must(t, err)
		again := pay
		again.ID = 0
		got, created, err := s.RecordPayment(ctx, all, &again, shanghai)
		if err != nil || created || got.ID != pay.ID {
			t.Fatalf("the same reference: got %d, %v, %v, want payment %d", got.ID, created, err, pay.ID)
		}
		if r, err := s.PaymentReceipt(ctx, all, got.ID); err != nil || r.ID != first.ID {
			t.Errorf("receipt of the same reference: got %+v, %v, want %s", r, err, first.Number)
		}
		// A refused payment (another household) takes no number.
		wrong := models.FeePayment{HouseholdID: hh, AmountFen: 1, PaidAt: newYearsEve, Channel: models.PayCash, Reference: "b-0", RecordedBy: 1}
		var ve *models.ValidationError
		if _, _, err := s.RecordPayment(ctx, store.Estates(b), &wrong, shanghai); !errors.As(err, &ve) || ve.Field != "household_id" {
			t.Errorf("payment for another estate's household: got %v, want household_id refused", err)
		}
		checkGapless(t, receiptsOf(t, s, a), "RA", 2027, int(pa))
	})
}

func TestVoidAndReissueReceipt(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		a, hh := arrearsHousehold(t, s, "VA")
		b, _ := arrearsHousehold(t, s, "VB")
		p := models.FeePayment{HouseholdID: hh, AmountFen: 30000, PaidAt: time.Now(), Channel: models.PayCash, Reference: "c-1", RecordedBy: 3}
		pay, _, err := s.RecordPayment(ctx, all, &p, shanghai)
		must(t, err)
		r, err := s.PaymentReceipt(ctx, all, pay.ID)
		must(t, err)
		if r.IssuedBy != 3 || r.AmountFen != 30000 || r.HouseholdID != hh || r.Seq != 1 {
			t.Errorf("receipt: got %+v, want seq 1 of 30000 fen by 3", r)
		}
		if _, err := s.VoidReceipt(ctx, store.Estates(b), r.ID, "错", 9, time.Now()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("void from another estate: got %v, want ErrNotFound", err)
		}
		if _, err := s.ReissueReceipt(ctx, all, r.ID, 9, time.Now()); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("reissue of a receipt not voided: got %v, want ErrInvalidState", err)
		}
		v, err := s.VoidReceipt(ctx, all, r.ID, "打印错误", 9, time.Now())
		if err != nil || !v.Voided() || v.VoidReason != "打印错误" || *v.VoidedBy != 9 || v.Number != r.Number {
			t.Fatalf("void: got %+v, %v, want voided by 9, same number", v, err)
		}
		if _, err := s.VoidReceipt(ctx, all, r.ID, "again", 9, time.Now()); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("void twice: got %v, want ErrInvalidState", err)
		}
		if _, err := s.Payment(ctx, all, pay.ID); err != nil {
			t.Errorf("payment after the void: got %v, want it still there", err)
		}
		if _, err := s.PaymentReceipt(ctx, all, pay.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("live receipt after the void: got %v, want ErrNotFound", err)
		}
		n, err := s.ReissueReceipt(ctx, all, r.ID, 9, time.Now())
		if err != nil || n.Seq != 2 || n.ReplacesID == nil || *n.ReplacesID != r.ID || n.PaymentID != pay.ID || n.IssuedBy != 9 {
			t.Fatalf("reissue: got %+v, %v, want seq 2 replacing %d", n, err, r.ID)
		}
		if _, err := s.ReissueReceipt(ctx, all, r.ID, 9, time.Now()); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("reissue twice: got %v, want ErrInvalidState", err)
		}
		l, err := s.Receipts(ctx, all, store.ReceiptFilter{EstateID: a, Number: n.Number}, store.Page{})
		if err != nil || l.Total != 1 || l.Items[0].ID != n.ID {
			t.Errorf("list by number: got %+v, %v, want the reissue", l, err)
		}
		l, err = s.Receipts(ctx, store.Estates(b), store.ReceiptFilter{HouseholdID: hh}, store.Page{})
		if err != nil || l.Total != 0 {
			t.Errorf("list of A's household from B: got %+v, %v, want none", l, err)
		}
	})
}

// TestMigrateIssuesMissingReceipts: payments recorded before receipts
// existed get theirs at the next migration, in payment order, in the year
// they were recorded, once.
func TestMigrateIssuesMissingReceipts(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, hh := arrearsHousehold(t, s, "MA")
		db := s.DB()
		for i := range 5 {
			p := models.FeePayment{EstateID: a, HouseholdID: hh, AmountFen: 100, PaidAt: time.Now().UTC(), PaidOn: time.Now().UTC(),
				Channel: models.PayCash, Reference: fmt.Sprintf("old-%d", i), RecordedBy: 4,
				CreatedAt: time.Date(2025, 6, 1, 0, 0, i, 0, time.UTC)}
			must(t, db.Create(&p).Error) // as the release before receipts wrote it
		}
		for range 2 {
			must(t, s.Migrate(ctx))
		}
		rs := receiptsOf(t, s, a)
		checkGapless(t, rs, "MA", 2025, 5)
		for i := 1; i < len(rs); i++ {
			if rs[i].PaymentID <= rs[i-1].PaymentID || rs[i].IssuedBy != 4 {
				t.Errorf("receipt %s: payment %d by %d, want payment order and the recorder", rs[i].Number, rs[i].PaymentID, rs[i].IssuedBy)
			}
		}
	})
}
