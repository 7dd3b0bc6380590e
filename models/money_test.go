package models

import (
	"encoding/json"
	"math"
	"testing"
)

func TestMoneyString(t *testing.T) {
	tests := []struct {
		give     Money
		want     string
		wantYuan string
	}{
		{0, "¥0.00", "0.00"},
		{5, "¥0.05", "0.05"},
		{99, "¥0.99", "0.99"},
		{100, "¥1.00", "1.00"},
		{99999, "¥999.99", "999.99"},
		{100000, "¥1,000.00", "1000.00"},
		{123456, "¥1,234.56", "1234.56"},
		{100000000, "¥1,000,000.00", "1000000.00"},
		{-5, "-¥0.05", "-0.05"},
		{-123456, "-¥1,234.56", "-1234.56"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.give.String(); got != tt.want {
			t.Errorf("Money(%d).String(): got %q, want %q", int64(tt.give), got, tt.want)
		}
		if got := tt.give.Yuan(); got != tt.wantYuan {
			t.Errorf("Money(%d).Yuan(): got %q, want %q", int64(tt.give), got, tt.wantYuan)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	type doc struct {
		Amount Money `json:"amount"`
	}
	tests := []struct {
		give Money
		want string
	}{
		{0, `{"amount":0}`},
		{123456, `{"amount":123456}`},
		{-1, `{"amount":-1}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(doc{tt.give})
		if err != nil {
			t.Fatalf("Marshal(%d): %v", int64(tt.give), err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%d): got %s, want %s", int64(tt.give), b, tt.want)
		}
		var back doc
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if back.Amount != tt.give {
			t.Errorf("Unmarshal(%s): got %d, want %d", b, int64(back.Amount), int64(tt.give))
		}
	}
}

func TestMulSatAddSat(t *testing.T) {
	tests := []struct {
		name    string
		a, b    int64
		wantMul int64
		wantAdd int64
	}{
		{"small", 3, 4, 12, 7},
		{"zero", 0, math.MaxInt64, 0, math.MaxInt64},
		{"at the limit", math.MaxInt64 / 2, 2, math.MaxInt64 - 1, math.MaxInt64/2 + 2},
		{"over the limit", math.MaxInt64/2 + 1, 2, math.MaxInt64, math.MaxInt64/2 + 3},
		{"both huge", math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := mulSat(tt.a, tt.b); got != tt.wantMul {
			t.Errorf("%s: mulSat(%d, %d): got %d, want %d", tt.name, tt.a, tt.b, got, tt.wantMul)
		}
		if got := addSat(tt.a, tt.b); got != tt.wantAdd {
			t.Errorf("%s: addSat(%d, %d): got %d, want %d", tt.name, tt.a, tt.b, got, tt.wantAdd)
		}
	}
}
