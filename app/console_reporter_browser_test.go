package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleReporterInABrowser: a walk-in complaint about a common area,
// with nobody looked up: the desk types the reporter's phone (a bad one is
// refused beside the field, in Chinese) and name; the ticket's contact card
// then shows the reporter (报事人), phone masked, and the 受理 message goes to
// them.
func TestConsoleReporterInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateWithStaff(t, a, "RPT", func(*models.Policy) {})
	b := newBrowser(t, base)
	b.signIn("RPT-customer_service", "staff-password")
	form := `#new-ticket`
	b.do("fill a walk-in complaint with a bad phone",
		chromedp.Navigate(base+"/console/#/tickets/new"),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+` select[name=kind]`), "complaint"),
		chromedp.SetValue(chromedp.CSS(form+` select[name=channel]`), "walk_in"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=category]`), "噪音"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=location]`), "2栋大堂"),
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name=description]`), "楼下夜间施工噪音"),
		chromedp.WaitVisible(chromedp.CSS(form+` input[name=reporter_phone]`)),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=reporter_phone]`), "12345"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=reporter_name]`), "王先生"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .err[data-for=reporter_phone]`)),
	)
	if got := b.text(form + ` .err[data-for=reporter_phone]`); !strings.Contains(got, "手机号") {
		t.Errorf("error beside the phone: got %q, want it to ask for a phone number (手机号)", got)
	}
	eval[bool](b, `(document.querySelector('#new-ticket input[name=reporter_phone]').value = '') === ''`)
	b.do("correct the phone and send",
		chromedp.SendKeys(chromedp.CSS(form+` input[name=reporter_phone]`), "137 0000 2222"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("process")),
		chromedp.WaitVisible(chromedp.CSS(`#contact li[data-resident]`)),
	)
	b.shot("reporter-contact")
	card := b.text("#contact")
	for _, want := range []string{"王先生", "报事人", "137****2222"} {
		if !strings.Contains(card, want) {
			t.Errorf("contact card: got %q, want %q", card, want)
		}
	}
	if strings.Contains(card, "13700002222") {
		t.Errorf("contact card: got %q, want the phone masked", card)
	}
}
