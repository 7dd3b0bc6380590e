package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleContactsInABrowser: customer service opens a ticket and sees
// whom to call — the owner's name, the masked phone and the household's
// service needs — and 显示号码 turns the number into a tel: link; the
// follow-up and arrears pages show the same card, and a resident's name
// opens the owner file. A technician sees the masked phone without the
// button; the estate manager finds the reveal in 号码查看记录. At 375 px the
// ticket page and the owner file fit a phone.
func TestConsoleContactsInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "RVL", func(*models.Policy) {})
	admin, desk := as[models.RoleCompanyAdmin], as[models.RoleCustomerService]
	var building, unit idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	var moveIn struct {
		Household idOnly   `json:"household"`
		FollowUp  idOnly   `json:"follow_up"`
		Residents []idOnly `json:"residents"`
	}
	desk.mustCall(http.MethodPost, "/api/v1/move-ins", map[string]any{"unit_id": unit.ID,
		"residents": []map[string]any{{"name": "陈业主", "phone": "13712345601", "role": "owner"}, {"name": "林租户", "phone": "13712345602", "role": "tenant"}},
		"needs":     map[string]any{"elderly_at_home": true, "preferred_times": "工作日晚上"}}, &moveIn, http.StatusCreated)
	household, owner := moveIn.Household.ID, moveIn.Residents[0].ID
	var ticket idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "normal", "category": "水管", "description": "厨房漏水", "household_id": household, "channel": "phone"}, &ticket, http.StatusCreated)

	b := newBrowser(t, base)
	b.signIn("RVL-customer_service", "staff-password")
	ownerRow := fmt.Sprintf(`#contact li[data-resident="%d"]`, owner)
	b.do("open the ticket", chromedp.Navigate(fmt.Sprintf("%s/console/#/tickets/%d", base, ticket.ID)), chromedp.WaitVisible(chromedp.CSS(ownerRow)))
	card := b.text("#contact")
	for _, part := range []string{"联系人", "陈业主", "业主", "137****5601", "林租户", "租户", "家有老人", "工作日晚上"} {
		if !strings.Contains(card, part) {
			t.Errorf("ticket's contact card: got %q, want it to show %q", card, part)
		}
	}
	if strings.Contains(card, "13712345601") {
		t.Errorf("ticket's contact card: got %q, want the phone masked until revealed", card)
	}
	b.do("reveal the owner's number", chromedp.Click(chromedp.CSS(ownerRow+` button.reveal`)), chromedp.WaitVisible(chromedp.CSS(ownerRow+` a.tel`)))
	b.shot("contact-revealed")
	if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).getAttribute('href')`, ownerRow+` a.tel`)); got != "tel:13712345601" {
		t.Errorf("revealed number: got link %q, want tel:13712345601", got)
	}
	if got := b.text(ownerRow); !strings.Contains(got, "拨打 13712345601") {
		t.Errorf("revealed number: got %q, want 拨打 13712345601", got)
	}

	for _, page := range []struct{ name, hash string }{
		{"follow-up", fmt.Sprintf("#/followups/%d", moveIn.FollowUp.ID)},
		{"arrears case", fmt.Sprintf("#/arrears/%d", household)},
	} {
		b.do("open the "+page.name, chromedp.Navigate(base+"/console/"+page.hash), chromedp.WaitVisible(chromedp.CSS(ownerRow+` button.reveal`)))
		if got := b.text(ownerRow); !strings.Contains(got, "陈业主") || !strings.Contains(got, "137****5601") {
			t.Errorf("%s's contact card: got %q, want 陈业主 with the masked phone", page.name, got)
		}
	}
	b.do("open the owner file from the card", chromedp.Click(chromedp.CSS(ownerRow+` a[href="#/residents/`+fmt.Sprint(owner)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#owner-file`)))
	b.shot("owner-file")
	for sel, want := range map[string]string{"#owner-file-name": "陈业主", "#owner-address": "1栋 101", "#owner-needs": "工作日晚上", "#owner-file": "137****5601"} {
		if got := b.text(sel); !strings.Contains(got, want) {
			t.Errorf("owner file %s: got %q, want %q", sel, got, want)
		}
	}
	if n := b.count(fmt.Sprintf(`#owner-tickets a[href="#/tickets/%d"]`, ticket.ID)); n != 1 {
		t.Errorf("owner file: got %d links to ticket %d, want 1", n, ticket.ID)
	}
	if n := b.count(fmt.Sprintf(`#owner-followups a[href="#/followups/%d"]`, moveIn.FollowUp.ID)); n != 1 {
		t.Errorf("owner file: got %d links to follow-up %d, want 1", n, moveIn.FollowUp.ID)
	}

	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	b.do("owner file on a phone", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#owner-file`)))
	b.fitsPhone("owner-file")
	b.do("ticket on a phone", chromedp.Navigate(fmt.Sprintf("%s/console/#/tickets/%d", base, ticket.ID)), chromedp.WaitVisible(chromedp.CSS(ownerRow+` button.reveal`)))
	b.fitsPhone("ticket-contact")
	b.do("desktop screen", chromedp.EmulateViewport(1366, 768))
	b.signOut()

	b.signIn("RVL-technician", "staff-password")
	b.do("open the ticket as a technician", chromedp.Navigate(fmt.Sprintf("%s/console/#/tickets/%d", base, ticket.ID)), chromedp.WaitVisible(chromedp.CSS(ownerRow)))
	if got, n := b.text(ownerRow), b.count(`#contact button.reveal`); !strings.Contains(got, "137****5601") || n != 0 {
		t.Errorf("technician's contact card: got %q with %d 显示号码 buttons, want the masked phone and none", got, n)
	}
	if n := b.count(`#nav a[href="#/phone-reveals"], #phone-reveals-link`); n != 0 {
		t.Errorf("technician's navigation: got %d links to the reveal log, want none", n)
	}
	b.signOut()

	b.signIn("RVL-estate_manager", "staff-password")
	b.do("open 号码查看记录 from 管理看板", chromedp.Navigate(base+"/console/#/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#phone-reveals-link`)),
		chromedp.Click(chromedp.CSS(`#phone-reveals-link`)), chromedp.WaitVisible(chromedp.CSS(`#reveal-log tbody tr`)))
	b.shot("reveal-log")
	if n := b.count(`#reveal-log tbody tr`); n != 1 {
		t.Errorf("reveal log: got %d rows, want the one reveal", n)
	}
	row := b.text(`#reveal-log tbody tr`)
	for _, part := range []string{"RVL-customer_service", "陈业主", "137****5601", "1栋 101", fmt.Sprintf("工单 #%d", ticket.ID)} {
		if !strings.Contains(row, part) {
			t.Errorf("reveal log: got a row reading %q, want it to show %q", row, part)
		}
	}
}
