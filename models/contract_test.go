package models

import (
	"testing"
	"time"
)

func TestContractDueReminder(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	end := ContractEnd(time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), sh) // 2027-07-01 00:00 +08
	p := DefaultContractPolicy()
	days := func(n int) time.Time { return end.AddDate(0, 0, -n) }
	cases := []struct {
		name   string
		policy ContractPolicy
		now    time.Time
		done   int
		want   int
		ok     bool
	}{
		{"long before the first", p, days(200), 0, 0, false},
		{"a second before the first", p, days(180).Add(-time.Second), 0, 0, false},
		{"the first, on time", p, days(180), 0, 0, true},
		{"the first sent, before the second", p, days(100), 1, 0, false},
		{"the second", p, days(90), 1, 1, true},
		{"recorded late: only the latest of the missed", p, days(80), 0, 1, true},
		{"recorded later still", p, days(10), 0, 2, true},
		{"all sent", p, days(10), 3, 0, false},
		{"the end has come", p, end, 0, 0, false},
		{"the zero policy is the defaults", ContractPolicy{}, days(90), 1, 1, true},
		{"an estate's own days", ContractPolicy{ReminderDaysBefore: []int{60}, ExpiringDays: 60, MaxTermYears: 3}, days(90), 0, 0, false},
		{"an estate's own days, due", ContractPolicy{ReminderDaysBefore: []int{60}, ExpiringDays: 60, MaxTermYears: 3}, days(59), 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.policy.DueReminder(end, c.now, c.done)
			if got != c.want || ok != c.ok {
				t.Errorf("DueReminder(%s, done %d) = %d, %v; want %d, %v", c.now, c.done, got, ok, c.want, c.ok)
			}
		})
	}
	if got := p.ReminderAt(end, 2); !got.Equal(time.Date(2027, 6, 1, 0, 0, 0, 0, sh)) {
		t.Errorf("the 30-day reminder at %s, want 2027-06-01 00:00 +08", got)
	}
}

func TestContractStatusAt(t *testing.T) {
	end := time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)
	p := DefaultContractPolicy()
	cases := []struct {
		name                 string
		now                  time.Time
		renewing, handedOver bool
		want                 ContractStatus
	}{
		{"a year left", end.AddDate(-1, 0, 0), false, false, ContractActive},
		{"a second before the expiring window", end.AddDate(0, 0, -90).Add(-time.Second), false, false, ContractActive},
		{"90 days left", end.AddDate(0, 0, -90), false, false, ContractExpiring},
		{"the last second", end.Add(-time.Second), false, false, ContractExpiring},
		{"the end", end, false, false, ContractExpired},
		{"renewing before the end", end.AddDate(0, 0, -10), true, false, ContractRenewing},
		{"renewing after the end", end.AddDate(0, 0, 10), true, false, ContractRenewing},
		{"handed over", end.AddDate(0, 0, 10), true, true, ContractHandedOver},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.ContractStatusAt(end, c.now, c.renewing, c.handedOver); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	if ContractHandedOver.Label() != "已移交" || !ContractHandedOver.Terminal() || ContractExpired.Terminal() {
		t.Error("labels or terminal statuses wrong")
	}
}

func TestContractPolicyValidate(t *testing.T) {
	cases := []struct {
		name  string
		p     ContractPolicy
		field string
	}{
		{"defaults", DefaultContractPolicy(), ""},
		{"zero: the defaults", ContractPolicy{}, ""},
		{"not decreasing", ContractPolicy{ReminderDaysBefore: []int{90, 90}, ExpiringDays: 90, MaxTermYears: 5}, "contract.reminder_days_before[1]"},
		{"zero days", ContractPolicy{ReminderDaysBefore: []int{0}, ExpiringDays: 90, MaxTermYears: 5}, "contract.reminder_days_before[0]"},
		{"too far", ContractPolicy{ReminderDaysBefore: []int{731}, ExpiringDays: 90, MaxTermYears: 5}, "contract.reminder_days_before[0]"},
		{"no expiring window", ContractPolicy{ReminderDaysBefore: []int{30}, MaxTermYears: 5}, "contract.expiring_days"},
		{"term too long", ContractPolicy{ReminderDaysBefore: []int{30}, ExpiringDays: 30, MaxTermYears: 11}, "contract.max_term_years"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := DefaultPolicy()
			pol.Contract = c.p
			checkField(t, pol.Validate(), c.field)
		})
	}
}

func TestContractCheckTerm(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	d := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }
	p := DefaultContractPolicy()
	cases := []struct {
		name    string
		term    ContractTerm
		prevEnd time.Time
		field   string
	}{
		{"three years", ContractTerm{d(2025, 1, 1), d(2027, 12, 31)}, time.Time{}, ""},
		{"no start", ContractTerm{End: d(2027, 12, 31)}, time.Time{}, "term_start"},
		{"ends before it starts", ContractTerm{d(2027, 1, 1), d(2026, 12, 31)}, time.Time{}, "term_end"},
		{"six years", ContractTerm{d(2025, 1, 1), d(2031, 1, 1)}, time.Time{}, "term_end"},
		{"outside the window", ContractTerm{d(2010, 1, 1), d(2011, 1, 1)}, time.Time{}, "term_start"},
		{"a renewal after the term", ContractTerm{d(2028, 1, 1), d(2030, 12, 31)}, d(2027, 12, 31), ""},
		{"a renewal overlapping the term", ContractTerm{d(2027, 12, 31), d(2030, 12, 31)}, d(2027, 12, 31), "term_start"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkField(t, p.CheckTerm(c.term, c.prevEnd, now), c.field)
		})
	}
	rec := ContractRecord{Number: "HT-2025-01", PartyAKind: PartyOwnersAssembly, PartyA: "业主大会", PartyB: "物业公司"}
	checkField(t, rec.Validate(), "")
	rec.PartyAKind = "tenant"
	checkField(t, rec.Validate(), "party_a_kind")
	checkField(t, ContractTerms{ServiceLevel: "level9"}.Validate(), "service_level")
}
