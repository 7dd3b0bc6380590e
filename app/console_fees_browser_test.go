package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleBillingRunInABrowser: finance sees the estate's fee standards
// and a flagged reading highlighted, previews a month's billing run (lines
// per household, totals per item, the households skipped and why), issues
// it, and opens a bill that shows its lines.
func TestConsoleBillingRunInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "FEE", func(*models.Policy) {})
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building, home, shop, empty, hh, shopHH, emptyHH idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101", "area_m2": "89.35"}, &home, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "102", "area_m2": "100"}, &empty, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "S1", "area_m2": "50"}, &shop, http.StatusCreated)
	admin.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", shop.ID), map[string]any{"property_type": "shop"}, nil, http.StatusOK)
	admin.mustCall(http.MethodPatch, fmt.Sprintf("/api/v1/units/%d", empty.ID), map[string]any{"occupancy": "undelivered"}, nil, http.StatusOK)
	for _, u := range []struct{ unit, hh *idOnly }{{&home, &hh}, {&shop, &shopHH}, {&empty, &emptyHH}} {
		admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": u.unit.ID}, u.hh, http.StatusCreated)
	}
	fin.mustCall(http.MethodPost, "/api/v1/fee-standards", map[string]any{"estate_id": estateID, "name": "物业服务费", "method": "per_area",
		"unit_price": "2.35", "property_types": []string{"residential", "shop"}, "valid_from": "2026-01"}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/fee-standards", map[string]any{"estate_id": estateID, "name": "水费", "method": "metered", "meter_kind": "water",
		"unit_price": "3.45", "property_types": []string{"shop"}, "valid_from": "2026-01"}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/meter-readings", map[string]any{"unit_id": shop.ID, "kind": "water", "period": "2026-03", "value": "110", "previous": "100"}, nil, http.StatusCreated)
	// April's reading runs backwards: held for review.
	fin.mustCall(http.MethodPost, "/api/v1/meter-readings", map[string]any{"unit_id": shop.ID, "kind": "water", "period": "2026-04", "value": "105"}, nil, http.StatusCreated)

	b := newBrowser(t, base)
	b.signIn("FEE-finance", "staff-password")
	b.open("#/finance/standards", `#standards tr[data-name="物业服务费"]`)
	if got := b.text(`#standards tr[data-name="物业服务费"] td.price`); got != "¥2.35/m²" {
		t.Errorf("current price: got %q, want ¥2.35/m²", got)
	}
	b.open("#/finance/readings?period=2026-04", `#readings tr.flagged`)
	if got := b.text(`#readings tr.flagged`); !strings.Contains(got, "待复核") || !strings.Contains(got, "读数低于上期") {
		t.Errorf("flagged reading: got %q, want 待复核 and its reason", got)
	}

	// March: 101 pays 89.35 × 2.35 = ¥209.97; S1 50 × 2.35 = ¥117.50 and 10 m³ × 3.45 = ¥34.50; 102 is undelivered.
	b.open("#/finance/billing?period=2026-03", `#preview-households`)
	b.shot("fees-01-preview")
	if got := b.text(`#preview-households`); !strings.Contains(got, "1栋 101") && !strings.Contains(got, "1栋-101") || !strings.Contains(got, "¥209.97") || !strings.Contains(got, "¥152.00") {
		t.Errorf("preview households: got %q, want 1栋-101 at ¥209.97 and S1 at ¥152.00", got)
	}
	if got := b.text(`#preview-items`); !strings.Contains(got, "水费") || !strings.Contains(got, "¥361.97") {
		t.Errorf("preview totals: got %q, want 水费 and a total of ¥361.97", got)
	}
	if got := b.text(`#preview-skipped`); !strings.Contains(got, "未交付") {
		t.Errorf("preview skipped: got %q, want 1栋-102 as undelivered", got)
	}
	b.do("issue the bills",
		chromedp.Click(chromedp.CSS(`#issue`)),
		chromedp.WaitVisible(chromedp.CSS(`#billing-result a`)),
	)
	if got := b.text(`#billing-result`); !strings.Contains(got, "已出账 2 张") {
		t.Errorf("run result: got %q, want 2 bills issued", got)
	}
	var bills struct {
		Items []models.HouseholdBill `json:"items"`
	}
	fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/bills?household_id=%d&period=2026-03", shopHH.ID), nil, &bills, http.StatusOK)
	if len(bills.Items) != 1 || bills.Items[0].AmountFen != 15200 || len(bills.Items[0].Lines) != 2 {
		t.Fatalf("the shop's bill: got %+v, want 15200 fen in two lines", bills.Items)
	}
	b.open(fmt.Sprintf("#/finance/bills/%d", bills.Items[0].ID), `#bill-items`)
	b.shot("fees-02-bill")
	got := b.text(`#bill-items`)
	for _, want := range []string{"物业服务费", "50 m²", "¥2.35", "¥117.50", "水费", "10 m³", "¥3.45", "¥34.50", "¥152.00"} {
		if !strings.Contains(got, want) {
			t.Errorf("bill lines: got %q, want %q", got, want)
		}
	}
}
