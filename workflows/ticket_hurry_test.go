package workflows

import (
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// TestResidentHurries: the resident's 催单 is refused while the ticket is
// within its deadlines, accepted once one has passed, telling the assignee
// and the escalation level reached by then, refused again within the
// policy's interval (30 minutes by default) and while the clocks stand
// still; staff cannot press it.
func TestResidentHurries(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	hurry := act(ActHurry, resident, ResidentLinkRole)
	hold := act(ActHold, tech, models.RoleTechnician)
	hold.HoldReason = models.HoldWaitingParts
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 3), "within the deadlines", hurry)
	// Contact was due at 10:05 (level 1, the supervisor, at once).
	h.do(at(2, 10, 6), "first", hurry)
	h.do(at(2, 10, 20), "too soon", hurry)
	h.do(at(2, 10, 21), "by staff", act(ActHurry, receiver, models.RoleCustomerService))
	h.do(at(2, 10, 22), "another resident", act(ActHurry, resident+1, ResidentLinkRole))
	var between TicketView
	h.query(at(2, 10, 23), &between)
	// Level 2, the estate manager, from 10:35.
	h.do(at(2, 10, 40), "second", hurry)
	h.do(at(2, 10, 45), "hold", hold)
	h.do(at(2, 11, 30), "on hold", hurry)
	h.do(at(2, 11, 40), "cancel", cancel())
	h.run()

	h.wantOK("dispatch", "accept", "first", "second", "hold", "cancel")
	h.wantRefused("within the deadlines", ErrTypeInvalidState, string(models.StatusAccepted))
	h.wantRefused("too soon", ErrTypeInvalidState, string(models.StatusAccepted))
	h.wantRefused("by staff", ErrTypeInvalidInput, "action")
	h.wantRefused("another resident", ErrTypeForbidden, string(ResidentLinkRole))
	h.wantRefused("on hold", ErrTypeInvalidState, string(models.StatusOnHold))

	wantLines(t, "hurry messages", h.sendsOf(notify.TemplateTicketHurried), []string{
		"03-02 10:06 ticket_hurried staff-5", "03-02 10:06 ticket_hurried staff-21",
		"03-02 10:40 ticket_hurried staff-5", "03-02 10:40 ticket_hurried staff-31",
	})
	wantLines(t, "hurry events", h.events(ActHurry), []string{
		"03-02 10:06 hurry accepted>accepted", "03-02 10:40 hurry accepted>accepted",
	})
	for _, r := range h.records {
		if e := r.Event; e.Type == ActHurry && (e.ActorID != nil || e.Detail["by"] != string(ResidentLinkRole) || e.Detail["milestone"] != "contact") {
			t.Errorf("hurry event: got actor %v, detail %v, want the resident about contact", e.ActorID, e.Detail)
		}
	}
	for _, s := range h.sends {
		if s.In.Template == notify.TemplateTicketHurried && (s.In.Params["stage"] != models.MilestoneContact.Label() || s.In.Params["count"] == "") {
			t.Errorf("hurry message: got params %v, want the contact stage and the count", s.In.Params)
		}
	}
	if between.Hurries != 1 || between.HurriedAt == nil || !between.HurriedAt.Equal(at(2, 10, 6)) ||
		between.HurryFrom == nil || !between.HurryFrom.Equal(at(2, 10, 6).Add(30*time.Minute)) {
		t.Errorf("state after the first: got %d hurries, last %v, again from %v; want 1 at 10:06, again from 10:36",
			between.Hurries, between.HurriedAt, between.HurryFrom)
	}
}

// TestHurryIntervalFromThePolicy: an estate's own interval applies.
func TestHurryIntervalFromThePolicy(t *testing.T) {
	in := ticketInput(models.TicketComplaint, models.UrgencyNormal, at(2, 10, 0))
	in.Policy.Repair.HurryInterval = models.Duration(2 * time.Hour)
	h := newHarness(t, in)
	hurry := act(ActHurry, resident, ResidentLinkRole)
	// The complaint's acknowledgement was due at 10:30.
	h.do(at(2, 10, 31), "first", hurry)
	h.do(at(2, 12, 0), "within two hours", hurry)
	h.do(at(2, 12, 32), "after two hours", hurry)
	h.do(at(2, 13, 0), "cancel", cancel())
	h.run()
	h.wantOK("first", "after two hours", "cancel")
	h.wantRefused("within two hours", ErrTypeInvalidState, string(models.StatusNew))
}
