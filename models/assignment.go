package models

// AssignmentDeadline is the deadline an assignee is told to meet when a
// ticket is given to them: for a repair the on-site deadline (到场) while it
// is pending, else the completion deadline (after arrival, or for rework);
// for a complaint its nearest pending step. Only the latest deadline of each
// milestone counts (rework adds new ones); ok is false when none is pending.
func AssignmentDeadline(kind TicketKind, deadlines []TicketDeadline) (d TicketDeadline, ok bool) {
	if kind == TicketComplaint {
		for _, m := range []Milestone{MilestoneAcknowledge, MilestoneAnswer, MilestoneResolve} {
			if got, pending := latestPending(deadlines, m); pending && (!ok || got.Due.Before(d.Due)) {
				d, ok = got, true
			}
		}
		return d, ok
	}
	for _, m := range []Milestone{MilestoneOnSite, MilestoneComplete} {
		if got, pending := latestPending(deadlines, m); pending {
			return got, true
		}
	}
	return TicketDeadline{}, false
}

// latestPending is the last deadline of milestone m, and whether it is
// still to be met.
func latestPending(deadlines []TicketDeadline, m Milestone) (TicketDeadline, bool) {
	for i := len(deadlines) - 1; i >= 0; i-- {
		if deadlines[i].Milestone == m {
			return deadlines[i], deadlines[i].DoneAt == nil
		}
	}
	return TicketDeadline{}, false
}

// Address is how texts name a household's unit: its building and unit
// number, "1栋 101".
func (h Household) Address() string {
	if h.Building == "" {
		return h.UnitNumber
	}
	return h.Building + " " + h.UnitNumber
}
