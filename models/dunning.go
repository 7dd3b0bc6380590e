package models

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Segment is the collection track a household in arrears is on (seed 003,
// 分级分类的催缴策略).
type Segment string

// The segments, gentlest first.
const (
	// SegmentGood: a good history and late for the first time; only polite
	// messages for longer (DunningPolicy.GoodPayerPoliteFor).
	SegmentGood Segment = "good"
	// SegmentStandard follows the policy's ladder as written.
	SegmentStandard Segment = "standard"
	// SegmentFastTrack: a repeat late payer or large arrears; every step
	// comes sooner (DunningPolicy.FastTrackPercent).
	SegmentFastTrack Segment = "fast_track"
)

// PaymentHistory is what Classify needs to know about a household.
type PaymentHistory struct {
	// LateBillsInWindow counts the bills paid late, or still unpaid after
	// their due date, within the last DunningPolicy.RepeatLateWindowMonths,
	// the current one included.
	LateBillsInWindow int `json:"late_bills_in_window"`
	// FirstTimeLate: the household has never been late before this bill.
	FirstTimeLate bool `json:"first_time_late"`
	// Owed is the total currently owed (Account.Total).
	Owed Money `json:"owed"`
}

// Classify puts a household on a segment: large arrears (Owed at least
// p.LargeArrearsFen) or a repeat late payer (at least p.RepeatLateCount late
// bills in the window) is fast-tracked; otherwise a first-time late payer is
// good and everyone else standard. A threshold of 0 or less never matches.
func Classify(h PaymentHistory, p DunningPolicy) Segment {
	large := p.LargeArrearsFen > 0 && int64(h.Owed) >= p.LargeArrearsFen
	repeat := p.RepeatLateCount > 0 && h.LateBillsInWindow >= p.RepeatLateCount
	switch {
	case large || repeat:
		return SegmentFastTrack
	case h.FirstTimeLate:
		return SegmentGood
	default:
		return SegmentStandard
	}
}

// Ladder returns the dunning ladder for seg as a fresh slice, in
// non-decreasing order of After; p is not modified.
//
//   - SegmentStandard (and any unknown segment): p.Steps as written.
//   - SegmentFastTrack: every After scaled by p.FastTrackPercent (a percent
//     outside 1..100 scales nothing).
//   - SegmentGood: the message steps before p.GoodPayerPoliteFor stay; every
//     other step due before it is moved to it, keeping its order, so the
//     standard ladder continues from there.
//
// In every segment a legal referral stays at least p.FormalNoticePeriod after
// the latest formal notice before it (Civil Code Art. 944); at run time
// LegalReferralAllowed checks the notice actually served.
func Ladder(p DunningPolicy, seg Segment) []DunningStep {
	steps := slices.Clone(p.Steps)
	switch seg {
	case SegmentFastTrack:
		if pct := p.FastTrackPercent; pct >= 1 && pct <= 100 {
			for i := range steps {
				steps[i].After = scaleDuration(steps[i].After, pct)
			}
		}
	case SegmentGood:
		for i := range steps {
			if steps[i].Action != ActionMessage && steps[i].After < p.GoodPayerPoliteFor {
				steps[i].After = p.GoodPayerPoliteFor
			}
		}
		slices.SortStableFunc(steps, func(a, b DunningStep) int { return cmp.Compare(a.After, b.After) })
	}
	notice := Duration(-1) // After of the latest formal notice so far
	for i := range steps {
		switch steps[i].Action {
		case ActionFormalNotice:
			notice = steps[i].After
		case ActionLegalReferral:
			if notice >= 0 && p.FormalNoticePeriod > 0 {
				earliest := Duration(addSat(int64(notice), int64(p.FormalNoticePeriod)))
				steps[i].After = max(steps[i].After, earliest)
			}
		}
		if i > 0 {
			steps[i].After = max(steps[i].After, steps[i-1].After)
		}
	}
	return steps
}

// NextStep returns the step that follows ladder[reached] (reached is -1 when
// no step has been taken) and how long to wait until it is due, given how long
// the oldest unpaid bill has been overdue (paused time already subtracted; it
// may be negative before the due date). The wait is 0 when the step is due
// now. Steps are never skipped: when several are due, the first of them is
// returned and the caller takes them one at a time. ok is false, and index -1,
// when the ladder is exhausted.
func NextStep(ladder []DunningStep, reached int, overdueFor time.Duration) (index int, wait time.Duration, ok bool) {
	next := max(reached, -1) + 1
	if next >= len(ladder) {
		return -1, 0, false
	}
	after := ladder[next].After.Std()
	switch {
	case after <= overdueFor:
		return next, 0, true
	case overdueFor < 0 && after > math.MaxInt64+overdueFor:
		return next, math.MaxInt64, true
	default:
		return next, after - overdueFor, true
	}
}

// LegalReferralAllowed reports whether a household may be referred for legal
// action at now: only once the period of a formal written demand (催告) served
// at noticeServedAt has fully run (Civil Code Art. 944), that is from
// noticeServedAt + p.FormalNoticePeriod on. A zero noticeServedAt means no
// notice was served, and nothing is allowed.
func LegalReferralAllowed(noticeServedAt, now time.Time, p DunningPolicy) bool {
	if noticeServedAt.IsZero() {
		return false
	}
	return !now.Before(noticeServedAt.Add(max(p.FormalNoticePeriod.Std(), 0)))
}

// limitationWarnDays is how long before a claim lapses LimitationWarning warns.
const limitationWarnDays = 90

// LimitationWarning reports when the claim for a debt lapses (Civil Code arts.
// 188, 195): three years after it fell due on debtSince, or after the last
// written demand when that is later (a demand interrupts the period and
// restarts it; a zero lastDemand means none). lapsesOn is the last day of the
// period, the same date three years on or the month's last day when there is
// none (arts. 201, 202: 2028-02-29 gives 2031-02-28); the claim is lost when
// that day ends. warn is true from 90 days before lapsesOn on, and stays true
// once it has passed. With neither date set there is nothing to report.
func LimitationWarning(lastDemand, debtSince, asOf Date) (warn bool, lapsesOn Date) {
	start := debtSince
	if start.IsZero() || !lastDemand.IsZero() && lastDemand.After(start) {
		start = lastDemand
	}
	if start.IsZero() {
		return false, Date{}
	}
	start = start.AddDays(0) // normalize
	year := start.Year + 3
	lastDay := time.Date(year, start.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	lapsesOn = Date{Year: year, Month: start.Month, Day: min(start.Day, lastDay)}
	return lapsesOn.DaysSince(asOf) <= limitationWarnDays, lapsesOn
}
