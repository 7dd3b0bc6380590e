package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// TestCreateSurveyCampaign: a manager creates this quarter's campaign,
// which starts its process; a second of the quarter is a 409; bad fields
// are a 400 naming them; the desk may not create one; results and the
// staff performance answer from the read model.
func TestCreateSurveyCampaign(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	var started []client.StartWorkflowOptions
	var inputs []workflows.SurveyInput
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Run(func(args mock.Arguments) {
			started = append(started, args.Get(1).(client.StartWorkflowOptions))
			inputs = append(inputs, args.Get(3).(workflows.SurveyInput))
		}).Return(&mocks.WorkflowRun{}, nil)

	mgr := h.tokens[models.RoleEstateManager]
	body := surveyBody(h.a.estate.ID)
	var c models.SurveyCampaign
	h.wantStatus(h.do(http.MethodPost, "/api/v1/survey-campaigns", mgr, body, &c), http.StatusCreated)
	if c.ID == 0 || c.Status != models.SurveyScheduled || len(c.Questionnaire.Questions) != 7 || len(c.Reminders) != 2 {
		t.Fatalf("campaign %+v", c)
	}
	if len(started) != 1 || started[0].ID != fmt.Sprintf("survey-%d", c.ID) || inputs[0].Campaign.ID != c.ID {
		t.Fatalf("process start %+v", started)
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/survey-campaigns", mgr, body, nil), http.StatusConflict, "conflict", "")
	for field, edit := range map[string]func(map[string]any){
		"quarter":     func(b map[string]any) { b["quarter"] = "2026Q9" },
		"closes_at":   func(b map[string]any) { b["closes_at"] = b["opens_at"] },
		"sample.mode": func(b map[string]any) { b["sample"] = map[string]any{"mode": "some"} },
	} {
		b := surveyBody(h.a.estate.ID)
		edit(b)
		h.wantError(h.do(http.MethodPost, "/api/v1/survey-campaigns", mgr, b, nil), http.StatusBadRequest, "invalid_input", field)
	}
	h.wantStatus(h.do(http.MethodPost, "/api/v1/survey-campaigns", h.tokens[models.RoleCustomerService], body, nil), http.StatusForbidden)

	var res models.SurveyResults
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/survey-campaigns/%d/results", c.ID), mgr, nil, &res), http.StatusOK)
	if res.Invited != 0 || len(res.Questions) != 7 {
		t.Fatalf("results %+v", res)
	}
	var perf performanceResponse
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/staff-performance?estate_id=%d&month=2026-10", h.a.estate.ID), mgr, nil, &perf), http.StatusOK)
	if perf.Month != "2026-10" || len(perf.Staff) == 0 {
		t.Fatalf("performance %+v", perf)
	}
	h.wantError(h.do(http.MethodGet, fmt.Sprintf("/api/v1/staff-performance?estate_id=%d&month=10月", h.a.estate.ID), mgr, nil, nil),
		http.StatusBadRequest, "invalid_input", "month")
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/staff-performance?estate_id=%d", h.b.estate.ID), mgr, nil, nil), http.StatusNotFound)
}

// TestSurveyPage: the survey link opens the questionnaire of an open
// campaign; incomplete answers are a 400 page; the answers are saved once
// and the process hears them; the link is then used up.
func TestSurveyPage(t *testing.T) {
	h := newLinkHarness(t)
	ctx := context.Background()
	sv := h.a.survey
	*h.now = sv.OpensAt.Add(24 * time.Hour)
	h.must(h.store.AddSurveyInvitations(ctx, sv.ID, []models.SampleUnit{{HouseholdID: h.a.household.ID, Building: "1栋"}}))
	_, err := h.store.RecordSurveyChange(ctx, store.SurveyChange{CampaignID: sv.ID, Progress: models.SurveyProgress{Status: models.SurveyOpen, Revision: 1},
		Event: models.CaseEvent{Key: "t/opened", Type: "opened", At: sv.OpensAt}})
	h.must(err)
	var signals []workflows.SurveyAnswered
	h.tc.On("SignalWorkflow", mock.Anything, fmt.Sprintf("survey-%d", sv.ID), "", workflows.SurveyAnsweredSignal, mock.Anything).
		Run(func(args mock.Arguments) { signals = append(signals, args.Get(4).(workflows.SurveyAnswered)) }).Return(nil)
	l := h.issue(h.a.resident.ID, models.LinkSurvey, sv.ID, 30*24*time.Hour)
	tok := h.links.LinkToken(l.ID)
	code, body := h.page(auth.SurveyPath, tok, nil)
	wantPage(t, "open", code, body, http.StatusOK, "您对维修服务")
	code, body = h.page(auth.SurveyPath, tok, url.Values{"q_repair": {"5"}})
	wantPage(t, "incomplete", code, body, http.StatusBadRequest, "未填写完整")
	form := url.Values{"q_repair": {"2"}, "q_cleaning": {"4"}, "q_security": {"4"}, "q_greening": {"3"}, "q_service": {"5"},
		"q_contact": {"微信"}, "q_advice": {"电梯经常坏"}}
	code, body = h.page(auth.SurveyPath, tok, form)
	wantPage(t, "answer", code, body, http.StatusOK, "感谢您的参与")
	code, body = h.page(auth.SurveyPath, tok, form)
	if code == http.StatusOK {
		t.Fatalf("second answer: got %d %s", code, body)
	}
	rs, err := h.store.SurveyResponses(ctx, sv.ID)
	h.must(err)
	if len(rs) != 1 || len(rs[0].Items) != 7 || len(signals) != 1 || signals[0].ResponseID != rs[0].ID || signals[0].HouseholdID != h.a.household.ID {
		t.Fatalf("responses %+v, signals %+v", rs, signals)
	}
}
