package workflows

import (
	"time"
)

// CollectionActions are the staff actions on a collection case, in the
// order a console shows them.
func CollectionActions() []string {
	return []string{ActTaskOutcome, ActPlanApprove, ActLegalDecision, ActLegalDocument, ActLegalOutcome}
}

// allowed answers CollectionAllowedActionsQuery from the update's validator,
// as the other processes do: the actions whose check passes for the caller
// or fails only on input yet to give. A task's outcome is allowed when the
// caller may record it for one of the case's open tasks.
func (s *collectionState) allowed(now time.Time, in AllowedActionsInput) []string {
	return allowedBy(in, CollectionActions(), func(name string) error {
		a := CaseAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole}
		if name != ActTaskOutcome || len(s.c.Tasks) == 0 {
			return s.check(now, a)
		}
		var err error
		for _, t := range s.c.Tasks {
			a.TaskID = t.TaskID
			if err = s.check(now, a); offerable(err) {
				return err
			}
		}
		return err
	})
}
