package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// TestPlanTiming: the plans' clock time is the first whole minute in the
// estate's zone at least the lead ahead, and they start the local day
// before it (a date past midnight there while still the day before in UTC).
func TestPlanTiming(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 21, 58, 30, 0, time.UTC) // 05:58:30 on the 7th in Shanghai
	at, clock, startsOn := planTiming(now, 90*time.Second, sh)
	if want := time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC); !at.Equal(want) || clock != "06:00" || startsOn.String() != "2026-12-06" {
		t.Errorf("got %v %q %s, want %v \"06:00\" 2026-12-06", at, clock, startsOn, want)
	}
	// On a whole minute already: that minute.
	if at, clock, _ := planTiming(now, 30*time.Second, sh); !at.Equal(now.Add(30*time.Second)) || clock != "05:59" {
		t.Errorf("whole minute: got %v %q, want %v \"05:59\"", at, clock, now.Add(30*time.Second))
	}
	if planLead(5000, 30*time.Second) <= planLead(300, 30*time.Second) {
		t.Error("lead: want more for more plans")
	}
	small, big := config{plans: 300, planRest: 30 * time.Second}, config{plans: 5000, planRest: 30 * time.Second}
	if b := big.plansBound(); b <= small.plansBound() || b < planLead(5000, 30*time.Second)+occurrenceWait(5000) {
		t.Errorf("bound: got %v for 5,000 and %v for 300, want it to grow and cover the lead and the wait", b, small.plansBound())
	}
}

// TestSummariseOccurrences: rows past the bound and rows never created
// both count as missing by the bound; the percentiles are over the rows.
func TestSummariseOccurrences(t *testing.T) {
	at := time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC)
	rows := map[uint64]time.Time{1: at.Add(200 * time.Millisecond), 2: at.Add(2 * time.Second), 3: at.Add(90 * time.Second)}
	o := summariseOccurrences(4, at, rows, time.Minute, 3*time.Minute, 0)
	if o.Want != 4 || o.Found != 3 || o.Within != 2 || o.Missing != 2 || o.MaxMs != 90000 || o.P50ms != 2000 || o.Early != 0 {
		t.Errorf("got %+v, want 4 wanted, 3 found, 2 within a minute, 2 missing, p50 2 s, max 90 s, none early", o)
	}
	if o.BehindP50ms != o.P50ms || o.BehindMaxMs != o.MaxMs {
		t.Errorf("no create-ahead: got behind %+v, want it the lateness", o)
	}
	if o := summariseOccurrences(3, at, nil, time.Minute, time.Minute, 0); o.Missing != 3 || o.Found != 0 {
		t.Errorf("none created: got %+v, want all missing", o)
	}
}

// TestSummariseOccurrencesCreatedAhead: an occurrence created ahead of
// its start is on time and counts as early, its lateness negative (not
// clamped); behind is measured from the plan's own creation moment.
func TestSummariseOccurrencesCreatedAhead(t *testing.T) {
	at := time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC)
	ahead := 30 * time.Minute
	pol := models.InspectionPolicy{CreateAhead: models.Duration(ahead)}
	rows := map[uint64]time.Time{}
	for id := uint64(1); id <= 3; id++ {
		rows[id] = pol.CreateAt(at, workflows.PlanWorkflowID(id)).Add(time.Duration(id) * time.Second) // id s behind its moment
	}
	rows[4] = at.Add(70 * time.Second) // far behind: created past the bound
	o := summariseOccurrences(5, at, rows, time.Minute, 2*time.Minute, ahead)
	if o.Within != 3 || o.Early != 3 || o.Missing != 2 || o.P50ms >= 0 || o.MaxMs != 70000 {
		t.Errorf("got %+v, want 3 within (all early, negative p50), 2 missing, max 70 s", o)
	}
	if o.BehindP50ms != 2000 {
		t.Errorf("got behind p50 %.0f ms, want 2000", o.BehindP50ms)
	}
	if b := (config{plans: 300, planRest: 30 * time.Second, planCreateAhead: ahead}); b.planStartLead() != planLead(300, 30*time.Second)+ahead {
		t.Errorf("start lead: got %v, want the setup's lead plus create_ahead", b.planStartLead())
	}
}

// TestPlansReportSaysWhereItStopped: a run stopped before the occurrences
// says so instead of printing zeros.
func TestPlansReportSaysWhereItStopped(t *testing.T) {
	var b strings.Builder
	p := &Plans{Plans: 10, Created: 10, Estates: 2, Reached: "settle", Settled: true}
	p.print(&b)
	if s := b.String(); !strings.Contains(s, "at rest: NOT measured") || !strings.Contains(s, "occurrences: NOT measured") {
		t.Errorf("got %q, want the rest and the occurrences said not measured", s)
	}
}
