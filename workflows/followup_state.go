package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

// visitTicket is a ticket opened by an item of the visit.
type visitTicket struct {
	id     uint64
	item   int
	closed bool
	status models.TicketStatus
}

// followUpState is the live state of one follow-up workflow.
type followUpState struct {
	caseCore
	in       FollowUpInput
	status   models.FollowUpStatus
	assignee uint64
	due      time.Time

	reminders []time.Time // from the policy, counted from move-in
	reminded  int         // reminders sent or skipped
	scheduled time.Time   // the agreed time of the next try
	remindAt  bool        // the assignee is still to be reminded at scheduled

	level      int       // escalation levels reached
	escalateAt time.Time // the next level; zero past the last

	attempts []models.FollowUpAttempt
	visit    *models.FollowUpVisit
	tickets  []*visitTicket
	opening  bool // the visit's tickets are being opened

	summary      string
	cancelReason string
	closedAt     time.Time

	recording int // ticket_closed transitions being written
}

func newFollowUpState(in FollowUpInput) (*followUpState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	core.name(FollowUpWorkflowID(in.MoveInID), "followup:"+strconv.FormatUint(in.FollowUpID, 10))
	if len(in.ResidentIDs) == 0 {
		return nil, temporal.NewNonRetryableApplicationError("a follow-up needs a resident", ErrTypeInvalidInput, nil, "resident_ids")
	}
	p := in.Policy.FollowUp
	s := &followUpState{caseCore: core, in: in, status: models.FollowUpPending, due: p.FollowUpDue(in.MovedInAt).In(core.loc)}
	for _, r := range p.ReminderAt {
		s.reminders = append(s.reminders, in.MovedInAt.Add(r.Std()).In(core.loc))
	}
	if at, ok := in.Policy.Escalation.EscalationAt(s.due, 1); ok {
		s.escalateAt = at
	}
	return s, nil
}

// followUpTimer is the next moment the workflow must act without being asked.
type followUpTimer struct {
	at   time.Time
	kind string // timerFollowUpReminder, timerFollowUpAppointment, timerEscalate
}

const (
	timerFollowUpReminder    = "reminder"
	timerFollowUpAppointment = "appointment"
)

// nextTimer returns the earliest pending timer; zero when none. Timers run
// only while the visit is still to be made.
func (s *followUpState) nextTimer() followUpTimer {
	if !s.status.AwaitingVisit() {
		return followUpTimer{}
	}
	var ts []followUpTimer
	if s.reminded < len(s.reminders) {
		ts = append(ts, followUpTimer{at: s.reminders[s.reminded], kind: timerFollowUpReminder})
	}
	if s.remindAt {
		ts = append(ts, followUpTimer{at: s.scheduled, kind: timerFollowUpAppointment})
	}
	ts = append(ts, followUpTimer{at: s.escalateAt, kind: timerEscalate})
	return soonest(ts)
}

func (t followUpTimer) when() time.Time { return t.at }

func (t followUpTimer) label(s *followUpState) string {
	switch t.kind {
	case timerFollowUpReminder:
		return fmt.Sprintf("%s %d", t.kind, s.reminded+1)
	case timerEscalate:
		return fmt.Sprintf("%s %d", t.kind, s.level+1)
	}
	return t.kind
}

// ticketsDone reports whether the visit's tickets are all closed, so that
// the follow-up may close.
func (s *followUpState) ticketsDone() bool {
	if s.status != models.FollowUpTicketsOpen || s.opening || s.recording > 0 {
		return false
	}
	return s.openTickets() == 0
}

func (s *followUpState) openTickets() int {
	n := 0
	for _, t := range s.tickets {
		if !t.closed {
			n++
		}
	}
	return n
}

func (s *followUpState) ticketIDs() []uint64 {
	ids := []uint64{}
	for _, t := range s.tickets {
		ids = append(ids, t.id)
	}
	return ids
}

// attemptsLeft is how many tries remain before the visit ends unreachable.
func (s *followUpState) attemptsLeft() int {
	return max(s.in.Policy.FollowUp.MaxAttempts-len(s.attempts), 0)
}

// progress is the read model's copy of the state at revision s.seq.
func (s *followUpState) progress() models.FollowUpProgress {
	return models.FollowUpProgress{
		Status: s.status, AssigneeID: optID(s.assignee), DueAt: s.due, ScheduledAt: optTime(s.scheduled),
		Attempts: slices.Clone(s.attempts), EscalationLevel: s.level, Visit: s.visit,
		TicketIDs: s.ticketIDs(), OpenTickets: s.openTickets(), Summary: s.summary,
		CancelReason: s.cancelReason, ClosedAt: optTime(s.closedAt), Revision: s.seq,
	}
}

// view is the state as the query and the actions show it, at now.
func (s *followUpState) view(now time.Time) FollowUpView {
	v := FollowUpView{
		FollowUpID: s.in.FollowUpID, MoveInID: s.in.MoveInID, Status: s.status, AssigneeID: s.assignee,
		MovedInAt: s.in.MovedInAt, DueAt: s.due, Overdue: s.status.AwaitingVisit() && now.After(s.due),
		ScheduledAt: optTime(s.scheduled), Attempts: slices.Clone(s.attempts), AttemptsLeft: s.attemptsLeft(),
		EscalationLevel: s.level, Visit: s.visit, Tickets: []VisitTicketView{}, Summary: s.summary,
		CancelReason: s.cancelReason, ClosedAt: optTime(s.closedAt), AsOf: now,
	}
	if v.Attempts == nil {
		v.Attempts = []models.FollowUpAttempt{}
	}
	for _, t := range s.tickets {
		v.Tickets = append(v.Tickets, VisitTicketView{TicketID: t.id, Item: t.item, Closed: t.closed, Status: t.status})
	}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.label(s), optTime(t.at)
	}
	return v
}

func (s *followUpState) result() FollowUpResult {
	return FollowUpResult{
		FollowUpID: s.in.FollowUpID, Status: s.status, Attempts: len(s.attempts), EscalationLevel: s.level,
		TicketIDs: s.ticketIDs(), Summary: s.summary, ClosedAt: s.closedAt,
	}
}
