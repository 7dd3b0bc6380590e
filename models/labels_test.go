package models

import "testing"

// Every code a ticket, follow-up or case shows has a Chinese name of its
// own: none falls back to the code.
func TestEveryShownCodeHasALabel(t *testing.T) {
	check := func(code, label string) {
		t.Helper()
		if label == "" || label == code {
			t.Errorf("%s: got label %q, want a Chinese name", code, label)
		}
	}
	for _, k := range ticketKinds.list() {
		check(string(k), k.Label())
	}
	for _, u := range Urgencies() {
		check(string(u), u.Label())
	}
	for _, s := range []TicketStatus{StatusNew, StatusAssigned, StatusAccepted, StatusInProgress, StatusAcknowledged,
		StatusAnswered, StatusOnHold, StatusCompleted, StatusReturnVisit, StatusClosed, StatusCancelled} {
		check(string(s), s.Label())
	}
	for _, s := range FollowUpStatuses() {
		check(string(s), s.Label())
	}
	for _, s := range append(Stages(), StageOverdue) {
		check(string(s), s.Label())
	}
	for _, s := range []HouseholdStatus{HouseholdActive, HouseholdMovedOut} {
		check(string(s), s.Label())
	}
	for _, r := range residentRoles.list() {
		check(string(r), r.Label())
	}
	for _, c := range paymentChannels.list() {
		check(string(c), c.Label())
	}
	if got := TicketStatus("unknown").Label(); got != "unknown" {
		t.Errorf("an unknown code: got %q, want the code itself", got)
	}
}
