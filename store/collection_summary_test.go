package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestCollectionSummaryEqualsRecount holds the collection rates read from
// the collection sums (the dashboard's and 收费管理's) equal to those settled
// from every ledger, after random
// bills, payments, refunds, credit notes, waivers, disputes and a change of
// allocation rule through the store's write paths, and after the one-time
// backfill at upgrade.
func TestCollectionSummaryEqualsRecount(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, sh)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		r := rand.New(rand.NewPCG(slaSeed, 3))
		fees := models.DefaultPolicy().Fees
		a, aUnits := collectionEstate(t, s, "A", 6)
		b, bUnits := collectionEstate(t, s, "B", 4)
		var households []uint64
		for _, u := range append(aUnits, bUnits...) {
			h := models.Household{UnitID: u}
			must(t, s.CreateHousehold(ctx, all, &h))
			households = append(households, h.ID)
		}
		// ok accepts the refusals a random step may meet (a dispute out of
		// its window, a credit note below zero...).
		ok := func(err error) {
			t.Helper()
			var v *models.ValidationError
			if err != nil && !errors.Is(err, models.ErrInvalidState) && !errors.As(err, &v) && !errors.Is(err, models.ErrConflict) {
				t.Fatal(err)
			}
		}
		var bills, payments, disputes []uint64
		for step := range 120 {
			hh := households[r.IntN(len(households))]
			switch k := r.IntN(10); {
			case k < 3:
				m := models.Month{Year: 2026, Month: time.Month(2 + r.IntN(3))}
				bl, err := s.IssueBill(ctx, all, hh, m, models.Money(5000+r.IntN(30000)), fees, nil)
				ok(err)
				if err == nil {
					bills = append(bills, bl.ID)
				}
			case k < 6:
				p := models.FeePayment{HouseholdID: hh, AmountFen: models.Money(1000 + r.IntN(20000)), Channel: models.PayWeChat,
					PaidAt: now.Add(-time.Duration(r.IntN(30*24)) * time.Hour), Reference: fmt.Sprintf("p%d", step), RecordedBy: 1}
				got, _, err := s.RecordPayment(ctx, all, &p, sh)
				ok(err)
				if err == nil {
					payments = append(payments, got.ID)
				}
			case k == 6 && len(payments) > 0:
				_, _, _, err := s.ReversePayment(ctx, all, &models.PaymentReversal{ReversalOf: payments[r.IntN(len(payments))],
					Kind: models.NotifyRefund, AmountFen: models.Money(1 + r.IntN(3000)), Reference: fmt.Sprintf("r%d", step), At: now})
				ok(err)
			case k == 7 && len(bills) > 0:
				_, err := s.AdjustBill(ctx, all, bills[r.IntN(len(bills))], models.Money(r.IntN(4000)-3000), "更正", 1)
				ok(err)
				_, err = s.WaiveLateFee(ctx, all, bills[r.IntN(len(bills))], models.Money(r.IntN(500)), "减免", 1)
				ok(err)
			case k == 8 && len(bills) > 0:
				d, err := s.OpenDispute(ctx, all, bills[r.IntN(len(bills))], "有异议", 1, now.AddDate(0, -3, 0), sh, fees)
				ok(err)
				if err == nil {
					disputes = append(disputes, d.ID)
				}
			case k == 9 && len(disputes) > 0:
				_, err := s.ResolveDispute(ctx, all, disputes[r.IntN(len(disputes))], nil, "维持", 1, now.AddDate(0, -2, 0))
				ok(err)
			}
		}
		// The allocation rule changes, late fees first: every ledger of
		// the estate settles anew.
		pol := models.DefaultPolicy()
		pol.Fees.Allocation = models.AllocationLateFeeFirst
		if _, err := s.SetPolicy(ctx, all, a, 0, pol, nil); err != nil {
			t.Fatal(err)
		}
		check := func() {
			t.Helper()
			// Earlier than now, some payments come after today: counted
			// from the ledgers then.
			for _, at := range []time.Time{now, now.AddDate(0, 1, 0), now.AddDate(0, 0, -20)} {
				for _, id := range []uint64{0, a, b} {
					for _, scope := range []store.Scope{all, store.Estates(b)} {
						sameAsRecount(t, fmt.Sprintf("estate %d at %s", id, at), s.CollectionRates, s.RecountCollectionRates,
							scope, store.DashboardFilter{EstateID: id, Now: at, Loc: sh})
						today := models.DateOf(at, sh)
						collections := func(recount bool) func(context.Context, store.Scope, uint64) ([]models.Collection, error) {
							return func(ctx context.Context, scope store.Scope, id uint64) ([]models.Collection, error) {
								cs := []models.Collection{{From: models.Month{Year: 2026, Month: 3}, To: models.Month{Year: 2026, Month: 3}},
									{From: models.Month{Year: 2026, Month: 1}, To: models.Month{Year: 2026, Month: 4}}}
								if recount {
									return s.RecountCollections(ctx, scope, id, today, cs)
								}
								return s.Collections(ctx, scope, id, today, cs)
							}
						}
						sameAsRecount(t, fmt.Sprintf("collections of estate %d at %s", id, at), collections(false), collections(true), scope, id)
					}
				}
			}
		}
		check()
		backfill(t, s, "bill_settlements", "collection_periods")
		check()
	})
}
