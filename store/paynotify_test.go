package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestUseNonce(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		w := 5 * time.Minute
		must(t, s.UseNonce(ctx, "wechat", "n1", now, w))
		if err := s.UseNonce(ctx, "wechat", "n1", now.Add(time.Minute), w); !errors.Is(err, models.ErrConflict) {
			t.Errorf("the same nonce again: got %v, want ErrConflict", err)
		}
		must(t, s.UseNonce(ctx, "alipay", "n1", now, w)) // another provider's
		// Past the window the row is pruned: the timestamp check refuses
		// such a replay, the nonce table need not keep it.
		must(t, s.UseNonce(ctx, "wechat", "n2", now.Add(6*time.Minute), w))
		if err := s.UseNonce(ctx, "wechat", "n1", now.Add(6*time.Minute), w); err != nil {
			t.Errorf("nonce pruned past the window: got %v, want it usable", err)
		}
	})
}

func TestReversePayment(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		a, hh := arrearsHousehold(t, s, "A")
		b, _ := arrearsHousehold(t, s, "B")
		_, err := s.IssueBill(ctx, all, hh, models.Month{Year: 2026, Month: 2}, 30000, fees, nil) // due 03-10
		must(t, err)
		p := models.FeePayment{HouseholdID: hh, AmountFen: 40000, PaidAt: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC),
			Channel: models.PayWeChat, Reference: "wx-9", Provider: "wechat", Settlement: models.SettledOver, DifferenceFen: 10000}
		pay, _, err := s.RecordPayment(ctx, all, &p, time.UTC)
		must(t, err)
		if got, err := s.PaymentByReference(ctx, all, a, "wx-9"); err != nil || got.ID != pay.ID || got.Settlement != models.SettledOver {
			t.Fatalf("by reference: got %+v, %v, want payment %d, over", got, err, pay.ID)
		}
		if _, err := s.PaymentByReference(ctx, store.Estates(b), a, "wx-9"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("by reference from B: got %v, want ErrNotFound", err)
		}
		at := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		refund := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyRefund, AmountFen: 4000, Reference: "wx-r1", At: at}
		r, got, created, err := s.ReversePayment(ctx, all, &refund)
		if err != nil || !created || got.ReversedFen != 4000 || got.ReversedAt != nil || r.HouseholdID != hh {
			t.Fatalf("refund: got %+v, %+v, %v, %v, want 4000 refunded, not reversed", r, got, created, err)
		}
		again := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyRefund, AmountFen: 4000, Reference: "wx-r1", At: at}
		if r2, got, created, err := s.ReversePayment(ctx, all, &again); err != nil || created || r2.ID != r.ID || got.ReversedFen != 4000 {
			t.Errorf("the same refund again: got %d, %d, %v, %v, want refund %d once", r2.ID, got.ReversedFen, created, err, r.ID)
		}
		other := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyRefund, AmountFen: 1, Reference: "wx-r1", At: at}
		if _, _, _, err := s.ReversePayment(ctx, all, &other); !errors.Is(err, models.ErrConflict) {
			t.Errorf("the refund's reference with another amount: got %v, want ErrConflict", err)
		}
		from := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyReversal, AmountFen: 36000, Reference: "x", At: at}
		if _, _, _, err := s.ReversePayment(ctx, store.Estates(b), &from); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("reversal from B: got %v, want ErrNotFound", err)
		}
		l, err := s.HouseholdLedger(ctx, all, hh)
		must(t, err)
		bills, pays := l.Arith()
		acc := models.Statement(bills, pays, models.Date{Year: 2026, Month: 3, Day: 5}, fees)
		if acc.Total != 0 || acc.Credit != 6000 {
			t.Errorf("after the refund: got owed %d credit %d, want 0 and 6000 (the refund reduces the credit)", acc.Total, acc.Credit)
		}

		too := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyReversal, AmountFen: 40000, Reference: "wx-v1", At: at}
		var ve *models.ValidationError
		if _, _, _, err := s.ReversePayment(ctx, all, &too); !errors.As(err, &ve) || ve.Field != "amount_fen" {
			t.Errorf("reversal of more than is left: got %v, want amount_fen invalid", err)
		}
		rev := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyReversal, AmountFen: 36000, Reference: "wx-v1", Reason: "冲正", At: at}
		_, got, _, err = s.ReversePayment(ctx, all, &rev)
		if err != nil || got.ReversedAt == nil || got.ReversedFen != 40000 {
			t.Fatalf("reversal of the rest: got %+v, %v, want reversed", got, err)
		}
		l, err = s.HouseholdLedger(ctx, all, hh)
		must(t, err)
		if l.Payments[0].ReversedAt == nil {
			t.Errorf("ledger: got the payment not reversed, want reversed_at set")
		}
		bills, pays = l.Arith()
		acc = models.Statement(bills, pays, models.Date{Year: 2026, Month: 3, Day: 5}, fees)
		if acc.Principal != 30000 || acc.Credit != 0 || acc.Paid != 0 {
			t.Errorf("after the reversal: got principal %d credit %d paid %d, want 30000 owed again", acc.Principal, acc.Credit, acc.Paid)
		}
		list, err := s.Reversals(ctx, all, pay.ID)
		if err != nil || len(list) != 2 {
			t.Errorf("reversals: got %d, %v, want 2", len(list), err)
		}
		more := models.PaymentReversal{ReversalOf: pay.ID, Kind: models.NotifyRefund, AmountFen: 1, Reference: "wx-r2", At: at}
		if _, _, _, err := s.ReversePayment(ctx, all, &more); !errors.As(err, &ve) || ve.Field != "original_transaction_id" {
			t.Errorf("refund of a reversed payment: got %v, want original_transaction_id invalid", err)
		}
	})
}
