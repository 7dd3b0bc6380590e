package app

import (
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// The demo estate prices its bills from fee standards: last month's preview
// bills every demo household 物业服务费 by its area (the vacant unit at
// 70 %) and a flat 垃圾清运费.
func TestDemoBillsFromFeeStandards(t *testing.T) {
	a := startDemo(t)
	fin := signIn(t, a, "caiwu", DemoPassword)
	var estates struct{ Items []models.Estate }
	fin.mustCall(http.MethodGet, "/api/v1/estates", nil, &estates, http.StatusOK)
	if len(estates.Items) != 1 {
		t.Fatalf("estates: got %d, want the demo estate", len(estates.Items))
	}
	period := models.MonthOf(time.Now().AddDate(0, -1, 0))
	var p models.BillingPreview
	fin.mustCall(http.MethodPost, "/api/v1/billing-runs/preview", map[string]any{"estate_id": estates.Items[0].ID, "period": period.String()}, &p, http.StatusOK)
	if len(p.Households) != 8 || len(p.Skipped) != 0 {
		t.Fatalf("preview of %s: got %d households billed, %d skipped, want all 8 billed", period, len(p.Households), len(p.Skipped))
	}
	vacant := 0
	for _, hc := range p.Households {
		if len(hc.Lines) != 2 {
			t.Errorf("%s: got %d lines, want 物业服务费 and 垃圾清运费", hc.Label, len(hc.Lines))
			continue
		}
		fee, rubbish := hc.Lines[0], hc.Lines[1]
		if fee.ItemName != "物业服务费" || rubbish.ItemName != "垃圾清运费" || rubbish.AmountFen != 1000 {
			t.Errorf("%s: got lines %+v, want 物业服务费 then 垃圾清运费 at ¥10.00", hc.Label, hc.Lines)
		}
		if fee.Percent == 70 {
			vacant++
		}
		if hc.AmountFen != fee.AmountFen+rubbish.AmountFen {
			t.Errorf("%s: got a total of %d, want the sum of its lines %d", hc.Label, hc.AmountFen, fee.AmountFen+rubbish.AmountFen)
		}
	}
	if vacant != 2 {
		t.Errorf("vacant units billed at 70%%: got %d, want 2 (one per building)", vacant)
	}
}
