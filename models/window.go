package models

import (
	"time"
)

// The date window: every date, month and time the service accepts lies within
// DateWindowYears of now, before or after. Nothing a property company
// records (a bill's period, a payment, an appointment, a holiday, an
// instalment) lies further away, and every value inside the window is one the
// databases read back and a workflow can carry (years 1000–9999 in JSON and
// MySQL DATETIME). Tighter rules for single fields (a payment not in the
// future, an appointment within the policy's horizon) come on top.
const DateWindowYears = 10

// StoredYears bounds the years the store writes (MySQL DATETIME and Go's
// RFC 3339 both stop at 9999; SQLite's reader cannot parse year 10000). The
// store refuses anything outside, so that no record can poison a list even
// if a check above it were missed.
const (
	MinStoredYear = 1000
	MaxStoredYear = 9999
)

// DateWindow returns the first and last instants of the window around now.
func DateWindow(now time.Time) (from, to time.Time) {
	return now.AddDate(-DateWindowYears, 0, 0), now.AddDate(DateWindowYears, 0, 0)
}

// CheckTime reports t outside the date window around now as a
// *ValidationError for field.
func CheckTime(field string, t, now time.Time) error {
	from, to := DateWindow(now)
	if t.Before(from) || t.After(to) {
		return Invalid(field, "%s 无效，应为 %s 至 %s 之间的时间", t.UTC().Format(time.RFC3339),
			from.UTC().Format("2006-01-02"), to.UTC().Format("2006-01-02"))
	}
	return nil
}

// CheckDate reports d outside the date window around now.
func CheckDate(field string, d Date, now time.Time) error {
	from, to := DateWindow(now)
	lo, hi := DateOf(from, time.UTC), DateOf(to, time.UTC)
	if d.Before(lo) || d.After(hi) {
		return Invalid(field, "%s 无效，应为 %s 至 %s 之间的日期", d, lo, hi)
	}
	return nil
}

// CheckMonth reports m outside the date window around now.
func CheckMonth(field string, m Month, now time.Time) error {
	from, to := DateWindow(now)
	lo, hi := MonthOf(from), MonthOf(to)
	if m.index() < lo.index() || m.index() > hi.index() {
		return Invalid(field, "%s 无效，应为 %s 至 %s 之间的月份", m, lo, hi)
	}
	return nil
}

// MonthOf returns the month t falls in, in t's own location.
func MonthOf(t time.Time) Month {
	return Month{Year: t.Year(), Month: t.Month()}
}

// index numbers months from year 0 for comparisons.
func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

// Storable reports whether the store can write t and read it back: the zero
// time, or a year from MinStoredYear to MaxStoredYear.
func Storable(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	y := t.UTC().Year()
	return y >= MinStoredYear && y <= MaxStoredYear
}
