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

// TestConsoleLetterInABrowser: the formal notice's letter prints from the
// case page on A4 with the owner's name, the total in words, the legal basis
// and a place for the seal, the console hidden in print; finance records its
// service (a tracking number is asked for a letter sent by post) and the
// case shows it served.
func TestConsoleLetterInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "LTR", noticeDunning)
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "3栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "502"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "王业主", "phone": "13912345670", "role": "owner"}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	var d struct {
		DemandLetters []models.DemandLetter `json:"demand_letters"`
	}
	waitFor(t, 45*time.Second, "a letter awaiting service", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID), nil, &d, http.StatusOK)
		return len(d.DemandLetters) == 1 && d.DemandLetters[0].AwaitsService
	})
	letter := d.DemandLetters[0]

	b := newBrowser(t, base)
	b.signIn("LTR-finance", "staff-password")
	row := fmt.Sprintf(`#letter-list li[data-letter="%d"]`, letter.ID)
	b.do("open the case and its letter",
		chromedp.Navigate(fmt.Sprintf("%s/console/#/arrears/%d", base, hh.ID)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+` a`)),
		chromedp.WaitVisible(chromedp.CSS(`#letter`)),
	)
	page := b.text(`#letter`)
	for _, want := range []string{"物业服务费催缴函", "王业主（测试小区 LTR 3栋 502）", letter.Content.TotalInWords, "第九百四十四条", "物业服务合同",
		"（盖章处）", letter.Content.Seal, "日内缴纳"} {
		if !strings.Contains(page, want) {
			t.Errorf("letter: got %q, want it to contain %q", page, want)
		}
	}
	if !strings.HasSuffix(letter.Content.TotalInWords, "整") && !strings.HasSuffix(letter.Content.TotalInWords, "分") {
		t.Errorf("total in words: got %q", letter.Content.TotalInWords)
	}
	if got := b.text(`#letter-bar`); !strings.Contains(got, "待送达") {
		t.Errorf("letter bar: got %q, want it awaiting service", got)
	}
	// Printing hides the console's header and the bar, and prints A4.
	printCSS := eval[string](b, `[...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r.media && r.media.mediaText === 'print').map((r) => r.cssText).join(' ')`)
	for _, want := range []string{"#top", ".no-print", "size: a4"} {
		if !strings.Contains(strings.ToLower(printCSS), want) {
			t.Errorf("print rules: got %q, want them to mention %s", printCSS, want)
		}
	}
	b.shot("letter-a4")

	form := `form[data-form=service]`
	b.do("back to the case and open the service form",
		chromedp.Click(chromedp.CSS(`#letter-case`)),
		chromedp.WaitVisible(chromedp.CSS(row+` button.link`)),
		chromedp.Click(chromedp.CSS(row+` button.link`)),
		chromedp.WaitVisible(chromedp.CSS(form)),
	)
	eval[bool](b, fmt.Sprintf(`(s => (s.value = 'post', s.dispatchEvent(new Event('change')), true))(document.querySelector(%q))`, form+` select[name=delivery_method]`))
	b.do("post without a tracking number",
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .err[data-for=tracking_no]`)),
	)
	if got := b.text(form + ` .err[data-for=tracking_no]`); !strings.Contains(got, "快递单号") {
		t.Errorf("tracking error: got %q, want it to ask for the tracking number", got)
	}
	b.shot("letter-service-form")
	b.do("record the service",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=tracking_no]`), "SF7788"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(form)),
	)
	waitFor(t, 30*time.Second, "the letter shown served", func() bool {
		return eval[bool](b, fmt.Sprintf(`(document.querySelector(%q) || {textContent: ''}).textContent.includes('SF7788')`, row))
	})
	var served models.DemandLetter
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/letters/%d", letter.ID), nil, &served, http.StatusOK)
	if on, ok := served.ServedDate(); !ok || served.TrackingNo != "SF7788" || served.DeliveryMethod != models.DeliveryPost || on.IsZero() {
		t.Errorf("letter after service: got %+v, want served by post with SF7788", served)
	}
	b.shot("letter-served")

	// On a phone the sheet fits the screen.
	b.do("open the letter at 375 px",
		chromedp.EmulateViewport(375, 812),
		chromedp.Navigate(fmt.Sprintf("%s/console/#/letters/%d", base, letter.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#letter`)),
	)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("letter at 375 px: got a page %d px wide, want no sideways scrolling", w)
	}
	if got := b.text(`#letter-bar`); !strings.Contains(got, "邮寄") {
		t.Errorf("letter bar after service: got %q, want the post service", got)
	}
	b.shot("letter-375")
}
