package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// recordSurveyInvitedOpen: a campaign opening now, sending at any hour,
// draws its one household and invites it in one batch; left running with
// its reminders and closing pending.
func recordSurveyInvitedOpen(t *testing.T, a *App) []string {
	_, id := surveyRecordingInvited(t, a, "REC-SV-OPEN", 0)
	return []string{workflows.SurveyWorkflowID(id)}
}

// recordSurveyInviteJitterV1: as recordSurveyInvitedOpen after
// "survey-invite-jitter", the estate's jitter window a second (the
// invitations are put off by none).
func recordSurveyInviteJitterV1(t *testing.T, a *App) []string {
	_, id := surveyRecordingInvited(t, a, "REC-SV-JIT", models.Duration(time.Second))
	return []string{workflows.SurveyWorkflowID(id)}
}

// surveyRecordingInvited opens a campaign now in a new estate (code),
// sending at any hour, its jitter window jitter (0: the policy's), and
// waits for its invitations: its one household is invited.
func surveyRecordingInvited(t *testing.T, a *App, code string, jitter models.Duration) (*ticketRecording, uint64) {
	r := newRecording(t, a, code, func(p *models.Policy) {
		recordingPolicy(p)
		p.Survey.SendFrom, p.Survey.SendUntil = "00:00", "23:59"
		if jitter > 0 {
			p.Release.JitterWindow = jitter
		}
	})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	var c idOnly
	r.as[models.RoleEstateManager].mustCall(http.MethodPost, "/api/v1/survey-campaigns", map[string]any{
		"estate_id": r.estateID, "quarter": fmt.Sprintf("%dQ%d", now.Year(), (int(now.Month())-1)/3+1),
		"opens_at": now, "closes_at": now.Add(10 * 24 * time.Hour)}, &c, http.StatusCreated)
	var d struct {
		Events []models.CaseEvent `json:"events"`
	}
	waitFor(t, 30*time.Second, "the invitations", func() bool {
		r.as[models.RoleEstateManager].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/survey-campaigns/%d", c.ID), nil, &d, http.StatusOK)
		for _, e := range d.Events {
			if e.Type == "invited" {
				return true
			}
		}
		return false
	})
	return r, c.ID
}

// recordSurveyLostAnswerV1, after "survey-reconcile" (version 1): the
// household's low answer is saved but its signal is lost; the manager's
// close finds it in the store and puts it on the call-back list (the
// policy's visit); the call-back is recorded and the process ends.
func recordSurveyLostAnswerV1(t *testing.T, a *App) []string {
	r, id := surveyRecordingInvited(t, a, "REC-SV-LOST", 0)
	items := []models.SurveyAnswerItem{{QuestionID: "repair", Score: 1}, {QuestionID: "cleaning", Score: 4},
		{QuestionID: "security", Score: 4}, {QuestionID: "greening", Score: 4}, {QuestionID: "service", Score: 5}}
	resp := models.SurveyResponse{CampaignID: id, HouseholdID: r.house, ResidentID: r.resident, Items: items, AnsweredAt: time.Now()}
	if err := a.Store.SubmitSurveyResponse(context.Background(), &resp); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/survey-campaigns/%d/actions/", id)
	var v workflows.SurveyView
	r.as[models.RoleEstateManager].mustCall(http.MethodPost, path+workflows.SurveyClose, map[string]any{"reason": "录制"}, &v, http.StatusOK)
	if v.Responded != 1 || len(v.Callbacks) != 1 {
		t.Fatalf("after the close: %+v, want the saved answer taken and on the call-back list", v)
	}
	r.as[models.RoleCustomerService].mustCall(http.MethodPost, path+workflows.SurveyCallback,
		map[string]any{"household_id": r.house, "note": "已电话回访"}, nil, http.StatusOK)
	return []string{workflows.SurveyWorkflowID(id)}
}
