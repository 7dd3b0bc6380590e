package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
)

// arrivedLate: the ticket reported at 02:00 on day 2 is dispatched and
// accepted; nobody records the contact; the technician arrives late at
// 05:00 and completes at 05:30; the resident confirms at 06:00 and gives 5
// at the return visit at 07:00.
func arrivedLate(h *harness) {
	h.do(at(2, 2, 1), "dispatch", dispatch(tech))
	h.do(at(2, 2, 3), "accept", act(ActAccept, tech, models.RoleTechnician))
	// Nobody records the contact; the technician arrives late at 05:00.
	h.do(at(2, 5, 0), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 5, 30), "complete", complete(tech))
	h.do(at(2, 6, 0), "confirm", confirm(true))
	h.do(at(2, 7, 0), "visit", visit(5))
}

// TestCriticalAt2AMBeforeOneLadderClimbsPerMilestone: an execution started
// before changeOneLadder climbs one chain per deadline, as it did (the
// recorded ticket_critical_repair histories replay it too).
func TestCriticalAt2AMBeforeOneLadderClimbsPerMilestone(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
	h.env.OnGetVersion(changeOneLadder, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	arrivedLate(h)
	var mid TicketView
	h.query(at(2, 2, 36), &mid)
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete", "confirm", "visit")

	wantLines(t, "events", h.events(), []string{
		"03-02 02:00 reported >new",
		"03-02 02:01 dispatch new>assigned",
		"03-02 02:03 accept assigned>accepted",
		"03-02 02:04 warning accepted>accepted contact L [5]",
		"03-02 02:05 escalation accepted>accepted contact L1 [9,21]",
		"03-02 02:08 warning accepted>accepted on_site L [5]",
		"03-02 02:10 escalation accepted>accepted on_site L1 [9,21]",
		"03-02 02:35 escalation accepted>accepted contact L2 [9,31]",
		"03-02 02:40 escalation accepted>accepted on_site L2 [9,31]",
		"03-02 04:35 escalation accepted>accepted contact L3 [9,41]",
		"03-02 04:40 escalation accepted>accepted on_site L3 [9,41]",
		// Arriving meets contact and on_site: their escalation stops.
		"03-02 05:00 arrive accepted>in_progress",
		"03-02 05:12 warning in_progress>in_progress complete L [5]",
		"03-02 05:30 complete in_progress>completed",
		"03-02 06:00 confirm completed>return_visit",
		"03-02 07:00 return_visit return_visit>closed",
	})
	wantLines(t, "escalation messages", h.sendsOf("escalation", "sla_warning"), []string{
		"03-02 02:04 sla_warning staff-5",
		"03-02 02:05 escalation staff-9", "03-02 02:05 escalation staff-21",
		"03-02 02:08 sla_warning staff-5",
		"03-02 02:10 escalation staff-9", "03-02 02:10 escalation staff-21",
		"03-02 02:35 escalation staff-9", "03-02 02:35 escalation staff-31",
		"03-02 02:40 escalation staff-9", "03-02 02:40 escalation staff-31",
		"03-02 04:35 escalation staff-9", "03-02 04:35 escalation staff-41",
		"03-02 04:40 escalation staff-9", "03-02 04:40 escalation staff-41",
		"03-02 05:12 sla_warning staff-5",
	})
	// Quiet hours (21:30-08:00): the resident hears from us at 08:00.
	wantLines(t, "resident messages", h.sendsOf("ticket_received", "technician_on_way", "ticket_done_confirm"), []string{
		"03-02 08:00 ticket_received resident-3",
		"03-02 08:00 technician_on_way resident-3",
		"03-02 08:00 ticket_done_confirm resident-3",
	})
	wantLines(t, "first receiver kept informed", h.sendsOf("ticket_assigned", "return_visit_due", "ticket_closed"), []string{
		"03-02 02:01 ticket_assigned staff-5", "03-02 02:01 ticket_assigned staff-9",
		"03-02 06:00 return_visit_due staff-9",
		"03-02 07:00 ticket_closed staff-9", "03-02 07:00 ticket_closed staff-5",
	})
	keys := map[string]bool{}
	for _, s := range h.sends {
		keys[s.In.Key] = true
	}
	for _, k := range []string{"ticket-12/escalate/contact/2/staff-31", "ticket-12/escalate/on_site/3/staff-9", "ticket-12/warn/on_site/staff-5"} {
		if !keys[k] {
			t.Errorf("message key %q: got none, want one", k)
		}
	}
	if len(keys) != len(h.sends) {
		t.Errorf("message keys: got %d distinct for %d messages, want one each", len(keys), len(h.sends))
	}
	if mid.EscalationLevel != 2 || mid.NextTimer != "escalate on_site 2" || !mid.NextTimerAt.Equal(at(2, 2, 40)) {
		t.Errorf("state at 02:36: got level %d, next %q at %v, want level 2, escalate on_site 2 at 02:40",
			mid.EscalationLevel, mid.NextTimer, mid.NextTimerAt)
	}
	if d := mid.Deadlines[1]; d.Milestone != models.MilestoneOnSite || d.Left != -26*time.Minute || d.Done {
		t.Errorf("on_site at 02:36: got %+v, want 26 minutes overdue", d)
	}
	if res.Status != models.StatusClosed || res.EscalationLevel != 3 || res.Score != 5 {
		t.Errorf("result: got %+v, want closed at escalation level 3 with score 5", res)
	}
	if p := h.last().Progress; p.EscalationLevel != 3 || p.ClosedAt == nil || *p.Score != 5 || p.ChargeFen != 3500 {
		t.Errorf("read model: got %+v", p)
	}
}

func TestDeadlinesPerTier(t *testing.T) {
	appt := at(3, 14, 0)
	tests := []struct {
		name        string
		urgency     models.Urgency
		reported    time.Time
		appointment *time.Time
		want        [3]time.Time // contact, on_site, complete
		wantNext    string
		wantNextAt  time.Time
	}{
		{"critical at 02:00", models.UrgencyCritical, at(2, 2, 0), nil,
			[3]time.Time{at(2, 2, 5), at(2, 2, 10), at(2, 6, 0)}, "warn contact", at(2, 2, 4)},
		{"urgent", models.UrgencyUrgent, at(2, 10, 0), nil,
			[3]time.Time{at(2, 10, 5), at(2, 10, 15), at(2, 18, 0)}, "warn contact", at(2, 10, 4)},
		{"normal after service hours (Wednesday 22:00)", models.UrgencyNormal, at(4, 22, 0), nil,
			[3]time.Time{at(4, 22, 30), at(5, 12, 0), at(7, 22, 0)}, "warn contact", at(4, 22, 24)},
		{"normal Saturday after the cutoff: Monday noon", models.UrgencyNormal, at(7, 16, 30), nil,
			[3]time.Time{at(7, 17, 0), at(9, 12, 0), at(10, 16, 30)}, "warn contact", at(7, 16, 54)},
		{"normal with an appointment", models.UrgencyNormal, at(2, 10, 0), &appt,
			[3]time.Time{at(2, 10, 30), appt, at(6, 14, 0)}, "warn contact", at(2, 10, 24)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ticketInput(models.TicketRepair, tt.urgency, tt.reported)
			in.Appointment = tt.appointment
			h := newHarness(t, in)
			var v TicketView
			h.query(tt.reported.Add(time.Second), &v)
			h.do(tt.reported.Add(time.Minute), "cancel", cancel())
			res := h.run()
			h.wantOK("cancel")
			if len(v.Deadlines) != 3 {
				t.Fatalf("deadlines: got %+v, want 3", v.Deadlines)
			}
			for i, d := range v.Deadlines {
				if !d.Due.Equal(tt.want[i]) || d.Left != tt.want[i].Sub(tt.reported.Add(time.Second)) {
					t.Errorf("%s: got due %s left %s, want %s", d.Milestone, d.Due.In(shanghai), d.Left, tt.want[i])
				}
			}
			if v.NextTimer != tt.wantNext || !v.NextTimerAt.Equal(tt.wantNextAt) {
				t.Errorf("next timer: got %q at %v, want %q at %s", v.NextTimer, v.NextTimerAt, tt.wantNext, tt.wantNextAt)
			}
			if v.Status != models.StatusNew || v.FirstReceiverID != receiver {
				t.Errorf("state: got %s, first receiver %d", v.Status, v.FirstReceiverID)
			}
			if res.Status != models.StatusCancelled {
				t.Errorf("result: got %s, want cancelled", res.Status)
			}
			first := h.records[0].Progress
			if first.NextDueKind != models.MilestoneContact || !first.NextDueAt.Equal(tt.want[0]) || !first.WarnAt.Equal(tt.wantNextAt) {
				t.Errorf("read model: got next due %s at %v warn %v", first.NextDueKind, first.NextDueAt, first.WarnAt)
			}
		})
	}
}

func TestHoldStopsTheClocks(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 3), "contact", act(ActContact, tech, models.RoleTechnician))
	hold := act(ActHold, tech, models.RoleTechnician)
	hold.HoldReason = models.HoldWaitingParts
	h.do(at(2, 10, 4), "hold", hold)
	h.do(at(2, 10, 5), "arrive on hold", act(ActArrive, tech, models.RoleTechnician))
	var during, after TicketView
	h.query(at(2, 10, 30), &during)
	h.do(at(2, 11, 4), "resume", act(ActResume, tech, models.RoleTechnician))
	h.query(at(2, 11, 5), &after)
	h.do(at(2, 11, 20), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 12, 0), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "accept", "contact", "hold", "resume", "arrive", "cancel")
	h.wantRefused("arrive on hold", ErrTypeInvalidState, "on_hold")

	if during.Status != models.StatusOnHold || during.HeldFor != 26*time.Minute || during.NextTimer != "" ||
		during.HoldReason != models.HoldWaitingParts || !during.OnHoldSince.Equal(at(2, 10, 4)) {
		t.Errorf("during the hold: got %+v", during)
	}
	if d := during.Deadlines[1]; d.Left != 11*time.Minute {
		t.Errorf("on_site left during the hold: got %s, want 11m (frozen)", d.Left)
	}
	want := []time.Time{at(2, 10, 5), at(2, 11, 15), at(2, 19, 0)}
	for i, d := range after.Deadlines {
		if !d.Due.Equal(want[i]) {
			t.Errorf("%s after the hold: got %s, want %s", d.Milestone, d.Due.In(shanghai), want[i])
		}
	}
	if after.Status != models.StatusAccepted || after.HeldFor != time.Hour || after.OnHoldSince != nil {
		t.Errorf("after the hold: got %s held %s since %v", after.Status, after.HeldFor, after.OnHoldSince)
	}
	// The on-site warning (10:12) and breach (10:15) move by exactly the hour.
	wantLines(t, "clock events", h.events("warning", "escalation", "hold", "resume"), []string{
		"03-02 10:04 hold accepted>on_hold",
		"03-02 11:04 resume on_hold>accepted",
		"03-02 11:12 warning accepted>accepted on_site L [5]",
		"03-02 11:15 escalation accepted>accepted on_site L1 [9,21]",
	})
	if p := h.last().Progress; p.HeldSeconds != 3600 {
		t.Errorf("held seconds: got %d, want 3600", p.HeldSeconds)
	}
	for _, r := range h.records {
		if r.Event.Type == "hold" && (r.Progress.NextDueAt != nil || r.Progress.OnHoldSince == nil) {
			t.Errorf("read model on hold: got next due %v, on hold since %v, want none and 10:04", r.Progress.NextDueAt, r.Progress.OnHoldSince)
		}
	}
}

func TestTransferKeepsTheFirstReceiver(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
	h.do(at(2, 10, 1), "dispatch", dispatch(tech))
	h.do(at(2, 10, 2), "accept", act(ActAccept, tech, models.RoleTechnician))
	tr := act(ActTransfer, supervisor, models.RoleSupervisor)
	tr.AssigneeID, tr.Reason = tech2, "王师傅请假"
	h.do(at(2, 10, 3), "transfer", tr)
	h.do(at(2, 10, 4), "old accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 10, 5), "new accept", act(ActAccept, tech2, models.RoleTechnician))
	var v TicketView
	h.query(at(2, 10, 6), &v)
	h.do(at(2, 10, 10), "cancel", cancel())
	h.run()
	h.wantOK("dispatch", "accept", "transfer", "new accept", "cancel")
	h.wantRefused("old accept", ErrTypeForbidden, "technician")
	if v.AssigneeID != tech2 || v.FirstReceiverID != receiver || v.Status != models.StatusAccepted {
		t.Errorf("after transfer: got assignee %d, first receiver %d, %s; want %d, %d, accepted", v.AssigneeID, v.FirstReceiverID, v.Status, tech2, receiver)
	}
	wantLines(t, "assignment messages", h.sendsOf("ticket_assigned", "ticket_closed"), []string{
		"03-02 10:01 ticket_assigned staff-5", "03-02 10:01 ticket_assigned staff-9",
		"03-02 10:03 ticket_assigned staff-6", "03-02 10:03 ticket_assigned staff-9",
		"03-02 10:10 ticket_closed staff-9", "03-02 10:10 ticket_closed staff-6",
	})
	wantLines(t, "events", h.events("transfer", "cancel"), []string{
		"03-02 10:03 transfer accepted>assigned",
		"03-02 10:10 cancel accepted>cancelled",
	})
}

func TestNewTicketInput(t *testing.T) {
	hh, res, parent := uint64(4), uint64(3), uint64(8)
	appt := at(3, 14, 0)
	tk := models.Ticket{ID: 12, EstateID: 1, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
		HouseholdID: &hh, ResidentID: &res, ParentTicketID: &parent, Appointment: &appt, ReportedAt: at(2, 10, 0), FirstReceiverID: receiver}
	got := NewTicketInput(tk, models.DefaultPolicy(), "")
	if got.TicketID != 12 || got.HouseholdID != 4 || got.ResidentID != 3 || got.ParentTicketID != 8 ||
		!got.Appointment.Equal(appt) || got.TimeZone != "Asia/Shanghai" || got.FirstReceiverID != receiver {
		t.Errorf("got %+v", got)
	}
	if TicketWorkflowID(12) != "ticket-12" {
		t.Errorf("workflow id: got %q, want ticket-12", TicketWorkflowID(12))
	}
}
