package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

func TestLetterAndItsService(t *testing.T) {
	h, fake := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	fin, tech := h.tokens[models.RoleFinance], h.tokens[models.RoleTechnician]
	ctx := t.Context()
	content := models.NewDemandLetterContent(models.LetterFacts{Estate: models.Estate{Name: "阳光花园"}, Addressee: "张三",
		Address: "1栋 101", Account: models.Account{Total: 123456}, IssuedOn: models.Date{Year: 2026, Month: 3, Day: 1}, Period: 30 * models.Day})
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	l, err := h.store.IssueDemandLetter(ctx, &models.DemandLetter{Key: "letter-api", CaseID: h.a.task.CaseID, EstateID: h.a.estate.ID,
		HouseholdID: h.a.household.ID, ServedAt: now, ServedOn: now.Truncate(24 * time.Hour), PayBy: now.AddDate(0, 0, 30),
		AmountFen: 123456, Text: content.Text(), Content: &content, AwaitsService: true})
	h.must(err)

	var got models.DemandLetter
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/letters/%d", l.ID), tech, nil, &got), http.StatusOK)
	if got.Content == nil || got.Content.TotalInWords != "壹仟贰佰叁拾肆元伍角陆分" || got.Content.Addressee != "张三" ||
		!strings.Contains(strings.Join(got.Content.LegalBasis, ""), "第九百四十四条") || got.Content.ReplyDays != 30 || !got.AwaitsService {
		t.Errorf("letter: got %+v, want its content awaiting service", got)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/letters/99999", tech, nil, nil), http.StatusNotFound, codeNotFound, "")

	path := fmt.Sprintf("/api/v1/letters/%d/service", l.ID)
	var v caseView
	h.wantStatus(h.do(http.MethodPost, path, fin, map[string]any{"delivery_method": "post", "tracking_no": "SF1001", "served_on": "2026-03-02"}, &v), http.StatusOK)
	last := fake.updates[len(fake.updates)-1]
	if last.Action != workflows.ActRecordService || last.LetterID != l.ID || last.Method != models.DeliveryPost || last.TrackingNo != "SF1001" ||
		last.ServedOn.String() != "2026-03-02" || last.ActorRole != models.RoleFinance {
		t.Errorf("service: got update %+v", last)
	}
	// The case's validator names the field, in Chinese.
	fake.updateErr = temporal.NewApplicationError("served_on: 送达日期不能晚于今天（2026-03-02）", workflows.ErrTypeInvalidInput, "served_on")
	res := h.do(http.MethodPost, path, fin, map[string]any{"delivery_method": "in_person", "served_on": "2026-04-01"}, nil)
	h.wantError(res, http.StatusBadRequest, codeInvalidInput, "served_on")
	var body errorBody
	_ = json.Unmarshal(res.body, &body)
	if body.Error.Message != "送达日期不能晚于今天（2026-03-02）" {
		t.Errorf("message: got %q, want the validator's Chinese reason", body.Error.Message)
	}
	fake.updateErr = nil
	h.wantError(h.do(http.MethodPost, path, fin, map[string]any{"served_on": "明天"}, nil), http.StatusBadRequest, codeInvalidInput, "served_on")
	h.wantError(h.do(http.MethodPost, path, tech, map[string]any{"delivery_method": "in_person", "served_on": "2026-03-02"}, nil), http.StatusForbidden, codeForbidden, "")

	// Served already: 409 before the case is asked.
	on := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	by := h.a.staff.ID
	h.must(h.store.RecordLetterService(ctx, l.ID, models.LetterService{DeliveryMethod: models.DeliveryInPerson, DeliveredOn: &on, DeliveredBy: &by}, now))
	n := len(fake.updates)
	h.wantError(h.do(http.MethodPost, path, fin, map[string]any{"delivery_method": "in_person", "served_on": "2026-03-02"}, nil), http.StatusConflict, codeInvalidState, "")
	if len(fake.updates) != n {
		t.Errorf("served letter: the case was asked again")
	}
	var arrears arrearsView
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", h.a.household.ID), fin, nil, &arrears), http.StatusOK)
	if arrears.Limitation.LastDemand != "2026-03-02" {
		t.Errorf("limitation: got last demand %q, want the served date 2026-03-02", arrears.Limitation.LastDemand)
	}
}
