package models

import (
	"encoding/json"
	"slices"
	"time"
)

// Policy is one estate's service rules. Every number the domain names (SLA
// windows, escalation chain, working-day calendar, fee terms, dunning ladder,
// move-in follow-up, quiet hours) is a default here that managers can edit
// through the API; workflow code reads them from the estate's Policy and never
// from a constant of its own.
type Policy struct {
	Repair     RepairPolicy     `json:"repair"`
	Complaint  ComplaintPolicy  `json:"complaint"`
	Escalation EscalationPolicy `json:"escalation"`
	Calendar   ServiceCalendar  `json:"calendar"`
	Fees       FeePolicy        `json:"fees"`
	Dunning    DunningPolicy    `json:"dunning"`
	FollowUp   FollowUpPolicy   `json:"follow_up"`
	QuietHours QuietHours       `json:"quiet_hours"`
	// Channels orders the channels messages try; zero means the defaults.
	Channels ChannelPolicy `json:"channels"`
	// Inspection: inspections and preventive maintenance (巡检/维保);
	// empty fields mean the defaults.
	Inspection InspectionPolicy `json:"inspection"`
	// Contract is the service contract's expiry reminders; zero means the
	// defaults.
	Contract ContractPolicy `json:"contract"`
	// Release sets the rate bulk messages go out at per channel and the
	// spread of calendar work (release.go); zero means the defaults.
	Release ReleasePolicy `json:"release"`
	// Notice holds the rules of outage and community notices; zero values
	// read as the defaults (NoticePolicy.OrDefault).
	Notice NoticePolicy `json:"notice"`

	// Survey is the satisfaction surveys and staff performance; zero
	// (policies saved before it existed) means DefaultSurveyPolicy.
	Survey SurveyPolicy `json:"survey"`
}

// RepairPolicy holds the promises made for repair tickets (报修).
type RepairPolicy struct {
	// Tiers holds exactly one SLATier per Urgency.
	Tiers []SLATier `json:"tiers"`
	// WarnAtPercent is the share of each deadline's window after which staff
	// are warned that the deadline is near (1..99).
	WarnAtPercent int `json:"warn_at_percent"`
	// ConfirmWindow is how long the resident has to confirm or reject a fix;
	// without an answer it is confirmed automatically.
	ConfirmWindow Duration `json:"confirm_window"`
	// ReturnVisitWindow is how soon after confirmation the satisfaction
	// return visit (满意度回访) must happen.
	ReturnVisitWindow Duration `json:"return_visit_window"`
	// LowScoreThreshold: a satisfaction score (1..5) at or below it opens a
	// follow-up complaint; 0 disables that.
	LowScoreThreshold int `json:"low_score_threshold"`
	// ResidentRating lets residents rate a repair themselves (1..5 stars
	// and a comment) through their link, on the confirmation page and the
	// rating page: the rating is the ticket's return visit. The API reads
	// it from the estate's current policy, so turning it off stops the
	// pages at once.
	ResidentRating bool `json:"resident_rating"`
	// MaxReopens is how many rejected fixes go back to the technician for
	// rework before the ticket escalates instead.
	MaxReopens int `json:"max_reopens"`
	// AppointmentHorizon is how far ahead a resident may book an
	// appointment; zero (policies saved before it existed) means
	// DefaultAppointmentHorizon.
	AppointmentHorizon Duration `json:"appointment_horizon"`
	// HurryInterval is how long after a resident's 催单 (hurry-up, allowed
	// once a ticket's deadline has passed) they may press it again, for
	// repairs and complaints alike; zero (policies saved before it existed)
	// means DefaultHurryInterval.
	HurryInterval Duration `json:"hurry_interval"`
	// EscalateMilestones lists the repair milestones whose breach climbs
	// the ticket's escalation ladder (contact, on_site, complete); a breach
	// of another is not escalated. Empty (policies saved before it existed)
	// means all of them. Complaint deadlines always escalate.
	EscalateMilestones []Milestone `json:"escalate_milestones"`
}

// RepairMilestones are the milestones of a repair, in order.
func RepairMilestones() []Milestone {
	return []Milestone{MilestoneContact, MilestoneOnSite, MilestoneComplete}
}

// Escalates reports whether a breach of m climbs the escalation ladder:
// every milestone of a complaint, and a repair's when EscalateMilestones
// is empty or lists it.
func (p RepairPolicy) Escalates(m Milestone) bool {
	if len(p.EscalateMilestones) == 0 || !slices.Contains(RepairMilestones(), m) {
		return true
	}
	return slices.Contains(p.EscalateMilestones, m)
}

// DefaultHurryInterval is the hurry interval of a policy that names none.
const DefaultHurryInterval = Duration(30 * time.Minute)

// HurryEvery is the policy's hurry interval, or DefaultHurryInterval.
func (p RepairPolicy) HurryEvery() time.Duration {
	if p.HurryInterval <= 0 {
		return DefaultHurryInterval.Std()
	}
	return p.HurryInterval.Std()
}

// DefaultAppointmentHorizon is the appointment horizon of a policy that
// names none: two months.
const DefaultAppointmentHorizon = Duration(60 * Day)

// CheckAppointment refuses an appointment (nil for none) later than the
// policy's horizon after now.
func (p RepairPolicy) CheckAppointment(appointment *time.Time, now time.Time) error {
	if appointment == nil {
		return nil
	}
	h := p.AppointmentHorizon
	if h <= 0 {
		h = DefaultAppointmentHorizon
	}
	if limit := now.Add(h.Std()); appointment.After(limit) {
		return Invalid("appointment", "%s 无效，应在从现在起 %s 以内（%s 之前）",
			appointment.Format(time.RFC3339), h, limit.Format(time.RFC3339))
	}
	return nil
}

// SLATier is the promise for one urgency, each window counted from the report.
type SLATier struct {
	Urgency Urgency `json:"urgency"`
	// Contact is how soon the resident must be contacted.
	Contact Duration `json:"contact"`
	// OnSite is how soon staff must be on site; zero when OnSiteSameDay.
	OnSite Duration `json:"on_site"`
	// OnSiteSameDay replaces OnSite with the service calendar's same-day
	// deadline (ServiceCalendar.SameDayDeadline). Only the normal tier may
	// use it. An appointment agreed with the resident overrides both.
	OnSiteSameDay bool `json:"on_site_same_day"`
	// Complete is how soon the work must be done (from the appointment when
	// there is one).
	Complete Duration `json:"complete"`
}

// Tier returns the tier for u and whether p has one.
func (p RepairPolicy) Tier(u Urgency) (SLATier, bool) {
	for _, t := range p.Tiers {
		if t.Urgency == u {
			return t, true
		}
	}
	return SLATier{}, false
}

// ComplaintPolicy holds the windows for complaints (投诉), all counted from the
// report: 有求必应, 有应必解, 有解必答.
type ComplaintPolicy struct {
	// Acknowledge: the owner (首问负责人) acknowledges the complaint.
	Acknowledge Duration `json:"acknowledge"`
	// Answer: the resident receives a substantive answer.
	Answer Duration `json:"answer"`
	// Resolve: the complaint is resolved and the result reported back.
	Resolve Duration `json:"resolve"`
}

// EscalationPolicy is the chain a case climbs, one level at a time, once one
// of its deadlines has passed.
type EscalationPolicy struct {
	Levels []EscalationLevel `json:"levels"`
}

// EscalationLevel is one rung of the escalation chain.
type EscalationLevel struct {
	// Level numbers the rungs 1, 2, 3... in order.
	Level int `json:"level"`
	// Role receives the case at this level.
	Role Role `json:"role"`
	// After is the wait after the previous level; for level 1 it is the wait
	// after the breach (usually zero).
	After Duration `json:"after"`
}

// ServiceCalendar says when the estate works, for "same day" promises. Clock
// values are "HH:MM" in the estate's time zone; dates are "YYYY-MM-DD".
type ServiceCalendar struct {
	WorkdayStart string `json:"workday_start"`
	WorkdayEnd   string `json:"workday_end"`
	// SameDayCutoff: a same-day ticket reported on a working day before this
	// time is due by WorkdayEnd that day.
	SameDayCutoff string `json:"same_day_cutoff"`
	// NextDayBy: a same-day ticket reported later, or on a day off, is due by
	// this time on the next working day.
	NextDayBy string `json:"next_day_by"`
	// Workdays are the working weekdays (time.Weekday numbers, Sunday = 0).
	Workdays []time.Weekday `json:"workdays"`
	// Holidays are days off even when their weekday is a working day.
	Holidays []string `json:"holidays"`
	// ExtraWorkdays (调休 makeup days) are working days whatever their
	// weekday, and win over Holidays.
	ExtraWorkdays []string `json:"extra_workdays"`
}

// Allocation says how a partial payment is split between the principal of a
// bill and its late fee.
type Allocation string

// The payment allocation orders.
const (
	AllocationPrincipalFirst Allocation = "principal_first"
	AllocationLateFeeFirst   Allocation = "late_fee_first"
)

// FeePolicy holds the terms of the monthly property-fee bill (seed 004 §4).
type FeePolicy struct {
	// DueDay is the day of the month after the billing period on which the
	// bill is due (1..28).
	DueDay int `json:"due_day"`
	// LateFeePerTenThousand is the late fee per overdue day, in ‱ (basis
	// points, 万分之) of the overdue principal: 5 is a contract's 万分之五,
	// 30 the 千分之三 of the defaults; 0 disables late fees.
	LateFeePerTenThousand int `json:"late_fee_per_ten_thousand"`
	// LateFeePerMille is the rate policies carried before it was kept in ‱
	// (‰ per day). It is only read: a policy whose JSON has no
	// late_fee_per_ten_thousand takes ten times it (UnmarshalJSON), so an old
	// stored policy or a running workflow's input charges what it did; it
	// is then cleared, so a policy read is written back in ‱ alone.
	LateFeePerMille int `json:"late_fee_per_mille,omitempty"`
	// LateFeeCapPercent caps the accumulated late fee at this percent of the
	// principal (100: never more than the principal; 0: no cap).
	LateFeeCapPercent int `json:"late_fee_cap_percent"`
	// GraceDays delays the first late-fee day after the due date.
	GraceDays int `json:"grace_days"`
	// DisputeBeforeDueDays: a resident may dispute a bill until this many
	// days before its due date.
	DisputeBeforeDueDays int `json:"dispute_before_due_days"`
	// ReminderDaysBefore lists the polite reminders sent this many days
	// before the due date; one more is always sent on the due date.
	ReminderDaysBefore []int `json:"reminder_days_before"`
	// Allocation orders how partial payments are applied.
	Allocation Allocation `json:"allocation"`
	// AutoBilling turns on the scheduled monthly billing run.
	AutoBilling bool `json:"auto_billing"`
	// BillingDay is the day of the month of the scheduled billing run (1..28).
	BillingDay int `json:"billing_day"`
	// ReadingSpikeRatio flags a meter reading for review when its
	// consumption is more than this many times the unit's recent average
	// (models.CheckReading); 0 (policies saved before it existed) flags
	// none on that ground.
	ReadingSpikeRatio int `json:"reading_spike_ratio"`
	// PayURL is the company's payment page (an https address) residents
	// open from their statement page (我的账单); "" for none.
	PayURL string `json:"pay_url"`
	// PayQRURL is the address (https) of an image of the payment QR code,
	// shown to residents as a link; "" for none.
	PayQRURL string `json:"pay_qr_url"`
}

// UnmarshalJSON reads a FeePolicy; one written before the late fee was kept
// in ‱ (no late_fee_per_ten_thousand) takes late_fee_per_mille × 10, so the
// same JSON always charges the same fee.
func (f *FeePolicy) UnmarshalJSON(b []byte) error {
	type plain FeePolicy
	var v struct {
		plain
		PerTenThousand *int `json:"late_fee_per_ten_thousand"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = FeePolicy(v.plain)
	if v.PerTenThousand != nil {
		f.LateFeePerTenThousand = *v.PerTenThousand
	} else {
		f.LateFeePerTenThousand = int(mulSat(int64(f.LateFeePerMille), 10))
	}
	f.LateFeePerMille = 0 // read once; never written back
	return nil
}

// DunningAction is what a step of the dunning ladder does. There is
// deliberately no action that cuts water, electricity, heating or gas: the
// Civil Code (Art. 944) forbids collecting that way.
type DunningAction string

// The dunning actions, gentlest first.
const (
	ActionMessage       DunningAction = "message"        // a polite reminder by Channel
	ActionPhoneCall     DunningAction = "phone_call"     // a call by Role, logged
	ActionVisit         DunningAction = "visit"          // a face-to-face visit by Role
	ActionFormalNotice  DunningAction = "formal_notice"  // a written demand (催告, Art. 944)
	ActionLegalReferral DunningAction = "legal_referral" // handed to Role to decide on legal action
)

// actionLabels name the actions staff carry out in their messages.
var actionLabels = map[DunningAction]string{
	ActionPhoneCall: "电话沟通",
	ActionVisit:     "上门拜访",
}

// Label is a's name in staff messages ("上门拜访"); an action without one is
// its value.
func (a DunningAction) Label() string { return label(actionLabels, a) }

// Channel is how a contact with a resident is made.
type Channel string

// The contact channels.
const (
	ChannelSMS    Channel = "sms"
	ChannelWeChat Channel = "wechat"
	ChannelApp    Channel = "app"
	ChannelPhone  Channel = "phone"
	ChannelVisit  Channel = "visit"
	ChannelLetter Channel = "letter"
)

// actionChannels lists the channels each action may use; legal_referral
// takes none.
func actionChannels(a DunningAction) ([]Channel, bool) {
	switch a {
	case ActionMessage:
		return []Channel{ChannelSMS, ChannelWeChat, ChannelApp}, true
	case ActionPhoneCall:
		return []Channel{ChannelPhone}, true
	case ActionVisit:
		return []Channel{ChannelVisit}, true
	case ActionFormalNotice:
		return []Channel{ChannelLetter}, true
	case ActionLegalReferral:
		return nil, true
	}
	return nil, false
}

// DunningPolicy is the tiered, differentiated collection strategy (seed 003,
// 分级分类的催缴策略).
type DunningPolicy struct {
	// Steps is the ladder, in strictly increasing order of After.
	Steps []DunningStep `json:"steps"`
	// GoodPayerPoliteFor: a household with a good history that is late for
	// the first time gets only message steps until this long overdue.
	GoodPayerPoliteFor Duration `json:"good_payer_polite_for"`
	// LargeArrearsFen: arrears of at least this many fen are large.
	LargeArrearsFen int64 `json:"large_arrears_fen"`
	// RepeatLateCount late bills within RepeatLateWindowMonths make a
	// household a repeat late payer.
	RepeatLateCount        int `json:"repeat_late_count"`
	RepeatLateWindowMonths int `json:"repeat_late_window_months"`
	// FastTrackPercent scales every step's After for repeat late payers and
	// large arrears (1..100).
	FastTrackPercent int `json:"fast_track_percent"`
	// TaskDue is how long staff have to carry out a phone call or visit task.
	TaskDue Duration `json:"task_due"`
	// InstalmentGrace is how late an instalment may be before the plan counts
	// as missed and collection resumes.
	InstalmentGrace Duration `json:"instalment_grace"`
	// LegalDecisionReminder is how often the estate managers are reminded
	// of a referral awaiting their decision: from MinLegalDecisionReminder
	// to 90 days.
	LegalDecisionReminder Duration `json:"legal_decision_reminder"`
	// FormalNoticePeriod is the reasonable period a written demand (催告)
	// gives the resident; legal referral waits until it has passed.
	FormalNoticePeriod Duration `json:"formal_notice_period"`
}

// MinLegalDecisionReminder is the shortest LegalDecisionReminder: the
// reminders repeat until a manager decides, and more often than hourly
// they would flood the managers with messages.
const MinLegalDecisionReminder = Duration(time.Hour)

// DunningStep is one rung of the dunning ladder.
type DunningStep struct {
	// After is how long the oldest unpaid bill has been overdue.
	After  Duration      `json:"after"`
	Action DunningAction `json:"action"`
	// Channel is required for every action but legal_referral.
	Channel Channel `json:"channel,omitempty"`
	// Role performs the human steps (phone_call, visit, legal_referral).
	Role Role `json:"role,omitempty"`
	// Template names the resident text of a message step, one of
	// DunningMessageTemplates; other steps have none (a formal notice's
	// letter is DemandLetterText).
	Template string `json:"template,omitempty"`
}

// DunningMessageTemplates are the notifier's resident texts a message step
// of the ladder may send: polite first, then a second reminder. Both are
// checked by the notifier's tests never to threaten.
func DunningMessageTemplates() []string {
	return []string{"payment_overdue_polite", "payment_overdue_second"}
}

// FollowUpPolicy is the follow-up visit (回访) within a month of move-in.
type FollowUpPolicy struct {
	// Window is how long after move-in the visit must be done.
	Window Duration `json:"window"`
	// ReminderAt are reminders to the assignee, counted from move-in.
	ReminderAt []Duration `json:"reminder_at"`
	// MaxAttempts is how many tries (resident unreachable) before giving up.
	MaxAttempts int `json:"max_attempts"`
	// AssignRegistrar assigns the visit to the customer-service member who
	// registered the move-in.
	AssignRegistrar bool `json:"assign_registrar"`
}

// QuietHours is the daily window, "HH:MM" to "HH:MM" in the estate's time
// zone, in which no message goes to residents. It may wrap midnight; Start
// and End both NoQuietHours ("00:00") mean the estate keeps none.
type QuietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// NoQuietHours, as both Start and End, means no quiet hours.
const NoQuietHours = "00:00"

// DefaultPolicy returns the defaults drawn from the domain's sources. Each
// call returns a fresh value that shares nothing with earlier ones.
func DefaultPolicy() Policy {
	return Policy{
		Repair: RepairPolicy{
			Tiers: []SLATier{
				{Urgency: UrgencyCritical, Contact: Duration(5 * time.Minute), OnSite: Duration(10 * time.Minute), Complete: Duration(4 * time.Hour)},
				{Urgency: UrgencyUrgent, Contact: Duration(5 * time.Minute), OnSite: Duration(15 * time.Minute), Complete: Duration(8 * time.Hour)},
				{Urgency: UrgencyNormal, Contact: Duration(30 * time.Minute), OnSiteSameDay: true, Complete: Duration(3 * Day)},
			},
			WarnAtPercent:      80,
			ConfirmWindow:      Duration(3 * Day),
			ReturnVisitWindow:  Duration(7 * Day),
			LowScoreThreshold:  2,
			ResidentRating:     true,
			MaxReopens:         3,
			AppointmentHorizon: DefaultAppointmentHorizon,
			HurryInterval:      DefaultHurryInterval,
			EscalateMilestones: RepairMilestones(),
		},
		Complaint: ComplaintPolicy{
			Acknowledge: Duration(30 * time.Minute),
			Answer:      Duration(24 * time.Hour),
			Resolve:     Duration(3 * Day),
		},
		Escalation: EscalationPolicy{Levels: []EscalationLevel{
			{Level: 1, Role: RoleSupervisor, After: 0},
			{Level: 2, Role: RoleEstateManager, After: Duration(30 * time.Minute)},
			{Level: 3, Role: RoleCompanyAdmin, After: Duration(2 * time.Hour)},
		}},
		Calendar: ServiceCalendar{
			WorkdayStart:  "08:30",
			WorkdayEnd:    "17:30",
			SameDayCutoff: "16:00",
			NextDayBy:     "12:00",
			// Estates work Saturdays.
			Workdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
			// The 2026 PRC statutory holidays and makeup days (国务院办公厅
			// 2025-11-04). This is editable data: managers add next year's
			// dates, or their estate's own, through the policy API.
			Holidays: []string{
				"2026-01-01", "2026-01-02", "2026-01-03", // 元旦
				"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
				"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23", // 春节
				"2026-04-04", "2026-04-05", "2026-04-06", // 清明节
				"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", // 劳动节
				"2026-06-19", "2026-06-20", "2026-06-21", // 端午节
				"2026-09-25", "2026-09-26", "2026-09-27", // 中秋节
				"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
				"2026-10-05", "2026-10-06", "2026-10-07", // 国庆节
			},
			ExtraWorkdays: []string{
				"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
			},
		},
		Fees: FeePolicy{
			DueDay:                10,
			LateFeePerTenThousand: 30,
			LateFeeCapPercent:     100,
			GraceDays:             0,
			DisputeBeforeDueDays:  5,
			ReminderDaysBefore:    []int{7},
			Allocation:            AllocationPrincipalFirst,
			AutoBilling:           true,
			BillingDay:            1,
			ReadingSpikeRatio:     3,
		},
		Dunning: DunningPolicy{
			Steps: []DunningStep{
				{After: Duration(1 * Day), Action: ActionMessage, Channel: ChannelSMS, Template: "payment_overdue_polite"},
				{After: Duration(15 * Day), Action: ActionMessage, Channel: ChannelWeChat, Template: "payment_overdue_second"},
				{After: Duration(30 * Day), Action: ActionPhoneCall, Channel: ChannelPhone, Role: RoleCustomerService},
				{After: Duration(60 * Day), Action: ActionVisit, Channel: ChannelVisit, Role: RoleEstateManager},
				{After: Duration(90 * Day), Action: ActionFormalNotice, Channel: ChannelLetter, Role: RoleFinance},
				{After: Duration(180 * Day), Action: ActionLegalReferral, Role: RoleLegal},
			},
			GoodPayerPoliteFor:     Duration(60 * Day),
			LargeArrearsFen:        300000,
			RepeatLateCount:        2,
			RepeatLateWindowMonths: 12,
			FastTrackPercent:       50,
			TaskDue:                Duration(3 * Day),
			InstalmentGrace:        Duration(5 * Day),
			LegalDecisionReminder:  Duration(3 * Day),
			FormalNoticePeriod:     Duration(30 * Day),
		},
		FollowUp: FollowUpPolicy{
			Window:          Duration(30 * Day),
			ReminderAt:      []Duration{Duration(21 * Day), Duration(28 * Day)},
			MaxAttempts:     3,
			AssignRegistrar: true,
		},
		QuietHours: QuietHours{Start: "21:30", End: "08:00"},
		Channels:   DefaultChannelPolicy(),
		Inspection: DefaultInspectionPolicy(),
		Contract:   DefaultContractPolicy(),
		Release:    DefaultReleasePolicy(),
		Notice:     DefaultNoticePolicy(),

		Survey: DefaultSurveyPolicy(),
	}
}
