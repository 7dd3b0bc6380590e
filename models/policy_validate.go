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
			return Invalid(tp+".urgency", "“%s”级别重复，每个紧急程度只能有一个级别", t.Urgency)
		}
		seen[t.Urgency] = true
	}
	for _, u := range Urgencies() {
		if !seen[u] {
			return Invalid(path+".tiers", "缺少“%s”级别，每个紧急程度都应有一个级别", u)
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
		return Invalid(path+".appointment_horizon", "%s 无效，应为 0s（使用默认值 %s）至 366d", p.AppointmentHorizon, DefaultAppointmentHorizon)
	}
	if p.HurryInterval < 0 || p.HurryInterval > Duration(7*Day) {
		return Invalid(path+".hurry_interval", "%s 无效，应为 0s（使用默认值 %s）至 7d", p.HurryInterval, DefaultHurryInterval)
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
			return Invalid(fmt.Sprintf("%s[%d]", path, i), "“%s”无效，应为报修节点 contact（联系业主）、on_site（到场）或 complete（完工）", m)
		}
		if slices.Contains(p.EscalateMilestones[:i], m) {
			return Invalid(fmt.Sprintf("%s[%d]", path, i), "“%s”重复，每个节点只能出现一次", m)
		}
	}
	return nil
}

func (t SLATier) validate(path string) error {
	if !t.Urgency.Valid() {
		return Invalid(path+".urgency", "“%s”无效，应为 critical（特急）、urgent（紧急）或 normal（一般）", t.Urgency)
	}
	if err := within(path+".contact", t.Contact, 30*Day); err != nil {
		return err
	}
	if t.OnSiteSameDay {
		if t.Urgency != UrgencyNormal {
			return Invalid(path+".on_site_same_day", "“%s”级别不能设为当日到场，应设固定的到场时限 on_site：只有一般（normal）级别可以当日到场", t.Urgency)
		}
		if t.OnSite != 0 {
			return Invalid(path+".on_site", "%s 无效：已设当日到场（on_site_same_day），到场时限应为 0s", t.OnSite)
		}
	} else {
		if err := within(path+".on_site", t.OnSite, 30*Day); err != nil {
			return err
		}
		if t.Contact > t.OnSite {
			return Invalid(path+".contact", "%s 无效，不能超过到场时限 on_site（%s）", t.Contact, t.OnSite)
		}
	}
	if err := within(path+".complete", t.Complete, 90*Day); err != nil {
		return err
	}
	if t.Complete < t.OnSite {
		return Invalid(path+".complete", "%s 无效，不能短于到场时限 on_site（%s）", t.Complete, t.OnSite)
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
		return Invalid(path+".answer", "%s 无效，不能短于受理时限 acknowledge（%s）", p.Answer, p.Acknowledge)
	}
	if p.Resolve < p.Answer {
		return Invalid(path+".resolve", "%s 无效，不能短于答复时限 answer（%s）", p.Resolve, p.Answer)
	}
	return within(path+".resolve", p.Resolve, 90*Day)
}

func (p EscalationPolicy) validate(path string) error {
	if len(p.Levels) == 0 {
		return Invalid(path+".levels", "至少需要一个升级层级")
	}
	for i, l := range p.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", path, i)
		if l.Level != i+1 {
			return Invalid(lp+".level", "%d 无效，应为 %d：层级须从 1 起按顺序编号", l.Level, i+1)
		}
		if !l.Role.Valid() {
			return Invalid(lp+".role", "“%s”无效，应为员工角色", l.Role)
		}
		if i == 0 {
			if l.After < 0 || l.After > Duration(30*Day) {
				return Invalid(lp+".after", "%s 无效，应为 0s 至 30d", l.After)
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
		return Invalid(path+".same_day_cutoff", "%s 无效，应晚于上班时间 workday_start（%s）", c.SameDayCutoff, c.WorkdayStart)
	}
	if cutoff > end {
		return Invalid(path+".same_day_cutoff", "%s 无效，不能晚于下班时间 workday_end（%s）", c.SameDayCutoff, c.WorkdayEnd)
	}
	if nextBy <= start || nextBy > end {
		return Invalid(path+".next_day_by", "%s 无效，应晚于上班时间 workday_start（%s），且不晚于下班时间 workday_end（%s）", c.NextDayBy, c.WorkdayStart, c.WorkdayEnd)
	}
	if len(c.Workdays) == 0 {
		return Invalid(path+".workdays", "至少需要一个工作日")
	}
	var seen [7]bool
	for i, d := range c.Workdays {
		dp := fmt.Sprintf("%s.workdays[%d]", path, i)
		if d < time.Sunday || d > time.Saturday {
			return Invalid(dp, "%d 无效，应为 0（星期日）至 6（星期六）", int(d))
		}
		if seen[d] {
			return Invalid(dp, "%d 重复，每个星期几只能出现一次", int(d))
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
			return Invalid(rp, "%d 重复，每一天只能出现一次", d)
		}
		seen[d] = true
	}
	if p.Allocation != AllocationPrincipalFirst && p.Allocation != AllocationLateFeeFirst {
		return Invalid(path+".allocation", "“%s”无效，应为 %s（先还本金）或 %s（先还滞纳金）", p.Allocation, AllocationPrincipalFirst, AllocationLateFeeFirst)
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
		return Invalid(path+".steps", "至少需要一个催缴步骤")
	}
	formal := -1 // index of the latest formal_notice step
	for i, s := range p.Steps {
		sp := fmt.Sprintf("%s.steps[%d]", path, i)
		if err := s.validate(sp); err != nil {
			return err
		}
		if i > 0 && s.After <= p.Steps[i-1].After {
			return Invalid(sp+".after", "%s 无效，应长于上一步的 %s", s.After, p.Steps[i-1].After)
		}
		switch s.Action {
		case ActionFormalNotice:
			formal = i
		case ActionLegalReferral:
			if i != len(p.Steps)-1 {
				return Invalid(sp+".action", "legal_referral（移交法务）在第 %d 步（共 %d 步），应为最后一步", i+1, len(p.Steps))
			}
			if formal < 0 {
				return Invalid(sp+".action", "legal_referral（移交法务）之前须先有 formal_notice（书面催告）（《民法典》第九百四十四条）")
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
				"按 %[2]d%% 加快后，与书面催告仅相隔 %[1]s，应不少于催告期 formal_notice_period（%[3]s）",
				gap, p.FastTrackPercent, p.FormalNoticePeriod)
		}
	}
	if err := within(path+".good_payer_polite_for", p.GoodPayerPoliteFor, 3*365*Day); err != nil {
		return err
	}
	if p.LargeArrearsFen <= 0 || p.LargeArrearsFen > int64(MaxAmountFen) {
		return Invalid(path+".large_arrears_fen", "%d 无效，应为正数，且不超过 %d 分", p.LargeArrearsFen, MaxAmountFen)
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
		return Invalid(path+".instalment_grace", "%s 无效，应为 0s 至 90d", p.InstalmentGrace)
	}
	if r := p.LegalDecisionReminder; r < MinLegalDecisionReminder || r > Duration(90*Day) {
		return Invalid(path+".legal_decision_reminder", "%s 无效，应为 %s 至 90d", r, MinLegalDecisionReminder)
	}
	return nil
}

func (s DunningStep) validate(path string) error {
	if s.After < 0 || s.After > Duration(3*365*Day) {
		return Invalid(path+".after", "%s 无效，应为 0s 至 1095d", s.After)
	}
	channels, ok := actionChannels(s.Action)
	if !ok {
		return Invalid(path+".action", "“%s”无效，应为 message（消息）、phone_call（电话）、visit（上门）、formal_notice（书面催告）或 legal_referral（移交法务）", s.Action)
	}
	switch {
	case len(channels) == 0 && s.Channel != "":
		return Invalid(path+".channel", "“%s”无效：%s 步骤不设渠道", s.Channel, s.Action)
	case len(channels) > 0 && !containsChannel(channels, s.Channel):
		return Invalid(path+".channel", "“%s”无效，应为 %v 之一（%s 步骤）", s.Channel, channels, s.Action)
	}
	human := s.Action == ActionPhoneCall || s.Action == ActionVisit || s.Action == ActionLegalReferral
	switch {
	case s.Role == "" && human:
		return Invalid(path+".role", "请填写执行 %s 的员工角色", s.Action)
	case s.Role != "" && !s.Role.Valid():
		return Invalid(path+".role", "“%s”无效，应为员工角色", s.Role)
	}
	switch {
	case s.Action == ActionMessage && !slices.Contains(DunningMessageTemplates(), s.Template):
		return Invalid(path+".template", "“%s”无效，应为 %v 之一", s.Template, DunningMessageTemplates())
	case s.Action != ActionMessage && s.Template != "":
		return Invalid(path+".template", "“%s”无效：只有 message（消息）步骤可以设模板", s.Template)
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
			return Invalid(rp, "%s 无效，应早于时间窗结束（%s）", r, p.Window)
		}
		if i > 0 && r <= p.ReminderAt[i-1] {
			return Invalid(rp, "%s 无效，应大于上一次提醒的 %s", r, p.ReminderAt[i-1])
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
		return Invalid(path+".end", "%s 与开始时间相同：免打扰时段应有时长（如 21:30 至 08:00），不设免打扰请填 %s 至 %s",
			q.End, NoQuietHours, NoQuietHours)
	}
	return nil
}

// positive rejects a zero or negative window.
func positive(path string, d Duration) error {
	if d <= 0 {
		return Invalid(path, "%s 无效，应为正的时长", d)
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
		return Invalid(path, "%s 无效，不能超过 %s", d, Duration(max))
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
		return Invalid(path, "%s 无效，年份应在 %d 至 %d 之间", s, MinCalendarYear, MaxCalendarYear)
	}
	return nil
}

// intIn rejects v outside lo..hi.
func intIn(path string, v, lo, hi int) error {
	if v < lo || v > hi {
		return Invalid(path, "%d 无效，应为 %d 至 %d", v, lo, hi)
	}
	return nil
}

// scaleDuration returns d*percent/100 without overflowing.
func scaleDuration(d Duration, percent int) Duration {
	p := Duration(percent)
	return d/100*p + d%100*p/100
}
