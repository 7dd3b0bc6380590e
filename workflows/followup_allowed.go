package workflows

import "go.temporal.io/sdk/workflow"

// FollowUpActions are the staff actions of a follow-up's page, in the order
// a console shows them. A move-out (VisitMovedOut) is recorded on the
// household instead.
func FollowUpActions() []string {
	return []string{VisitRecord, VisitAttempt, VisitSchedule, VisitReassign, VisitCancel}
}

// allowed answers FollowUpAllowedActionsQuery from the update's validator:
// the actions whose check passes for the caller, or fails only on input the
// caller has yet to give (a form to fill in).
func (s *followUpState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, FollowUpActions(), func(name string) error {
		return s.check(ctx, FollowUpAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}
