// Package workflows orchestrates the service's long-running processes on
// Temporal. Workflows here are deterministic: time comes from workflow.Now,
// side effects go through the activities package.
package workflows

import (
	"strconv"

	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the task queue of every workflow and activity of the service.
const TaskQueue = "wuye"

// Handler names of the ticket workflow.
const (
	// TicketActionUpdate is the update through which staff act on a ticket:
	// argument TicketAction, result TicketView.
	TicketActionUpdate = "action"
	// TicketStateQuery returns the ticket's live TicketView.
	TicketStateQuery = "state"
	// TicketAllowedActionsQuery returns the actions a caller may take now:
	// argument AllowedActionsInput, result []string.
	TicketAllowedActionsQuery = "allowed_actions"
)

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
func TicketWorkflowID(id uint64) string {
	return "ticket-" + strconv.FormatUint(id, 10)
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
