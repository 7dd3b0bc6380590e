package models

import (
	"testing"
	"time"
)

func TestDateWindow(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		ok   bool
	}{
		{"2016-12-06T10:00:00Z", true},
		{"2016-12-06T09:59:59Z", false},
		{"2036-12-06T10:00:00Z", true},
		{"2036-12-06T10:00:01Z", false},
		{"9999-12-31T23:59:59Z", false},
		{"0001-01-01T00:00:01Z", false},
	}
	for _, tt := range tests {
		at, err := time.Parse(time.RFC3339, tt.give)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckTime("at", at, now); (err == nil) != tt.ok {
			t.Errorf("CheckTime(%s): got %v, want ok=%v", tt.give, err, tt.ok)
		}
	}
	dates := []struct {
		give Date
		ok   bool
	}{
		{Date{2016, 12, 6}, true}, {Date{2016, 12, 5}, false}, {Date{2036, 12, 6}, true}, {Date{2036, 12, 7}, false},
	}
	for _, tt := range dates {
		if err := CheckDate("on", tt.give, now); (err == nil) != tt.ok {
			t.Errorf("CheckDate(%s): got %v, want ok=%v", tt.give, err, tt.ok)
		}
	}
	months := []struct {
		give Month
		ok   bool
	}{
		{Month{2016, 12}, true}, {Month{2016, 11}, false}, {Month{2036, 12}, true}, {Month{2037, 1}, false}, {Month{9999, 12}, false},
	}
	for _, tt := range months {
		if err := CheckMonth("period", tt.give, now); (err == nil) != tt.ok {
			t.Errorf("CheckMonth(%s): got %v, want ok=%v", tt.give, err, tt.ok)
		}
	}
}

func TestStorable(t *testing.T) {
	tests := []struct {
		give time.Time
		want bool
	}{
		{time.Time{}, true},
		{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := Storable(tt.give); got != tt.want {
			t.Errorf("Storable(%s): got %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestMoneyRules(t *testing.T) {
	acc := Account{Principal: 10000, Total: 11680, Lines: []AccountLine{
		{BillID: 7, Principal: 10000, LateFee: 1680, LateFeeWaived: 500, LateFeePaid: 180},
	}}
	waivers := []struct {
		amount Money
		bill   uint64
		ok     bool
	}{
		{1000, 7, true}, {1001, 7, false}, {1, 8, false},
	}
	for _, tt := range waivers {
		if err := CheckWaiver(tt.amount, tt.bill, acc); (err == nil) != tt.ok {
			t.Errorf("CheckWaiver(%d, bill %d): got %v, want ok=%v", tt.amount, tt.bill, err, tt.ok)
		}
	}
	plans := []struct {
		amounts []Money
		ok      bool
	}{
		{[]Money{9999}, false}, {[]Money{5000, 5000}, true}, {[]Money{11680}, true}, {[]Money{11681}, false},
		{[]Money{1 << 62, 1 << 62, 1 << 62}, false}, // saturates instead of wrapping to a small total
	}
	for _, tt := range plans {
		var list []Instalment
		for _, a := range tt.amounts {
			list = append(list, Instalment{AmountFen: a})
		}
		if err := CheckPlanTotal(list, acc); (err == nil) != tt.ok {
			t.Errorf("CheckPlanTotal(%v): got %v, want ok=%v", tt.amounts, err, tt.ok)
		}
	}
	today := Date{2026, 12, 6}
	instalments := []struct {
		give []Instalment
		ok   bool
	}{
		{[]Instalment{{Due: Date{2029, 12, 6}, AmountFen: 1}}, true},
		{[]Instalment{{Due: Date{2029, 12, 7}, AmountFen: 1}}, false},
		{[]Instalment{{Due: Date{2027, 1, 1}, AmountFen: MaxAmountFen}}, true},
		{[]Instalment{{Due: Date{2027, 1, 1}, AmountFen: MaxAmountFen + 1}}, false},
	}
	for _, tt := range instalments {
		if err := ValidateInstalments(tt.give, today); (err == nil) != tt.ok {
			t.Errorf("ValidateInstalments(%v): got %v, want ok=%v", tt.give, err, tt.ok)
		}
	}
}

func TestCheckTimeZone(t *testing.T) {
	for give, ok := range map[string]bool{"Asia/Shanghai": true, "UTC": true, "": false, "Local": false, "Mars/Olympus": false} {
		if err := CheckTimeZone("time_zone", give); (err == nil) != ok {
			t.Errorf("CheckTimeZone(%q): got %v, want ok=%v", give, err, ok)
		}
	}
}

func TestCheckAppointment(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	p := RepairPolicy{}
	in := now.Add(DefaultAppointmentHorizon.Std())
	out := in.Add(time.Second)
	if err := p.CheckAppointment(&in, now); err != nil {
		t.Errorf("at the default horizon: got %v, want nil", err)
	}
	if err := p.CheckAppointment(&out, now); err == nil {
		t.Errorf("past the default horizon: got nil, want an error")
	}
	p.AppointmentHorizon = Duration(Day)
	if err := p.CheckAppointment(&in, now); err == nil {
		t.Errorf("past a one-day horizon: got nil, want an error")
	}
}
