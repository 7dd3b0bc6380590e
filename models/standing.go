package models

import "time"

// StageOverdue is the stage shown for a case the process still calls
// StageReminding although a bill is already overdue: arrears it learned of
// late (imported), whose ladder counts from that moment. It is never a
// process stage.
const StageOverdue CaseStage = "overdue"

// LadderBasis says what the dunning ladder of a case counts from.
type LadderBasis string

// The ladder bases.
const (
	// LadderFromDue: 00:00 of the day after the oldest unpaid bill's due date.
	LadderFromDue LadderBasis = "due"
	// LadderFromImport: the moment the process learned of the bill, later
	// than that (historical arrears imported into the system).
	LadderFromImport LadderBasis = "imported"
)

// CaseFacts is what the collection process says of a case at AsOf:
// its stage, and the time its ladder has counted (OverdueFor) and stood
// paused (PausedFor) since its clock started.
type CaseFacts struct {
	Stage      CaseStage
	OverdueFor time.Duration
	PausedFor  time.Duration
	AsOf       time.Time
}

// Standing is what is true of a household's arrears today, for the labels
// staff read: how long its oldest unpaid bill has been overdue, the stage
// in words that agree with it, and since when, and why from then, the
// dunning ladder counts.
type Standing struct {
	// DaysOverdue counts the days since the oldest unpaid bill's due date;
	// 0 when nothing is overdue.
	DaysOverdue int `json:"days_overdue"`
	// OldestDue is that bill's due date; nil when nothing is unpaid.
	OldestDue *Date `json:"oldest_due"`
	// Stage is the case's stage as shown: StageOverdue instead of
	// StageReminding once a bill is overdue; empty without a process.
	Stage CaseStage `json:"stage"`
	// LadderFrom is the day the ladder's clock started, in the estate's
	// zone, and LadderBasis why that day; both empty until a bill is
	// overdue and a process counts.
	LadderFrom  *Date       `json:"ladder_from"`
	LadderBasis LadderBasis `json:"ladder_basis,omitempty"`
}

// StandingOf derives a household's standing on today (in loc) from its
// account and, when a collection process runs, its facts (nil for none).
func StandingOf(acc Account, proc *CaseFacts, today Date, loc *time.Location) Standing {
	var s Standing
	if acc.OldestUnpaidDue != nil {
		due := *acc.OldestUnpaidDue
		s.OldestDue = &due
		s.DaysOverdue = max(today.DaysSince(due), 0)
	}
	if proc == nil {
		return s
	}
	s.Stage = ShownStage(proc.Stage, s.DaysOverdue)
	if s.DaysOverdue == 0 {
		return s
	}
	from := DateOf(proc.AsOf.Add(-proc.OverdueFor-proc.PausedFor), loc)
	s.LadderFrom, s.LadderBasis = &from, LadderFromDue
	if from.After(s.OldestDue.AddDays(1)) {
		s.LadderBasis = LadderFromImport
	}
	return s
}

// ShownStage is the stage to show for a case at stage whose oldest unpaid
// bill is daysOverdue days overdue: StageOverdue rather than
// StageReminding ("bills open, none overdue yet") once one is overdue.
func ShownStage(stage CaseStage, daysOverdue int) CaseStage {
	if stage == StageReminding && daysOverdue > 0 {
		return StageOverdue
	}
	return stage
}

// IsContact reports whether a case event is a contact with the household
// (a reminder sent or delivered, a call or visit made): it has a channel,
// and its outcome does not say that nothing reached the household (a
// message step only queued, a message that failed, no resident to write
// to, a task no one could take). New bills, payments, pauses and decisions
// are case events, not contacts; so is a message a gateway took but has
// not delivered yet ("contact_sent", which has no channel).
func IsContact(e CaseEvent) bool {
	switch e.Outcome {
	case "queued", "failed", "no_resident", "unassigned":
		return false
	}
	return e.Channel != ""
}

// CountsForCollection reports whether a bill due on due counts toward the
// collection rate (收缴率) on today: only bills already due do, so a
// period whose bills are not yet due has no rate.
func CountsForCollection(due, today Date) bool { return !due.After(today) }
