package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// latin finds English left in a text staff read.
var latin = regexp.MustCompile(`[A-Za-z]{3,}`)

// TestConsoleMoveInOccupiedUnitInABrowser: customer service registers a new
// owner for 1栋 101 of the demo estate, which has a household: the form
// shows who lives there, every refusal is Chinese beside its field, and
// once the registrar confirms that the old household moves out the
// move-in goes through and the old household has moved out.
func TestConsoleMoveInOccupiedUnitInABrowser(t *testing.T) {
	a := startDemo(t)
	base := "http://" + a.Addr()
	b := newBrowser(t, base) // 1366×768
	b.signIn("kefu", DemoPassword)

	b.do("open the move-in form", chromedp.Navigate(base+"/console/#/moveins/new"), chromedp.WaitVisible(chromedp.CSS(`#movein-form`)))
	unitID := eval[string](b, `(() => {
		const s = document.querySelector('#movein-form select[name=unit_id]');
		const o = [...s.options].find((o) => o.textContent.trim() === '1栋 101');
		s.value = o ? o.value : '';
		s.dispatchEvent(new Event('change'));
		return s.value;
	})()`)
	if unitID == "" {
		t.Fatal("unit picker: got no option 1栋 101, want the demo unit")
	}
	b.do("see who lives there", chromedp.WaitVisible(chromedp.CSS(`#movein-form input[name=previous_household_id]`)))
	if got := b.text("#movein-form .occupant"); !strings.Contains(got, "张先生（业主）") || !strings.Contains(got, "欠费仍由原住户承担") {
		t.Errorf("occupant: got %q, want the owner living there and what moving out means", got)
	}

	// A wrong phone, then the unit's household not confirmed to move out:
	// each refusal in Chinese, beside its field.
	b.do("submit a wrong phone",
		chromedp.SendKeys(chromedp.CSS(`#movein-form input[name="residents[0].name"]`), "新业主"),
		chromedp.SendKeys(chromedp.CSS(`#movein-form input[name="residents[0].phone"]`), "12345"),
		chromedp.Click(chromedp.CSS(`#movein-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#movein-form .err[data-for="residents[0].phone"]`)),
	)
	if got := b.text(`#movein-form .err[data-for="residents[0].phone"]`); !strings.Contains(got, "手机号") || latin.MatchString(got) {
		t.Errorf("phone error: got %q, want it in Chinese", got)
	}
	eval[bool](b, `(document.querySelector('#movein-form input[name="residents[0].phone"]').value = '13712345678', true)`)
	b.do("submit without confirming the move-out",
		chromedp.Click(chromedp.CSS(`#movein-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#movein-form .err[data-for=previous_household_id]`)),
	)
	if got := b.text(`#movein-form .err[data-for=previous_household_id]`); !strings.Contains(got, "原住户迁出") || latin.MatchString(got) {
		t.Errorf("occupied unit: got %q, want a Chinese request to confirm the move-out", got)
	}
	if n := b.count(`#movein-form .banner.error`); n != 0 {
		t.Errorf("occupied unit: got %d error banners (%q), want the error beside its field", n, b.text(`#movein-form .banner.error`))
	}
	b.shot("movein-occupied-refused")

	b.do("confirm the move-out and register",
		chromedp.Click(chromedp.CSS(`#movein-form input[name=previous_household_id]`)),
		chromedp.Click(chromedp.CSS(`#movein-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#followup-status`)),
	)
	b.shot("movein-occupied-registered")
	got := eval[[]string](b, fmt.Sprintf(`fetch('/api/v1/households?unit_id=%s').then((r) => r.json()).then((l) => l.items.map((h) => h.status))`, unitID))
	if len(got) != 2 || !strings.Contains(strings.Join(got, ","), "moved_out") || !strings.Contains(strings.Join(got, ","), "active") {
		t.Errorf("households of 1栋 101: got %v, want the old one moved out and the new one active", got)
	}
}
