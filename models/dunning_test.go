package models

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	p := DefaultPolicy().Dunning // large arrears 300000 fen, repeat late at 2
	tests := []struct {
		name string
		give PaymentHistory
		want Segment
	}{
		{"first time late, small", PaymentHistory{LateBillsInWindow: 1, FirstTimeLate: true, Owed: 299999}, SegmentGood},
		{"first time late, large arrears", PaymentHistory{LateBillsInWindow: 1, FirstTimeLate: true, Owed: 300000}, SegmentFastTrack},
		{"first time late but two late bills", PaymentHistory{LateBillsInWindow: 2, FirstTimeLate: true, Owed: 100}, SegmentFastTrack},
		{"late before, one late bill in window", PaymentHistory{LateBillsInWindow: 1, Owed: 299999}, SegmentStandard},
		{"repeat late payer", PaymentHistory{LateBillsInWindow: 2, Owed: 100}, SegmentFastTrack},
		{"large arrears", PaymentHistory{LateBillsInWindow: 1, Owed: 300000}, SegmentFastTrack},
		{"nothing known", PaymentHistory{}, SegmentStandard},
	}
	for _, tt := range tests {
		if got := Classify(tt.give, p); got != tt.want {
			t.Errorf("%s: Classify(%+v): got %q, want %q", tt.name, tt.give, got, tt.want)
		}
	}

	unset := p
	unset.LargeArrearsFen, unset.RepeatLateCount = 0, 0
	if got := Classify(PaymentHistory{}, unset); got != SegmentStandard {
		t.Errorf("Classify with zero thresholds: got %q, want %q", got, SegmentStandard)
	}
}

// rung is the part of a DunningStep the ladder tests check.
type rung struct {
	after  time.Duration
	action DunningAction
}

func rungs(steps []DunningStep) []rung {
	out := make([]rung, len(steps))
	for i, s := range steps {
		out[i] = rung{s.After.Std(), s.Action}
	}
	return out
}

func TestLadder(t *testing.T) {
	const d = Day
	def := DefaultPolicy().Dunning // 1d, 15d messages; 30d call; 60d visit; 90d notice; 180d legal
	// A ladder whose legal referral sits just one notice period after the
	// notice, so that halving it would break Art. 944.
	tight := DefaultPolicy().Dunning
	tight.Steps[5].After = Duration(120 * d)
	// A good payer stays polite past the formal notice.
	patient := DefaultPolicy().Dunning
	patient.GoodPayerPoliteFor = Duration(160 * d)

	tests := []struct {
		name string
		p    DunningPolicy
		seg  Segment
		want []rung
	}{
		{"standard", def, SegmentStandard, []rung{
			{1 * d, ActionMessage}, {15 * d, ActionMessage}, {30 * d, ActionPhoneCall},
			{60 * d, ActionVisit}, {90 * d, ActionFormalNotice}, {180 * d, ActionLegalReferral},
		}},
		{"unknown segment reads as standard", def, Segment("vip"), []rung{
			{1 * d, ActionMessage}, {15 * d, ActionMessage}, {30 * d, ActionPhoneCall},
			{60 * d, ActionVisit}, {90 * d, ActionFormalNotice}, {180 * d, ActionLegalReferral},
		}},
		{"fast track halves every step", def, SegmentFastTrack, []rung{
			{12 * time.Hour, ActionMessage}, {7*d + 12*time.Hour, ActionMessage}, {15 * d, ActionPhoneCall},
			{30 * d, ActionVisit}, {45 * d, ActionFormalNotice}, {90 * d, ActionLegalReferral},
		}},
		{"good payer: only polite until 60d", def, SegmentGood, []rung{
			{1 * d, ActionMessage}, {15 * d, ActionMessage}, {60 * d, ActionPhoneCall},
			{60 * d, ActionVisit}, {90 * d, ActionFormalNotice}, {180 * d, ActionLegalReferral},
		}},
		{"standard keeps a legal referral one period after the notice", tight, SegmentStandard, []rung{
			{1 * d, ActionMessage}, {15 * d, ActionMessage}, {30 * d, ActionPhoneCall},
			{60 * d, ActionVisit}, {90 * d, ActionFormalNotice}, {120 * d, ActionLegalReferral},
		}},
		// Halved: notice at 45d, legal at 60d, moved to 45d + 30d.
		{"fast track keeps the notice period", tight, SegmentFastTrack, []rung{
			{12 * time.Hour, ActionMessage}, {7*d + 12*time.Hour, ActionMessage}, {15 * d, ActionPhoneCall},
			{30 * d, ActionVisit}, {45 * d, ActionFormalNotice}, {75 * d, ActionLegalReferral},
		}},
		// The notice moves to 160d, so legal moves to 160d + 30d.
		{"good payer polite past the notice keeps the notice period", patient, SegmentGood, []rung{
			{1 * d, ActionMessage}, {15 * d, ActionMessage}, {160 * d, ActionPhoneCall},
			{160 * d, ActionVisit}, {160 * d, ActionFormalNotice}, {190 * d, ActionLegalReferral},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.p.Steps)
			got := Ladder(tt.p, tt.seg)
			if !slices.Equal(rungs(got), tt.want) {
				t.Errorf("Ladder(%q):\ngot  %v\nwant %v", tt.seg, rungs(got), tt.want)
			}
			if !slices.Equal(tt.p.Steps, before) {
				t.Errorf("Ladder(%q) modified the policy: got %v, want %v", tt.seg, tt.p.Steps, before)
			}
			if len(got) > 0 && len(tt.p.Steps) > 0 {
				got[0].Template = "changed"
				if tt.p.Steps[0].Template == "changed" {
					t.Errorf("Ladder(%q) shares its slice with the policy", tt.seg)
				}
			}
		})
	}
}

// The good payer's ladder keeps the steps' other fields with them.
func TestLadderKeepsStepDetails(t *testing.T) {
	p := DefaultPolicy().Dunning
	got := Ladder(p, SegmentGood)
	if len(got) != len(p.Steps) {
		t.Fatalf("Ladder(good): got %d steps, want all %d, in order", len(got), len(p.Steps))
	}
	for i, want := range p.Steps {
		if got[i].Action != want.Action || got[i].Channel != want.Channel || got[i].Role != want.Role || got[i].Template != want.Template {
			t.Errorf("Ladder(good) step %d: got %+v, want %+v apart from After", i, got[i], want)
		}
	}
}

func TestNextStep(t *testing.T) {
	const d = Day
	ladder := DefaultPolicy().Dunning.Steps // 1d, 15d, 30d, 60d, 90d, 180d
	tests := []struct {
		name       string
		ladder     []DunningStep
		reached    int
		overdueFor time.Duration
		wantIndex  int
		wantWait   time.Duration
		wantOK     bool
	}{
		{"nothing taken, just due", ladder, -1, 0, 0, 1 * d, true},
		{"nothing taken, before the due date", ladder, -1, -3 * d, 0, 4 * d, true},
		{"nothing taken, first step due now", ladder, -1, 1 * d, 0, 0, true},
		{"several due: the first, at once", ladder, -1, 40 * d, 0, 0, true},
		{"several due: the next, at once", ladder, 0, 40 * d, 1, 0, true},
		{"caught up: wait for the next", ladder, 2, 40 * d, 3, 20 * d, true},
		{"exactly at the next step", ladder, 0, 15 * d, 1, 0, true},
		{"one nanosecond before the next step", ladder, 0, 15*d - 1, 1, 1, true},
		{"last step next", ladder, 4, 100 * d, 5, 80 * d, true},
		{"exhausted", ladder, 5, 400 * d, -1, 0, false},
		{"past the end", ladder, 9, 400 * d, -1, 0, false},
		{"reached below -1 reads as none", ladder, -7, 0, 0, 1 * d, true},
		{"empty ladder", nil, -1, 400 * d, -1, 0, false},
		{"wait saturates", []DunningStep{{After: Duration(math.MaxInt64)}}, -1, -1 * d, 0, math.MaxInt64, true},
	}
	for _, tt := range tests {
		index, wait, ok := NextStep(tt.ladder, tt.reached, tt.overdueFor)
		if index != tt.wantIndex || wait != tt.wantWait || ok != tt.wantOK {
			t.Errorf("%s: NextStep(%d, %s): got (%d, %s, %v), want (%d, %s, %v)",
				tt.name, tt.reached, tt.overdueFor, index, wait, ok, tt.wantIndex, tt.wantWait, tt.wantOK)
		}
	}
}

func TestLegalReferralAllowed(t *testing.T) {
	p := DefaultPolicy().Dunning // 30-day notice period
	served := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		served time.Time
		now    time.Time
		want   bool
	}{
		{"no notice served", time.Time{}, served.Add(365 * Day), false},
		{"the day it is served", served, served, false},
		{"one nanosecond before the period ends", served, served.Add(30*Day - 1), false},
		{"the period has run", served, served.Add(30 * Day), true},
		{"long after", served, served.Add(90 * Day), true},
		{"now before the notice", served, served.Add(-Day), false},
	}
	for _, tt := range tests {
		if got := LegalReferralAllowed(tt.served, tt.now, p); got != tt.want {
			t.Errorf("%s: LegalReferralAllowed(%s, %s): got %v, want %v", tt.name, tt.served, tt.now, got, tt.want)
		}
	}
}

func TestLimitationWarning(t *testing.T) {
	tests := []struct {
		name                    string
		lastDemand, since, asOf string
		wantWarn                bool
		wantLapses              string
	}{
		{"fresh debt", "", "2026-02-10", "2026-06-01", false, "2029-02-10"},
		{"91 days before lapsing", "", "2026-02-10", "2028-11-11", false, "2029-02-10"},
		{"90 days before lapsing", "", "2026-02-10", "2028-11-12", true, "2029-02-10"},
		{"on the last day", "", "2026-02-10", "2029-02-10", true, "2029-02-10"},
		{"lapsed", "", "2026-02-10", "2029-03-01", true, "2029-02-10"},
		{"a demand restarts the period", "2028-06-01", "2026-02-10", "2028-11-12", false, "2031-06-01"},
		{"a demand before the debt changes nothing", "2026-01-01", "2026-02-10", "2028-11-12", true, "2029-02-10"},
		{"from a leap day to February's end", "", "2028-02-29", "2028-03-01", false, "2031-02-28"},
		{"demand only", "2026-05-20", "", "2029-03-01", true, "2029-05-20"},
		{"nothing to report", "", "", "2029-03-01", false, ""},
	}
	for _, tt := range tests {
		warn, lapses := LimitationWarning(day(t, tt.lastDemand), day(t, tt.since), day(t, tt.asOf))
		if warn != tt.wantWarn || lapses.String() != tt.wantLapses {
			t.Errorf("%s: LimitationWarning(%q, %q, %q): got (%v, %s), want (%v, %s)",
				tt.name, tt.lastDemand, tt.since, tt.asOf, warn, lapses, tt.wantWarn, tt.wantLapses)
		}
	}
}
