package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// moveIn registers the recording's resident as moving into its household
// and returns the move-in and follow-up IDs.
func (r *ticketRecording) moveIn() (moveInID, followUpID uint64) {
	r.t.Helper()
	var mi struct {
		MoveIn   idOnly `json:"move_in"`
		FollowUp idOnly `json:"follow_up"`
	}
	r.as[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"household_id": r.house,
		"resident_ids": []uint64{r.resident}, "needs": map[string]any{"preferred_channel": "phone"}}, &mi, http.StatusCreated)
	return mi.MoveIn.ID, mi.FollowUp.ID
}

// recordFollowUpVisitTicketCancelled: the visit is recorded within the
// window with a repair item, which opens a child ticket; the ticket is
// cancelled and the follow-up completes. Both histories are kept.
func recordFollowUpVisitTicketCancelled(t *testing.T, a *App) []string {
	return followUpVisitTicketCancelled(t, a, "REC-FU-DONE")
}

// recordFollowUpVisitTicketV1: the same, with the follow-up closing only
// after its last ticket_closed is written.
func recordFollowUpVisitTicketV1(t *testing.T, a *App) []string {
	return followUpVisitTicketCancelled(t, a, "REC-FU-DONE-V1")
}

func followUpVisitTicketCancelled(t *testing.T, a *App, estateCode string) []string {
	r := newRecording(t, a, estateCode, recordingPolicy)
	moveInID, id := r.moveIn()
	path := fmt.Sprintf("/api/v1/follow-ups/%d", id)
	desk := r.as[models.RoleCustomerService]
	var proc struct {
		Tickets []struct {
			TicketID uint64 `json:"ticket_id"`
		} `json:"tickets"`
	}
	desk.mustCall(http.MethodPost, path+"/actions/record", map[string]any{"visit": map[string]any{
		"participants": []string{"客服", "业主"}, "satisfaction": 4,
		"items": []map[string]any{{"kind": "repair", "text": "卫生间地漏返味"}, {"kind": "praise", "text": "保安热情"}}}}, &proc, http.StatusOK)
	if len(proc.Tickets) != 1 {
		t.Fatalf("after the visit: got %+v, want one ticket", proc)
	}
	ticketID := proc.Tickets[0].TicketID
	var td ticketDetail
	waitFor(t, 20*time.Second, "the visit's ticket process", func() bool {
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil, &td, http.StatusOK)
		return td.Process != nil
	})
	r.act(ticketID, models.RoleSupervisor, workflows.ActCancel, map[string]any{"reason": "业主自行处理"})
	var d followUpDetail
	waitFor(t, 30*time.Second, "the follow-up to complete", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.FollowUp.Status == models.FollowUpCompleted
	})
	return []string{workflows.FollowUpWorkflowID(moveInID), workflows.TicketWorkflowID(ticketID)}
}

// recordFollowUpRemindingOpen: a follow-up whose first reminder has gone
// out, then scheduled, left running with its appointment, second reminder
// and escalation timers pending.
func recordFollowUpRemindingOpen(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-FU-OPEN", func(p *models.Policy) {
		recordingPolicy(p)
		p.FollowUp.Window = models.Duration(2 * time.Hour)
		p.FollowUp.ReminderAt = []models.Duration{models.Duration(2 * time.Second), models.Duration(time.Hour)}
	})
	moveInID, id := r.moveIn()
	path := fmt.Sprintf("/api/v1/follow-ups/%d", id)
	desk := r.as[models.RoleCustomerService]
	var d followUpDetail
	waitFor(t, 30*time.Second, "the first reminder", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return hasFollowUpEvent(d.Events, "reminder", "reminder", "1")
	})
	desk.mustCall(http.MethodPost, path+"/actions/schedule", map[string]any{"at": time.Now().Add(30 * time.Minute)}, nil, http.StatusOK)
	return []string{workflows.FollowUpWorkflowID(moveInID)}
}
