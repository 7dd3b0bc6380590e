package app

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// secondScaleDunning makes the ladder climb in seconds: two messages, then
// a phone call; the rest far off. No quiet hours, so that the test passes
// at any hour.
func secondScaleDunning(p *models.Policy) {
	s := func(d time.Duration) models.Duration { return models.Duration(d) }
	p.QuietHours = models.QuietHours{Start: "00:00", End: "00:00"}
	p.Dunning.Steps = []models.DunningStep{
		{After: s(2 * time.Second), Action: models.ActionMessage, Channel: models.ChannelSMS, Template: "payment_overdue_polite"},
		{After: s(4 * time.Second), Action: models.ActionMessage, Channel: models.ChannelWeChat, Template: "payment_overdue_second"},
		{After: s(6 * time.Second), Action: models.ActionPhoneCall, Channel: models.ChannelPhone, Role: models.RoleCustomerService},
		{After: s(time.Hour), Action: models.ActionVisit, Channel: models.ChannelVisit, Role: models.RoleEstateManager},
		{After: s(2 * time.Hour), Action: models.ActionFormalNotice, Channel: models.ChannelLetter, Role: models.RoleFinance},
		{After: s(5 * time.Hour), Action: models.ActionLegalReferral, Role: models.RoleLegal},
	}
	p.Dunning.GoodPayerPoliteFor = s(5 * time.Second)
	p.Dunning.FormalNoticePeriod = s(time.Hour)
}

type arrearsDetail struct {
	Account struct {
		Total models.Money `json:"total"`
	} `json:"account"`
	Case *struct {
		ID          uint64           `json:"id"`
		Stage       models.CaseStage `json:"stage"`
		StepReached int              `json:"step_reached"`
		NextStep    string           `json:"next_step"`
	} `json:"case"`
	Process *struct {
		Stage       models.CaseStage `json:"stage"`
		StepReached int              `json:"step_reached"`
	} `json:"process"`
	History  []models.CaseEvent      `json:"history"`
	Messages []models.Message        `json:"messages"`
	Tasks    []models.CollectionTask `json:"tasks"`
}

// TestUnpaidBillClimbsThenPaymentStopsIt: a bill already overdue starts the
// household's collection, which sends two polite messages and assigns a
// call to customer service within seconds; a payment in full closes the
// case and nothing more is sent.
func TestUnpaidBillClimbsThenPaymentStopsIt(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, ids := estateWithStaff(t, a, "ARR", secondScaleDunning)
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "王业主", "phone": "13912345678", "role": "owner"}, nil, http.StatusCreated)

	// A bill long overdue: the ladder counts from the moment the case learns of it.
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID)
	var d arrearsDetail
	// The call's task is created one activity before the case row records
	// the step that created it: wait for both.
	waitFor(t, 45*time.Second, "two messages and a call", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return len(d.Tasks) == 1 && countContacts(d.History) >= 2 && d.Case != nil && d.Case.StepReached >= 2
	})
	if d.Case == nil || d.Case.StepReached < 2 || d.Process == nil || d.Process.Stage != models.StageDunning {
		t.Fatalf("case after the call: got %+v, process %+v, want dunning at step 2", d.Case, d.Process)
	}
	if d.Tasks[0].AssigneeID != ids[models.RoleCustomerService] || d.Tasks[0].Action != models.ActionPhoneCall {
		t.Errorf("task: got %+v, want a call by customer service %d", d.Tasks[0], ids[models.RoleCustomerService])
	}
	if !hasMessage(d.Messages, ids[models.RoleCustomerService], "dunning_task") {
		t.Errorf("messages: got %+v, want the call's task sent to customer service", d.Messages)
	}
	residentMsgs := 0
	for _, m := range d.Messages {
		if m.RecipientKind == models.RecipientResident {
			residentMsgs++
		}
	}
	if residentMsgs != 2 {
		t.Errorf("resident messages: got %d, want the two polite reminders", residentMsgs)
	}
	var list struct {
		Total  int `json:"total"`
		Totals []struct {
			Stage models.CaseStage `json:"stage"`
			Cases int              `json:"cases"`
		} `json:"totals"`
	}
	as[models.RoleEstateManager].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/arrears?estate_id=%d", estateID), nil, &list, http.StatusOK)
	if list.Total != 1 || len(list.Totals) != 1 || list.Totals[0].Stage != models.StageDunning {
		t.Errorf("arrears list: got %+v, want one dunning case", list)
	}

	// The resident pays everything owed today: the case closes.
	pay := map[string]any{"household_id": hh.ID, "amount_fen": d.Account.Total, "paid_at": time.Now().Format(time.RFC3339),
		"channel": "wechat", "reference": "wx-e2e-1"}
	fin.mustCall(http.MethodPost, "/api/v1/payments", pay, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/payments", pay, nil, http.StatusOK)
	// The case records its close, then closes its tasks (one activity
	// later): wait for both.
	waitFor(t, 30*time.Second, "the case to close with its task", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageClosed && len(d.Tasks) > 0 && d.Tasks[0].Status == models.TaskClosed
	})
	if d.Account.Total != 0 || d.Tasks[0].Status != models.TaskClosed {
		t.Errorf("after payment: got owed %d, task %s, want 0 and the task closed", d.Account.Total, d.Tasks[0].Status)
	}
	sent := len(d.Messages)
	time.Sleep(3 * time.Second)
	fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
	if len(d.Messages) != sent {
		t.Errorf("messages after the case closed: got %d, want still %d", len(d.Messages), sent)
	}
}

func countContacts(events []models.CaseEvent) int {
	n := 0
	for _, e := range events {
		if e.Type == "contact" && e.Outcome == string(models.MessageSent) {
			n++
		}
	}
	return n
}
