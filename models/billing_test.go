package models

import (
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{Year: y, Month: m, Day: day} }

func TestDisputeAllowed(t *testing.T) {
	fees := DefaultPolicy().Fees // 5 days before due
	due := d(2026, 3, 10)
	tests := []struct {
		give Date
		want bool
	}{
		{d(2026, 3, 1), true},
		{d(2026, 3, 5), true}, // the last day
		{d(2026, 3, 6), false},
		{d(2026, 3, 10), false},
		{d(2026, 4, 1), false},
	}
	for _, tt := range tests {
		if got := DisputeAllowed(due, tt.give, fees); got != tt.want {
			t.Errorf("dispute on %s of a bill due %s: got %v, want %v", tt.give, due, got, tt.want)
		}
	}
}

func TestDisputeShiftDays(t *testing.T) {
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		give time.Duration
		want int
	}{
		{0, 0}, {-time.Hour, 0}, {time.Minute, 1}, {24 * time.Hour, 1}, {24*time.Hour + time.Second, 2}, {16 * Day, 16},
	}
	for _, tt := range tests {
		if got := DisputeShiftDays(start, start.Add(tt.give)); got != tt.want {
			t.Errorf("dispute open %v: got %d days, want %d", tt.give, got, tt.want)
		}
	}
}

func TestValidateInstalments(t *testing.T) {
	today := d(2026, 3, 7)
	tests := []struct {
		name  string
		give  []Instalment
		field string
	}{
		{"ok", []Instalment{{d(2026, 3, 7), 100}, {d(2026, 4, 7), 100}}, ""},
		{"none", nil, "instalments"},
		{"zero amount", []Instalment{{d(2026, 4, 1), 0}}, "instalments[0].amount_fen"},
		{"in the past", []Instalment{{d(2026, 3, 6), 100}}, "instalments[0].due"},
		{"not later", []Instalment{{d(2026, 4, 1), 100}, {d(2026, 4, 1), 100}}, "instalments[1].due"},
		{"too many", make([]Instalment, MaxInstalments+1), "instalments"},
	}
	for _, tt := range tests {
		err := ValidateInstalments(tt.give, today)
		var field string
		if ve, ok := err.(*ValidationError); ok {
			field = ve.Field
		}
		if field != tt.field {
			t.Errorf("%s: got %v, want field %q", tt.name, err, tt.field)
		}
	}
}

func TestHistoryClassifiesPayers(t *testing.T) {
	fees, dun := DefaultPolicy().Fees, DefaultPolicy().Dunning
	bill := func(id uint64, y int, m time.Month) Bill {
		p := Month{Year: y, Month: m}
		return Bill{ID: id, Period: p, Due: BillDueDate(p, fees), Principal: 30000}
	}
	current := bill(9, 2026, 2) // due 2026-03-10
	asOf := d(2026, 3, 20)
	tests := []struct {
		name      string
		bills     []Bill
		pays      []Payment
		wantLate  int
		wantFirst bool
		wantSeg   Segment
	}{
		{"first time late", []Bill{bill(1, 2025, 12), current}, []Payment{{ID: 1, Paid: d(2026, 1, 5), Amount: 30000}}, 1, true, SegmentGood},
		{"late once before", []Bill{bill(1, 2025, 12), current}, []Payment{{ID: 1, Paid: d(2026, 1, 15), Amount: 30090 * 2}}, 2, false, SegmentFastTrack},
		{"late long ago", []Bill{bill(1, 2024, 1), current}, []Payment{{ID: 1, Paid: d(2024, 3, 1), Amount: 40000}}, 1, false, SegmentStandard},
		{"paid on the due date", []Bill{current}, []Payment{{ID: 1, Paid: d(2026, 3, 10), Amount: 30000}}, 0, true, SegmentGood},
	}
	for _, tt := range tests {
		h := History(tt.bills, tt.pays, asOf, fees, dun)
		if h.LateBillsInWindow != tt.wantLate || h.FirstTimeLate != tt.wantFirst {
			t.Errorf("%s: got %+v, want %d late, first time %v", tt.name, h, tt.wantLate, tt.wantFirst)
		}
		if got := Classify(h, dun); got != tt.wantSeg {
			t.Errorf("%s: segment got %s, want %s", tt.name, got, tt.wantSeg)
		}
	}
}
