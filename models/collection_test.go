package models

import "testing"

func TestCollectionRate(t *testing.T) {
	fees := FeePolicy{DueDay: 10, LateFeePerTenThousand: 30}
	jan, feb, mar := Month{2026, 1}, Month{2026, 2}, Month{2026, 3}
	bill := func(id uint64, m Month, fen Money, disputed bool) Bill {
		return Bill{ID: id, Period: m, Due: Date{Year: m.Year, Month: m.Month + 1, Day: 10}, Principal: fen, Disputed: disputed}
	}
	pay := func(id uint64, day int, fen Money) Payment {
		return Payment{ID: id, Paid: Date{Year: 2026, Month: 3, Day: day}, Amount: fen}
	}
	tests := []struct {
		name       string
		bills      []Bill
		pays       []Payment
		from, to   Month
		wantBills  int64
		wantBilled Money
		wantColl   Money
		wantBP     int64
		wantRate   bool
	}{
		{"nothing billed has no rate", nil, nil, feb, feb, 0, 0, 0, 0, false},
		{"unpaid", []Bill{bill(1, feb, 10000, false)}, nil, feb, feb, 1, 10000, 0, 0, true},
		{"paid in full", []Bill{bill(1, feb, 10000, false)}, []Payment{pay(1, 1, 10000)}, feb, feb, 1, 10000, 10000, 10000, true},
		// 19 days overdue by 03-01: 570 fen of late fee on January's bill.
		{"a payment settles the older bill first, its late fee too", []Bill{bill(1, jan, 10000, false), bill(2, feb, 10000, false)},
			[]Payment{pay(1, 1, 15000)}, feb, feb, 1, 10000, 4430, 4430, true},
		{"a payment after today does not count", []Bill{bill(1, feb, 10000, false)}, []Payment{pay(1, 20, 10000)}, feb, feb, 1, 10000, 0, 0, true},
		{"late fee counts on neither side", []Bill{bill(1, jan, 10000, false)}, []Payment{pay(1, 5, 20000)}, jan, jan, 1, 10000, 10000, 10000, true},
		{"a disputed bill is billed, collects nothing", []Bill{bill(1, feb, 10000, true), bill(2, feb, 10000, false)},
			[]Payment{pay(1, 1, 20000)}, feb, feb, 2, 20000, 10000, 5000, true},
		{"a span holds its periods only", []Bill{bill(1, jan, 10000, false), bill(2, feb, 30000, false), bill(3, mar, 10000, false)},
			[]Payment{pay(1, 1, 20000)}, jan, feb, 2, 40000, 19430, 4857, true},
		{"truncated", []Bill{bill(1, feb, 30000, false)}, []Payment{pay(1, 1, 10000)}, feb, feb, 1, 30000, 10000, 3333, true},
	}
	today := Date{Year: 2026, Month: 3, Day: 15}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Collection{From: tt.from, To: tt.to}
			for _, line := range Statement(tt.bills, tt.pays, today, fees).Lines {
				c.Add(line)
			}
			bp, ok := c.RateBP()
			if c.Bills != tt.wantBills || c.BilledFen != tt.wantBilled || c.CollectedFen != tt.wantColl || bp != tt.wantBP || ok != tt.wantRate {
				t.Errorf("got %d bills, %d billed, %d collected, rate %d (%v); want %d, %d, %d, %d (%v)",
					c.Bills, c.BilledFen, c.CollectedFen, bp, ok, tt.wantBills, tt.wantBilled, tt.wantColl, tt.wantBP, tt.wantRate)
			}
		})
	}
	if from, to := YearOf(Month{2026, 7}); from != (Month{2026, 1}) || to != (Month{2026, 7}) {
		t.Errorf("YearOf 2026-07: got %s–%s, want 2026-01–2026-07", from, to)
	}
	huge := Collection{BilledFen: 900_000_000_000_000, CollectedFen: 899_999_999_999_999}
	if bp, _ := huge.RateBP(); bp != 9999 {
		t.Errorf("¥9 × 10^12 billed: got %d bp, want 9999 without overflow", bp)
	}
}
