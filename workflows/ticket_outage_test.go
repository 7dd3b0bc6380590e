package workflows

import (
	"testing"

	"github.com/wuye/wuye/models"
)

// TestTicketExplainedByAnOutageDoesNotEscalate: a repair that an outage
// explains (the test environment links ticket outageTicketID to outage 3,
// water) records the link, shows "已知停水" and passes its deadlines
// without climbing the ladder; it closes as any other when cancelled.
func TestTicketExplainedByAnOutageDoesNotEscalate(t *testing.T) {
	in := ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0))
	in.TicketID = outageTicketID
	h := newHarness(t, in)
	var v TicketView
	h.query(at(2, 3, 0), &v)
	h.do(at(2, 6, 0), "cancel", cancel())
	h.run()
	h.wantOK("cancel")
	if v.OutageID != 3 || v.Known != "已知停水" || v.EscalationLevel != 0 {
		t.Errorf("view: got outage %d %q, level %d, want outage 3 已知停水 at level 0", v.OutageID, v.Known, v.EscalationLevel)
	}
	if got := h.sendsOf("escalation"); len(got) != 0 {
		t.Errorf("escalations: got %v, want none", got)
	}
	if got := h.events("outage_linked"); len(got) != 1 {
		t.Errorf("outage_linked events: got %v, want one", got)
	}
}

// TestTicketNoOutageStillEscalates: the same repair without an outage
// climbs as before.
func TestTicketNoOutageStillEscalates(t *testing.T) {
	h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyCritical, at(2, 2, 0)))
	h.do(at(2, 6, 0), "cancel", cancel())
	h.run()
	if got := h.sendsOf("escalation"); len(got) == 0 {
		t.Errorf("escalations: got none, want the ladder")
	}
	if got := h.events("outage_linked"); len(got) != 0 {
		t.Errorf("outage_linked: got %v, want none", got)
	}
}
