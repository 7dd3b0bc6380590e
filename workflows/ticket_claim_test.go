package workflows

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

func TestClaimTakesAnUnassignedRepair(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	var before, after TicketView
	h.query(at(2, 10, 1), &before)
	h.do(at(2, 10, 2), "desk claim", act(ActClaim, receiver, models.RoleCustomerService))
	// Two technicians claim at the same moment: one wins, the other is
	// refused with the state it found.
	h.do(at(2, 10, 3), "claim", act(ActClaim, tech, models.RoleTechnician))
	h.do(at(2, 10, 3), "late claim", act(ActClaim, tech2, models.RoleTechnician))
	h.do(at(2, 10, 4), "dispatch after claim", dispatch(tech2))
	h.do(at(2, 10, 5), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.query(at(2, 10, 6), &after)
	h.do(at(2, 10, 10), "cancel", cancel())
	h.run()
	h.wantOK("claim", "accept", "cancel")
	h.wantRefused("desk claim", ErrTypeForbidden, "customer_service")
	h.wantRefused("late claim", ErrTypeInvalidState, "assigned")
	if ae := (*temporal.ApplicationError)(nil); !errors.As(h.errs["late claim"], &ae) || !strings.Contains(ae.Message(), "已被接单") {
		t.Errorf("late claim: got %v, want to be told the ticket was taken (已被接单)", h.errs["late claim"])
	}
	h.wantRefused("dispatch after claim", ErrTypeInvalidState, "assigned")
	if before.Status != models.StatusNew || before.AssigneeID != 0 {
		t.Errorf("before the claim: got %s assigned to %d, want new and unassigned", before.Status, before.AssigneeID)
	}
	if after.Status != models.StatusAccepted || after.AssigneeID != tech {
		t.Errorf("after the claim: got %s assigned to %d, want accepted by %d", after.Status, after.AssigneeID, tech)
	}
	wantLines(t, "assignment messages", h.sendsOf("ticket_assigned"), []string{
		"03-02 10:03 ticket_assigned staff-5", "03-02 10:03 ticket_assigned staff-9",
	})
	wantLines(t, "events", h.events("claim"), []string{"03-02 10:03 claim new>assigned"})
	if got := h.records[len(h.records)-1].Progress.AssigneeID; got == nil || *got != tech {
		t.Errorf("read model's assignee: got %v, want %d", got, tech)
	}
}

func TestClaimIsOfferedToTechniciansOfNewRepairsOnly(t *testing.T) {
	tests := []struct {
		name   string
		kind   models.TicketKind
		status models.TicketStatus
		role   models.Role
		want   bool
	}{
		{"technician, new repair", models.TicketRepair, models.StatusNew, models.RoleTechnician, true},
		{"technician, assigned repair", models.TicketRepair, models.StatusAssigned, models.RoleTechnician, false},
		{"technician, new complaint", models.TicketComplaint, models.StatusNew, models.RoleTechnician, false},
		{"customer service, new repair", models.TicketRepair, models.StatusNew, models.RoleCustomerService, false},
		{"supervisor, new repair", models.TicketRepair, models.StatusNew, models.RoleSupervisor, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &ticketState{in: ticketInput(tt.kind, models.UrgencyNormal, at(2, 10, 0)), status: tt.status}
			got := contains(s.allowed(AllowedActionsInput{ActorID: tech, ActorRole: tt.role}), ActClaim)
			if got != tt.want {
				t.Errorf("claim offered: got %v, want %v", got, tt.want)
			}
		})
	}
}
