package models_test

import (
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestStandingOf(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := models.Date{Year: 2026, Month: 12, Day: 6}
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, shanghai)
	due := func(y int, m time.Month, d int) models.Account {
		return models.Account{OldestUnpaidDue: &models.Date{Year: y, Month: m, Day: d}}
	}
	date := func(m time.Month, d int) *models.Date { return &models.Date{Year: 2026, Month: m, Day: d} }
	tests := []struct {
		name        string
		acc         models.Account
		proc        *models.CaseFacts
		wantDays    int
		wantStage   models.CaseStage
		wantFrom    *models.Date
		wantBasisOf models.LadderBasis
	}{
		{"nothing owed", models.Account{}, nil, 0, "", nil, ""},
		{"not yet due: reminding is true", due(2026, 12, 10),
			&models.CaseFacts{Stage: models.StageReminding, AsOf: now}, 0, models.StageReminding, nil, ""},
		{"due today: not overdue", due(2026, 12, 6),
			&models.CaseFacts{Stage: models.StageReminding, AsOf: now}, 0, models.StageReminding, nil, ""},
		// Imported today 87 days overdue: the process still reminds, the
		// ladder counts from today.
		{"imported 87 days overdue", due(2026, 9, 10),
			&models.CaseFacts{Stage: models.StageReminding, OverdueFor: 2 * time.Hour, AsOf: now}, 87, models.StageOverdue, date(12, 6), models.LadderFromImport},
		{"overdue since the due date", due(2026, 11, 10),
			&models.CaseFacts{Stage: models.StageDunning, OverdueFor: 25*24*time.Hour + 10*time.Hour, AsOf: now}, 26, models.StageDunning, date(11, 11), models.LadderFromDue},
		{"paused time is part of the clock", due(2026, 11, 10),
			&models.CaseFacts{Stage: models.StagePaused, OverdueFor: 15*24*time.Hour + 10*time.Hour, PausedFor: 10 * 24 * time.Hour, AsOf: now}, 26, models.StagePaused, date(11, 11), models.LadderFromDue},
		{"no process", due(2026, 6, 10), nil, 179, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := models.StandingOf(tt.acc, tt.proc, today, shanghai)
			if got.DaysOverdue != tt.wantDays || got.Stage != tt.wantStage || got.LadderBasis != tt.wantBasisOf ||
				(got.LadderFrom == nil) != (tt.wantFrom == nil) || (got.LadderFrom != nil && *got.LadderFrom != *tt.wantFrom) {
				t.Errorf("got %d days, stage %q, ladder from %v (%q); want %d, %q, %v (%q)",
					got.DaysOverdue, got.Stage, got.LadderFrom, got.LadderBasis, tt.wantDays, tt.wantStage, tt.wantFrom, tt.wantBasisOf)
			}
		})
	}
}

func TestIsContact(t *testing.T) {
	tests := []struct {
		give models.CaseEvent
		want bool
	}{
		{models.CaseEvent{Type: "bill"}, false},
		{models.CaseEvent{Type: "payment"}, false},
		{models.CaseEvent{Type: "contact", Channel: models.ChannelSMS, Outcome: "sent"}, true},
		{models.CaseEvent{Type: "step", Channel: models.ChannelPhone, Outcome: "assigned"}, true},
		{models.CaseEvent{Type: "task_outcome", Channel: models.ChannelPhone, Outcome: "reached"}, true},
		{models.CaseEvent{Type: "contact", Channel: models.ChannelEmail, Outcome: "delivered"}, true},
		{models.CaseEvent{Type: "contact_sent", Outcome: "sent"}, false},
		{models.CaseEvent{Type: "contact_failed", Outcome: "failed"}, false},
		{models.CaseEvent{Type: "step", Channel: models.ChannelSMS, Outcome: "queued"}, false},
		{models.CaseEvent{Type: "contact", Channel: models.ChannelSMS, Outcome: "failed"}, false},
		{models.CaseEvent{Type: "contact", Channel: models.ChannelSMS, Outcome: "no_resident"}, false},
		{models.CaseEvent{Type: "step", Channel: models.ChannelPhone, Outcome: "unassigned"}, false},
	}
	for _, tt := range tests {
		if got := models.IsContact(tt.give); got != tt.want {
			t.Errorf("%s %s: got %v, want %v", tt.give.Type, tt.give.Outcome, got, tt.want)
		}
	}
}

func TestCountsForCollection(t *testing.T) {
	today := models.Date{Year: 2026, Month: 12, Day: 6}
	tests := []struct {
		give models.Date
		want bool
	}{
		{models.Date{Year: 2026, Month: 12, Day: 10}, false}, // November's bills, due on the 10th
		{models.Date{Year: 2026, Month: 12, Day: 6}, true},
		{models.Date{Year: 2026, Month: 11, Day: 10}, true},
	}
	for _, tt := range tests {
		if got := models.CountsForCollection(tt.give, today); got != tt.want {
			t.Errorf("due %s: got %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestShownStage(t *testing.T) {
	tests := []struct {
		stage models.CaseStage
		days  int
		want  models.CaseStage
	}{
		{models.StageReminding, 0, models.StageReminding},
		{models.StageReminding, 87, models.StageOverdue},
		{models.StageDunning, 87, models.StageDunning},
		{models.StagePaused, 3, models.StagePaused},
	}
	for _, tt := range tests {
		if got := models.ShownStage(tt.stage, tt.days); got != tt.want {
			t.Errorf("%s, %d days overdue: got %q, want %q", tt.stage, tt.days, got, tt.want)
		}
	}
}
