package models

import (
	"reflect"
	"testing"
	"time"
)

func TestPreviewBilling(t *testing.T) {
	period := Month{2026, time.March}
	mgmt := FeeStandard{ID: 1, Name: "物业服务费", Method: PricePerArea, Versions: []FeeStandardVersion{
		{Version: 1, ValidFrom: "2026-01", ValidTo: "2026-02", UnitPrice: 20000, PropertyTypes: []PropertyType{PropertyResidential}, VacantPercent: 70},
		{Version: 2, ValidFrom: "2026-03", UnitPrice: 23500, PropertyTypes: []PropertyType{PropertyResidential, PropertyShop}, VacantPercent: 70},
	}}
	parking := FeeStandard{ID: 2, Name: "车位管理费", Method: PricePerSpace, Versions: []FeeStandardVersion{
		{Version: 1, ValidFrom: "2026-01", UnitPrice: 600000, PropertyTypes: []PropertyType{PropertyParking}, VacantPercent: 100},
	}}
	water := FeeStandard{ID: 3, Name: "水费", Method: PriceMetered, MeterKind: MeterWater, Versions: []FeeStandardVersion{
		{Version: 1, ValidFrom: "2026-01", UnitPrice: 34500, PropertyTypes: []PropertyType{PropertyShop}, VacantPercent: 100},
	}}
	future := FeeStandard{ID: 4, Name: "垃圾清运费", Method: PricePerUnit, Versions: []FeeStandardVersion{
		{Version: 1, ValidFrom: "2026-04", UnitPrice: 100000, PropertyTypes: []PropertyType{PropertyResidential}, VacantPercent: 100},
	}}
	hh := func(id uint64, t PropertyType, o Occupancy, area Area) BillableUnit {
		return BillableUnit{HouseholdID: id, UnitID: id + 100, PropertyType: t, Occupancy: o, Area: area}
	}
	in := BillingInput{
		Period:    period,
		Standards: []FeeStandard{water, future, parking, mgmt},
		Households: []BillableUnit{
			hh(1, PropertyResidential, OccupancyOccupied, 10000), // 100 m² × 2.35 = 23500
			hh(2, PropertyResidential, OccupancyVacant, 10000),   // × 70 % = 16450
			hh(3, PropertyResidential, OccupancyUndelivered, 10000),
			hh(4, PropertyParking, OccupancyOccupied, 1250),     // 60.00
			hh(5, PropertyStorage, OccupancyOccupied, 500),      // nothing applies
			hh(6, PropertyShop, OccupancyOccupied, 5000),        // area 11750 + water 10 m³ × 3.45 = 3450
			hh(7, PropertyShop, OccupancyOccupied, 5000),        // water reading flagged
			hh(8, PropertyShop, OccupancyOccupied, 5000),        // no water reading
			hh(9, PropertyResidential, OccupancyOccupied, 9000), // already billed
			hh(10, PropertyStorage, OccupancyOccupied, 500),     // a fee item only
		},
		Readings: []MeterReading{
			{ID: 61, UnitID: 106, Kind: MeterWater, Period: "2026-03", Consumption: 10_000, Status: ReadingOK},
			{ID: 71, UnitID: 107, Kind: MeterWater, Period: "2026-03", Consumption: 90_000, Status: ReadingFlagged},
			{ID: 81, UnitID: 108, Kind: MeterWater, Period: "2026-02", Consumption: 9_000, Status: ReadingOK},
		},
		Items:  []FeeItem{{ID: 1, HouseholdID: 10, Name: "储藏室管理费", AmountFen: 1500, Active: true}, {ID: 2, HouseholdID: 10, Name: "旧项", AmountFen: 99, Active: false}},
		Billed: map[uint64]bool{9: true},
	}
	got := PreviewBilling(in)

	amounts := map[uint64][]Money{}
	for _, h := range got.Households {
		for _, l := range h.Lines {
			amounts[h.HouseholdID] = append(amounts[h.HouseholdID], l.AmountFen)
		}
	}
	wantAmounts := map[uint64][]Money{1: {23500}, 2: {16450}, 4: {6000}, 6: {11750, 3450}, 10: {1500}}
	if !reflect.DeepEqual(amounts, wantAmounts) {
		t.Errorf("line amounts: got %v, want %v", amounts, wantAmounts)
	}
	skips := map[uint64]SkipReason{}
	for _, s := range got.Skipped {
		skips[s.HouseholdID] = s.Reason
	}
	wantSkips := map[uint64]SkipReason{3: SkipUndelivered, 5: SkipNoStandard, 7: SkipReadingFlagged, 8: SkipReadingMissing, 9: SkipAlreadyBilled}
	if !reflect.DeepEqual(skips, wantSkips) {
		t.Errorf("skipped: got %v, want %v", skips, wantSkips)
	}
	if got.TotalFen != 23500+16450+6000+3450+11750+1500 {
		t.Errorf("total: got %d, want %d", got.TotalFen, 23500+16450+6000+3450+11750+1500)
	}
	wantItems := []ItemTotal{{"储藏室管理费", 1, 1500}, {"水费", 1, 3450}, {"物业服务费", 3, 23500 + 16450 + 11750}, {"车位管理费", 1, 6000}}
	if !reflect.DeepEqual(got.Items, wantItems) {
		t.Errorf("item totals: got %v, want %v", got.Items, wantItems)
	}
	// The lines name their version, quantity and discount.
	vacant := got.Households[1].Lines[0]
	if *vacant.StandardID != 1 || vacant.StandardVersion != 2 || vacant.Percent != 70 || vacant.Quantity != 100_000 || vacant.QuantityUnit != "m²" {
		t.Errorf("vacant unit's line: got %+v", vacant)
	}
	w := got.Households[3].Lines[1]
	if w.ItemName != "水费" || w.ReadingID == nil || *w.ReadingID != 61 || w.QuantityUnit != "m³" {
		t.Errorf("metered line: got %+v", w)
	}
	// The previous version prices February.
	in.Period, in.Readings = Month{2026, time.February}, nil
	if feb := PreviewBilling(in); len(feb.Households) == 0 || feb.Households[0].AmountFen != 20000 {
		t.Errorf("February's first bill: got %+v, want 20000 fen at version 1's price", feb.Households)
	}
	// An accepted reading bills.
	in.Period = period
	in.Readings = []MeterReading{{ID: 71, UnitID: 107, Kind: MeterWater, Period: "2026-03", Consumption: 90_000, Status: ReadingAccepted}}
	var seven Money
	for _, h := range PreviewBilling(in).Households {
		if h.HouseholdID == 7 {
			seven = h.AmountFen
		}
	}
	if seven != 11750+31050 {
		t.Errorf("household 7 after acceptance: got %d, want %d", seven, 11750+31050)
	}
}
