package workflows

import (
	"time"
)

// CollectionActions are the staff actions on a collection case, in the
// order a console shows them.
func CollectionActions() []string {
	return []string{ActTaskOutcome, ActRecordService, ActPlanApprove, ActLegalDecision, ActLegalDocument, ActLegalOutcome}
}

// allowed answers CollectionAllowedActionsQuery from the update's validator,
// as the other processes do: the actions whose check passes for the caller
// or fails only on input yet to give. A task's outcome is allowed when the
// caller may record it for one of the case's open tasks, a service when
// the caller may record it for one of the letters awaiting service.
func (s *collectionState) allowed(now time.Time, in AllowedActionsInput) []string {
	return allowedBy(in, CollectionActions(), func(name string) error {
		a := CaseAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole}
		var ids []uint64
		switch name {
		case ActTaskOutcome:
			for _, t := range s.c.Tasks {
				ids = append(ids, t.TaskID)
			}
		case ActRecordService:
			for _, l := range s.c.Letters {
				ids = append(ids, l.LetterID)
			}
		}
		if len(ids) == 0 {
			return s.check(now, a)
		}
		var err error
		for _, id := range ids {
			a.TaskID, a.LetterID = id, id
			if err = s.check(now, a); offerable(err) {
				return err
			}
		}
		return err
	})
}
