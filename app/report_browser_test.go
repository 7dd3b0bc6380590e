package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/attachments/attachtest"
)

// fitsResidentPhone screenshots a resident page as name and checks that it
// fits a 375 px phone with every control at least 44 px high
// (residentFitCheck).
func (b *browser) fitsResidentPhone(name string) {
	b.t.Helper()
	b.shot(name)
	got := eval[residentFit](b, residentFitCheck)
	if got.ScrollWidth > 375 || got.InnerWidth > 375 {
		b.t.Errorf("%s at 375px: got a page %dpx wide in a viewport of %dpx, want at most 375px", name, got.ScrollWidth, got.InnerWidth)
	}
	if len(got.Small) > 0 {
		b.t.Errorf("%s at 375px: got %d controls lower than 44px: %s", name, len(got.Small), strings.Join(got.Small, "; "))
	}
}

// TestResidentReportInABrowser: on a 375 px phone the resident opens the
// report link, reports a repair with two photos, lands on its follow page,
// and presses 催单 once the deadline has passed. Screenshots:
// resident-report, resident-follow, resident-hurried.
func TestResidentReportInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newReportSetup(t, a, "RPB")
	b := newBrowser(t, r.base)
	dir := t.TempDir()
	photos := []string{filepath.Join(dir, "IMG_0001.jpg"), filepath.Join(dir, "IMG_0002.png")}
	for i, data := range [][]byte{attachtest.JPEGWithGPS(800, 600, 1), attachtest.PNG(400, 300)} {
		if err := os.WriteFile(photos[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b.do("open the report link on a phone",
		chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile),
		chromedp.Navigate(r.base+r.reportPath), chromedp.WaitVisible(chromedp.CSS(`#description`)))
	b.fitsResidentPhone("resident-report")
	b.do("report a repair with two photos",
		chromedp.SetValue(chromedp.CSS(`#category`), "门窗"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "卧室窗户关不严，下雨时漏水"),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), photos),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-no`)))
	if got := b.text(`main`); !strings.Contains(got, "已上传 2 张") || !strings.Contains(got, "门窗") {
		t.Errorf("follow page: got %q, want the category and 2 photos", got)
	}
	b.fitsResidentPhone("resident-follow")
	for deadline := time.Now().Add(40 * time.Second); b.count(`#hurry`) == 0; {
		if time.Now().After(deadline) {
			b.shot("failed-no-hurry")
			t.Fatal("催单: got no button 40s after the report, want it once contact is overdue")
		}
		time.Sleep(time.Second)
		b.do("reload the follow page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ticket-no`)))
	}
	b.do("press 催单", chromedp.Click(chromedp.CSS(`#hurry`)), chromedp.WaitVisible(chromedp.CSS(`p.lead.ok`)))
	if got := b.text(`#steps`); !strings.Contains(got, "您已催单") {
		t.Errorf("steps after 催单: got %q, want it listed", got)
	}
	b.fitsResidentPhone("resident-hurried")
}
