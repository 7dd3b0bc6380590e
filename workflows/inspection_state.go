package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// inspectionState is the live state of one occurrence's workflow.
type inspectionState struct {
	caseCore
	in       InspectionInput
	status   models.InspectionStatus
	assignee uint64
	due      time.Time

	// level is the rung of the escalation chain reached by the current
	// ladder: the missed inspection's, then (reset) the first open
	// finding's deadline's. escalateAt is its next rung; zero past the
	// last.
	level      int
	escalateAt time.Time
	breach     time.Time // the deadline the current ladder climbs from

	results  []models.ChecklistResult
	findings []models.Finding
	opening  int // finding tickets being opened or their close recorded

	skipReason string
	doneAt     time.Time
	doneBy     uint64
	closedAt   time.Time
}

func newInspectionState(in InspectionInput) (*inspectionState, error) {
	core, err := newCaseCore(in.Plan.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	core.name(InspectionWorkflowID(in.InspectionID), "inspection:"+strconv.FormatUint(in.InspectionID, 10))
	s := &inspectionState{caseCore: core, in: in, status: models.InspectionOpen, due: in.DueAt.In(core.loc)}
	if in.Plan.AssigneeID != nil {
		s.assignee = *in.Plan.AssigneeID
	}
	s.breach = s.due
	return s, nil
}

// inspectionTimer is the next moment the workflow acts without being asked.
type inspectionTimer struct {
	at   time.Time
	kind string // timerInspectionDue, timerEscalate
}

const timerInspectionDue = "due"

func (t inspectionTimer) when() time.Time { return t.at }

// nextTimer is the earliest pending timer: the due time while the work is
// open, then the escalation ladder of a missed inspection or an overdue
// rectification.
func (s *inspectionState) nextTimer() inspectionTimer {
	switch s.status {
	case models.InspectionOpen:
		return inspectionTimer{at: s.due, kind: timerInspectionDue}
	case models.InspectionMissed, models.InspectionRectifying:
		return inspectionTimer{at: s.escalateAt, kind: timerEscalate}
	}
	return inspectionTimer{}
}

// fire acts on timer t, due at now (see fireDue).
func (s *inspectionState) fire(ctx workflow.Context, now time.Time, t inspectionTimer) {
	switch t.kind {
	case timerInspectionDue:
		s.status = models.InspectionMissed
		s.ladder(s.due)
		rec := s.snapshot(ctx, now, "missed", 0, models.InspectionOpen, map[string]string{"due": s.due.Format(time.RFC3339)})
		s.write(ctx, rec)
	case timerEscalate:
		s.level, s.escalateAt = climb(s.in.Policy.Escalation, s.level, s.escalateAt)
		s.escalate(ctx, now)
	}
}

// ladder starts a fresh escalation ladder from a deadline breached at
// breach.
func (s *inspectionState) ladder(breach time.Time) {
	s.level, s.breach, s.escalateAt = 0, breach, time.Time{}
	if at, ok := s.in.Policy.Escalation.EscalationAt(breach, 1); ok {
		s.escalateAt = at
	}
}

// changeInspectionOneEscalation, version 1: an inspection's escalation
// (missed, or a rectification overdue) is one activity
// (activities.Escalations.Escalate, as a ticket's under "one-escalation"),
// with the same event and messages. Before it, the recipients look-up, the
// record and each message were an activity apiece (issue 15).
const changeInspectionOneEscalation = "inspection-one-escalation"

// escalate tells the role of the level reached, and the assignee, that the
// inspection (or a rectification) is overdue, and records who was told.
func (s *inspectionState) escalate(ctx workflow.Context, now time.Time) {
	role := s.in.Policy.Escalation.Levels[s.level-1].Role
	detail := map[string]string{"level": strconv.Itoa(s.level), "role": string(role), "due": s.breach.Format(time.RFC3339)}
	rec := s.snapshot(ctx, now, "escalation", 0, s.status, detail)
	prefix := fmt.Sprintf("%s/escalate/%d/%d", s.wfID(), rec.Progress.Revision, s.level)
	params := map[string]string{"case_no": s.caseNo(), "topic": s.topic(), "due": s.clock(s.breach)}
	if workflow.GetVersion(ctx, changeInspectionOneEscalation, workflow.DefaultVersion, 1) >= 1 {
		s.escalateOnce(ctx, activities.EscalateInput{Inspection: &rec, Role: role, Owner: s.assignee}, "inspection_overdue", prefix, params)
		return
	}
	ids := s.escalationList(ctx, role, s.assignee)
	detail["notified"] = idList(ids)
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "inspection_overdue", activities.StaffKey(prefix, id), params)
	}
}

// started records the occurrence's start and tells who does it: the
// assignee, or everyone with the plan's role.
func (s *inspectionState) started(ctx workflow.Context) {
	now := workflow.Now(ctx)
	rec := s.snapshot(ctx, now, "opened", 0, "", map[string]string{
		"scheduled_at": s.in.ScheduledAt.Format(time.RFC3339), "due": s.due.Format(time.RFC3339),
		"assignee_id": strconv.FormatUint(s.assignee, 10), "assignee_role": string(s.in.Plan.AssigneeRole)})
	s.write(ctx, rec)
	ids := []uint64{s.assignee}
	if s.assignee == 0 {
		ids = s.staffWithRole(ctx, s.in.Plan.AssigneeRole)
	}
	for _, id := range ids {
		s.remind(ctx, id, fmt.Sprintf("%s/opened/staff-%d", s.wfID(), id))
	}
}

// remind tells staffID the inspection's start and due time (it may be
// told ahead of the start: see changePlanCreateAhead).
func (s *inspectionState) remind(ctx workflow.Context, staffID uint64, key string) {
	s.notifyStaff(ctx, staffID, "inspection_due", key,
		map[string]string{"case_no": s.caseNo(), "topic": s.topic(), "starts": s.clock(s.in.ScheduledAt), "due": s.clock(s.due)})
}

// openFindings counts the findings not yet rectified; first is the
// earliest deadline among them (zero: none).
func (s *inspectionState) openFindings() (n int, first time.Time) {
	for _, f := range s.findings {
		if f.Open() {
			n++
			if first.IsZero() || f.Deadline.Before(first) {
				first = f.Deadline
			}
		}
	}
	return n, first
}

// rectified reports whether a rectifying occurrence may close: every
// finding fixed and no ticket's close still being written.
func (s *inspectionState) rectified() bool {
	n, _ := s.openFindings()
	return s.status == models.InspectionRectifying && n == 0 && s.opening == 0
}

// close completes the occurrence once its findings are all rectified.
func (s *inspectionState) close(ctx workflow.Context) {
	now := workflow.Now(ctx)
	s.status, s.closedAt = models.InspectionCompleted, now
	rec := s.snapshot(ctx, now, "completed", 0, models.InspectionRectifying, map[string]string{"findings": strconv.Itoa(len(s.findings))})
	s.write(ctx, rec)
}

// progress is the read model's copy of the state at revision s.seq.
func (s *inspectionState) progress() models.InspectionProgress {
	n, first := s.openFindings()
	return models.InspectionProgress{
		Status: s.status, AssigneeID: optID(s.assignee), DueAt: s.due, EscalationLevel: s.level,
		Results: slices.Clone(s.results), Findings: slices.Clone(s.findings), OpenFindings: n, RectifyBy: optTime(first),
		DoneAt: optTime(s.doneAt), DoneBy: optID(s.doneBy), SkipReason: s.skipReason, ClosedAt: optTime(s.closedAt), Revision: s.seq,
	}
}

// view is the state as the query and the actions show it, at now.
func (s *inspectionState) view(now time.Time) InspectionView {
	n, _ := s.openFindings()
	v := InspectionView{
		InspectionID: s.in.InspectionID, PlanID: s.in.Plan.ID, Status: s.status, AssigneeID: s.assignee,
		AssigneeRole: s.in.Plan.AssigneeRole, ScheduledAt: s.in.ScheduledAt, DueAt: s.due,
		Overdue: s.status.AwaitingWork() && now.After(s.due), EscalationLevel: s.level,
		Checklist: slices.Clone(s.in.Plan.Checklist), Results: slices.Clone(s.results), Findings: slices.Clone(s.findings),
		OpenFindings: n, SkipReason: s.skipReason, ClosedAt: optTime(s.closedAt), AsOf: now,
	}
	if v.Results == nil {
		v.Results = []models.ChecklistResult{}
	}
	if v.Findings == nil {
		v.Findings = []models.Finding{}
	}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.kind, optTime(t.at)
		if t.kind == timerEscalate {
			v.NextTimer = fmt.Sprintf("%s %d", t.kind, s.level+1)
		}
	}
	return v
}

// snapshot takes the next revision of the read model and its event, and
// brings the search attributes up to date.
func (s *inspectionState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.InspectionStatus, detail map[string]string) activities.RecordInspectionInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	s.upsert(ctx, "inspection", string(s.status), s.level, s.nextTimer().at)
	return activities.RecordInspectionInput{InspectionID: s.in.InspectionID, Progress: s.progress(), Event: ev}
}

// write records a snapshot: the occurrence goes on whatever the outcome.
func (s *inspectionState) write(ctx workflow.Context, in activities.RecordInspectionInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordInspection, in, in.Event.Key)
}

func (s *inspectionState) wfID() string { return InspectionWorkflowID(s.in.InspectionID) }
func (s *inspectionState) caseNo() string {
	return "巡检" + strconv.FormatUint(s.in.InspectionID, 10)
}
func (s *inspectionState) topic() string {
	if s.in.Location == "" {
		return s.in.Plan.Name
	}
	return s.in.Plan.Name + " " + s.in.Location
}
