package models_test

import (
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

func TestAssignmentDeadline(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	done := at(9, 0)
	dl := func(m models.Milestone, due time.Time, met bool) models.TicketDeadline {
		d := models.TicketDeadline{Milestone: m, Due: due}
		if met {
			d.DoneAt = &done
		}
		return d
	}
	tests := []struct {
		name   string
		kind   models.TicketKind
		give   []models.TicketDeadline
		want   models.Milestone
		wantAt time.Time
	}{
		{"new repair: on site, not the nearer contact", models.TicketRepair, []models.TicketDeadline{
			dl(models.MilestoneContact, at(10, 5), false), dl(models.MilestoneOnSite, at(10, 15), false), dl(models.MilestoneComplete, at(14, 0), false),
		}, models.MilestoneOnSite, at(10, 15)},
		{"repair already on site: completion", models.TicketRepair, []models.TicketDeadline{
			dl(models.MilestoneContact, at(10, 5), true), dl(models.MilestoneOnSite, at(10, 15), true), dl(models.MilestoneComplete, at(14, 0), false),
		}, models.MilestoneComplete, at(14, 0)},
		{"rework: the latest completion deadline", models.TicketRepair, []models.TicketDeadline{
			dl(models.MilestoneOnSite, at(10, 15), true), dl(models.MilestoneComplete, at(14, 0), true), dl(models.MilestoneComplete, at(18, 0), false),
		}, models.MilestoneComplete, at(18, 0)},
		{"complaint: the nearest pending step", models.TicketComplaint, []models.TicketDeadline{
			dl(models.MilestoneAcknowledge, at(10, 0), true), dl(models.MilestoneResolve, at(20, 0), false), dl(models.MilestoneAnswer, at(12, 0), false),
		}, models.MilestoneAnswer, at(12, 0)},
		{"nothing pending", models.TicketRepair, []models.TicketDeadline{
			dl(models.MilestoneContact, at(10, 5), false), dl(models.MilestoneComplete, at(14, 0), true),
		}, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := models.AssignmentDeadline(tt.kind, tt.give)
			if ok != (tt.want != "") || got.Milestone != tt.want || !got.Due.Equal(tt.wantAt) {
				t.Errorf("got %s at %v (%v), want %q at %v", got.Milestone, got.Due, ok, tt.want, tt.wantAt)
			}
		})
	}
}
