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

// residentFit is what fitCheck finds on a resident page at the phone's
// width: how wide the page is and every visible control smaller than 44 px
// high (a radio counts by its label).
type residentFit struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Small       []string `json:"small"`
	Title       string   `json:"title"`
}

const residentFitCheck = `(() => {
  const small = [];
  for (const el of document.querySelectorAll('a.button, button, textarea, input:not([type=hidden]), select')) {
    const box = el.matches('input[type=radio], input[type=checkbox]') ? (el.closest('label') || el) : el;
    const r = box.getBoundingClientRect();
    if (r.width > 0 && r.height < 44) small.push(el.tagName + ' ' + (el.name || el.textContent.trim()) + ' ' + Math.round(r.height));
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: innerWidth, small, title: document.querySelector('h1').textContent };
})()`

// TestResidentPagesOnAPhone opens every resident page a link leads to —
// the confirmation with its rating, the rating, the statement, the dispute,
// the promise and a bad link's page — in headless Chromium at 375 px, with
// a screenshot of each (in WUYE_SCREENSHOTS when set), and finds none wider
// than the screen nor a control too small to tap. Then the desk issues and
// revokes a link in the owner file.
func TestResidentPagesOnAPhone(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newRecording(t, a, "RES", func(p *models.Policy) {
		recordingPolicy(p)
		p.Fees.PayURL, p.Fees.PayQRURL = "https://pay.example.com/wuye", "https://pay.example.com/qr.png"
	})
	desk, fin := r.as[models.RoleCustomerService], r.as[models.RoleFinance]
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	past, future := now.AddDate(0, -3, 0).Format("2006-01"), now.AddDate(0, 3, 0).Format("2006-01")
	for _, period := range []string{past, future} {
		fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": r.house, "period": period, "amount_fen": 28650}, nil, http.StatusCreated)
	}
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": r.house, "amount_fen": 10000,
		"paid_at": now.Add(-time.Hour).Format(time.RFC3339), "channel": "wechat", "reference": "res-1"}, nil, http.StatusCreated)

	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToComplete(id)
	pages := []struct{ name, path, ready string }{
		{"confirm", r.link(models.LinkConfirm, id), "维修完成确认"},
		{"bill", r.link(models.LinkMyBill, 0), "我的账单"},
		{"dispute", r.link(models.LinkDispute, 0), "账单异议"},
		{"promise", r.link(models.LinkPromise, 0), "承诺缴费"},
		{"bad-link", "/r/bill?t=r1.tampered", "链接无效"},
	}
	b := newBrowser(t, "http://"+a.Addr())
	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	measure := func(name, ready string) {
		t.Helper()
		got := eval[residentFit](b, residentFitCheck)
		b.shot("resident-" + name)
		if got.ScrollWidth > got.InnerWidth || len(got.Small) > 0 || !strings.Contains(got.Title, ready) {
			t.Errorf("%s at 375 px: got %+v, want %q, no wider than the screen and no control under 44 px", name, got, ready)
		}
	}
	fits := func(name, path, ready string) {
		t.Helper()
		b.do("open "+name, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		measure(name, ready)
	}
	for _, p := range pages {
		fits(p.name, p.path, p.ready)
	}

	// Confirm in the page (no rating), then the rating page opens.
	b.do("confirm", chromedp.Navigate(b.base+pages[0].path), chromedp.WaitVisible(chromedp.CSS(`button[value=true]`)),
		chromedp.Click(chromedp.CSS(`button[value=true]`)), chromedp.WaitNotPresent(chromedp.CSS("form")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := b.text("main h1"); got != "感谢您的确认" {
		t.Fatalf("after confirming: got %q, want thanks", got)
	}
	rate := r.link(models.LinkRate, id)
	waitFor(t, 30*time.Second, "the return visit", func() bool {
		var d ticketDetail
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
		return d.Process != nil && d.Process.Status == models.StatusReturnVisit
	})
	fits("rate", rate, "维修服务评价")
	b.do("rate", chromedp.Click(chromedp.CSS(`input[name=score][value="4"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=comments]`), "师傅很专业"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitNotPresent(chromedp.CSS("form")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	measure("rated", "感谢您的评价")
	var d ticketDetail
	waitFor(t, 30*time.Second, "the ticket closed by the rating", func() bool {
		desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
		return d.Ticket.Status == models.StatusClosed
	})

	// The desk issues a link in the owner file and revokes it.
	b.signIn("RES-customer_service", "staff-password")
	b.do("issue a link in the owner file", chromedp.Navigate(fmt.Sprintf("%s/console/#/residents/%d", b.base, r.resident)),
		chromedp.WaitVisible(chromedp.CSS(`#resident-link-form`)),
		chromedp.SetValue(chromedp.CSS(`#resident-link-form select[name=purpose]`), "promise"),
		chromedp.Click(chromedp.CSS(`#resident-link-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#resident-link-url`)))
	issued := eval[string](b, `document.getElementById('resident-link-url').value`)
	rows := b.count(`#resident-links tbody tr`)
	b.shot("resident-links-owner-file")
	if !strings.Contains(issued, "/r/promise?t=r") || rows < len(pages) {
		t.Errorf("owner file: got link %q and %d rows, want a promise link listed with the others", issued, rows)
	}
	b.do("revoke it", chromedp.Click(chromedp.CSS(`#resident-links tbody tr:first-child button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#resident-links tbody tr:first-child button`)))
	if got := b.text(`#resident-links tbody tr:first-child`); !strings.Contains(got, "已撤销") {
		t.Errorf("revoked: got row %q, want 已撤销", got)
	}
}
