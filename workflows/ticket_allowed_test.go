package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestAllowedActionsFollowStateAndRole(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	type ask struct {
		minute int
		who    AllowedActionsInput
		want   []string
	}
	desk := AllowedActionsInput{ActorID: receiver, ActorRole: models.RoleCustomerService}
	tech5 := AllowedActionsInput{ActorID: tech, ActorRole: models.RoleTechnician}
	tech6 := AllowedActionsInput{ActorID: tech2, ActorRole: models.RoleTechnician}
	sup := AllowedActionsInput{ActorID: supervisor, ActorRole: models.RoleSupervisor}
	asks := []ask{
		{1, desk, []string{ActDispatch, ActContact, ActNote}},
		{1, tech5, []string{ActClaim, ActNote}}, // 抢单: a new repair nobody was dispatched to
		{1, sup, []string{ActDispatch, ActContact, ActCancel, ActNote}},
		{1, AllowedActionsInput{}, []string{}},
		{3, tech5, []string{ActAccept, ActContact, ActHold, ActTransfer, ActNote}},
		{3, tech6, []string{ActNote}},
		{3, desk, []string{ActContact, ActHold, ActTransfer, ActNote}},
		{5, tech5, []string{ActContact, ActArrive, ActHold, ActTransfer, ActNote}},
	}
	got := make([][]string, len(asks))
	for i, a := range asks {
		h.env.RegisterDelayedCallback(func() {
			v, err := h.env.QueryWorkflow(TicketAllowedActionsQuery, a.who)
			if err == nil {
				err = v.Get(&got[i])
			}
			if err != nil {
				t.Errorf("query %d: %v", i, err)
			}
		}, at(2, 10, a.minute).Sub(h.in.ReportedAt))
	}
	h.do(at(2, 10, 2), "dispatch", dispatch(tech))
	h.do(at(2, 10, 4), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 6), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "accept", "cancel")
	for i, a := range asks {
		if !slices.Equal(got[i], a.want) {
			t.Errorf("minute %d, %s %d: got %v, want %v", a.minute, a.who.ActorRole, a.who.ActorID, got[i], a.want)
		}
	}
}

func TestAllowedActionsOfAComplaintLeaveOutRepairSteps(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0)))
	var got []string
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(TicketAllowedActionsQuery, AllowedActionsInput{ActorID: receiver, ActorRole: models.RoleCustomerService})
		if err == nil {
			err = v.Get(&got)
		}
		if err != nil {
			t.Errorf("query: %v", err)
		}
	}, time.Minute)
	h.do(at(2, 10, 2), "cancel", cancel())
	h.run()
	want := []string{ActHold, ActTransfer, ActNote, ActAcknowledge}
	if !slices.Equal(got, want) {
		t.Errorf("complaint, customer service: got %v, want %v", got, want)
	}
}
