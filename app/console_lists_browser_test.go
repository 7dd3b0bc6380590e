package app

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleListsInABrowser: on the service desk's list, customer service
// sees who handles each ticket (处理人), narrows the list with the search
// box, reorders it by clicking a column header (aria-sort says how), saves
// the search as a filter and applies it again from the dropdown, and finds
// the CSV export link carrying the current filters. At 375 px the rows stay
// labelled cards and the tools fit the screen.
func TestConsoleListsInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, ids := estateWithStaff(t, a, "LST", func(*models.Policy) {})
	admin, desk := as[models.RoleCompanyAdmin], as[models.RoleCustomerService]
	var building, unit, household idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	var tickets []uint64
	for _, tk := range []map[string]any{
		{"category": "水管", "description": "卫生间漏水", "household_id": household.ID},
		{"category": "电梯", "description": "电梯异响", "location": "3栋电梯"},
		{"category": "门窗", "description": "单元门关不上", "location": "2栋大堂"},
	} {
		var got idOnly
		tk["estate_id"], tk["kind"], tk["urgency"], tk["channel"] = estateID, "repair", "normal", "phone"
		desk.mustCall(http.MethodPost, "/api/v1/tickets", tk, &got, http.StatusCreated)
		tickets = append(tickets, got.ID)
	}
	leak := tickets[0]
	desk.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/dispatch", leak), map[string]any{"assignee_id": ids[models.RoleTechnician]}, nil, http.StatusOK)
	tech := "LST-technician"
	waitFor(t, 30*time.Second, "the dispatch in the list", func() bool {
		var l struct {
			Items []struct {
				ID           uint64 `json:"id"`
				AssigneeName string `json:"assignee_name"`
			} `json:"items"`
		}
		desk.mustCall(http.MethodGet, "/api/v1/tickets?q=%23"+fmt.Sprint(leak), nil, &l, http.StatusOK)
		return len(l.Items) == 1 && l.Items[0].AssigneeName == tech
	})

	b := newBrowser(t, base)
	b.signIn("LST-customer_service", "staff-password")
	row := func(id uint64) string { return fmt.Sprintf(`#ticket-list tr[data-ticket="%d"]`, id) }
	shown := func() []string {
		return eval[[]string](b, `[...document.querySelectorAll('#ticket-list tr[data-ticket]')].map((r) => r.dataset.ticket)`)
	}
	b.do("the list", chromedp.WaitVisible(chromedp.CSS(row(tickets[2]))))
	if got := b.text(row(leak) + " td.assignee"); got != tech {
		t.Errorf("处理人 of ticket %d: got %q, want %q", leak, got, tech)
	}

	// Sorting by 编号 ascending, then descending.
	b.do("sort by 编号", chromedp.Click(chromedp.CSS(`#ticket-list th[data-sort=id] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-list th[data-sort=id][aria-sort=ascending]`)))
	up := shown()
	b.do("sort by 编号 descending", chromedp.Click(chromedp.CSS(`#ticket-list th[data-sort=id] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-list th[data-sort=id][aria-sort=descending]`)))
	down := shown()
	b.shot("lists-sorted")
	want := []string{fmt.Sprint(tickets[0]), fmt.Sprint(tickets[1]), fmt.Sprint(tickets[2])}
	if !slices.Equal(up, want) || !slices.Equal(down, []string{want[2], want[1], want[0]}) {
		t.Errorf("sort by 编号: got %v then %v, want %v then reversed", up, down, want)
	}

	// The search box narrows the list to the leak.
	b.do("search 漏水",
		chromedp.SendKeys(chromedp.CSS(`#list-search`), "漏水\r"),
		chromedp.WaitNotPresent(chromedp.CSS(row(tickets[1]))),
		chromedp.WaitVisible(chromedp.CSS(row(leak))))
	if got := shown(); len(got) != 1 {
		t.Errorf("search 漏水: got tickets %v, want only %d", got, leak)
	}
	href := eval[string](b, `document.getElementById('export-csv').getAttribute('href')`)
	if !strings.Contains(href, "format=csv") || !strings.Contains(href, "q=") {
		t.Errorf("export link: got %q, want the list as CSV with its search", href)
	}

	// Save it, clear the search, apply the saved filter again.
	b.do("save the filter",
		chromedp.Click(chromedp.CSS(`#save-filter`)),
		chromedp.WaitVisible(chromedp.CSS(`#filter-name`)),
		chromedp.SendKeys(chromedp.CSS(`#filter-name`), "漏水工单"),
		chromedp.Click(chromedp.CSS(`#save-filter`)),
		chromedp.WaitReady(chromedp.CSS(`#saved-filters option:nth-child(2)`)))
	b.do("back to every ticket", chromedp.Navigate(b.base+"/console/#/tickets"), chromedp.WaitVisible(chromedp.CSS(row(tickets[1]))))
	b.do("apply the saved filter",
		chromedp.WaitReady(chromedp.CSS(`#saved-filters option:nth-child(2)`)),
		chromedp.SetValue(chromedp.CSS(`#saved-filters`), eval[string](b, `document.querySelector('#saved-filters option:nth-child(2)').value`)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('saved-filters').dispatchEvent(new Event('change'))`),
		chromedp.WaitNotPresent(chromedp.CSS(row(tickets[1]))),
		chromedp.WaitVisible(chromedp.CSS(row(leak))))
	b.shot("lists-saved-filter")
	if got := eval[string](b, `document.getElementById('list-search').value`); got != "漏水" {
		t.Errorf("search box after the saved filter: got %q, want 漏水", got)
	}

	// A phone: labelled cards, the tools on screen, and a select to sort
	// by since the header row is hidden.
	if got := eval[string](b, `getComputedStyle(document.getElementById('list-sort')).display`); got != "none" {
		t.Errorf("the phone's sort select at 1366px: got display %q, want none", got)
	}
	b.do("a phone screen", chromedp.EmulateViewport(375, 740), chromedp.WaitVisible(chromedp.CSS(row(leak))),
		chromedp.WaitVisible(chromedp.CSS(`#list-sort`)))
	if n := b.count(`#list-sort option[value="-reported_at"]`); n != 1 {
		t.Errorf("the phone's sort select: got %d options 登记时间 降序, want 1", n)
	}
	if got := eval[string](b, fmt.Sprintf(`document.querySelector('%s td.assignee').dataset.label`, row(leak))); got != "处理人" {
		t.Errorf("assignee cell at 375px: got label %q, want 处理人", got)
	}
	b.fitsPhone("lists")
}
