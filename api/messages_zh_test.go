package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"
	"unicode"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// english finds the words of an English validation sentence ("got x, want
// y", "required", "must be ..."), which a message for people must not have.
var english = regexp.MustCompile(`(?i)\b(got|want|wants|required|must|only|characters|not both|unknown|twice)\b`)

// TestRefusalsAreInChinese walks bad inputs across routes (tickets,
// households, bills and payments, the policy) and checks that every 400
// answers a message for people: with Chinese in it and no English
// sentence, the field still named in field.
func TestRefusalsAreInChinese(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	desk := h.tokens[models.RoleCustomerService]
	fin := h.tokens[models.RoleFinance]
	mgr := h.tokens[models.RoleEstateManager]
	ticket := func(change func(map[string]any)) map[string]any {
		b := map[string]any{"estate_id": h.a.estate.ID, "kind": "repair", "urgency": "normal", "category": "水电",
			"description": "厨房漏水", "household_id": h.a.household.ID, "channel": "phone"}
		change(b)
		return b
	}
	soon := time.Now().Add(2 * time.Hour).Format(time.RFC3339)
	policy := fmt.Sprintf("/api/v1/estates/%d/policy", h.a.estate.ID)
	var cur models.EstatePolicy
	h.wantStatus(h.do(http.MethodGet, policy, mgr, nil, &cur), http.StatusOK)
	withPolicy := func(change func(*models.Policy)) map[string]any {
		p := cur.Policy
		p.Repair.Tiers = append([]models.SLATier(nil), p.Repair.Tiers...)
		change(&p)
		return map[string]any{"version": cur.Version, "policy": p}
	}
	tests := []struct {
		name, method, path, token string
		body                      any
		field                     string
	}{
		{"ticket kind", http.MethodPost, "/api/v1/tickets", desk, ticket(func(b map[string]any) { b["kind"] = "repairx" }), "kind"},
		{"ticket urgency", http.MethodPost, "/api/v1/tickets", desk, ticket(func(b map[string]any) { b["urgency"] = "asap" }), "urgency"},
		{"ticket description", http.MethodPost, "/api/v1/tickets", desk, ticket(func(b map[string]any) { b["description"] = "" }), "description"},
		{"ticket appointment on a critical repair", http.MethodPost, "/api/v1/tickets", desk,
			ticket(func(b map[string]any) { b["urgency"], b["appointment"] = "critical", soon }), "appointment"},
		{"ticket reporter phone", http.MethodPost, "/api/v1/tickets", desk,
			ticket(func(b map[string]any) { delete(b, "household_id"); b["location"], b["reporter_phone"] = "大堂", "12" }), "reporter_phone"},
		{"household of no unit", http.MethodPost, "/api/v1/households", desk, map[string]any{"unit_id": 999999}, "unit_id"},
		{"bill period", http.MethodPost, "/api/v1/bills", fin,
			map[string]any{"household_id": h.a.household.ID, "period": "2026-13", "amount_fen": 100}, "period"},
		{"bill of another estate's household", http.MethodPost, "/api/v1/bills", fin,
			map[string]any{"household_id": h.b.household.ID, "period": "2026-02", "amount_fen": 100}, "household_id"},
		{"payment channel", http.MethodPost, "/api/v1/payments", fin, map[string]any{"household_id": h.a.household.ID,
			"amount_fen": 100, "paid_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "channel": "cheque", "reference": "zh-1"}, "channel"},
		{"payment in the future", http.MethodPost, "/api/v1/payments", fin, map[string]any{"household_id": h.a.household.ID,
			"amount_fen": 100, "paid_at": time.Now().AddDate(0, 0, 9).Format(time.RFC3339), "channel": "wechat", "reference": "zh-2"}, "paid_at"},
		{"policy duration", http.MethodPut, policy, mgr, `{"version":1,"policy":{"repair":{"confirm_window":"-3d"}}}`, "policy.repair.confirm_window"},
		{"policy milestone", http.MethodPut, policy, mgr, withPolicy(func(p *models.Policy) {
			p.Repair.EscalateMilestones = []models.Milestone{models.MilestoneOnSite, models.MilestoneResolve}
		}), "policy.repair.escalate_milestones[1]"},
		{"policy tier urgency", http.MethodPut, policy, mgr, withPolicy(func(p *models.Policy) {
			p.Repair.Tiers[0].Urgency = "asap"
		}), "policy.repair.tiers[0].urgency"},
		{"policy clock", http.MethodPut, policy, mgr, withPolicy(func(p *models.Policy) {
			p.Calendar.WorkdayStart = "8点"
		}), "policy.calendar.workday_start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(tt.method, tt.path, tt.token, tt.body, nil)
			h.wantError(r, http.StatusBadRequest, codeInvalidInput, tt.field)
			var body errorBody
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("body %s: %v", r.body, err)
			}
			msg := body.Error.Message
			if !hasHan(msg) || english.MatchString(msg) {
				t.Errorf("%s: message %q, want Simplified Chinese with no English sentence", tt.name, msg)
			}
		})
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
