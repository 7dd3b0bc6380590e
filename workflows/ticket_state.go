package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// deadline is one promised step of the ticket and its warning and escalation
// timers.
type deadline struct {
	Milestone models.Milestone
	Round     int // 0, or n for the completion owed after the n-th reopen
	Due       time.Time
	WarnAt    time.Time
	Warned    bool
	DoneAt    time.Time // zero while pending
	Level     int       // escalation levels reached
	// EscalateAt is when the next level is reached; zero past the last.
	// Under one ladder (ticketState.oneLadder) only its first value is
	// used: when the deadline counts as breached.
	EscalateAt time.Time
	// Breached: under one ladder, the breach was handled (it climbed the
	// ticket's ladder, was recorded at the level reached, or its milestone
	// does not escalate).
	Breached bool
}

func (d *deadline) done() bool { return !d.DoneAt.IsZero() }

// name identifies the deadline in keys and views: "complete", "complete-r1".
func (d *deadline) name() string {
	if d.Round == 0 {
		return string(d.Milestone)
	}
	return fmt.Sprintf("%s-r%d", d.Milestone, d.Round)
}

// milestoneOf is the milestone of a deadline's name (see name).
func milestoneOf(name string) models.Milestone {
	m, _, _ := strings.Cut(name, "-r")
	return models.Milestone(m)
}

// ticketState is the live state of one ticket workflow.
type ticketState struct {
	caseCore
	in        TicketInput
	status    models.TicketStatus
	resumeTo  models.TicketStatus // the status a hold returns to
	assignee  uint64
	deadlines []*deadline

	holdSince  time.Time
	holdReason models.HoldReason
	held       time.Duration // on hold so far, finished holds only

	reopens int
	level   int // highest escalation level reached
	// oneLadder (changeOneLadder): the ticket climbs one escalation ladder,
	// whatever milestone was breached; before it, each deadline climbed
	// its own chain.
	oneLadder bool
	// nextLevelAt is, under one ladder, when the level after level is due
	// (After of that level from when level was reached); zero before the
	// first breach and past the last level.
	nextLevelAt time.Time
	charge      models.Money
	confirmBy   time.Time
	visitFrom   time.Time
	visitBy     time.Time

	score        int
	comments     string
	visitMissed  bool
	wantFollowUp bool
	followUpID   uint64
	closedAt     time.Time
	// reported: started() has recorded the report and queued its message.
	reported bool

	hurries   int       // the resident's 催单 so far
	hurriedAt time.Time // the last one

	// outage is the outage that explains the repair (changeOutageLink);
	// zero for none.
	outage activities.LinkTicketResult
}

func newTicketState(ctx workflow.Context, in TicketInput) (*ticketState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	core.name(TicketWorkflowID(in.TicketID), "ticket:"+strconv.FormatUint(in.TicketID, 10))
	sched, err := models.TicketSchedule(in.Policy, in.Kind, in.Urgency, in.ReportedAt, in.Appointment, core.loc)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("deadlines of ticket %d: %v", in.TicketID, err), ErrTypeInvalidInput, err, "policy")
	}
	s := &ticketState{caseCore: core, in: in, status: models.StatusNew}
	if in.Kind == models.TicketComplaint {
		s.assignee = in.FirstReceiverID // 首问负责: the receiver owns it until handed on
	}
	for _, d := range sched {
		s.deadlines = append(s.deadlines, s.newDeadline(d.Milestone, 0, in.ReportedAt, d.Due))
	}
	return s, nil
}

func (s *ticketState) newDeadline(m models.Milestone, round int, start, due time.Time) *deadline {
	d := &deadline{Milestone: m, Round: round, Due: due.In(s.loc),
		WarnAt: models.WarnAt(start, due, s.in.Policy.Repair.WarnAtPercent).In(s.loc)}
	if at, ok := s.in.Policy.Escalation.EscalationAt(d.Due, 1); ok {
		d.EscalateAt = at
	}
	return d
}

// pending returns the open deadline for m (the latest round), or nil.
func (s *ticketState) pending(m models.Milestone) *deadline {
	for i := len(s.deadlines) - 1; i >= 0; i-- {
		if d := s.deadlines[i]; d.Milestone == m {
			if d.done() {
				return nil
			}
			return d
		}
	}
	return nil
}

// meet marks the milestones ms done at now, when still pending.
func (s *ticketState) meet(now time.Time, ms ...models.Milestone) {
	for _, m := range ms {
		if d := s.pending(m); d != nil {
			d.DoneAt = now
		}
	}
}

// timer is the next moment the workflow must act without being asked.
type timer struct {
	at   time.Time
	kind string // timerWarn, timerEscalate, timerBreach, timerClimb, timerConfirm, timerVisit
	dl   *deadline
	// level is the level timerClimb reaches.
	level int
}

const (
	timerWarn     = "warn"
	timerEscalate = "escalate"
	// timerBreach (one ladder): dl is breached; timerClimb (one ladder):
	// the ticket's next level is due while dl, breached, is still open.
	timerBreach  = "breach"
	timerClimb   = "climb"
	timerConfirm = "auto_confirm"
	timerVisit   = "return_visit_missed"
)

func (t timer) when() time.Time { return t.at }

func (t timer) String() string {
	switch t.kind {
	case timerWarn:
		return "warn " + t.dl.name()
	case timerEscalate:
		return fmt.Sprintf("escalate %s %d", t.dl.name(), t.dl.Level+1)
	case timerBreach:
		return "breach " + t.dl.name()
	case timerClimb:
		return fmt.Sprintf("escalate %s %d", t.dl.name(), t.level)
	}
	return t.kind
}

// nextTimer returns the earliest pending timer; zero when none. On hold,
// the clocks stand still: no deadline timer runs.
func (s *ticketState) nextTimer() timer {
	var ts []timer
	switch s.status {
	case models.StatusOnHold, models.StatusClosed, models.StatusCancelled:
		return timer{}
	case models.StatusCompleted:
		ts = append(ts, timer{at: s.confirmBy, kind: timerConfirm})
	case models.StatusReturnVisit:
		ts = append(ts, timer{at: s.visitBy, kind: timerVisit})
	}
	var open *deadline // the earliest open breach that escalates (one ladder)
	for _, d := range s.deadlines {
		switch {
		case d.done():
		case !d.Warned:
			ts = append(ts, timer{at: d.WarnAt, kind: timerWarn, dl: d})
		case !s.oneLadder:
			ts = append(ts, timer{at: d.EscalateAt, kind: timerEscalate, dl: d})
		case !d.Breached:
			ts = append(ts, timer{at: d.EscalateAt, kind: timerBreach, dl: d})
		case s.escalates(d) && (open == nil || d.Due.Before(open.Due)):
			open = d
		}
	}
	if open != nil && !s.nextLevelAt.IsZero() {
		ts = append(ts, timer{at: s.nextLevelAt, kind: timerClimb, dl: open, level: s.level + 1})
	}
	return soonest(ts)
}

// escalates reports whether a breach of d climbs the ladder (see
// models.RepairPolicy.Escalates).
func (s *ticketState) escalates(d *deadline) bool {
	if s.outage.OutageID != 0 {
		return false // a known outage: the outage escalates, not each report
	}
	return s.in.Policy.Repair.Escalates(d.Milestone)
}

// reachNext moves the ticket's one ladder up a level at now, and returns
// the level reached: the level after it is due its After from now.
func (s *ticketState) reachNext(now time.Time) int {
	s.level++
	s.nextLevelAt = time.Time{}
	if levels := s.in.Policy.Escalation.Levels; s.level < len(levels) {
		s.nextLevelAt = now.Add(levels[s.level].After.Std())
	}
	return s.level
}

// shiftPending moves every deadline and timer still ahead of since by by:
// the time spent on hold does not count.
func (s *ticketState) shiftPending(since time.Time, by time.Duration) {
	later := func(t time.Time) time.Time {
		if t.After(since) {
			return t.Add(by)
		}
		return t
	}
	for _, d := range s.deadlines {
		if d.done() {
			continue
		}
		d.Due, d.WarnAt, d.EscalateAt = later(d.Due), later(d.WarnAt), later(d.EscalateAt)
	}
	s.nextLevelAt = later(s.nextLevelAt) // zero before one ladder
}

// nextDue is the nearest deadline not met, for the read model: none while on
// hold or closed; the return visit once the work is confirmed.
func (s *ticketState) nextDue() (due, warn time.Time, kind models.Milestone) {
	switch s.status {
	case models.StatusOnHold, models.StatusClosed, models.StatusCancelled, models.StatusCompleted:
		return
	case models.StatusReturnVisit:
		return s.visitBy, models.WarnAt(s.visitFrom, s.visitBy, s.in.Policy.Repair.WarnAtPercent), models.MilestoneReturnVisit
	}
	for _, d := range s.deadlines {
		if !d.done() && (due.IsZero() || d.Due.Before(due)) {
			due, warn, kind = d.Due, d.WarnAt, d.Milestone
		}
	}
	return
}

// progress is the read model's copy of the state at revision s.seq.
func (s *ticketState) progress() models.TicketProgress {
	p := models.TicketProgress{
		Status: s.status, AssigneeID: optID(s.assignee), EscalationLevel: s.level,
		HeldSeconds: int64(s.held / time.Second), HoldReason: s.holdReason, OnHoldSince: optTime(s.holdSince),
		ReopenCount: s.reopens, ChargeFen: s.charge, ClosedAt: optTime(s.closedAt),
		FollowUpID: optID(s.followUpID), Revision: s.seq,
	}
	if s.score > 0 {
		score := s.score
		p.Score = &score
	}
	for _, d := range s.deadlines {
		p.Deadlines = append(p.Deadlines, models.TicketDeadline{Milestone: d.Milestone, Due: d.Due, DoneAt: optTime(d.DoneAt)})
	}
	due, warn, kind := s.nextDue()
	p.NextDueAt, p.WarnAt, p.NextDueKind = optTime(due), optTime(warn), kind
	return p
}

// view is the state as the query and the actions show it, at now.
func (s *ticketState) view(now time.Time) TicketView {
	v := TicketView{
		TicketID: s.in.TicketID, Kind: s.in.Kind, Urgency: s.in.Urgency, Status: s.status,
		AssigneeID: s.assignee, FirstReceiverID: s.in.FirstReceiverID, HeldFor: s.held,
		OnHoldSince: optTime(s.holdSince), HoldReason: s.holdReason, EscalationLevel: s.level,
		ReopenCount: s.reopens, ConfirmBy: optTime(s.confirmBy), ReturnVisitBy: optTime(s.visitBy),
		Score: s.score, FollowUpID: s.followUpID, AsOf: now,
		Hurries: s.hurries, HurriedAt: optTime(s.hurriedAt), HurryFrom: optTime(s.hurryFrom()),
		OutageID: s.outage.OutageID,
	}
	if s.outage.OutageID != 0 {
		v.Known = s.outage.Utility.KnownLabel()
	}
	clock := now
	if !s.holdSince.IsZero() {
		v.HeldFor += now.Sub(s.holdSince)
		clock = s.holdSince // the clock stopped when the hold began
	}
	for _, d := range s.deadlines {
		dv := DeadlineView{Milestone: d.Milestone, Round: d.Round, Due: d.Due, Done: d.done(),
			DoneAt: optTime(d.DoneAt), Warned: d.Warned, Level: d.Level}
		switch {
		case d.done():
			dv.Left = d.Due.Sub(d.DoneAt)
		case d.Due.After(clock):
			dv.Left = d.Due.Sub(clock)
		default:
			dv.Left = d.Due.Sub(now)
		}
		v.Deadlines = append(v.Deadlines, dv)
	}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.String(), optTime(t.at)
	}
	return v
}

func (s *ticketState) result() TicketResult {
	return TicketResult{
		TicketID: s.in.TicketID, Status: s.status, ReopenCount: s.reopens, EscalationLevel: s.level,
		Score: s.score, VisitMissed: s.visitMissed, FollowUpID: s.followUpID, ClosedAt: s.closedAt,
	}
}

func optID(id uint64) *uint64 {
	if id == 0 {
		return nil
	}
	return &id
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
