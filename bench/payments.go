package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// The payment provider the bench configures in the service it starts.
const (
	benchPayProvider = "bench"
	benchPaySecret   = "bench-pay-secret-of-at-least-32-bytes-long"
)

// payEnv configures the bench's payment provider in a service it starts.
func payEnv() map[string]string {
	return map[string]string{"WUYE_PAY_PROVIDERS": benchPayProvider + ":wechat", "WUYE_PAY_SECRET_BENCH": benchPaySecret}
}

// runPayments measures "payment notification → case closed": c.pay
// households each get an overdue bill (their collection cases open), then
// signed notifications of what each owes go out open-loop at c.payRate per
// second. Latency runs from each send to its case's closed_at, read once
// every case has closed (the achieved rate counts the notifications
// answered).
func runPayments(ctx context.Context, c config, tg target) (Stats, error) {
	if c.pay > svcMaxPage || c.payRate <= 0 {
		return Stats{}, fmt.Errorf("-pay %d -pay-rate %g: want at most %d households and a positive rate", c.pay, c.payRate, svcMaxPage)
	}
	e, err := svc.SetupEstate(ctx, tg.base, "PAY", nil)
	if err != nil {
		return Stats{}, err
	}
	admin := e.Admin
	var building idOnly
	if err := admin.Call(ctx, http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": e.ID, "name": "缴费楼"}, http.StatusCreated, &building); err != nil {
		return Stats{}, err
	}
	households := make([]uint64, c.pay)
	for i := range households {
		var unit, hh idOnly
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": strconv.Itoa(1001 + i)}, http.StatusCreated, &unit); err != nil {
			return Stats{}, err
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, http.StatusCreated, &hh); err != nil {
			return Stats{}, err
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, http.StatusCreated, nil); err != nil {
			return Stats{}, err
		}
		households[i] = hh.ID
	}
	list := fmt.Sprintf("/api/v1/arrears?estate_id=%d&page_size=%d", e.ID, svcMaxPage)
	openCases := func() (map[uint64]bool, error) {
		var l struct {
			Items []struct {
				HouseholdID uint64 `json:"household_id"`
			} `json:"items"`
		}
		if err := admin.Call(ctx, http.MethodGet, list, nil, http.StatusOK, &l); err != nil {
			return nil, err
		}
		out := map[uint64]bool{}
		for _, it := range l.Items {
			out[it.HouseholdID] = true
		}
		return out, nil
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		open, err := openCases()
		if err != nil {
			return Stats{}, err
		}
		if len(open) >= len(households) {
			break
		}
		if time.Now().After(deadline) {
			return Stats{}, fmt.Errorf("payments: %d of %d cases opened in 2 minutes", len(open), len(households))
		}
		time.Sleep(200 * time.Millisecond)
	}
	owed := make([]models.Money, len(households))
	for i, hh := range households {
		var d struct {
			Account models.Account `json:"account"`
		}
		if err := admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh), nil, http.StatusOK, &d); err != nil {
			return Stats{}, err
		}
		owed[i] = d.Account.Total
	}

	// The sends go out open-loop; each case's closed_at (the workflow's
	// time when it recorded the close) is read afterwards, so nothing polls
	// the database while the notifications arrive.
	sentAt := make([]time.Time, len(households))
	notify := func(ctx context.Context, i int) (int, error) {
		if i >= len(households) {
			return 0, fmt.Errorf("more sends than households")
		}
		sentAt[i] = time.Now()
		body, _ := json.Marshal(map[string]any{"type": "payment", "transaction_id": fmt.Sprintf("bench-%d-%d", e.ID, i),
			"household_id": households[i], "amount_fen": owed[i], "paid_at": time.Now().Format(time.RFC3339)})
		return postNotification(ctx, tg.base, strconv.Itoa(i), body)
	}
	d := time.Duration(float64(len(households)) / c.payRate * float64(time.Second))
	st := openLoop(ctx, "notify → case closed", c.payRate, d, len(households), notify)
	deadline = time.Now().Add(2 * time.Minute)
	for {
		open, err := openCases()
		if err != nil {
			return st, err
		}
		if len(open) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	var lats []time.Duration
	st.OK, st.Errors, st.FirstFail = 0, 0, ""
	for i, hh := range households {
		var d struct {
			Case *struct {
				ClosedAt *time.Time `json:"closed_at"`
			} `json:"case"`
		}
		err := admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh), nil, http.StatusOK, &d)
		if err == nil && (d.Case == nil || d.Case.ClosedAt == nil || sentAt[i].IsZero()) {
			err = fmt.Errorf("household %d: case not closed", hh)
		}
		if err != nil {
			st.Errors++
			if st.FirstFail == "" {
				st.FirstFail = err.Error()
			}
			continue
		}
		st.OK++
		lats = append(lats, d.Case.ClosedAt.Sub(sentAt[i]))
	}
	st.P50ms, st.P99ms, st.MaxMs = percentiles(lats)
	return st, nil
}

// svcMaxPage is the API's largest page.
const svcMaxPage = 200

// idOnly reads the id of a created record.
type idOnly struct {
	ID uint64 `json:"id"`
}

// postNotification posts a signed payment notification of the bench's
// provider.
func postNotification(ctx context.Context, base, nonce string, body []byte) (int, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce = "bench-" + nonce + "-" + ts
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/payment-notifications/"+benchPayProvider, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Wuye-Timestamp", ts)
	req.Header.Set("Wuye-Nonce", nonce)
	req.Header.Set("Wuye-Signature", models.SignNotification([]byte(benchPaySecret), ts, nonce, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
