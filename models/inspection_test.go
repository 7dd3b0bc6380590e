package models

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNextOccurrence(t *testing.T) {
	loc := mustLoc(t)
	cal := DefaultPolicy().Calendar // Mon-Sat, the 2026 holidays
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	plan := func(c Cadence, starts, clock string, workdays bool) InspectionPlan {
		d, _ := time.Parse(dateLayout, starts)
		return InspectionPlan{Cadence: c, StartsOn: d, At: clock, WorkdaysOnly: workdays}
	}
	tests := []struct {
		name  string
		give  InspectionPlan
		after string
		want  string
	}{
		{"daily before the clock", plan(CadenceDaily, "2026-03-01", "08:00", false), "2026-03-10 07:00", "2026-03-10 08:00"},
		{"daily at the clock is strictly after", plan(CadenceDaily, "2026-03-01", "08:00", false), "2026-03-10 08:00", "2026-03-11 08:00"},
		{"daily before the start", plan(CadenceDaily, "2026-03-01", "08:00", false), "2026-01-01 00:00", "2026-03-01 08:00"},
		{"daily skips Sunday", plan(CadenceDaily, "2026-03-01", "08:00", true), "2026-03-07 09:00", "2026-03-09 08:00"},
		{"daily keeps Sunday without the flag", plan(CadenceDaily, "2026-03-01", "08:00", false), "2026-03-07 09:00", "2026-03-08 08:00"},
		{"daily skips the National Day week", plan(CadenceDaily, "2026-03-01", "08:00", true), "2026-09-30 09:00", "2026-10-08 08:00"},
		{"daily works a makeup Sunday", plan(CadenceDaily, "2026-03-01", "08:00", true), "2026-09-19 09:00", "2026-09-20 08:00"},
		{"weekly on the start's weekday", plan(CadenceWeekly, "2026-03-02", "09:30", false), "2026-03-03 00:00", "2026-03-09 09:30"},
		{"monthly on the start's day", plan(CadenceMonthly, "2026-01-15", "10:00", false), "2026-03-15 10:00", "2026-04-15 10:00"},
		{"monthly clamps to the month's end", plan(CadenceMonthly, "2026-01-31", "10:00", false), "2026-02-01 00:00", "2026-02-28 10:00"},
		{"monthly after a clamped month", plan(CadenceMonthly, "2026-01-31", "10:00", false), "2026-02-28 10:00", "2026-03-31 10:00"},
		{"monthly moved past May Day", plan(CadenceMonthly, "2026-01-01", "10:00", true), "2026-04-02 00:00", "2026-05-06 10:00"},
		{"quarterly", plan(CadenceQuarterly, "2026-01-10", "10:00", false), "2026-01-10 10:00", "2026-04-10 10:00"},
		{"yearly far ahead", plan(CadenceYearly, "2020-06-30", "10:00", false), "2031-07-01 00:00", "2032-06-30 10:00"},
		{"yearly moved off a Sunday", plan(CadenceYearly, "2025-03-08", "10:00", true), "2026-01-01 00:00", "2026-03-09 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextOccurrence(tt.give, at(tt.after), loc, cal)
			if err != nil {
				t.Fatal(err)
			}
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", got.In(loc).Format("2006-01-02 15:04 Mon"), want.Format("2006-01-02 15:04 Mon"))
			}
		})
	}
}

func TestNextOccurrenceRefusesBadPlans(t *testing.T) {
	loc := mustLoc(t)
	cal := DefaultPolicy().Calendar
	noDays := cal
	noDays.Workdays, noDays.ExtraWorkdays = nil, nil
	tests := []struct {
		name  string
		give  InspectionPlan
		cal   ServiceCalendar
		field string
	}{
		{"cadence", InspectionPlan{Cadence: "hourly", At: "08:00"}, cal, "cadence"},
		{"clock", InspectionPlan{Cadence: CadenceDaily, At: "8am"}, cal, "at"},
		{"no working day", InspectionPlan{Cadence: CadenceDaily, At: "08:00", WorkdaysOnly: true}, noDays, "calendar.workdays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NextOccurrence(tt.give, time.Date(2026, 3, 1, 0, 0, 0, 0, loc), loc, tt.cal)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("got %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}

func TestRectifyBy(t *testing.T) {
	found := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	custom := InspectionPolicy{Rectify: []SeverityDeadline{{SeverityMajor, Duration(4 * time.Hour)}}}
	tests := []struct {
		name string
		p    InspectionPolicy
		give Severity
		want time.Duration
	}{
		{"major default", DefaultInspectionPolicy(), SeverityMajor, Day},
		{"moderate default", DefaultInspectionPolicy(), SeverityModerate, 3 * Day},
		{"minor default", DefaultInspectionPolicy(), SeverityMinor, 15 * Day},
		{"policy's own", custom, SeverityMajor, 4 * time.Hour},
		{"missing from the policy: the default", custom, SeverityMinor, 15 * Day},
		{"old policy without the table", InspectionPolicy{}, SeverityModerate, 3 * Day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.RectifyBy(tt.give, found)
			if err != nil {
				t.Fatal(err)
			}
			if want := found.Add(tt.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	if _, err := DefaultInspectionPolicy().RectifyBy("fatal", found); err == nil {
		t.Error("got no error for an unknown severity, want one")
	}
}

func TestInspectionDue(t *testing.T) {
	p := DefaultInspectionPolicy()
	tests := []struct {
		give InspectionPlan
		want time.Duration
	}{
		{InspectionPlan{Cadence: CadenceDaily}, 4 * time.Hour},
		{InspectionPlan{Cadence: CadenceYearly}, 15 * Day},
		{InspectionPlan{Cadence: CadenceMonthly, DueWithin: Duration(2 * time.Hour)}, 2 * time.Hour},
	}
	for _, tt := range tests {
		if got := p.Due(tt.give); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.give.Cadence, got, tt.want)
		}
		if got := (InspectionPolicy{}).Due(tt.give); got != tt.want {
			t.Errorf("%s on an old policy: got %s, want %s", tt.give.Cadence, got, tt.want)
		}
	}
}

func TestStatutoryWarningDue(t *testing.T) {
	due := Date{2026, time.April, 30}
	days := []int{30, 7, 1}
	tests := []struct {
		give   Date
		want   int
		wantOK bool
	}{
		{Date{2026, time.March, 30}, 0, false},
		{Date{2026, time.March, 31}, 30, true},
		{Date{2026, time.April, 22}, 30, true},
		{Date{2026, time.April, 23}, 7, true},
		{Date{2026, time.April, 29}, 1, true},
		{Date{2026, time.April, 30}, 1, true},
		{Date{2026, time.May, 1}, 0, true},
	}
	for _, tt := range tests {
		got, ok := StatutoryWarningDue(due, tt.give, days)
		if ok != tt.wantOK || (ok && got.Threshold != tt.want) {
			t.Errorf("%s: got %d %v, want %d %v", tt.give, got.Threshold, ok, tt.want, tt.wantOK)
		}
	}
}

func TestEquipmentValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ok := Equipment{Code: "DT-01", Name: "1号楼1号电梯", Type: EquipmentLift, Location: "1号楼"}
	date := func(y int) *time.Time { d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); return &d }
	tests := []struct {
		name  string
		edit  func(e *Equipment)
		field string
	}{
		{"valid", func(e *Equipment) {}, ""},
		{"code", func(e *Equipment) { e.Code = "" }, "code"},
		{"type", func(e *Equipment) { e.Type = "boiler" }, "type"},
		{"location", func(e *Equipment) { e.Location = "" }, "location"},
		{"installed in the future", func(e *Equipment) { e.InstalledOn = date(2027) }, "installed_on"},
		{"installed too long ago", func(e *Equipment) { e.InstalledOn = date(1990) }, "installed_on"},
		{"statutory too far", func(e *Equipment) { e.StatutoryDueOn = date(2040) }, "statutory_due_on"},
		{"statutory next year", func(e *Equipment) { e.StatutoryDueOn = date(2027) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			checkField(t, e.Validate(now), tt.field)
		})
	}
}

func TestInspectionPlanValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ok := InspectionPlan{Name: "每日巡逻", Cadence: CadenceDaily, StartsOn: now, At: "08:00", AssigneeRole: RoleTechnician,
		Checklist: []ChecklistItem{{Text: "消防通道畅通", Required: true}}}
	tests := []struct {
		name  string
		edit  func(p *InspectionPlan)
		field string
	}{
		{"valid", func(p *InspectionPlan) {}, ""},
		{"cadence", func(p *InspectionPlan) { p.Cadence = "hourly" }, "cadence"},
		{"clock", func(p *InspectionPlan) { p.At = "25:00" }, "at"},
		{"empty checklist", func(p *InspectionPlan) { p.Checklist = nil }, "checklist"},
		{"empty line", func(p *InspectionPlan) { p.Checklist = []ChecklistItem{{}} }, "checklist[0].text"},
		{"no assignee", func(p *InspectionPlan) { p.AssigneeRole = "" }, "assignee_role"},
		{"bad role", func(p *InspectionPlan) { p.AssigneeRole = "janitor" }, "assignee_role"},
		{"start out of window", func(p *InspectionPlan) { p.StartsOn = now.AddDate(20, 0, 0) }, "starts_on"},
		{"due too long", func(p *InspectionPlan) { p.DueWithin = Duration(100 * Day) }, "due_within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			checkField(t, p.Validate(now), tt.field)
		})
	}
}

func TestValidateResults(t *testing.T) {
	list := []ChecklistItem{{Text: "a", Required: true}, {Text: "b"}}
	tests := []struct {
		name  string
		give  []ChecklistResult
		field string
	}{
		{"required only", []ChecklistResult{{Item: 0, OK: true}}, ""},
		{"both", []ChecklistResult{{Item: 1}, {Item: 0, OK: true}}, ""},
		{"missing required", []ChecklistResult{{Item: 1}}, "results"},
		{"out of range", []ChecklistResult{{Item: 2}}, "results[0].item"},
		{"twice", []ChecklistResult{{Item: 0}, {Item: 0}}, "results[1].item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkField(t, ValidateResults(list, tt.give), tt.field) })
	}
}

func TestInspectionPolicyValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *InspectionPolicy)
		field string
	}{
		{"defaults", func(p *InspectionPolicy) {}, ""},
		{"empty: the defaults", func(p *InspectionPolicy) { *p = InspectionPolicy{} }, ""},
		{"cadence twice", func(p *InspectionPolicy) { p.DueWithin[1].Cadence = CadenceDaily }, "inspection.due_within[1].cadence"},
		{"zero window", func(p *InspectionPolicy) { p.DueWithin[0].Within = 0 }, "inspection.due_within[0].within"},
		{"severity", func(p *InspectionPolicy) { p.Rectify[0].Severity = "fatal" }, "inspection.rectify[0].severity"},
		{"rectify too long", func(p *InspectionPolicy) { p.Rectify[2].Within = Duration(100 * Day) }, "inspection.rectify[2].within"},
		{"warn days not decreasing", func(p *InspectionPolicy) { p.StatutoryWarnDays = []int{7, 30} }, "inspection.statutory_warn_days[1]"},
		{"warn days zero", func(p *InspectionPolicy) { p.StatutoryWarnDays = []int{0} }, "inspection.statutory_warn_days[0]"},
		{"check clock", func(p *InspectionPolicy) { p.StatutoryCheckAt = "9:00" }, "inspection.statutory_check_at"},
		{"create ahead 0: at the start", func(p *InspectionPolicy) { p.CreateAhead = 0 }, ""},
		{"create ahead a day", func(p *InspectionPolicy) { p.CreateAhead = MaxCreateAhead }, ""},
		{"create ahead over a day", func(p *InspectionPolicy) { p.CreateAhead = MaxCreateAhead + Duration(time.Minute) }, "inspection.create_ahead"},
		{"create ahead negative", func(p *InspectionPolicy) { p.CreateAhead = Duration(-time.Minute) }, "inspection.create_ahead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.edit(&p.Inspection)
			checkField(t, p.Validate(), tt.field)
		})
	}
}

// checkField wants err to be a validation error on field ("" for none).
func checkField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("got %v, want no error", err)
	case field != "" && (!errors.As(err, &ve) || ve.Field != field):
		t.Errorf("got %v, want a validation error on %s", err, field)
	}
}

func TestNextCheck(t *testing.T) {
	loc := mustLoc(t)
	p := DefaultInspectionPolicy()
	tests := []struct{ give, want time.Time }{
		{time.Date(2026, 3, 1, 8, 0, 0, 0, loc), time.Date(2026, 3, 1, 9, 0, 0, 0, loc)},
		{time.Date(2026, 3, 1, 9, 0, 0, 0, loc), time.Date(2026, 3, 2, 9, 0, 0, 0, loc)},
		{time.Date(2026, 3, 1, 23, 0, 0, 0, loc), time.Date(2026, 3, 2, 9, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		if got := p.NextCheck(tt.give.UTC(), loc); !got.Equal(tt.want) {
			t.Errorf("%s: got %s, want %s", tt.give, got, tt.want)
		}
	}
}

func TestCreateAhead(t *testing.T) {
	loc := mustLoc(t)
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, loc)
	for _, tt := range []struct {
		name  string
		ahead Duration
		key   string
	}{
		{"none: at the start", 0, "inspection-plan-1"},
		{"default 30m", Duration(30 * time.Minute), "inspection-plan-1"},
		{"default 30m, another plan", Duration(30 * time.Minute), "inspection-plan-2"},
		{"a second", Duration(time.Second), "inspection-plan-1"},
		{"a day", MaxCreateAhead, "inspection-plan-7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := InspectionPolicy{CreateAhead: tt.ahead}
			got := p.CreateAt(start, tt.key)
			if want := start.Add(-tt.ahead.Std() + Jitter(tt.key, tt.ahead)); !got.Equal(want) {
				t.Errorf("got %s, want %s", got, want)
			}
			if got.After(start) || got.Before(start.Add(-tt.ahead.Std())) {
				t.Errorf("got %s, want within [%s, %s]", got, start.Add(-tt.ahead.Std()), start)
			}
			if tt.ahead == 0 && !got.Equal(start) {
				t.Errorf("no create-ahead: got %s, want the start %s", got, start)
			}
		})
	}
	if DefaultInspectionPolicy().CreateAhead != Duration(30*time.Minute) {
		t.Errorf("default create_ahead: got %s, want 30m", DefaultInspectionPolicy().CreateAhead)
	}
}

func TestInspectionPolicyJSONCreateAhead(t *testing.T) {
	for _, tt := range []struct {
		give string
		want Duration
	}{
		{`{"statutory_check_at":"09:00"}`, Duration(30 * time.Minute)}, // saved before create_ahead: the default
		{`{"create_ahead":"0s"}`, 0},
		{`{"create_ahead":"2h"}`, Duration(2 * time.Hour)},
	} {
		var p InspectionPolicy
		if err := json.Unmarshal([]byte(tt.give), &p); err != nil {
			t.Fatalf("%s: %v", tt.give, err)
		}
		if p.CreateAhead != tt.want {
			t.Errorf("%s: got create_ahead %s, want %s", tt.give, p.CreateAhead, tt.want)
		}
		if tt.give == `{"statutory_check_at":"09:00"}` && p.StatutoryCheckAt != "09:00" {
			t.Errorf("%s: got statutory_check_at %q, want the other fields read too", tt.give, p.StatutoryCheckAt)
		}
		raw, _ := json.Marshal(p)
		var again InspectionPolicy
		if err := json.Unmarshal(raw, &again); err != nil || again.CreateAhead != tt.want {
			t.Errorf("%s: round trip %s got %s (%v), want %s", tt.give, raw, again.CreateAhead, err, tt.want)
		}
	}
}
