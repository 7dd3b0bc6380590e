package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// Standards keep their versions, a billing run issues itemised bills once,
// readings are flagged and accepted, and a credit note lowers what the
// statement says is owed.
func TestFeeStandardsReadingsAndItemisedBills(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		f := seed(t, s, "F")
		est := f.estate.ID
		// The seeded unit: residential, occupied; give it 89.35 m². A shop
		// with a water meter beside it.
		must(t, s.DB().Model(&models.Unit{}).Where("id = ?", f.unit.ID).Update("area_centi", 8935).Error)
		shop := models.Unit{BuildingID: f.building.ID, Number: "S-1", Floor: 1, Area: 5000, PropertyType: models.PropertyShop, Occupancy: models.OccupancyOccupied}
		must(t, s.CreateUnit(ctx, all, &shop))
		shopHH := models.Household{UnitID: shop.ID}
		must(t, s.CreateHousehold(ctx, all, &shopHH))

		mgmt := models.FeeStandard{EstateID: est, Name: "物业服务费", Method: models.PricePerArea}
		v1 := models.FeeStandardVersion{UnitPrice: 23500, PropertyTypes: []models.PropertyType{models.PropertyResidential, models.PropertyShop}, VacantPercent: 70, ValidFrom: "2026-01"}
		must(t, s.CreateFeeStandard(ctx, all, &mgmt, v1, nil))
		dup := models.FeeStandard{EstateID: est, Name: "物业服务费", Method: models.PricePerUnit}
		wantErr(t, "a second standard of the same name", s.CreateFeeStandard(ctx, all, &dup, v1, nil), models.ErrConflict)
		v2 := v1
		v2.UnitPrice, v2.ValidFrom = 25000, "2026-04"
		got, err := s.AddFeeStandardVersion(ctx, all, mgmt.ID, v2, nil)
		must(t, err)
		if len(got.Versions) != 2 || got.Versions[0].ValidTo != "2026-03" || got.Versions[1].Version != 2 {
			t.Fatalf("versions after a price change: got %+v, want v1 closed at 2026-03 and v2", got.Versions)
		}
		_, err = s.AddFeeStandardVersion(ctx, all, mgmt.ID, v1, nil)
		wantField(t, "a version starting before the latest", err, "valid_from")
		// The importer's upsert: the same latest version again changes nothing.
		_, created, changed, err := s.UpsertFeeStandard(ctx, all, models.FeeStandard{EstateID: est, Name: "物业服务费", Method: models.PricePerArea}, v2, nil)
		if err != nil || created || changed {
			t.Errorf("upsert of the latest version: got created %v changed %v %v, want neither", created, changed, err)
		}
		water, created, _, err := s.UpsertFeeStandard(ctx, all, models.FeeStandard{EstateID: est, Name: "水费", Method: models.PriceMetered, MeterKind: models.MeterWater},
			models.FeeStandardVersion{UnitPrice: 34500, PropertyTypes: []models.PropertyType{models.PropertyShop}, VacantPercent: 100, ValidFrom: "2026-01"}, nil)
		if err != nil || !created || len(water.Versions) != 1 || water.Versions[0].UnitPrice != 34500 {
			t.Fatalf("upsert of a new standard: got %+v, created %v, %v", water, created, err)
		}

		// Readings: February's baseline, March's normal, April's below.
		res, err := s.RecordReadings(ctx, all, []models.MeterReading{
			{UnitID: shop.ID, Kind: models.MeterWater, Period: "2026-02", Value: 100_000},
			{UnitID: shop.ID, Kind: models.MeterWater, Period: "2026-03", Value: 110_000},
			{UnitID: shop.ID, Kind: models.MeterWater, Period: "2026-04", Value: 105_000},
			{UnitID: 999999, Kind: models.MeterWater, Period: "2026-04", Value: 1},
		})
		must(t, err)
		outcomes := []string{res[0].Outcome, res[1].Outcome, res[2].Outcome, res[3].Outcome}
		if outcomes[0] != store.ReadingCreated || outcomes[1] != store.ReadingCreated || outcomes[3] != store.ReadingInvalid ||
			res[1].Reading.Consumption != 10_000 || res[2].Reading.Status != models.ReadingFlagged || res[2].Reading.FlagReason != models.FlagBelowPrevious {
			t.Fatalf("readings: got %v %+v %+v", outcomes, res[1].Reading, res[2].Reading)
		}
		if res[0].Reading.FlagReason != models.FlagNoPrevious {
			t.Errorf("a first reading with no previous value: got %s %q, want flagged no_previous", res[0].Reading.Status, res[0].Reading.FlagReason)
		}
		again, err := s.RecordReadings(ctx, all, []models.MeterReading{
			{UnitID: shop.ID, Kind: models.MeterWater, Period: "2026-03", Value: 110_000},
			{UnitID: shop.ID, Kind: models.MeterWater, Period: "2026-03", Value: 120_000},
		})
		must(t, err)
		if again[0].Outcome != store.ReadingUnchanged || again[1].Outcome != store.ReadingConflict {
			t.Errorf("recording March again: got %s, %s, want unchanged, conflict", again[0].Outcome, again[1].Outcome)
		}

		// March: residential 89.35 × 2.35 = 20997; shop 50 × 2.35 = 11750 + water 10 × 3.45 = 3450.
		mar := models.Month{Year: 2026, Month: time.March}
		pre, err := s.PreviewBilling(ctx, all, est, mar)
		must(t, err)
		if len(pre.Households) != 2 || pre.TotalFen != 20997+11750+3450 {
			t.Fatalf("March preview: got %+v, want two households, %d fen", pre, 20997+11750+3450)
		}
		fees := models.DefaultPolicy().Fees
		run, err := s.RunBilling(ctx, all, est, mar, fees, nil)
		must(t, err)
		if run.Created != 2 || run.Existing != 0 {
			t.Fatalf("March run: got %+v, want 2 created", run)
		}
		run, err = s.RunBilling(ctx, all, est, mar, fees, nil)
		must(t, err)
		if run.Created != 0 || run.Existing != 2 {
			t.Errorf("March run again: got created %d existing %d, want 0 and 2", run.Created, run.Existing)
		}
		bills, err := s.Bills(ctx, all, store.BillFilter{HouseholdID: shopHH.ID}, store.Page{})
		must(t, err)
		if len(bills.Items) != 1 || bills.Items[0].AmountFen != 15200 || len(bills.Items[0].Lines) != 2 {
			t.Fatalf("the shop's bill: got %+v, want 15200 fen in two lines", bills.Items)
		}
		b, err := s.Bill(ctx, all, bills.Items[0].ID)
		must(t, err)
		var sum models.Money
		for _, l := range b.Lines {
			sum += l.AmountFen
		}
		if sum != b.AmountFen || b.Lines[0].StandardVersion != 1 || b.Lines[1].ReadingID == nil {
			t.Errorf("the shop's bill's lines: got %+v, want them to add up to %d", b.Lines, b.AmountFen)
		}
		// A later version does not change the issued bill.
		v3 := v2
		v3.UnitPrice, v3.ValidFrom = 30000, "2026-05"
		_, err = s.AddFeeStandardVersion(ctx, all, mgmt.ID, v3, nil)
		must(t, err)
		if again, _ := s.Bill(ctx, all, b.ID); again.AmountFen != 15200 || again.Lines[0].UnitPrice != 23500 {
			t.Errorf("the bill after a new version: got %d fen at %s, want 15200 at 2.35", again.AmountFen, again.Lines[0].UnitPrice.Yuan())
		}

		// April: the shop's reading is held; finance corrects it.
		apr := models.Month{Year: 2026, Month: time.April}
		pre, err = s.PreviewBilling(ctx, all, est, apr)
		must(t, err)
		if len(pre.Skipped) != 1 || pre.Skipped[0].Reason != models.SkipReadingFlagged {
			t.Errorf("April preview: got skipped %+v, want the shop held by its flagged reading", pre.Skipped)
		}
		bad := models.Quantity(100_000)
		_, err = s.AcceptReading(ctx, all, res[2].Reading.ID, &bad, "", 7, time.Now())
		wantField(t, "a correction below the previous reading", err, "value")
		fixed := models.Quantity(125_000)
		r, err := s.AcceptReading(ctx, all, res[2].Reading.ID, &fixed, "抄错", 7, time.Now())
		if err != nil || r.Status != models.ReadingAccepted || r.Consumption != 15_000 {
			t.Errorf("accepting with a correction: got %+v, %v", r, err)
		}
		_, err = s.AcceptReading(ctx, all, res[2].Reading.ID, nil, "", 7, time.Now())
		wantErr(t, "accepting twice", err, models.ErrInvalidState)

		// A credit note of 5000 fen on the shop's March bill.
		_, err = s.AdjustBill(ctx, all, b.ID, -20000, "多收", 7)
		wantField(t, "a credit beyond the bill", err, "amount_fen")
		_, err = s.AdjustBill(ctx, all, b.ID, -5000, "面积更正", 7)
		must(t, err)
		l, err := s.HouseholdLedger(ctx, all, shopHH.ID)
		must(t, err)
		bs, ps := l.Arith()
		acc := models.Statement(bs, ps, models.Date{Year: 2026, Month: time.April, Day: 1}, fees)
		if acc.Principal != 10200 {
			t.Errorf("owed after the credit note: got %d, want 10200", acc.Principal)
		}
		notes, err := s.Adjustments(ctx, all, b.ID)
		if err != nil || len(notes) != 1 || notes[0].AmountFen != -5000 {
			t.Errorf("notes: got %+v, %v", notes, err)
		}
	})
}
