package workflows

import (
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestValidatorRefusesActions(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	with := func(a TicketAction, f func(*TicketAction)) TicketAction { f(&a); return a }
	tech5 := func(action string) TicketAction { return act(action, tech, models.RoleTechnician) }
	type refusal struct {
		label   string
		a       TicketAction
		errType string
		detail  string
	}
	// Each step: the actions refused in that state at the minute, then the
	// one that moves on, half a minute later.
	steps := []struct {
		minute  int
		refused []refusal
		next    TicketAction
	}{
		{1, []refusal{
			{"accept new", tech5(ActAccept), ErrTypeInvalidState, "new"},
			{"arrive new", tech5(ActArrive), ErrTypeInvalidState, "new"},
			{"complete new", complete(tech), ErrTypeInvalidState, "new"},
			{"resume new", tech5(ActResume), ErrTypeInvalidState, "new"},
			{"confirm new", confirm(true), ErrTypeInvalidState, "new"},
			{"visit new", visit(5), ErrTypeInvalidState, "new"},
			{"dispatch by technician", with(tech5(ActDispatch), func(a *TicketAction) { a.AssigneeID = tech }), ErrTypeForbidden, "technician"},
			{"dispatch without assignee", dispatch(0), ErrTypeInvalidInput, "assignee_id"},
			{"cancel by customer service", with(cancel(), func(a *TicketAction) { a.ActorRole = models.RoleCustomerService }), ErrTypeForbidden, "customer_service"},
			{"cancel without reason", with(cancel(), func(a *TicketAction) { a.Reason = "" }), ErrTypeInvalidInput, "reason"},
			{"acknowledge a repair", act(ActAcknowledge, receiver, models.RoleCustomerService), ErrTypeInvalidInput, "action"},
			{"unknown action", act("explode", receiver, models.RoleCustomerService), ErrTypeInvalidInput, "action"},
			{"no actor", act(ActNote, 0, models.RoleCustomerService), ErrTypeInvalidInput, "actor_id"},
			{"unknown role", act(ActNote, receiver, "janitor"), ErrTypeInvalidInput, "actor_role"},
			{"empty note", act(ActNote, receiver, models.RoleCustomerService), ErrTypeInvalidInput, "note"},
		}, dispatch(tech)},
		{2, []refusal{
			{"dispatch again", dispatch(tech2), ErrTypeInvalidState, "assigned"},
			{"accept by another technician", act(ActAccept, tech2, models.RoleTechnician), ErrTypeForbidden, "technician"},
			{"hold for no reason", with(tech5(ActHold), func(a *TicketAction) { a.HoldReason = "lunch" }), ErrTypeInvalidInput, "hold_reason"},
			{"transfer to the same", with(act(ActTransfer, supervisor, models.RoleSupervisor), func(a *TicketAction) { a.AssigneeID, a.Reason = tech, "x" }), ErrTypeInvalidInput, "assignee_id"},
			{"transfer without reason", with(act(ActTransfer, supervisor, models.RoleSupervisor), func(a *TicketAction) { a.AssigneeID = tech2 }), ErrTypeInvalidInput, "reason"},
			{"contact by another technician", act(ActContact, tech2, models.RoleTechnician), ErrTypeForbidden, "technician"},
		}, tech5(ActAccept)},
		{3, nil, tech5(ActContact)},
		{4, []refusal{
			{"contact twice", tech5(ActContact), ErrTypeInvalidState, "accepted"},
			{"complete before arriving", complete(tech), ErrTypeInvalidState, "accepted"},
		}, tech5(ActArrive)},
		{5, []refusal{
			{"complete without summary", with(complete(tech), func(a *TicketAction) { a.Summary = "" }), ErrTypeInvalidInput, "summary"},
			{"complete with a negative charge", with(complete(tech), func(a *TicketAction) { a.ChargeFen = -1 }), ErrTypeInvalidInput, "charge_fen"},
			{"complete by customer service", with(complete(receiver), func(a *TicketAction) { a.ActorRole = models.RoleCustomerService }), ErrTypeForbidden, "customer_service"},
			{"complete by another technician", complete(tech2), ErrTypeForbidden, "technician"},
		}, complete(tech)},
		{6, []refusal{
			{"visit before confirmation", visit(5), ErrTypeInvalidState, "completed"},
			{"confirm by technician", with(confirm(true), func(a *TicketAction) { a.ActorID, a.ActorRole = tech, models.RoleTechnician }), ErrTypeForbidden, "technician"},
			{"hold when completed", with(tech5(ActHold), func(a *TicketAction) { a.HoldReason = models.HoldWaitingParts }), ErrTypeInvalidState, "completed"},
		}, confirm(true)},
		{7, []refusal{
			{"score 6", visit(6), ErrTypeInvalidInput, "score"},
			{"score 0", visit(0), ErrTypeInvalidInput, "score"},
		}, cancel()},
	}
	var moves []string
	for _, st := range steps {
		when := at(2, 10, st.minute)
		for _, r := range st.refused {
			h.do(when, r.label, r.a)
		}
		label := "move " + st.next.Action
		moves = append(moves, label)
		h.do(when.Add(30*time.Second), label, st.next)
	}
	h.run()
	h.wantOK(moves...)
	for _, st := range steps {
		for _, r := range st.refused {
			h.wantRefused(r.label, r.errType, r.detail)
		}
	}
	// Refused actions leave no trace.
	wantLines(t, "events", h.events(), []string{
		"03-02 10:00 reported >new",
		"03-02 10:01 dispatch new>assigned",
		"03-02 10:02 accept assigned>accepted",
		"03-02 10:03 contact accepted>accepted",
		"03-02 10:04 arrive accepted>in_progress",
		"03-02 10:05 complete in_progress>completed",
		"03-02 10:06 confirm completed>return_visit",
		"03-02 10:07 cancel return_visit>cancelled",
	})
}

func TestSameUpdateIDIsAppliedOnce(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.doID(at(2, 10, 1), "dispatch", "req-1", dispatch(tech))
	h.doID(at(2, 10, 2), "dispatch again", "req-1", dispatch(tech))
	h.do(at(2, 10, 3), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "dispatch again", "cancel")
	wantLines(t, "dispatch events", h.events("dispatch"), []string{"03-02 10:01 dispatch new>assigned"})
	wantLines(t, "assignment messages", h.sendsOf("ticket_assigned"), []string{
		"03-02 10:01 ticket_assigned staff-5", "03-02 10:01 ticket_assigned staff-9",
	})
	for _, r := range h.records {
		if r.Event.Type == "dispatch" && r.Event.Detail["update_id"] != "req-1" {
			t.Errorf("dispatch event: got update id %q, want req-1", r.Event.Detail["update_id"])
		}
	}
}
