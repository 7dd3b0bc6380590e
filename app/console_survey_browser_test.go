package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleSurveyInABrowser: the demo estate's manager reaches 满意度调查
// from the dashboard (the header has no room left at 1366 px and stays one
// row), opens this quarter's demo campaign from the list and sees its
// counts and results by question, building and service area; the
// dashboard shows 员工绩效（本月）.
func TestConsoleSurveyInABrowser(t *testing.T) {
	a := startDemo(t)
	base := "http://" + a.Addr()
	b := newBrowser(t, base)
	b.signIn("jingli", DemoPassword)

	if h := eval[float64](b, `document.getElementById('top').getBoundingClientRect().height`); h > 60 {
		t.Errorf("header at 1366px: got %.0fpx tall, want one row", h)
	}
	b.do("open the dashboard", chromedp.Navigate(base+"/console/#/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#surveys-link`)))
	b.do("open the survey list", chromedp.Click(chromedp.CSS(`#surveys-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#survey-list tbody a`)))
	if got := b.text("#survey-list"); !strings.Contains(got, "满意度调查") || !strings.Contains(got, "进行中") {
		t.Errorf("survey list: got %q, want the demo campaign open", got)
	}
	if b.count(`#survey-form`) != 1 {
		t.Errorf("survey list: want the form to start a campaign for a manager")
	}
	b.do("open the campaign", chromedp.Click(chromedp.CSS(`#survey-list tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#survey-rate`)))
	if got := b.text("#survey-status"); got != "进行中" {
		t.Errorf("status: got %q, want 进行中", got)
	}
	if got := b.text("#survey-counts"); !strings.Contains(got, "已答 3 户") {
		t.Errorf("counts: got %q, want 3 answered", got)
	}
	if got := b.text("#survey-rate"); !strings.Contains(got, "回收 3 /") {
		t.Errorf("results: got %q, want 3 responses", got)
	}
	if got := b.text("#survey-questions"); !strings.Contains(got, "维修") {
		t.Errorf("by question: got %q, want the repair question", got)
	}
	if b.count(`#survey-buildings tbody tr`) == 0 || b.count(`#survey-areas tbody tr`) == 0 {
		t.Errorf("results: want rows by building and by service area")
	}
	if got := b.text("#survey-buildings") + b.text("#survey-areas"); latin.MatchString(got) {
		t.Errorf("results by building and area: got %q, want Chinese only", got)
	}
	b.shot("survey-campaign")

	b.do("open the dashboard", chromedp.Navigate(base+"/console/#/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#performance-section .card`)))
	if got := b.text("#performance-section"); !strings.Contains(got, "员工绩效（本月）") {
		t.Errorf("dashboard: got %q, want the performance section", got)
	}
	// No ticket-list filter by ID: a figure names its records in its title.
	if b.count(`#performance td[title*="答卷：#"]`) == 0 {
		t.Errorf("performance: got %q, want survey scores naming their responses", b.text("#performance-section"))
	}
	b.shot("survey-performance")

	// Next quarter's campaign, created through the form, runs a process:
	// its timeline and its action bar come from the server.
	b.do("open the survey form", chromedp.Navigate(base+"/console/#/surveys"), chromedp.WaitVisible(chromedp.CSS(`#survey-form`)))
	eval[bool](b, `(() => {
		const f = document.querySelector('#survey-form');
		const n = new Date(), q = Math.floor(n.getMonth() / 3) + 1;
		const year = q === 4 ? n.getFullYear() + 1 : n.getFullYear(), month = q === 4 ? 0 : q * 3;
		const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
		f.querySelector('[name=quarter]').value = year + 'Q' + (q === 4 ? 1 : q + 1);
		f.querySelector('[name=opens_at]').value = local(new Date(year, month, 2, 10));
		f.querySelector('[name=closes_at]').value = local(new Date(year, month, 20, 10));
		const mode = f.querySelector('[name="sample.mode"]');
		mode.value = 'stratified';
		mode.dispatchEvent(new Event('change'));
		f.querySelector('[name="sample.rate_percent"]').value = '50';
		return true;
	})()`)
	b.do("create it", chromedp.Click(chromedp.CSS(`#survey-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#survey-actions button[data-action=cancel]`)))
	if got := b.text("#survey-status"); got != "未开始" {
		t.Errorf("created campaign: got %q, want 未开始", got)
	}
	b.do("cancel it", chromedp.Click(chromedp.CSS(`#survey-actions button[data-action=cancel]`)),
		chromedp.WaitVisible(chromedp.CSS(`#survey-actions form [name=reason]`)),
		chromedp.SendKeys(chromedp.CSS(`#survey-actions form [name=reason]`), "问卷需调整"),
		chromedp.Click(chromedp.CSS(`#survey-actions form button[type=submit]`)))
	waitFor(t, 15e9, "the campaign cancelled", func() bool { return b.text("#survey-status") == "已取消" })
	if got := b.text(".timeline"); !strings.Contains(got, "创建调查") || !strings.Contains(got, "取消调查") {
		t.Errorf("timeline: got %q, want created and cancelled", got)
	}
	b.shot("survey-cancelled")
}
