package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// TicketInput starts the workflow of one ticket. Policy is the estate's
// policy when the ticket was reported: later changes do not move its
// deadlines.
type TicketInput struct {
	TicketID        uint64
	EstateID        uint64
	Kind            models.TicketKind
	Urgency         models.Urgency
	Category        string
	HouseholdID     uint64 // 0: a common area, described by Location
	Location        string
	ResidentID      uint64 // 0: no resident to message
	FirstReceiverID uint64
	ParentTicketID  uint64
	ReportedAt      time.Time
	Appointment     *time.Time
	Policy          models.Policy
	TimeZone        string
}

// NewTicketInput builds the workflow input of a ticket just created, with the
// estate's current policy and time zone (empty: Asia/Shanghai).
func NewTicketInput(t models.Ticket, p models.Policy, tz string) TicketInput {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	in := TicketInput{
		TicketID: t.ID, EstateID: t.EstateID, Kind: t.Kind, Urgency: t.Urgency, Category: t.Category,
		Location: t.Location, FirstReceiverID: t.FirstReceiverID, ReportedAt: t.ReportedAt,
		Policy: p, TimeZone: tz,
	}
	if t.HouseholdID != nil {
		in.HouseholdID = *t.HouseholdID
	}
	if t.ResidentID != nil {
		in.ResidentID = *t.ResidentID
	}
	if t.ParentTicketID != nil {
		in.ParentTicketID = *t.ParentTicketID
	}
	if t.Appointment != nil {
		at := *t.Appointment
		in.Appointment = &at
	}
	return in
}

// TicketResult is how a ticket ended.
type TicketResult struct {
	TicketID        uint64
	Status          models.TicketStatus
	ReopenCount     int
	EscalationLevel int
	Score           int  // 0: no return visit recorded
	VisitMissed     bool // the return-visit window passed
	FollowUpID      uint64
	ClosedAt        time.Time
}

// The actions of TicketAction.Action.
const (
	ActDispatch    = "dispatch"     // assign to AssigneeID (new tickets)
	ActAccept      = "accept"       // the assignee takes the job
	ActContact     = "contact"      // the resident was contacted (repairs)
	ActArrive      = "arrive"       // the assignee is on site (repairs)
	ActHold        = "hold"         // pause the clocks for HoldReason
	ActResume      = "resume"       // restart the clocks
	ActTransfer    = "transfer"     // hand the work to AssigneeID, with Reason
	ActComplete    = "complete"     // the work is done (a complaint: resolved)
	ActCancel      = "cancel"       // close without completing, with Reason
	ActNote        = "note"         // add Note
	ActAcknowledge = "acknowledge"  // a complaint is acknowledged
	ActAnswer      = "answer"       // a complaint's substantive answer (Note)
	ActConfirm     = "confirm"      // the resident's verdict (Accepted)
	ActReturnVisit = "return_visit" // the satisfaction visit (Score, Comments)
	ActClaim       = "claim"        // a technician takes an unassigned repair (抢单)
	// ActHurry is the resident's 催单 through their signed link, once a
	// deadline has passed: the assignee and the current escalation level
	// are told at once. Not a staff action (not in TicketActions).
	ActHurry = "hurry"
)

// TicketAction is a staff action on a ticket, sent as the update
// TicketActionUpdate. The caller's Temporal update ID makes it idempotent.
type TicketAction struct {
	Action     string
	ActorID    uint64
	ActorRole  models.Role
	AssigneeID uint64
	Reason     string
	Note       string
	HoldReason models.HoldReason
	Summary    string
	Materials  string
	ChargeFen  models.Money
	Accepted   bool
	Score      int
	Comments   string
}

// ResidentLinkRole is the ActorRole of the ticket's resident answering
// through a signed link (ActorID: the ticket's ResidentID). It is no staff
// role: the validator accepts it for ActConfirm, ActReturnVisit and
// ActHurry only.
const ResidentLinkRole models.Role = "resident_link"

// DeadlineView is one deadline as the TicketStateQuery shows it. Left is
// negative once breached; while on hold it stays as it was when the hold began.
type DeadlineView struct {
	Milestone models.Milestone
	Round     int // 0 for the first completion, n after the n-th reopen
	Due       time.Time
	Left      time.Duration
	Done      bool
	DoneAt    *time.Time
	Warned    bool
	Level     int // escalation levels reached for this deadline
}

// TicketView is the live state of a ticket: the result of every action and
// of the TicketStateQuery.
type TicketView struct {
	TicketID        uint64
	Kind            models.TicketKind
	Urgency         models.Urgency
	Status          models.TicketStatus
	AssigneeID      uint64
	FirstReceiverID uint64
	Deadlines       []DeadlineView
	HeldFor         time.Duration
	OnHoldSince     *time.Time
	HoldReason      models.HoldReason
	EscalationLevel int
	NextTimer       string // e.g. "warn on_site", "breach on_site", "escalate complete 2", "auto_confirm"
	NextTimerAt     *time.Time
	ReopenCount     int
	ConfirmBy       *time.Time
	ReturnVisitBy   *time.Time
	Score           int
	FollowUpID      uint64
	// Hurries counts the resident's 催单, the last at HurriedAt. HurryFrom
	// is when the resident may press it (again): the earliest passed-or-
	// coming deadline, or the end of the interval after the last one; nil
	// while nothing can become overdue (on hold, completed, closed).
	Hurries   int
	HurriedAt *time.Time
	HurryFrom *time.Time
	AsOf      time.Time
	// OutageID is the outage that explains the repair, and Known says so
	// ("已知停水"): such a ticket does not climb the escalation ladder.
	OutageID uint64 `json:",omitempty"`
	Known    string `json:",omitempty"`
}

// Ticket runs one ticket from report to close: deadlines from the policy
// snapshot, warnings and escalation, staff actions, confirmation and the
// return visit.
func Ticket(ctx workflow.Context, in TicketInput) (TicketResult, error) {
	s, err := newTicketState(ctx, in)
	return runProcess[TicketResult](ctx, s, err)
}

// setup registers the handlers (see process).
func (s *ticketState) setup(ctx workflow.Context) error {
	return serve(ctx, TicketProcess(), s.view, func(_ workflow.Context, in AllowedActionsInput) []string { return s.allowed(in) },
		s.act, func(ctx workflow.Context, a TicketAction) error { return s.check(workflow.Now(ctx), a) })
}

// run waits for the next timer or the next action until the ticket closes.
func (s *ticketState) run(ctx workflow.Context) (TicketResult, error) {
	s.oneLadder = workflow.GetVersion(ctx, changeOneLadder, workflow.DefaultVersion, 1) >= 1
	s.started(ctx)
	s.linkOutage(ctx)
	for !s.status.Terminal() {
		woken, err := s.sleep(ctx, s.nextTimer().at, nil)
		if err != nil {
			return TicketResult{}, err
		}
		if !woken {
			fireDue(ctx, s.nextTimer, s.fire)
		}
	}
	s.finish(ctx)
	if err := s.waitIdle(ctx); err != nil {
		return TicketResult{}, err
	}
	return s.result(), nil
}
