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

// TestDrainAndBurstVsBare: the bare burst's drain runs from the instant to
// the last fire; the ratio needs both rates.
func TestDrainAndBurstVsBare(t *testing.T) {
	due := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	fired := []time.Time{due.Add(2 * time.Second), due.Add(500 * time.Millisecond), due.Add(4 * time.Second), due.Add(time.Second)}
	_, _, maxMs, drainS, rate := drain(fired, due)
	if maxMs != 4000 || drainS != 4 || rate != 1 {
		t.Errorf("drain: got max %v ms, %v s, %v/s, want 4000 ms, 4 s, 1/s", maxMs, drainS, rate)
	}
	if v := burstVsBare(&Lateness{DrainRate: 0.8}, &BareBurst{DrainRate: 1}); v == nil || *v != 0.8 {
		t.Errorf("burst vs bare: got %v, want 0.8", v)
	}
	if burstVsBare(&Lateness{DrainRate: 3}, nil) != nil || burstVsBare(nil, &BareBurst{DrainRate: 1}) != nil {
		t.Error("burst vs bare without one of them: want nil (not measured)")
	}
}
