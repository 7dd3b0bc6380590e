package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// seedTickets adds n tickets to estate a, every other one assigned to its
// technician, three reported at each instant (ties), and returns their ids.
func seedTickets(h *harness, n int) []uint64 {
	h.t.Helper()
	base := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	var ids []uint64
	for i := range n {
		t := models.Ticket{EstateID: h.a.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal,
			Category: fmt.Sprintf("类别%02d", i%5), Description: fmt.Sprintf("第%d号 问题", i), Location: "公共区域",
			Channel: models.ReportPhone, FirstReceiverID: h.a.staff.ID, ReportedAt: base.Add(time.Duration(i/3) * time.Hour)}
		if i%2 == 0 {
			t.AssigneeID = &h.a.staff.ID
		}
		if i == 0 {
			t.HouseholdID, t.ResidentID = &h.a.household.ID, &h.a.resident.ID
		}
		got, _, err := h.store.CreateTicket(context.Background(), store.AllEstates(), &t, "")
		h.must(err)
		ids = append(ids, got.ID)
	}
	return ids
}

func TestTicketListSortSearchCursor(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleCustomerService]
	seeded := seedTickets(h, 13)

	for _, bad := range []string{"description", "-", "--id", "estate_id"} {
		h.wantError(h.do(http.MethodGet, "/api/v1/tickets?sort="+url.QueryEscape(bad), tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "sort")
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/tickets?cursor=xyz", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "cursor")

	// Walk -reported_at by cursor, 4 at a time: every ticket once, newest first.
	var walked []uint64
	var lastAt time.Time
	path := "/api/v1/tickets?sort=-reported_at&page_size=4"
	for range 10 {
		var l listBody[ticketRow]
		h.wantStatus(h.do(http.MethodGet, path, tok, nil, &l), http.StatusOK)
		for _, r := range l.Items {
			if !lastAt.IsZero() && r.ReportedAt.After(lastAt) {
				t.Errorf("-reported_at: ticket %d at %v after one at %v", r.ID, r.ReportedAt, lastAt)
			}
			lastAt = r.ReportedAt
			walked = append(walked, r.ID)
		}
		if l.NextCursor == "" {
			break
		}
		path = "/api/v1/tickets?sort=-reported_at&page_size=4&cursor=" + url.QueryEscape(l.NextCursor)
	}
	all := append([]uint64{h.a.ticket.ID}, seeded...)
	got := slices.Sorted(slices.Values(walked))
	if !slices.Equal(got, all) {
		t.Errorf("walk by cursor: got %v, want every ticket once %v", walked, all)
	}

	// Search narrows; the assignee's name is shown.
	var l listBody[ticketRow]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/tickets?q="+url.QueryEscape("第7号"), tok, nil, &l), http.StatusOK)
	if len(l.Items) != 1 || l.Items[0].ID != seeded[7] {
		t.Errorf("q=第7号: got %d tickets, want ticket %d", len(l.Items), seeded[7])
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/tickets?q="+url.QueryEscape("1栋101"), tok, nil, &l), http.StatusOK)
	if len(l.Items) != 2 || l.Items[0].Address != "1栋 101" {
		t.Errorf("q=1栋101: got %+v, want the two tickets of 1栋 101 with their address", l.Items)
	}
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets?assignee_id=%d&sort=id", h.a.staff.ID), tok, nil, &l), http.StatusOK)
	if l.Total != 7 || l.Items[0].AssigneeName != h.a.staff.Name || l.Items[0].AssigneeName == "" {
		t.Errorf("assignee_id: got %d tickets, first assignee %q; want 7, %q", l.Total, l.Items[0].AssigneeName, h.a.staff.Name)
	}
	// page= still works.
	h.wantStatus(h.do(http.MethodGet, "/api/v1/tickets?sort=id&page=2&page_size=5", tok, nil, &l), http.StatusOK)
	if len(l.Items) != 5 || l.Items[0].ID != all[5] {
		t.Errorf("page 2: got %d items from %d, want 5 from %d", len(l.Items), l.Items[0].ID, all[5])
	}
	// before= reads the page before, by the prev_cursor of the page after.
	if l.PrevCursor == "" {
		t.Fatal("page 2: got no prev_cursor, want one")
	}
	prev := l.PrevCursor
	l = listBody[ticketRow]{}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/tickets?sort=id&page_size=5&before="+url.QueryEscape(prev), tok, nil, &l), http.StatusOK)
	if len(l.Items) != 5 || l.Items[0].ID != all[0] || l.PrevCursor != "" || l.NextCursor == "" {
		t.Errorf("before page 2: got %d items from %d, prev %q; want 5 from %d, no prev, a next", len(l.Items), l.Items[0].ID, l.PrevCursor, all[0])
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/tickets?sort=id&before="+url.QueryEscape(l.NextCursor)+"&cursor="+url.QueryEscape(l.NextCursor), tok, nil, nil),
		http.StatusBadRequest, codeInvalidInput, "before")
}

func TestTicketListCSV(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	seedTickets(h, 3)
	res := h.do(http.MethodGet, "/api/v1/tickets?format=csv&sort=id", h.tokens[models.RoleCustomerService], nil, nil)
	h.wantStatus(res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type: got %q, want text/csv", ct)
	}
	if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition: got %q, want an attachment", cd)
	}
	if !bytes.HasPrefix(res.body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("body: got %q…, want a UTF-8 byte-order mark first", res.body[:min(10, len(res.body))])
	}
	rows, err := csv.NewReader(bytes.NewReader(res.body[3:])).ReadAll()
	h.must(err)
	// Estate A's four tickets only, under Chinese headers, the phone masked.
	if len(rows) != 5 || rows[0][0] != "工单号" || !slices.Contains(rows[0], "处理人") {
		t.Fatalf("csv: got %d rows, header %v; want 1 + 4, 工单号 … 处理人", len(rows), rows[0])
	}
	if body := string(res.body); strings.Contains(body, "13812345678") || !strings.Contains(body, "138****5678") {
		t.Errorf("csv: got phone %q, want it masked", body)
	}
	if rows[1][0] != fmt.Sprint(h.a.ticket.ID) {
		t.Errorf("csv first row: got %v, want ticket %d", rows[1], h.a.ticket.ID)
	}
	// Codes read as staff name them: kind, urgency and status in Chinese.
	if want := []string{h.a.ticket.Kind.Label(), h.a.ticket.Urgency.Label()}; len(rows[1]) < 9 || !slices.Equal(rows[1][1:3], want) ||
		rows[1][8] != h.a.ticket.Status.Label() || rows[1][8] == string(h.a.ticket.Status) {
		t.Errorf("csv first row: got %v, want kind and urgency %v and status %s in Chinese", rows[1], want, h.a.ticket.Status.Label())
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/tickets?format=xls", h.tokens[models.RoleCustomerService], nil, nil), http.StatusBadRequest, codeInvalidInput, "format")
	for _, path := range []string{"/api/v1/follow-ups?format=csv", "/api/v1/arrears?format=csv"} {
		res := h.do(http.MethodGet, path, h.tokens[models.RoleEstateManager], nil, nil)
		h.wantStatus(res, http.StatusOK)
		if !bytes.HasPrefix(res.body, []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s: got %q…, want a UTF-8 CSV", path, res.body[:min(10, len(res.body))])
		}
	}
}

func TestSavedFilters(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	mine, theirs := h.tokens[models.RoleFinance], h.tokens[models.RoleSupervisor]
	var f models.SavedFilter
	h.wantStatus(h.do(http.MethodPost, "/api/v1/saved-filters", mine,
		map[string]any{"list": "tickets", "name": "超时特急", "query": "?urgency=critical&breached=true&page=3&cursor=abc"}, &f), http.StatusCreated)
	if f.Query != "breached=true&urgency=critical" {
		t.Errorf("saved query: got %q, want the filters without page or cursor", f.Query)
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/saved-filters", mine, map[string]any{"list": "tickets", "name": "超时特急", "query": ""}, nil),
		http.StatusConflict, codeConflict, "")
	h.wantError(h.do(http.MethodPost, "/api/v1/saved-filters", mine, map[string]any{"list": "bills", "name": "x"}, nil),
		http.StatusBadRequest, codeInvalidInput, "list")

	var l listBody[models.SavedFilter]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/saved-filters?list=tickets", mine, nil, &l), http.StatusOK)
	if len(l.Items) != 1 || l.Items[0].ID != f.ID {
		t.Errorf("own filters: got %+v, want the one saved", l.Items)
	}
	h.wantStatus(h.do(http.MethodGet, "/api/v1/saved-filters", theirs, nil, &l), http.StatusOK)
	if len(l.Items) != 0 {
		t.Errorf("another's filters: got %+v, want none", l.Items)
	}
	h.wantError(h.do(http.MethodDelete, fmt.Sprintf("/api/v1/saved-filters/%d", f.ID), theirs, nil, nil), http.StatusNotFound, codeNotFound, "")
	h.wantStatus(h.do(http.MethodDelete, fmt.Sprintf("/api/v1/saved-filters/%d", f.ID), mine, nil, nil), http.StatusNoContent)
	h.wantError(h.do(http.MethodDelete, fmt.Sprintf("/api/v1/saved-filters/%d", f.ID), mine, nil, nil), http.StatusNotFound, codeNotFound, "")
}

func TestArrearsListAssignee(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tok := h.tokens[models.RoleEstateManager]
	var l arrearsList
	h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears", tok, nil, &l), http.StatusOK)
	if len(l.Items) != 1 || l.Items[0].AssigneeName != h.a.staff.Name {
		t.Fatalf("arrears: got %+v, want the case with its open task's assignee %q", l.Items, h.a.staff.Name)
	}
	for q, want := range map[string]int{
		fmt.Sprintf("assignee_id=%d", h.a.staff.ID): 1,
		fmt.Sprintf("assignee_id=%d", h.b.staff.ID): 0,
		"q=" + url.QueryEscape("1栋101"):             1,
		"q=" + url.QueryEscape("2栋101"):             0,
		"sort=-owed_fen":                            1,
	} {
		h.wantStatus(h.do(http.MethodGet, "/api/v1/arrears?"+q, tok, nil, &l), http.StatusOK)
		if len(l.Items) != want {
			t.Errorf("arrears?%s: got %d cases, want %d", q, len(l.Items), want)
		}
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/arrears?sort=workflow_id", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "sort")
	h.wantError(h.do(http.MethodGet, "/api/v1/follow-ups?sort=visit", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "sort")
}
