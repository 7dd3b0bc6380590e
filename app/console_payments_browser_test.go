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

// TestConsolePaymentsInABrowser: finance opens the payments list from a
// household's case page and sees a provider's overpayment with its channel,
// transaction and 多缴 status, then reverses it with a reason; the row says
// 已冲正 and offers no second reversal.
func TestConsolePaymentsInABrowser(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Pay = []models.PayProvider{{Name: "wechat", Channel: models.PayWeChat, Secret: e2ePaySecret}}
	a := startApp(t, cfg)
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "PAYC", secondScaleDunning)
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	var d arrearsDetail
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID), nil, &d, http.StatusOK)
	pay := map[string]any{"type": "payment", "transaction_id": "4200-console-1", "household_id": hh.ID, "amount_fen": d.Account.Total + 10000,
		"paid_at": time.Now().Format(time.RFC3339)}
	if got := notifyPayment(t, a, "console-n1", pay, nil); got != http.StatusCreated {
		t.Fatalf("notification: got %d, want 201", got)
	}

	b := newBrowser(t, base)
	b.signIn("PAYC-finance", "staff-password")
	b.do("open the case, then its payments",
		chromedp.Navigate(fmt.Sprintf("%s/console/#/arrears/%d", base, hh.ID)),
		chromedp.WaitVisible(chromedp.ID("case-payments")),
		chromedp.Click(chromedp.ID("case-payments")),
		chromedp.WaitVisible(chromedp.CSS(`#payments tbody tr[data-id]`)),
	)
	row := b.text(`#payments tbody tr[data-id]`)
	for _, want := range []string{"微信", "4200-console-1", "多缴 ¥100.00"} {
		if !strings.Contains(row, want) {
			t.Errorf("payments row: got %q, want %q in it", row, want)
		}
	}
	b.do("reverse it with a reason",
		chromedp.Click(chromedp.CSS(`#payments button[data-act=reverse]`)),
		chromedp.WaitVisible(chromedp.CSS(`#reversal-form input[name=reason]`)),
		chromedp.SendKeys(chromedp.CSS(`#reversal-form input[name=reason]`), "银行退回，错账冲正"),
		chromedp.Click(chromedp.CSS(`#reversal-form button[type=submit]`)),
	)
	b.within(15*time.Second, "the row to say 已冲正", chromedp.WaitVisible(chromedp.CSS(`#payments span.badge.reversed`)))
	if n := b.count(`#payments button[data-act=reverse]`); n != 0 {
		t.Errorf("reverse buttons after the reversal: got %d, want 0", n)
	}
	b.do("open the payment's receipt",
		chromedp.Click(chromedp.CSS(`#payments tbody tr[data-id] a[href*="receipts?payment_id="]`)),
		chromedp.WaitVisible(chromedp.CSS(`#receipts tbody a`)),
		chromedp.Click(chromedp.CSS(`#receipts tbody a`)),
		chromedp.WaitVisible(chromedp.ID("receipt-number")),
	)
	if got, want := b.text("#receipt-figures"), strings.TrimPrefix((d.Account.Total+10000).String(), "¥"); got != want {
		t.Errorf("receipt amount: got %q, want the payment's %s", got, want)
	}
}
