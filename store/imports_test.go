package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestImportUpsertsAreIdempotent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		all := store.AllEstates()
		units := []store.UnitRecord{
			{Building: "1栋", Number: "2-502", Floor: 6, Area: 8935, PropertyType: models.PropertyShop, Occupancy: models.OccupancyVacant},
			{Building: "3栋", Number: "301", Floor: 3, Area: 10000, PropertyType: models.PropertyResidential, Occupancy: models.OccupancyOccupied},
		}
		for range 2 {
			must(t, s.UpsertUnits(ctx, a.estate.ID, units))
		}
		got, err := s.Units(ctx, store.Estates(a.estate.ID), store.UnitFilter{}, store.Page{Size: 50})
		must(t, err)
		if got.Total != 2 {
			t.Fatalf("units after two imports: got %d, want 2 (the existing one updated, one new)", got.Total)
		}
		u, err := s.Unit(ctx, all, a.unit.ID)
		must(t, err)
		if u.Floor != 6 || u.Area != 8935 || u.PropertyType != models.PropertyShop || u.Occupancy != models.OccupancyVacant {
			t.Errorf("existing unit: got %+v, want it updated from the file", u)
		}
		ix, err := s.ImportIndex(ctx, a.estate.ID)
		must(t, err)
		newUnit := ix.Units[store.UnitKey{Building: "3栋", Number: "301"}]
		if newUnit == 0 || len(ix.Units) != 2 || ix.Households[a.unit.ID] != a.household.ID {
			t.Fatalf("index: got %+v, want both units and the existing household", ix)
		}
		bIx, err := s.ImportIndex(ctx, b.estate.ID)
		must(t, err)
		if len(bIx.Units) != 1 {
			t.Errorf("estate B's index: got %d units, want its own 1", len(bIx.Units))
		}

		movedIn := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
		residents := []store.ResidentRecord{
			{UnitID: a.unit.ID, Name: "张三（改）", Phone: "13812345678", Role: models.ResidentTenant},
			{UnitID: newUnit, MovedInOn: &movedIn, Name: "李四", Phone: "13912345678", Role: models.ResidentOwner},
			{UnitID: newUnit, Name: "王五", Phone: "13712345678", Role: models.ResidentTenant},
			{UnitID: b.unit.ID, Name: "越界", Phone: "13612345678", Role: models.ResidentOwner},
		}
		for range 2 {
			failed, err := s.UpsertResidents(ctx, a.estate.ID, residents)
			must(t, err)
			if len(failed) != 1 || failed[3] == "" {
				t.Errorf("failed rows: got %v, want only row 3 (another estate's unit)", failed)
			}
		}
		rs, err := s.Residents(ctx, store.Estates(a.estate.ID), store.ResidentFilter{}, store.Page{Size: 50})
		must(t, err)
		if rs.Total != 3 {
			t.Fatalf("residents after two imports: got %d, want 3", rs.Total)
		}
		r, err := s.Resident(ctx, all, a.resident.ID)
		must(t, err)
		if r.Name != "张三（改）" || r.Role != models.ResidentTenant {
			t.Errorf("existing resident: got %+v, want name and role updated", r)
		}
		hs, err := s.Households(ctx, all, store.HouseholdFilter{UnitID: newUnit}, store.Page{})
		must(t, err)
		if hs.Total != 1 || hs.Items[0].MovedInOn == nil || !hs.Items[0].MovedInOn.Equal(movedIn) {
			t.Errorf("new unit's households: got %+v, want one moved in on %s", hs.Items, movedIn)
		}

		due := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
		bal := []store.OpeningBalanceRecord{{UnitID: a.unit.ID, Period: "2026-01", AmountFen: 26850, DueOn: due}}
		_, err = s.UpsertOpeningBalances(ctx, a.estate.ID, bal)
		must(t, err)
		bal[0].AmountFen = 30000
		failed, err := s.UpsertOpeningBalances(ctx, a.estate.ID, bal)
		must(t, err)
		if len(failed) != 0 {
			t.Errorf("failed: got %v, want none", failed)
		}
		bills, err := s.BillsOf(ctx, a.estate.ID, bal)
		must(t, err)
		if len(bills) != 1 || bills[0].AmountFen != 30000 || !bills[0].DueOn.Equal(due) || !bills[0].OriginalDueOn.Equal(due) {
			t.Errorf("bills: got %+v, want one of 300.00 due on %s", bills, due)
		}

		staff := []store.StaffRecord{{Username: "imp-cs", Name: "客服甲", Role: models.RoleCustomerService}}
		_, err = s.UpsertStaff(ctx, a.estate.ID, staff, "!locked")
		must(t, err)
		staff[0].Name = "客服乙"
		_, err = s.UpsertStaff(ctx, a.estate.ID, staff, "!locked")
		must(t, err)
		st, err := s.StaffByUsername(ctx, "imp-cs")
		must(t, err)
		if st.Name != "客服乙" || st.PasswordHash != "!locked" || !st.MustChangePassword || *st.EstateID != a.estate.ID {
			t.Errorf("imported account: got %+v, want it updated, locked and of estate A", st)
		}
		failed, err = s.UpsertStaff(ctx, b.estate.ID, staff, "!locked")
		must(t, err)
		if failed[0] == "" {
			t.Errorf("estate A's username imported into B: got no failure, want one")
		}
	})
}

func TestImportProgress(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		imp := models.Import{EstateID: a.estate.ID, Kind: "units", CreatedBy: 1}
		rows := make([]models.ImportRow, 5)
		for i := range rows {
			rows[i] = models.ImportRow{Row: i + 2, Data: "{}"}
		}
		must(t, s.CreateImport(ctx, store.AllEstates(), &imp, rows))
		if imp.Status != models.ImportRunning || imp.Total != 5 {
			t.Fatalf("created: got %+v, want running with 5 rows", imp)
		}
		next, err := s.PendingImportRows(ctx, imp.ID, 3)
		must(t, err)
		if len(next) != 3 || next[0].Row != 2 {
			t.Fatalf("first batch: got %d rows from %d, want 3 from row 2", len(next), next[0].Row)
		}
		ids := []uint64{next[0].ID, next[1].ID, next[2].ID}
		for range 2 { // a retried batch marks the same rows again
			must(t, s.MarkImportRows(ctx, imp.ID, ids, map[uint64]string{next[1].ID: "房屋不存在"}))
		}
		got, err := s.Import(ctx, store.Estates(a.estate.ID), imp.ID)
		must(t, err)
		if got.Done != 2 || got.Failed != 1 {
			t.Errorf("progress: got done %d failed %d, want 2 and 1", got.Done, got.Failed)
		}
		errs, err := s.ImportErrors(ctx, imp.ID, 10)
		must(t, err)
		if len(errs) != 1 || errs[0].Row != 3 || errs[0].Reason != "房屋不存在" {
			t.Errorf("errors: got %+v, want row 3", errs)
		}
		next, err = s.PendingImportRows(ctx, imp.ID, 3)
		must(t, err)
		if len(next) != 2 || next[0].Row != 5 {
			t.Errorf("second batch: got %d rows, want rows 5 and 6", len(next))
		}
		_, err = s.Import(ctx, store.Estates(a.estate.ID+100), imp.ID)
		wantErr(t, "another estate's import", err, models.ErrNotFound)
		_, err = s.RequestImportCancel(ctx, store.AllEstates(), imp.ID)
		must(t, err)
		must(t, s.FinishImport(ctx, imp.ID, models.ImportCancelled, time.Now()))
		must(t, s.FinishImport(ctx, imp.ID, models.ImportDone, time.Now()))
		got, err = s.Import(ctx, store.AllEstates(), imp.ID)
		must(t, err)
		if got.Status != models.ImportCancelled || !got.CancelRequested || got.FinishedAt == nil {
			t.Errorf("finished: got %+v, want cancelled (the first end kept)", got)
		}
		_, err = s.RequestImportCancel(ctx, store.AllEstates(), imp.ID)
		wantErr(t, "cancel an ended import", err, models.ErrInvalidState)
	})
}
