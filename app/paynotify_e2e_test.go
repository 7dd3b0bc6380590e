package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

var e2ePaySecret = []byte("e2e-wechat-secret-of-at-least-32-bytes")

// notifyPayment posts body to the wechat provider's notification route,
// signed, and decodes the answer into out.
func notifyPayment(t *testing.T, a *App, nonce string, body map[string]any, out any) int {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+a.Addr()+"/api/v1/payment-notifications/wechat", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Wuye-Timestamp", ts)
	req.Header.Set("Wuye-Nonce", nonce)
	req.Header.Set("Wuye-Signature", models.SignNotification(e2ePaySecret, ts, nonce, raw))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("decode %s: %v", got, err)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("notification: %d %s", resp.StatusCode, got)
	}
	return resp.StatusCode
}

// TestPaymentNotificationClosesThenReversalResumes: a case dunning on the
// real server; the provider's signed notification of everything owed closes
// it within seconds, without anyone signed in; the provider's reversal of
// that payment reopens the arrears, and the new case resumes at the step
// the closed one had reached instead of sending the first message again.
func TestPaymentNotificationClosesThenReversalResumes(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Pay = []models.PayProvider{{Name: "wechat", Channel: models.PayWeChat, Secret: e2ePaySecret}}
	a := startApp(t, cfg)
	estateID, as, _ := estateWithStaff(t, a, "PAY", secondScaleDunning)
	admin, fin := as[models.RoleCompanyAdmin], as[models.RoleFinance]
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "李业主", "phone": "13912345679", "role": "owner"}, nil, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)

	path := fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID)
	var d arrearsDetail
	waitFor(t, 45*time.Second, "the case dunning", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageDunning && d.Case.StepReached >= 0
	})
	closedCase := d.Case.ID

	pay := map[string]any{"type": "payment", "transaction_id": "4200-e2e-1", "household_id": hh.ID, "amount_fen": d.Account.Total,
		"paid_at": time.Now().Format(time.RFC3339)}
	var ans struct {
		Payment models.FeePayment `json:"payment"`
	}
	if got := notifyPayment(t, a, "e2e-n1", pay, &ans); got != http.StatusCreated {
		t.Fatalf("notification: got %d, want 201", got)
	}
	if ans.Payment.Settlement != models.SettledExact || ans.Payment.Channel != models.PayWeChat {
		t.Errorf("payment: got %+v, want exact, wechat", ans.Payment)
	}
	sent := time.Now()
	waitFor(t, 15*time.Second, "the case to close", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageClosed
	})
	t.Logf("notification to case closed: %v", time.Since(sent).Round(10*time.Millisecond))
	reached := d.Case.StepReached
	if got := notifyPayment(t, a, "e2e-n1", pay, nil); got != http.StatusConflict {
		t.Errorf("replayed nonce: got %d, want 409", got)
	}
	if got := notifyPayment(t, a, "e2e-n2", pay, nil); got != http.StatusOK {
		t.Errorf("re-sent notification: got %d, want 200", got)
	}

	rev := map[string]any{"type": "reversal", "transaction_id": "4200-e2e-1-rev", "original_transaction_id": "4200-e2e-1",
		"household_id": hh.ID, "amount_fen": ans.Payment.AmountFen, "paid_at": time.Now().Format(time.RFC3339), "reason": "银行冲正"}
	if got := notifyPayment(t, a, "e2e-n3", rev, nil); got != http.StatusCreated {
		t.Fatalf("reversal: got %d, want 201", got)
	}
	waitFor(t, 15*time.Second, "a case reopened", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.ID != closedCase && d.Case.Stage == models.StageDunning
	})
	if d.Case.StepReached < reached || d.Account.Total == 0 {
		t.Errorf("reopened case: got step %d owing %d, want at least step %d with the bill owed again", d.Case.StepReached, d.Account.Total, reached)
	}
	if !hasEvent(d.History, "reopened") {
		t.Errorf("history: got no reopened event, want the case to say it resumed")
	}
	if got := countSteps(d.History, "0"); got != 1 {
		t.Errorf("first rung: got it taken %d times over both cases, want once (the ladder resumes, not restarts)", got)
	}
}

// countSteps counts the ladder steps of index step in events.
func countSteps(events []models.CaseEvent, step string) int {
	n := 0
	for _, e := range events {
		if e.Type == "step" && e.Detail["step"] == step {
			n++
		}
	}
	return n
}

func hasEvent(events []models.CaseEvent, typ string) bool {
	for _, e := range events {
		if e.Type == typ {
			return true
		}
	}
	return false
}
