package models

// Collection is the collection rate (收缴率) of the bills of a span of
// billing periods, the rule stated once: collected ÷ billed for the bills of
// the period, as of today. Billed is the principal of those bills;
// collected is the part of it that the payments made up to today settled
// under the allocation rule of Statement (so a payment settles a
// household's older bills first). Late fees count on neither side; a
// disputed bill is billed and collects nothing until it is resolved.
type Collection struct {
	// From and To are the first and last billing periods, inclusive.
	From, To     Month `json:"-"`
	Bills        int64 `json:"bills"`
	BilledFen    Money `json:"billed_fen"`
	CollectedFen Money `json:"collected_fen"`
}

// Counts reports whether a bill of period is one of c's.
func (c Collection) Counts(period Month) bool {
	return period.index() >= c.From.index() && period.index() <= c.To.index()
}

// Add counts a line of a statement made today when its bill is one of c's.
func (c *Collection) Add(line AccountLine) {
	if !c.Counts(line.Period) {
		return
	}
	c.Bills++
	c.BilledFen += line.Principal
	c.CollectedFen += line.PrincipalPaid
}

// RateBP is collected ÷ billed in basis points (8750 is 87.50 %), truncated
// toward zero; ok is false when nothing is billed (no rate).
func (c Collection) RateBP() (bp int64, ok bool) {
	if c.BilledFen <= 0 {
		return 0, false
	}
	// Collected never exceeds billed, so the product stays inside int64
	// while billed is below 2^63 / 10000 fen (¥9 × 10^12).
	return int64(c.CollectedFen) * 10000 / int64(c.BilledFen), true
}

// YearOf is the span of m's calendar year up to m (January to m).
func YearOf(m Month) (from, to Month) { return Month{Year: m.Year, Month: 1}, m }
