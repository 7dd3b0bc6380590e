package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// InspectionInput starts one occurrence of a plan (巡检/维保任务). Policy
// is the estate's when the occurrence started.
type InspectionInput struct {
	InspectionID uint64
	Plan         models.InspectionPlan
	ScheduledAt  time.Time
	DueAt        time.Time
	// Location is the equipment's name and place ("" for a patrol).
	Location string
	Policy   models.Policy
	TimeZone string
}

// InspectionResult is how an occurrence ended.
type InspectionResult struct {
	InspectionID    uint64
	Status          models.InspectionStatus
	Findings        int
	EscalationLevel int
	ClosedAt        time.Time
}

// The actions of InspectionAction.Action.
const (
	InspectComplete = "complete" // done: Results, and any Findings found
	InspectFinding  = "finding"  // a hazard (隐患) found: Findings (one)
	InspectRectify  = "rectify"  // finding No rectified, with Note
	InspectReassign = "reassign" // hand it to AssigneeID
	InspectSkip     = "skip"     // not done, with Reason (equipment out of service)
)

// FindingInput is a hazard staff record: its severity and text, and
// whether a repair ticket takes it over (with Urgency; empty: normal).
type FindingInput struct {
	Severity   models.Severity
	Text       string
	OpenTicket bool
	Urgency    models.Urgency
}

// InspectionAction is a staff action on an occurrence, sent as the update
// InspectionActionUpdate; the caller's update ID makes it idempotent.
type InspectionAction struct {
	Action     string
	ActorID    uint64
	ActorRole  models.Role
	Results    []models.ChecklistResult
	Findings   []FindingInput
	No         int
	Note       string
	AssigneeID uint64
	Reason     string
}

// InspectionView is the live state of an occurrence.
type InspectionView struct {
	InspectionID    uint64                   `json:"inspection_id"`
	PlanID          uint64                   `json:"plan_id"`
	Status          models.InspectionStatus  `json:"status"`
	AssigneeID      uint64                   `json:"assignee_id"`
	AssigneeRole    models.Role              `json:"assignee_role"`
	ScheduledAt     time.Time                `json:"scheduled_at"`
	DueAt           time.Time                `json:"due_at"`
	Overdue         bool                     `json:"overdue"`
	EscalationLevel int                      `json:"escalation_level"`
	Checklist       []models.ChecklistItem   `json:"checklist"`
	Results         []models.ChecklistResult `json:"results"`
	Findings        []models.Finding         `json:"findings"`
	OpenFindings    int                      `json:"open_findings"`
	SkipReason      string                   `json:"skip_reason"`
	NextTimer       string                   `json:"next_timer"`
	NextTimerAt     *time.Time               `json:"next_timer_at"`
	ClosedAt        *time.Time               `json:"closed_at"`
	AsOf            time.Time                `json:"as_of"`
}

// Inspection runs one occurrence of a plan: the assignee told at its
// start, missed and escalated up the estate's chain once its due time
// passes, staff actions (complete with the checklist's results, findings,
// rectification, reassignment, skip), each finding rectified by its
// deadline (escalated the same way when not) or by the repair ticket it
// opened, and closure once nothing is open.
func Inspection(ctx workflow.Context, in InspectionInput) (InspectionResult, error) {
	s, err := newInspectionState(in)
	return runProcess[InspectionResult](ctx, s, err)
}

// setup registers the handlers (see process).
func (s *inspectionState) setup(ctx workflow.Context) error {
	return serve(ctx, InspectionProcess(), s.view, s.allowed, s.act, s.check)
}

// run waits for the next timer, an action or a ticket's end until the
// occurrence closes.
func (s *inspectionState) run(ctx workflow.Context) (InspectionResult, error) {
	s.started(ctx)
	for !s.status.Terminal() {
		if s.rectified() {
			s.close(ctx)
			continue
		}
		woken, err := s.sleep(ctx, s.nextTimer().at, s.rectified)
		if err != nil {
			return InspectionResult{}, err
		}
		if !woken {
			fireDue(ctx, s.nextTimer, s.fire)
		}
	}
	if err := s.waitIdle(ctx); err != nil {
		return InspectionResult{}, err
	}
	return InspectionResult{InspectionID: s.in.InspectionID, Status: s.status, Findings: len(s.findings),
		EscalationLevel: s.level, ClosedAt: s.closedAt}, nil
}

// InspectionActions are the staff actions of an occurrence's page, in the
// order a console shows them.
func InspectionActions() []string {
	return []string{InspectComplete, InspectFinding, InspectRectify, InspectReassign, InspectSkip}
}

// allowed answers InspectionAllowedActionsQuery from the update's
// validator.
func (s *inspectionState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, InspectionActions(), func(name string) error {
		return s.check(ctx, InspectionAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}
