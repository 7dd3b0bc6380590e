package models

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

func TestLineAmount(t *testing.T) {
	tests := []struct {
		name    string
		q       Quantity
		p       Price
		percent int
		want    Money
		wantErr bool
	}{
		// 89.35 m² × ¥2.35 = ¥209.9725 → 209.97 yuan = 20997 fen (0.25 fen down).
		{"area × price rounds down below half", AreaQuantity(8935), 23500, 100, 20997, false},
		// 89.50 m² × ¥2.35 = ¥210.325 → 21033 fen (0.5 fen rounds half up).
		{"exactly half a fen rounds up", AreaQuantity(8950), 23500, 100, 21033, false},
		// 100 m² × ¥2.35 × 70 % = ¥164.50.
		{"vacancy 70 %", AreaQuantity(10000), 23500, 70, 16450, false},
		{"vacancy 0 %", AreaQuantity(10000), 23500, 0, 0, false},
		// One unit × ¥30 = 3000 fen.
		{"per unit", 1000, 300000, 100, 3000, false},
		// 12.345 m³ × ¥3.4567 = ¥42.6729615 → 4267 fen.
		{"metered, 3 and 4 decimals", 12345, 34567, 100, 4267, false},
		{"zero quantity", 0, 34567, 100, 0, false},
		// 0.001 × ¥0.0001 is far below half a fen.
		{"tiny", 1, 1, 100, 0, false},
		// 1,000,000 m² × ¥100,000 = ¥10^11 > MaxAmountFen.
		{"overflow of MaxAmountFen", MaxQuantity, MaxPrice, 100, 0, true},
		{"beyond 128 bits", math.MaxInt64, math.MaxInt64, 100, 0, true},
		// Exactly MaxAmountFen: 1000 units × ¥10,000.
		{"at MaxAmountFen", 1000 * 1000, 100_000_000, 100, MaxAmountFen, false},
		{"negative quantity", -1, 100, 100, 0, true},
		{"negative price", 1000, -100, 100, 0, true},
		{"percent over 100", 1000, 100, 101, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LineAmount(tt.q, tt.p, tt.percent)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("LineAmount(%s, %s, %d): got %d, %v; want %d, error %v", tt.q.Decimal(), tt.p.Yuan(), tt.percent, got, err, tt.want, tt.wantErr)
			}
			var ve *ValidationError
			if err != nil && (!errors.As(err, &ve) || ve.Field != "amount_fen") {
				t.Errorf("error %v: want a ValidationError of amount_fen", err)
			}
		})
	}
}

func TestPriceAndQuantityJSON(t *testing.T) {
	tests := []struct {
		give    string
		want    Price
		wantErr bool
	}{
		{`2.35`, 23500, false}, {`"3.4567"`, 34567, false}, {`0`, 0, false}, {`100000`, MaxPrice, false},
		{`3.45678`, 0, true}, {`-1`, 0, true}, {`100000.0001`, 0, true}, {`1e3`, 0, true}, {`""`, 0, true},
	}
	for _, tt := range tests {
		var p Price
		err := json.Unmarshal([]byte(tt.give), &p)
		if (err != nil) != tt.wantErr || (err == nil && p != tt.want) {
			t.Errorf("Price %s: got %d, %v; want %d, error %v", tt.give, p, err, tt.want, tt.wantErr)
		}
	}
	if b, _ := json.Marshal(Price(23500)); string(b) != "2.3500" {
		t.Errorf("Price(23500): got %s, want 2.3500", b)
	}
	var q Quantity
	if err := json.Unmarshal([]byte(`"12.345"`), &q); err != nil || q != 12345 {
		t.Errorf("Quantity 12.345: got %d, %v", q, err)
	}
	if err := json.Unmarshal([]byte(`12.3456`), &q); err == nil {
		t.Errorf("Quantity 12.3456: got no error, want one (3 decimals at most)")
	}
	if b, _ := json.Marshal(Quantity(-1500)); string(b) != "-1.500" {
		t.Errorf("Quantity(-1500): got %s, want -1.500", b)
	}
}

func version(n int, from, to string, price Price, types ...PropertyType) FeeStandardVersion {
	return FeeStandardVersion{Version: n, ValidFrom: from, ValidTo: to, UnitPrice: price, PropertyTypes: types, VacantPercent: 100}
}

func TestFeeStandardVersionValidate(t *testing.T) {
	ok := version(1, "2026-01", "", 23500, PropertyResidential)
	with := func(f func(*FeeStandardVersion)) FeeStandardVersion { v := ok; f(&v); return v }
	tests := []struct {
		name string
		give FeeStandardVersion
		want string // field, "" for valid
	}{
		{"valid", ok, ""},
		{"negative price", with(func(v *FeeStandardVersion) { v.UnitPrice = -1 }), "unit_price"},
		{"price above max", with(func(v *FeeStandardVersion) { v.UnitPrice = MaxPrice + 1 }), "unit_price"},
		{"no property type", with(func(v *FeeStandardVersion) { v.PropertyTypes = nil }), "property_types"},
		{"unknown property type", with(func(v *FeeStandardVersion) { v.PropertyTypes = []PropertyType{"villa"} }), "property_types[0]"},
		{"property type twice", with(func(v *FeeStandardVersion) { v.PropertyTypes = []PropertyType{"shop", "shop"} }), "property_types[1]"},
		{"vacancy 101", with(func(v *FeeStandardVersion) { v.VacantPercent = 101 }), "vacant_percent"},
		{"bad from", with(func(v *FeeStandardVersion) { v.ValidFrom = "2026-13" }), "valid_from"},
		{"no from", with(func(v *FeeStandardVersion) { v.ValidFrom = "" }), "valid_from"},
		{"bad to", with(func(v *FeeStandardVersion) { v.ValidTo = "2026/05" }), "valid_to"},
		{"to before from", with(func(v *FeeStandardVersion) { v.ValidTo = "2025-12" }), "valid_to"},
		{"to the same month", with(func(v *FeeStandardVersion) { v.ValidTo = "2026-01" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			var ve *ValidationError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case tt.want != "" && (!errors.As(err, &ve) || ve.Field != tt.want):
				t.Errorf("got %v, want a refusal of %s", err, tt.want)
			}
		})
	}
}

func TestFeeStandardVersions(t *testing.T) {
	s := FeeStandard{ID: 4, Name: "物业服务费", Method: PricePerArea}
	v1, closed, err := s.NextVersion(version(0, "2026-01", "", 23500, PropertyResidential))
	if err != nil || v1.Version != 1 || closed != nil {
		t.Fatalf("first version: got %+v, %v, %v", v1, closed, err)
	}
	s.Versions = []FeeStandardVersion{v1}
	v2, closed, err := s.NextVersion(version(0, "2026-07", "", 25000, PropertyResidential))
	if err != nil || v2.Version != 2 || closed == nil || closed.ValidTo != "2026-06" {
		t.Fatalf("second version: got %+v, closed %+v, %v; want version 2 closing v1 at 2026-06", v2, closed, err)
	}
	if _, _, err := s.NextVersion(version(0, "2026-01", "", 25000, PropertyResidential)); err == nil {
		t.Errorf("a version starting with the latest: got no error, want valid_from refused")
	}
	s.Versions = []FeeStandardVersion{*closed, v2}
	for _, tt := range []struct {
		period Month
		want   int // version, 0 none
	}{
		{Month{2025, time.December}, 0}, {Month{2026, time.January}, 1}, {Month{2026, time.June}, 1},
		{Month{2026, time.July}, 2}, {Month{2030, time.March}, 2},
	} {
		got, ok := s.VersionFor(tt.period)
		if (tt.want == 0) == ok || (ok && got.Version != tt.want) {
			t.Errorf("VersionFor(%s): got %d (%v), want %d", tt.period, got.Version, ok, tt.want)
		}
	}
}

func TestCheckReading(t *testing.T) {
	q := func(v Quantity) *Quantity { return &v }
	tests := []struct {
		name     string
		value    Quantity
		previous *Quantity
		recent   []Quantity
		ratio    int
		want     Quantity
		status   ReadingStatus
		reason   string
	}{
		{"normal", 1120_000, q(1100_000), []Quantity{18_000, 22_000, 20_000}, 3, 20_000, ReadingOK, ""},
		{"below previous", 1090_000, q(1100_000), nil, 3, -10_000, ReadingFlagged, FlagBelowPrevious},
		{"equal: no consumption", 1100_000, q(1100_000), nil, 3, 0, ReadingOK, ""},
		{"exactly 3× the average bills", 1160_000, q(1100_000), []Quantity{20_000, 20_000, 20_000}, 3, 60_000, ReadingOK, ""},
		{"beyond 3× is flagged", 1160_001, q(1100_000), []Quantity{20_000, 20_000, 20_000}, 3, 60_001, ReadingFlagged, FlagAboveAverage},
		{"no history: nothing to compare", 1500_000, q(1100_000), nil, 3, 400_000, ReadingOK, ""},
		{"ratio 0 disables", 1500_000, q(1100_000), []Quantity{1000}, 0, 400_000, ReadingOK, ""},
		{"first reading without a previous value", 1500_000, nil, nil, 3, 1500_000, ReadingFlagged, FlagNoPrevious},
		{"first reading of 0", 0, nil, nil, 3, 0, ReadingOK, ""},
		{"zero average flags nothing", 1500_000, q(1100_000), []Quantity{0, 0}, 3, 400_000, ReadingOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st, why := CheckReading(tt.value, tt.previous, tt.recent, tt.ratio)
			if c != tt.want || st != tt.status || why != tt.reason {
				t.Errorf("got %d %s %q, want %d %s %q", c, st, why, tt.want, tt.status, tt.reason)
			}
		})
	}
}

func TestCheckAdjustment(t *testing.T) {
	b := HouseholdBill{AmountFen: 10000, AdjustedFen: -2000}
	tests := []struct {
		name   string
		amount Money
		ok     bool
	}{
		{"credit note", -3000, true},
		{"credit to zero", -8000, true},
		{"credit below zero", -8001, false},
		{"debit note", 500, true},
		{"zero", 0, false},
		{"beyond max", MaxAmountFen + 1, false},
		{"bill above max", MaxAmountFen - 7999, false},
	}
	for _, tt := range tests {
		if err := CheckAdjustment(b, tt.amount); (err == nil) != tt.ok {
			t.Errorf("%s: CheckAdjustment(%d): got %v, want ok %v", tt.name, tt.amount, err, tt.ok)
		}
	}
}

// A note changes what the bill owes in Statement, and the late fee accrues
// on the adjusted principal.
func TestStatementAdjusted(t *testing.T) {
	fees := DefaultPolicy().Fees // 30‱, cap 100 %
	due := Date{2026, time.February, 10}
	asOf := due.AddDays(10)
	tests := []struct {
		name     string
		adjusted Money
		paid     Money
		wantPrin Money
		wantFee  Money
	}{
		{"no note", 0, 0, 10000, 300},
		{"credit note of 4000", -4000, 0, 6000, 180},
		{"debit note of 1000", 1000, 0, 11000, 330},
		{"credit beyond the bill counts as zero", -12000, 0, 0, 0},
		{"credit then paid in full", -4000, 6000, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := HouseholdBill{ID: 1, Period: "2026-01", AmountFen: 10000, AdjustedFen: tt.adjusted, DueOn: DateTime(due)}
			var pays []Payment
			if tt.paid > 0 {
				pays = []Payment{{ID: 1, Paid: due, Amount: tt.paid}}
			}
			acc := Statement([]Bill{b.Arith()}, pays, asOf, fees)
			if acc.Principal != tt.wantPrin || acc.LateFee != tt.wantFee {
				t.Errorf("got principal %d, late fee %d; want %d, %d", acc.Principal, acc.LateFee, tt.wantPrin, tt.wantFee)
			}
		})
	}
}
