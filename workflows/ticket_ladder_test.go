package workflows

import (
	"strings"
	"testing"

	"github.com/wuye/wuye/models"
)

// escalationsPerStaff counts the escalation messages each staff member
// received: "staff-9" → 3.
func escalationsPerStaff(h *harness) map[string]int {
	n := map[string]int{}
	for _, line := range h.sendsOf("escalation") {
		n[line[strings.LastIndex(line, " ")+1:]]++
	}
	return n
}

func wantCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
	}
}

// TestCriticalAt2AMClimbsOneLadder: nobody records the contact of a
// critical ticket nor arrives in time. Its contact breach reaches level 1
// (the supervisor, 21, and the first receiver, 9); the on-site breach five
// minutes later is recorded at level 1 and tells nobody; each next level
// comes its After from when the level before was reached; each level's
// people hear once.
func TestCriticalAt2AMClimbsOneLadder(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
	arrivedLate(h)
	var before, mid TicketView
	h.query(at(2, 2, 9), &before)
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
		"03-02 02:10 breach accepted>accepted on_site L1 []",
		"03-02 02:35 escalation accepted>accepted contact L2 [9,31]",
		"03-02 04:35 escalation accepted>accepted contact L3 [9,41]",
		"03-02 05:00 arrive accepted>in_progress",
		"03-02 05:12 warning in_progress>in_progress complete L [5]",
		"03-02 05:30 complete in_progress>completed",
		"03-02 06:00 confirm completed>return_visit",
		"03-02 07:00 return_visit return_visit>closed",
	})
	wantLines(t, "escalation messages", h.sendsOf("escalation"), []string{
		"03-02 02:05 escalation staff-9", "03-02 02:05 escalation staff-21",
		"03-02 02:35 escalation staff-9", "03-02 02:35 escalation staff-31",
		"03-02 04:35 escalation staff-9", "03-02 04:35 escalation staff-41",
	})
	// The first receiver hears of each level; each level's role once.
	wantCounts(t, "escalations per staff member", escalationsPerStaff(h),
		map[string]int{"staff-9": 3, "staff-21": 1, "staff-31": 1, "staff-41": 1})
	for _, r := range h.records {
		if e := r.Event; e.Type == "breach" && (e.Detail["role"] != string(models.RoleSupervisor) || e.Detail["due"] == "") {
			t.Errorf("breach event: got %v, want the supervisor's level and the deadline", e.Detail)
		}
	}
	if before.EscalationLevel != 1 || before.NextTimer != "breach on_site" || !before.NextTimerAt.Equal(at(2, 2, 10)) {
		t.Errorf("state at 02:09: got level %d, next %q at %v, want level 1, breach on_site at 02:10",
			before.EscalationLevel, before.NextTimer, before.NextTimerAt)
	}
	if mid.EscalationLevel != 2 || mid.NextTimer != "escalate contact 3" || !mid.NextTimerAt.Equal(at(2, 4, 35)) {
		t.Errorf("state at 02:36: got level %d, next %q at %v, want level 2, escalate contact 3 at 04:35",
			mid.EscalationLevel, mid.NextTimer, mid.NextTimerAt)
	}
	if d := mid.Deadlines[1]; d.Milestone != models.MilestoneOnSite || d.Level != 1 || d.Done {
		t.Errorf("on_site at 02:36: got %+v, want breached at level 1", d)
	}
	if res.EscalationLevel != 3 {
		t.Errorf("result: got level %d, want 3", res.EscalationLevel)
	}
	if p := h.last().Progress; p.EscalationLevel != 3 {
		t.Errorf("read model: got escalation level %d, want 3", p.EscalationLevel)
	}
}

// TestLadderEscalatesOnlyTheMilestonesOfThePolicy: with only on_site and
// complete escalating, the contact breach at 02:05 tells nobody; the
// on-site breach at 02:10 starts the ladder, so level 2 comes 30 minutes
// later, at 02:40, and level 3 two hours after that.
func TestLadderEscalatesOnlyTheMilestonesOfThePolicy(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0))
	in.Policy.Repair.EscalateMilestones = []models.Milestone{models.MilestoneOnSite, models.MilestoneComplete}
	h := newHarness(t, in)
	h.do(at(2, 2, 1), "dispatch", dispatch(tech))
	h.do(at(2, 2, 3), "accept", act(ActAccept, tech, models.RoleTechnician))
	h.do(at(2, 2, 7), "contact", act(ActContact, tech, models.RoleTechnician))
	h.do(at(2, 5, 0), "arrive", act(ActArrive, tech, models.RoleTechnician))
	h.do(at(2, 5, 30), "cancel", cancel())
	var early TicketView
	h.query(at(2, 2, 6), &early)
	h.run()
	h.wantOK("dispatch", "accept", "contact", "arrive", "cancel")

	wantLines(t, "escalations", h.events("escalation", "breach"), []string{
		"03-02 02:10 escalation accepted>accepted on_site L1 [9,21]",
		"03-02 02:40 escalation accepted>accepted on_site L2 [9,31]",
		"03-02 04:40 escalation accepted>accepted on_site L3 [9,41]",
	})
	wantCounts(t, "escalations per staff member", escalationsPerStaff(h),
		map[string]int{"staff-9": 3, "staff-21": 1, "staff-31": 1, "staff-41": 1})
	if early.EscalationLevel != 0 {
		t.Errorf("state at 02:06: got level %d, want 0: contact does not escalate", early.EscalationLevel)
	}
}

// TestReopenJoinsTheLadder: the second rejection, past MaxReopens (1),
// reaches level 1 at 14:00; the rework's deadline, breached at 22:00 with
// level 2 long due and no breach open to climb to it, reaches level 2,
// and level 3 comes two hours later.
func TestReopenJoinsTheLadder(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0))
	in.Policy.Repair.MaxReopens = 1
	h := newHarness(t, in)
	rejectedTwice(h)
	h.do(at(3, 1, 0), "complete 3", complete(tech))
	h.do(at(3, 2, 0), "confirm", confirm(true))
	h.do(at(3, 3, 0), "visit", visit(4))
	res := h.run()
	h.wantOK("dispatch", "accept", "arrive", "complete 1", "reject 1", "complete 2", "reject 2", "complete 3", "confirm", "visit")

	wantLines(t, "escalations", h.events("escalation", "breach"), []string{
		"03-02 14:00 escalation in_progress>in_progress reopen-2 L1 [9,21]",
		"03-02 22:00 escalation in_progress>in_progress complete-r2 L2 [9,31]",
		"03-03 00:00 escalation in_progress>in_progress complete-r2 L3 [9,41]",
	})
	wantCounts(t, "escalations per staff member", escalationsPerStaff(h),
		map[string]int{"staff-9": 3, "staff-21": 1, "staff-31": 1, "staff-41": 1})
	if res.EscalationLevel != 3 || h.last().Progress.EscalationLevel != 3 {
		t.Errorf("level: got %d, read model %d, want 3", res.EscalationLevel, h.last().Progress.EscalationLevel)
	}
}
