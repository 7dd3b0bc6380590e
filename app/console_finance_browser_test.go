package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleFinanceInABrowser signs every role in at 1366×768: the header
// stays one row, and finance, estate managers and company administrators
// land on 收费管理 (#/finance), the others where they did. Finance sees this
// month's collection rate and the finance pages' cards, downloads the bills
// as an Excel workbook from the page, and the bills page leads it back to
// 收费管理, not to the managers' view it may not see.
func TestConsoleFinanceInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "FIN", func(*models.Policy) {})
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	admin.mustCall(http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estateID, "username": "FIN-legal", "name": "FIN-legal",
		"role": models.RoleLegal, "password": "one-time-password"}, nil, http.StatusCreated)
	firstSignIn(t, a, "FIN-legal", "one-time-password", "staff-password")
	var building, unit, household idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	period := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": household.ID, "period": period, "amount_fen": 30000}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": household.ID, "amount_fen": 15000,
		"paid_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "channel": "wechat", "reference": "wx-fin"}, nil, http.StatusCreated)

	b := newBrowser(t, base) // 1366×768
	homes := []struct{ user, pw, home string }{
		{"FIN-customer_service", "staff-password", "#/tickets"},
		{"FIN-technician", "staff-password", "#/tickets"},
		{"FIN-supervisor", "staff-password", "#/tickets"},
		{"FIN-legal", "staff-password", "#/legal"},
		{"FIN-estate_manager", "staff-password", "#/finance"},
		{"admin", e2ePassword, "#/finance"},
		{"FIN-finance", "staff-password", "#/finance"},
	}
	for _, u := range homes {
		b.signIn(u.user, u.pw)
		if got := eval[string](b, `location.hash`); got != u.home {
			t.Errorf("%s signed in: got %s, want %s", u.user, got, u.home)
		}
		if h := eval[float64](b, `document.getElementById('top').getBoundingClientRect().height`); h > 60 {
			t.Errorf("%s at 1366px: got a header %.0fpx tall, want one row", u.user, h)
		}
		finance := b.count(`#nav a[href="#/finance"]`)
		if want := map[bool]int{true: 1, false: 0}[u.home == "#/finance"]; finance != want {
			t.Errorf("%s: got %d 收费 nav items, want %d", u.user, finance, want)
		}
		if u.user != "FIN-finance" {
			b.signOut()
		}
	}

	// Finance: the collection rate, the cards, the Excel export.
	b.do("see the collection rate", chromedp.WaitVisible(chromedp.CSS(`#rate-month .n`)))
	b.shot("finance-hub")
	if got := b.text(`#rate-month .n`); got != "50.00%" {
		t.Errorf("本月收缴率: got %q, want 50.00%%", got)
	}
	if got := b.text(`#rate-month .sub`); !strings.Contains(got, "150.00") || !strings.Contains(got, "300.00") {
		t.Errorf("本月收缴率: got %q, want 已收 150.00 of 应收 300.00", got)
	}
	if got := b.text(`#rate-year .n`); got != "50.00%" {
		t.Errorf("本年收缴率: got %q, want 50.00%%", got)
	}
	for _, card := range []string{"standards", "readings", "billing", "bills", "payments", "receipts", "reconciliation", "imports"} {
		if n := b.count(fmt.Sprintf(`#finance-cards a.card[href="#/finance/%s"]`, card)); n != 1 {
			t.Errorf("card #/finance/%s: got %d, want 1", card, n)
		}
	}
	got := eval[string](b, `(async () => {
		const a = document.getElementById('export-xlsx');
		const r = await fetch(a.href);
		const bytes = new Uint8Array(await r.arrayBuffer());
		return [r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), String.fromCharCode(bytes[0], bytes[1]), a.getAttribute('href')].join('|');
	})()`)
	parts := strings.Split(got, "|")
	if len(parts) != 5 || parts[0] != "200" || !strings.Contains(parts[1], "spreadsheetml") ||
		!strings.Contains(parts[2], "filename*=UTF-8''") || parts[3] != "PK" || !strings.Contains(parts[4], "period="+period) {
		t.Errorf("Excel export from 收费管理: got %q, want 200, an xlsx attachment (a zip: PK) of %s's bills", got, period)
	}

	// The bills of the month lead finance back to 收费管理.
	b.do("open this month's bills", chromedp.Click(chromedp.CSS(`#collection-rate a[href^="#/bills"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#period-bills tbody tr`)))
	if n := b.count(`#view a[href="#/dashboard"]`); n != 0 {
		t.Errorf("finance's bills page: got %d links to the managers' view it may not see, want none", n)
	}
	if got := b.text(`#period-bills tbody tr`); !strings.Contains(got, "1栋 101") {
		t.Errorf("bills page row: got %q, want the address 1栋 101", got)
	}
	b.do("back to 收费管理", chromedp.Click(chromedp.CSS(`#view a[href="#/finance"]`)), chromedp.WaitVisible(chromedp.CSS(`#finance-cards`)))

	// 账单 lists every bill, by month; a bill opens on its own page.
	b.do("open 账单, pick the month, open a bill",
		chromedp.Click(chromedp.CSS(`#finance-cards a[href="#/finance/bills"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#bills-period input[name=period]`)),
		chromedp.SetValue(chromedp.CSS(`#bills-period input[name=period]`), period),
		chromedp.Click(chromedp.CSS(`#bills-period button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#period-bills a[href^="#/finance/bills/"]`)),
	)
	if got := b.text(`#view h1`); !strings.Contains(got, "账单") || !strings.Contains(b.text(`#period-bills tbody`), "1栋 101") {
		t.Errorf("bills of %s: got heading %q and rows %q, want the month's bills with 1栋 101", period, got, b.text(`#period-bills tbody`))
	}
	b.do("open the bill", chromedp.Click(chromedp.CSS(`#period-bills a[href^="#/finance/bills/"]`)), chromedp.WaitVisible(chromedp.CSS(`#adjust, #view .card`)))
	if got := b.text(`#view h1`); !strings.Contains(got, "账单 #") {
		t.Errorf("bill page heading: got %q, want 账单 #<id>", got)
	}
}
