// Late fees and the statement of account: the arithmetic every screen, message
// and evidence pack uses to say what a household owes.
//
// Late fee (滞纳金). A bill is due on FeePolicy.DueDay of the month after its
// period. The fee is FeePolicy.LateFeePerTenThousand ‱ of the overdue principal for
// every day after the due date plus FeePolicy.GraceDays: with no grace a bill
// due on the 10th owes one day's fee on the 11th, also if it is paid that day.
//
// Rounding, stated once: a bill's late fee is accrued exactly, in ten-
// thousandths of a fen, and its running total is truncated toward zero to the
// fen whenever it is read (in the resident's favour). It is never rounded day
// by day or payment by payment: 333 fen at 30‱ owes 0 fen after one day
// (0.999) but 1 fen after two (1.998). FeePolicy.LateFeeCapPercent > 0 caps a bill's total late
// fee at that percent of its principal, also truncated to the fen. Amounts too
// large for int64 saturate instead of wrapping.
//
// Allocation, stated once. Statement applies payments in date order (ties by
// ID). Each payment settles the bills oldest first (by due date, ties by ID);
// it finishes one bill, principal and late fee, before it touches the next.
// Within a bill FeePolicy.Allocation decides the order: principal_first (the
// default) pays the outstanding principal and then the late fee accrued up to
// and including the payment date; late_fee_first pays that late fee first.
// From the day after the payment the late fee accrues only on the principal
// still outstanding, so paying the principal stops the fee from growing. A
// manager's waiver forgives that much of the bill's (capped) late fee, never
// more than it. A disputed bill owes no late fee at all and no payment is
// applied to it until finance resolves the dispute; its principal still shows
// as owed. Money left over once every undisputed bill is settled is Credit.

package models

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Date is a civil date in an estate's time zone, with no time of day. Values
// made by this package are normalized (Day within its month); methods also
// accept unnormalized values, reading 2026-02-30 as 2026-03-02. The zero Date
// means "no date". In JSON it is the string "2026-11-23" ("" for the zero Date).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in loc (t's own location when loc is nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a strict "YYYY-MM-DD" date.
func ParseDate(s string) (Date, error) {
	t, err := parseDate(s)
	if err != nil {
		return Date{}, err
	}
	return DateOf(t, nil), nil
}

// In returns the first instant of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC), nil)
}

// DaysSince returns the number of days from other to d: positive when d is
// later, 0 on the same date.
func (d Date) DaysSince(other Date) int {
	return d.days() - other.days()
}

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool { return d.days() < other.days() }

// After reports whether d is later than other.
func (d Date) After(other Date) bool { return d.days() > other.days() }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns d as "2026-11-23", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.In(time.UTC).Format(dateLayout)
}

// MarshalText encodes d as "2026-11-23"; encoding/json writes it as a string.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "2026-11-23", or "" as the zero Date.
func (d *Date) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// days numbers d's days from 1970-01-01.
func (d Date) days() int {
	return int(d.In(time.UTC).Unix() / 86400)
}

// Month is a billing period, one calendar month. In JSON it is "2026-11" (""
// for the zero Month).
type Month struct {
	Year  int
	Month time.Month
}

// String returns m as "2026-11", or "" for the zero Month.
func (m Month) String() string {
	if m == (Month{}) {
		return ""
	}
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// MarshalText encodes m as "2026-11"; encoding/json writes it as a string.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText decodes a strict "YYYY-MM", or "" as the zero Month.
func (m *Month) UnmarshalText(text []byte) error {
	s := string(text)
	if s == "" {
		*m = Month{}
		return nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Format("2006-01") != s {
		return fmt.Errorf("“%s”无效，应为 YYYY-MM 格式的月份", s)
	}
	*m = Month{Year: t.Year(), Month: t.Month()}
	return nil
}

// BillDueDate returns the date the bill for period is due: fees.DueDay of the
// following month (the 10th by default, seed 004 §4.2). A DueDay outside the
// month is clamped to its first or last day.
func BillDueDate(period Month, fees FeePolicy) Date {
	first := time.Date(period.Year, period.Month+1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := min(max(fees.DueDay, 1), last)
	return Date{Year: first.Year(), Month: first.Month(), Day: day}
}

// LateFee returns the late fee owed as of asOf on principal left unpaid since
// due: fees.LateFeePerTenThousand ‱ of principal for each of the
// max(0, asOf − due − fees.GraceDays) days, i.e. principal × rate × days /
// 10000 computed once and truncated toward zero to the fen, then capped at
// fees.LateFeeCapPercent % of principal (truncated; a cap of 0 means none).
// It is never negative: a non-positive principal, rate or day count owes
// nothing, and a negative GraceDays counts as 0.
func LateFee(principal Money, due, asOf Date, fees FeePolicy) Money {
	days, grace := asOf.DaysSince(due), max(fees.GraceDays, 0)
	if days <= grace {
		return 0
	}
	days -= grace
	frac := mulSat(mulSat(int64(principal), int64(fees.LateFeePerTenThousand)), int64(days))
	return capFee(frac/lateFeeScale, principal, fees)
}

// lateFeeScale is the late-fee rate's denominator: ‱.
const lateFeeScale = 10000

// capFee limits a bill's late fee to fees.LateFeeCapPercent % of principal.
func capFee(fee int64, principal Money, fees FeePolicy) Money {
	if fees.LateFeeCapPercent > 0 {
		fee = min(fee, mulSat(int64(principal), int64(fees.LateFeeCapPercent))/100)
	}
	return Money(max(fee, 0))
}

// Bill is the arithmetic view of one monthly bill, not a database entity.
type Bill struct {
	ID     uint64 `json:"id"`
	Period Month  `json:"period"`
	Due    Date   `json:"due"`
	// Principal is the amount billed; Principal + Adjusted (the bill's
	// credit and debit notes) below zero counts as zero.
	Principal Money `json:"principal"`
	Adjusted  Money `json:"adjusted"`
	// Waived is the late fee a manager has waived on this bill.
	Waived Money `json:"waived"`
	// Disputed: the resident disputes the bill and finance has not resolved
	// it. The bill owes no late fee and takes no payment meanwhile. When the
	// dispute is resolved the caller passes Disputed false and, if the
	// disputed time must not cost the resident, a later Due.
	Disputed bool `json:"disputed"`
}

// Payment is the arithmetic view of one payment by the household. Amounts of
// zero or less are ignored.
type Payment struct {
	ID     uint64 `json:"id"`
	Paid   Date   `json:"paid"`
	Amount Money  `json:"amount"`
}

// Account is what a household owes as of a date.
type Account struct {
	// Lines are the bills, oldest first.
	Lines []AccountLine `json:"lines"`
	// Principal is the principal still outstanding over all bills.
	Principal Money `json:"principal"`
	// LateFee is the late fee still outstanding, after waivers and payments.
	LateFee Money `json:"late_fee"`
	// Paid is the sum of the payments made up to the statement date.
	Paid Money `json:"paid"`
	// Credit is money paid beyond every bill that could take it, held on
	// account; it is not netted against Total.
	Credit Money `json:"credit"`
	// Total is Principal + LateFee: the amount owed.
	Total Money `json:"total"`
	// OldestUnpaidDue is the due date of the oldest undisputed bill with
	// anything outstanding, possibly still in the future; nil when there is
	// none. Dunning counts from it.
	OldestUnpaidDue *Date `json:"oldest_unpaid_due"`
}

// AccountLine is one bill on an Account.
type AccountLine struct {
	BillID        uint64 `json:"bill_id"`
	Period        Month  `json:"period"`
	Due           Date   `json:"due"`
	Principal     Money  `json:"principal"`
	PrincipalPaid Money  `json:"principal_paid"`
	// LateFee is the late fee accrued, after the cap and before the waiver.
	LateFee Money `json:"late_fee"`
	// LateFeeWaived is the part of LateFee a manager waived.
	LateFeeWaived Money `json:"late_fee_waived"`
	LateFeePaid   Money `json:"late_fee_paid"`
	// Outstanding is Principal − PrincipalPaid + LateFee − LateFeeWaived −
	// LateFeePaid.
	Outstanding Money `json:"outstanding"`
	// DaysOverdue counts the days since Due while anything is outstanding.
	DaysOverdue int  `json:"days_overdue"`
	Disputed    bool `json:"disputed"`
	// Disputable: the bill may be disputed on the statement date: something
	// is outstanding, no dispute is open, and its window before the due date
	// has not closed (DisputeAllowed).
	Disputable bool `json:"disputable"`
}

// Waivable reports whether part of the bill's late fee is still owed, and so
// may be waived.
func (l AccountLine) Waivable() bool { return l.LateFee-l.LateFeeWaived-l.LateFeePaid > 0 }

// Statement returns the account as of asOf: bills settled by the payments
// made up to and including asOf (later ones are ignored) under the allocation
// rule in this file's comment, and late fees accrued to asOf. It is a pure
// function of its arguments and does not modify them.
func Statement(bills []Bill, payments []Payment, asOf Date, fees FeePolicy) Account {
	states := make([]*billState, len(bills))
	for i, b := range bills {
		states[i] = newBillState(b, fees)
	}
	slices.SortStableFunc(states, func(a, b *billState) int {
		return cmp.Or(a.bill.Due.DaysSince(b.bill.Due), cmp.Compare(a.bill.ID, b.bill.ID))
	})
	pays := slices.Clone(payments)
	slices.SortStableFunc(pays, func(a, b Payment) int {
		return cmp.Or(a.Paid.DaysSince(b.Paid), cmp.Compare(a.ID, b.ID))
	})

	var acc Account
	for _, p := range pays {
		if p.Amount <= 0 || p.Paid.After(asOf) {
			continue
		}
		acc.Paid = Money(addSat(int64(acc.Paid), int64(p.Amount)))
		left := p.Amount
		for _, s := range states {
			if left == 0 {
				break
			}
			if s.bill.Disputed {
				continue
			}
			s.accrue(p.Paid)
			left = s.settle(left, fees.Allocation)
		}
		acc.Credit = Money(addSat(int64(acc.Credit), int64(left)))
	}

	acc.Lines = make([]AccountLine, 0, len(states))
	for _, s := range states {
		s.accrue(asOf)
		l := s.line(asOf)
		l.Disputable = l.Outstanding > 0 && !l.Disputed && DisputeAllowed(l.Due, asOf, fees)
		acc.Lines = append(acc.Lines, l)
		acc.Principal = Money(addSat(int64(acc.Principal), int64(l.Principal-l.PrincipalPaid)))
		acc.LateFee = Money(addSat(int64(acc.LateFee), int64(l.LateFee-l.LateFeeWaived-l.LateFeePaid)))
		if acc.OldestUnpaidDue == nil && l.Outstanding > 0 && !l.Disputed {
			due := l.Due
			acc.OldestUnpaidDue = &due
		}
	}
	acc.Total = Money(addSat(int64(acc.Principal), int64(acc.LateFee)))
	return acc
}

// billState is one bill while Statement works through the payments.
type billState struct {
	bill      Bill
	principal Money // the amount billed, at least 0
	out       Money // principal still outstanding
	frac      int64 // late fee accrued, in ten-thousandths of a fen
	accrued   int   // the late-fee days up to and including this day number are in frac
	rate      int64 // ‱ per day
	fees      FeePolicy
	prinPaid  Money
	feePaid   Money
}

func newBillState(b Bill, fees FeePolicy) *billState {
	p := max(b.Principal, 0)
	if b.Adjusted >= 0 {
		p = Money(addSat(int64(p), int64(b.Adjusted)))
	} else {
		p = max(p+b.Adjusted, 0) // p ≥ 0: cannot wrap
	}
	return &billState{
		bill:      b,
		principal: p,
		out:       p,
		accrued:   int(addSat(int64(b.Due.days()), int64(max(fees.GraceDays, 0)))),
		rate:      max(int64(fees.LateFeePerTenThousand), 0),
		fees:      fees,
	}
}

// accrue adds the late fee of the days after s.accrued up to and including
// to, on the principal outstanding at the start of those days.
func (s *billState) accrue(to Date) {
	if to.days() <= s.accrued {
		return
	}
	if !s.bill.Disputed {
		n := int64(to.days() - s.accrued)
		s.frac = addSat(s.frac, mulSat(mulSat(int64(s.out), s.rate), n))
	}
	s.accrued = to.days()
}

// fee returns the late fee accrued so far, capped, and the part waived.
func (s *billState) fee() (fee, waived Money) {
	if s.bill.Disputed {
		return 0, 0
	}
	fee = capFee(s.frac/lateFeeScale, s.principal, s.fees)
	return fee, min(max(s.bill.Waived, 0), fee)
}

// settle applies up to amount to s in the order alloc gives and returns what
// is left of amount.
func (s *billState) settle(amount Money, alloc Allocation) Money {
	payPrincipal := func() {
		n := min(amount, s.out)
		s.out -= n
		s.prinPaid += n
		amount -= n
	}
	payFee := func() {
		fee, waived := s.fee()
		n := min(amount, fee-waived-s.feePaid)
		s.feePaid += n
		amount -= n
	}
	if alloc == AllocationLateFeeFirst {
		payFee()
		payPrincipal()
	} else {
		payPrincipal()
		payFee()
	}
	return amount
}

// line reports s as of asOf; s must have accrued to asOf.
func (s *billState) line(asOf Date) AccountLine {
	fee, waived := s.fee()
	l := AccountLine{
		BillID:        s.bill.ID,
		Period:        s.bill.Period,
		Due:           s.bill.Due,
		Principal:     s.principal,
		PrincipalPaid: s.prinPaid,
		LateFee:       fee,
		LateFeeWaived: waived,
		LateFeePaid:   s.feePaid,
		Outstanding:   Money(addSat(int64(s.out), int64(fee-waived-s.feePaid))),
		Disputed:      s.bill.Disputed,
	}
	if l.Outstanding > 0 {
		l.DaysOverdue = max(asOf.DaysSince(s.bill.Due), 0)
	}
	return l
}
