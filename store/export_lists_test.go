package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// walkBatches walks a list by cursor in export batches of two and returns
// the ids in the order read; it fails if a batch counts a total.
func walkBatches[T any](t *testing.T, read func(store.Page) (store.List[T], error), sort store.Sort, id func(T) uint64) []uint64 {
	t.Helper()
	var out []uint64
	page := store.Page{Size: 2, Sort: sort, Batch: true}
	for range 100 {
		l, err := read(page)
		must(t, err)
		if l.Total != 0 {
			t.Fatalf("%s: a batch counted %d rows, want no count", sort, l.Total)
		}
		for _, it := range l.Items {
			out = append(out, id(it))
		}
		if l.Next == "" {
			return out
		}
		page.After = l.Next
	}
	t.Fatalf("%s: the walk did not end", sort)
	return nil
}

// checkWalks walks a list in every sort, both ways, by cursor, and wants
// the order one big page gives.
func checkWalks[T any](t *testing.T, what string, keys store.SortKeys[T], n int, read func(store.Page) (store.List[T], error), id func(T) uint64) {
	t.Helper()
	for _, field := range keys.Fields() {
		for _, desc := range []bool{false, true} {
			sort := store.Sort{Field: field, Desc: desc}
			whole, err := read(store.Page{Size: store.MaxPageSize, Sort: sort})
			must(t, err)
			want := make([]uint64, len(whole.Items))
			for i, it := range whole.Items {
				want[i] = id(it)
			}
			if len(want) != n {
				t.Fatalf("%s by %s in one page: got %d rows, want %d", what, sort, len(want), n)
			}
			if got := walkBatches(t, read, sort, id); !slices.Equal(got, want) {
				t.Errorf("%s by %s in batches: got %v, want %v", what, sort, got, want)
			}
		}
	}
}

// TestExportListsByCursor walks the households, residents, bills and
// payments by cursor in every order, over ties, and gets every row once in
// the order one page gives: what an export reads.
func TestExportListsByCursor(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		e := ticketEstate(t, s, "A")
		fees := models.DefaultPolicy().Fees
		var households []uint64
		for b, name := range []string{"2栋", "1栋"} {
			bld := models.Building{EstateID: e, Name: name}
			must(t, s.CreateBuilding(ctx, all, &bld))
			for u := range 3 {
				unit := models.Unit{BuildingID: bld.ID, Number: fmt.Sprintf("%d0%d", 1+u%2, u)}
				must(t, s.CreateUnit(ctx, all, &unit))
				hh := models.Household{UnitID: unit.ID}
				if u != 1 {
					in := time.Date(2025, time.Month(1+b), 1, 0, 0, 0, 0, time.UTC)
					hh.MovedInOn = &in
				}
				must(t, s.CreateHousehold(ctx, all, &hh))
				households = append(households, hh.ID)
				for r := range 2 {
					res := models.Resident{HouseholdID: hh.ID, Name: []string{"张三", "李四"}[r], Phone: fmt.Sprintf("1381234%04d", len(households)*10+r), Role: models.ResidentOwner}
					must(t, s.CreateResident(ctx, all, &res))
				}
				for m := range 2 {
					_, err := s.IssueBill(ctx, all, hh.ID, models.Month{Year: 2026, Month: time.Month(1 + m)}, models.Money(10000*(1+u%2)), fees, nil)
					must(t, err)
				}
				p := models.FeePayment{HouseholdID: hh.ID, AmountFen: models.Money(5000 * (1 + u%2)), Channel: models.PayCash,
					PaidAt: time.Date(2026, 2, 1+u%2, 8, 0, 0, 0, time.UTC), Reference: fmt.Sprintf("cash-%d", hh.ID)}
				_, _, err := s.RecordPayment(ctx, all, &p, time.UTC)
				must(t, err)
			}
		}
		n := len(households)
		checkWalks(t, "households", store.HouseholdSorts, n, func(p store.Page) (store.List[models.Household], error) {
			return s.Households(ctx, all, store.HouseholdFilter{}, p)
		}, func(h models.Household) uint64 { return h.ID })
		checkWalks(t, "residents", store.ResidentSorts, 2*n, func(p store.Page) (store.List[models.Resident], error) {
			return s.Residents(ctx, all, store.ResidentFilter{}, p)
		}, func(r models.Resident) uint64 { return r.ID })
		checkWalks(t, "bills", store.BillSorts, 2*n, func(p store.Page) (store.List[models.HouseholdBill], error) {
			return s.Bills(ctx, all, store.BillFilter{}, p)
		}, func(b models.HouseholdBill) uint64 { return b.ID })
		checkWalks(t, "payments", store.PaymentSorts, n, func(p store.Page) (store.List[models.FeePayment], error) {
			return s.Payments(ctx, all, store.PaymentFilter{}, p)
		}, func(p models.FeePayment) uint64 { return p.ID })

		// A filter holds in every batch; the building names come along.
		bld, err := s.Households(ctx, all, store.HouseholdFilter{Query: "10"}, store.Page{Size: 2, Sort: store.Sort{Field: "building"}, Batch: true})
		must(t, err)
		if len(bld.Items) != 2 || bld.Items[0].Building != "1栋" || bld.Items[0].UnitNumber[:2] != "10" {
			t.Errorf("households q=10 by building: got %+v, want 1栋's units 10x first", bld.Items)
		}
		// Without a sort or cursor the list keeps its order by building and unit.
		l, err := s.Households(ctx, all, store.HouseholdFilter{}, store.Page{Size: 3})
		must(t, err)
		if l.Total != int64(n) || l.Items[0].Building != "1栋" || l.Items[0].UnitNumber != "100" || l.Items[1].UnitNumber != "102" {
			t.Errorf("households page 1: got %+v (total %d), want 1栋 100, 102, 201 of %d", l.Items, l.Total, n)
		}
	})
}

// TestCollections counts a month's and a year's bills of one estate, as of
// a day: collected ÷ billed (models.Collection), another estate apart.
func TestCollections(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		var est [2]uint64
		for i, code := range []string{"A", "B"} {
			est[i] = ticketEstate(t, s, code)
			bld := models.Building{EstateID: est[i], Name: "1栋"}
			must(t, s.CreateBuilding(ctx, all, &bld))
			unit := models.Unit{BuildingID: bld.ID, Number: "101"}
			must(t, s.CreateUnit(ctx, all, &unit))
			hh := models.Household{UnitID: unit.ID}
			must(t, s.CreateHousehold(ctx, all, &hh))
			for m := 1; m <= 3; m++ {
				_, err := s.IssueBill(ctx, all, hh.ID, models.Month{Year: 2026, Month: time.Month(m)}, 10000, fees, nil)
				must(t, err)
			}
			// Pays January's and half of February's before today, and more after.
			for j, at := range []time.Time{time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)} {
				p := models.FeePayment{HouseholdID: hh.ID, AmountFen: 15000, Channel: models.PayCash, PaidAt: at, Reference: fmt.Sprintf("%s-%d", code, j)}
				_, _, err := s.RecordPayment(ctx, all, &p, time.UTC)
				must(t, err)
			}
		}
		mar := models.Month{Year: 2026, Month: 3}
		from, to := models.YearOf(mar)
		got, err := s.Collections(ctx, all, est[0], models.Date{Year: 2026, Month: 3, Day: 20},
			[]models.Collection{{From: mar, To: mar}, {From: from, To: to}, {From: models.Month{Year: 2026, Month: 2}, To: models.Month{Year: 2026, Month: 2}}})
		must(t, err)
		want := []models.Collection{{From: mar, To: mar, Bills: 1, BilledFen: 10000},
			{From: from, To: to, Bills: 3, BilledFen: 30000, CollectedFen: 15000},
			{From: models.Month{Year: 2026, Month: 2}, To: models.Month{Year: 2026, Month: 2}, Bills: 1, BilledFen: 10000, CollectedFen: 5000}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if _, err := s.Collections(ctx, store.Estates(est[1]), est[0], models.Date{Year: 2026, Month: 3, Day: 20}, []models.Collection{{From: mar, To: mar}}); err != nil {
			t.Fatal(err)
		}
		none, err := s.Collections(ctx, store.Estates(est[1]), est[0], models.Date{Year: 2026, Month: 3, Day: 20}, []models.Collection{{From: from, To: to}})
		must(t, err)
		if none[0].Bills != 0 {
			t.Errorf("estate A from B's scope: got %+v, want nothing", none[0])
		}
	})
}
