package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// secondScaleFollowUp makes the follow-up window 8 s with one reminder at
// 2 s, escalation to the supervisor at once when late and to the manager
// 3 s later, and no quiet hours (the test may run at night).
func secondScaleFollowUp(p *models.Policy) {
	p.FollowUp = models.FollowUpPolicy{Window: models.Duration(8 * time.Second), ReminderAt: []models.Duration{models.Duration(2 * time.Second)},
		MaxAttempts: 2, AssignRegistrar: true}
	p.Escalation.Levels = []models.EscalationLevel{
		{Level: 1, Role: models.RoleSupervisor, After: 0},
		{Level: 2, Role: models.RoleEstateManager, After: models.Duration(3 * time.Second)},
		{Level: 3, Role: models.RoleCompanyAdmin, After: models.Duration(time.Hour)},
	}
	p.QuietHours = models.QuietHours{Start: "00:00", End: "00:00"}
}

type followUpDetail struct {
	FollowUp struct {
		ID              uint64                `json:"id"`
		Status          models.FollowUpStatus `json:"status"`
		AssigneeID      *uint64               `json:"assignee_id"`
		EscalationLevel int                   `json:"escalation_level"`
		TicketIDs       []uint64              `json:"ticket_ids"`
		Summary         string                `json:"summary"`
	} `json:"follow_up"`
	Process *struct {
		Status  models.FollowUpStatus `json:"status"`
		Tickets []struct {
			TicketID uint64 `json:"ticket_id"`
			Closed   bool   `json:"closed"`
		} `json:"tickets"`
	} `json:"process"`
	Events   []models.CaseEvent `json:"events"`
	Messages []models.Message   `json:"messages"`
}

func hasFollowUpEvent(evs []models.CaseEvent, typ, key, value string) bool {
	for _, e := range evs {
		if e.Type == typ && (key == "" || e.Detail[key] == value) {
			return true
		}
	}
	return false
}

// TestMoveInFollowUpEndToEnd: customer service registers a move-in through
// the API; the residents are welcomed, the registrar is reminded, the
// overdue visit climbs to the supervisor and the manager; the visit is then
// recorded with a repair item, which opens a ticket run by its own process,
// and the follow-up closes once that ticket does.
func TestMoveInFollowUpEndToEnd(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, ids := estateWithStaff(t, a, "MOVE", secondScaleFollowUp)
	admin, desk := as[models.RoleCompanyAdmin], as[models.RoleCustomerService]
	var building, unit idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "3栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "201"}, &unit, http.StatusCreated)

	var mi struct {
		MoveIn    idOnly   `json:"move_in"`
		FollowUp  idOnly   `json:"follow_up"`
		Household idOnly   `json:"household"`
		Residents []idOnly `json:"residents"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"unit_id": unit.ID,
		"residents": []map[string]any{{"name": "张三", "phone": "13812345678", "role": "owner"}},
		"needs":     map[string]any{"elderly_at_home": true, "preferred_channel": "phone"}}, &mi, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/follow-ups/%d", mi.FollowUp.ID)
	resident := mi.Residents[0].ID

	var d followUpDetail
	waitFor(t, 30*time.Second, "the welcome and the reminder", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return hasFollowUpEvent(d.Events, "reminder", "", "") && hasMessage(d.Messages, ids[models.RoleCustomerService], "followup_reminder") &&
			hasResidentMessage(d.Messages, resident, "welcome")
	})
	if d.FollowUp.AssigneeID == nil || *d.FollowUp.AssigneeID != ids[models.RoleCustomerService] {
		t.Errorf("assignee: got %v, want the registrar %d", d.FollowUp.AssigneeID, ids[models.RoleCustomerService])
	}
	waitFor(t, 40*time.Second, "escalation to the supervisor, then the manager", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return hasFollowUpEvent(d.Events, "escalation", "role", string(models.RoleSupervisor)) && hasMessage(d.Messages, ids[models.RoleSupervisor], "followup_overdue") &&
			hasFollowUpEvent(d.Events, "escalation", "role", string(models.RoleEstateManager)) && hasMessage(d.Messages, ids[models.RoleEstateManager], "followup_overdue")
	})
	var overdue struct {
		Items []idOnly `json:"items"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/follow-ups?estate_id=%d&overdue=true", estateID), nil, &overdue, http.StatusOK)
	if len(overdue.Items) != 1 || overdue.Items[0].ID != mi.FollowUp.ID {
		t.Errorf("overdue list: got %+v, want the follow-up", overdue.Items)
	}

	// A technician may not record it; customer service records the visit.
	visit := map[string]any{"visit": map[string]any{"participants": []string{"客服", "业主"}, "satisfaction": 4,
		"items":             []map[string]any{{"kind": "repair", "text": "卫生间地漏返味"}, {"kind": "praise", "text": "保安热情"}},
		"follow_up_actions": []string{"维修后电话确认"}}}
	as[models.RoleTechnician].mustCall(http.MethodPost, path+"/actions/record", visit, nil, http.StatusForbidden)
	var proc struct {
		Status  models.FollowUpStatus `json:"status"`
		Tickets []struct {
			TicketID uint64 `json:"ticket_id"`
		} `json:"tickets"`
	}
	desk.mustCall(http.MethodPost, path+"/actions/record", visit, &proc, http.StatusOK)
	if proc.Status != models.FollowUpTicketsOpen || len(proc.Tickets) != 1 {
		t.Fatalf("after the visit: got %+v, want tickets_open with one ticket", proc)
	}
	var refused struct {
		Error struct{ Code, State string } `json:"error"`
	}
	if got := desk.call(http.MethodPost, path+"/actions/schedule", map[string]any{"at": time.Now().Add(time.Hour)}, &refused); got != http.StatusConflict || refused.Error.State != "tickets_open" {
		t.Errorf("schedule after the visit: got %d %+v, want 409 with state tickets_open", got, refused)
	}

	// The ticket runs as its own process; once cancelled, the follow-up closes.
	ticketPath := fmt.Sprintf("/api/v1/tickets/%d", proc.Tickets[0].TicketID)
	var td ticketDetail
	waitFor(t, 20*time.Second, "the visit's ticket process", func() bool {
		desk.mustCall(http.MethodGet, ticketPath, nil, &td, http.StatusOK)
		return td.Process != nil
	})
	as[models.RoleSupervisor].mustCall(http.MethodPost, ticketPath+"/actions/cancel", map[string]any{"reason": "业主自行处理"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the follow-up to close after its ticket", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.FollowUp.Status == models.FollowUpCompleted
	})
	if !hasFollowUpEvent(d.Events, "ticket_closed", "ticket_status", string(models.StatusCancelled)) || d.FollowUp.Summary == "" {
		t.Errorf("closure: got events %+v, summary %q", d.Events, d.FollowUp.Summary)
	}

	// The owner file reaches all of it from the resident, the phone masked.
	var owner struct {
		Phone        string               `json:"phone"`
		ServiceNeeds *models.ServiceNeeds `json:"service_needs"`
		FollowUps    []struct {
			Visit *models.FollowUpVisit `json:"visit"`
		} `json:"follow_ups"`
		Tickets  []idOnly         `json:"tickets"`
		Messages []models.Message `json:"messages"`
		Bills    []any            `json:"bills"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/residents/%d", resident), nil, &owner, http.StatusOK)
	if owner.Phone != "138****5678" || owner.ServiceNeeds == nil || !owner.ServiceNeeds.ElderlyAtHome || len(owner.FollowUps) != 1 ||
		owner.FollowUps[0].Visit == nil || len(owner.Tickets) != 1 || !hasResidentMessage(owner.Messages, resident, "welcome") || owner.Bills == nil {
		t.Errorf("owner file: got %+v", owner)
	}
}

func hasResidentMessage(msgs []models.Message, residentID uint64, template string) bool {
	for _, m := range msgs {
		if m.RecipientKind == models.RecipientResident && m.RecipientID == residentID && m.Template == template {
			return true
		}
	}
	return false
}
