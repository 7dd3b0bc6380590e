package app

import (
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
	return recordSurveyInvited(t, a, "REC-SV-OPEN", 0)
}

// recordSurveyInviteJitterV1: as recordSurveyInvitedOpen after
// "survey-invite-jitter", the estate's jitter window a second (the
// invitations are put off by none).
func recordSurveyInviteJitterV1(t *testing.T, a *App) []string {
	return recordSurveyInvited(t, a, "REC-SV-JIT", models.Duration(time.Second))
}

// recordSurveyInvited opens a campaign in estate code, its jitter window
// jitter (0: the policy's), and waits for the invitations.
func recordSurveyInvited(t *testing.T, a *App, code string, jitter models.Duration) []string {
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
	return []string{workflows.SurveyWorkflowID(c.ID)}
}
