package models

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// KindInspection is the case kind of one occurrence of an inspection plan
// (巡检/维保任务) with the rectifications (整改) of its findings.
const KindInspection CaseKind = "inspection"

// InspectionStatus is the stage of one occurrence: open until its due time,
// missed after it (and escalating) until done; once done, rectifying while
// a finding is open, then completed. A manager may skip it with a reason.
type InspectionStatus string

// The inspection statuses.
const (
	InspectionOpen       InspectionStatus = "open"
	InspectionMissed     InspectionStatus = "missed"
	InspectionRectifying InspectionStatus = "rectifying"
	InspectionCompleted  InspectionStatus = "completed"
	InspectionSkipped    InspectionStatus = "skipped"
)

var inspectionStatuses = enum[InspectionStatus]{InspectionOpen, InspectionMissed, InspectionRectifying, InspectionCompleted, InspectionSkipped}

// InspectionStatuses lists every status, in order of the process.
func InspectionStatuses() []InspectionStatus { return inspectionStatuses.list() }

// Valid reports whether s is a known status.
func (s InspectionStatus) Valid() bool { return inspectionStatuses.has(s) }

// Terminal reports whether an occurrence in s is finished.
func (s InspectionStatus) Terminal() bool {
	return s == InspectionCompleted || s == InspectionSkipped
}

// AwaitingWork reports whether the inspection itself is still to be done.
func (s InspectionStatus) AwaitingWork() bool { return s == InspectionOpen || s == InspectionMissed }

// Severity is how serious a finding (隐患) is; it sets the rectification
// deadline (InspectionPolicy.Rectify).
type Severity string

// The severities, most serious first.
const (
	SeverityMajor    Severity = "major"    // 重大隐患
	SeverityModerate Severity = "moderate" // 较大隐患
	SeverityMinor    Severity = "minor"    // 一般隐患
)

var severities = enum[Severity]{SeverityMajor, SeverityModerate, SeverityMinor}

// Severities lists every severity, most serious first.
func Severities() []Severity { return severities.list() }

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return severities.has(s) }

// ChecklistResult is the result of one checklist line.
type ChecklistResult struct {
	Item int    `json:"item"` // index in the checklist
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"` // a reading or a remark
}

// ValidateResults checks the results of a completion against checklist:
// each item at most once and in range, every required item present.
func ValidateResults(checklist []ChecklistItem, results []ChecklistResult) error {
	seen := make([]bool, len(checklist))
	for i, r := range results {
		p := fmt.Sprintf("results[%d].", i)
		if r.Item < 0 || r.Item >= len(checklist) {
			return Invalid(p+"item", "%d 无效，应为 0 至 %d", r.Item, len(checklist)-1)
		}
		if seen[r.Item] {
			return Invalid(p+"item", "第 %d 项重复，每项只能填写一次", r.Item)
		}
		seen[r.Item] = true
		if err := checkMaxText(p+"note", r.Note, 500); err != nil {
			return err
		}
	}
	for i, it := range checklist {
		if it.Required && !seen[i] {
			return Invalid("results", "第 %d 项（%s）未填写结果，必检项都应填写", i, it.Text)
		}
	}
	return nil
}

// Finding is a hazard (隐患) found at an inspection and its rectification
// (整改): due by Deadline (by severity), or handed to a repair ticket.
type Finding struct {
	No       int        `json:"no"` // 1, 2, ... within the occurrence
	Severity Severity   `json:"severity"`
	Text     string     `json:"text"`
	FoundAt  time.Time  `json:"found_at"`
	FoundBy  uint64     `json:"found_by"`
	Deadline time.Time  `json:"deadline"`
	TicketID *uint64    `json:"ticket_id,omitempty"`
	FixedAt  *time.Time `json:"fixed_at,omitempty"`
	FixedBy  uint64     `json:"fixed_by,omitempty"`
	FixNote  string     `json:"fix_note,omitempty"`
}

// Open reports whether the finding still awaits its rectification.
func (f Finding) Open() bool { return f.FixedAt == nil }

// InspectionProgress is the part of an occurrence its workflow owns and
// rewrites at every transition.
type InspectionProgress struct {
	Status     InspectionStatus `gorm:"size:16;not null;index" json:"status"`
	AssigneeID *uint64          `gorm:"index" json:"assignee_id"`
	// DueAt is when the inspection is due; missed after it.
	DueAt           time.Time         `gorm:"not null;index;index:idx_inspection_estate_due,priority:2" json:"due_at"`
	EscalationLevel int               `gorm:"not null;default:0" json:"escalation_level"`
	Results         []ChecklistResult `gorm:"serializer:json;type:text" json:"results"`
	Findings        []Finding         `gorm:"serializer:json;type:text" json:"findings"`
	// OpenFindings counts findings not yet rectified; RectifyBy is the
	// earliest deadline among them.
	OpenFindings int        `gorm:"not null;default:0;index" json:"open_findings"`
	RectifyBy    *time.Time `json:"rectify_by,omitempty"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	DoneBy       *uint64    `json:"done_by,omitempty"`
	SkipReason   string     `gorm:"size:200" json:"skip_reason,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Revision     int64      `gorm:"not null;default:0" json:"revision"`
}

// Inspection is one occurrence of a plan: its row is created when the
// occurrence starts, once per Key (OccurrenceKey: the plan and the
// scheduled time), and its workflow's ID is derived from the row's ID.
type Inspection struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	Key         string    `gorm:"column:occurrence_key;size:80;not null;uniqueIndex" json:"-"`
	EstateID    uint64    `gorm:"not null;index;index:idx_inspection_estate_due,priority:1" json:"estate_id"`
	PlanID      uint64    `gorm:"not null;index" json:"plan_id"`
	ScheduledAt time.Time `gorm:"not null;index" json:"scheduled_at"`
	EquipmentID *uint64   `gorm:"index" json:"equipment_id"`
	PlanName    string    `gorm:"size:100;not null" json:"plan_name"`
	// Checklist is the plan's at the time of the occurrence.
	Checklist          []ChecklistItem `gorm:"serializer:json;type:text" json:"checklist"`
	InspectionProgress `gorm:"embedded"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// OccurrenceKey names the occurrence of plan planID at scheduled:
// "plan-3/202603020900" (UTC).
func OccurrenceKey(planID uint64, scheduled time.Time) string {
	return fmt.Sprintf("plan-%d/%s", planID, scheduled.UTC().Format("200601021504"))
}

// CadenceDue is how long an occurrence of a cadence has once it starts.
type CadenceDue struct {
	Cadence Cadence  `json:"cadence"`
	Within  Duration `json:"within"`
}

// SeverityDeadline is how long a finding of a severity has to be rectified.
type SeverityDeadline struct {
	Severity Severity `json:"severity"`
	Within   Duration `json:"within"`
}

// InspectionPolicy holds the numbers of inspections and preventive
// maintenance (巡检/维保). An empty field (policies saved before it
// existed) means the default's.
type InspectionPolicy struct {
	// DueWithin: per cadence, how long an occurrence has.
	DueWithin []CadenceDue `json:"due_within"`
	// Rectify: per severity, the rectification deadline of a finding.
	Rectify []SeverityDeadline `json:"rectify"`
	// StatutoryWarnDays: warnings this many days before a statutory
	// inspection is due (and one once it is overdue).
	StatutoryWarnDays []int `json:"statutory_warn_days"`
	// StatutoryCheckAt is the daily time ("HH:MM", the estate's zone) the
	// statutory dates are checked.
	StatutoryCheckAt string `json:"statutory_check_at"`
	// CreateAhead is how long before its start an occurrence is created
	// and its assignee told (the day's rounds generated ahead of the
	// shift, as a company's office does), spread over the window per
	// plan (see CreateAt); 0 creates it at its start. Its start, due
	// time and escalations count from the start all the same. A policy
	// saved before it existed reads the default (see UnmarshalJSON).
	CreateAhead Duration `json:"create_ahead"`
}

// MaxCreateAhead is the longest an occurrence may be created before its
// start: the day's rounds, not next week's.
const MaxCreateAhead = Duration(24 * time.Hour)

// UnmarshalJSON reads an InspectionPolicy; one written before create_ahead
// existed takes the default's, while an explicit 0 stays 0 (at the start).
func (p *InspectionPolicy) UnmarshalJSON(b []byte) error {
	type plain InspectionPolicy
	var v struct {
		plain
		CreateAhead *Duration `json:"create_ahead"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = InspectionPolicy(v.plain)
	p.CreateAhead = DefaultInspectionPolicy().CreateAhead
	if v.CreateAhead != nil {
		p.CreateAhead = *v.CreateAhead
	}
	return nil
}

// CreateAt is when the occurrence starting at start is created: start -
// CreateAhead + Jitter(key, CreateAhead), key naming the plan, so that a
// thousand plans starting at one minute are created spread over the
// window before it, each plan at the same offset every time; never after
// start (the jitter is less than the window), exactly start when
// CreateAhead is 0.
func (p InspectionPolicy) CreateAt(start time.Time, key string) time.Time {
	if p.CreateAhead <= 0 {
		return start
	}
	return start.Add(-p.CreateAhead.Std() + Jitter(key, p.CreateAhead))
}

// DefaultInspectionPolicy is the defaults: daily rounds within 4 hours, a
// yearly inspection within 15 days; a major hazard rectified within a day,
// a minor one within 15; statutory warnings 30, 7 and 1 days ahead.
func DefaultInspectionPolicy() InspectionPolicy {
	return InspectionPolicy{
		DueWithin: []CadenceDue{
			{CadenceDaily, Duration(4 * time.Hour)}, {CadenceWeekly, Duration(Day)}, {CadenceMonthly, Duration(3 * Day)},
			{CadenceQuarterly, Duration(7 * Day)}, {CadenceYearly, Duration(15 * Day)},
		},
		Rectify: []SeverityDeadline{
			{SeverityMajor, Duration(Day)}, {SeverityModerate, Duration(3 * Day)}, {SeverityMinor, Duration(15 * Day)},
		},
		StatutoryWarnDays: []int{30, 7, 1},
		StatutoryCheckAt:  "09:00",
		CreateAhead:       Duration(30 * time.Minute),
	}
}

// Due is how long an occurrence of plan pl has: the plan's own window, else
// the policy's for its cadence, else the default's.
func (p InspectionPolicy) Due(pl InspectionPlan) time.Duration {
	if pl.DueWithin > 0 {
		return pl.DueWithin.Std()
	}
	for _, list := range [][]CadenceDue{p.DueWithin, DefaultInspectionPolicy().DueWithin} {
		if i := slices.IndexFunc(list, func(c CadenceDue) bool { return c.Cadence == pl.Cadence }); i >= 0 {
			return list[i].Within.Std()
		}
	}
	return Day
}

// RectifyBy is the rectification deadline of a finding of severity s found
// at found.
func (p InspectionPolicy) RectifyBy(s Severity, found time.Time) (time.Time, error) {
	if !s.Valid() {
		return time.Time{}, Invalid("severity", "“%s”无效，应为 %s", s, severities.want())
	}
	for _, list := range [][]SeverityDeadline{p.Rectify, DefaultInspectionPolicy().Rectify} {
		if i := slices.IndexFunc(list, func(d SeverityDeadline) bool { return d.Severity == s }); i >= 0 {
			return found.Add(list[i].Within.Std()), nil
		}
	}
	return found.Add(Day), nil
}

// WarnDays is the policy's statutory warning days, or the default's.
func (p InspectionPolicy) WarnDays() []int {
	if len(p.StatutoryWarnDays) == 0 {
		return DefaultInspectionPolicy().StatutoryWarnDays
	}
	return slices.Clone(p.StatutoryWarnDays)
}

// CheckAt is the daily statutory check's clock time, or the default's.
func (p InspectionPolicy) CheckAt() string {
	if p.StatutoryCheckAt == "" {
		return DefaultInspectionPolicy().StatutoryCheckAt
	}
	return p.StatutoryCheckAt
}

// NextCheck is when the daily statutory check runs next strictly after
// now: CheckAt today in loc, or tomorrow once it has passed.
func (p InspectionPolicy) NextCheck(now time.Time, loc *time.Location) time.Time {
	t := atClock(now.In(loc), 0, p.CheckAt(), loc)
	if !t.After(now) {
		t = atClock(now.In(loc), 1, p.CheckAt(), loc)
	}
	return t
}

func (p InspectionPolicy) validate(path string) error {
	if err := windowRows(path+".due_within", "cadence", p.DueWithin, cadences,
		func(d CadenceDue) (Cadence, Duration) { return d.Cadence, d.Within }); err != nil {
		return err
	}
	if err := windowRows(path+".rectify", "severity", p.Rectify, severities,
		func(d SeverityDeadline) (Severity, Duration) { return d.Severity, d.Within }); err != nil {
		return err
	}
	for i, d := range p.StatutoryWarnDays {
		dp := fmt.Sprintf("%s.statutory_warn_days[%d]", path, i)
		if err := intIn(dp, d, 1, 366); err != nil {
			return err
		}
		if i > 0 && d >= p.StatutoryWarnDays[i-1] {
			return Invalid(dp, "%d 无效，天数应少于上一次预警的 %d 天", d, p.StatutoryWarnDays[i-1])
		}
	}
	if p.StatutoryCheckAt != "" {
		if _, err := parseClock(p.StatutoryCheckAt); err != nil {
			return Invalid(path+".statutory_check_at", "%v", err)
		}
	}
	if p.CreateAhead < 0 || p.CreateAhead > MaxCreateAhead {
		return Invalid(path+".create_ahead", "%s 无效，应为 0s 至 %s", p.CreateAhead, MaxCreateAhead)
	}
	return nil
}

// windowRows checks a table of windows keyed by a value of e (column col):
// each key known and once, each window positive and at most 90 days.
func windowRows[R any, K ~string](path, col string, rows []R, e enum[K], row func(R) (K, Duration)) error {
	seen := map[K]bool{}
	for i, r := range rows {
		k, w := row(r)
		rp := fmt.Sprintf("%s[%d]", path, i)
		if err := e.check(rp+"."+col, k); err != nil {
			return err
		}
		if seen[k] {
			return Invalid(rp+"."+col, "“%s”重复，每个 %s 只能出现一次", k, col)
		}
		seen[k] = true
		if err := within(rp+".within", w, 90*Day); err != nil {
			return err
		}
	}
	return nil
}
