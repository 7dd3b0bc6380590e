package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// TestOutageAndNoticeInputs: the refusals that come before any process
// starts (400 naming the field, 403 for an emergency by a non-manager,
// 404 for another estate), and the lists with their counts.
func TestOutageAndNoticeInputs(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		cs := h.tokens[models.RoleCustomerService]
		soon := time.Now().Add(2 * time.Hour)
		outage := func(estate uint64, start time.Time, emergency bool) map[string]any {
			return map[string]any{"estate_id": estate, "utility": "water", "buildings": []string{"1栋"}, "starts_at": start,
				"ends_at": start.Add(3 * time.Hour), "reason": "管网检修", "emergency": emergency}
		}
		h.wantError(h.do(http.MethodPost, "/api/v1/outages", cs, outage(h.a.estate.ID, soon, false), nil), http.StatusBadRequest, codeInvalidInput, "starts_at")
		h.wantError(h.do(http.MethodPost, "/api/v1/outages", cs, outage(h.a.estate.ID, soon, true), nil), http.StatusForbidden, codeForbidden, "")
		h.wantError(h.do(http.MethodPost, "/api/v1/outages", cs, outage(h.b.estate.ID, soon.Add(48*time.Hour), false), nil), http.StatusNotFound, codeNotFound, "")
		bad := outage(h.a.estate.ID, soon.Add(48*time.Hour), false)
		bad["utility"] = "heat"
		h.wantError(h.do(http.MethodPost, "/api/v1/outages", cs, bad, nil), http.StatusBadRequest, codeInvalidInput, "utility")

		var list struct {
			Items []models.Outage `json:"items"`
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/outages?active=true", cs, nil, &list), http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].ID != h.a.outage.ID {
			t.Errorf("outages: got %+v, want estate A's only", list.Items)
		}
		h.wantError(h.do(http.MethodGet, "/api/v1/outages?status=gone", cs, nil, nil), http.StatusBadRequest, codeInvalidInput, "status")

		notice := map[string]any{"estate_id": h.a.estate.ID, "title": "停车场维修", "body": "本周六停车场维修。", "expires_at": time.Now().Add(24 * time.Hour), "emergency": true}
		h.wantError(h.do(http.MethodPost, "/api/v1/notices", cs, notice, nil), http.StatusForbidden, codeForbidden, "")
		notice["emergency"], notice["title"] = false, ""
		h.wantError(h.do(http.MethodPost, "/api/v1/notices", cs, notice, nil), http.StatusBadRequest, codeInvalidInput, "title")
		var notices struct {
			Items []noticeRow `json:"items"`
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/notices", cs, nil, &notices), http.StatusOK)
		if len(notices.Items) != 1 || notices.Items[0].ID != h.a.notice.ID || notices.Items[0].Counts.Messages != 0 {
			t.Errorf("notices: got %+v, want estate A's with no messages yet", notices.Items)
		}
		var board noticeBoard
		h.wantStatus(h.do(http.MethodGet, "/api/v1/notice-board", cs, nil, &board), http.StatusOK)
		if len(board.OutagesOn) != 0 || board.NoticesPublished != 0 {
			t.Errorf("board: got %+v, want nothing on yet", board)
		}
	})
}
