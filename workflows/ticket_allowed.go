package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

// TicketActions are the names of every staff action, in the order a console
// shows them.
func TicketActions() []string {
	return []string{
		ActDispatch, ActClaim, ActAccept, ActContact, ActArrive, ActHold, ActResume, ActTransfer, ActComplete,
		ActCancel, ActNote, ActAcknowledge, ActAnswer, ActConfirm, ActReturnVisit,
	}
}

// AllowedActionsInput names the caller of TicketAllowedActionsQuery.
type AllowedActionsInput struct {
	ActorID   uint64
	ActorRole models.Role
}

// allowed is the handler of TicketAllowedActionsQuery: the actions whose
// validator passes for the caller or fails only on input the caller has yet
// to give (a form to fill in). An action that does not apply to the ticket's
// kind is left out, though check reports it as invalid input on "action".
//
// Staff actions do not depend on the time (only the resident's 催单 does),
// so none is given.
func (s *ticketState) allowed(in AllowedActionsInput) []string {
	return allowedBy(in, TicketActions(), func(name string) error {
		return s.check(time.Time{}, TicketAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}

// allowedBy lists the actions of names that check, an update's validator
// asked about an action with no input, lets the caller take: it passes, or
// fails only on a field to fill in (InvalidInput naming any field but
// "action").
func allowedBy(in AllowedActionsInput, names []string, check func(action string) error) []string {
	out := []string{}
	if in.ActorID == 0 || !in.ActorRole.Valid() {
		return out
	}
	for _, name := range names {
		if offerable(check(name)) {
			out = append(out, name)
		}
	}
	return out
}

// offerable reports whether an action its validator refused with err may
// still be offered: it passed, or only a field the caller fills in is
// missing (InvalidInput naming any field but "action").
func offerable(err error) bool {
	var ae *temporal.ApplicationError
	return err == nil || errors.As(err, &ae) && ae.Type() == ErrTypeInvalidInput && errorField(ae) != "action"
}

// errorField is the field an InvalidInput error names (its first detail).
func errorField(ae *temporal.ApplicationError) string {
	var field string
	if ae.HasDetails() {
		_ = ae.Details(&field)
	}
	return field
}
