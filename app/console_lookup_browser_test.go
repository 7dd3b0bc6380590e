package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleLookupInABrowser: customer service answering the hotline types
// the caller's number, then a room spelled 1栋101, and each time sees the
// household with its owner's name, masked phone, open ticket and what it owes; a
// pasted 1-101 is looked up at once; the card's 新建工单 opens the form with
// the household chosen; too long a text is refused in Chinese. At 375 px the
// page fits a phone.
func TestConsoleLookupInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "LKP", func(*models.Policy) {})
	admin, fin, desk := as[models.RoleCompanyAdmin], as[models.RoleFinance], as[models.RoleCustomerService]
	var building idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	households := map[string]idOnly{}
	for number, owner := range map[string]string{"101": "陈业主", "102": "何业主"} {
		var unit, household idOnly
		admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": number}, &unit, http.StatusCreated)
		admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
		admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": owner,
			"phone": "1371234" + number + "0", "role": "owner"}, nil, http.StatusCreated)
		households[number] = household
	}
	household := households["101"]
	var ticket idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "normal", "category": "水管", "description": "卫生间漏水", "household_id": household.ID, "channel": "phone"}, &ticket, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": household.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	var want struct {
		Households []struct {
			ID      uint64       `json:"id"`
			OwedFen models.Money `json:"owed_fen"`
		} `json:"households"`
	}
	desk.mustCall(http.MethodGet, "/api/v1/lookup?q="+url.QueryEscape("1栋101"), nil, &want, http.StatusOK)
	if len(want.Households) != 1 || want.Households[0].OwedFen < 30000 {
		t.Fatalf("lookup through the API: got %+v, want household %d owing at least 30000", want.Households, household.ID)
	}
	owed := want.Households[0].OwedFen

	b := newBrowser(t, base)
	b.signIn("LKP-customer_service", "staff-password")
	card := fmt.Sprintf(`#lookup-results section[data-household="%d"]`, household.ID)
	b.do("open 来电查询 from the navigation", chromedp.Click(chromedp.CSS(`#nav a[href="#/lookup"]`)), chromedp.WaitVisible(chromedp.CSS(`#lookup-q`)))
	for i, typed := range []string{"137 1234 1010", "1栋101"} {
		// The page drawn for the last search holds its text: start afresh.
		eval[bool](b, `(document.getElementById('lookup-q').value = '') === ''`)
		b.do("look up "+typed,
			chromedp.SendKeys(chromedp.CSS(`#lookup-q`), typed),
			chromedp.Click(chromedp.CSS(`#lookup button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(card)),
		)
		b.shot(fmt.Sprintf("lookup-%d", i+1))
		if n := b.count(`#lookup-results section[data-household]`); n != 1 {
			t.Errorf("%s: got %d households, want only 1栋 101", typed, n)
		}
		text := b.text(card)
		for _, part := range []string{"1栋 101", "陈业主", "137****1010", "卫生间漏水"} {
			if !strings.Contains(text, part) {
				t.Errorf("%s: got a card reading %q, want it to show %q", typed, text, part)
			}
		}
		if n := b.count(card + fmt.Sprintf(` a[href="#/tickets/%d"]`, ticket.ID)); n != 1 {
			t.Errorf("%s: got %d links to ticket %d, want 1", typed, n, ticket.ID)
		}
		shown := strings.NewReplacer("¥", "", ",", "", ".", "").Replace(b.text(card + " .owed"))
		if shown != strconv.FormatInt(int64(owed), 10) {
			t.Errorf("%s: got owed %q, want %d fen as the lookup API says", typed, b.text(card+" .owed"), owed)
		}
		if n := b.count(card + fmt.Sprintf(` a[href="#/arrears/%d"]`, household.ID)); n != 1 {
			t.Errorf("%s: got %d links to the household's arrears, want 1", typed, n)
		}
	}
	// A pasted text is looked up without pressing 查询.
	b.do("leave the card", chromedp.Navigate(base+"/console/#/lookup"), chromedp.WaitVisible(chromedp.CSS(`#lookup-q`)))
	eval[bool](b, `(() => { const q = document.getElementById('lookup-q'); q.value = '1-101';
  return q.dispatchEvent(new ClipboardEvent('paste', { bubbles: true })); })()`)
	b.do("look up a pasted 1-101", chromedp.WaitVisible(chromedp.CSS(card)))
	if got := eval[string](b, `location.hash`); got != "#/lookup?q=1-101" {
		t.Errorf("after a paste: got %q, want #/lookup?q=1-101", got)
	}
	b.do("open a new ticket for the household",
		chromedp.Click(chromedp.CSS(card+` a[href^="#/tickets/new"]`)),
		chromedp.WaitReady(chromedp.CSS(`#new-ticket select[name=resident_id] option:nth-child(2)`)),
	)
	if got := eval[string](b, `document.querySelector('#new-ticket input[name=household_id]').value`); got != strconv.FormatUint(household.ID, 10) {
		t.Errorf("new ticket from the lookup: got household %q, want %d", got, household.ID)
	}

	// Too long a text (the box stops at 50 characters; a link need not) is
	// refused in Chinese, naming the field.
	b.do("look up too long a text", chromedp.Navigate(base+"/console/#/lookup?q="+url.QueryEscape(strings.Repeat("张", 51))),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-results .banner.error`)))
	if got, want := b.text(`#lookup-results .banner.error`), "查询内容：不能超过 50 个字"; got != want {
		t.Errorf("too long a text: got %q, want %q", got, want)
	}

	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	b.do("look up on a phone", chromedp.Navigate(base+"/console/#/lookup?q="+url.QueryEscape("1栋101")), chromedp.WaitVisible(chromedp.CSS(card)))
	b.fitsPhone("lookup")
}
