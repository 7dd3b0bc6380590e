package api

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// TestNoRequestPoisonsTheStore holds every value the API accepts to what the
// store can read back and a workflow can carry: each row is a request that
// was once accepted (201) and then broke a list or a process, and must now be
// a 400 naming the field (or a 404 for an ID that cannot exist). The clock
// is the arrears harness's, 2026-03-07, so the date window runs from
// 2016-03-07 to 2036-03-07.
func TestNoRequestPoisonsTheStore(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h, _ := arrearsHarness(t, s)
		fin, desk, mgr, admin := h.tokens[models.RoleFinance], h.tokens[models.RoleCustomerService],
			h.tokens[models.RoleEstateManager], h.tokens[models.RoleCompanyAdmin]
		hh := h.a.household.ID
		policyPath := fmt.Sprintf("/api/v1/estates/%d/policy", h.a.estate.ID)
		var cur models.EstatePolicy
		h.wantStatus(h.do(http.MethodGet, policyPath, mgr, nil, &cur), http.StatusOK)
		withPolicy := func(change func(*models.Policy)) map[string]any {
			p := cur.Policy
			p.Calendar.Holidays = append([]string(nil), p.Calendar.Holidays...)
			change(&p)
			return map[string]any{"version": cur.Version, "policy": p}
		}
		ticket := func(appointment string) map[string]any {
			return map[string]any{"estate_id": h.a.estate.ID, "kind": "repair", "urgency": "normal", "category": "门窗",
				"description": "窗户关不上", "household_id": hh, "channel": "phone", "appointment": appointment}
		}
		plan := func(due string, amount any) map[string]any {
			return map[string]any{"household_id": hh, "reason": "失业", "instalments": []map[string]any{{"due": due, "amount_fen": amount}}}
		}
		const maxID, pastMaxID = "9223372036854775807", "9223372036854775808"
		tests := []struct {
			name         string
			method, path string
			token        string
			body         any
			status       int
			field        string
		}{
			{"bill for 9999-12", http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "9999-12", "amount_fen": 100}, 400, "period"},
			{"bill for 0001-01", http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "0001-01", "amount_fen": 100}, 400, "period"},
			{"bill for 1900-01", http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "1900-01", "amount_fen": 100}, 400, "period"},
			{"bill for 2200-12", http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2200-12", "amount_fen": 100}, 400, "period"},
			{"billing run for 9999-12", http.MethodPost, "/api/v1/billing-runs", fin, map[string]any{"estate_id": h.a.estate.ID, "period": "9999-12"}, 400, "period"},
			{"payment dated 1900", http.MethodPost, "/api/v1/payments", fin, map[string]any{"household_id": hh, "amount_fen": 100,
				"paid_at": "1900-01-01T00:00:00Z", "channel": "cash", "reference": "old"}, 400, "paid_at"},
			{"instalment due 9999-12-31", http.MethodPost, "/api/v1/plans", desk, plan("9999-12-31", 100), 400, "instalments[0].due"},
			{"instalment due past the plan limit", http.MethodPost, "/api/v1/plans", desk, plan("2030-01-01", 100), 400, "instalments[0].due"},
			{"instalment of int64's maximum", http.MethodPost, "/api/v1/plans", desk, plan("2026-04-01", int64(math.MaxInt64)), 400, "instalments[0].amount_fen"},
			{"holiday 0001-01-01", http.MethodPut, policyPath, mgr, withPolicy(func(p *models.Policy) {
				p.Calendar.Holidays = append(p.Calendar.Holidays, "0001-01-01")
			}), 400, fmt.Sprintf("policy.calendar.holidays[%d]", len(cur.Policy.Calendar.Holidays))},
			{"appointment in 9999", http.MethodPost, "/api/v1/tickets", desk, ticket("9999-12-31T23:59:59Z"), 400, "appointment"},
			{"appointment past the policy's horizon", http.MethodPost, "/api/v1/tickets", desk, ticket("2026-06-01T10:00:00+08:00"), 400, "appointment"},
			{"ticket ID 2^63", http.MethodGet, "/api/v1/tickets/" + pastMaxID, desk, nil, 404, ""},
			{"ticket ID 2^64-1", http.MethodGet, "/api/v1/tickets/18446744073709551615", desk, nil, 404, ""},
			{"ticket ID 2^63-1", http.MethodGet, "/api/v1/tickets/" + maxID, desk, nil, 404, ""},
			{"action on ticket 2^63", http.MethodPost, "/api/v1/tickets/" + pastMaxID + "/actions/note", desk, map[string]any{"note": "x"}, 404, ""},
			{"query ID 2^63", http.MethodGet, "/api/v1/bills?household_id=" + pastMaxID, fin, nil, 400, "household_id"},
			{"body ID 2^64-1", http.MethodPost, "/api/v1/bills", fin, `{"household_id":18446744073709551615,"period":"2026-01","amount_fen":100}`, 400, "household_id"},
			{"time zone Local", http.MethodPost, "/api/v1/estates", admin, map[string]any{"code": "LOCAL", "name": "本地", "time_zone": "Local"}, 400, "time_zone"},
			{"quiet hours of no length", http.MethodPut, policyPath, mgr, withPolicy(func(p *models.Policy) {
				p.QuietHours.Start, p.QuietHours.End = "22:00", "22:00"
			}), 400, "policy.quiet_hours.end"},
			{"a 100,000-hour confirmation window", http.MethodPut, policyPath, mgr, withPolicy(func(p *models.Policy) {
				p.Repair.ConfirmWindow = models.Duration(100000 * time.Hour)
			}), 400, "policy.repair.confirm_window"},
			{"a name with a right-to-left override", http.MethodPost, "/api/v1/residents", desk, map[string]any{"household_id": hh,
				"name": "张\u202e三", "phone": "13900000001", "role": "tenant"}, 400, "name"},
			{"a note with a control character", http.MethodPost, "/api/v1/residents", desk, map[string]any{"household_id": hh,
				"name": "张\x07三", "phone": "13900000001", "role": "tenant"}, 400, "name"},
		}
		for _, tt := range tests {
			res := h.do(tt.method, tt.path, tt.token, tt.body, nil)
			code := codeInvalidInput
			if tt.status == http.StatusNotFound {
				code = codeNotFound
			}
			if res.status != tt.status {
				t.Errorf("%s: got %d %s, want %d", tt.name, res.status, res.body, tt.status)
				continue
			}
			h.wantError(res, tt.status, code, tt.field)
		}

		// Every list still reads back after all of that.
		for _, path := range []string{"/api/v1/bills", "/api/v1/payments", "/api/v1/tickets", "/api/v1/residents", "/api/v1/arrears"} {
			h.wantStatus(h.do(http.MethodGet, path, fin, nil, nil), http.StatusOK)
		}
	})
}

// TestMoneyIsBounded: a waiver never exceeds the late fee still owed, and a
// plan covers at least the principal owed and at most everything owed.
func TestMoneyIsBounded(t *testing.T) {
	h, _ := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	fin, desk, mgr := h.tokens[models.RoleFinance], h.tokens[models.RoleCustomerService], h.tokens[models.RoleEstateManager]
	hh := h.a.household.ID
	// Due 2026-01-10; on 2026-03-07 it is 56 days late: 10000 × 0.3 % × 56 = 1680 fen.
	var bill models.HouseholdBill
	h.wantStatus(h.do(http.MethodPost, "/api/v1/bills", fin, map[string]any{"household_id": hh, "period": "2025-12", "amount_fen": 10000}, &bill), http.StatusCreated)
	waive := fmt.Sprintf("/api/v1/bills/%d/waivers", bill.ID)
	h.wantError(h.do(http.MethodPost, waive, mgr, map[string]any{"amount_fen": 5000, "reason": "多减"}, nil), http.StatusBadRequest, codeInvalidInput, "amount_fen")
	h.wantStatus(h.do(http.MethodPost, waive, mgr, map[string]any{"amount_fen": 1000, "reason": "困难"}, nil), http.StatusCreated)
	h.wantError(h.do(http.MethodPost, waive, mgr, map[string]any{"amount_fen": 1000, "reason": "再减"}, nil), http.StatusBadRequest, codeInvalidInput, "amount_fen")
	h.wantStatus(h.do(http.MethodPost, waive, mgr, map[string]any{"amount_fen": 680, "reason": "减完"}, nil), http.StatusCreated)

	// Owed now: 10000 + the fixture's disputed 12000 of principal, no late fee left.
	planOf := func(amounts ...int64) map[string]any {
		var list []map[string]any
		for i, a := range amounts {
			list = append(list, map[string]any{"due": fmt.Sprintf("2026-%02d-01", 4+i), "amount_fen": a})
		}
		return map[string]any{"household_id": hh, "reason": "失业", "instalments": list}
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/plans", desk, planOf(5000), nil), http.StatusBadRequest, codeInvalidInput, "instalments")
	h.wantError(h.do(http.MethodPost, "/api/v1/plans", desk, planOf(11000, 11001), nil), http.StatusBadRequest, codeInvalidInput, "instalments")
	h.wantError(h.do(http.MethodPost, "/api/v1/plans", desk, planOf(int64(models.MaxAmountFen), int64(models.MaxAmountFen)), nil),
		http.StatusBadRequest, codeInvalidInput, "instalments")
	h.wantStatus(h.do(http.MethodPost, "/api/v1/plans", desk, planOf(11000, 11000), nil), http.StatusCreated)
	// A settlement is an amount like any other: at most models.MaxAmountFen.
	h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/arrears/legal-outcome", hh), mgr,
		map[string]any{"outcome": "settled", "date": "2026-03-05", "amount_fen": int64(models.MaxAmountFen) + 1}, nil),
		http.StatusBadRequest, codeInvalidInput, "amount_fen")
}

// TestIdempotencyKeyIsBoundToCallerAndRequest: a key repeated with the same
// request is a retry (the same update ID reaches the process); with another
// body it is refused (422) and nothing reaches the process; another caller's
// same key is that caller's own.
func TestIdempotencyKeyIsBoundToCallerAndRequest(t *testing.T) {
	h, fake := arrearsHarness(t, storetest.SQLite(t, storetest.Options{}))
	desk, sup := h.tokens[models.RoleCustomerService], h.tokens[models.RoleSupervisor]
	path := fmt.Sprintf("/api/v1/collection-tasks/%d/outcome", h.a.task.ID)
	reached := map[string]any{"outcome": "reached", "note": "已沟通"}
	h.wantStatus(h.doKey(http.MethodPost, path, desk, "k-1", reached, nil), http.StatusOK)
	h.wantStatus(h.doKey(http.MethodPost, path, desk, "k-1", reached, nil), http.StatusOK)
	res := h.doKey(http.MethodPost, path, desk, "k-1", map[string]any{"outcome": "refuses_complaint", "note": "拒绝"}, nil)
	h.wantError(res, http.StatusUnprocessableEntity, codeKeyReused, "")
	h.wantStatus(h.doKey(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/arrears/legal-decision", h.a.household.ID),
		h.tokens[models.RoleEstateManager], "k-1", map[string]any{"approve": true, "reason": "x", "confirm": true}, nil), http.StatusOK)
	h.wantStatus(h.doKey(http.MethodPost, path, sup, "k-1", reached, nil), http.StatusOK)
	ids := fake.updateIDs
	if len(ids) != 4 || ids[0] != ids[1] || ids[2] == ids[0] || ids[3] == ids[0] || ids[3] == ids[2] {
		t.Errorf("update IDs: got %q, want a retry to repeat the first and every caller's key its own", ids)
	}
	if fake.updates[len(fake.updates)-1].Outcome != models.OutcomeReached {
		t.Errorf("last update: got %+v, want the supervisor's reached", fake.updates[len(fake.updates)-1])
	}
}
