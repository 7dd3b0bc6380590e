// Package workflows orchestrates the service's long-running processes on
// Temporal. Workflows here are deterministic: time comes from workflow.Now,
// side effects go through the activities package.
package workflows

import (
	"strconv"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

// TaskQueue is the task queue of every workflow and activity of the service.
const TaskQueue = "wuye"

// Every process answers the same three handlers (each process's own names,
// which running workflows registered and so keep): an update through which
// staff act (argument the process's action, result its live view), a query
// of the live view, and a query of the actions a caller may take now
// (argument AllowedActionsInput, result []string).
const (
	// TicketActionUpdate takes a TicketAction and returns a TicketView.
	TicketActionUpdate        = "action"
	TicketStateQuery          = "state"
	TicketAllowedActionsQuery = "allowed_actions"

	// FollowUpActionUpdate takes a FollowUpAction and returns a FollowUpView.
	FollowUpActionUpdate        = "action"
	FollowUpStateQuery          = "state"
	FollowUpAllowedActionsQuery = "allowed_actions"

	// CollectionActionUpdate takes a CaseAction and returns a CaseView.
	CollectionActionUpdate        = "case_action"
	CollectionStateQuery          = "case_state"
	CollectionAllowedActionsQuery = "case_allowed_actions"

	// ContractActionUpdate takes a ContractAction and returns a ContractView.
	ContractActionUpdate        = "action"
	ContractStateQuery          = "state"
	ContractAllowedActionsQuery = "allowed_actions"

	// CollectionSignal carries a CollectionNudge: a fact about the
	// household's account (a bill, a payment, a dispute, a waiver). The API
	// sends it with SignalWithStartWorkflow, so a fact arriving before the
	// process exists starts it and is never lost.
	CollectionSignal = "account_changed"
)

// Process is what a client needs to know of one kind of process: how its
// workflow ID is spelled from the case's business key, its handlers, and
// its staff actions in the order a console shows them.
type Process struct {
	Kind                models.CaseKind
	ActionUpdate        string
	StateQuery          string
	AllowedActionsQuery string
	Actions             []string
	idPrefix            string
}

// WorkflowID is the workflow ID of the case with business key key: a
// ticket's ID, a follow-up's move-in ID, a collection's household ID.
func (p Process) WorkflowID(key uint64) string { return p.idPrefix + strconv.FormatUint(key, 10) }

// TicketProcess describes repair tickets and complaints ("ticket-<ticket ID>").
func TicketProcess() Process {
	return Process{Kind: models.KindTicket, ActionUpdate: TicketActionUpdate, StateQuery: TicketStateQuery,
		AllowedActionsQuery: TicketAllowedActionsQuery, Actions: TicketActions(), idPrefix: "ticket-"}
}

// FollowUpProcess describes move-in follow-ups ("followup-<move-in ID>").
func FollowUpProcess() Process {
	return Process{Kind: models.KindFollowUp, ActionUpdate: FollowUpActionUpdate, StateQuery: FollowUpStateQuery,
		AllowedActionsQuery: FollowUpAllowedActionsQuery, Actions: FollowUpActions(), idPrefix: "followup-"}
}

// CollectionProcess describes a household's arrears collection
// ("collection-<household ID>"; a closed case frees the ID for the next).
func CollectionProcess() Process {
	return Process{Kind: models.KindCollection, ActionUpdate: CollectionActionUpdate, StateQuery: CollectionStateQuery,
		AllowedActionsQuery: CollectionAllowedActionsQuery, Actions: CollectionActions(), idPrefix: "collection-"}
}

// ContractProcess describes a service contract's expiry ("contract-<contract ID>").
func ContractProcess() Process {
	return Process{Kind: models.KindContract, ActionUpdate: ContractActionUpdate, StateQuery: ContractStateQuery,
		AllowedActionsQuery: ContractAllowedActionsQuery, Actions: ContractActions(), idPrefix: "contract-"}
}

// ContractWorkflowID is the workflow ID of contract id: "contract-<id>".
func ContractWorkflowID(id uint64) string { return ContractProcess().WorkflowID(id) }

// Error types of refused actions (temporal.ApplicationError.Type), which the
// API maps to status codes.
const (
	// ErrTypeInvalidState: the ticket's status does not allow the action
	// (409); the first detail is the current status.
	ErrTypeInvalidState = "InvalidState"
	// ErrTypeForbidden: the caller's role or identity may not act (403).
	ErrTypeForbidden = "Forbidden"
	// ErrTypeInvalidInput: a field of the action is missing or wrong (400);
	// the first detail is the field's name.
	ErrTypeInvalidInput = "InvalidInput"
)

// TicketWorkflowID is the workflow ID of ticket id: "ticket-<id>".
func TicketWorkflowID(id uint64) string { return TicketProcess().WorkflowID(id) }

// FollowUpWorkflowID is the workflow ID of the follow-up of move-in id:
// "followup-<id>".
func FollowUpWorkflowID(moveInID uint64) string { return FollowUpProcess().WorkflowID(moveInID) }

// CollectionWorkflowID is the workflow ID of a household's collection:
// "collection-<householdID>".
func CollectionWorkflowID(householdID uint64) string {
	return CollectionProcess().WorkflowID(householdID)
}

// Search attributes the workflows keep up to date (registered by package
// engine). Values are stored in clear: never names or phone numbers.
var (
	// AttrEstate is the estate id.
	AttrEstate = temporal.NewSearchAttributeKeyKeyword("WuyeEstate")
	// AttrCaseKind is "repair" or "complaint".
	AttrCaseKind = temporal.NewSearchAttributeKeyKeyword("WuyeCaseKind")
	// AttrStage is the ticket's status.
	AttrStage = temporal.NewSearchAttributeKeyKeyword("WuyeStage")
	// AttrEscalationLevel is the highest escalation level reached.
	AttrEscalationLevel = temporal.NewSearchAttributeKeyInt64("WuyeEscalationLevel")
	// AttrDueAt is the nearest pending deadline.
	AttrDueAt = temporal.NewSearchAttributeKeyTime("WuyeDueAt")
)

// DeliverySignal carries a DeliveryReport to the process that sent the
// message: the receipt route sends it when a gateway's receipt moved a
// delivery, and the process's outbox moves a failed one on to the next
// channel of its plan (caseCore).
const DeliverySignal = "delivery"

// DeliveryReport is a gateway's word on one message's delivery by one
// channel: delivered or failed (with the gateway's reason).
type DeliveryReport struct {
	Key     string
	Channel models.Channel
	Status  models.DeliveryStatus
	Reason  string `json:",omitempty"`
}

// MessageOwner is the workflow ID of the process that sent the message
// keyed key ("ticket-12/…", "followup-8/…", "collection-4/7/…"): the
// key's first segment; false for a key no process made.
func MessageOwner(key string) (string, bool) {
	id, _, ok := strings.Cut(key, "/")
	if !ok {
		return "", false
	}
	for _, p := range []Process{TicketProcess(), FollowUpProcess(), CollectionProcess(), InspectionProcess(), ContractProcess()} {
		if n, err := strconv.ParseUint(strings.TrimPrefix(id, p.idPrefix), 10, 64); err == nil && n > 0 && strings.HasPrefix(id, p.idPrefix) {
			return id, true
		}
	}
	return "", false
}

// The handlers of an inspection occurrence (巡检/维保任务).
const (
	// InspectionActionUpdate takes an InspectionAction and returns an
	// InspectionView.
	InspectionActionUpdate        = "action"
	InspectionStateQuery          = "state"
	InspectionAllowedActionsQuery = "allowed_actions"
	// PlanChangedSignal tells a plan's workflow that its plan was edited,
	// so it reads it again and computes its next occurrence afresh.
	PlanChangedSignal = "plan_changed"
	// PlanReviseUpdate takes a PlanRevision (a plan edited or
	// deactivated) and returns a PlanView.
	PlanReviseUpdate = "revise"
)

// InspectionProcess describes inspection occurrences ("inspection-<ID>").
func InspectionProcess() Process {
	return Process{Kind: models.KindInspection, ActionUpdate: InspectionActionUpdate, StateQuery: InspectionStateQuery,
		AllowedActionsQuery: InspectionAllowedActionsQuery, Actions: InspectionActions(), idPrefix: "inspection-"}
}

// InspectionWorkflowID is the workflow ID of occurrence id: "inspection-<id>".
func InspectionWorkflowID(id uint64) string { return InspectionProcess().WorkflowID(id) }

// PlanWorkflowID is the workflow ID of plan id: "inspection-plan-<id>".
func PlanWorkflowID(id uint64) string { return "inspection-plan-" + strconv.FormatUint(id, 10) }

// StatutoryWorkflowID is the workflow ID of an estate's daily statutory
// check: "statutory-<estate>".
func StatutoryWorkflowID(estateID uint64) string {
	return "statutory-" + strconv.FormatUint(estateID, 10)
}

// The handlers of outages and notices.
const (
	// OutageActionUpdate takes an OutageAction and returns an OutageView.
	OutageActionUpdate        = "action"
	OutageStateQuery          = "state"
	OutageAllowedActionsQuery = "allowed_actions"

	// NoticeActionUpdate takes a NoticeAction and returns a NoticeView.
	NoticeActionUpdate        = "action"
	NoticeStateQuery          = "state"
	NoticeAllowedActionsQuery = "allowed_actions"
)

// OutageProcess describes outages (停水停电, "outage-<outage ID>").
func OutageProcess() Process {
	return Process{Kind: models.KindOutage, ActionUpdate: OutageActionUpdate, StateQuery: OutageStateQuery,
		AllowedActionsQuery: OutageAllowedActionsQuery, Actions: OutageActions(), idPrefix: "outage-"}
}

// NoticeProcess describes community notices (公告, "notice-<notice ID>").
func NoticeProcess() Process {
	return Process{Kind: models.KindNotice, ActionUpdate: NoticeActionUpdate, StateQuery: NoticeStateQuery,
		AllowedActionsQuery: NoticeAllowedActionsQuery, Actions: NoticeActions(), idPrefix: "notice-"}
}

// OutageWorkflowID is the workflow ID of outage id: "outage-<id>".
func OutageWorkflowID(id uint64) string { return OutageProcess().WorkflowID(id) }

// NoticeWorkflowID is the workflow ID of notice id: "notice-<id>".
func NoticeWorkflowID(id uint64) string { return NoticeProcess().WorkflowID(id) }
