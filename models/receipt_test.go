package models

import (
	"reflect"
	"testing"
)

func TestReceiptNumber(t *testing.T) {
	tests := []struct {
		code string
		year int
		seq  int64
		want string
	}{
		{"YGHY", 2026, 1, "YGHY-2026-000001"},
		{"YGHY", 2026, 123, "YGHY-2026-000123"},
		{"A", 2027, 999999, "A-2027-999999"},
		{"A", 2027, 1234567, "A-2027-1234567"},
	}
	for _, tt := range tests {
		if got := ReceiptNumber(tt.code, tt.year, tt.seq); got != tt.want {
			t.Errorf("ReceiptNumber(%q, %d, %d): got %q, want %q", tt.code, tt.year, tt.seq, got, tt.want)
		}
	}
}

func TestPaymentItems(t *testing.T) {
	fees := DefaultPolicy().Fees
	fees.LateFeePerMille = 0
	jan, feb := Month{Year: 2026, Month: 1}, Month{Year: 2026, Month: 2}
	bills := []Bill{
		{ID: 1, Period: jan, Due: day(t, "2026-02-10"), Principal: 30000},
		{ID: 2, Period: feb, Due: day(t, "2026-03-10"), Principal: 30000},
	}
	pays := []Payment{
		{ID: 10, Paid: day(t, "2026-01-20"), Amount: 20000},
		{ID: 11, Paid: day(t, "2026-01-25"), Amount: 20000},
		{ID: 12, Paid: day(t, "2026-01-25"), Amount: 30000}, // same day, later ID
	}
	tests := []struct {
		name string
		id   uint64
		want []ReceiptItem
	}{
		{"first pays part of the oldest bill", 10, []ReceiptItem{{BillID: 1, Period: jan, Principal: 20000, AmountFen: 20000}}},
		{"second finishes it and starts the next", 11, []ReceiptItem{
			{BillID: 1, Period: jan, Principal: 10000, AmountFen: 10000},
			{BillID: 2, Period: feb, Principal: 10000, AmountFen: 10000}}},
		{"third finishes the last and leaves credit", 12, []ReceiptItem{
			{BillID: 2, Period: feb, Principal: 20000, AmountFen: 20000},
			{Credit: 10000, AmountFen: 10000}}},
		{"an unknown payment has none", 99, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PaymentItems(bills, pays, tt.id, fees)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPaymentItemsLateFee(t *testing.T) {
	fees := DefaultPolicy().Fees
	fees.LateFeePerMille = 1 // 1‰ a day, principal first
	fees.LateFeeCapPercent = 0
	fees.Allocation = AllocationPrincipalFirst
	jan := Month{Year: 2026, Month: 1}
	bills := []Bill{{ID: 1, Period: jan, Due: day(t, "2026-02-10"), Principal: 100000}}
	// Ten days late: 10 × 100 fen of late fee.
	pays := []Payment{{ID: 5, Paid: day(t, "2026-02-20"), Amount: 101000}}
	got := PaymentItems(bills, pays, 5, fees)
	want := []ReceiptItem{{BillID: 1, Period: jan, Principal: 100000, LateFee: 1000, AmountFen: 101000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
