package workflows

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestFollowUpOnTimeVisit(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.do(at(5, 10, 0), "schedule", schedule(at(10, 15, 0)))
	var v FollowUpView
	h.query(at(5, 10, 1), &v)
	h.do(at(10, 16, 0), "record", record(at(10, 15, 30),
		models.VisitItem{Kind: models.ItemSuggestion, Text: "希望增加快递柜"}, models.VisitItem{Kind: models.ItemPraise, Text: "保安很负责"}))
	res := h.run()
	h.wantOK("schedule", "record")

	if v.Status != models.FollowUpScheduled || !v.ScheduledAt.Equal(at(10, 15, 0)) || !v.DueAt.Equal(time.Date(2026, 4, 1, 10, 0, 0, 0, shanghai)) ||
		v.AssigneeID != receiver || v.NextTimer != "appointment" || v.AttemptsLeft != 3 {
		t.Errorf("after scheduling: got %+v", v)
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 10:00 registered >pending",
		"03-05 10:00 schedule pending>scheduled",
		"03-10 15:00 appointment_due scheduled>scheduled",
		"03-10 16:00 record scheduled>completed",
	})
	wantLines(t, "messages", h.sendsOf(), []string{
		"03-02 10:00 followup_reminder staff-9",
		"03-02 10:00 welcome resident-3",
		"03-02 10:00 welcome resident-4",
		"03-10 15:00 followup_reminder staff-9",
	})
	if res.Status != models.FollowUpCompleted || res.EscalationLevel != 0 || !res.ClosedAt.Equal(at(10, 16, 0)) || len(res.TicketIDs) != 0 {
		t.Errorf("result: got %+v, want completed at 03-10 16:00", res)
	}
	if got := h.ended(); !got.Equal(at(10, 16, 0)) {
		t.Errorf("workflow ended at %s, want 03-10 16:00 (no timer left running)", got)
	}
	p := h.last().Progress
	if p.Visit == nil || p.Visit.Satisfaction != 4 || p.Visit.RecordedBy != receiver || len(p.Visit.Items) != 2 || !strings.Contains(p.Summary, "满意度4分") {
		t.Errorf("read model: got visit %+v, summary %q", p.Visit, p.Summary)
	}
	params := h.sends[1].In.Params
	if params["estate"] != "阳光花园" || params["location"] != "3栋201" || params["service_phone"] != "400-800" {
		t.Errorf("welcome params: got %v", params)
	}
}

func TestFollowUpWelcomeWaitsForQuietHours(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 23, 0)), at(2, 23, 0))
	h.do(at(3, 9, 0), "record", record(at(3, 8, 30)))
	h.run()
	h.wantOK("record")
	wantLines(t, "messages", h.sendsOf(), []string{
		"03-02 23:00 followup_reminder staff-9",
		"03-03 08:00 welcome resident-3",
		"03-03 08:00 welcome resident-4",
	})
}

func TestFollowUpRemindersThenEscalation(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	var late FollowUpView
	h.query(time.Date(2026, 4, 1, 11, 0, 0, 0, shanghai), &late)
	h.do(time.Date(2026, 4, 2, 9, 0, 0, 0, shanghai), "record", record(time.Date(2026, 4, 2, 8, 30, 0, 0, shanghai)))
	res := h.run()
	h.wantOK("record")

	wantLines(t, "events", h.events("reminder", "escalation", "record"), []string{
		"03-23 10:00 reminder pending>pending #1 [9]",
		"03-30 10:00 reminder pending>pending #2 [9]",
		"04-01 10:00 escalation pending>pending L1 supervisor [9,21]",
		"04-01 10:30 escalation pending>pending L2 estate_manager [9,31]",
		"04-01 12:30 escalation pending>pending L3 company_admin [9,41]",
		"04-02 09:00 record pending>completed",
	})
	wantLines(t, "staff messages", h.sendsOf("followup_reminder", "followup_overdue"), []string{
		"03-02 10:00 followup_reminder staff-9",
		"03-23 10:00 followup_reminder staff-9",
		"03-30 10:00 followup_reminder staff-9",
		"04-01 10:00 followup_overdue staff-9", "04-01 10:00 followup_overdue staff-21",
		"04-01 10:30 followup_overdue staff-9", "04-01 10:30 followup_overdue staff-31",
		"04-01 12:30 followup_overdue staff-9", "04-01 12:30 followup_overdue staff-41",
	})
	if !late.Overdue || late.EscalationLevel != 2 || late.NextTimer != "escalate 3" {
		t.Errorf("at 04-01 11:00: got overdue %v, level %d, next %q; want overdue at level 2, next escalate 3", late.Overdue, late.EscalationLevel, late.NextTimer)
	}
	if res.Status != models.FollowUpCompleted || res.EscalationLevel != 3 {
		t.Errorf("result: got %+v, want completed after level 3", res)
	}
	for _, r := range h.records {
		if r.Event.Type == "escalation" && strconvLevel(r.Progress.EscalationLevel) != r.Event.Detail["level"] {
			t.Errorf("escalation record: got level %d in the row, %s in the event", r.Progress.EscalationLevel, r.Event.Detail["level"])
		}
	}
}

func TestFollowUpLateRegistrationSkipsPastReminders(t *testing.T) {
	// Moved in 03-02, registered 03-25: the 21-day reminder is already past.
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(25, 10, 0))
	h.do(at(31, 10, 0), "record", record(at(31, 9, 0)))
	h.run()
	h.wantOK("record")
	wantLines(t, "reminders", h.events("reminder"), []string{"03-30 10:00 reminder pending>pending #2 [9]"})
}

func TestFollowUpFailedAttemptsThenSuccess(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.do(at(5, 10, 0), "not home", attempt(models.AttemptNotHome, nil))
	var v FollowUpView
	h.query(at(5, 10, 1), &v)
	next := at(20, 19, 0)
	h.do(at(14, 11, 0), "not reachable", attempt(models.AttemptNotReachable, &next))
	h.do(at(20, 19, 30), "record", record(at(20, 19, 10)))
	res := h.run()
	h.wantOK("not home", "not reachable", "record")

	// 27 days left for 2 more tries: the next is a third of the way, 9 days on.
	if v.Status != models.FollowUpScheduled || !v.ScheduledAt.Equal(at(14, 10, 0)) || v.AttemptsLeft != 2 || len(v.Attempts) != 1 {
		t.Errorf("after the first failure: got %s at %v, %d left, %d attempts; want scheduled 03-14 10:00 with 2 left",
			v.Status, v.ScheduledAt, v.AttemptsLeft, len(v.Attempts))
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 10:00 registered >pending",
		"03-05 10:00 attempt pending>scheduled",
		"03-14 10:00 appointment_due scheduled>scheduled",
		"03-14 11:00 attempt scheduled>scheduled",
		"03-20 19:00 appointment_due scheduled>scheduled",
		"03-20 19:30 record scheduled>completed",
	})
	p := h.last().Progress
	if len(p.Attempts) != 2 || p.Attempts[0].Outcome != models.AttemptNotHome || !p.Attempts[1].NextAt.Equal(next) {
		t.Errorf("attempts: got %+v", p.Attempts)
	}
	if res.Status != models.FollowUpCompleted || res.Attempts != 2 {
		t.Errorf("result: got %+v, want completed after 2 attempts", res)
	}
}

func TestFollowUpUnreachableAfterMaxAttempts(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.do(at(5, 10, 0), "try 1", attempt(models.AttemptNotHome, nil))
	h.do(at(14, 11, 0), "try 2", attempt(models.AttemptNotReachable, nil))
	h.do(at(22, 20, 0), "try 3", attempt(models.AttemptNotHome, nil))
	res := h.run()
	h.wantOK("try 1", "try 2", "try 3")
	if res.Status != models.FollowUpUnreachable || res.Attempts != 3 || !res.ClosedAt.Equal(at(22, 20, 0)) {
		t.Errorf("result: got %+v, want unreachable after 3 attempts at 03-22 20:00", res)
	}
	want := "3次未能回访：03-05 10:00 not_home；03-14 11:00 not_reachable；03-22 20:00 not_home"
	if res.Summary != want {
		t.Errorf("summary: got %q, want %q", res.Summary, want)
	}
	if got := h.ended(); !got.Equal(at(22, 20, 0)) {
		t.Errorf("workflow ended at %s, want at the third attempt", got)
	}
	if e := h.last(); e.Event.ToStatus != string(models.FollowUpUnreachable) || len(e.Progress.Attempts) != 3 || e.Progress.Attempts[2].NextAt != nil {
		t.Errorf("last record: got %+v", e)
	}
}

func TestFollowUpVisitTicketsKeepItOpen(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.closeAfter[101] = 48 * time.Hour
	h.closeAfter[102] = 120 * time.Hour
	h.do(at(10, 10, 0), "record", record(at(10, 9, 0),
		models.VisitItem{Kind: models.ItemRepair, Text: "卫生间地漏返味", Urgency: models.UrgencyUrgent},
		models.VisitItem{Kind: models.ItemSuggestion, Text: "增加快递柜"},
		models.VisitItem{Kind: models.ItemComplaint, Text: "楼上装修噪音", Category: "噪音"}))
	var v FollowUpView
	h.query(at(13, 10, 0), &v)
	h.do(at(13, 10, 0), "schedule after the visit", schedule(at(20, 10, 0)))
	res := h.run()
	h.wantOK("record")
	h.wantRefused("schedule after the visit", ErrTypeInvalidState, "tickets_open")

	if len(h.opened) != 2 {
		t.Fatalf("tickets opened: got %d, want 2", len(h.opened))
	}
	rep, cmp := h.opened[0], h.opened[1]
	if rep.Key != "followup-6/item-1" || rep.Kind != models.TicketRepair || rep.Urgency != models.UrgencyUrgent || rep.Category != "入住回访" ||
		rep.HouseholdID != 4 || rep.ResidentID != resident || rep.ReceiverID != receiver || rep.Channel != models.ReportWalkIn {
		t.Errorf("repair ticket: got %+v", rep)
	}
	if cmp.Key != "followup-6/item-3" || cmp.Kind != models.TicketComplaint || cmp.Urgency != models.UrgencyNormal || cmp.Category != "噪音" {
		t.Errorf("complaint ticket: got %+v", cmp)
	}
	// Started one after the other, but the listener may hear them in either order.
	slices.Sort(h.children)
	wantLines(t, "children", h.children, []string{"ticket-101", "ticket-102"})
	if v.Status != models.FollowUpTicketsOpen || len(v.Tickets) != 2 || !v.Tickets[0].Closed || v.Tickets[1].Closed {
		t.Errorf("at 03-13: got %s with tickets %+v, want tickets_open with 101 closed, 102 open", v.Status, v.Tickets)
	}
	if v.Visit == nil || v.Visit.Items[0].TicketID == nil || *v.Visit.Items[0].TicketID != 101 || v.Visit.Items[1].TicketID != nil {
		t.Errorf("visit items: got %+v, want the repair linked to 101 and the suggestion to none", v.Visit)
	}
	wantLines(t, "events", h.events("record", "ticket_closed", "completed"), []string{
		"03-10 10:00 record pending>tickets_open",
		"03-12 10:00 ticket_closed tickets_open>tickets_open",
		"03-15 10:00 ticket_closed tickets_open>tickets_open",
		"03-15 10:00 completed tickets_open>completed",
	})
	if res.Status != models.FollowUpCompleted || !res.ClosedAt.Equal(at(15, 10, 0)) || len(res.TicketIDs) != 2 {
		t.Errorf("result: got %+v, want completed at 03-15 10:00 with 2 tickets", res)
	}
	if !strings.Contains(res.Summary, "#101(closed)、#102(closed)均已关闭") {
		t.Errorf("summary: got %q", res.Summary)
	}
	if p := h.last().Progress; p.OpenTickets != 0 || len(p.TicketIDs) != 2 {
		t.Errorf("read model: got %d open of %v", p.OpenTickets, p.TicketIDs)
	}
	for _, r := range h.records {
		if r.Event.Type == "record" && (r.Progress.OpenTickets != 2 || r.Event.Detail["ticket_ids"] != "101,102") {
			t.Errorf("record event: got open %d, detail %v", r.Progress.OpenTickets, r.Event.Detail)
		}
	}
}

func TestFollowUpMoveOutCancels(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	h.do(at(5, 10, 0), "schedule", schedule(at(10, 15, 0)))
	out := fuAct(VisitMovedOut, receiver, models.RoleCustomerService)
	out.Reason = "房屋出售"
	h.do(at(8, 9, 0), "moved out", out)
	res := h.run()
	h.wantOK("schedule", "moved out")
	if res.Status != models.FollowUpCancelled || !res.ClosedAt.Equal(at(8, 9, 0)) {
		t.Errorf("result: got %+v, want cancelled at 03-08 09:00", res)
	}
	if got := h.ended(); !got.Equal(at(8, 9, 0)) {
		t.Errorf("workflow ended at %s, want 03-08 09:00: no reminder or appointment after a move-out", got)
	}
	if p := h.last().Progress; p.CancelReason != "moved_out: 房屋出售" || p.ScheduledAt != nil {
		t.Errorf("read model: got reason %q, scheduled %v", p.CancelReason, p.ScheduledAt)
	}
	wantLines(t, "events", h.events(), []string{
		"03-02 10:00 registered >pending",
		"03-05 10:00 schedule pending>scheduled",
		"03-08 09:00 cancelled scheduled>cancelled",
	})
}

func TestFollowUpRefusals(t *testing.T) {
	h := newFUHarness(t, followUpInput(at(2, 10, 0)), at(2, 10, 0))
	tech := schedule(at(10, 10, 0))
	tech.ActorID, tech.ActorRole = 5, models.RoleTechnician
	h.do(at(3, 10, 0), "technician schedules", tech)
	h.do(at(3, 10, 0), "schedule in the past", schedule(at(3, 9, 0)))
	h.do(at(3, 10, 0), "schedule past the window", schedule(time.Date(2026, 4, 2, 10, 0, 0, 0, shanghai)))
	h.do(at(3, 10, 0), "attempt without outcome", attempt("", nil))
	bad := record(at(3, 9, 0), models.VisitItem{Kind: "gossip", Text: "?"})
	h.do(at(3, 10, 0), "record a bad item", bad)
	unhappy := record(at(3, 9, 0))
	unhappy.Visit.Satisfaction = 0
	h.do(at(3, 10, 0), "record without satisfaction", unhappy)
	early := record(at(1, 9, 0))
	h.do(at(3, 10, 0), "record before the move-in", early)
	cancel := fuAct(VisitCancel, receiver, models.RoleCustomerService)
	cancel.Reason = "业主拒绝"
	h.do(at(3, 10, 0), "desk cancels", cancel)
	other := fuAct(VisitReassign, 10, models.RoleCustomerService)
	other.AssigneeID = 10
	h.do(at(3, 10, 0), "another desk member takes it", other)
	reassign := fuAct(VisitReassign, supervisor, models.RoleSupervisor)
	reassign.AssigneeID, reassign.Reason = 10, "休假"
	h.do(at(3, 11, 0), "supervisor reassigns", reassign)
	cancel.ActorID, cancel.ActorRole = supervisor, models.RoleSupervisor
	h.do(at(24, 10, 0), "supervisor cancels", cancel)
	res := h.run()

	h.wantRefused("technician schedules", ErrTypeForbidden, "technician")
	h.wantRefused("schedule in the past", ErrTypeInvalidInput, "at")
	h.wantRefused("schedule past the window", ErrTypeInvalidInput, "at")
	h.wantRefused("attempt without outcome", ErrTypeInvalidInput, "outcome")
	h.wantRefused("record a bad item", ErrTypeInvalidInput, "visit.items[0].kind")
	h.wantRefused("record without satisfaction", ErrTypeInvalidInput, "visit.satisfaction")
	h.wantRefused("record before the move-in", ErrTypeInvalidInput, "visit.visited_at")
	h.wantRefused("desk cancels", ErrTypeForbidden, "customer_service")
	h.wantRefused("another desk member takes it", ErrTypeForbidden, "customer_service")
	h.wantOK("supervisor reassigns", "supervisor cancels")
	// The new assignee is told at once and gets the reminder.
	wantLines(t, "reminders", h.sendsOf("followup_reminder"), []string{
		"03-02 10:00 followup_reminder staff-9",
		"03-03 11:00 followup_reminder staff-10",
		"03-23 10:00 followup_reminder staff-10",
	})
	if res.Status != models.FollowUpCancelled || h.last().Progress.CancelReason != "业主拒绝" {
		t.Errorf("result: got %+v, want cancelled with the reason", res)
	}
	if len(h.records) != 4 {
		t.Errorf("records: got %d (%v), want 4: refused actions write nothing", len(h.records), h.events())
	}
}

func strconvLevel(n int) string { return strconv.Itoa(n) }
