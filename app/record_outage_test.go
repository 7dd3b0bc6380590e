package app

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// outageRecord is what the recordings read of an outage's detail.
type outageRecord struct {
	Outage struct {
		ID     uint64              `json:"id"`
		Status models.OutageStatus `json:"status"`
	} `json:"outage"`
	Events []models.CaseEvent `json:"events"`
}

func hasEventType(evs []models.CaseEvent, typ string) bool {
	return slices.ContainsFunc(evs, func(e models.CaseEvent) bool { return e.Type == typ })
}

// recordOutageRestoredV1: a manager declares an emergency water outage of
// 1栋 starting now; it is announced and starts; a water repair from 1栋 is
// linked to it ("outage-link", ticket version 1) and does not escalate; a
// technician records the restoration and a supervisor answers the linked
// ticket. The outage's and the ticket's histories are kept.
func recordOutageRestoredV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-OUTAGE", recordingPolicy)
	desk := r.as[models.RoleCustomerService]
	id := r.emergencyOutage(2 * time.Hour)
	path := fmt.Sprintf("/api/v1/outages/%d", id)
	var d outageRecord
	waitFor(t, 30*time.Second, "the outage announced and on", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return hasEventType(d.Events, "announced") && d.Outage.Status == models.OutageOngoing
	})
	var tk idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": r.estateID, "kind": "repair", "urgency": "urgent",
		"category": "水", "description": "家里没水了", "channel": "phone", "household_id": r.house, "resident_id": r.resident}, &tk, http.StatusCreated)
	waitFor(t, 30*time.Second, "the ticket linked to the outage", func() bool {
		var linked []struct {
			ID uint64 `json:"id"`
		}
		desk.mustCall(http.MethodGet, path+"/tickets", nil, &linked, http.StatusOK)
		return len(linked) == 1 && linked[0].ID == tk.ID
	})
	r.as[models.RoleTechnician].mustCall(http.MethodPost, path+"/actions/restore", map[string]any{"note": "已抢修完毕"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the restoration told", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Outage.Status == models.OutageRestored && hasEventType(d.Events, "told")
	})
	var ans struct {
		Answered []uint64 `json:"answered"`
	}
	r.as[models.RoleSupervisor].mustCall(http.MethodPost, path+"/answer-tickets", map[string]any{}, &ans, http.StatusOK)
	if len(ans.Answered) != 1 {
		t.Fatalf("answered: got %v, want the linked ticket", ans.Answered)
	}
	var td ticketDetail
	waitFor(t, 30*time.Second, "the linked ticket closed", func() bool {
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil, &td, http.StatusOK)
		return td.Ticket.Status == models.StatusCancelled
	})
	return []string{workflows.OutageWorkflowID(id), workflows.TicketWorkflowID(tk.ID)}
}

// recordNoticeWithdrawn: a notice published at once to the estate, sent,
// then withdrawn by a supervisor.
func recordNoticeWithdrawn(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-NOTICE", recordingPolicy)
	desk := r.as[models.RoleCustomerService]
	var created struct {
		Notice struct {
			ID uint64 `json:"id"`
		} `json:"notice"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/notices", map[string]any{"estate_id": r.estateID, "title": "电梯年检", "body": "本周三电梯年检，请走楼梯。",
		"expires_at": time.Now().Add(24 * time.Hour)}, &created, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/notices/%d", created.Notice.ID)
	var d struct {
		Notice struct {
			Status models.NoticeStatus `json:"status"`
		} `json:"notice"`
		Events []models.CaseEvent `json:"events"`
	}
	waitFor(t, 30*time.Second, "the notice sent", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return hasEventType(d.Events, "sent")
	})
	r.as[models.RoleSupervisor].mustCall(http.MethodPost, path+"/actions/withdraw", map[string]any{"reason": "年检改期"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the notice withdrawn", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Notice.Status == models.NoticeWithdrawn
	})
	return []string{workflows.NoticeWorkflowID(created.Notice.ID)}
}

// recordOutageEscalatedV1: an emergency water outage planned to end
// seconds after it starts is not restored in time and escalates to the
// supervisor, then the estate manager, each escalation one Escalate
// activity ("outage-one-escalation", version 1); a technician then records
// the restoration.
func recordOutageEscalatedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-OUTAGE-ESC", recordingPolicy)
	desk := r.as[models.RoleCustomerService]
	id := r.emergencyOutage(3 * time.Second)
	path := fmt.Sprintf("/api/v1/outages/%d", id)
	var d outageRecord
	waitFor(t, 45*time.Second, "the outage escalated twice", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return escalationsNotified(d.Events, "escalation") == 2
	})
	r.as[models.RoleTechnician].mustCall(http.MethodPost, path+"/actions/restore", map[string]any{"note": "已抢修完毕"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the restoration told", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Outage.Status == models.OutageRestored && hasEventType(d.Events, "told")
	})
	return []string{workflows.OutageWorkflowID(id)}
}

// emergencyOutage has the estate manager declare an emergency water outage
// of 1栋 starting now and planned to last for, and returns its id.
func (r *ticketRecording) emergencyOutage(lasts time.Duration) uint64 {
	r.t.Helper()
	var created struct {
		Outage struct {
			ID uint64 `json:"id"`
		} `json:"outage"`
	}
	now := time.Now()
	r.as[models.RoleEstateManager].mustCall(http.MethodPost, "/api/v1/outages", map[string]any{"estate_id": r.estateID, "utility": "water",
		"buildings": []string{"1栋"}, "starts_at": now, "ends_at": now.Add(lasts), "reason": "水管爆裂抢修", "emergency": true},
		&created, http.StatusCreated)
	return created.Outage.ID
}
