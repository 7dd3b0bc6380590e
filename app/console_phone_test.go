package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/models"
)

// phoneLayout is what layoutCheck finds on the page in view.
type phoneLayout struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Header      float64  `json:"header"`
	Small       []string `json:"small"`
	Unlabelled  []string `json:"unlabelled"`
	Cells       int      `json:"cells"`
}

// layoutCheck measures the page: how wide it is, how tall the header is,
// every visible control smaller than 44×44 px (a checkbox counts by its
// label) and every visible table cell that shows no column label of its own.
// A cell alone in its row spanning every column (a "nothing here" message)
// needs none.
const layoutCheck = `(() => {
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    ' "' + (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 20) + '"';
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, select, textarea, input:not([type=hidden]), [role=tab]')) {
    if (!shown(el)) continue;
    const box = el.matches('input[type=checkbox], input[type=radio]') ? (el.closest('label') || el) : el;
    const r = box.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) small.push(name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  const unlabelled = [];
  let cells = 0;
  for (const td of document.querySelectorAll('#view table tbody td, #view table tfoot td, #view table tfoot th')) {
    if (!shown(td)) continue;
    cells++;
    if (td.parentElement.cells.length === 1 && td.colSpan > 1) continue;
    const label = (td.dataset.label || '').trim();
    const before = getComputedStyle(td, '::before').content;
    if (!label || before === 'none' || !before.includes(label)) unlabelled.push(name(td) + ' label=' + JSON.stringify(label) + ' shown=' + before);
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: innerWidth,
    header: document.getElementById('top').getBoundingClientRect().height, small, unlabelled, cells };
})()`

// tablesAreTables is true when every table in view lays out as a table with
// its header row showing, as on a desktop screen.
const tablesAreTables = `[...document.querySelectorAll('#view table')].every((t) =>
  getComputedStyle(t).display === 'table' &&
  (!t.tHead || getComputedStyle(t.tHead).display === 'table-header-group') &&
  [...t.querySelectorAll('td')].every((td) => getComputedStyle(td).display === 'table-cell' || getComputedStyle(td).display === 'none'))`

// consolePage is a page of the console and what shows once it is ready.
type consolePage struct{ name, hash, ready string }

// consoleForm is a form an action button on a page opens.
type consoleForm struct{ name, hash, button, form string }

// consoleTour starts the service with one estate holding a ticket, a
// household in arrears and a move-in follow-up, and answers the console's
// main pages and action forms over that data, for the estate manager
// (PHN-estate_manager); the others of the estate are PHN-<role>, all with
// the password "staff-password".
func consoleTour(t *testing.T) (base string, pages []consolePage, forms []consoleForm, ticketID uint64) {
	t.Helper()
	cfg := testConfig(t, t.TempDir())
	cfg.TemporalUIURL = "http://127.0.0.1:8233"
	a := startApp(t, cfg)
	base = "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "PHN", secondScaleDunning)
	admin, fin, desk := as[models.RoleCompanyAdmin], as[models.RoleFinance], as[models.RoleCustomerService]
	var building, unit, household, emptyUnit idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	var owner idOnly
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": "王业主", "phone": "13912345678", "role": "owner"}, &owner, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "102"}, &emptyUnit, http.StatusCreated)
	var ticket idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "normal", "category": "门窗", "description": "窗户关不严", "household_id": household.ID, "channel": "phone"}, &ticket, http.StatusCreated)
	desk.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/residents/%d/phone-reveal", owner.ID), map[string]any{"ref": fmt.Sprintf("ticket:%d", ticket.ID)}, nil, http.StatusOK)
	if got := desk.uploadForm(fmt.Sprintf("/api/v1/tickets/%d/attachments", ticket.ID), map[string]string{"kind": "before"}, "before.jpg", attachtest.JPEG(640, 480), nil); got != http.StatusCreated {
		t.Fatalf("photo of ticket %d: got %d, want 201", ticket.ID, got)
	}
	var moveIn struct {
		FollowUp idOnly `json:"follow_up"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"unit_id": emptyUnit.ID,
		"residents": []map[string]any{{"name": "李新", "phone": "13812345678", "role": "owner"}}}, &moveIn, http.StatusCreated)
	for _, period := range []string{"2025-01", "2025-02"} {
		fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": household.ID, "period": period, "amount_fen": 30000}, nil, http.StatusCreated)
	}
	fin.mustCall(http.MethodPost, "/api/v1/fee-standards", map[string]any{"estate_id": estateID, "name": "物业服务费", "method": "per_area",
		"unit_price": "2.35", "property_types": []string{"residential"}, "valid_from": "2025-01"}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/meter-readings", map[string]any{"unit_id": unit.ID, "kind": "water", "period": "2025-01", "value": "5", "previous": "9"}, nil, http.StatusCreated)
	var bills struct{ Items []idOnly }
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d", household.ID), nil, &bills, http.StatusOK)
	var paid idOnly
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": household.ID, "amount_fen": 100,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "cash", "reference": "PHN-cash-1"}, &paid, http.StatusCreated)
	var receipts struct{ Items []idOnly }
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/receipts?payment_id=%d", paid.ID), nil, &receipts, http.StatusOK)
	if len(receipts.Items) != 1 {
		t.Fatalf("receipts of payment %d: got %d, want 1", paid.ID, len(receipts.Items))
	}
	var d arrearsDetail
	waitFor(t, 45*time.Second, "the overdue case", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", household.ID), nil, &d, http.StatusOK)
		return d.Case != nil
	})
	pages = []consolePage{
		{"dashboard", "#/dashboard", "#open-matrix"},
		{"tickets", "#/tickets", fmt.Sprintf(`#ticket-list tr[data-ticket="%d"]`, ticket.ID)},
		{"ticket", fmt.Sprintf("#/tickets/%d", ticket.ID), "#temporal-link"},
		{"new-ticket", "#/tickets/new", "#new-ticket"},
		{"arrears", "#/arrears", fmt.Sprintf(`#arrears-board tr[data-household="%d"]`, household.ID)},
		{"arrears-case", fmt.Sprintf("#/arrears/%d", household.ID), "#bill-lines tr[data-bill]"},
		{"followups", "#/followups?tab=all", "#followup-list tr[data-live]"},
		{"followup", fmt.Sprintf("#/followups/%d", moveIn.FollowUp.ID), "#followup-status"},
		{"move-in", "#/moveins/new", "#movein-form"},
		{"policy", "#/policy", "#policy-form"},
		{"legal-queue", "#/arrears/legal", "#legal-queue"},
		{"legal-cases", "#/legal", "#legal-cases"},
		{"bills", "#/bills?period=2025-01", "#period-bills tbody tr"},
		{"dashboard-today", "#/dashboard/today?kind=breached", "#view table.list"},
		{"lookup", "#/lookup", "#lookup-q"},
		{"owner-file", fmt.Sprintf("#/residents/%d", owner.ID), "#owner-file"},
		{"phone-reveals", "#/phone-reveals", "#reveal-log"},
		{"inbox", "#/inbox", "ul.inbox"},
		{"finance", "#/finance", "#finance-cards"},
		{"fee-standards", "#/finance/standards", "#standards"},
		{"readings", "#/finance/readings?period=2025-01", "#readings tr.flagged"},
		{"bill", fmt.Sprintf("#/finance/bills/%d", bills.Items[0].ID), "#adjustments, #view .card p.muted"},
		{"imports", "#/finance/imports", "#import-file"},
		{"finance-bills", "#/finance/bills?period=2025-01", "#period-bills tbody tr"},
		{"payments", "#/finance/payments", "#payments tbody tr[data-id]"},
		{"receipts", fmt.Sprintf("#/finance/receipts?household_id=%d", household.ID), "#receipts tbody a"},
		{"receipt", fmt.Sprintf("#/finance/receipts/%d", receipts.Items[0].ID), "#receipt-number"},
		{"reconciliation", "#/finance/reconciliation", "#view h2"},

		{"surveys", "#/surveys", "#survey-form"},
	}
	forms = []consoleForm{
		{"ticket-dispatch", fmt.Sprintf("#/tickets/%d", ticket.ID), `button[data-action=dispatch]`, `form[data-form=dispatch]`},
		{"arrears-case-plan", fmt.Sprintf("#/arrears/%d", household.ID), `button[data-form=plan]`, `form[data-form=plan]`},
		{"followup-record", fmt.Sprintf("#/followups/%d", moveIn.FollowUp.ID), `button[data-action=record]`, `form[data-form=record]`},
	}
	return base, pages, forms, ticket.ID
}

// open navigates to the console page hash and waits until ready shows.
func (b *browser) open(hash, ready string) {
	b.t.Helper()
	// The step's name names the screenshot of a failure: no slashes.
	b.do("open "+strings.NewReplacer("/", " ", "#", "", "?", " ").Replace(hash), chromedp.Navigate(b.base+"/console/"+hash), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// TestConsoleOnAPhone opens every main page of the console at 375×740 as the
// role that works it: nothing scrolls sideways, every control is at least
// 44×44 px, every table cell carries its column's label and the header
// takes at most 120 px. At 1366×768 the same tables stay tables. The
// Temporal UI link shows to the estate manager only, not to customer
// service or a technician.
func TestConsoleOnAPhone(t *testing.T) {
	base, pages, forms, ticketID := consoleTour(t)
	b := newBrowser(t, base)
	pw := "staff-password"
	open := b.open

	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	b.do("open the sign-in page", chromedp.Navigate(base+"/console/#/login"), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	b.fitsPhone("login")
	// Customer service and technicians work tickets on the phone; only
	// managers and administrators are offered the Temporal UI.
	for _, user := range []string{"PHN-customer_service", "PHN-technician"} {
		b.signIn(user, pw)
		b.fitsPhone(user + "-tickets")
		open(fmt.Sprintf("#/tickets/%d", ticketID), "#process h2")
		b.fitsPhone(user + "-ticket")
		if n := b.count("#temporal-link"); n != 0 {
			t.Errorf("%s on a ticket: got %d Temporal UI links, want none", user, n)
		}
		b.do("sign out through the menu", chromedp.Click(chromedp.ID("menu-toggle")), chromedp.Click(chromedp.ID("sign-out")),
			chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	}
	b.signIn("PHN-estate_manager", pw)
	for _, p := range pages {
		open(p.hash, p.ready)
		b.fitsPhone(p.name)
	}
	// The forms the actions open.
	for _, f := range forms {
		open(f.hash, f.button)
		b.do("open the form "+f.form, chromedp.Click(chromedp.CSS(f.button)), chromedp.WaitVisible(chromedp.CSS(f.form)))
		b.fitsPhone(f.name)
	}
	// The menu opens the navigation, which takes the reader to the page.
	b.do("open the menu",
		chromedp.Navigate(base+"/console/#/tickets"),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-list`)),
		chromedp.Click(chromedp.ID("menu-toggle")),
		chromedp.WaitVisible(chromedp.CSS(`#nav a[href="#/policy"]`)),
	)
	b.shot("phone-menu")
	b.do("go through the menu", chromedp.Click(chromedp.CSS(`#nav a[href="#/policy"]`)), chromedp.WaitVisible(chromedp.CSS(`#policy-form`)))
	if eval[bool](b, `getComputedStyle(document.getElementById('nav')).display !== 'none' && document.getElementById('nav').getBoundingClientRect().height > 0`) {
		t.Error("after choosing a page from the menu: got the menu still open, want it closed")
	}

	b.do("desktop screen", chromedp.EmulateViewport(1366, 768))
	for _, p := range pages {
		open(p.hash, p.ready)
		b.shot("desktop-" + p.name)
		if !eval[bool](b, tablesAreTables) {
			t.Errorf("%s at 1366px: got tables laid out as cards, want tables with their header row", p.name)
		}
		if h := eval[float64](b, `document.getElementById('top').getBoundingClientRect().height`); h > 60 {
			t.Errorf("%s at 1366px: got a header %.0fpx tall, want one row", p.name, h)
		}
	}
}

// fitsPhone checks the page in view at a 375 px phone screen (layoutCheck):
// nothing scrolls sideways, the header takes at most 120 px, every control
// is at least 44×44 px and every table cell shows its column's label.
func (b *browser) fitsPhone(name string) {
	b.t.Helper()
	b.shot("phone-" + name)
	got := eval[phoneLayout](b, layoutCheck)
	// A mobile browser widens its layout viewport to fit a page too
	// wide, so both are measured against the screen's width.
	if got.ScrollWidth > 375 || got.InnerWidth > 375 {
		b.t.Errorf("%s at 375px: got a page %dpx wide in a viewport of %dpx, want at most 375px", name, got.ScrollWidth, got.InnerWidth)
	}
	if got.Header > 120 {
		b.t.Errorf("%s at 375px: got a header %.0fpx tall, want at most 120px", name, got.Header)
	}
	if len(got.Small) > 0 {
		b.t.Errorf("%s at 375px: got %d controls smaller than 44×44px: %s", name, len(got.Small), strings.Join(got.Small, "; "))
	}
	if len(got.Unlabelled) > 0 {
		b.t.Errorf("%s at 375px: got %d of %d table cells without their column's label: %s", name, len(got.Unlabelled), got.Cells, strings.Join(got.Unlabelled, "; "))
	}
}
