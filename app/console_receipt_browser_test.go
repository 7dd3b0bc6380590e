package app

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
)

// TestConsoleReceiptInABrowser: a payment's receipt prints with its number
// and the amount in words, on its own A5 or A4 page with the console
// hidden; finance voids it with a reason, the receipt shows 已作废 and keeps
// its number, and a reissue gives the next number.
func TestConsoleReceiptInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "RCP", func(*models.Policy) {})
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	hh := ownedHousehold(admin, estateID, "2栋", "301", "李业主")
	var pay idOnly
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": hh, "amount_fen": 123456,
		"paid_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "channel": "wechat", "reference": "wx-rcp-1"}, &pay, http.StatusCreated)
	var l struct {
		Items []models.Receipt `json:"items"`
	}
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/receipts?payment_id=%d", pay.ID), nil, &l, http.StatusOK)
	if len(l.Items) != 1 || !strings.HasPrefix(l.Items[0].Number, "RCP-") {
		t.Fatalf("receipts of the payment: got %+v, want one RCP- receipt", l.Items)
	}
	r := l.Items[0]

	b := newBrowser(t, base)
	b.signIn("RCP-finance", "staff-password")
	b.do("open the receipt",
		chromedp.Navigate(fmt.Sprintf("%s/console/#/finance/receipts/%d", base, r.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#receipt`)),
	)
	page := b.text(`#receipt`)
	for _, want := range []string{r.Number, "壹仟贰佰叁拾肆元伍角陆分", "1,234.56", "测试小区 RCP", "李业主", "2栋 301", "微信", "RCP-finance", "预存"} {
		if !strings.Contains(page, want) {
			t.Errorf("receipt: got %q, want it to contain %q", page, want)
		}
	}
	if got := eval[string](b, `document.querySelector('#receipt').className`); !strings.Contains(got, "a5") {
		t.Errorf("receipt paper: got class %q, want a5 by default", got)
	}
	// Print: the console hidden, each paper size a named page of its size.
	rules := strings.ToLower(eval[string](b, `[...document.styleSheets].flatMap((s) => [...s.cssRules]).map((r) => r.cssText).join(' ')`))
	for _, want := range []string{"@page receipt-a5", "size: a5 landscape", "@page receipt-a4", "size: a4", ".no-print"} {
		if !strings.Contains(rules, want) {
			t.Errorf("print rules: want them to contain %q", want)
		}
	}
	if got := eval[string](b, `getComputedStyle(document.querySelector('#receipt')).page`); got != "receipt-a5" {
		t.Errorf("receipt's page: got %q, want receipt-a5", got)
	}
	b.do("switch to A4", chromedp.Click(chromedp.CSS(`#receipt-a4`)))
	if got := eval[string](b, `getComputedStyle(document.querySelector('#receipt')).page`); got != "receipt-a4" {
		t.Errorf("receipt's page after A4: got %q, want receipt-a4", got)
	}
	b.shot("receipt-a4")

	b.do("void with a reason",
		chromedp.Click(chromedp.CSS(`#void-receipt`)),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-void-form`)),
		chromedp.SendKeys(chromedp.CSS(`#receipt-void-form input[name=reason]`), "打印错位"),
		chromedp.Click(chromedp.CSS(`#receipt-void-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#receipt-void`)),
	)
	if got := b.text(`#receipt`); !strings.Contains(got, "已作废") || !strings.Contains(got, "打印错位") || !strings.Contains(got, r.Number) {
		t.Errorf("voided receipt: got %q, want 已作废, the reason and the number %s", got, r.Number)
	}
	b.shot("receipt-voided")
	b.do("reissue",
		chromedp.Click(chromedp.CSS(`#reissue-receipt`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#receipt-void`)),
	)
	want := models.ReceiptNumber("RCP", r.Year, r.Seq+1)
	if got := b.text(`#receipt-number`); got != want {
		t.Errorf("reissued number: got %q, want %q", got, want)
	}
}

// ownedHousehold adds a building, a unit in it and a household with an
// owner of that name to an estate, answering the household's ID.
func ownedHousehold(admin *apiClient, estateID uint64, building, unit, owner string) uint64 {
	var b, u, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": building}, &b, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": b.ID, "number": unit}, &u, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": u.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": owner, "phone": "13912345671", "role": "owner"}, nil, http.StatusCreated)
	return hh.ID
}

// TestConsoleReconciliationInABrowser: finance uploads a GBK statement on
// the reconciliation page and sees its mismatch; a file with a wrong header
// is refused beside the file input, and nothing is listed for it.
func TestConsoleReconciliationInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "REC", func(*models.Policy) {})
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	hh := ownedHousehold(admin, estateID, "1栋", "101", "赵业主")
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	paid := time.Now().Add(-time.Minute).In(shanghai)
	fin.mustCall(http.MethodPost, "/api/v1/payments", map[string]any{"household_id": hh, "amount_fen": 30000,
		"paid_at": paid.Format(time.RFC3339), "channel": "wechat", "reference": "wx-rec-1"}, nil, http.StatusCreated)
	dir := t.TempDir()
	good := filepath.Join(dir, "wechat.csv")
	csv := "交易时间,交易单号,交易金额,交易状态\n" + paid.Format("2006-01-02 15:04:05") + ",wx-rec-1,300.00,支付成功\n" +
		paid.Format("2006-01-02 15:04:05") + ",wx-rec-2,8.00,支付成功\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	for path, data := range map[string][]byte{good: gbk, bad: []byte("id,money\n1,2\n")} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, base)
	b.signIn("REC-finance", "staff-password")
	form := `#recon-upload`
	b.do("upload a file with a wrong header",
		chromedp.Navigate(base+"/console/#/finance/reconciliation"),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+` input[name=day]`), paid.Format("2006-01-02")),
		chromedp.SetUploadFiles(chromedp.CSS(form+` input[name=file]`), []string{bad}),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(form+` .err[data-for=file]`)),
	)
	if got := b.text(form + ` .err[data-for=file]`); !strings.Contains(got, "表头缺少") {
		t.Errorf("wrong header: got %q, want it named", got)
	}
	if n := b.count(`#reconciliations tbody tr`); n != 0 {
		t.Errorf("after the refused file: got %d reconciliations listed, want none", n)
	}
	b.do("upload the statement",
		chromedp.SetUploadFiles(chromedp.CSS(form+` input[name=file]`), []string{good}),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recon-mismatches`)),
	)
	if got := b.text(`#recon-mismatches`); !strings.Contains(got, "wx-rec-2") || strings.Contains(got, "wx-rec-1") {
		t.Errorf("mismatches: got %q, want wx-rec-2 alone", got)
	}
	if n := b.count(`#reconciliations tbody tr`); n != 1 {
		t.Errorf("reconciliations listed: got %d, want 1", n)
	}
	b.shot("reconciliation")
}
