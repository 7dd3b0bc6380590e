package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// benchHouseholds is the size of the target: "Billing run (preview and
// issue) for 20,000 households with 3 lines each: ≤ 60 s".
const benchHouseholds = 20_000

// BenchmarkBillingRun previews and issues one month's bills to 20,000
// households with three lines each (per m², per unit and metered water),
// on SQLite and MariaDB; each iteration bills a new month.
func BenchmarkBillingRun(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchBillingRun(b, storetest.SQLite(b, storetest.Options{})) })
	b.Run("mysql", func(b *testing.B) { benchBillingRun(b, storetest.MySQL(b, storetest.Options{})) })
}

func benchBillingRun(b *testing.B, s *store.Store) {
	ctx := context.Background()
	all := store.AllEstates()
	est := models.Estate{Code: "BENCH", Name: "压测小区", TimeZone: "Asia/Shanghai"}
	if err := s.CreateEstate(ctx, &est, models.DefaultPolicy(), nil); err != nil {
		b.Fatal(err)
	}
	bld := models.Building{EstateID: est.ID, Name: "1栋"}
	if err := s.CreateBuilding(ctx, all, &bld); err != nil {
		b.Fatal(err)
	}
	db := s.DB()
	units := make([]models.Unit, benchHouseholds)
	for i := range units {
		units[i] = models.Unit{EstateID: est.ID, BuildingID: bld.ID, Number: fmt.Sprintf("%05d", i), Area: models.Area(6000 + i%5000),
			PropertyType: models.PropertyResidential, Occupancy: models.OccupancyOccupied}
	}
	if err := db.CreateInBatches(units, 500).Error; err != nil {
		b.Fatal(err)
	}
	hhs := make([]models.Household, benchHouseholds)
	for i := range hhs {
		hhs[i] = models.Household{EstateID: est.ID, UnitID: units[i].ID, Status: models.HouseholdActive}
	}
	if err := db.CreateInBatches(hhs, 500).Error; err != nil {
		b.Fatal(err)
	}
	types := []models.PropertyType{models.PropertyResidential}
	for _, st := range []models.FeeStandard{
		{EstateID: est.ID, Name: "物业服务费", Method: models.PricePerArea},
		{EstateID: est.ID, Name: "垃圾清运费", Method: models.PricePerUnit},
		{EstateID: est.ID, Name: "水费", Method: models.PriceMetered, MeterKind: models.MeterWater},
	} {
		if err := s.CreateFeeStandard(ctx, all, &st, models.FeeStandardVersion{UnitPrice: 23500, PropertyTypes: types, VacantPercent: 70, ValidFrom: "2000-01"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	fees := models.DefaultPolicy().Fees
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		period := models.Month{Year: 2001 + i/12, Month: time.Month(i%12 + 1)}
		readings := make([]models.MeterReading, benchHouseholds)
		for j := range readings {
			readings[j] = models.MeterReading{EstateID: est.ID, UnitID: units[j].ID, Kind: models.MeterWater, Period: period.String(),
				Value: models.Quantity(10_000 * (i + 1)), Consumption: 10_000, Status: models.ReadingOK}
		}
		if err := db.CreateInBatches(readings, 500).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		pre, err := s.PreviewBilling(ctx, all, est.ID, period)
		if err != nil || len(pre.Households) != benchHouseholds {
			b.Fatalf("preview: got %d households, %v", len(pre.Households), err)
		}
		run, err := s.RunBilling(ctx, all, est.ID, period, fees, nil)
		if err != nil || run.Created != benchHouseholds {
			b.Fatalf("run: got %d created, %v", run.Created, err)
		}
	}
}
