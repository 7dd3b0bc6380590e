package models

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Validate reports the first problem in p as a *ValidationError whose Field is
// the JSON path of the offending value, e.g. "repair.tiers[1].on_site".
func (p Policy) Validate() error {
	checks := []func() error{
		func() error { return p.Repair.validate("repair") },
		func() error { return p.Complaint.validate("complaint") },
		func() error { return p.Escalation.validate("escalation") },
		func() error { return p.Calendar.validate("calendar") },
		func() error { return p.Fees.validate("fees") },
		func() error { return p.Dunning.validate("dunning") },
		func() error { return p.FollowUp.validate("follow_up") },
		func() error { return p.QuietHours.validate("quiet_hours") },
		func() error { return p.Channels.validate("channels") },
		func() error { return p.Inspection.validate("inspection") },
		func() error { return p.Contract.validate("contract") },
		func() error { return p.Release.validate("release") },
		func() error { return p.Notice.validate("notice") },

		func() error { return p.Survey.validate("survey") },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (p RepairPolicy) validate(path string) error {
	seen := map[Urgency]bool{}
	for i, t := range p.Tiers {
		tp := fmt.Sprintf("%s.tiers[%d]", path, i)
		if err := t.validate(tp); err != nil {
			return err
		}
		if seen[t.Urgency] {
			return Invalid(tp+".urgency", "got a second %q tier, want one tier per urgency", t.Urgency)
		}
		seen[t.Urgency] = true
	}
	for _, u := range Urgencies() {
		if !seen[u] {
			return Invalid(path+".tiers", "got no %q tier, want one tier per urgency", u)
		}
	}
	if err := intIn(path+".warn_at_percent", p.WarnAtPercent, 1, 99); err != nil {
		return err
	}
	if err := within(path+".confirm_window", p.ConfirmWindow, 30*Day); err != nil {
		return err
	}
	if err := within(path+".return_visit_window", p.ReturnVisitWindow, 90*Day); err != nil {
		return err
	}
	if p.AppointmentHorizon < 0 || p.AppointmentHorizon > Duration(366*Day) {
		return Invalid(path+".appointment_horizon", "got %s, want 0s (the default, %s) up to 366d", p.AppointmentHorizon, DefaultAppointmentHorizon)
	}
	if p.HurryInterval < 0 || p.HurryInterval > Duration(7*Day) {
		return Invalid(path+".hurry_interval", "got %s, want 0s (the default, %s) up to 7d", p.HurryInterval, DefaultHurryInterval)
	}
	if err := intIn(path+".low_score_threshold", p.LowScoreThreshold, 0, 4); err != nil {
		return err
	}
	if err := intIn(path+".max_reopens", p.MaxReopens, 1, 100); err != nil {
		return err
	}
	return p.validateEscalateMilestones(path + ".escalate_milestones")
}

// validateEscalateMilestones: repair milestones only, each once.
func (p RepairPolicy) validateEscalateMilestones(path string) error {
	for i, m := range p.EscalateMilestones {
		if !slices.Contains(RepairMilestones(), m) {
			return Invalid(fmt.Sprintf("%s[%d]", path, i), "got %q, want a repair milestone: contact, on_site or complete", m)
		}
		if slices.Contains(p.EscalateMilestones[:i], m) {
			return Invalid(fmt.Sprintf("%s[%d]", path, i), "got %q twice, want each milestone once", m)
		}
	}
	return nil
}

func (t SLATier) validate(path string) error {
	if !t.Urgency.Valid() {
		return Invalid(path+".urgency", "got %q, want critical, urgent or normal", t.Urgency)
	}
	if err := within(path+".contact", t.Contact, 30*Day); err != nil {
		return err
	}
	if t.OnSiteSameDay {
		if t.Urgency != UrgencyNormal {
			return Invalid(path+".on_site_same_day", "got true for %q, want a fixed on_site window: only the normal tier may be same-day", t.Urgency)
		}
		if t.OnSite != 0 {
			return Invalid(path+".on_site", "got %s with on_site_same_day, want 0s", t.OnSite)
		}
	} else {
		if err := within(path+".on_site", t.OnSite, 30*Day); err != nil {
			return err
		}
		if t.Contact > t.OnSite {
			return Invalid(path+".contact", "got %s, want at most on_site (%s)", t.Contact, t.OnSite)
		}
	}
	if err := within(path+".complete", t.Complete, 90*Day); err != nil {
		return err
	}
	if t.Complete < t.OnSite {
		return Invalid(path+".complete", "got %s, want at least on_site (%s)", t.Complete, t.OnSite)
	}
	return nil
}

func (p ComplaintPolicy) validate(path string) error {
	if err := within(path+".acknowledge", p.Acknowledge, 30*Day); err != nil {
		return err
	}
	if err := within(path+".answer", p.Answer, 90*Day); err != nil {
		return err
	}
	if p.Answer < p.Acknowledge {
		return Invalid(path+".answer", "got %s, want at least acknowledge (%s)", p.Answer, p.Acknowledge)
	}
	if p.Resolve < p.Answer {
		return Invalid(path+".resolve", "got %s, want at least answer (%s)", p.Resolve, p.Answer)
	}
	return within(path+".resolve", p.Resolve, 90*Day)
}

func (p EscalationPolicy) validate(path string) error {
	if len(p.Levels) == 0 {
		return Invalid(path+".levels", "got no levels, want at least one")
	}
	for i, l := range p.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", path, i)
		if l.Level != i+1 {
			return Invalid(lp+".level", "got %d, want %d: levels are numbered 1..n in order", l.Level, i+1)
		}
		if !l.Role.Valid() {
			return Invalid(lp+".role", "got %q, want a staff role", l.Role)
		}
		if i == 0 {
			if l.After < 0 || l.After > Duration(30*Day) {
				return Invalid(lp+".after", "got %s, want 0s up to 30d", l.After)
			}
		} else if err := within(lp+".after", l.After, 30*Day); err != nil {
			return err
		}
	}
	return nil
}

func (c ServiceCalendar) validate(path string) error {
	clocks := []struct {
		name, value string
	}{
		{"workday_start", c.WorkdayStart}, {"workday_end", c.WorkdayEnd},
		{"same_day_cutoff", c.SameDayCutoff}, {"next_day_by", c.NextDayBy},
	}
	for _, cl := range clocks {
		if _, err := parseClock(cl.value); err != nil {
			return Invalid(path+"."+cl.name, "%v", err)
		}
	}
	start, end := mustClock(c.WorkdayStart), mustClock(c.WorkdayEnd)
	cutoff, nextBy := mustClock(c.SameDayCutoff), mustClock(c.NextDayBy)
	if cutoff <= start {
		return Invalid(path+".same_day_cutoff", "got %s, want after workday_start (%s)", c.SameDayCutoff, c.WorkdayStart)
	}
	if cutoff > end {
		return Invalid(path+".same_day_cutoff", "got %s, want at or before workday_end (%s)", c.SameDayCutoff, c.WorkdayEnd)
	}
	if nextBy <= start || nextBy > end {
		return Invalid(path+".next_day_by", "got %s, want after workday_start (%s) and at or before workday_end (%s)", c.NextDayBy, c.WorkdayStart, c.WorkdayEnd)
	}
	if len(c.Workdays) == 0 {
		return Invalid(path+".workdays", "got none, want at least one working weekday")
	}
	var seen [7]bool
	for i, d := range c.Workdays {
		dp := fmt.Sprintf("%s.workdays[%d]", path, i)
		if d < time.Sunday || d > time.Saturday {
			return Invalid(dp, "got %d, want a weekday 0 (Sunday) .. 6 (Saturday)", int(d))
		}
		if seen[d] {
			return Invalid(dp, "got %d twice, want each weekday once", int(d))
		}
		seen[d] = true
	}
	for i, s := range c.Holidays {
		if err := calendarDate(fmt.Sprintf("%s.holidays[%d]", path, i), s); err != nil {
			return err
		}
	}
	for i, s := range c.ExtraWorkdays {
		if err := calendarDate(fmt.Sprintf("%s.extra_workdays[%d]", path, i), s); err != nil {
			return err
		}
	}
	return nil
}

func (p FeePolicy) validate(path string) error {
	ints := []struct {
		name      string
		v, lo, hi int
	}{
		{"due_day", p.DueDay, 1, 28},
		{"late_fee_per_ten_thousand", p.LateFeePerTenThousand, 0, 1000},
		{"reading_spike_ratio", p.ReadingSpikeRatio, 0, 100},
		{"late_fee_cap_percent", p.LateFeeCapPercent, 0, 1000},
		{"grace_days", p.GraceDays, 0, 90},
		{"dispute_before_due_days", p.DisputeBeforeDueDays, 0, 28},
		{"billing_day", p.BillingDay, 1, 28},
	}
	for _, n := range ints {
		if err := intIn(path+"."+n.name, n.v, n.lo, n.hi); err != nil {
			return err
		}
	}
	seen := map[int]bool{}
	for i, d := range p.ReminderDaysBefore {
		rp := fmt.Sprintf("%s.reminder_days_before[%d]", path, i)
		if err := intIn(rp, d, 1, 28); err != nil {
			return err
		}
		if seen[d] {
			return Invalid(rp, "got %d twice, want each day once", d)
		}
		seen[d] = true
	}
	if p.Allocation != AllocationPrincipalFirst && p.Allocation != AllocationLateFeeFirst {
		return Invalid(path+".allocation", "got %q, want %q or %q", p.Allocation, AllocationPrincipalFirst, AllocationLateFeeFirst)
	}
	if err := httpsURL(path+".pay_url", p.PayURL); err != nil {
		return err
	}
	return httpsURL(path+".pay_qr_url", p.PayQRURL)
}

// MaxPayURLLen is the longest payment address a policy takes.
const MaxPayURLLen = 500

// httpsURL refuses a non-empty v that is not an https address with a host.
func httpsURL(field, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if len(v) > MaxPayURLLen || err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(v, " \t\n<>\"") {
		return Invalid(field, "须为以“https://”开头的网址，最多 %d 个字符，或留空", MaxPayURLLen)
	}
	return nil
}

func (p DunningPolicy) validate(path string) error {
	if len(p.Steps) == 0 {
		return Invalid(path+".steps", "got no steps, want at least one")
	}
	formal := -1 // index of the latest formal_notice step
	for i, s := range p.Steps {
		sp := fmt.Sprintf("%s.steps[%d]", path, i)
		if err := s.validate(sp); err != nil {
			return err
		}
		if i > 0 && s.After <= p.Steps[i-1].After {
			return Invalid(sp+".after", "got %s, want more than the previous step's %s", s.After, p.Steps[i-1].After)
		}
		switch s.Action {
		case ActionFormalNotice:
			formal = i
		case ActionLegalReferral:
			if i != len(p.Steps)-1 {
				return Invalid(sp+".action", "got legal_referral at step %d of %d, want it last", i+1, len(p.Steps))
			}
			if formal < 0 {
				return Invalid(sp+".action", "got legal_referral without an earlier formal_notice, want a written demand first (Civil Code Art. 944)")
			}
		}
	}
	if err := within(path+".formal_notice_period", p.FormalNoticePeriod, 180*Day); err != nil {
		return err
	}
	if err := intIn(path+".fast_track_percent", p.FastTrackPercent, 1, 100); err != nil {
		return err
	}
	if last := p.Steps[len(p.Steps)-1]; last.Action == ActionLegalReferral {
		// Fast-tracking shortens the gap most, so check the scaled one.
		gap := scaleDuration(last.After-p.Steps[formal].After, p.FastTrackPercent)
		if gap < p.FormalNoticePeriod {
			return Invalid(fmt.Sprintf("%s.steps[%d].after", path, len(p.Steps)-1),
				"got %s after the formal notice when fast-tracked at %d%%, want at least formal_notice_period (%s)",
				gap, p.FastTrackPercent, p.FormalNoticePeriod)
		}
	}
	if err := within(path+".good_payer_polite_for", p.GoodPayerPoliteFor, 3*365*Day); err != nil {
		return err
	}
	if p.LargeArrearsFen <= 0 || p.LargeArrearsFen > int64(MaxAmountFen) {
		return Invalid(path+".large_arrears_fen", "got %d, want a positive amount of at most %d fen", p.LargeArrearsFen, MaxAmountFen)
	}
	if err := intIn(path+".repeat_late_count", p.RepeatLateCount, 1, 100); err != nil {
		return err
	}
	if err := intIn(path+".repeat_late_window_months", p.RepeatLateWindowMonths, 1, 120); err != nil {
		return err
	}
	if err := within(path+".task_due", p.TaskDue, 90*Day); err != nil {
		return err
	}
	if p.InstalmentGrace < 0 || p.InstalmentGrace > Duration(90*Day) {
		return Invalid(path+".instalment_grace", "got %s, want 0s up to 90d", p.InstalmentGrace)
	}
	if r := p.LegalDecisionReminder; r < MinLegalDecisionReminder || r > Duration(90*Day) {
		return Invalid(path+".legal_decision_reminder", "got %s, want %s up to 90d", r, MinLegalDecisionReminder)
	}
	return nil
}

func (s DunningStep) validate(path string) error {
	if s.After < 0 || s.After > Duration(3*365*Day) {
		return Invalid(path+".after", "got %s, want 0s up to 1095d", s.After)
	}
	channels, ok := actionChannels(s.Action)
	if !ok {
		return Invalid(path+".action", "got %q, want message, phone_call, visit, formal_notice or legal_referral", s.Action)
	}
	switch {
	case len(channels) == 0 && s.Channel != "":
		return Invalid(path+".channel", "got %q, want none for %s", s.Channel, s.Action)
	case len(channels) > 0 && !containsChannel(channels, s.Channel):
		return Invalid(path+".channel", "got %q, want one of %v for %s", s.Channel, channels, s.Action)
	}
	human := s.Action == ActionPhoneCall || s.Action == ActionVisit || s.Action == ActionLegalReferral
	switch {
	case s.Role == "" && human:
		return Invalid(path+".role", "got none, want the staff role that performs the %s", s.Action)
	case s.Role != "" && !s.Role.Valid():
		return Invalid(path+".role", "got %q, want a staff role", s.Role)
	}
	switch {
	case s.Action == ActionMessage && !slices.Contains(DunningMessageTemplates(), s.Template):
		return Invalid(path+".template", "got %q, want one of %v", s.Template, DunningMessageTemplates())
	case s.Action != ActionMessage && s.Template != "":
		return Invalid(path+".template", "got %q, want none: only message steps send a template", s.Template)
	}
	return nil
}

func containsChannel(list []Channel, c Channel) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

func (p FollowUpPolicy) validate(path string) error {
	if err := within(path+".window", p.Window, 366*Day); err != nil {
		return err
	}
	for i, r := range p.ReminderAt {
		rp := fmt.Sprintf("%s.reminder_at[%d]", path, i)
		if err := positive(rp, r); err != nil {
			return err
		}
		if r >= p.Window {
			return Invalid(rp, "got %s, want before the window's end (%s)", r, p.Window)
		}
		if i > 0 && r <= p.ReminderAt[i-1] {
			return Invalid(rp, "got %s, want more than the previous reminder's %s", r, p.ReminderAt[i-1])
		}
	}
	return intIn(path+".max_attempts", p.MaxAttempts, 1, 100)
}

func (q QuietHours) validate(path string) error {
	if _, err := parseClock(q.Start); err != nil {
		return Invalid(path+".start", "%v", err)
	}
	if _, err := parseClock(q.End); err != nil {
		return Invalid(path+".end", "%v", err)
	}
	if q.Start == q.End && q.Start != NoQuietHours {
		return Invalid(path+".end", "got %s, the same as start: want the quiet hours to last (e.g. 21:30 to 08:00), or %s to %s for none",
			q.End, NoQuietHours, NoQuietHours)
	}
	return nil
}

// positive rejects a zero or negative window.
func positive(path string, d Duration) error {
	if d <= 0 {
		return Invalid(path, "got %s, want a positive duration", d)
	}
	return nil
}

// within rejects a window that is not positive or is longer than max: no
// promise a property company makes runs for years, and a deadline that far
// out would pass the date window (DateWindowYears) of what is stored.
func within(path string, d Duration, max time.Duration) error {
	if err := positive(path, d); err != nil {
		return err
	}
	if d > Duration(max) {
		return Invalid(path, "got %s, want at most %s", d, Duration(max))
	}
	return nil
}

// Calendar dates (holidays, makeup days) lie in these years.
const (
	MinCalendarYear = 2000
	MaxCalendarYear = 2099
)

// calendarDate checks a "YYYY-MM-DD" holiday or makeup day.
func calendarDate(path, s string) error {
	t, err := parseDate(s)
	if err != nil {
		return Invalid(path, "%v", err)
	}
	if t.Year() < MinCalendarYear || t.Year() > MaxCalendarYear {
		return Invalid(path, "got %s, want a date in the years %d to %d", s, MinCalendarYear, MaxCalendarYear)
	}
	return nil
}

// intIn rejects v outside lo..hi.
func intIn(path string, v, lo, hi int) error {
	if v < lo || v > hi {
		return Invalid(path, "got %d, want %d..%d", v, lo, hi)
	}
	return nil
}

// scaleDuration returns d*percent/100 without overflowing.
func scaleDuration(d Duration, percent int) Duration {
	p := Duration(percent)
	return d/100*p + d%100*p/100
}
