package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

// check is the validator of TicketActionUpdate: it refuses, without changing
// anything, an action that the ticket's status, the caller's role or the
// action's own fields do not allow. The checks run in that order: status
// (InvalidState), role (Forbidden), fields (InvalidInput).
func (s *ticketState) check(now time.Time, a TicketAction) error {
	if a.ActorRole == ResidentLinkRole {
		return s.checkResident(now, a)
	}
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !a.ActorRole.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", a.ActorRole))
	}
	repair, complaint := s.in.Kind == models.TicketRepair, s.in.Kind == models.TicketComplaint
	assignee := a.ActorID == s.assignee
	owner := assignee || a.ActorID == s.in.FirstReceiverID || isDesk(a.ActorRole)
	switch a.Action {
	case ActDispatch:
		return s.gate(a, repair, []models.TicketStatus{models.StatusNew}, isDesk(a.ActorRole), func() error {
			return needID("assignee_id", a.AssigneeID)
		})
	case ActClaim:
		// A technician takes a new repair nobody was dispatched to (抢单).
		// That the caller is an active technician of the ticket's estate is
		// the API's to check: the process knows only the role. The one who
		// comes second is told why in words.
		if repair && s.status != models.StatusNew {
			return invalidState(s.status, "该工单已被接单或已派出，不能再抢单")
		}
		return s.gate(a, repair, []models.TicketStatus{models.StatusNew}, a.ActorRole == models.RoleTechnician, nil)
	case ActAccept:
		return s.gate(a, repair, []models.TicketStatus{models.StatusAssigned}, assignee, nil)
	case ActContact:
		if err := s.gate(a, repair, []models.TicketStatus{models.StatusNew, models.StatusAssigned,
			models.StatusAccepted, models.StatusInProgress}, assignee || isDesk(a.ActorRole), nil); err != nil {
			return err
		}
		if s.pending(models.MilestoneContact) == nil {
			return invalidState(s.status, "已记录过与住户的联系")
		}
		return nil
	case ActArrive:
		return s.gate(a, repair, []models.TicketStatus{models.StatusAccepted}, assignee || isManager(a.ActorRole), nil)
	case ActHold:
		return s.gate(a, true, s.workingStates(), assignee || isDesk(a.ActorRole), func() error {
			if !a.HoldReason.Valid() {
				return invalidInput("hold_reason", "应为 waiting_parts（等待配件）、resident_absent（业主不在家）或 resident_appointment（业主另约时间）")
			}
			return nil
		})
	case ActResume:
		return s.gate(a, true, []models.TicketStatus{models.StatusOnHold}, assignee || isDesk(a.ActorRole), nil)
	case ActTransfer:
		return s.gate(a, true, append(s.workingStates(), models.StatusOnHold), assignee || isDesk(a.ActorRole), func() error {
			if err := needID("assignee_id", a.AssigneeID); err != nil {
				return err
			}
			if a.AssigneeID == s.assignee {
				return invalidInput("assignee_id", "该工单已由这名员工负责")
			}
			return needText("reason", a.Reason)
		})
	case ActComplete:
		from, may := models.StatusInProgress, assignee || isManager(a.ActorRole)
		if complaint {
			from, may = models.StatusAnswered, owner
		}
		return s.gate(a, true, []models.TicketStatus{from}, may, func() error {
			if a.ChargeFen < 0 {
				return invalidInput("charge_fen", "不能为负数")
			}
			return needText("summary", a.Summary)
		})
	case ActCancel:
		return s.gate(a, true, openStates(), isManager(a.ActorRole), func() error { return needText("reason", a.Reason) })
	case ActNote:
		return s.gate(a, true, openStates(), true, func() error { return needText("note", a.Note) })
	case ActAcknowledge:
		return s.gate(a, complaint, []models.TicketStatus{models.StatusNew}, owner, nil)
	case ActAnswer:
		return s.gate(a, complaint, []models.TicketStatus{models.StatusAcknowledged}, owner, func() error {
			// The answer goes to the resident: not empty, and bounded.
			if err := models.CheckComplaintAnswer("note", a.Note); err != nil {
				return invalidInput("note", fmt.Sprintf("答复内容应为 1 至 %d 个字", models.MaxComplaintAnswer))
			}
			return nil
		})
	case ActConfirm:
		return s.gate(a, true, []models.TicketStatus{models.StatusCompleted}, isDesk(a.ActorRole), nil)
	case ActReturnVisit:
		return s.gate(a, true, []models.TicketStatus{models.StatusReturnVisit}, isDesk(a.ActorRole), a.checkScore)
	}
	return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
}

// checkResident is check for the resident acting through their signed
// link: the ticket's own resident, only to confirm or reject the work, to
// rate it (the return visit; whether the estate lets residents rate is the
// API's to check, from the current policy) and to hurry it (催单). No
// history before it holds such an action (the role was refused), so it
// needs no workflow.GetVersion.
func (s *ticketState) checkResident(now time.Time, a TicketAction) error {
	if (a.Action != ActConfirm && a.Action != ActReturnVisit && a.Action != ActHurry) || s.in.ResidentID == 0 || a.ActorID != s.in.ResidentID {
		return temporal.NewApplicationError(fmt.Sprintf("住户 %d 不能对此工单执行 %s 操作", a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	}
	switch a.Action {
	case ActHurry:
		return s.checkHurry(now)
	case ActReturnVisit:
		return s.gate(a, true, []models.TicketStatus{models.StatusReturnVisit}, true, a.checkScore)
	}
	return s.gate(a, true, []models.TicketStatus{models.StatusCompleted}, true, nil)
}

// checkScore refuses a return visit's score outside 1..5.
func (a TicketAction) checkScore() error {
	if a.Score < 1 || a.Score > 5 {
		return invalidInput("score", fmt.Sprintf("%d 无效，应为 1 至 5", a.Score))
	}
	return nil
}

// checkHurry allows the resident's 催单 at now once a deadline of the
// ticket has passed, at most once per the policy's hurry interval; the
// refusal says, in words for the resident, why and until when.
func (s *ticketState) checkHurry(now time.Time) error {
	from := s.hurryFrom()
	switch {
	case from.IsZero():
		return invalidState(s.status, "工单当前无需催单")
	case now.Before(from) && s.overdue(now) != nil:
		return invalidState(s.status, "您已催单，"+s.clock(from)+"后可再次催单")
	case now.Before(from):
		return invalidState(s.status, "工单尚在承诺时限内（"+s.clock(from)+"到期），到期未处理可催单")
	}
	return nil
}

// overdue is the earliest deadline not met whose time has passed at now,
// while the clocks run (not on hold, not completed or closed); nil if none.
func (s *ticketState) overdue(now time.Time) *deadline {
	if !s.clocksRun() {
		return nil
	}
	var first *deadline
	for _, d := range s.deadlines {
		if !d.done() && !d.Due.After(now) && (first == nil || d.Due.Before(first.Due)) {
			first = d
		}
	}
	return first
}

// hurryFrom is when the resident may press 催单: the earliest pending
// deadline, or the end of the interval after the last 催单 if later; zero
// while the clocks stand still or nothing is pending.
func (s *ticketState) hurryFrom() time.Time {
	if !s.clocksRun() {
		return time.Time{}
	}
	var from time.Time
	for _, d := range s.deadlines {
		if !d.done() && (from.IsZero() || d.Due.Before(from)) {
			from = d.Due
		}
	}
	if from.IsZero() || s.hurriedAt.IsZero() {
		return from
	}
	if again := s.hurriedAt.Add(s.in.Policy.Repair.HurryEvery()); again.After(from) {
		return again
	}
	return from
}

// clocksRun reports whether the ticket's deadlines are running: it is
// being worked on, not on hold, awaiting confirmation or closed.
func (s *ticketState) clocksRun() bool {
	switch s.status {
	case models.StatusOnHold, models.StatusCompleted, models.StatusReturnVisit, models.StatusClosed, models.StatusCancelled:
		return false
	}
	return true
}

// gate applies the three checks of one action: it must apply to the kind,
// the status must be one of from, the caller must be allowed, and then its
// fields must pass input (nil: none to check).
func (s *ticketState) gate(a TicketAction, forKind bool, from []models.TicketStatus, allowed bool, input func() error) error {
	switch {
	case !forKind:
		return invalidInput("action", fmt.Sprintf("%s 操作不适用于 %s（%s）工单", a.Action, s.in.Kind, s.in.Kind.Label()))
	case !slices.Contains(from, s.status):
		return invalidState(s.status, "工单在当前状态下不能执行此操作")
	case !allowed:
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能对此工单执行 %s 操作", a.ActorRole, a.ActorID, a.Action),
			ErrTypeForbidden, string(a.ActorRole))
	case input != nil:
		return input()
	}
	return nil
}

// workingStates are the statuses in which work is under way and may pause.
func (s *ticketState) workingStates() []models.TicketStatus {
	if s.in.Kind == models.TicketComplaint {
		return []models.TicketStatus{models.StatusNew, models.StatusAcknowledged, models.StatusAnswered}
	}
	return []models.TicketStatus{models.StatusAssigned, models.StatusAccepted, models.StatusInProgress}
}

func openStates() []models.TicketStatus {
	return []models.TicketStatus{
		models.StatusNew, models.StatusAssigned, models.StatusAccepted, models.StatusInProgress,
		models.StatusAcknowledged, models.StatusAnswered, models.StatusOnHold, models.StatusCompleted,
		models.StatusReturnVisit,
	}
}

// isDesk: the customer-service desk and those above it, who dispatch, record
// the resident's answers and the return visit.
func isDesk(r models.Role) bool { return r == models.RoleCustomerService || isManager(r) }

// isManager: supervisors and above, who may cancel and act for a technician.
func isManager(r models.Role) bool {
	return r == models.RoleSupervisor || r == models.RoleEstateManager || r == models.RoleCompanyAdmin
}

// invalidState refuses an action that the process's status (a ticket's,
// a follow-up's, a case's stage) does not allow; the status is the detail.
func invalidState[S ~string](status S, msg string) error {
	return temporal.NewApplicationError(msg, ErrTypeInvalidState, string(status))
}

func invalidInput(field, msg string) error {
	return temporal.NewApplicationError(field+": "+msg, ErrTypeInvalidInput, field)
}

func needID(field string, id uint64) error {
	if id == 0 {
		return invalidInput(field, "必填")
	}
	return nil
}

func needText(field, text string) error {
	if text == "" {
		return invalidInput(field, "必填")
	}
	return nil
}
