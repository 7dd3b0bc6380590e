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

// TestConsoleContractInABrowser: the estate manager finds the contract
// ending in 80 days on the list as 即将到期, sees its signing version and
// its reminder on the timeline, and renews it for three years from the
// page: a second version, and the contract active again.
func TestConsoleContractInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "CTR", recordingPolicy)
	admin := as[models.RoleCompanyAdmin]
	end := time.Now().AddDate(0, 0, 80)
	var ct idOnly
	admin.mustCall(http.MethodPost, "/api/v1/contracts", map[string]any{"estate_id": estateID, "number": "HT-CTR-1",
		"party_a_kind": "owners_assembly", "party_a": "阳光花园业主大会", "party_b": "示例物业", "service_level": "level2",
		"term_start": end.AddDate(-3, 0, 1).Format(time.DateOnly), "term_end": end.Format(time.DateOnly)}, &ct, http.StatusCreated)
	waitFor(t, 30*time.Second, "the catch-up reminder", func() bool {
		var d struct {
			Events []models.CaseEvent `json:"events"`
		}
		admin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/contracts/%d", ct.ID), nil, &d, http.StatusOK)
		return len(d.Events) >= 2
	})

	b := newBrowser(t, base)
	b.signIn("CTR-estate_manager", "staff-password")
	b.open("#/contracts", "#contract-list")
	if got := b.text("#contract-list"); !strings.Contains(got, "HT-CTR-1") || !strings.Contains(got, "即将到期") {
		t.Errorf("list: got %q", got)
	}
	b.do("open the contract",
		chromedp.Click(chromedp.CSS(`#contract-list a`)),
		chromedp.WaitVisible(chromedp.CSS(`#contract-actions button[data-action="renew"]`)))
	if got := b.text("#contract-versions"); !strings.Contains(got, "第 1 版") || !strings.Contains(got, "签订合同") {
		t.Errorf("versions: got %q", got)
	}
	if got := b.text("#contract-timeline"); !strings.Contains(got, "到期提醒") {
		t.Errorf("timeline: got %q", got)
	}
	newEnd := end.AddDate(3, 0, 0)
	b.do("renew for three years",
		chromedp.Click(chromedp.CSS(`#contract-actions button[data-action="renew"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form="renew"]`)),
		chromedp.SetValue(chromedp.CSS(`form[data-form="renew"] input[name="term_end"]`), newEnd.Format(time.DateOnly)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form="renew"] input[name="changes"]`), "续签三年"),
		chromedp.Click(chromedp.CSS(`form[data-form="renew"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contract-versions li[data-version="2"]`)))
	if got := b.text("#contract-status"); got != "有效" {
		t.Errorf("status after the renewal: got %q, want 有效", got)
	}
}
