package models

import "testing"

func TestEnumWant(t *testing.T) {
	for _, c := range []struct {
		e    enum[Urgency]
		want string
	}{
		{enum[Urgency]{}, ""},
		{enum[Urgency]{"a"}, "a"},
		{enum[Urgency]{"a", "b"}, "a 或 b"},
		{urgencies, "critical（特急）、urgent（紧急）或 normal（一般）"},
	} {
		if got := c.e.want(); got != c.want {
			t.Errorf("%v.want() = %q, want %q", c.e, got, c.want)
		}
	}
}

func TestEnumCheck(t *testing.T) {
	if err := ticketKinds.check("kind", TicketRepair); err != nil {
		t.Errorf("check(repair) = %v, want nil", err)
	}
	err := ticketKinds.check("kind", "garden")
	if err == nil || err.Error() != `kind: “garden”无效，应为 repair（报修）或 complaint（投诉）` {
		t.Errorf("check(garden) = %v", err)
	}
}

func TestLabel(t *testing.T) {
	if got := MilestoneOnSite.Label(); got != "到场" {
		t.Errorf("on_site label = %q", got)
	}
	if got := Milestone("x").Label(); got != "x" {
		t.Errorf("unknown milestone label = %q, want its value", got)
	}
	if got := ActionMessage.Label(); got != "message" {
		t.Errorf("message action label = %q, want its value", got)
	}
}
