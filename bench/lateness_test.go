package main

import (
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// TestFirstPerTicket: one escalation counts per ticket, its first; a
// ticket's later escalations do not make up for another ticket's missing
// one.
func TestFirstPerTicket(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	evs := []models.CaseEvent{
		{ID: 3, CaseID: 1, At: t0.Add(2 * time.Second)},
		{ID: 1, CaseID: 1, At: t0.Add(time.Second)},
		{ID: 5, CaseID: 2, At: t0.Add(time.Second)},
		{ID: 4, CaseID: 2, At: t0.Add(time.Second)},
		{ID: 6, CaseID: 1, At: t0.Add(3 * time.Second)},
	}
	got := firstPerTicket(evs)
	if len(got) != 2 || got[0].ID != 1 || got[1].ID != 4 {
		t.Fatalf("got %+v, want ticket 1's event 1 and ticket 2's event 4", got)
	}
}
