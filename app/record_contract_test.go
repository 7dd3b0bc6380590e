package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// recordContractRenewHandOver: a service contract recorded 80 days before
// its end (the 90 days' reminder goes out at once), renewed for three
// years (a new version), then handed over, which closes it.
func recordContractRenewHandOver(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-CONTRACT", recordingPolicy)
	admin := r.as[models.RoleCompanyAdmin]
	end := time.Now().AddDate(0, 0, 80)
	id := r.threeYearContract("HT-REC-1", end)
	path := fmt.Sprintf("/api/v1/contracts/%d", id)
	var d struct {
		Process *struct {
			RemindersSent int `json:"reminders_sent"`
		} `json:"process"`
		Events []models.CaseEvent `json:"events"`
	}
	waitFor(t, 30*time.Second, "the catch-up reminder", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Process != nil && d.Process.RemindersSent == 2 && len(d.Events) >= 2
	})
	admin.mustCall(http.MethodPost, path+"/actions/renew", map[string]any{"term_end": end.AddDate(3, 0, 0).Format(time.DateOnly),
		"changes": "续签三年"}, nil, http.StatusOK)
	admin.mustCall(http.MethodPost, path+"/actions/hand_over", map[string]any{"note": "移交新物业公司"}, nil, http.StatusOK)
	var c struct {
		Contract models.Contract `json:"contract"`
	}
	waitFor(t, 30*time.Second, "the hand-over recorded", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &c, http.StatusOK)
		return c.Contract.Status == models.ContractHandedOver
	})
	return []string{workflows.ContractWorkflowID(id)}
}

// recordContractEndedUndecidedV1: a service contract recorded two days
// after its term ended, with no renewal or hand-over decided, climbs the
// escalation chain at once, each escalation one Escalate activity
// ("contract-one-escalation", version 1); it is then handed over.
func recordContractEndedUndecidedV1(t *testing.T, a *App) []string {
	r := newRecording(t, a, "REC-CONTRACT-ESC", recordingPolicy)
	admin := r.as[models.RoleCompanyAdmin]
	id := r.threeYearContract("HT-REC-ESC", time.Now().AddDate(0, 0, -2))
	path := fmt.Sprintf("/api/v1/contracts/%d", id)
	var d struct {
		Contract models.Contract    `json:"contract"`
		Events   []models.CaseEvent `json:"events"`
	}
	waitFor(t, 30*time.Second, "the escalations", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return escalationsNotified(d.Events, "escalation") == 3
	})
	admin.mustCall(http.MethodPost, path+"/actions/hand_over", map[string]any{"note": "移交新物业公司"}, nil, http.StatusOK)
	waitFor(t, 30*time.Second, "the hand-over recorded", func() bool {
		admin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Contract.Status == models.ContractHandedOver
	})
	return []string{workflows.ContractWorkflowID(id)}
}

// threeYearContract has the company admin record contract number, with the
// owners' assembly, for the three years ending on end's day; it returns
// its id.
func (r *ticketRecording) threeYearContract(number string, end time.Time) uint64 {
	r.t.Helper()
	var ct idOnly
	r.as[models.RoleCompanyAdmin].mustCall(http.MethodPost, "/api/v1/contracts", map[string]any{"estate_id": r.estateID, "number": number,
		"party_a_kind": "owners_assembly", "party_a": "业主大会", "party_b": "物业公司", "service_level": "level2",
		"term_start": end.AddDate(-3, 0, 1).Format(time.DateOnly), "term_end": end.Format(time.DateOnly)}, &ct, http.StatusCreated)
	return ct.ID
}

// escalationsNotified counts the events of type typ in evs that name who
// they told.
func escalationsNotified(evs []models.CaseEvent, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ && e.Detail["notified"] != "" {
			n++
		}
	}
	return n
}
