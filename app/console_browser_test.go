package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// demoZone is the estates' zone in the tests (WUYE_TIMEZONE's default).
const demoZone = "Asia/Shanghai"

// browser drives one headless Chromium tab against a running App.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots
}

// newBrowser starts Debian's chromium with the flags that work on these
// machines and a fresh profile. Without chromium the test is skipped, unless
// CI=true, where it fails.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed and CI=true requires the browser tests: %v", err)
		}
		t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768),
		// Staff browsers run in their estate's zone: the console's "today"
		// (a date field's default and bound) is the browser's, the server's
		// the estate's, and the two disagree between 00:00 and 08:00 in
		// Shanghai when the browser keeps the machine's UTC.
		chromedp.Env("TZ="+demoZone),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	dir := os.Getenv("WUYE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, base: base, dir: dir}
	// The first action starts the browser: it must run on ctx itself, not on
	// a context with a timeout, whose end would close the browser.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// do runs steps within 30 seconds, failing the test with what on error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.within(30*time.Second, what, steps...)
}

func (b *browser) within(limit time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// count is the number of elements sel matches now.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// shot writes a PNG of the whole page and logs its path.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

func (b *browser) signIn(user, password string) {
	b.t.Helper()
	b.do("sign in as "+user,
		chromedp.Navigate(b.base+"/console/#/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=username]`), user),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		// The role's home: the ticket list, or 收费管理 for finance and the managers.
		chromedp.WaitVisible(chromedp.CSS(`#ticket-list, #finance-cards, #legal-cases`)),
	)
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
}

// TestConsoleInABrowser drives the console in headless Chromium against the
// whole service on the embedded default: sign in, open a critical ticket,
// watch it escalate on a second-scale policy, act on it through the buttons
// each role is shown, keep a technician out of another estate's ticket, and
// see the policy editor put the server's validation message beside the field.
func TestConsoleInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, ids := estateWithStaff(t, a, "WEB", secondScaleRepairs)
	admin := as[models.RoleCompanyAdmin]
	var building, unit, household idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": "张业主", "phone": "13812345678", "role": "owner"}, nil, http.StatusCreated)
	var emptyUnit idOnly
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "102"}, &emptyUnit, http.StatusCreated)
	otherID, other, _ := estateWithStaff(t, a, "OTH", func(*models.Policy) {})
	var foreign idOnly
	other[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": otherID, "kind": "repair",
		"urgency": "normal", "category": "门窗", "description": "别的小区的工单", "location": "物业办公室", "channel": "phone"}, &foreign, http.StatusCreated)

	b := newBrowser(t, base)
	pw := "staff-password"

	// The root leads to the console, which asks for a sign-in.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/console/" {
		t.Errorf("GET /: got %d to %q, want 302 to /console/", res.StatusCode, res.Header.Get("Location"))
	}
	b.do("open the console", chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	b.signIn("WEB-customer_service", pw)
	if got := b.text("#who-role"); got != "客服" {
		t.Errorf("header role: got %q, want 客服", got)
	}
	b.shot("01-service-desk")

	// Open a critical ticket for 1栋 101 in a few steps.
	b.do("fill in a critical ticket",
		chromedp.Navigate(base+"/console/#/tickets/new"),
		chromedp.WaitVisible(chromedp.CSS(`#new-ticket`)),
		chromedp.SetValue(chromedp.CSS(`#new-ticket select[name=urgency]`), "critical"),
		chromedp.SendKeys(chromedp.CSS(`#new-ticket input[name=category]`), "水管"),
		chromedp.SendKeys(chromedp.CSS(`#new-ticket input[name=household_search]`), "1栋 101"),
		chromedp.WaitVisible(chromedp.CSS(`#new-ticket .pick button`)),
		chromedp.Click(chromedp.CSS(`#new-ticket .pick button`)),
		chromedp.WaitReady(chromedp.CSS(`#new-ticket select[name=resident_id] option:nth-child(2)`)),
		chromedp.SendKeys(chromedp.CSS(`#new-ticket textarea[name=description]`), "厨房水管爆裂，水漫到客厅"),
	)
	b.shot("02-new-ticket")
	// A field the server refuses shows beside it; once corrected, the same
	// form sends the ticket: another request, so another Idempotency-Key
	// (the server refuses a key reused with a different body).
	category := `#new-ticket input[name=category]`
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%q).value = '', true)`, category))
	b.do("submit without a category, then correct it",
		chromedp.Click(chromedp.CSS(`#new-ticket button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-ticket .err[data-for=category]`)),
		chromedp.SendKeys(chromedp.CSS(category), "水管"),
	)
	b.do("submit the ticket", chromedp.Click(chromedp.CSS(`#new-ticket button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("process")))
	loc := eval[string](b, "location.hash")
	var ticketID uint64
	if _, err := fmt.Sscanf(loc, "#/tickets/%d", &ticketID); err != nil || ticketID == 0 {
		t.Fatalf("after submitting: got location %q, want #/tickets/<id>", loc)
	}

	// Nobody comes: within seconds the ticket escalates and the badge shows.
	b.within(45*time.Second, "wait for the escalation badge", chromedp.WaitVisible(chromedp.ID("esc-badge")))
	if got := b.text("#esc-badge"); !strings.Contains(got, "L") {
		t.Errorf("escalation badge: got %q, want a level", got)
	}
	b.do("wait for the escalation in the timeline", chromedp.WaitVisible(chromedp.CSS(`#timeline li[data-type=escalation]`)))
	b.shot("03-ticket-escalated")

	// The desk dispatches; it is shown no technician's buttons.
	if n := b.count(`button[data-action=accept]`) + b.count(`button[data-action=arrive]`); n != 0 {
		t.Errorf("customer service before dispatch: got %d accept/arrive buttons, want none", n)
	}
	b.do("open the dispatch form",
		chromedp.Click(chromedp.CSS(`button[data-action=dispatch]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=dispatch] select[name=assignee_id]`)),
	)
	// A repair goes to technicians only: the estate has one, with no work yet.
	if got := eval[[]string](b, `[...document.querySelectorAll('form[data-form=dispatch] select[name=assignee_id] option')].map((o) => o.value).filter(Boolean)`); len(got) != 1 || got[0] != fmt.Sprint(ids[models.RoleTechnician]) {
		t.Errorf("dispatch picker: got staff %v, want only the technician %d", got, ids[models.RoleTechnician])
	}
	if got := eval[string](b, `document.querySelector('form[data-form=dispatch] select[name=assignee_id] option:nth-child(2)').textContent`); !strings.Contains(got, "在办 0 件") {
		t.Errorf("dispatch picker: got %q, want the technician's open work", got)
	}
	b.do("dispatch to the technician",
		chromedp.SetValue(chromedp.CSS(`form[data-form=dispatch] select[name=assignee_id]`), fmt.Sprint(ids[models.RoleTechnician])),
		chromedp.Click(chromedp.CSS(`form[data-form=dispatch] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[data-action=dispatch]`)),
	)
	if got := b.text("#status-badge"); got != "已派单" {
		t.Errorf("status after dispatch: got %q, want 已派单", got)
	}

	// A new resident moves into 1栋 102; the follow-up visit is recorded.
	b.do("register a move-in",
		chromedp.Navigate(base+"/console/#/moveins/new"),
		chromedp.WaitVisible(chromedp.CSS(`#movein-form`)),
		chromedp.SetValue(chromedp.CSS(`#movein-form select[name=unit_id]`), fmt.Sprint(emptyUnit.ID)),
		chromedp.SendKeys(chromedp.CSS(`#movein-form input[name="residents[0].name"]`), "李新"),
		chromedp.SendKeys(chromedp.CSS(`#movein-form input[name="residents[0].phone"]`), "13912345678"),
		chromedp.Click(chromedp.CSS(`#movein-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#followup-status`)),
		chromedp.Click(chromedp.CSS(`button[data-action=record]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=record] input[name="visit.participants"]`), "李新, 客服"),
		chromedp.SetValue(chromedp.CSS(`form[data-form=record] select[name="visit.satisfaction"]`), "5"),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=record] [data-item] input`), "希望增加快递柜"),
		chromedp.Click(chromedp.CSS(`form[data-form=record] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[data-form=record]`)),
	)
	if got := b.text("#followup-status"); got != "已完成" {
		t.Errorf("follow-up after the visit: got %q, want 已完成", got)
	}
	if got := b.text("ul.timeline"); !strings.Contains(got, "记录回访") || !strings.Contains(got, "登记入住") || strings.Contains(got, "registered") {
		t.Errorf("follow-up timeline: got %q, want its events in Chinese", got)
	}
	b.shot("07-follow-up")
	b.signOut()

	// The technician accepts and arrives, on a phone-width screen.
	b.signIn("WEB-technician", pw)
	b.do("open the ticket on a phone",
		chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
		chromedp.Navigate(fmt.Sprintf("%s/console/#/tickets/%d", base, ticketID)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-action=accept]`)),
	)
	if n := b.count(`button[data-action=dispatch]`) + b.count(`button[data-action=cancel]`); n != 0 {
		t.Errorf("technician: got %d dispatch/cancel buttons, want none", n)
	}
	// The server refuses what the page does not offer.
	status := eval[int](b, fmt.Sprintf(`fetch('/api/v1/tickets/%d/actions/cancel', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({reason: 'x'})}).then(r => r.status)`, ticketID))
	if status != http.StatusForbidden {
		t.Errorf("technician cancelling through the API: got %d, want 403", status)
	}
	b.do("accept", chromedp.Click(chromedp.CSS(`button[data-action=accept]`)), chromedp.WaitVisible(chromedp.CSS(`button[data-action=arrive]`)))
	b.do("arrive", chromedp.Click(chromedp.CSS(`button[data-action=arrive]`)), chromedp.WaitNotPresent(chromedp.CSS(`button[data-action=arrive]`)))
	if got := b.text("#status-badge"); got != "处理中" {
		t.Errorf("status after arrival: got %q, want 处理中", got)
	}
	b.shot("04-ticket-phone")
	scrollW := eval[int](b, "document.documentElement.scrollWidth")
	if scrollW > 380 {
		t.Errorf("ticket page at 375px: got a page %dpx wide, want no horizontal scrolling", scrollW)
	}

	// Another estate's ticket does not exist for this technician.
	b.do("open another estate's ticket",
		chromedp.Navigate(fmt.Sprintf("%s/console/#/tickets/%d", base, foreign.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#view .banner.error`)),
	)
	if got := b.text("#view .banner.error"); !strings.Contains(got, "未找到") {
		t.Errorf("another estate's ticket: got %q, want 未找到", got)
	}
	if b.count("#process") != 0 {
		t.Error("another estate's ticket: got its process panel, want none")
	}
	b.do("back to desktop width", chromedp.EmulateViewport(1366, 768))
	b.signOut()

	// The manager's view and the policy editor.
	b.signIn("WEB-estate_manager", pw)
	b.do("open the dashboard",
		chromedp.Navigate(base+"/console/#/dashboard"),
		chromedp.WaitVisible(chromedp.ID("open-matrix")),
		chromedp.WaitVisible(chromedp.ID("sla-chart")),
	)
	if !eval[bool](b, `new Promise(r => { const i = document.getElementById('sla-chart'); const ok = () => r(i.naturalWidth > 0); i.complete ? ok() : (i.onload = ok, i.onerror = () => r(false)); })`) {
		t.Error("SLA chart: got no image, want the server's SVG")
	}
	// The calendar notice shows whenever the estate's calendar (the default
	// one) lacks a year it will soon count on; which depends on today.
	var pol models.EstatePolicy
	as[models.RoleEstateManager].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/estates/%d/policy", estateID), nil, &pol, http.StatusOK)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	wantGap := pol.Policy.Calendar.HolidayGap(time.Now(), shanghai, models.HolidayNoticeDays) != 0
	if got := eval[int](b, `document.querySelectorAll('.calendar-gap').length`); (got == 1) != wantGap {
		t.Errorf("calendar notice: got %d, want shown = %v", got, wantGap)
	}
	b.shot("05-dashboard")
	b.do("click through escalations today",
		chromedp.Click(chromedp.CSS(`a.stat[data-stat=今日升级]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="#/tickets/%d"]`, ticketID))),
	)

	field := `[data-path="policy.repair.tiers[0].contact"]`
	b.do("open the policy editor", chromedp.Navigate(base+"/console/#/policy"), chromedp.WaitVisible(chromedp.CSS(field)))
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%q).value = '', true)`, field))
	b.do("make a contact window longer than on-site",
		chromedp.SendKeys(chromedp.CSS(field), "20m"),
		chromedp.Click(chromedp.CSS(`#policy-form .save button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.err[data-for="policy.repair.tiers[0].contact"]`)),
	)
	msg := b.text(`.err[data-for="policy.repair.tiers[0].contact"]`)
	if !strings.Contains(msg, "不能超过") {
		t.Errorf("policy error beside the field: got %q, want the Chinese reason", msg)
	}
	beside := eval[bool](b, `document.querySelector('.err[data-for="policy.repair.tiers[0].contact"]').parentElement.contains(document.querySelector('[data-path="policy.repair.tiers[0].contact"]'))`)
	if !beside {
		t.Error("policy error: got the message away from its input, want it beside the field")
	}
	b.shot("06-policy-error")
}

// TestConsoleCollectionInABrowser: finance finds an overdue household on the
// collection board, records on its case page the payment that clears it
// (typed in yuan), and the board no longer lists it; the ticket list names
// the household by building and unit; the estate manager's view shows the
// arrears numbers and clicks through to the bills behind the collection
// rate. One browser throughout.
func TestConsoleCollectionInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "COL", secondScaleDunning)
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	household := func(number, owner string) uint64 {
		var unit, hh idOnly
		admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": number}, &unit, http.StatusCreated)
		admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
		admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": owner, "phone": "13912345678", "role": "owner"}, nil, http.StatusCreated)
		return hh.ID
	}
	late, current := household("101", "王业主"), household("102", "赵业主")
	var ticket idOnly
	as[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "normal", "category": "门窗", "description": "窗户关不严", "household_id": late, "channel": "phone"}, &ticket, http.StatusCreated)

	// 101 owes a bill long overdue; 102 this month's bill, half paid.
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	thisMonth := time.Now().In(sh).Format("2006-01")
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": late, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": current, "period": thisMonth, "amount_fen": 20000}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": current, "amount_fen": 10000,
		"paid_at": time.Now().Format(time.RFC3339), "channel": "wechat", "reference": "wx-half"}, nil, http.StatusCreated)
	var d arrearsDetail
	waitFor(t, 45*time.Second, "the overdue case to assign a call", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", late), nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageDunning && len(d.Tasks) == 1
	})

	b := newBrowser(t, base)
	b.signIn("COL-finance", "staff-password")
	b.do("see the ticket's address", chromedp.Navigate(base+"/console/#/tickets"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#ticket-list tr[data-ticket="%d"]`, ticket.ID))))
	if got := b.text(fmt.Sprintf(`#ticket-list tr[data-ticket="%d"]`, ticket.ID)); !strings.Contains(got, "1栋 101") {
		t.Errorf("ticket list row: got %q, want the household's address 1栋 101", got)
	}
	lateRow := fmt.Sprintf(`#arrears-board tr[data-household="%d"]`, late)
	b.do("open the collection board",
		chromedp.Navigate(base+"/console/#/arrears"),
		chromedp.WaitVisible(chromedp.CSS(lateRow)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#arrears-board tr[data-household="%d"]`, current))),
	)
	if got := b.text(lateRow); !strings.Contains(got, "1栋 101") || !strings.Contains(got, "催缴中") {
		t.Errorf("board row: got %q, want 1栋 101 in 催缴中", got)
	}
	if first := eval[string](b, `document.querySelector('#arrears-board tbody tr').dataset.household`); first != fmt.Sprint(late) {
		t.Errorf("board order: got household %s first, want the oldest debt (%d)", first, late)
	}
	b.shot("08-collection-board")

	b.do("open the case page",
		chromedp.Click(chromedp.CSS(lateRow+" a")),
		chromedp.WaitVisible(chromedp.CSS(`#case-stage[data-stage=dunning]`)),
		chromedp.WaitVisible(chromedp.CSS(`#bill-lines tr[data-bill]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contact-history li`)),
		chromedp.WaitVisible(chromedp.CSS(`#task-list tr[data-task]`)),
	)
	for _, form := range []string{"waiver", "legal", "approve", "outcome"} {
		if n := b.count(fmt.Sprintf(`button[data-form=%s]`, form)); n != 0 {
			t.Errorf("finance on the case page: got a %s button, want only the forms finance may use", form)
		}
	}
	b.shot("09-case-page")
	// The labels agree with each other and with the bill: imported long
	// overdue, the ladder counts from today, and says so; new bills are case
	// events, not contacts; the segment is no verdict on the household.
	learned := models.DateOf(time.Now(), sh)
	days := learned.DaysSince(models.BillDueDate(models.Month{Year: 2025, Month: time.January}, models.DefaultPolicy().Fees))
	if got, want := b.text(`#overdue-days`), fmt.Sprintf("已逾期 %d 天", days); !strings.Contains(got, want) {
		t.Errorf("overdue: got %q, want %q", got, want)
	}
	if got, want := b.text(`#ladder-clock`), fmt.Sprintf("历史欠费导入于 %02d-%02d，自该日起计算催缴阶梯", learned.Month, learned.Day); !strings.Contains(got, want) {
		t.Errorf("ladder clock: got %q, want %q", got, want)
	}
	if got := eval[string](b, `(document.querySelector('#case-segment') || {}).textContent || ''`); strings.Contains(got, "良好") {
		t.Errorf("segment badge: got %q for a household %d days overdue, want no praise", got, days)
	}
	if got := b.text(`#contact-history`); strings.Contains(got, "新账单") {
		t.Errorf("contact log: got %q, want no new-bill events among the contacts", got)
	}
	if got := b.text(`#case-events`); !strings.Contains(got, "新账单") {
		t.Errorf("case events: got %q, want the new bill there", got)
	}

	// A fen more precise than the fen is refused beside the field; the
	// amount owed, typed in yuan, clears the case.
	amount := `form[data-form=payment] input[name=amount_fen]`
	b.do("type an amount with three decimals",
		chromedp.Click(chromedp.CSS(`button[data-form=payment]`)),
		chromedp.WaitVisible(chromedp.CSS(amount)),
		chromedp.SendKeys(chromedp.CSS(amount), "12.345"),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=payment] input[name=reference]`), "receipt-001"),
		chromedp.Click(chromedp.CSS(`form[data-form=payment] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=payment] .err[data-for=amount_fen]`)),
	)
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", late), nil, &d, http.StatusOK)
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%q).value = '', true)`, amount))
	b.do("pay what is owed",
		chromedp.SendKeys(chromedp.CSS(amount), d.Account.Total.Yuan()),
		chromedp.Click(chromedp.CSS(`form[data-form=payment] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[data-form=payment]`)),
	)
	b.within(45*time.Second, "wait for the case to close", chromedp.WaitVisible(chromedp.CSS(`#case-stage[data-stage=closed]`)))
	if got := b.text(`[data-sum=total] .n`); got != "¥0.00" {
		t.Errorf("owed after the payment: got %q, want ¥0.00", got)
	}
	var pays struct {
		Items []models.FeePayment `json:"items"`
	}
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/payments?household_id=%d", late), nil, &pays, http.StatusOK)
	if len(pays.Items) != 1 || pays.Items[0].AmountFen != d.Account.Total {
		t.Errorf("payments: got %+v, want one of %d fen", pays.Items, d.Account.Total)
	}
	b.do("back to the board",
		chromedp.Navigate(base+"/console/#/arrears"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#arrears-board tr[data-household="%d"]`, current))),
	)
	if n := b.count(lateRow); n != 0 {
		t.Errorf("board after the payment: got %d rows of the paid household, want none", n)
	}
	b.signOut()

	b.signIn("COL-estate_manager", "staff-password")
	b.do("open the managers' view", chromedp.Navigate(base+"/console/#/dashboard"), chromedp.WaitVisible(chromedp.ID("arrears-stages")))
	for sel, want := range map[string]string{
		`a.stat[data-stat=在催住户] .n`:                                "1",
		`a.stat[data-stat=本月收缴率] .n`:                               "未到期", // this month's bills are due next month
		`a.stat[data-stat=欠费总额] .n`:                                "¥100.00",
		`#arrears-stages tr[data-stage=reminding] td:nth-child(2)`: "1",
	} {
		if got := b.text(sel); got != want {
			t.Errorf("arrears section %s: got %q, want %q", sel, got, want)
		}
	}
	b.shot("10-dashboard-arrears")
	b.do("click through the collection rate",
		chromedp.Click(chromedp.CSS(`a.stat[data-stat=本月收缴率]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#period-bills a[href="#/arrears/%d"]`, current))),
	)

	// The manager proposes an instalment plan for 102 and approves it.
	today := time.Now().In(sh)
	b.do("propose a plan",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#period-bills a[href="#/arrears/%d"]`, current))),
		chromedp.WaitVisible(chromedp.CSS(`button[data-form=plan]`)),
		chromedp.Click(chromedp.CSS(`button[data-form=plan]`)),
		chromedp.SetValue(chromedp.CSS(`form[data-form=plan] [data-path="instalments[0].due"]`), today.AddDate(0, 0, 10).Format(time.DateOnly)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=plan] [data-path="instalments[0].amount_fen"]`), "50"),
		chromedp.SetValue(chromedp.CSS(`form[data-form=plan] [data-path="instalments[1].due"]`), today.AddDate(0, 0, 40).Format(time.DateOnly)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=plan] [data-path="instalments[1].amount_fen"]`), "50.00"),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=plan] input[name=reason]`), "失业，收入中断"),
		chromedp.Click(chromedp.CSS(`form[data-form=plan] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-form=approve]`)),
	)
	b.do("approve the plan",
		chromedp.Click(chromedp.CSS(`button[data-form=approve]`)),
		chromedp.Click(chromedp.CSS(`form[data-form=approve] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[data-form=approve]`)),
	)
	if got := b.text(`#plan-list`); !strings.Contains(got, "执行中") || !strings.Contains(got, "¥100.00") {
		t.Errorf("plan after approval: got %q, want 2 instalments of ¥100.00 in 执行中", got)
	}
	b.shot("11-case-plan")
}

// TestConsoleFirstSignInInABrowser: an account on the one-time password its
// manager gave it must set its own before the console shows anything else.
func TestConsoleFirstSignInInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	admin := signIn(t, a, "admin", e2ePassword)
	var estate idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": "NEW", "name": "新小区"}, &estate, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estate.ID, "username": "xinren", "name": "新客服",
		"role": "customer_service", "password": "one-time-password"}, nil, http.StatusCreated)

	b := newBrowser(t, base)
	form := `#password-form`
	b.do("sign in with the one-time password",
		chromedp.Navigate(base+"/console/#/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=username]`), "xinren"),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=password]`), "one-time-password"),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form)),
	)
	b.do("choose the same password",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=current_password]`), "one-time-password"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=new_password]`), "one-time-password"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=new_password_again]`), "one-time-password"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .err[data-for=new_password]`)),
	)
	if got := b.text(form + ` .err[data-for=new_password]`); got != "新密码不能与当前密码相同" {
		t.Errorf("same password: got %q beside the field, want 新密码不能与当前密码相同", got)
	}
	b.shot("12-first-sign-in")
	b.do("choose an own password",
		chromedp.SetValue(chromedp.CSS(form+` input[name=new_password]`), "my-own-password"),
		chromedp.SetValue(chromedp.CSS(form+` input[name=new_password_again]`), "my-own-password"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-list`)),
	)
	signIn(t, a, "xinren", "my-own-password")
}
