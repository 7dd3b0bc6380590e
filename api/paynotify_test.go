package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

var testPaySecret = []byte("wechat-test-secret-of-32-bytes-or-more")

// payHarness is the arrears harness with provider "wechat" configured, a
// fresh household in estate A with a bill of 30000 fen for 2026-01 (due
// 02-10) and a log the test reads.
type payHarness struct {
	*harness
	fake *fakeTemporal
	now  time.Time
	hh   uint64
	bill models.HouseholdBill
	logs *bytes.Buffer
	seq  int
}

func newPayHarness(t *testing.T, s *store.Store) *payHarness {
	t.Helper()
	h, fake := arrearsHarness(t, s)
	p := &payHarness{harness: h, fake: fake, now: time.Date(2026, 3, 7, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)), logs: &bytes.Buffer{}}
	h.srv.Close()
	h.srv = httptest.NewServer(New(Options{Store: s, Temporal: fake, Log: slog.New(slog.NewTextHandler(p.logs, nil)),
		Now: func() time.Time { return p.now }, PayProviders: []models.PayProvider{{Name: "wechat", Channel: models.PayWeChat, Secret: testPaySecret}}}).Handler())
	ctx := context.Background()
	all := store.AllEstates()
	u := models.Unit{BuildingID: h.a.building.ID, Number: "201"}
	h.must(s.CreateUnit(ctx, all, &u))
	hh := models.Household{UnitID: u.ID}
	h.must(s.CreateHousehold(ctx, all, &hh))
	p.hh = hh.ID
	var err error
	p.bill, err = s.IssueBill(ctx, all, hh.ID, models.Month{Year: 2026, Month: 1}, 30000, models.DefaultPolicy().Fees, nil)
	h.must(err)
	return p
}

// notify posts body to provider signed with secret at ts with a fresh nonce
// (or the one given), and decodes a success into out.
func (p *payHarness) notify(provider string, secret []byte, ts time.Time, nonce string, body any, out any) response {
	p.t.Helper()
	raw, err := json.Marshal(body)
	p.must(err)
	if nonce == "" {
		p.seq++
		nonce = "nonce-" + strconv.Itoa(p.seq)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/payment-notifications/"+provider, bytes.NewReader(raw))
	p.must(err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerPayTimestamp, stamp)
	req.Header.Set(headerPayNonce, nonce)
	req.Header.Set(headerPaySignature, models.SignNotification(secret, stamp, nonce, raw))
	resp, err := p.srv.Client().Do(req)
	p.must(err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	p.must(err)
	if out != nil && resp.StatusCode < 300 {
		p.must(json.Unmarshal(got, out))
	}
	return response{status: resp.StatusCode, header: resp.Header, body: got, req: "notify " + provider}
}

func (p *payHarness) payment(txn string, amount models.Money) map[string]any {
	return map[string]any{"type": "payment", "transaction_id": txn, "household_id": p.hh, "amount_fen": amount,
		"paid_at": "2026-03-07T09:30:00+08:00"}
}

func (p *payHarness) payments() int64 {
	l, err := p.store.Payments(context.Background(), store.AllEstates(), store.PaymentFilter{HouseholdID: p.hh}, store.Page{})
	p.must(err)
	return l.Total
}

// TestPaymentNotificationRecordsAndNudges: a signed notification records
// the payment under the provider's channel, classified against what was
// owed that day, and nudges the household's collection; the same
// transaction again (a new nonce) is the same payment, 200, nudged again.
func TestPaymentNotificationRecordsAndNudges(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		p := newPayHarness(t, s)
		// Owed on 03-07: 30000 and 25 days' late fee at 3‰ (2250).
		var ans notificationAnswer
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", p.payment("wx-1", 30000), &ans), http.StatusCreated)
		pay := ans.Payment
		if pay.Channel != models.PayWeChat || pay.Provider != "wechat" || pay.Reference != "wx-1" || pay.Settlement != models.SettledUnder || pay.DifferenceFen != -2250 {
			t.Errorf("payment: got %+v, want wechat wx-1 under by 2250", pay)
		}
		var again notificationAnswer
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", p.payment("wx-1", 30000), &again), http.StatusOK)
		if again.Payment.ID != pay.ID || p.payments() != 1 {
			t.Errorf("re-sent: got payment %d and %d payments, want %d once", again.Payment.ID, p.payments(), pay.ID)
		}
		var over notificationAnswer
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", p.payment("wx-2", 12250), &over), http.StatusCreated)
		if over.Payment.Settlement != models.SettledOver || over.Payment.DifferenceFen != 10000 {
			t.Errorf("second payment: got %s %d, want over by 10000 (2250 was owed)", over.Payment.Settlement, over.Payment.DifferenceFen)
		}
		acc, err := (&Server{store: s, now: func() time.Time { return p.now }}).account(context.Background(), store.AllEstates(), p.hh)
		p.must(err)
		if acc.Total != 0 || acc.Credit != 10000 {
			t.Errorf("account: got owed %d credit %d, want 0 and 10000 of credit", acc.Total, acc.Credit)
		}
		p.fake.mu.Lock()
		defer p.fake.mu.Unlock()
		if len(p.fake.signals) != 3 || p.fake.signals[0].nudge.Kind != workflows.NudgePayment || p.fake.signals[0].nudge.Ref != pay.ID ||
			p.fake.signals[0].workflowID != workflows.CollectionWorkflowID(p.hh) {
			t.Errorf("nudges: got %+v, want three payment nudges of household %d", p.fake.signals, p.hh)
		}
	})
}

// TestPaymentNotificationRefusals: each bad notification is refused with
// its status, logged, and records nothing.
func TestPaymentNotificationRefusals(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		p := newPayHarness(t, s)
		good := p.payment("wx-9", 100)
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range good {
				m[kk] = vv
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		other := []byte("another-secret-another-secret-xxxxx")
		tests := []struct {
			name     string
			provider string
			secret   []byte
			at       time.Time
			body     map[string]any
			status   int
			code     string
			field    string
		}{
			{"unknown provider", "paypal", testPaySecret, p.now, good, http.StatusNotFound, codeNotFound, ""},
			{"bad signature", "wechat", other, p.now, good, http.StatusUnauthorized, codeUnauthorized, ""},
			{"old timestamp", "wechat", testPaySecret, p.now.Add(-6 * time.Minute), good, http.StatusUnauthorized, codeUnauthorized, ""},
			{"future timestamp", "wechat", testPaySecret, p.now.Add(6 * time.Minute), good, http.StatusUnauthorized, codeUnauthorized, ""},
			{"unknown household", "wechat", testPaySecret, p.now, with("household_id", 999999), http.StatusNotFound, codeNotFound, ""},
			{"unknown bill", "wechat", testPaySecret, p.now, with("bill_id", 999999), http.StatusNotFound, codeNotFound, ""},
			{"bill of another household", "wechat", testPaySecret, p.now, with("bill_id", p.a.bill.ID), http.StatusBadRequest, codeInvalidInput, "bill_id"},
			{"no payer", "wechat", testPaySecret, p.now, with("household_id", nil), http.StatusBadRequest, codeInvalidInput, "household_id"},
			{"zero amount", "wechat", testPaySecret, p.now, with("amount_fen", 0), http.StatusBadRequest, codeInvalidInput, "amount_fen"},
			{"negative amount", "wechat", testPaySecret, p.now, with("amount_fen", -5), http.StatusBadRequest, codeInvalidInput, "amount_fen"},
			{"huge amount", "wechat", testPaySecret, p.now, with("amount_fen", 1_000_000_001), http.StatusBadRequest, codeInvalidInput, "amount_fen"},
			{"fractional amount", "wechat", testPaySecret, p.now, with("amount_fen", 1.5), http.StatusBadRequest, codeInvalidInput, "amount_fen"},
			{"no transaction", "wechat", testPaySecret, p.now, with("transaction_id", nil), http.StatusBadRequest, codeInvalidInput, "transaction_id"},
			{"unknown type", "wechat", testPaySecret, p.now, with("type", "gift"), http.StatusBadRequest, codeInvalidInput, "type"},
			{"paid in the future", "wechat", testPaySecret, p.now, with("paid_at", "2026-03-08T09:30:00+08:00"), http.StatusBadRequest, codeInvalidInput, "paid_at"},
			{"paid two years ago", "wechat", testPaySecret, p.now, with("paid_at", "2024-03-07T09:30:00+08:00"), http.StatusBadRequest, codeInvalidInput, "paid_at"},
			{"refund without original", "wechat", testPaySecret, p.now, with("type", "refund"), http.StatusBadRequest, codeInvalidInput, "original_transaction_id"},
			{"unknown field", "wechat", testPaySecret, p.now, with("tip", 1), http.StatusBadRequest, codeInvalidInput, "tip"},
		}
		for _, tt := range tests {
			before := p.logs.Len()
			r := p.notify(tt.provider, tt.secret, tt.at, "", tt.body, nil)
			p.wantError(r, tt.status, tt.code, tt.field)
			if !bytes.Contains(p.logs.Bytes()[before:], []byte("payment notification refused")) {
				t.Errorf("%s: got no log line, want one", tt.name)
			}
		}
		if bytes.Contains(p.logs.Bytes(), testPaySecret) {
			t.Errorf("log: got the provider's secret, want it never logged")
		}
		// A refund of a transaction never recorded names nothing: 404.
		refund := with("type", "refund")
		refund["original_transaction_id"] = "wx-none"
		p.wantError(p.notify("wechat", testPaySecret, p.now, "", refund, nil), http.StatusNotFound, codeNotFound, "")
		if n := p.payments(); n != 0 {
			t.Errorf("payments after refusals: got %d, want 0", n)
		}

		// A replay (the same nonce) is refused even though it is signed.
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "n-once", good, nil), http.StatusCreated)
		r := p.notify("wechat", testPaySecret, p.now, "n-once", with("transaction_id", "wx-10"), nil)
		p.wantError(r, http.StatusConflict, codeInvalidState, "")
		if n := p.payments(); n != 1 {
			t.Errorf("payments after the replay: got %d, want 1", n)
		}
		// Another transaction of another amount under a recorded ID: 409.
		p.wantError(p.notify("wechat", testPaySecret, p.now, "", with("amount_fen", 200), nil), http.StatusConflict, codeConflict, "")
		// A header missing is a bad signature.
		req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/v1/payment-notifications/wechat", bytes.NewReader([]byte(`{}`)))
		resp, err := p.srv.Client().Do(req)
		p.must(err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("no headers: got %d, want 401", resp.StatusCode)
		}
	})
}

// TestRefundAndReversal: a partial refund of an overpayment reduces the
// credit; a reversal takes the payment out of the ledger, so the bill is
// owed again, and nudges the collection as a reversal (which resumes a
// closed case); finance reverses by hand with a reason, once.
func TestRefundAndReversal(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		p := newPayHarness(t, s)
		owed := func() models.Account {
			acc, err := (&Server{store: s, now: func() time.Time { return p.now }}).account(context.Background(), store.AllEstates(), p.hh)
			p.must(err)
			return acc
		}
		var paid notificationAnswer
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", p.payment("wx-1", 42250), &paid), http.StatusCreated)
		if acc := owed(); acc.Total != 0 || acc.Credit != 10000 {
			t.Fatalf("after paying 42250: got owed %d credit %d, want 0 and 10000", acc.Total, acc.Credit)
		}
		refund := map[string]any{"type": "refund", "transaction_id": "wx-r1", "original_transaction_id": "wx-1", "household_id": p.hh,
			"amount_fen": 4000, "paid_at": "2026-03-07T09:50:00+08:00", "reason": "多缴退回"}
		var ans notificationAnswer
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", refund, &ans), http.StatusCreated)
		if ans.Reversal == nil || ans.Reversal.ReversalOf != paid.Payment.ID || ans.Payment.ReversedFen != 4000 || ans.Payment.ReversedAt != nil {
			t.Errorf("refund: got %+v, want 4000 of payment %d refunded", ans, paid.Payment.ID)
		}
		if acc := owed(); acc.Total != 0 || acc.Credit != 6000 {
			t.Errorf("after refunding 4000: got owed %d credit %d, want 0 and 6000", acc.Total, acc.Credit)
		}
		p.wantStatus(p.notify("wechat", testPaySecret, p.now, "", refund, nil), http.StatusOK)
		refund["transaction_id"], refund["amount_fen"] = "wx-r2", 40000
		p.wantError(p.notify("wechat", testPaySecret, p.now, "", refund, nil), http.StatusBadRequest, codeInvalidInput, "amount_fen")

		fin := p.tokens[models.RoleFinance]
		path := fmt.Sprintf("/api/v1/payments/%d/reversal", paid.Payment.ID)
		p.wantError(p.do(http.MethodPost, path, fin, map[string]any{"reason": " "}, nil), http.StatusBadRequest, codeInvalidInput, "reason")
		p.wantError(p.do(http.MethodPost, path, p.tokens[models.RoleCustomerService], map[string]any{"reason": "错账"}, nil), http.StatusForbidden, codeForbidden, "")
		var rev notificationAnswer
		p.wantStatus(p.do(http.MethodPost, path, fin, map[string]any{"reason": "错账冲正"}, &rev), http.StatusCreated)
		if rev.Payment.ReversedAt == nil || rev.Reversal == nil || rev.Reversal.AmountFen != 38250 || rev.Reversal.Reason != "错账冲正" || rev.Reversal.By == nil {
			t.Errorf("reversal: got %+v, want the 38250 left reversed by finance", rev)
		}
		if acc := owed(); acc.Principal != 30000 || acc.Credit != 0 {
			t.Errorf("after the reversal: got principal %d credit %d, want the bill owed again", acc.Principal, acc.Credit)
		}
		p.wantError(p.do(http.MethodPost, path, fin, map[string]any{"reason": "again"}, nil), http.StatusConflict, codeInvalidState, "")
		var list listBody[models.FeePayment]
		p.wantStatus(p.do(http.MethodGet, fmt.Sprintf("/api/v1/payments?household_id=%d", p.hh), fin, nil, &list), http.StatusOK)
		if list.Total != 1 || list.Items[0].ReversedAt == nil || list.Items[0].Settlement != models.SettledOver {
			t.Errorf("payments list: got %+v, want the one payment, over, reversed", list.Items)
		}
		p.fake.mu.Lock()
		defer p.fake.mu.Unlock()
		last := p.fake.signals[len(p.fake.signals)-1]
		if last.nudge.Kind != workflows.NudgeReversal || last.nudge.Ref != rev.Reversal.ID {
			t.Errorf("last nudge: got %+v, want the reversal %d", last.nudge, rev.Reversal.ID)
		}
	})
}
