package workflows

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// MaxFindingsPerAction bounds the findings one action records.
const MaxFindingsPerAction = 20

// act is the handler of InspectionActionUpdate: it changes the state at
// once, records the transition and answers with the new view.
func (s *inspectionState) act(ctx workflow.Context, a InspectionAction) (InspectionView, error) {
	now := workflow.Now(ctx)
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	detail := actionDetail(ctx, map[string]string{"reason": a.Reason, "note": a.Note})
	var added []int // indexes of the findings this action records
	switch a.Action {
	case InspectComplete:
		s.results, s.doneAt, s.doneBy = append([]models.ChecklistResult{}, a.Results...), now, a.ActorID
		added = s.addFindings(now, a)
		s.status = models.InspectionRectifying
		detail["results"], detail["findings"] = strconv.Itoa(len(a.Results)), strconv.Itoa(len(added))
	case InspectFinding:
		added = s.addFindings(now, a)
		detail["severity"], detail["no"] = string(a.Findings[0].Severity), strconv.Itoa(len(s.findings))
	case InspectRectify:
		f := &s.findings[a.No-1]
		f.FixedAt, f.FixedBy, f.FixNote = &now, a.ActorID, a.Note
		detail["no"] = strconv.Itoa(a.No)
	case InspectReassign:
		detail["from_assignee_id"], detail["assignee_id"] = strconv.FormatUint(s.assignee, 10), strconv.FormatUint(a.AssigneeID, 10)
		s.assignee = a.AssigneeID
	case InspectSkip:
		s.status, s.skipReason, s.closedAt = models.InspectionSkipped, a.Reason, now
	}
	if s.status == models.InspectionRectifying {
		// The ladder follows the earliest open rectification deadline.
		if _, first := s.openFindings(); !first.IsZero() && !first.Equal(s.breach) {
			s.ladder(first)
		} else if first.IsZero() {
			s.escalateAt = time.Time{}
		}
	}
	s.woken = true
	s.opening++ // hold the close until this action's tickets are started
	rec := s.snapshot(ctx, now, a.Action, a.ActorID, from, detail)
	s.write(ctx, rec)
	for j, i := range added {
		if a.Findings[j].OpenTicket {
			s.openFindingTicket(ctx, now, i, a.Findings[j].Urgency, a.ActorID)
		}
	}
	if a.Action == InspectReassign {
		s.remind(ctx, s.assignee, fmt.Sprintf("%s/%d/assigned/staff-%d", s.wfID(), rec.Progress.Revision, s.assignee))
	}
	s.opening--
	return s.view(workflow.Now(ctx)), nil
}

// addFindings appends the action's findings, each with its deadline by
// severity, and returns their indexes.
func (s *inspectionState) addFindings(now time.Time, a InspectionAction) []int {
	var out []int
	for _, in := range a.Findings {
		deadline, _ := s.in.Policy.Inspection.RectifyBy(in.Severity, now) // check validated it
		s.findings = append(s.findings, models.Finding{No: len(s.findings) + 1, Severity: in.Severity, Text: in.Text,
			FoundAt: now, FoundBy: a.ActorID, Deadline: deadline.In(s.loc)})
		out = append(out, len(s.findings)-1)
	}
	return out
}

// openFindingTicket opens the repair ticket of finding i and starts its
// workflow as a child that outlives this one (startTicket); the finding is
// rectified when the ticket closes.
func (s *inspectionState) openFindingTicket(ctx workflow.Context, now time.Time, i int, urgency models.Urgency, actor uint64) {
	no, text := s.findings[i].No, s.findings[i].Text
	if urgency == "" {
		urgency = models.UrgencyNormal
	}
	var tk *activities.Tickets
	var res activities.OpenedTicket
	in := activities.FindingTicketInput{Key: fmt.Sprintf("%s/finding-%d", s.wfID(), no), EstateID: s.estateID, Urgency: urgency,
		Description: text, Location: s.topic(), ReceiverID: actor, ReportedAt: now}
	if err := workflow.ExecuteActivity(dbCall(ctx), tk.OpenFindingTicket, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("open finding ticket", "inspection", s.in.InspectionID, "finding", no, "error", err)
		return // staff rectify it by hand
	}
	id := res.Ticket.ID
	s.findings[no-1].TicketID = &id
	child := startTicket(ctx, res)
	s.opening++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { s.opening--; s.woken = true }()
		var r TicketResult
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("start finding ticket", "ticket", id, "error", err)
			return // started by an earlier run: staff rectify the finding by hand
		} else if err := child.Get(ctx, &r); err != nil {
			r.Status = models.StatusCancelled
		}
		fixed := workflow.Now(ctx)
		fnd := &s.findings[no-1]
		fnd.FixedAt, fnd.FixNote = &fixed, fmt.Sprintf("工单#%d %s", id, r.Status)
		if _, first := s.openFindings(); first.IsZero() {
			s.escalateAt = time.Time{}
		} else if !first.Equal(s.breach) {
			s.ladder(first)
		}
		rec := s.snapshot(ctx, fixed, "ticket_closed", 0, s.status, map[string]string{
			"no": strconv.Itoa(fnd.No), "ticket_id": strconv.FormatUint(id, 10), "ticket_status": string(r.Status)})
		s.write(ctx, rec)
	})
}

// check is the validator of InspectionActionUpdate: state first
// (InvalidState), then the caller (Forbidden), then the fields.
func (s *inspectionState) check(ctx workflow.Context, a InspectionAction) error {
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !a.ActorRole.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", a.ActorRole))
	}
	doer := isManager(a.ActorRole) || a.ActorID == s.assignee || (s.assignee == 0 && a.ActorRole == s.in.Plan.AssigneeRole)
	fixer := doer || a.ActorRole == models.RoleTechnician
	var stateOK, allowed bool
	var input func() error
	switch a.Action {
	case InspectComplete:
		stateOK, allowed = s.status.AwaitingWork(), doer
		input = func() error {
			if err := fieldError("", models.ValidateResults(s.in.Plan.Checklist, a.Results)); err != nil {
				return err
			}
			return s.checkFindings(a.Findings, false)
		}
	case InspectFinding:
		stateOK, allowed = !s.status.Terminal(), fixer
		input = func() error { return s.checkFindings(a.Findings, true) }
	case InspectRectify:
		stateOK, allowed = !s.status.Terminal() && s.anyOpen(), fixer
		input = func() error {
			switch {
			case a.No < 1 || a.No > len(s.findings):
				return invalidInput("no", fmt.Sprintf("%d 无效，应为隐患序号 1 至 %d", a.No, len(s.findings)))
			case !s.findings[a.No-1].Open():
				return invalidInput("no", "该隐患已整改")
			case s.findings[a.No-1].TicketID != nil:
				return invalidInput("no", "该隐患已开报修工单，由工单完成整改")
			}
			if err := needText("note", a.Note); err != nil {
				return err
			}
			return visitMaxText("note", a.Note, 500)
		}
	case InspectReassign:
		stateOK, allowed = !s.status.Terminal(), isManager(a.ActorRole)
		input = func() error {
			if err := needID("assignee_id", a.AssigneeID); err != nil {
				return err
			}
			if a.AssigneeID == s.assignee {
				return invalidInput("assignee_id", "已由这名员工负责")
			}
			return nil
		}
	case InspectSkip:
		stateOK, allowed = s.status.AwaitingWork(), isManager(a.ActorRole)
		input = func() error {
			if err := needText("reason", a.Reason); err != nil {
				return err
			}
			return visitMaxText("reason", a.Reason, 150)
		}
	default:
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case !stateOK:
		return invalidState(s.status, "巡检任务在当前状态下不能执行此操作")
	case !allowed:
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此巡检执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	return input()
}

// anyOpen reports whether a finding is still to rectify.
func (s *inspectionState) anyOpen() bool {
	n, _ := s.openFindings()
	return n > 0
}

// checkFindings checks the findings of an action: exactly one when one is
// required, else at most MaxFindingsPerAction, each well formed.
func (s *inspectionState) checkFindings(list []FindingInput, one bool) error {
	switch {
	case one && len(list) != 1:
		return invalidInput("findings", "须填写且只填写一项隐患")
	case len(list) > MaxFindingsPerAction:
		return invalidInput("findings", fmt.Sprintf("每次最多 %d 项隐患", MaxFindingsPerAction))
	case len(s.findings)+len(list) > 100:
		return invalidInput("findings", "每次巡检最多 100 项隐患")
	}
	for i, f := range list {
		p := fmt.Sprintf("findings[%d].", i)
		switch {
		case !f.Severity.Valid():
			return invalidInput(p+"severity", fmt.Sprintf("“%s”无效，应为 major（重大隐患）、moderate（较大隐患）或 minor（一般隐患）", f.Severity))
		case f.Urgency != "" && !f.Urgency.Valid():
			return invalidInput(p+"urgency", fmt.Sprintf("“%s”无效，应为 critical（特急）、urgent（紧急）或 normal（一般）", f.Urgency))
		case f.Urgency != "" && !f.OpenTicket:
			return invalidInput(p+"urgency", "只有需开报修工单的隐患可以设紧急程度")
		}
		if err := needText(p+"text", f.Text); err != nil {
			return err
		}
		if err := visitMaxText(p+"text", f.Text, 500); err != nil {
			return err
		}
	}
	return nil
}

// fieldError turns a models validation error into InvalidInput on prefix
// plus its field (an error of no field names prefix, or "input").
func fieldError(prefix string, err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return invalidInput(prefix+ve.Field, ve.Reason)
	} else if err != nil {
		return invalidInput(cmp.Or(prefix, "input"), err.Error())
	}
	return nil
}
