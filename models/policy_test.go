package models

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDefaultPolicyValidates(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate(): got %v, want nil", err)
	}
}

func TestDefaultPolicyJSONRoundTrip(t *testing.T) {
	want := DefaultPolicy()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("Marshal: got error %v, want nil", err)
	}
	for _, fragment := range []string{
		`"on_site":"10m"`, `"complete":"3d"`, `"on_site_same_day":true`,
		`"after":"180d"`, `"reminder_at":["21d","28d"]`, `"workdays":[1,2,3,4,5,6]`,
		`"quiet_hours":{"start":"21:30","end":"08:00"}`,
	} {
		if !strings.Contains(string(data), fragment) {
			t.Errorf("Marshal: got %s, want it to contain %s", data, fragment)
		}
	}
	var got Policy
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("Unmarshal: got error %v, want nil", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip: got %+v, want %+v", got, want)
	}
}

func TestDefaultPolicyIsFresh(t *testing.T) {
	a, b := DefaultPolicy(), DefaultPolicy()
	a.Repair.Tiers[0].OnSite = Duration(time.Hour)
	a.Escalation.Levels[0].Role = RoleLegal
	a.Calendar.Workdays[0] = time.Sunday
	a.Calendar.Holidays[0] = "2027-01-01"
	a.Calendar.ExtraWorkdays[0] = "2027-01-02"
	a.Fees.ReminderDaysBefore[0] = 3
	a.Dunning.Steps[0].After = Duration(2 * Day)
	a.FollowUp.ReminderAt[0] = Duration(Day)
	if !reflect.DeepEqual(b, DefaultPolicy()) {
		t.Errorf("mutating one DefaultPolicy changed another: got %+v, want %+v", b, DefaultPolicy())
	}
}

func TestPolicyValidate(t *testing.T) {
	d := func(s string) Duration {
		v, err := ParseDuration(s)
		if err != nil {
			t.Fatalf("ParseDuration(%q): %v", s, err)
		}
		return v
	}
	tests := []struct {
		name string
		give func(p *Policy)
		want string // the Field of the ValidationError; "" means valid
	}{
		// repair
		{"unknown urgency", func(p *Policy) { p.Repair.Tiers[0].Urgency = "asap" }, "repair.tiers[0].urgency"},
		{"duplicate tier", func(p *Policy) { p.Repair.Tiers[1].Urgency = UrgencyCritical }, "repair.tiers[1].urgency"},
		{"missing tier", func(p *Policy) { p.Repair.Tiers = p.Repair.Tiers[:2] }, "repair.tiers"},
		{"no tiers", func(p *Policy) { p.Repair.Tiers = nil }, "repair.tiers"},
		{"zero contact", func(p *Policy) { p.Repair.Tiers[0].Contact = 0 }, "repair.tiers[0].contact"},
		{"zero on site", func(p *Policy) { p.Repair.Tiers[1].OnSite = 0 }, "repair.tiers[1].on_site"},
		{"negative on site", func(p *Policy) { p.Repair.Tiers[1].OnSite = Duration(-time.Minute) }, "repair.tiers[1].on_site"},
		{"same day on critical", func(p *Policy) { p.Repair.Tiers[0].OnSiteSameDay = true }, "repair.tiers[0].on_site_same_day"},
		{"same day with on site", func(p *Policy) { p.Repair.Tiers[2].OnSite = d("2h") }, "repair.tiers[2].on_site"},
		{"fixed normal tier", func(p *Policy) {
			p.Repair.Tiers[2].OnSiteSameDay = false
			p.Repair.Tiers[2].OnSite = d("2h")
		}, ""},
		{"contact after on site", func(p *Policy) { p.Repair.Tiers[0].Contact = d("11m") }, "repair.tiers[0].contact"},
		{"contact equals on site", func(p *Policy) { p.Repair.Tiers[0].Contact = d("10m") }, ""},
		{"complete before on site", func(p *Policy) { p.Repair.Tiers[1].Complete = d("14m") }, "repair.tiers[1].complete"},
		{"zero complete", func(p *Policy) { p.Repair.Tiers[2].Complete = 0 }, "repair.tiers[2].complete"},
		{"warn at 0%", func(p *Policy) { p.Repair.WarnAtPercent = 0 }, "repair.warn_at_percent"},
		{"warn at 1%", func(p *Policy) { p.Repair.WarnAtPercent = 1 }, ""},
		{"warn at 99%", func(p *Policy) { p.Repair.WarnAtPercent = 99 }, ""},
		{"warn at 100%", func(p *Policy) { p.Repair.WarnAtPercent = 100 }, "repair.warn_at_percent"},
		{"zero confirm window", func(p *Policy) { p.Repair.ConfirmWindow = 0 }, "repair.confirm_window"},
		{"zero return visit", func(p *Policy) { p.Repair.ReturnVisitWindow = 0 }, "repair.return_visit_window"},
		{"low score 0 disables", func(p *Policy) { p.Repair.LowScoreThreshold = 0 }, ""},
		{"low score 5", func(p *Policy) { p.Repair.LowScoreThreshold = 5 }, "repair.low_score_threshold"},
		{"low score negative", func(p *Policy) { p.Repair.LowScoreThreshold = -1 }, "repair.low_score_threshold"},
		{"zero reopens", func(p *Policy) { p.Repair.MaxReopens = 0 }, "repair.max_reopens"},
		{"escalate on site and complete only", func(p *Policy) {
			p.Repair.EscalateMilestones = []Milestone{MilestoneOnSite, MilestoneComplete}
		}, ""},
		{"escalate no milestone named: all", func(p *Policy) { p.Repair.EscalateMilestones = nil }, ""},
		{"escalate a complaint milestone", func(p *Policy) {
			p.Repair.EscalateMilestones = []Milestone{MilestoneAnswer}
		}, "repair.escalate_milestones[0]"},
		{"escalate a milestone twice", func(p *Policy) {
			p.Repair.EscalateMilestones = []Milestone{MilestoneOnSite, MilestoneOnSite}
		}, "repair.escalate_milestones[1]"},

		// complaint
		{"zero acknowledge", func(p *Policy) { p.Complaint.Acknowledge = 0 }, "complaint.acknowledge"},
		{"zero answer", func(p *Policy) { p.Complaint.Answer = 0 }, "complaint.answer"},
		{"answer before acknowledge", func(p *Policy) { p.Complaint.Answer = d("20m") }, "complaint.answer"},
		{"resolve before answer", func(p *Policy) { p.Complaint.Resolve = d("23h") }, "complaint.resolve"},

		// escalation
		{"no levels", func(p *Policy) { p.Escalation.Levels = nil }, "escalation.levels"},
		{"level numbered from 0", func(p *Policy) { p.Escalation.Levels[0].Level = 0 }, "escalation.levels[0].level"},
		{"level skipped", func(p *Policy) { p.Escalation.Levels[1].Level = 3 }, "escalation.levels[1].level"},
		{"unknown role", func(p *Policy) { p.Escalation.Levels[2].Role = "ceo" }, "escalation.levels[2].role"},
		{"negative first wait", func(p *Policy) { p.Escalation.Levels[0].After = -1 }, "escalation.levels[0].after"},
		{"first wait later", func(p *Policy) { p.Escalation.Levels[0].After = d("5m") }, ""},
		{"zero later wait", func(p *Policy) { p.Escalation.Levels[1].After = 0 }, "escalation.levels[1].after"},

		// calendar
		{"one-digit hour", func(p *Policy) { p.Calendar.WorkdayStart = "8:30" }, "calendar.workday_start"},
		{"hour 24", func(p *Policy) { p.Calendar.WorkdayEnd = "24:00" }, "calendar.workday_end"},
		{"minute 60", func(p *Policy) { p.Calendar.SameDayCutoff = "15:60" }, "calendar.same_day_cutoff"},
		{"letters", func(p *Policy) { p.Calendar.NextDayBy = "no:on" }, "calendar.next_day_by"},
		{"cutoff at start", func(p *Policy) { p.Calendar.SameDayCutoff = "08:30" }, "calendar.same_day_cutoff"},
		{"cutoff after end", func(p *Policy) { p.Calendar.SameDayCutoff = "17:31" }, "calendar.same_day_cutoff"},
		{"cutoff at end", func(p *Policy) { p.Calendar.SameDayCutoff = "17:30" }, ""},
		{"next day by at start", func(p *Policy) { p.Calendar.NextDayBy = "08:30" }, "calendar.next_day_by"},
		{"next day by after end", func(p *Policy) { p.Calendar.NextDayBy = "18:00" }, "calendar.next_day_by"},
		{"no workdays", func(p *Policy) { p.Calendar.Workdays = nil }, "calendar.workdays"},
		{"weekday 7", func(p *Policy) { p.Calendar.Workdays[5] = 7 }, "calendar.workdays[5]"},
		{"weekday -1", func(p *Policy) { p.Calendar.Workdays[0] = -1 }, "calendar.workdays[0]"},
		{"duplicate weekday", func(p *Policy) { p.Calendar.Workdays[1] = time.Monday }, "calendar.workdays[1]"},
		{"Sunday works", func(p *Policy) { p.Calendar.Workdays = append(p.Calendar.Workdays, time.Sunday) }, ""},
		{"month 13", func(p *Policy) { p.Calendar.Holidays[2] = "2026-13-01" }, "calendar.holidays[2]"},
		{"30 February", func(p *Policy) { p.Calendar.Holidays[0] = "2026-02-30" }, "calendar.holidays[0]"},
		{"slashes", func(p *Policy) { p.Calendar.Holidays[0] = "2026/10/01" }, "calendar.holidays[0]"},
		{"unpadded date", func(p *Policy) { p.Calendar.Holidays[0] = "2026-1-1" }, "calendar.holidays[0]"},
		{"bad makeup day", func(p *Policy) { p.Calendar.ExtraWorkdays[1] = "tomorrow" }, "calendar.extra_workdays[1]"},
		{"no holidays", func(p *Policy) { p.Calendar.Holidays, p.Calendar.ExtraWorkdays = nil, nil }, ""},

		// fees
		{"due day 0", func(p *Policy) { p.Fees.DueDay = 0 }, "fees.due_day"},
		{"due day 28", func(p *Policy) { p.Fees.DueDay = 28 }, ""},
		{"due day 29", func(p *Policy) { p.Fees.DueDay = 29 }, "fees.due_day"},
		{"no late fee", func(p *Policy) { p.Fees.LateFeePerTenThousand = 0 }, ""},
		{"per ten thousand 1001", func(p *Policy) { p.Fees.LateFeePerTenThousand = 1001 }, "fees.late_fee_per_ten_thousand"},
		{"per ten thousand 1000", func(p *Policy) { p.Fees.LateFeePerTenThousand = 1000 }, ""},
		{"spike ratio 101", func(p *Policy) { p.Fees.ReadingSpikeRatio = 101 }, "fees.reading_spike_ratio"},
		{"per ten thousand negative", func(p *Policy) { p.Fees.LateFeePerTenThousand = -3 }, "fees.late_fee_per_ten_thousand"},
		{"no cap", func(p *Policy) { p.Fees.LateFeeCapPercent = 0 }, ""},
		{"cap 1000%", func(p *Policy) { p.Fees.LateFeeCapPercent = 1000 }, ""},
		{"cap 1001%", func(p *Policy) { p.Fees.LateFeeCapPercent = 1001 }, "fees.late_fee_cap_percent"},
		{"negative grace", func(p *Policy) { p.Fees.GraceDays = -1 }, "fees.grace_days"},
		{"negative dispute days", func(p *Policy) { p.Fees.DisputeBeforeDueDays = -1 }, "fees.dispute_before_due_days"},
		{"billing day 0", func(p *Policy) { p.Fees.BillingDay = 0 }, "fees.billing_day"},
		{"reminder on due day", func(p *Policy) { p.Fees.ReminderDaysBefore = []int{7, 0} }, "fees.reminder_days_before[1]"},
		{"duplicate reminder", func(p *Policy) { p.Fees.ReminderDaysBefore = []int{7, 3, 7} }, "fees.reminder_days_before[2]"},
		{"no reminders", func(p *Policy) { p.Fees.ReminderDaysBefore = nil }, ""},
		{"late fee first", func(p *Policy) { p.Fees.Allocation = AllocationLateFeeFirst }, ""},
		{"unknown allocation", func(p *Policy) { p.Fees.Allocation = "newest_first" }, "fees.allocation"},

		// dunning
		{"no steps", func(p *Policy) { p.Dunning.Steps = nil }, "dunning.steps"},
		{"negative after", func(p *Policy) { p.Dunning.Steps[0].After = -1 }, "dunning.steps[0].after"},
		{"step at due date", func(p *Policy) { p.Dunning.Steps[0].After = 0 }, ""},
		{"steps not increasing", func(p *Policy) { p.Dunning.Steps[2].After = d("15d") }, "dunning.steps[2].after"},
		{"cutting water", func(p *Policy) { p.Dunning.Steps[3].Action = "cut_water" }, "dunning.steps[3].action"},
		{"message by letter", func(p *Policy) { p.Dunning.Steps[0].Channel = ChannelLetter }, "dunning.steps[0].channel"},
		{"message without channel", func(p *Policy) { p.Dunning.Steps[1].Channel = "" }, "dunning.steps[1].channel"},
		{"message by app", func(p *Policy) { p.Dunning.Steps[1].Channel = ChannelApp }, ""},
		{"unknown channel", func(p *Policy) { p.Dunning.Steps[0].Channel = "fax" }, "dunning.steps[0].channel"},
		{"legal referral with channel", func(p *Policy) { p.Dunning.Steps[5].Channel = ChannelLetter }, "dunning.steps[5].channel"},
		{"phone call without role", func(p *Policy) { p.Dunning.Steps[2].Role = "" }, "dunning.steps[2].role"},
		{"visit by unknown role", func(p *Policy) { p.Dunning.Steps[3].Role = "owner" }, "dunning.steps[3].role"},
		{"message without template", func(p *Policy) { p.Dunning.Steps[0].Template = "" }, "dunning.steps[0].template"},
		{"notice with a template", func(p *Policy) { p.Dunning.Steps[4].Template = "payment_overdue_polite" }, "dunning.steps[4].template"},
		{"message with an unknown template", func(p *Policy) { p.Dunning.Steps[0].Template = "fee_overdue_reminder" }, "dunning.steps[0].template"},
		{"message without a template", func(p *Policy) { p.Dunning.Steps[1].Template = "" }, "dunning.steps[1].template"},
		{"legal referral not last", func(p *Policy) {
			s := p.Dunning.Steps
			p.Dunning.Steps = append(s, DunningStep{After: d("200d"), Action: ActionMessage, Channel: ChannelSMS, Template: "x"})
		}, "dunning.steps[5].action"},
		{"legal referral without notice", func(p *Policy) {
			p.Dunning.Steps = append(p.Dunning.Steps[:4], p.Dunning.Steps[5])
		}, "dunning.steps[4].action"},
		{"no legal referral", func(p *Policy) { p.Dunning.Steps = p.Dunning.Steps[:5] }, ""},
		{"notice period too short when fast-tracked", func(p *Policy) { p.Dunning.Steps[5].After = d("140d") }, "dunning.steps[5].after"},
		{"notice period exactly when fast-tracked", func(p *Policy) { p.Dunning.Steps[5].After = d("150d") }, ""},
		{"zero notice period", func(p *Policy) { p.Dunning.FormalNoticePeriod = 0 }, "dunning.formal_notice_period"},
		{"fast track 0%", func(p *Policy) { p.Dunning.FastTrackPercent = 0 }, "dunning.fast_track_percent"},
		{"fast track 100%", func(p *Policy) { p.Dunning.FastTrackPercent = 100 }, ""},
		{"fast track 101%", func(p *Policy) { p.Dunning.FastTrackPercent = 101 }, "dunning.fast_track_percent"},
		{"zero polite period", func(p *Policy) { p.Dunning.GoodPayerPoliteFor = 0 }, "dunning.good_payer_polite_for"},
		{"zero large arrears", func(p *Policy) { p.Dunning.LargeArrearsFen = 0 }, "dunning.large_arrears_fen"},
		{"large arrears of the largest amount", func(p *Policy) { p.Dunning.LargeArrearsFen = int64(MaxAmountFen) }, ""},
		{"large arrears past the largest amount", func(p *Policy) { p.Dunning.LargeArrearsFen = int64(MaxAmountFen) + 1 }, "dunning.large_arrears_fen"},
		{"zero repeat count", func(p *Policy) { p.Dunning.RepeatLateCount = 0 }, "dunning.repeat_late_count"},
		{"zero repeat window", func(p *Policy) { p.Dunning.RepeatLateWindowMonths = 0 }, "dunning.repeat_late_window_months"},
		{"zero task due", func(p *Policy) { p.Dunning.TaskDue = 0 }, "dunning.task_due"},
		{"no instalment grace", func(p *Policy) { p.Dunning.InstalmentGrace = 0 }, ""},
		{"negative instalment grace", func(p *Policy) { p.Dunning.InstalmentGrace = -1 }, "dunning.instalment_grace"},
		{"zero legal reminder", func(p *Policy) { p.Dunning.LegalDecisionReminder = 0 }, "dunning.legal_decision_reminder"},
		{"legal reminder every nanosecond", func(p *Policy) { p.Dunning.LegalDecisionReminder = 1 }, "dunning.legal_decision_reminder"},
		{"legal reminder every 59 minutes", func(p *Policy) { p.Dunning.LegalDecisionReminder = d("59m") }, "dunning.legal_decision_reminder"},
		{"legal reminder hourly", func(p *Policy) { p.Dunning.LegalDecisionReminder = d("1h") }, ""},
		{"legal reminder every 90 days", func(p *Policy) { p.Dunning.LegalDecisionReminder = d("90d") }, ""},
		{"legal reminder every 91 days", func(p *Policy) { p.Dunning.LegalDecisionReminder = d("91d") }, "dunning.legal_decision_reminder"},

		// follow-up
		{"zero window", func(p *Policy) { p.FollowUp.Window = 0 }, "follow_up.window"},
		{"zero reminder", func(p *Policy) { p.FollowUp.ReminderAt[0] = 0 }, "follow_up.reminder_at[0]"},
		{"reminder at window end", func(p *Policy) { p.FollowUp.ReminderAt[1] = d("30d") }, "follow_up.reminder_at[1]"},
		{"reminders not increasing", func(p *Policy) { p.FollowUp.ReminderAt[1] = d("21d") }, "follow_up.reminder_at[1]"},
		{"no reminders at all", func(p *Policy) { p.FollowUp.ReminderAt = nil }, ""},
		{"zero attempts", func(p *Policy) { p.FollowUp.MaxAttempts = 0 }, "follow_up.max_attempts"},

		// quiet hours
		{"bad quiet start", func(p *Policy) { p.QuietHours.Start = "9pm" }, "quiet_hours.start"},
		{"bad quiet end", func(p *Policy) { p.QuietHours.End = "08:00:00" }, "quiet_hours.end"},
		{"no quiet hours", func(p *Policy) { p.QuietHours = QuietHours{Start: "00:00", End: "00:00"} }, ""},
		{"quiet hours of no length", func(p *Policy) { p.QuietHours = QuietHours{Start: "22:00", End: "22:00"} }, "quiet_hours.end"},
		{"a confirmation window of years", func(p *Policy) { p.Repair.ConfirmWindow = Duration(100000 * time.Hour) }, "repair.confirm_window"},
		{"an SLA window of months", func(p *Policy) { p.Repair.Tiers[0].Complete = Duration(100 * Day) }, "repair.tiers[0].complete"},
		{"an appointment horizon past a year", func(p *Policy) { p.Repair.AppointmentHorizon = Duration(400 * Day) }, "repair.appointment_horizon"},
		{"a hurry interval past a week", func(p *Policy) { p.Repair.HurryInterval = Duration(8 * Day) }, "repair.hurry_interval"},
		{"no appointment horizon: the default", func(p *Policy) { p.Repair.AppointmentHorizon = 0 }, ""},
		{"a payment page", func(p *Policy) { p.Fees.PayURL = "https://pay.example.com/wuye?estate=1" }, ""},
		{"a payment page over http", func(p *Policy) { p.Fees.PayURL = "http://pay.example.com/" }, "fees.pay_url"},
		{"a payment page without a host", func(p *Policy) { p.Fees.PayURL = "https:///pay" }, "fees.pay_url"},
		{"a script for a payment page", func(p *Policy) { p.Fees.PayURL = "javascript:alert(1)" }, "fees.pay_url"},
		{"a QR code over http", func(p *Policy) { p.Fees.PayQRURL = "http://pay.example.com/qr.png" }, "fees.pay_qr_url"},
		{"a QR code", func(p *Policy) { p.Fees.PayQRURL = "https://pay.example.com/qr.png" }, ""},
		{"a holiday in year 1", func(p *Policy) { p.Calendar.Holidays = []string{"0001-01-01"} }, "calendar.holidays[0]"},
		{"a makeup day in 2100", func(p *Policy) { p.Calendar.ExtraWorkdays = []string{"2100-01-04"} }, "calendar.extra_workdays[0]"},
		{"a dunning step after decades", func(p *Policy) { p.Dunning.Steps[len(p.Dunning.Steps)-1].After = Duration(20 * 365 * Day) }, "dunning.steps[" + strconv.Itoa(len(DefaultPolicy().Dunning.Steps)-1) + "].after"},
		{"an escalation wait of a year", func(p *Policy) { p.Escalation.Levels[1].After = Duration(365 * Day) }, "escalation.levels[1].after"},

		// the first problem wins
		{"first of two problems", func(p *Policy) {
			p.QuietHours.Start = "bad"
			p.Repair.MaxReopens = 0
		}, "repair.max_reopens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.give(&p)
			err := p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate(): got %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate(): got %v, want a *ValidationError on %s", err, tt.want)
			}
			if ve.Field != tt.want {
				t.Errorf("Validate(): got field %s (%v), want %s", ve.Field, ve.Reason, tt.want)
			}
			if ve.Reason == "" {
				t.Errorf("Validate(): got an empty reason, want one")
			}
		})
	}
}
