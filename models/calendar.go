package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// dateLayout is the form of ServiceCalendar dates.
const dateLayout = "2006-01-02"

// IsWorkday reports whether day's date, read in day's own location (convert it
// with In first), is a working day: an extra workday (调休) always is; else a
// holiday never is; else its weekday decides.
func (c ServiceCalendar) IsWorkday(day time.Time) bool {
	date := day.Format(dateLayout)
	for _, d := range c.ExtraWorkdays {
		if d == date {
			return true
		}
	}
	for _, d := range c.Holidays {
		if d == date {
			return false
		}
	}
	for _, w := range c.Workdays {
		if w == day.Weekday() {
			return true
		}
	}
	return false
}

// SameDayDeadline returns when a same-day promise made at reported falls due:
// WorkdayEnd that day if reported on a working day before SameDayCutoff (also
// before WorkdayStart), else NextDayBy on the next working day. c must have
// passed Validate.
func (c ServiceCalendar) SameDayDeadline(reported time.Time, loc *time.Location) time.Time {
	r := reported.In(loc)
	if c.IsWorkday(r) && sinceMidnight(r) < mustClock(c.SameDayCutoff) {
		return atClock(r, 0, c.WorkdayEnd, loc)
	}
	// Validate guarantees a working weekday, so a week past the last listed
	// holiday is always enough; the bound only guards against bad data.
	limit := 7 * (len(c.Holidays) + 2)
	for i := 1; i <= limit; i++ {
		if day := atClock(r, i, c.NextDayBy, loc); c.IsWorkday(day) {
			return day
		}
	}
	return atClock(r, 1, c.NextDayBy, loc)
}

// TicketDeadlines are the moments by which a repair ticket's steps are due.
type TicketDeadlines struct {
	Contact  time.Time `json:"contact"`
	OnSite   time.Time `json:"on_site"`
	Complete time.Time `json:"complete"`
}

// RepairDeadlines computes a repair ticket's deadlines. Critical and urgent
// tickets (and any tier with a fixed on-site window) count from reported.
// A normal ticket is on site by the appointment agreed with the resident if
// there is one, completed within the Complete window after it; without one it
// is on site by the calendar's same-day deadline (when its tier says so) and
// completed within Complete of reported. Contact always counts from reported
// and is never after OnSite; Complete is never before OnSite. Only normal
// tickets take an appointment, which must not be before reported.
func RepairDeadlines(p RepairPolicy, cal ServiceCalendar, u Urgency, reported time.Time, appointment *time.Time, loc *time.Location) (TicketDeadlines, error) {
	if !u.Valid() {
		return TicketDeadlines{}, Invalid("urgency", "“%s”无效，应为 critical（特急）、urgent（紧急）或 normal（一般）", u)
	}
	i := slices.IndexFunc(p.Tiers, func(t SLATier) bool { return t.Urgency == u })
	if i < 0 {
		return TicketDeadlines{}, Invalid("repair.tiers", "缺少“%s”级别，每个紧急程度都应有一个级别", u)
	}
	tier := p.Tiers[i]
	if err := tier.validate(fmt.Sprintf("repair.tiers[%d]", i)); err != nil {
		return TicketDeadlines{}, fmt.Errorf("repair deadlines: %w", err)
	}
	if err := cal.validate("calendar"); err != nil {
		return TicketDeadlines{}, fmt.Errorf("repair deadlines: %w", err)
	}
	if appointment != nil {
		if u != UrgencyNormal {
			return TicketDeadlines{}, Invalid("appointment", "%s 工单不能预约：只有普通报修可以预约上门时间", u)
		}
		if appointment.Before(reported) {
			return TicketDeadlines{}, Invalid("appointment", "%s 无效，不能早于报修时间（%s）",
				appointment.In(loc).Format(time.RFC3339), reported.In(loc).Format(time.RFC3339))
		}
	}

	d := TicketDeadlines{Contact: reported.Add(tier.Contact.Std())}
	switch {
	case appointment != nil:
		d.OnSite = *appointment
		d.Complete = appointment.Add(tier.Complete.Std())
	case tier.OnSiteSameDay:
		d.OnSite = cal.SameDayDeadline(reported, loc)
		d.Complete = reported.Add(tier.Complete.Std())
	default:
		d.OnSite = reported.Add(tier.OnSite.Std())
		d.Complete = reported.Add(tier.Complete.Std())
	}
	if d.Contact.After(d.OnSite) {
		d.Contact = d.OnSite
	}
	if d.Complete.Before(d.OnSite) {
		d.Complete = d.OnSite
	}
	d.Contact, d.OnSite, d.Complete = d.Contact.In(loc), d.OnSite.In(loc), d.Complete.In(loc)
	return d, nil
}

// Shift moves every set deadline by exactly by, as a hold (waiting for parts,
// resident not home) stops the SLA clock. Zero deadlines stay zero.
func (d TicketDeadlines) Shift(by time.Duration) TicketDeadlines {
	shift := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.Add(by)
	}
	return TicketDeadlines{Contact: shift(d.Contact), OnSite: shift(d.OnSite), Complete: shift(d.Complete)}
}

// ShiftPending moves by exactly by only the deadlines still ahead of now (a
// hold starting at now does not excuse a deadline already missed). Zero
// deadlines stay zero.
func (d TicketDeadlines) ShiftPending(by time.Duration, now time.Time) TicketDeadlines {
	shift := func(t time.Time) time.Time {
		if t.IsZero() || !t.After(now) {
			return t
		}
		return t.Add(by)
	}
	return TicketDeadlines{Contact: shift(d.Contact), OnSite: shift(d.OnSite), Complete: shift(d.Complete)}
}

// ComplaintDeadlines are the moments by which a complaint's steps are due.
type ComplaintDeadlines struct {
	Acknowledge time.Time `json:"acknowledge"`
	Answer      time.Time `json:"answer"`
	Resolve     time.Time `json:"resolve"`
}

// Deadlines returns the deadlines of a complaint reported at reported.
func (p ComplaintPolicy) Deadlines(reported time.Time) ComplaintDeadlines {
	return ComplaintDeadlines{
		Acknowledge: reported.Add(p.Acknowledge.Std()),
		Answer:      reported.Add(p.Answer.Std()),
		Resolve:     reported.Add(p.Resolve.Std()),
	}
}

// WarnAt returns the instant percent of the way from start to deadline, when
// staff are warned that the deadline is near. percent is clamped to 0..100,
// and a deadline not after start is its own warning.
func WarnAt(start, deadline time.Time, percent int) time.Time {
	if !deadline.After(start) || percent >= 100 {
		return deadline
	}
	if percent <= 0 {
		return start
	}
	return start.Add(scaleDuration(Duration(deadline.Sub(start)), percent).Std())
}

// NextAllowed returns t if it falls outside the quiet hours in loc, else the
// end of the quiet window it falls in. The window includes Start and excludes
// End and may wrap midnight. Start and End both NoQuietHours mean none
// (Validate refuses other equal or invalid clocks, which also mean none
// here).
func (q QuietHours) NextAllowed(t time.Time, loc *time.Location) time.Time {
	start, err1 := parseClock(q.Start)
	end, err2 := parseClock(q.End)
	if err1 != nil || err2 != nil || start == end {
		return t
	}
	lt := t.In(loc)
	now := sinceMidnight(lt)
	switch {
	case start < end && now >= start && now < end:
		return atClock(lt, 0, q.End, loc)
	case start > end && now >= start:
		return atClock(lt, 1, q.End, loc)
	case start > end && now < end:
		return atClock(lt, 0, q.End, loc)
	}
	return t
}

// parseClock parses "HH:MM" (24-hour, two digits each) into the time since
// midnight.
func parseClock(s string) (time.Duration, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("“%s”无效，应为 HH:MM 格式的时间", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("时间应在 00:00 到 23:59 之间（当前为“%s”）", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// mustClock parses a clock already validated; an invalid one reads as 00:00.
func mustClock(s string) time.Duration {
	d, _ := parseClock(s)
	return d
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate parses a strict "YYYY-MM-DD" calendar date.
func parseDate(s string) (time.Time, error) {
	d, err := time.Parse(dateLayout, s)
	if err != nil || d.Format(dateLayout) != s {
		return time.Time{}, fmt.Errorf("“%s”无效，应为 YYYY-MM-DD 格式的日期", s)
	}
	return d, nil
}

// sinceMidnight returns the wall-clock time of day of t in its location.
func sinceMidnight(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// atClock returns the clock time on the date addDays after t's date, in loc.
func atClock(t time.Time, addDays int, clock string, loc *time.Location) time.Time {
	y, mo, d := t.Date()
	c := mustClock(clock)
	return time.Date(y, mo, d+addDays, int(c/time.Hour), int(c%time.Hour/time.Minute), 0, 0, loc)
}

// HolidayNoticeDays: from this many days before a new year, a calendar
// that lists none of that year's holidays is reported (HolidayGap), so that
// managers add them before "same day" deadlines are counted on that year.
const HolidayNoticeDays = 45

// HolidayGap is the year whose public holidays the calendar should list and
// does not, at now in loc: the current year when none of its dates is
// listed, or the next year from leadDays before it begins (the State
// Council publishes each year's holidays late in the year before). 0 when
// nothing is missing. An estate that lists no holidays at all (it works
// through them) is not reported.
func (c ServiceCalendar) HolidayGap(now time.Time, loc *time.Location, leadDays int) int {
	if len(c.Holidays) == 0 {
		return 0
	}
	listed := func(year int) bool {
		prefix := fmt.Sprintf("%04d-", year)
		return slices.ContainsFunc(c.Holidays, func(d string) bool { return strings.HasPrefix(d, prefix) })
	}
	today := now.In(loc)
	if !listed(today.Year()) {
		return today.Year()
	}
	next := time.Date(today.Year()+1, time.January, 1, 0, 0, 0, 0, loc)
	if !today.Before(next.AddDate(0, 0, -leadDays)) && !listed(next.Year()) {
		return next.Year()
	}
	return 0
}
