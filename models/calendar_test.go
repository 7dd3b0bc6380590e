package models

import (
	"errors"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai whatever the host has installed
)

// shanghai loads the estates' default time zone.
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("LoadLocation(Asia/Shanghai): %v", err)
	}
	return loc
}

// at parses "2006-01-02 15:04[:05]" in loc.
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			return v
		}
	}
	t.Fatalf("at(%q): not a time", s)
	return time.Time{}
}

func TestIsWorkday(t *testing.T) {
	loc := shanghai(t)
	monToFri := DefaultPolicy().Calendar
	monToFri.Workdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	both := DefaultPolicy().Calendar
	both.Holidays = append(both.Holidays, "2026-06-10")
	both.ExtraWorkdays = append(both.ExtraWorkdays, "2026-06-10")
	tests := []struct {
		name string
		cal  ServiceCalendar
		give string
		want bool
	}{
		{"Tuesday", DefaultPolicy().Calendar, "2026-06-09 10:00", true},
		{"Saturday works by default", DefaultPolicy().Calendar, "2026-06-13 10:00", true},
		{"Sunday", DefaultPolicy().Calendar, "2026-06-14 10:00", false},
		{"National Day on a Thursday", DefaultPolicy().Calendar, "2026-10-01 10:00", false},
		{"Dragon Boat on a Saturday", DefaultPolicy().Calendar, "2026-06-20 10:00", false},
		{"makeup Sunday", DefaultPolicy().Calendar, "2026-09-20 10:00", true},
		{"Saturday off Mon-Fri", monToFri, "2026-06-13 10:00", false},
		{"makeup Saturday Mon-Fri", monToFri, "2026-10-10 10:00", true},
		{"makeup day wins over holiday", both, "2026-06-10 10:00", true},
		{"first second of a holiday", DefaultPolicy().Calendar, "2026-10-01 00:00", false},
		{"last second before a holiday", DefaultPolicy().Calendar, "2026-09-30 23:59:59", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.IsWorkday(at(t, loc, tt.give)); got != tt.want {
				t.Errorf("IsWorkday(%s): got %v, want %v", tt.give, got, tt.want)
			}
		})
	}

	// The date is read in the time's own location: 04:00 on 1 October in
	// Shanghai is still 30 September in UTC.
	instant := at(t, loc, "2026-10-01 04:00")
	cal := DefaultPolicy().Calendar
	if got := cal.IsWorkday(instant.In(loc)); got {
		t.Errorf("IsWorkday(%v in Shanghai): got true, want false", instant)
	}
	if got := cal.IsWorkday(instant.UTC()); !got {
		t.Errorf("IsWorkday(%v in UTC): got false, want true", instant.UTC())
	}
}

func TestSameDayDeadline(t *testing.T) {
	loc := shanghai(t)
	def := DefaultPolicy().Calendar
	monToFri := DefaultPolicy().Calendar
	monToFri.Workdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tests := []struct {
		name string
		cal  ServiceCalendar
		give string
		want string
	}{
		{"Tuesday morning", def, "2026-06-09 10:00", "2026-06-09 17:30"},
		{"before the working day starts", def, "2026-06-09 07:00", "2026-06-09 17:30"},
		{"at midnight", def, "2026-06-09 00:00", "2026-06-09 17:30"},
		{"at workday start", def, "2026-06-09 08:30", "2026-06-09 17:30"},
		{"one second before cutoff", def, "2026-06-09 15:59:59", "2026-06-09 17:30"},
		{"exactly at cutoff", def, "2026-06-09 16:00", "2026-06-10 12:00"},
		{"exactly at workday end", def, "2026-06-09 17:30", "2026-06-10 12:00"},
		{"Tuesday night", def, "2026-06-09 22:00", "2026-06-10 12:00"},
		{"Friday night, Saturday works", def, "2026-06-12 22:00", "2026-06-13 12:00"},
		{"Friday night, Mon-Fri", monToFri, "2026-06-12 22:00", "2026-06-15 12:00"},
		{"Saturday night skips Sunday", def, "2026-06-13 22:00", "2026-06-15 12:00"},
		{"Sunday morning, a day off", def, "2026-06-14 10:00", "2026-06-15 12:00"},
		{"eve of National Day", def, "2026-09-30 22:00", "2026-10-08 12:00"},
		{"during National Day", def, "2026-10-03 10:00", "2026-10-08 12:00"},
		{"before Mid-Autumn", def, "2026-09-24 16:00", "2026-09-28 12:00"},
		{"Saturday night before a makeup Sunday", def, "2026-09-19 22:00", "2026-09-20 12:00"},
		{"on a makeup Sunday", def, "2026-09-20 10:00", "2026-09-20 17:30"},
		{"eve of Spring Festival", def, "2026-02-14 20:00", "2026-02-24 12:00"},
		// 2027's holidays are not in the defaults: until a manager adds them,
		// New Year's Day 2027 (a Friday) counts as a working day.
		{"year end", def, "2026-12-31 22:00", "2027-01-01 12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.SameDayDeadline(at(t, loc, tt.give), loc)
			if want := at(t, loc, tt.want); !got.Equal(want) {
				t.Errorf("SameDayDeadline(%s): got %s, want %s", tt.give, got.In(loc).Format(time.DateTime), want.Format(time.DateTime))
			}
		})
	}

	// A report stamped in UTC is read in the estate's zone: 14:00 UTC is
	// 22:00 in Shanghai, after the cutoff.
	reported := time.Date(2026, 6, 9, 14, 0, 0, 0, time.UTC)
	if got, want := def.SameDayDeadline(reported, loc), at(t, loc, "2026-06-10 12:00"); !got.Equal(want) || got.Location() != loc {
		t.Errorf("SameDayDeadline(%v): got %v, want %v", reported, got, want)
	}
}

func TestRepairDeadlines(t *testing.T) {
	loc := shanghai(t)
	p := DefaultPolicy()
	appt := func(s string) *time.Time { v := at(t, loc, s); return &v }
	tests := []struct {
		name        string
		urgency     Urgency
		reported    string
		appointment *time.Time
		want        [3]string // contact, on site, complete
	}{
		{"critical at night", UrgencyCritical, "2026-06-10 02:00", nil,
			[3]string{"2026-06-10 02:05", "2026-06-10 02:10", "2026-06-10 06:00"}},
		{"urgent on a holiday", UrgencyUrgent, "2026-10-01 02:00", nil,
			[3]string{"2026-10-01 02:05", "2026-10-01 02:15", "2026-10-01 10:00"}},
		{"normal on a Tuesday morning", UrgencyNormal, "2026-06-09 10:00", nil,
			[3]string{"2026-06-09 10:30", "2026-06-09 17:30", "2026-06-12 10:00"}},
		{"normal on a Friday night", UrgencyNormal, "2026-06-12 22:00", nil,
			[3]string{"2026-06-12 22:30", "2026-06-13 12:00", "2026-06-15 22:00"}},
		{"normal on the eve of National Day: complete not before on site", UrgencyNormal, "2026-09-30 22:00", nil,
			[3]string{"2026-09-30 22:30", "2026-10-08 12:00", "2026-10-08 12:00"}},
		{"normal with an appointment", UrgencyNormal, "2026-06-09 10:00", appt("2026-06-11 14:00"),
			[3]string{"2026-06-09 10:30", "2026-06-11 14:00", "2026-06-14 14:00"}},
		{"appointment on a holiday", UrgencyNormal, "2026-09-30 22:00", appt("2026-10-02 09:00"),
			[3]string{"2026-09-30 22:30", "2026-10-02 09:00", "2026-10-05 09:00"}},
		{"appointment sooner than the contact window", UrgencyNormal, "2026-06-09 10:00", appt("2026-06-09 10:10"),
			[3]string{"2026-06-09 10:10", "2026-06-09 10:10", "2026-06-12 10:10"}},
		{"appointment at the report time", UrgencyNormal, "2026-06-09 10:00", appt("2026-06-09 10:00"),
			[3]string{"2026-06-09 10:00", "2026-06-09 10:00", "2026-06-12 10:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RepairDeadlines(p.Repair, p.Calendar, tt.urgency, at(t, loc, tt.reported), tt.appointment, loc)
			if err != nil {
				t.Fatalf("RepairDeadlines: got error %v, want %v", err, tt.want)
			}
			for i, g := range []time.Time{got.Contact, got.OnSite, got.Complete} {
				want := at(t, loc, tt.want[i])
				if !g.Equal(want) {
					t.Errorf("%s: got %s, want %s", []string{"contact", "on site", "complete"}[i],
						g.In(loc).Format(time.DateTime), want.Format(time.DateTime))
				}
				if g.Location() != loc {
					t.Errorf("location: got %v, want %v", g.Location(), loc)
				}
			}
		})
	}
}

func TestRepairDeadlinesFixedNormalTier(t *testing.T) {
	loc := shanghai(t)
	p := DefaultPolicy()
	p.Repair.Tiers[2].OnSiteSameDay = false
	p.Repair.Tiers[2].OnSite = Duration(2 * time.Hour)
	got, err := RepairDeadlines(p.Repair, p.Calendar, UrgencyNormal, at(t, loc, "2026-06-09 22:00"), nil, loc)
	if err != nil {
		t.Fatalf("RepairDeadlines: got error %v, want nil", err)
	}
	if want := at(t, loc, "2026-06-10 00:00"); !got.OnSite.Equal(want) {
		t.Errorf("on site: got %v, want %v", got.OnSite, want)
	}
}

func TestRepairDeadlinesErrors(t *testing.T) {
	loc := shanghai(t)
	reported := at(t, loc, "2026-06-09 10:00")
	later := at(t, loc, "2026-06-09 14:00")
	earlier := at(t, loc, "2026-06-09 09:00")
	noNormal := DefaultPolicy()
	noNormal.Repair.Tiers = noNormal.Repair.Tiers[:2]
	badCal := DefaultPolicy()
	badCal.Calendar.WorkdayStart = "8:30"
	badTier := DefaultPolicy()
	badTier.Repair.Tiers[0].OnSite = 0
	tests := []struct {
		name        string
		policy      Policy
		urgency     Urgency
		appointment *time.Time
		want        string
	}{
		{"unknown urgency", DefaultPolicy(), "whenever", nil, "urgency"},
		{"no tier", noNormal, UrgencyNormal, nil, "repair.tiers"},
		{"bad tier", badTier, UrgencyCritical, nil, "repair.tiers[0].on_site"},
		{"bad calendar", badCal, UrgencyNormal, nil, "calendar.workday_start"},
		{"appointment for a critical ticket", DefaultPolicy(), UrgencyCritical, &later, "appointment"},
		{"appointment before the report", DefaultPolicy(), UrgencyNormal, &earlier, "appointment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RepairDeadlines(tt.policy.Repair, tt.policy.Calendar, tt.urgency, reported, tt.appointment, loc)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("RepairDeadlines: got %+v, %v, want a *ValidationError on %s", got, err, tt.want)
			}
			if ve.Field != tt.want {
				t.Errorf("RepairDeadlines: got field %s (%s), want %s", ve.Field, ve.Reason, tt.want)
			}
		})
	}
}

func TestComplaintDeadlines(t *testing.T) {
	loc := shanghai(t)
	got := DefaultPolicy().Complaint.Deadlines(at(t, loc, "2026-06-09 22:00"))
	want := ComplaintDeadlines{
		Acknowledge: at(t, loc, "2026-06-09 22:30"),
		Answer:      at(t, loc, "2026-06-10 22:00"),
		Resolve:     at(t, loc, "2026-06-12 22:00"),
	}
	if !got.Acknowledge.Equal(want.Acknowledge) || !got.Answer.Equal(want.Answer) || !got.Resolve.Equal(want.Resolve) {
		t.Errorf("Deadlines: got %+v, want %+v", got, want)
	}
}

func TestShift(t *testing.T) {
	loc := shanghai(t)
	d := TicketDeadlines{
		Contact:  at(t, loc, "2026-06-09 10:30"),
		OnSite:   at(t, loc, "2026-06-09 17:30"),
		Complete: at(t, loc, "2026-06-12 10:00"),
	}
	hold := 2*time.Hour + 15*time.Minute
	tests := []struct {
		name string
		give TicketDeadlines
		now  *time.Time
		want [3]string
	}{
		{"every deadline", d, nil, [3]string{"2026-06-09 12:45", "2026-06-09 19:45", "2026-06-12 12:15"}},
		{"pending after contact passed", d, ptr(at(t, loc, "2026-06-09 11:00")),
			[3]string{"2026-06-09 10:30", "2026-06-09 19:45", "2026-06-12 12:15"}},
		{"a deadline exactly now has passed", d, ptr(at(t, loc, "2026-06-09 17:30")),
			[3]string{"2026-06-09 10:30", "2026-06-09 17:30", "2026-06-12 12:15"}},
		{"pending before any", d, ptr(at(t, loc, "2026-06-09 10:00")),
			[3]string{"2026-06-09 12:45", "2026-06-09 19:45", "2026-06-12 12:15"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.give.Shift(hold)
			if tt.now != nil {
				got = tt.give.ShiftPending(hold, *tt.now)
			}
			for i, g := range []time.Time{got.Contact, got.OnSite, got.Complete} {
				if want := at(t, loc, tt.want[i]); !g.Equal(want) {
					t.Errorf("deadline %d: got %s, want %s", i, g.In(loc).Format(time.DateTime), want.Format(time.DateTime))
				}
			}
		})
	}

	zero := TicketDeadlines{OnSite: d.OnSite}.Shift(hold)
	if !zero.Contact.IsZero() || !zero.Complete.IsZero() {
		t.Errorf("Shift of unset deadlines: got %+v, want them still zero", zero)
	}
}

func ptr(t time.Time) *time.Time { return &t }

func TestWarnAt(t *testing.T) {
	loc := shanghai(t)
	tests := []struct {
		name            string
		start, deadline string
		percent         int
		want            string
	}{
		{"80% of 10 minutes", "2026-06-10 02:00", "2026-06-10 02:10", 80, "2026-06-10 02:08"},
		{"80% of a working day", "2026-06-09 10:00", "2026-06-09 17:30", 80, "2026-06-09 16:00"},
		{"33% of 10 minutes", "2026-06-10 02:00", "2026-06-10 02:10", 33, "2026-06-10 02:03:18"},
		{"0% is the start", "2026-06-10 02:00", "2026-06-10 02:10", 0, "2026-06-10 02:00"},
		{"100% is the deadline", "2026-06-10 02:00", "2026-06-10 02:10", 100, "2026-06-10 02:10"},
		{"over 100% is the deadline", "2026-06-10 02:00", "2026-06-10 02:10", 150, "2026-06-10 02:10"},
		{"deadline before start", "2026-06-10 02:10", "2026-06-10 02:00", 80, "2026-06-10 02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WarnAt(at(t, loc, tt.start), at(t, loc, tt.deadline), tt.percent)
			if want := at(t, loc, tt.want); !got.Equal(want) {
				t.Errorf("WarnAt: got %s, want %s", got.In(loc).Format(time.DateTime), want.Format(time.DateTime))
			}
		})
	}
}

func TestQuietHoursNextAllowed(t *testing.T) {
	loc := shanghai(t)
	night := DefaultPolicy().QuietHours // 21:30–08:00, wraps midnight
	noon := QuietHours{Start: "12:00", End: "14:00"}
	tests := []struct {
		name string
		q    QuietHours
		give string
		want string
	}{
		{"afternoon", night, "2026-06-09 15:00", "2026-06-09 15:00"},
		{"just before the window", night, "2026-06-09 21:29:59", "2026-06-09 21:29:59"},
		{"exactly at the start", night, "2026-06-09 21:30", "2026-06-10 08:00"},
		{"late evening", night, "2026-06-09 23:00", "2026-06-10 08:00"},
		{"midnight", night, "2026-06-10 00:00", "2026-06-10 08:00"},
		{"early morning", night, "2026-06-10 07:59:59", "2026-06-10 08:00"},
		{"exactly at the end", night, "2026-06-10 08:00", "2026-06-10 08:00"},
		{"across a month end", night, "2026-06-30 23:00", "2026-07-01 08:00"},
		{"inside a daytime window", noon, "2026-06-09 13:00", "2026-06-09 14:00"},
		{"at a daytime start", noon, "2026-06-09 12:00", "2026-06-09 14:00"},
		{"at a daytime end", noon, "2026-06-09 14:00", "2026-06-09 14:00"},
		{"outside a daytime window", noon, "2026-06-09 23:00", "2026-06-09 23:00"},
		{"start equals end", QuietHours{Start: "08:00", End: "08:00"}, "2026-06-09 08:00", "2026-06-09 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.NextAllowed(at(t, loc, tt.give), loc)
			if want := at(t, loc, tt.want); !got.Equal(want) {
				t.Errorf("NextAllowed(%s): got %s, want %s", tt.give, got.In(loc).Format(time.DateTime), want.Format(time.DateTime))
			}
		})
	}

	// A UTC time is judged by the estate's clock: 14:00 UTC is 22:00 in Shanghai.
	give := time.Date(2026, 6, 9, 14, 0, 0, 0, time.UTC)
	if got, want := night.NextAllowed(give, loc), at(t, loc, "2026-06-10 08:00"); !got.Equal(want) {
		t.Errorf("NextAllowed(%v): got %v, want %v", give, got, want)
	}
}

func TestHolidayGap(t *testing.T) {
	loc := shanghai(t)
	def := DefaultPolicy().Calendar
	with2027 := DefaultPolicy().Calendar
	with2027.Holidays = append(slices.Clone(with2027.Holidays), "2027-01-01")
	none := DefaultPolicy().Calendar
	none.Holidays = nil
	tests := []struct {
		name string
		cal  ServiceCalendar
		now  string
		want int
	}{
		{"mid-year, this year listed", def, "2026-06-09 10:00", 0},
		{"the day before the lead time", def, "2026-11-16 23:59", 0},
		{"from 45 days before the new year", def, "2026-11-17 00:00", 2027},
		{"late December", def, "2026-12-31 23:00", 2027},
		{"next year listed", with2027, "2026-12-01 10:00", 0},
		{"a year with nothing listed", def, "2027-03-01 10:00", 2027},
		{"an estate that lists no holidays", none, "2026-12-20 10:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.HolidayGap(at(t, loc, tt.now), loc, 45); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
