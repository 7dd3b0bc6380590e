package models

import (
	"fmt"
	"time"
)

// Cadence is how often an inspection plan (巡检/维保计划) comes round.
type Cadence string

// The cadences.
const (
	CadenceDaily     Cadence = "daily"
	CadenceWeekly    Cadence = "weekly"
	CadenceMonthly   Cadence = "monthly"
	CadenceQuarterly Cadence = "quarterly"
	CadenceYearly    Cadence = "yearly"
)

var cadences = enum[Cadence]{CadenceDaily, CadenceWeekly, CadenceMonthly, CadenceQuarterly, CadenceYearly}

// Cadences lists every cadence, most frequent first.
func Cadences() []Cadence { return cadences.list() }

// Valid reports whether c is a known cadence.
func (c Cadence) Valid() bool { return cadences.has(c) }

// ChecklistItem is one line of a plan's checklist, as data: what to check
// and whether a result is required to complete the occurrence.
type ChecklistItem struct {
	Text     string `json:"text"`
	Required bool   `json:"required"`
}

// Plan bounds.
const (
	MaxChecklistItems = 50
	MaxChecklistText  = 200
)

// InspectionPlan is a recurring inspection or preventive maintenance of an
// estate (巡检/维保计划): its checklist, its cadence in the estate's time
// zone from StartsOn at the clock time At, optionally only on working days
// (the estate's service calendar), and who does it: a person, or anyone of
// a role. EquipmentID is nil for a patrol that covers no one item.
type InspectionPlan struct {
	ID           uint64          `gorm:"primaryKey" json:"id"`
	EstateID     uint64          `gorm:"not null;index" json:"estate_id"`
	EquipmentID  *uint64         `gorm:"index" json:"equipment_id"`
	Name         string          `gorm:"size:100;not null" json:"name"`
	Cadence      Cadence         `gorm:"size:16;not null" json:"cadence"`
	StartsOn     time.Time       `gorm:"not null" json:"starts_on"`
	At           string          `gorm:"size:5;not null" json:"at"`
	WorkdaysOnly bool            `gorm:"not null;default:false" json:"workdays_only"`
	Checklist    []ChecklistItem `gorm:"serializer:json;type:text" json:"checklist"`
	AssigneeRole Role            `gorm:"size:32" json:"assignee_role"`
	AssigneeID   *uint64         `json:"assignee_id"`
	// DueWithin is how long an occurrence has once it starts; 0: the
	// policy's for the cadence (InspectionPolicy.DueWithin).
	DueWithin Duration  `gorm:"not null;default:0" json:"due_within"`
	Active    bool      `gorm:"not null;default:true" json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a plan at now: a name, a known cadence, a start date in
// the date window, a clock time, 1..MaxChecklistItems checklist lines, an
// assignee (a staff role or a person) and a due window of at most 90 days.
func (p InspectionPlan) Validate(now time.Time) error {
	if err := firstInvalid(
		checkText("name", p.Name, 100),
		cadences.check("cadence", p.Cadence),
		CheckTime("starts_on", p.StartsOn, now),
		expect(len(p.Checklist) > 0 && len(p.Checklist) <= MaxChecklistItems, "checklist", "应为 1 至 %d 项", MaxChecklistItems),
		expect(p.AssigneeRole != "" || p.AssigneeID != nil, "assignee_role", "请填写员工角色，或指定处理人 assignee_id"),
		expect(p.AssigneeRole == "" || p.AssigneeRole.Valid(), "assignee_role", "“%s”无效，应为员工角色", p.AssigneeRole),
		expect(p.DueWithin >= 0 && p.DueWithin <= Duration(90*Day), "due_within", "%s 无效，应为 0s（使用制度规定的时限）至 90d", p.DueWithin),
	); err != nil {
		return err
	}
	if _, err := parseClock(p.At); err != nil {
		return Invalid("at", "%v", err)
	}
	for i, it := range p.Checklist {
		if err := checkText(fmt.Sprintf("checklist[%d].text", i), it.Text, MaxChecklistText); err != nil {
			return err
		}
	}
	return nil
}

// nominal is the k-th occurrence of p by its cadence alone, at p.At in loc
// (a day of the month past the month's end is its last day).
func (p InspectionPlan) nominal(k int, loc *time.Location) time.Time {
	y, m, d := p.StartsOn.Date()
	c := mustClock(p.At)
	hh, mm := int(c/time.Hour), int(c%time.Hour/time.Minute)
	months := 0
	switch p.Cadence {
	case CadenceDaily:
		return time.Date(y, m, d+k, hh, mm, 0, 0, loc)
	case CadenceWeekly:
		return time.Date(y, m, d+7*k, hh, mm, 0, 0, loc)
	case CadenceMonthly:
		months = k
	case CadenceQuarterly:
		months = 3 * k
	case CadenceYearly:
		months = 12 * k
	}
	first := time.Date(y, m+time.Month(months), 1, hh, mm, 0, 0, loc)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), hh, mm, 0, 0, loc)
}

// period is the cadence's longest length in days: where to start looking,
// never past the occurrence sought.
func (c Cadence) period() int {
	switch c {
	case CadenceWeekly:
		return 7
	case CadenceMonthly:
		return 31
	case CadenceQuarterly:
		return 92
	case CadenceYearly:
		return 366
	}
	return 1
}

// NextOccurrence is when plan p next comes round strictly after after, in
// loc: its cadence counted from StartsOn at the clock time At; with
// WorkdaysOnly an occurrence falling on a day off (calendar cal) moves to
// the next working day, so a daily plan skips days off and a monthly one
// falls on the next working day after a holiday. cal must have passed
// validation.
func NextOccurrence(p InspectionPlan, after time.Time, loc *time.Location, cal ServiceCalendar) (time.Time, error) {
	if !p.Cadence.Valid() {
		return time.Time{}, Invalid("cadence", "“%s”无效，应为 %s", p.Cadence, cadences.want())
	}
	if _, err := parseClock(p.At); err != nil {
		return time.Time{}, Invalid("at", "%v", err)
	}
	start := DateOf(p.StartsOn, time.UTC)
	// Start a few periods (and the longest run of days off) before after.
	k := (DateOf(after, loc).DaysSince(start) - 40) / p.Cadence.period()
	k = max(k-1, 0)
	for n := 0; n < 1000; n, k = n+1, k+1 {
		t := p.nominal(k, loc)
		if p.WorkdaysOnly {
			var ok bool
			if t, ok = nextWorkday(t, cal); !ok {
				return time.Time{}, Invalid("calendar.workdays", "%s 起 60 天内没有工作日", t.Format(dateLayout))
			}
		}
		if t.After(after) {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("next occurrence of plan %d after %s: none found", p.ID, after.Format(time.RFC3339))
}

// nextWorkday is t, or the same clock time on the first working day after
// it; false when none comes within 60 days.
func nextWorkday(t time.Time, cal ServiceCalendar) (time.Time, bool) {
	for i := 0; i < 60; i++ {
		d := t.AddDate(0, 0, i)
		if cal.IsWorkday(d) {
			return d, true
		}
	}
	return t, false
}
