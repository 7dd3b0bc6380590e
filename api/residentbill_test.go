package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// payerResident adds a resident to estate A's paying household (the one
// with a payment and its receipt) and an overdue bill of half a year ago,
// with the payment page set in the policy.
func (h *linkHarness) payerResident() models.Resident {
	h.t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	r := models.Resident{HouseholdID: h.a.payer.ID, Name: "付款人", Phone: "13900000000", Role: models.ResidentOwner}
	h.must(h.store.CreateResident(ctx, all, &r))
	p, err := h.store.Policy(ctx, all, h.a.estate.ID)
	h.must(err)
	p.Policy.Fees.PayURL, p.Policy.Fees.PayQRURL = "https://pay.example.com/wuye?h=1", "https://pay.example.com/qr.png"
	_, err = h.store.SetPolicy(ctx, all, h.a.estate.ID, p.Version, p.Policy, nil)
	h.must(err)
	old := models.DateOf(*h.now, time.UTC).AddDays(-180)
	_, err = h.store.IssueBill(ctx, all, h.a.payer.ID, models.Month{Year: old.Year, Month: old.Month}, 50000, p.Policy.Fees, nil)
	h.must(err)
	return r
}

// TestResidentBillPage: the my-bill link shows the household's statement
// today: what it owes, each bill's late fee, its receipts (number, date,
// amount) and the estate's way to pay; another household's link shows none
// of it.
func TestResidentBillPage(t *testing.T) {
	h := newLinkHarness(t)
	*h.now = time.Now() // the fixture's payment was made an hour ago
	r := h.payerResident()
	l := h.issue(r.ID, models.LinkMyBill, 0, 0)
	code, body := h.page(auth.BillPath, h.links.LinkToken(l.ID), nil)
	wantPage(t, "open", code, body, http.StatusOK, "我的账单")
	for _, want := range []string{h.a.receipt.Number, "¥300.00", "¥500.00", "滞纳金", "已逾期", "https://pay.example.com/wuye?h=1", "查看缴费二维码", "102"} {
		if !strings.Contains(body, want) {
			t.Errorf("statement: got %q, want %q in it", body, want)
		}
	}
	if strings.Contains(body, "/api/v1/receipts") {
		t.Errorf("statement: got %q, want no link to the staff's receipt page", body)
	}

	other := h.issue(h.a.resident.ID, models.LinkMyBill, 0, 0)
	code, body = h.page(auth.BillPath, h.links.LinkToken(other.ID), nil)
	wantPage(t, "another household", code, body, http.StatusOK, "我的账单")
	if strings.Contains(body, h.a.receipt.Number) || strings.Contains(body, "¥500.00") {
		t.Errorf("another household's statement: got %q, want none of the payer's bills or receipts", body)
	}
	confirm := h.issue(h.a.resident.ID, models.LinkConfirm, h.a.ticket.ID, 0)
	code, body = h.page(auth.BillPath, h.links.LinkToken(confirm.ID), nil)
	wantPage(t, "a confirm link", code, body, http.StatusBadRequest, "链接无效")
}
