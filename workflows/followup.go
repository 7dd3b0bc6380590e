package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// Change IDs of workflow.GetVersion in the follow-up workflow; the old
// paths stay for the histories in workflows/testdata.
const (
	// changeRecordLastTicketClose, version 1: the follow-up completes only
	// after the ticket_closed transition of its last open ticket is
	// written. Before it, completion could overtake that write, which was
	// then never recorded.
	changeRecordLastTicketClose = "record-last-ticket-close"
)

// FollowUpInput starts the follow-up of one move-in. Policy is the estate's
// policy at registration: later changes do not move its window.
type FollowUpInput struct {
	FollowUpID  uint64
	MoveInID    uint64
	EstateID    uint64
	HouseholdID uint64
	// ResidentIDs are the residents who moved in; the first is the contact.
	ResidentIDs  []uint64
	RegisteredBy uint64
	MovedInAt    time.Time
	// Location is the unit's address for messages ("1栋101"); never a name.
	Location string
	Policy   models.Policy
	TimeZone string
}

// NewFollowUpInput builds the workflow input of a move-in just registered,
// with the estate's policy and time zone (empty: Asia/Shanghai).
func NewFollowUpInput(f models.FollowUp, m models.MoveIn, h models.Household, p models.Policy, tz string) FollowUpInput {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return FollowUpInput{
		FollowUpID: f.ID, MoveInID: m.ID, EstateID: m.EstateID, HouseholdID: h.ID,
		ResidentIDs: slices.Clone(m.ResidentIDs), RegisteredBy: m.RegisteredBy, MovedInAt: m.MovedInAt,
		Location: h.Building + h.UnitNumber, Policy: p, TimeZone: tz,
	}
}

// FollowUpResult is how a follow-up ended.
type FollowUpResult struct {
	FollowUpID      uint64
	Status          models.FollowUpStatus
	Attempts        int
	EscalationLevel int
	TicketIDs       []uint64
	Summary         string
	ClosedAt        time.Time
}

// The actions of FollowUpAction.Action.
const (
	VisitSchedule = "schedule"  // agree a time (At)
	VisitReassign = "reassign"  // hand the visit to AssigneeID, with Reason
	VisitAttempt  = "attempt"   // a failed try (Outcome, Note; At: the next try)
	VisitRecord   = "record"    // the visit happened (Visit)
	VisitCancel   = "cancel"    // close without a visit, with Reason
	VisitMovedOut = "moved_out" // the household moved out before the visit
)

// FollowUpAction is a staff action on a follow-up, sent as the update
// FollowUpActionUpdate. The caller's Temporal update ID makes it idempotent.
type FollowUpAction struct {
	Action     string
	ActorID    uint64
	ActorRole  models.Role
	At         *time.Time
	AssigneeID uint64
	Reason     string
	Outcome    models.AttemptOutcome
	Note       string
	Visit      *models.FollowUpVisit
}

// VisitTicketView is a ticket a visit opened and whether it has closed.
type VisitTicketView struct {
	TicketID uint64
	Item     int // the item's index in the visit's items
	Closed   bool
	Status   models.TicketStatus
}

// FollowUpView is the live state of a follow-up: the result of every action
// and of the FollowUpStateQuery.
type FollowUpView struct {
	FollowUpID      uint64
	MoveInID        uint64
	Status          models.FollowUpStatus
	AssigneeID      uint64
	MovedInAt       time.Time
	DueAt           time.Time
	Overdue         bool
	ScheduledAt     *time.Time
	Attempts        []models.FollowUpAttempt
	AttemptsLeft    int
	EscalationLevel int
	Visit           *models.FollowUpVisit
	Tickets         []VisitTicketView
	Summary         string
	CancelReason    string
	NextTimer       string // "reminder 1", "appointment", "escalate 2"
	NextTimerAt     *time.Time
	ClosedAt        *time.Time
	AsOf            time.Time
}

// FollowUp runs the follow-up visit (回访) of one move-in: the welcome
// message, assignment, reminders, escalation once overdue, staff actions,
// the tickets the visit opens, and closure once they are closed.
func FollowUp(ctx workflow.Context, in FollowUpInput) (FollowUpResult, error) {
	s, err := newFollowUpState(in)
	if err != nil {
		return FollowUpResult{}, err
	}
	if err := s.setup(ctx); err != nil {
		return FollowUpResult{}, err
	}
	return s.run(ctx)
}

// setup registers the handlers; they run from the first workflow task on.
func (s *followUpState) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, FollowUpStateQuery, func() (FollowUpView, error) {
		return s.view(workflow.Now(ctx)), nil
	}); err != nil {
		return fmt.Errorf("set query handler: %w", err)
	}
	if err := workflow.SetQueryHandler(ctx, FollowUpAllowedActionsQuery, func(in AllowedActionsInput) ([]string, error) {
		return s.allowed(ctx, in), nil
	}); err != nil {
		return fmt.Errorf("set query handler: %w", err)
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, FollowUpActionUpdate, s.act, workflow.UpdateHandlerOptions{
		Validator: s.check,
	})
	if err != nil {
		return fmt.Errorf("set update handler: %w", err)
	}
	return nil
}

// run waits for the next timer, an action or a ticket's end until the
// follow-up closes.
func (s *followUpState) run(ctx workflow.Context) (FollowUpResult, error) {
	s.started(ctx)
	for !s.status.Terminal() {
		if s.ticketsDone() {
			s.complete(ctx)
			continue
		}
		s.woken = false
		woken := func() bool { return s.woken || s.ticketsDone() }
		next := s.nextTimer()
		if next.at.IsZero() {
			if err := workflow.Await(ctx, woken); err != nil {
				return FollowUpResult{}, err
			}
			continue
		}
		if wait := next.at.Sub(workflow.Now(ctx)); wait > 0 {
			ok, err := workflow.AwaitWithTimeout(ctx, wait, woken)
			if err != nil {
				return FollowUpResult{}, err
			}
			if ok {
				continue
			}
		}
		s.fireDue(ctx)
	}
	// Let running actions answer and queued resident messages go out.
	if err := workflow.Await(ctx, func() bool {
		return len(s.outbox) == 0 && workflow.AllHandlersFinished(ctx)
	}); err != nil {
		return FollowUpResult{}, err
	}
	return s.result(), nil
}
