package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// TestResidentContactWindow: the residents API sets and clears a resident's
// preferred channel, contact times and contact window, and refuses a bad
// window naming the field.
func TestResidentContactWindow(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tok := h.tokens[models.RoleCustomerService]
		path := fmt.Sprintf("/api/v1/residents/%d", h.a.resident.ID)
		body := map[string]any{"preferred_channel": "wechat", "contact_times": "工作日晚上", "email": "li@example.com",
			"contact_window": map[string]any{"from": "18:00", "to": "21:00", "weekdays": []int{1, 2, 3, 4, 5}}}
		h.wantStatus(h.do(http.MethodPatch, path, tok, body, nil), http.StatusOK)
		var got residentView
		h.wantStatus(h.do(http.MethodGet, path, tok, nil, &got), http.StatusOK)
		w := got.ContactWindow
		if got.PreferredChannel != models.ChannelWeChat || got.ContactTimes != "工作日晚上" || got.Email != "li@example.com" ||
			w == nil || w.From != "18:00" || w.To != "21:00" || len(w.Weekdays) != 5 || w.Weekdays[0] != time.Monday {
			t.Errorf("got %+v (window %+v), want wechat, 工作日晚上, 18:00-21:00 Mon-Fri", got.Resident, w)
		}
		h.wantError(h.do(http.MethodPatch, path, tok, map[string]any{"contact_window": map[string]any{"from": "21:00", "to": "18:00"}}, nil),
			http.StatusBadRequest, codeInvalidInput, "contact_window.to")
		h.wantError(h.do(http.MethodPatch, path, tok, map[string]any{"preferred_channel": "pigeon"}, nil),
			http.StatusBadRequest, codeInvalidInput, "preferred_channel")
		h.wantStatus(h.do(http.MethodPatch, path, tok, map[string]any{"contact_window": map[string]any{"from": "", "to": ""}}, nil), http.StatusOK)
		got = residentView{}
		h.wantStatus(h.do(http.MethodGet, path, tok, nil, &got), http.StatusOK)
		if got.ContactWindow != nil || got.PreferredChannel != models.ChannelWeChat {
			t.Errorf("after clearing the window: got %+v, want no window, wechat kept", got.Resident)
		}
	})
}
