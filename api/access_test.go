package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// recordIDs maps a scoped route's path to the id of the estate fixture's
// record it names. A new scoped route fails the test until it is added here.
func recordIDs(f estateFixture) map[string]uint64 {
	return map[string]uint64{
		"/api/v1/estates/:id":                            f.estate.ID,
		"/api/v1/estates/:id/policy":                     f.estate.ID,
		"/api/v1/estates/:id/policy/changes":             f.estate.ID,
		"/api/v1/buildings/:id":                          f.building.ID,
		"/api/v1/units/:id":                              f.unit.ID,
		"/api/v1/households/:id":                         f.household.ID,
		"/api/v1/residents/:id":                          f.resident.ID,
		"/api/v1/residents/:id/phone-reveal":             f.resident.ID,
		"/api/v1/staff/:id":                              f.staff.ID,
		"/api/v1/tokens/:id":                             f.token.ID,
		"/api/v1/tickets/:id":                            f.ticket.ID,
		"/api/v1/tickets/:id/actions/:action":            f.ticket.ID,
		"/api/v1/follow-ups/:id":                         f.followUp.ID,
		"/api/v1/follow-ups/:id/actions/:action":         f.followUp.ID,
		"/api/v1/households/:id/move-out":                f.household.ID,
		"/api/v1/bills/:id":                              f.bill.ID,
		"/api/v1/bills/:id/disputes":                     f.bill.ID,
		"/api/v1/bills/:id/waivers":                      f.bill.ID,
		"/api/v1/disputes/:id/resolve":                   f.dispute.ID,
		"/api/v1/households/:id/arrears":                 f.household.ID,
		"/api/v1/households/:id/arrears/legal-decision":  f.household.ID,
		"/api/v1/households/:id/arrears/legal-documents": f.household.ID,
		"/api/v1/households/:id/arrears/legal-outcome":   f.household.ID,
		"/api/v1/plans/:id/approve":                      f.plan.ID,
		"/api/v1/collection-tasks/:id/outcome":           f.task.ID,
		"/api/v1/letters/:id":                            f.letter.ID,
		"/api/v1/letters/:id/service":                    f.letter.ID,
		"/api/v1/inbox/:id/read":                         f.ticket.ID, // own: TestAccessOwnEstate reads each role's own message
		"/api/v1/saved-filters/:id":                      f.filter.ID,
		"/api/v1/receipts/:id":                           f.receipt.ID,
		"/api/v1/receipts/:id/void":                      f.receipt.ID,
		"/api/v1/receipts/:id/reissue":                   f.receipt.ID,
		"/api/v1/reconciliations/:id":                    f.reconciliation.ID,
		"/api/v1/payments/:id/reversal":                  f.payment.ID,
		"/api/v1/fee-standards/:id":                      f.standard.ID,
		"/api/v1/fee-standards/:id/versions":             f.standard.ID,
		"/api/v1/meter-readings/:id/accept":              f.reading.ID,
		"/api/v1/bills/:id/adjustments":                  f.bill.ID,
		"/api/v1/imports/:id":                            f.imp.ID,
		"/api/v1/imports/:id/cancel":                     f.imp.ID,
		"/api/v1/attachments/:id":                        f.photo.ID,
		"/api/v1/attachments/:id/thumb":                  f.photo.ID,
		"/api/v1/tickets/:id/attachments":                f.ticket.ID,
		"/api/v1/follow-ups/:id/attachments":             f.followUp.ID,
		"/api/v1/disputes/:id/attachments":               f.dispute.ID,
		"/api/v1/residents/:id/links":                    f.resident.ID,
		"/api/v1/resident-links/:id/revoke":              f.link.ID,
		"/api/v1/equipment/:id":                          f.equipment.ID,
		"/api/v1/inspection-plans/:id":                   f.inspPlan.ID,
		"/api/v1/inspections/:id":                        f.inspection.ID,
		"/api/v1/inspections/:id/actions/:action":        f.inspection.ID,
		// Service contracts.
		"/api/v1/contracts/:id":                     f.contract.ID,
		"/api/v1/contracts/:id/versions":            f.contract.ID,
		"/api/v1/contracts/:id/actions/:action":     f.contract.ID,
		"/api/v1/contract-versions/:id/attachments": f.contractVersion.ID,

		"/api/v1/outages/:id":                 f.outage.ID,
		"/api/v1/outages/:id/actions/:action": f.outage.ID,
		"/api/v1/outages/:id/tickets":         f.outage.ID,
		"/api/v1/outages/:id/answer-tickets":  f.outage.ID,
		"/api/v1/notices/:id":                 f.notice.ID,
		"/api/v1/notices/:id/actions/:action": f.notice.ID,

		"/api/v1/survey-campaigns/:id":                 f.survey.ID,
		"/api/v1/survey-campaigns/:id/actions/:action": f.survey.ID,
		"/api/v1/survey-campaigns/:id/results":         f.survey.ID,
	}
}

// validBodies is a well-formed body for each scoped route that takes one, so
// that the only reason left to refuse it is the record's estate.
func validBodies() map[string]any {
	return map[string]any{
		"PATCH /api/v1/estates/:id":                           map[string]any{"name": "新名字"},
		"PUT /api/v1/estates/:id/policy":                      map[string]any{"version": 0, "policy": models.DefaultPolicy()},
		"PATCH /api/v1/staff/:id":                             map[string]any{"name": "新名字"},
		"PATCH /api/v1/residents/:id":                         map[string]any{"name": "新名字"},
		"PATCH /api/v1/units/:id":                             map[string]any{"occupancy": "vacant"},
		"POST /api/v1/imports/:id/cancel":                     map[string]any{},
		"POST /api/v1/residents/:id/phone-reveal":             map[string]any{"ref": "ticket:1"},
		"POST /api/v1/tickets/:id/actions/:action":            map[string]any{"note": "备注"},
		"POST /api/v1/follow-ups/:id/actions/:action":         map[string]any{"note": "备注"},
		"POST /api/v1/households/:id/move-out":                map[string]any{"reason": "出售"},
		"POST /api/v1/bills/:id/disputes":                     map[string]any{"reason": "面积有误"},
		"POST /api/v1/bills/:id/waivers":                      map[string]any{"amount_fen": 100, "reason": "困难业主"},
		"POST /api/v1/disputes/:id/resolve":                   map[string]any{"resolution": "核实无误"},
		"POST /api/v1/payments/:id/reversal":                  map[string]any{"reason": "错账冲正"},
		"POST /api/v1/households/:id/arrears/legal-decision":  map[string]any{"approve": false, "reason": "再沟通"},
		"POST /api/v1/households/:id/arrears/legal-documents": map[string]any{"kind": "evidence", "name": "催缴函", "date": "2026-03-01"},
		"POST /api/v1/households/:id/arrears/legal-outcome":   map[string]any{"outcome": "mediated", "date": "2026-03-01"},
		"POST /api/v1/plans/:id/approve":                      map[string]any{},
		"POST /api/v1/collection-tasks/:id/outcome":           map[string]any{"outcome": "reached"},
		"POST /api/v1/letters/:id/service":                    map[string]any{"delivery_method": "in_person", "served_on": "2030-01-01"},
		"POST /api/v1/receipts/:id/void":                      map[string]any{"reason": "打印错误"},
		"POST /api/v1/receipts/:id/reissue":                   map[string]any{},
		"POST /api/v1/fee-standards/:id/versions":             map[string]any{"unit_price": "2.50", "property_types": []string{"residential"}, "valid_from": "2030-01"},
		"POST /api/v1/meter-readings/:id/accept":              map[string]any{"value": "9.5"},
		"POST /api/v1/bills/:id/adjustments":                  map[string]any{"amount_fen": -100, "reason": "面积更正"},
		// Photos come as multipart forms: a JSON body reaches the form
		// check (400) only past the record's estate.
		"POST /api/v1/tickets/:id/attachments":    map[string]any{},
		"POST /api/v1/follow-ups/:id/attachments": map[string]any{},
		"POST /api/v1/disputes/:id/attachments":   map[string]any{},
		"POST /api/v1/residents/:id/links":        map[string]any{"purpose": "my_bill"},
		"POST /api/v1/resident-links/:id/revoke":  map[string]any{},
		// Service contracts.
		"POST /api/v1/contracts/:id/versions":            map[string]any{"effective_on": "2026-06-01", "changes": "调整服务等级", "service_level": "level1"},
		"POST /api/v1/contracts/:id/actions/:action":     map[string]any{"note": "备注"},
		"POST /api/v1/contract-versions/:id/attachments": map[string]any{},
		"POST /api/v1/inspections/:id/actions/:action":   map[string]any{"note": "备注"},

		"POST /api/v1/outages/:id/actions/:action": map[string]any{"note": "备注"},
		"POST /api/v1/outages/:id/answer-tickets":  map[string]any{},
		"POST /api/v1/notices/:id/actions/:action": map[string]any{"reason": "撤回"},

		"POST /api/v1/survey-campaigns/:id/actions/:action": map[string]any{"note": "备注"},
		"PATCH /api/v1/equipment/:id":                       map[string]any{"name": "新名字"},
		"PATCH /api/v1/inspection-plans/:id":                map[string]any{"name": "新名字"},
	}
}

func fillPath(path string, id uint64) string {
	return strings.NewReplacer(":id", fmt.Sprint(id), ":action", "note").Replace(path)
}

// TestAccessEveryRouteEveryRole walks the route table: without credentials
// every private route answers 401; a role the route does not admit gets 403;
// an admitted role of estate A asking for estate B's record gets 404, as if
// the record did not exist.
func TestAccessEveryRouteEveryRole(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		idsA, idsB, bodies := recordIDs(h.a), recordIDs(h.b), validBodies()
		for _, r := range New(Options{Store: s}).routes() {
			if r.public {
				continue
			}
			key := r.method + " " + r.path
			if strings.Contains(r.path, ":id") {
				if _, ok := idsB[r.path]; !ok {
					t.Errorf("%s: no fixture record in recordIDs; add one so its access is tested", key)
					continue
				}
			}
			h.wantError(h.do(r.method, fillPath(r.path, idsA[r.path]), "", nil, nil), http.StatusUnauthorized, codeUnauthorized, "")
			for _, role := range models.Roles() {
				tok := h.tokens[role]
				if !slices.Contains(r.roles, role) {
					h.wantError(h.do(r.method, fillPath(r.path, idsA[r.path]), tok, bodies[key], nil), http.StatusForbidden, codeForbidden, "")
					continue
				}
				if !r.scoped || role == models.RoleCompanyAdmin {
					continue
				}
				body, needs := bodies[key]
				if !needs && (r.method == http.MethodPut || r.method == http.MethodPatch || r.method == http.MethodPost) {
					t.Errorf("%s: no valid body in validBodies; add one so its access is tested", key)
					continue
				}
				h.wantError(h.do(r.method, fillPath(r.path, idsB[r.path]), tok, body, nil), http.StatusNotFound, codeNotFound, "")
			}
		}
	})
}

// TestListsNeverLeakAnotherEstate reads every list route as every admitted
// role of estate A and finds no record of estate B, even when asking for it.
func TestListsNeverLeakAnotherEstate(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		for _, r := range New(Options{Store: s}).routes() {
			if r.public || r.method != http.MethodGet || strings.Contains(r.path, ":") || !strings.Contains(fmt.Sprintf("%T", r.resp), "listBody") {
				continue
			}
			for _, role := range r.roles {
				if role == models.RoleCompanyAdmin {
					continue
				}
				for _, q := range []string{"", fmt.Sprintf("?estate_id=%d", h.b.estate.ID)} {
					var got struct {
						Items []map[string]any `json:"items"`
					}
					res := h.do(http.MethodGet, r.path+q, h.tokens[role], nil, &got)
					h.wantStatus(res, http.StatusOK)
					for _, item := range got.Items {
						if id, ok := item["estate_id"].(float64); ok && uint64(id) != h.a.estate.ID {
							raw, _ := json.Marshal(item)
							t.Errorf("%s%s as %s: got %s of estate %v, want only estate %d", r.path, q, role, raw, id, h.a.estate.ID)
						}
						if r.path == "/api/v1/estates" && uint64(item["id"].(float64)) != h.a.estate.ID {
							t.Errorf("estates as %s: got estate %v, want only %d", role, item["id"], h.a.estate.ID)
						}
					}
				}
			}
		}
	})
}

// ownEstateBodies is a valid body, naming estate A's records, for each
// private route that takes a body and names no record in its path. A new
// route with a body fails TestAccessOwnEstate until it is added here.
func ownEstateBodies(h *harness) map[string]any {
	a := h.a
	return map[string]any{
		"PUT /api/v1/me/password": map[string]any{"current_password": testPassword, "new_password": testPassword},
		"POST /api/v1/tokens":     map[string]any{"name": "监控"},
		"POST /api/v1/staff": map[string]any{"estate_id": a.estate.ID, "username": "own-new", "name": "新员工",
			"role": "technician", "password": "staff-password"},
		"POST /api/v1/estates":    map[string]any{"code": "OWN", "name": "新小区"},
		"POST /api/v1/buildings":  map[string]any{"estate_id": a.estate.ID, "name": "2栋"},
		"POST /api/v1/units":      map[string]any{"building_id": a.building.ID, "number": "202"},
		"POST /api/v1/households": map[string]any{"unit_id": a.unit.ID},
		"POST /api/v1/residents":  map[string]any{"household_id": a.household.ID, "name": "李四", "phone": "13812345678", "role": "tenant"},
		"POST /api/v1/tickets": map[string]any{"estate_id": a.estate.ID, "kind": "repair", "urgency": "normal", "category": "门窗",
			"description": "窗户关不上", "household_id": a.household.ID, "channel": "phone"},
		"POST /api/v1/fee-items":    map[string]any{"household_id": a.household.ID, "name": "物业费", "amount_fen": 12000},
		"POST /api/v1/bills":        map[string]any{"household_id": a.household.ID, "period": "2030-02", "amount_fen": 12000},
		"POST /api/v1/billing-runs": map[string]any{"estate_id": a.estate.ID, "period": "2030-03"},
		"POST /api/v1/payments": map[string]any{"household_id": a.household.ID, "amount_fen": 100, "paid_at": "2026-01-05T10:00:00+08:00",
			"channel": "wechat", "reference": "own-1"},
		"POST /api/v1/plans": map[string]any{"household_id": a.household.ID, "reason": "失业",
			"instalments": []map[string]any{{"due": "2030-05-01", "amount_fen": 6000}}},
		"POST /api/v1/move-ins":         map[string]any{"household_id": a.household.ID, "resident_ids": []uint64{a.resident.ID}},
		"POST /api/v1/survey-campaigns": surveyBody(a.estate.ID),
		"POST /api/v1/contracts": map[string]any{"estate_id": a.estate.ID, "number": "HT-OWN", "party_a_kind": "owners_assembly",
			"party_a": "业主大会", "party_b": "物业公司", "term_start": "2027-01-01", "term_end": "2029-12-31", "service_level": "level2"},
		"POST /api/v1/outages": map[string]any{"estate_id": a.estate.ID, "utility": "water", "buildings": []string{"1栋"},
			"starts_at": time.Now().Add(72 * time.Hour), "ends_at": time.Now().Add(75 * time.Hour), "reason": "管网检修"},
		"POST /api/v1/notices": map[string]any{"estate_id": a.estate.ID, "title": "消防演练", "body": "本周六上午消防演练。",
			"expires_at": time.Now().Add(48 * time.Hour)},

		"POST /api/v1/saved-filters": map[string]any{"list": "tickets", "name": "待处理", "query": "status=new"},
		"POST /api/v1/fee-standards": map[string]any{"estate_id": a.estate.ID, "name": "垃圾清运费", "method": "per_unit",
			"unit_price": "10", "property_types": []string{"residential"}, "valid_from": "2026-01"},
		"POST /api/v1/meter-readings":       map[string]any{"unit_id": a.unit.ID, "kind": "electricity", "period": "2030-01", "value": "120.5"},
		"POST /api/v1/billing-runs/preview": map[string]any{"estate_id": a.estate.ID, "period": "2030-03"},
		"POST /api/v1/equipment":            map[string]any{"estate_id": a.estate.ID, "code": "SB-09", "name": "水泵", "type": "pump", "location": "泵房"},
		"POST /api/v1/inspection-plans": map[string]any{"estate_id": a.estate.ID, "name": "每日巡逻", "cadence": "daily", "at": "08:00",
			"assignee_role": "technician", "checklist": []map[string]any{{"text": "消防通道畅通", "required": true}}},
	}
}

// TestAccessOwnEstate walks the route table the other way: every role a
// route admits, asking for its own estate's records with a valid body, is
// let through — whatever the answer, it is not 401, 403 or 404. (Without a
// Temporal server here, a route that reaches a process answers 5xx; that is
// past the access checks.) Deletions run last, once each, so that they do
// not take away what the other routes read, and password changes
// (which end the caller's sessions) after them.
func TestAccessOwnEstate(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		ids, bodies, created := recordIDs(h.a), validBodies(), ownEstateBodies(h)
		rs := New(Options{Store: s}).routes()
		// A password change ends the caller's sessions: it runs after the rest.
		last := func(r route) int {
			switch {
			case r.path == "/api/v1/me/password":
				return 2
			case r.method == http.MethodDelete:
				return 1
			}
			return 0
		}
		token := func(r route, role models.Role) string {
			if last(r) > 0 { // a session of its own, so that the others stay open
				return h.signIn("a-"+string(role), testPassword)
			}
			return h.tokens[role]
		}
		slices.SortStableFunc(rs, func(x, y route) int { return last(x) - last(y) })
		for _, r := range rs {
			if r.public {
				continue
			}
			key := r.method + " " + r.path
			body, ok := bodies[key]
			if !ok {
				body, ok = created[key]
			}
			if r.body != nil && !ok {
				t.Errorf("%s: no valid body in validBodies or ownEstateBodies; add one so own-estate access is tested", key)
				continue
			}
			for _, role := range r.roles {
				path := fillPath(r.path, ids[r.path])
				if r.own { // a record of the caller's own: a message to them
					path = fillPath(r.path, h.messageTo(h.staffOf(role)))
				}
				if r.stream {
					if got := h.openStream(path, token(r, role), ""); got.StatusCode != http.StatusOK {
						t.Errorf("%s as %s: got %d, want the stream open", key, role, got.StatusCode)
					}
					continue
				}
				res := h.do(r.method, path, token(r, role), body, nil)
				switch res.status {
				case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
					t.Errorf("%s as %s of the record's own estate: got %d %s, want access", res.req, role, res.status, res.body)
				}
				if r.method == http.MethodDelete {
					break // the record is gone; the next role would find nothing
				}
			}
		}
	})
}

// surveyBody creates a campaign of this quarter, opening in an hour (or
// now, in the quarter's last hour) and closing by the quarter's end plus
// the policy's grace.
func surveyBody(estate uint64) map[string]any {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	q := (int(now.Month())-1)/3 + 1
	return map[string]any{"estate_id": estate, "quarter": fmt.Sprintf("%dQ%d", now.Year(), q),
		"opens_at": now.Add(time.Minute), "closes_at": now.Add(10 * 24 * time.Hour)}
}
