package models

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"testing"
	"time"
)

// day parses "YYYY-MM-DD"; "" gives the zero Date.
func day(t testing.TB, s string) Date {
	t.Helper()
	if s == "" {
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestDateOf(t *testing.T) {
	loc := shanghai(t)
	tests := []struct {
		give time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 15, 59, 59, 0, time.UTC), "2026-11-23"},
		{time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC), "2026-11-24"}, // midnight in Shanghai
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01"},
	}
	for _, tt := range tests {
		if got := DateOf(tt.give, loc).String(); got != tt.want {
			t.Errorf("DateOf(%s): got %s, want %s", tt.give, got, tt.want)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name string
		give string
		add  int
		want string
	}{
		{"within a month", "2026-11-23", 7, "2026-11-30"},
		{"over a month end", "2026-01-31", 29, "2026-03-01"},
		{"over a leap day", "2028-02-28", 2, "2028-03-01"},
		{"onto a leap day", "2028-02-28", 1, "2028-02-29"},
		{"over a year end", "2026-12-31", 1, "2027-01-01"},
		{"backwards", "2026-03-01", -1, "2026-02-28"},
		{"before 1970", "1969-12-31", 1, "1970-01-01"},
		{"zero", "2026-11-23", 0, "2026-11-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, want := day(t, tt.give), day(t, tt.want)
			if got := from.AddDays(tt.add); got != want {
				t.Errorf("%s.AddDays(%d): got %s, want %s", from, tt.add, got, want)
			}
			if got := want.DaysSince(from); got != tt.add {
				t.Errorf("%s.DaysSince(%s): got %d, want %d", want, from, got, tt.add)
			}
			if got := want.After(from); got != (tt.add > 0) {
				t.Errorf("%s.After(%s): got %v, want %v", want, from, got, tt.add > 0)
			}
			if got := want.Before(from); got != (tt.add < 0) {
				t.Errorf("%s.Before(%s): got %v, want %v", want, from, got, tt.add < 0)
			}
		})
	}
}

func TestDateUnnormalized(t *testing.T) {
	give := Date{Year: 2026, Month: time.February, Day: 30}
	if got, want := give.String(), "2026-03-02"; got != want {
		t.Errorf("String(): got %s, want %s", got, want)
	}
	if got, want := give.AddDays(0), (Date{2026, time.March, 2}); got != want {
		t.Errorf("AddDays(0): got %v, want %v", got, want)
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Due Date  `json:"due"`
		Per Month `json:"per"`
	}
	give := doc{Due: Date{2026, time.November, 23}, Per: Month{2026, time.November}}
	b, err := json.Marshal(give)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"due":"2026-11-23","per":"2026-11"}`; string(b) != want {
		t.Errorf("Marshal: got %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if back != give {
		t.Errorf("Unmarshal(%s): got %+v, want %+v", b, back, give)
	}

	b, err = json.Marshal(doc{})
	if err != nil {
		t.Fatalf("Marshal(zero): %v", err)
	}
	if want := `{"due":"","per":""}`; string(b) != want {
		t.Errorf("Marshal(zero): got %s, want %s", b, want)
	}

	for _, bad := range []string{
		`{"due":"2026-2-3"}`, `{"due":"2026-02-30"}`, `{"due":"23/11/2026"}`, `{"due":20261123}`,
		`{"per":"2026-1"}`, `{"per":"2026-13"}`, `{"per":"2026-11-01"}`,
	} {
		var d doc
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s): got %+v, want an error", bad, d)
		}
	}
}

func TestBillDueDate(t *testing.T) {
	fees := DefaultPolicy().Fees
	tests := []struct {
		name   string
		give   Month
		dueDay int
		want   string
	}{
		{"next month's 10th", Month{2026, time.November}, 10, "2026-12-10"},
		{"over the year end", Month{2026, time.December}, 10, "2027-01-10"},
		{"day 28", Month{2026, time.January}, 28, "2026-02-28"},
		{"clamped to February's end", Month{2026, time.January}, 31, "2026-02-28"},
		{"clamped to a leap February", Month{2028, time.January}, 31, "2028-02-29"},
		{"clamped to day 1", Month{2026, time.January}, 0, "2026-02-01"},
	}
	for _, tt := range tests {
		fees.DueDay = tt.dueDay
		if got := BillDueDate(tt.give, fees).String(); got != tt.want {
			t.Errorf("%s: BillDueDate(%s, due day %d): got %s, want %s", tt.name, tt.give, tt.dueDay, got, tt.want)
		}
	}
}

func TestLateFee(t *testing.T) {
	base := DefaultPolicy().Fees // 30‱ (3‰) a day, capped at 100 %, no grace
	with := func(change func(*FeePolicy)) FeePolicy {
		f := base
		change(&f)
		return f
	}
	tests := []struct {
		name      string
		principal Money
		due, asOf string
		fees      FeePolicy
		want      Money
	}{
		{"before the due date", 10000, "2026-02-10", "2026-02-05", base, 0},
		{"on the due date", 10000, "2026-02-10", "2026-02-10", base, 0},
		{"first day after", 10000, "2026-02-10", "2026-02-11", base, 30},
		{"seven days: 10000 × 3‰ × 7 = 210", 10000, "2026-02-10", "2026-02-17", base, 210},
		{"0.999 fen truncates to 0", 333, "2026-02-10", "2026-02-11", base, 0},
		{"1.998 fen truncates to 1, not 0+0", 333, "2026-02-10", "2026-02-12", base, 1},
		{"2.997 fen truncates to 2", 333, "2026-02-10", "2026-02-13", base, 2},
		// Jan 31 → Mar 1 2026 is 29 days: 10000 × 3 × 29 / 1000 = 870.
		{"over a month end", 10000, "2026-01-31", "2026-03-01", base, 870},
		// 2028 is a leap year: Jan 31 → Mar 1 is 30 days.
		{"over a leap February", 10000, "2028-01-31", "2028-03-01", base, 900},
		{"due on a leap day", 10000, "2028-02-29", "2028-03-01", base, 30},
		{"over a leap day", 10000, "2028-02-28", "2028-03-01", base, 60},
		{"grace: last free day", 10000, "2026-02-10", "2026-02-15", with(func(f *FeePolicy) { f.GraceDays = 5 }), 0},
		{"grace: first fee day", 10000, "2026-02-10", "2026-02-16", with(func(f *FeePolicy) { f.GraceDays = 5 }), 30},
		{"grace: 10 − 5 days", 10000, "2026-02-10", "2026-02-20", with(func(f *FeePolicy) { f.GraceDays = 5 }), 150},
		{"negative grace counts as 0", 10000, "2026-02-10", "2026-02-11", with(func(f *FeePolicy) { f.GraceDays = -5 }), 30},
		// 400 days × 30 = 12000 fen, more than the principal.
		{"cap at 100 %", 10000, "2026-02-10", "2027-03-17", base, 10000},
		{"no cap at 0", 10000, "2026-02-10", "2027-03-17", with(func(f *FeePolicy) { f.LateFeeCapPercent = 0 }), 12000},
		{"cap at 10 %", 10000, "2026-02-10", "2026-05-21", with(func(f *FeePolicy) { f.LateFeeCapPercent = 10 }), 1000},
		{"just under the cap", 10000, "2026-02-10", "2026-02-21", with(func(f *FeePolicy) { f.LateFeeCapPercent = 10 }), 330},
		// 333 × 10 % = 33.3 → 33.
		{"the cap truncates too", 333, "2026-02-10", "2027-02-10", with(func(f *FeePolicy) { f.LateFeeCapPercent = 10 }), 33},
		{"no rate", 10000, "2026-02-10", "2026-03-10", with(func(f *FeePolicy) { f.LateFeePerTenThousand = 0 }), 0},
		{"negative rate", 10000, "2026-02-10", "2026-03-10", with(func(f *FeePolicy) { f.LateFeePerTenThousand = -30 }), 0},
		{"negative principal", -10000, "2026-02-10", "2026-03-10", base, 0},
		// The fee in ten-thousandths of a fen saturates at MaxInt64.
		{"saturates", math.MaxInt64, "2026-02-10", "2036-02-10", base, math.MaxInt64 / 10000},
		// A contract's 万分之五: 10000 × 5‱ × 7 = 35.
		{"万分之五 for seven days", 10000, "2026-02-10", "2026-02-17", with(func(f *FeePolicy) { f.LateFeePerTenThousand = 5 }), 35},
		// 3333 × 5‱ = 1.6665 → 1; two days 3.333 → 3.
		{"万分之五 truncates", 3333, "2026-02-10", "2026-02-11", with(func(f *FeePolicy) { f.LateFeePerTenThousand = 5 }), 1},
		{"万分之五 accrues exactly", 3333, "2026-02-10", "2026-02-12", with(func(f *FeePolicy) { f.LateFeePerTenThousand = 5 }), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, asOf := day(t, tt.due), day(t, tt.asOf)
			if got := LateFee(tt.principal, due, asOf, tt.fees); got != tt.want {
				t.Errorf("LateFee(%d, %s, %s): got %d, want %d", tt.principal, due, asOf, got, tt.want)
			}
		})
	}
}

// lineSum is the part of an AccountLine the statement tests check.
type lineSum struct {
	ID                                                   uint64
	PrincipalPaid, LateFee, Waived, FeePaid, Outstanding Money
	DaysOverdue                                          int
}

// accountSum is the part of an Account the statement tests check.
type accountSum struct {
	Lines                                   []lineSum
	Principal, LateFee, Paid, Credit, Total Money
	Oldest                                  string
}

func summarize(a Account) accountSum {
	s := accountSum{Principal: a.Principal, LateFee: a.LateFee, Paid: a.Paid, Credit: a.Credit, Total: a.Total}
	for _, l := range a.Lines {
		s.Lines = append(s.Lines, lineSum{l.BillID, l.PrincipalPaid, l.LateFee, l.LateFeeWaived, l.LateFeePaid, l.Outstanding, l.DaysOverdue})
	}
	if a.OldestUnpaidDue != nil {
		s.Oldest = a.OldestUnpaidDue.String()
	}
	return s
}

// A policy's JSON from before the rate was kept in ‱ charges what it did:
// late_fee_per_mille × 10; a policy naming the ‱ rate takes it as given.
func TestFeePolicyLateFeeRateJSON(t *testing.T) {
	tests := []struct {
		name string
		give string
		want int // ‱
		fee  Money
	}{
		{"old policy, 3‰", `{"due_day":10,"late_fee_per_mille":3,"late_fee_cap_percent":100}`, 30, 210},
		{"old policy, no late fee", `{"due_day":10,"late_fee_per_mille":0}`, 0, 0},
		{"new policy, 万分之五", `{"due_day":10,"late_fee_per_ten_thousand":5,"late_fee_cap_percent":100}`, 5, 35},
		{"the ‱ rate wins over the old one", `{"late_fee_per_ten_thousand":5,"late_fee_per_mille":3}`, 5, 35},
		{"the ‱ rate 0 disables", `{"late_fee_per_ten_thousand":0,"late_fee_per_mille":3}`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f FeePolicy
			if err := json.Unmarshal([]byte(tt.give), &f); err != nil {
				t.Fatal(err)
			}
			if f.LateFeePerMille != 0 {
				t.Errorf("late_fee_per_mille: got %d, want 0 once read", f.LateFeePerMille)
			}
			if f.LateFeePerTenThousand != tt.want {
				t.Errorf("late_fee_per_ten_thousand: got %d, want %d", f.LateFeePerTenThousand, tt.want)
			}
			// 10000 fen, seven days late.
			if got := LateFee(10000, Date{2026, time.February, 10}, Date{2026, time.February, 17}, f); got != tt.fee {
				t.Errorf("LateFee: got %d, want %d", got, tt.fee)
			}
		})
	}
	// A whole Policy (as a workflow input carries it) reads the same way.
	var p Policy
	if err := json.Unmarshal([]byte(`{"fees":{"late_fee_per_mille":2}}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Fees.LateFeePerTenThousand != 20 {
		t.Errorf("Policy.Fees.LateFeePerTenThousand: got %d, want 20", p.Fees.LateFeePerTenThousand)
	}
	// And the default survives a round trip.
	b, _ := json.Marshal(DefaultPolicy().Fees)
	var back FeePolicy
	if err := json.Unmarshal(b, &back); err != nil || back.LateFeePerTenThousand != 30 {
		t.Errorf("round trip of %s: got %d (%v), want 30", b, back.LateFeePerTenThousand, err)
	}
}

func TestStatement(t *testing.T) {
	feesPF := DefaultPolicy().Fees // principal first, 3‰, cap 100 %, no grace
	feesLF := feesPF
	feesLF.Allocation = AllocationLateFeeFirst
	feesGrace := feesPF
	feesGrace.GraceDays = 5

	jan := Bill{ID: 1, Period: Month{2026, time.January}, Due: Date{2026, time.February, 10}, Principal: 10000}
	feb := Bill{ID: 2, Period: Month{2026, time.February}, Due: Date{2026, time.March, 10}, Principal: 10000}
	waived := func(b Bill, w Money) Bill { b.Waived = w; return b }
	disputed := func(b Bill) Bill { b.Disputed = true; return b }
	pay := func(id uint64, paid string, amount Money) Payment {
		return Payment{ID: id, Paid: day(t, paid), Amount: amount}
	}

	tests := []struct {
		name     string
		bills    []Bill
		payments []Payment
		asOf     string
		fees     FeePolicy
		want     accountSum
	}{
		{
			name: "unpaid, not yet due", bills: []Bill{jan}, asOf: "2026-02-10", fees: feesPF,
			want: accountSum{Lines: []lineSum{{1, 0, 0, 0, 0, 10000, 0}}, Principal: 10000, Total: 10000, Oldest: "2026-02-10"},
		},
		{
			// 10 days × 10000 × 3‰ = 300.
			name: "unpaid, 10 days overdue", bills: []Bill{jan}, asOf: "2026-02-20", fees: feesPF,
			want: accountSum{Lines: []lineSum{{1, 0, 300, 0, 0, 10300, 10}}, Principal: 10000, LateFee: 300, Total: 10300, Oldest: "2026-02-10"},
		},
		{
			name: "paid before the due date: no fee", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-05", 10000)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 0, 0, 0, 0, 0}}, Paid: 10000},
		},
		{
			name: "paid on the due date: no fee", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-10", 10000)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 0, 0, 0, 0, 0}}, Paid: 10000},
		},
		{
			// The payment day itself is a fee day: 30 fen, left unpaid
			// because the principal took the whole payment.
			name: "principal paid the day after: one day's fee stays", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-11", 10000)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 30, 0, 0, 30, 50}}, LateFee: 30, Paid: 10000, Total: 30, Oldest: "2026-02-10"},
		},
		{
			name: "grace: paid on the last grace day", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesGrace,
			payments: []Payment{pay(1, "2026-02-15", 10000)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 0, 0, 0, 0, 0}}, Paid: 10000},
		},
		{
			// Feb 20: 10 days × 10000 × 3‰ = 300 accrued; 5000 pays
			// principal, 5000 left. Feb 21..Mar 2 (10 days) on 5000: 150.
			// Fee 450, none paid; owed 5000 + 450 = 5450.
			name: "partial payment, principal first", bills: []Bill{jan}, asOf: "2026-03-02", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-20", 5000)},
			want:     accountSum{Lines: []lineSum{{1, 5000, 450, 0, 0, 5450, 20}}, Principal: 5000, LateFee: 450, Paid: 5000, Total: 5450, Oldest: "2026-02-10"},
		},
		{
			// Feb 20: 300 accrued; 5000 pays the 300 fee, then 4700 of
			// principal, 5300 left. 10 days on 5300: 159. Fee 459, 300
			// paid; owed 5300 + 159 = 5459.
			name: "partial payment, late fee first", bills: []Bill{jan}, asOf: "2026-03-02", fees: feesLF,
			payments: []Payment{pay(1, "2026-02-20", 5000)},
			want:     accountSum{Lines: []lineSum{{1, 4700, 459, 0, 300, 5459, 20}}, Principal: 5300, LateFee: 159, Paid: 5000, Total: 5459, Oldest: "2026-02-10"},
		},
		{
			// As above, then Mar 2 pays the 5000 principal and 450 fee.
			name: "second payment settles it, principal first", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesPF,
			payments: []Payment{pay(2, "2026-03-02", 5450), pay(1, "2026-02-20", 5000)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 450, 0, 450, 0, 0}}, Paid: 10450},
		},
		{
			// As above, then Mar 2 pays the 159 fee and 5300 principal.
			name: "second payment settles it, late fee first", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesLF,
			payments: []Payment{pay(1, "2026-02-20", 5000), pay(2, "2026-03-02", 5459)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 459, 0, 459, 0, 0}}, Paid: 10459},
		},
		{
			// Feb 20 owes 10000 + 300; 10500 leaves 200 over.
			name: "overpayment becomes credit", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-20", 10500)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 300, 0, 300, 0, 0}}, Paid: 10500, Credit: 200},
		},
		{
			name: "overpayment becomes credit, late fee first", bills: []Bill{jan}, asOf: "2026-04-01", fees: feesLF,
			payments: []Payment{pay(1, "2026-02-20", 10500)},
			want:     accountSum{Lines: []lineSum{{1, 10000, 300, 0, 300, 0, 0}}, Paid: 10500, Credit: 200},
		},
		{
			name: "partial waiver", bills: []Bill{waived(jan, 100)}, asOf: "2026-02-20", fees: feesPF,
			want: accountSum{Lines: []lineSum{{1, 0, 300, 100, 0, 10200, 10}}, Principal: 10000, LateFee: 200, Total: 10200, Oldest: "2026-02-10"},
		},
		{
			name: "full waiver never goes below zero", bills: []Bill{waived(jan, 1000)}, asOf: "2026-02-20", fees: feesPF,
			want: accountSum{Lines: []lineSum{{1, 0, 300, 300, 0, 10000, 10}}, Principal: 10000, Total: 10000, Oldest: "2026-02-10"},
		},
		{
			// Feb 20: 300 accrued, 100 waived, so 5000 pays a 200 fee and
			// 4800 of principal, 5200 left. 10 days on 5200: 156. Fee 456,
			// 100 waived, 200 paid: 156 owed, plus 5200 = 5356.
			name: "waiver with late fee first", bills: []Bill{waived(jan, 100)}, asOf: "2026-03-02", fees: feesLF,
			payments: []Payment{pay(1, "2026-02-20", 5000)},
			want:     accountSum{Lines: []lineSum{{1, 4800, 456, 100, 200, 5356, 20}}, Principal: 5200, LateFee: 156, Paid: 5000, Total: 5356, Oldest: "2026-02-10"},
		},
		{
			// Mar 15: January's bill owes 33 days × 30 = 990 and February's
			// 5 days × 30 = 150. 15000 pays January's 10000 and 990, then
			// 4010 of February's principal, 5990 left. Mar 16..25 on 5990:
			// 179.7, so February's fee is 150 + 179.7 = 329.7 → 329.
			name: "several bills, oldest first", bills: []Bill{feb, jan}, asOf: "2026-03-25", fees: feesPF,
			payments: []Payment{pay(1, "2026-03-15", 15000)},
			want: accountSum{
				Lines: []lineSum{
					{1, 10000, 990, 0, 990, 0, 0},
					{2, 4010, 329, 0, 0, 6319, 15},
				},
				Principal: 5990, LateFee: 329, Paid: 15000, Total: 6319, Oldest: "2026-03-10",
			},
		},
		{
			// Feb 11: 1002 thousandths accrued on 334, the payment takes 1
			// fen of principal. Feb 12: 999 on 333. Once: 2001 → 2 fen
			// (rounding each segment would give 1 + 0).
			name: "truncated once across payments", asOf: "2026-02-12", fees: feesPF,
			bills:    []Bill{{ID: 7, Period: jan.Period, Due: jan.Due, Principal: 334}},
			payments: []Payment{pay(1, "2026-02-11", 1)},
			want:     accountSum{Lines: []lineSum{{7, 1, 2, 0, 0, 335, 2}}, Principal: 333, LateFee: 2, Paid: 1, Total: 335, Oldest: "2026-02-10"},
		},
		{
			// January is disputed: no fee, no payment. 10000 pays
			// February's principal on Mar 15; its 5-day fee (150) stays.
			name: "disputed bill is skipped", bills: []Bill{disputed(jan), feb}, asOf: "2026-03-25", fees: feesPF,
			payments: []Payment{pay(1, "2026-03-15", 10000)},
			want: accountSum{
				Lines: []lineSum{
					{1, 0, 0, 0, 0, 10000, 43},
					{2, 10000, 150, 0, 0, 150, 15},
				},
				Principal: 10000, LateFee: 150, Paid: 10000, Total: 10150, Oldest: "2026-03-10",
			},
		},
		{
			name: "payment with only a disputed bill is credit", bills: []Bill{disputed(jan)}, asOf: "2026-03-25", fees: feesPF,
			payments: []Payment{pay(1, "2026-03-15", 3000)},
			want:     accountSum{Lines: []lineSum{{1, 0, 0, 0, 0, 10000, 43}}, Principal: 10000, Paid: 3000, Credit: 3000, Total: 10000},
		},
		{
			name: "payments after the statement date are ignored", bills: []Bill{jan}, asOf: "2026-02-20", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-21", 10300), pay(2, "2026-02-20", 0), pay(3, "2026-02-20", -50)},
			want:     accountSum{Lines: []lineSum{{1, 0, 300, 0, 0, 10300, 10}}, Principal: 10000, LateFee: 300, Total: 10300, Oldest: "2026-02-10"},
		},
		{
			name: "no bills", asOf: "2026-02-20", fees: feesPF,
			payments: []Payment{pay(1, "2026-02-01", 500)},
			want:     accountSum{Paid: 500, Credit: 500},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bills, payments := slices.Clone(tt.bills), slices.Clone(tt.payments)
			got := summarize(Statement(tt.bills, tt.payments, day(t, tt.asOf), tt.fees))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Statement:\ngot  %+v\nwant %+v", got, tt.want)
			}
			if !slices.Equal(tt.bills, bills) || !slices.Equal(tt.payments, payments) {
				t.Errorf("Statement modified its arguments: got %v %v, want %v %v", tt.bills, tt.payments, bills, payments)
			}
		})
	}
}

func TestStatementLine(t *testing.T) {
	give := Bill{ID: 9, Period: Month{2026, time.January}, Due: Date{2026, time.February, 10}, Principal: 10000, Waived: 50}
	got := Statement([]Bill{give}, nil, Date{2026, time.February, 20}, DefaultPolicy().Fees)
	want := AccountLine{
		BillID: 9, Period: give.Period, Due: give.Due, Principal: 10000,
		LateFee: 300, LateFeeWaived: 50, Outstanding: 10250, DaysOverdue: 10,
	}
	if len(got.Lines) != 1 || got.Lines[0] != want {
		t.Errorf("Statement lines: got %+v, want [%+v]", got.Lines, want)
	}
}

// An unpaid bill's statement fee is LateFee's, every day for over a year.
func TestStatementMatchesLateFee(t *testing.T) {
	bill := Bill{ID: 1, Due: Date{2028, time.January, 10}, Principal: 12345}
	for _, grace := range []int{0, 3, math.MaxInt} {
		fees := DefaultPolicy().Fees
		fees.GraceDays = grace
		for n := -5; n < 400; n++ {
			asOf := bill.Due.AddDays(n)
			want := LateFee(bill.Principal, bill.Due, asOf, fees)
			if got := Statement([]Bill{bill}, nil, asOf, fees).LateFee; got != want {
				t.Fatalf("grace %d: Statement(%s).LateFee: got %d, want LateFee's %d", grace, asOf, got, want)
			}
		}
	}
}

// FuzzLateFee checks that the late fee is never negative, never decreases as
// asOf moves on, never exceeds the cap, and equals the exact formula whenever
// that fits in int64.
func FuzzLateFee(f *testing.F) {
	f.Add(int64(10000), 30, 100, 0, 7, 30)
	f.Add(int64(333), 30, 0, 0, 1, 1)
	f.Add(int64(math.MaxInt64), 1000, 1000, 0, 100000, 5)
	f.Add(int64(-5), 30, 100, 5, 10, 10)
	f.Add(int64(10000), 30, 10, 90, -20, 400)
	f.Add(int64(10000), 30, 0, math.MaxInt, -900000, 5)
	due := Date{2028, time.February, 29}
	f.Fuzz(func(t *testing.T, principal int64, rate, capPercent, grace, days, more int) {
		fees := FeePolicy{LateFeePerTenThousand: rate, LateFeeCapPercent: capPercent, GraceDays: grace}
		asOf := due.AddDays(days % 1_000_000)
		later := asOf.AddDays(abs(more % 1_000_000))
		fee := LateFee(Money(principal), due, asOf, fees)
		feeLater := LateFee(Money(principal), due, later, fees)
		desc := fmt.Sprintf("principal %d, %d‱, cap %d%%, grace %d", principal, rate, capPercent, fees.GraceDays)
		if fee < 0 {
			t.Fatalf("%s: LateFee(%s): got %d, want at least 0", desc, asOf, fee)
		}
		if feeLater < fee {
			t.Fatalf("%s: LateFee(%s) = %d: got less than LateFee(%s) = %d", desc, later, feeLater, asOf, fee)
		}
		feeDays := new(big.Int).Sub(big.NewInt(int64(asOf.DaysSince(due))), big.NewInt(int64(max(grace, 0))))
		if feeDays.Sign() < 0 {
			feeDays.SetInt64(0)
		}
		exact := new(big.Int).Mul(big.NewInt(principal), big.NewInt(int64(rate)))
		exact.Mul(exact, feeDays)
		if principal <= 0 || rate <= 0 {
			exact.SetInt64(0)
		}
		fitsFrac := exact.IsInt64()
		exact.Quo(exact, big.NewInt(10000))
		if capPercent > 0 && principal > 0 {
			limit := new(big.Int).Mul(big.NewInt(principal), big.NewInt(int64(capPercent)))
			limit.Quo(limit, big.NewInt(100))
			if big.NewInt(int64(fee)).Cmp(limit) > 0 {
				t.Fatalf("%s: LateFee(%s): got %d, want at most the cap %s", desc, asOf, fee, limit)
			}
			if limit.Cmp(exact) < 0 {
				exact = limit
			}
		}
		if fitsFrac && big.NewInt(int64(fee)).Cmp(exact) != 0 {
			t.Fatalf("%s: LateFee(%s): got %d, want %s", desc, asOf, fee, exact)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// The statement says which bills may be disputed on its date: outstanding,
// not disputed, and before the window closes DisputeBeforeDueDays ahead of
// the due date.
func TestStatementSaysWhichBillsMayBeDisputed(t *testing.T) {
	fees := DefaultPolicy().Fees
	fees.DisputeBeforeDueDays = 5
	due := d(2026, time.March, 10)
	for _, tc := range []struct {
		name     string
		bill     Bill
		payments []Payment
		asOf     Date
		want     bool
	}{
		{"unpaid, window open", Bill{ID: 1, Due: due, Principal: 10000}, nil, d(2026, time.March, 5), true},
		{"unpaid, window closed", Bill{ID: 1, Due: due, Principal: 10000}, nil, d(2026, time.March, 6), false},
		{"already disputed", Bill{ID: 1, Due: due, Principal: 10000, Disputed: true}, nil, d(2026, time.March, 1), false},
		{"paid in full", Bill{ID: 1, Due: due, Principal: 10000}, []Payment{{Paid: d(2026, time.February, 20), Amount: 10000}}, d(2026, time.March, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := Statement([]Bill{tc.bill}, tc.payments, tc.asOf, fees)
			if got := acc.Lines[0].Disputable; got != tc.want {
				t.Errorf("disputable on %s: got %v, want %v (line %+v)", tc.asOf, got, tc.want, acc.Lines[0])
			}
		})
	}
}
